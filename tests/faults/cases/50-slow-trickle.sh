# shellcheck shell=bash disable=SC2016 # awk programs are in single quotes
# Clients that trickle their bodies must not hold up other clients.
#
# WORKERS + 2 clients each send a 60,000-byte POST body (under the 64 KiB
# limit) in 60 pieces of 1,000 bytes, 0.17 s apart: about 6 KB/s, 10 s per
# body.  More trickling clients than workers: if a trickled body tied up a
# worker, every worker would be tied up and nothing else would be served.
# nginx reads the whole body first (fastcgi_request_buffering on), so the
# workers never wait for it.  Meanwhile 100 ordinary GETs run from two
# clients.
#
# Bounds, stated: every GET gets 200 in under 1 s (curl's time_total; it is a
# bound, not a benchmark); every trickled POST gets 201 and its row, after
# at least 9 s on the wire, and costs its worker under 0.5 s (the worker
# logs its own time per request).

TRICKLERS=$((WORKERS + 2))
SIZE=60000
PIECES=60
PAUSE=0.17
GETS=100
GET_CONNS=2
GET_RATE=10/s    # per client: 50 GETs in about 5 s, well inside the 10 s trickle
GET_MAX_MS=1000
WORKER_MAX_US=500000
MIN_WIRE_US=9000000

d=$FT_CASE_DIR
new_user S
prefix="fault-$FT_RUN-trickle"
wlog0=$(log_size "$WORKER_LOG")
hostport=${BASE_URL#http://}
host=${hostport%:*}
port=${hostport##*:}

for ((i = 1; i <= TRICKLERS; i++)); do
	ft_bg timeout 40 bash "$IT_ROOT/tests/faults/trickle.sh" "$host" "$port" "$S_TOKEN" \
		"$prefix-$i" "$SIZE" "$PIECES" "$PAUSE" "$d/trickle.$i"
done
# Let every trickler send its headers and first pieces.
sleep 1
for ((c = 1; c <= GET_CONNS; c++)); do
	ft_bg get_batch "$d/load.$c" "$S_TOKEN" "f$FT_RUN-trickleget-$c" "$((GETS / GET_CONNS))" "$GET_RATE"
done
ft_bg_wait 45
bg_rc=$?

t "slow trickle: set-up"
expect_eq "tricklers and GET loops ended on their own" 0 "$bg_rc"

all=$d/all
cat "$d"/load.* >"$all"
total=$(wc -l <"$all")
# Trickle results: name t0 tsent t1 status id
for ((i = 1; i <= TRICKLERS; i++)); do
	f=$d/trickle.$i
	if [ -s "$f" ]; then
		read -r a b c <"$f"
		st=$(sed -n 2p "$f" | awk '{ print $2 }')
		id=$(tr -d '\r' <"$f" | sed -nE 's/^\{"status":"Place created","id":"([0-9a-f-]{36})"\}$/\1/p')
		echo "$prefix-$i $a $b $c ${st:-000} ${id:--}"
	else
		echo "$prefix-$i 0 0 0 000 -"
	fi
done >"$d/tricklers"
first_sent=$(awk 'NR == 1 || $3 < m { m = $3 } END { print m }' "$d/tricklers")
last_get=$(awk 'NR == 1 || $3 > m { m = $3 } END { print m }' "$all")

t "slow trickle: other clients"
figure "$total GETs while $TRICKLERS clients trickled; statuses $(status_summary "$all"); curl time_total $(curl_time_summary "$all")"
expect_eq "$GETS GETs sent" "$GETS" "$total"
expect_eq "all of them 200 with a JSON array" "$GETS" "$(count "$all" '$4 == 0 && $5 == 200 && $7 == "ok"')"
slowest=$(awk 'BEGIN { m = 0 } { if ($6 > m) m = $6 } END { printf "%d", m * 1000 }' "$all")
expect_le "every GET under 1 s (slowest, ms)" "$GET_MAX_MS" "$slowest"
if [[ $first_sent =~ ^[0-9]+$ && $last_get =~ ^[0-9]+$ ]] && ((first_sent > 0)); then
	figure "last GET ended $(ms $((first_sent - last_get))) ms before the first trickler finished its body"
	expect_ge "every GET ended while all tricklers were still sending (ms of margin)" 0 "$(ms $((first_sent - last_get)))"
else
	fail "every GET ended while all tricklers were still sending" "no timings"
fi

t "slow trickle: the trickled POSTs"
while read -r name a b c st id; do
	figure "$name: body on the wire $(ms $((b - a))) ms, answered $(ms $((c - b))) ms later: $st $id"
done <"$d/tricklers"
expect_eq "all $TRICKLERS got 201 with an id" "$TRICKLERS" "$(awk '$5 == 201 && $6 != "-"' "$d/tricklers" | wc -l)"
expect_eq "every body took >= 9 s on the wire" "$TRICKLERS" \
	"$(awk -v m="$MIN_WIRE_US" '$3 - $2 >= m' "$d/tricklers" | wc -l)"
sql "SELECT name, id FROM places WHERE left(name, length(:'p')) = :'p' ORDER BY name;" \
	p="$prefix-" | tr '|' ' ' >"$d/rows"
expect_eq "the table holds exactly their rows (name, id)" "" \
	"$(diff <(sort "$d/rows") <(awk '$5 == 201 { print $1, $6 }' "$d/tricklers" | sort) | head -n 4 | tr '\n' ' ')"
worker_requests "$wlog0" >"$d/worker"
awk -v p="$prefix-" 'index($1, p) == 1' "$d/worker" >"$d/worker-trickle"
figure "worker time per trickled POST (us): $(awk '{ printf "%s ", $5 }' "$d/worker-trickle")"
expect_eq "the worker logged each once, 201" "$TRICKLERS" "$(awk '$4 == 201' "$d/worker-trickle" | wc -l)"
expect_eq "no worker spent 0.5 s or more on one (it never waited for the body)" 0 \
	"$(awk -v m="$WORKER_MAX_US" '$5 >= m' "$d/worker-trickle" | wc -l)"
