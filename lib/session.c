#include <string.h>

#include "bearer.h"
#include "cookie.h"
#include "db.h"
#include "request.h"
#include "session.h"

static const struct {
	const char		*name;
	enum session_source	 source;
} cookies[] = {
	{ "__Secure-next-auth.session-token", SESSION_COOKIE_SECURE },
	{ "next-auth.session-token", SESSION_COOKIE },
};

const char *
session_source_name(enum session_source s)
{
	switch (s) {
	case SESSION_BEARER: return "bearer";
	case SESSION_COOKIE_SECURE: return "secure-cookie";
	case SESSION_COOKIE: return "cookie";
	default: return "none";
	}
}

/* A token we would even look up: 1..255 bytes of printable ASCII. */
static bool
plausible(const char *tok, size_t len)
{
	size_t	 i;

	if (len == 0 || len > SESSION_MAX_TOKEN)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] >= 0x7F)
			return false;
	return true;
}

enum pl_err
session_token(const struct request *req, const char **tok, size_t *len,
    enum session_source *src)
{
	enum pl_err	 rc;
	size_t		 i;

	*src = SESSION_NONE;
	if (req->authorization.ptr != NULL) {
		rc = bearer_parse(req->authorization.ptr,
		    req->authorization.len, tok, len);
		if (rc == PL_OK) {
			*src = SESSION_BEARER;
			return plausible(*tok, *len) ? PL_OK : PL_EUNAUTH;
		}
		if (rc != PL_ENOTFOUND)
			return PL_EUNAUTH;
	}
	if (req->cookie.ptr == NULL)
		return PL_EUNAUTH;
	for (i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
		rc = cookie_find(req->cookie.ptr, req->cookie.len,
		    cookies[i].name, strlen(cookies[i].name), tok, len);
		if (rc == PL_EBADREQ)
			return rc;
		if (rc == PL_OK) {
			*src = cookies[i].source;
			return plausible(*tok, *len) ? PL_OK : PL_EUNAUTH;
		}
	}
	return PL_EUNAUTH;
}

enum pl_err
session_resolve(struct db *db, const struct request *req, struct session *s)
{
	const char	*tok;
	size_t		 len;
	enum pl_err	 rc;

	s->user_id = 0;
	if ((rc = session_token(req, &tok, &len, &s->source)) != PL_OK)
		return rc;
	return db_session_user(db, tok, len, &s->user_id);
}
