#include <poll.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include "dbconn.h"
#include "log.h"

int
conn_init(struct conn *c, const char *role, const char *conninfo,
    bool replica)
{
	c->role = role;
	c->replica = replica;
	if (conninfo != NULL && (c->conninfo = strdup(conninfo)) == NULL)
		return -1;
	return 0;
}

void
conn_close(struct conn *c)
{
	if (c->pg != NULL)
		PQfinish(c->pg);
	c->pg = NULL;
}

/* libpq's notice processor: the message, which ends in a newline. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("database: %s", msg);
}

/*
 * Logs a failed statement or command: its SQLSTATE and the server's
 * primary message, nothing else.  Never the whole message: its CONTEXT can
 * quote the statement's parameters, session tokens among them ("unnamed
 * portal with parameters: $1 = '...'" once the server sets
 * log_parameter_max_length_on_error), and a DETAIL can quote a row's
 * values ("Key (...)=(...)").  Without a result (no memory, the connection
 * gone) there is only libpq's own message, which holds no values.
 */
static void
log_stmt_error(const char *verb, const char *what, const PGresult *res,
    const PGconn *pg)
{
	const char	*state, *msg;

	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (msg != NULL)
		log_errorx("%s%s: %s (SQLSTATE %s)", verb, what, msg,
		    state ? state : "unknown");
	else
		log_errorx("%s%s: %s", verb, what, PQerrorMessage(pg));
}

enum pl_err
conn_resolve(struct db *db, PGconn *pg, char *err, size_t errlen)
{
	struct sql_names	 before, names;
	enum pl_err		 rc;

	if (db->built)
		return PL_OK;
	authschema_names(&db->as, &before);
	if ((rc = authschema_check(&db->as, pg, true, err, errlen)) != PL_OK)
		return rc;
	authschema_names(&db->as, &names);
	/* db_new() built them for the preset's ORM: again if that differs. */
	if (names.session_id != before.session_id ||
	    names.expires_utc != before.expires_utc ||
	    strcmp(names.users_id_type, before.users_id_type) != 0) {
		stmt_table_free(&db->stmts);
		if ((rc = stmt_table_build(&db->stmts, &names)) != PL_OK) {
			snprintf(err, errlen, "building the statements: %s",
			    pl_strerror(rc));
			return rc;
		}
	}
	db->built = true;
	log_info("tables: PLACES_AUTH_SCHEMA=%s, sessions keyed by %s, "
	    "expires %s, users id %s", db->as.preset_name,
	    db->as.session_id ? "id" : "token",
	    db->as.expires_utc ? "timestamp (UTC)" : "timestamptz",
	    db->as.preset == AP_NONE ? "(none)" : db->as.users_id_type);
	return PL_OK;
}

/*
 * Connects and prepares the connection's statements.  Our defaults come
 * before the caller's conninfo, so DATABASE_URL (and PG* variables)
 * override them: libpq keeps the last value of a repeated keyword.
 */
static enum pl_err
conn_open(struct db *db, struct conn *c)
{
	const char	*keys[10], *vals[10];
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
	/*
	 * A silent network partition (no FIN, no RST) must not hold a worker
	 * for TCP's own limits: with an answer lost, Linux waits two hours of
	 * idle before its first keepalive probe; with a query unacknowledged,
	 * about 15 minutes of retransmissions, and a worker blocked so also
	 * ignores SIGTERM (it finishes its request first).  A healthy server
	 * answers within statement_timeout (5 s), and its kernel answers a
	 * probe at once: so probe after 5 s of silence and give up after
	 * 10 s without an acknowledgement (TCP_USER_TIMEOUT also bounds the
	 * probes).  The statement then counts as lost (sent again if safe,
	 * else 503).  Unix sockets ignore these.  A user's own values in
	 * DATABASE_URL win (they come later).  Measured by
	 * tests/faults/cases/60-pg-partition.sh.
	 */
	keys[n] = "keepalives"; vals[n++] = "1";
	keys[n] = "keepalives_idle"; vals[n++] = "5";
	keys[n] = "keepalives_interval"; vals[n++] = "2";
	keys[n] = "keepalives_count"; vals[n++] = "3";
	keys[n] = "tcp_user_timeout"; vals[n++] = "10000";
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
	/*
	 * No CONTEXT in any message libpq formats for us (notices included):
	 * it can quote a statement's parameters (log_stmt_error()).
	 */
	PQsetErrorContextVisibility(c->pg, PQSHOW_CONTEXT_NEVER);
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
	 *
	 * And no JIT.  Every statement here reads or writes a few rows by
	 * index, in well under a millisecond; JIT compiling one costs 10 to
	 * 100 ms, and PostgreSQL decides on it from the plan's cost alone
	 * (jit_above_cost), which for a generic plan is a guess.  A guess
	 * past the threshold once made every list pay 12.8 ms of JIT for
	 * 0.2 ms of work (issue 11).  The literal caps in stmt.c keep the
	 * costs true; this keeps the worker's speed from depending on the
	 * server's jit setting at all, whatever a future statement's cost.
	 * tests/plans checks both on a million places.
	 *
	 * And no Memoize.  The lists' author joins (users, and the worker's
	 * own authors since the presets) drew a Memoize node, whose hash table
	 * is sized by the estimated distinct authors and built when the plan
	 * starts, read or not: at a million places it took 0.04 of the
	 * 0.09 ms that an unknown token's list statement costs, and pgbench's
	 * ceiling for that statement fell from 50,000 to 16,000 tps.  A page
	 * of at most 1,000 rows gains nothing from the cache.
	 */
	if (!db->unnamed) {
		res = PQexec(c->pg, stmt_settings);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_stmt_error("", "connection settings", res, c->pg);
			rc = PQstatus(c->pg) == CONNECTION_OK ?
			    PL_EINTERNAL : PL_EDBDOWN;
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	/*
	 * The tables are checked once, on the first connection to the
	 * primary (cgi/places.c tries at start-up).  A replica never opens
	 * first: its reads follow a session check on the primary.
	 */
	if (!db->built && c->replica)
		goto out;
	if (!db->built && (rc = conn_resolve(db, c->pg, db->why,
	    sizeof(db->why))) != PL_OK) {
		if (rc == PL_EBADREQ) {
			log_errorx("%s", db->why);
			db->bad_schema = true;
			rc = PL_EINTERNAL;
		}
		goto out;
	}
	if (db->checking) {
		rc = PL_OK;	/* the start-up check: db_check() closes it */
		goto out;
	}
	for (i = 0; i < ST__COUNT && !db->unnamed; i++) {
		const struct stmt_def *d = stmt_def((enum stmt)i);

		if (d->replica != c->replica || db->stmts.sql[i] == NULL)
			continue;
		res = PQprepare(c->pg, d->name, db->stmts.sql[i], d->nparams,
		    NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_stmt_error("prepare ", d->name, res, c->pg);
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
 * reconnect first instead of failing the request; inside a transaction
 * that is PL_EDBDOWN instead, since the transaction went with the socket.
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
			log_warnx("%s database connection lost%s", c->role,
			    c->in_tx ? " in a transaction" : "; reconnecting");
			conn_close(c);
		}
	}
	if (c->pg == NULL)
		return c->in_tx ? PL_EDBDOWN : conn_open(db, c);
	return PL_OK;
}

/*
 * SQLSTATEs that mean "the database is unavailable", not "this request
 * is wrong": connection exceptions (class 08), shutdown and start-up
 * (57P01-57P03), too many connections (53300), statement timeout (57014).
 * A server that refuses writes is also unavailable: see wrong_server().
 */
static bool
unavailable(const char *state)
{
	if (state == NULL)
		return true;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 ||
	    strcmp(state, "53300") == 0 || strcmp(state, "57014") == 0;
}

/* Whether the server of c is a hot standby (in recovery). */
static bool
in_recovery(struct conn *c)
{
	const char	*hs;
	PGresult	*res;
	bool		 on;

	/* PostgreSQL 14 and later report it at start-up and on promotion. */
	if ((hs = PQparameterStatus(c->pg, "in_hot_standby")) != NULL)
		return strcmp(hs, "on") == 0;
	if (c->in_tx)
		return false;	/* an aborted transaction answers nothing */
	res = PQexec(c->pg, "SELECT pg_is_in_recovery()");
	on = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return on;
}

/*
 * Whether the primary connection c, whose statement failed with state,
 * is on a server that cannot take the primary's statements: 25006
 * (read_only_sql_transaction: a standby, a demoted primary, or a session
 * with default_transaction_read_only), or 55000 from a server in recovery
 * (pg_current_wal_lsn() in ST_AUTHOR).  Such a connection stays wrong
 * for as long as it lives, since the setting is the session's (and a
 * standby stays one): the caller closes it, so that the next attempt
 * connects again, to wherever the conninfo leads now.
 */
static bool
wrong_server(struct conn *c, const char *state)
{
	if (c->replica || state == NULL)
		return false;
	if (strcmp(state, "25006") == 0)
		return true;
	return strcmp(state, "55000") == 0 && in_recovery(c);
}

/*
 * Behind a transaction pooler each statement goes unnamed (parsed and
 * planned each time), since a named one may live on a server connection
 * that the next transaction does not get.
 */
enum pl_err
conn_exec(struct db *db, enum stmt st, const char *const *params,
    ExecStatusType want, PGresult **out)
{
	const struct stmt_def	*d = stmt_def(st);
	struct conn		*c = d->replica ? &db->replica : &db->primary;
	PGresult		*res = NULL;
	enum pl_err		 rc;
	int			 attempt;
	bool			 refused;

	*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = conn_ready(db, c)) != PL_OK)
			goto out;
		if (db->stmts.sql[st] == NULL) {
			rc = PL_EINTERNAL;	/* on tables there are none of */
			goto out;
		}
		if (db->unnamed)
			res = PQexecParams(c->pg, db->stmts.sql[st], d->nparams,
			    NULL, params, NULL, NULL, 0);
		else
			res = PQexecPrepared(c->pg, d->name, d->nparams, params,
			    NULL, NULL, 0);
		if (res != NULL && PQresultStatus(res) == want) {
			*out = res;
			res = NULL;
			rc = PL_OK;
			goto out;
		}
		if (PQstatus(c->pg) == CONNECTION_OK) {
			const char *state = res ? PQresultErrorField(res,
			    PG_DIAG_SQLSTATE) : NULL;
			log_stmt_error("", d->name, res, c->pg);
			if (!wrong_server(c, state)) {
				rc = res && !unavailable(state) ?
				    PL_EINTERNAL : PL_EDBDOWN;
				goto out;
			}
			log_warnx("%s database refuses writes; reconnecting",
			    c->role);
			refused = true;
		} else {
			log_warnx("%s: connection lost: %s", d->name,
			    PQerrorMessage(c->pg));
			refused = false;
		}
		conn_close(c);
		rc = PL_EDBDOWN;
		PQclear(res);
		res = NULL;
		/*
		 * Never outside its transaction.  Lost, it may have run: only
		 * an idempotent statement is sent twice.  Refused, it did
		 * nothing (the server refuses before it writes, and the
		 * statement was its own transaction), so any is sent again.
		 * A connection can stay read-only unnoticed for a long time
		 * (a JWT caller's requests only read), and without this its
		 * worker's first write after the server takes writes again
		 * would be a 503; after a failover the new connection may
		 * also reach the new primary at once.  The price: while the
		 * server refuses, a request opens two connections, not one.
		 */
		if (c->in_tx || (!refused && !d->idempotent))
			goto out;
	}
out:
	PQclear(res);
	return rc;
}

enum pl_err
conn_connect(struct db *db, char *err, size_t errlen)
{
	enum pl_err	 rc;

	rc = conn_ready(db, &db->primary);
	if (db->bad_schema) {
		snprintf(err, errlen, "%s", db->why);
		return PL_EBADREQ;
	}
	return rc;
}

/* Sends a command without parameters or result rows on the primary. */
static enum pl_err
conn_command(struct conn *c, const char *sql)
{
	PGresult	*res;
	enum pl_err	 rc = PL_OK;

	if (c->pg == NULL)
		return PL_EDBDOWN;
	res = PQexec(c->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_stmt_error("", sql, res, c->pg);
		rc = PQstatus(c->pg) == CONNECTION_OK ? PL_EINTERNAL :
		    PL_EDBDOWN;
	}
	PQclear(res);
	return rc;
}

enum pl_err
conn_begin(struct db *db)
{
	struct conn	*c = &db->primary;
	enum pl_err	 rc;

	if ((rc = conn_ready(db, c)) != PL_OK ||
	    (rc = conn_command(c, "BEGIN")) != PL_OK)
		return rc;
	c->in_tx = true;
	return PL_OK;
}

/* Ends the transaction with sql; a failure closes the connection. */
static enum pl_err
conn_end(struct conn *c, const char *sql)
{
	enum pl_err	 rc;

	rc = conn_command(c, sql);
	c->in_tx = false;
	if (rc != PL_OK)
		conn_close(c);
	return rc;
}

enum pl_err
conn_commit(struct db *db)
{
	return conn_end(&db->primary, "COMMIT");
}

void
conn_rollback(struct db *db)
{
	/* Failed or not, the transaction is over (and its work undone). */
	if (conn_end(&db->primary, "ROLLBACK") != PL_OK)
		log_debug("rollback failed; connection closed");
}
