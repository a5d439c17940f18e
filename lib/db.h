/*
 * db.h - the worker's PostgreSQL connections and every statement it runs.
 *
 * One connection to the primary, and one to a streaming replica when one
 * is configured.  Each is opened on first use and kept across requests;
 * each statement is prepared once per connection (or sent unnamed, behind
 * a transaction pooler).  When a server goes away the next call notices
 * (before sending anything), reconnects, and answers PL_EDBDOWN while that
 * fails, so the worker never has to restart.
 *
 * Reads and the replica: list and get go to the replica only once it has
 * replayed the WAL position the primary reported in this request's session
 * check, so a read sees every write committed before the request came:
 * the client's own and everyone else's.  A replica that is behind, down
 * or failing costs nothing but a read from the primary.
 *
 * The code is in three parts: the statement table (stmt.c: all the SQL,
 * with $n parameters only), the connections (dbconn.c: connecting,
 * reconnecting, sending again) and the operations below (db.c).
 */
#ifndef PLACES_DB_H
#define PLACES_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "authschema.h"
#include "cursor.h"
#include "error.h"
#include "place.h"
#include "query.h"
#include "route.h"

struct db;
struct pg_result;

/* Rows of places; release with db_rows_free(). */
struct db_rows {
	struct pg_result	*res;
	int			 n;
	int			 col0;	/* where the place columns start */
};

/*
 * A read that the session check may do in the same statement, one round
 * trip instead of two (only without a replica: the check must run on the
 * primary, the read should not).  The read runs only if the session is
 * live, so an unknown token costs no more than before.
 */
struct db_read {
	const struct list_query	*list;	/* GET /api/places, or NULL */
	const char		*id;	/* GET /api/places/<id>, or NULL */
	bool			 done;	/* out: rows is the read's answer */
	struct db_rows		 rows;	/* out when done; n == 0: none */
};

/*
 * An author key: who wrote a place, as the statements compare it.  "u:"
 * and the app's user id as text (any type: integer, text, uuid), or "s:"
 * and a JWT caller's sub when no users row has that id (the worker's own
 * author record, places.authors).  Never a number.
 */
#define DB_MAX_AUTHOR	(2 + 255)

/*
 * A handle for conninfo (NULL: libpq's PG* variables) and, optionally, a
 * replica's read_conninfo; unnamed: behind a pooler in transaction mode
 * (pgbouncer pool_mode=transaction), which keeps no prepared statement
 * from one transaction to the next; as: where the tables are (copied;
 * NULL: the pg preset).
 * Does not connect.
 */
struct db	*db_new(const char *conninfo, const char *read_conninfo,
		    bool unnamed, const struct authschema *as);

/*
 * Connects to the primary, checks the tables against its catalog and
 * builds the statements (authschema_check()), and disconnects: the
 * worker's start-up.
 * PL_OK; PL_EBADREQ with err naming the missing table or column (stop);
 * PL_EDBDOWN (the first connection does it later); PL_ENOMEM.
 */
enum pl_err	db_check(struct db *, char *err, size_t errlen) PL_MUST_CHECK;
void		 db_free(struct db *);

/*
 * The author key ("u:" and the user's id) of the session with this token,
 * in one statement that also
 * does what NextAuth's session route does on the way: an expired session
 * (expires < now) is deleted (next-auth 4.24.15 core/routes/session.js
 * l.99-102); a live one whose expires - max_age + update_age <= now gets
 * expires = now + max_age (*renewed; l.109-117), which the row lock makes
 * happen at most once per update_age however many requests race.  A
 * session whose user row is missing is no session, and is kept
 * (@auth/pg-adapter 1.11.3 index.js l.162-182, getSessionAndUser).
 * read (or NULL) is done along when it can be (read->done).
 * PL_OK; PL_EUNAUTH (none, expired, orphaned); PL_EDBDOWN; PL_EINTERNAL.
 */
enum pl_err	db_session_user(struct db *, const char *token, size_t len,
		    long long max_age, long long update_age,
		    struct db_read *read, char author[DB_MAX_AUTHOR + 1],
		    bool *renewed) PL_MUST_CHECK;

/*
 * The author key of a JWT caller: the app's user whose id is sub when
 * there is one (NextAuth's sub is the user's id), else the worker's
 * author record for sub, made or given the current email (the API's
 * author) here.  No users row is ever made: Prisma's and Drizzle's ids
 * are the app's to make, and a JWT-only app has no users table.
 * PL_OK; PL_EDBDOWN; PL_EINTERNAL.
 */
enum pl_err	db_jwt_author(struct db *, const char *sub, const char *email,
		    char author[DB_MAX_AUTHOR + 1]) PL_MUST_CHECK;

/* PL_OK with rows (possibly none); PL_EDBDOWN; PL_EINTERNAL. */
enum pl_err	db_place_list(struct db *, const struct list_query *,
		    const char *author, struct db_rows *) PL_MUST_CHECK;
/* PL_OK with one row; PL_ENOTFOUND; PL_EDBDOWN; PL_EINTERNAL. */
enum pl_err	db_place_get(struct db *, const char *id,
		    struct db_rows *) PL_MUST_CHECK;
/*
 * Inserts a place under a uuid made here (id, filled on every path), so
 * that the statement can be sent again after a lost connection without
 * inserting twice (ON CONFLICT (id) DO NOTHING: a resend that finds its
 * own first attempt committed inserts nothing, and is PL_OK).  On PL_OK
 * the row exists, once.  On an error it does not, unless the connection
 * was lost after the first attempt committed (the log says "connection
 * lost"): then it may, whether the reconnect failed (PL_EDBDOWN) or the
 * resend met an error of its own.
 */
enum pl_err	db_place_create(struct db *, const char *author,
		    const struct place_input *, char id[UUID_LEN + 1])
		    PL_MUST_CHECK;
/*
 * Changes the fields in in->present of the place, if author wrote it.
 * PL_OK with the updated row; PL_ENOTFOUND; PL_EFORBIDDEN; PL_EDBDOWN;
 * PL_EINTERNAL.
 */
enum pl_err	db_place_update(struct db *, const char *id, const char *author,
		    const struct place_input *, struct db_rows *) PL_MUST_CHECK;
/* PL_OK; PL_ENOTFOUND; PL_EFORBIDDEN; PL_EDBDOWN; PL_EINTERNAL. */
enum pl_err	db_place_delete(struct db *, const char *id, const char *author)
		    PL_MUST_CHECK;

/* Row i of rows as text columns (pointers into the result). */
void		db_rows_place(const struct db_rows *, int i, struct place_row *);
/*
 * The cursor of row i of a list (db_place_list(), or a session check's
 * list read): the next page starts below it.  PL_OK; PL_EINTERNAL.
 */
enum pl_err	db_rows_cursor(const struct db_rows *, int i, struct cursor *)
		    PL_MUST_CHECK;
void		db_rows_free(struct db_rows *);

#endif
