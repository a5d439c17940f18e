#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum pl_err
config_number(const char *s, size_t len, unsigned long long min,
    unsigned long long max, unsigned long long *out)
{
	unsigned long long	 v = 0;
	size_t			 i;

	/* 19 digits always fit in 64 bits, so no overflow check is needed. */
	if (len == 0 || len > 19)
		return PL_EBADREQ;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return PL_EBADREQ;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < min || v > max)
		return PL_EBADREQ;
	*out = v;
	return PL_OK;
}

/* A cookie-name token (RFC 6265 4.1.1, RFC 9110 5.6.2). */
static bool
cookie_name_ok(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len > CONFIG_MAX_COOKIE_NAME)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("!#$%&'*+-.^_`|~", s[i]) != NULL))
			return false;
	return true;
}

/*
 * Auth.js v5's secrets in the order decode() tries them: @auth/core's
 * setEnvDefaults() pushes AUTH_SECRET, then unshifts AUTH_SECRET_1, _2
 * and _3; next-auth 5 (lib/env.js l.21) takes NEXTAUTH_SECRET when there
 * is no AUTH_SECRET.
 */
static void
auth_secrets(struct config *cfg)
{
	static const char *const names[] = { "AUTH_SECRET_3", "AUTH_SECRET_2",
	    "AUTH_SECRET_1", "AUTH_SECRET" };
	const char	*v;
	size_t		 i;

	cfg->n_auth_secrets = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = getenv(names[i])) != NULL && v[0] != '\0')
			cfg->auth_secrets[cfg->n_auth_secrets++] = v;
	v = getenv("AUTH_SECRET");
	if ((v == NULL || v[0] == '\0') && cfg->nextauth_secret != NULL)
		cfg->auth_secrets[cfg->n_auth_secrets++] =
		    cfg->nextauth_secret;
}

enum pl_err
config_from_env(struct config *cfg, char *err, size_t errlen)
{
	const char		*v;
	unsigned long long	 n;

	cfg->database_url = NULL;
	cfg->database_read_url = NULL;
	cfg->pool_transaction = false;
	cfg->max_body = CONFIG_MAX_BODY_DEFAULT;
	cfg->log_level = LOG_INFO;
	cfg->nextauth_secret = NULL;
	cfg->session_cookie = NULL;
	cfg->session_max_age = CONFIG_MAX_AGE_DEFAULT;
	cfg->session_update_age = CONFIG_UPDATE_AGE_DEFAULT;
	cfg->allowed_origins = NULL;
	if ((v = getenv("PLACES_ALLOWED_ORIGINS")) != NULL && v[0] != '\0')
		cfg->allowed_origins = v;

	if ((v = getenv("DATABASE_URL")) != NULL && v[0] != '\0')
		cfg->database_url = v;
	if ((v = getenv("DATABASE_READ_URL")) != NULL && v[0] != '\0')
		cfg->database_read_url = v;
	if ((v = getenv("PLACES_DB_POOL_MODE")) != NULL && v[0] != '\0') {
		if (strcmp(v, "transaction") == 0)
			cfg->pool_transaction = true;
		else if (strcmp(v, "session") != 0) {
			snprintf(err, errlen, "PLACES_DB_POOL_MODE: want "
			    "session or transaction");
			return PL_EBADREQ;
		}
	}

	if ((v = getenv("PLACES_MAX_BODY")) != NULL && v[0] != '\0') {
		if (config_number(v, strlen(v), 1, CONFIG_MAX_BODY_LIMIT, &n)
		    != PL_OK) {
			snprintf(err, errlen, "PLACES_MAX_BODY: want a number "
			    "of bytes from 1 to %d", CONFIG_MAX_BODY_LIMIT);
			return PL_EBADREQ;
		}
		cfg->max_body = (size_t)n;
	}

	if ((v = getenv("PLACES_LOG_LEVEL")) != NULL && v[0] != '\0' &&
	    !log_level_parse(v, strlen(v), &cfg->log_level)) {
		snprintf(err, errlen, "PLACES_LOG_LEVEL: want error, warn, "
		    "info or debug");
		return PL_EBADREQ;
	}

	if ((v = getenv("NEXTAUTH_SECRET")) != NULL && v[0] != '\0')
		cfg->nextauth_secret = v;
	auth_secrets(cfg);

	if ((v = getenv("PLACES_SESSION_COOKIE")) != NULL && v[0] != '\0') {
		if (!cookie_name_ok(v)) {
			snprintf(err, errlen, "PLACES_SESSION_COOKIE: want a "
			    "cookie name of 1 to %d letters, digits and "
			    "!#$%%&'*+-.^_`|~", CONFIG_MAX_COOKIE_NAME);
			return PL_EBADREQ;
		}
		cfg->session_cookie = v;
	}

	if ((v = getenv("PLACES_SESSION_MAX_AGE")) != NULL && v[0] != '\0') {
		if (config_number(v, strlen(v), 1, CONFIG_MAX_AGE_LIMIT, &n)
		    != PL_OK) {
			snprintf(err, errlen, "PLACES_SESSION_MAX_AGE: want "
			    "seconds from 1 to %lld", CONFIG_MAX_AGE_LIMIT);
			return PL_EBADREQ;
		}
		cfg->session_max_age = (long long)n;
	}
	if ((v = getenv("PLACES_SESSION_UPDATE_AGE")) != NULL && v[0] != '\0') {
		if (config_number(v, strlen(v), 0,
		    (unsigned long long)cfg->session_max_age, &n) != PL_OK) {
			snprintf(err, errlen, "PLACES_SESSION_UPDATE_AGE: want "
			    "seconds from 0 to PLACES_SESSION_MAX_AGE");
			return PL_EBADREQ;
		}
		cfg->session_update_age = (long long)n;
	}
	return PL_OK;
}
