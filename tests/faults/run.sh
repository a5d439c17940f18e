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
# lib.sh.  Prints one "ok - ..." / "not ok - ..." line per check, "# ..."
# comment lines with each case's figures, and ends with exactly one line
# "N passed, N failed"; exit status 1 if any check failed.  FT_KEEP=1 keeps
# the scratch directory (per-request records, the stack's logs);
# FT_CASES=GLOB runs only the matching cases (e.g. FT_CASES='10-*').
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

dump_logs() {
	local f
	find "$DIR/log" -type f 2>/dev/null | sort | while read -r f; do
		echo "==> $f <=="
		tail -n 60 "$f"
	done
}

export WORKERS=${FT_WORKERS:-4}
# The cases match client requests to the worker's request log lines.
export PLACES_LOG_LEVEL=info
# Stacks started elsewhere must not leak their settings into this one.
unset NGINX_PORT PGPORT WORKER_WRAPPER

t_start=$SECONDS
STACK_UP=1
if ! bash "$stack" start "$DIR" >"$IT_TMP/stack-start.out" 2>&1; then
	cat "$IT_TMP/stack-start.out" >&2
	echo "run.sh: tools/stack.sh start $DIR failed; logs follow" >&2
	dump_logs >&2
	echo "0 passed, 1 failed"
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

: >"$IT_TMP/results"
: >"$IT_TMP/tokens"
: >"$IT_TMP/responses"

start=$SECONDS
for f in "$here"/cases/${FT_CASES:-*}.sh; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	echo "# $name"
	before=$(wc -l <"$IT_TMP/results")
	t0=$SECONDS
	(
		CASE=${name%.sh}
		FT_CASE_DIR=$IT_TMP/${name%.sh}
		mkdir -p "$FT_CASE_DIR"
		trap ft_bg_stop EXIT
		# shellcheck disable=SC1090
		. "$f"
	)
	rc=$?
	after=$(wc -l <"$IT_TMP/results")
	echo "# $name: $((after - before)) checks, $((SECONDS - t0))s"
	if [ "$rc" != 0 ]; then
		CASE=${name%.sh} fail "case file ran to the end" "exit status $rc"
	elif [ "$after" = "$before" ]; then
		CASE=${name%.sh} fail "case file made checks" "none"
	fi
	# A case that failed half-way must not leave the next one without its
	# database.
	if ! "$stack" status "$DIR" 2>/dev/null | grep -q '^postgres: running'; then
		echo "# $name left PostgreSQL stopped; starting it again"
		"$stack" pg-start "$DIR" >/dev/null 2>&1 || echo "# warning: pg-start failed" >&2
	fi
done
echo "# cases took $((SECONDS - start))s, whole run $((SECONDS - t_start))s"

passed=$(grep -c '^ok - ' "$IT_TMP/results")
failed=$(grep -c '^not ok - ' "$IT_TMP/results")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
