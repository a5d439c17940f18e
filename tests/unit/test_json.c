/*
 * test_json.c - json_put_string() writes what json-c would: the list
 * answers (written directly) and the error answers (json-c) must not
 * differ in how they escape.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "unit.h"

/* Whether both writers agree on s[0..len). */
static int
agrees(const char *s, size_t len)
{
	struct json_object	*o;
	struct buf		 b = BUF_INIT;
	const char		*want;
	size_t			 wlen;
	int			 ok;

	o = json_object_new_string_len(s, (int)len);
	want = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &wlen);
	json_put_string(&b, s, len);
	ok = !b.failed && b.len == wlen && memcmp(b.data, want, wlen) == 0;
	buf_free(&b);
	json_object_put(o);
	return ok;
}

int
main(void)
{
	char		 s[64];
	unsigned	 c, bad = 0, i, n;

	/* Every byte on its own, and between plain text. */
	for (c = 0; c < 256; c++) {
		s[0] = (char)c;
		if (!agrees(s, 1))
			bad++;
		memcpy(s, "ab", 2);
		s[2] = (char)c;
		memcpy(s + 3, "cd", 2);
		if (!agrees(s, 5))
			bad++;
	}
	CHECK(bad == 0, "each of the 256 bytes is written as json-c writes "
	    "it (%u differ)", bad);

	/* Random strings, weighted towards the bytes that get escaped. */
	srand(7);
	for (bad = 0, i = 0; i < 20000; i++) {
		n = (unsigned)rand() % sizeof(s);
		for (c = 0; c < n; c++)
			s[c] = (char)(rand() % 3 == 0 ? rand() % 0x24 :
			    rand() % 256);
		if (!agrees(s, n))
			bad++;
	}
	CHECK(bad == 0, "20000 random strings agree with json-c (%u differ)",
	    bad);
	CHECK(agrees("", 0), "the empty string is \"\"");
	return unit_done();
}
