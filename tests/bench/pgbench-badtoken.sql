-- pgbench script: the database ceiling of the "badtoken" scenario of
-- tools/bench.sh.  One transaction is what the worker sends the database
-- for one GET /api/places with a token that is in no session: the same
-- statements, prepared (pgbench -M prepared), in the same order, each in
-- its own implicit transaction.
--
-- The statements after a "-- lib/db.c ST_NAME" line are lib/db.c's,
-- copied; tests/bench/check-sql.pl (tools/bench.sh runs it) fails when
-- they drift.  They differ in spelling only:
-- - parameters are pgbench variables, one $n per occurrence;
-- - to_char's format spells ':' as \072 in an E'' literal (the same
--   constant): pgbench takes ":MI" for a variable even inside quotes.
--
-- Set with -D: max_age, update_age.

-- A token in no session (64 hex digits for the worker, digits here: the
-- lookup finds nothing either way).
\set token random(1, 9223372036854775807)

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
