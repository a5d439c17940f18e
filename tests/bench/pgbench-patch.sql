-- pgbench script: the database ceiling of the "patch" scenario of
-- tools/bench.sh.  One transaction is what the worker sends the database
-- for one PATCH /api/places/<id> {"description": ...}: the same
-- statements, prepared (pgbench -M prepared), in the same order, each in
-- its own implicit transaction.
--
-- The statements after a "-- lib/db.c ST_NAME" line are lib/db.c's,
-- copied; tests/bench/check-sql.pl (tools/bench.sh runs it) fails when
-- they drift.  They differ in spelling only:
-- - parameters are pgbench variables, one $n per occurrence;
-- - to_char's format spells ':' as \072 in an E'' literal (the same
--   constant): pgbench takes ":MI" for a variable even inside quotes.
-- - the fields a PATCH leaves out are NULL parameters in the worker and
--   '' here (pgbench has no NULL); :mask says they are not used either way.
--
-- Set with -D: loaded=0, keys (the rows of bench_keys),
-- max_age, update_age, mask (16: description only), name, location,
-- image, map_url, description.

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

-- lib/db.c ST_UPDATE: PATCH /api/places/<id> {"description": ...}
WITH p AS (UPDATE places SET
    name = CASE WHEN :mask::int & 1 <> 0 THEN :name ELSE name END,
    location = CASE WHEN :mask::int & 2 <> 0 THEN :location ELSE location END,
    image = CASE WHEN :mask::int & 4 <> 0 THEN :image ELSE image END,
    "mapURL" = CASE WHEN :mask::int & 8 <> 0 THEN :map_url
    ELSE "mapURL" END,
    description = CASE WHEN :mask::int & 16 <> 0 THEN :description
    ELSE description END,
    updated_at = now()
    WHERE id = :place_id::uuid AND author_id = :user_id RETURNING *)
SELECT p.id, p.name, p.location, p.image, p."mapURL", p.description,
    u.email,
    to_char(p.created_at AT TIME ZONE 'UTC',
        E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"'),
    to_char(p.updated_at AT TIME ZONE 'UTC',
        E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"')
FROM p JOIN users u ON u.id = p.author_id;
