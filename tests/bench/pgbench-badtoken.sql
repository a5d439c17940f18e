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
-- Set with -D: max_age, update_age, limit, offset.

-- A token in no session (64 hex digits for the worker, digits here: the
-- lookup finds nothing either way).
\set token random(1, 9223372036854775807)

-- @include session-list.sql
