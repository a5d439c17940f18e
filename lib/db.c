#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "config.h"
#include "db.h"
#include "log.h"

/* The columns of a place, in the order of enum place_col. */
#define PLACE_COLS \
	"p.id, p.name, p.location, p.image, p.\"mapURL\", p.description, " \
	"u.email, " \
	"to_char(p.created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), " \
	"to_char(p.updated_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

enum stmt {
	ST_SESSION,
	ST_USER_BY_EMAIL,
	ST_USER_INSERT,
	ST_USER_LOCK,
	ST_LIST,
	ST_LIST_MINE,
	ST_GET,
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
} stmts[ST__COUNT] = {
	/*
	 * $2 maxAge, $3 updateAge (seconds).  The UPDATE re-checks its WHERE
	 * on the locked, current row, so a racing request that renewed first
	 * makes this one a no-op.
	 */
	[ST_SESSION] = { "session",
	    "WITH s AS (SELECT s.id, s.\"userId\", s.expires FROM sessions s "
	    "JOIN users u ON u.id = s.\"userId\" "
	    "WHERE s.\"sessionToken\" = $1), "
	    "gone AS (DELETE FROM sessions d USING s "
	    "WHERE d.id = s.id AND s.expires < now()), "
	    "renewed AS (UPDATE sessions r "
	    "SET expires = now() + make_interval(secs => $2) FROM s "
	    "WHERE r.id = s.id AND r.expires >= now() AND r.expires "
	    "- make_interval(secs => $2) + make_interval(secs => $3) <= now() "
	    "RETURNING r.id) "
	    "SELECT s.\"userId\", s.expires >= now(), "
	    "EXISTS (SELECT 1 FROM renewed) FROM s",
	    3, true },	/* sent twice, it deletes or renews nothing more */
	[ST_USER_BY_EMAIL] = { "user_by_email",
	    "SELECT id FROM users WHERE email = $1 ORDER BY id LIMIT 1",
	    1, true },
	/* Serialises inserts of one email (users.email is not unique). */
	[ST_USER_LOCK] = { "user_lock",
	    "SELECT pg_advisory_xact_lock(hashtext('places-fcgi users.email'), "
	    "hashtext($1))",
	    1, false },
	[ST_USER_INSERT] = { "user_insert",
	    "INSERT INTO users (email, name) VALUES ($1, NULLIF($2, '')) "
	    "RETURNING id",
	    2, false },
	[ST_LIST] = { "list",
	    "SELECT " PLACE_COLS " FROM places p "
	    "JOIN users u ON u.id = p.author_id "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $1 OFFSET $2",
	    2, true },
	[ST_LIST_MINE] = { "list_mine",
	    "SELECT " PLACE_COLS " FROM places p "
	    "JOIN users u ON u.id = p.author_id WHERE p.author_id = $3 "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $1 OFFSET $2",
	    3, true },
	[ST_GET] = { "get",
	    "SELECT " PLACE_COLS " FROM places p "
	    "JOIN users u ON u.id = p.author_id WHERE p.id = $1::uuid",
	    1, true },
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
	    7, true },
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
	    8, false },
	[ST_OWNER] = { "owner",
	    "SELECT author_id FROM places WHERE id = $1::uuid",
	    1, true },
	[ST_DELETE] = { "delete",
	    "DELETE FROM places WHERE id = $1::uuid AND author_id = $2",
	    2, false },
};

struct db {
	char	*conninfo;	/* NULL: PG* variables */
	PGconn	*conn;		/* NULL or CONNECTION_OK with stmts prepared */
};

struct db *
db_new(const char *conninfo)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	if (conninfo != NULL && (db->conninfo = strdup(conninfo)) == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

static void
db_disconnect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db->conninfo);
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
 * Connects and prepares every statement.  Our defaults come before the
 * caller's conninfo, so DATABASE_URL (and PG* variables) override them:
 * libpq keeps the last value of a repeated keyword.
 */
static enum pl_err
db_connect(struct db *db)
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
	if (getenv("PGOPTIONS") == NULL) {
		/* No statement may hold a worker longer than nginx waits. */
		keys[n] = "options"; vals[n++] = "-c statement_timeout=5000";
	}
	if (db->conninfo != NULL) {
		keys[n] = "dbname"; vals[n++] = db->conninfo;
	}
	keys[n] = NULL; vals[n] = NULL;

	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	/* Server notices and errors go through our log, one line each. */
	PQsetNoticeProcessor(db->conn, notice, NULL);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		log_warnx("database connection failed: %s",
		    PQerrorMessage(db->conn));
		goto out;
	}
	for (i = 0; i < ST__COUNT; i++) {
		res = PQprepare(db->conn, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_errorx("prepare %s: %s", stmts[i].name,
			    PQerrorMessage(db->conn));
			rc = PQstatus(db->conn) == CONNECTION_OK ?
			    PL_EINTERNAL : PL_EDBDOWN;
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	log_info("database connected");
	rc = PL_OK;
out:
	PQclear(res);
	if (rc != PL_OK)
		db_disconnect(db);
	return rc;
}

/*
 * Makes sure the connection is usable before a statement is sent.  A server
 * that restarted has closed our socket: reading it now shows that, so we
 * reconnect first instead of failing the request.
 */
static enum pl_err
db_ready(struct db *db)
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
	for (n = 0; db->conn != NULL && n < 4; n++) {
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
			break;
		if (PQconsumeInput(db->conn) == 0 ||
		    PQstatus(db->conn) != CONNECTION_OK) {
			log_warnx("database connection lost; reconnecting");
			db_disconnect(db);
		}
	}
	if (db->conn == NULL)
		return db_connect(db);
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
 * Runs a prepared statement and checks its result status.  A read that
 * finds the connection broken is sent once more on a new connection.
 * On PL_OK *out is the result (caller PQclear()s); else *out is NULL.
 */
static enum pl_err
db_exec(struct db *db, enum stmt st, const char *const *params,
    ExecStatusType want, PGresult **out)
{
	PGresult	*res = NULL;
	enum pl_err	 rc;
	int		 attempt;

	*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = db_ready(db)) != PL_OK)
			goto out;
		res = PQexecPrepared(db->conn, stmts[st].name,
		    stmts[st].nparams, params, NULL, NULL, 0);
		if (res != NULL && PQresultStatus(res) == want) {
			*out = res;
			res = NULL;
			rc = PL_OK;
			goto out;
		}
		if (PQstatus(db->conn) == CONNECTION_OK) {
			const char *state = res ? PQresultErrorField(res,
			    PG_DIAG_SQLSTATE) : NULL;
			log_errorx("%s: %s", stmts[st].name,
			    res ? PQresultErrorMessage(res) :
			    PQerrorMessage(db->conn));
			rc = res && !unavailable(state) ? PL_EINTERNAL :
			    PL_EDBDOWN;
			goto out;
		}
		log_warnx("%s: connection lost: %s", stmts[st].name,
		    PQerrorMessage(db->conn));
		db_disconnect(db);
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

enum pl_err
db_session_user(struct db *db, const char *token, size_t len,
    long long max_age, long long update_age, long long *user_id,
    bool *renewed)
{
	char		 tok[256], maxs[24], upds[24];
	const char	*params[3] = { tok, maxs, upds };
	PGresult	*res = NULL;
	enum pl_err	 rc;

	*renewed = false;
	/* "sessionToken" is VARCHAR(255): a longer token matches nothing. */
	if (len == 0 || len >= sizeof(tok) || memchr(token, '\0', len))
		return PL_EUNAUTH;
	memcpy(tok, token, len);
	tok[len] = '\0';
	snprintf(maxs, sizeof(maxs), "%lld", max_age);
	snprintf(upds, sizeof(upds), "%lld", update_age);
	rc = db_exec(db, ST_SESSION, params, PGRES_TUPLES_OK, &res);
	sodium_memzero(tok, sizeof(tok));
	if (rc != PL_OK)
		goto out;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		rc = PL_EUNAUTH;	/* none, orphaned, or expired (deleted) */
		goto out;
	}
	*user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*renewed = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
out:
	PQclear(res);
	return rc;
}

/* Runs a statement that needs no result, inside db_user_for_email(). */
static enum pl_err
db_simple(struct db *db, const char *sql)
{
	PGresult	*res = PQexec(db->conn, sql);
	enum pl_err	 rc = PL_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_errorx("%s: %s", sql, PQerrorMessage(db->conn));
		rc = PQstatus(db->conn) == CONNECTION_OK ? PL_EINTERNAL :
		    PL_EDBDOWN;
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

	/* Almost always the user exists: one indexed read. */
	if ((rc = db_exec(db, ST_USER_BY_EMAIL, params, PGRES_TUPLES_OK, &res))
	    != PL_OK)
		goto out;
	if (PQntuples(res) == 1)
		goto found;
	PQclear(res);
	res = NULL;

	/* First sight: lock the email, look again, insert. */
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
	if (in_tx && db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		(void)db_simple(db, "ROLLBACK");
	PQclear(res);
	return rc;
}

/* Formats a user id as a statement parameter. */
static void
fmt_id(char *buf, size_t len, long long id)
{
	snprintf(buf, len, "%lld", id);
}

static void
rows_set(struct db_rows *rows, PGresult *res)
{
	rows->res = res;
	rows->n = res ? PQntuples(res) : 0;
}

enum pl_err
db_place_list(struct db *db, const struct list_query *q, long long user_id,
    struct db_rows *rows)
{
	char		 lim[16], off[16], uid[24];
	const char	*params[3] = { lim, off, uid };
	PGresult	*res;
	enum pl_err	 rc;

	snprintf(lim, sizeof(lim), "%u", q->limit);
	snprintf(off, sizeof(off), "%u", q->offset);
	fmt_id(uid, sizeof(uid), user_id);
	rc = db_exec(db, q->mine ? ST_LIST_MINE : ST_LIST, params,
	    PGRES_TUPLES_OK, &res);
	rows_set(rows, res);
	return rc;
}

enum pl_err
db_place_get(struct db *db, const char *id, struct db_rows *rows)
{
	const char	*params[1] = { id };
	PGresult	*res;
	enum pl_err	 rc;

	rc = db_exec(db, ST_GET, params, PGRES_TUPLES_OK, &res);
	rows_set(rows, res);
	if (rc == PL_OK && rows->n == 0) {
		db_rows_free(rows);
		rc = PL_ENOTFOUND;
	}
	return rc;
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
	fmt_id(uid, sizeof(uid), user_id);
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

	fmt_id(uid, sizeof(uid), user_id);
	snprintf(mask, sizeof(mask), "%u", in->present);
	params[0] = id;
	params[1] = uid;
	params[2] = mask;
	for (f = 0; f < PF__COUNT; f++)
		params[3 + f] = field_param(in, (enum place_field)f);
	rc = db_exec(db, ST_UPDATE, params, PGRES_TUPLES_OK, &res);
	rows_set(rows, res);
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

	fmt_id(uid, sizeof(uid), user_id);
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
	int	 c;

	for (c = 0; c < PC__COUNT; c++) {
		if (PQgetisnull(rows->res, i, c)) {
			row->col[c].ptr = NULL;
			row->col[c].len = 0;
		} else {
			row->col[c].ptr = PQgetvalue(rows->res, i, c);
			row->col[c].len = (size_t)PQgetlength(rows->res, i, c);
		}
	}
}

void
db_rows_free(struct db_rows *rows)
{
	PQclear(rows->res);
	rows->res = NULL;
	rows->n = 0;
}
