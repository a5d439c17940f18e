/*
 * fuzz_handler_authed.c - fuzz_handler.c past authentication: the same
 * harness with this file standing in for lib/db.c (tests/fuzz/run.sh
 * links it instead).  The stand-in knows one database session, token
 * "fuzz-session-token" (user 1), and takes every JWT email as user 2, so
 * requests reach routing, the method check, the origin check, the query
 * string and the body; every statement about places then fails with
 * PL_EDBDOWN, as with no database.
 *
 * Each stand-in also checks what the handler hands to the database: only
 * validated, typed values (STYLE.md habit 7).
 *
 * fuzz-build: without lib/db.c
 */
#include "fuzz_handler.c"

#include "utf8.h"

#define STUB_TOKEN	"fuzz-session-token"

struct db {
	int	 unused;
};

struct db *
db_new(const char *conninfo, const char *read_conninfo, bool unnamed,
    const struct authschema *as)
{
	(void)conninfo;
	(void)read_conninfo;
	(void)unnamed;
	(void)as;
	return calloc(1, sizeof(struct db));
}

void
db_free(struct db *db)
{
	free(db);
}

/* What the stubs above give: the handlers pass it through. */
static bool
author_ok(const char *author)
{
	return strcmp(author, "u:1") == 0 || strcmp(author, "s:2") == 0;
}

static void
check_id(const char *id)
{
	size_t	 i;

	FUZZ_ASSERT(id != NULL && strlen(id) == UUID_LEN);
	for (i = 0; i < UUID_LEN; i++)
		FUZZ_ASSERT((i == 8 || i == 13 || i == 18 || i == 23) ?
		    id[i] == '-' : ((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')));
}

static void
check_input(const struct place_input *in)
{
	int	 f;

	FUZZ_ASSERT(in->root != NULL);
	FUZZ_ASSERT((in->present & ~((1u << PF__COUNT) - 1)) == 0);
	for (f = 0; f < PF__COUNT; f++)
		if ((in->present & (1u << f)) && in->val[f].ptr != NULL)
			FUZZ_ASSERT(in->val[f].ptr[in->val[f].len] == '\0' &&
			    strlen(in->val[f].ptr) == in->val[f].len &&
			    utf8_valid(in->val[f].ptr, in->val[f].len, NULL));
}

enum pl_err
db_session_user(struct db *db, const char *token, size_t len,
    long long max_age, long long update_age, struct db_read *read,
    char author[DB_MAX_AUTHOR + 1], bool *renewed)
{
	(void)db;
	(void)max_age;
	(void)update_age;
	*renewed = false;
	/* Never done along: the handlers' own reads are exercised. */
	if (read != NULL)
		read->done = false;
	/* session.c looks up only what could be a sessionToken. */
	FUZZ_ASSERT(len > 0 && len <= 255 && memchr(token, '\0', len) == NULL);
	if (len != sizeof(STUB_TOKEN) - 1 || memcmp(token, STUB_TOKEN, len))
		return PL_EUNAUTH;
	memcpy(author, "u:1", 4);
	return PL_OK;
}

enum pl_err
db_jwt_author(struct db *db, const char *sub, const char *email,
    char author[DB_MAX_AUTHOR + 1])
{
	(void)db;
	FUZZ_ASSERT(email[0] != '\0' && strlen(email) <= JWT_MAX_CLAIM);
	FUZZ_ASSERT(sub[0] != '\0' && strlen(sub) <= JWT_MAX_CLAIM);
	memcpy(author, "s:2", 4);
	return PL_OK;
}

enum pl_err
db_place_list(struct db *db, const struct list_query *q, const char *author,
    struct db_rows *rows)
{
	(void)db;
	FUZZ_ASSERT(q->limit >= 1 && q->limit <= LIST_LIMIT_MAX &&
	    q->offset <= LIST_OFFSET_MAX && author_ok(author));
	/* A cursor only alone, and only one that re-encodes to itself. */
	FUZZ_ASSERT(!q->after || q->offset == 0);
	rows->res = NULL;
	rows->n = 0;
	return PL_EDBDOWN;
}

enum pl_err
db_place_get(struct db *db, const char *id, struct db_rows *rows)
{
	(void)db;
	check_id(id);
	rows->res = NULL;
	rows->n = 0;
	return PL_EDBDOWN;
}

enum pl_err
db_place_create(struct db *db, const char *author,
    const struct place_input *in, char id[UUID_LEN + 1])
{
	(void)db;
	FUZZ_ASSERT(author_ok(author));
	check_input(in);
	/* Both required fields, non-null. */
	FUZZ_ASSERT((in->present & 3u) == 3u && in->val[PF_NAME].ptr &&
	    in->val[PF_LOCATION].ptr);
	memcpy(id, "00000000-0000-4000-8000-000000000000", UUID_LEN + 1);
	return PL_EDBDOWN;
}

enum pl_err
db_place_update(struct db *db, const char *id, const char *author,
    const struct place_input *in, struct db_rows *rows)
{
	(void)db;
	FUZZ_ASSERT(author_ok(author));
	check_id(id);
	check_input(in);
	rows->res = NULL;
	rows->n = 0;
	return PL_EDBDOWN;
}

enum pl_err
db_place_delete(struct db *db, const char *id, const char *author)
{
	(void)db;
	FUZZ_ASSERT(author_ok(author));
	check_id(id);
	return PL_EDBDOWN;
}

void
db_rows_place(const struct db_rows *rows, int i, struct place_row *row)
{
	(void)rows;
	(void)i;
	(void)row;
	FUZZ_ASSERT(!"rows read after a failed statement");
}

enum pl_err
db_rows_cursor(const struct db_rows *rows, int i, struct cursor *c)
{
	(void)rows;
	(void)i;
	(void)c;
	FUZZ_ASSERT(!"rows read after a failed statement");
	return PL_EINTERNAL;
}

void
db_rows_free(struct db_rows *rows)
{
	rows->res = NULL;
	rows->n = 0;
}
