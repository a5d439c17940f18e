#include <sodium.h>
#include <stdlib.h>

#include "jwt.h"
#include "unit.h"

/*
 * Made by next-auth 4's own encode() (tests/compat) with the secret
 * "unit-test-secret", maxAge ten years:
 * {"name":"Unit Test","email":"unit@example.com","sub":"7","picture":null}.
 */
static const char token[] =
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..H2LYMX8OhcoJWoCz."
    "AWHWfIPI_YmMphN56Sh_REQ_wrgrbf8OJwrBP0VVDLM9tnbGCjrMkQd7RYK_dL98epeWGC"
    "nSTSlgbiNXwg2IGMLFlxaIR0evAmxVCsLn0q6SqGTNPcKDJiM1f1A_90l_W3xVVpL9iZIG"
    "jrZ0Bl5ZYLP3eiMV9tkvaX4p0qzF5VHgpgUOgF6zUf1Uyyl0vCMCu3WL_T02yw."
    "muCX_vLPOjxThr4S_IcLKA";

#define TEN_YEARS	(10LL * 365 * 24 * 3600)

static enum pl_err
decode(const struct jwt_key *k, const char *t, size_t len, long long now,
    struct jwt_claims *c, const char **why)
{
	return jwt_decode(k, t, len, (time_t)now, c, why);
}

/* The token with byte i replaced by c. */
static char *
altered(size_t i, char c)
{
	char	*t = strdup(token);

	if (t != NULL)
		t[i] = c;
	return t;
}

/*
 * Claims json-c's strict mode takes and RFC 8259 or a finite time does
 * not: each is refused (now 1.8e9), beside its accepted twin.
 */
static void
claim_numbers(void)
{
	static const struct {
		const char	*claims;
		bool		 ok;
	} cases[] = {
#define E	"{\"email\":\"c@example.com\","
		{ E "\"exp\":1900000000}", true },
		{ E "\"exp\":NaN}", false },
		{ E "\"exp\":Infinity}", false },
		{ E "\"exp\":-Infinity}", false },
		{ E "\"exp\":1e999}", false },
		{ E "\"exp\":1e400}", false },
		{ E "\"exp\":-1e999}", false },
		{ E "\"exp\":01900000000}", false },
		{ E "\"exp\":00}", false },
		{ E "\"exp\":1900000000,\"nbf\":NaN}", false },
		{ E "\"exp\":1900000000,\"nbf\":-1e999}", false },
		{ E "\"exp\":1900000000,\"nbf\":-1e300}", true },
		{ E "\"exp\":1900000000,\"iat\":NaN}", false },
		{ E "\"exp\":1900000000,\"iat\":-Infinity}", false },
		{ E "\"exp\":1900000000,\"iat\":-1e999}", false },
		{ E "\"exp\":1900000000,\"iat\":0}", true },
		{ E "\"exp\":1900000000,\"x\":[00]}", false },
		{ E "\"exp\":1900000000,\"x\":1.}", false },
#undef E
	};
	struct jwt_claims	 c;
	const char		*why;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = jwt_read_claims((const unsigned char *)cases[i].claims,
		    strlen(cases[i].claims), 1800000000, &c);
		CHECK((why == NULL) == cases[i].ok, "claims %s: %s",
		    cases[i].claims, why ? why : "accepted");
	}
}

int
main(void)
{
	struct jwt_key		*key, *wrong;
	struct jwt_claims	 c;
	const char		*why;
	char			*t, buf[sizeof(token) + 64];
	long long		 exp;
	size_t			 len = sizeof(token) - 1, hdr;

	if (sodium_init() < 0 || !crypto_aead_aes256gcm_is_available()) {
		/* Not a pass: say so and fail. */
		CHECK(0, "libsodium with AES-256-GCM on this CPU");
		return unit_done();
	}
	key = jwt_key_new("unit-test-secret", 16);
	wrong = jwt_key_new("unit-test-secreT", 16);

	CHECK(jwt_is_jwe(token, len), "a NextAuth token looks like a JWE");
	CHECK(!jwt_is_jwe(LIT("0123456789abcdef")), "a hex token does not");
	CHECK(!jwt_is_jwe(LIT("eyJ.a.b.c")), "four parts do not");

	CHECK(decode(key, token, len, time(NULL), &c, &why) == PL_OK &&
	    strcmp(c.email, "unit@example.com") == 0 &&
	    strcmp(c.name, "Unit Test") == 0, "decrypts next-auth's token");
	exp = c.exp;

	CHECK(decode(key, token, len, exp + JWT_CLOCK_SKEW - 1, &c, &why) ==
	    PL_OK, "inside the clock skew after exp");
	CHECK(decode(key, token, len, exp + JWT_CLOCK_SKEW, &c, &why) ==
	    PL_EUNAUTH && strcmp(why, "JWT expired") == 0, "expired");
	CHECK(decode(key, token, len, exp - TEN_YEARS - JWT_CLOCK_SKEW - 5, &c,
	    &why) == PL_EUNAUTH && strstr(why, "iat") != NULL,
	    "issued in the future");

	CHECK(decode(wrong, token, len, time(NULL), &c, &why) == PL_EUNAUTH &&
	    strstr(why, "decrypt") != NULL, "wrong secret");

	/* A byte of the ciphertext, of the tag, of the iv. */
	hdr = strlen("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..");
	t = altered(hdr + 20, 'A');
	CHECK(decode(key, t, len, time(NULL), &c, &why) == PL_EUNAUTH,
	    "tampered ciphertext");
	free(t);
	t = altered(len - 3, token[len - 3] == 'A' ? 'B' : 'A');
	CHECK(decode(key, t, len, time(NULL), &c, &why) == PL_EUNAUTH,
	    "tampered tag");
	free(t);
	t = altered(hdr + 2, token[hdr + 2] == 'A' ? 'B' : 'A');
	CHECK(decode(key, t, len, time(NULL), &c, &why) == PL_EUNAUTH,
	    "tampered iv");
	free(t);

	/* {"alg":"dir","enc":"A256CBC-HS512"}: Auth.js v5, for jwe.c. */
	snprintf(buf, sizeof(buf), "%s%s",
	    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0",
	    token + strlen("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0"));
	CHECK(decode(key, buf, strlen(buf), time(NULL), &c, &why) ==
	    PL_EUNAUTH, "Auth.js v5 enc is not a v4 token");
	/* {"alg":"RSA-OAEP","enc":"A256GCM"} */
	snprintf(buf, sizeof(buf), "%s%s",
	    "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ",
	    token + strlen("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0"));
	CHECK(decode(key, buf, strlen(buf), time(NULL), &c, &why) ==
	    PL_EUNAUTH && strstr(why, "alg") != NULL, "another alg");
	/* {"alg":"dir","enc":"A256GCM","zip":"DEF"} */
	snprintf(buf, sizeof(buf), "%s%s",
	    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiemlwIjoiREVGIn0",
	    token + strlen("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0"));
	CHECK(decode(key, buf, strlen(buf), time(NULL), &c, &why) ==
	    PL_EUNAUTH && strstr(why, "zip") != NULL, "compressed");
	/* An encrypted key where "dir" has none. */
	snprintf(buf, sizeof(buf), "%.*sAAAA%s", (int)hdr - 1, token,
	    token + hdr - 1);
	CHECK(decode(key, buf, strlen(buf), time(NULL), &c, &why) ==
	    PL_EUNAUTH, "encrypted key present");
	CHECK(decode(key, token, len - 1, time(NULL), &c, &why) == PL_EUNAUTH,
	    "truncated");
	CHECK(decode(NULL, token, len, time(NULL), &c, &why) == PL_EUNAUTH,
	    "no key configured");

	/* {"alg":"dir","enc":"A256GCM","x":00}: not JSON. */
	snprintf(buf, sizeof(buf), "%s%s",
	    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwieCI6MDB9",
	    token + strlen("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0"));
	CHECK(decode(key, buf, strlen(buf), time(NULL), &c, &why) ==
	    PL_EUNAUTH && strstr(why, "header") != NULL,
	    "a header with a leading zero: %s", why);
	claim_numbers();

	jwt_key_free(key);
	jwt_key_free(wrong);
	return unit_done();
}
