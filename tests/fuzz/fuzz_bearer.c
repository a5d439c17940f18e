/*
 * fuzz_bearer.c - the Authorization header: bearer_parse() on the fuzzer's
 * bytes as the whole header value.
 */
#include <strings.h>

#include "bearer.h"
#include "fuzz.h"

static bool
is_b64token(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data, *tok = NULL;
	size_t		 toklen = 0, i;
	bool		 bearer;
	enum pl_err	 rc;

	rc = bearer_parse(buf, size, &tok, &toklen);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_ENOTFOUND || rc == PL_EUNAUTH);

	/* "Bearer" (any case) alone or followed by white space is ours. */
	bearer = size >= 6 && strncasecmp(buf, "Bearer", 6) == 0 &&
	    (size == 6 || buf[6] == ' ' || buf[6] == '\t');
	if (!bearer) {
		FUZZ_ASSERT(rc == PL_ENOTFOUND);
		return 0;
	}
	FUZZ_ASSERT(rc != PL_ENOTFOUND);
	/* 1*SP before the token (RFC 9110, 11.4): a tab is malformed. */
	if (size > BEARER_MAX_HEADER || memchr(buf, '\0', size) != NULL ||
	    (size > 6 && buf[6] == '\t'))
		FUZZ_ASSERT(rc == PL_EUNAUTH);
	if (rc != PL_OK)
		return 0;

	/* b64token = 1*( ALPHA / DIGIT / "-._~+/" ) *"=" (RFC 6750, 2.1) */
	FUZZ_ASSERT(fuzz_within(tok, toklen, buf, size) && toklen > 0);
	FUZZ_ASSERT(tok >= buf + 7);
	for (i = 0; i < toklen && is_b64token((unsigned char)tok[i]); i++)
		;
	FUZZ_ASSERT(i > 0);
	for (; i < toklen && tok[i] == '='; i++)
		;
	FUZZ_ASSERT(i == toklen);
	/* Around it: spaces before, optional whitespace after, nothing else. */
	for (i = 6; buf + i < tok; i++)
		FUZZ_ASSERT(buf[i] == ' ');
	for (i = (size_t)(tok - buf) + toklen; i < size; i++)
		FUZZ_ASSERT(buf[i] == ' ' || buf[i] == '\t');
	return 0;
}
