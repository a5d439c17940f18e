/*
 * cursor.h - the opaque cursor of GET /api/places?cursor=: where the next
 * page of the list starts (keyset pagination).
 *
 * The list is ordered by (createdAt, id), newest first; a cursor holds the
 * last (createdAt, id) a page showed, and the next page is the rows below
 * it: WHERE (created_at, id) < (cursor), on the index of that order, so
 * page 1,000 costs what page 1 does (an offset costs a scan of the rows it
 * skips).  Rows inserted meanwhile never shift a page, as they do with an
 * offset.
 *
 * On the wire a cursor is 34 characters of base64url without padding
 * (RFC 4648, section 5) of 25 bytes: a version byte (1), createdAt in
 * microseconds since 1970 UTC (int64, big-endian; PostgreSQL's timestamptz
 * has microseconds) and the id's 16 bytes.  Clients must treat it as
 * opaque; the version lets its contents change later.
 */
#ifndef PLACES_CURSOR_H
#define PLACES_CURSOR_H

#include <stddef.h>

#include "error.h"

#define CURSOR_LEN	34	/* characters on the wire */
#define CURSOR_VERSION	1
#define CURSOR_TIME_MAX	32	/* "9999-12-31 23:59:59.999999+00" + NUL */
#define CURSOR_ID_MAX	37	/* a uuid's text + NUL */

/*
 * The position.  usec is limited to years 1 to 9999 (what the SQL
 * parameter's text can say without BC or 5-digit years).
 */
struct cursor {
	long long	 usec;		/* createdAt, microseconds since 1970 */
	unsigned char	 id[16];	/* the place's uuid */
};

/*
 * Parses the cursor buf[0..len) (the query value, %-decoded).  Only the
 * canonical text of a version 1 cursor with a time in range is accepted.
 * PL_OK; PL_EBADREQ.
 */
enum pl_err	cursor_parse(const char *buf, size_t len, struct cursor *)
		    PL_MUST_CHECK;

/* The cursor's text (always CURSOR_LEN characters) and a NUL. */
void		cursor_format(const struct cursor *, char out[CURSOR_LEN + 1]);

/*
 * The cursor of a row from its text columns: the microseconds (decimal)
 * and the uuid (8-4-4-4-12 hex).  PL_OK; PL_EINTERNAL if either is not
 * what the statement returns, or the time is out of range.
 */
enum pl_err	cursor_from_row(const char *usec, size_t usec_len,
		    const char *uuid, size_t uuid_len, struct cursor *)
		    PL_MUST_CHECK;

/*
 * The statement parameters: the time as timestamptz text in UTC
 * ("2026-12-07 16:48:47.123456+00"), the id as uuid text.
 */
void		cursor_time_param(const struct cursor *,
		    char out[CURSOR_TIME_MAX]);
void		cursor_id_param(const struct cursor *, char out[CURSOR_ID_MAX]);

#endif
