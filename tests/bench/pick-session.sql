-- Included by tests/bench/pgbench-*.sql (tools/bench.sh joins the parts:
-- pgbench has no include).  Set with -D: loaded=0, keys.

-- Not the worker's: pick a session of the data set (tests/bench/dataset.sql)
-- on each client's first transaction, then in one transaction of 200, so
-- the clients spread over the sessions for 0.5% more queries.  pgbench has
-- no other way to pick a random string: one script per session would
-- prepare every statement once per script and client, not once per client.
\set r random(1, 200)
\if :loaded = 0 or :r = 1
\set n random(1, :keys)
SELECT token, place_id, user_id, 'u:' || user_id AS author FROM bench_keys
WHERE n = :n \gset
\set loaded 1
\endif
