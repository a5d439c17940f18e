/*
 * fuzz.h - what every libFuzzer harness in tests/fuzz/ shares.
 *
 * A harness calls one lib/ function on the fuzzer's bytes as they are
 * (data, size): libFuzzer hands over a heap copy of exactly size bytes, so
 * AddressSanitizer sees any read past the end.  Beyond the sanitizers, a
 * harness checks the function's documented contract and abort()s through
 * FUZZ_ASSERT when it is broken, which libFuzzer reports as a crash.
 */
#ifndef PLACES_FUZZ_H
#define PLACES_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * FUZZ_NO_ABORT (tests/fuzz/coverage.sh) only reports: a coverage run
 * measures what the corpus reaches, a known bug included.
 */
#ifdef FUZZ_NO_ABORT
#define FUZZ_ABORT()	((void)0)
#else
#define FUZZ_ABORT()	abort()
#endif

#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n",	\
		    #cond, __FILE__, __LINE__);				\
		FUZZ_ABORT();						\
	}								\
} while (0)

/* Whether p[0..n) lies inside buf[0..len). */
static inline bool
fuzz_within(const char *p, size_t n, const char *buf, size_t len)
{
	return p != NULL && buf != NULL && p >= buf && n <= len &&
	    (size_t)(p - buf) <= len - n;
}

/*
 * Whether buf[0..len) is exactly one JSON object (RFC 8259) as json-c reads
 * it strictly: what every response body must be.
 */
static inline bool
fuzz_json_object(const char *buf, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*obj;
	bool			 ok;

	if (len == 0 || len > INT32_MAX || memchr(buf, '\0', len) != NULL ||
	    (tok = json_tokener_new()) == NULL)
		return false;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	ok = obj != NULL && json_object_is_type(obj, json_type_object) &&
	    json_tokener_get_parse_end(tok) == len;
	json_object_put(obj);
	json_tokener_free(tok);
	return ok;
}

/*
 * Whether h[0..len) is a run of "Name: value\r\n" lines: a token for the
 * name, and no CR, LF or NUL inside a value (no header injection).
 */
static inline bool
fuzz_header_lines(const char *h, size_t len)
{
	size_t	 i = 0, start;

	while (i < len) {
		for (start = i; i < len && h[i] != ':'; i++) {
			unsigned char c = (unsigned char)h[i];
			if (c <= 0x20 || c >= 0x7F)
				return false;
		}
		if (i == start || len - i < 2 || h[i + 1] != ' ')
			return false;
		for (i += 2; i < len && h[i] != '\r' && h[i] != '\n' &&
		    h[i] != '\0'; i++)
			;
		if (len - i < 2 || h[i] != '\r' || h[i + 1] != '\n')
			return false;
		i += 2;
	}
	return true;
}

#endif
