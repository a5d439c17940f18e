#!/bin/bash
# Fault-injection suite: PostgreSQL stopped and restarted under load, workers
# killed with SIGKILL, 1,000 concurrent POSTs, clients that trickle their
# bodies.  Every case counts what it sent and what came back.
#
#   bash tests/faults/run.sh
#
# Always starts a private stack of its own (tools/stack.sh start in a fresh
# /tmp/places-faults.XXXXXX, WORKERS=4 unless FT_WORKERS says otherwise),
# because its cases stop PostgreSQL and kill workers.  The stack is stopped
# and its directory removed on exit, whatever happens.
#
# Runs every tests/faults/cases/*.sh in name order, each in a subshell after
# lib.sh (tests/lib/cases.sh).  Prints one "ok - ..." / "not ok - ..." line
# per check, "# ..." comment lines with each case's figures, and ends with
# exactly one line "N passed, N failed"; exit status 1 if any check failed.
# FT_KEEP=1 keeps the scratch directory (per-request records, the stack's
# logs); FAULT_CASES=GLOB runs only the matching cases (e.g.
# FAULT_CASES='10-*').
#
# Everything is loopback only, and every load loop is bounded both in
# requests and in time.

set -u
export LC_ALL=C # $EPOCHREALTIME must use "." as its decimal point

here=$(cd "$(dirname "$0")" && pwd)
IT_ROOT=$(cd "$here/../.." && pwd)
stack=$IT_ROOT/tools/stack.sh

DIR=$(mktemp -d /tmp/places-faults.XXXXXX) || exit 1
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/places-faults-tmp.XXXXXX") || exit 1
STACK_UP=0
# shellcheck source=../lib/cases.sh
. "$IT_ROOT/tests/lib/cases.sh"

cleanup() {
	if [ "$STACK_UP" = 1 ]; then
		# The pg-stop cases leave PostgreSQL running, but a case that failed
		# half-way may not have: stop is safe either way.
		"$stack" stop "$DIR" >/dev/null 2>&1 || echo "# warning: tools/stack.sh stop failed" >&2
	fi
	if [ "${FT_KEEP:-0}" = 1 ]; then
		cp -r "$DIR/log" "$IT_TMP/stack-log" 2>/dev/null
		echo "# scratch kept in $IT_TMP" >&2
	else
		rm -rf "$IT_TMP"
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export WORKERS=${FT_WORKERS:-4}
# The cases match client requests to the worker's request log lines.
export PLACES_LOG_LEVEL=info
# Stacks started elsewhere must not leak their settings into this one.
unset NGINX_PORT PGPORT WORKER_WRAPPER

t_start=$SECONDS
STACK_UP=1
if ! bash "$stack" start "$DIR" >"$IT_TMP/stack-start.out" 2>&1; then
	sed 's/^/# /' "$IT_TMP/stack-start.out" >&2
	CASE=run.sh fail "tools/stack.sh start $DIR" "it failed"
	cases_end "$DIR/log"
	exit 1
fi
echo "# stack started in $((SECONDS - t_start))s with $WORKERS workers"

set -a
# shellcheck disable=SC1091
. "$DIR/stack.env"
set +a
export IT_ROOT IT_TMP
IT_OWN_STACK=1
export IT_OWN_STACK

# shellcheck source=lib.sh
. "$here/lib.sh"

: >"$IT_TMP/tokens"
: >"$IT_TMP/responses"

case_setup() {
	FT_CASE_DIR=$IT_TMP/$CASE
	mkdir -p "$FT_CASE_DIR"
	trap ft_bg_stop EXIT
}

# A case that failed half-way must not leave the next one without its
# database.
case_after() {
	if ! "$stack" status "$DIR" 2>/dev/null | grep -q '^postgres: running'; then
		echo "# $1 left PostgreSQL stopped; starting it again"
		"$stack" pg-start "$DIR" >/dev/null 2>&1 || echo "# warning: pg-start failed" >&2
	fi
}

cases_run "${FAULT_CASES:-${FT_CASES:-*}}" "$here"/cases/*.sh
echo "# whole run $((SECONDS - t_start))s"
cases_end "$DIR/log"
