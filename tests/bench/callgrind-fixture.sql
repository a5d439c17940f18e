-- The fixed data tests/bench/callgrind.sh asks for: one user, one live
-- session with a fixed token, and 20 places with fixed ids, contents and
-- times.  Made or reset in place, so the guard can also run on a database
-- that holds other data (DATABASE_URL): its requests read only these rows
-- (the list is ?author=me).  Ends by printing the id of place 1.
--
-- The list's 20 rows must stay well under 8 KB on the wire
-- (PostgreSQL flushes its send buffer every 8 KB, so a longer result
-- reaches the worker in pieces, and how many reads libpq makes for them
-- depends on timing; the count then varies by some 350 instructions from
-- run to run: it did when issue 11 added a column to the list).
\set ON_ERROR_STOP on
\set QUIET on

BEGIN;

INSERT INTO users (name, email)
SELECT 'Callgrind Guard', 'callgrind-guard@bench.invalid'
WHERE NOT EXISTS (SELECT 1 FROM users
    WHERE email = 'callgrind-guard@bench.invalid');

CREATE TEMP TABLE cg_user ON COMMIT DROP AS
SELECT min(id) AS id FROM users WHERE email = 'callgrind-guard@bench.invalid';

INSERT INTO sessions ("userId", expires, "sessionToken")
SELECT id, now() + interval '30 days',
    'callgrind-guard-session-token-0000000000000000000000000000000000'
FROM cg_user
ON CONFLICT ("sessionToken") DO UPDATE
SET "userId" = EXCLUDED."userId", expires = EXCLUDED.expires;

DELETE FROM places
WHERE author_id = (SELECT id FROM cg_user)
    AND id NOT IN (SELECT md5('callgrind-guard-' || i)::uuid
        FROM generate_series(1, 20) AS i);

INSERT INTO places (id, name, location, image, "mapURL", description,
    author_id, created_at, updated_at)
SELECT md5('callgrind-guard-' || i)::uuid,
    'Guard place ' || i,
    i || ' Fixed Street, Guardtown',
    CASE WHEN i % 5 <> 0 THEN
        'https://images.example.com/places/guard-' || i || '.jpg' END,
    CASE WHEN i % 3 <> 0 THEN
        'https://maps.example.com/?q=40.' || (1000 + i) || ',-3.7038' END,
    CASE WHEN i % 7 <> 0 THEN
        rtrim(repeat('A fixed description of guard place ' || i || '. ',
            1 + i % 2)) END,
    (SELECT id FROM cg_user),
    timestamptz '2026-01-01 00:00:00+00' + i * interval '1 hour',
    timestamptz '2026-01-01 00:00:00+00' + i * interval '1 hour'
FROM generate_series(1, 20) AS i
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, location = EXCLUDED.location,
    image = EXCLUDED.image, "mapURL" = EXCLUDED."mapURL",
    description = EXCLUDED.description, author_id = EXCLUDED.author_id,
    created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at;

COMMIT;

\set QUIET off
SELECT md5('callgrind-guard-1')::uuid;
