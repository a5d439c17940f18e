-- pgbench script: the database ceiling of the "list" scenario of
-- tools/bench.sh.  One transaction is what the worker sends the database
-- for one GET /api/places?limit=20: the same statements, prepared
-- (pgbench -M prepared), in the same order, each in its own implicit
-- transaction.
--
-- The statements after a "-- lib/db.c ST_NAME" line are lib/db.c's,
-- copied; tests/bench/check-sql.pl (tools/bench.sh runs it) fails when
-- they drift.  They differ in spelling only:
-- - parameters are pgbench variables, one $n per occurrence;
-- - to_char's format spells ':' as \072 in an E'' literal (the same
--   constant): pgbench takes ":MI" for a variable even inside quotes.
--
-- Set with -D: loaded=0, keys (the rows of bench_keys),
-- max_age, update_age, limit, offset.

-- Not the worker's: pick a session of the data set (tests/bench/dataset.sql)
-- on each client's first transaction, then in one transaction of 200, so
-- the clients spread over the sessions for 0.5% more queries.  pgbench has
-- no other way to pick a random string: one script per session would
-- prepare every statement once per script and client, not once per client.
\set r random(1, 200)
\if :loaded = 0 or :r = 1
\set n random(1, :keys)
SELECT token, place_id, user_id FROM bench_keys WHERE n = :n \gset
\set loaded 1
\endif

-- lib/db.c ST_SESSION: the session check, first in every request
WITH s AS (SELECT s.id, s."userId", s.expires FROM sessions s
    JOIN users u ON u.id = s."userId"
    WHERE s."sessionToken" = :token),
  gone AS (DELETE FROM sessions d USING s
    WHERE d.id = s.id AND s.expires < now()),
  renewed AS (UPDATE sessions r
    SET expires = now() + make_interval(secs => :max_age) FROM s
    WHERE r.id = s.id AND r.expires >= now() AND r.expires
    - make_interval(secs => :max_age) + make_interval(secs => :update_age)
    <= now() RETURNING r.id)
SELECT s."userId", s.expires >= now(),
    EXISTS (SELECT 1 FROM renewed) FROM s;

-- lib/db.c ST_LIST: GET /api/places?limit=20
SELECT p.id, p.name, p.location, p.image, p."mapURL", p.description,
    u.email,
    to_char(p.created_at AT TIME ZONE 'UTC',
        E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"'),
    to_char(p.updated_at AT TIME ZONE 'UTC',
        E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"')
FROM places p JOIN users u ON u.id = p.author_id
ORDER BY p.created_at DESC, p.id DESC LIMIT :limit OFFSET :offset;
