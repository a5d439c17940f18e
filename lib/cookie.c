#include <string.h>

#include "cookie.h"

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

enum pl_err
cookie_find(const char *buf, size_t len, const char *name, size_t namelen,
    const char **val, size_t *vallen)
{
	const char	*p = buf, *end = buf + len, *semi, *eq;
	const char	*n, *ne, *v, *ve;
	size_t		 pairs = 0;
	int		 found = 0;

	if (len > COOKIE_MAX_HEADER || memchr(buf, '\0', len) != NULL)
		return PL_EBADREQ;

	while (p < end) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		n = p;
		p = semi < end ? semi + 1 : end;

		while (n < semi && is_ows(*n))
			n++;
		if (n == semi)
			continue;	/* empty pair, e.g. "a=1;;b=2" */
		if (++pairs > COOKIE_MAX_PAIRS)
			return PL_EBADREQ;
		if (found || (eq = memchr(n, '=', (size_t)(semi - n))) == NULL)
			continue;

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
		if ((size_t)(ne - n) == namelen &&
		    memcmp(n, name, namelen) == 0) {
			*val = v;
			*vallen = (size_t)(ve - v);
			found = 1;
		}
	}
	return found ? PL_OK : PL_ENOTFOUND;
}
