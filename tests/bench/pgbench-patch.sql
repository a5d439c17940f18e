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

-- @include pick-session.sql

-- @include session.sql

-- lib/db.c ST_UPDATE: PATCH /api/places/<id> {"description": ...}
WITH p AS (UPDATE places.places SET
    name = CASE WHEN :mask::int & 1 <> 0 THEN :name ELSE name END,
    location = CASE WHEN :mask::int & 2 <> 0 THEN :location ELSE location END,
    image = CASE WHEN :mask::int & 4 <> 0 THEN :image ELSE image END,
    "mapURL" = CASE WHEN :mask::int & 8 <> 0 THEN :map_url
    ELSE "mapURL" END,
    description = CASE WHEN :mask::int & 16 <> 0 THEN :description
    ELSE description END,
    updated_at = CASE WHEN :mask::int <> 0 THEN now()
    ELSE updated_at END
    WHERE id = :place_id::uuid AND author_key = :author RETURNING *)
SELECT
-- @include place-cols.sql
FROM p LEFT JOIN public.users u ON u.id = p.author_id
    LEFT JOIN places.authors a ON a.sub = p.author_sub;
