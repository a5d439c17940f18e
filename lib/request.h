/*
 * request.h - one HTTP request as the web server hands it over: FastCGI
 * parameters or CGI environment variables (RFC 3875), and a body stream.
 *
 * A request borrows everything: the strings point into the parameter array
 * (which libfcgi owns until FCGX_Finish_r) and the body is read into a
 * buffer the caller owns.
 */
#ifndef PLACES_REQUEST_H
#define PLACES_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "error.h"
#include "route.h"

#define REQUEST_ID_MAX	64	/* bytes of an X-Request-Id we adopt */

/* A (pointer, length) view; ptr is NULL when the parameter is absent. */
struct str {
	const char	*ptr;
	size_t		 len;
};

/* Reads up to len body bytes into buf; returns the count, 0 at the end. */
typedef ssize_t (*body_read_fn)(void *arg, char *buf, size_t len);

struct request {
	struct str	 method;		/* REQUEST_METHOD */
	enum method	 meth;
	struct str	 path;			/* REQUEST_URI up to '?' */
	struct str	 query;			/* QUERY_STRING */
	struct str	 content_type;		/* CONTENT_TYPE */
	struct str	 content_length;	/* CONTENT_LENGTH */
	struct str	 cookie;		/* HTTP_COOKIE */
	struct str	 authorization;		/* HTTP_AUTHORIZATION */
	struct str	 origin;		/* HTTP_ORIGIN */
	struct str	 host;			/* HTTP_HOST */
	struct str	 scheme;		/* REQUEST_SCHEME, or from HTTPS */
	struct str	 port;			/* SERVER_PORT */
	char		 id[REQUEST_ID_MAX + 1];	/* for the logs */
	char		 pathbuf[ROUTE_MAX_PATH + 1];	/* CGI fallback */
	body_read_fn	 read;
	void		*read_arg;
};

/*
 * Fills req from a NULL-terminated "NAME=value" array (FastCGI params or
 * environ).  The path is REQUEST_URI up to '?' (nginx, Apache and most CGI
 * servers set it); without it, SCRIPT_NAME followed by PATH_INFO, the
 * RFC 3875 variables (an over-long pair routes nowhere).
 */
void		request_init(struct request *req, char **envp,
		    body_read_fn read, void *read_arg);

/* Whether CONTENT_TYPE is application/json (charset, if any, utf-8). */
bool		request_is_json(const struct request *);

/*
 * Reads the body into out (reset first), refusing to hold more than max
 * bytes: a CONTENT_LENGTH over max fails before anything is read.
 *
 * PL_OK; PL_ETOOBIG; PL_EBADREQ for a malformed CONTENT_LENGTH or a body
 * shorter than it declared; PL_ENOMEM.
 */
enum pl_err	request_body(struct request *, size_t max, struct buf *out)
		    PL_MUST_CHECK;

#endif
