/*
 * buf.h - a growable byte buffer with a sticky failure flag.
 *
 * A run of appends needs one check at the end: once an allocation fails,
 * `failed` stays set and later appends do nothing (the pgbouncer habit).
 * The buffer owns `data`; buf_free() releases it.  `data` is always
 * NUL-terminated when len > 0 and !failed, for the convenience of libraries
 * that want C strings, but lengths are what count.
 */
#ifndef PLACES_BUF_H
#define PLACES_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	bool	 failed;	/* an append ran out of memory */
};

#define BUF_INIT { NULL, 0, 0, false }

/* Empties the buffer and clears `failed`, keeping its memory for reuse. */
void	buf_reset(struct buf *);
/* Releases the memory; the buffer is BUF_INIT afterwards. */
void	buf_free(struct buf *);
/* Makes room for `more` bytes; false (and `failed` set) when it cannot. */
bool	buf_reserve(struct buf *, size_t more);
void	buf_add(struct buf *, const void *, size_t);
void	buf_addc(struct buf *, char);
/* Appends a trusted, NUL-terminated string (literals, our own output). */
void	buf_adds(struct buf *, const char *);
/* Appends n in decimal: what the per-request headers need, sans printf. */
void	buf_addu(struct buf *, unsigned long long n);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
