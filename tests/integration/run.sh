#!/bin/bash
# Integration suite against the full stack (nginx -> places.fcgi -> PostgreSQL).
#
#   bash tests/integration/run.sh            # throwaway stack in /tmp, removed after
#   bash tests/integration/run.sh DIR        # DIR/stack.env exists: use that running
#                                            # stack and leave it running; else start
#                                            # one in DIR and stop it (DIR is kept)
#
# Runs every tests/integration/cases/*.sh in name order, each in a subshell
# after lib.sh.  Prints one "ok - ..." / "not ok - ..." line per check and
# ends with exactly one line "N passed, N failed"; exit status 1 if any
# check failed.  IT_KEEP=1 keeps the scratch directory of the last responses.

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

# dump_logs: every log the stack wrote, for a failed start.
dump_logs() {
	local f
	find "$DIR" -type f \( -name '*.log' -o -path '*/log/*' \) 2>/dev/null | sort |
		while read -r f; do
			echo "==> $f <=="
			tail -n 60 "$f"
		done
}

# The workers accept NextAuth JWT sessions made with this secret (a fresh one
# per run; against a stack started elsewhere, export the one it runs with).
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-it-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"

if [ ! -f "$DIR/stack.env" ]; then
	IT_OWN_STACK=1
	if [ ! -x "$stack" ] && [ ! -f "$stack" ]; then
		echo "run.sh: $stack not found" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	if ! bash "$stack" start "$DIR" >&2; then
		echo "run.sh: tools/stack.sh start $DIR failed; logs follow" >&2
		dump_logs >&2
		echo "0 passed, 1 failed"
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

: >"$IT_TMP/results"
: >"$IT_TMP/tokens"
: >"$IT_TMP/responses"
worker_pids >"$IT_TMP/pids.start" 2>/dev/null

start=$SECONDS
for f in "$here"/cases/*.sh; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	echo "# $name"
	before=$(wc -l <"$IT_TMP/results")
	t0=$SECONDS
	(
		CASE=${name%.sh}
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
done
echo "# cases took $((SECONDS - start))s"

passed=$(grep -c '^ok - ' "$IT_TMP/results")
failed=$(grep -c '^not ok - ' "$IT_TMP/results")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
