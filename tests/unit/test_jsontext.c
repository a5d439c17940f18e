#include "jsontext.h"
#include "unit.h"

/* Each text, and whether RFC 8259's lexical rules let it through. */
static const struct {
	const char	*text;
	int		 ok;
} cases[] = {
	{ "{\"a\":0}", 1 },
	{ "[0,-0,10,0.5,-0.0e-0,1e05,1E+5,2e-3,100.001,-10.01E-01]", 1 },
	{ "[true,false,null]", 1 },
	{ "{\"00\":\"-.5 NaN 1. +1 0x1 01\"}", 1 },	/* strings are text */
	{ "{\"a\\\"00\":1}", 1 },
	{ "[1", 1 },		/* unfinished: json-c's to report */
	{ "[00]", 0 },
	{ "[-00]", 0 },
	{ "[00.5]", 0 },
	{ "[01]", 0 },
	{ "[-01.5]", 0 },
	{ "[0,007]", 0 },
	{ "[-]", 0 },
	{ "[-", 0 },
	{ "[1.]", 0 },
	{ "[1.", 0 },
	{ "[.5]", 0 },
	{ "[-.5]", 0 },
	{ "[1.e5]", 0 },
	{ "[+1]", 0 },
	{ "[1e]", 0 },
	{ "[1e+]", 0 },
	{ "[1E-]", 0 },
	{ "[0x1]", 0 },
	{ "[1.5.5]", 0 },
	{ "[1e5e5]", 0 },
	{ "[1e5.5]", 0 },
	{ "[1-2]", 0 },
	{ "[--1]", 0 },
	{ "[NaN]", 0 },
	{ "[Infinity]", 0 },
	{ "[-Infinity]", 0 },
	{ "[nul]", 0 },
	{ "[\"a\tb\"]", 0 },
	{ "{\"a\\u0000b\":1}", 0 },
};

int
main(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK((jsontext_check(cases[i].text, strlen(cases[i].text)) ==
		    NULL) == cases[i].ok, "%s %s", cases[i].text,
		    cases[i].ok ? "passes" : "is refused");
	return unit_done();
}
