/*
 * error.h - the one error type of the library.
 *
 * Every function that can fail returns an enum pl_err.  The mapping to an
 * HTTP status and a JSON body happens in exactly one place:
 * response_error() in response.c.
 */
#ifndef PLACES_ERROR_H
#define PLACES_ERROR_H

#define PL_MUST_CHECK __attribute__((warn_unused_result))

enum pl_err {
	PL_OK = 0,
	PL_ENOMEM,	/* out of memory: 500 */
	PL_EBADREQ,	/* malformed request (query, header): 400 */
	PL_EJSON,	/* body is not a JSON object: 400 "Invalid JSON" */
	PL_EUNAUTH,	/* no valid session: 401 */
	PL_EFORBIDDEN,	/* valid session, not the owner: 403 */
	PL_ENOTFOUND,	/* no such route or place: 404 */
	PL_EMETHOD,	/* method not allowed on the route: 405 */
	PL_ETOOBIG,	/* body over the configured limit: 413 */
	PL_EMEDIA,	/* write without Content-Type application/json: 415 */
	PL_EINVALID,	/* place fields fail validation: 422 */
	PL_EDBDOWN,	/* database unreachable: 503 */
	PL_EINTERNAL,	/* anything else: 500 */
	PL_ERR__COUNT
};

/* A short English name of the error, for logs; never NULL. */
const char *pl_strerror(enum pl_err);

#endif
