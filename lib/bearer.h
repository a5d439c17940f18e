/*
 * bearer.h - the Authorization request header with the Bearer scheme
 * (RFC 6750, section 2.1; the scheme name is case-insensitive, RFC 9110
 * section 11.1).
 */
#ifndef PLACES_BEARER_H
#define PLACES_BEARER_H

#include <stddef.h>

#include "error.h"

#define BEARER_MAX_HEADER	8192	/* bytes of one Authorization header */

/*
 * Parses an Authorization header value buf[0..len):
 *   credentials = "Bearer" 1*SP b64token *OWS
 *   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * Returns PL_OK with *tok, *toklen pointing into buf; PL_ENOTFOUND when the
 * header is empty or names another scheme (Basic, ...), which this API
 * ignores; PL_EUNAUTH when the scheme is Bearer but the credentials are
 * malformed, too long, or contain a NUL byte.
 */
enum pl_err	bearer_parse(const char *buf, size_t len, const char **tok,
		    size_t *toklen) PL_MUST_CHECK;

#endif
