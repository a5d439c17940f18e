#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "config.h"
#include "request.h"

/* Finds NAME in a "NAME=value" array; the view is absent when not there. */
static struct str
param(char **envp, const char *name)
{
	struct str	 s = { NULL, 0 };
	size_t		 n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=') {
			s.ptr = *envp + n + 1;
			s.len = strlen(s.ptr);
			break;
		}
	return s;
}

static bool
id_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.';
}

/*
 * Adopts nginx's $request_id when it is sent as X-Request-Id and looks
 * sane, so worker and nginx logs share one id; otherwise makes one.
 */
static void
set_id(struct request *req, struct str hdr)
{
	unsigned char	 rnd[8];
	size_t		 i;

	if (hdr.ptr != NULL && hdr.len > 0 && hdr.len <= REQUEST_ID_MAX) {
		for (i = 0; i < hdr.len && id_char(hdr.ptr[i]); i++)
			;
		if (i == hdr.len) {
			memcpy(req->id, hdr.ptr, hdr.len);
			req->id[hdr.len] = '\0';
			return;
		}
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(req->id, sizeof(req->id), rnd, sizeof(rnd));
}

void
request_init(struct request *req, char **envp, body_read_fn read,
    void *read_arg)
{
	const char	*q;
	struct str	 uri;

	memset(req, 0, sizeof(*req));
	req->method = param(envp, "REQUEST_METHOD");
	req->meth = req->method.ptr ? method_parse(req->method.ptr,
	    req->method.len) : METHOD_OTHER;
	req->query = param(envp, "QUERY_STRING");
	req->content_type = param(envp, "CONTENT_TYPE");
	req->content_length = param(envp, "CONTENT_LENGTH");
	req->cookie = param(envp, "HTTP_COOKIE");
	req->authorization = param(envp, "HTTP_AUTHORIZATION");
	req->origin = param(envp, "HTTP_ORIGIN");
	req->host = param(envp, "HTTP_HOST");
	req->port = param(envp, "SERVER_PORT");
	/* nginx's fastcgi_params sets both; RFC 3875 servers at least HTTPS. */
	req->scheme = param(envp, "REQUEST_SCHEME");
	if (req->scheme.ptr == NULL) {
		struct str https = param(envp, "HTTPS");
		req->scheme.ptr = https.ptr != NULL && https.len == 2 &&
		    strncasecmp(https.ptr, "on", 2) == 0 ? "https" : "http";
		req->scheme.len = strlen(req->scheme.ptr);
	}
	req->read = read;
	req->read_arg = read_arg;
	set_id(req, param(envp, "HTTP_X_REQUEST_ID"));

	uri = param(envp, "REQUEST_URI");
	if (uri.ptr != NULL) {
		req->path = uri;
		if ((q = memchr(uri.ptr, '?', uri.len)) != NULL)
			req->path.len = (size_t)(q - uri.ptr);
	} else {
		struct str sn = param(envp, "SCRIPT_NAME");
		struct str pi = param(envp, "PATH_INFO");
		req->path.ptr = req->pathbuf;
		if (sn.len + pi.len <= ROUTE_MAX_PATH) {
			if (sn.len)
				memcpy(req->pathbuf, sn.ptr, sn.len);
			if (pi.len)
				memcpy(req->pathbuf + sn.len, pi.ptr, pi.len);
			req->path.len = sn.len + pi.len;
		} else
			req->path.len = 0;	/* matches no route */
	}
	if (req->query.ptr == NULL) {
		req->query.ptr = "";
		req->query.len = 0;
	}
}

bool
request_is_json(const struct request *req)
{
	static const char	 mt[] = "application/json";
	const size_t		 mtlen = sizeof(mt) - 1;
	const char		*p, *end, *semi;

	if (req->content_type.ptr == NULL || req->content_type.len < mtlen ||
	    strncasecmp(req->content_type.ptr, mt, mtlen) != 0)
		return false;
	p = req->content_type.ptr + mtlen;
	end = req->content_type.ptr + req->content_type.len;
	/* Parameters (RFC 9110, 8.3.1): only charset matters here. */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return true;
	if (*p != ';')
		return false;	/* "application/jsonx" */
	while (p < end) {
		p++;	/* past ';' */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		if ((size_t)(semi - p) >= 8 && strncasecmp(p, "charset=", 8) == 0) {
			const char *v = p + 8, *ve = semi;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
				v++;
				ve--;
			}
			if (ve - v != 5 || strncasecmp(v, "utf-8", 5) != 0)
				return false;
		}
		p = semi;
	}
	return true;
}

enum pl_err
request_body(struct request *req, size_t max, struct buf *out)
{
	unsigned long long	 declared = 0;
	bool			 have_len;
	size_t			 want;
	ssize_t			 n;

	buf_reset(out);
	have_len = req->content_length.ptr != NULL &&
	    req->content_length.len > 0;
	if (have_len && config_number(req->content_length.ptr,
	    req->content_length.len, 0, 9999999999999999999ULL, &declared)
	    != PL_OK)
		return PL_EBADREQ;
	if (declared > max)
		return PL_ETOOBIG;	/* refused before reading a byte */

	/* Without a length, read to the end, but never past max + 1. */
	want = have_len ? (size_t)declared : max + 1;
	if (!buf_reserve(out, want))
		return PL_ENOMEM;
	while (out->len < want) {
		n = req->read(req->read_arg, out->data + out->len,
		    want - out->len);
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	if (out->len > max)
		return PL_ETOOBIG;
	if (have_len && out->len < want)
		return PL_EBADREQ;	/* the body ended early */
	return PL_OK;
}
