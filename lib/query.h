/*
 * query.h - the query string of GET /api/places
 * (application/x-www-form-urlencoded: '&'-separated, '+' is a space,
 * %XX escapes).
 */
#ifndef PLACES_QUERY_H
#define PLACES_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "cursor.h"
#include "error.h"

#define QUERY_MAX		2048	/* bytes of QUERY_STRING */
#define LIST_LIMIT_DEFAULT	100
#define LIST_LIMIT_MAX		1000
#define LIST_OFFSET_MAX		1000000	/* deeper pages cost a scan */

struct list_query {
	unsigned int	 limit;		/* 1 .. LIST_LIMIT_MAX */
	unsigned int	 offset;	/* 0 .. LIST_OFFSET_MAX */
	bool		 mine;		/* author=me */
	bool		 after;		/* cursor given: rows below before */
	struct cursor	 before;	/* when after */
};

/*
 * Parses buf[0..len) into q.  Known keys: limit (1..1000, default 100),
 * offset (0..1000000, default 0), author (only "me"), cursor (cursor.h;
 * not with an offset above 0, which would skip rows after the cursor's:
 * a mistake, not a page).  Numbers are decimal digits only.  Unknown keys
 * are ignored; a known key given twice, a bad value or a bad %-escape is
 * an error.
 *
 * Returns PL_OK, or PL_EBADREQ with *detail set to a static message for
 * the client.
 */
enum pl_err	query_parse(const char *buf, size_t len, struct list_query *q,
		    const char **detail) PL_MUST_CHECK;

#endif
