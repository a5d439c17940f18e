/*
 * fuzz_place.c - a client's place body: place_parse() in each of the three
 * modes (POST, PUT, PATCH) on the fuzzer's bytes as the whole body, then
 * place_input_free().  Checks the contract of place.h on every result.
 */
#include <strings.h>

#include "fuzz.h"
#include "place.h"
#include "utf8.h"

static const struct {
	const char	*name;
	bool		 required;
	bool		 url;
	size_t		 max;		/* characters; bytes for URLs */
} fields[PF__COUNT] = {
	[PF_NAME] = { "name", true, false, PLACE_MAX_LINE },
	[PF_LOCATION] = { "location", true, false, PLACE_MAX_LINE },
	[PF_IMAGE] = { "image", false, true, PLACE_MAX_URL },
	[PF_MAPURL] = { "mapURL", false, true, PLACE_MAX_URL },
	[PF_DESCRIPTION] = { "description", false, false, PLACE_MAX_TEXT },
};

static void
check_ok(const struct place_input *in, enum place_mode mode)
{
	const struct place_value	*v;
	size_t				 i, chars;
	int				 f;

	FUZZ_ASSERT(in->root != NULL &&
	    json_object_is_type(in->root, json_type_object));
	FUZZ_ASSERT((in->present & ~((1u << PF__COUNT) - 1)) == 0);
	if (mode == PLACE_REPLACE)	/* PUT writes every field */
		FUZZ_ASSERT(in->present == (1u << PF__COUNT) - 1);
	for (f = 0; f < PF__COUNT; f++) {
		v = &in->val[f];
		if (fields[f].required && mode != PLACE_PATCH)
			FUZZ_ASSERT(in->present & (1u << f));
		if (!(in->present & (1u << f)) || v->ptr == NULL) {
			/* null is only ever written to an optional field */
			FUZZ_ASSERT(!(in->present & (1u << f)) ||
			    !fields[f].required);
			continue;
		}
		/* A value to write is valid UTF-8 without NUL, in its limit. */
		FUZZ_ASSERT(memchr(v->ptr, '\0', v->len) == NULL);
		FUZZ_ASSERT(utf8_valid(v->ptr, v->len, &chars));
		FUZZ_ASSERT(v->ptr[v->len] == '\0');	/* json-c's string */
		if (fields[f].url) {
			FUZZ_ASSERT(v->len <= fields[f].max);
			FUZZ_ASSERT(v->len > 7 && (strncasecmp(v->ptr, "http://",
			    7) == 0 || strncasecmp(v->ptr, "https://", 8) == 0));
			for (i = 0; i < v->len; i++)
				FUZZ_ASSERT((unsigned char)v->ptr[i] > 0x20 &&
				    (unsigned char)v->ptr[i] < 0x7F);
			continue;
		}
		FUZZ_ASSERT(chars <= fields[f].max);
		if (fields[f].required)
			FUZZ_ASSERT(chars > 0);
		for (i = 0; i < v->len; i++) {
			unsigned char c = (unsigned char)v->ptr[i];
			if (c == '\t' || c == '\n' || c == '\r')
				FUZZ_ASSERT(f == PF_DESCRIPTION);
			else
				FUZZ_ASSERT(c >= 0x20 && c != 0x7F);
			/* nor C1 controls, U+0080..U+009F */
			if (c == 0xC2 && i + 1 < v->len)
				FUZZ_ASSERT((unsigned char)v->ptr[i + 1] > 0x9F);
		}
	}
}

static void
check_errors(struct json_object *errors)
{
	const char	*s;
	size_t		 len;

	FUZZ_ASSERT(errors != NULL &&
	    json_object_is_type(errors, json_type_object) &&
	    json_object_object_length(errors) > 0);
	json_object_object_foreach(errors, key, val) {
		FUZZ_ASSERT(key != NULL);
		FUZZ_ASSERT(json_object_is_type(val, json_type_string));
	}
	/* The 422 body carries it: it must serialise to JSON again. */
	s = json_object_to_json_string_length(errors, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	FUZZ_ASSERT(s != NULL && fuzz_json_object(s, len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum place_mode modes[] = { PLACE_CREATE, PLACE_REPLACE,
	    PLACE_PATCH };
	struct place_input	 in;
	struct json_object	*errors;
	const char		*detail;
	enum pl_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		detail = NULL;
		errors = (struct json_object *)&detail;	/* must be reset */
		rc = place_parse((const char *)data, size, modes[i], &in,
		    &detail, &errors);
		switch (rc) {
		case PL_OK:
			FUZZ_ASSERT(errors == NULL);
			check_ok(&in, modes[i]);
			place_input_free(&in);
			FUZZ_ASSERT(in.root == NULL && in.present == 0);
			break;
		case PL_EINVALID:
			check_errors(errors);
			FUZZ_ASSERT(in.root == NULL && in.present == 0);
			json_object_put(errors);
			break;
		case PL_EJSON:
			FUZZ_ASSERT(detail != NULL && detail[0] != '\0');
			/* fall through */
		case PL_ENOMEM:
			FUZZ_ASSERT(errors == NULL);
			FUZZ_ASSERT(in.root == NULL && in.present == 0);
			break;
		default:
			FUZZ_ASSERT(!"place_parse() result outside its contract");
		}
	}
	return 0;
}
