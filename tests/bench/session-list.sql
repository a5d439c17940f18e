-- Included by pgbench-list.sql and pgbench-badtoken.sql (tools/bench.sh
-- joins the parts: pgbench has no include).  Set with -D: max_age,
-- update_age, limit, before_time, before_id; :token comes from the
-- including script.
-- What the worker sends for GET /api/places?limit=20, whether or not the
-- token is in a session (the read runs only for a live one).  The first
-- page starts below ('infinity', the largest uuid); a cursor's page below
-- its (createdAt, id): pgbench-cursor.sql.

-- lib/db.c ST_SESSION_LIST: GET /api/places?limit=20: the session check and the read in one statement
-- @include session-cte.sql
SELECT h.uid, h.live, h.renewed, q.* FROM h LEFT JOIN LATERAL (SELECT c.* FROM (SELECT
-- @include place-cols.sql
    , p.created_at AS sort_at,
    (extract(epoch FROM p.created_at) * 1000000)::bigint AS key_at
    FROM places.places p LEFT JOIN public.users u ON u.id = p.author_id
    LEFT JOIN places.authors a ON a.sub = p.author_sub
    WHERE h.live AND (p.created_at, p.id) < (:before_time::timestamptz, :before_id::uuid)
    ORDER BY p.created_at DESC, p.id DESC LIMIT 1000) c
    ORDER BY c.sort_at DESC, c.id DESC LIMIT :limit) q ON true
ORDER BY q.sort_at DESC, q.id DESC;
