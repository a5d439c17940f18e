/*
 * test_fuzz_regressions.c - inputs from the fuzzers (tests/fuzz/), replayed
 * as ordinary unit tests against their documented results.
 *
 * This is where crashers go: every input a harness ever crashed on is kept
 * twice, as a file in tests/fuzz/regressions/<harness>/ (which
 * tests/fuzz/run.sh replays under the sanitizers) and here, as bytes with
 * the result its header promises, so that `make test` holds it too.  The
 * rest are the nastiest seeds of each parser: deep nesting, headers at and
 * one past their limits, NUL bytes, encoded CR LF.
 */
#include <stdlib.h>

#include <json-c/json.h>
#include <sodium.h>

#include "api.h"
#include "bearer.h"
#include "cookie.h"
#include "db.h"
#include "jwt.h"
#include "log.h"
#include "origin.h"
#include "place.h"
#include "query.h"
#include "request.h"
#include "response.h"
#include "route.h"
#include "session.h"
#include "unit.h"

#define V4	"next-auth.session-token"

/*
 * Crashers of fuzz_jwt (tests/fuzz/regressions/jwt/num-claim-*): claims
 * with a floating-point "exp", "nbf" or "iat" beyond the range of long
 * long.  num_claim() in lib/jwt.c converted them with a plain cast,
 * undefined behaviour (UBSan: "1e+300 is outside the range of representable
 * values of type 'long long'"); on x86-64 the result is LLONG_MIN, so an
 * "iat" or "nbf" at the end of time passed as long past.  The tokens are
 * the fuzzer's inputs as fuzz_jwt.c mints them: secret "fuzz-secret", read
 * at FUZZ_NOW.  Claims are JSON numbers compared as jose compares them
 * (doubles), so "exp" 1e300 is simply far in the future, as for
 * next-auth's decode (tests/compat/claims.json has it).  Each case names
 * its file, which must be there: the two copies cannot part.
 */
#define FUZZ_NOW	1800000000
#define TOK_HDR		"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..ZnV6ei1pdi0xMjM0."
/* The source tree, whatever directory the test runs in (Makefile). */
#define REG_DIR		PLACES_SRCDIR "/tests/fuzz/regressions/jwt/"
static const struct {
	const char	*file;
	const char	*token;
	enum pl_err	 want;
} jwt_cases[] = {
	{ "num-claim-exp-1e300",
	    TOK_HDR "nUW3fvEiyL17BDvVU6dxzFV_lcVN30lvJjBt."
	    "M1b5XLjHyKTtRZ1QFLmPFA", PL_OK },
	{ "num-claim-nbf-minus-1e300",
	    TOK_HDR "nUW3fvEiyL17BDvVU6dxzFV_lcVN3xVsJjAg9VMjdIcr1FWETY6vqstp7VjN."
	    "yNBqo1x3ZmdeEMsjY2scKA", PL_OK },
	{ "num-claim-nbf-1e300",
	    TOK_HDR "nUW3fvEiyL17BDvVU6dxzFV_lcVN3xVsJjAg9VMjdIcr1FWETY6z_p1q7RU."
	    "uUWgVwF7xWGlLwF0THtT3g", PL_EUNAUTH },
	{ "num-claim-iat-1e300",
	    TOK_HDR "nUW3fvEiyL17BDvVU6dxzFV_lcVN3xVsJjAg9VMjdIcr01aWTY6z_p1q7RU."
	    "P-ADOuG3amol_mIaGgXdbQ", PL_EUNAUTH },
	{ "num-claim-iat-1e19",
	    TOK_HDR "nUW3fvEiyL17BDvVU6dxzFV_lcVN3xVsJjAg9VMjdIcr01aWTY6z_p9joA."
	    "fW8r3HBM7aTIrVo6xzW4jQ", PL_EUNAUTH },
};

static void
jwt_regressions(void)
{
	struct jwt_key		*key;
	struct jwt_claims	 c;
	const char		*why;
	char			 path[4096];
	enum pl_err		 rc;
	size_t			 i;
	FILE			*f;

	if (!crypto_aead_aes256gcm_is_available()) {
		CHECK(0, "libsodium with AES-256-GCM on this CPU");
		return;
	}
	key = jwt_key_new("fuzz-secret", 11);
	for (i = 0; i < sizeof(jwt_cases) / sizeof(jwt_cases[0]); i++) {
		why = NULL;
		rc = jwt_decode(key, jwt_cases[i].token,
		    strlen(jwt_cases[i].token), FUZZ_NOW, &c, &why);
		CHECK(rc == jwt_cases[i].want && (rc != PL_EUNAUTH ||
		    why != NULL), "fuzz jwt %s: %s", jwt_cases[i].file,
		    pl_strerror(rc));
		snprintf(path, sizeof(path), REG_DIR "%s", jwt_cases[i].file);
		f = fopen(path, "r");
		CHECK(f != NULL, "fuzz jwt %s: kept as a file", path);
		if (f != NULL)
			fclose(f);
	}
	jwt_key_free(key);
}

/* place_parse() in all three modes gives want. */
static bool
place_all_modes(const char *body, size_t len, enum pl_err want)
{
	static const enum place_mode modes[] = { PLACE_CREATE, PLACE_REPLACE,
	    PLACE_PATCH };
	struct place_input	 in;
	struct json_object	*errors;
	const char		*detail;
	enum pl_err		 rc;
	size_t			 i;
	bool			 ok = true;

	for (i = 0; i < 3; i++) {
		detail = NULL;
		errors = NULL;
		rc = place_parse(body, len, modes[i], &in, &detail, &errors);
		ok = ok && rc == want && (rc != PL_EJSON || detail != NULL);
		if (rc == PL_OK)
			place_input_free(&in);
		json_object_put(errors);
	}
	return ok;
}

static void
place_seeds(void)
{
	static char	 deep[2 * 5000 + 16];
	size_t		 n, i;

	/* tests/fuzz/corpus/place/depth-5000: refused, not a stack overflow */
	n = (size_t)snprintf(deep, sizeof(deep), "{\"x\":");
	for (i = 0; i < 4999; i++)
		deep[n++] = '[';
	for (i = 0; i < 4999; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	CHECK(place_all_modes(deep, n, PL_EJSON), "fuzz place: depth 5000");
	CHECK(place_all_modes(LIT("{\"name\":\"a\",\"location\":\"b\"}\0"),
	    PL_EJSON), "fuzz place: a NUL after the object");
	CHECK(place_all_modes(LIT("{\"name\":\"a\\u0000b\",\"location\":"
	    "\"b\"}"), PL_EINVALID), "fuzz place: an escaped NUL");
	CHECK(place_all_modes(LIT("{\"na\0me\":\"a\",\"location\":\"b\"}"),
	    PL_EJSON), "fuzz place: a raw NUL in a key");
	CHECK(place_all_modes(LIT("{\"name\\u0000x\":\"a\",\"location\":"
	    "\"b\"}"), PL_EJSON), "fuzz place: an escaped NUL in a key");
	CHECK(place_all_modes(LIT("{\"\\\\u0000\":\"a\",\"name\":\"a\","
	    "\"location\":\"b\"}"), PL_EINVALID),
	    "fuzz place: an escaped backslash, then u0000, in a key");
	CHECK(place_all_modes(LIT("\xef\xbb\xbf{}"), PL_EJSON),
	    "fuzz place: a byte-order mark");
	CHECK(place_all_modes(LIT("{\"name\":\"a\",\"name\":\"\",\"location\":"
	    "\"b\",\"image\":\"https://user@:1/\"}"), PL_EINVALID),
	    "fuzz place: a repeated key, the last one counts");
}

static void
header_seeds(void)
{
	static char		 big[COOKIE_MAX_HEADER + 2];
	static const char	 crlf[] = V4 "=ab%0D%0ASet-Cookie:%20x=y";
	struct session_config	 cfg = { NULL, 2592000, 86400, NULL, NULL };
	struct response		 resp = { 0, false, BUF_INIT, BUF_INIT };
	struct buf		 scratch = BUF_INIT;
	struct request		 req;
	struct session		 s;
	const char		*v, *from;
	size_t			 vl, n, i;

	/* Cookie: one pair past the limit, a NUL, a header at the limit. */
	for (n = 0, i = 0; i <= COOKIE_MAX_PAIRS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "c%zu=1;", i);
	CHECK(cookie_find(big, n, LIT("c0"), &v, &vl) == PL_EBADREQ,
	    "fuzz cookie: 129 pairs");
	CHECK(cookie_find(LIT("a=1; " V4 "=ab\0c"), LIT(V4), &v, &vl) ==
	    PL_EBADREQ, "fuzz cookie: a NUL in a value");
	memset(big, ';', sizeof(big));
	CHECK(cookie_find(big, COOKIE_MAX_HEADER, LIT(V4), &v, &vl) ==
	    PL_ENOTFOUND, "fuzz cookie: 16384 semicolons");

	/* Authorization */
	memset(big, '=', sizeof(big));
	memcpy(big, "Bearer a", 8);
	CHECK(bearer_parse(big, BEARER_MAX_HEADER, &v, &vl) == PL_OK &&
	    vl == BEARER_MAX_HEADER - 7, "fuzz bearer: 8185 '=' of padding");
	CHECK(bearer_parse(big, BEARER_MAX_HEADER + 1, &v, &vl) == PL_EUNAUTH,
	    "fuzz bearer: one byte over the limit");
	CHECK(bearer_parse(LIT("Bearer abc\0"), &v, &vl) == PL_EUNAUTH,
	    "fuzz bearer: a trailing NUL");

	/*
	 * A percent-encoded CR LF in the session cookie decodes into the
	 * token (as NextAuth's cookie parser does), but must never be echoed
	 * into a Set-Cookie line.
	 */
	memset(&req, 0, sizeof(req));
	req.cookie.ptr = crlf;
	req.cookie.len = sizeof(crlf) - 1;
	CHECK(session_token(&cfg, &req, &scratch, &v, &vl, &from) == PL_OK &&
	    vl == sizeof("ab\r\nSet-Cookie: x=y") - 1 &&
	    memcmp(v, "ab\r\nSet-Cookie: x=y", vl) == 0,
	    "fuzz session_token: %%0D%%0A decodes");
	memset(&s, 0, sizeof(s));
	s.kind = SESSION_DATABASE;
	s.cookie = V4;
	s.token = v;
	s.token_len = vl;
	session_set_cookie(&cfg, &s, &resp);
	CHECK(resp.headers.len == 0, "fuzz session_token: and is not echoed");
	response_free(&resp);
	buf_free(&scratch);
}

static void
path_query_seeds(void)
{
	static char		 big[ROUTE_MAX_PATH + 2];
	struct route_match	 m;
	struct list_query	 q;
	const char		*detail;

	CHECK(method_parse(LIT("GET\0")) == METHOD_OTHER &&
	    method_parse(LIT("")) == METHOD_OTHER, "fuzz route: GET NUL, empty");
	CHECK(route_match(LIT("/api/places\0"), &m) == PL_ENOTFOUND,
	    "fuzz route: a NUL after the collection");
	memset(big, '/', sizeof(big));
	memcpy(big, "/api/places", 11);
	CHECK(route_match(big, ROUTE_MAX_PATH, &m) == PL_ENOTFOUND &&
	    route_match(big, ROUTE_MAX_PATH + 1, &m) == PL_ENOTFOUND,
	    "fuzz route: 2048 and 2049 bytes of slashes");

	CHECK(query_parse(LIT("offset=18446744073709551617"), &q, &detail) ==
	    PL_EBADREQ, "fuzz query: an offset that wraps 64 bits");
	CHECK(query_parse(LIT("limit=%35%00"), &q, &detail) == PL_EBADREQ,
	    "fuzz query: an escaped NUL");
	CHECK(query_parse(LIT("%6c%69%6d%69%74=%31&offset=0%30"), &q, &detail)
	    == PL_OK && q.limit == 1 && q.offset == 0,
	    "fuzz query: escapes in keys and values");
}

static void
origin_seeds(void)
{
	static char		 big[ORIGIN_MAX + 16];
	struct origin_self	 self = { "https", 5, "places.example", 14, "443",
	    3 };
	size_t			 n;

	CHECK(!origin_allowed(LIT("null"), &self, "null https://a.example"),
	    "fuzz origin: \"null\" never passes, listed or not");
	CHECK(!origin_allowed(LIT("https://places.example.evil"), &self, NULL),
	    "fuzz origin: a longer host is another host");
	CHECK(!origin_allowed(LIT("https://places.example:"), &self, NULL),
	    "fuzz origin: an empty port");
	n = (size_t)snprintf(big, sizeof(big), "https://");
	memset(big + n, 'a', sizeof(big) - n);
	self.host = big + n;
	self.hlen = ORIGIN_MAX + 1 - n;
	CHECK(!origin_allowed(big, ORIGIN_MAX + 1, &self, NULL),
	    "fuzz origin: its own origin, one byte over the limit");
}

/* The whole handler with no database: as tests/fuzz/fuzz_handler.c runs it. */
static void
handler_seeds(void)
{
	static char	 m_post[] = "REQUEST_METHOD=POST",
			 m_get[] = "REQUEST_METHOD=GET",
			 uri[] = "REQUEST_URI=/api/places",
			 json[] = "CONTENT_TYPE=application/json",
			 len[] = "CONTENT_LENGTH=99999999999999999999",
			 bearer[] = "HTTP_AUTHORIZATION=Bearer fuzz-session-token",
			 bad[] = "HTTP_AUTHORIZATION=Bearer a\r\nX-Injected: 1";
	char		*no_session[] = { m_get, uri, NULL };
	char		*injected[] = { m_get, uri, bad, NULL };
	char		*no_db[] = { m_post, uri, json, len, bearer, NULL };
	struct api	 api;
	struct request	 req;
	struct response	 resp = { 0, false, BUF_INIT, BUF_INIT };

	memset(&api, 0, sizeof(api));
	api.db = db_new("host=/nonexistent-places-fuzz connect_timeout=1",
	    NULL, false, NULL);
	api.max_body = 1024;
	api.session.max_age = 2592000;
	api.session.update_age = 86400;

	request_init(&req, no_session, NULL, NULL);
	api_handle(&api, &req, &resp);
	CHECK(resp.status == 401 && resp.headers.len > 0 &&
	    strstr(resp.headers.data, "WWW-Authenticate: Bearer\r\n") != NULL,
	    "fuzz handler: no session is 401 with WWW-Authenticate");
	request_init(&req, injected, NULL, NULL);
	api_handle(&api, &req, &resp);
	CHECK(resp.status == 401 && strstr(resp.headers.data, "X-Injected")
	    == NULL, "fuzz handler: CR LF in Authorization stays out");
	/* Authentication comes first: the database answers before the body. */
	request_init(&req, no_db, NULL, NULL);
	api_handle(&api, &req, &resp);
	CHECK(resp.status == 503 && resp.body.len > 0 &&
	    strstr(resp.headers.data, "Retry-After: 5\r\n") != NULL,
	    "fuzz handler: no database is 503 with Retry-After");

	response_free(&resp);
	db_free(api.db);
	buf_free(&api.body);
	buf_free(&api.scratch);
}

int
main(void)
{
	log_init("test_fuzz_regressions", LOG_ERROR);
	if (sodium_init() < 0) {
		CHECK(0, "libsodium initialises");
		return unit_done();
	}
	jwt_regressions();
	place_seeds();
	header_seeds();
	path_query_seeds();
	origin_seeds();
	handler_seeds();
	return unit_done();
}
