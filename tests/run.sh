#!/usr/bin/env bash
# The whole suite: every unit test program, then the integration suite on a
# throwaway stack.  Each check prints one "ok - ..." or "not ok - ..." line;
# this script counts them and ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD:-$top/build}
log=$(mktemp "${TMPDIR:-/tmp}/places-tests.XXXXXX")
trap 'rm -f "$log"' EXIT

status=0
echo "== unit tests"
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" >>"$log" 2>&1 || status=1
done
grep -E '^(not )?ok ' "$log" | grep '^not ok' || true
grep -cE '^ok ' "$log" | sed 's/$/ unit checks passed/'

echo "== integration tests"
# The inner summary is kept as a comment: only the last line is the total.
bash "$here/integration/run.sh" 2>&1 | sed -E 's/^([0-9]+ passed, [0-9]+ failed)$/# integration: \1/' |
	tee -a "$log" || status=1

passed=$(grep -cE '^ok ' "$log")
failed=$(grep -cE '^not ok ' "$log")
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit "$status"
