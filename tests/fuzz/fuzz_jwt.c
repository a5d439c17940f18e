/*
 * fuzz_jwt.c - NextAuth v4 session tokens: jwt_is_jwe() and jwt_decode()
 * with the key jwt_key_new("fuzz-secret", 11), at the fixed time FUZZ_NOW.
 *
 * Two kinds of input:
 *  - anything that does not start with byte 0x01 is a token, decoded as it
 *    is.  Mutations of a real token almost never pass the AES-GCM tag, so
 *    this covers what is checked before decryption: shape, base64url, the
 *    protected header.
 *  - 0x01 <header JSON> 0x00 <claims JSON> is encrypted here, under the
 *    same key, into a token that decrypts, so that the fuzzer reaches what
 *    comes after the tag: the claims parser and its checks.  Without the
 *    0x00 all the rest is the claims, under {"alg":"dir","enc":"A256GCM"}.
 */
#include <sodium.h>

#include "fuzz.h"
#include "jwt.h"

#define FUZZ_SECRET	"fuzz-secret"
#define FUZZ_NOW	1800000000	/* 2027-01-15; the seeds' exp are later */

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

/* Appends the base64url (no padding) of bin[0..len) at out; its length. */
static size_t
b64(char *out, const unsigned char *bin, size_t len)
{
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), bin, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

/*
 * Encrypts claims under the protected header hdr as next-auth does; a token
 * of exactly *len bytes in a buffer of its own (no terminator to lean on).
 */
static char *
mint(const unsigned char *hdr, size_t hlen, const unsigned char *claims,
    size_t clen, size_t *len)
{
	static const unsigned char	 iv[12] = "fuzz-iv-1234";
	unsigned char			*ct, tag[16];
	char				*tmp, *tok;
	size_t				 n = 0, cap;

	cap = sodium_base64_ENCODED_LEN(hlen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) +
	    sodium_base64_ENCODED_LEN(clen + 1,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 64;
	if ((tmp = malloc(cap)) == NULL || (ct = malloc(clen + 1)) == NULL)
		abort();
	n = b64(tmp, hdr, hlen);
	crypto_aead_aes256gcm_encrypt_detached_afternm(ct, tag, NULL, claims,
	    clen, (const unsigned char *)tmp, n, NULL, iv, &enc);
	tmp[n++] = '.';
	tmp[n++] = '.';
	n += b64(tmp + n, iv, sizeof(iv));
	tmp[n++] = '.';
	n += b64(tmp + n, ct, clen);
	tmp[n++] = '.';
	n += b64(tmp + n, tag, sizeof(tag));
	if ((tok = malloc(n)) == NULL)
		abort();
	memcpy(tok, tmp, n);
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
	bool			 jwe = jwt_is_jwe(tok, len);
	size_t			 i, dots = 0;
	enum pl_err		 rc;

	if (jwe) {	/* "eyJ", five base64url parts, at most JWT_MAX */
		FUZZ_ASSERT(len >= 4 && len <= JWT_MAX &&
		    memcmp(tok, "eyJ", 3) == 0);
		for (i = 0; i < len; i++)
			dots += tok[i] == '.';
		FUZZ_ASSERT(dots == 4);
	}
	memset(&c, 0x5A, sizeof(c));
	rc = jwt_decode(key, tok, len, FUZZ_NOW, &c, &why);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EUNAUTH || rc == PL_ENOMEM);
	if (rc == PL_EUNAUTH) {
		/* A static reason for the log, never the token's bytes. */
		FUZZ_ASSERT(why != NULL && strlen(why) > 0 && strlen(why) < 80);
		for (p = why; *p != '\0'; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p < 0x7F);
	}
	if (rc != PL_OK)
		return rc;
	FUZZ_ASSERT(jwe);
	FUZZ_ASSERT(memchr(c.email, '\0', sizeof(c.email)) != NULL &&
	    memchr(c.name, '\0', sizeof(c.name)) != NULL);
	FUZZ_ASSERT(c.email[0] != '\0' && strlen(c.email) <= JWT_MAX_CLAIM);
	FUZZ_ASSERT(strlen(c.name) <= JWT_MAX_CLAIM);
	FUZZ_ASSERT(c.exp > (long long)FUZZ_NOW - JWT_CLOCK_SKEW);
	return rc;
}

/*
 * For a token minted here the claims are known: a token jwt_decode()
 * accepted must have met jwt.h's rules, read here with doubles (as jose
 * reads them in JavaScript): a numeric "exp" later than now - skew, and
 * "nbf" and "iat", where present, numbers no later than now + skew.
 */
static void
check_claims(const uint8_t *claims, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj, *v;
	double			 t;
	static const char *const keys[] = { "nbf", "iat" };
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
		FUZZ_ASSERT(json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double));
		t = json_object_get_double(v);
		if (!(t <= (double)FUZZ_NOW + JWT_CLOCK_SKEW)) {
			fprintf(stderr, "accepted with %s %g\n", keys[i], t);
			FUZZ_ASSERT(!"token accepted with nbf or iat in the future");
		}
	}
	json_object_put(obj);
	json_tokener_free(tok);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	 good[] =
	    "{\"email\":\"fuzz@example.com\",\"exp\":1900000000}";
	static const char	 hdr[] = "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}";
	unsigned char		 raw[32];
	char			*tok;
	size_t			 len;

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
	static const char	 hdr[] = "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}";
	const uint8_t		*nul, *claims;
	char			*tok;
	size_t			 len, clen;

	if (size == 0 || data[0] != 0x01) {
		(void)check((const char *)data, size);
		return 0;
	}
	data++;
	size--;
	if (size > JWT_MAX)
		return 0;	/* the token would be over JWT_MAX anyway */
	if ((nul = memchr(data, '\0', size)) == NULL) {
		claims = data;		/* all claims, under our header */
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
