-- The data set of the plans suite (tests/plans/run.sh): the sizes of
-- issue 11's measurement, loaded as fast as PostgreSQL can (one
-- generate_series per table, indexes built after the rows), since the
-- suite runs in make test:
--
--   100,000 users
--   1,000,000 places        10 per user, createdAt one per 30 s back from now
--   100,000 live sessions   one per user, expires in 30 days
--   1,000,000 expired ones  10 per user, expired 1 minute to 60 days ago
--
-- The migrations' secondary indexes (whatever they are) are dropped before
-- the load and made again after it, from their own definitions: CREATE
-- INDEX sorts once, where keeping them up row by row costs several times
-- that.  ANALYZE then gives the planner the statistics a live database
-- has.  Which plan the worker's statements get, not their speed, is what
-- the suite checks.
\set ON_ERROR_STOP on

SET statement_timeout = 0;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';

BEGIN;
CREATE TEMP TABLE plan_indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i
WHERE i.indrelid IN ('users'::regclass, 'sessions'::regclass, 'places'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT name FROM plan_indexes LOOP
		EXECUTE 'DROP INDEX ' || r.name;
	END LOOP;
END $$;
-- A foreign key is checked row by row: a million checks.  It comes back
-- NOT VALID (checked for new rows only), which no plan looks at.
ALTER TABLE places DROP CONSTRAINT places_author_id_fkey;

INSERT INTO users (id, name, email, "emailVerified")
SELECT n, 'Plan User ' || n, 'plan-' || n || '@plans.invalid', now()
FROM generate_series(1, 100000) AS n;
SELECT setval(pg_get_serial_sequence('users', 'id'), 100000) AS users_id \gset

INSERT INTO places (name, location, image, description, author_id,
    created_at, updated_at)
SELECT 'Place ' || i, 'Street ' || i % 300,
    CASE WHEN i % 5 <> 0 THEN 'https://images.example.com/' || i || '.jpg' END,
    CASE WHEN i % 7 <> 0 THEN 'A view, ' || i END,
    1 + i % 100000,
    now() - i * interval '30 seconds',
    now() - i * interval '30 seconds'
FROM generate_series(1, 1000000) AS i;

INSERT INTO sessions ("userId", expires, "sessionToken")
SELECT 1 + i % 100000,
    CASE WHEN i <= 100000 THEN now() + interval '30 days'
    ELSE now() - interval '1 minute' - (i % 86400) * interval '1 minute' END,
    md5(i::text) || md5('t' || i)
FROM generate_series(1, 1100000) AS i;

DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT def FROM plan_indexes LOOP
		EXECUTE r.def;
	END LOOP;
END $$;
ALTER TABLE places ADD CONSTRAINT places_author_id_fkey FOREIGN KEY (author_id)
    REFERENCES users (id) ON DELETE CASCADE NOT VALID;
COMMIT;

ANALYZE users;
ANALYZE places;
ANALYZE sessions;
