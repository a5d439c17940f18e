-- Included by tests/bench/pgbench-*.sql (tools/bench.sh joins the parts:
-- pgbench has no include).  Set with -D: max_age, update_age; :token comes
-- from the including script.

-- lib/db.c ST_SESSION: the session check, first in every request
WITH s AS (SELECT s.id, s."userId", s.expires FROM sessions s
    JOIN users u ON u.id = s."userId"
    WHERE s."sessionToken" = :token),
  gone AS (DELETE FROM sessions d USING s
    WHERE d.id = s.id AND s.expires < now()),
  renewed AS (UPDATE sessions r
    SET expires = now() + make_interval(secs => :max_age) FROM s
    WHERE r.id = s.id AND r.expires >= now() AND r.expires
    - make_interval(secs => :max_age) + make_interval(secs => :update_age)
    <= now() RETURNING r.id)
SELECT s."userId", s.expires >= now(),
    EXISTS (SELECT 1 FROM renewed) FROM s;
