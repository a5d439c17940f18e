/*
 * fuzz_token.h - what fuzz_jwt.c (NextAuth v4) and fuzz_jwe.c (Auth.js v5)
 * share: the two kinds of input, the checks on a decoder's answer and on
 * the claims of a token it accepted.  Each harness brings its decoder and
 * its own encryption (mint).
 *
 * The input: anything that does not start with byte 0x01 is a token,
 * decoded as it is (shape, base64url, the header, the tag); 0x01 <header
 * JSON> 0x00 <claims JSON> is encrypted by the harness into a token that
 * decrypts, so that the fuzzer reaches the claims; without the 0x00 all
 * the rest is the claims, under the harness's default header.
 */
#ifndef PLACES_FUZZ_TOKEN_H
#define PLACES_FUZZ_TOKEN_H

#include <sodium.h>

#include "fuzz.h"
#include "jwt.h"

#define FUZZ_NOW	1800000000	/* 2027-01-15; the seeds' exp are later */

/* The base64url (no padding) of bin[0..len) at out; its length. */
static inline size_t
fuzz_b64(char *out, const unsigned char *bin, size_t len)
{
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), bin, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

/*
 * The compact JWE "<h>..<iv>.<ct>.<tag>" (h: the header, already
 * base64url, which was the AAD) in a buffer of exactly *len bytes, no
 * terminator to lean on.
 */
static inline char *
fuzz_compact(const char *h, size_t hlen, const unsigned char *iv,
    size_t ivlen, const unsigned char *ct, size_t ctlen,
    const unsigned char *tag, size_t taglen, size_t *len)
{
	char	*tmp, *tok;
	size_t	 n;

	if ((tmp = malloc(hlen + 2 * (ivlen + ctlen + taglen) + 16)) == NULL)
		abort();
	memcpy(tmp, h, hlen);
	n = hlen;
	tmp[n++] = '.';
	tmp[n++] = '.';
	n += fuzz_b64(tmp + n, iv, ivlen);
	tmp[n++] = '.';
	n += fuzz_b64(tmp + n, ct, ctlen);
	tmp[n++] = '.';
	n += fuzz_b64(tmp + n, tag, taglen);
	if ((tok = malloc(n)) == NULL)
		abort();
	memcpy(tok, tmp, n);
	free(tmp);
	*len = n;
	return tok;
}

/* A harness's encryption: a token of exactly *len bytes, malloc'd. */
typedef char	*fuzz_mint_fn(const unsigned char *hdr, size_t hlen,
		    const unsigned char *claims, size_t clen, size_t *len);
/* A harness's decoder, checked by fuzz_check_answer(). */
typedef enum pl_err fuzz_decode_fn(const char *tok, size_t len,
		    struct jwt_claims *c, const char **why);

/*
 * Decodes tok and checks the answer against jwt.h: a documented code; a
 * refusal with a static, printable reason (never the token's bytes); an
 * acceptance only of a JWE, with terminated claims, an email of 1..255
 * bytes and an exp not past.
 */
static inline enum pl_err
fuzz_check_answer(fuzz_decode_fn *decode, const char *tok, size_t len)
{
	struct jwt_claims	 c;
	const char		*why = NULL, *p;
	size_t			 i, dots = 0;
	enum pl_err		 rc;

	memset(&c, 0x5A, sizeof(c));
	rc = decode(tok, len, &c, &why);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EUNAUTH || rc == PL_ENOMEM);
	if (rc == PL_EUNAUTH) {
		FUZZ_ASSERT(why != NULL && strlen(why) > 0 && strlen(why) < 80);
		for (p = why; *p != '\0'; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p < 0x7F);
	}
	if (rc != PL_OK)
		return rc;
	/* "eyJ", five base64url parts, at most JWT_MAX */
	FUZZ_ASSERT(jwt_is_jwe(tok, len) && len >= 4 && len <= JWT_MAX &&
	    memcmp(tok, "eyJ", 3) == 0);
	for (i = 0; i < len; i++)
		dots += tok[i] == '.';
	FUZZ_ASSERT(dots == 4);
	FUZZ_ASSERT(memchr(c.email, '\0', sizeof(c.email)) != NULL &&
	    memchr(c.name, '\0', sizeof(c.name)) != NULL &&
	    memchr(c.sub, '\0', sizeof(c.sub)) != NULL);
	FUZZ_ASSERT(c.email[0] != '\0' && strlen(c.email) <= JWT_MAX_CLAIM);
	FUZZ_ASSERT(strlen(c.name) <= JWT_MAX_CLAIM);
	FUZZ_ASSERT(c.exp > (long long)FUZZ_NOW - JWT_CLOCK_SKEW - 1);
	return rc;
}

/*
 * For a token minted here the claims are known: one the decoder accepted
 * must have met jwt.h's rules, read here as jose reads them (doubles): a
 * numeric "exp" later than now - skew, "nbf" and "iat", where present,
 * numbers no later than now + skew.
 */
static inline void
fuzz_check_claims(const uint8_t *claims, size_t len)
{
	static const char *const keys[] = { "nbf", "iat" };
	struct json_tokener	*tok;
	struct json_object	*obj, *v;
	size_t			 i;

	if ((tok = json_tokener_new()) == NULL)
		abort();
	obj = json_tokener_parse_ex(tok, (const char *)claims, (int)len);
	FUZZ_ASSERT(obj != NULL && json_object_is_type(obj, json_type_object));
	FUZZ_ASSERT(json_object_object_get_ex(obj, "exp", &v) &&
	    (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) &&
	    json_object_get_double(v) > (double)FUZZ_NOW - JWT_CLOCK_SKEW);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_object_get_ex(obj, keys[i], &v))
			continue;
		if (!((json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double)) &&
		    json_object_get_double(v) <= (double)FUZZ_NOW +
		    JWT_CLOCK_SKEW)) {
			fprintf(stderr, "accepted with %s %s\n", keys[i],
			    json_object_to_json_string(v));
			FUZZ_ASSERT(!"token accepted with a bad nbf or iat");
		}
	}
	json_object_put(obj);
	json_tokener_free(tok);
}

/*
 * The harness's own check, at start-up: a token it mints from hdr and
 * claims (C strings), the library accepts; else every "refused" later
 * would prove nothing.
 */
static inline void
fuzz_check_mint(fuzz_mint_fn *mint, fuzz_decode_fn *decode, const char *hdr,
    const char *claims)
{
	char	*tok;
	size_t	 len;

	tok = mint((const unsigned char *)hdr, strlen(hdr),
	    (const unsigned char *)claims, strlen(claims), &len);
	FUZZ_ASSERT(fuzz_check_answer(decode, tok, len) == PL_OK);
	free(tok);
}

/* One fuzzer input of either kind (see the top); hdr the default header. */
static inline void
fuzz_token_input(const uint8_t *data, size_t size, const char *hdr,
    fuzz_mint_fn *mint, fuzz_decode_fn *decode)
{
	const uint8_t	*nul, *claims;
	char		*tok;
	size_t		 len, clen;

	if (size == 0 || data[0] != 0x01) {
		(void)fuzz_check_answer(decode, (const char *)data, size);
		return;
	}
	data++;
	size--;
	if (size > JWT_MAX)
		return;		/* the token would be over JWT_MAX anyway */
	if ((nul = memchr(data, '\0', size)) == NULL) {
		claims = data;
		clen = size;
		tok = mint((const unsigned char *)hdr, strlen(hdr), claims,
		    clen, &len);
	} else {
		claims = nul + 1;
		clen = size - (size_t)(claims - data);
		tok = mint(data, (size_t)(nul - data), claims, clen, &len);
	}
	if (fuzz_check_answer(decode, tok, len) == PL_OK)
		fuzz_check_claims(claims, clen);
	free(tok);
}

#endif
