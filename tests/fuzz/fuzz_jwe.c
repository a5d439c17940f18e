/*
 * fuzz_jwe.c - Auth.js v5 session tokens: jwe_decode() with the keys
 * jwe_new({"fuzz-secret"}, salt "authjs.session-token"), at FUZZ_NOW.
 *
 * The two kinds of input are fuzz_token.h's: a token as it is (shape,
 * base64url, the header, kid, lengths, the tag), or 0x01 <header> 0x00
 * <claims>, encrypted here with A256CBC-HS512 under the key Auth.js
 * derives (RFC 5869 and RFC 7518 5.2.2, written out with libcrypto apart
 * from lib/jwe.c) so that the claims are reached; the default header is
 * {"alg":"dir","enc":"A256CBC-HS512"} (no kid: the first secret's key).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "fuzz_token.h"
#include "jwe.h"

#define FUZZ_SECRET	"fuzz-secret"
#define FUZZ_SALT	"authjs.session-token"

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

/* The compact JWE of claims under header hdr, A256CBC-HS512. */
static char *
mint(const unsigned char *hdr, size_t hlen, const unsigned char *claims,
    size_t clen, size_t *len)
{
	static const unsigned char	 iv[16] = "fuzz-iv-12345678";
	EVP_CIPHER_CTX			*c;
	unsigned char			*ct, *mac, tag[64], al[8];
	char				*h, *tok;
	size_t				 ctlen, i, hb;
	unsigned			 ml;
	int				 n1, n2;

	if ((h = malloc(2 * hlen + 4)) == NULL ||
	    (ct = malloc(clen + 16)) == NULL ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		abort();
	hb = fuzz_b64(h, hdr, hlen);
	if (EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, cek + 32, iv) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n1, claims, (int)clen) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n1, &n2) != 1)
		abort();
	ctlen = (size_t)n1 + (size_t)n2;
	EVP_CIPHER_CTX_free(c);
	/* The tag: HMAC-SHA-512 over AAD || IV || ciphertext || AL, cut. */
	for (i = 0; i < 8; i++)
		al[i] = (unsigned char)(((uint64_t)hb * 8) >> (56 - 8 * i));
	if ((mac = malloc(hb + 16 + ctlen + 8)) == NULL)
		abort();
	memcpy(mac, h, hb);
	memcpy(mac + hb, iv, 16);
	memcpy(mac + hb + 16, ct, ctlen);
	memcpy(mac + hb + 16 + ctlen, al, 8);
	if (HMAC(EVP_sha512(), cek, 32, mac, hb + 16 + ctlen + 8, tag, &ml) ==
	    NULL)
		abort();
	tok = fuzz_compact(h, hb, iv, sizeof(iv), ct, ctlen, tag, 32, len);
	free(mac);
	free(h);
	free(ct);
	return tok;
}

static enum pl_err
decode(const char *tok, size_t len, struct jwt_claims *c, const char **why)
{
	return jwe_decode(keys, FUZZ_SALT, tok, len, FUZZ_NOW, c, why);
}

/* The header of the tokens it mints when the input gives none. */
static const char HDR[] = "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\"}";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char		*secret = FUZZ_SECRET, *salt = FUZZ_SALT;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0 ||
	    (keys = jwe_new(&secret, 1, &salt, 1)) == NULL)
		abort();
	derive();
	fuzz_check_mint(mint, decode, HDR,
	    "{\"email\":\"fuzz@example.com\",\"exp\":1900000000.5}");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_token_input(data, size, HDR, mint, decode);
	return 0;
}
