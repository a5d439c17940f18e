#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bearer.h"
#include "cookie.h"
#include "db.h"
#include "hex.h"
#include "jwe.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "utf8.h"

/*
 * After the configured name, in this order (see session_token()); the
 * names are next-auth 4.24.15 core/lib/cookie.js l.17-28 and @auth/core
 * 0.41.3 lib/utils/cookie.js l.44-49.  String literals: tests/integration/
 * cases/83-shed.sh reads them to check nginx's map.
 */
static const char *const cookie_names[] = {
	"__Secure-next-auth.session-token",
	"next-auth.session-token",
	"__Secure-authjs.session-token",	/* SESSION_V5_SECURE */
	"authjs.session-token",			/* SESSION_V5_COOKIE */
};

_Static_assert(sizeof(((struct session *)0)->sub) ==
    sizeof(((struct jwt_claims *)0)->sub), "sub copied whole");

#define SECURE_PREFIX	"__Secure-"
#define HOST_PREFIX	"__Host-"

/*
 * Whether a browser keeps a cookie of this name only with Secure: the
 * "__Secure-" and "__Host-" prefixes (RFC 6265bis, section 4.1.3), which
 * browsers now match whatever the case ("__HOST-" too), so we do.  A
 * "__Host-" cookie also needs Path=/ and no Domain, which every cookie we
 * set has anyway.
 */
static bool
needs_secure(const char *name)
{
	return strncasecmp(name, SECURE_PREFIX, sizeof(SECURE_PREFIX) - 1) ==
	    0 || strncasecmp(name, HOST_PREFIX, sizeof(HOST_PREFIX) - 1) == 0;
}

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
 * Appends a cookie value as the cookie package (which NextAuth uses;
 * cookie 0.7.2 index.js l.100-151) returns it: percent-decoded when it holds a '%' and decodes to valid
 * UTF-8 (decodeURIComponent), else as it is.
 */
static void
add_value(struct buf *b, const char *v, size_t vl)
{
	size_t	 i, start = b->len;
	int	 hi, lo;

	if (memchr(v, '%', vl) == NULL) {
		buf_add(b, v, vl);
		return;
	}
	for (i = 0; i < vl; i++) {
		if (v[i] != '%') {
			buf_addc(b, v[i]);
			continue;
		}
		if (vl - i < 3 || (hi = hexval(v[i + 1])) < 0 ||
		    (lo = hexval(v[i + 2])) < 0)
			goto raw;
		buf_addc(b, (char)(hi * 16 + lo));
		i += 2;
	}
	if (!b->failed && utf8_valid(b->data + start, b->len - start, NULL))
		return;
raw:
	if (!b->failed) {
		b->len = start;
		buf_add(b, v, vl);
	}
}

/* The chunk number of a name's suffix ".N" (0 .. SESSION_MAX_CHUNKS-1). */
static int
chunk_index(const char *s, size_t len)
{
	if (len == 2 && s[0] == '.' && s[1] >= '0' &&
	    s[1] < '0' + SESSION_MAX_CHUNKS)
		return s[1] - '0';
	return -1;
}

/*
 * The session cookie called name, as next-auth 4.24.15's SessionStore
 * (core/lib/cookie.js; tests/compat/SOURCES.md, section e) collects it: every cookie whose name starts with
 * name and whose value is not empty, the first occurrence of each name,
 * joined in the order of the number after the last '.'.  Only the
 * collections that join into a token NextAuth issued are accepted: the
 * name alone, or <name>.0 .. <name>.<n-1> without gaps.  Anything else
 * under the prefix (a gap, both forms, "<name>-x") would be joined in by
 * NextAuth and spoil the token: refused here too.
 *
 * PL_OK with the token in scratch; PL_ENOTFOUND when nothing is there;
 * PL_EUNAUTH for such a spoilt set; PL_EBADREQ for a Cookie header over
 * its limits; PL_ENOMEM.
 */
static enum pl_err
find_cookie(const struct request *req, const char *name, struct buf *scratch,
    const char **tok, size_t *len)
{
	struct cookie_iter	 it;
	const char		*n, *v, *whole = NULL;
	const char		*chunk[SESSION_MAX_CHUNKS] = { NULL };
	size_t			 nl, vl, wlen = 0, plen = strlen(name);
	size_t			 clen[SESSION_MAX_CHUNKS] = { 0 };
	unsigned		 seen = 0;	/* bit k: chunk k; bit 31: whole */
	bool			 other = false;
	enum pl_err		 rc;
	int			 k, count;

	if ((rc = cookie_iter_init(&it, req->cookie.ptr, req->cookie.len))
	    != PL_OK)
		return rc;
	while (cookie_next(&it, &n, &nl, &v, &vl)) {
		if (nl < plen || memcmp(n, name, plen) != 0)
			continue;
		if (nl == plen) {
			if (!(seen & 1u << 31) && vl > 0) {
				whole = v;
				wlen = vl;
			}
			seen |= 1u << 31;
		} else if ((k = chunk_index(n + plen, nl - plen)) >= 0) {
			if (!(seen & 1u << k) && vl > 0) {
				chunk[k] = v;
				clen[k] = vl;
			}
			seen |= 1u << k;
		} else if (vl > 0)
			other = true;
	}
	for (count = 0; count < SESSION_MAX_CHUNKS && chunk[count]; count++)
		;
	if (whole == NULL && count == 0 && !other) {
		for (k = count; k < SESSION_MAX_CHUNKS; k++)
			if (chunk[k] != NULL)
				return PL_EUNAUTH;	/* chunk 0 missing */
		return PL_ENOTFOUND;
	}
	if (other || (whole != NULL && count > 0))
		return PL_EUNAUTH;
	for (k = count; k < SESSION_MAX_CHUNKS; k++)
		if (chunk[k] != NULL)
			return PL_EUNAUTH;	/* a gap */

	buf_reset(scratch);
	if (whole != NULL)
		add_value(scratch, whole, wlen);
	for (k = 0; k < count; k++)
		add_value(scratch, chunk[k], clen[k]);
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

/*
 * A JWE by the format its cookie name says (see session.h).  PL_OK with
 * *c; PL_EUNAUTH with *why; PL_ENOMEM.
 */
static enum pl_err
decode_jwt(const struct session_config *cfg, const char *cookie,
    const char *tok, size_t len, struct jwt_claims *c, const char **why)
{
	time_t		 now = time(NULL);
	enum pl_err	 rc = PL_EUNAUTH;
	bool		 v5 = cookie != NULL &&
			    (strcmp(cookie, SESSION_V5_COOKIE) == 0 ||
			    strcmp(cookie, SESSION_V5_SECURE) == 0);

	*why = "no secret for this JWT's format";
	if (!v5 && cfg->jwt != NULL &&
	    (rc = jwt_decode(cfg->jwt, tok, len, now, c, why)) != PL_EUNAUTH)
		return rc;
	if (cfg->jwe == NULL || (cookie != NULL && !v5 &&
	    cookie != cfg->cookie))
		return rc;	/* a v4 name: v4 only */
	if (cookie != NULL)
		return jwe_decode(cfg->jwe, cookie, tok, len, now, c, why);
	if ((rc = jwe_decode(cfg->jwe, SESSION_V5_COOKIE, tok, len, now, c,
	    why)) != PL_EUNAUTH)
		return rc;
	return jwe_decode(cfg->jwe, SESSION_V5_SECURE, tok, len, now, c, why);
}

enum pl_err
session_resolve(struct db *db, const struct session_config *cfg,
    const struct request *req, struct buf *scratch, struct db_read *read,
    struct session *s)
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

	if ((cfg->jwt != NULL || cfg->jwe != NULL) && jwt_is_jwe(tok, len)) {
		s->kind = SESSION_JWT;
		rc = decode_jwt(cfg, s->cookie, tok, len, &claims, &why);
		if (rc == PL_EUNAUTH)
			log_info("session refused: %s", why);
		if (rc != PL_OK)
			return rc;
		memcpy(s->sub, claims.sub, sizeof(s->sub));
		/*
		 * The author is the sub (the user's id in NextAuth), the
		 * email only its display; a token without sub is keyed by
		 * its email.
		 */
		return db_jwt_author(db, s->sub[0] != '\0' ? s->sub :
		    claims.email, claims.email, s->author);
	}

	s->kind = SESSION_DATABASE;
	if (len > SESSION_MAX_TOKEN || !printable(tok, len))
		return PL_EUNAUTH;	/* cannot be a sessionToken */
	return db_session_user(db, tok, len, cfg->max_age, cfg->update_age,
	    read, s->author, &s->renewed);
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
	/* Path=/ and never a Domain: what a "__Host-" name requires. */
	buf_printf(h, "; Path=/; Expires=%s; HttpOnly; %sSameSite=Lax\r\n",
	    date, needs_secure(s->cookie) ? "Secure; " : "");
}
