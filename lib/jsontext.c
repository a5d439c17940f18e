#include <stdbool.h>
#include <string.h>

#include "jsontext.h"

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The number of digits at the start of buf[0..len). */
static size_t
digits(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && digit(buf[i]); i++)
		;
	return i;
}

/*
 * The length of the number at the start of buf[0..len), or 0 when the
 * bytes there are not one (RFC 8259 section 6):
 *     -? ( 0 | [1-9][0-9]* ) ( . [0-9]+ )? ( [eE] [+-]? [0-9]+ )?
 * A number-like byte right after it (00, 1.5.5, 1e5e5, 1-2) is not JSON
 * either: json-c takes "00" as 0, so the whole token is judged here.
 */
static size_t
number_len(const char *buf, size_t len)
{
	size_t	 i = 0, d;

	if (i < len && buf[i] == '-')
		i++;
	if (i < len && buf[i] == '0')
		i++;
	else if ((d = digits(buf + i, len - i)) > 0)
		i += d;
	else
		return 0;
	if (i < len && buf[i] == '.') {
		if ((d = digits(buf + i + 1, len - i - 1)) == 0)
			return 0;
		i += 1 + d;
	}
	if (i < len && (buf[i] == 'e' || buf[i] == 'E')) {
		i++;
		if (i < len && (buf[i] == '+' || buf[i] == '-'))
			i++;
		if ((d = digits(buf + i, len - i)) == 0)
			return 0;
		i += d;
	}
	if (i < len && (digit(buf[i]) || buf[i] == '.' || buf[i] == 'e' ||
	    buf[i] == 'E' || buf[i] == '+' || buf[i] == '-'))
		return 0;
	return i;
}

/*
 * The string whose opening quote is buf[*i]: *i ends past its closing
 * quote.  Why it is not JSON, or NULL.
 */
static const char *
string_check(const char *buf, size_t len, size_t *i)
{
	size_t	 j, w;
	bool	 nul = false;

	for (j = *i + 1; j < len && buf[j] != '"'; j++) {
		if ((unsigned char)buf[j] < 0x20)
			return "control character in a string";
		if (buf[j] == '\\' && len - j >= 6 && buf[j + 1] == 'u' &&
		    memcmp(buf + j + 2, "0000", 4) == 0)
			nul = true;
		if (buf[j] == '\\')
			j++;	/* the escaped byte */
	}
	*i = j + 1;	/* closing quote (json-c reports a missing one) */
	/*
	 * json-c keeps member names as C strings: "na\u0000me" would become
	 * "na".  A name with U+0000 is refused here; a value with it is the
	 * caller's to judge.
	 */
	for (w = *i; w < len && ws(buf[w]); w++)
		;
	if (nul && w < len && buf[w] == ':')
		return "U+0000 in a member name";
	return NULL;
}

const char *
jsontext_check(const char *buf, size_t len)
{
	const char	*why;
	size_t		 i = 0, w, n;

	while (i < len) {
		char c = buf[i];
		if (c == '"') {
			if ((why = string_check(buf, len, &i)) != NULL)
				return why;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			for (w = i; w < len && ((buf[w] >= 'a' && buf[w] <= 'z')
			    || (buf[w] >= 'A' && buf[w] <= 'Z')); w++)
				;
			if (!((w - i == 4 && (memcmp(buf + i, "true", 4) == 0 ||
			    memcmp(buf + i, "null", 4) == 0)) ||
			    (w - i == 5 && memcmp(buf + i, "false", 5) == 0)))
				return "malformed JSON";
			i = w;
		} else if (c == '-' || digit(c)) {
			if ((n = number_len(buf + i, len - i)) == 0)
				return "malformed number";
			i += n;
		} else if (c == '.' || c == '+')
			return "malformed number";
		else
			i++;
	}
	return NULL;
}
