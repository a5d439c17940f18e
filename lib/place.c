#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "json.h"
#include "jsontext.h"
#include "place.h"
#include "utf8.h"

enum kind {
	K_LINE,		/* one line of text: no control characters */
	K_TEXT,		/* free text: tab, CR and LF allowed */
	K_URL		/* absolute http(s) URL, printable ASCII */
};

/* The declarative table of writable fields. */
static const struct field {
	const char	*name;
	enum kind	 kind;
	bool		 required;
	size_t		 max;	/* characters (K_URL: bytes) */
} fields[PF__COUNT] = {
	[PF_NAME] = { "name", K_LINE, true, PLACE_MAX_LINE },
	[PF_LOCATION] = { "location", K_LINE, true, PLACE_MAX_LINE },
	[PF_IMAGE] = { "image", K_URL, false, PLACE_MAX_URL },
	[PF_MAPURL] = { "mapURL", K_URL, false, PLACE_MAX_URL },
	[PF_DESCRIPTION] = { "description", K_TEXT, false, PLACE_MAX_TEXT },
};

/* Server-owned keys a client may echo back; ignored on input. */
static const char *const readonly[] = { "id", "author", "createdAt",
    "updatedAt" };

static const char *const col_names[PC__COUNT] = {
	[PC_ID] = "id",
	[PC_NAME] = "name",
	[PC_LOCATION] = "location",
	[PC_IMAGE] = "image",
	[PC_MAPURL] = "mapURL",
	[PC_DESCRIPTION] = "description",
	[PC_AUTHOR] = "author",
	[PC_CREATED] = "createdAt",
	[PC_UPDATED] = "updatedAt",
};

/*
 * An absolute http(s) URL with a host: "http://" or "https://" (scheme in
 * any case), then an authority whose host, after any "userinfo@" and
 * before any ":port", is not empty; printable ASCII throughout.
 */
static bool
url_ok(const char *s, size_t len)
{
	size_t	 i, start, end, host;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
			return false;
	if (len > 7 && strncasecmp(s, "http://", 7) == 0)
		start = 7;
	else if (len > 8 && strncasecmp(s, "https://", 8) == 0)
		start = 8;
	else
		return false;
	for (end = start; end < len && s[end] != '/' && s[end] != '?' &&
	    s[end] != '#'; end++)
		;
	host = start;
	for (i = start; i < end; i++)
		if (s[i] == '@')
			host = i + 1;	/* RFC 3986 3.2.1: userinfo ends at '@' */
	return host < end && s[host] != ':';
}

/* Why the value is bad, or NULL when it is fine. */
static const char *
check_string(const struct field *f, const char *s, size_t len)
{
	size_t	 i, chars;

	if (memchr(s, '\0', len) != NULL)
		return "must not contain NUL characters";
	if (!utf8_valid(s, len, &chars))
		return "must be valid UTF-8";
	if (f->kind == K_URL) {
		if (len > f->max)
			return "must be at most 2048 characters";
		if (!url_ok(s, len))
			return "must be an http or https URL";
		return NULL;
	}
	if (f->required && chars == 0)
		return "must not be empty";
	if (chars > f->max)
		return f->max == PLACE_MAX_LINE ?
		    "must be at most 200 characters" :
		    "must be at most 5000 characters";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* C0, DEL, and C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F). */
		if (((c < 0x20 || c == 0x7F) && !(f->kind == K_TEXT &&
		    (c == '\t' || c == '\n' || c == '\r'))) ||
		    (c == 0xC2 && i + 1 < len &&
		    (unsigned char)s[i + 1] <= 0x9F))
			return "must not contain control characters";
	}
	return NULL;
}

static bool
is_readonly(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++)
		if (strcmp(key, readonly[i]) == 0)
			return true;
	return false;
}

/* Adds "field": "why" to *errors, creating it on first use. */
static bool
add_error(struct json_object **errors, const char *field, const char *why)
{
	struct json_object	*s;

	if (*errors == NULL && (*errors = json_object_new_object()) == NULL)
		return false;
	if ((s = json_object_new_string(why)) == NULL)
		return false;
	if (json_object_object_add(*errors, field, s) != 0) {
		json_object_put(s);
		return false;
	}
	return true;
}

/*
 * Parses the bytes as one JSON object, strictly: valid UTF-8, no trailing
 * bytes but whitespace, depth at most PLACE_MAX_JSON_DEPTH.
 */
static enum pl_err
parse_object(const char *buf, size_t len, struct json_object **out,
    const char **detail)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*obj = NULL;
	enum pl_err		 rc = PL_EJSON;
	size_t			 end;

	*out = NULL;
	if (len == 0) {
		*detail = "empty body";
		goto out;
	}
	if (!utf8_valid(buf, len, NULL)) {
		*detail = "body is not valid UTF-8";
		goto out;
	}
	if (len > (size_t)INT32_MAX) {
		*detail = "body too large";
		goto out;
	}
	if ((*detail = jsontext_check(buf, len)) != NULL)
		goto out;
	if ((tok = json_tokener_new_ex(PLACE_MAX_JSON_DEPTH)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	if (obj == NULL) {
		*detail = json_tokener_get_error(tok) == json_tokener_continue ?
		    "unexpected end of JSON" :
		    json_tokener_get_error(tok) == json_tokener_error_depth ?
		    "JSON nested too deeply" : "malformed JSON";
		goto out;
	}
	/* STRICT already refuses trailing bytes; this also covers spaces. */
	for (end = json_tokener_get_parse_end(tok); end < len; end++)
		if (buf[end] != ' ' && buf[end] != '\t' && buf[end] != '\r' &&
		    buf[end] != '\n') {
			*detail = "unexpected bytes after JSON";
			goto out;
		}
	if (!json_object_is_type(obj, json_type_object)) {
		*detail = "body must be a JSON object";
		goto out;
	}
	*out = obj;
	obj = NULL;
	rc = PL_OK;
out:
	json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

enum pl_err
place_parse(const char *buf, size_t len, enum place_mode mode,
    struct place_input *in, const char **detail, struct json_object **errors)
{
	struct json_object	*root = NULL, *v;
	const struct field	*f;
	const char		*why;
	enum pl_err		 rc;
	int			 i;

	memset(in, 0, sizeof(*in));
	*errors = NULL;
	if ((rc = parse_object(buf, len, &root, detail)) != PL_OK)
		goto out;

	rc = PL_ENOMEM;
	json_object_object_foreach(root, key, val) {
		(void)val;
		for (i = 0; i < PF__COUNT; i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == PF__COUNT && !is_readonly(key) &&
		    !add_error(errors, key, "unknown field"))
			goto out;
	}

	for (i = 0; i < PF__COUNT; i++) {
		f = &fields[i];
		why = NULL;
		if (!json_object_object_get_ex(root, f->name, &v)) {
			if (f->required && mode != PLACE_PATCH)
				why = "is required";
			else if (mode == PLACE_REPLACE)
				in->present |= 1u << i;	/* becomes null */
		} else if (json_object_is_type(v, json_type_null)) {
			if (f->required)
				why = "must be a non-empty string";
			else
				in->present |= 1u << i;
		} else if (!json_object_is_type(v, json_type_string))
			why = f->required ? "must be a non-empty string" :
			    "must be a string or null";
		else {
			in->val[i].ptr = json_object_get_string(v);
			in->val[i].len = (size_t)json_object_get_string_len(v);
			if ((why = check_string(f, in->val[i].ptr,
			    in->val[i].len)) == NULL)
				in->present |= 1u << i;
		}
		if (why != NULL && !add_error(errors, f->name, why))
			goto out;
	}

	if (*errors != NULL) {
		rc = PL_EINVALID;
		goto out;
	}
	in->root = root;
	root = NULL;
	rc = PL_OK;
out:
	json_object_put(root);
	if (rc != PL_OK) {
		memset(in, 0, sizeof(*in));
		if (rc != PL_EINVALID) {
			json_object_put(*errors);
			*errors = NULL;
		}
	}
	return rc;
}

void
place_input_free(struct place_input *in)
{
	json_object_put(in->root);
	memset(in, 0, sizeof(*in));
}

void
place_put_json(struct buf *b, const struct place_row *row)
{
	int	 i;

	for (i = 0; i < PC__COUNT; i++) {
		buf_adds(b, i == 0 ? "{\"" : ",\"");
		buf_adds(b, col_names[i]);	/* plain ASCII: no escaping */
		buf_add(b, "\":", 2);
		if (row->col[i].ptr == NULL)
			buf_add(b, "null", 4);
		else
			json_put_string(b, row->col[i].ptr, row->col[i].len);
	}
	buf_addc(b, '}');
}
