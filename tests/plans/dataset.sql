-- The data set of the plans suite (tests/plans/run.sh): the sizes of
-- issue 11's measurement, loaded as fast as PostgreSQL can (one
-- generate_series per table, no per-row triggers, indexes built after the
-- rows), since the suite runs in make test:
--
--   100,000 users
--   1,000,000 places      10 per user, createdAt one per 30 s back from now
--   100,000 live sessions one per user, expires in 30 days
--   1,000,000 expired     10 per user, expired 1 minute to 60 days ago
--
-- The migrations' indexes are dropped before the load and made again
-- after it (CREATE INDEX sorts once; keeping them up row by row costs
-- several times that), then ANALYZE gives the planner the statistics a
-- live database has.  The suite needs nothing else: which plan the
-- worker's statements get, not their speed, is what it checks.
\set ON_ERROR_STOP on

SET statement_timeout = 0;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';

BEGIN;
DROP INDEX places_created_idx;
DROP INDEX places_author_created_idx;
DROP INDEX sessions_session_token_key;
-- A foreign key is checked row by row: a million checks.  It comes back
-- NOT VALID (checked for new rows only), which plans do not look at.
ALTER TABLE places DROP CONSTRAINT places_author_id_fkey;

INSERT INTO users (id, name, email, "emailVerified")
SELECT n, 'Plan User ' || n, 'plan-' || n || '@plans.invalid', now()
FROM generate_series(1, 100000) AS n;
SELECT setval(pg_get_serial_sequence('users', 'id'), 100000);

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

CREATE INDEX places_created_idx ON places (created_at DESC, id DESC);
CREATE INDEX places_author_created_idx ON places (author_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX sessions_session_token_key ON sessions ("sessionToken");
ALTER TABLE places ADD CONSTRAINT places_author_id_fkey FOREIGN KEY (author_id)
    REFERENCES users (id) ON DELETE CASCADE NOT VALID;
COMMIT;

ANALYZE users;
ANALYZE places;
ANALYZE sessions;
