/*
 * jwe.h - Auth.js v5 session tokens (next-auth 5, @auth/core 0.41.3
 * jwt.js): JWE compact serialisation with "alg":"dir" and "enc"
 * "A256CBC-HS512" (what encode() writes) or "A256GCM" (what decode()
 * also takes).  The key is HKDF-SHA256 over a secret with the cookie's
 * name as salt and the info "Auth.js Generated Encryption Key (<salt>)":
 * 64 bytes for A256CBC-HS512, 32 for A256GCM.  The header's "kid" is the
 * RFC 7638 thumbprint of that key (SHA-512 of it for 64 bytes, SHA-256 for
 * 32).  The cryptography is OpenSSL's libcrypto (libsodium has no
 * AES-CBC); libpq links it already.
 *
 * Several secrets (rotation), as @auth/core's decode() tries them: with a
 * "kid", the secret whose derived key has that thumbprint, whatever its
 * place; without one, the first secret only.
 */
#ifndef PLACES_JWE_H
#define PLACES_JWE_H

#include <stddef.h>
#include <time.h>

#include "error.h"
#include "jwt.h"

#define JWE_MAX_SECRETS	4	/* AUTH_SECRET_3 .. _1, AUTH_SECRET */
#define JWE_MAX_SALTS	3	/* the two cookie names and a renamed one */

/* The derived keys, for every secret and every cookie name, made once. */
struct jwe;

/*
 * Derives every key: secrets in the order decode() tries them, salts the
 * cookie names tokens may come under.  NULL when out of memory, when
 * nsecrets or nsalts is 0 or over its maximum, or when libcrypto lacks an
 * algorithm (the caller then refuses to start).  Free with jwe_free().
 */
struct jwe	*jwe_new(const char *const *secrets, size_t nsecrets,
		    const char *const *salts, size_t nsalts);
void		 jwe_free(struct jwe *);

/*
 * Decrypts and checks buf[0..len), issued for the cookie called salt, at
 * time now, as @auth/core's decode() does (jose 6.2.18 jwtDecrypt with
 * clockTolerance 15 and the two enc values above), but stricter where
 * Auth.js never needs the slack: the header passes jwt_header_extras(),
 * the claims jwt_read_claims().  The
 * tag is compared in constant time.
 *
 * PL_OK with *out filled; PL_EUNAUTH with *why (static text, none of the
 * token's bytes), also for a salt jwe_new() was not given; PL_ENOMEM.
 */
enum pl_err	 jwe_decode(const struct jwe *, const char *salt,
		    const char *buf, size_t len, time_t now,
		    struct jwt_claims *out, const char **why) PL_MUST_CHECK;

#endif
