#include <string.h>

#include <json-c/json.h>

#include "response.h"

/*
 * The one answer that needs no memory: what a response becomes when any
 * part of it could not be built.  A cut header line would make the whole
 * head unparseable (nginx: 502), and a body without its headers a lie.
 */
static const char fallback_body[] = "{\"status\":\"Internal error\"}";
static const char fallback_head[] = "Status: 500 Internal Server Error\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 27\r\n"
    "Cache-Control: no-store\r\n\r\n";
_Static_assert(sizeof(fallback_body) - 1 == 27, "fallback Content-Length");

static const struct {
	int		 status;
	const char	*text;
} errmap[PL_ERR__COUNT] = {
	[PL_OK] = { 200, "OK" },
	[PL_ENOMEM] = { 500, "Internal error" },
	[PL_EBADREQ] = { 400, "Bad request" },
	[PL_EJSON] = { 400, "Invalid JSON" },
	[PL_EUNAUTH] = { 401, "Not authorized" },
	[PL_EFORBIDDEN] = { 403, "Forbidden" },
	[PL_ENOTFOUND] = { 404, "Not found" },
	[PL_EMETHOD] = { 405, "Method not allowed" },
	[PL_ETOOBIG] = { 413, "Payload too large" },
	[PL_EMEDIA] = { 415, "Unsupported media type" },
	[PL_EINVALID] = { 422, "Invalid place" },
	[PL_EDBDOWN] = { 503, "Service unavailable" },
	[PL_EINTERNAL] = { 500, "Internal error" },
};

/* Reason phrases for the Status line (RFC 9110, section 15). */
static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void
response_reset(struct response *r)
{
	r->status = 500;
	r->head = false;
	buf_reset(&r->headers);
	buf_reset(&r->body);
}

void
response_free(struct response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
}

void
response_header(struct response *r, const char *name, const char *value,
    size_t len)
{
	buf_adds(&r->headers, name);
	buf_add(&r->headers, ": ", 2);
	buf_add(&r->headers, value, len);
	buf_add(&r->headers, "\r\n", 2);
}

enum pl_err
response_json(struct response *r, int status, struct json_object *obj)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return PL_ENOMEM;
	buf_reset(&r->body);
	buf_add(&r->body, s, len);
	if (r->body.failed)
		return PL_ENOMEM;
	r->status = status;
	return PL_OK;
}

void
response_error(struct response *r, enum pl_err err, const char *detail,
    struct json_object *errors, const char *allow)
{
	struct json_object	*obj = NULL;

	if ((unsigned)err >= PL_ERR__COUNT || err == PL_OK)
		err = PL_EINTERNAL;
	buf_reset(&r->headers);
	if (err == PL_EUNAUTH)	/* RFC 6750, section 3 */
		response_header(r, "WWW-Authenticate", "Bearer", 6);
	if (err == PL_EMETHOD && allow != NULL)
		response_header(r, "Allow", allow, strlen(allow));
	if (err == PL_EDBDOWN)
		response_header(r, "Retry-After", "5", 1);

	if ((obj = json_object_new_object()) == NULL ||
	    json_object_object_add(obj, "status",
	    json_object_new_string(errmap[err].text)) != 0)
		goto fail;
	if (detail != NULL && (err == PL_EBADREQ || err == PL_EJSON) &&
	    json_object_object_add(obj, "detail",
	    json_object_new_string(detail)) != 0)
		goto fail;
	if (errors != NULL && err == PL_EINVALID &&
	    json_object_object_add(obj, "errors", json_object_get(errors)) != 0)
		goto fail;
	if (response_json(r, errmap[err].status, obj) != PL_OK)
		goto fail;
	json_object_put(obj);
	return;
fail:
	json_object_put(obj);
	r->status = 500;
	buf_reset(&r->headers);
	buf_reset(&r->body);
	buf_add(&r->body, fallback_body, sizeof(fallback_body) - 1);
}

bool
response_head(struct response *r, struct buf *out)
{
	buf_reset(out);
	if (!r->headers.failed && !r->body.failed) {
		buf_add(out, "Status: ", 8);
		buf_addu(out, (unsigned)r->status);
		buf_addc(out, ' ');
		buf_adds(out, reason(r->status));
		buf_adds(out, "\r\nContent-Type: application/json; "
		    "charset=utf-8\r\nContent-Length: ");
		buf_addu(out, r->body.len);
		buf_adds(out, "\r\nCache-Control: no-store\r\n");
		buf_add(out, r->headers.data, r->headers.len);
		buf_add(out, "\r\n", 2);
		if (!out->failed)
			return !r->head;
	}
	/* The memory out already has is enough for this, in all likelihood. */
	r->status = 500;
	buf_reset(out);
	buf_add(out, fallback_head, sizeof(fallback_head) - 1);
	if (!r->head)
		buf_add(out, fallback_body, sizeof(fallback_body) - 1);
	return false;
}
