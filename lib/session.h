/*
 * session.h - who is calling: the session token a request carries, and
 * the user it belongs to, as NextAuth's getServerSession() decides it.
 * Authentication happens here and only here, before any routing or body
 * reading (api.c calls session_resolve() first).
 *
 * The rules follow next-auth v4 and are cited from its installed sources
 * in tests/compat/SOURCES.md.
 */
#ifndef PLACES_SESSION_H
#define PLACES_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

struct db;
struct db_read;
struct jwe;
struct jwt_key;
struct request;
struct response;

#define SESSION_MAX_TOKEN	255	/* sessions."sessionToken" VARCHAR(255) */
#define SESSION_MAX_CHUNKS	8	/* <name>.0 .. <name>.7 */

struct session_config {
	const char	*cookie;	/* renamed session cookie, or NULL */
	long long	 max_age;	/* NextAuth session.maxAge, seconds */
	long long	 update_age;	/* NextAuth session.updateAge, seconds */
	struct jwt_key	*jwt;		/* NULL: no NEXTAUTH_SECRET, no v4 JWTs */
	struct jwe	*jwe;		/* NULL: no AUTH_SECRET, no v5 JWTs;
					   its salts: SESSION_V5_COOKIE,
					   SESSION_V5_SECURE, and cookie */
};

/* Auth.js v5's cookie names, which are also its HKDF salts. */
#define SESSION_V5_COOKIE	"authjs.session-token"
#define SESSION_V5_SECURE	"__Secure-authjs.session-token"

enum session_kind {
	SESSION_DATABASE,	/* a row of sessions */
	SESSION_JWT		/* a NextAuth v4 or Auth.js v5 JWE cookie or
				   Bearer token */
};

#define SESSION_MAX_SUB		255	/* bytes of a JWT's "sub" */

struct session {
	/* Who calls, as places.author_key holds it (DB_MAX_AUTHOR, db.h). */
	char			 author[2 + 255 + 1];
	enum session_kind	 kind;
	const char		*cookie;	/* cookie name, NULL for Bearer */
	const char		*token;		/* borrowed from the request */
	size_t			 token_len;
	bool			 renewed;	/* expires moved on in the DB */
	char			 sub[SESSION_MAX_SUB + 1];	/* a JWT's
				   "sub" (the app's user id), "" if none */
};

/*
 * The token of the request, by precedence:
 *  1. Authorization: Bearer <token> (an explicit credential; a malformed
 *     Bearer header is refused, not skipped);
 *  2. the cookie named by PLACES_SESSION_COOKIE, if set;
 *  3. __Secure-next-auth.session-token, next-auth.session-token (v4),
 *     __Secure-authjs.session-token, authjs.session-token (v5): a
 *     __Secure- cookie can only be set by a secure origin, so it wins over
 *     its plain twin, which an http page could plant.
 * A JWE under a v4 name is a NextAuth v4 token (NEXTAUTH_SECRET); under a
 * v5 name an Auth.js v5 token, its cookie name the HKDF salt (AUTH_SECRET
 * and the rest, see config.h); under the renamed cookie or as Bearer,
 * v4 is tried first, then v5 with the renamed cookie's name, or for
 * Bearer both v5 names (@auth/core's getToken() salts a Bearer token with
 * the cookie name its caller configured).
 * A cookie split by NextAuth into <name>.0, <name>.1, ... is joined in
 * scratch; a gap in the chunks, more than SESSION_MAX_CHUNKS, or both the
 * whole and the chunked cookie present is refused.  Within one name the
 * first occurrence wins, as in NextAuth's cookie parser.
 *
 * PL_OK with *tok, *len (into the request or scratch) and *cookie (the
 * name, NULL for Bearer); PL_EUNAUTH when there is none or it is
 * malformed; PL_EBADREQ when the Cookie header breaks its limits.
 */
enum pl_err	session_token(const struct session_config *,
		    const struct request *, struct buf *scratch,
		    const char **tok, size_t *len, const char **cookie)
		    PL_MUST_CHECK;

/*
 * Authenticates the request: PL_OK with *s filled; PL_EUNAUTH; PL_EBADREQ;
 * PL_EDBDOWN (the database could not say: 503, never 401, so an outage
 * does not look like a sign-out, where NextAuth would answer "no
 * session"); PL_EINTERNAL; PL_ENOMEM.
 *
 * A database session that has expired is deleted (NextAuth does so when
 * it sees one); a live one within updateAge of its last renewal has its
 * expiry moved to now + maxAge, at most once per updateAge.
 *
 * read (or NULL): the request's read, which the database check may answer
 * in the same round trip (read->done; see db.h).
 */
enum pl_err	session_resolve(struct db *, const struct session_config *,
		    const struct request *, struct buf *scratch,
		    struct db_read *read, struct session *s) PL_MUST_CHECK;

/*
 * Adds NextAuth's cookie renewal (next-auth 4.24.15 core/routes/session.js
 * l.134-141) to an authenticated response: the same
 * token with Path=/, HttpOnly, SameSite=Lax, Expires now + maxAge, and
 * Secure for a "__Secure-" or "__Host-" name (any case), without which a
 * browser drops the cookie; never a Domain (a "__Host-" cookie has none).  Only for database sessions read from a cookie.
 */
void		session_set_cookie(const struct session_config *,
		    const struct session *, struct response *);

#endif
