/*
 * log.h - one JSON object per line on stderr (JSON lines), so that the
 * whole stream, messages and access lines alike, needs one parser:
 *
 *   {"time":"2026-11-27T10:54:03.123456Z","level":"warn","prog":"places.fcgi",
 *    "pid":4242,"request_id":"5f2c...","user_id":12,"msg":"db: ..."}
 *   {"time":"2026-11-27T10:54:03.125001Z","level":"info","prog":"places.fcgi",
 *    "pid":4242,"request_id":"5f2c...","event":"request","method":"GET",
 *    "path":"/api/places","status":200,"duration_us":1834,"user_id":12,
 *    "msg":"request"}
 *
 * (each on one line).  time is RFC 3339 UTC with microseconds; request_id
 * and user_id appear while a request is being served (log_set_request(),
 * log_set_user()); the access line of a request (log_access()) always has
 * user_id, null when nobody was authenticated, and is the only line with
 * "event".  Strings are escaped so that a line is valid JSON in valid
 * UTF-8 whatever bytes a message or a path holds: an invalid UTF-8 byte
 * in a message becomes U+FFFD, and a path's bytes outside printable ASCII
 * are percent-encoded (%XX).  What is cut to fit ends in U+2026 (an
 * ellipsis): a message at about 2 KB, a path at LOG_PATH_MAX bytes.
 *
 * log_warn() appends strerror(errno), log_warnx() does not, as in err(3).
 * Session tokens, cookies and query strings are never passed here:
 * callers log a token's source ("cookie", "bearer"), never its bytes.
 */
#ifndef PLACES_LOG_H
#define PLACES_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define LOG_PATH_MAX	256	/* path bytes kept in an access line */

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG
};

/* Also takes the pid the lines carry: call it again in a forked child. */
void	log_init(const char *progname, enum log_level);
/* Parses "error", "warn", "info", "debug"; false on anything else. */
bool	log_level_parse(const char *, size_t, enum log_level *);
bool	log_enabled(enum log_level);
/*
 * Sets the request id printed on each line until the next call, and
 * forgets the user; NULL clears both.
 */
void	log_set_request(const char *id, size_t len);
/*
 * The author of the current request (db.h's key; NULL or "": none):
 * user_id is the app user's id, a number when it is one ("u:12" is 12),
 * else the key as a string.
 */
void	log_set_user(const char *author);

/*
 * The access line of the current request, at level info: the method,
 * the path (without its query string: the caller cuts it), the status and
 * the time taken.  The user is the one given to log_set_user().
 */
void	log_access(const char *method, size_t method_len, const char *path,
	    size_t path_len, int status, long long duration_us);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
