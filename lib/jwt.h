/*
 * jwt.h - NextAuth v4 session tokens: JWE compact serialisation with
 * "alg":"dir" and "enc":"A256GCM", the key derived from NEXTAUTH_SECRET
 * with HKDF-SHA256 (next-auth 4.24.15 jwt/index.js l.33-45 encode, l.46-60
 * decode with clockTolerance 15, l.103-105 the key; tests/compat/SOURCES.md
 * quotes them).  All cryptography is libsodium's.
 */
#ifndef PLACES_JWT_H
#define PLACES_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

#define JWT_MAX			16384	/* bytes of a (reassembled) token */
#define JWT_CLOCK_SKEW		15	/* seconds; next-auth's clockTolerance */
#define JWT_MAX_CLAIM		255	/* bytes of email, name (VARCHAR(255)) */

/* The derived key, expanded once at start-up for AES-256-GCM. */
struct jwt_key;

/*
 * Derives the key from the secret: HKDF-SHA256 with an empty salt and the
 * info "NextAuth.js Generated Encryption Key", 32 bytes.  NULL when out of
 * memory or when this CPU has no AES-GCM support in libsodium (the caller
 * then refuses to start with JWT sessions configured).  Free with
 * jwt_key_free().
 */
struct jwt_key	*jwt_key_new(const char *secret, size_t len);
void		 jwt_key_free(struct jwt_key *);

/* Whether buf looks like a JWE (five base64url parts): worth decrypting. */
bool		 jwt_is_jwe(const char *buf, size_t len);

struct jwt_claims {
	char	 email[JWT_MAX_CLAIM + 1];	/* "" when absent */
	char	 name[JWT_MAX_CLAIM + 1];	/* "" when absent */
	char	 sub[JWT_MAX_CLAIM + 1];	/* the user's id; "" when absent
						   or not a string */
	long long exp;
};

/*
 * Decrypts and checks buf[0..len) at time now, as jose 4.15.9 does for
 * next-auth (lib/jwt_claims_set.js l.74-92), but stricter where NextAuth
 * never needs the slack: the header must be exactly dir/A256GCM and pass
 * jwt_header_extras(), the tag must verify, and the claims pass
 * jwt_read_claims().  tests/compat/claims.json holds each rule against
 * next-auth's own decode.
 *
 * PL_OK with *out filled; PL_EUNAUTH with *why, a static reason fit for a
 * log line (never any of the token's bytes); PL_ENOMEM.
 */
enum pl_err	 jwt_decode(const struct jwt_key *, const char *buf, size_t len,
		    time_t now, struct jwt_claims *out, const char **why)
		    PL_MUST_CHECK;

/*
 * Shared with jwe.c (Auth.js v5), which differs only in its cryptography.
 */
#define JWT_PARTS	5

struct json_object;

/* The five parts of a token that passed jwt_is_jwe(). */
void		 jwt_split(const char *buf, size_t len,
		    const char *part[JWT_PARTS], size_t plen[JWT_PARTS]);

/* base64url without padding into out[0..max); false unless it fits. */
bool		 jwt_b64url(const char *in, size_t inlen, unsigned char *out,
		    size_t max, size_t *outlen);

/*
 * A JSON object from valid UTF-8 bytes (strict, depth 8, RFC 8259's lexical
 * rules: jsontext_check()), or NULL.
 */
struct json_object *jwt_parse_object(const unsigned char *buf, size_t len);

/* Whether obj[key] is a string of exactly want's bytes (no NUL tricks). */
bool		 jwt_member_is(struct json_object *obj, const char *key,
		    const char *want);

/*
 * What both refuse in a protected header beyond alg and enc, stricter than
 * jose where NextAuth never writes it: "zip" (jose 4 inflates, jose 6
 * too), "crit", and "iss", "sub" or "aud" (jose compares them with the
 * claims).  NULL, or why.
 */
const char	*jwt_header_extras(struct json_object *hdr);

/*
 * Reads the decrypted claims pt[0..len): a JSON object (valid UTF-8,
 * strict) that passes the claim rules, as jose's jwtDecrypt applies them
 * with clockTolerance JWT_CLOCK_SKEW (jose 6.2.18 lib/jwt_claims_set.js l.82-95, 4.15.9 the
 * same): "exp", "nbf" and "iat" where present must be JSON numbers
 * (fractions allowed, compared as JavaScript does); exp > now - skew; nbf
 * <= now + skew.  Stricter than jose where NextAuth never needs the slack:
 * "exp" is required, the three finite (1e999 is Infinity to jose, a token
 * that never expires), "iat" no later than now + skew, and "email" a string
 * of 1 to JWT_MAX_CLAIM bytes without NUL.  NULL with out filled, or why
 * not (static text, none of the token's bytes).
 */
const char	*jwt_read_claims(const unsigned char *pt, size_t len,
		    time_t now, struct jwt_claims *out);

#endif
