#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

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

/* Decodes base64url without padding into out; false unless exactly fits. */
static bool
b64url(const char *in, size_t inlen, unsigned char *out, size_t max,
    size_t *outlen)
{
	return sodium_base642bin(out, max, in, inlen, NULL, outlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

/* A JSON object from bytes, or NULL. */
static struct json_object *
parse_object(const unsigned char *buf, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj;

	if (!utf8_valid((const char *)buf, len, NULL) ||
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

/* Whether obj has key as exactly the string want. */
static bool
has_string(struct json_object *obj, const char *key, const char *want)
{
	struct json_object	*v;

	return json_object_object_get_ex(obj, key, &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), want) == 0;
}

/* The header check; NULL when it is ours, else why not. */
static const char *
check_header(const char *b64, size_t len)
{
	unsigned char		 raw[JWT_MAX_HEADER];
	struct json_object	*hdr, *enc;
	const char		*why = NULL;
	size_t			 n;

	if (!b64url(b64, len, raw, sizeof(raw), &n) ||
	    (hdr = parse_object(raw, n)) == NULL)
		return "malformed JWE header";
	if (!has_string(hdr, "alg", "dir"))
		why = "JWE alg is not \"dir\"";
	else if (!json_object_object_get_ex(hdr, "enc", &enc) ||
	    !json_object_is_type(enc, json_type_string))
		why = "JWE header has no enc";
	else if (strcmp(json_object_get_string(enc), "A256GCM") != 0)
		/*
		 * Auth.js v5 (@auth/core) uses A256CBC-HS512 with the cookie
		 * name as HKDF salt: a different format, refused by name.
		 */
		why = strcmp(json_object_get_string(enc), "A256CBC-HS512") == 0 ?
		    "JWE enc A256CBC-HS512 (Auth.js v5 token) is not supported" :
		    "JWE enc is not A256GCM";
	else if (json_object_object_get_ex(hdr, "zip", NULL) ||
	    json_object_object_get_ex(hdr, "crit", NULL))
		why = "JWE header has zip or crit";
	json_object_put(hdr);
	return why;
}

/* A numeric claim as whole seconds; false when absent or not a number. */
static bool
num_claim(struct json_object *claims, const char *key, long long *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(claims, key, &v))
		return false;
	if (json_object_is_type(v, json_type_int))
		*out = json_object_get_int64(v);
	else if (json_object_is_type(v, json_type_double)) {
		/* Out of range (1e300, NaN) is undefined for a cast: clamp. */
		double d = json_object_get_double(v);
		*out = d >= 0x1p62 ? LLONG_MAX / 2 : d > -0x1p62 ?
		    (long long)d : LLONG_MIN / 2;
	}
	else
		*out = 0;	/* present but not a number: caller refuses */
	return true;
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

static const char *
check_claims(struct json_object *claims, time_t now, struct jwt_claims *out)
{
	long long	 t;

	if (!num_claim(claims, "exp", &out->exp) ||
	    !json_object_is_type(json_object_object_get(claims, "exp"),
	    json_type_int))
		return "JWT has no numeric exp";
	if (out->exp <= (long long)now - JWT_CLOCK_SKEW)
		return "JWT expired";
	if (num_claim(claims, "nbf", &t) && t > (long long)now + JWT_CLOCK_SKEW)
		return "JWT not yet valid (nbf)";
	if (num_claim(claims, "iat", &t) && t > (long long)now + JWT_CLOCK_SKEW)
		return "JWT issued in the future (iat)";
	if (!str_claim(claims, "email", out->email) || out->email[0] == '\0')
		return "JWT has no usable email claim";
	if (!str_claim(claims, "name", out->name))
		out->name[0] = '\0';	/* a bad name is not a bad session */
	return NULL;
}

enum pl_err
jwt_decode(const struct jwt_key *key, const char *buf, size_t len,
    time_t now, struct jwt_claims *out, const char **why)
{
	const char		*part[5];
	size_t			 plen[5], i, n, clen;
	unsigned char		 iv[JWT_IV_LEN], tag[JWT_TAG_LEN];
	unsigned char		*ct = NULL, *pt = NULL;
	struct json_object	*claims = NULL;
	enum pl_err		 rc = PL_EUNAUTH;
	const char		*p = buf, *dot;

	*why = "not a JWE";
	if (key == NULL || !jwt_is_jwe(buf, len))
		goto out;
	for (i = 0; i < 5; i++) {
		dot = memchr(p, '.', (size_t)(buf + len - p));
		part[i] = p;
		plen[i] = (size_t)((dot ? dot : buf + len) - p);
		p = dot ? dot + 1 : buf + len;
	}
	if ((*why = check_header(part[0], plen[0])) != NULL)
		goto out;
	*why = "malformed JWE";
	if (plen[1] != 0 ||	/* "dir": no encrypted key */
	    !b64url(part[2], plen[2], iv, sizeof(iv), &n) || n != sizeof(iv) ||
	    !b64url(part[4], plen[4], tag, sizeof(tag), &n) ||
	    n != sizeof(tag))
		goto out;
	if ((ct = malloc(plen[3] + 1)) == NULL ||
	    (pt = malloc(plen[3] + 1)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	if (!b64url(part[3], plen[3], ct, plen[3] + 1, &clen) || clen == 0)
		goto out;
	/* The additional data is the protected header as sent (RFC 7516 5.2). */
	if (crypto_aead_aes256gcm_decrypt_detached_afternm(pt, NULL, ct, clen,
	    tag, (const unsigned char *)part[0], plen[0], iv, &key->st) != 0) {
		*why = "JWE does not decrypt (wrong secret or tampered)";
		goto out;
	}
	if ((claims = parse_object(pt, clen)) == NULL) {
		*why = "JWT claims are not a JSON object";
		goto out;
	}
	if ((*why = check_claims(claims, now, out)) != NULL)
		goto out;
	rc = PL_OK;
out:
	json_object_put(claims);
	if (pt != NULL)
		sodium_memzero(pt, plen[3] + 1);
	free(pt);
	free(ct);
	return rc;
}
