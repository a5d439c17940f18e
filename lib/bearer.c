#include <strings.h>

#include "bearer.h"

static int
is_b64token(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

enum pl_err
bearer_parse(const char *buf, size_t len, const char **tok, size_t *toklen)
{
	static const char	 scheme[] = "Bearer";
	const size_t		 slen = sizeof(scheme) - 1;
	size_t			 i, start, end;

	if (len == 0)
		return PL_ENOTFOUND;
	/* Another scheme: only "Bearer" alone or followed by white space. */
	if (len < slen || strncasecmp(buf, scheme, slen) != 0 ||
	    (len > slen && buf[slen] != ' ' && buf[slen] != '\t'))
		return PL_ENOTFOUND;
	/* RFC 9110 11.4: one or more SP, never a tab: malformed, not other. */
	if (len > slen && buf[slen] == '\t')
		return PL_EUNAUTH;
	if (len > BEARER_MAX_HEADER)
		return PL_EUNAUTH;

	i = slen;
	while (i < len && buf[i] == ' ')
		i++;
	start = i;
	while (i < len && is_b64token((unsigned char)buf[i]))
		i++;
	if (i == start)
		return PL_EUNAUTH;	/* "Bearer" alone, or a bad first byte */
	while (i < len && buf[i] == '=')
		i++;
	end = i;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	if (i != len)
		return PL_EUNAUTH;	/* stray bytes: a second token, NUL, ... */
	*tok = buf + start;
	*toklen = end - start;
	return PL_OK;
}
