#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "db.h"
#include "log.h"

/* The columns of a place, in the order of enum place_col. */
#define PLACE_COLS \
	"p.id, p.name, p.location, p.image, p.\"mapURL\", p.description, " \
	"u.email, " \
	"to_char(p.created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created, " \
	"to_char(p.updated_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated"

/*
 * The place reads, each behind a gate: a boolean expression that must hold
 * for any row to come back ("true", the session is live, the replica has
 * caught up).  Lists also return created_at raw (after the place columns)
 * so that a query wrapping them can keep their order.
 */
#define PLACES_FROM	" FROM places p JOIN users u ON u.id = p.author_id "
#define NEWEST		" ORDER BY p.created_at DESC, p.id DESC "
#define Q_LIST(gate, lim, off) \
	"SELECT " PLACE_COLS ", p.created_at AS sort_at" PLACES_FROM \
	"WHERE " gate NEWEST "LIMIT " lim " OFFSET " off
#define Q_LIST_MINE(gate, uid, lim, off) \
	"SELECT " PLACE_COLS ", p.created_at AS sort_at" PLACES_FROM \
	"WHERE p.author_id = " uid " AND " gate NEWEST \
	"LIMIT " lim " OFFSET " off
#define Q_GET(gate, id) \
	"SELECT " PLACE_COLS PLACES_FROM "WHERE p.id = " id "::uuid AND " gate

/*
 * A read after a one-row head h: the head's columns, then the read's, on
 * every row; one row of NULL place columns when the read finds nothing or
 * its gate is shut.  LATERAL runs the read once per head row, i.e. once.
 */
#define AFTER(head, q)	"SELECT " head ", q.* FROM h LEFT JOIN LATERAL (" \
			q ") q ON true"
#define IN_ORDER	" ORDER BY q.sort_at DESC, q.id DESC"

/*
 * The session check: $1 the token, $2 maxAge, $3 updateAge (seconds).
 * h is its one row (none when there is no such session): the user, whether
 * the session is live, whether this statement renewed it, and the
 * primary's WAL position, which a replica must have replayed before it may
 * answer this request's read (db_read_replica()).  The UPDATE re-checks its
 * WHERE on the locked, current row, so a racing request that renewed first
 * makes this one a no-op.
 */
#define SESSION_CTE \
	"WITH s AS (SELECT s.id, s.\"userId\", s.expires FROM sessions s " \
	"JOIN users u ON u.id = s.\"userId\" " \
	"WHERE s.\"sessionToken\" = $1), " \
	"gone AS (DELETE FROM sessions d USING s " \
	"WHERE d.id = s.id AND s.expires < now()), " \
	"renewed AS (UPDATE sessions r " \
	"SET expires = now() + make_interval(secs => $2) FROM s " \
	"WHERE r.id = s.id AND r.expires >= now() AND r.expires " \
	"- make_interval(secs => $2) + make_interval(secs => $3) <= now() " \
	"RETURNING r.id), " \
	"h AS (SELECT s.\"userId\" AS uid, s.expires >= now() AS live, " \
	"EXISTS (SELECT 1 FROM renewed) AS renewed, " \
	"pg_current_wal_lsn()::text AS lsn FROM s) "
#define SESSION_HEAD	"h.uid, h.live, h.renewed"
#define SESSION_NCOLS	3	/* and h.lsn after them in ST_SESSION */

/* On the replica, $n is the primary's WAL position the read must see. */
#define CAUGHT_UP(n) \
	"WITH h AS (SELECT pg_last_wal_replay_lsn() >= " n "::pg_lsn AS ok) "
#define REPLICA_HEAD	"h.ok"
#define REPLICA_NCOLS	1

enum stmt {
	ST_SESSION,
	ST_SESSION_LIST,
	ST_SESSION_LIST_MINE,
	ST_SESSION_GET,
	ST_USER_BY_EMAIL,
	ST_USER_INSERT,
	ST_USER_LOCK,
	ST_LIST,
	ST_LIST_MINE,
	ST_GET,
	ST_REPLICA_LIST,
	ST_REPLICA_LIST_MINE,
	ST_REPLICA_GET,
	ST_INSERT,
	ST_UPDATE,
	ST_OWNER,
	ST_DELETE,
	ST__COUNT
};

/* Every statement the worker runs, prepared once per connection. */
static const struct {
	const char	*name;
	const char	*sql;
	int		 nparams;
	bool		 idempotent;	/* safe to send again after a reconnect */
	bool		 replica;	/* runs on the replica, not the primary */
} stmts[ST__COUNT] = {
	/* Sent twice, the session check deletes or renews nothing more. */
	[ST_SESSION] = { "session",
	    SESSION_CTE "SELECT " SESSION_HEAD ", h.lsn FROM h",
	    3, true, false },
	/* The check and the read in one round trip (no replica). */
	[ST_SESSION_LIST] = { "session_list",
	    SESSION_CTE AFTER(SESSION_HEAD, Q_LIST("h.live", "$4", "$5"))
	    IN_ORDER,
	    5, true, false },
	[ST_SESSION_LIST_MINE] = { "session_list_mine",
	    SESSION_CTE AFTER(SESSION_HEAD,
	    Q_LIST_MINE("h.live", "h.uid", "$4", "$5")) IN_ORDER,
	    5, true, false },
	[ST_SESSION_GET] = { "session_get",
	    SESSION_CTE AFTER(SESSION_HEAD, Q_GET("h.live", "$4")),
	    4, true, false },
	[ST_USER_BY_EMAIL] = { "user_by_email",
	    "SELECT id, pg_current_wal_lsn()::text FROM users "
	    "WHERE email = $1 ORDER BY id LIMIT 1",
	    1, true, false },
	/* Serialises inserts of one email (users.email is not unique). */
	[ST_USER_LOCK] = { "user_lock",
	    "SELECT pg_advisory_xact_lock(hashtext('places-fcgi users.email'), "
	    "hashtext($1))",
	    1, false, false },
	[ST_USER_INSERT] = { "user_insert",
	    "INSERT INTO users (email, name) VALUES ($1, NULLIF($2, '')) "
	    "RETURNING id",
	    2, false, false },
	[ST_LIST] = { "list", Q_LIST("true", "$1", "$2"), 2, true, false },
	[ST_LIST_MINE] = { "list_mine", Q_LIST_MINE("true", "$3", "$1", "$2"),
	    3, true, false },
	[ST_GET] = { "get", Q_GET("true", "$1"), 1, true, false },
	[ST_REPLICA_LIST] = { "replica_list",
	    CAUGHT_UP("$3") AFTER(REPLICA_HEAD, Q_LIST("h.ok", "$1", "$2"))
	    IN_ORDER,
	    3, true, true },
	[ST_REPLICA_LIST_MINE] = { "replica_list_mine",
	    CAUGHT_UP("$4") AFTER(REPLICA_HEAD,
	    Q_LIST_MINE("h.ok", "$3", "$1", "$2")) IN_ORDER,
	    4, true, true },
	[ST_REPLICA_GET] = { "replica_get",
	    CAUGHT_UP("$2") AFTER(REPLICA_HEAD, Q_GET("h.ok", "$1")),
	    2, true, true },
	/*
	 * The id ($7) is made here, so the insert can be sent again after a
	 * lost connection: if the first one committed, the second conflicts
	 * and does nothing; if the first is still running somewhere, the
	 * second waits on the unique index for its outcome.  Either way the
	 * answer (201 or 503) matches the table.
	 */
	[ST_INSERT] = { "insert",
	    "INSERT INTO places (id, name, location, image, \"mapURL\", "
	    "description, author_id) VALUES ($7::uuid, $1, $2, $3, $4, $5, $6) "
	    "ON CONFLICT (id) DO NOTHING",
	    7, true, false },
	/* $3 is the bit mask of fields to change (1 << enum place_field). */
	[ST_UPDATE] = { "update",
	    "WITH p AS (UPDATE places SET "
	    "name = CASE WHEN $3::int & 1 <> 0 THEN $4 ELSE name END, "
	    "location = CASE WHEN $3::int & 2 <> 0 THEN $5 ELSE location END, "
	    "image = CASE WHEN $3::int & 4 <> 0 THEN $6 ELSE image END, "
	    "\"mapURL\" = CASE WHEN $3::int & 8 <> 0 THEN $7 "
	    "ELSE \"mapURL\" END, "
	    "description = CASE WHEN $3::int & 16 <> 0 THEN $8 "
	    "ELSE description END, "
	    "updated_at = now() "
	    "WHERE id = $1::uuid AND author_id = $2 RETURNING *) "
	    "SELECT " PLACE_COLS " FROM p JOIN users u ON u.id = p.author_id",
	    8, false, false },
	[ST_OWNER] = { "owner",
	    "SELECT author_id FROM places WHERE id = $1::uuid",
	    1, true, false },
	[ST_DELETE] = { "delete",
	    "DELETE FROM places WHERE id = $1::uuid AND author_id = $2",
	    2, false, false },
};

/* A primary's WAL position as text, "XXXXXXXX/XXXXXXXX" at most. */
#define LSN_MAX		17

/* After a failure the replica is left alone this long (seconds). */
#define REPLICA_PAUSE	5

/* One server: the primary, or the replica. */
struct conn {
	const char	*role;		/* "primary", "replica": for the log */
	char		*conninfo;	/* NULL: PG* variables */
	PGconn		*pg;		/* NULL or CONNECTION_OK and prepared */
	bool		 replica;
	time_t		 pause_until;	/* replica: not used before then */
};

struct db {
	struct conn	 primary;
	struct conn	 replica;	/* conninfo NULL: no replica */
	bool		 unnamed;	/* no named prepared statements */
	char		 lsn[LSN_MAX + 1];	/* this request's; "" none */
};

static int
conn_init(struct conn *c, const char *role, const char *conninfo,
    bool replica)
{
	c->role = role;
	c->replica = replica;
	if (conninfo != NULL && (c->conninfo = strdup(conninfo)) == NULL)
		return -1;
	return 0;
}

struct db *
db_new(const char *conninfo, const char *read_conninfo, bool unnamed)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->unnamed = unnamed;
	if (conn_init(&db->primary, "primary", conninfo, false) != 0 ||
	    (read_conninfo != NULL && conn_init(&db->replica, "replica",
	    read_conninfo, true) != 0)) {
		db_free(db);
		return NULL;
	}
	return db;
}

static void
conn_close(struct conn *c)
{
	if (c->pg != NULL)
		PQfinish(c->pg);
	c->pg = NULL;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	conn_close(&db->primary);
	conn_close(&db->replica);
	free(db->primary.conninfo);
	free(db->replica.conninfo);
	free(db);
}

/* libpq's notice processor: the message, which ends in a newline. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("database: %s", msg);
}

/*
 * Connects and prepares the connection's statements.  Our defaults come
 * before the caller's conninfo, so DATABASE_URL (and PG* variables)
 * override them: libpq keeps the last value of a repeated keyword.
 */
static enum pl_err
conn_open(struct db *db, struct conn *c)
{
	const char	*keys[5], *vals[5];
	PGresult	*res = NULL;
	enum pl_err	 rc = PL_EDBDOWN;
	int		 n = 0, i;

	keys[n] = "application_name"; vals[n++] = "places-fcgi";
	if (getenv("PGCONNECT_TIMEOUT") == NULL) {
		/* A dead host must not hold a worker for libpq's forever. */
		keys[n] = "connect_timeout"; vals[n++] = "3";
	}
	/*
	 * No statement may hold a worker longer than nginx waits.  A pooler
	 * in transaction mode refuses startup options: there the limit
	 * belongs on the role (ALTER ROLE ... SET statement_timeout).
	 */
	if (getenv("PGOPTIONS") == NULL && !db->unnamed) {
		keys[n] = "options"; vals[n++] = "-c statement_timeout=5000";
	}
	if (c->conninfo != NULL) {
		keys[n] = "dbname"; vals[n++] = c->conninfo;
	}
	keys[n] = NULL; vals[n] = NULL;

	c->pg = PQconnectdbParams(keys, vals, 1);
	if (c->pg == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	/* Server notices and errors go through our log, one line each. */
	PQsetNoticeProcessor(c->pg, notice, NULL);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		log_warnx("%s database connection failed: %s", c->role,
		    PQerrorMessage(c->pg));
		goto out;
	}
	/*
	 * One plan per statement, made once.  Left to choose, PostgreSQL
	 * plans a prepared statement afresh at every execution (a custom
	 * plan) whenever its generic plan looks costlier, as "LIMIT $n" makes
	 * it look: the one-statement list then spent 0.7 ms planning for
	 * 0.3 ms of execution (docs/PERFORMANCE.md).  The plans of these
	 * statements do not depend on the values (lookups by key, the newest
	 * first), and the generic ones are the same index scans.  Not behind
	 * a transaction pooler: a SET would stick to a server connection that
	 * others share, and unnamed statements are planned each time anyway.
	 */
	if (!db->unnamed) {
		res = PQexec(c->pg, "SET plan_cache_mode = force_generic_plan");
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_errorx("plan_cache_mode: %s", PQerrorMessage(c->pg));
			rc = PQstatus(c->pg) == CONNECTION_OK ?
			    PL_EINTERNAL : PL_EDBDOWN;
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	for (i = 0; i < ST__COUNT && !db->unnamed; i++) {
		if (stmts[i].replica != c->replica)
			continue;
		res = PQprepare(c->pg, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_errorx("prepare %s: %s", stmts[i].name,
			    PQerrorMessage(c->pg));
			rc = PQstatus(c->pg) == CONNECTION_OK ?
			    PL_EINTERNAL : PL_EDBDOWN;
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	log_info("%s database connected", c->role);
	rc = PL_OK;
out:
	PQclear(res);
	if (rc != PL_OK)
		conn_close(c);
	return rc;
}

/*
 * Makes sure the connection is usable before a statement is sent.  A server
 * that restarted has closed our socket: reading it now shows that, so we
 * reconnect first instead of failing the request.
 */
static enum pl_err
conn_ready(struct db *db, struct conn *c)
{
	struct pollfd	 pfd;
	int		 n;

	/*
	 * An idle connection has nothing to read.  A server shutting down
	 * sends a FATAL message and then closes: the first read takes the
	 * message, a later one the end of the stream, which is what tells
	 * libpq the connection is gone.  So read for as long as there is
	 * something to read (a few rounds at most).
	 */
	for (n = 0; c->pg != NULL && n < 4; n++) {
		pfd.fd = PQsocket(c->pg);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
			break;
		if (PQconsumeInput(c->pg) == 0 ||
		    PQstatus(c->pg) != CONNECTION_OK) {
			log_warnx("%s database connection lost; reconnecting",
			    c->role);
			conn_close(c);
		}
	}
	if (c->pg == NULL)
		return conn_open(db, c);
	return PL_OK;
}

/*
 * SQLSTATEs that mean "the database is unavailable", not "this request
 * is wrong": connection exceptions (class 08), shutdown and start-up
 * (57P01-57P03), too many connections (53300), statement timeout (57014),
 * read-only transaction (25006, a replica promoted or demoted).
 */
static bool
unavailable(const char *state)
{
	if (state == NULL)
		return true;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 ||
	    strcmp(state, "53300") == 0 || strcmp(state, "57014") == 0 ||
	    strcmp(state, "25006") == 0;
}

/*
 * Runs a statement on the connection it belongs to and checks its result
 * status.  A read that finds the connection broken is sent once more on a
 * new connection.  Behind a transaction pooler each statement goes unnamed
 * (parsed and planned each time), since a named one may live on a server
 * connection that the next transaction does not get.
 * On PL_OK *out is the result (caller PQclear()s); else *out is NULL.
 */
static enum pl_err
db_exec(struct db *db, enum stmt st, const char *const *params,
    ExecStatusType want, PGresult **out)
{
	struct conn	*c = stmts[st].replica ? &db->replica : &db->primary;
	PGresult	*res = NULL;
	enum pl_err	 rc;
	int		 attempt;

	*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = conn_ready(db, c)) != PL_OK)
			goto out;
		if (db->unnamed)
			res = PQexecParams(c->pg, stmts[st].sql,
			    stmts[st].nparams, NULL, params, NULL, NULL, 0);
		else
			res = PQexecPrepared(c->pg, stmts[st].name,
			    stmts[st].nparams, params, NULL, NULL, 0);
		if (res != NULL && PQresultStatus(res) == want) {
			*out = res;
			res = NULL;
			rc = PL_OK;
			goto out;
		}
		if (PQstatus(c->pg) == CONNECTION_OK) {
			const char *state = res ? PQresultErrorField(res,
			    PG_DIAG_SQLSTATE) : NULL;
			log_errorx("%s: %s", stmts[st].name,
			    res ? PQresultErrorMessage(res) :
			    PQerrorMessage(c->pg));
			rc = res && !unavailable(state) ? PL_EINTERNAL :
			    PL_EDBDOWN;
			goto out;
		}
		log_warnx("%s: connection lost: %s", stmts[st].name,
		    PQerrorMessage(c->pg));
		conn_close(c);
		rc = PL_EDBDOWN;
		PQclear(res);
		res = NULL;
		if (!stmts[st].idempotent)
			goto out;	/* may have run: never send it twice */
	}
out:
	PQclear(res);
	return rc;
}

/* Formats a number as a statement parameter. */
static void
fmt_ll(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

/*
 * Points rows at res, whose place columns start at col0.  A read behind a
 * head (AFTER()) that found nothing is one row of NULL place columns: no
 * rows.  The id column is NOT NULL, so NULL there means exactly that.
 */
static void
rows_set(struct db_rows *rows, PGresult *res, int col0)
{
	rows->res = res;
	rows->col0 = col0;
	rows->n = res ? PQntuples(res) : 0;
	if (rows->n == 1 && PQnfields(res) > col0 &&
	    PQgetisnull(res, 0, col0 + PC_ID))
		rows->n = 0;
}

/* Keeps the primary's WAL position a replica must reach, if it fits. */
static void
lsn_set(struct db *db, const PGresult *res, int col)
{
	db->lsn[0] = '\0';
	if (PQntuples(res) > 0 && PQnfields(res) > col &&
	    !PQgetisnull(res, 0, col) && PQgetlength(res, 0, col) <= LSN_MAX)
		memcpy(db->lsn, PQgetvalue(res, 0, col),
		    (size_t)PQgetlength(res, 0, col) + 1);
}

/* The statement that checks the session and, when it can, does the read. */
static enum stmt
session_stmt(const struct db *db, const struct db_read *read)
{
	if (read == NULL || db->replica.conninfo != NULL)
		return ST_SESSION;	/* the read goes to the replica */
	if (read->id != NULL)
		return ST_SESSION_GET;
	if (read->list != NULL)
		return read->list->mine ? ST_SESSION_LIST_MINE :
		    ST_SESSION_LIST;
	return ST_SESSION;
}

enum pl_err
db_session_user(struct db *db, const char *token, size_t len,
    long long max_age, long long update_age, struct db_read *read,
    long long *user_id, bool *renewed)
{
	char		 tok[256], maxs[24], upds[24], p4[40], p5[16];
	const char	*params[5] = { tok, maxs, upds, p4, p5 };
	PGresult	*res = NULL;
	enum pl_err	 rc;
	enum stmt	 st = session_stmt(db, read);

	*renewed = false;
	db->lsn[0] = '\0';
	if (read != NULL)
		read->done = false;
	/* "sessionToken" is VARCHAR(255): a longer token matches nothing. */
	if (len == 0 || len >= sizeof(tok) || memchr(token, '\0', len))
		return PL_EUNAUTH;
	memcpy(tok, token, len);
	tok[len] = '\0';
	fmt_ll(maxs, sizeof(maxs), max_age);
	fmt_ll(upds, sizeof(upds), update_age);
	if (st == ST_SESSION_GET)
		snprintf(p4, sizeof(p4), "%s", read->id);
	else if (st != ST_SESSION) {
		snprintf(p4, sizeof(p4), "%u", read->list->limit);
		snprintf(p5, sizeof(p5), "%u", read->list->offset);
	}
	rc = db_exec(db, st, params, PGRES_TUPLES_OK, &res);
	sodium_memzero(tok, sizeof(tok));
	if (rc != PL_OK)
		goto out;
	/* None, orphaned, or expired (now deleted): every row says so. */
	if (PQntuples(res) < 1 || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		rc = PL_EUNAUTH;
		goto out;
	}
	*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*renewed = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	/* Without a replica the read is done along: no position needed. */
	if (st == ST_SESSION)
		lsn_set(db, res, SESSION_NCOLS);
	else {
		rows_set(&read->rows, res, SESSION_NCOLS);
		read->done = true;
		res = NULL;	/* read->rows owns it */
	}
out:
	PQclear(res);
	return rc;
}

/* Runs a statement that needs no result, inside db_user_for_email(). */
static enum pl_err
db_simple(struct db *db, const char *sql)
{
	PGresult	*res = PQexec(db->primary.pg, sql);
	enum pl_err	 rc = PL_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_errorx("%s: %s", sql, PQerrorMessage(db->primary.pg));
		rc = PQstatus(db->primary.pg) == CONNECTION_OK ?
		    PL_EINTERNAL : PL_EDBDOWN;
	}
	PQclear(res);
	return rc;
}

enum pl_err
db_user_for_email(struct db *db, const char *email, const char *name,
    long long *user_id)
{
	const char	*params[2] = { email, name };
	PGresult	*res = NULL;
	enum pl_err	 rc;
	bool		 in_tx = false;

	db->lsn[0] = '\0';
	/* Almost always the user exists: one indexed read. */
	if ((rc = db_exec(db, ST_USER_BY_EMAIL, params, PGRES_TUPLES_OK, &res))
	    != PL_OK)
		goto out;
	if (PQntuples(res) == 1) {
		lsn_set(db, res, 1);
		goto found;
	}
	PQclear(res);
	res = NULL;

	/*
	 * First sight: lock the email, look again, insert.  The reads of
	 * this request then go to the primary (no WAL position kept).
	 */
	if ((rc = db_simple(db, "BEGIN")) != PL_OK)
		goto out;
	in_tx = true;
	if ((rc = db_exec(db, ST_USER_LOCK, params, PGRES_TUPLES_OK, &res))
	    != PL_OK)
		goto out;
	PQclear(res);
	if ((rc = db_exec(db, ST_USER_BY_EMAIL, params, PGRES_TUPLES_OK, &res))
	    != PL_OK)
		goto out;
	if (PQntuples(res) == 0) {
		PQclear(res);
		if ((rc = db_exec(db, ST_USER_INSERT, params, PGRES_TUPLES_OK,
		    &res)) != PL_OK)
			goto out;
		log_info("created user %s for a JWT session",
		    PQgetvalue(res, 0, 0));
	}
	if ((rc = db_simple(db, "COMMIT")) != PL_OK)
		goto out;
	in_tx = false;
found:
	*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
out:
	if (in_tx && db->primary.pg != NULL &&
	    PQstatus(db->primary.pg) == CONNECTION_OK)
		(void)db_simple(db, "ROLLBACK");
	PQclear(res);
	return rc;
}

/*
 * Runs a read on the replica if there is one, it is not paused after a
 * failure, and this request's session check gave the WAL position it must
 * have replayed.  PL_OK with rows when the replica answered; anything else
 * means "ask the primary" (a replica behind, down, or failing costs the
 * client nothing but the primary's time).
 */
static enum pl_err
db_read_replica(struct db *db, enum stmt st, const char **params,
    int lsn_param, struct db_rows *rows)
{
	struct conn	*c = &db->replica;
	PGresult	*res = NULL;
	enum pl_err	 rc = PL_ENOTFOUND;
	time_t		 now;

	if (c->conninfo == NULL || db->lsn[0] == '\0')
		return PL_ENOTFOUND;
	now = time(NULL);
	if (now < c->pause_until)
		return PL_ENOTFOUND;
	params[lsn_param] = db->lsn;
	if (db_exec(db, st, params, PGRES_TUPLES_OK, &res) != PL_OK) {
		log_warnx("replica unavailable; reading from the primary "
		    "for %d s", REPLICA_PAUSE);
		conn_close(c);
		c->pause_until = now + REPLICA_PAUSE;
		goto out;
	}
	/* Not caught up (or not replaying at all): the primary answers. */
	if (PQntuples(res) < 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		log_debug("replica behind %s; reading from the primary",
		    db->lsn);
		goto out;
	}
	rows_set(rows, res, REPLICA_NCOLS);
	res = NULL;
	rc = PL_OK;
out:
	PQclear(res);
	return rc;
}

enum pl_err
db_place_list(struct db *db, const struct list_query *q, long long user_id,
    struct db_rows *rows)
{
	char		 lim[16], off[16], uid[24];
	const char	*params[4] = { lim, off, uid, NULL };
	PGresult	*res;
	enum pl_err	 rc;

	snprintf(lim, sizeof(lim), "%u", q->limit);
	snprintf(off, sizeof(off), "%u", q->offset);
	fmt_ll(uid, sizeof(uid), user_id);
	if (db_read_replica(db, q->mine ? ST_REPLICA_LIST_MINE :
	    ST_REPLICA_LIST, params, q->mine ? 3 : 2, rows) == PL_OK)
		return PL_OK;
	rc = db_exec(db, q->mine ? ST_LIST_MINE : ST_LIST, params,
	    PGRES_TUPLES_OK, &res);
	rows_set(rows, res, 0);
	return rc;
}

enum pl_err
db_place_get(struct db *db, const char *id, struct db_rows *rows)
{
	const char	*params[2] = { id, NULL };
	PGresult	*res;
	enum pl_err	 rc;

	if (db_read_replica(db, ST_REPLICA_GET, params, 1, rows) != PL_OK) {
		rc = db_exec(db, ST_GET, params, PGRES_TUPLES_OK, &res);
		rows_set(rows, res, 0);
		if (rc != PL_OK)
			return rc;
	}
	if (rows->n == 0) {
		db_rows_free(rows);
		return PL_ENOTFOUND;
	}
	return PL_OK;
}
/* A random (version 4) uuid from libsodium's generator, RFC 9562 5.4. */
static void
uuid_v4(char out[UUID_LEN + 1])
{
	unsigned char	 b[16];
	char		 hex[33];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0F) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3F) | 0x80;	/* variant 10 */
	sodium_bin2hex(hex, sizeof(hex), b, sizeof(b));
	snprintf(out, UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	    hex + 12, hex + 16, hex + 20);
}

/* The parameter for field f: its text, or NULL (SQL NULL). */
static const char *
field_param(const struct place_input *in, enum place_field f)
{
	return (in->present & (1u << f)) ? in->val[f].ptr : NULL;
}

enum pl_err
db_place_create(struct db *db, long long user_id,
    const struct place_input *in, char id[UUID_LEN + 1])
{
	char		 uid[24];
	const char	*params[7];
	PGresult	*res = NULL;
	enum pl_err	 rc;
	int		 f;

	for (f = 0; f < PF__COUNT; f++)
		params[f] = field_param(in, (enum place_field)f);
	fmt_ll(uid, sizeof(uid), user_id);
	params[5] = uid;
	uuid_v4(id);
	params[6] = id;
	/*
	 * "INSERT 0 0" can only be our own earlier attempt: a collision of
	 * 122 random bits with another place is not a case to code for.
	 */
	rc = db_exec(db, ST_INSERT, params, PGRES_COMMAND_OK, &res);
	PQclear(res);
	return rc;
}

/*
 * After a write matched no row: PL_ENOTFOUND if the place does not exist,
 * PL_EFORBIDDEN if it belongs to someone else.
 */
static enum pl_err
db_place_why(struct db *db, const char *id)
{
	const char	*params[1] = { id };
	PGresult	*res;
	enum pl_err	 rc;

	if ((rc = db_exec(db, ST_OWNER, params, PGRES_TUPLES_OK, &res))
	    == PL_OK)
		rc = PQntuples(res) == 0 ? PL_ENOTFOUND : PL_EFORBIDDEN;
	PQclear(res);
	return rc;
}

enum pl_err
db_place_update(struct db *db, const char *id, long long user_id,
    const struct place_input *in, struct db_rows *rows)
{
	char		 uid[24], mask[16];
	const char	*params[8];
	PGresult	*res;
	enum pl_err	 rc;
	int		 f;

	fmt_ll(uid, sizeof(uid), user_id);
	snprintf(mask, sizeof(mask), "%u", in->present);
	params[0] = id;
	params[1] = uid;
	params[2] = mask;
	for (f = 0; f < PF__COUNT; f++)
		params[3 + f] = field_param(in, (enum place_field)f);
	rc = db_exec(db, ST_UPDATE, params, PGRES_TUPLES_OK, &res);
	rows_set(rows, res, 0);
	if (rc == PL_OK && rows->n == 0) {
		db_rows_free(rows);
		rc = db_place_why(db, id);
	}
	return rc;
}

enum pl_err
db_place_delete(struct db *db, const char *id, long long user_id)
{
	char		 uid[24];
	const char	*params[2] = { id, uid };
	PGresult	*res = NULL;
	enum pl_err	 rc;

	fmt_ll(uid, sizeof(uid), user_id);
	if ((rc = db_exec(db, ST_DELETE, params, PGRES_COMMAND_OK, &res))
	    != PL_OK)
		goto out;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		rc = db_place_why(db, id);
out:
	PQclear(res);
	return rc;
}

void
db_rows_place(const struct db_rows *rows, int i, struct place_row *row)
{
	int	 c, k;

	for (c = 0; c < PC__COUNT; c++) {
		k = rows->col0 + c;
		if (PQgetisnull(rows->res, i, k)) {
			row->col[c].ptr = NULL;
			row->col[c].len = 0;
		} else {
			row->col[c].ptr = PQgetvalue(rows->res, i, k);
			row->col[c].len = (size_t)PQgetlength(rows->res, i, k);
		}
	}
}

void
db_rows_free(struct db_rows *rows)
{
	PQclear(rows->res);
	rows->res = NULL;
	rows->n = 0;
	rows->col0 = 0;
}
