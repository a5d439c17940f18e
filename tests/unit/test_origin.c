#include "origin.h"
#include "unit.h"

static const struct {
	const char	*origin, *scheme, *host, *port, *allowed;
	bool		 want;
} cases[] = {
	{ "http://api.example", "http", "api.example", "80", NULL, true },
	{ "HTTP://API.example", "http", "api.Example", "80", NULL, true },
	{ "https://api.example", "https", "api.example", "443", NULL, true },
	{ "https://api.example:443", "https", "api.example", "443", NULL, false },
	{ "http://127.0.0.1:8080", "http", "127.0.0.1", "8080", NULL, true },
	{ "http://127.0.0.1:8080", "http", "127.0.0.1:8080", "8080", NULL, true },
	{ "http://127.0.0.1:8081", "http", "127.0.0.1", "8080", NULL, false },
	{ "http://127.0.0.1:80800", "http", "127.0.0.1", "8080", NULL, false },
	{ "http://127.0.0.1", "http", "127.0.0.1", "8080", NULL, false },
	{ "http://127.0.0.1", "http", "127.0.0.1:8080", "8080", NULL, false },
	{ "http://[::1]:8080", "http", "[::1]", "8080", NULL, true },
	{ "http://[::1]:9", "http", "[::1]:8080", "8080", NULL, false },
	{ "https://api.example", "http", "api.example", "80", NULL, false },
	{ "http://evil.example", "http", "api.example", "80", NULL, false },
	{ "http://api.example.evil", "http", "api.example", "80", NULL, false },
	{ "http://api.exampl", "http", "api.example", "80", NULL, false },
	{ "null", "http", "api.example", "80", NULL, false },
	{ "", "http", "api.example", "80", NULL, false },
	{ "http://api.example", "http", "", "80", NULL, false },
	{ "https://app.example", "https", "api.example", "443",
	    "https://app.example", true },
	{ "https://app.example", "https", "api.example", "443",
	    "https://one.example, https://app.example", true },
	{ "https://app.example", "https", "api.example", "443",
	    " https://app.example.evil https://app.exampl", false },
	{ "https://app.example", "https", "api.example", "443", "", false },
	{ "null", "https", "api.example", "443", "null", false },
};

int
main(void)
{
	static char		 big[ORIGIN_MAX + 8];
	struct origin_self	 s;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = (struct origin_self){ cases[i].scheme,
		    strlen(cases[i].scheme), cases[i].host,
		    strlen(cases[i].host), cases[i].port,
		    strlen(cases[i].port) };
		CHECK(origin_allowed(cases[i].origin, strlen(cases[i].origin),
		    &s, cases[i].allowed) == cases[i].want,
		    "origin %zu: %s", i, cases[i].origin);
	}
	s = (struct origin_self){ "http", 4, "a", 1, NULL, 0 };
	CHECK(!origin_allowed(LIT("http://a\0b"), &s, NULL), "NUL in Origin");
	memset(big, 'a', sizeof(big));
	memcpy(big, "http://", 7);
	s = (struct origin_self){ "http", 4, big + 7, ORIGIN_MAX + 1 - 7,
	    NULL, 0 };
	CHECK(!origin_allowed(big, ORIGIN_MAX + 1, &s, NULL),
	    "Origin over the limit");
	return unit_done();
}
