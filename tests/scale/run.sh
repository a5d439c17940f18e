#!/bin/bash
# The scale suite: these scripts, each starting and stopping the stacks it
# needs:
#
#   pools.sh      worker pools behind nginx's upstream (POOLS=2)
#   replica.sh    a streaming replica for reads (REPLICA=1)
#   pgbouncer.sh  pgbouncer in transaction pooling mode (PGBOUNCER=1)
#
#   bash tests/scale/run.sh                 all of them
#   SCALE_CASES='pool*' tests/scale/run.sh   only those whose name matches
#
# (tests/scale/measure.sh is not a test: it measures each tier's limits.)
#
# Each is a case of tests/lib/cases.sh run as a script of its own
# (CASES_EXEC): its "ok - ..." / "not ok - ..." lines pass through, its
# closing "N passed, N failed" is kept as a comment, and this ends with
# exactly one line "N passed, N failed" for all; exit status 1 if any check
# failed (a script that exits non-zero counts as one failure).
set -u
here=$(cd "$(dirname "$0")" && pwd)
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/places-scale-run.XXXXXX") || exit 1
trap 'rm -rf "$IT_TMP"' EXIT
# shellcheck source=../lib/cases.sh
. "$here/../lib/cases.sh"

CASES_EXEC=1 cases_run "${SCALE_CASES:-*}" "$here"/pools.sh "$here"/replica.sh "$here"/pgbouncer.sh
cases_end
