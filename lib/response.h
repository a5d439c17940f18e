/*
 * response.h - what the worker answers: a status, a few headers and a JSON
 * body, gathered in memory and written in one go.
 *
 * Every response is JSON (Content-Type: application/json; charset=utf-8).
 * response_error() is the one place where an enum pl_err becomes an HTTP
 * status and body.
 */
#ifndef PLACES_RESPONSE_H
#define PLACES_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

struct json_object;

struct response {
	int		 status;
	bool		 head;		/* HEAD: send headers only */
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
};

/* Empties the response for the next request, keeping its memory. */
void	response_reset(struct response *);
void	response_free(struct response *);

/* Adds a header line; name and value are trusted (ours, or validated). */
void	response_header(struct response *, const char *name,
	    const char *value, size_t len);

/* Sets the status and serialises obj as the body; obj is not released. */
enum pl_err	response_json(struct response *, int status,
		    struct json_object *obj) PL_MUST_CHECK;

/*
 * Turns err into its status and JSON body, e.g. 401
 * {"status":"Not authorized"}.  detail (PL_EBADREQ, PL_EJSON) and errors
 * (PL_EINVALID) are added when given; allow is the Allow header of a 405.
 * Falls back to a fixed 500 body if even that runs out of memory.
 */
void	response_error(struct response *, enum pl_err err, const char *detail,
	    struct json_object *errors, const char *allow);

/*
 * The CGI/FastCGI response head for the current state: Status, Content-Type,
 * Content-Length, the extra headers and the blank line, into out (reset
 * first).  True when the body is to be sent after it (not for HEAD).
 *
 * If any part ran out of memory (an extra header cut part-way, the body,
 * out itself), out holds the fixed 500 instead, whole: its head and,
 * unless HEAD, its body {"status":"Internal error"}; r's status becomes
 * 500 (for the access log), and false: nothing is to follow.
 * out->failed means even that did not fit: send nothing.
 */
bool	response_head(struct response *, struct buf *out);

#endif
