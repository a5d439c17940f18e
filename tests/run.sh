#!/usr/bin/env bash
# The whole suite, as `make test` runs it.  Each check prints one
# "ok - ...", "not ok - ..." or "skip - ..." line (tests/lib/check.sh); this
# script counts them all and ends with "N passed, N failed" (", N skipped"
# when any check was skipped; non-zero exit on any failure).  Under CI=true
# a skip is a failure unless README.md lists it under "Skips allowed under
# CI".
#
#   TESTS="unit integration" tests/run.sh    runs only those suites
#   IT_CASES=GLOB, FAULT_CASES=GLOB, SCALE_CASES=GLOB pick the cases of the
#   integration (also under asan, valgrind, pgbouncer), faults and scale
#   suites, e.g. IT_CASES='9*'
#
# Suites, in order:
#   unit         tests/unit/*, normal build (build/tests)
#   install      make install with PREFIX and DESTDIR, and what it installs
#   ops          tests/ops/*.sh: deployment files (contrib/systemd's units
#                with systemd-analyze, without systemd running)
#   compat       tests/compat/selftest.sh: the adapter oracles CLI
#                (adapter.mjs) per preset on a private non-UTC PostgreSQL
#   integration  tests/integration on a throwaway stack
#   presets      tests/integration/presets.sh: the worker on each NextAuth
#                adapter's tables (pg, Prisma, Drizzle, Kysely, renamed,
#                none), made and filled by the real adapters, on a server
#                whose TimeZone is not UTC; placesctl migrate and the v1
#                upgrade
#   plans        tests/plans: EXPLAIN ANALYZE of every statement the worker
#                prepares, on a million places, as the worker runs it: no
#                JIT, the expected indexes (about 30 s)
#   asan         unit tests, then the integration suite, built with
#                ASan + UBSan (build-asan/, `make asan`): zero reports
#   valgrind     the integration suite with every worker under valgrind:
#                zero errors, zero bytes definitely or indirectly lost
#   fuzz         each libFuzzer harness for FUZZ_SMOKE_SECONDS (default 10)
#   faults       database and worker failures under load (tests/faults)
#   scale        tests/scale: worker pools behind nginx's upstream (a pool
#                stopped under load), a streaming replica for reads
#                (read-your-writes, replica paused, stopped, back), pgbouncer
#                in transaction pooling mode
#   pgbouncer    the integration suite with the workers behind pgbouncer
#                (tests/checked.sh pgbouncer)
#   callgrind    instructions per request against a committed baseline
#                (tests/bench/callgrind.sh; fails past +20%)
#   benchsmoke   make bench and make bench-shed still run, once at the
#                smallest size (tests/bench/smoke.sh; no figure judged)
#   e2e          the browser test (tests/e2e, make e2e): examples/nextjs and
#                the worker behind examples/nextjs/nginx.conf, in chromium
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
suites=${TESTS:-unit install ops compat integration presets plans asan valgrind fuzz faults scale pgbouncer callgrind benchsmoke e2e}
log=$(mktemp "${TMPDIR:-/tmp}/places-tests.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
# shellcheck source=lib/check.sh
. "$here/lib/check.sh"

# run_units DIR LABEL: every unit test program in DIR.
run_units() {
	local t found=0
	for t in "$1"/test_*; do
		[ -x "$t" ] || continue
		found=1
		"$t" 2>&1 | sed -E "s/^(not )?ok - /&$2/" >>"$log.unit" || status=1
	done
	[ "$found" = 1 ] || echo "not ok - ${2}unit tests: none built in $1" >>"$log.unit"
	grep -E '^not ok' "$log.unit" || true
	echo "# $(grep -cE '^ok ' "$log.unit") unit checks passed${2:+ (${2%: })}"
	cat "$log.unit" >>"$log"
	rm -f "$log.unit"
}

# suite NAME COMMAND...: runs a suite whose output holds ok/not ok lines;
# its own closing "N passed, N failed[, N skipped]" is kept as a comment.
suite() {
	local name=$1 start=$SECONDS
	shift
	"$@" 2>&1 | sed -E "s/$CLOSING_RE/# $name: &/" |
		tee -a "$log" | grep -E '^(not ok|skip - |# )' || true
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
	echo "# $name took $((SECONDS - start)) s"
}

for s in $suites; do
	echo "== $s"
	case $s in
	unit) run_units "$top/build/tests" "" ;;
	install) suite install bash "$here/install.sh" ;;
	ops) suite ops bash "$here/ops/run.sh" ;;
	compat) suite compat bash "$here/compat/selftest.sh" ;;
	integration) suite integration bash "$here/integration/run.sh" ;;
	presets) suite presets bash "$here/integration/presets.sh" ;;
	plans) suite plans bash "$here/plans/run.sh" ;;
	asan)
		run_units "$top/build-asan/tests" "asan: "
		suite asan bash "$here/checked.sh" asan
		;;
	valgrind) suite valgrind bash "$here/checked.sh" valgrind ;;
	fuzz) suite fuzz bash "$here/fuzz/run.sh" "${FUZZ_SMOKE_SECONDS:-10}" ;;
	faults) suite faults bash "$here/faults/run.sh" ;;
	scale) suite scale bash "$here/scale/run.sh" ;;
	pgbouncer) suite pgbouncer bash "$here/checked.sh" pgbouncer ;;
	callgrind) suite callgrind bash "$here/bench/callgrind.sh" ;;
	benchsmoke) suite benchsmoke bash "$here/bench/smoke.sh" ;;
	e2e) suite e2e bash "$here/e2e/run.sh" ;;
	*) echo "not ok - unknown suite $s" | tee -a "$log" ;;
	esac
done

tally "$log" || status=1
exit "$status"
