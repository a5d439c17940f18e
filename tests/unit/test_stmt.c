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
	snprintf(want, sizeof(want), "(id, %sauthor_id) VALUES ($%d::uuid, "
	    "%s$%d)", cols, IP_ID + 1, vals, IP_AUTHOR + 1);
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
	CHECK(strstr(t.sql[ST_USER_BY_EMAIL], "FROM \"We\"\"ird Users\" ")
	    != NULL, "a table name's quote is doubled: %s",
	    t.sql[ST_USER_BY_EMAIL]);
	CHECK(strstr(t.sql[ST_SESSION], "s.\"session_token\" = $1") != NULL,
	    "a column name is quoted");
	stmt_table_free(&t);
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
	return unit_done();
}
