# POST whose connection is lost after its INSERT committed: the worker sends
# the INSERT again on a new connection (lib/stmt.c ST_INSERT, idempotent by
# the uuid the worker made), the resend finds its own row (ON CONFLICT (id)
# DO NOTHING) and the answer is 201, with exactly one place made.
#
# The lost answer, made deterministic: synchronous_standby_names names a
# standby that does not exist, so the worker's COMMIT is written locally and
# then waits for it; terminating that backend then ends the wait with "the
# transaction has already committed locally" and closes the connection
# without an answer.  The setting is reset (a trap, on any exit) before the
# worker's resend can need it.  Behind pgbouncer the backend is pgbouncer's
# server connection, whose loss pgbouncer passes on to the worker's.

new_user LC
WLOG=${WORKER_LOG:?}
FROM=$(wc -c <"$WLOG")
LC_NAME=it-lost-$(rand_hex 4)
LC_PID=

# susql SQL: SQL as the cluster's superuser (ALTER SYSTEM needs one; the
# stack's cluster trusts local connections, tools/stack/postgres.sh).
susql() {
	printf '%s\n' "$1" | psql -X -q -At -v ON_ERROR_STOP=1 -h "${PGHOST:?}" -p "${PGPORT:?}" \
		-U postgres -d "${PGDATABASE:-places}"
}
# sync_seen VALUE: waits (up to 10 s) until a new session shows
# synchronous_standby_names = VALUE: pg_reload_conf() only signals the
# postmaster, which re-reads the file and then signals every backend, so
# once a new session has the value, the workers' backends apply it before
# their next statement.  Under load the postmaster can be that late.
sync_seen() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(sql "SHOW synchronous_standby_names;")" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
sync_off() {
	susql "ALTER SYSTEM RESET synchronous_standby_names;
	       SELECT pg_reload_conf();" >/dev/null
	sync_seen ""
}
restore() {
	sync_off
	[ -z "$LC_PID" ] || wait "$LC_PID" 2>/dev/null
	LC_PID=
}
trap restore EXIT

t "create, answer lost after the commit: set-up"
areq "$LC_TOKEN" GET /api/places
expect_status 200
if susql "ALTER SYSTEM SET synchronous_standby_names = 'it_nobody';
          SELECT pg_reload_conf();" >/dev/null && sync_seen it_nobody; then
	pass "synchronous_standby_names = it_nobody"
else
	fail "synchronous_standby_names = it_nobody" "refused"
fi

# The POST, in the background: its answer comes once the commit is let go.
curl -s -o "$IT_TMP/lc.body" -w '%{http_code}' --max-time 20 -H 'Expect:' \
	-H "Authorization: Bearer $LC_TOKEN" -H 'Content-Type: application/json' \
	--data-binary '{"name":"'"$LC_NAME"'","location":"x"}' \
	"$BASE_URL/api/places" >"$IT_TMP/lc.status" 2>/dev/null &
LC_PID=$!

t "create, answer lost after the commit: the COMMIT waits"
waiting=
for ((i = 0; i < 200; i++)); do
	waiting=$(sql "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'
	               AND usename = current_user LIMIT 1;")
	[ -z "$waiting" ] || break
	sleep 0.05
done
if [ -n "$waiting" ]; then pass "a backend waits in SyncRep"; else fail "a backend waits in SyncRep" "none in 10 s"; fi
expect_eq "terminated" t "$(sql "SELECT pg_terminate_backend(${waiting:-0}, 5000);")"
sync_off

t "create, answer lost after the commit: 201, one place"
wait "$LC_PID"
LC_PID=
trap - EXIT
expect_eq "status" 201 "$(cat "$IT_TMP/lc.status")"
ID=$(jq -r '.id // empty' "$IT_TMP/lc.body" 2>/dev/null)
expect_eq "one place of that name" 1 "$(sql "SELECT count(*) FROM places WHERE name = :'n';" n="$LC_NAME")"
expect_eq "under the id answered" "${ID:-none}" "$(sql "SELECT id FROM places WHERE name = :'n';" n="$LC_NAME")"
areq "$LC_TOKEN" GET "/api/places/${ID:-none}"
expect_status 200
expect_json --arg n "$LC_NAME" '.name == $n'

t "create, answer lost after the commit: the worker's log"
tail -c +"$((FROM + 1))" "$WLOG" >"$IT_TMP/lc.log"
if grep -q 'insert: connection lost' "$IT_TMP/lc.log"; then
	pass "the INSERT's connection was lost, and it was sent again"
else
	fail "the INSERT's connection was lost, and it was sent again" "$(grep -E '"(warn|error)"' "$IT_TMP/lc.log" | head -n 3)"
fi
expect_eq "no error logged" "" "$(grep '"level":"error"' "$IT_TMP/lc.log" | head -c 300)"
