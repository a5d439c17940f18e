#include "unit.h"
#include "utf8.h"

static const struct {
	const char	*s;
	size_t		 len;
	bool		 valid;
	size_t		 chars;
} cases[] = {
	{ LIT(""), true, 0 },
	{ LIT("abc"), true, 3 },
	{ LIT("\xc3\xa9t\xc3\xa9"), true, 3 },			/* été */
	{ LIT("\xe2\x82\xac"), true, 1 },			/* € */
	{ LIT("\xf0\x9f\x98\x80"), true, 1 },			/* emoji */
	{ LIT("\xf4\x8f\xbf\xbf"), true, 1 },			/* U+10FFFF */
	{ LIT("a\0b"), true, 3 },
	{ LIT("\xc3"), false, 0 },				/* truncated */
	{ LIT("\xe2\x82"), false, 0 },
	{ LIT("\x80"), false, 0 },				/* lone continuation */
	{ LIT("\xc0\xaf"), false, 0 },				/* overlong '/' */
	{ LIT("\xc1\xbf"), false, 0 },
	{ LIT("\xe0\x80\xaf"), false, 0 },			/* overlong */
	{ LIT("\xf0\x80\x80\xaf"), false, 0 },			/* overlong */
	{ LIT("\xed\xa0\x80"), false, 0 },			/* surrogate */
	{ LIT("\xf4\x90\x80\x80"), false, 0 },			/* > U+10FFFF */
	{ LIT("\xf8\x88\x80\x80\x80"), false, 0 },		/* 5 bytes */
	{ LIT("\xff"), false, 0 },
	{ LIT("\xc3\x28"), false, 0 },				/* bad continuation */
};

int
main(void)
{
	size_t	 i, n;
	bool	 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 0;
		ok = utf8_valid(cases[i].s, cases[i].len, &n);
		CHECK(ok == cases[i].valid && (!ok || n == cases[i].chars),
		    "utf8 case %zu", i);
	}
	return unit_done();
}
