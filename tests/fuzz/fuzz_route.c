/*
 * fuzz_route.c - method and path routing: method_parse() and route_match().
 *
 * The input is "<method> NUL <path>": the bytes before the first NUL are
 * the method, the rest (NULs and all) the path.  Without a NUL the whole
 * input is the path and the method is empty.
 */
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"
#include "route.h"

#define PREFIX	"/api/places"

static void
check_method(const char *m, size_t len)
{
	enum method	 meth = method_parse(m, len);
	const char	*name = method_name(meth);
	int		 r;

	FUZZ_ASSERT(meth <= METHOD_OTHER && name != NULL);
	/* Case-sensitive and exact (RFC 9110, 9.1): it names itself. */
	if (meth != METHOD_OTHER)
		FUZZ_ASSERT(strlen(name) == len && memcmp(name, m, len) == 0);
	for (r = 0; r < ROUTE__COUNT; r++) {
		const char *allow = route_allow_header((enum route)r);
		bool listed = false;
		const char *p;

		/* The Allow header lists exactly the methods served. */
		for (p = allow; (p = strstr(p, name)) != NULL; p++)
			if ((p == allow || p[-1] == ' ') &&
			    (p[strlen(name)] == ',' || p[strlen(name)] == '\0'))
				listed = true;
		FUZZ_ASSERT(route_allows((enum route)r, meth) ==
		    (meth != METHOD_OTHER && listed));
	}
}

static void
check_path(const char *p, size_t len)
{
	struct route_match	 m;
	enum pl_err		 rc;
	size_t			 i;

	memset(&m, 0xA5, sizeof(m));
	rc = route_match(p, len, &m);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_ENOTFOUND);
	if (rc != PL_OK)
		return;
	FUZZ_ASSERT(len <= ROUTE_MAX_PATH);
	FUZZ_ASSERT(len >= sizeof(PREFIX) - 1 &&
	    memcmp(p, PREFIX, sizeof(PREFIX) - 1) == 0);
	if (m.route == ROUTE_COLLECTION) {
		FUZZ_ASSERT(len == sizeof(PREFIX) - 1 ||
		    (len == sizeof(PREFIX) && p[len - 1] == '/'));
		return;
	}
	FUZZ_ASSERT(m.route == ROUTE_ITEM);
	FUZZ_ASSERT(len == sizeof(PREFIX) + UUID_LEN && p[sizeof(PREFIX) - 1]
	    == '/');
	/* The id is the path's uuid, canonical and lower-cased. */
	FUZZ_ASSERT(m.id[UUID_LEN] == '\0' && strlen(m.id) == UUID_LEN);
	FUZZ_ASSERT(strncasecmp(m.id, p + sizeof(PREFIX), UUID_LEN) == 0);
	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			FUZZ_ASSERT(m.id[i] == '-');
		else
			FUZZ_ASSERT(isxdigit((unsigned char)m.id[i]) &&
			    !isupper((unsigned char)m.id[i]));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data;
	const char	*nul = memchr(buf, '\0', size);

	if (nul == NULL) {
		check_method(buf, 0);
		check_path(buf, size);
	} else {
		check_method(buf, (size_t)(nul - buf));
		check_path(nul + 1, size - (size_t)(nul - buf) - 1);
	}
	return 0;
}
