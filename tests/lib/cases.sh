# shellcheck shell=bash
# The case runner shared by tests/integration/run.sh, tests/faults/run.sh
# and tests/scale/run.sh.  Sourced; needs IT_TMP (the run's scratch
# directory, which holds $IT_TMP/results).
#
#   cases_run GLOB FILE...   runs, in the order given, each FILE whose name
#                            without .sh matches the shell pattern GLOB (the
#                            suite's IT_CASES, FAULT_CASES or SCALE_CASES);
#                            a GLOB that matches none is a failure
#   cases_end DIR...         the closing line (tally); if any check failed,
#                            the last lines of every log under each DIR,
#                            once, on stderr.  True if all passed
#
# A case is a file of checks (tests/lib/check.sh).  By default it is sourced
# in a subshell, after the runner's helpers, with CASE set to its name; with
# CASES_EXEC=1 it is a script of its own, run with bash, whose result lines
# are taken from its output (and its own closing line kept as a comment).
# Either way a case that makes no check is a failure, and so is one that
# exits non-zero (for a script, unless one of its checks failed already).
# Hooks a runner may define:
#   case_setup   runs in the case's subshell before the file is sourced
#   case_after   runs in the runner after each case

# shellcheck source=check.sh
. "$(dirname "${BASH_SOURCE[0]}")/check.sh"

: >>"$IT_TMP/results"

# _case_one FILE NAME: runs one case; its exit status.
_case_one() {
	if [ "${CASES_EXEC:-0}" = 1 ]; then
		bash "$1" 2>&1 | sed -E "s/$CLOSING_RE/# $2: &/" | tee "$IT_TMP/case.out"
		local rc=${PIPESTATUS[0]}
		grep -E '^(ok |not ok|skip - )' "$IT_TMP/case.out" >>"$IT_TMP/results"
		return "$rc"
	fi
	(
		# shellcheck disable=SC2034 # the case's checks read it
		CASE=$2
		if declare -F case_setup >/dev/null; then case_setup; fi
		# shellcheck disable=SC1090
		. "$1"
	)
}

# cases_run GLOB FILE...: see the top.
cases_run() {
	local glob=$1 f name before after t0 rc n=0 start=$SECONDS
	shift
	for f in "$@"; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .sh)
		# shellcheck disable=SC2053 # GLOB is a pattern
		[[ $name == $glob ]] || continue
		n=$((n + 1))
		echo "# $name"
		before=$(wc -l <"$IT_TMP/results")
		t0=$SECONDS
		_case_one "$f" "$name"
		rc=$?
		after=$(wc -l <"$IT_TMP/results")
		echo "# $name: $((after - before)) checks, $((SECONDS - t0))s"
		# A script of its own exits non-zero after a failed check: only
		# one that failed without saying so is one more.
		if [ "$rc" != 0 ] && { [ "${CASES_EXEC:-0}" != 1 ] ||
			! tail -n "+$((before + 1))" "$IT_TMP/results" | grep -q '^not ok'; }; then
			CASE=$name fail "case file ran to the end" "exit status $rc"
		elif [ "$after" = "$before" ]; then
			CASE=$name fail "case file made checks" "none"
		fi
		if declare -F case_after >/dev/null; then case_after "$name"; fi
	done
	[ "$n" -gt 0 ] || CASE=cases fail "some case matches '$glob'" "none of $*"
	echo "# $n cases took $((SECONDS - start))s"
}

# cases_dump_logs DIR...: the last 40 lines of every log file under each
# DIR (*.log, or anything in a log/ directory), as comment lines.
cases_dump_logs() {
	local f
	find "$@" -type f \( -name '*.log' -o -path '*/log/*' \) 2>/dev/null | sort |
		while read -r f; do
			echo "# ==> $f <=="
			tail -n 40 "$f" | sed 's/^/#   /'
		done
}

# cases_end DIR...: see the top.
cases_end() {
	if grep -q '^not ok' "$IT_TMP/results" && [ $# -gt 0 ]; then
		echo "# a check failed; the logs follow" >&2
		cases_dump_logs "$@" >&2
	fi
	tally "$IT_TMP/results"
}
