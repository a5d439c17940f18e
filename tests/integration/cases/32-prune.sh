# placesctl session prune in batches (issue 11): more expired sessions than
# one batch holds (5,000), spread over the id range between live ones, are
# all deleted, every live one is kept and still works.  The command's
# other paths are cases/92-placesctl.sh's.

new_user X
# 12,001 expired sessions, and a live one after every 1,000th: the batches
# walk the id range, so live rows sit inside and at the edges of batches.
sql "INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
     SELECT CAST(:'uid' AS integer),
         CASE WHEN g % 1000 = 0 THEN now() + interval '1 day'
         ELSE now() - interval '1 minute' - g * interval '1 second' END,
         'it-prune-' || g || '-' || md5(random()::text)
     FROM generate_series(1, 12013) AS g;" uid="$X_ID" >/dev/null
LIVE=$(sql "SELECT count(*) FROM sessions WHERE \"userId\" = CAST(:'uid' AS integer)
            AND expires > now();" uid="$X_ID")

t "session prune deletes more than a batch of expired sessions"
"$IT_ROOT/tools/placesctl" session prune >"$IT_TMP/prune.out" 2>"$IT_TMP/prune.err"
expect_eq "exit status" 0 "$?"
N=$(sed -n 's/^pruned \([0-9]*\) expired sessions$/\1/p' "$IT_TMP/prune.out")
expect_eq "at least this user's 12,001 expired ones counted" 1 "$((${N:-0} >= 12001))"
expect_eq "none of this user's expired sessions left" 0 \
	"$(sql "SELECT count(*) FROM sessions WHERE \"userId\" = CAST(:'uid' AS integer)
	        AND expires <= now();" uid="$X_ID")"
expect_eq "every live session kept (12 and the user's own)" "$LIVE" \
	"$(sql "SELECT count(*) FROM sessions WHERE \"userId\" = CAST(:'uid' AS integer);" uid="$X_ID")"
expect_eq "13 live sessions" 13 "$LIVE"

t "a live session still works after the prune"
areq "$X_TOKEN" GET '/api/places?limit=1'
expect_status 200
