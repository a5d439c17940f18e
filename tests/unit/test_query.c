#include "query.h"
#include "unit.h"

static const struct {
	const char	*q;
	size_t		 len;
	enum pl_err	 want;
	unsigned	 limit, offset;
	bool		 mine;
} cases[] = {
	{ LIT(""), PL_OK, 100, 0, false },
	{ LIT("limit=1"), PL_OK, 1, 0, false },
	{ LIT("limit=1000"), PL_OK, 1000, 0, false },
	{ LIT("limit=20&offset=40&author=me"), PL_OK, 20, 40, true },
	{ LIT("offset=1000000"), PL_OK, 100, 1000000, false },
	{ LIT("limit=%32%30"), PL_OK, 20, 0, false },
	{ LIT("%6cimit=5"), PL_OK, 5, 0, false },
	{ LIT("foo=bar&limit=5&&x"), PL_OK, 5, 0, false },
	{ LIT("foo=%zz"), PL_EBADREQ, 0, 0, false },
	{ LIT("xxxxxxxxxxxxxxxxxxxx%zz=1"), PL_EBADREQ, 0, 0, false },
	{ LIT("xxxxxxxxxxxxxxxxxxxx=%41&limit=5"), PL_OK, 5, 0, false },
	{ LIT("limit=0"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=1001"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=-1"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=abc"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=1e9"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit="), PL_EBADREQ, 0, 0, false },
	{ LIT("limit"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=+5"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=5%00"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=%"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=%4"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=1&limit=2"), PL_EBADREQ, 0, 0, false },
	{ LIT("offset=1000001"), PL_EBADREQ, 0, 0, false },
	{ LIT("offset=99999999999999999999999"), PL_EBADREQ, 0, 0, false },
	{ LIT("offset=18446744073709551617"), PL_EBADREQ, 0, 0, false },
	{ LIT("author=you"), PL_EBADREQ, 0, 0, false },
	{ LIT("author=ME"), PL_EBADREQ, 0, 0, false },
	{ LIT("author=me&author=me"), PL_EBADREQ, 0, 0, false },
	{ LIT("limit=5\0"), PL_EBADREQ, 0, 0, false },
	{ LIT("cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7w&limit=7"), PL_OK, 7,
	    0, false },
	{ LIT("cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7w&offset=0"), PL_OK,
	    100, 0, false },
	{ LIT("offset=1&cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7w"),
	    PL_EBADREQ, 0, 0, false },
	{ LIT("cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7w&"
	    "cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7w"), PL_EBADREQ, 0, 0,
	    false },
	{ LIT("cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7x"), PL_EBADREQ, 0, 0,
	    false },
	{ LIT("cursor="), PL_EBADREQ, 0, 0, false },
	{ LIT("cursor=AQAFw7MU2tABEjRWeJq83vABI0VniavN7wAQAFw7MU2tABEjRWeJq83v"
	    "ABI0VniavN7w"), PL_EBADREQ, 0, 0, false },
};

int
main(void)
{
	static char		 big[QUERY_MAX + 2];
	struct list_query	 q;
	const char		*detail;
	size_t			 i;
	enum pl_err		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		detail = NULL;
		rc = query_parse(cases[i].q, cases[i].len, &q, &detail);
		CHECK(rc == cases[i].want && (rc != PL_OK ||
		    (q.limit == cases[i].limit && q.offset == cases[i].offset &&
		    q.mine == cases[i].mine)) &&
		    (rc == PL_OK || detail != NULL),
		    "query %zu: %s", i, cases[i].q);
	}
	CHECK(query_parse(LIT("cursor=%41QAFw7MU2tABEjRWeJq83vABI0VniavN7w"),
	    &q, &detail) == PL_OK && q.after &&
	    q.before.usec == 1622548800000001LL, "a %%-escaped cursor");
	CHECK(query_parse(LIT("limit=5"), &q, &detail) == PL_OK && !q.after,
	    "no cursor");
	memset(big, 'x', sizeof(big));
	CHECK(query_parse(big, QUERY_MAX, &q, &detail) == PL_OK,
	    "query at the limit");
	CHECK(query_parse(big, QUERY_MAX + 1, &q, &detail) == PL_EBADREQ,
	    "query one over the limit");
	return unit_done();
}
