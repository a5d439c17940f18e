#include <stdlib.h>

#include "request.h"
#include "unit.h"

struct src {
	const char	*data;
	size_t		 len, pos, chunk;
};

/* Hands out the body in small pieces, as a socket would. */
static ssize_t
src_read(void *arg, char *buf, size_t len)
{
	struct src	*s = arg;
	size_t		 n = s->len - s->pos;

	if (n > len)
		n = len;
	if (n > s->chunk)
		n = s->chunk;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static enum pl_err
body(const char *cl, const char *data, size_t max, size_t *got_len,
    size_t *consumed)
{
	char		 clv[64];
	char		*env[] = { clv, NULL };
	struct src	 s = { data, strlen(data), 0, 3 };
	struct request	 req;
	struct buf	 out = BUF_INIT;
	enum pl_err	 rc;

	if (cl != NULL)
		snprintf(clv, sizeof(clv), "CONTENT_LENGTH=%s", cl);
	else
		env[0] = NULL;
	request_init(&req, env, src_read, &s);
	rc = request_body(&req, max, &out);
	*got_len = out.len;
	*consumed = s.pos;
	buf_free(&out);
	return rc;
}

static bool
is_json(const char *ct)
{
	char		 v[256];
	char		*env[] = { v, NULL };
	struct request	 req;

	snprintf(v, sizeof(v), "CONTENT_TYPE=%s", ct);
	request_init(&req, env, NULL, NULL);
	return request_is_json(&req);
}

int
main(void)
{
	static char	 e1[] = "REQUEST_METHOD=GET",
			 e2[] = "REQUEST_URI=/api/places/x?limit=5",
			 e3[] = "QUERY_STRING=limit=5",
			 e4[] = "HTTP_X_REQUEST_ID=abc-123",
			 e5[] = "HTTP_COOKIE=a=b",
			 c1[] = "REQUEST_METHOD=DELETE",
			 c2[] = "SCRIPT_NAME=/api/places",
			 c3[] = "PATH_INFO=/abc",
			 c4[] = "HTTP_X_REQUEST_ID=bad id";
	char		*env[] = { e1, e2, e3, e4, e5, NULL };
	char		*cgi[] = { c1, c2, c3, c4, NULL };
	struct request	 req;
	size_t		 len, used;

	request_init(&req, env, NULL, NULL);
	CHECK(req.meth == METHOD_GET, "method");
	CHECK(req.path.len == 13 && memcmp(req.path.ptr, "/api/places/x", 13)
	    == 0, "path stops at '?'");
	CHECK(req.query.len == 7, "query string");
	CHECK(strcmp(req.id, "abc-123") == 0, "adopts X-Request-Id");
	CHECK(req.authorization.ptr == NULL, "absent header is NULL");

	request_init(&req, cgi, NULL, NULL);
	CHECK(req.meth == METHOD_DELETE && req.path.len == 15 &&
	    memcmp(req.path.ptr, "/api/places/abc", 15) == 0,
	    "CGI: SCRIPT_NAME + PATH_INFO");
	CHECK(strlen(req.id) == 16 && strcmp(req.id, "bad id") != 0,
	    "a bad X-Request-Id is replaced");

	CHECK(is_json("application/json"), "application/json");
	CHECK(is_json("Application/JSON"), "case-insensitive");
	CHECK(is_json("application/json; charset=utf-8"), "charset utf-8");
	CHECK(is_json("application/json;charset=\"UTF-8\""), "quoted charset");
	CHECK(is_json("application/json; foo=bar"), "other parameter");
	CHECK(!is_json("application/json; charset=latin1"), "latin1");
	CHECK(!is_json("application/jsonx"), "application/jsonx");
	CHECK(!is_json("text/plain"), "text/plain");
	CHECK(!is_json("application/x-www-form-urlencoded"), "form");
	CHECK(!is_json(""), "empty");

	CHECK(body("5", "hello", 10, &len, &used) == PL_OK && len == 5,
	    "body read in pieces");
	CHECK(body("10", "hello", 10, &len, &used) == PL_EBADREQ,
	    "body shorter than Content-Length");
	CHECK(body("10", "helloworld", 10, &len, &used) == PL_OK && len == 10,
	    "body at the limit");
	CHECK(body("11", "helloworld!", 10, &len, &used) == PL_ETOOBIG &&
	    used == 0, "Content-Length over the limit: nothing read");
	CHECK(body("99999999999999999999", "x", 10, &len, &used) == PL_EBADREQ,
	    "absurd Content-Length");
	CHECK(body("-1", "x", 10, &len, &used) == PL_EBADREQ,
	    "negative Content-Length");
	CHECK(body("5x", "x", 10, &len, &used) == PL_EBADREQ,
	    "Content-Length with junk");
	CHECK(body(NULL, "helloworld!", 10, &len, &used) == PL_ETOOBIG &&
	    used == 11, "no Content-Length: stops one past the limit");
	CHECK(body(NULL, "hello", 10, &len, &used) == PL_OK && len == 5,
	    "no Content-Length: reads to the end");
	CHECK(body("", "", 10, &len, &used) == PL_OK && len == 0,
	    "empty body");
	return unit_done();
}
