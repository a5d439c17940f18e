#!/bin/bash
# Integration suite against the full stack (nginx -> places.fcgi -> PostgreSQL).
#
#   bash tests/integration/run.sh            # throwaway stack in /tmp, removed after
#   bash tests/integration/run.sh DIR        # DIR/stack.env exists: use that running
#                                            # stack and leave it running; else start
#                                            # one in DIR and stop it (DIR is kept)
#
# Runs every tests/integration/cases/*.sh in name order (IT_CASES=GLOB:
# only those whose name matches, e.g. IT_CASES='9*'), each in a subshell
# after lib.sh (tests/lib/cases.sh).  Every case sets up what it asserts on,
# so any subset passes.  Prints one "ok - ..." / "not ok - ..." / "skip - ..."
# line per check and ends with exactly one line "N passed, N failed" (", N
# skipped" when any was); exit status 1 if any check failed.  IT_KEEP=1
# keeps the scratch directory of the last responses.

set -u

here=$(cd "$(dirname "$0")" && pwd)
IT_ROOT=$(cd "$here/../.." && pwd)
stack=$IT_ROOT/tools/stack.sh

IT_OWN_STACK=0 # 1: this run started the stack, so its cases may break it
remove_dir=0
if [ $# -ge 1 ]; then
	DIR=$1
else
	DIR=$(mktemp -d /tmp/places-it.XXXXXX) || exit 1
	remove_dir=1
fi
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/places-it-tmp.XXXXXX") || exit 1
# shellcheck source=../lib/cases.sh
. "$IT_ROOT/tests/lib/cases.sh"

cleanup() {
	if [ "$IT_OWN_STACK" = 1 ]; then
		"$stack" stop "$DIR" >/dev/null 2>&1 || echo "# warning: tools/stack.sh stop failed" >&2
	fi
	if [ "$remove_dir" = 1 ]; then rm -rf "$DIR"; fi
	if [ "${IT_KEEP:-0}" = 1 ]; then
		echo "# scratch kept in $IT_TMP" >&2
	else
		rm -rf "$IT_TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The workers accept NextAuth JWT sessions made with this secret (a fresh one
# per run; against a stack started elsewhere, export the one it runs with).
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-it-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
# Auth.js v5's: the current one and a rotated-out one the workers still take
# (93-authjs.sh).
export AUTH_SECRET="${AUTH_SECRET:-it5-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export AUTH_SECRET_1="${AUTH_SECRET_1:-it5-old-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"

if [ ! -f "$DIR/stack.env" ]; then
	IT_OWN_STACK=1
	if ! bash "$stack" start "$DIR" >&2; then
		CASE=run.sh fail "tools/stack.sh start $DIR" "it failed"
		cases_end "$DIR"
		exit 1
	fi
fi

set -a
# shellcheck disable=SC1091
. "$DIR/stack.env"
set +a
export IT_ROOT IT_TMP IT_OWN_STACK

# shellcheck source=lib.sh
. "$here/lib.sh"

: >"$IT_TMP/tokens"
: >"$IT_TMP/responses"
: >"$IT_TMP/statuses"
worker_pids >"$IT_TMP/pids.start" 2>/dev/null

cases_run "${IT_CASES:-*}" "$here"/cases/*.sh
cases_end "$DIR"
