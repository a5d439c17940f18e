#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "jsontext.h"
#include "jwt.h"
#include "utf8.h"

#define JWT_MAX_HEADER	512	/* decoded protected header */
#define JWT_IV_LEN	crypto_aead_aes256gcm_NPUBBYTES		/* 12 */
#define JWT_TAG_LEN	crypto_aead_aes256gcm_ABYTES		/* 16 */

struct jwt_key {
	crypto_aead_aes256gcm_state	 st;	/* expanded AES key */
};

/*
 * RFC 5869 with HMAC-SHA256; one output block is enough for 32 bytes.
 * An empty salt is an empty HMAC key, as in the hkdf package next-auth uses.
 */
static void
hkdf_sha256(const unsigned char *ikm, size_t ikmlen, const char *info,
    unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 prk[crypto_auth_hmacsha256_BYTES];
	const unsigned char		 one = 1, nosalt[1] = { 0 };

	crypto_auth_hmacsha256_init(&st, nosalt, 0);		/* extract */
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));	/* expand */
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)info,
	    strlen(info));
	crypto_auth_hmacsha256_update(&st, &one, 1);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(&st, sizeof(st));
}

struct jwt_key *
jwt_key_new(const char *secret, size_t len)
{
	struct jwt_key	*k;
	unsigned char	 raw[crypto_aead_aes256gcm_KEYBYTES];

	if (!crypto_aead_aes256gcm_is_available())
		return NULL;
	/* The state must be 16-byte aligned for AES-NI. */
	if ((k = aligned_alloc(16, sizeof(*k))) == NULL)
		return NULL;
	hkdf_sha256((const unsigned char *)secret, len,
	    "NextAuth.js Generated Encryption Key", raw);
	crypto_aead_aes256gcm_beforenm(&k->st, raw);
	sodium_memzero(raw, sizeof(raw));
	return k;
}

void
jwt_key_free(struct jwt_key *k)
{
	if (k == NULL)
		return;
	sodium_memzero(k, sizeof(*k));
	free(k);
}

static bool
b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
jwt_is_jwe(const char *buf, size_t len)
{
	size_t	 i, dots = 0;

	if (len < 4 || len > JWT_MAX || memcmp(buf, "eyJ", 3) != 0)
		return false;
	for (i = 0; i < len; i++) {
		if (buf[i] == '.')
			dots++;
		else if (!b64url_char(buf[i]))
			return false;
	}
	return dots == 4;
}

bool
jwt_b64url(const char *in, size_t inlen, unsigned char *out, size_t max,
    size_t *outlen)
{
	return sodium_base642bin(out, max, in, inlen, NULL, outlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

struct json_object *
jwt_parse_object(const unsigned char *buf, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj;

	if (!utf8_valid((const char *)buf, len, NULL) ||
	    jsontext_check((const char *)buf, len) != NULL ||
	    (tok = json_tokener_new_ex(8)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
	if (obj != NULL && (json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(obj, json_type_object))) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

bool
jwt_member_is(struct json_object *obj, const char *key, const char *want)
{
	struct json_object	*v;
	size_t			 n = strlen(want);

	/* By length, not strcmp: "dir\u0000x" is not "dir". */
	return json_object_object_get_ex(obj, key, &v) &&
	    json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == n &&
	    memcmp(json_object_get_string(v), want, n) == 0;
}

const char *
jwt_header_extras(struct json_object *hdr)
{
	if (json_object_object_get_ex(hdr, "zip", NULL) ||
	    json_object_object_get_ex(hdr, "crit", NULL))
		return "JWE header has zip or crit";
	if (json_object_object_get_ex(hdr, "iss", NULL) ||
	    json_object_object_get_ex(hdr, "sub", NULL) ||
	    json_object_object_get_ex(hdr, "aud", NULL))
		return "JWE header replicates a claim";
	return NULL;
}

/* The header check; NULL when it is ours, else why not. */
static const char *
check_header(const char *b64, size_t len)
{
	unsigned char		 raw[JWT_MAX_HEADER];
	struct json_object	*hdr;
	const char		*why = NULL;
	size_t			 n;

	if (!jwt_b64url(b64, len, raw, sizeof(raw), &n) ||
	    (hdr = jwt_parse_object(raw, n)) == NULL)
		return "malformed JWE header";
	if (!jwt_member_is(hdr, "alg", "dir"))
		why = "JWE alg is not \"dir\"";
	else if (!jwt_member_is(hdr, "enc", "A256GCM"))
		/* A256CBC-HS512 is Auth.js v5's: jwe.c, by cookie name. */
		why = "JWE enc is not A256GCM";
	else
		why = jwt_header_extras(hdr);
	json_object_put(hdr);
	return why;
}

/*
 * A NumericDate claim as jose reads it (6.2.18 lib/jwt_claims_set.js
 * validateNumericDate; 4.15.9 the same): any JSON number, integral or not,
 * compared as a JavaScript number, i.e. a double.  NUM_ABSENT, NUM_OK
 * with *out, or NUM_BAD when present but not a number ("1", null, true),
 * which jose refuses.  json-c reads integers past 64 bits as the nearest
 * 64-bit bound: the same side of any time as JavaScript's 1e20, so no
 * clamp is needed.  Stricter than jose: 1e400, which JavaScript reads as
 * Infinity (a token that never expires), is NUM_BAD, as json-c's inf is;
 * NaN and Infinity themselves are not JSON (jsontext_check()).
 */
enum num_claim { NUM_ABSENT, NUM_OK, NUM_BAD };

static enum num_claim
num_claim(struct json_object *claims, const char *key, double *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(claims, key, &v))
		return NUM_ABSENT;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return NUM_BAD;
	*out = json_object_get_double(v);
	/* NaN would pass every comparison and then convert undefined. */
	return isfinite(*out) ? NUM_OK : NUM_BAD;
}

/* Copies a string claim of at most JWT_MAX_CLAIM bytes; "" when absent. */
static bool
str_claim(struct json_object *claims, const char *key, char *out)
{
	struct json_object	*v;
	size_t			 n;

	out[0] = '\0';
	if (!json_object_object_get_ex(claims, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	n = (size_t)json_object_get_string_len(v);
	if (n > JWT_MAX_CLAIM || memchr(json_object_get_string(v), '\0', n))
		return false;
	memcpy(out, json_object_get_string(v), n);
	out[n] = '\0';
	return true;
}

/*
 * Claims that, when present, must be numbers no later than now (with the
 * skew).  jose takes any iat; NextAuth's is always now.
 */
static const struct {
	const char	*name;
	const char	*bad;	/* why, when it is not a finite number */
	const char	*later;	/* why, when it is past now */
} not_later[] = {
	{ "nbf", "JWT nbf is not a finite number", "JWT not yet valid (nbf)" },
	{ "iat", "JWT iat is not a finite number", "JWT issued in the future (iat)" },
};

/* The claim rules of jwt_read_claims(). */
static const char *
check_claims(struct json_object *claims, time_t now, struct jwt_claims *out)
{
	double	 exp, t;
	size_t	 i;

	switch (num_claim(claims, "exp", &exp)) {
	case NUM_ABSENT:
		return "JWT has no exp";	/* jose takes none; NextAuth
						   always sets one */
	case NUM_BAD:
		return "JWT exp is not a finite number";
	case NUM_OK:
		break;
	}
	if (exp <= (double)now - JWT_CLOCK_SKEW)
		return "JWT expired";
	/* Seconds: the largest finite double is far past LLONG_MAX. */
	out->exp = exp >= 0x1p62 ? LLONG_MAX / 2 : (long long)exp;
	for (i = 0; i < sizeof(not_later) / sizeof(not_later[0]); i++)
		switch (num_claim(claims, not_later[i].name, &t)) {
		case NUM_BAD:
			return not_later[i].bad;
		case NUM_OK:
			if (t > (double)now + JWT_CLOCK_SKEW)
				return not_later[i].later;
			break;
		case NUM_ABSENT:
			break;
		}
	if (!str_claim(claims, "email", out->email) || out->email[0] == '\0')
		return "JWT has no usable email claim";
	if (!str_claim(claims, "name", out->name))
		out->name[0] = '\0';	/* a bad name is not a bad session */
	if (!str_claim(claims, "sub", out->sub))
		out->sub[0] = '\0';	/* a bad sub: identify by email */
	return NULL;
}

const char *
jwt_read_claims(const unsigned char *pt, size_t len, time_t now,
    struct jwt_claims *out)
{
	struct json_object	*claims;
	const char		*why;

	if ((claims = jwt_parse_object(pt, len)) == NULL)
		return "JWT claims are not a JSON object";
	why = check_claims(claims, now, out);
	json_object_put(claims);
	return why;
}

void
jwt_split(const char *buf, size_t len, const char *part[JWT_PARTS],
    size_t plen[JWT_PARTS])
{
	const char	*p = buf, *dot;
	size_t		 i;

	for (i = 0; i < JWT_PARTS; i++) {
		dot = memchr(p, '.', (size_t)(buf + len - p));
		part[i] = p;
		plen[i] = (size_t)((dot ? dot : buf + len) - p);
		p = dot ? dot + 1 : buf + len;
	}
}

enum pl_err
jwt_decode(const struct jwt_key *key, const char *buf, size_t len,
    time_t now, struct jwt_claims *out, const char **why)
{
	const char		*part[JWT_PARTS];
	size_t			 plen[JWT_PARTS], n, clen;
	unsigned char		 iv[JWT_IV_LEN], tag[JWT_TAG_LEN];
	unsigned char		*ct = NULL, *pt = NULL;
	enum pl_err		 rc = PL_EUNAUTH;

	*why = "not a JWE";
	if (key == NULL || !jwt_is_jwe(buf, len))
		goto out;
	jwt_split(buf, len, part, plen);
	if ((*why = check_header(part[0], plen[0])) != NULL)
		goto out;
	*why = "malformed JWE";
	if (plen[1] != 0 ||	/* "dir": no encrypted key */
	    !jwt_b64url(part[2], plen[2], iv, sizeof(iv), &n) || n != sizeof(iv) ||
	    !jwt_b64url(part[4], plen[4], tag, sizeof(tag), &n) ||
	    n != sizeof(tag))
		goto out;
	if ((ct = malloc(plen[3] + 1)) == NULL ||
	    (pt = malloc(plen[3] + 1)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	if (!jwt_b64url(part[3], plen[3], ct, plen[3] + 1, &clen) || clen == 0)
		goto out;
	/* The additional data is the protected header as sent (RFC 7516 5.2). */
	if (crypto_aead_aes256gcm_decrypt_detached_afternm(pt, NULL, ct, clen,
	    tag, (const unsigned char *)part[0], plen[0], iv, &key->st) != 0) {
		*why = "JWE does not decrypt (wrong secret or tampered)";
		goto out;
	}
	if ((*why = jwt_read_claims(pt, clen, now, out)) != NULL)
		goto out;
	rc = PL_OK;
out:
	if (pt != NULL)
		sodium_memzero(pt, plen[3] + 1);
	free(pt);
	free(ct);
	return rc;
}
