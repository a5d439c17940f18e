#include <stdbool.h>

#include "json.h"

/* Bytes that go out as they are: everything but controls, '"' and '\\'. */
static bool
plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

void
json_put_string(struct buf *b, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i = 0, run;
	unsigned char		 c;
	char			 esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	buf_addc(b, '"');
	while (i < len) {
		/* Copy the longest plain run at once. */
		for (run = i; run < len && plain((unsigned char)s[run]); run++)
			;
		buf_add(b, s + i, run - i);
		if ((i = run) == len)
			break;
		c = (unsigned char)s[i++];
		switch (c) {
		case '"':  buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\b': buf_add(b, "\\b", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xF];
			buf_add(b, esc, sizeof(esc));
			break;
		}
	}
	buf_addc(b, '"');
}
