/*
 * dbconn.h - the connections under db.h, private to db*.c: opening each
 * server on first use, preparing the statement table on it, noticing a
 * server that went away, reconnecting, and sending a statement again
 * when that is safe.
 *
 * A transaction (conn_begin() .. conn_commit()) pins its connection: a
 * connection lost inside one is an error (PL_EDBDOWN), never a reconnect,
 * since what followed on a new connection would run outside it.
 */
#ifndef PLACES_DBCONN_H
#define PLACES_DBCONN_H

#include <stdbool.h>
#include <time.h>

#include <libpq-fe.h>

#include "authschema.h"
#include "error.h"
#include "stmt.h"

/* A primary's WAL position as text, "XXXXXXXX/XXXXXXXX" at most. */
#define LSN_MAX		17

/* After a failure the replica is left alone this long (seconds). */
#define REPLICA_PAUSE	5

/* One server: the primary, or the replica. */
struct conn {
	const char	*role;		/* "primary", "replica": for the log */
	char		*conninfo;	/* owned; NULL: PG* variables */
	PGconn		*pg;		/* NULL or CONNECTION_OK and prepared */
	bool		 replica;
	bool		 in_tx;		/* between conn_begin() and its end */
	time_t		 pause_until;	/* replica: not used before then */
};

struct db {
	struct conn		 primary;
	struct conn		 replica;	/* conninfo NULL: no replica */
	bool			 unnamed;	/* no named prepared statements */
	char			 lsn[LSN_MAX + 1];	/* this request's; "" */
	struct stmt_table	 stmts;		/* built once, on connecting */
	struct authschema	 as;		/* the tables, checked once */
	bool			 built;		/* as checked, stmts built */
	bool			 bad_schema;	/* the check failed: why */
	bool			 checking;	/* db_check(): no prepares */
	char			 why[256];
};

/*
 * Checks db->as against pg's catalog and builds the statements, once:
 * start-up work, done on the first connection to the primary (extern so
 * that tests/bench/callgrind.sh can leave it out of a request's count, as
 * it does the connection).  PL_OK; PL_EBADREQ with err naming what is
 * missing; PL_EDBDOWN; PL_ENOMEM.
 */
enum pl_err	conn_resolve(struct db *, PGconn *pg, char *err, size_t errlen)
		    PL_MUST_CHECK;

/*
 * Opens the primary now if it is not open (which checks the tables):
 * PL_OK; PL_EBADREQ with err saying which table or column is missing;
 * PL_EDBDOWN; PL_ENOMEM.
 */
enum pl_err	conn_connect(struct db *, char *err, size_t errlen)
		    PL_MUST_CHECK;

/* Fills c (no connection yet); -1 out of memory. */
int		conn_init(struct conn *, const char *role, const char *conninfo,
		    bool replica) PL_MUST_CHECK;
/* Closes the connection, if any; c can be opened again. */
void		conn_close(struct conn *);

/*
 * Runs statement st on the connection it belongs to and checks its result
 * status against want.  Outside a transaction, an idempotent statement
 * that finds the connection broken is sent once more on a new connection.
 * A primary that refuses writes (read-only, or in recovery) has its
 * connection closed, and outside a transaction any statement (it did not
 * run) is sent once more on a new one; still refused, PL_EDBDOWN.
 * On PL_OK *out is the result (the caller PQclear()s); else *out is NULL.
 * PL_EDBDOWN (server unavailable, connection lost); PL_EINTERNAL.
 */
enum pl_err	conn_exec(struct db *, enum stmt st, const char *const *params,
		    ExecStatusType want, PGresult **out) PL_MUST_CHECK;

/*
 * A transaction on the primary.  conn_begin() connects if needed; inside,
 * conn_exec() never reconnects.  conn_commit() and conn_rollback() always
 * leave the transaction: when COMMIT or ROLLBACK fails the connection is
 * closed, so nothing of the transaction lingers on it.
 */
enum pl_err	conn_begin(struct db *) PL_MUST_CHECK;
enum pl_err	conn_commit(struct db *) PL_MUST_CHECK;
void		conn_rollback(struct db *);

#endif
