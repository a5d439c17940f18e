/*
 * places.fcgi - the Places API worker.
 *
 * Under a FastCGI server (spawn-fcgi, systemd socket activation: the
 * listening socket is file descriptor 0, or 3 with LISTEN_FDS) it serves
 * requests until told to stop; started any other way it is a plain CGI
 * program (RFC 3875) that answers the one request in its environment and
 * on its standard input.  libfcgi tells the two apart (FCGX_IsCGI).
 *
 * Only start-up failures exit non-zero; a bad request gets its 4xx and the
 * loop goes on.  SIGTERM, SIGINT and SIGUSR1 stop a FastCGI worker with
 * status 0 once the request in flight, if any, has been answered.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "api.h"
#include "config.h"
#include "db.h"
#include "jwe.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "version.h"


/* The sanitizer build checks for leaks as it goes: see leak_check(). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PLACES_LSAN	1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define PLACES_LSAN	1
#endif
#ifdef PLACES_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define SD_LISTEN_FDS_START	3	/* sd_listen_fds(3) */

extern char **environ;

static const char usage_text[] =
"usage: places.fcgi [--help | --version]\n"
"\n"
"The Places API worker: a FastCGI responder behind nginx, or a CGI program.\n"
"\n"
"How it runs:\n"
"  FastCGI, from spawn-fcgi, with multiwatch keeping N workers alive:\n"
"      spawn-fcgi -s /run/places-fcgi/places.sock -M 0660 -U www-data \\\n"
"          -G www-data -u www-data -g www-data -- \\\n"
"          /usr/bin/multiwatch -f 2 -- /usr/local/bin/places.fcgi\n"
"  FastCGI, socket-activated by systemd: the listening socket as standard\n"
"      input (StandardInput=socket; also for multiwatch's children), or as\n"
"      fd 3 with LISTEN_FDS=1 and LISTEN_PID=<this process>.\n"
"  CGI, when started any other way: answers the one request in its\n"
"      environment (REQUEST_METHOD, REQUEST_URI, HTTP_*, ...) and on its\n"
"      standard input, e.g.\n"
"      REQUEST_METHOD=GET REQUEST_URI=/api/places \\\n"
"          HTTP_AUTHORIZATION=\"Bearer $TOKEN\" places.fcgi </dev/null\n"
"      Arguments are ignored when GATEWAY_INTERFACE is set (RFC 3875, 4.4).\n"
"\n"
"  SIGTERM, SIGINT, SIGUSR1 (multiwatch's stop signal): finish the request\n"
"  in flight, then exit 0.  Logs: JSON lines on standard error, one per\n"
"  request at level info.  Exit status: 0, 1 at a start-up failure, 2 for\n"
"  bad arguments.\n"
"\n"
"Environment, read once at start-up (a bad value stops the worker):\n"
"  DATABASE_URL               libpq connection string or URI\n"
"                             (default unset: libpq's PG* variables)\n"
"  DATABASE_READ_URL          a streaming replica for list and get\n"
"                             (default unset: everything on DATABASE_URL)\n"
"  PLACES_DB_POOL_MODE        session or transaction (default session);\n"
"                             transaction: behind pgbouncer's transaction\n"
"                             pooling, no named prepared statements\n"
"  PLACES_MAX_BODY            largest request body in bytes, 1..16777216\n"
"                             (default 65536); keep nginx's\n"
"                             client_max_body_size equal\n"
"  PLACES_LOG_LEVEL           error, warn, info or debug (default info)\n"
"  NEXTAUTH_SECRET            NextAuth's secret: NextAuth v4 JWT sessions\n"
"                             are accepted too (default unset: none)\n"
"  AUTH_SECRET, AUTH_SECRET_1..AUTH_SECRET_3\n"
"                             Auth.js v5's secrets (rotation): Auth.js v5\n"
"                             JWT sessions are accepted too; without\n"
"                             AUTH_SECRET, NEXTAUTH_SECRET serves (default\n"
"                             unset: none)\n"
"  PLACES_SESSION_COOKIE      a renamed session cookie, tried before the\n"
"                             standard names (default unset)\n"
"  PLACES_SESSION_MAX_AGE     NextAuth's session.maxAge in seconds\n"
"                             (default 2592000, 30 days)\n"
"  PLACES_SESSION_UPDATE_AGE  NextAuth's session.updateAge in seconds,\n"
"                             0..maxAge (default 86400, 24 hours)\n"
"  PLACES_ALLOWED_ORIGINS     origins besides the API's own that may write\n"
"                             with a session cookie, space or comma\n"
"                             separated (default unset)\n"
"  PLACES_AUTH_SCHEMA         the app's NextAuth adapter tables: pg, prisma,\n"
"                             drizzle, kysely or none (JWT sessions only)\n"
"                             (default pg); checked at start-up\n"
"  PLACES_AUTH_DB_SCHEMA, PLACES_AUTH_USERS, PLACES_AUTH_USERS_ID,\n"
"  PLACES_AUTH_USERS_EMAIL, PLACES_AUTH_USERS_NAME, PLACES_AUTH_SESSIONS,\n"
"  PLACES_AUTH_SESSIONS_TOKEN, PLACES_AUTH_SESSIONS_USER_ID,\n"
"  PLACES_AUTH_SESSIONS_EXPIRES\n"
"                             the app's schema, tables and columns where\n"
"                             they differ from the preset's (default unset)\n"
"  PLACES_SCHEMA              the worker's own schema (default places)\n"
"  LISTEN_FDS, LISTEN_PID     systemd socket activation, as above (default\n"
"                             unset); removed from the environment once read\n"
"  PGHOST, PGCONNECT_TIMEOUT, PGOPTIONS, ...\n"
"                             libpq's own, for what DATABASE_URL leaves out;\n"
"                             unless they or DATABASE_URL say otherwise,\n"
"                             connect_timeout=3 and (in session pool mode)\n"
"                             statement_timeout=5s\n"
"  FCGI_WEB_SERVER_ADDRS      libfcgi's: on a TCP socket, the only client\n"
"                             addresses accepted (default unset: any)\n";

/*
 * Stopping.  idle is set while the loop waits in FCGX_Accept_r for a new
 * request; stopping holds the stop signal once one came.  See run_fastcgi().
 */
static volatile sig_atomic_t idle;
static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	if (idle)
		_exit(0);	/* nothing in flight: nothing to finish */
	stopping = sig;
}

static ssize_t
fcgx_read(void *arg, char *buf, size_t len)
{
	int	 n = len > 65536 ? 65536 : (int)len;

	return FCGX_GetStr(buf, n, (FCGX_Stream *)arg);
}

static ssize_t
stdin_read(void *arg, char *buf, size_t len)
{
	(void)arg;
	return (ssize_t)fread(buf, 1, len, stdin);
}

static long long
usec_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000LL +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/*
 * Handles one request and fills resp and head with the whole response;
 * logs its access line (never the query string, never a token).  True
 * when resp's body is to be sent after head (response_head()).
 */
static bool
serve(struct api *api, struct request *req, struct response *resp,
    struct buf *head)
{
	struct timespec	 t0;
	bool		 body;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_set_request(req->id, strlen(req->id));
	api_handle(api, req, resp);
	/* Every answer names its request: a client can quote it to us. */
	response_header(resp, "X-Request-Id", req->id, strlen(req->id));
	body = response_head(resp, head);
	log_access(req->method.ptr, req->method.len, req->path.ptr,
	    req->path.len, resp->status, usec_since(&t0));
	log_set_request(NULL, 0);
	return body && resp->body.len > 0;
}

static int
run_cgi(struct api *api)
{
	struct request	 req;
	struct response	 resp = { 0, false, BUF_INIT, BUF_INIT };
	struct buf	 head = BUF_INIT;
	int		 rc = 0;
	bool		 body;

	request_init(&req, environ, stdin_read, NULL);
	body = serve(api, &req, &resp, &head);
	if (head.failed || fwrite(head.data, 1, head.len, stdout) != head.len ||
	    (body && fwrite(resp.body.data, 1, resp.body.len, stdout) !=
	    resp.body.len) || fflush(stdout) != 0) {
		log_warn("writing the response");
		rc = 1;
	}
	response_free(&resp);
	buf_free(&head);
	return rc;
}

/*
 * on_stop for SIGTERM (systemd), SIGINT and SIGUSR1 (multiwatch turns its
 * own SIGTERM into a SIGUSR1 for each worker), each blocking the others.
 *
 * SA_RESTART: a signal during a request must not make a read(2) or
 * write(2) fail with EINTR, which libfcgi's OS_Read and OS_Write pass up
 * as an I/O error (libpq retries its poll(2) by itself).  This replaces
 * the SIGUSR1 handler of libfcgi's OS_LibInit, installed during
 * FCGX_IsCGI() because the disposition was still the default: that one
 * only makes accept(2) fail, and misses a signal that lands just before
 * accept(2) blocks.
 */
static bool
catch_stop_signals(void)
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction	 sa;
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return false;
	return true;
}

/*
 * A worker that stops while idle ends with _exit(0), so LeakSanitizer's
 * check at exit never runs in it.  The sanitizer build checks after every
 * request instead (a leaked block stays leaked, so nothing escapes;
 * reports go where ASAN_OPTIONS says).  Nothing in other builds.
 */
static void
leak_check(void)
{
#ifdef PLACES_LSAN
	(void)__lsan_do_recoverable_leak_check();
#endif
}

/*
 * Flushes the response and ends the FastCGI request, with a plain close(2)
 * when that is safe.  libfcgi's own close lingers: shutdown(2), then wait
 * for nginx to close its end, reading whatever still comes, so that unread
 * input cannot turn the close into a reset that loses the response.  But
 * nginx sends nothing after the request's stdin (it buffers the whole body
 * first, fastcgi_request_buffering), so once stdin has been read to its
 * end there is nothing left to lose, and the wait only keeps this worker
 * from the next request: three system calls and a wake-up on every
 * request (docs/PERFORMANCE.md).  stdin is at most PLACES_MAX_BODY bytes
 * that nginx has already sent, so draining it cannot block.
 */
static void
end_request(FCGX_Request *fr)
{
	char	 drain[4096];

	while (FCGX_GetStr(drain, sizeof(drain), fr->in) > 0)
		;
	if (FCGX_GetError(fr->in) == 0)
		(void)FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

static int
run_fastcgi(struct api *api)
{
	FCGX_Request	 fr;
	struct request	 req;
	struct response	 resp = { 0, false, BUF_INIT, BUF_INIT };
	struct buf	 head = BUF_INIT;
	int		 rc = 0, n;
	bool		 body;

	if (!catch_stop_signals()) {
		log_warn("sigaction");
		return 1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_errorx("cannot initialise libfcgi");
		return 1;
	}
	log_info("serving FastCGI requests");
	for (;;) {
		/*
		 * Waiting for a request, a stop signal ends the process at
		 * once (on_stop sees idle), so a signal can never leave us
		 * blocked in accept(2).  idle is set before stopping is
		 * read: a signal before that is seen here, one after it
		 * finds idle set.
		 *
		 * The window: FCGX_Accept_r returns once it has also read
		 * the new request's FastCGI records, so a signal landing
		 * after accept(2) succeeded and before idle is cleared
		 * (usually microseconds: nginx sends the records with the
		 * connection) drops that connection unanswered.  nginx then
		 * answers 502, which nginx.conf.example turns into 503 with
		 * Retry-After.  Nothing of ours is half done there: no
		 * response begun, no database statement sent.
		 */
		idle = 1;
		if (stopping)
			break;
		n = FCGX_Accept_r(&fr);
		idle = 0;
		if (n < 0) {
			/* SA_RESTART: not EINTR; a listening socket gone bad. */
			log_errorx("FastCGI accept failed: %s", n > -9000 ?
			    strerror(-n) : "libfcgi error");
			rc = 1;
			break;
		}
		request_init(&req, fr.envp, fcgx_read, fr.in);
		body = serve(api, &req, &resp, &head);
		/* A client that went away is not our error: carry on. */
		if (!head.failed) {
			FCGX_PutStr(head.data, (int)head.len, fr.out);
			if (body)
				FCGX_PutStr(resp.body.data, (int)resp.body.len,
				    fr.out);
		}
		end_request(&fr);
		leak_check();
	}
	if (stopping)
		log_info("stopping on %s after the request in flight",
		    stopping == SIGTERM ? "SIGTERM" : stopping == SIGINT ?
		    "SIGINT" : "SIGUSR1");
	FCGX_Free(&fr, 1);
	response_free(&resp);
	buf_free(&head);
	return rc;
}

/*
 * systemd socket activation without libsystemd (sd_listen_fds(3)): with
 * LISTEN_PID naming this process and LISTEN_FDS=1, the listening socket
 * is fd 3; libfcgi wants it as FCGI_LISTENSOCK_FILENO, 0, so it moves
 * there.  LISTEN_PID keeps a process from taking variables meant for its
 * parent (multiwatch started by systemd: its children must be given the
 * socket as standard input instead, StandardInput=socket).  The variables
 * are removed either way, as sd_listen_fds(1) does, so that nothing started
 * later misreads them.  False (logged) when they are for us but unusable.
 */
static bool
listen_fds_adopt(void)
{
	const char		*pid = getenv("LISTEN_PID");
	const char		*fds = getenv("LISTEN_FDS");
	unsigned long long	 p, n;
	bool			 ok = true;

	if (pid == NULL || fds == NULL || config_number(pid, strlen(pid), 1,
	    0x7FFFFFFF, &p) != PL_OK || p != (unsigned long long)getpid())
		goto out;	/* not for us */
	if (config_number(fds, strlen(fds), 0, 0x7FFFFFFF, &n) != PL_OK ||
	    n != 1) {
		log_errorx("socket activation: LISTEN_FDS: want exactly one "
		    "listening socket");
		ok = false;
	} else if (dup2(SD_LISTEN_FDS_START, FCGI_LISTENSOCK_FILENO) < 0 ||
	    close(SD_LISTEN_FDS_START) != 0) {
		log_warn("socket activation: fd %d", SD_LISTEN_FDS_START);
		ok = false;
	}
out:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return ok;
}

static void
version(void)
{
	int	 pq = PQlibVersion();

	printf("places.fcgi %s (libpq %d.%d, json-c %s, libsodium %s)\n",
	    PLACES_VERSION, pq / 10000, pq % 10000, json_c_version(),
	    sodium_version_string());
}

/*
 * --help and -h (usage on stdout, 0), --version (0); anything else is
 * usage on stderr and 2.  Returns the exit status.
 */
static int
options(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		version();
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fputs(usage_text, stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	struct config		 cfg;
	struct authschema	 as;
	struct api		 api;
	char			 err[256];
	int		 rc = 1;

	/*
	 * A CGI server may pass the words of an "indexed" query as arguments
	 * (RFC 3875, 4.4): a CGI request's arguments are not options.
	 */
	if (argc > 1 && getenv("GATEWAY_INTERFACE") == NULL)
		return options(argc, argv);
	log_init("places.fcgi", LOG_INFO);
	if (!listen_fds_adopt())
		return 1;
	if (config_from_env(&cfg, err, sizeof(err)) != PL_OK ||
	    authschema_from_env(&as, err, sizeof(err)) != PL_OK) {
		log_errorx("configuration: %s", err);
		return 1;
	}
	log_init("places.fcgi", cfg.log_level);
	/* Writes to a vanished peer must fail with EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		log_errorx("cannot initialise libsodium");
		return 1;
	}
	memset(&api, 0, sizeof(api));
	if ((api.db = db_new(cfg.database_url, cfg.database_read_url,
	    cfg.pool_transaction, &as)) == NULL) {
		log_errorx("out of memory");
		return 1;
	}
	/*
	 * The tables are checked now: a missing one stops the worker with
	 * its name.  A database that is down is no reason to stop (the
	 * worker answers 503 until it is back); the first connection then
	 * checks.  A CGI run answers one request: it checks on its first
	 * connection, if the request needs one.
	 */
	if (!FCGX_IsCGI() && db_check(api.db, err, sizeof(err)) ==
	    PL_EBADREQ) {
		/*
		 * Only what the catalog said stops the worker: a database
		 * that is down, or that refused a statement (logged), is
		 * the first request's to meet, as before the check.
		 */
		log_errorx("tables: %s", err);
		goto out;
	}
	api.max_body = cfg.max_body;
	api.allowed_origins = cfg.allowed_origins;
	api.session.cookie = cfg.session_cookie;
	api.session.max_age = cfg.session_max_age;
	api.session.update_age = cfg.session_update_age;
	if (cfg.nextauth_secret != NULL && (api.session.jwt = jwt_key_new(
	    cfg.nextauth_secret, strlen(cfg.nextauth_secret))) == NULL) {
		log_errorx("NEXTAUTH_SECRET is set but JWT sessions cannot be "
		    "enabled: no AES-256-GCM in libsodium on this CPU");
		goto out;
	}
	if (cfg.n_auth_secrets > 0) {
		const char *salts[JWE_MAX_SALTS] = { SESSION_V5_COOKIE,
		    SESSION_V5_SECURE, cfg.session_cookie };

		if ((api.session.jwe = jwe_new(cfg.auth_secrets,
		    cfg.n_auth_secrets, salts, cfg.session_cookie ? 3 : 2))
		    == NULL) {
			log_errorx("AUTH_SECRET is set but Auth.js v5 JWT "
			    "sessions cannot be enabled (libcrypto)");
			goto out;
		}
	}

	rc = FCGX_IsCGI() ? run_cgi(&api) : run_fastcgi(&api);
out:
	jwt_key_free(api.session.jwt);
	jwe_free(api.session.jwe);
	db_free(api.db);
	buf_free(&api.body);
	buf_free(&api.scratch);
	return rc;
}
