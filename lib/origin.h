/*
 * origin.h - the cross-site write check.  A browser sends the session
 * cookie with any request to our host, including one a hostile page makes;
 * the Origin header (RFC 6454, section 7) says which page made it.
 */
#ifndef PLACES_ORIGIN_H
#define PLACES_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#define ORIGIN_MAX	512	/* bytes of an Origin we compare */

/* The request's own origin, as the server describes the request. */
struct origin_self {
	const char	*scheme;	/* REQUEST_SCHEME: "http", "https" */
	size_t		 slen;
	const char	*host;		/* HTTP_HOST, with or without a port */
	size_t		 hlen;
	const char	*port;		/* SERVER_PORT, or NULL */
	size_t		 plen;
};

/*
 * Whether origin[0..olen) may write with a cookie: it is the request's own
 * "<scheme>://<host>[:<port>]" — the port from the Host value if it has
 * one, else SERVER_PORT unless it is the scheme's default (Debian's
 * fastcgi_params passes nginx's $host, which has no port) — or one of the
 * space- or comma-separated origins in allowed (NULL: none).  Comparison
 * ignores case (RFC 6454 4: scheme and host are lower-cased).  "null" and
 * anything over ORIGIN_MAX never match.
 */
bool	origin_allowed(const char *origin, size_t olen,
	    const struct origin_self *self, const char *allowed);

#endif
