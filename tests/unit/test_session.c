#include <stdlib.h>

#include "request.h"
#include "session.h"
#include "unit.h"

#define V4 "next-auth.session-token"

static const struct {
	const char	*auth;		/* Authorization header, or NULL */
	const char	*cookie;	/* Cookie header, or NULL */
	enum pl_err	 want;
	const char	*tok;		/* the token expected */
	const char	*from;		/* the cookie name, NULL for Bearer */
} cases[] = {
	{ NULL, NULL, PL_EUNAUTH, NULL, NULL },
	{ NULL, "theme=dark", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 "=abc", PL_OK, "abc", V4 },
	{ NULL, "a=1; " V4 "=abc; b=2", PL_OK, "abc", V4 },
	{ NULL, V4 "=abc; __Secure-" V4 "=sec", PL_OK, "sec", "__Secure-" V4 },
	{ NULL, "authjs.session-token=v5", PL_OK, "v5", "authjs.session-token" },
	{ NULL, "authjs.session-token=v5; " V4 "=v4", PL_OK, "v4", V4 },
	{ NULL, "__Secure-authjs.session-token=s5; authjs.session-token=v5",
	    PL_OK, "s5", "__Secure-authjs.session-token" },
	{ NULL, "my.session=mine; " V4 "=v4", PL_OK, "mine", "my.session" },
	{ NULL, V4 "=first; " V4 "=second", PL_OK, "first", V4 },
	{ NULL, V4 "=; " V4 "=second", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 ".0=ab; " V4 ".1=cd", PL_OK, "abcd", V4 },
	{ NULL, V4 ".1=cd; " V4 ".0=ab", PL_OK, "abcd", V4 },
	{ NULL, V4 ".0=ab", PL_OK, "ab", V4 },
	{ NULL, V4 ".0=ab; " V4 ".2=ef", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 ".1=cd", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 "=ab; " V4 ".0=cd", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 "=; " V4 ".0=cd", PL_OK, "cd", V4 },
	{ NULL, V4 "=ab; " V4 "-legacy=x", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 "=ab; " V4 "-legacy=", PL_OK, "ab", V4 },
	{ NULL, V4 ".0=a; " V4 ".1=b; " V4 ".2=c; " V4 ".3=d; " V4 ".4=e; "
	    V4 ".5=f; " V4 ".6=g; " V4 ".7=h", PL_OK, "abcdefgh", V4 },
	{ NULL, V4 ".0=a; " V4 ".8=b", PL_EUNAUTH, NULL, NULL },
	{ NULL, V4 "=ab%2Dcd", PL_OK, "ab-cd", V4 },
	{ NULL, V4 "=ab%zz", PL_OK, "ab%zz", V4 },
	{ NULL, V4 "=\"quoted\"", PL_OK, "quoted", V4 },
	{ "Bearer tok", V4 "=abc", PL_OK, "tok", NULL },
	{ "Bearer", V4 "=abc", PL_EUNAUTH, NULL, NULL },
	{ "Basic dXNlcjpwYXNz", V4 "=abc", PL_OK, "abc", V4 },
	{ NULL, "a=b\0c", PL_OK, NULL, NULL },	/* see main: NUL is 400 */
};

int
main(void)
{
	struct session_config	 cfg = { "my.session", 2592000, 86400, NULL, NULL };
	struct request		 req;
	struct buf		 scratch = BUF_INIT;
	const char		*tok, *from;
	size_t			 len, i;
	enum pl_err		 rc;
	static const char	 nul[] = V4 "=a\0b";

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]) - 1; i++) {
		memset(&req, 0, sizeof(req));
		if (cases[i].auth != NULL) {
			req.authorization.ptr = cases[i].auth;
			req.authorization.len = strlen(cases[i].auth);
		}
		if (cases[i].cookie != NULL) {
			req.cookie.ptr = cases[i].cookie;
			req.cookie.len = strlen(cases[i].cookie);
		}
		tok = from = NULL;
		rc = session_token(&cfg, &req, &scratch, &tok, &len, &from);
		CHECK(rc == cases[i].want && (rc != PL_OK ||
		    (len == strlen(cases[i].tok) &&
		    memcmp(tok, cases[i].tok, len) == 0 &&
		    (cases[i].from == NULL ? from == NULL :
		    (from != NULL && strcmp(from, cases[i].from) == 0)))),
		    "session token case %zu: %s", i,
		    cases[i].cookie ? cases[i].cookie : "(no cookie)");
	}
	memset(&req, 0, sizeof(req));
	req.cookie.ptr = nul;
	req.cookie.len = sizeof(nul) - 1;
	CHECK(session_token(&cfg, &req, &scratch, &tok, &len, &from) ==
	    PL_EBADREQ, "a NUL in the Cookie header is a bad request");

	cfg.cookie = NULL;
	req.cookie.ptr = "my.session=mine";
	req.cookie.len = strlen(req.cookie.ptr);
	CHECK(session_token(&cfg, &req, &scratch, &tok, &len, &from) ==
	    PL_EUNAUTH, "a renamed cookie counts only when configured");
	buf_free(&scratch);
	return unit_done();
}
