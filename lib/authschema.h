/*
 * authschema.h - where the app's NextAuth adapter keeps its users and
 * sessions, and where the worker keeps its own tables.
 *
 * One setting, PLACES_AUTH_SCHEMA, names the adapter's layout (a preset);
 * the PLACES_AUTH_* overrides rename single tables and columns (Prisma's
 * @@map/@map, Drizzle tables of the app's own, a schema other than
 * public); PLACES_SCHEMA names the worker's own schema.  What the names
 * cannot say (whether the sessions table has an id, whether its expiry
 * is timestamptz or timestamp, the type of the users' id) is read from the
 * catalog once, at start-up, by authschema_check(), which also stops the
 * worker (and placesctl) when a table or column is missing.
 *
 *   preset    users table (id, email, name)   sessions table (token, user, expires)
 *   pg        users (id, email, name)         sessions ("sessionToken", "userId", expires)
 *   prisma    "User" (id, email, name)        "Session" ("sessionToken", "userId", expires)
 *   drizzle   "user" (id, email, name)        "session" ("sessionToken", "userId", expires)
 *   kysely    "User" (id, email, name)        "Session" ("sessionToken", "userId", expires)
 *   none      no adapter tables: JWT sessions only
 */
#ifndef PLACES_AUTHSCHEMA_H
#define PLACES_AUTHSCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"
#include "stmt.h"

#define AUTHSCHEMA_DEFAULT_OWN	"places"	/* PLACES_SCHEMA's default */
#define AUTHSCHEMA_MAX_TYPE	64		/* bytes of users.id's type */

enum auth_preset {
	AP_PG,		/* @auth/pg-adapter (the default; v1's tables) */
	AP_PRISMA,	/* @auth/prisma-adapter, @next-auth/prisma-adapter */
	AP_DRIZZLE,	/* @auth/drizzle-adapter's default tables */
	AP_KYSELY,	/* @auth/kysely-adapter's documented tables */
	AP_NONE,	/* JWT sessions only: no adapter tables */
	AP__COUNT
};

struct authschema {
	enum auth_preset preset;
	const char	*preset_name;
	/* Names as the database spells them (enum sql_name); not owned. */
	const char	*name[SN__COUNT];
	bool		 overridden;	/* some PLACES_AUTH_* besides the preset */
	/* The preset's, then the catalog's (authschema_check()). */
	bool		 checked;
	bool		 session_id;	/* the sessions table has an id column */
	bool		 expires_utc;	/* expires is timestamp (UTC), not tz */
	char		 users_id_type[AUTHSCHEMA_MAX_TYPE];
};

/*
 * Fills a with a preset's names, no overrides, and what its ORM makes
 * (nothing checked yet).
 */
void		authschema_preset(struct authschema *a, enum auth_preset);

/*
 * Fills a from the environment (PLACES_AUTH_SCHEMA, the PLACES_AUTH_*
 * overrides, PLACES_SCHEMA).  PL_OK, or PL_EBADREQ with a message naming
 * the variable in err.  Strings point into the environment or are static.
 */
enum pl_err	authschema_from_env(struct authschema *a, char *err,
		    size_t errlen) PL_MUST_CHECK;

/*
 * Looks the app's tables and columns up in conn's catalog, and with own
 * the worker's tables too, and records what the statements depend on.
 * PL_OK; PL_EBADREQ with err naming the first table or column missing;
 * PL_EDBDOWN when the query fails (err says why).
 */
enum pl_err	authschema_check(struct authschema *a, PGconn *conn, bool own,
		    char *err, size_t errlen) PL_MUST_CHECK;

/* The names and facts the statement table needs (after the check). */
void		authschema_names(const struct authschema *a,
		    struct sql_names *n);

/* Whether this is v1's layout: pg, no overrides, default own schema. */
bool		authschema_is_v1(const struct authschema *a);

#endif
