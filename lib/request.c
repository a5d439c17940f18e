#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "config.h"
#include "request.h"

/* The parameters the worker reads. */
enum param {
	P_METHOD, P_QUERY, P_CTYPE, P_CLEN, P_COOKIE, P_AUTH, P_ORIGIN,
	P_HOST, P_PORT, P_SCHEME, P_HTTPS, P_ID, P_URI, P_SCRIPT, P_PATHINFO,
	P__COUNT
};

#define NAME(s)	{ s, sizeof(s) - 1 }
static const struct {
	const char	*name;
	size_t		 len;
} param_names[P__COUNT] = {
	[P_METHOD] = NAME("REQUEST_METHOD"),
	[P_QUERY] = NAME("QUERY_STRING"),
	[P_CTYPE] = NAME("CONTENT_TYPE"),
	[P_CLEN] = NAME("CONTENT_LENGTH"),
	[P_COOKIE] = NAME("HTTP_COOKIE"),
	[P_AUTH] = NAME("HTTP_AUTHORIZATION"),
	[P_ORIGIN] = NAME("HTTP_ORIGIN"),
	[P_HOST] = NAME("HTTP_HOST"),
	[P_PORT] = NAME("SERVER_PORT"),
	[P_SCHEME] = NAME("REQUEST_SCHEME"),
	[P_HTTPS] = NAME("HTTPS"),
	[P_ID] = NAME("HTTP_X_REQUEST_ID"),
	[P_URI] = NAME("REQUEST_URI"),
	[P_SCRIPT] = NAME("SCRIPT_NAME"),
	[P_PATHINFO] = NAME("PATH_INFO"),
};
#undef NAME

/*
 * Picks the parameters out of a "NAME=value" array in one pass (the first
 * of a repeated name wins); a view is absent when its name is not there.
 */
static void
params_find(char **envp, struct str v[P__COUNT])
{
	const char	*eq;
	size_t		 n;
	int		 i;

	memset(v, 0, sizeof(struct str) * P__COUNT);
	for (; envp != NULL && *envp != NULL; envp++) {
		if ((eq = strchr(*envp, '=')) == NULL)
			continue;
		n = (size_t)(eq - *envp);
		for (i = 0; i < P__COUNT; i++)
			if (param_names[i].len == n && v[i].ptr == NULL &&
			    memcmp(*envp, param_names[i].name, n) == 0) {
				v[i].ptr = eq + 1;
				v[i].len = strlen(eq + 1);
				break;
			}
	}
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
	struct str	 v[P__COUNT], uri;

	memset(req, 0, sizeof(*req));
	params_find(envp, v);
	req->method = v[P_METHOD];
	req->meth = req->method.ptr ? method_parse(req->method.ptr,
	    req->method.len) : METHOD_OTHER;
	req->query = v[P_QUERY];
	req->content_type = v[P_CTYPE];
	req->content_length = v[P_CLEN];
	req->cookie = v[P_COOKIE];
	req->authorization = v[P_AUTH];
	req->origin = v[P_ORIGIN];
	req->host = v[P_HOST];
	req->port = v[P_PORT];
	/* nginx's fastcgi_params sets both; RFC 3875 servers at least HTTPS. */
	req->scheme = v[P_SCHEME];
	if (req->scheme.ptr == NULL) {
		struct str https = v[P_HTTPS];
		req->scheme.ptr = https.ptr != NULL && https.len == 2 &&
		    strncasecmp(https.ptr, "on", 2) == 0 ? "https" : "http";
		req->scheme.len = strlen(req->scheme.ptr);
	}
	req->read = read;
	req->read_arg = read_arg;
	set_id(req, v[P_ID]);

	uri = v[P_URI];
	if (uri.ptr != NULL) {
		req->path = uri;
		if ((q = memchr(uri.ptr, '?', uri.len)) != NULL)
			req->path.len = (size_t)(q - uri.ptr);
	} else {
		struct str sn = v[P_SCRIPT];
		struct str pi = v[P_PATHINFO];
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
