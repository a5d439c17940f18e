#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "jwe.h"

#define JWE_MAX_HEADER	1024	/* decoded protected header */
#define CBC_KEY		64	/* MAC key (first half), then AES key */
#define CBC_IV		16
#define CBC_TAG		32	/* HMAC-SHA-512 cut to its first half */
#define GCM_KEY		32
#define GCM_IV		12
#define GCM_TAG		16
#define KID_MAX		87	/* base64url of SHA-512, and a NUL */

struct jwe_key {
	unsigned char	 cbc[CBC_KEY], gcm[GCM_KEY];
	char		 cbc_kid[KID_MAX], gcm_kid[KID_MAX];
};

struct jwe {
	size_t		 nsecrets, nsalts;
	char		*salt[JWE_MAX_SALTS];
	struct jwe_key	 key[JWE_MAX_SALTS][JWE_MAX_SECRETS];
	EVP_MAC		*hmac;
};

static void
b64url_enc(char *out, size_t max, const unsigned char *bin, size_t len)
{
	sodium_bin2base64(out, max, bin, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* @auth/core's getDerivedEncryptionKey(): @panva/hkdf, i.e. RFC 5869. */
static bool
derive(const char *secret, const char *salt, unsigned char *out,
    size_t outlen)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*ctx = NULL;
	OSSL_PARAM	 p[5];
	char		 info[128];
	int		 n;
	bool		 ok = false;

	n = snprintf(info, sizeof(info), "Auth.js Generated Encryption Key "
	    "(%s)", salt);
	if (n < 0 || (size_t)n >= sizeof(info) ||
	    (kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		return false;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (char *)secret, strlen(secret));
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (char *)salt, strlen(salt));
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
	    (size_t)n);
	p[4] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_KDF_CTX_new(kdf)) != NULL &&
	    EVP_KDF_derive(ctx, out, outlen, p) == 1)
		ok = true;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok;
}

/*
 * jose's calculateJwkThumbprint({kty:"oct", k}, "sha<bits>"): the hash of
 * the members in RFC 7638's order, base64url.
 */
static bool
thumbprint(const unsigned char *key, size_t len, const EVP_MD *md,
    char out[KID_MAX])
{
	char		 jwk[160], k[CBC_KEY * 4 / 3 + 4];
	unsigned char	 h[EVP_MAX_MD_SIZE];
	unsigned	 hl;
	int		 n;

	b64url_enc(k, sizeof(k), key, len);
	n = snprintf(jwk, sizeof(jwk), "{\"k\":\"%s\",\"kty\":\"oct\"}", k);
	if (n < 0 || (size_t)n >= sizeof(jwk) ||
	    EVP_Digest(jwk, (size_t)n, h, &hl, md, NULL) != 1)
		return false;
	b64url_enc(out, KID_MAX, h, hl);
	OPENSSL_cleanse(k, sizeof(k));
	return true;
}

struct jwe *
jwe_new(const char *const *secrets, size_t nsecrets,
    const char *const *salts, size_t nsalts)
{
	struct jwe	*j;
	struct jwe_key	*k;
	size_t		 s, i;
	bool		 ok = true;

	if (nsecrets == 0 || nsecrets > JWE_MAX_SECRETS || nsalts == 0 ||
	    nsalts > JWE_MAX_SALTS || (j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->nsecrets = nsecrets;
	j->nsalts = nsalts;
	ok = (j->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL;
	for (s = 0; ok && s < nsalts; s++) {
		ok = (j->salt[s] = strdup(salts[s])) != NULL;
		for (i = 0; ok && i < nsecrets; i++) {
			k = &j->key[s][i];
			ok = derive(secrets[i], salts[s], k->cbc, CBC_KEY) &&
			    derive(secrets[i], salts[s], k->gcm, GCM_KEY) &&
			    thumbprint(k->cbc, CBC_KEY, EVP_sha512(),
			    k->cbc_kid) &&
			    thumbprint(k->gcm, GCM_KEY, EVP_sha256(),
			    k->gcm_kid);
		}
	}
	if (!ok) {
		jwe_free(j);
		return NULL;
	}
	return j;
}

void
jwe_free(struct jwe *j)
{
	size_t	 s;

	if (j == NULL)
		return;
	for (s = 0; s < JWE_MAX_SALTS; s++)
		free(j->salt[s]);
	EVP_MAC_free(j->hmac);
	OPENSSL_cleanse(j, sizeof(*j));
	free(j);
}

/* What the header asks for, once checked. */
struct jwe_header {
	bool		 cbc;		/* A256CBC-HS512, else A256GCM */
	bool		 has_kid;
	char		 kid[KID_MAX];	/* when has_kid; "" if not a string
					   of a thumbprint's length */
};

static const char *
check_header(const char *b64, size_t len, struct jwe_header *h)
{
	unsigned char		 raw[JWE_MAX_HEADER];
	struct json_object	*hdr, *kid;
	const char		*why = NULL;
	size_t			 n;

	if (!jwt_b64url(b64, len, raw, sizeof(raw), &n) ||
	    (hdr = jwt_parse_object(raw, n)) == NULL)
		return "malformed JWE header";
	h->cbc = jwt_member_is(hdr, "enc", "A256CBC-HS512");
	h->has_kid = json_object_object_get_ex(hdr, "kid", &kid);
	h->kid[0] = '\0';
	if (!jwt_member_is(hdr, "alg", "dir"))
		why = "JWE alg is not \"dir\"";
	else if (!h->cbc && !jwt_member_is(hdr, "enc", "A256GCM"))
		why = "JWE enc is neither A256CBC-HS512 nor A256GCM";
	else if ((why = jwt_header_extras(hdr)) != NULL)
		;
	/*
	 * decode() compares kid with === to a thumbprint: anything but a
	 * string of a thumbprint's length matches none ("" here).
	 */
	else if (h->has_kid && json_object_is_type(kid, json_type_string) &&
	    (size_t)json_object_get_string_len(kid) < KID_MAX &&
	    strlen(json_object_get_string(kid)) ==
	    (size_t)json_object_get_string_len(kid))
		memcpy(h->kid, json_object_get_string(kid),
		    (size_t)json_object_get_string_len(kid) + 1);
	json_object_put(hdr);
	return why;
}

/*
 * The key decode()'s resolver returns: without a kid the first secret's;
 * with one, the secret whose key has that thumbprint; else NULL.
 */
static const unsigned char *
pick_key(const struct jwe *j, size_t s, const struct jwe_header *h)
{
	const struct jwe_key	*k;
	size_t			 i;

	for (i = 0; i < j->nsecrets; i++) {
		k = &j->key[s][i];
		if (!h->has_kid)
			return h->cbc ? k->cbc : k->gcm;
		if (strcmp(h->kid, h->cbc ? k->cbc_kid : k->gcm_kid) == 0)
			return h->cbc ? k->cbc : k->gcm;
	}
	return NULL;
}

/*
 * RFC 7518 5.2.2.2 (jose lib/decrypt.js cbcDecrypt): the tag is the first
 * 32 bytes of HMAC-SHA-512 under key[0..32) over AAD || IV || ciphertext
 * || AL (the AAD's length in bits, 64-bit big-endian), checked before
 * AES-256-CBC under key[32..64) is run.
 */
static bool
cbc_decrypt(const struct jwe *j, const unsigned char *key,
    const unsigned char *aad, size_t aadlen, const unsigned char *iv,
    const unsigned char *ct, size_t ctlen, const unsigned char *tag,
    unsigned char *pt, size_t *ptlen)
{
	EVP_MAC_CTX	*mac = NULL;
	EVP_CIPHER_CTX	*c = NULL;
	OSSL_PARAM	 p[2];
	unsigned char	 al[8], want[64];
	uint64_t	 bits = (uint64_t)aadlen * 8;
	size_t		 i, ml;
	int		 n1, n2;
	bool		 ok = false;

	for (i = 0; i < 8; i++)
		al[i] = (unsigned char)(bits >> (56 - 8 * i));
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA512", 0);
	p[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_CTX_new(j->hmac)) == NULL ||
	    EVP_MAC_init(mac, key, CBC_KEY / 2, p) != 1 ||
	    EVP_MAC_update(mac, aad, aadlen) != 1 ||
	    EVP_MAC_update(mac, iv, CBC_IV) != 1 ||
	    EVP_MAC_update(mac, ct, ctlen) != 1 ||
	    EVP_MAC_update(mac, al, sizeof(al)) != 1 ||
	    EVP_MAC_final(mac, want, &ml, sizeof(want)) != 1 || ml != 64 ||
	    CRYPTO_memcmp(want, tag, CBC_TAG) != 0)
		goto out;
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, key + CBC_KEY / 2,
	    iv) != 1 ||
	    EVP_DecryptUpdate(c, pt, &n1, ct, (int)ctlen) != 1 ||
	    EVP_DecryptFinal_ex(c, pt + n1, &n2) != 1)
		goto out;
	*ptlen = (size_t)n1 + (size_t)n2;
	ok = true;
out:
	EVP_CIPHER_CTX_free(c);
	EVP_MAC_CTX_free(mac);
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* AES-256-GCM with the protected header as AAD (RFC 7516 5.2). */
static bool
gcm_decrypt(const unsigned char *key, const unsigned char *aad,
    size_t aadlen, const unsigned char *iv, const unsigned char *ct,
    size_t ctlen, const unsigned char *tag, unsigned char *pt, size_t *ptlen)
{
	EVP_CIPHER_CTX	*c;
	int		 n1, n2;
	bool		 ok;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return false;
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, GCM_IV, NULL) == 1 &&
	    EVP_DecryptInit_ex(c, NULL, NULL, key, iv) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &n1, aad, (int)aadlen) == 1 &&
	    EVP_DecryptUpdate(c, pt, &n1, ct, (int)ctlen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG,
	    (void *)tag) == 1 &&
	    EVP_DecryptFinal_ex(c, pt + n1, &n2) == 1;
	if (ok)
		*ptlen = (size_t)n1 + (size_t)n2;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

enum pl_err
jwe_decode(const struct jwe *j, const char *salt, const char *buf,
    size_t len, time_t now, struct jwt_claims *out, const char **why)
{
	const char		*part[JWT_PARTS];
	size_t			 plen[JWT_PARTS], s, n, ivlen, taglen;
	size_t			 clen, ptlen = 0;
	unsigned char		 iv[CBC_IV], tag[CBC_TAG];
	unsigned char		*ct = NULL, *pt = NULL;
	const unsigned char	*key;
	struct jwe_header	 h;
	enum pl_err		 rc = PL_EUNAUTH;
	bool			 ok;

	*why = "not a JWE";
	if (j == NULL || !jwt_is_jwe(buf, len))
		goto out;
	for (s = 0; s < j->nsalts && strcmp(j->salt[s], salt) != 0; s++)
		;
	*why = "no Auth.js key for this cookie name";
	if (s == j->nsalts)
		goto out;
	jwt_split(buf, len, part, plen);
	if ((*why = check_header(part[0], plen[0], &h)) != NULL)
		goto out;
	ivlen = h.cbc ? CBC_IV : GCM_IV;
	taglen = h.cbc ? CBC_TAG : GCM_TAG;
	*why = "malformed JWE";
	if (plen[1] != 0 ||	/* "dir": no encrypted key */
	    !jwt_b64url(part[2], plen[2], iv, sizeof(iv), &n) || n != ivlen ||
	    !jwt_b64url(part[4], plen[4], tag, sizeof(tag), &n) ||
	    n != taglen)
		goto out;
	if ((key = pick_key(j, s, &h)) == NULL) {
		*why = "no matching decryption secret (kid)";
		goto out;
	}
	if ((ct = malloc(plen[3] + 1)) == NULL ||
	    (pt = malloc(plen[3] + CBC_IV + 1)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	if (!jwt_b64url(part[3], plen[3], ct, plen[3] + 1, &clen) || clen == 0)
		goto out;
	ok = h.cbc ? cbc_decrypt(j, key, (const unsigned char *)part[0],
	    plen[0], iv, ct, clen, tag, pt, &ptlen) :
	    gcm_decrypt(key, (const unsigned char *)part[0], plen[0], iv, ct,
	    clen, tag, pt, &ptlen);
	if (!ok) {
		*why = "JWE does not decrypt (wrong secret or tampered)";
		goto out;
	}
	if ((*why = jwt_read_claims(pt, ptlen, now, out)) != NULL)
		goto out;
	rc = PL_OK;
out:
	if (pt != NULL)
		OPENSSL_cleanse(pt, plen[3] + CBC_IV + 1);
	free(pt);
	free(ct);
	return rc;
}
