-- pgbench script: the database ceiling of the "create" scenario of
-- tools/bench.sh.  One transaction is what the worker sends the database
-- for one POST /api/places: the same statements, prepared
-- (pgbench -M prepared), in the same order, each in its own implicit
-- transaction.
--
-- The statements after a "-- lib/db.c ST_NAME" line are lib/db.c's,
-- copied; tests/bench/check-sql.pl (tools/bench.sh runs it) fails when
-- they drift.  They differ in spelling only:
-- - parameters are pgbench variables, one $n per occurrence;
-- - to_char's format spells ':' as \072 in an E'' literal (the same
--   constant): pgbench takes ":MI" for a variable even inside quotes.
-- - the worker makes the new id ($7) itself; pgbench has no uuid values,
--   so the server's gen_random_uuid() stands in for it.
--
-- Set with -D: loaded=0, keys (the rows of bench_keys),
-- max_age, update_age, name, location, image, map_url, description.

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

-- lib/db.c ST_INSERT: POST /api/places
INSERT INTO places (id, name, location, image, "mapURL", description,
    author_id)
VALUES (gen_random_uuid(), :name, :location, :image, :map_url, :description,
    :user_id)
ON CONFLICT (id) DO NOTHING;
