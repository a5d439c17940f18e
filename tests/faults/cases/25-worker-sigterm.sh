# shellcheck shell=bash disable=SC2016 # awk programs are in single quotes
# A rolling stop under GET load: every worker in turn gets SIGTERM, where
# possible while it serves a request (worker_busy), 1.5 s apart.  A worker
# that is serving finishes the request, response and all, then exits 0; an
# idle one exits at once (cgi/places.c, run_fastcgi()).  multiwatch starts
# a replacement each time.
#
# The bound on failures, stated: at most 1 failed request per signal, and
# in practice none.  A stopping worker never drops the request it is
# serving; the one connection a signal can drop is one the worker has just
# accepted and whose FastCGI parameters it is still reading (the window in
# run_fastcgi(), microseconds wide), which nginx answers 502 -> 503.  The
# figures give the count.  (20-worker-sigkill.sh is the same load with
# SIGKILL, where the request in flight is lost.)

CONNS=8
MAX_PER_CONN=2000
SIGNALS=$WORKERS
FAIL_MAX=$SIGNALS

d=$FT_CASE_DIR
busy_workers S term 40

t "worker SIGTERM: set-up"
expect_eq "$WORKERS workers before" "$WORKERS" "${#ORIG[@]}"

aimed=0
replaced=0
sleep 1.5
for ((k = 0; k < SIGNALS; k++)); do
	v=${ORIG[k]}
	lim=$((${EPOCHREALTIME/./} + 2000000))
	while ((${EPOCHREALTIME/./} < lim)); do
		if worker_busy "$v"; then
			aimed=$((aimed + 1))
			break
		fi
	done
	kill -TERM "$v"
	lim=$((${EPOCHREALTIME/./} + 5000000))
	while ((${EPOCHREALTIME/./} < lim)); do
		read -r -a now_pids <<<"$(worker_pids)"
		if ((${#now_pids[@]} == WORKERS)) && [[ " ${now_pids[*]} " != *" $v "* ]]; then
			replaced=$((replaced + 1))
			break
		fi
		sleep 0.02
	done
	sleep 1.5
done
touch "$stop"
ft_bg_wait 20
expect_eq "load generators ended on their own" 0 "$?"

all=$d/all
cat "$d"/load.* >"$all"
total=$(wc -l <"$all")
read -r -a AFTER <<<"$(worker_pids)"
worker_requests "$wlog0" >"$d/worker"
tail -c +"$((wlog0 + 1))" "$WORKER_LOG" >"$d/worker.log"

t "worker SIGTERM: supervisor"
stopped_busy=$(jq -R 'fromjson? | select(.msg == "stopping on SIGUSR1 after the request in flight"
	or .msg == "stopping on SIGTERM after the request in flight")' "$d/worker.log" | jq -s length)
figure "signalled ${ORIG[*]} ($aimed of $SIGNALS seen serving a request just before; $stopped_busy logged stopping after their request, the others were idle); workers now ${AFTER[*]}"
expect_eq "each stopped worker was replaced within 5 s" "$SIGNALS" "$replaced"
expect_eq "multiwatch is the same process" "$MW" "$(cat "$STATE_DIR/run/spawn.pid")"
expect_eq "$WORKERS workers at the end" "$WORKERS" "${#AFTER[@]}"
expect_eq "none of them an original" "" \
	"$(comm -12 <(printf '%s\n' "${ORIG[@]}" | sort) <(printf '%s\n' "${AFTER[@]}" | sort) | xargs)"

t "worker SIGTERM: requests"
failed=$(count "$all" '$4 != 0 || $5 != 200')
figure "$total requests over $CONNS connections; statuses $(status_summary "$all"); failed $failed (bound $FAIL_MAX)"
figure "latency $(latency_summary "$all")"
awk '$4 != 0 || $5 != 200' "$all" | while read -r line; do figure "failed: $line"; done
expect_ge "the load sent requests" 50 "$total"
expect_le "failed requests <= one per signal" "$FAIL_MAX" "$failed"
expect_eq "no response cut off (curl: whole responses only)" 0 "$(count "$all" '$4 != 0')"
expect_eq "every other response is a 200 with a JSON array" "$((total - failed))" \
	"$(count "$all" '$4 == 0 && $5 == 200 && $7 == "ok"')"
# Every 200 a client got has the worker's access line with the same status.
expect_eq "every 200 has its access line" 0 \
	"$(awk 'NR == FNR { s[$1] = $4; next } $5 == 200 && s[$1] != 200 { n++ } END { print n + 0 }' "$d/worker" "$all")"
expect_le "nginx upstream errors <= signals" "$SIGNALS" "$(nginx_upstream_errors "$elog0")"

t "worker SIGTERM: replacements serve"
for p in "${AFTER[@]}"; do
	expect_ge "worker $p answered requests with 200" 1 "$(awk -v p="$p" '$2 == p && $4 == 200' "$d/worker" | wc -l)"
done
