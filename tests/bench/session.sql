-- Included by tests/bench/pgbench-*.sql (tools/bench.sh joins the parts:
-- pgbench has no include).  Set with -D: max_age, update_age; :token comes
-- from the including script.

-- lib/db.c ST_SESSION: the session check of every request but a GET
-- @include session-cte.sql
SELECT h.uid, h.live, h.renewed, h.lsn FROM h;
