/*
 * fuzz_handler.c - the whole request handler: request_init() on FastCGI
 * parameters, then api_handle() on them and a body, up to the database
 * call; the response is checked as a client would read it.
 *
 * The input is the parameters, one "NAME=value" per line (LF-terminated),
 * then an empty line, then the body, which the handler reads through a
 * body_read_fn as it reads the socket in the worker (in pieces of at most
 * 13 bytes).  Without an empty line there is no body.  Parameters are C
 * strings because request_init() takes them so (libfcgi's envp array): a
 * NUL inside a line ends that parameter, as it would in the worker.
 *
 * The database is real libpq pointed at a socket that does not exist, so
 * every statement fails at once with 503: the handler runs up to its first
 * database call.  That call is the session lookup (api.c authenticates
 * before it routes), so here routing, the query string and the body are
 * only reached by fuzz_handler_authed.c, which builds this file with a
 * stand-in for lib/db.c that knows one session.
 *
 * As in the worker, one struct api and one struct response serve every
 * input: their buffers are reset, not freed, between requests.
 */
#include <sodium.h>
#include <sys/types.h>

#include "api.h"
#include "db.h"
#include "fuzz.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "response.h"

#define FUZZ_MAX_PARAMS	64
#define FUZZ_MAX_BODY	1024	/* small, so that 413 is within reach */
#define FUZZ_CHUNK	13	/* bytes per read of the body */

static struct api	 api;
static struct response	 resp = { 0, false, BUF_INIT, BUF_INIT };
static struct buf	 head = BUF_INIT;

struct src {
	const char	*data;
	size_t		 len, pos;
};

static ssize_t
src_read(void *arg, char *buf, size_t len)
{
	struct src	*s = arg;
	size_t		 n = s->len - s->pos;

	if (n > len)
		n = len;
	if (n > FUZZ_CHUNK)
		n = FUZZ_CHUNK;
	if (n == 0)
		return 0;	/* also when there is no body at all */
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("places-fuzz", LOG_ERROR);	/* keep libFuzzer's output */
	if (sodium_init() < 0)
		abort();
	memset(&api, 0, sizeof(api));
	if ((api.db = db_new("host=/nonexistent-places-fuzz "
	    "connect_timeout=1", NULL, false, NULL)) == NULL)
		abort();
	api.max_body = FUZZ_MAX_BODY;
	api.session.max_age = 2592000;
	api.session.update_age = 86400;
	/* NextAuth v4 JWTs too: the seeds carry tokens for this secret. */
	if ((api.session.jwt = jwt_key_new("fuzz-secret", 11)) == NULL)
		abort();
	return 0;
}

/* Whether hdrs holds the line "name: value" (value a prefix when part). */
static bool
has_header(const struct buf *hdrs, const char *line, bool part)
{
	const char	*p = hdrs->data, *end = hdrs->data + hdrs->len;
	size_t		 n = strlen(line);

	while (p != NULL && p < end) {
		if ((size_t)(end - p) >= n + 2 && memcmp(p, line, n) == 0 &&
		    (part || memcmp(p + n, "\r\n", 2) == 0))
			return true;
		if ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
			p++;
	}
	return false;
}

static void
check_response(const struct request *req)
{
	char	 want[64];
	int	 n;

	switch (resp.status) {
	case 400: case 401: case 403: case 404: case 405: case 413: case 415:
	case 422: case 500: case 503:
		break;
	default:	/* 200 and 201 need a database; anything else is wrong */
		fprintf(stderr, "status %d\n", resp.status);
		FUZZ_ASSERT(!"status outside the contract");
	}
	FUZZ_ASSERT(resp.head == (req->meth == METHOD_HEAD));
	FUZZ_ASSERT(!resp.body.failed && !resp.headers.failed);
	FUZZ_ASSERT(fuzz_json_object(resp.body.data, resp.body.len));
	FUZZ_ASSERT(fuzz_header_lines(resp.headers.data, resp.headers.len));
	if (resp.status == 401)	/* RFC 6750, section 3 */
		FUZZ_ASSERT(has_header(&resp.headers,
		    "WWW-Authenticate: Bearer", false));
	if (resp.status == 405)
		FUZZ_ASSERT(has_header(&resp.headers, "Allow: ", true));
	if (resp.status == 503)
		FUZZ_ASSERT(has_header(&resp.headers, "Retry-After: 5", false));

	response_head(&resp, &head);
	FUZZ_ASSERT(!head.failed && head.len >= 4 &&
	    memcmp(head.data + head.len - 4, "\r\n\r\n", 4) == 0);
	FUZZ_ASSERT(fuzz_header_lines(head.data, head.len - 2));
	n = snprintf(want, sizeof(want), "Status: %d ", resp.status);
	FUZZ_ASSERT(memcmp(head.data, want, (size_t)n) == 0);
	snprintf(want, sizeof(want), "Content-Length: %zu", resp.body.len);
	FUZZ_ASSERT(has_header(&head, want, false));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*envp[FUZZ_MAX_PARAMS + 1];
	const char	*p = (const char *)data, *end = p + size, *nl;
	struct src	 body = { NULL, 0, 0 };
	struct request	 req;
	size_t		 n = 0, i, len;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len == 0) {		/* the empty line: the body follows */
			body.data = nl + 1;
			body.len = (size_t)(end - body.data);
			break;
		}
		if (n < FUZZ_MAX_PARAMS && (envp[n++] = strndup(p, len)) ==
		    NULL)
			abort();
		p = nl < end ? nl + 1 : end;
	}
	envp[n] = NULL;

	request_init(&req, envp, src_read, &body);
	FUZZ_ASSERT(strlen(req.id) > 0 && strlen(req.id) <= REQUEST_ID_MAX);
	log_set_request(req.id, strlen(req.id));
	api_handle(&api, &req, &resp);
	log_set_request(NULL, 0);
	check_response(&req);
	/* Never more of the body than the limit and one byte. */
	FUZZ_ASSERT(body.pos <= FUZZ_MAX_BODY + 1);

	for (i = 0; i < n; i++)
		free(envp[i]);
	return 0;
}
