-- pgbench script: the database ceiling of the "get" scenario of
-- tools/bench.sh.  One transaction is what the worker sends the database
-- for one GET /api/places/<id>: the same statement, prepared
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
-- max_age, update_age.

-- @include pick-session.sql

-- lib/db.c ST_SESSION_GET: GET /api/places/<id>: the session check and the read in one statement
-- @include session-cte.sql
SELECT h.uid, h.live, h.renewed, q.* FROM h LEFT JOIN LATERAL (SELECT
-- @include place-cols.sql
    FROM places.places p LEFT JOIN public.users u ON u.id = p.author_id
    LEFT JOIN places.authors a ON a.sub = p.author_sub
    WHERE p.id = :place_id::uuid AND h.live) q ON true;
