#!/bin/bash
# shellcheck disable=SC2016 # awk programs and SQL are in single quotes
# pgbouncer in transaction pooling mode between the workers and PostgreSQL
# (tools/stack.sh PGBOUNCER=1): the workers get through it with
# PLACES_DB_POOL_MODE=transaction, share fewer server connections than
# there are workers, keep the role's statement_timeout, answer 503 while
# pgbouncer or PostgreSQL is down and 200 once they are back; with a replica
# (REPLICA=1) reads reach it through pgbouncer too.  And the reason the
# setting exists: without it the worker's named prepared statements break.
#
#   bash tests/scale/pgbouncer.sh
#
# Starts its own stacks and stops them by PID on exit.  The integration
# suite through pgbouncer is another suite (tests/checked.sh pgbouncer).
# Ends with "N passed, N failed".

set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

WORKERS_N=4
POOL_SIZE=2      # fewer server connections than workers

# bsql SQL: pgbouncer's admin console (SHOW ...), as postgres.
bsql() {
	psql -X -q -At -h "$PGHOST" -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -c "$1"
}
# pool_sum COLUMN...: the sum of those columns of one SHOW POOLS, for
# database places.
pool_sum() {
	psql -X -q -A -h "$PGHOST" -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -c "SHOW POOLS" |
		awk -F '|' -v cols="$*" '
			NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
			$1 == "places" && $2 == "places" {
				n = split(cols, c, " ")
				for (j = 1; j <= n; j++) s += $(k[c[j]])
				print s + 0
			}'
}
# worker_env VAR: VAR's value in a live worker's environment.
worker_env() {
	local mw p
	mw=$(cat "$STATE_DIR/run/spawn.pid")
	p=$(pgrep -P "$mw" | head -n 1)
	tr '\0' '\n' <"/proc/$p/environ" | sed -n "s/^$1=//p"
}
# timed_req TOKEN METHOD PATH [JSON]: one request; sets STATUS and MS.
timed_req() {
	local t0=${EPOCHREALTIME/./}
	if [ $# -ge 4 ]; then jreq "$1" "$2" "$3" "$4"; else areq "$1" "$2" "$3"; fi
	MS=$(((${EPOCHREALTIME/./} - t0) / 1000))
}

if ! scale_start pgbouncer PGBOUNCER=1 WORKERS=$WORKERS_N PGBOUNCER_POOL_SIZE=$POOL_SIZE; then
	scale_done
	exit 1
fi
d=$FT_CASE_DIR
new_user A
PLACE=$(mkplace "$A_ID" "Bouncer place" "There")

t "pgbouncer: the stack"
"$STACK" status "$STATE_DIR" >"$d/status" 2>&1
expect_eq "status: pgbouncer running" 1 "$(grep -c '^pgbouncer: running' "$d/status")"
ini=$STATE_DIR/pgbouncer/pgbouncer.ini
expect_eq "pool_mode = transaction" 1 "$(grep -cx 'pool_mode = transaction' "$ini")"
expect_eq "default_pool_size = $POOL_SIZE" 1 "$(grep -cx "default_pool_size = $POOL_SIZE" "$ini")"
expect_eq "the workers' DATABASE_URL is pgbouncer's" \
	"host=$PGHOST port=$PGBOUNCER_PORT dbname=places user=places" "$(worker_env DATABASE_URL)"
expect_eq "the workers run with PLACES_DB_POOL_MODE=transaction" transaction "$(worker_env PLACES_DB_POOL_MODE)"
expect_eq "stack.env's DATABASE_URL is PostgreSQL's own" \
	"host=$PGHOST port=$PGPORT dbname=places user=places" "$DATABASE_URL"
expect_eq "statement_timeout through pgbouncer (the role's, since options are dropped)" 5s \
	"$(PGOPTIONS='-c statement_timeout=0' psql -X -At -h "$PGHOST" -p "$PGBOUNCER_PORT" -U places -d places -c 'SHOW statement_timeout')"

t "pgbouncer: requests"
: >"$d/seq"
get_ids "/api/places/$PLACE" pgb-get 10 "$A_TOKEN" "$d/seq"
get_ids "/api/places?limit=5" pgb-list 10 "$A_TOKEN" "$d/seq"
expect_all "$d/seq" "20 GETs" 200
for i in 1 2 3 4 5; do
	jreq "$A_TOKEN" POST /api/places "{\"name\":\"pgb-post-$i\",\"location\":\"x\"}"
	expect_status 201
done
jreq "$A_TOKEN" PATCH "/api/places/$PLACE" '{"description":"through pgbouncer"}'
expect_status 200
expect_json '.description == "through pgbouncer"'
expect_ge "pgbouncer has the workers as clients" 1 "$(pool_sum cl_active)"

t "pgbouncer: $WORKERS_N workers under load share $POOL_SIZE server connections"
mkdir -p "$d/wrk"
printf '%s\n' "$A_TOKEN" >"$d/wrk/tokens"
printf '%s\n' "$PLACE" >"$d/wrk/ids"
timeout 30 wrk -t1 -c8 -d5s --timeout 5s -s "$IT_ROOT/tests/bench/wrk.lua" "$BASE_URL" -- \
	scenario=get tokens="$d/wrk/tokens" ids="$d/wrk/ids" pairs="$d/wrk/ids" >"$d/wrk.out" 2>&1 &
FT_BG+=("$!")
max_sv=0 max_be=0
for ((i = 0; i < 16; i++)); do
	sleep 0.25
	sv=$(pool_sum sv_active sv_idle sv_used sv_tested sv_login)
	be=$(psql -X -At -h "$PGHOST" -p "$PGPORT" -U postgres -d places -c \
		"SELECT count(*) FROM pg_stat_activity WHERE datname = 'places' AND usename = 'places' AND backend_type = 'client backend'")
	((sv > max_sv)) && max_sv=$sv
	((be > max_be)) && max_be=$be
done
ft_bg_wait 30
bench=$(grep '^BENCH ' "$d/wrk.out" | sed 's/^BENCH //')
if [ -n "$bench" ]; then
	figure "wrk -c8, $WORKERS_N workers, pool $POOL_SIZE: $(jq -r '"\(.requests) requests, \(.rps | floor) req/s, statuses \(.statuses)"' <<<"$bench")"
	expect_ge "wrk sent requests" 100 "$(jq -r .requests <<<"$bench")"
	expect_eq "wrk: no status but 200, no socket error" 0 "$(jq -r .unexpected <<<"$bench")"
else
	fail "wrk reported" "$(tail -n 5 "$d/wrk.out")"
fi
figure "at most $max_sv server connections in pgbouncer's pool, $max_be places backends in PostgreSQL"
expect_le "pgbouncer's server connections <= default_pool_size" "$POOL_SIZE" "$max_sv"
expect_le "PostgreSQL backends of user places <= default_pool_size" "$POOL_SIZE" "$max_be"
expect_eq "no 'prepared statement' error in the worker log" 0 "$(grep -c 'prepared statement' "$WORKER_LOG")"

t "pgbouncer: pgbouncer down"
"$STACK" pgbouncer-stop "$STATE_DIR" >"$d/b-stop.out" 2>&1
expect_eq "tools/stack.sh pgbouncer-stop succeeded" 0 "$?"
timed_req "$A_TOKEN" GET /api/places
expect_error 503 "$BODY_503"
expect_header Retry-After '^5$'
figure "503 in $MS ms"
timed_req "$A_TOKEN" POST /api/places '{"name":"pgb-down","location":"x"}'
expect_error 503 "$BODY_503"
"$STACK" pgbouncer-start "$STATE_DIR" >"$d/b-start.out" 2>&1
expect_eq "tools/stack.sh pgbouncer-start succeeded" 0 "$?"
for i in 1 2 3 4; do
	areq "$A_TOKEN" GET /api/places
	expect_status 200
done

t "pgbouncer: PostgreSQL down behind it"
"$STACK" pg-stop "$STATE_DIR" >"$d/pg-stop.out" 2>&1
expect_eq "tools/stack.sh pg-stop succeeded" 0 "$?"
# pgbouncer holds a query up to query_wait_timeout (3 s) for a server
# connection, then fails it; the worker answers 503 (a read after its one
# retry: 6 s), under nginx's 10 s.
timed_req "$A_TOKEN" GET /api/places
expect_error 503 "$BODY_503"
figure "GET: 503 in $MS ms"
expect_le "within 8 s" 8000 "$MS"
timed_req "$A_TOKEN" POST /api/places '{"name":"pgb-pg-down","location":"x"}'
expect_error 503 "$BODY_503"
figure "POST: 503 in $MS ms"
expect_le "within 8 s" 8000 "$MS"
"$STACK" pg-start "$STATE_DIR" >"$d/pg-start.out" 2>&1
expect_eq "tools/stack.sh pg-start succeeded, reachable through pgbouncer" 0 "$?"
timed_req "$A_TOKEN" GET /api/places
expect_status 200
figure "first GET after pg-start: $STATUS in $MS ms"
jreq "$A_TOKEN" POST /api/places '{"name":"pgb-pg-back","location":"x"}'
expect_status 201
expect_eq "nothing was written while it was down, once after" "0|1" \
	"$(sql "SELECT count(*) FILTER (WHERE name IN ('pgb-down', 'pgb-pg-down')),
	               count(*) FILTER (WHERE name = 'pgb-pg-back') FROM places;")"
scale_stop

# ---------------------------------------------------------------------------
# Why PLACES_DB_POOL_MODE=transaction exists.  In transaction mode a server
# connection serves one transaction of one client, then any other's.  The
# worker without the setting prepares named statements when it connects,
# each PREPARE its own transaction: they land on whichever server
# connection pgbouncer hands out then, and the next worker that connects
# finds its names taken there ("prepared statement ... already exists"),
# or a worker's EXECUTE runs where its statement is not ("... does not
# exist").  With sequential requests and two workers it is certain:
# pgbouncer hands out its most recently used server connection, so the
# second worker prepares on the first one's.
if scale_start pgbouncer-session PGBOUNCER=1 PLACES_DB_POOL_MODE=session PGBOUNCER_POOL_SIZE=2; then
	d=$FT_CASE_DIR
	new_user S
	t "pgbouncer without PLACES_DB_POOL_MODE=transaction"
	expect_eq "the workers run with PLACES_DB_POOL_MODE=session" session "$(worker_env PLACES_DB_POOL_MODE)"
	: >"$d/seq"
	get_ids "/api/places?limit=5" pgb-session 10 "$S_TOKEN" "$d/seq"
	figure "10 sequential GETs: $(status_summary "$d/seq")"
	expect_ge "requests fail with 500" 1 "$(count "$d/seq" '$5 == 500')"
	n=$(grep -c 'prepared statement' "$WORKER_LOG")
	expect_ge "the worker log says 'prepared statement ... already exists / does not exist'" 1 "$n"
	scale_stop
fi

# ---------------------------------------------------------------------------
# pgbouncer and a replica: reads reach the replica through pgbouncer's
# places_replica database.
if scale_start pgbouncer-replica PGBOUNCER=1 REPLICA=1; then
	d=$FT_CASE_DIR
	new_user R
	PLACE=$(mkplace "$R_ID" "Bouncer replica place" "There")
	t "pgbouncer and a replica"
	expect_eq "DATABASE_READ_URL is pgbouncer's places_replica" \
		"host=$PGHOST port=$PGBOUNCER_PORT dbname=places_replica user=places" "$DATABASE_READ_URL"
	expect_eq "the workers have it" "$DATABASE_READ_URL" "$(worker_env DATABASE_READ_URL)"
	x0=$(bsql "SHOW STATS" | awk -F '|' '$1 == "places_replica" { print $2 }')
	: >"$d/reads"
	get_ids "/api/places/$PLACE" pgbr-get 10 "$R_TOKEN" "$d/reads"
	get_ids "/api/places?limit=5" pgbr-list 10 "$R_TOKEN" "$d/reads"
	expect_all "$d/reads" "20 reads" 200
	x1=$(bsql "SHOW STATS" | awk -F '|' '$1 == "places_replica" { print $2 }')
	figure "places_replica transactions: +$((${x1:-0} - ${x0:-0}))"
	expect_ge "pgbouncer passed reads to the replica" 20 "$((${x1:-0} - ${x0:-0}))"
	: >"$d/rounds"
	for ((i = 0; i < 10; i++)); do
		jreq "$R_TOKEN" POST /api/places "{\"name\":\"pgbr-$i\",\"location\":\"x\"}"
		id=$(jq -r '.id // empty' "$IT_TMP/body")
		areq "$R_TOKEN" GET "/api/places/${id:-none}"
		echo "$STATUS $(jq -r .name "$IT_TMP/body" 2>/dev/null)" >>"$d/rounds"
	done
	expect_eq "POST then GET: 200 with the new place, 10 times" 10 "$(grep -c '^200 pgbr-' "$d/rounds")"
	"$STACK" replica-stop "$STATE_DIR" >"$d/r-stop.out" 2>&1
	expect_eq "tools/stack.sh replica-stop succeeded" 0 "$?"
	# Each worker's first read after the stop waits in pgbouncer for a
	# server connection (query_wait_timeout, 3 s), then goes to the
	# primary; the worker then leaves the replica alone for a while.
	: >"$d/down"
	get_ids "/api/places/$PLACE" pgbr-down 10 "$R_TOKEN" "$d/down"
	figure "10 reads with the replica down: $(status_summary "$d/down"); latency $(awk '{ print $3 - $2 }' "$d/down" | sort -n | awk '{ v[NR] = $1 } END { printf "max %d ms", v[NR] / 1000 }')"
	expect_all "$d/down" "reads with the replica down" 200
	scale_stop
fi

scale_done
