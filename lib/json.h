/*
 * json.h - writing JSON text straight into a buffer, for answers whose
 * shape is fixed (a place, a list of places), where building a json-c
 * tree only to print it costs more than the rest of the request.
 * Parsing stays with json-c (place.c).
 */
#ifndef PLACES_JSON_H
#define PLACES_JSON_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends s[0..len) as a JSON string, quotes included: '"', '\\' and the
 * control characters are escaped (as json-c's plain, no-slash-escape
 * output does, so both writers agree byte for byte); every other byte is
 * copied.  The text must be UTF-8 already (PostgreSQL's, in a UTF8
 * database, is).  Never reads past len; NUL bytes are escaped too.
 */
void	json_put_string(struct buf *, const char *s, size_t len);

#endif
