/*
 * places.fcgi - the Places API worker.
 *
 * Under a FastCGI server (spawn-fcgi, systemd socket activation: the
 * listening socket is file descriptor 0) it serves requests until told to
 * stop; started any other way it is a plain CGI program (RFC 3875) that
 * answers the one request in its environment and on its standard input.
 * libfcgi tells the two apart (FCGX_IsCGI).
 *
 * Only start-up failures exit non-zero; a bad request gets its 4xx and the
 * loop goes on.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "api.h"
#include "config.h"
#include "db.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "response.h"

extern char **environ;

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
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

/* Logs one line per request: never the query string, never a token. */
static void
log_request(const struct request *req, const struct response *resp,
    const struct timespec *t0)
{
	int	 plen = req->path.len > 200 ? 200 : (int)req->path.len;
	size_t	 i;

	if (!log_enabled(LOG_INFO))
		return;
	for (i = 0; i < (size_t)plen; i++)
		if ((unsigned char)req->path.ptr[i] < 0x21 ||
		    (unsigned char)req->path.ptr[i] > 0x7E || req->path.ptr[i] == '"')
			break;	/* stop at bytes that would garble the log */
	log_info("%s \"%.*s\" %d %lldus", method_name(req->meth), (int)i,
	    req->path.ptr, resp->status, usec_since(t0));
}

/* Handles one request and fills out with the whole response. */
static void
serve(struct api *api, struct request *req, struct response *resp,
    struct buf *head)
{
	struct timespec	 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_set_request(req->id, strlen(req->id));
	api_handle(api, req, resp);
	response_head(resp, head);
	log_request(req, resp, &t0);
	log_set_request(NULL, 0);
}

static int
run_cgi(struct api *api)
{
	struct request	 req;
	struct response	 resp = { 0, false, BUF_INIT, BUF_INIT };
	struct buf	 head = BUF_INIT;
	int		 rc = 0;

	request_init(&req, environ, stdin_read, NULL);
	serve(api, &req, &resp, &head);
	if (head.failed || fwrite(head.data, 1, head.len, stdout) != head.len ||
	    (!resp.head && resp.body.len > 0 && fwrite(resp.body.data, 1,
	    resp.body.len, stdout) != resp.body.len) || fflush(stdout) != 0) {
		log_warn("writing the response");
		rc = 1;
	}
	response_free(&resp);
	buf_free(&head);
	return rc;
}

static int
run_fastcgi(struct api *api)
{
	FCGX_Request	 fr;
	struct request	 req;
	struct response	 resp = { 0, false, BUF_INIT, BUF_INIT };
	struct buf	 head = BUF_INIT;
	struct sigaction sa;

	/*
	 * SIGTERM (multiwatch, systemd) ends the loop between requests: the
	 * handler only sets a flag, and accept fails with EINTR so we notice.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_errorx("cannot initialise libfcgi");
		return 1;
	}
	log_info("serving FastCGI requests");
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		request_init(&req, fr.envp, fcgx_read, fr.in);
		serve(api, &req, &resp, &head);
		/* A client that went away is not our error: carry on. */
		if (!head.failed) {
			FCGX_PutStr(head.data, (int)head.len, fr.out);
			if (!resp.head && resp.body.len > 0)
				FCGX_PutStr(resp.body.data, (int)resp.body.len,
				    fr.out);
		}
		FCGX_Finish_r(&fr);
	}
	log_info("stopping");
	FCGX_Free(&fr, 1);
	response_free(&resp);
	buf_free(&head);
	return 0;
}

int
main(void)
{
	struct config	 cfg;
	struct api	 api;
	char		 err[256];
	int		 rc = 1;

	log_init("places.fcgi", LOG_INFO);
	if (config_from_env(&cfg, err, sizeof(err)) != PL_OK) {
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
	    cfg.pool_transaction)) == NULL) {
		log_errorx("out of memory");
		return 1;
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

	rc = FCGX_IsCGI() ? run_cgi(&api) : run_fastcgi(&api);
out:
	jwt_key_free(api.session.jwt);
	db_free(api.db);
	buf_free(&api.body);
	buf_free(&api.scratch);
	return rc;
}
