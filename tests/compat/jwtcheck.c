/*
 * jwtcheck.c - the worker's JWT decoding as a filter, for the claims table
 * (tests/compat/claims.mjs): lib/jwt.c for NextAuth v4, lib/jwe.c for
 * Auth.js v5, at a fixed time, with one secret.
 *
 *   jwtcheck SECRET NOW <lines
 *
 * Each line "v4 - TOKEN" or "v5 SALT TOKEN"; each answer one line, "ok
 * EMAIL" or "no WHY".  Exit 0 when every line was answered, 2 on a usage
 * or set-up error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwe.h"
#include "jwt.h"

int
main(int argc, char *argv[])
{
	static char		 line[65536];
	static const char	*salts[] = { "authjs.session-token",
	    "__Secure-authjs.session-token" };
	const char		*secret, *why, *salt, *tok;
	struct jwt_key		*v4;
	struct jwe		*v5;
	struct jwt_claims	 c;
	enum pl_err		 rc;
	time_t			 now;
	char			*sp1, *sp2;

	if (argc != 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: jwtcheck SECRET NOW <lines\n");
		return 2;
	}
	secret = argv[1];
	now = (time_t)strtoll(argv[2], NULL, 10);
	if ((v4 = jwt_key_new(secret, strlen(secret))) == NULL ||
	    (v5 = jwe_new(&secret, 1, salts, 2)) == NULL) {
		fprintf(stderr, "jwtcheck: no keys\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp1 = strchr(line, ' ')) == NULL ||
		    (sp2 = strchr(sp1 + 1, ' ')) == NULL) {
			fprintf(stderr, "jwtcheck: bad line\n");
			return 2;
		}
		*sp1 = *sp2 = '\0';
		salt = sp1 + 1;
		tok = sp2 + 1;
		memset(&c, 0, sizeof(c));
		why = NULL;
		rc = strcmp(line, "v4") == 0 ?
		    jwt_decode(v4, tok, strlen(tok), now, &c, &why) :
		    jwe_decode(v5, salt, tok, strlen(tok), now, &c, &why);
		if (rc == PL_OK)
			printf("ok %s\n", c.email);
		else
			printf("no %s\n", why != NULL ? why : pl_strerror(rc));
		fflush(stdout);
	}
	jwt_key_free(v4);
	jwe_free(v5);
	return 0;
}
