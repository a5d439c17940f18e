/*
 * db.c - the session and place operations of db.h: which statement of the
 * table (stmt.c) each one runs, its parameters bound by name, and what its
 * rows mean.  Connections are dbconn.c's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "db.h"
#include "dbconn.h"
#include "log.h"

/* The head columns before a read's place columns (h.uid, h.live, ...). */
#define SESSION_NCOLS	3	/* and h.lsn after them in ST_SESSION */
#define REPLICA_NCOLS	1	/* h.ok */

struct db *
db_new(const char *conninfo, const char *read_conninfo, bool unnamed,
    const struct authschema *as)
{
	struct db		*db;
	struct sql_names	 names;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->unnamed = unnamed;
	if (as != NULL)
		db->as = *as;
	else
		authschema_preset(&db->as, AP_PG);
	/*
	 * The statements as the preset's ORM makes the tables; the first
	 * connection checks the catalog and builds them again if it differs
	 * (dbconn.c, conn_resolve()).
	 */
	authschema_names(&db->as, &names);
	if (stmt_table_build(&db->stmts, &names) != PL_OK ||
	    conn_init(&db->primary, "primary", conninfo, false) != 0 ||
	    (read_conninfo != NULL && conn_init(&db->replica, "replica",
	    read_conninfo, true) != 0)) {
		db_free(db);
		return NULL;
	}
	return db;
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
	stmt_table_free(&db->stmts);
	free(db);
}

enum pl_err
db_check(struct db *db, char *err, size_t errlen)
{
	enum pl_err	 rc;

	snprintf(err, errlen, "database unavailable");
	db->checking = true;
	rc = conn_connect(db, err, errlen);
	db->checking = false;
	/*
	 * Only the check: the connection is closed again and the first
	 * request connects, as it did before there was a check (a worker
	 * holds no database connection until it serves a request).
	 */
	conn_close(&db->primary);
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
 * head row (stmt.c) that found nothing is one row of NULL place columns: no
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

/* Copies the author key in column 0 of res's first row. */
static enum pl_err
author_set(char author[DB_MAX_AUTHOR + 1], const PGresult *res)
{
	int	 len;

	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0) ||
	    (len = PQgetlength(res, 0, 0)) > DB_MAX_AUTHOR) {
		log_errorx("author key missing or longer than %d bytes",
		    DB_MAX_AUTHOR);
		return PL_EINTERNAL;
	}
	memcpy(author, PQgetvalue(res, 0, 0), (size_t)len + 1);
	return PL_OK;
}

/* The statement that checks the session and, when it can, does the read. */
static enum stmt
session_stmt(const struct db *db, const struct db_read *read)
{
	const struct list_query	*q;

	if (read == NULL || db->replica.conninfo != NULL)
		return ST_SESSION;	/* the read goes to the replica */
	if (read->id != NULL)
		return ST_SESSION_GET;
	if ((q = read->list) == NULL)
		return ST_SESSION;
	if (q->offset > 0)
		return q->mine ? ST_SESSION_LIST_MINE_OFFSET :
		    ST_SESSION_LIST_OFFSET;
	return q->mine ? ST_SESSION_LIST_MINE : ST_SESSION_LIST;
}

/*
 * A list's parameters after its limit: the offset, or the position its
 * page starts below (the cursor's; for the first page, above every row:
 * no finite createdAt reaches 'infinity').
 */
struct list_params {
	const char	*offset, *time, *id;	/* into the buffers, or static */
	char		 obuf[16];
	char		 tbuf[CURSOR_TIME_MAX];
	char		 ibuf[CURSOR_ID_MAX];
};

static void
list_params_set(struct list_params *lp, const struct list_query *q)
{
	lp->offset = "0";
	if (q->offset > 0) {
		snprintf(lp->obuf, sizeof(lp->obuf), "%u", q->offset);
		lp->offset = lp->obuf;
	}
	if (q->after) {
		cursor_time_param(&q->before, lp->tbuf);
		cursor_id_param(&q->before, lp->ibuf);
		lp->time = lp->tbuf;
		lp->id = lp->ibuf;
	} else {
		lp->time = "infinity";
		lp->id = "ffffffff-ffff-ffff-ffff-ffffffffffff";
	}
}

enum pl_err
db_session_user(struct db *db, const char *token, size_t len,
    long long max_age, long long update_age, struct db_read *read,
    char author[DB_MAX_AUTHOR + 1], bool *renewed)
{
	char		 tok[256], maxs[24], upds[24], p4[16];
	const char	*params[STMT_MAX_PARAMS];
	struct list_params lp;
	PGresult	*res = NULL;
	enum pl_err	 rc;
	enum stmt	 st = session_stmt(db, read);

	*renewed = false;
	db->lsn[0] = '\0';
	if (db->as.preset == AP_NONE)
		return PL_EUNAUTH;	/* JWT sessions only */
	if (read != NULL)
		read->done = false;
	/* "sessionToken" is VARCHAR(255): a longer token matches nothing. */
	if (len == 0 || len >= sizeof(tok) || memchr(token, '\0', len))
		return PL_EUNAUTH;
	memcpy(tok, token, len);
	tok[len] = '\0';
	fmt_ll(maxs, sizeof(maxs), max_age);
	fmt_ll(upds, sizeof(upds), update_age);
	params[SP_TOKEN] = tok;
	params[SP_MAX_AGE] = maxs;
	params[SP_UPDATE_AGE] = upds;
	if (st == ST_SESSION_GET)
		params[SP_GET_ID] = read->id;
	else if (st != ST_SESSION) {
		snprintf(p4, sizeof(p4), "%u", read->list->limit);
		list_params_set(&lp, read->list);
		params[SP_LIST_LIMIT] = p4;
		if (read->list->offset > 0)
			params[SP_LIST_OFFSET] = lp.offset;
		else {
			params[SP_LIST_TIME] = lp.time;
			params[SP_LIST_ID] = lp.id;
		}
	}
	rc = conn_exec(db, st, params, PGRES_TUPLES_OK, &res);
	sodium_memzero(tok, sizeof(tok));
	if (rc != PL_OK)
		goto out;
	/* None, orphaned, or expired (now deleted): every row says so. */
	if (PQntuples(res) < 1 || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		rc = PL_EUNAUTH;
		goto out;
	}
	if ((rc = author_set(author, res)) != PL_OK)
		goto out;
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

enum pl_err
db_jwt_author(struct db *db, const char *sub, const char *email,
    char author[DB_MAX_AUTHOR + 1])
{
	const char	*params[STMT_MAX_PARAMS];
	PGresult	*res = NULL;
	enum pl_err	 rc;

	params[AP_SUB] = sub;
	params[AP_EMAIL] = email;
	db->lsn[0] = '\0';
	/* Almost always known, with this email: one indexed read. */
	if ((rc = conn_exec(db, ST_AUTHOR, params, PGRES_TUPLES_OK, &res))
	    != PL_OK)
		goto out;
	if (PQntuples(res) == 1) {
		lsn_set(db, res, 1);
		rc = author_set(author, res);
		goto out;
	}
	PQclear(res);
	/*
	 * First sight, or a new email: one upsert, which concurrent first
	 * requests serialise on the primary key.  The reads of this request
	 * then go to the primary (no WAL position kept).
	 */
	if ((rc = conn_exec(db, ST_AUTHOR_UPSERT, params, PGRES_TUPLES_OK,
	    &res)) != PL_OK)
		goto out;
	rc = author_set(author, res);
out:
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
    struct db_rows *rows)
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
	params[stmt_lsn_param(st)] = db->lsn;
	if (conn_exec(db, st, params, PGRES_TUPLES_OK, &res) != PL_OK) {
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
db_place_list(struct db *db, const struct list_query *q, const char *author,
    struct db_rows *rows)
{
	char		 lim[16];
	const char	*params[STMT_MAX_PARAMS];
	struct list_params lp;
	PGresult	*res;
	enum pl_err	 rc;
	enum stmt	 st, rst;

	snprintf(lim, sizeof(lim), "%u", q->limit);
	list_params_set(&lp, q);
	if (q->offset > 0) {
		params[OP_LIMIT] = lim;
		params[OP_OFFSET] = lp.offset;
		params[OP_AUTHOR] = author;
		st = q->mine ? ST_LIST_MINE_OFFSET : ST_LIST_OFFSET;
		rst = q->mine ? ST_REPLICA_LIST_MINE_OFFSET :
		    ST_REPLICA_LIST_OFFSET;
	} else {
		params[LP_LIMIT] = lim;
		params[LP_TIME] = lp.time;
		params[LP_ID] = lp.id;
		params[LP_AUTHOR] = author;
		st = q->mine ? ST_LIST_MINE : ST_LIST;
		rst = q->mine ? ST_REPLICA_LIST_MINE : ST_REPLICA_LIST;
	}
	if (db_read_replica(db, rst, params, rows) == PL_OK)
		return PL_OK;
	rc = conn_exec(db, st, params, PGRES_TUPLES_OK, &res);
	rows_set(rows, res, 0);
	return rc;
}

enum pl_err
db_place_get(struct db *db, const char *id, struct db_rows *rows)
{
	const char	*params[STMT_MAX_PARAMS];
	PGresult	*res;
	enum pl_err	 rc;

	params[GP_ID] = id;
	if (db_read_replica(db, ST_REPLICA_GET, params, rows) != PL_OK) {
		rc = conn_exec(db, ST_GET, params, PGRES_TUPLES_OK, &res);
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
db_place_create(struct db *db, const char *author,
    const struct place_input *in, char id[UUID_LEN + 1])
{
	const char	*params[STMT_MAX_PARAMS];
	PGresult	*res = NULL;
	enum pl_err	 rc;
	int		 f;

	for (f = 0; f < PF__COUNT; f++)
		params[IP_FIELD0 + f] = field_param(in, (enum place_field)f);
	params[IP_AUTHOR] = author;
	uuid_v4(id);
	params[IP_ID] = id;
	/*
	 * "INSERT 0 0" can only be our own earlier attempt: a collision of
	 * 122 random bits with another place is not a case to code for.
	 */
	rc = conn_exec(db, ST_INSERT, params, PGRES_COMMAND_OK, &res);
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
	const char	*params[STMT_MAX_PARAMS];
	PGresult	*res;
	enum pl_err	 rc;

	params[GP_ID] = id;
	if ((rc = conn_exec(db, ST_OWNER, params, PGRES_TUPLES_OK, &res))
	    == PL_OK)
		rc = PQntuples(res) == 0 ? PL_ENOTFOUND : PL_EFORBIDDEN;
	PQclear(res);
	return rc;
}

enum pl_err
db_place_update(struct db *db, const char *id, const char *author,
    const struct place_input *in, struct db_rows *rows)
{
	char		 mask[16];
	const char	*params[STMT_MAX_PARAMS];
	PGresult	*res;
	enum pl_err	 rc;
	int		 f;

	snprintf(mask, sizeof(mask), "%u", in->present);
	params[WP_ID] = id;
	params[WP_AUTHOR] = author;
	params[WP_MASK] = mask;
	for (f = 0; f < PF__COUNT; f++)
		params[WP_FIELD0 + f] = field_param(in, (enum place_field)f);
	rc = conn_exec(db, ST_UPDATE, params, PGRES_TUPLES_OK, &res);
	rows_set(rows, res, 0);
	if (rc == PL_OK && rows->n == 0) {
		db_rows_free(rows);
		rc = db_place_why(db, id);
	}
	return rc;
}

enum pl_err
db_place_delete(struct db *db, const char *id, const char *author)
{
	const char	*params[STMT_MAX_PARAMS];
	PGresult	*res = NULL;
	enum pl_err	 rc;

	params[DP_ID] = id;
	params[DP_AUTHOR] = author;
	if ((rc = conn_exec(db, ST_DELETE, params, PGRES_COMMAND_OK, &res))
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

enum pl_err
db_rows_cursor(const struct db_rows *rows, int i, struct cursor *c)
{
	int	 k = rows->col0 + PC__COUNT + 1;	/* key_at, after sort_at */

	if (i < 0 || i >= rows->n || PQnfields(rows->res) <= k ||
	    PQgetisnull(rows->res, i, k))
		return PL_EINTERNAL;
	return cursor_from_row(PQgetvalue(rows->res, i, k),
	    (size_t)PQgetlength(rows->res, i, k),
	    PQgetvalue(rows->res, i, rows->col0 + PC_ID),
	    (size_t)PQgetlength(rows->res, i, rows->col0 + PC_ID), c);
}

void
db_rows_free(struct db_rows *rows)
{
	PQclear(rows->res);
	rows->res = NULL;
	rows->n = 0;
	rows->col0 = 0;
}
