-- Included by pgbench-list.sql and pgbench-badtoken.sql (tools/bench.sh
-- joins the parts: pgbench has no include).  Set with -D: max_age,
-- update_age, limit, offset; :token comes from the including script.
-- What the worker sends for GET /api/places?limit=20, whether or not the
-- token is in a session (the read runs only for a live one).

-- lib/db.c ST_SESSION_LIST: GET /api/places?limit=20: the session check and the read in one statement
-- @include session-cte.sql
SELECT h.uid, h.live, h.renewed, q.* FROM h LEFT JOIN LATERAL (SELECT
-- @include place-cols.sql
    , p.created_at AS sort_at
    FROM places p JOIN users u ON u.id = p.author_id
    WHERE h.live ORDER BY p.created_at DESC, p.id DESC
    LIMIT :limit OFFSET :offset) q ON true
ORDER BY q.sort_at DESC, q.id DESC;
