#!/bin/bash
# shellcheck disable=SC2016 # awk programs and SQL are in single quotes
# A streaming replica for reads (tools/stack.sh REPLICA=1: pg_basebackup -R,
# the workers get DATABASE_READ_URL), and the worker's promise: a read sees
# every write committed before the request started; a replica that is
# behind, paused, down or back costs no error.
#
#   bash tests/scale/replica.sh
#
# Starts its own stack (REPLICA=1) and stops it by PID on exit.
#   (a) reads go to the replica when it is healthy;
#   (b) POST, then at once GET of the new id and the list: 200 with the new
#       place, many times in a row, the caller's and another user's reads;
#   (c) replay paused on the replica: the same, served by the primary;
#   (d) replica stopped under load: reads still 200, no 500, no 503;
#       started again: reads go back to it;
#   (e) the replica as a worker's primary (a failover that left
#       DATABASE_URL on a standby): 503 with Retry-After, never 500.
# Ends with "N passed, N failed".

set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

ROUNDS=20        # POST-then-read rounds in (b) and (c)

if ! scale_start replica REPLICA=1; then
	scale_done
	exit 1
fi
d=$FT_CASE_DIR

# rsql SQL: runs SQL on the replica as postgres; unaligned tuples.
rsql() {
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$REPLICA_PORT" -U postgres -d places -c "$1"
}
# psql_primary SQL: the same on the primary.
psql_primary() {
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres -d places -c "$1"
}
# commits DB: xact_commit of database places on the replica or the primary.
commits() {
	local q="SELECT xact_commit FROM pg_stat_database WHERE datname = 'places'"
	if [ "$1" = replica ]; then rsql "$q"; else psql_primary "$q"; fi
}
# replica_fcgi: the worker connections the replica has now.
replica_fcgi() {
	rsql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'places-fcgi'" 2>/dev/null || echo 0
}
# round TOKEN READER-TOKEN TAG N: POST a place named TAG-N with TOKEN, then
# at once GET it and the list (limit 5) with READER-TOKEN; prints
# "POST-STATUS GET-STATUS GET-NAME-OK LIST-STATUS LIST-HAS-IT".
round() {
	local tok=$1 rtok=$2 name=$3-$4 id ps gs ls gok=0 lok=0
	ps=$(curl -s -o "$d/post" -w '%{http_code}' --max-time 15 -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -H "X-Request-Id: $name-post" \
		--data-binary "{\"name\":\"$name\",\"location\":\"replica test\"}" "$BASE_URL/api/places")
	id=$(jq -r '.id // empty' "$d/post" 2>/dev/null)
	gs=$(curl -s -o "$d/get" -w '%{http_code}' --max-time 15 -H "Authorization: Bearer $rtok" \
		-H "X-Request-Id: $name-get" "$BASE_URL/api/places/${id:-none}")
	jq -e --arg n "$name" '.name == $n' "$d/get" >/dev/null 2>&1 && gok=1
	ls=$(curl -s -o "$d/list" -w '%{http_code}' --max-time 15 -H "Authorization: Bearer $rtok" \
		-H "X-Request-Id: $name-list" "$BASE_URL/api/places?limit=5")
	jq -e --arg n "$name" 'map(.name) | index($n) != null' "$d/list" >/dev/null 2>&1 && lok=1
	echo "$ps $gs $gok $ls $lok"
}
# expect_rounds FILE WHAT: every line of FILE is "201 200 1 200 1".
expect_rounds() {
	local bad
	bad=$(grep -cv '^201 200 1 200 1$' "$1")
	if [ "$bad" = 0 ]; then
		pass "$2: all $(wc -l <"$1") rounds 201, then 200 with the new place for the GET and in the list"
	else
		fail "$2: every round 201, 200 with the place, 200 listing it" \
			"$bad of $(wc -l <"$1"): $(sort "$1" | uniq -c | sort -rn | head -n 3 | tr -s ' \n' ' ')"
	fi
}

new_user A
new_user B
PLACE=$(mkplace "$A_ID" "Replica place" "There")

t "replica: the stack"
expect_eq "DATABASE_READ_URL names the replica" \
	"host=$PGHOST port=$REPLICA_PORT dbname=places user=places" "$DATABASE_READ_URL"
expect_eq "the replica is in recovery, streaming" "t|streaming" \
	"$(rsql "SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver)" | tr -d '\n')"
expect_eq "the primary has one walsender, streaming" "streaming" \
	"$(psql_primary "SELECT string_agg(state, ',') FROM pg_stat_replication")"
"$STACK" status "$STATE_DIR" >"$d/status" 2>&1
expect_eq "status lists it" 1 "$(grep -c '^replica: running' "$d/status")"
expect_eq "the schema is there" 1 "$(rsql "SELECT count(*) FROM places.places WHERE id = '$PLACE'")"

# ---------------------------------------------------------------------------
t "replica: (a) reads go to the replica"
N=40
r0=$(commits replica)
p0=$(commits primary)
: >"$d/a"
for ((i = 0; i < N / 2; i++)); do
	get_ids "/api/places/$PLACE" "rep-a-get-$i" 1 "$A_TOKEN" "$d/a"
	get_ids "/api/places?limit=5" "rep-a-list-$i" 1 "$B_TOKEN" "$d/a"
done
expect_all "$d/a" "$N reads" 200
expect_ge "the replica has worker connections (application_name places-fcgi)" 1 "$(replica_fcgi)"
expect_ge "their last statements are the worker's replica reads" 1 \
	"$(rsql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'places-fcgi'
	         AND query LIKE '%pg_last_wal_replay_lsn()%'")"
# Statistics reach pg_stat_database within PostgreSQL's flush interval
# (at most 10 s for an idle backend).
for ((i = 0; i < 60; i++)); do
	r1=$(commits replica)
	p1=$(commits primary)
	(((r1 - r0) >= N && (p1 - p0) >= N)) && break
	sleep 0.25
done
figure "$N reads: replica xact_commit +$((r1 - r0)), primary +$((p1 - p0)) (the session checks)"
expect_ge "the replica committed a transaction per read" "$N" "$((r1 - r0))"
expect_ge "the primary one per session check" "$N" "$((p1 - p0))"
expect_le "and not one more per read" $((N * 3 / 2)) "$((p1 - p0))"

# ---------------------------------------------------------------------------
t "replica: (b) read your writes"
: >"$d/b"
for ((i = 0; i < ROUNDS; i++)); do
	round "$A_TOKEN" "$A_TOKEN" rep-b-own "$i" >>"$d/b"
	round "$A_TOKEN" "$B_TOKEN" rep-b-other "$i" >>"$d/b"
done
expect_rounds "$d/b" "the writer's and another user's reads"

# ---------------------------------------------------------------------------
t "replica: (c) replay paused"
rsql "SELECT pg_wal_replay_pause()" >/dev/null
for ((i = 0; i < 50; i++)); do
	[ "$(rsql "SELECT pg_get_wal_replay_pause_state()")" = paused ] && break
	sleep 0.1
done
expect_eq "the replica's replay is paused" paused "$(rsql "SELECT pg_get_wal_replay_pause_state()")"
: >"$d/c"
for ((i = 0; i < ROUNDS / 2; i++)); do
	round "$A_TOKEN" "$A_TOKEN" rep-c-own "$i" >>"$d/c"
	round "$A_TOKEN" "$B_TOKEN" rep-c-other "$i" >>"$d/c"
done
expect_rounds "$d/c" "served by the primary"
expect_eq "the replica has none of those places (the primary answered)" 0 \
	"$(rsql "SELECT count(*) FROM places.places WHERE name LIKE 'rep-c-%'")"
expect_eq "the primary has them all" "$ROUNDS" \
	"$(sql "SELECT count(*) FROM places WHERE name LIKE 'rep-c-%';")"
rsql "SELECT pg_wal_replay_resume()" >/dev/null
for ((i = 0; i < 100; i++)); do
	[ "$(rsql "SELECT count(*) FROM places.places WHERE name LIKE 'rep-c-%'")" = "$ROUNDS" ] && break
	sleep 0.1
done
expect_eq "replay resumed: the replica catches up" "$ROUNDS" \
	"$(rsql "SELECT count(*) FROM places.places WHERE name LIKE 'rep-c-%'")"

# ---------------------------------------------------------------------------
t "replica: (d) replica stopped under load"
stop=$d/stop
GET_PATH="/api/places?limit=5" ft_bg get_loop "$d/load.1" "$A_TOKEN" rep-d-1 "$stop" 3000 30
GET_PATH="/api/places?author=me" ft_bg get_loop "$d/load.2" "$B_TOKEN" rep-d-2 "$stop" 3000 30
sleep 1.5
"$STACK" replica-stop "$STATE_DIR" >"$d/replica-stop.out" 2>&1
expect_eq "tools/stack.sh replica-stop succeeded" 0 "$?"
stopped_at=$(now_us)
sleep 3
touch "$stop"
ft_bg_wait 30
expect_eq "load generators ended on their own" 0 "$?"
cat "$d"/load.* >"$d/load"
figure "$(wc -l <"$d/load") requests, $(count -v t="$stopped_at" "$d/load" '$2 > t') after replica-stop returned; statuses $(status_summary "$d/load"); latency $(latency_summary "$d/load")"
expect_ge "the load sent requests" 30 "$(wc -l <"$d/load")"
expect_all "$d/load" "reads while the replica stops" 200
expect_eq "every 200 is a JSON array" 0 "$(count "$d/load" '$7 != "ok"')"

t "replica: (d) replica down"
: >"$d/down"
for ((i = 0; i < 10; i++)); do
	get_ids "/api/places/$PLACE" "rep-down-get-$i" 1 "$A_TOKEN" "$d/down"
	get_ids "/api/places?limit=5" "rep-down-list-$i" 1 "$B_TOKEN" "$d/down"
done
expect_all "$d/down" "reads" 200
: >"$d/down-rounds"
for ((i = 0; i < 5; i++)); do
	round "$A_TOKEN" "$B_TOKEN" rep-down "$i" >>"$d/down-rounds"
done
expect_rounds "$d/down-rounds" "writes and reads"

t "replica: (d) replica started again"
"$STACK" replica-start "$STATE_DIR" >"$d/replica-start.out" 2>&1
expect_eq "tools/stack.sh replica-start succeeded (streaming again)" 0 "$?"
expect_eq "same port" 1 "$(grep -c "port $REPLICA_PORT" "$d/replica-start.out")"
# The workers leave a failed replica alone for a few seconds, then try it
# again on the next read.
back_at=$(now_us)
: >"$d/back"
for ((i = 0; i < 100; i++)); do
	get_ids "/api/places?limit=5" "rep-back-$i" 1 "$A_TOKEN" "$d/back"
	[ "$(replica_fcgi)" -ge 1 ] && break
	sleep 0.2
done
figure "a worker reconnected to the replica $(ms $(($(now_us) - back_at))) ms after replica-start"
expect_ge "the replica has worker connections again" 1 "$(replica_fcgi)"
expect_all "$d/back" "reads meanwhile" 200
r0=$(commits replica)
: >"$d/back2"
for ((i = 0; i < 20; i++)); do
	get_ids "/api/places/$PLACE" "rep-back2-$i" 1 "$A_TOKEN" "$d/back2"
done
for ((i = 0; i < 60; i++)); do
	r1=$(commits replica)
	(((r1 - r0) >= 10)) && break
	sleep 0.25
done
figure "20 reads: replica xact_commit +$((r1 - r0))"
expect_ge "reads go to the replica again" 10 "$((r1 - r0))"
expect_all "$d/back2" "reads" 200

# ---------------------------------------------------------------------------
# (e) A worker whose primary is a hot standby (DATABASE_URL reached the
# standby after a failover): as a CGI program, one request each, so its log
# is its own.  A database session's check writes (25006); a JWT caller's
# author lookup reads pg_current_wal_lsn(), which a server in recovery
# refuses with 55000 (its author record must exist, else nothing calls it).
# Both are 503 with Retry-After, the connection dropped and the statement
# tried once more on a new one; before, 55000 was a 500.
t "replica: (e) a standby as the primary"
E_SECRET=rep-e-$(rand_hex 16)
E_SUB=rep-e-$(rand_hex 6)
E_EMAIL=$E_SUB@example.com
psql_primary "INSERT INTO places.authors (sub, email) VALUES ('$E_SUB', '$E_EMAIL')" >/dev/null
for ((i = 0; i < 50; i++)); do
	[ "$(rsql "SELECT count(*) FROM places.authors WHERE sub = '$E_SUB'")" = 1 ] && break
	sleep 0.1
done
expect_eq "the author record reached the replica" 1 \
	"$(rsql "SELECT count(*) FROM places.authors WHERE sub = '$E_SUB'")"
E_COOKIE=$(node "$IT_ROOT/tests/compat/nextauth.mjs" jwt --secret "$E_SECRET" --email "$E_EMAIL" \
	--sub "$E_SUB" | jq -r .cookieHeader)
# standby_cgi LABEL VAR=value...: one GET /api/places against the replica as
# DATABASE_URL; the response in $d/e.LABEL.out, the log in $d/e.LABEL.log.
standby_cgi() {
	local label=$1
	shift
	env -i PATH="$PATH" DATABASE_URL="host=$PGHOST port=$REPLICA_PORT dbname=places user=places" \
		NEXTAUTH_SECRET="$E_SECRET" REQUEST_METHOD=GET REQUEST_URI=/api/places QUERY_STRING= \
		"$@" "$STATE_DIR/bin/places.fcgi" </dev/null >"$d/e.$label.out" 2>"$d/e.$label.log"
}
for label in jwt session; do
	if [ $label = jwt ]; then
		standby_cgi $label HTTP_COOKIE="$E_COOKIE"
		state=55000
	else
		standby_cgi $label HTTP_AUTHORIZATION="Bearer $A_TOKEN"
		state=25006
	fi
	expect_eq "$label: status" 503 "$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$d/e.$label.out" | tr -d '\r')"
	expect_eq "$label: Retry-After" 1 "$(grep -c '^Retry-After: 5' "$d/e.$label.out")"
	expect_eq "$label: SQLSTATE $state, twice (sent once more on a new connection)" 2 \
		"$(grep -c "(SQLSTATE $state)" "$d/e.$label.log")"
	expect_eq "$label: the connection dropped each time" 2 \
		"$(grep -c 'primary database refuses writes; reconnecting' "$d/e.$label.log")"
done

t "replica: stop stops the replica"
RPID=$(head -n 1 "$STATE_DIR/pg-replica/postmaster.pid")
scale_stop
expect_eq "tools/stack.sh stop succeeded" 0 "$?"
expect_eq "the replica's postmaster is gone" "" "$(live_pids_of "$RPID")"

scale_done
