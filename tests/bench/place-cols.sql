-- Included by the scripts that return places (tools/bench.sh joins the
-- parts: pgbench has no include): lib/db.c's PLACE_COLS, the columns of a
-- place in the order of its JSON.  No statement on its own.
    p.id, p.name, p.location, p.image, p."mapURL", p.description,
    COALESCE(u.email, a.email),
    to_char(p.created_at AT TIME ZONE 'UTC',
        E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"') AS created,
    to_char(p.updated_at AT TIME ZONE 'UTC',
        E'YYYY-MM-DD"T"HH24\072MI\072SS.MS"Z"') AS updated
