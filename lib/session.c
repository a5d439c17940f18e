#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bearer.h"
#include "config.h"
#include "cookie.h"
#include "db.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "session.h"

/* After the configured name, in this order (see session_token()). */
static const char *const cookie_names[] = {
	"__Secure-next-auth.session-token",
	"next-auth.session-token",
	"__Secure-authjs.session-token",
	"authjs.session-token",
};

#define SECURE_PREFIX	"__Secure-"

/* RFC 6265 cookie-octet: what may be echoed back in Set-Cookie. */
static bool
cookie_octets(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7E || c == '"' || c == ',' || c == ';' ||
		    c == '\\')
			return false;
	}
	return true;
}

/* A token we would even look up: printable ASCII, no spaces. */
static bool
printable(const char *tok, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] >= 0x7F)
			return false;
	return len > 0;
}

/*
 * Looks for the cookie name, whole or in chunks.  PL_OK with the token;
 * PL_ENOTFOUND when neither is there; PL_EUNAUTH for a broken chunk set;
 * PL_EBADREQ for a Cookie header over its limits; PL_ENOMEM.
 */
static enum pl_err
find_cookie(const struct request *req, const char *name, struct buf *scratch,
    const char **tok, size_t *len)
{
	char		 cname[CONFIG_MAX_COOKIE_NAME + 48];
	const char	*v;
	size_t		 vl, nlen = strlen(name);
	enum pl_err	 rc, whole;
	int		 i, n;

	whole = cookie_find(req->cookie.ptr, req->cookie.len, name, nlen, tok,
	    len);
	if (whole == PL_EBADREQ)
		return whole;

	/* next-auth v4 core/lib/cookie.js SessionStore: "<name>.<i>". */
	buf_reset(scratch);
	for (n = 0; n < SESSION_MAX_CHUNKS; n++) {
		snprintf(cname, sizeof(cname), "%s.%d", name, n);
		rc = cookie_find(req->cookie.ptr, req->cookie.len, cname,
		    strlen(cname), &v, &vl);
		if (rc != PL_OK)
			break;
		buf_add(scratch, v, vl);
	}
	if (n == 0)
		return whole;
	if (whole == PL_OK)
		return PL_EUNAUTH;	/* whole and chunked: which one? */
	/* A later chunk after a gap, or too many chunks: refuse. */
	for (i = n + 1; i <= SESSION_MAX_CHUNKS; i++) {
		snprintf(cname, sizeof(cname), "%s.%d", name, i);
		if (cookie_find(req->cookie.ptr, req->cookie.len, cname,
		    strlen(cname), &v, &vl) == PL_OK)
			return PL_EUNAUTH;
	}
	if (scratch->failed)
		return PL_ENOMEM;
	if (scratch->len > JWT_MAX)
		return PL_EUNAUTH;
	*tok = scratch->data;
	*len = scratch->len;
	return PL_OK;
}

enum pl_err
session_token(const struct session_config *cfg, const struct request *req,
    struct buf *scratch, const char **tok, size_t *len, const char **cookie)
{
	enum pl_err	 rc;
	size_t		 i;

	*cookie = NULL;
	if (req->authorization.ptr != NULL) {
		rc = bearer_parse(req->authorization.ptr,
		    req->authorization.len, tok, len);
		if (rc == PL_OK)
			return PL_OK;
		if (rc != PL_ENOTFOUND)
			return PL_EUNAUTH;
	}
	if (req->cookie.ptr == NULL)
		return PL_EUNAUTH;
	if (cfg->cookie != NULL) {
		rc = find_cookie(req, cfg->cookie, scratch, tok, len);
		if (rc != PL_ENOTFOUND) {
			*cookie = cfg->cookie;
			return rc;
		}
	}
	for (i = 0; i < sizeof(cookie_names) / sizeof(cookie_names[0]); i++) {
		rc = find_cookie(req, cookie_names[i], scratch, tok, len);
		if (rc != PL_ENOTFOUND) {
			*cookie = cookie_names[i];
			return rc;
		}
	}
	return PL_EUNAUTH;
}

enum pl_err
session_resolve(struct db *db, const struct session_config *cfg,
    const struct request *req, struct buf *scratch, struct session *s)
{
	struct jwt_claims	 claims;
	const char		*tok, *why;
	size_t			 len;
	enum pl_err		 rc;

	memset(s, 0, sizeof(*s));
	if ((rc = session_token(cfg, req, scratch, &tok, &len, &s->cookie))
	    != PL_OK)
		return rc;
	s->token = tok;
	s->token_len = len;

	if (cfg->jwt != NULL && jwt_is_jwe(tok, len)) {
		s->kind = SESSION_JWT;
		rc = jwt_decode(cfg->jwt, tok, len, time(NULL), &claims, &why);
		if (rc == PL_EUNAUTH)
			log_info("session refused: %s", why);
		if (rc != PL_OK)
			return rc;
		/* Ownership works as for database sessions: by users row. */
		return db_user_for_email(db, claims.email, claims.name,
		    &s->user_id);
	}

	s->kind = SESSION_DATABASE;
	if (len > SESSION_MAX_TOKEN || !printable(tok, len))
		return PL_EUNAUTH;	/* cannot be a sessionToken */
	return db_session_user(db, tok, len, cfg->max_age, cfg->update_age,
	    &s->user_id, &s->renewed);
}

void
session_set_cookie(const struct session_config *cfg, const struct session *s,
    struct response *resp)
{
	char		 date[40];
	struct buf	*h = &resp->headers;
	struct tm	 tm;
	time_t		 exp;

	if (s->kind != SESSION_DATABASE || s->cookie == NULL ||
	    !cookie_octets(s->token, s->token_len))
		return;
	exp = time(NULL) + (time_t)cfg->max_age;
	gmtime_r(&exp, &tm);
	/* IMF-fixdate (RFC 9110 5.6.7); the C locale's names are English. */
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	buf_printf(h, "Set-Cookie: %s=", s->cookie);
	buf_add(h, s->token, s->token_len);
	buf_printf(h, "; Path=/; Expires=%s; HttpOnly; %sSameSite=Lax\r\n",
	    date, strncmp(s->cookie, SECURE_PREFIX,
	    sizeof(SECURE_PREFIX) - 1) == 0 ? "Secure; " : "");
}
