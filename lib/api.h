/*
 * api.h - the Places API: one request in, one response out.
 *
 * The order is fixed (as in kcgi-framework): the session first, then the
 * route (404) and the method (405), then the query or body, and only then
 * a handler, which sees a validated user, id and input.
 */
#ifndef PLACES_API_H
#define PLACES_API_H

#include <stddef.h>

#include "buf.h"
#include "session.h"

struct db;
struct request;
struct response;

struct api {
	struct db	*db;
	size_t		 max_body;	/* bytes */
	const char	*allowed_origins;	/* PLACES_ALLOWED_ORIGINS, or NULL */
	struct session_config session;
	struct buf	 body;		/* request body, reused across requests */
	struct buf	 scratch;	/* a chunked session cookie, joined */
};

/*
 * Handles req and fills resp (reset first).  Never fails: every error has
 * become a status and a JSON body.
 */
void	api_handle(struct api *, struct request *, struct response *);

#endif
