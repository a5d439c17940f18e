/*
 * config.h - the worker's settings, read once from the environment at
 * start-up.  A bad value stops the worker before it serves anything.
 *
 *   DATABASE_URL      libpq connection string or URI; when unset, libpq's
 *                     own PG* variables apply.
 *   DATABASE_READ_URL a streaming replica for list and get (optional); a
 *                     read goes there once it has caught up with the
 *                     request's session check, else to the primary.
 *   PLACES_DB_POOL_MODE  session (default) or transaction: the workers
 *                     reach PostgreSQL through a pooler in transaction
 *                     mode (pgbouncer), so no named prepared statements
 *                     and no startup options.
 *   PLACES_MAX_BODY   largest request body in bytes (default 65536,
 *                     1 .. 16777216); keep nginx's client_max_body_size equal.
 *   PLACES_LOG_LEVEL  error, warn, info (default) or debug.
 *   NEXTAUTH_SECRET   the NextAuth secret; when set, NextAuth v4 JWT session
 *                     cookies are accepted too.
 *   AUTH_SECRET, AUTH_SECRET_1 .. AUTH_SECRET_3  Auth.js v5's secrets;
 *                     when any is set (or NEXTAUTH_SECRET alone, which
 *                     next-auth 5 falls back to), Auth.js v5 JWT session
 *                     cookies are accepted too.  The list is the one
 *                     @auth/core 0.41.3 builds (lib/utils/env.js l.28-36):
 *                     AUTH_SECRET_3, _2, _1, then AUTH_SECRET.
 *   PLACES_SESSION_COOKIE      a renamed session cookie, tried first.
 *   PLACES_SESSION_MAX_AGE     NextAuth's session.maxAge in seconds
 *                              (default 2592000, 30 days).
 *   PLACES_SESSION_UPDATE_AGE  NextAuth's session.updateAge in seconds
 *                              (default 86400, 24 hours; 0 .. maxAge).
 *   PLACES_ALLOWED_ORIGINS     origins besides the API's own that may
 *                              write with a session cookie (space or
 *                              comma separated, e.g. https://app.example).
 */
#ifndef PLACES_CONFIG_H
#define PLACES_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "log.h"

#define CONFIG_MAX_BODY_DEFAULT	65536
#define CONFIG_MAX_BODY_LIMIT	(16 * 1024 * 1024)
#define CONFIG_MAX_AGE_DEFAULT	(30LL * 24 * 3600)	/* NextAuth's */
#define CONFIG_UPDATE_AGE_DEFAULT (24LL * 3600)		/* NextAuth's */
#define CONFIG_MAX_AGE_LIMIT	(3650LL * 24 * 3600)
#define CONFIG_MAX_COOKIE_NAME	64
#define CONFIG_MAX_AUTH_SECRETS	4

struct config {
	const char	*database_url;	/* NULL: libpq's PG* variables */
	const char	*database_read_url;	/* NULL: no replica */
	bool		 pool_transaction;	/* PLACES_DB_POOL_MODE */
	size_t		 max_body;
	enum log_level	 log_level;
	const char	*nextauth_secret;	/* NULL: no v4 JWT sessions */
	const char	*auth_secrets[CONFIG_MAX_AUTH_SECRETS];	/* v5 */
	size_t		 n_auth_secrets;	/* 0: no v5 JWT sessions */
	const char	*session_cookie;	/* NULL: the standard names only */
	long long	 session_max_age;	/* seconds */
	long long	 session_update_age;	/* seconds */
	const char	*allowed_origins;	/* NULL: the API's own only */
};

/*
 * Fills cfg from the environment.  PL_OK, or PL_EBADREQ with a message
 * naming the variable in err.  The strings point into the environment.
 */
enum pl_err	config_from_env(struct config *cfg, char *err, size_t errlen)
		    PL_MUST_CHECK;

/* Parses a decimal number of at most 19 digits within [min, max]. */
enum pl_err	config_number(const char *s, size_t len, unsigned long long min,
		    unsigned long long max, unsigned long long *out)
		    PL_MUST_CHECK;

#endif
