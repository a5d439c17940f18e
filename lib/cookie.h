/*
 * cookie.h - the Cookie request header (RFC 6265, section 5.4 / 4.2.1).
 *
 * Parsing allocates nothing: results point into the caller's buffer.
 */
#ifndef PLACES_COOKIE_H
#define PLACES_COOKIE_H

#include <stddef.h>

#include "error.h"

#define COOKIE_MAX_HEADER	16384	/* bytes of one Cookie header */
#define COOKIE_MAX_PAIRS	128	/* name=value pairs in it */

/*
 * Finds the first cookie called name (exact, case-sensitive) in the header
 * buf[0..len).  Pairs are separated by ';' with optional spaces; a value in
 * double quotes is returned without them; pairs without '=' are skipped.
 *
 * Returns PL_OK with *val, *vallen pointing into buf; PL_ENOTFOUND when no
 * such cookie is present; PL_EBADREQ when the header is longer than
 * COOKIE_MAX_HEADER, has more than COOKIE_MAX_PAIRS pairs, or contains a
 * NUL byte (the whole header is checked, wherever the cookie is).
 */
enum pl_err	cookie_find(const char *buf, size_t len, const char *name,
		    size_t namelen, const char **val, size_t *vallen)
		    PL_MUST_CHECK;

#endif
