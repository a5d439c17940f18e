# shellcheck shell=bash disable=SC2016 # awk programs are in single quotes
# PostgreSQL restarted (pg-stop, 0.5 s down, pg-start) in the middle of a
# stream of 300 POSTs over 8 connections.
#
# The worker makes each place's uuid itself and re-sends the INSERT (ON
# CONFLICT DO NOTHING) once after a lost connection, so 201 <=> the row
# exists.  Counted: every POST's status and returned id against the table:
# each 201 has its row (same id, same name), each error has none, and the
# number of rows with this run's prefix equals the client's count of 201s.

POSTS=300
CONNS=8
PAUSE=0.05       # seconds between two POSTs of one connection
TRIGGER=90       # restart once this many POSTs have been answered
GATE_TAIL=5      # the last 5 POSTs of each connection wait for the restart
RECOVER_US=2000000

d=$FT_CASE_DIR
new_user P
prefix="fault-$FT_RUN-pgpost"
wlog0=$(log_size "$WORKER_LOG")

export POST_GATE=$d/restarted POST_GATE_TAIL=$GATE_TAIL
files=()
for ((c = 1; c <= CONNS; c++)); do
	files+=("$d/load.$c")
	ft_bg post_loop "$d/load.$c" "$P_TOKEN" "$prefix" "$c" "$CONNS" "$POSTS" "$PAUSE" 60
done

t "pg restart during POSTs: set-up"
wait_lines "${files[@]}" -- "$TRIGGER" 20
expect_eq "$TRIGGER POSTs answered before the restart" 0 "$?"
stop_begin=$(now_us)
"$STACK" pg-stop "$STATE_DIR" >"$d/pg-stop.out" 2>&1
stop_rc=$?
stop_done=$(now_us)
sleep 0.5
"$STACK" pg-start "$STATE_DIR" >"$d/pg-start.out" 2>&1
start_rc=$?
start_done=$(now_us)
touch "$POST_GATE"
ft_bg_wait 60
bg_rc=$?
expect_eq "tools/stack.sh pg-stop succeeded" 0 "$stop_rc"
expect_eq "tools/stack.sh pg-start succeeded" 0 "$start_rc"
expect_eq "POST loops ended on their own" 0 "$bg_rc"

all=$d/all
cat "$d"/load.* >"$all"
total=$(wc -l <"$all")
n201=$(count "$all" '$5 == 201')
n503=$(count "$all" '$5 == 503')
# In flight while pg-stop ran (the server went down somewhere in there).
inflight=$(count -v a="$stop_begin" -v b="$stop_done" "$all" '$2 < b && $3 > a')

t "pg restart during POSTs: statuses"
figure "$total POSTs over $CONNS connections; statuses $(status_summary "$all")"
figure "pg-stop took $(ms $((stop_done - stop_begin))) ms, database down $(ms $((start_done - stop_begin))) ms in all; $inflight POSTs in flight while pg-stop ran: $(awk -v a="$stop_begin" -v b="$stop_done" '$2 < b && $3 > a { print $5 }' "$all" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
tail -c +"$((wlog0 + 1))" "$WORKER_LOG" >"$d/worker.log"
figure "worker log: $(grep -c ': connection lost: ' "$d/worker.log") statements sent on a lost connection ($(grep -c 'insert: connection lost: ' "$d/worker.log") of them INSERTs, re-sent once), $(grep -c 'connection lost; reconnecting' "$d/worker.log") dead connections noticed before sending"
figure "latency $(latency_summary "$all")"
figure "worker log: $(worker_raw_lines "$wlog0") lines not in the worker's log format (libpq's own messages on stderr)"
expect_eq "every POST was sent and answered" "$POSTS" "$total"
expect_eq "every POST got a whole response (curl exit 0)" 0 "$(count "$all" '$4 != 0')"
expect_eq "no status other than 201 and 503" 0 "$(count "$all" '$5 != 201 && $5 != 503')"
expect_eq "every 201 body is {status, id} with a uuid" 0 "$(count "$all" '$5 == 201 && ($7 != "ok" || $8 == "-")')"
expect_eq "every 503 body is $BODY_503" 0 "$(count "$all" '$5 == 503 && $7 != "ok"')"
expect_ge "the restart caused 503s" 1 "$n503"
expect_ge "201s before the restart" 1 "$(count -v s="$stop_begin" "$all" '$3 < s && $5 == 201')"
expect_ge "201s after the restart (at least the $((GATE_TAIL * CONNS)) held back for it)" "$((GATE_TAIL * CONNS))" "$(count -v s="$start_done" "$all" '$2 > s && $5 == 201')"
expect_eq "every POST sent from 2 s after pg-start got 201" 0 \
	"$(count -v s="$((start_done + RECOVER_US))" "$all" '$2 > s && $5 != 201')"
first201=$(awk -v a="$start_done" '$2 >= a && $5 == 201 && (m == "" || $3 < m) { m = $3 } END { print m }' "$all")
if [ -n "$first201" ]; then
	figure "first 201 after pg-start returned: $(ms $((first201 - start_done))) ms"
	expect_le "201 again within 2 s of pg-start (ms)" "$((RECOVER_US / 1000))" "$(ms $((first201 - start_done)))"
fi

t "pg restart during POSTs: client and table agree"
sql "SELECT name, id, author_id FROM places WHERE left(name, length(:'p')) = :'p' ORDER BY name;" \
	p="$prefix-" | tr '|' ' ' >"$d/rows"
rows=$(wc -l <"$d/rows")
figure "client: $n201 x 201, $n503 x 503; table: $rows rows"
expect_eq "rows with the run's prefix == client's 201s" "$n201" "$rows"
expect_eq "distinct names in the table == rows (no POST stored twice)" "$rows" "$(awk '{ print $1 }' "$d/rows" | sort -u | wc -l)"
# name -> id, from the client's 201s and from the table.
awk '$5 == 201 { print $1, $8 }' "$all" | sort >"$d/client201"
awk '{ print $1, $2 }' "$d/rows" | sort >"$d/table"
expect_eq "every 201 has its row with the same id and name" "$n201" "$(comm -12 "$d/client201" "$d/table" | wc -l)"
expect_eq "no row for a POST that got an error" 0 \
	"$(awk 'NR == FNR { r[$1] = 1; next } $5 != 201 && ($1 in r)' "$d/rows" "$all" | wc -l)"
expect_eq "no row the client does not know of" 0 "$(comm -13 "$d/client201" "$d/table" | wc -l)"
expect_eq "every row's author is the poster" 0 "$(awk -v u="$P_ID" '$3 != u' "$d/rows" | wc -l)"

t "pg restart during POSTs: the worker answered every POST"
worker_requests "$wlog0" >"$d/worker"
expect_eq "every response has the worker's log line with the same status" 0 \
	"$(awk 'NR == FNR { w[$1] = $4; next } !($1 in w) || w[$1] != $5' "$d/worker" "$all" | wc -l)"
