/*
 * utf8.h - strict UTF-8 (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
#ifndef PLACES_UTF8_H
#define PLACES_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when buf[0..len) is valid UTF-8; *chars (if not NULL) is then the
 * number of code points.  NUL bytes are valid UTF-8: callers that refuse
 * them check separately.
 */
bool	utf8_valid(const char *buf, size_t len, size_t *chars);

#endif
