#!/usr/bin/env bash
# What nginx's shedding of requests without credentials (nginx.conf.example,
# "credential-less requests") buys; docs/PERFORMANCE.md and
# docs/RELIABILITY.md give the figures.
#
# Usage: tests/bench/shed.sh [SECONDS]   (make bench-shed; default 5 per
#                                         run, 1..60)
#
# Starts a private stack (tools/stack.sh, WORKERS workers) whose nginx runs
# nginx.conf.example as it is ("shed"), loads tests/bench/dataset.sql
# (10,000 places), and starts a second nginx ("worker") from the same
# generated configuration without the two "if ($places_no_credentials)"
# lines, so that every request goes to the workers, as before the
# shedding; it also answers the
# HTTP ceiling (location = /_places_ceiling { return 200 ...; }, as in
# tools/bench.sh).  Then, with wrk -t2 --latency and tests/bench/wrk.lua:
#
#   1. no token: the ceiling, then the "noauth" scenario (GET /api/places,
#      no credentials: 401) through each nginx, at 16 and 64 connections;
#   2. a flood: the "get" scenario (authenticated GET /api/places/<id>, 16
#      connections) alone, then while a second wrk sends "noauth" at
#      FLOOD_CONNS connections, through the shedding nginx and through the
#      other one: as fast as answered, and at FLOOD_RATE requests a second.
#      Both wrk runs start together and last as long.
#
# Prints both tables with the load average, writes
# results/bench-shed-<UTC time>.json, stops everything it started (by PID).
# A status other than the expected one is counted, not fatal: under a
# flood without shedding, GETs may time out (nginx: 503), which is what
# the table shows.
#
# Environment: WORKERS (default 4), FLOOD_CONNS (default 64), FLOOD_RATE
# (the fixed-rate flood's requests a second, default 5000), BENCH_KEEP=1
# (keep the temporary directory); PLACES_* reach the workers.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

secs=${1:-5}
if [[ ! $secs =~ ^[0-9]+$ ]] || ((secs < 1 || secs > 60)); then
	echo "usage: tests/bench/shed.sh [SECONDS]   (1..60, default 5)" >&2
	exit 2
fi
workers=${WORKERS:-4}
flood_conns=${FLOOD_CONNS:-64}
flood_rate=${FLOOD_RATE:-5000}
warmup=2
slack=30

name=bench-shed
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

[[ $flood_rate =~ ^[1-9][0-9]*$ && $flood_conns =~ ^[1-9][0-9]*$ ]] || die "FLOOD_RATE and FLOOD_CONNS: positive integers"

need wrk psql nginx jq curl ss

dir=$(mktemp -d /tmp/places-shed.XXXXXX)
chmod 755 "$dir"
stack_dir=$dir/stack
plain_dir=$dir/plain
data_dir=$dir/data
mkdir -p "$data_dir"

cleanup() {
	local rc=$?
	stop_second
	stop_stack
	if [[ ${BENCH_KEEP:-0} == 1 ]]; then say "kept $dir"; else rm -rf -- "$dir"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_stack

# 10,000 places: what is measured here is nginx, not the data set.
psql -X -q -v ON_ERROR_STOP=1 -v scale=10000 -f "$here/dataset.sql" >/dev/null ||
	die "loading dataset.sql failed"
psql -X -q -At -c 'SELECT token FROM bench_keys ORDER BY n' >"$data_dir/tokens"
psql -X -q -At -c 'SELECT id FROM places ORDER BY id' >"$data_dir/ids"

# The second nginx: the stack's configuration without the shedding, so
# that every request goes to the workers (the same workers: the worker's
# socket stays the stack's).
# shellcheck disable=SC2016 # nginx's variable, as written in its config
shed_line='if ($places_no_credentials) { return 401; }'
[[ $(grep -cF "$shed_line" "$STATE_DIR/nginx/server.conf") == 2 ]] ||
	die "nginx.conf.example no longer has its two 'if (\$places_no_credentials)' lines"
second_nginx "$plain_dir" -e "\\|$shed_line|d"
! grep -qF "$shed_line" "$plain_dir/nginx/server.conf" ||
	die "the second nginx still sheds"
plain_url=$second_url
shed_url=$BASE_URL
# The two nginx differ in who answers a request without credentials.
probe=shed-probe-$$
for u in "$shed_url:a" "$plain_url:b"; do
	[[ $(curl -s -o /dev/null -w '%{http_code}' -H "X-Request-Id: $probe-${u##*:}" "${u%:*}/api/places") == 401 ]] ||
		die "${u%:*}: no 401 for a request without credentials"
done
if grep -qF "\"$probe-a\"" "$WORKER_LOG" || ! grep -qF "\"$probe-b\"" "$WORKER_LOG"; then
	die "the shedding nginx passed a request without credentials on, or the other did not"
fi

# run_wrk URL SCENARIO CONNS SECONDS [KEY=VALUE...]: one wrk run (the
# extra arguments go to wrk.lua); prints its BENCH JSON.
run_wrk() {
	local out
	out=$(timeout $(($4 + slack)) wrk -t2 -c"$3" -d"$4s" --timeout 5s --latency \
		-s "$here/wrk.lua" "$1" -- scenario="$2" \
		tokens="$data_dir/tokens" ids="$data_dir/ids" pairs=/dev/null "${@:5}" 2>&1) || {
		echo "$out" >&2
		die "wrk failed for $2 at $3 connections"
	}
	grep '^BENCH ' <<<"$out" | sed 's/^BENCH //' | jq -c . || die "no result from wrk: $out"
}

results=$dir/results.jsonl
: >"$results"
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
t_start=$SECONDS
add() { jq -c "$1" <<<"$2" >>"$results"; }

run_wrk "$shed_url" get 16 "$warmup" >/dev/null
for conns in 16 64; do
	say "no token, $conns connections"
	run_wrk "$plain_url" ceiling "$conns" "$warmup" >/dev/null
	add "{table: \"noauth\", row: \"ceiling\", conns: $conns} + ." "$(run_wrk "$plain_url" ceiling "$conns" "$secs")"
	add "{table: \"noauth\", row: \"shed\", conns: $conns} + ." "$(run_wrk "$shed_url" noauth "$conns" "$secs")"
	add "{table: \"noauth\", row: \"worker\", conns: $conns} + ." "$(run_wrk "$plain_url" noauth "$conns" "$secs")"
done

say "flood: authenticated GETs alone"
add '{table: "flood", row: "alone", load: "get"} + .' "$(run_wrk "$shed_url" get 16 "$secs")"
# Two floods: as fast as nginx answers (wrk's closed loop: shed, it
# answers faster, so the flood takes more of the CPU), and a fixed rate
# (delay between the requests of each connection), the same offered load
# either way.
delay=$(((flood_conns * 1000 + flood_rate / 2) / flood_rate))
for rate in max fixed; do
	for row in shed worker; do
		url=$shed_url
		[[ $row == worker ]] && url=$plain_url
		say "flood: GETs and $flood_conns connections of no-token requests, $rate rate ($row)"
		extra=()
		[[ $rate == fixed ]] && extra=(delay="$delay")
		run_wrk "$url" noauth "$flood_conns" "$secs" "${extra[@]}" >"$dir/flood.json" &
		fpid=$!
		g=$(run_wrk "$url" get 16 "$secs")
		wait "$fpid" || die "the flood's wrk failed"
		add "{table: \"flood\", row: \"$row\", rate: \"$rate\", load: \"get\"} + ." "$g"
		add "{table: \"flood\", row: \"$row\", rate: \"$rate\", load: \"noauth\"} + ." "$(cat "$dir/flood.json")"
	done
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$repo/results"
json=$repo/results/bench-shed-$stamp.json
jq -s --arg stamp "$stamp" --argjson secs "$secs" --argjson workers "$workers" \
	--argjson flood "$flood_conns" --argjson flood_rate "$flood_rate" --argjson nproc "$(nproc)" \
	--arg commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	--arg load_before "$load_before" --arg load_after "$load_after" \
	--argjson elapsed "$((SECONDS - t_start))" \
	'{when: $stamp, commit: $commit, seconds_per_run: $secs, workers: $workers,
	  flood_conns: $flood, flood_rate: $flood_rate, nproc: $nproc, loadavg_before: $load_before,
	  loadavg_after: $load_after, elapsed_s: $elapsed, runs: .}' "$results" >"$json"

jq -r '
	def f(x; d): if x == null then "-" else (x * pow(10; d) | round / pow(10; d) | tostring) end;
	.runs as $r |
	(["conns", "ceiling req/s", "shed req/s", "/ ceiling", "p99 ms", "worker req/s", "/ ceiling", "p99 ms", "not 401"] | @tsv),
	($r | map(select(.table == "noauth")) | group_by(.conns)[] |
		(map(select(.row == "ceiling"))[0]) as $c |
		(map(select(.row == "shed"))[0]) as $s |
		(map(select(.row == "worker"))[0]) as $w |
		[$c.conns, f($c.rps; 0), f($s.rps; 0), f($s.rps / $c.rps; 2), f($s.p99_ms; 2),
		 f($w.rps; 0), f($w.rps / $c.rps; 2), f($w.p99_ms; 2), $s.unexpected + $w.unexpected] | @tsv)
	' "$json" | column -t -s $'\t'
echo
jq -r '
	def f(x; d): if x == null then "-" else (x * pow(10; d) | round / pow(10; d) | tostring) end;
	.runs as $r |
	(["GETs (16 conns)", "get req/s", "p50 ms", "p99 ms", "not 200", "flood req/s", "not 401"] | @tsv),
	($r | map(select(.table == "flood")) | group_by([.rate, .row]) |
		sort_by({alone: 0, shed: 1, worker: 2}[.[0].row] + {max: 0, fixed: 10}[.[0].rate // "max"])[] |
		(map(select(.load == "get"))[0]) as $g |
		(map(select(.load == "noauth"))[0]) as $n |
		[({alone: "alone", shed: "+ flood, shed", worker: "+ flood, to the workers"}[$g.row] +
		  (if $g.rate == "fixed" then " (fixed rate)" elif $g.rate == "max" then " (max rate)" else "" end)),
		 f($g.rps; 0), f($g.p50_ms; 2), f($g.p99_ms; 2), $g.unexpected,
		 (if $n then f($n.rps; 0) else "-" end), (if $n then $n.unexpected else "-" end)] | @tsv)
	' "$json" | column -t -s $'\t'
echo "$workers workers, ${secs} s per run, flood $flood_conns connections (fixed rate: $delay ms between a connection's requests, ~$flood_rate/s); $(nproc) cores; load average $load_before before, $load_after after"
echo "results: results/$(basename "$json")"
