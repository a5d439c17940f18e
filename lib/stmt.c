#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"
#include "query.h"
#include "stmt.h"

#define STR(x)	#x
#define XSTR(x)	STR(x)

/*
 * Template keys.  {users}, {sessions.token}, ... are names (enum sql_name),
 * quoted when the table is built, a table's with its schema; the others
 * are fragments, expanded in place: fixed ones (fragments[]) and those
 * that depend on the app's tables (variant()).
 */
#define NO_SCHEMA	SN__COUNT
static const struct {
	const char	*key;
	enum sql_name	 name;
	const char	*fixed;		/* a table of the worker's: its name */
	enum sql_name	 schema;	/* NO_SCHEMA: not qualified */
} keys[] = {
	{ "users", SN_USERS, NULL, SN_APP_SCHEMA },
	{ "users.id", SN_USERS_ID, NULL, NO_SCHEMA },
	{ "users.email", SN_USERS_EMAIL, NULL, NO_SCHEMA },
	{ "users.name", SN_USERS_NAME, NULL, NO_SCHEMA },
	{ "sessions", SN_SESSIONS, NULL, SN_APP_SCHEMA },
	/* The id, or the token where there is none: what keys a row. */
	{ "sessions.key", SN_SESSIONS_ID, NULL, NO_SCHEMA },
	{ "sessions.token", SN_SESSIONS_TOKEN, NULL, NO_SCHEMA },
	{ "sessions.user", SN_SESSIONS_USER, NULL, NO_SCHEMA },
	{ "sessions.expires", SN_SESSIONS_EXPIRES, NULL, NO_SCHEMA },
	{ "app", SN_APP_SCHEMA, NULL, NO_SCHEMA },
	{ "own", SN_OWN_SCHEMA, NULL, NO_SCHEMA },
	{ "places", SN__COUNT, "places", SN_OWN_SCHEMA },
	{ "authors", SN__COUNT, "authors", SN_OWN_SCHEMA },
};

static const struct {
	const char	*key;
	const char	*text;
} fragments[] = {
	/* The columns of a place, in the order of enum place_col. */
	{ "place_cols",
	    "p.id, p.name, p.location, p.image, p.\"mapURL\", p.description, "
	    "{author_email}, "
	    "to_char(p.created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created, "
	    "to_char(p.updated_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated" },
	/*
	 * What a list returns after the place: created_at raw (sort_at), so
	 * that an outer query keeps the order, and in microseconds (key_at),
	 * exactly, for the next page's cursor (cursor.h).
	 */
	{ "list_key",
	    "p.created_at AS sort_at, "
	    "(extract(epoch FROM p.created_at) * 1000000)::bigint AS key_at" },
	/*
	 * The order of every list, and its row cap: the API's largest limit
	 * as a literal.  A generic plan cannot see "LIMIT $n" and costs it
	 * as a tenth of the table (99,334 of a million rows, for 20 read);
	 * past jit_above_cost PostgreSQL then JIT-compiled the list at every
	 * execution (12.8 ms for 0.2 ms of work, issue 11).  Under the cap
	 * the plan is costed for at most 1,000 rows, what it can read; the
	 * outer LIMIT $n still stops the scan after n.
	 */
	{ "newest_capped",
	    "ORDER BY p.created_at DESC, p.id DESC "
	    "LIMIT " XSTR(LIST_LIMIT_MAX) },
	/* Places with their author (p; u the user, a the JWT author). */
	{ "places_join", "{places} p {author_join}" },
	/*
	 * The session check: $1 token, $2 max_age, $3 update_age (seconds).
	 * h is its one row (none when there is no such session): the author
	 * key ('u:' and the user's id as text, whatever its type), whether
	 * the session is live, whether this statement renewed it, and the
	 * primary's WAL position, which a replica must have replayed before
	 * it may answer this request's read.  The UPDATE re-checks its WHERE
	 * on the locked, current row, so a racing request that renewed first
	 * makes this one a no-op; sent twice, it deletes or renews nothing
	 * more.  Rows are keyed by {sessions.key}: the id, or the token where
	 * the table has no id (@auth/prisma-adapter, Drizzle), as the adapters'
	 * deleteSession does.  {now} is now() in the column's terms (UTC for
	 * a timestamp column), so the server's TimeZone never matters.
	 */
	{ "session_check",
	    "WITH s AS (SELECT s.{sessions.key} AS k, s.{sessions.user}, "
	    "s.{sessions.expires} FROM {sessions} s "
	    "JOIN {users} u ON u.{users.id} = s.{sessions.user} "
	    "WHERE s.{sessions.token} = $1), "
	    "gone AS (DELETE FROM {sessions} d USING s "
	    "WHERE d.{sessions.key} = s.k "
	    "AND s.{sessions.expires} < {now}), "
	    "renewed AS (UPDATE {sessions} r "
	    "SET {sessions.expires} = {now} + make_interval(secs => $2) FROM s "
	    "WHERE r.{sessions.key} = s.k "
	    "AND r.{sessions.expires} >= {now} AND r.{sessions.expires} "
	    "- make_interval(secs => $2) + make_interval(secs => $3) <= {now} "
	    "RETURNING 1), "
	    "h AS (SELECT 'u:' || s.{sessions.user}::text AS uid, "
	    "s.{sessions.expires} >= {now} AS live, "
	    "EXISTS (SELECT 1 FROM renewed) AS renewed, "
	    "pg_current_wal_lsn()::text AS lsn FROM s) " },
	/* A new place's author columns from the author key $6. */
	{ "author_sub_val",
	    "CASE WHEN left($6, 2) = 's:' THEN substr($6, 3) END" },
};

/*
 * The fragments that depend on the app's tables: with users and without
 * (PLACES_AUTH_SCHEMA=none), the expiry's type, the users' id type.  An
 * author is a user of the app (places.author_id, 'u:' keys) or a JWT
 * caller with no users row (places.author_sub, 's:' keys); author_key is
 * the generated column that says which, so ownership is one comparison.
 */
static const char *
variant(const struct sql_names *n, const char *key, size_t klen)
{
	static const struct {
		const char	*key;
		const char	*users;
		const char	*none;
	} v[] = {
		{ "author_email", "COALESCE(u.{users.email}, a.email)",
		    "a.email" },
		{ "author_join", "LEFT JOIN {users} u ON u.{users.id} = "
		    "p.author_id LEFT JOIN {authors} a ON a.sub = p.author_sub",
		    "JOIN {authors} a ON a.sub = p.author_sub" },
		{ "author_cols", "author_id, author_sub", "author_sub" },
		{ "author_vals", "CASE WHEN left($6, 2) = 'u:' THEN "
		    "substr($6, 3)::{uid_type} END, {author_sub_val}",
		    "{author_sub_val}" },
		/* A JWT's sub that is a users id: the same author. */
		{ "jwt_user", "SELECT 'u:' || {users.id}::text AS k, 0 AS o "
		    "FROM {users} WHERE {uid_is_sub}",
		    "SELECT NULL::text AS k, 0 AS o WHERE false" },
	};
	size_t	 i;

	if (klen == 3 && memcmp(key, "now", 3) == 0)
		return n->expires_utc ? "(now() AT TIME ZONE 'UTC')" : "now()";
	/* After a timestamp expression: as a UTC timestamp (placesctl). */
	if (klen == 3 && memcmp(key, "utc", 3) == 0)
		return n->expires_utc ? "" : " AT TIME ZONE 'UTC'";
	/* A session's id as text, never its token (placesctl prints it). */
	if (klen == 3 && memcmp(key, "sid", 3) == 0)
		return n->session_id ? "{sessions.key}::text" : "'-'";
	if (klen == 8 && memcmp(key, "uid_type", 8) == 0)
		return n->users_id_type;
	if (klen == 10 && memcmp(key, "uid_is_sub", 10) == 0) {
		/* $1 as the users' id when it can be one: no cast error. */
		if (strcmp(n->users_id_type, "integer") == 0)
			return "{users.id} = CASE WHEN $1 ~ '^[0-9]+$' AND "
			    "length($1) <= 9 THEN $1::integer END";
		if (strcmp(n->users_id_type, "bigint") == 0)
			return "{users.id} = CASE WHEN $1 ~ '^[0-9]+$' AND "
			    "length($1) <= 18 THEN $1::bigint END";
		if (strcmp(n->users_id_type, "uuid") == 0)
			return "{users.id} = CASE WHEN $1 ~* '^[0-9a-f-]+$' AND "
			    "length($1) = 36 AND substr($1, 9, 1) || "
			    "substr($1, 14, 1) || substr($1, 19, 1) || "
			    "substr($1, 24, 1) = '----' AND "
			    "length(replace($1, '-', '')) = 32 THEN $1::uuid END";
		if (strcmp(n->users_id_type, "text") == 0 ||
		    strncmp(n->users_id_type, "character varying", 17) == 0)
			return "{users.id} = $1";
		/* Any other type: compared as text, without its index. */
		return "{users.id}::text = $1";
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strlen(v[i].key) == klen && memcmp(v[i].key, key, klen) == 0)
			return n->users ? v[i].users : v[i].none;
	return NULL;
}

/*
 * The statements.  A read behind a head row h (the session check, or the
 * replica's "caught up" test) returns the head's columns, then the read's,
 * on every row; one row of NULL place columns when the read finds nothing
 * or h shuts it (LATERAL runs it once, for h's one row).  Lists also
 * return {list_key}.
 */
static const struct {
	struct stmt_def	 def;
	const char	*sql;
} stmts[ST__COUNT] = {
	/* $1 token, $2 max_age, $3 update_age. */
	[ST_SESSION] = { { "session", SP__COUNT, true, false },
	    "{session_check}SELECT h.uid, h.live, h.renewed, h.lsn FROM h" },
	/*
	 * As ST_SESSION; $4 limit, $5 and $6 the position (createdAt, id)
	 * the page starts below ('infinity' for the first).  Without a
	 * replica only.
	 */
	[ST_SESSION_LIST] = { { "session_list", SP_LIST_ID + 1, true, false },
	    "{session_check}SELECT h.uid, h.live, h.renewed, q.* FROM h "
	    "LEFT JOIN LATERAL (SELECT c.* FROM (SELECT {place_cols}, "
	    "{list_key} FROM {places_join} WHERE h.live "
	    "AND (p.created_at, p.id) < ($5::timestamptz, $6::uuid) "
	    "{newest_capped}) c ORDER BY c.sort_at DESC, c.id DESC LIMIT $4) q "
	    "ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* As ST_SESSION; $4 limit, $5 offset. */
	[ST_SESSION_LIST_OFFSET] = { { "session_list_offset",
	    SP_LIST_OFFSET + 1, true, false },
	    "{session_check}SELECT h.uid, h.live, h.renewed, q.* FROM h "
	    "LEFT JOIN LATERAL (SELECT {place_cols}, {list_key} "
	    "FROM {places_join} WHERE h.live "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $4 OFFSET $5) q "
	    "ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* As ST_SESSION_LIST: the session user's places. */
	[ST_SESSION_LIST_MINE] = { { "session_list_mine", SP_LIST_ID + 1,
	    true, false },
	    "{session_check}SELECT h.uid, h.live, h.renewed, q.* FROM h "
	    "LEFT JOIN LATERAL (SELECT c.* FROM (SELECT {place_cols}, "
	    "{list_key} FROM {places_join} WHERE p.author_key = h.uid "
	    "AND h.live AND (p.created_at, p.id) < ($5::timestamptz, $6::uuid) "
	    "{newest_capped}) c ORDER BY c.sort_at DESC, c.id DESC LIMIT $4) q "
	    "ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* As ST_SESSION_LIST_OFFSET: the session user's places. */
	[ST_SESSION_LIST_MINE_OFFSET] = { { "session_list_mine_offset",
	    SP_LIST_OFFSET + 1, true, false },
	    "{session_check}SELECT h.uid, h.live, h.renewed, q.* FROM h "
	    "LEFT JOIN LATERAL (SELECT {place_cols}, {list_key} "
	    "FROM {places_join} WHERE p.author_key = h.uid AND h.live "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $4 OFFSET $5) q "
	    "ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* As ST_SESSION; $4 the place's id. */
	[ST_SESSION_GET] = { { "session_get", SP_GET_ID + 1, true, false },
	    "{session_check}SELECT h.uid, h.live, h.renewed, q.* FROM h "
	    "LEFT JOIN LATERAL (SELECT {place_cols} "
	    "FROM {places_join} WHERE p.id = $4::uuid AND h.live) q ON true" },
	/*
	 * $1 sub, $2 email: a JWT caller's author key, when known: the app's
	 * user whose id is the sub (NextAuth's sub is the user's id), else
	 * the worker's author record of that sub, if its email is current.
	 */
	[ST_AUTHOR] = { { "author", AP_EMAIL + 1, true, false },
	    "WITH x AS ({jwt_user} UNION ALL SELECT 's:' || sub, 1 "
	    "FROM {authors} WHERE sub = $1 AND email = $2) "
	    "SELECT k, pg_current_wal_lsn()::text FROM x ORDER BY o LIMIT 1" },
	/* $1 sub, $2 email: the author record, made or its email updated. */
	[ST_AUTHOR_UPSERT] = { { "author_upsert", AP_EMAIL + 1, true,
	    false },
	    "INSERT INTO {authors} (sub, email) VALUES ($1, $2) "
	    "ON CONFLICT (sub) DO UPDATE SET email = EXCLUDED.email "
	    "RETURNING 's:' || sub" },
	/*
	 * $1 email.  Serialises the inserts of one email (users.email is not
	 * unique), in a transaction: the worker's and placesctl's.
	 */
	[ST_USER_LOCK] = { { "user_lock", UP_EMAIL + 1, false, false },
	    "SELECT pg_advisory_xact_lock(hashtext('places-fcgi users.email'), "
	    "hashtext($1))" },
	/* $1 limit, $2 and $3 the position (createdAt, id). */
	[ST_LIST] = { { "list", LP_ID + 1, true, false },
	    "SELECT q.* FROM (SELECT {place_cols}, {list_key} "
	    "FROM {places_join} "
	    "WHERE (p.created_at, p.id) < ($2::timestamptz, $3::uuid) "
	    "{newest_capped}) q ORDER BY q.sort_at DESC, q.id DESC LIMIT $1" },
	/* $1 limit, $2 offset. */
	[ST_LIST_OFFSET] = { { "list_offset", OP_OFFSET + 1, true, false },
	    "SELECT {place_cols}, {list_key} FROM {places_join} "
	    "WHERE true ORDER BY p.created_at DESC, p.id DESC "
	    "LIMIT $1 OFFSET $2" },
	/* $1 limit, $2 and $3 the position, $4 author. */
	[ST_LIST_MINE] = { { "list_mine", LP_AUTHOR + 1, true, false },
	    "SELECT q.* FROM (SELECT {place_cols}, {list_key} "
	    "FROM {places_join} WHERE p.author_key = $4 "
	    "AND (p.created_at, p.id) < ($2::timestamptz, $3::uuid) "
	    "{newest_capped}) q ORDER BY q.sort_at DESC, q.id DESC LIMIT $1" },
	/* $1 limit, $2 offset, $3 author. */
	[ST_LIST_MINE_OFFSET] = { { "list_mine_offset", OP_AUTHOR + 1, true,
	    false },
	    "SELECT {place_cols}, {list_key} FROM {places_join} "
	    "WHERE p.author_key = $3 AND true "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $1 OFFSET $2" },
	/* $1 id. */
	[ST_GET] = { { "get", GP_ID + 1, true, false },
	    "SELECT {place_cols} FROM {places_join} "
	    "WHERE p.id = $1::uuid AND true" },
	/* $1 limit, $2 and $3 the position, $4 the WAL position. */
	[ST_REPLICA_LIST] = { { "replica_list", LP_ID + 2, true, true },
	    "WITH h AS (SELECT pg_last_wal_replay_lsn() >= $4::pg_lsn AS ok) "
	    "SELECT h.ok, q.* FROM h LEFT JOIN LATERAL "
	    "(SELECT c.* FROM (SELECT {place_cols}, {list_key} "
	    "FROM {places_join} WHERE h.ok "
	    "AND (p.created_at, p.id) < ($2::timestamptz, $3::uuid) "
	    "{newest_capped}) c ORDER BY c.sort_at DESC, c.id DESC LIMIT $1) q "
	    "ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* $1 limit, $2 offset, $3 the WAL position. */
	[ST_REPLICA_LIST_OFFSET] = { { "replica_list_offset", OP_OFFSET + 2,
	    true, true },
	    "WITH h AS (SELECT pg_last_wal_replay_lsn() >= $3::pg_lsn AS ok) "
	    "SELECT h.ok, q.* FROM h LEFT JOIN LATERAL "
	    "(SELECT {place_cols}, {list_key} FROM {places_join} "
	    "WHERE h.ok ORDER BY p.created_at DESC, p.id DESC "
	    "LIMIT $1 OFFSET $2) q ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* $1 limit, $2 and $3 the position, $4 author, $5 the WAL position. */
	[ST_REPLICA_LIST_MINE] = { { "replica_list_mine", LP_AUTHOR + 2, true,
	    true },
	    "WITH h AS (SELECT pg_last_wal_replay_lsn() >= $5::pg_lsn AS ok) "
	    "SELECT h.ok, q.* FROM h LEFT JOIN LATERAL "
	    "(SELECT c.* FROM (SELECT {place_cols}, {list_key} "
	    "FROM {places_join} WHERE p.author_key = $4 AND h.ok "
	    "AND (p.created_at, p.id) < ($2::timestamptz, $3::uuid) "
	    "{newest_capped}) c ORDER BY c.sort_at DESC, c.id DESC LIMIT $1) q "
	    "ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* $1 limit, $2 offset, $3 author, $4 the WAL position. */
	[ST_REPLICA_LIST_MINE_OFFSET] = { { "replica_list_mine_offset",
	    OP_AUTHOR + 2, true, true },
	    "WITH h AS (SELECT pg_last_wal_replay_lsn() >= $4::pg_lsn AS ok) "
	    "SELECT h.ok, q.* FROM h LEFT JOIN LATERAL "
	    "(SELECT {place_cols}, {list_key} FROM {places_join} "
	    "WHERE p.author_key = $3 AND h.ok "
	    "ORDER BY p.created_at DESC, p.id DESC "
	    "LIMIT $1 OFFSET $2) q ON true ORDER BY q.sort_at DESC, q.id DESC" },
	/* $1 id, $2 the WAL position. */
	[ST_REPLICA_GET] = { { "replica_get", GP_ID + 2, true, true },
	    "WITH h AS (SELECT pg_last_wal_replay_lsn() >= $2::pg_lsn AS ok) "
	    "SELECT h.ok, q.* FROM h LEFT JOIN LATERAL (SELECT {place_cols} "
	    "FROM {places_join} WHERE p.id = $1::uuid AND h.ok) q ON true" },
	/*
	 * $1..$5 the fields (enum place_field), $6 author, $7 id.  The id is
	 * made by the worker, so the insert can be sent again after a lost
	 * connection: if the first one committed, the second conflicts and
	 * does nothing; if the first is still running somewhere, the second
	 * waits on the unique index for its outcome.  Either way the answer
	 * (201 or 503) matches the table.
	 */
	[ST_INSERT] = { { "insert", IP_ID + 1, true, false },
	    "INSERT INTO {places} (id, name, location, image, \"mapURL\", "
	    "description, {author_cols}) VALUES ($7::uuid, $1, $2, $3, $4, $5, "
	    "{author_vals}) ON CONFLICT (id) DO NOTHING" },
	/*
	 * $1 id, $2 author, $3 the mask of fields to change (bit 1 << enum
	 * place_field), $4..$8 their values in that order.  An empty mask
	 * (PATCH {}) still checks the author, but changes nothing, not even
	 * updatedAt.
	 */
	[ST_UPDATE] = { { "update", WP_FIELD0 + PF__COUNT, false, false },
	    "WITH p AS (UPDATE {places} SET "
	    "name = CASE WHEN $3::int & 1 <> 0 THEN $4 ELSE name END, "
	    "location = CASE WHEN $3::int & 2 <> 0 THEN $5 ELSE location END, "
	    "image = CASE WHEN $3::int & 4 <> 0 THEN $6 ELSE image END, "
	    "\"mapURL\" = CASE WHEN $3::int & 8 <> 0 THEN $7 "
	    "ELSE \"mapURL\" END, "
	    "description = CASE WHEN $3::int & 16 <> 0 THEN $8 "
	    "ELSE description END, "
	    "updated_at = CASE WHEN $3::int <> 0 THEN now() "
	    "ELSE updated_at END "
	    "WHERE id = $1::uuid AND author_key = $2 RETURNING *) "
	    "SELECT {place_cols} FROM p {author_join}" },
	/* $1 id. */
	[ST_OWNER] = { { "owner", GP_ID + 1, true, false },
	    "SELECT author_key FROM {places} WHERE id = $1::uuid" },
	/* $1 id, $2 author. */
	[ST_DELETE] = { { "delete", DP_AUTHOR + 1, false, false },
	    "DELETE FROM {places} WHERE id = $1::uuid AND author_key = $2" },
};

const char stmt_settings[] =
    "SET plan_cache_mode = force_generic_plan; SET jit = off; "
    "SET enable_memoize = off";

void
stmt_names_default(struct sql_names *n)
{
	static const char *const pg[SN__COUNT] = {
		[SN_USERS] = "users",
		[SN_USERS_ID] = "id",
		[SN_USERS_EMAIL] = "email",
		[SN_USERS_NAME] = "name",
		[SN_SESSIONS] = "sessions",
		[SN_SESSIONS_ID] = "id",
		[SN_SESSIONS_TOKEN] = "sessionToken",
		[SN_SESSIONS_USER] = "userId",
		[SN_SESSIONS_EXPIRES] = "expires",
		[SN_APP_SCHEMA] = "public",
		[SN_OWN_SCHEMA] = "places",
	};

	memcpy(n->name, pg, sizeof(n->name));
	n->users = true;
	n->session_id = true;
	n->expires_utc = false;
	n->users_id_type = "integer";
}

const struct stmt_def *
stmt_def(enum stmt st)
{
	return &stmts[st].def;
}

int
stmt_lsn_param(enum stmt st)
{
	return stmts[st].def.nparams - 1;
}

/*
 * A connection object that never connects, for PQescapeIdentifier() alone
 * (an unknown keyword stops libpq before it opens anything).  Quoting an
 * identifier doubles its '"'s, which is right in every client encoding
 * PostgreSQL has ('"' is never the trailing byte of a character), so the
 * table can be built before, and without, a server: at start-up, in the
 * unit tests and in tests/bench/print-sql.
 */
static PGconn *
quoter_new(void)
{
	static const char *const k[] = { "places_fcgi_quote_only", NULL };
	static const char *const v[] = { "", NULL };

	return PQconnectStartParams(k, v, 0);
}

/* Appends name quoted, or fails. */
static enum pl_err
add_ident(struct buf *b, PGconn *q, const char *s)
{
	char	*quoted;

	if (s == NULL || (quoted = PQescapeIdentifier(q, s, strlen(s))) == NULL)
		return PL_ENOMEM;
	buf_adds(b, quoted);
	PQfreemem(quoted);
	return PL_OK;
}

/* Appends the name of keys[i]: schema-qualified for a table. */
static enum pl_err
add_name(struct buf *b, PGconn *q, const struct sql_names *n, size_t i)
{
	enum sql_name	 nm = keys[i].name;
	enum pl_err	 rc;

	if (keys[i].schema != NO_SCHEMA) {
		if ((rc = add_ident(b, q, n->name[keys[i].schema])) != PL_OK)
			return rc;
		buf_addc(b, '.');
	}
	if (keys[i].fixed != NULL)
		return add_ident(b, q, keys[i].fixed);
	/* No id: rows are keyed by the token, which is unique. */
	if (nm == SN_SESSIONS_ID && !n->session_id)
		nm = SN_SESSIONS_TOKEN;
	return add_ident(b, q, n->name[nm]);
}

/* Appends the expansion of template tpl; fragments nest 3 deep at most. */
static enum pl_err
expand(struct buf *b, PGconn *q, const struct sql_names *n, const char *tpl,
    int depth)
{
	const char	*open, *close, *text;
	size_t		 i, klen;
	enum pl_err	 rc;

	while ((open = strchr(tpl, '{')) != NULL) {
		buf_add(b, tpl, (size_t)(open - tpl));
		if ((close = strchr(open, '}')) == NULL)
			return PL_EINTERNAL;
		klen = (size_t)(close - open - 1);
		tpl = close + 1;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strlen(keys[i].key) == klen &&
			    memcmp(keys[i].key, open + 1, klen) == 0)
				break;
		if (i < sizeof(keys) / sizeof(keys[0])) {
			if ((rc = add_name(b, q, n, i)) != PL_OK)
				return rc;
			continue;
		}
		text = variant(n, open + 1, klen);
		for (i = 0; text == NULL &&
		    i < sizeof(fragments) / sizeof(fragments[0]); i++)
			if (strlen(fragments[i].key) == klen &&
			    memcmp(fragments[i].key, open + 1, klen) == 0)
				text = fragments[i].text;
		if (text == NULL || depth > 3)
			return PL_EINTERNAL;
		if ((rc = expand(b, q, n, text, depth + 1)) != PL_OK)
			return rc;
	}
	buf_adds(b, tpl);
	return b->failed ? PL_ENOMEM : PL_OK;
}

enum pl_err
stmt_expand(const struct sql_names *n, const char *tpl, char **out)
{
	struct buf	 b = BUF_INIT;
	PGconn		*q;
	enum pl_err	 rc = PL_ENOMEM;

	*out = NULL;
	if ((q = quoter_new()) == NULL)
		goto out;
	if ((rc = expand(&b, q, n, tpl, 0)) != PL_OK)
		goto out;
	if ((*out = strndup(b.data, b.len)) == NULL)
		rc = PL_ENOMEM;
out:
	PQfinish(q);
	buf_free(&b);
	return rc;
}

/*
 * Whether statement i reads the app's sessions (and users): the session
 * checks, which begin with one.  Without adapter tables they are not
 * built (PLACES_AUTH_SCHEMA=none).
 */
static bool
on_sessions(int i)
{
	return strncmp(stmts[i].sql, "{session_check}", 15) == 0;
}

enum pl_err
stmt_table_build(struct stmt_table *t, const struct sql_names *n)
{
	struct buf	 b = BUF_INIT;
	PGconn		*q;
	enum pl_err	 rc = PL_ENOMEM;
	int		 i;

	memset(t, 0, sizeof(*t));
	if ((q = quoter_new()) == NULL)
		goto out;
	for (i = 0; i < ST__COUNT; i++) {
		if (!n->users && on_sessions(i))
			continue;	/* no such tables: never run */
		buf_reset(&b);
		if ((rc = expand(&b, q, n, stmts[i].sql, 0)) != PL_OK)
			goto out;
		if ((t->sql[i] = strndup(b.data, b.len)) == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
	}
	rc = PL_OK;
out:
	if (rc != PL_OK)
		stmt_table_free(t);
	PQfinish(q);
	buf_free(&b);
	return rc;
}

void
stmt_table_free(struct stmt_table *t)
{
	int	 i;

	for (i = 0; i < ST__COUNT; i++) {
		free(t->sql[i]);
		t->sql[i] = NULL;
	}
}
