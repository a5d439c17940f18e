#include <stdlib.h>

#include <json-c/json.h>

#include "place.h"
#include "unit.h"

/* Parses body in mode; returns the result and the errors as JSON text. */
static enum pl_err
parse(const char *body, size_t len, enum place_mode mode, char *errs,
    size_t errlen, unsigned *present)
{
	struct place_input	 in;
	struct json_object	*errors = NULL;
	const char		*detail = NULL;
	enum pl_err		 rc;

	errs[0] = '\0';
	rc = place_parse(body, len, mode, &in, &detail, &errors);
	if (rc == PL_EINVALID)
		snprintf(errs, errlen, "%s", json_object_to_json_string_ext(
		    errors, JSON_C_TO_STRING_PLAIN));
	if (rc == PL_EJSON && detail == NULL)
		snprintf(errs, errlen, "no detail");
	*present = in.present;
	if (rc == PL_OK)
		place_input_free(&in);
	json_object_put(errors);
	return rc;
}

static const struct {
	const char	*body;
	size_t		 len;
	enum place_mode	 mode;
	enum pl_err	 want;
	const char	*errors;	/* exact errors object for PL_EINVALID */
} cases[] = {
	{ LIT("{\"name\":\"a\",\"location\":\"b\"}"), PLACE_CREATE, PL_OK, NULL },
	{ LIT(" {\"name\":\"a\",\"location\":\"b\"} \n"), PLACE_CREATE, PL_OK,
	    NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":null,"
	    "\"mapURL\":\"https://x.example/map?q=1\",\"description\":\"l1\\nl2\","
	    "\"id\":5,\"author\":\"x\",\"createdAt\":[],\"updatedAt\":{}}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{}"), PLACE_CREATE, PL_EINVALID,
	    "{\"name\":\"is required\",\"location\":\"is required\"}" },
	{ LIT("{}"), PLACE_PATCH, PL_OK, NULL },
	{ LIT("{\"name\":\"\",\"location\":123,\"image\":\"ftp://x\","
	    "\"foo\":1}"), PLACE_CREATE, PL_EINVALID,
	    "{\"foo\":\"unknown field\",\"name\":\"must not be empty\","
	    "\"location\":\"must be a non-empty string\","
	    "\"image\":\"must be an http or https URL\"}" },
	{ LIT("{\"name\":null}"), PLACE_PATCH, PL_EINVALID,
	    "{\"name\":\"must be a non-empty string\"}" },
	{ LIT("{\"name\":\"a\\u0000b\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EINVALID, "{\"name\":\"must not contain NUL characters\"}" },
	{ LIT("{\"name\\u0000\":\"a\",\"name\":\"a\",\"location\":\"b\"}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"na\\u0000me\" : \"a\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":[\"\\u0000\"]}"),
	    PLACE_CREATE, PL_EINVALID, "{\"x\":\"unknown field\"}" },
	{ LIT("{\"name\":\"a\\nb\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EINVALID, "{\"name\":\"must not contain control characters\"}" },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":\"http://\"}"),
	    PLACE_CREATE, PL_EINVALID,
	    "{\"image\":\"must be an http or https URL\"}" },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":\"https:///x\"}"),
	    PLACE_CREATE, PL_EINVALID,
	    "{\"image\":\"must be an http or https URL\"}" },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":\"http://a b\"}"),
	    PLACE_CREATE, PL_EINVALID,
	    "{\"image\":\"must be an http or https URL\"}" },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":\"HTTP://A.B\"}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"description\":7}"),
	    PLACE_CREATE, PL_EINVALID,
	    "{\"description\":\"must be a string or null\"}" },
	/* json-c turns a lone surrogate escape into U+FFFD. */
	{ LIT("{\"name\":\"\\ud800\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_OK, NULL },
	{ LIT(""), PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("[]"), PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("null"), PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("\"x\""), PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\""), PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\"}x"), PLACE_CREATE, PL_EJSON,
	    NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\"}{}"), PLACE_CREATE, PL_EJSON,
	    NULL },
	{ LIT("{'name':'a'}"), PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"\xc3\x28\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"\xc0\xaf\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("\xef\xbb\xbf{\"name\":\"a\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\"}\0"), PLACE_CREATE, PL_EJSON,
	    NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":NaN}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":-Infinity}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1.}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":.5}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\x01b\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	/* RFC 8259 section 6 numbers; json-c takes "00" and "[00]". */
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":00}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":-00}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":00.5}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":01}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":-01.5}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":[00]}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":[0,00]}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":{\"y\":007}}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":00,\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":-}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1.}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":-.5}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1.e5}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":[0.]}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":+1}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1e}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1e+}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":0x1}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1.5.5}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1e5e5}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":--1}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":1-2}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":Infinity}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":-NaN}"),
	    PLACE_CREATE, PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":0}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":-0}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":0.5}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":-0.0e-0}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":1e05}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":10}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":100.001}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":[0,10,-0,0e0,0E+0,"
	    "0.0,-10.01E-01]}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"id\":{\"y\":0}}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\tb\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EJSON, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"x\":[1.5e3,-2E-2,true,"
	    "false,null,\"\\\"NaN\"]}"), PLACE_CREATE, PL_EINVALID,
	    "{\"x\":\"unknown field\"}" },
	{ LIT("{\"name\":\"a\xc2\x85\",\"location\":\"b\"}"), PLACE_CREATE,
	    PL_EINVALID, "{\"name\":\"must not contain control characters\"}" },
	{ LIT("{\"name\":\"\xc2\xa0\xc3\xa9\",\"location\":\"b\"}"),
	    PLACE_CREATE, PL_OK, NULL },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":"
	    "\"https://:8080/x\"}"), PLACE_CREATE, PL_EINVALID,
	    "{\"image\":\"must be an http or https URL\"}" },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":"
	    "\"https://user@/x\"}"), PLACE_CREATE, PL_EINVALID,
	    "{\"image\":\"must be an http or https URL\"}" },
	{ LIT("{\"name\":\"a\",\"location\":\"b\",\"image\":"
	    "\"https://user:pw@host:8080/x?y#z\"}"), PLACE_CREATE, PL_OK, NULL },
};

static void
lengths(void)
{
	char		 body[16384], errs[512], s[8192];
	unsigned	 present;
	size_t		 i, n;

	/* 200 two-byte characters: accepted; 201: refused. */
	for (n = 0, i = 0; i < 200; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "\xc3\xa9");
	n = (size_t)snprintf(body, sizeof(body),
	    "{\"name\":\"%s\",\"location\":\"b\"}", s);
	CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs), &present) ==
	    PL_OK, "name of 200 characters");
	n = (size_t)snprintf(body, sizeof(body),
	    "{\"name\":\"%s\xc3\xa9\",\"location\":\"b\"}", s);
	CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs), &present) ==
	    PL_EINVALID && strcmp(errs,
	    "{\"name\":\"must be at most 200 characters\"}") == 0,
	    "name of 201 characters");

	/* URL of 2048 bytes: accepted; 2049: refused. */
	memset(s, 'a', sizeof(s));
	memcpy(s, "http://", 7);
	n = (size_t)snprintf(body, sizeof(body),
	    "{\"name\":\"a\",\"location\":\"b\",\"mapURL\":\"%.*s\"}", 2048, s);
	CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs), &present) ==
	    PL_OK, "URL of 2048 bytes");
	n = (size_t)snprintf(body, sizeof(body),
	    "{\"name\":\"a\",\"location\":\"b\",\"mapURL\":\"%.*s\"}", 2049, s);
	CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs), &present) ==
	    PL_EINVALID, "URL of 2049 bytes");

	/* Description of 5000 characters: accepted; 5001: refused. */
	n = (size_t)snprintf(body, sizeof(body),
	    "{\"name\":\"a\",\"location\":\"b\",\"description\":\"%.*s\"}",
	    5000, s + 7);
	CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs), &present) ==
	    PL_OK, "description of 5000 characters");
	n = (size_t)snprintf(body, sizeof(body),
	    "{\"name\":\"a\",\"location\":\"b\",\"description\":\"%.*s\"}",
	    5001, s + 7);
	CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs), &present) ==
	    PL_EINVALID, "description of 5001 characters");
}

static void
depth(void)
{
	char		 body[40000], errs[64];
	unsigned	 present;
	size_t		 n = 0, i, d;

	/* Nesting at the limit parses (then fails as a place); deeper: JSON. */
	static const size_t depths[] = { PLACE_MAX_JSON_DEPTH,
	    PLACE_MAX_JSON_DEPTH + 1, 10000 };
	size_t k;

	for (k = 0; k < sizeof(depths) / sizeof(depths[0]); k++) {
		d = depths[k];
		n = (size_t)snprintf(body, sizeof(body), "{\"x\":");
		for (i = 0; i < d - 1; i++)
			body[n++] = '[';
		for (i = 0; i < d - 1; i++)
			body[n++] = ']';
		body[n++] = '}';
		CHECK(parse(body, n, PLACE_CREATE, errs, sizeof(errs),
		    &present) == (d <= PLACE_MAX_JSON_DEPTH ? PL_EINVALID :
		    PL_EJSON), "nesting depth %zu", d);
	}
}

static void
modes(void)
{
	char		 errs[256];
	unsigned	 present;

	CHECK(parse(LIT("{\"name\":\"a\",\"location\":\"b\"}"), PLACE_REPLACE,
	    errs, sizeof(errs), &present) == PL_OK &&
	    present == (1u << PF__COUNT) - 1, "PUT writes every field");
	CHECK(parse(LIT("{\"name\":\"a\"}"), PLACE_PATCH, errs, sizeof(errs),
	    &present) == PL_OK && present == 1u << PF_NAME,
	    "PATCH writes given fields");
	CHECK(parse(LIT("{\"image\":null}"), PLACE_PATCH, errs, sizeof(errs),
	    &present) == PL_OK && present == 1u << PF_IMAGE,
	    "PATCH null clears an optional field");
	CHECK(parse(LIT("{\"name\":\"a\"}"), PLACE_REPLACE, errs, sizeof(errs),
	    &present) == PL_EINVALID && strcmp(errs,
	    "{\"location\":\"is required\"}") == 0, "PUT needs location");
}

static void
output(void)
{
	struct place_row	 row;
	struct buf		 b = BUF_INIT;
	int			 i;

	for (i = 0; i < PC__COUNT; i++) {
		row.col[i].ptr = "v/\"\\";
		row.col[i].len = 4;
	}
	row.col[PC_IMAGE].ptr = NULL;
	place_put_json(&b, &row);
	CHECK(!b.failed && b.len == strlen(b.data) && strcmp(b.data,
	    "{\"id\":\"v/\\\"\\\\\",\"name\":\"v/\\\"\\\\\","
	    "\"location\":\"v/\\\"\\\\\",\"image\":null,"
	    "\"mapURL\":\"v/\\\"\\\\\",\"description\":\"v/\\\"\\\\\","
	    "\"author\":\"v/\\\"\\\\\",\"createdAt\":\"v/\\\"\\\\\","
	    "\"updatedAt\":\"v/\\\"\\\\\"}") == 0, "place JSON, escaped");
	buf_free(&b);
}

int
main(void)
{
	char		 errs[1024];
	unsigned	 present;
	size_t		 i;
	enum pl_err	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = parse(cases[i].body, cases[i].len, cases[i].mode, errs,
		    sizeof(errs), &present);
		CHECK(rc == cases[i].want && (cases[i].errors == NULL ||
		    strcmp(errs, cases[i].errors) == 0) &&
		    strcmp(errs, "no detail") != 0,
		    "place case %zu (got %d %s)", i, rc, errs);
	}
	lengths();
	depth();
	modes();
	output();
	return unit_done();
}
