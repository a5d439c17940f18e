/*
 * session.h - who is calling: the session token a request carries, and
 * the user it belongs to.  Authentication happens here and only here,
 * before any routing or body reading (api.c calls session_resolve first).
 */
#ifndef PLACES_SESSION_H
#define PLACES_SESSION_H

#include <stddef.h>

#include "error.h"

struct db;
struct request;

#define SESSION_MAX_TOKEN	255	/* sessions."sessionToken" VARCHAR(255) */

/* Where the token came from; logged instead of the token itself. */
enum session_source {
	SESSION_NONE = 0,
	SESSION_BEARER,		/* Authorization: Bearer */
	SESSION_COOKIE_SECURE,	/* __Secure-next-auth.session-token */
	SESSION_COOKIE		/* next-auth.session-token */
};

struct session {
	long long		 user_id;	/* users.id */
	enum session_source	 source;
};

/*
 * The token of the request, by precedence:
 *  1. Authorization: Bearer <token> (an explicit credential; a malformed
 *     Bearer header is refused, not skipped);
 *  2. the cookie __Secure-next-auth.session-token (only a secure origin
 *     can set it, so it wins over a cookie an http page could plant);
 *  3. the cookie next-auth.session-token.
 * Within one cookie name the first occurrence wins (as NextAuth's cookie
 * parser does).
 *
 * PL_OK with *tok, *len pointing into the request; PL_EUNAUTH when there
 * is none, it is malformed, or it cannot be a token (empty, over
 * SESSION_MAX_TOKEN bytes, bytes outside printable ASCII); PL_EBADREQ when
 * the Cookie header breaks its limits.
 */
enum pl_err	session_token(const struct request *, const char **tok,
		    size_t *len, enum session_source *) PL_MUST_CHECK;

/*
 * Authenticates the request: PL_OK with *s filled; PL_EUNAUTH; PL_EBADREQ;
 * PL_EDBDOWN (the database could not say: answered 503, never 401, so an
 * outage does not look like a sign-out); PL_EINTERNAL.
 */
enum pl_err	session_resolve(struct db *, const struct request *,
		    struct session *s) PL_MUST_CHECK;

const char	*session_source_name(enum session_source);

#endif
