#include <string.h>

#include "cookie.h"

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

enum pl_err
cookie_iter_init(struct cookie_iter *it, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *semi;
	size_t		 pairs = 0;

	if (len > COOKIE_MAX_HEADER || memchr(buf, '\0', len) != NULL)
		return PL_EBADREQ;
	/* Count first, so the limit holds wherever a caller stops. */
	while (p < end) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		while (p < semi && is_ows(*p))
			p++;
		if (p < semi && ++pairs > COOKIE_MAX_PAIRS)
			return PL_EBADREQ;
		/* As cookie_next(): semi + 1 past end is not a pointer C allows. */
		p = semi < end ? semi + 1 : end;
	}
	it->p = buf;
	it->end = end;
	it->pairs = pairs;
	return PL_OK;
}

bool
cookie_next(struct cookie_iter *it, const char **name, size_t *namelen,
    const char **val, size_t *vallen)
{
	const char	*n, *ne, *v, *ve, *semi, *eq;

	while (it->p < it->end) {
		if ((semi = memchr(it->p, ';', (size_t)(it->end - it->p))) ==
		    NULL)
			semi = it->end;
		n = it->p;
		it->p = semi < it->end ? semi + 1 : it->end;
		while (n < semi && is_ows(*n))
			n++;
		if (n == semi ||
		    (eq = memchr(n, '=', (size_t)(semi - n))) == NULL)
			continue;	/* empty pair, or no '=' */
		ne = eq;
		while (ne > n && is_ows(ne[-1]))
			ne--;
		v = eq + 1;
		ve = semi;
		while (v < ve && is_ows(*v))
			v++;
		while (ve > v && is_ows(ve[-1]))
			ve--;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		*name = n;
		*namelen = (size_t)(ne - n);
		*val = v;
		*vallen = (size_t)(ve - v);
		return true;
	}
	return false;
}

enum pl_err
cookie_find(const char *buf, size_t len, const char *name, size_t namelen,
    const char **val, size_t *vallen)
{
	struct cookie_iter	 it;
	const char		*n, *v;
	size_t			 nl, vl;
	enum pl_err		 rc;

	if ((rc = cookie_iter_init(&it, buf, len)) != PL_OK)
		return rc;
	while (cookie_next(&it, &n, &nl, &v, &vl))
		if (nl == namelen && memcmp(n, name, namelen) == 0) {
			*val = v;
			*vallen = vl;
			return PL_OK;
		}
	return PL_ENOTFOUND;
}
