-- pgbench script: the database ceiling of the "list" scenario of
-- tools/bench.sh.  One transaction is what the worker sends the database
-- for one GET /api/places?limit=20: the same statement, prepared
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

-- @include pick-session.sql

-- @include session-list.sql
