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

-- @include pick-session.sql

-- @include session.sql

-- lib/db.c ST_INSERT: POST /api/places
INSERT INTO places.places (id, name, location, image, "mapURL",
    description, author_id, author_sub)
VALUES (gen_random_uuid(), :name, :location, :image, :map_url, :description,
    CASE WHEN left(:author, 2) = 'u:' THEN substr(:author, 3)::integer END,
    CASE WHEN left(:author, 2) = 's:' THEN substr(:author, 3) END)
ON CONFLICT (id) DO NOTHING;
