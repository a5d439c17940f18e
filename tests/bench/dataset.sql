-- The benchmark data set (tools/bench.sh), loaded into a fresh stack's
-- database after the migrations, at a scale of N places (psql -v scale=N;
-- tools/bench.sh's BENCH_SCALES, default 10,000 and 1,000,000):
--
--   N/10 users            bench-K@bench.invalid
--   N places              10 per user, realistic field lengths, createdAt
--                         spread over about 8 months
--   N/10 live sessions    one per user, expires = now() + 30 days, so none is
--                         due for renewal (updateAge 1 day) during a run: the
--                         read scenarios measure reads, not session writes
--   N expired ones        10 per user, expired 1 minute to 60 days ago; they
--                         are never looked up, they make the sessions table
--                         and its token index the size a real one has (the
--                         pile NextAuth leaves without a prune, issue 11)
--
-- Tokens are 64 random hex characters, as tools/placesctl makes them.
-- Everything is generate_series-based and loads in about 2 s at 10,000
-- (about a minute at 1,000,000).  It
-- leaves bench_keys (n, token, user_id, place_id): session n's token, its
-- user and one place of that user, which tools/bench.sh writes to files
-- for wrk's Lua script and the pgbench scripts read with \gset.
\set ON_ERROR_STOP on
SET statement_timeout = 0;

BEGIN;

INSERT INTO users (name, email, "emailVerified")
SELECT 'Bench User ' || n, 'bench-' || n || '@bench.invalid', now()
FROM generate_series(1, :scale / 10) AS n;

CREATE TABLE bench_keys (
	n		integer PRIMARY KEY,
	user_id		integer NOT NULL,
	token		text NOT NULL,
	place_id	uuid
);

INSERT INTO bench_keys (n, user_id, token)
SELECT row_number() OVER (ORDER BY id), id,
    encode(sha256(gen_random_uuid()::text::bytea), 'hex')
FROM users
WHERE email LIKE 'bench-%@bench.invalid';

-- Place i belongs to user 1 + (i - 1) % (N / 10).  Optional fields are null
-- now and then, as they are in real data.
INSERT INTO places (name, location, image, "mapURL", description,
    author_id, created_at, updated_at)
SELECT
    'Place ' || i || ' ' || substr(md5(i::text), 1, 8 + i % 17),
    (1 + i % 300) || ' ' || initcap(substr(md5('street' || i), 1, 10)) ||
        ' Street, ' || initcap(substr(md5('city' || i % 97), 1, 8)),
    CASE WHEN i % 5 <> 0 THEN
        'https://images.example.com/places/' || md5('img' || i) || '.jpg' END,
    CASE WHEN i % 3 <> 0 THEN
        'https://maps.example.com/?q=' || round(40 + (i % 1000) / 1000.0, 5) ||
        ',' || round(-3 - (i % 700) / 700.0, 5) END,
    CASE WHEN i % 7 <> 0 THEN
        rtrim(repeat('A ' || md5('d' || i) || ' view, ', 2 + i % 8)) END,
    k.user_id,
    now() - i * (interval '37 minutes' * 10000 / :scale),
    now() - i * (interval '37 minutes' * 10000 / :scale)
FROM generate_series(1, :scale) AS i
JOIN bench_keys k ON k.n = 1 + (i - 1) % (:scale / 10);

UPDATE bench_keys k
SET place_id = (SELECT p.id FROM places p WHERE p.author_key = 'u:' || k.user_id
    ORDER BY p.created_at DESC LIMIT 1);

INSERT INTO sessions ("userId", expires, "sessionToken")
SELECT user_id, now() + interval '30 days', token
FROM bench_keys;

INSERT INTO sessions ("userId", expires, "sessionToken")
SELECT k.user_id,
    now() - interval '1 minute' - (i % 86400) * interval '1 minute',
    encode(sha256(gen_random_uuid()::text::bytea), 'hex')
FROM generate_series(1, :scale) AS i
JOIN bench_keys k ON k.n = 1 + (i - 1) % (:scale / 10);

COMMIT;

VACUUM ANALYZE users;
VACUUM ANALYZE places;
VACUUM ANALYZE sessions;
VACUUM ANALYZE bench_keys;
