#!/usr/bin/env bash
# The ops suite: every tests/ops/*.sh but this one, in name order.  Each
# prints "ok - ..." / "not ok - ..." lines and its own "N passed, N failed"
# (kept here as a comment); this script ends with the totals, and fails
# when a check failed or a script exited non-zero.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp "${TMPDIR:-/tmp}/places-ops.XXXXXX") || exit 1
trap 'rm -f "$log" "$log.one"' EXIT
status=0

for t in "$here"/*.sh; do
	[ "$t" = "$here/run.sh" ] && continue
	name=$(basename "$t" .sh)
	bash "$t" 2>&1 | sed -E "s/^([0-9]+ passed, [0-9]+ failed)$/# $name: \\1/" |
		tee "$log.one"
	rc=${PIPESTATUS[0]}
	# A script that dies before its checks must not pass for an empty one.
	if [ "$rc" -ne 0 ] && ! grep -qE '^not ok' "$log.one"; then
		echo "not ok - ops: $name exited $rc" | tee -a "$log.one"
	fi
	[ "$rc" -eq 0 ] || status=1
	cat "$log.one" >>"$log"
done

passed=$(grep -cE '^ok ' "$log")
failed=$(grep -cE '^not ok' "$log")
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit "$status"
