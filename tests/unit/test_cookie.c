#include "cookie.h"
#include "unit.h"

#define NAME "next-auth.session-token"

static const struct {
	const char	*hdr;
	size_t		 len;
	enum pl_err	 want;
	const char	*val;
} cases[] = {
	{ LIT(NAME "=abc"), PL_OK, "abc" },
	{ LIT("a=1; " NAME "=abc; b=2"), PL_OK, "abc" },
	{ LIT("a=1;" NAME "=abc"), PL_OK, "abc" },
	{ LIT("  " NAME " = abc  ;"), PL_OK, "abc" },
	{ LIT(NAME "=\"abc\""), PL_OK, "abc" },
	{ LIT(NAME "=first; " NAME "=second"), PL_OK, "first" },
	{ LIT(NAME "="), PL_OK, "" },
	{ LIT("x" NAME "=abc"), PL_ENOTFOUND, NULL },
	{ LIT(NAME "x=abc"), PL_ENOTFOUND, NULL },
	{ LIT("__Secure-" NAME "=abc"), PL_ENOTFOUND, NULL },
	{ LIT(""), PL_ENOTFOUND, NULL },
	{ LIT(";;;"), PL_ENOTFOUND, NULL },
	{ LIT(NAME), PL_ENOTFOUND, NULL },
	{ LIT("a=1; " NAME "=ab\0c"), PL_EBADREQ, NULL },
	{ LIT("\0" NAME "=abc"), PL_EBADREQ, NULL },
};

static void
limits(void)
{
	static char	 big[COOKIE_MAX_HEADER + 2];
	const char	*v;
	size_t		 vl, i, n;

	/* Exactly COOKIE_MAX_HEADER bytes: accepted. */
	memset(big, 'x', sizeof(big));
	memcpy(big, NAME "=", sizeof(NAME));
	CHECK(cookie_find(big, COOKIE_MAX_HEADER, LIT(NAME), &v, &vl) == PL_OK &&
	    vl == COOKIE_MAX_HEADER - sizeof(NAME), "header at the byte limit");
	CHECK(cookie_find(big, COOKIE_MAX_HEADER + 1, LIT(NAME), &v, &vl) ==
	    PL_EBADREQ, "header one byte over the limit");

	/* COOKIE_MAX_PAIRS pairs: accepted; one more: refused. */
	for (n = 0, i = 0; i < COOKIE_MAX_PAIRS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "c%zu=1;", i);
	CHECK(cookie_find(big, n, LIT("c5"), &v, &vl) == PL_OK,
	    "pairs at the limit");
	n += (size_t)snprintf(big + n, sizeof(big) - n, "z=1");
	CHECK(cookie_find(big, n, LIT("c5"), &v, &vl) == PL_EBADREQ,
	    "pairs one over the limit, even after the match");
}

int
main(void)
{
	const char	*v;
	size_t		 vl, i;
	enum pl_err	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = NULL;
		rc = cookie_find(cases[i].hdr, cases[i].len, LIT(NAME), &v, &vl);
		CHECK(rc == cases[i].want && (cases[i].val == NULL ||
		    (vl == strlen(cases[i].val) &&
		    memcmp(v, cases[i].val, vl) == 0)),
		    "cookie case %zu", i);
	}
	limits();
	return unit_done();
}
