/*
 * fuzz_cookie.c - the Cookie header: cookie_iter_init(), cookie_next(),
 * cookie_find() on the fuzzer's bytes as the whole header value.
 */
#include "cookie.h"
#include "fuzz.h"

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 v4[] = "next-auth.session-token";
	const char		*buf = (const char *)data;
	struct cookie_iter	 it;
	const char		*n, *v, *first = NULL, *firstval = NULL, *fv;
	size_t			 nl, vl, firstlen = 0, firstvallen = 0, fvl;
	size_t			 pairs = 0;
	enum pl_err		 rc, frc;

	rc = cookie_iter_init(&it, buf, size);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EBADREQ);
	if (size > COOKIE_MAX_HEADER || memchr(buf, '\0', size) != NULL)
		FUZZ_ASSERT(rc == PL_EBADREQ);
	/* cookie_find() applies the same limits, then finds or not. */
	frc = cookie_find(buf, size, v4, sizeof(v4) - 1, &fv, &fvl);
	if (rc != PL_OK) {
		FUZZ_ASSERT(frc == PL_EBADREQ);
		return 0;
	}
	FUZZ_ASSERT(frc == PL_OK || frc == PL_ENOTFOUND);
	if (frc == PL_OK)
		FUZZ_ASSERT(fuzz_within(fv, fvl, buf, size));
	FUZZ_ASSERT(it.pairs <= COOKIE_MAX_PAIRS);

	while (cookie_next(&it, &n, &nl, &v, &vl)) {
		FUZZ_ASSERT(++pairs <= it.pairs);
		FUZZ_ASSERT(fuzz_within(n, nl, buf, size));
		FUZZ_ASSERT(fuzz_within(v, vl, buf, size));
		FUZZ_ASSERT(v > n);	/* the value follows its name */
		FUZZ_ASSERT(memchr(n, ';', nl) == NULL &&
		    memchr(n, '=', nl) == NULL);
		FUZZ_ASSERT(memchr(v, ';', vl) == NULL);
		FUZZ_ASSERT(nl == 0 || (!is_ows(n[0]) && !is_ows(n[nl - 1])));
		FUZZ_ASSERT(vl == 0 || (!is_ows(v[0]) && !is_ows(v[vl - 1])) ||
		    (v > buf && v[-1] == '"'));
		if (first == NULL) {
			first = n;
			firstlen = nl;
			firstval = v;
			firstvallen = vl;
		}
	}
	FUZZ_ASSERT(!cookie_next(&it, &n, &nl, &v, &vl));	/* stays done */

	/* The first pair is the first occurrence of its name: found first. */
	if (first != NULL) {
		FUZZ_ASSERT(cookie_find(buf, size, first, firstlen, &fv, &fvl) ==
		    PL_OK);
		FUZZ_ASSERT(fv == firstval && fvl == firstvallen);
	} else
		FUZZ_ASSERT(cookie_find(buf, size, v4, sizeof(v4) - 1, &fv,
		    &fvl) == PL_ENOTFOUND);
	return 0;
}
