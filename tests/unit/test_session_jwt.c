/*
 * test_session_jwt.c - which decoder a JWE goes to (session.h): v4 names
 * to NextAuth v4's, v5 names to Auth.js v5's with that name as salt, the
 * renamed cookie and Bearer to both.  The tokens are @auth/core's own
 * (jwe_vectors.h, "lasting": made in 2023 for a hundred years, as the real
 * clock reads them).  A token that decodes goes on to the database, which
 * here is a socket that does not exist: PL_EDBDOWN says "decoded",
 * PL_EUNAUTH "refused".
 */
#include <stdlib.h>

#include <sodium.h>

#include "buf.h"
#include "db.h"
#include "jwe.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "session.h"
#include "unit.h"

#include "jwe_vectors.h"

/* The vector called what. */
static const struct jwe_vector *
vec(const char *what)
{
	size_t	 i;

	for (i = 0; i < sizeof(jwe_vectors) / sizeof(jwe_vectors[0]); i++)
		if (strcmp(jwe_vectors[i].what, what) == 0)
			return &jwe_vectors[i];
	return NULL;
}

/* session_resolve() on one Authorization and Cookie header. */
static enum pl_err
resolve(struct db *db, const struct session_config *cfg, const char *auth,
    const char *cookie)
{
	static char	 hdr[8192];
	struct request	 req;
	struct session	 s;
	struct buf	 scratch = BUF_INIT;
	enum pl_err	 rc;

	memset(&req, 0, sizeof(req));
	if (auth != NULL) {
		snprintf(hdr, sizeof(hdr), "Bearer %s", auth);
		req.authorization.ptr = hdr;
		req.authorization.len = strlen(hdr);
	}
	if (cookie != NULL) {
		req.cookie.ptr = cookie;
		req.cookie.len = strlen(cookie);
	}
	rc = session_resolve(db, cfg, &req, &scratch, NULL, &s);
	buf_free(&scratch);
	return rc;
}

int
main(void)
{
	static char			 c[8192];
	const struct jwe_vector		*plain, *secure, *renamed;
	const char			*salts[] = { SESSION_V5_COOKIE,
	    SESSION_V5_SECURE, "my.session" };
	struct session_config		 cfg = { "my.session", 2592000, 86400,
	    NULL, NULL };
	struct db			*db;

	log_init("test_session_jwt", LOG_ERROR);
	plain = vec("lasting: plain name");
	secure = vec("lasting: __Secure- name");
	renamed = vec("lasting: a renamed cookie");
	if (sodium_init() < 0 || plain == NULL || secure == NULL ||
	    renamed == NULL) {
		CHECK(0, "libsodium and the lasting vectors");
		return unit_done();
	}
	db = db_new("host=/nonexistent-places-unit connect_timeout=1", NULL,
	    false, NULL);
	cfg.jwt = jwt_key_new("a v4 secret", 11);
	cfg.jwe = jwe_new(plain->secrets, plain->nsecrets, salts, 3);
	CHECK(db != NULL && cfg.jwt != NULL && cfg.jwe != NULL, "set up");

	snprintf(c, sizeof(c), SESSION_V5_COOKIE "=%s", plain->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EDBDOWN,
	    "v5 token under its v5 name: decoded");
	snprintf(c, sizeof(c), SESSION_V5_SECURE "=%s", secure->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EDBDOWN,
	    "__Secure- token under its name: decoded");
	snprintf(c, sizeof(c), SESSION_V5_COOKIE "=%s", secure->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EUNAUTH,
	    "__Secure- token under the plain name: another salt, refused");
	snprintf(c, sizeof(c), "next-auth.session-token=%s", plain->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EUNAUTH,
	    "v5 token under a v4 name: refused");
	snprintf(c, sizeof(c), "my.session=%s", renamed->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EDBDOWN,
	    "v5 token under the renamed cookie, salted with its name: decoded");
	snprintf(c, sizeof(c), "my.session=%s", plain->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EUNAUTH,
	    "a token salted with another name under the renamed cookie: "
	    "refused");
	CHECK(resolve(db, &cfg, plain->token, NULL) == PL_EDBDOWN &&
	    resolve(db, &cfg, secure->token, NULL) == PL_EDBDOWN,
	    "Bearer: either v5 name's salt");
	CHECK(resolve(db, &cfg, renamed->token, NULL) == PL_EUNAUTH,
	    "Bearer: not the renamed cookie's salt");
	jwe_free(cfg.jwe);
	cfg.jwe = NULL;
	snprintf(c, sizeof(c), SESSION_V5_COOKIE "=%s", plain->token);
	CHECK(resolve(db, &cfg, NULL, c) == PL_EUNAUTH,
	    "no Auth.js secret: a v5 token is refused");

	jwt_key_free(cfg.jwt);
	db_free(db);
	return unit_done();
}
