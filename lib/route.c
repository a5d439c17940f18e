#include <string.h>

#include "hex.h"
#include "route.h"

#define PREFIX		"/api/places"
#define PREFIX_LEN	(sizeof(PREFIX) - 1)

static const char *const method_names[METHOD__COUNT] = {
	[METHOD_GET] = "GET",
	[METHOD_HEAD] = "HEAD",
	[METHOD_POST] = "POST",
	[METHOD_PUT] = "PUT",
	[METHOD_PATCH] = "PATCH",
	[METHOD_DELETE] = "DELETE",
};

#define M(x)	(1u << (x))

/* The declarative table: which methods each route serves. */
static const struct {
	unsigned	 methods;
	const char	*allow;
} routes[ROUTE__COUNT] = {
	[ROUTE_COLLECTION] = {
		M(METHOD_GET) | M(METHOD_HEAD) | M(METHOD_POST),
		"GET, HEAD, POST" },
	[ROUTE_ITEM] = {
		M(METHOD_GET) | M(METHOD_HEAD) | M(METHOD_PUT) |
		M(METHOD_PATCH) | M(METHOD_DELETE),
		"GET, HEAD, PUT, PATCH, DELETE" },
};

enum method
method_parse(const char *buf, size_t len)
{
	int	 i;

	for (i = 0; i < METHOD__COUNT; i++)
		if (strlen(method_names[i]) == len &&
		    memcmp(method_names[i], buf, len) == 0)
			return (enum method)i;
	return METHOD_OTHER;
}

const char *
method_name(enum method m)
{
	return m < METHOD__COUNT ? method_names[m] : "OTHER";
}

/* Copies a canonical uuid, lower-cased, into out; false if buf is not one. */
static bool
uuid_parse(const char *buf, size_t len, char out[UUID_LEN + 1])
{
	size_t	 i;

	if (len != UUID_LEN)
		return false;
	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (buf[i] != '-')
				return false;
			out[i] = '-';
		} else if (hexval(buf[i]) < 0)
			return false;
		else
			out[i] = "0123456789abcdef"[hexval(buf[i])];
	}
	out[UUID_LEN] = '\0';
	return true;
}

enum pl_err
route_match(const char *buf, size_t len, struct route_match *m)
{
	const char	*rest;
	size_t		 rlen;

	if (len > ROUTE_MAX_PATH || len < PREFIX_LEN ||
	    memcmp(buf, PREFIX, PREFIX_LEN) != 0)
		return PL_ENOTFOUND;
	rest = buf + PREFIX_LEN;
	rlen = len - PREFIX_LEN;
	if (rlen == 0 || (rlen == 1 && rest[0] == '/')) {
		m->route = ROUTE_COLLECTION;
		m->id[0] = '\0';
		return PL_OK;
	}
	if (rest[0] != '/' || !uuid_parse(rest + 1, rlen - 1, m->id))
		return PL_ENOTFOUND;
	m->route = ROUTE_ITEM;
	return PL_OK;
}

bool
route_allows(enum route r, enum method m)
{
	return r < ROUTE__COUNT && m < METHOD__COUNT &&
	    (routes[r].methods & M(m)) != 0;
}

const char *
route_allow_header(enum route r)
{
	return r < ROUTE__COUNT ? routes[r].allow : "";
}
