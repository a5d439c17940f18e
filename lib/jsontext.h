/*
 * jsontext.h - the lexical rules of RFC 8259 that json-c's strict mode
 * does not enforce, checked on the text before json-c reads it.  Both
 * readers of client JSON use it: place bodies (place.c) and session JWT
 * headers and claims (jwt.c, jwe.c).
 */
#ifndef PLACES_JSONTEXT_H
#define PLACES_JSONTEXT_H

#include <stddef.h>

/*
 * Why buf[0..len) is not JSON text, as far as its tokens show, or NULL.
 * Refused: bare words but true, false, null (NaN, Infinity); numbers
 * outside section 6's grammar (00, -01, 1., .5, -.5, 1.e5, +1, 1e, 0x1);
 * raw control characters inside strings (section 7); U+0000 in a member
 * name (json-c keeps names as C strings).  The structure is json-c's to
 * check.  Static text.
 */
const char	*jsontext_check(const char *buf, size_t len);

#endif
