#include <string.h>
#include <strings.h>

#include "origin.h"

static bool
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* Whether a Host value carries a port: a ':' after any "[v6]" part. */
static bool
has_port(const char *host, size_t hlen)
{
	const char	*close = memchr(host, ']', hlen);
	const char	*from = close ? close : host;

	return memchr(from, ':', hlen - (size_t)(from - host)) != NULL;
}

/* Whether origin is "<scheme>://<host>[:<port>]" of this request. */
static bool
is_self(const char *origin, size_t olen, const struct origin_self *s)
{
	size_t	 rest;
	bool	 dflt;

	if (s->scheme == NULL || s->host == NULL || s->hlen == 0 ||
	    olen < s->slen + 3 + s->hlen ||
	    !same(origin, s->slen, s->scheme, s->slen) ||
	    memcmp(origin + s->slen, "://", 3) != 0 ||
	    strncasecmp(origin + s->slen + 3, s->host, s->hlen) != 0)
		return false;
	rest = olen - s->slen - 3 - s->hlen;
	if (has_port(s->host, s->hlen))
		return rest == 0;	/* the Host value said it all */
	dflt = s->port == NULL || (same(s->scheme, s->slen, "http", 4) &&
	    same(s->port, s->plen, "80", 2)) || (same(s->scheme, s->slen,
	    "https", 5) && same(s->port, s->plen, "443", 3));
	if (rest == 0)
		return dflt;	/* an origin without a port means the default */
	return !dflt && rest == s->plen + 1 && origin[olen - rest] == ':' &&
	    memcmp(origin + olen - s->plen, s->port, s->plen) == 0;
}

bool
origin_allowed(const char *origin, size_t olen, const struct origin_self *self,
    const char *allowed)
{
	const char	*p;
	size_t		 n;

	/* "null": a sandboxed or file: page, never one of ours. */
	if (olen == 0 || olen > ORIGIN_MAX || memchr(origin, '\0', olen) ||
	    same(origin, olen, "null", 4))
		return false;
	if (is_self(origin, olen, self))
		return true;
	if (allowed == NULL)
		return false;
	for (p = allowed; *p != '\0'; p += n) {
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n > 0 && same(origin, olen, p, n))
			return true;
	}
	return false;
}
