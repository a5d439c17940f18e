/*
 * log.h - one line per event on stderr, in the manner of err(3).
 *
 *   2026-11-27T10:54:03Z places.fcgi[4242] warn req=5f2c...: message
 *
 * log_warn() appends strerror(errno), log_warnx() does not.  Every line
 * carries the current request id (log_set_request()), so the lines of one
 * request can be found together.  Session tokens are never passed here:
 * callers log the token's source ("cookie", "bearer"), never its bytes.
 */
#ifndef PLACES_LOG_H
#define PLACES_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG
};

void	log_init(const char *progname, enum log_level);
/* Parses "error", "warn", "info", "debug"; false on anything else. */
bool	log_level_parse(const char *, size_t, enum log_level *);
bool	log_enabled(enum log_level);
/* Sets the id printed on each line until the next call; NULL clears it. */
void	log_set_request(const char *id, size_t len);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
