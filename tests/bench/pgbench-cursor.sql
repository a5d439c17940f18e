-- pgbench script: the database ceiling of the "cursor" scenario of
-- tools/bench.sh: GET /api/places?limit=20&cursor=... for page 1,000 (of
-- 20), what the worker sends the database for it.  The same statement
-- as pgbench-list.sql's (ST_SESSION_LIST), from the position of the
-- cursor (deep_time, deep_id) instead of the top.  Spellings as in
-- pgbench-list.sql.
--
-- Set with -D: loaded=0, keys, max_age, update_age, limit, deep_time,
-- deep_id.

-- @include pick-session.sql

-- lib/db.c ST_SESSION_LIST: GET /api/places?limit=20&cursor=...: page 1,000
-- @include session-cte.sql
SELECT h.uid, h.live, h.renewed, q.* FROM h LEFT JOIN LATERAL (SELECT c.* FROM (SELECT
-- @include place-cols.sql
    , p.created_at AS sort_at,
    (extract(epoch FROM p.created_at) * 1000000)::bigint AS key_at
    FROM places.places p LEFT JOIN public.users u ON u.id = p.author_id
    LEFT JOIN places.authors a ON a.sub = p.author_sub
    WHERE h.live AND (p.created_at, p.id) < (:deep_time::timestamptz, :deep_id::uuid)
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1000) c
    ORDER BY c.sort_at DESC, c.id DESC LIMIT :limit) q ON true
ORDER BY q.sort_at DESC, q.id DESC;
