#!/bin/bash
# The scale suite: these scripts, each starting and stopping the stacks it
# needs:
#
#   pools.sh      worker pools behind nginx's upstream (POOLS=2)
#   replica.sh    a streaming replica for reads (REPLICA=1)
#   pgbouncer.sh  pgbouncer in transaction pooling mode (PGBOUNCER=1)
#
#   bash tests/scale/run.sh             all of them
#   SCALE_TESTS="pools" tests/scale/run.sh   only those
#
# (tests/scale/measure.sh is not a test: it measures each tier's limits.)
#
# Passes their "ok - ..." / "not ok - ..." lines through, keeps each one's
# closing "N passed, N failed" as a comment, and ends with exactly one line
# "N passed, N failed" for all; exit status 1 if any check failed (or a
# script failed without saying so).
set -u
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp "${TMPDIR:-/tmp}/places-scale.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0

for s in ${SCALE_TESTS:-pools replica pgbouncer}; do
	f=$here/$s.sh
	name=$s
	if [ ! -f "$f" ]; then
		echo "not ok - scale: no script $f" | tee -a "$log"
		continue
	fi
	echo "# $name"
	start=$SECONDS
	before=$(grep -c '^not ok - ' "$log")
	bash "$f" 2>&1 | sed -E "s/^([0-9]+ passed, [0-9]+ failed)$/# $name: \\1/" | tee -a "$log"
	rc=${PIPESTATUS[0]}
	echo "# $name took $((SECONDS - start)) s"
	if [ "$rc" != 0 ] && [ "$(grep -c '^not ok - ' "$log")" = "$before" ]; then
		echo "not ok - $name: exited $rc without a failed check" | tee -a "$log"
	fi
	[ "$rc" = 0 ] || status=1
done

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ] && [ "$status" = 0 ]
