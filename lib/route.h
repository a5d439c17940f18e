/*
 * route.h - which resource a request names, and which methods it allows.
 *
 * Routing works on the raw path (REQUEST_URI up to '?'), never on a decoded
 * one: "%2F", "//" and dot segments are simply paths that match nothing.
 */
#ifndef PLACES_ROUTE_H
#define PLACES_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define ROUTE_MAX_PATH	2048	/* longer paths match nothing */
#define UUID_LEN	36	/* 8-4-4-4-12 hex digits */

enum route {
	ROUTE_COLLECTION = 0,	/* /api/places, /api/places/ */
	ROUTE_ITEM,		/* /api/places/<uuid> */
	ROUTE__COUNT
};

enum method {
	METHOD_GET = 0,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_PATCH,
	METHOD_DELETE,
	METHOD__COUNT,
	METHOD_OTHER = METHOD__COUNT	/* anything else, e.g. "get", "TRACE" */
};

struct route_match {
	enum route	 route;
	char		 id[UUID_LEN + 1];	/* ROUTE_ITEM: lower-case uuid */
};

/* Method tokens are case-sensitive (RFC 9110, section 9.1). */
enum method	method_parse(const char *buf, size_t len);
const char	*method_name(enum method);

/*
 * Matches the path buf[0..len).  PL_OK with *m filled, or PL_ENOTFOUND for
 * anything that is not exactly one of the two routes, an item id that is
 * not a uuid included.
 */
enum pl_err	route_match(const char *buf, size_t len, struct route_match *m)
		    PL_MUST_CHECK;

/* Whether the route serves the method; the value of the Allow header. */
bool		route_allows(enum route, enum method);
const char	*route_allow_header(enum route);

#endif
