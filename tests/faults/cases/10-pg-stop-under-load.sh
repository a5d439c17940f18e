# shellcheck shell=bash disable=SC2016 # awk programs are in single quotes
# PostgreSQL stopped while a load of authenticated GETs runs, started again
# 3 s later; the load goes on for 4 s after that.
#
# Counts: every request's status, body and duration; which of them fell
# while the database was down; how long after pg-start the first 200 came;
# which worker answered each one (the worker logs our X-Request-Id).
#
# Bounds, stated:
#   - no request takes longer than 5 s (LIMIT_US): the worker's
#     connect_timeout is 3 s and its statement_timeout 5 s, and a stopped
#     server refuses connections at once; nginx's fastcgi_read_timeout (10 s)
#     must never be what ends a request;
#   - 200 again within 2 s (RECOVER_US) of pg-start returning;
#   - from 2 s after pg-start returned, every request is a 200.

CONNS=4          # concurrent clients (as many as workers)
MAX_PER_CONN=3000
LIMIT_US=5000000
RECOVER_US=2000000

d=$FT_CASE_DIR
new_user A
PIDS_BEFORE=$(worker_pids)
wlog0=$(log_size "$WORKER_LOG")
elog0=$(log_size "$NGINX_ERROR_LOG")

t "pg-stop under load: set-up"
expect_eq "$WORKERS workers before" "$WORKERS" "$(wc -w <<<"$PIDS_BEFORE")"

stop=$d/stop
for ((c = 1; c <= CONNS; c++)); do
	ft_bg get_loop "$d/load.$c" "$A_TOKEN" "f$FT_RUN-pgstop-$c" "$stop" "$MAX_PER_CONN" 30
done

sleep 2
stop_begin=$(now_us)
"$STACK" pg-stop "$STATE_DIR" >"$d/pg-stop.out" 2>&1
stop_rc=$?
stop_done=$(now_us)
sleep 3
start_begin=$(now_us)
"$STACK" pg-start "$STATE_DIR" >"$d/pg-start.out" 2>&1
start_rc=$?
start_done=$(now_us)
sleep 4
touch "$stop"
ft_bg_wait 20
bg_rc=$?

expect_eq "tools/stack.sh pg-stop succeeded" 0 "$stop_rc"
expect_eq "tools/stack.sh pg-start succeeded" 0 "$start_rc"
expect_eq "load generators ended on their own" 0 "$bg_rc"

all=$d/all
cat "$d"/load.* >"$all"
total=$(wc -l <"$all")

t "pg-stop under load: statuses"
figure "$total requests over $CONNS connections; statuses $(status_summary "$all")"
figure "pg-stop took $(ms $((stop_done - stop_begin))) ms, database down $(ms $((start_done - stop_begin))) ms (pg-start took $(ms $((start_done - start_begin))) ms)"
figure "latency $(latency_summary "$all")"
figure "worker log: $(worker_raw_lines "$wlog0") lines not in the worker's log format (libpq's own messages on stderr)"
expect_ge "the load sent requests" 50 "$total"
expect_eq "every request got a whole response (curl exit 0)" 0 "$(count "$all" '$4 != 0')"
expect_eq "no status other than 200 and 503" 0 "$(count "$all" '$5 != 200 && $5 != 503')"
expect_eq "no 500, 502 or 504" 0 "$(count "$all" '$5 == 500 || $5 == 502 || $5 == 504')"
expect_eq "every 503 body is $BODY_503" 0 "$(count "$all" '$5 == 503 && $7 != "ok"')"
expect_eq "every 200 body is a JSON array" 0 "$(count "$all" '$5 == 200 && $7 != "ok"')"
slowest=$(awk 'BEGIN { m = 0 } { if ($3 - $2 > m) m = $3 - $2 } END { print m }' "$all")
figure "slowest request $(ms "$slowest") ms"
expect_le "no request took longer than 5 s (ms)" "$((LIMIT_US / 1000))" "$(ms "$slowest")"

t "pg-stop under load: before the stop"
before=$(count -v b="$stop_begin" "$all" '$3 < b')
figure "$before requests ended before pg-stop began"
expect_ge "requests before pg-stop" 10 "$before"
expect_eq "all of them 200" 0 "$(count -v b="$stop_begin" "$all" '$3 < b && $5 != 200')"

t "pg-stop under load: while down"
# Started after pg-stop returned and ended before pg-start began.
down=$(count -v a="$stop_done" -v b="$start_begin" "$all" '$2 >= a && $3 <= b')
down503=$(count -v a="$stop_done" -v b="$start_begin" "$all" '$2 >= a && $3 <= b && $5 == 503')
figure "$down requests entirely while the database was down, $down503 of them 503"
expect_ge "at least one 503 while down" 1 "$down503"
expect_eq "only 503 while down" "$down" "$down503"

t "pg-stop under load: after the restart"
first200=$(awk -v a="$start_done" '$2 >= a && $5 == 200 && (m == "" || $3 < m) { m = $3 } END { print m }' "$all")
if [ -n "$first200" ]; then
	recover=$((first200 - start_done))
	figure "first 200 after pg-start returned: $(ms "$recover") ms"
	expect_le "200 again within 2 s of pg-start (ms)" "$((RECOVER_US / 1000))" "$(ms "$recover")"
else
	fail "200 again within 2 s of pg-start (ms)" "no 200 after pg-start"
fi
late=$(count -v a="$((start_done + RECOVER_US))" "$all" '$2 >= a')
expect_ge "requests sent from 2 s after pg-start" 10 "$late"
expect_eq "all of them 200" 0 "$(count -v a="$((start_done + RECOVER_US))" "$all" '$2 >= a && $5 != 200')"

t "pg-stop under load: the worker answered every request"
# nginx turns its own 502/504 into the same 503 body: the worker's log line
# for each request id tells them apart.
worker_requests "$wlog0" >"$d/worker"
awk 'NR == FNR { w[$1] = $4; next } { print $1, $5, ($1 in w) ? w[$1] : "none" }' \
	"$d/worker" "$all" >"$d/joined"
expect_eq "every response has the worker's log line with the same status" 0 \
	"$(awk '$2 != $3' "$d/joined" | wc -l)"
expect_eq "nginx logged no upstream error" 0 "$(nginx_upstream_errors "$elog0")"

t "pg-stop under load: same worker processes"
expect_eq "worker PIDs after = before" "$PIDS_BEFORE" "$(worker_pids)"
served_by=$(awk 'NR == FNR { r[$1] = 1; next } ($1 in r) { print $2 }' "$all" "$d/worker" | sort -un | tr '\n' ' ')
expect_eq "every request was served by one of the original workers" "" \
	"$(comm -13 <(tr ' ' '\n' <<<"$PIDS_BEFORE" | grep . | sort) <(tr ' ' '\n' <<<"$served_by" | grep . | sort) | tr '\n' ' ')"
