#include "route.h"
#include "unit.h"

#define ID "0b9a6f7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

static const struct {
	const char	*path;
	size_t		 len;
	enum pl_err	 want;
	enum route	 route;
} cases[] = {
	{ LIT("/api/places"), PL_OK, ROUTE_COLLECTION },
	{ LIT("/api/places/"), PL_OK, ROUTE_COLLECTION },
	{ LIT("/api/places/" ID), PL_OK, ROUTE_ITEM },
	{ LIT("/api/places/0B9A6F7E-1C2D-4E5F-8A9B-0C1D2E3F4A5B"), PL_OK,
	    ROUTE_ITEM },
	{ LIT("/api/places/" ID "/"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places/" ID "/x"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places//"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places//" ID), PL_ENOTFOUND, 0 },
	{ LIT("/api/places/../places"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places/%2F"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places/123"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places/0b9a6f7e1c2d4e5f8a9b0c1d2e3f4a5b"), PL_ENOTFOUND, 0 },
	{ LIT("/api/places/0b9a6f7e-1c2d-4e5f-8a9b-0c1d2e3f4a5g"), PL_ENOTFOUND,
	    0 },
	{ LIT("/api/places/" ID "\0"), PL_ENOTFOUND, 0 },
	{ LIT("/api/placesx"), PL_ENOTFOUND, 0 },
	{ LIT("/api/place"), PL_ENOTFOUND, 0 },
	{ LIT("/API/places"), PL_ENOTFOUND, 0 },
	{ LIT(""), PL_ENOTFOUND, 0 },
};

int
main(void)
{
	static char		 big[ROUTE_MAX_PATH + 2];
	struct route_match	 m;
	size_t			 i;
	enum pl_err		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = route_match(cases[i].path, cases[i].len, &m);
		CHECK(rc == cases[i].want &&
		    (rc != PL_OK || m.route == cases[i].route),
		    "route %zu: %s", i, cases[i].path);
	}
	CHECK(route_match(LIT("/api/places/0B9A6F7E-1C2D-4E5F-8A9B-"
	    "0C1D2E3F4A5B"), &m) == PL_OK && strcmp(m.id, ID) == 0,
	    "uuid is lower-cased");

	memset(big, '/', sizeof(big));
	memcpy(big, "/api/places", 11);
	CHECK(route_match(big, ROUTE_MAX_PATH + 1, &m) == PL_ENOTFOUND,
	    "path over the limit");

	CHECK(method_parse(LIT("GET")) == METHOD_GET, "GET");
	CHECK(method_parse(LIT("DELETE")) == METHOD_DELETE, "DELETE");
	CHECK(method_parse(LIT("get")) == METHOD_OTHER, "lower-case get");
	CHECK(method_parse(LIT("GETX")) == METHOD_OTHER, "GETX");
	CHECK(method_parse(LIT("GE")) == METHOD_OTHER, "GE");
	CHECK(method_parse(LIT("GET\0")) == METHOD_OTHER, "GET NUL");
	CHECK(method_parse(LIT("TRACE")) == METHOD_OTHER, "TRACE");

	CHECK(route_allows(ROUTE_COLLECTION, METHOD_POST), "POST collection");
	CHECK(!route_allows(ROUTE_COLLECTION, METHOD_DELETE),
	    "no DELETE on collection");
	CHECK(!route_allows(ROUTE_ITEM, METHOD_POST), "no POST on item");
	CHECK(route_allows(ROUTE_ITEM, METHOD_PATCH), "PATCH item");
	CHECK(!route_allows(ROUTE_ITEM, METHOD_OTHER), "other method");
	CHECK(strcmp(route_allow_header(ROUTE_COLLECTION),
	    "GET, HEAD, POST") == 0, "Allow of collection");
	return unit_done();
}
