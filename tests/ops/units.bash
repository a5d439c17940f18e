# shellcheck shell=bash disable=SC2154 # what, units, tmp, dest, top, MAX_EXPOSURE: set by the sourcing script
# Shared by tests/ops/systemd.sh and tests/ops/prune.sh (sourced; not run
# by tests/ops/run.sh, which runs *.sh): the checks' counters and the
# systemd-analyze steps both apply to contrib/systemd's units.
#
# The sourcing script sets, before it sources this file:
#   what   the prefix of its check names ("systemd", "prune timer");
#   units  contrib/systemd;
#   tmp    its own temporary directory (it removes it);
#   dest   "$tmp/dest", the DESTDIR the project is installed into.

passed=0 failed=0
ok() { echo "ok - $what: $1"; passed=$((passed + 1)); }
notok() { echo "not ok - $what: $1${2:+ (got $(printf '%s' "$2" | tr '\n' ' ' | head -c 400))}"; failed=$((failed + 1)); }
# check WHAT WANT GOT
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "'$3', want '$2'"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

# install_units UNIT...: `make install DESTDIR=$dest`, then copies of the
# units in $tmp/units pointed at it ($tmp/broken is for broken copies).
# Finishes the script when the install fails.
install_units() {
	make -s -C "$top" install DESTDIR="$dest" >"$tmp/install.out" 2>&1
	check "make install DESTDIR exits 0" 0 "$?"
	[ "$failed" -eq 0 ] || { sed 's/^/# /' "$tmp/install.out"; finish; }
	mkdir "$tmp/units" "$tmp/broken"
	local u
	for u in "$@"; do
		sed "s|/usr/local/|$dest/usr/local/|g" "$units/$u" >"$tmp/units/$u"
	done
}

# verify UNIT...: systemd-analyze verify's output, with man pages checked
# against the installed ones.  Its exit status is verify's.
verify() {
	(cd "$tmp" && MANPATH=$dest/usr/local/share/man \
		systemd-analyze verify --man=yes "$@" 2>&1)
}
# ours FILE: the lines of FILE about our units (the rest, about the
# system's own units, are shown as comments and do not count).
ours() {
	grep -E "places-fcgi|$tmp" "$1"
	grep -vE "places-fcgi|$tmp" "$1" | sed 's/^/# verify, not ours: /' >&2
}

# verify_units UNIT...: verify is silent about the copies in $tmp/units.
verify_units() {
	local u args=()
	for u in "$@"; do args+=("$tmp/units/$u"); done
	verify "${args[@]}" >"$tmp/verify.out"
	check "systemd-analyze verify exits 0" 0 "$?"
	check "systemd-analyze verify has nothing to say about the units" "" "$(ours "$tmp/verify.out")"
}

# verify_broken PATTERN UNIT...: the copies in $tmp/broken hold three
# faults, and verify names each one (PATTERN matches them), else its
# silence about the good copies would prove nothing.
verify_broken() {
	local pattern=$1 u args=() n
	shift
	for u in "$@"; do args+=("$tmp/broken/$u"); done
	verify "${args[@]}" >"$tmp/broken.out"
	n=$(ours "$tmp/broken.out" 2>/dev/null | grep -ciE "$pattern")
	check "systemd-analyze verify flags a broken copy (3 faults)" 3 "$n"
}

# exposure SERVICE: systemd-analyze security --offline rates the copy of
# SERVICE below MAX_EXPOSURE (its failed rules shown when not).
exposure() {
	local out score
	out=$(cd "$tmp" && systemd-analyze security --offline=true --man=no \
		"$tmp/units/$1" 2>&1)
	score=$(sed -n "s/.*Overall exposure level for $1: \([0-9.]*\).*/\1/p" <<<"$out")
	if [ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s < m) }'; then
		ok "security exposure $score, below $MAX_EXPOSURE"
	else
		notok "security exposure below $MAX_EXPOSURE" "${score:-$(tail -n 3 <<<"$out")}"
		grep '✗' <<<"$out" | sed 's/^/# /'
	fi
}

# key UNIT KEY: the values of KEY= in contrib/systemd's UNIT, one a line.
key() { sed -n "s/^$2=//p" "$units/$1"; }
