# shellcheck shell=bash
# One check's result line, the same for every suite.  Sourced (through
# tests/integration/lib.sh, or tests/lib/cases.sh) by every runner; needs
# IT_TMP (the run's scratch directory).
#
# A check prints exactly one line and appends it to $IT_TMP/results, which
# the runner counts (case files run in subshells, so no shell counters):
#
#   ok - CASE: WHAT
#   not ok - CASE: WHAT (got ...)
#   skip - CASE: WHAT: WHY          a check that could not run; never "ok".
#                                   Under CI=true it is "not ok" instead,
#                                   unless README.md lists it under "Skips
#                                   allowed under CI" (ci_allows_skip)

CASE=${CASE:-unnamed}

# t NAME: names the case the following checks belong to.
t() { CASE=$1; }

# _one_line TEXT: TEXT as one printable line, cut to 300 bytes.
_one_line() {
	printf '%s' "$1" | LC_ALL=C tr -c '\040-\176' '.' | head -c 300
}

# _record LINE: prints and records one result line.
_record() {
	printf '%s\n' "$1"
	printf '%s\n' "$1" >>"$IT_TMP/results"
}

# pass WHAT / fail WHAT GOT: a result for a check done by hand.
pass() { _record "ok - $CASE: $1"; }
fail() { _record "not ok - $CASE: $1 (got $(_one_line "$2"))"; }

# skip WHAT WHY: WHAT could not be checked, because WHY.  Under CI=true a
# failure, unless README.md allows it.
skip() {
	local line
	line="$CASE: $1: $(_one_line "$2")"
	if [ "${CI:-}" = true ] && ! ci_allows_skip "$line"; then
		_record "not ok - $line (got a skip, and CI=true allows none but README.md's \"Skips allowed under CI\")"
	else
		_record "skip - $line"
	fi
}

# ci_allows_skip LINE: true if README.md's "Skips allowed under CI" section
# has a bullet "- `PREFIX`" with LINE ("CASE: WHAT: WHY") starting with
# PREFIX.
ci_allows_skip() {
	local readme prefix
	readme=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/README.md
	while IFS= read -r prefix; do
		[ -n "$prefix" ] && [[ $1 == "$prefix"* ]] && return 0
	done < <(awk '/^#+ Skips allowed under CI/ { on = 1; next } on && /^#/ { exit }
		on && /^- `/ { sub(/^- `/, ""); sub(/`.*/, ""); print }' "$readme")
	return 1
}

# expect_eq WHAT EXPECTED ACTUAL: exact string comparison.
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$3, want $2"; fi
}

# note TEXT: a comment line, not counted.
note() { printf '# %s: %s\n' "$CASE" "$1"; }

# tally FILE: the closing line for the result lines in FILE, "N passed, N
# failed", with ", N skipped" when any check was skipped.  True if none
# failed and at least one passed.
tally() {
	local passed failed skipped
	passed=$(grep -c '^ok ' "$1")
	failed=$(grep -c '^not ok' "$1")
	skipped=$(grep -c '^skip - ' "$1")
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

# CLOSING_RE: an extended regex for tally's closing line (a runner that
# passes a sub-suite's output on turns that line into a comment).
# shellcheck disable=SC2034
CLOSING_RE='^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'
