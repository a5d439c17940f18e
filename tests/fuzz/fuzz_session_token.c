/*
 * fuzz_session_token.c - which token a request carries: session_token()
 * over a struct request built from the input, then session_set_cookie() on
 * what it found, as api.c does for a database session.
 *
 * The input is: one flags byte, then the Authorization value up to the
 * first NUL, then the Cookie value (the rest, NULs and all).
 *   flags & 1: no Authorization header at all (else it is present, maybe
 *              empty);
 *   flags & 2: no Cookie header at all;
 *   flags & 4: PLACES_SESSION_COOKIE is "my.session".
 * Without a NUL the whole rest is the Authorization value.
 */
#include "cookie.h"
#include "fuzz.h"
#include "jwt.h"
#include "request.h"
#include "response.h"
#include "session.h"

static const char *const names[] = {
	"my.session",
	"__Secure-next-auth.session-token",
	"next-auth.session-token",
	"__Secure-authjs.session-token",
	"authjs.session-token",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf	 scratch = BUF_INIT;	/* reused, as api.c does */
	struct session_config	 cfg = { NULL, 2592000, 86400, NULL, NULL };
	struct request		 req;
	struct response		 resp = { 0, false, BUF_INIT, BUF_INIT };
	struct session		 s;
	const char		*buf, *nul, *tok = NULL, *cookie = NULL;
	size_t			 len = 0, i;
	enum pl_err		 rc;
	unsigned		 flags;

	if (size == 0)
		return 0;
	flags = data[0];
	buf = (const char *)data + 1;
	size--;
	memset(&req, 0, sizeof(req));
	nul = memchr(buf, '\0', size);
	if (!(flags & 1)) {
		req.authorization.ptr = buf;
		req.authorization.len = nul ? (size_t)(nul - buf) : size;
	}
	if (!(flags & 2) && nul != NULL) {
		req.cookie.ptr = nul + 1;
		req.cookie.len = size - (size_t)(nul - buf) - 1;
	}
	if (flags & 4)
		cfg.cookie = "my.session";

	rc = session_token(&cfg, &req, &scratch, &tok, &len, &cookie);
	FUZZ_ASSERT(rc == PL_OK || rc == PL_EUNAUTH || rc == PL_EBADREQ ||
	    rc == PL_ENOMEM);
	if (rc == PL_EBADREQ)	/* only the Cookie header's limits */
		FUZZ_ASSERT(req.cookie.ptr != NULL && (req.cookie.len >
		    COOKIE_MAX_HEADER || memchr(req.cookie.ptr, '\0',
		    req.cookie.len) != NULL ||
		    req.cookie.len > 2 * COOKIE_MAX_PAIRS));
	if (rc != PL_OK)
		return 0;

	FUZZ_ASSERT(len > 0);
	if (cookie == NULL) {	/* from Authorization: Bearer */
		FUZZ_ASSERT(req.authorization.ptr != NULL);
		FUZZ_ASSERT(fuzz_within(tok, len, req.authorization.ptr,
		    req.authorization.len));
	} else {		/* from a cookie, joined in scratch */
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(cookie, names[i]) == 0)
				break;
		FUZZ_ASSERT(i < sizeof(names) / sizeof(names[0]));
		FUZZ_ASSERT(i > 0 || cfg.cookie != NULL);
		FUZZ_ASSERT(req.cookie.ptr != NULL);
		FUZZ_ASSERT(fuzz_within(tok, len, scratch.data, scratch.len));
		FUZZ_ASSERT(len <= JWT_MAX);
	}

	/*
	 * Had the database known the token, the answer would echo it in
	 * Set-Cookie: whatever the bytes, the header lines stay well formed.
	 */
	memset(&s, 0, sizeof(s));
	s.kind = SESSION_DATABASE;
	s.cookie = cookie;
	s.token = tok;
	s.token_len = len;
	session_set_cookie(&cfg, &s, &resp);
	FUZZ_ASSERT(!resp.headers.failed);
	FUZZ_ASSERT(fuzz_header_lines(resp.headers.data, resp.headers.len));
	if (cookie == NULL)
		FUZZ_ASSERT(resp.headers.len == 0);	/* Bearer: no cookie */
	response_free(&resp);
	return 0;
}
