#include "bearer.h"
#include "unit.h"

static const struct {
	const char	*hdr;
	size_t		 len;
	enum pl_err	 want;
	const char	*tok;
} cases[] = {
	{ LIT("Bearer abc123"), PL_OK, "abc123" },
	{ LIT("bearer abc123"), PL_OK, "abc123" },
	{ LIT("BEARER   abc123  "), PL_OK, "abc123" },
	{ LIT("Bearer a-b.c_d~e+f/g=="), PL_OK, "a-b.c_d~e+f/g==" },
	{ LIT("Bearer eyJ.eyJ.sig"), PL_OK, "eyJ.eyJ.sig" },
	{ LIT(""), PL_ENOTFOUND, NULL },
	{ LIT("Basic dXNlcjpwYXNz"), PL_ENOTFOUND, NULL },
	{ LIT("Bearerabc"), PL_ENOTFOUND, NULL },
	{ LIT("Bear"), PL_ENOTFOUND, NULL },
	{ LIT("Bearer"), PL_EUNAUTH, NULL },
	{ LIT("Bearer "), PL_EUNAUTH, NULL },
	{ LIT("Bearer a b"), PL_EUNAUTH, NULL },
	{ LIT("Bearer =abc"), PL_EUNAUTH, NULL },
	{ LIT("Bearer a=b"), PL_EUNAUTH, NULL },
	{ LIT("Bearer ab\0c"), PL_EUNAUTH, NULL },
	{ LIT("Bearer ab;c"), PL_EUNAUTH, NULL },
	{ LIT("Bearer \xc3\xa9"), PL_EUNAUTH, NULL },
	{ LIT("Bearer abc\r\n"), PL_EUNAUTH, NULL },
	{ LIT("Bearer\tabc"), PL_EUNAUTH, NULL },
};

int
main(void)
{
	static char	 big[BEARER_MAX_HEADER + 2];
	const char	*t;
	size_t		 tl, i;
	enum pl_err	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = bearer_parse(cases[i].hdr, cases[i].len, &t, &tl);
		CHECK(rc == cases[i].want && (cases[i].tok == NULL ||
		    (tl == strlen(cases[i].tok) &&
		    memcmp(t, cases[i].tok, tl) == 0)),
		    "bearer case %zu", i);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "Bearer ", 7);
	CHECK(bearer_parse(big, BEARER_MAX_HEADER, &t, &tl) == PL_OK &&
	    tl == BEARER_MAX_HEADER - 7, "header at the limit");
	CHECK(bearer_parse(big, BEARER_MAX_HEADER + 1, &t, &tl) == PL_EUNAUTH,
	    "header one over the limit");
	return unit_done();
}
