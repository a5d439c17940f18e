/*
 * fuzz_jwe.c - Auth.js v5 session tokens: jwe_decode() with the keys
 * jwe_new({"fuzz-secret"}, salt "authjs.session-token"), at FUZZ_NOW.
 *
 * As fuzz_jwt.c, two kinds of input:
 *  - anything that does not start with byte 0x01 is a token, decoded as it
 *    is: shape, base64url, the protected header, kid, lengths, the tag;
 *  - 0x01 <header JSON> 0x00 <claims JSON> is encrypted here with
 *    A256CBC-HS512 under the key Auth.js derives (RFC 5869 and RFC 7518
 *    5.2.2, written out with libcrypto apart from lib/jwe.c), so that the
 *    fuzzer reaches the claims; without the 0x00 all the rest is the
 *    claims, under {"alg":"dir","enc":"A256CBC-HS512"} (no kid: the first
 *    secret's key).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "fuzz.h"
#include "jwe.h"

#define FUZZ_SECRET	"fuzz-secret"
#define FUZZ_SALT	"authjs.session-token"
#define FUZZ_NOW	1800000000

static struct jwe	*keys;		/* the library's */
static unsigned char	 cek[64];	/* ours: MAC key, then AES key */

static void
derive(void)
{
	static const char	 info[] =
	    "Auth.js Generated Encryption Key (" FUZZ_SALT ")";
	EVP_KDF			*kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX		*ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM		 p[5];

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (char *)FUZZ_SECRET, sizeof(FUZZ_SECRET) - 1);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (char *)FUZZ_SALT, sizeof(FUZZ_SALT) - 1);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (char *)info, sizeof(info) - 1);
	p[4] = OSSL_PARAM_construct_end();
	if (ctx == NULL || EVP_KDF_derive(ctx, cek, sizeof(cek), p) != 1)
		abort();
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

static size_t
b64(char *out, const unsigned char *bin, size_t len)
{
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), bin, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

/* The compact JWE of claims under header hdr, in a buffer of its own. */
static char *
mint(const unsigned char *hdr, size_t hlen, const unsigned char *claims,
    size_t clen, size_t *len)
{
	static const unsigned char	 iv[16] = "fuzz-iv-12345678";
	EVP_CIPHER_CTX			*c;
	unsigned char			*ct, *mac, tag[64], al[8];
	char				*tmp, *tok;
	size_t				 n, ctlen, cap, i, hb;
	unsigned			 ml;
	int				 n1, n2;

	cap = 2 * (hlen + clen) + 256;
	if ((tmp = malloc(cap)) == NULL || (ct = malloc(clen + 16)) == NULL ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		abort();
	hb = n = b64(tmp, hdr, hlen);
	if (EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, cek + 32, iv) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n1, claims, (int)clen) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n1, &n2) != 1)
		abort();
	ctlen = (size_t)n1 + (size_t)n2;
	EVP_CIPHER_CTX_free(c);
	for (i = 0; i < 8; i++)
		al[i] = (unsigned char)(((uint64_t)hb * 8) >> (56 - 8 * i));
	if ((mac = malloc(hb + 16 + ctlen + 8)) == NULL)
		abort();
	memcpy(mac, tmp, hb);
	memcpy(mac + hb, iv, 16);
	memcpy(mac + hb + 16, ct, ctlen);
	memcpy(mac + hb + 16 + ctlen, al, 8);
	if (HMAC(EVP_sha512(), cek, 32, mac, hb + 16 + ctlen + 8, tag, &ml) ==
	    NULL)
		abort();
	tmp[n++] = '.';
	tmp[n++] = '.';
	n += b64(tmp + n, iv, sizeof(iv));
	tmp[n++] = '.';
	n += b64(tmp + n, ct, ctlen);
	tmp[n++] = '.';
	n += b64(tmp + n, tag, 32);
	if ((tok = malloc(n)) == NULL)
		abort();
	memcpy(tok, tmp, n);
	free(mac);
	free(tmp);
	free(ct);
	*len = n;
	return tok;
}

static enum pl_err
check(const char *tok, size_t len)
{
	struct jwt_claims	 c;
	const char		*why = NULL, *p;
	enum pl_err		 rc;

	memset(&c, 0x5A, sizeof(c));
	rc = jwe_decode(keys, FUZZ_SALT, tok, len, FUZZ_NOW, &c, &why);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EUNAUTH || rc == PL_ENOMEM);
	if (rc == PL_EUNAUTH) {
		/* A static reason for the log, never the token's bytes. */
		FUZZ_ASSERT(why != NULL && strlen(why) > 0 && strlen(why) < 80);
		for (p = why; *p != '\0'; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p < 0x7F);
	}
	if (rc != PL_OK)
		return rc;
	FUZZ_ASSERT(jwt_is_jwe(tok, len));
	FUZZ_ASSERT(memchr(c.email, '\0', sizeof(c.email)) != NULL &&
	    memchr(c.name, '\0', sizeof(c.name)) != NULL &&
	    memchr(c.sub, '\0', sizeof(c.sub)) != NULL);
	FUZZ_ASSERT(c.email[0] != '\0' && strlen(c.email) <= JWT_MAX_CLAIM);
	FUZZ_ASSERT(c.exp > (long long)FUZZ_NOW - JWT_CLOCK_SKEW - 1);
	return rc;
}

/* An accepted minted token met jwt.h's rules, read here as jose reads them. */
static void
check_claims(const uint8_t *claims, size_t len)
{
	static const char *const keys_[] = { "nbf", "iat" };
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
	for (i = 0; i < sizeof(keys_) / sizeof(keys_[0]); i++) {
		if (!json_object_object_get_ex(obj, keys_[i], &v))
			continue;
		FUZZ_ASSERT((json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double)) &&
		    json_object_get_double(v) <= (double)FUZZ_NOW +
		    JWT_CLOCK_SKEW);
	}
	json_object_put(obj);
	json_tokener_free(tok);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	 good[] =
	    "{\"email\":\"fuzz@example.com\",\"exp\":1900000000.5}";
	static const char	 hdr[] = "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\"}";
	const char		*secret = FUZZ_SECRET, *salt = FUZZ_SALT;
	char			*tok;
	size_t			 len;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0 ||
	    (keys = jwe_new(&secret, 1, &salt, 1)) == NULL)
		abort();
	derive();
	/* The harness's own check: what it mints, the library accepts. */
	tok = mint((const unsigned char *)hdr, sizeof(hdr) - 1,
	    (const unsigned char *)good, sizeof(good) - 1, &len);
	FUZZ_ASSERT(check(tok, len) == PL_OK);
	free(tok);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 hdr[] = "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\"}";
	const uint8_t		*nul, *claims;
	char			*tok;
	size_t			 len, clen;

	if (size == 0 || data[0] != 0x01) {
		(void)check((const char *)data, size);
		return 0;
	}
	data++;
	size--;
	if (size > JWT_MAX / 2)
		return 0;	/* the token would be over JWT_MAX anyway */
	if ((nul = memchr(data, '\0', size)) == NULL) {
		claims = data;
		clen = size;
		tok = mint((const unsigned char *)hdr, sizeof(hdr) - 1, claims,
		    clen, &len);
	} else {
		claims = nul + 1;
		clen = size - (size_t)(claims - data);
		tok = mint(data, (size_t)(nul - data), claims, clen, &len);
	}
	if (check(tok, len) == PL_OK)
		check_claims(claims, clen);
	free(tok);
	return 0;
}
