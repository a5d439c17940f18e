/*
 * placesctl - schema migrations and session administration, for operators
 * and local runs.
 *
 *   placesctl migrate [--dir SQLDIR] [--print]
 *   placesctl user add EMAIL [--name NAME]
 *   placesctl session new EMAIL [--ttl DURATION]
 *   placesctl session list EMAIL
 *   placesctl session revoke TOKEN | -
 *   placesctl session revoke --user EMAIL
 *   placesctl session prune
 *
 * The database is DATABASE_URL, or libpq's PG* variables when it is unset;
 * when neither names one and this program runs from a checkout, the local
 * stack's (`make run`: ../.run/stack.env next to it).
 * Tokens come from libsodium's generator: 32 random bytes, hex-encoded
 * (256 bits; NextAuth's own tokens are random UUIDs or 32 random bytes).
 * Only `session new` ever prints a whole token: the one it has just made.
 *
 * The tables are where PLACES_AUTH_SCHEMA and the PLACES_AUTH_* overrides
 * say (lib/authschema.h), checked against the catalog before use, as the
 * worker does; the worker's own tables are in PLACES_SCHEMA.
 *
 * Every argument is checked before the database is touched.  Exit codes:
 * 0 done, 1 usage or bad argument (including an unreadable migrations
 * directory or file), 2 not found (unknown user or token), 3 database
 * unavailable or a database error.  Messages go to stderr, prefixed
 * "placesctl: ".
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "authschema.h"
#include "buf.h"
#include "stmt.h"
#include "utf8.h"
#include "version.h"

#define EXIT_USAGE	1	/* usage or bad argument */
#define EXIT_NOTFOUND	2	/* unknown user or token */
#define EXIT_DB		3	/* database unavailable or failed */

#define MAX_EMAIL	255	/* users.email VARCHAR(255) */
#define MAX_NAME	255	/* users.name VARCHAR(255) */
#define MAX_TOKEN	255	/* sessions."sessionToken" VARCHAR(255) */
#define MAX_DURATION	12	/* bytes of "3650d", with room for zeros */
#define MAX_MIGRATION	(1024 * 1024)	/* bytes of one migration file */
#define TOKEN_BYTES	32	/* random bytes in a new token */
#define PREFIX_CHARS	"8"	/* token characters `session list` shows (SQL) */

#define TTL_DEFAULT	(30LL * 24 * 3600)	/* NextAuth's maxAge */
#define TTL_MIN		1LL
#define TTL_MAX		(3650LL * 24 * 3600)

#ifndef PLACES_SQLDIR
#define PLACES_SQLDIR	"/usr/local/share/places-fcgi/sql"
#endif

/*
 * The advisory lock every migration transaction takes ("places" in ASCII),
 * so concurrent runs apply each migration once, one after the other.
 */
#define MIGRATE_LOCK	"123610792682867"

/*
 * RFC 3339 in UTC, to the second, from the sessions' expires column (a
 * template: {utc} makes a timestamptz one UTC, and leaves a timestamp
 * one, which holds UTC, as it is).
 */
#define UTC_TIME(col) \
	"to_char(" col "{utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char	*argv0;		/* for the fallback migrations dir */
static struct authschema as;		/* from the environment, in main() */

struct cmd;
static int	cmd_migrate(const struct cmd *, int, char **);
static int	cmd_user_add(const struct cmd *, int, char **);
static int	cmd_session_new(const struct cmd *, int, char **);
static int	cmd_session_list(const struct cmd *, int, char **);
static int	cmd_session_revoke(const struct cmd *, int, char **);
static int	cmd_session_prune(const struct cmd *, int, char **);

/* Every command: the words that name it, its arguments, what it does. */
static const struct cmd {
	const char	*group;		/* first word */
	const char	*name;		/* second word, or NULL */
	const char	*args;		/* for usage */
	/* Runs the command on the arguments after its words. */
	int		(*fn)(const struct cmd *, int, char **);
	const char	*help;		/* one line for --help */
} cmds[] = {
	{ "migrate", NULL, "[--dir SQLDIR] [--print]", cmd_migrate,
	    "create the worker's tables (pg: the missing NNN_*.sql in name "
	    "order); --print shows the SQL instead" },
	{ "user", "add", "EMAIL [--name NAME]", cmd_user_add,
	    "add a user unless one has that email" },
	{ "session", "new", "EMAIL [--ttl DURATION]", cmd_session_new,
	    "print a new session token and its expiry (default 30d)" },
	{ "session", "list", "EMAIL", cmd_session_list,
	    "list a user's sessions (id, token prefix, expiry)" },
	{ "session", "revoke", "TOKEN | - | --user EMAIL", cmd_session_revoke,
	    "delete one session (-: token on stdin) or all of a user's" },
	{ "session", "prune", "", cmd_session_prune,
	    "delete every expired session" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/*
 * The usage: every command and every environment variable this program
 * reads (tests/install.sh checks each getenv() here is named).
 */
static void
usage(FILE *f)
{
	size_t	 i;
	char	 words[32];

	fprintf(f, "usage:\n");
	for (i = 0; i < NCMDS; i++) {
		snprintf(words, sizeof(words), "%s%s%s", cmds[i].group,
		    cmds[i].name != NULL ? " " : "",
		    cmds[i].name != NULL ? cmds[i].name : "");
		fprintf(f, "  placesctl %s%s%s\n      %s\n", words,
		    cmds[i].args[0] != '\0' ? " " : "", cmds[i].args,
		    cmds[i].help);
	}
	fprintf(f,
	    "  placesctl -h | --help | --version\n"
	    "\n"
	    "DURATION: a number and s, m, h or d, from 1s to 3650d (e.g. 90m).\n"
	    "A session is NextAuth's: the first request once it expires within\n"
	    "maxAge - updateAge (29 days by default) renews it to maxAge (30\n"
	    "days), so a shorter --ttl only bounds a session left unused; end\n"
	    "one with session revoke.\n"
	    "SQLDIR: default %s, else ../sql next to this program.\n"
	    "\n"
	    "Environment: DATABASE_URL (libpq connection string or URI); when\n"
	    "unset, libpq's PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...\n"
	    "and when none of DATABASE_URL, PGHOST, PGPORT, PGDATABASE and\n"
	    "PGSERVICE is set, the DATABASE_URL of ../.run/stack.env next to\n"
	    "this program, if there is one (the checkout's stack, make run).\n"
	    "PGCONNECT_TIMEOUT: seconds to wait for the database (default 3).\n"
	    "PLACES_AUTH_SCHEMA: pg (default), prisma, drizzle, kysely or none;\n"
	    "PLACES_AUTH_DB_SCHEMA, PLACES_AUTH_USERS, PLACES_AUTH_USERS_ID,\n"
	    "PLACES_AUTH_USERS_EMAIL, PLACES_AUTH_USERS_NAME, PLACES_AUTH_SESSIONS,\n"
	    "PLACES_AUTH_SESSIONS_TOKEN, PLACES_AUTH_SESSIONS_USER_ID,\n"
	    "PLACES_AUTH_SESSIONS_EXPIRES rename the app's tables and columns;\n"
	    "PLACES_SCHEMA: the worker's own schema (default places).\n"
	    "\n"
	    "Exit status: 0 done, 1 usage or bad argument, 2 unknown user or\n"
	    "token, 3 database unavailable or database error.\n"
	    "More in placesctl(8).\n",
	    PLACES_SQLDIR);
}

/* The usage line of one command, after an error in its arguments. */
static int
cmd_usage(const struct cmd *c)
{
	fprintf(stderr, "placesctl: usage: placesctl %s%s%s%s%s\n", c->group,
	    c->name != NULL ? " " : "", c->name != NULL ? c->name : "",
	    c->args[0] != '\0' ? " " : "", c->args);
	return EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Arguments */

/* An option that takes a value, for parse_args(). */
struct opt {
	const char	*name;		/* "--ttl" */
	const char	*val;		/* NULL unless given */
};

/*
 * An option's shape: "-x" or "--name", with letters, digits and '-' only,
 * at most 24 bytes.  What else starts with '-' may be a token.
 */
static bool
option_like(const char *s)
{
	size_t	 n = strnlen(s, 25), i;

	if (n > 24 || n < 2 || (n > 2 && s[1] != '-'))
		return false;
	for (i = 1; i < n; i++)
		if (!(s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/*
 * Sorts args into at most maxpos positional arguments (pos[], *npos) and
 * the options in opts[], each of which takes a value; after "--" every
 * argument is positional.  False, after a message, on an unknown or
 * repeated option or one argument too many.
 */
static bool
parse_args(int argc, char **argv, const char **pos, int maxpos, int *npos,
    struct opt *opts, size_t nopts)
{
	int	 i;
	size_t	 k;
	bool	 ended = false;

	*npos = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 && !ended) {
			ended = true;	/* the rest are positional */
			continue;
		}
		if (ended || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
			if (*npos == maxpos) {
				fprintf(stderr, "placesctl: too many "
				    "arguments\n");
				return false;
			}
			pos[(*npos)++] = argv[i];
			continue;
		}
		for (k = 0; k < nopts; k++)
			if (strcmp(argv[i], opts[k].name) == 0)
				break;
		if (k == nopts) {
			/*
			 * Named only when it looks like an option: a session
			 * token may start with '-', and no token is printed.
			 */
			if (option_like(argv[i]))
				fprintf(stderr, "placesctl: unknown option "
				    "%s\n", argv[i]);
			else
				fprintf(stderr, "placesctl: unknown option "
				    "(not shown; after -- an argument may "
				    "start with -)\n");
			return false;
		}
		if (opts[k].val != NULL) {
			fprintf(stderr, "placesctl: %s given twice\n",
			    opts[k].name);
			return false;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "placesctl: %s needs a value\n",
			    opts[k].name);
			return false;
		}
		opts[k].val = argv[++i];
	}
	return true;
}

/*
 * True when s is 1..max bytes of UTF-8 text without control characters
 * (C0, DEL, C1), and without spaces unless spaces is true.
 */
static bool
valid_text(const char *s, size_t max, bool spaces)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len = strnlen(s, max + 1), i;

	if (len == 0 || len > max || !utf8_valid(s, len, NULL))
		return false;
	for (i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7F || (u[i] == ' ' && !spaces))
			return false;
		/* U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8. */
		if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
			return false;
	}
	return true;
}

/*
 * An email we would store or look up: valid_text() without spaces, at
 * most MAX_EMAIL bytes, with an @ that is neither first nor last.  No more
 * than that: NextAuth stores what its providers give it.  True, or false
 * after a message.
 */
static bool
check_email(const char *s)
{
	const char	*at;

	if (!valid_text(s, MAX_EMAIL, false) || (at = strrchr(s, '@')) ==
	    NULL || at == s || at[1] == '\0') {
		fprintf(stderr, "placesctl: bad email: want 1..%d bytes with "
		    "an @, no spaces or control characters\n", MAX_EMAIL);
		return false;
	}
	return true;
}

/*
 * A token we would look up, as the worker judges one: 1..MAX_TOKEN bytes
 * of printable ASCII without spaces.  True, or false after a message.
 */
static bool
check_token(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > MAX_TOKEN)
		goto bad;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
			goto bad;
	return true;
bad:
	fprintf(stderr, "placesctl: not a session token: want 1..%d "
	    "printable ASCII characters\n", MAX_TOKEN);
	return false;
}

/* "90m" -> 5400; -1, after a message, when malformed or out of range. */
static long long
parse_duration(const char *s)
{
	long long	 v = 0, mult = 0;
	size_t		 i, len = strnlen(s, MAX_DURATION + 1);

	if (len < 2 || len > MAX_DURATION)
		goto bad;
	for (i = 0; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: goto bad;
	}
	if (v < TTL_MIN || v > TTL_MAX / mult)
		goto bad;
	return v * mult;
bad:
	fprintf(stderr, "placesctl: bad duration: want a number and s, m, h "
	    "or d, from 1s to 3650d\n");
	return -1;
}

/*
 * Reads one line (the token, for `session revoke -`) from stdin into
 * buf[MAX_TOKEN + 2] with read(2), so no stdio buffer keeps a copy.  A
 * final CR LF or LF is dropped.  The length (MAX_TOKEN + 2 for a longer
 * line, which check_token() refuses), or -1 after a message.
 */
static ssize_t
read_token(char *buf)
{
	size_t	 len = 0;
	ssize_t	 r;
	bool	 over = false;
	char	 c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			fprintf(stderr, "placesctl: reading stdin: %s\n",
			    strerror(errno));
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (len == MAX_TOKEN + 1)
			over = true;	/* keep reading to the end of the line */
		else
			buf[len++] = c;
	}
	c = '\0';	/* it may hold the token's last byte */
	if (!over && len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return over ? MAX_TOKEN + 2 : (ssize_t)len;
}

/* ------------------------------------------------------------------ */
/* Database */

/* libpq's notices (a migration's RAISE NOTICE) with our prefix. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "placesctl: %s", msg);
}

/*
 * Connects to DATABASE_URL, or where libpq's PG* variables say, or else to
 * the local stack (local_stack_url()).  Like the
 * worker, waits at most 3 s for a dead host unless PGCONNECT_TIMEOUT or
 * DATABASE_URL says otherwise (libpq keeps the last value of a keyword).
 * The connection, or NULL after a message.
 */
/*
 * The checkout's local stack, for tools/placesctl after `make run` with no
 * database in the environment: the DATABASE_URL='...' line of
 * ../.run/stack.env next to this program (tools/stack.sh writes it single-
 * quoted, with no quote inside).  The URL in buf, or NULL when there is no
 * such file or line, or the environment names a database.
 */
static const char *
local_stack_url(char *buf, size_t size)
{
	static const char	 key[] = "DATABASE_URL='";
	const char		*slash, *found = NULL;
	char			 path[PATH_MAX], line[1024];
	size_t			 len;
	FILE			*f;

	if (getenv("PGHOST") != NULL || getenv("PGPORT") != NULL ||
	    getenv("PGDATABASE") != NULL || getenv("PGSERVICE") != NULL ||
	    (slash = strrchr(argv0, '/')) == NULL)
		return NULL;
	len = (size_t)snprintf(path, sizeof(path), "%.*s/../.run/stack.env",
	    (int)(slash - argv0), argv0);
	if (len >= sizeof(path) || (f = fopen(path, "r")) == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, sizeof(key) - 1) != 0)
			continue;
		len = strcspn(line + sizeof(key) - 1, "'\n");
		if (line[sizeof(key) - 1 + len] == '\'' && len < size) {
			memcpy(buf, line + sizeof(key) - 1, len);
			buf[len] = '\0';
			found = buf;
		}
	}
	fclose(f);
	return found;
}

static PGconn *
db_open(void)
{
	const char	*url = getenv("DATABASE_URL");
	const char	*keys[4], *vals[4];
	char		 local[1024];
	PGconn		*conn;
	int		 n = 0;

	if (url == NULL || url[0] == '\0')
		url = local_stack_url(local, sizeof(local));

	keys[n] = "application_name"; vals[n++] = "placesctl";
	if (getenv("PGCONNECT_TIMEOUT") == NULL) {
		keys[n] = "connect_timeout"; vals[n++] = "3";
	}
	if (url != NULL && url[0] != '\0') {
		keys[n] = "dbname"; vals[n++] = url;
	}
	keys[n] = NULL; vals[n] = NULL;

	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL) {
		fprintf(stderr, "placesctl: out of memory\n");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "placesctl: database unavailable: %s",
		    PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	/*
	 * A server error's CONTEXT can quote a statement's parameters (with
	 * log_parameter_max_length_on_error set): `session revoke`'s token.
	 * The primary message says enough, as in the worker (lib/dbconn.c).
	 */
	PQsetErrorContextVisibility(conn, PQSHOW_CONTEXT_NEVER);
	/*
	 * Nor its DETAIL, which can quote a row: a foreign key of the app's
	 * to sessions names the token being deleted ("Key (sessionToken)=
	 * (...) is still referenced").  Terse: severity and primary message.
	 */
	PQsetErrorVerbosity(conn, PQERRORS_TERSE);
	PQsetNoticeProcessor(conn, notice, NULL);
	return conn;
}

/* Says why the last statement on conn failed. */
static void
db_error(PGconn *conn, const char *what)
{
	fprintf(stderr, "placesctl: %s%sdatabase %s: %s",
	    what != NULL ? what : "", what != NULL ? ": " : "",
	    PQstatus(conn) == CONNECTION_OK ? "error" : "unavailable",
	    PQerrorMessage(conn));
}

/*
 * Sends sql with its n parameters ($1.. only: nothing is pasted into SQL).
 * The result when its status is want; else NULL, after a message.
 */
static PGresult *
query(PGconn *conn, const char *sql, int n, const char *const *params,
    ExecStatusType want)
{
	PGresult	*res;

	res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != want) {
		db_error(conn, NULL);
		PQclear(res);
		return NULL;
	}
	return res;
}

/*
 * A statement without parameters whose rows, if any, do not matter
 * (BEGIN, COMMIT, SELECT pg_advisory_xact_lock(...)).  True if it ran;
 * else false, after a message.
 */
static bool
command(PGconn *conn, const char *sql)
{
	PGresult	*res;
	bool		 ok;

	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		db_error(conn, NULL);
	PQclear(res);
	return ok;
}

/* ------------------------------------------------------------------ */
/* The app's tables (PLACES_AUTH_SCHEMA) */

static struct sql_names	 names;		/* after tables_check() */

/*
 * Checks the app's tables on conn once (and with own, the worker's) and
 * fills names.  True, or false after a message naming what is missing.
 */
static bool
tables_check(PGconn *conn, bool own)
{
	char	 err[256];

	if (as.checked)
		return true;
	if (authschema_check(&as, conn, own, err, sizeof(err)) != PL_OK) {
		fprintf(stderr, "placesctl: %s\n", err);
		return false;
	}
	authschema_names(&as, &names);
	return true;
}

/*
 * A template of stmt.c's keys expanded for these tables (checked first):
 * a string to free, or NULL after a message.
 */
static char *
sqlt(PGconn *conn, const char *tpl)
{
	char	*sql;

	if (!tables_check(conn, false))
		return NULL;
	if (stmt_expand(&names, tpl, &sql) != PL_OK) {
		fprintf(stderr, "placesctl: out of memory\n");
		return NULL;
	}
	return sql;
}

/* True when there are users and sessions tables, else false after a message. */
static bool
app_tables(void)
{
	if (as.preset != AP_NONE)
		return true;
	fprintf(stderr, "placesctl: PLACES_AUTH_SCHEMA=none has no users or "
	    "sessions table\n");
	return false;
}

/*
 * The value the ORM would give a NOT NULL column that has no default
 * (Prisma's cuid() ids and @updatedAt, Drizzle's $defaultFn ids): ids a
 * random UUID, times now in the column's terms.  NULL for a type we do
 * not fill.
 */
static const char *
orm_value(const char *type)
{
	if (strcmp(type, "text") == 0 || strncmp(type, "character varying",
	    17) == 0)
		return "gen_random_uuid()::text";
	if (strcmp(type, "uuid") == 0)
		return "gen_random_uuid()";
	if (strncmp(type, "timestamp", 9) == 0)
		return strstr(type, "with time zone") != NULL &&
		    strstr(type, "without") == NULL ? "now()" :
		    "(now() AT TIME ZONE 'UTC')";
	return NULL;
}

/*
 * For an INSERT into the app's table (SN_USERS or SN_SESSIONS) that sets
 * only the columns in set[]: ", col" and ", value" for each other NOT NULL
 * column without a default, appended to cols and vals.  True, or false
 * after a message (a column we cannot fill, a database error).
 */
static bool
orm_columns(PGconn *conn, enum sql_name table, const char *const *set,
    int nset, struct buf *cols, struct buf *vals)
{
	const char	*params[2] = { as.name[SN_APP_SCHEMA], as.name[table] };
	const char	*v;
	char		*q;
	PGresult	*res;
	bool		 ok = false;
	int		 i, k;

	res = query(conn, "SELECT a.attname, format_type(a.atttypid, "
	    "a.atttypmod) FROM pg_catalog.pg_attribute a "
	    "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 "
	    "AND NOT a.attisdropped AND a.attnotnull AND NOT a.atthasdef "
	    "AND a.attidentity = '' AND a.attgenerated = ''", 2, params,
	    PGRES_TUPLES_OK);
	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++) {
		for (k = 0; k < nset; k++)
			if (strcmp(PQgetvalue(res, i, 0), set[k]) == 0)
				break;
		if (k < nset)
			continue;
		if ((v = orm_value(PQgetvalue(res, i, 1))) == NULL) {
			fprintf(stderr, "placesctl: cannot fill column \"%s\" "
			    "(%s) of \"%s\"\n", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), as.name[table]);
			goto out;
		}
		if ((q = PQescapeIdentifier(conn, PQgetvalue(res, i, 0),
		    (size_t)PQgetlength(res, i, 0))) == NULL)
			goto out;
		buf_printf(cols, ", %s", q);
		buf_printf(vals, ", %s", v);
		PQfreemem(q);
	}
	ok = !cols->failed && !vals->failed;
out:
	PQclear(res);
	return ok;
}

/* ------------------------------------------------------------------ */
/* migrate */

/* scandir() filter: NNN_*.sql (demo.sql and the like are not migrations). */
static int
migration_file(const struct dirent *d)
{
	const char	*s = d->d_name;
	size_t		 len = strlen(s);

	return len > 8 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' &&
	    s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] == '_' &&
	    strcmp(s + len - 4, ".sql") == 0;
}

/* scandir() order: by bytes, whatever the locale. */
static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * The version a migration file records: its name without ".sql", which
 * must be NNN_ and then letters, digits, '_' or '-' (so it prints and
 * sorts plainly).  True, or false after a message.
 */
static bool
migration_version(const char *file, char *version, size_t size)
{
	size_t	 len = strlen(file) - 4, i;

	for (i = 4; i < len; i++)
		if (!(file[i] >= 'a' && file[i] <= 'z') &&
		    !(file[i] >= 'A' && file[i] <= 'Z') &&
		    !(file[i] >= '0' && file[i] <= '9') &&
		    file[i] != '_' && file[i] != '-')
			break;
	if (i < len || len >= size) {
		fprintf(stderr, "placesctl: bad migration file name (want "
		    "NNN_[A-Za-z0-9_-]+.sql): %.64s\n", file);
		return false;
	}
	memcpy(version, file, len);
	version[len] = '\0';
	return true;
}

/*
 * The migrations directory when --dir is not given: PLACES_SQLDIR (the
 * Makefile's $(SHAREDIR)/sql) when it is a directory, else ../sql next to
 * this program, i.e. the repository's when run as tools/placesctl.  NULL,
 * after a message, when neither is.
 */
static const char *
default_sqldir(char *buf, size_t size)
{
	const char	*slash;
	struct stat	 st;
	int		 n;

	if (stat(PLACES_SQLDIR, &st) == 0 && S_ISDIR(st.st_mode))
		return PLACES_SQLDIR;
	if ((slash = strrchr(argv0, '/')) != NULL) {
		n = snprintf(buf, size, "%.*s/../sql", (int)(slash - argv0),
		    argv0);
		if (n > 0 && (size_t)n < size && stat(buf, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return buf;
	}
	fprintf(stderr, "placesctl: no migrations directory: %s is none, "
	    "nor is ../sql next to this program; use --dir\n", PLACES_SQLDIR);
	return NULL;
}

/*
 * Reads dir/file, at most MAX_MIGRATION bytes and no NUL (PQexec would
 * stop there).  A NUL-terminated copy the caller frees, or NULL after a
 * message.
 */
static char *
read_migration(const char *dir, const char *file)
{
	char		 path[PATH_MAX], *buf = NULL;
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd = -1, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "placesctl: path too long: %s/%s\n", dir, file);
		goto fail;
	}
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
		fprintf(stderr, "placesctl: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "placesctl: %s: not a regular file\n", path);
		goto fail;
	}
	if (st.st_size > MAX_MIGRATION)
		goto toobig;
	/* One byte more than allowed, to notice a file that grew. */
	if ((buf = malloc(MAX_MIGRATION + 1)) == NULL) {
		fprintf(stderr, "placesctl: out of memory\n");
		goto fail;
	}
	while (len <= MAX_MIGRATION) {
		r = read(fd, buf + len, MAX_MIGRATION + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			fprintf(stderr, "placesctl: %s: %s\n", path,
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += r;
	}
	if (len > MAX_MIGRATION)
		goto toobig;
	if (memchr(buf, '\0', len) != NULL) {
		fprintf(stderr, "placesctl: %s: contains a NUL byte\n", path);
		goto fail;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
toobig:
	fprintf(stderr, "placesctl: %s: larger than %d bytes, the limit for "
	    "one migration\n", path, MAX_MIGRATION);
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	return NULL;
}

/*
 * The outcome of one migration.  MIG_FAILED leaves an exit code in *rc;
 * the transaction is rolled back (or the connection is gone).
 */
enum mig {
	MIG_APPLIED,
	MIG_ADOPTED,	/* the app made these tables already */
	MIG_PRINTED,	/* --print: shown, not applied */
	MIG_PRESENT,
	MIG_FAILED
};

/*
 * The migration whose tables an app may have made already: NextAuth's,
 * by @auth/pg-adapter's documented DDL.  Adopted, not run, when all four
 * are there.
 */
#define ADOPTABLE	"001_nextauth"
#define ADOPT_SQL	"SELECT count(*) = 4 FROM pg_catalog.pg_tables " \
	"WHERE schemaname = 'public' AND tablename IN ('users', 'sessions', " \
	"'accounts', 'verification_token')"

/*
 * Applies dir/file unless schema_migrations has its version, in one
 * transaction with that row, under MIGRATE_LOCK: a concurrent run waits,
 * then finds the row.  The file goes in one PQexec (several statements
 * are fine), the version as a parameter.
 */
static enum mig
migrate_one(PGconn *conn, const char *dir, const char *file,
    const char *version, bool print, int *rc)
{
	const char	*params[1] = { version };
	PGresult	*res = NULL;
	char		*sql = NULL;
	enum mig	 m = MIG_FAILED;
	ExecStatusType	 st;
	bool		 adopt;

	*rc = EXIT_DB;
	if (!command(conn, "BEGIN") ||
	    !command(conn, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")"))
		goto out;
	/* --print on a database never migrated: every file is missing. */
	res = query(conn, "SELECT to_regclass('public.schema_migrations') "
	    "IS NULL", 0, NULL, PGRES_TUPLES_OK);
	if (res == NULL)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "f") == 0) {
		PQclear(res);
		res = query(conn, "SELECT 1 FROM public.schema_migrations "
		    "WHERE version = $1", 1, params, PGRES_TUPLES_OK);
		if (res == NULL)
			goto out;
		if (PQntuples(res) == 1) {
			m = command(conn, "COMMIT") ? MIG_PRESENT : MIG_FAILED;
			goto out;
		}
	}
	PQclear(res);
	res = NULL;
	if ((sql = read_migration(dir, file)) == NULL) {
		*rc = EXIT_USAGE;
		goto out;
	}
	/* An app's pg adapter made NextAuth's tables: take them as they are. */
	adopt = false;
	if (strcmp(version, ADOPTABLE) == 0) {
		if ((res = query(conn, ADOPT_SQL, 0, NULL, PGRES_TUPLES_OK))
		    == NULL)
			goto out;
		adopt = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		res = NULL;
	}
	if (print) {
		if (adopt)
			printf("-- %s: adopted (the app's tables are there); "
			    "not run\n\n", version);
		else
			printf("-- %s\n%s\n", version, sql);
		m = command(conn, "ROLLBACK") ? MIG_PRINTED : MIG_FAILED;
		goto out;
	}
	res = adopt ? PQexec(conn, "SELECT 1") : PQexec(conn, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_EMPTY_QUERY) {
		db_error(conn, version);
		goto out;
	}
	/* A COMMIT in the file would have split the migration from its row. */
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		fprintf(stderr, "placesctl: %s: the file ended the transaction "
		    "itself (no BEGIN, COMMIT or ROLLBACK in a migration); what "
		    "it ran before that may be committed\n", version);
		goto out;
	}
	PQclear(res);
	res = query(conn, "INSERT INTO public.schema_migrations (version) "
	    "VALUES ($1)", 1, params, PGRES_COMMAND_OK);
	if (res == NULL || !command(conn, "COMMIT"))
		goto out;
	m = adopt ? MIG_ADOPTED : MIG_APPLIED;
out:
	/* An aborted or open transaction: roll it back, quietly. */
	if (m == MIG_FAILED && PQtransactionStatus(conn) != PQTRANS_IDLE &&
	    PQtransactionStatus(conn) != PQTRANS_UNKNOWN)
		PQclear(PQexec(conn, "ROLLBACK"));
	PQclear(res);
	free(sql);
	return m;
}

/*
 * The worker's tables for any layout but v1's (a preset, renamed tables,
 * another PLACES_SCHEMA): what sql/001-005 make of them, in the worker's
 * schema only.  author_id has the type of the users' id and goes with the
 * user (ON DELETE CASCADE, as in v1); JWT authors are the worker's own.
 * Every statement is IF NOT EXISTS: running it again changes nothing.
 */
#define OWN_DDL_HEAD \
	"CREATE SCHEMA IF NOT EXISTS {own};\n" \
	"CREATE TABLE IF NOT EXISTS {authors}\n(\n" \
	"  sub TEXT NOT NULL,\n  email TEXT NOT NULL,\n" \
	"  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n\n" \
	"  PRIMARY KEY (sub)\n);\n" \
	"CREATE TABLE IF NOT EXISTS {places}\n(\n" \
	"  id UUID NOT NULL DEFAULT gen_random_uuid(),\n" \
	"  name TEXT NOT NULL,\n  location TEXT NOT NULL,\n  image TEXT,\n" \
	"  \"mapURL\" TEXT,\n  description TEXT,\n"
#define OWN_DDL_TAIL \
	"  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n" \
	"  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n\n" \
	"  PRIMARY KEY (id)\n);\n" \
	"CREATE INDEX IF NOT EXISTS places_created_idx ON {places} " \
	"(created_at DESC, id DESC);\n" \
	"CREATE INDEX IF NOT EXISTS places_author_created_idx ON {places} " \
	"(author_key, created_at DESC, id DESC);\n"
static const char own_ddl[] = OWN_DDL_HEAD
	"  author_id {uid_type} REFERENCES {users} ({users.id}) "
	"ON DELETE CASCADE,\n"
	"  author_sub TEXT REFERENCES {authors} (sub) "
	"ON DELETE CASCADE ON UPDATE CASCADE,\n"
	"  author_key TEXT NOT NULL GENERATED ALWAYS AS "
	"(COALESCE('u:' || author_id::text, 's:' || author_sub)) STORED,\n"
	"  CONSTRAINT places_one_author CHECK "
	"(num_nonnulls(author_id, author_sub) = 1),\n"
	OWN_DDL_TAIL;
/* PLACES_AUTH_SCHEMA=none: JWT authors only. */
static const char own_ddl_none[] = OWN_DDL_HEAD
	"  author_sub TEXT NOT NULL REFERENCES {authors} (sub) "
	"ON DELETE CASCADE ON UPDATE CASCADE,\n"
	"  author_key TEXT NOT NULL GENERATED ALWAYS AS "
	"('s:' || author_sub) STORED,\n"
	OWN_DDL_TAIL;

/*
 * migrate for a preset: checks the app's tables (never creates or alters
 * them: they are its ORM's), then creates the worker's, or prints the SQL.
 */
static int
migrate_own(bool print)
{
	PGconn	*conn = NULL;
	char	*sql = NULL;
	int	 rc = EXIT_DB;

	if ((conn = db_open()) == NULL || (sql = sqlt(conn,
	    as.preset == AP_NONE ? own_ddl_none : own_ddl)) == NULL)
		goto out;
	if (print) {
		printf("-- PLACES_AUTH_SCHEMA=%s: the worker's tables in "
		    "schema %s\n%s", as.preset_name, as.name[SN_OWN_SCHEMA],
		    sql);
		rc = 0;
		goto out;
	}
	if (!command(conn, "BEGIN") ||
	    !command(conn, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")") ||
	    !command(conn, "SET LOCAL client_min_messages = warning") ||
	    !command(conn, sql) || !command(conn, "COMMIT"))
		goto out;
	printf("the worker's tables are in schema %s (PLACES_AUTH_SCHEMA=%s)\n",
	    as.name[SN_OWN_SCHEMA], as.preset_name);
	rc = 0;
out:
	free(sql);
	PQfinish(conn);
	return rc;
}

/*
 * placesctl migrate [--dir SQLDIR] [--print].  With v1's layout (pg, no
 * overrides, PLACES_SCHEMA places): every NNN_*.sql in SQLDIR, sorted by
 * name, not yet in schema_migrations (created if missing); NextAuth's
 * tables, when an app made them, are adopted instead of created.  Names
 * are checked before anything is applied; the first failure stops the
 * run.  Otherwise migrate_own().  --print shows what would run, and runs
 * nothing.
 */
static int
cmd_migrate(const struct cmd *c, int argc, char **argv)
{
	struct opt	 opts[] = { { "--dir", NULL } };
	struct dirent	**ents = NULL;
	const char	*pos[1], *dir;
	char		 fallback[PATH_MAX], (*versions)[NAME_MAX + 1] = NULL;
	char		*args[8];
	PGconn		*conn = NULL;
	int		 n = -1, i, npos, nargs = 0, rc = EXIT_USAGE;
	int		 applied = 0, present = 0, adopted = 0;
	bool		 print = false;

	/* --print is a flag; parse_args() knows options with values only. */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--print") == 0 && !print)
			print = true;
		else if (nargs < (int)(sizeof(args) / sizeof(args[0])))
			args[nargs++] = argv[i];
		else
			return cmd_usage(c);
	}
	if (!parse_args(nargs, args, pos, 0, &npos, opts, 1))
		return cmd_usage(c);
	if (!authschema_is_v1(&as))
		return migrate_own(print);
	if ((dir = opts[0].val) == NULL &&
	    (dir = default_sqldir(fallback, sizeof(fallback))) == NULL)
		goto out;
	if ((n = scandir(dir, &ents, migration_file, by_name)) == -1) {
		fprintf(stderr, "placesctl: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (n > 0 && (versions = calloc(n, sizeof(*versions))) == NULL) {
		fprintf(stderr, "placesctl: out of memory\n");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!migration_version(ents[i]->d_name, versions[i],
		    sizeof(versions[i])))
			goto out;

	rc = EXIT_DB;
	if ((conn = db_open()) == NULL)
		goto out;
	/*
	 * Under the lock too: two first runs would both pass "IF NOT EXISTS".
	 * No "already exists, skipping" notice on every run.  In public by
	 * name: schema places comes first in the places role's search_path.
	 */
	if (!print && (!command(conn, "BEGIN") ||
	    !command(conn, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")") ||
	    !command(conn, "SET LOCAL client_min_messages = warning") ||
	    !command(conn, "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
	    "version text PRIMARY KEY, "
	    "applied_at timestamptz NOT NULL DEFAULT now())") ||
	    !command(conn, "COMMIT")))
		goto out;

	for (i = 0; i < n; i++) {
		switch (migrate_one(conn, dir, ents[i]->d_name, versions[i],
		    print, &rc)) {
		case MIG_APPLIED:
			printf("applied %s\n", versions[i]);
			fflush(stdout);
			applied++;
			break;
		case MIG_ADOPTED:
			printf("adopted %s: the app's tables were there\n",
			    versions[i]);
			fflush(stdout);
			adopted++;
			break;
		case MIG_PRINTED:
			applied++;
			break;
		case MIG_PRESENT:
			present++;
			break;
		case MIG_FAILED:
			fprintf(stderr, "placesctl: stopped at %s; %d "
			    "applied before it\n", versions[i], applied);
			goto out;
		}
	}
	if (print)
		printf("-- migrations: %d to apply, %d already present\n",
		    applied, present);
	else if (adopted > 0)
		printf("migrations: %d applied, %d adopted, %d already "
		    "present\n", applied, adopted, present);
	else
		printf("migrations: %d applied, %d already present\n", applied,
		    present);
	rc = 0;
out:
	PQfinish(conn);
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(versions);
	return rc;
}

/* ------------------------------------------------------------------ */
/* user add */

/*
 * placesctl user add EMAIL [--name NAME]: a user, unless one has that
 * email already (then nothing changes, and it is not an error).
 */
static int
cmd_user_add(const struct cmd *c, int argc, char **argv)
{
	struct opt		 opts[] = { { "--name", NULL } };
	const char		*pos[1], *params[2];
	const char		*set[2] = { as.name[SN_USERS_EMAIL],
				    as.name[SN_USERS_NAME] };
	struct stmt_table	 st = { { NULL } };
	struct buf		 cols = BUF_INIT, vals = BUF_INIT, tpl = BUF_INIT;
	PGconn			*conn = NULL;
	PGresult		*res = NULL, *lock = NULL;
	char			*sql = NULL;
	int			 npos, rc = EXIT_USAGE;

	if (!parse_args(argc, argv, pos, 1, &npos, opts, 1) || npos != 1)
		return cmd_usage(c);
	if (!check_email(pos[0]))
		goto out;
	if (opts[0].val != NULL && !valid_text(opts[0].val, MAX_NAME, true)) {
		fprintf(stderr, "placesctl: bad name: want 1..%d bytes of "
		    "UTF-8 text without control characters\n", MAX_NAME);
		goto out;
	}
	params[0] = pos[0];
	params[1] = opts[0].val;

	rc = EXIT_DB;
	if (!app_tables() || (conn = db_open()) == NULL ||
	    !tables_check(conn, false))
		goto out;
	if (stmt_table_build(&st, &names) != PL_OK) {
		fprintf(stderr, "placesctl: out of memory\n");
		goto out;
	}
	/* The id (and the like) where the ORM, not the database, makes it. */
	if (!orm_columns(conn, SN_USERS, set, 2, &cols, &vals))
		goto out;
	buf_printf(&tpl, "WITH old AS (SELECT {users.id} AS id FROM {users} "
	    "WHERE {users.email} = $1 ORDER BY {users.id} LIMIT 1), "
	    "ins AS (INSERT INTO {users} ({users.email}, {users.name}%.*s) "
	    "SELECT $1, $2%.*s WHERE NOT EXISTS (SELECT 1 FROM old) "
	    "RETURNING {users.id} AS id) "
	    "SELECT id::text, 'added' FROM ins UNION ALL "
	    "SELECT id::text, 'exists' FROM old", (int)cols.len, cols.data,
	    (int)vals.len, vals.data);
	if (tpl.failed || (sql = sqlt(conn, tpl.data)) == NULL)
		goto out;
	/*
	 * users.email has no unique index in NextAuth's schema: look, then
	 * insert, under the worker's own lock for this email (ST_USER_LOCK),
	 * so that neither two of us nor we and a worker both insert.
	 */
	if (!command(conn, "BEGIN") || (lock = query(conn,
	    st.sql[ST_USER_LOCK], 1, params, PGRES_TUPLES_OK)) == NULL)
		goto out;
	res = query(conn, sql, 2, params, PGRES_TUPLES_OK);
	if (res == NULL || PQntuples(res) != 1 || !command(conn, "COMMIT"))
		goto out;
	if (strcmp(PQgetvalue(res, 0, 1), "added") == 0)
		printf("user %s added (id %s)\n", pos[0], PQgetvalue(res, 0, 0));
	else
		printf("user %s already exists (id %s)\n", pos[0],
		    PQgetvalue(res, 0, 0));
	rc = 0;
out:
	PQclear(lock);
	PQclear(res);
	PQfinish(conn);
	stmt_table_free(&st);
	free(sql);
	buf_free(&cols);
	buf_free(&vals);
	buf_free(&tpl);
	return rc;
}

/* ------------------------------------------------------------------ */
/* session */

/*
 * placesctl session new EMAIL [--ttl DURATION]: prints "token <hex>" and
 * "expires <RFC 3339>" (tools/run.sh reads them).  With several users of
 * that email, the oldest one.
 */
static int
cmd_session_new(const struct cmd *c, int argc, char **argv)
{
	struct opt	 opts[] = { { "--ttl", NULL } };
	unsigned char	 rnd[TOKEN_BYTES];
	char		 token[TOKEN_BYTES * 2 + 1], secs[24];
	const char	*pos[1], *params[3] = { NULL, token, secs };
	const char	*set[3] = { as.name[SN_SESSIONS_USER],
			    as.name[SN_SESSIONS_EXPIRES],
			    as.name[SN_SESSIONS_TOKEN] };
	struct buf	 cols = BUF_INIT, vals = BUF_INIT, tpl = BUF_INIT;
	PGconn		*conn = NULL;
	PGresult	*res = NULL;
	char		*sql = NULL;
	long long	 ttl = TTL_DEFAULT;
	int		 npos, rc = EXIT_USAGE;

	token[0] = '\0';
	if (!parse_args(argc, argv, pos, 1, &npos, opts, 1) || npos != 1)
		return cmd_usage(c);
	if (!check_email(pos[0]))
		goto out;
	if (opts[0].val != NULL && (ttl = parse_duration(opts[0].val)) < 0)
		goto out;
	params[0] = pos[0];
	snprintf(secs, sizeof(secs), "%lld", ttl);

	rc = EXIT_DB;
	if (!app_tables() || (conn = db_open()) == NULL ||
	    !tables_check(conn, false) ||
	    !orm_columns(conn, SN_SESSIONS, set, 3, &cols, &vals))
		goto out;
	buf_printf(&tpl, "INSERT INTO {sessions} ({sessions.user}, "
	    "{sessions.expires}, {sessions.token}%.*s) "
	    "SELECT u.{users.id}, {now} + make_interval(secs => $3), $2%.*s "
	    "FROM {users} u WHERE u.{users.email} = $1 ORDER BY u.{users.id} "
	    "LIMIT 1 RETURNING " UTC_TIME("{sessions.expires}"),
	    (int)cols.len, cols.data, (int)vals.len, vals.data);
	if (tpl.failed || (sql = sqlt(conn, tpl.data)) == NULL)
		goto out;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
	res = query(conn, sql, 3, params, PGRES_TUPLES_OK);
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "placesctl: no user with email %s\n", pos[0]);
		rc = EXIT_NOTFOUND;
		goto out;
	}
	printf("token %s\nexpires %s\n", token, PQgetvalue(res, 0, 0));
	rc = 0;
out:
	sodium_memzero(rnd, sizeof(rnd));
	sodium_memzero(token, sizeof(token));
	PQclear(res);
	PQfinish(conn);
	free(sql);
	buf_free(&cols);
	buf_free(&vals);
	buf_free(&tpl);
	return rc;
}

/*
 * placesctl session list EMAIL: one line per session of every user with
 * that email, soonest expiry first: "<id> <prefix>… <expires>[ expired]";
 * "no sessions for EMAIL" when there is none.
 * The prefix is at most PREFIX_CHARS characters and at most half the
 * token, so no line holds a whole one; it is cut by the server, so no
 * whole token reaches us either.
 */
static int
cmd_session_list(const struct cmd *c, int argc, char **argv)
{
	const char	*pos[1];
	PGconn		*conn = NULL;
	PGresult	*res = NULL;
	char		*p, *sql = NULL;
	int		 npos, i, rc = EXIT_USAGE;

	if (!parse_args(argc, argv, pos, 1, &npos, NULL, 0) || npos != 1)
		return cmd_usage(c);
	if (!check_email(pos[0]))
		goto out;

	rc = EXIT_DB;
	if (!app_tables())
		goto out;
	/*
	 * LEFT JOIN: a user without sessions is one row of NULLs, not none.
	 * A session without an id shows "-": its key is its token.
	 */
	if ((conn = db_open()) == NULL || (sql = sqlt(conn,
	    "SELECT s.sid, left(s.tok, least(" PREFIX_CHARS ", "
	    "char_length(s.tok) / 2)), " UTC_TIME("s.exp") ", s.exp <= {now} "
	    "FROM {users} u LEFT JOIN LATERAL (SELECT {sid} AS sid, "
	    "{sessions.token} AS tok, {sessions.expires} AS exp "
	    "FROM {sessions} WHERE {sessions.user} = u.{users.id}) s ON true "
	    "WHERE u.{users.email} = $1 ORDER BY s.exp, s.tok")) == NULL)
		goto out;
	res = query(conn, sql, 1, pos, PGRES_TUPLES_OK);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		fprintf(stderr, "placesctl: no user with email %s\n", pos[0]);
		rc = EXIT_NOTFOUND;
		goto out;
	}
	if (PQntuples(res) == 1 && PQgetisnull(res, 0, 0))
		printf("no sessions for %s\n", pos[0]);
	for (i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 0))
			continue;
		/* Another app's tokens may hold anything: print it plainly. */
		for (p = PQgetvalue(res, i, 1); *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7F)
				*p = '?';
		printf("%s %s\u2026 %s%s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		    strcmp(PQgetvalue(res, i, 3), "t") == 0 ? " expired" : "");
	}
	rc = 0;
out:
	free(sql);
	PQclear(res);
	PQfinish(conn);
	return rc;
}

/*
 * placesctl session revoke TOKEN | - | --user EMAIL: deletes the session
 * with that token (read from stdin for "-", so it need not show in ps),
 * or every session of every user with that email.
 */
static int
cmd_session_revoke(const struct cmd *c, int argc, char **argv)
{
	struct opt	 opts[] = { { "--user", NULL } };
	char		 token[MAX_TOKEN + 2];	/* see read_token() */
	const char	*pos[1], *params[1];
	PGconn		*conn = NULL;
	PGresult	*res = NULL;
	char		*sql = NULL;
	ssize_t		 len;
	int		 npos, rc = EXIT_USAGE;

	token[0] = '\0';
	if (!parse_args(argc, argv, pos, 1, &npos, opts, 1) ||
	    (npos == 1) == (opts[0].val != NULL))
		return cmd_usage(c);

	if (opts[0].val != NULL) {
		if (!check_email(opts[0].val))
			goto out;
		params[0] = opts[0].val;
		rc = EXIT_DB;
		if (!app_tables() || (conn = db_open()) == NULL ||
		    (sql = sqlt(conn, "WITH u AS (SELECT {users.id} AS id "
		    "FROM {users} WHERE {users.email} = $1), "
		    "d AS (DELETE FROM {sessions} "
		    "WHERE {sessions.user} IN (SELECT id FROM u) RETURNING 1) "
		    "SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM d)"))
		    == NULL)
			goto out;
		res = query(conn, sql, 1, params, PGRES_TUPLES_OK);
		if (res == NULL)
			goto out;
		if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
			fprintf(stderr, "placesctl: no user with email %s\n",
			    opts[0].val);
			rc = EXIT_NOTFOUND;
			goto out;
		}
		printf("revoked %s sessions of %s\n", PQgetvalue(res, 0, 1),
		    opts[0].val);
		rc = 0;
		goto out;
	}

	if (strcmp(pos[0], "-") == 0)
		len = read_token(token);
	else {
		len = strnlen(pos[0], MAX_TOKEN + 1);
		memcpy(token, pos[0], len);
		token[len] = '\0';
		/*
		 * The token is our only argument (argv[0]): wiping it shortens
		 * the time it shows in ps; "-" avoids that time altogether.
		 */
		sodium_memzero(argv[0], strlen(argv[0]));
	}
	if (len == -1 || !check_token(token, len))
		goto out;
	params[0] = token;
	rc = EXIT_DB;
	if (!app_tables() || (conn = db_open()) == NULL ||
	    (sql = sqlt(conn, "DELETE FROM {sessions} WHERE {sessions.token} = "
	    "$1 RETURNING {sid}")) == NULL)
		goto out;
	res = query(conn, sql, 1, params, PGRES_TUPLES_OK);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		fprintf(stderr, "placesctl: no session with that token\n");
		rc = EXIT_NOTFOUND;
		goto out;
	}
	printf("revoked session %s\n", PQgetvalue(res, 0, 0));
	rc = 0;
out:
	sodium_memzero(token, sizeof(token));
	free(sql);
	PQclear(res);
	PQfinish(conn);
	return rc;
}

/*
 * placesctl session prune: deletes the sessions the worker would refuse
 * (its test is expires > now()), PRUNE_BATCH sessions of the table at a
 * time, each batch a statement and a transaction of its own: a million
 * expired rows never sit under one long transaction's locks, and the
 * worker's session checks go on in between.  The batches walk the primary
 * key (WHERE id > the last one seen, ORDER BY id), which needs no index
 * on expires and reads each row once: deleted rows stay behind as dead
 * tuples until VACUUM, and a scan for "the next expired ones" would read
 * them again at every batch.  Any ordered id works, serial or text.
 */
#define PRUNE_BATCH	"5000"
/* One batch after the id where (a $1, or none); its last id and count. */
#define PRUNE_SQL(where) \
	"WITH b AS (SELECT {sessions.key} AS k FROM {sessions} " where \
	"ORDER BY 1 LIMIT " PRUNE_BATCH "), " \
	"d AS (DELETE FROM {sessions} s USING b WHERE s.{sessions.key} = b.k " \
	"AND s.{sessions.expires} < {now} RETURNING 1) " \
	"SELECT (SELECT k FROM b ORDER BY k DESC LIMIT 1)::text, " \
	"(SELECT count(*) FROM d)"

static int
cmd_session_prune(const struct cmd *c, int argc, char **argv)
{
	const char	*pos[1], *params[1];
	char		*last = NULL;
	PGconn		*conn = NULL;
	PGresult	*res = NULL;
	char		*first = NULL, *next = NULL;
	long long	 pruned = 0;
	int		 npos, rc = EXIT_DB;

	if (!parse_args(argc, argv, pos, 0, &npos, NULL, 0))
		return cmd_usage(c);
	/*
	 * The worker's test is expires >= now, in the column's terms; the
	 * rows are walked by their key (the id, or the token where there is
	 * none).
	 */
	if (!app_tables() || (conn = db_open()) == NULL ||
	    (first = sqlt(conn, PRUNE_SQL(""))) == NULL ||
	    (next = sqlt(conn, PRUNE_SQL("WHERE {sessions.key} > $1 ")))
	    == NULL)
		goto out;
	for (;;) {
		params[0] = last;
		res = last == NULL ? query(conn, first, 0, NULL,
		    PGRES_TUPLES_OK) : query(conn, next, 1, params,
		    PGRES_TUPLES_OK);
		if (res == NULL)
			goto out;
		pruned += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		if (PQgetisnull(res, 0, 0))
			break;		/* past the last id */
		free(last);
		if ((last = strdup(PQgetvalue(res, 0, 0))) == NULL) {
			fprintf(stderr, "placesctl: out of memory\n");
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	printf("pruned %lld expired sessions\n", pruned);
	rc = 0;
out:
	free(last);
	free(first);
	free(next);
	PQclear(res);
	PQfinish(conn);
	return rc;
}

/* ------------------------------------------------------------------ */

int
main(int argc, char *argv[])
{
	const struct cmd	*c = NULL;
	const char		*group = NULL;
	char			 err[256];
	size_t			 i;
	int			 words, rc, k;

	argv0 = argc > 0 ? argv[0] : "placesctl";
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("placesctl %s (libpq %d.%d, libsodium %s)\n",
		    PLACES_VERSION, PQlibVersion() / 10000,
		    PQlibVersion() % 10000, sodium_version_string());
		return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
	}
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-h") == 0 ||
		    strcmp(argv[k], "--help") == 0) {
			usage(stdout);
			return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
		}
	}
	if (argc < 2) {
		fprintf(stderr, "placesctl: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < NCMDS && c == NULL; i++) {
		if (strcmp(argv[1], cmds[i].group) != 0)
			continue;
		group = cmds[i].group;
		if (cmds[i].name == NULL ||
		    (argc > 2 && strcmp(argv[2], cmds[i].name) == 0))
			c = &cmds[i];
	}
	if (c == NULL) {
		if (group != NULL)
			fprintf(stderr, "placesctl: unknown command: %s %.32s "
			    "(placesctl --help lists them)\n", group,
			    argc > 2 ? argv[2] : "(none)");
		else
			fprintf(stderr, "placesctl: unknown command: %.32s "
			    "(placesctl --help lists them)\n", argv[1]);
		return EXIT_USAGE;
	}
	/*
	 * Randomness for tokens.  It fails only without /dev/urandom; no exit
	 * code fits, and 1 is what the tool did before.
	 */
	if (sodium_init() < 0) {
		fprintf(stderr, "placesctl: cannot initialise libsodium\n");
		return EXIT_USAGE;
	}
	if (authschema_from_env(&as, err, sizeof(err)) != PL_OK) {
		fprintf(stderr, "placesctl: %s\n", err);
		return EXIT_USAGE;
	}
	words = c->name != NULL ? 3 : 2;
	rc = c->fn(c, argc - words, argv + words);
	/* A token nobody could read is an error too. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "placesctl: writing stdout: %s\n",
		    strerror(errno));
		if (rc == 0)
			rc = EXIT_USAGE;
	}
	return rc;
}
