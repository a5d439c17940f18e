/*
 * cookie.h - the Cookie request header (RFC 6265, sections 4.2.1, 5.4).
 *
 * Parsing allocates nothing: names and values point into the caller's
 * buffer.
 */
#ifndef PLACES_COOKIE_H
#define PLACES_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * A browser keeps up to 180 cookies per host and sends them all; a
 * signed-in request with that many must be served.  32 KB is nginx's
 * header line in nginx.conf.example (large_client_header_buffers 4 32k);
 * 1024 pairs leaves room past any browser's 180.  Walking them is linear.
 */
#define COOKIE_MAX_HEADER	32768	/* bytes of one Cookie header */
#define COOKIE_MAX_PAIRS	1024	/* name=value pairs in it */

/* Walks the pairs of one header; set up with cookie_iter_init(). */
struct cookie_iter {
	const char	*p, *end;
	size_t		 pairs;
};

/*
 * Checks the whole header buf[0..len) against the limits and starts a
 * walk.  PL_OK; PL_EBADREQ when it is longer than COOKIE_MAX_HEADER, has
 * more than COOKIE_MAX_PAIRS pairs, or contains a NUL byte.
 */
enum pl_err	cookie_iter_init(struct cookie_iter *, const char *buf,
		    size_t len) PL_MUST_CHECK;

/*
 * The next pair: pairs are separated by ';' with optional spaces; a value
 * in double quotes comes without them; pairs without '=' are skipped.
 * False at the end.
 */
bool		cookie_next(struct cookie_iter *, const char **name,
		    size_t *namelen, const char **val, size_t *vallen);

/*
 * Finds the first cookie called name (exact, case-sensitive).  PL_OK with
 * *val, *vallen pointing into buf; PL_ENOTFOUND; PL_EBADREQ as
 * cookie_iter_init().
 */
enum pl_err	cookie_find(const char *buf, size_t len, const char *name,
		    size_t namelen, const char **val, size_t *vallen)
		    PL_MUST_CHECK;

#endif
