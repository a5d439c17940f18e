/*
 * stmt.h - every SQL statement the worker runs, as one table.
 *
 * The statements are written in stmt.c as templates, each one whole, with
 * the names of tables and columns as {key}s (the app's tables may be named
 * differently from one deployment to the next) and values only as $n
 * parameters.  stmt_table_build() expands them once at start-up, every
 * name quoted with PQescapeIdentifier(); nothing from a client ever goes
 * into the text.
 *
 * The code binds parameters through the named indexes below, never through
 * bare numbers; tests/unit/test_stmt.c fails when a statement's highest $n
 * differs from its parameter count, or when the update's field masks stop
 * following enum place_field.
 */
#ifndef PLACES_STMT_H
#define PLACES_STMT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "place.h"

/*
 * A list comes in two kinds: from a position (keyset: the first page, or
 * a cursor's) and, for compatibility, by offset (_OFFSET).  Each is a
 * statement of its own, so that each gets the plan and the cost of what
 * it does (stmt.c).
 */
enum stmt {
	ST_SESSION,
	ST_SESSION_LIST,
	ST_SESSION_LIST_OFFSET,
	ST_SESSION_LIST_MINE,
	ST_SESSION_LIST_MINE_OFFSET,
	ST_SESSION_GET,
	ST_AUTHOR,
	ST_AUTHOR_UPSERT,
	ST_USER_LOCK,
	ST_LIST,
	ST_LIST_OFFSET,
	ST_LIST_MINE,
	ST_LIST_MINE_OFFSET,
	ST_GET,
	ST_REPLICA_LIST,
	ST_REPLICA_LIST_OFFSET,
	ST_REPLICA_LIST_MINE,
	ST_REPLICA_LIST_MINE_OFFSET,
	ST_REPLICA_GET,
	ST_INSERT,
	ST_UPDATE,
	ST_OWNER,
	ST_DELETE,
	ST__COUNT
};

/*
 * Parameter indexes (0-based: index i is $(i+1)).  A statement's comment
 * in stmt.c names them; a replica statement's last parameter is always the
 * primary's WAL position it must have replayed (stmt_lsn_param()).
 */
/* ST_SESSION*: the session check, then the read done along. */
enum { SP_TOKEN, SP_MAX_AGE, SP_UPDATE_AGE, SP__COUNT };
/* ST_SESSION_LIST*: from a position (createdAt, id), or by offset. */
enum { SP_LIST_LIMIT = SP__COUNT, SP_LIST_TIME, SP_LIST_ID };
enum { SP_LIST_OFFSET = SP_LIST_LIMIT + 1 };
enum { SP_GET_ID = SP__COUNT };
/* ST_AUTHOR*: a JWT caller's sub and email (see db_jwt_author()). */
enum { AP_SUB, AP_EMAIL };
/* ST_USER_LOCK: one email (placesctl user add's inserts). */
enum { UP_EMAIL };
/* ST_LIST, ST_LIST_MINE, ST_REPLICA_LIST, ST_REPLICA_LIST_MINE. */
enum { LP_LIMIT, LP_TIME, LP_ID, LP_AUTHOR };
/* Their _OFFSET variants. */
enum { OP_LIMIT, OP_OFFSET, OP_AUTHOR };
/* ST_GET, ST_REPLICA_GET, ST_OWNER. */
enum { GP_ID };
/* ST_INSERT: the fields in enum place_field order, then these. */
enum { IP_FIELD0, IP_AUTHOR = IP_FIELD0 + PF__COUNT, IP_ID };
/* ST_UPDATE: then the fields in enum place_field order. */
enum { WP_ID, WP_AUTHOR, WP_MASK, WP_FIELD0 };
/* ST_DELETE. */
enum { DP_ID, DP_AUTHOR };

/* The most parameters any statement takes. */
#define STMT_MAX_PARAMS	(WP_FIELD0 + PF__COUNT)

/* What a statement is, besides its text. */
struct stmt_def {
	const char	*name;		/* prepared statement name */
	int		 nparams;
	bool		 idempotent;	/* safe to send again after a reconnect */
	bool		 replica;	/* runs on the replica, not the primary */
};

/* The names the templates use, in the database's spelling. */
enum sql_name {
	SN_USERS,		/* the app's users table */
	SN_USERS_ID,
	SN_USERS_EMAIL,
	SN_USERS_NAME,
	SN_SESSIONS,		/* the app's sessions table */
	SN_SESSIONS_ID,
	SN_SESSIONS_TOKEN,
	SN_SESSIONS_USER,
	SN_SESSIONS_EXPIRES,
	SN_APP_SCHEMA,		/* the schema of the app's tables */
	SN_OWN_SCHEMA,		/* the worker's schema: places, authors */
	SN__COUNT
};

/* The names, and what the catalog said about the app's tables. */
struct sql_names {
	const char	*name[SN__COUNT];	/* not owned */
	bool		 users;		/* there are users/sessions tables */
	bool		 session_id;	/* sessions has an id (else: token) */
	bool		 expires_utc;	/* expires is timestamp, holding UTC */
	const char	*users_id_type;	/* format_type() of users.id */
};

/*
 * The statements' text, expanded; owned, release with stmt_table_free().
 * NULL for a statement on the app's tables when there are none.
 */
struct stmt_table {
	char		*sql[ST__COUNT];
};

/*
 * The settings of every connection the table is prepared on, as SET
 * commands in one string (dbconn.c says why; tests/plans runs the
 * statements under them).
 */
extern const char	stmt_settings[];

/* @auth/pg-adapter's names (sql/001_nextauth.sql) in public; the worker's in places. */
void		stmt_names_default(struct sql_names *);

/*
 * Expands one template (the keys of stmt.c) into a string the caller
 * frees: placesctl's statements and DDL.  PL_OK; PL_ENOMEM; PL_EINTERNAL
 * for an unknown key.
 */
enum pl_err	stmt_expand(const struct sql_names *, const char *tpl,
		    char **out) PL_MUST_CHECK;

/*
 * Expands every template with names quoted.  PL_OK; PL_ENOMEM; PL_EINTERNAL
 * for a template that names an unknown key (a bug, caught by the unit
 * test).  On error *t owns nothing.
 */
enum pl_err	stmt_table_build(struct stmt_table *t,
		    const struct sql_names *) PL_MUST_CHECK;
void		stmt_table_free(struct stmt_table *);

/* The statement's name, parameter count and where it runs; never NULL. */
const struct stmt_def	*stmt_def(enum stmt);

/* The index of a replica statement's WAL position parameter. */
int		stmt_lsn_param(enum stmt);

#endif
