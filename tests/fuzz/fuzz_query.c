/*
 * fuzz_query.c - the query string of GET /api/places: query_parse() on the
 * fuzzer's bytes as the whole QUERY_STRING.
 */
#include <ctype.h>

#include "fuzz.h"
#include "query.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct list_query	 q;
	const char		*buf = (const char *)data, *end = buf + size, *p;
	const char		*detail = NULL;
	enum pl_err		 rc;

	rc = query_parse(buf, size, &q, &detail);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EBADREQ);
	if (size > QUERY_MAX)
		FUZZ_ASSERT(rc == PL_EBADREQ);
	if (rc != PL_OK) {
		/* A static message for the client: printable, no bytes of ours. */
		FUZZ_ASSERT(detail != NULL && detail[0] != '\0');
		FUZZ_ASSERT(strlen(detail) < 64);
		return 0;
	}
	/* A bad %-escape is an error wherever it is, unknown keys included. */
	for (p = buf; (p = memchr(p, '%', (size_t)(end - p))) != NULL; p += 3)
		FUZZ_ASSERT(end - p >= 3 && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2]));
	FUZZ_ASSERT(q.limit >= 1 && q.limit <= LIST_LIMIT_MAX);
	FUZZ_ASSERT(q.offset <= LIST_OFFSET_MAX);
	/* No known key at all: the defaults. */
	if (size == 0)
		FUZZ_ASSERT(q.limit == LIST_LIMIT_DEFAULT && q.offset == 0 &&
		    !q.mine);
	return 0;
}
