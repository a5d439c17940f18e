-- Included by session.sql, pgbench-get.sql and pgbench-list.sql
-- (tools/bench.sh joins the parts: pgbench has no include).  Set with -D:
-- max_age, update_age; :token comes from the including script.  The
-- WITH part of lib/db.c's session check (SESSION_CTE): no statement on
-- its own, the including file's marker names the whole statement.
WITH s AS (SELECT s.id AS k, s."userId", s.expires FROM public.sessions s
    JOIN public.users u ON u.id = s."userId"
    WHERE s."sessionToken" = :token),
  gone AS (DELETE FROM public.sessions d USING s
    WHERE d.id = s.k AND s.expires < now()),
  renewed AS (UPDATE public.sessions r
    SET expires = now() + make_interval(secs => :max_age) FROM s
    WHERE r.id = s.k AND r.expires >= now() AND r.expires
    - make_interval(secs => :max_age) + make_interval(secs => :update_age)
    <= now() RETURNING 1),
  h AS (SELECT 'u:' || s."userId"::text AS uid, s.expires >= now() AS live,
    EXISTS (SELECT 1 FROM renewed) AS renewed,
    pg_current_wal_lsn()::text AS lsn FROM s)
