/*
 * The renewal cookie's attributes for each kind of cookie name: what a
 * browser needs to keep it (RFC 6265bis, section 4.1.3: a "__Secure-"
 * name only with Secure, a "__Host-" one only with Secure, Path=/ and no
 * Domain), and nothing for a Bearer token or a JWT.
 */
#include <string.h>

#include "response.h"
#include "session.h"
#include "unit.h"

static const struct {
	const char		*cookie;	/* name the token came in */
	enum session_kind	 kind;
	const char		*attrs;		/* after Expires=..., or NULL */
} cases[] = {
	{ "next-auth.session-token", SESSION_DATABASE,
	    "; HttpOnly; SameSite=Lax" },
	{ "__Secure-next-auth.session-token", SESSION_DATABASE,
	    "; HttpOnly; Secure; SameSite=Lax" },
	{ "authjs.session-token", SESSION_DATABASE, "; HttpOnly; SameSite=Lax" },
	{ "__Secure-authjs.session-token", SESSION_DATABASE,
	    "; HttpOnly; Secure; SameSite=Lax" },
	{ "__Host-next-auth.session-token", SESSION_DATABASE,
	    "; HttpOnly; Secure; SameSite=Lax" },
	{ "__Host-s", SESSION_DATABASE, "; HttpOnly; Secure; SameSite=Lax" },
	/* Browsers match the prefixes in any case. */
	{ "__HOST-s", SESSION_DATABASE, "; HttpOnly; Secure; SameSite=Lax" },
	{ "__secure-s", SESSION_DATABASE, "; HttpOnly; Secure; SameSite=Lax" },
	/* Not prefixes: the name must start with them. */
	{ "my__Host-s", SESSION_DATABASE, "; HttpOnly; SameSite=Lax" },
	{ "__Host", SESSION_DATABASE, "; HttpOnly; SameSite=Lax" },
	{ "__Secure", SESSION_DATABASE, "; HttpOnly; SameSite=Lax" },
	{ "my.session", SESSION_DATABASE, "; HttpOnly; SameSite=Lax" },
	/* No renewal: a Bearer token, a JWT. */
	{ NULL, SESSION_DATABASE, NULL },
	{ "__Host-s", SESSION_JWT, NULL },
};

int
main(void)
{
	struct session_config	 cfg = { NULL, 2592000, 86400, NULL, NULL };
	struct response		 r = { 0, false, BUF_INIT, BUF_INIT };
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct session	 s = { .kind = cases[i].kind,
				    .cookie = cases[i].cookie,
				    .token = "tok123", .token_len = 6,
				    .renewed = true };
		const char	*h, *exp, *end;
		char		 want[200];

		response_reset(&r);
		session_set_cookie(&cfg, &s, &r);
		h = r.headers.len > 0 ? r.headers.data : "";
		if (cases[i].attrs == NULL) {
			CHECK(r.headers.len == 0, "%s (%s): no Set-Cookie",
			    cases[i].cookie ? cases[i].cookie : "Bearer",
			    cases[i].kind == SESSION_JWT ? "JWT" : "database");
			continue;
		}
		snprintf(want, sizeof(want), "Set-Cookie: %s=tok123; Path=/; "
		    "Expires=", cases[i].cookie);
		CHECK(strncmp(h, want, strlen(want)) == 0,
		    "%s: name, value, Path=/ first", cases[i].cookie);
		/* Expires is "Www, DD Mmm YYYY HH:MM:SS GMT": 29 bytes. */
		exp = h + strlen(want);
		end = strlen(h) >= strlen(want) + 29 ? exp + 29 : exp;
		snprintf(want, sizeof(want), "%s\r\n", cases[i].attrs);
		CHECK(strlen(h) >= strlen(want) && strcmp(end, want) == 0,
		    "%s: attributes %s", cases[i].cookie, cases[i].attrs);
		CHECK(strstr(h, "Domain") == NULL && strstr(h, "domain") ==
		    NULL, "%s: no Domain", cases[i].cookie);
	}
	response_free(&r);
	return unit_done();
}
