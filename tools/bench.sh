#!/usr/bin/env bash
# Load benchmark of the whole stack (nginx -> places.fcgi -> PostgreSQL) on
# loopback, with its ceilings; docs/PERFORMANCE.md explains the method.
#
# Usage: tools/bench.sh [SECONDS]     (default 10 per run; 1..120)
#
# For each data scale (BENCH_SCALES places: 10,000 and 1,000,000 by
# default, with as many expired sessions), starts a private stack
# (tools/stack.sh) in a temporary directory with WORKERS workers, loads
# tests/bench/dataset.sql at that scale, then for each connection count
# (16 and 64; wrk -t2 --latency) runs:
#   - the HTTP ceiling: a second nginx, with the stack's generated
#     configuration plus `location = /_places_ceiling { return 200 ...; }`;
#   - each scenario (tests/bench/wrk.lua): noauth and badtoken (401), list
#     (page 1), cursor (page 1,000 of 20, by its cursor; at a scale with
#     fewer pages, the last full one), get, create, patch; each after a
#     2 s warm-up;
#   - the database ceiling of each scenario that reaches the database:
#     pgbench -M prepared -f tests/bench/pgbench-<scenario>.sql, the
#     worker's own SQL, on the same database and unix socket.
# and stops the stack.  Prints a table per scale, then every scenario side
# by side at each scale with its pgbench ceiling at that scale, the change
# from the first scale to the last, and the cursor scenario against the
# list; writes results/bench-<UTC time>.json, and stops all it started,
# by PID.  Exit status 1 when the run is INVALID: a scenario saw a
# status other than its expected one (or a socket error), pgbench saw a
# failed transaction, or a worker died.
#
# Environment:
#   WORKERS          worker processes (default 4: see docs/PERFORMANCE.md)
#   WORKER           worker binary (default cgi/places.fcgi; build it -O2)
#   BENCH_CONNS      connection counts (default "16 64")
#   BENCH_SCENARIOS  scenarios (default "noauth badtoken list cursor get
#                    create patch")
#   BENCH_SCALES     places per data set, one run each (default "10000
#                    1000000"; multiples of 10, at least 1000)
#   BENCH_KEEP=1     keep the temporary directory (logs); the stack is
#                    stopped all the same
#   PLACES_LOG_LEVEL and other PLACES_* reach the workers (tools/stack.sh);
#   the default log level is info, one line per request, as deployed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
bench=$repo/tests/bench

secs=${1:-10}
if [[ ! $secs =~ ^[0-9]+$ ]] || ((secs < 1 || secs > 120)); then
	echo "usage: tools/bench.sh [SECONDS]   (1..120, default 10)" >&2
	exit 2
fi
workers=${WORKERS:-4}
conns_list=${BENCH_CONNS:-16 64}
scenarios=${BENCH_SCENARIOS:-noauth badtoken list cursor get create patch}
scales=${BENCH_SCALES:-10000 1000000}
for scale in $scales; do
	[[ $scale =~ ^[0-9]+$ ]] && ((scale >= 1000 && scale % 10 == 0)) || {
		echo "bench: BENCH_SCALES: $scale is not a multiple of 10 >= 1000" >&2
		exit 2
	}
done
max_age=${PLACES_SESSION_MAX_AGE:-2592000}
update_age=${PLACES_SESSION_UPDATE_AGE:-86400}
warmup=2
# Every wrk and pgbench run is bounded: its own duration plus this.
slack=30

name=bench
# shellcheck source=tests/bench/lib.sh
. "$bench/lib.sh"

# sql_join FILE: FILE with each "-- @include NAME" line replaced by
# tests/bench/NAME, itself joined (pgbench has no include, and the session
# check is the same in every script).
sql_join() {
	local line
	while IFS= read -r line; do
		if [[ $line =~ ^--\ @include\ ([a-z0-9.-]+)$ ]]; then
			sql_join "$bench/${BASH_REMATCH[1]}"
		else
			printf '%s\n' "$line"
		fi
	done <"$1"
}

# pgbench_script SCENARIO: tests/bench/pgbench-SCENARIO.sql joined, under
# $pgb_dir; prints its path.
pgbench_script() {
	local out=$pgb_dir/pgbench-$1.sql
	[[ -f $out ]] || sql_join "$bench/pgbench-$1.sql" >"$out"
	printf '%s\n' "$out"
}

need wrk pgbench psql nginx jq perl curl ss

# ---------------------------------------------------------------------------
# Set-up and tear-down

# Short and free of odd characters: tools/stack.sh pastes it into configs
# and unix socket paths.
dir=$(mktemp -d /tmp/places-bench.XXXXXX)
chmod 755 "$dir"
data_dir=$dir/data
pgb_dir=$dir/pgbench
mkdir -p "$data_dir" "$pgb_dir"

# What the scenarios send must match what the worker would send: the
# statement table as the worker builds it (lib/stmt.c, print-sql).
"$repo/build/tests/print-sql" >"$pgb_dir/worker.sql" ||
	die "build/tests/print-sql failed (make bench builds it)"
# Its SETTINGS line ("SET a = b; SET c = d", lib/stmt.c's stmt_settings)
# as PGOPTIONS ("-c a=b -c c=d").
worker_options=$(sed -n 's/^SETTINGS\t//p' "$pgb_dir/worker.sql" |
	sed -E 's/SET ([a-z_]+) = ([^;]+)(; )?/-c \1=\2 /g; s/ $//')
[[ $worker_options == -c\ * ]] ||
	die "print-sql gave no SETTINGS line (lib/stmt.c's stmt_settings)"
for s in "$bench"/pgbench-*.sql; do
	s=${s##*/pgbench-}
	pgbench_script "${s%.sql}" >/dev/null
done
perl "$bench/check-sql.pl" "$pgb_dir/worker.sql" "$pgb_dir"/pgbench-*.sql ||
	die "tests/bench/*.sql no longer match lib/stmt.c"
cleanup() {
	local rc=$?
	stop_second
	stop_stack
	if [[ ${BENCH_KEEP:-0} == 1 ]]; then
		say "kept $dir"
	else
		rm -rf -- "$dir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

load_data() {
	local t0=$SECONDS off
	psql_q -v scale="$1" -f "$bench/dataset.sql" >/dev/null ||
		die "loading tests/bench/dataset.sql at $1 failed"
	psql_q -At -c 'SELECT token FROM bench_keys ORDER BY n' >"$data_dir/tokens"
	psql_q -At -c 'SELECT id FROM places ORDER BY id' >"$data_dir/ids"
	psql_q -At -F ' ' -c 'SELECT token, place_id, user_id FROM bench_keys ORDER BY n' \
		>"$data_dir/pairs"
	keys=$(wc -l <"$data_dir/tokens")
	# Page 1,000 of 20 starts below row 19,980: its cursor (lib/cursor.h:
	# version 1, createdAt in microseconds, the id; base64url), and the
	# same position as the statement's parameters, for pgbench.
	off=$((19979 < $1 - 41 ? 19979 : $1 - 41))
	deep_page=$(((off + 1) / 20 + 1))
	IFS='|' read -r deep_cursor deep_time deep_id <<<"$(psql_q -At -F '|' -c "
		SELECT rtrim(translate(encode('\\x01'::bytea ||
		    int8send((extract(epoch FROM created_at) * 1000000)::bigint) ||
		    uuid_send(id), 'base64'), '+/', '-_'), '='),
		    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00'), id
		FROM places ORDER BY created_at DESC, id DESC OFFSET $off LIMIT 1")"
	[[ ${#deep_cursor} == 34 ]] || die "no cursor for page $deep_page: '$deep_cursor'"
	say "data set: $(psql_q -At -c "SELECT (SELECT count(*) FROM users) || ' users, ' ||
		(SELECT count(*) FROM places) || ' places, ' ||
		(SELECT count(*) FROM sessions WHERE expires > now()) || ' live and ' ||
		(SELECT count(*) FROM sessions WHERE expires <= now()) || ' expired sessions'") ($((SECONDS - t0)) s); cursor scenario: page $deep_page"
}

# ---------------------------------------------------------------------------
# Measurements

# worker_pids: the workers under the stack's multiwatch.
worker_pids() {
	local mw
	mw=$(head -n 1 "$STATE_DIR/run/spawn.pid" 2>/dev/null) || return 0
	ps -o pid= --ppid "$mw" | tr -d ' '
}

# worker_mem: "RSS HWM" in KiB, each the largest over the workers.
worker_mem() {
	local p rss=0 hwm=0 v
	for p in $(worker_pids); do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		((${v:-0} > rss)) && rss=$v
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
		((${v:-0} > hwm)) && hwm=$v
	done
	echo "$rss $hwm"
}

# run_wrk URL SCENARIO CONNS SECONDS: one wrk run; prints its BENCH JSON.
run_wrk() {
	local url=$1 scenario=$2 conns=$3 s=$4 out
	out=$(timeout $((s + slack)) wrk -t2 -c"$conns" -d"${s}s" --timeout 5s --latency \
		-s "$bench/wrk.lua" "$url" -- scenario="$scenario" \
		tokens="$data_dir/tokens" ids="$data_dir/ids" pairs="$data_dir/pairs" \
		cursor="$deep_cursor" 2>&1) || {
		echo "$out" >&2
		die "wrk failed for $scenario at $conns connections"
	}
	grep '^BENCH ' <<<"$out" | sed 's/^BENCH //' | jq -c . ||
		die "no result from wrk for $scenario: $out"
}

# run_pgbench SCENARIO CONNS: the database ceiling; prints one JSON object.
run_pgbench() {
	local scenario=$1 conns=$2 out log=$pgb_dir/$1-$2 tps failed lat
	rm -f "$log".*
	# The worker's own connection settings (worker_options, read from
	# print-sql's SETTINGS line), so pgbench plans as the worker does.
	out=$(PGOPTIONS=$worker_options \
		timeout $((secs + slack)) pgbench -n -M prepared -c "$conns" -j 2 -T "$secs" \
		--log --log-prefix="$log" \
		-D loaded=0 -D keys="$keys" -D max_age="$max_age" -D update_age="$update_age" \
		-D limit=20 -D offset=0 -D mask=16 \
		-D before_time=infinity -D before_id=ffffffff-ffff-ffff-ffff-ffffffffffff \
		-D deep_time="$deep_time" -D deep_id="$deep_id" \
		-D name='Bench place' -D location='12 Bench Street, Benchtown' \
		-D image='https://images.example.com/places/bench.jpg' \
		-D map_url='https://maps.example.com/?q=40.4168,-3.7038' \
		-D description='Patched by the benchmark.' \
		-f "$(pgbench_script "$scenario")" 2>&1) || {
		echo "$out" >&2
		die "pgbench failed for $scenario at $conns connections"
	}
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
	[[ -n $tps ]] || die "no tps in pgbench's output for $scenario: $out"
	# Per-transaction log: field 3 is the latency in microseconds.
	cat "$log".* | awk '{ print $3 }' | sort -n | awk -v tps="$tps" \
		-v failed="${failed:-0}" -v lat="${lat:-0}" '
		{ v[NR] = $1 }
		END {
			p50 = NR ? v[int(NR * 0.50 + 0.5) > 0 ? int(NR * 0.50 + 0.5) : 1] : 0
			p99 = NR ? v[int(NR * 0.99 + 0.5) > 0 ? int(NR * 0.99 + 0.5) : 1] : 0
			printf "{\"tps\":%.1f,\"transactions\":%d,\"failed\":%d,\"mean_ms\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
				tps, NR, failed, lat, p50 / 1000, p99 / 1000
		}'
	rm -f "$log".*
}

# ---------------------------------------------------------------------------
# The run

needs_db() { [[ $1 != noauth ]]; }

results=$dir/results.jsonl
: >"$results"
t_start=$SECONDS

for scale in $scales; do
	stack_dir=$dir/stack-$scale
	ceil_dir=$dir/ceiling-$scale
	say "== scale $scale places"
	start_stack
	load_data "$scale"
	# The HTTP ceiling: the stack's nginx, and one fixed answer.
	second_nginx "$ceil_dir"
	load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
	# Everything shares the machine's cores: say when others are using them.
	awk -v n="$(nproc)" '{ exit !($1 >= n / 2) }' /proc/loadavg &&
		say "warning: load average ${load_before%% *} on $(nproc) cores before the run: other processes will lower the figures"
	pids_before=$(worker_pids | sort | xargs)
	t_scale=$SECONDS

	for conns in $conns_list; do
		say "HTTP ceiling, $conns connections"
		run_wrk "$second_url" ceiling "$conns" "$warmup" >/dev/null
		r=$(run_wrk "$second_url" ceiling "$conns" "$secs")
		jq -c --argjson c "$conns" --argjson n "$scale" \
			'{kind: "nginx", scale: $n, conns: $c} + .' <<<"$r" >>"$results"
	done

	for scenario in $scenarios; do
		say "$scenario: warm-up"
		run_wrk "$BASE_URL" "$scenario" 16 "$warmup" >/dev/null
		for conns in $conns_list; do
			say "$scenario, $conns connections"
			r=$(run_wrk "$BASE_URL" "$scenario" "$conns" "$secs")
			read -r rss hwm <<<"$(worker_mem)"
			jq -c --argjson c "$conns" --argjson n "$scale" --argjson rss "$rss" --argjson hwm "$hwm" \
				'{kind: "worker", scale: $n, conns: $c} + . + {worker_rss_kib: $rss, worker_hwm_kib: $hwm}' \
				<<<"$r" >>"$results"
			if needs_db "$scenario"; then
				say "$scenario, $conns connections: pgbench"
				r=$(run_pgbench "$scenario" "$conns")
				jq -c --arg s "$scenario" --argjson c "$conns" --argjson n "$scale" \
					'{kind: "pgbench", scale: $n, scenario: $s, conns: $c} + .' <<<"$r" >>"$results"
			fi
		done
	done

	pids_after=$(worker_pids | sort | xargs)
	jq -nc --argjson n "$scale" --arg lb "$load_before" \
		--arg la "$(cut -d ' ' -f 1-3 /proc/loadavg)" \
		--argjson e $((SECONDS - t_scale)) --argjson page "$deep_page" \
		--arg pb "$pids_before" --arg pa "$pids_after" \
		'{kind: "scale", scale: $n, loadavg_before: $lb, loadavg_after: $la,
		  elapsed_s: $e, cursor_page: $page, workers_restarted: ($pb != $pa),
		  pids_before: $pb, pids_after: $pa}' >>"$results"
	stop_second
	stop_stack
done
elapsed=$((SECONDS - t_start))

# ---------------------------------------------------------------------------
# Report

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$repo/results"
json=$repo/results/bench-$stamp.json
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$repo" status --porcelain -- lib cgi 2>/dev/null) ]] || commit="$commit+dirty"
worker_bin=${WORKER:-$repo/cgi/places.fcgi}

jq -s \
	--arg stamp "$stamp" --arg commit "$commit" \
	--argjson secs "$secs" --argjson workers "$workers" \
	--arg log_level "${PLACES_LOG_LEVEL:-info}" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
	--argjson nproc "$(nproc)" \
	--arg mem "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" \
	--arg kernel "$(uname -sr)" \
	--arg nginx "$(nginx -v 2>&1 | sed 's/^nginx version: //')" \
	--arg postgres "$(psql --version | sed 's/^psql (PostgreSQL) //')" \
	--arg pgbench "$(pgbench --version)" \
	--arg wrk "$(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo unknown)" \
	--arg worker "$(basename "$worker_bin") $(sha256sum "$worker_bin" | cut -c1-12)" \
	--argjson elapsed "$elapsed" '
	def ceiling(n; c): map(select(.kind == "nginx" and .scale == n and .conns == c)) | first;
	def pgb(n; s; c): map(select(.kind == "pgbench" and .scale == n and .scenario == s and .conns == c)) | first;
	. as $all |
	($all | map(select(.kind == "worker")) | map(
		. as $r |
		($all | ceiling($r.scale; $r.conns)) as $n |
		($all | pgb($r.scale; $r.scenario; $r.conns)) as $p |
		. + {
			vs_nginx: (if $n then ($r.rps / $n.rps * 1000 | round / 1000) else null end),
			vs_pgbench: (if $p then ($r.rps / $p.tps * 1000 | round / 1000) else null end),
			valid: ($r.unexpected == 0)
		})) as $rows |
	($all | map(select(.kind == "scale"))) as $scales |
	{
		when: $stamp, commit: $commit, worker: $worker,
		seconds_per_run: $secs, workers: $workers, log_level: $log_level,
		machine: {cpu: $cpu, nproc: $nproc, memory: $mem, kernel: $kernel,
			nginx: $nginx, postgresql: $postgres, pgbench: $pgbench, wrk: $wrk},
		elapsed_s: $elapsed,
		scales: $scales,
		ceilings: {
			nginx: ($all | map(select(.kind == "nginx"))),
			pgbench: ($all | map(select(.kind == "pgbench")))
		},
		scenarios: $rows,
		valid: (($rows | all(.valid)) and
			($all | map(select(.kind == "pgbench")) | all(.failed == 0)) and
			($all | map(select(.kind == "nginx")) | all(.unexpected == 0)) and
			($scales | all(.workers_restarted | not)))
	}' "$results" >"$json"

# The tables: one per scale, then the scales side by side.
{
	for scale in $scales; do
		echo "-- $scale places; load average $(jq -r --argjson n "$scale" '.scales[] | select(.scale == $n) | "\(.loadavg_before) before, \(.loadavg_after) after; cursor: page \(.cursor_page)"' "$json")"
		printf '%-10s %5s %9s %8s %8s %8s %9s %9s  %s\n' \
			scenario conns 'req/s' 'p50 ms' 'p99 ms' '/ nginx' '/ pgbench' 'RSS KiB' note
		jq -r --argjson n "$scale" '
			def f(x; d): if x == null then "-" else (x * pow(10; d) | round / pow(10; d) | tostring) end;
			(.ceilings.nginx[] | select(.scale == $n) | ["nginx", .conns, f(.rps; 0), f(.p50_ms; 2), f(.p99_ms; 2), "1", "-", "-",
				"HTTP ceiling" + (if .unexpected > 0 then " INVALID" else "" end)]),
			(.scenarios[] | select(.scale == $n) | ["\(.scenario)", .conns, f(.rps; 0), f(.p50_ms; 2), f(.p99_ms; 2),
				f(.vs_nginx; 2), f(.vs_pgbench; 2), .worker_rss_kib,
				(if .valid then "" else "INVALID: " + (.statuses | tostring) +
					" socket errors " + (.socket_errors | tostring) end)]),
			(.ceilings.pgbench[] | select(.scale == $n) | ["pg:\(.scenario)", .conns, f(.tps; 0), f(.p50_ms; 2), f(.p99_ms; 2), "-", "1", "-",
				"database ceiling" + (if .failed > 0 then " INVALID: \(.failed) failed" else "" end)])
			| @tsv' "$json" |
			while IFS=$'\t' read -r s c rps p50 p99 vn vp rss note; do
				printf '%-10s %5s %9s %8s %8s %8s %9s %9s  %s\n' \
					"$s" "$c" "$rps" "$p50" "$p99" "$vn" "$vp" "$rss" "$note"
			done
	done
	# Side by side: req/s (and pgbench's tps) at each scale, the change
	# from the first scale to the last (goal: no loss over 20%), and the
	# cursor's page against the list's page 1 (goal: within 20%).
	echo "-- side by side: req/s at each scale (pgbench's ceiling at that scale)"
	jq -r '
		. as $doc |
		def f(x): if x == null then "-" else (x | round | tostring) end;
		def pg(n; s; c): $doc.ceilings.pgbench |
			map(select(.scale == n and .scenario == s and .conns == c)) | first | .tps?;
		def pct(a; b): if a == null or b == null or b == 0 then "-"
			else ((a / b - 1) * 100 | round | tostring) + "%" end;
		(.scales | map(.scale)) as $sc |
		(["scenario", "conns"] + ($sc | map("\(.) places")) + ["change"] | @tsv),
		(.scenarios | group_by([.scenario, .conns]) | sort_by(.[0].scenario != "list", .[0].scenario) | .[] |
			. as $g | $g[0] as $r |
			[$r.scenario, ($r.conns | tostring)] +
			($sc | map(. as $n | ($g | map(select(.scale == $n)) | first) as $w |
				(if $w then f($w.rps) else "-" end) +
				(pg($n; $r.scenario; $r.conns) as $t | if $t then " (" + f($t) + ")" else "" end))) +
			[pct(($g | map(select(.scale == $sc[-1])) | first | .rps?); ($g | map(select(.scale == $sc[0])) | first | .rps?))]
			| @tsv),
		("cursor/list" as $k | .scenarios as $s | $sc[] as $n | ($s | map(select(.scale == $n and .scenario == "cursor"))[]) as $c |
			($s | map(select(.scale == $n and .scenario == "list" and .conns == $c.conns)) | first) as $l |
			select($l) | ["\($k) at \($n)", ($c.conns | tostring), "cursor page \(f($c.rps)) vs page 1 \(f($l.rps)): \(pct($c.rps; $l.rps))"] | @tsv)
		' "$json" | while IFS=$'\t' read -r -a col; do
			printf '%-22s' "${col[0]}"
			for c in "${col[@]:1}"; do printf ' %18s' "$c"; done
			printf '\n'
		done
} | tee "$dir/table.txt"

echo "$workers workers, ${secs} s per run, wrk -t2, pgbench -j 2; scales: $scales; ${elapsed} s"
echo "results: results/$(basename "$json")"
if [[ $(jq -r .valid "$json") != true ]]; then
	jq -r '.scales[] | select(.workers_restarted) | "a worker died during the run at \(.scale) places (pids \(.pids_before) -> \(.pids_after))"' "$json"
	echo "RESULT: INVALID"
	exit 1
fi
echo "RESULT: valid"
