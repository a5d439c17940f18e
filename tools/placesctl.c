/*
 * placesctl - session administration for operators and local runs.
 *
 *   placesctl user add EMAIL [--name NAME]
 *   placesctl session new EMAIL [--ttl DURATION]
 *
 * The database is DATABASE_URL, or libpq's PG* variables when it is unset.
 * Tokens come from libsodium's generator: 32 random bytes, hex-encoded
 * (256 bits; NextAuth's own tokens are random UUIDs or 32 random bytes).
 *
 * Exit codes: 0 done, 1 usage or bad argument, 2 unknown user,
 * 3 database unavailable or failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#define EXIT_USAGE	1
#define EXIT_NOUSER	2
#define EXIT_DB		3

#define TTL_DEFAULT	(30LL * 24 * 3600)	/* NextAuth's maxAge */
#define TTL_MAX		(3650LL * 24 * 3600)

static void
usage(void)
{
	fprintf(stderr,
	    "usage: placesctl user add EMAIL [--name NAME]\n"
	    "       placesctl session new EMAIL [--ttl DURATION]\n"
	    "DURATION: a number with s, m, h or d (e.g. 90m, 30d)\n");
}

/* "90m" -> 5400; -1 when malformed or out of range. */
static long long
parse_duration(const char *s)
{
	long long	 v = 0, mult;
	size_t		 i, len = strlen(s);

	if (len < 2 || len > 12)
		return -1;
	for (i = 0; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return -1;
	}
	if (v == 0 || v > TTL_MAX / mult)
		return -1;
	return v * mult;
}

static PGconn *
connect_db(void)
{
	const char	*url = getenv("DATABASE_URL");
	const char	*keys[] = { "application_name", "dbname", NULL };
	const char	*vals[] = { "placesctl", url, NULL };
	PGconn		*conn;

	if (url == NULL || url[0] == '\0')
		keys[1] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "placesctl: database unavailable: %s",
		    PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* Runs sql with params; NULL (after a message) unless the status is want. */
static PGresult *
run(PGconn *conn, const char *sql, int n, const char *const *params,
    ExecStatusType want)
{
	PGresult	*res = PQexecParams(conn, sql, n, NULL, params, NULL,
	    NULL, 0);

	if (PQresultStatus(res) != want) {
		fprintf(stderr, "placesctl: %s", PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

static int
user_add(PGconn *conn, const char *email, const char *name)
{
	const char	*params[2] = { email, name };
	PGresult	*res;
	int		 rc = EXIT_DB;

	/* users.email has no unique index in NextAuth's schema: check first. */
	res = run(conn, "INSERT INTO users (email, name) SELECT $1, $2 "
	    "WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = $1) "
	    "RETURNING id", 2, params, PGRES_TUPLES_OK);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 1)
		printf("user %s added (id %s)\n", email, PQgetvalue(res, 0, 0));
	else
		printf("user %s already exists\n", email);
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static int
session_new(PGconn *conn, const char *email, long long ttl)
{
	unsigned char	 rnd[32];
	char		 token[sizeof(rnd) * 2 + 1], secs[24];
	const char	*params[3] = { email, token, secs };
	PGresult	*res;
	int		 rc = EXIT_DB;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
	snprintf(secs, sizeof(secs), "%lld", ttl);
	res = run(conn, "INSERT INTO sessions (\"userId\", expires, "
	    "\"sessionToken\") SELECT u.id, now() + make_interval(secs => $3), "
	    "$2 FROM users u WHERE u.email = $1 ORDER BY u.id LIMIT 1 "
	    "RETURNING to_char(expires AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", 3, params, PGRES_TUPLES_OK);
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "placesctl: no user with email %s\n", email);
		rc = EXIT_NOUSER;
		goto out;
	}
	printf("token %s\nexpires %s\n", token, PQgetvalue(res, 0, 0));
	rc = 0;
out:
	sodium_memzero(token, sizeof(token));
	PQclear(res);
	return rc;
}

int
main(int argc, char *argv[])
{
	PGconn		*conn = NULL;
	const char	*name = NULL;
	long long	 ttl = TTL_DEFAULT;
	int		 rc = EXIT_USAGE;

	if (sodium_init() < 0) {
		fprintf(stderr, "placesctl: cannot initialise libsodium\n");
		return EXIT_USAGE;
	}
	if (argc >= 4 && strcmp(argv[1], "user") == 0 &&
	    strcmp(argv[2], "add") == 0) {
		if (argc == 6 && strcmp(argv[4], "--name") == 0)
			name = argv[5];
		else if (argc != 4)
			goto usage;
		if ((conn = connect_db()) == NULL)
			return EXIT_DB;
		rc = user_add(conn, argv[3], name);
	} else if (argc >= 4 && strcmp(argv[1], "session") == 0 &&
	    strcmp(argv[2], "new") == 0) {
		if (argc == 6 && strcmp(argv[4], "--ttl") == 0) {
			if ((ttl = parse_duration(argv[5])) < 0) {
				fprintf(stderr, "placesctl: bad duration %s\n",
				    argv[5]);
				return EXIT_USAGE;
			}
		} else if (argc != 4)
			goto usage;
		if ((conn = connect_db()) == NULL)
			return EXIT_DB;
		rc = session_new(conn, argv[3], ttl);
	} else
		goto usage;
	PQfinish(conn);
	return rc;
usage:
	usage();
	return EXIT_USAGE;
}
