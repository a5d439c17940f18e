/*
 * test_stmt.c - the statement table against the code that binds it: each
 * statement's highest $n is its parameter count and every $1..$n is used;
 * the update's masks and the insert's values follow enum place_field; a
 * replica statement's last parameter is the WAL position; names are
 * quoted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "stmt.h"
#include "unit.h"

/* The places column of each field: what the masks must follow. */
static const char *const field_col[PF__COUNT] = {
	[PF_NAME] = "name",
	[PF_LOCATION] = "location",
	[PF_IMAGE] = "image",
	[PF_MAPURL] = "\"mapURL\"",
	[PF_DESCRIPTION] = "description",
};

/* The highest $n in sql, and whether each of $1..$max is there (used). */
static int
max_param(const char *sql, unsigned char used[32])
{
	const char	*p;
	char		*end;
	long		 n;
	int		 max = 0;

	memset(used, 0, 32);
	for (p = sql; (p = strchr(p, '$')) != NULL; p = end) {
		n = strtol(p + 1, &end, 10);
		if (end == p + 1)
			continue;
		if (n > max)
			max = (int)n;
		if (n > 0 && n < 32)
			used[n] = 1;
	}
	return max;
}

static void
check_params(const struct stmt_table *t)
{
	unsigned char	 used[32];
	int		 i, k, max, n;

	for (i = 0; i < ST__COUNT; i++) {
		const struct stmt_def *d = stmt_def((enum stmt)i);

		if (t->sql[i] == NULL) {
			CHECK(strncmp(d->name, "session", 7) == 0, "%s: built "
			    "unless a session check", d->name);
			continue;
		}
		n = d->nparams;
		max = max_param(t->sql[i], used);
		CHECK(max == n, "%s: highest $n is $%d, parameter count %d",
		    d->name, max, n);
		CHECK(n <= STMT_MAX_PARAMS, "%s: %d parameters fit "
		    "STMT_MAX_PARAMS", d->name, n);
		for (k = 1; k <= n && k < 32; k++)
			CHECK(used[k], "%s: $%d is used", d->name, k);
		CHECK(strchr(t->sql[i], '{') == NULL, "%s: no template key "
		    "left", d->name);
	}
}

static void
check_fields(const struct stmt_table *t)
{
	char	 want[200], cols[160], vals[64];
	size_t	 off = 0;
	int	 f;

	for (f = 0; f < PF__COUNT; f++) {
		snprintf(want, sizeof(want), "%s = CASE WHEN $%d::int & %u <> 0 "
		    "THEN $%d ", field_col[f], WP_MASK + 1, 1u << f,
		    WP_FIELD0 + f + 1);
		CHECK(strstr(t->sql[ST_UPDATE], want) != NULL,
		    "update: field %d is \"%s\"", f, want);
	}
	cols[0] = '\0';
	for (f = 0; f < PF__COUNT; f++) {
		strcat(cols, field_col[f]);
		strcat(cols, ", ");
		off += (size_t)snprintf(vals + off, sizeof(vals) - off, "$%d, ",
		    IP_FIELD0 + f + 1);
	}
	/* The author key $6 becomes author_id or author_sub. */
	snprintf(want, sizeof(want), "(id, %sauthor_id, author_sub) VALUES "
	    "($%d::uuid, %sCASE WHEN left($%d, 2) = 'u:'", cols, IP_ID + 1,
	    vals, IP_AUTHOR + 1);
	CHECK(strstr(t->sql[ST_INSERT], want) != NULL,
	    "insert: columns and values are \"%s\"", want);
}

static void
check_replica(const struct stmt_table *t)
{
	char	 want[32];
	int	 i;

	for (i = 0; i < ST__COUNT; i++) {
		if (!stmt_def((enum stmt)i)->replica)
			continue;
		snprintf(want, sizeof(want), "$%d::pg_lsn",
		    stmt_lsn_param((enum stmt)i) + 1);
		CHECK(strstr(t->sql[i], want) != NULL, "%s: WAL position is %s",
		    stmt_def((enum stmt)i)->name, want);
	}
}

/*
 * The list statements' cap (issue 11): a keyset list reads at most the
 * API's largest page, as a literal the planner costs; an offset list is
 * a statement of its own.
 */
static void
check_list_cap(const struct stmt_table *t)
{
	char	 cap[32];
	int	 i, keyset = 0, offset = 0;

	snprintf(cap, sizeof(cap), "LIMIT %d)", LIST_LIMIT_MAX);
	for (i = 0; i < ST__COUNT; i++) {
		const char *name = stmt_def((enum stmt)i)->name;

		if (strstr(name, "list") == NULL)
			continue;
		if (strstr(name, "_offset") != NULL) {
			offset++;
			CHECK(strstr(t->sql[i], "OFFSET $") != NULL &&
			    strstr(t->sql[i], cap) == NULL,
			    "%s: by offset, no cap", name);
			continue;
		}
		keyset++;
		CHECK(strstr(t->sql[i], cap) != NULL, "%s: capped at \"%s\"",
		    name, cap);
		CHECK(strstr(t->sql[i], "(p.created_at, p.id) < ($") != NULL &&
		    strstr(t->sql[i], "OFFSET") == NULL,
		    "%s: from a position, without an offset", name);
	}
	CHECK(keyset == 6 && offset == 6, "6 keyset lists (%d) and their 6 "
	    "offset variants (%d)", keyset, offset);
}

static void
check_quoting(void)
{
	struct sql_names	 n;
	struct stmt_table	 t;

	stmt_names_default(&n);
	n.name[SN_USERS] = "We\"ird Users";
	n.name[SN_SESSIONS_TOKEN] = "session_token";
	if (stmt_table_build(&t, &n) != PL_OK) {
		CHECK(0, "table builds with odd names");
		return;
	}
	CHECK(strstr(t.sql[ST_AUTHOR], "FROM \"public\".\"We\"\"ird Users\" ")
	    != NULL, "a table name's quote is doubled: %s",
	    t.sql[ST_AUTHOR]);
	CHECK(strstr(t.sql[ST_SESSION], "s.\"session_token\" = $1") != NULL,
	    "a column name is quoted");
	stmt_table_free(&t);
}

/* Occurrences of needle in hay. */
static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/*
 * Every layout the presets and the catalog can give: the table builds,
 * the parameters hold, a timestamp expiry is compared with UTC's now
 * only, and a table without a session id keys its rows by the token.
 */
static void
check_layouts(void)
{
	static const char *const types[] = { "integer", "bigint", "text",
	    "uuid", "character varying(255)", "numeric" };
	struct sql_names	 n;
	struct stmt_table	 t;
	const char		*s;
	unsigned		 k;
	size_t			 ty;

	for (k = 0; k < 8; k++)
		for (ty = 0; ty < sizeof(types) / sizeof(types[0]); ty++) {
			stmt_names_default(&n);
			n.users = (k & 1) == 0;
			n.session_id = (k & 2) != 0;
			n.expires_utc = (k & 4) != 0;
			n.users_id_type = types[ty];
			n.name[SN_OWN_SCHEMA] = "own";
			if (stmt_table_build(&t, &n) != PL_OK) {
				CHECK(0, "layout %u/%s builds", k, types[ty]);
				continue;
			}
			check_params(&t);
			CHECK(count(t.sql[ST_INSERT], "\"own\".\"places\"") == 1,
			    "layout %u: places in the worker's schema", k);
			if ((s = t.sql[ST_SESSION]) == NULL) {
				CHECK(!n.users, "layout %u: session built", k);
				stmt_table_free(&t);
				continue;
			}
			CHECK(n.expires_utc ? count(s, "now()") ==
			    count(s, "(now() AT TIME ZONE 'UTC')") :
			    count(s, "AT TIME ZONE") == 0,
			    "layout %u: expiry against now in its terms", k);
			CHECK(n.session_id ? strstr(s, "d.\"id\" = s.k") != NULL :
			    strstr(s, "d.\"sessionToken\" = s.k") != NULL &&
			    strstr(s, "s.\"id\"") == NULL,
			    "layout %u: session rows keyed by %s", k,
			    n.session_id ? "id" : "token");
			stmt_table_free(&t);
		}
}

int
main(void)
{
	struct sql_names	 n;
	struct stmt_table	 t;

	stmt_names_default(&n);
	if (stmt_table_build(&t, &n) != PL_OK) {
		CHECK(0, "the default table builds");
		return unit_done();
	}
	check_params(&t);
	check_fields(&t);
	check_replica(&t);
	check_list_cap(&t);
	stmt_table_free(&t);
	check_quoting();
	check_layouts();
	return unit_done();
}
