/*
 * authschema.c - the presets, the overrides, and the start-up catalog
 * check of authschema.h.
 *
 * Where each preset's names come from:
 *   pg       @auth/pg-adapter's documented schema (sql/001_nextauth.sql)
 *   prisma   the Auth.js Prisma adapter page's PostgreSQL schema: models
 *            User and Session, so tables "User" and "Session" (Prisma keeps
 *            a model's case); "Session" has an id in @next-auth/prisma-
 *            adapter's schema and none in @auth/prisma-adapter's
 *   drizzle  @auth/drizzle-adapter's pg defaults (lib/pg.js: pgTable("user"),
 *            pgTable("session"), "sessionToken" the primary key)
 *   kysely   the Kysely adapter page's PostgreSQL schema ("User", "Session")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authschema.h"

static const char *const preset_names[AP__COUNT] = {
	[AP_PG] = "pg",
	[AP_PRISMA] = "prisma",
	[AP_DRIZZLE] = "drizzle",
	[AP_KYSELY] = "kysely",
	[AP_NONE] = "none",
};

/*
 * What each preset's tables are as its ORM makes them, until the catalog
 * says (authschema_check()): an id on sessions, expires a timestamp
 * without time zone, the users' id type.
 */
static const struct {
	bool		 session_id;
	bool		 expires_utc;
	const char	*id_type;
} preset_facts[AP__COUNT] = {
	[AP_PG] = { true, false, "integer" },
	[AP_PRISMA] = { false, true, "text" },
	[AP_DRIZZLE] = { false, true, "text" },
	[AP_KYSELY] = { true, false, "uuid" },
	[AP_NONE] = { false, false, "text" },
};

/* The two table names that differ; every preset's columns are the same. */
static const char *const preset_tables[AP__COUNT][2] = {
	[AP_PG] = { "users", "sessions" },
	[AP_PRISMA] = { "User", "Session" },
	[AP_DRIZZLE] = { "user", "session" },
	[AP_KYSELY] = { "User", "Session" },
	[AP_NONE] = { NULL, NULL },
};

/* The overrides, one per name an operator may change. */
static const struct {
	const char	*var;
	enum sql_name	 name;
} overrides[] = {
	{ "PLACES_AUTH_DB_SCHEMA", SN_APP_SCHEMA },
	{ "PLACES_AUTH_USERS", SN_USERS },
	{ "PLACES_AUTH_USERS_ID", SN_USERS_ID },
	{ "PLACES_AUTH_USERS_EMAIL", SN_USERS_EMAIL },
	{ "PLACES_AUTH_USERS_NAME", SN_USERS_NAME },
	{ "PLACES_AUTH_SESSIONS", SN_SESSIONS },
	{ "PLACES_AUTH_SESSIONS_TOKEN", SN_SESSIONS_TOKEN },
	{ "PLACES_AUTH_SESSIONS_USER_ID", SN_SESSIONS_USER },
	{ "PLACES_AUTH_SESSIONS_EXPIRES", SN_SESSIONS_EXPIRES },
	{ "PLACES_SCHEMA", SN_OWN_SCHEMA },
};

/* PostgreSQL's NAMEDATALEN - 1: a longer name would be cut, silently. */
#define MAX_IDENT	63

void
authschema_preset(struct authschema *a, enum auth_preset preset)
{
	memset(a, 0, sizeof(*a));
	a->preset = preset;
	a->preset_name = preset_names[a->preset];
	a->name[SN_APP_SCHEMA] = "public";
	a->name[SN_OWN_SCHEMA] = AUTHSCHEMA_DEFAULT_OWN;
	a->session_id = preset_facts[preset].session_id;
	a->expires_utc = preset_facts[preset].expires_utc;
	snprintf(a->users_id_type, sizeof(a->users_id_type), "%s",
	    preset_facts[preset].id_type);
	if (a->preset == AP_NONE)
		return;
	a->name[SN_USERS] = preset_tables[a->preset][0];
	a->name[SN_SESSIONS] = preset_tables[a->preset][1];
	a->name[SN_USERS_ID] = "id";
	a->name[SN_USERS_EMAIL] = "email";
	a->name[SN_USERS_NAME] = "name";
	a->name[SN_SESSIONS_ID] = "id";
	a->name[SN_SESSIONS_TOKEN] = "sessionToken";
	a->name[SN_SESSIONS_USER] = "userId";
	a->name[SN_SESSIONS_EXPIRES] = "expires";
}

enum pl_err
authschema_from_env(struct authschema *a, char *err, size_t errlen)
{
	const char	*p = getenv("PLACES_AUTH_SCHEMA"), *v;
	enum auth_preset preset = AP_PG;
	size_t		 i;

	if (p != NULL && p[0] != '\0') {
		for (i = 0; i < AP__COUNT; i++)
			if (strcmp(p, preset_names[i]) == 0)
				break;
		if (i == AP__COUNT) {
			snprintf(err, errlen, "PLACES_AUTH_SCHEMA: unknown "
			    "preset \"%.32s\" (want pg, prisma, drizzle, "
			    "kysely or none)", p);
			return PL_EBADREQ;
		}
		preset = (enum auth_preset)i;
	}
	authschema_preset(a, preset);
	for (i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		if ((v = getenv(overrides[i].var)) == NULL || v[0] == '\0')
			continue;
		if (strlen(v) > MAX_IDENT) {
			snprintf(err, errlen, "%s: longer than %d bytes",
			    overrides[i].var, MAX_IDENT);
			return PL_EBADREQ;
		}
		if (a->preset == AP_NONE &&
		    overrides[i].name != SN_OWN_SCHEMA) {
			snprintf(err, errlen, "%s: PLACES_AUTH_SCHEMA=none has "
			    "no adapter tables to rename", overrides[i].var);
			return PL_EBADREQ;
		}
		a->name[overrides[i].name] = v;
		if (overrides[i].name != SN_OWN_SCHEMA)
			a->overridden = true;
	}
	if (strcmp(a->name[SN_OWN_SCHEMA], a->name[SN_APP_SCHEMA]) == 0) {
		snprintf(err, errlen, "PLACES_SCHEMA: \"%.63s\" is the app's "
		    "schema; the worker's tables live apart", a->name[SN_OWN_SCHEMA]);
		return PL_EBADREQ;
	}
	return PL_OK;
}

bool
authschema_is_v1(const struct authschema *a)
{
	return a->preset == AP_PG && !a->overridden &&
	    strcmp(a->name[SN_OWN_SCHEMA], AUTHSCHEMA_DEFAULT_OWN) == 0;
}

/*
 * The columns of schema.table: rows of (name, format_type, typname).
 * NULL after err is set when the query fails.
 */
static PGresult *
columns(PGconn *conn, const char *schema, const char *table, char *err,
    size_t errlen)
{
	const char	*params[2] = { schema, table };
	PGresult	*res;

	res = PQexecParams(conn, "SELECT a.attname, "
	    "format_type(a.atttypid, a.atttypmod), t.typname "
	    "FROM pg_catalog.pg_attribute a "
	    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN "
	    "('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading the catalog: %s",
		    PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The row of column col in res, or -1. */
static int
find_col(const PGresult *res, const char *col)
{
	int	 i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), col) == 0)
			return i;
	return -1;
}

/*
 * Checks that schema.table has the columns cols[0..n) (NULL entries
 * skipped); *out keeps the result for the caller.  PL_OK; PL_EBADREQ with
 * err naming what is missing; PL_EDBDOWN.
 */
static enum pl_err
need(PGconn *conn, const char *what, const char *schema, const char *table,
    const char *const *cols, int n, PGresult **out, char *err,
    size_t errlen)
{
	PGresult	*res;
	int		 i;

	*out = NULL;
	if ((res = columns(conn, schema, table, err, errlen)) == NULL)
		return PL_EDBDOWN;
	if (PQntuples(res) == 0) {
		snprintf(err, errlen, "%s: no table \"%s\".\"%s\"", what,
		    schema, table);
		PQclear(res);
		return PL_EBADREQ;
	}
	for (i = 0; i < n; i++)
		if (cols[i] != NULL && find_col(res, cols[i]) < 0) {
			snprintf(err, errlen, "%s: table \"%s\".\"%s\" has no "
			    "column \"%s\"", what, schema, table, cols[i]);
			PQclear(res);
			return PL_EBADREQ;
		}
	*out = res;
	return PL_OK;
}

enum pl_err
authschema_check(struct authschema *a, PGconn *conn, bool own, char *err,
    size_t errlen)
{
	const char	*ucols[3], *scols[3], *pcols[2] = { "id", "author_key" };
	const char	*acols[2] = { "sub", "email" };
	PGresult	*u = NULL, *s = NULL, *p = NULL, *w = NULL;
	enum pl_err	 rc = PL_OK;
	char		 what[96];
	int		 r;

	snprintf(what, sizeof(what), "PLACES_AUTH_SCHEMA=%s", a->preset_name);
	if (a->preset != AP_NONE) {
		ucols[0] = a->name[SN_USERS_ID];
		ucols[1] = a->name[SN_USERS_EMAIL];
		ucols[2] = a->name[SN_USERS_NAME];
		scols[0] = a->name[SN_SESSIONS_TOKEN];
		scols[1] = a->name[SN_SESSIONS_USER];
		scols[2] = a->name[SN_SESSIONS_EXPIRES];
		if ((rc = need(conn, what, a->name[SN_APP_SCHEMA],
		    a->name[SN_USERS], ucols, 3, &u, err, errlen)) != PL_OK ||
		    (rc = need(conn, what, a->name[SN_APP_SCHEMA],
		    a->name[SN_SESSIONS], scols, 3, &s, err, errlen)) != PL_OK)
			goto out;
		r = find_col(u, a->name[SN_USERS_ID]);
		/* Pasted into SQL as a cast: cut, it would be another type. */
		if ((size_t)PQgetlength(u, r, 1) >= sizeof(a->users_id_type)) {
			snprintf(err, errlen, "%s: the type of column \"%s\" "
			    "of \"%s\" is over %zu bytes", what,
			    a->name[SN_USERS_ID], a->name[SN_USERS],
			    sizeof(a->users_id_type) - 1);
			rc = PL_EBADREQ;
			goto out;
		}
		memcpy(a->users_id_type, PQgetvalue(u, r, 1),
		    (size_t)PQgetlength(u, r, 1) + 1);
		a->session_id = find_col(s, a->name[SN_SESSIONS_ID]) >= 0;
		r = find_col(s, a->name[SN_SESSIONS_EXPIRES]);
		a->expires_utc = strcmp(PQgetvalue(s, r, 2), "timestamp") == 0;
		if (!a->expires_utc &&
		    strcmp(PQgetvalue(s, r, 2), "timestamptz") != 0) {
			snprintf(err, errlen, "%s: column \"%s\" of \"%s\" is "
			    "%s, not timestamp or timestamptz", what,
			    a->name[SN_SESSIONS_EXPIRES], a->name[SN_SESSIONS],
			    PQgetvalue(s, r, 1));
			rc = PL_EBADREQ;
			goto out;
		}
	}
	if (own && ((rc = need(conn, "the worker's tables (placesctl migrate)",
	    a->name[SN_OWN_SCHEMA], "places", pcols, 2, &p, err, errlen))
	    != PL_OK || (rc = need(conn, "the worker's tables (placesctl "
	    "migrate)", a->name[SN_OWN_SCHEMA], "authors", acols, 2, &w, err,
	    errlen)) != PL_OK))
		goto out;
	a->checked = true;
out:
	PQclear(u);
	PQclear(s);
	PQclear(p);
	PQclear(w);
	return rc;
}

void
authschema_names(const struct authschema *a, struct sql_names *n)
{
	memcpy(n->name, a->name, sizeof(n->name));
	n->users = a->preset != AP_NONE;
	n->session_id = a->session_id;
	n->expires_utc = a->expires_utc;
	n->users_id_type = a->users_id_type[0] != '\0' ? a->users_id_type :
	    "integer";
}
