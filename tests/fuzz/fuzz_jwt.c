/*
 * fuzz_jwt.c - NextAuth v4 session tokens: jwt_is_jwe() and jwt_decode()
 * with the key jwt_key_new("fuzz-secret", 11), at the fixed time FUZZ_NOW.
 *
 * The two kinds of input are fuzz_token.h's: a token as it is (mutations
 * of a real one almost never pass the AES-GCM tag, so this covers what is
 * checked before decryption), or 0x01 <header> 0x00 <claims>, encrypted
 * here under the same key so that the claims checks are reached; the
 * default header is {"alg":"dir","enc":"A256GCM"}.
 */
#include <sodium.h>

#include "fuzz_token.h"

#define FUZZ_SECRET	"fuzz-secret"

static struct jwt_key			*key;	/* the library's */
static crypto_aead_aes256gcm_state	 enc;	/* ours, for the 0x01 inputs */

/* next-auth's key derivation, as jwt.h describes it (RFC 5869). */
static void
derive(const char *secret, size_t len, unsigned char out[32])
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 prk[32];
	static const char		 info[] =
	    "NextAuth.js Generated Encryption Key";
	const unsigned char		 one = 1;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)"", 0);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)secret, len);
	crypto_auth_hmacsha256_final(&st, prk);
	crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)info,
	    sizeof(info) - 1);
	crypto_auth_hmacsha256_update(&st, &one, 1);
	crypto_auth_hmacsha256_final(&st, out);
}

/* Encrypts claims under the protected header hdr as next-auth does. */
static char *
mint(const unsigned char *hdr, size_t hlen, const unsigned char *claims,
    size_t clen, size_t *len)
{
	static const unsigned char	 iv[12] = "fuzz-iv-1234";
	unsigned char			*ct, tag[16];
	char				*h, *tok;
	size_t				 hb;

	if ((h = malloc(2 * hlen + 4)) == NULL ||
	    (ct = malloc(clen + 1)) == NULL)
		abort();
	hb = fuzz_b64(h, hdr, hlen);
	crypto_aead_aes256gcm_encrypt_detached_afternm(ct, tag, NULL, claims,
	    clen, (const unsigned char *)h, hb, NULL, iv, &enc);
	tok = fuzz_compact(h, hb, iv, sizeof(iv), ct, clen, tag, sizeof(tag),
	    len);
	free(h);
	free(ct);
	return tok;
}

static enum pl_err
decode(const char *tok, size_t len, struct jwt_claims *c, const char **why)
{
	return jwt_decode(key, tok, len, FUZZ_NOW, c, why);
}

/* The header of the tokens it mints when the input gives none. */
static const char HDR[] = "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char		 raw[32];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0 || !crypto_aead_aes256gcm_is_available()) {
		fprintf(stderr, "fuzz_jwt: no AES-256-GCM in libsodium here\n");
		abort();
	}
	if ((key = jwt_key_new(FUZZ_SECRET, sizeof(FUZZ_SECRET) - 1)) == NULL)
		abort();
	derive(FUZZ_SECRET, sizeof(FUZZ_SECRET) - 1, raw);
	crypto_aead_aes256gcm_beforenm(&enc, raw);
	fuzz_check_mint(mint, decode, HDR,
	    "{\"email\":\"fuzz@example.com\",\"exp\":1900000000}");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_token_input(data, size, HDR, mint, decode);
	return 0;
}
