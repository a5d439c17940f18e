#!/bin/bash
# shellcheck disable=SC2016 # awk programs are in single quotes
# Worker pools behind nginx's upstream (tools/stack.sh POOLS=N, the "#pools"
# variant of nginx.conf.example): a pool that goes down costs no idempotent
# request, a POST is never sent twice, a pool started again serves again.
#
#   bash tests/scale/pools.sh
#
# Starts its own stacks (POOLS=2 on unix sockets, then POOLS=2 POOL_TCP=1)
# and stops them by PID on exit.  Load: two curl loops that send and record
# one X-Request-Id each (the worker logs it, so each request can be found in
# the log of the pool that served it), and wrk (tests/bench/wrk.lua, which
# counts every status), both bounded in requests and time.  Ends with "N
# passed, N failed".

set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

LOAD_SECS=8      # wrk's run; the pool is stopped 2 s in
CONNS=2          # curl loops next to wrk
WRK_CONNS=4

# ---------------------------------------------------------------------------
if ! scale_start pools POOLS=2; then
	scale_done
	exit 1
fi
d=$FT_CASE_DIR
read -r LOG1 LOG2 <<<"$WORKER_LOGS"
read -r ADDR1 ADDR2 <<<"$POOL_ADDRS"
new_user P
PLACE=$(mkplace "$P_ID" "Pools place" "Here")

t "pools: the stack"
expect_eq "two pools" 2 "$STACK_POOLS"
expect_eq "pool addresses" "unix:$STATE_DIR/run/places-1.sock unix:$STATE_DIR/run/places-2.sock" "$POOL_ADDRS"
"$STACK" status "$STATE_DIR" >"$d/status" 2>&1
expect_eq "status: both pools run" 2 "$(grep -c '^pool [12]: running' "$d/status")"

t "pools: nginx runs the example's #pools variant"
conf=$STATE_DIR/nginx/server.conf
expect_eq "an upstream with one server per pool" \
	"server $ADDR1 max_fails=1 fail_timeout=5s;|server $ADDR2 max_fails=1 fail_timeout=5s;" \
	"$(sed -n '/^upstream places_pools {/,/^}/p' "$conf" | sed -n 's/^ *\(server .*\)$/\1/p' | paste -sd '|')"
expect_eq "both API locations pass to it" 2 "$(grep -c '^ *fastcgi_pass places_pools;$' "$conf")"
expect_eq "no location passes to the one-pool socket" 0 "$(grep -c '^ *fastcgi_pass unix:' "$conf")"
expect_eq "fastcgi_next_upstream error timeout, without non_idempotent" \
	"fastcgi_next_upstream error timeout;" "$(grep -E '^ *fastcgi_next_upstream ' "$conf" | sed 's/^ *//')"
# The example itself, un-commented by this rule, is what nginx runs.
expect_eq "every other line is the example's" "" \
	"$(diff <(sed -e 's/^\([[:space:]]*\)#pools /\1/' "$IT_ROOT/nginx.conf.example" |
		grep -v -e 'places-fcgi/places\.sock;' -e 'places-fcgi/places-[0-9]*\.sock' |
		sed -e 's/127\.0\.0\.1:8080/X/') \
		<(grep -v -e '^ *server unix:' "$conf" | sed -e "s/127\.0\.0\.1:$NGINX_PORT/X/"))"

t "pools: requests go to both pools"
: >"$d/rr"
get_ids /api/places "pools-rr" 20 "$P_TOKEN" "$d/rr"
expect_all "$d/rr" "20 GETs" 200
n1=$(log_ids "$LOG1" "pools-rr-")
n2=$(log_ids "$LOG2" "pools-rr-")
figure "pool 1 served $n1, pool 2 $n2 of 20"
expect_ge "pool 1 served some" 1 "$n1"
expect_ge "pool 2 served some" 1 "$n2"
expect_eq "each request served once" 20 "$((n1 + n2))"

# ---------------------------------------------------------------------------
t "pools: pool 1 stopped under load"
mkdir -p "$d/wrk"
printf '%s\n' "$P_TOKEN" >"$d/wrk/tokens"
printf '%s\n' "$PLACE" >"$d/wrk/ids"
stop=$d/stop
timeout $((LOAD_SECS + 20)) wrk -t1 -c"$WRK_CONNS" -d"${LOAD_SECS}s" --timeout 5s \
	-s "$IT_ROOT/tests/bench/wrk.lua" "$BASE_URL" -- scenario=get \
	tokens="$d/wrk/tokens" ids="$d/wrk/ids" pairs="$d/wrk/ids" >"$d/wrk.out" 2>&1 &
WRK=$!
FT_BG+=("$WRK")
for ((c = 1; c <= CONNS; c++)); do
	ft_bg get_loop "$d/load.$c" "$P_TOKEN" "pools-load-$c" "$stop" 3000 $((LOAD_SECS + 10))
done
sleep 2
MW1=$(cat "$STATE_DIR/run/spawn-1.pid")
KIDS1=$(pgrep -P "$MW1" | xargs)
stop_at=$(now_us)
"$STACK" pool-stop "$STATE_DIR" 1 >"$d/pool-stop.out" 2>&1
stop_rc=$?
stopped_at=$(now_us)
sleep $((LOAD_SECS - 4))
touch "$stop"
ft_bg_wait $((LOAD_SECS + 20))
bg_rc=$?
expect_eq "tools/stack.sh pool-stop 1 succeeded" 0 "$stop_rc"
expect_eq "load generators ended on their own" 0 "$bg_rc"
# shellcheck disable=SC2086 # a list of PIDs
expect_eq "pool 1's multiwatch and workers are gone" "" "$(live_pids_of "$MW1" $KIDS1)"
"$STACK" status "$STATE_DIR" >"$d/status" 2>&1
expect_eq "status: pool 1 stopped, pool 2 running" "pool 1: stopped|pool 2: running" \
	"$(grep -o '^pool [12]: [a-z]*' "$d/status" | paste -sd '|')"

all=$d/all
cat "$d"/load.* >"$all"
total=$(wc -l <"$all")
after=$(count -v t="$stopped_at" "$all" '$2 > t')
figure "curl: $total requests, $after of them sent after pool-stop returned; statuses $(status_summary "$all")"
figure "pool-stop took $(ms $((stopped_at - stop_at))) ms; latency $(latency_summary "$all")"
expect_ge "curl loops sent requests" 50 "$total"
expect_ge "requests sent after the stop" 20 "$after"
expect_all "$all" "curl" 200
expect_eq "every 200 is the list" 0 "$(count "$all" '$7 != "ok"')"
bench=$(grep '^BENCH ' "$d/wrk.out" | sed 's/^BENCH //')
if [ -n "$bench" ]; then
	figure "wrk -c$WRK_CONNS: $(jq -r '"\(.requests) requests, \(.rps | floor) req/s, statuses \(.statuses), socket errors \(.socket_errors)"' <<<"$bench")"
	expect_ge "wrk sent requests" 100 "$(jq -r .requests <<<"$bench")"
	expect_eq "wrk: no status but 200, no socket error" 0 "$(jq -r .unexpected <<<"$bench")"
else
	fail "wrk reported" "$(tail -n 5 "$d/wrk.out")"
fi
late1=$(awk -v t="$stopped_at" '$2 > t { print $1 }' "$all" | while read -r rid; do
	log_has "$LOG1" "$rid " && echo "$rid"
done | wc -l)
expect_eq "none sent after the stop reached pool 1" 0 "$late1"
figure "nginx error log: $(grep -c 'places-1.sock' "$NGINX_ERROR_LOG") lines about pool 1's socket (failed connects, passed on)"

t "pools: a POST while pool 1 is down"
# nginx may try pool 1 first (once per fail_timeout): the connection is
# refused before anything is sent, so the POST goes on to pool 2.
for i in 1 2 3 4 5 6; do
	jreq "$P_TOKEN" POST /api/places "{\"name\":\"pools-post-$i\",\"location\":\"x\"}"
	expect_status 201
	sleep 1
done
expect_eq "six rows, each once" "6|6" \
	"$(sql "SELECT count(*), count(DISTINCT name) FROM places WHERE name LIKE 'pools-post-%';")"

t "pools: every pool down"
"$STACK" pool-stop "$STATE_DIR" 2 >"$d/pool-stop2.out" 2>&1
expect_eq "tools/stack.sh pool-stop 2 succeeded" 0 "$?"
areq "$P_TOKEN" GET /api/places
expect_error 503 "$BODY_503"
expect_header Retry-After '^5$'
jreq "$P_TOKEN" POST /api/places '{"name":"pools-nobody","location":"x"}'
expect_error 503 "$BODY_503"
expect_eq "no row" 0 "$(sql "SELECT count(*) FROM places WHERE name = 'pools-nobody';")"

t "pools: back from every pool down"
# nginx marked both pools failed: it answers 503 ("no live upstreams")
# until a fail_timeout (5 s) has passed, even for a pool that is back.
"$STACK" pool-start "$STATE_DIR" 2 >"$d/pool-start2.out" 2>&1
expect_eq "tools/stack.sh pool-start 2 succeeded" 0 "$?"
up_at=$(now_us)
: >"$d/recover"
for ((i = 0; i < 50; i++)); do
	get_ids /api/places "pools-recover-$i" 1 "$P_TOKEN" "$d/recover"
	[ "$(tail -n 1 "$d/recover" | cut -d ' ' -f 5)" = 200 ] && break
	sleep 0.2
done
recover_ms=$(ms $(($(now_us) - up_at)))
figure "first 200 $recover_ms ms after pool-start 2; statuses meanwhile $(status_summary "$d/recover")"
expect_le "a 200 again within fail_timeout (5 s) and a second" 6000 "$recover_ms"
expect_all "$d/recover" "meanwhile" "200|503"

# ---------------------------------------------------------------------------
t "pools: pool 1 started again"
wlog1=$(log_size "$LOG1")
"$STACK" pool-start "$STATE_DIR" 1 >"$d/pool-start.out" 2>&1
start_rc=$?
expect_eq "tools/stack.sh pool-start 1 succeeded" 0 "$start_rc"
"$STACK" status "$STATE_DIR" >"$d/status" 2>&1
expect_eq "status: both pools run" 2 "$(grep -c '^pool [12]: running' "$d/status")"
expect_eq "same address" "$ADDR1" "$(. "$STATE_DIR/stack.env"; echo "${POOL_ADDRS%% *}")"
# nginx tries it again once its fail_timeout (5 s) has passed.
: >"$d/back"
back_at=$(now_us)
served=0
for ((i = 0; i < 80 && served == 0; i++)); do
	get_ids /api/places "pools-back-$i" 1 "$P_TOKEN" "$d/back"
	tail -c +"$((wlog1 + 1))" "$LOG1" | grep -qF "pools-back-" && served=1
	sleep 0.2
done
figure "pool 1 served its first request $(ms $(($(now_us) - back_at))) ms after pool-start"
expect_eq "pool 1 serves requests again" 1 "$served"
expect_all "$d/back" "GETs meanwhile" 200
: >"$d/rr2"
get_ids /api/places "pools-rr2" 20 "$P_TOKEN" "$d/rr2"
n1=$(log_ids "$LOG1" "pools-rr2-")
n2=$(log_ids "$LOG2" "pools-rr2-")
figure "then pool 1 served $n1, pool 2 $n2 of 20"
expect_ge "pool 1 takes its share again" 5 "$n1"

t "pools: stop stops every pool"
PIDS=$(for f in "$STATE_DIR"/run/spawn-*.pid; do m=$(cat "$f"); echo "$m $(pgrep -P "$m" | xargs)"; done | xargs)
scale_stop
expect_eq "tools/stack.sh stop succeeded" 0 "$?"
# shellcheck disable=SC2086 # a list of PIDs
expect_eq "no multiwatch or worker left" "" "$(live_pids_of $PIDS)"

# ---------------------------------------------------------------------------
# Pools on loopback TCP ports, as pools on other hosts would listen.
if scale_start pools-tcp POOLS=2 POOL_TCP=1 WORKERS=1; then
	d=$FT_CASE_DIR
	read -r LOG1 LOG2 <<<"$WORKER_LOGS"
	read -r ADDR1 ADDR2 <<<"$POOL_ADDRS"
	new_user Q

	t "pools over TCP: the stack"
	if [[ $ADDR1 =~ ^127\.0\.0\.1:[0-9]+$ && $ADDR2 =~ ^127\.0\.0\.1:[0-9]+$ && $ADDR1 != "$ADDR2" ]]; then
		pass "two loopback ports: $POOL_ADDRS"
	else
		fail "two loopback ports" "$POOL_ADDRS"
	fi
	expect_eq "nginx's upstream names them" 2 \
		"$(grep -cE "^ *server ($ADDR1|$ADDR2) max_fails=1 fail_timeout=5s;" "$STATE_DIR/nginx/server.conf")"
	: >"$d/rr"
	get_ids /api/places "tcp-rr" 10 "$Q_TOKEN" "$d/rr"
	expect_all "$d/rr" "10 GETs" 200
	expect_ge "pool 1 served some" 1 "$(log_ids "$LOG1" "tcp-rr-")"
	expect_ge "pool 2 served some" 1 "$(log_ids "$LOG2" "tcp-rr-")"

	t "pools over TCP: only nginx's address is served"
	# libfcgi's FCGI_WEB_SERVER_ADDRS: a connection from another address
	# is closed at once.  curl's telnet:// sends no byte of its own, so the
	# worker sees a connection and nothing else.
	p1=$(pgrep -P "$(cat "$STATE_DIR/run/spawn-1.pid")" | head -n 1)
	expect_eq "the workers have FCGI_WEB_SERVER_ADDRS=127.0.0.1" 127.0.0.1 \
		"$(tr '\0' '\n' <"/proc/$p1/environ" | sed -n 's/^FCGI_WEB_SERVER_ADDRS=//p')"
	curl -s --max-time 2 --interface 127.0.0.2 "telnet://$ADDR1" </dev/null
	expect_eq "from 127.0.0.2: closed at once (curl exit 0, not 28)" 0 "$?"
	curl -s --max-time 1 "telnet://$ADDR1" </dev/null
	expect_eq "from 127.0.0.1: kept open (curl exit 28: timed out)" 28 "$?"

	t "pools over TCP: pool 2 stopped under load"
	stop=$d/stop
	ft_bg get_loop "$d/load" "$Q_TOKEN" "tcp-load" "$stop" 2000 20
	sleep 1
	"$STACK" pool-stop "$STATE_DIR" 2 >"$d/pool-stop.out" 2>&1
	expect_eq "tools/stack.sh pool-stop 2 succeeded" 0 "$?"
	sleep 2
	touch "$stop"
	ft_bg_wait 20
	figure "$(wc -l <"$d/load") requests; statuses $(status_summary "$d/load")"
	expect_ge "the loop sent requests" 20 "$(wc -l <"$d/load")"
	expect_all "$d/load" "curl" 200
	"$STACK" pool-start "$STATE_DIR" 2 >"$d/pool-start.out" 2>&1
	expect_eq "tools/stack.sh pool-start 2 succeeded, on its port" 0 "$?"
	expect_eq "pool 2 listens on its port again" 1 \
		"$(ss -Hltn "sport = :${ADDR2#127.0.0.1:}" | wc -l)"
	scale_stop
fi

scale_done
