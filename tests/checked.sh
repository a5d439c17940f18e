#!/usr/bin/env bash
# The integration suite against an instrumented worker:
#
#   tests/checked.sh asan       the worker built with -fsanitize=address,undefined
#                               (build-asan/, `make asan`), no recovery
#   tests/checked.sh valgrind   the normal worker under valgrind --leak-check=full
#   tests/checked.sh pgbouncer  the normal worker behind pgbouncer in transaction
#                               pooling mode (tools/stack.sh PGBOUNCER=1)
#
# Starts its own stack with that worker, runs tests/integration/run.sh on it,
# stops the stack (so every worker exits and reports its leaks), then reads
# every report: one "ok"/"not ok" line for zero sanitizer reports, or zero
# valgrind errors and zero definitely or indirectly lost bytes; for
# pgbouncer, that the suite's requests went through pgbouncer.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
mode=${1:?usage: tests/checked.sh asan|valgrind|pgbouncer}

dir=$(mktemp -d /tmp/places-$mode.XXXXXX) || exit 1
# The workers run as www-data when this runs as root: their reports need a
# directory they can write (sticky, like /tmp).
reports=$dir/reports
mkdir -p "$dir/log" "$reports"
chmod 755 "$dir"
chmod 1777 "$reports"
cleanup() {
	"$top/tools/stack.sh" stop "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

case $mode in
asan)
	export WORKER="$top/build-asan/places.fcgi"
	# Reports go to files of their own, so they cannot hide in other logs.
	export ASAN_OPTIONS="log_path=$reports/sanitizer:detect_leaks=1:abort_on_error=0:halt_on_error=1"
	export UBSAN_OPTIONS="log_path=$reports/sanitizer:print_stacktrace=1:halt_on_error=1"
	[ -x "$WORKER" ] || { echo "not ok - asan: $WORKER missing (make asan)"; exit 1; }
	;;
valgrind)
	command -v valgrind >/dev/null || { echo "not ok - valgrind: not installed"; exit 1; }
	export WORKER_WRAPPER="valgrind --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--log-file=$reports/valgrind.%p"
	;;
pgbouncer)
	command -v pgbouncer >/dev/null || { echo "not ok - pgbouncer: not installed"; exit 1; }
	export PGBOUNCER=1
	;;
*)
	echo "usage: tests/checked.sh asan|valgrind|pgbouncer" >&2
	exit 2
	;;
esac

# The workers accept NextAuth JWTs made with this secret; run.sh uses it too.
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-chk-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
# Auth.js v5's, the current and a rotated-out one (93-authjs.sh).
export AUTH_SECRET="${AUTH_SECRET:-chk5-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export AUTH_SECRET_1="${AUTH_SECRET_1:-chk5-old-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"

if ! "$top/tools/stack.sh" start "$dir" >"$dir/log/start.out" 2>&1; then
	cat "$dir/log/start.out"
	echo "not ok - $mode: the stack did not start"
	exit 1
fi
status=0
# A report nobody could write would look like no report at all.
wuser=$(ps -o user= -p "$(pgrep -P "$(cat "$dir/run/spawn.pid")" | head -1)" 2>/dev/null)
if [ -n "$wuser" ] && runuser -u "$wuser" -- test -w "$reports" 2>/dev/null ||
    [ "$(id -u)" -ne 0 ]; then
	echo "ok - $mode: the workers (${wuser:-$(id -un)}) can write their reports"
else
	echo "not ok - $mode: the workers (${wuser:-?}) cannot write to $reports"
	status=1
fi

# The cases that break the stack on purpose run only on a stack of their own.
# shellcheck source=lib/check.sh
. "$here/lib/check.sh"
bash "$here/integration/run.sh" "$dir" | sed -E "s/^((not )?ok|skip) - /&$mode: /; s/$CLOSING_RE/# $mode: &/"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
if [ "$mode" = pgbouncer ]; then
	# The workers' requests went through pgbouncer, not around it.
	bport=$(sed -n "s/^PGBOUNCER_PORT='\([0-9]*\)'$/\1/p" "$dir/stack.env")
	# SHOW STATS: transactions so far (updated every stats_period); SHOW
	# POOLS: the workers connected now.
	xacts=$(psql -X -At -h "$dir/run" -p "$bport" -U postgres -d pgbouncer -c 'SHOW STATS' 2>/dev/null |
		awk -F '|' '$1 == "places" { print $2 }')
	clients=$(psql -X -At -h "$dir/run" -p "$bport" -U postgres -d pgbouncer -c 'SHOW POOLS' 2>/dev/null |
		awk -F '|' '$1 == "places" && $2 == "places" { print $3 + $4 }')
	if grep -q "^WORKER_DATABASE_URL='.* port=$bport " "$dir/stack.env" &&
		[ "${xacts:-0}" -gt 0 ] && [ "${clients:-0}" -gt 0 ]; then
		echo "ok - pgbouncer: the workers went through pgbouncer (port $bport: $xacts transactions, $clients clients now)"
	else
		echo "not ok - pgbouncer: the workers went through pgbouncer (port ${bport:-?}: ${xacts:-no} transactions, ${clients:-no} clients)"
		status=1
	fi
fi
"$top/tools/stack.sh" stop "$dir" >/dev/null 2>&1

case $mode in
asan)
	found=$(find "$reports" -name 'sanitizer.*' | sort)
	if [ -z "$found" ]; then
		echo "ok - asan: no AddressSanitizer, LeakSanitizer or UBSan report from any worker"
	else
		for f in $found; do echo "# $f:"; sed 's/^/#   /' "$f" | head -40; done
		echo "not ok - asan: $(echo "$found" | wc -l) sanitizer report(s)"
		status=1
	fi
	;;
valgrind)
	logs=$(find "$reports" -name 'valgrind.*' | sort)
	n=$(echo "$logs" | grep -c . || true)
	bad=0
	for f in $logs; do
		# A worker's log ends with its summaries when it exited normally.
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$f" ||
		    grep -Eq '(definitely|indirectly) lost: [1-9]' "$f"; then
			echo "# $f:"; sed 's/^/#   /' "$f" | tail -40
			bad=$((bad + 1))
		fi
	done
	if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then
		echo "ok - valgrind: $n worker processes, 0 errors, 0 bytes definitely or indirectly lost"
	else
		echo "not ok - valgrind: $bad of $n worker logs with errors or leaks (or no log at all)"
		status=1
	fi
	;;
esac
exit "$status"
