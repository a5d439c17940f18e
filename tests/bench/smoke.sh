#!/usr/bin/env bash
# The benchmark tools still run: `make bench` (tools/bench.sh) and `make
# bench-shed` (tests/bench/shed.sh), each once at the smallest size, so
# that a change to the stack, the data set or the statements that breaks
# them shows here, not at the next measurement.  No figure is judged
# (docs/PERFORMANCE.md: speed is shown by `make bench`, never asserted
# in a test): only that each run completes, is valid (every status as
# expected, no failed pgbench transaction, no worker restarted), and
# reports every scenario.  About a minute.
#
# Prints "ok - ..." / "not ok - ..." lines, then "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(mktemp -d /tmp/places-bench-smoke.XXXXXX) || exit 1
made=()
cleanup() {
	local f
	for f in "${made[@]}"; do rm -f -- "$top/$f"; done
	rm -rf -- "$out"
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok - bench smoke: $1"; passed=$((passed + 1)); }
notok() { echo "not ok - bench smoke: $1${2:+ (got $(printf '%s' "$2" | tr '\n' ' ' | head -c 400))}"; failed=$((failed + 1)); }

# result_file LOG: sets json to the results/... file the run printed,
# remembered for removal; false when it printed none.
result_file() {
	local f
	json=
	f=$(sed -n 's/^results: //p' "$1" | tail -n 1)
	[[ $f == results/bench-*.json ]] || return 1
	made+=("$f")
	json=$top/$f
	[ -s "$json" ]
}

scenarios="noauth badtoken list cursor get create patch"
[ -x "$top/build/tests/print-sql" ] ||
	make -s -C "$top" build/tests/print-sql >"$out/build.log" 2>&1 ||
	notok "build/tests/print-sql builds" "$(tail -n 5 "$out/build.log")"

# 1. tools/bench.sh: 1,000 places, 4 connections, 1 s a run.
BENCH_SCALES=1000 BENCH_CONNS=4 BENCH_SCENARIOS=$scenarios \
	timeout 600 "$top/tools/bench.sh" 1 >"$out/bench.log" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q '^RESULT: valid' "$out/bench.log"; then
	ok "tools/bench.sh 1 (1,000 places, all scenarios) exits 0, RESULT: valid"
else
	notok "tools/bench.sh 1 (1,000 places, all scenarios) exits 0, RESULT: valid" \
		"exit $rc: $(grep -E 'error|INVALID|RESULT' "$out/bench.log" | tail -n 5)"
fi
if result_file "$out/bench.log"; then
	for s in $scenarios; do
		n=$(jq --arg s "$s" '[.scenarios[] | select(.scenario == $s and .rps > 0 and .valid)] | length' \
			"$json" 2>/dev/null)
		if [ "${n:-0}" -ge 1 ]; then
			ok "bench: $s measured, valid"
		else
			notok "bench: $s measured, valid" "${n:-no JSON}"
		fi
	done
else
	notok "bench: a results file" "$(tail -n 3 "$out/bench.log")"
fi

# 2. tests/bench/shed.sh: 1 s a run, a small fixed-rate flood.
FLOOD_RATE=1000 timeout 600 "$here/shed.sh" 1 >"$out/shed.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	ok "tests/bench/shed.sh 1 exits 0"
else
	notok "tests/bench/shed.sh 1 exits 0" "exit $rc: $(grep -E 'error' "$out/shed.log" | tail -n 3)"
fi
if result_file "$out/shed.log"; then
	n=$(jq '[.runs[] | select(.rps > 0)] | length' "$json" 2>/dev/null)
	# 2 x 3 no-token rows, 1 alone, 2 x 2 floods x 2 loads
	if [ "${n:-0}" = 15 ]; then
		ok "bench-shed: all 15 runs measured"
	else
		notok "bench-shed: all 15 runs measured" "${n:-no JSON}"
	fi
	u=$(jq '[.runs[] | .unexpected // 0] | add' "$json" 2>/dev/null)
	if [ "$u" = 0 ]; then
		ok "bench-shed: every status as expected"
	else
		notok "bench-shed: every status as expected" "${u:-no JSON} unexpected"
	fi
else
	notok "bench-shed: a results file" "$(tail -n 3 "$out/shed.log")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
