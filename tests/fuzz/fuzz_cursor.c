/*
 * fuzz_cursor.c - the cursor of GET /api/places?cursor=: cursor_parse() on
 * the fuzzer's bytes as the %-decoded value.  Beyond the sanitizers: an
 * accepted cursor is exactly its own canonical text (one position, one
 * text), its time is in range and makes a parameter PostgreSQL reads,
 * and a row's columns for the same position give the same cursor back.
 */
#include "cursor.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor	 c, r;
	char		 text[CURSOR_LEN + 1], t[CURSOR_TIME_MAX];
	char		 id[CURSOR_ID_MAX], usec[32];
	const char	*buf = (const char *)data;
	enum pl_err	 rc;
	int		 n;

	rc = cursor_parse(buf, size, &c);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EBADREQ);
	if (size != CURSOR_LEN)
		FUZZ_ASSERT(rc == PL_EBADREQ);
	if (rc != PL_OK)
		return 0;
	cursor_format(&c, text);
	FUZZ_ASSERT(strlen(text) == CURSOR_LEN &&
	    memcmp(text, buf, CURSOR_LEN) == 0);
	/* Years 1 to 9999: "YYYY-MM-DD HH:MM:SS.ffffff+00". */
	cursor_time_param(&c, t);
	FUZZ_ASSERT(strlen(t) == 29 && t[4] == '-' && t[10] == ' ' &&
	    t[19] == '.' && strcmp(t + 26, "+00") == 0);
	cursor_id_param(&c, id);
	FUZZ_ASSERT(strlen(id) == 36);
	n = snprintf(usec, sizeof(usec), "%lld", c.usec);
	FUZZ_ASSERT(cursor_from_row(usec, (size_t)n, id, strlen(id), &r) ==
	    PL_OK && r.usec == c.usec && memcmp(r.id, c.id, 16) == 0);
	return 0;
}
