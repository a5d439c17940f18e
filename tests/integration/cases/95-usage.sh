# places.fcgi --help, -h and --version; bad arguments are usage on stderr
# and exit status 2.  --help must name every environment variable the
# worker reads: the names are taken from the sources (getenv("...") in
# lib/*.c, lib/config.c above all, and cgi/*.c), so the two cannot drift
# apart.

U_BIN=$STATE_DIR/bin/places.fcgi

# usage_run ARGS...: runs the worker with ARGS and an empty environment;
# stdout, stderr and the exit status in $IT_TMP/u.out, u.err, $U_RC.
usage_run() {
	env -i PATH=/usr/bin:/bin "$U_BIN" "$@" </dev/null >"$IT_TMP/u.out" 2>"$IT_TMP/u.err"
	U_RC=$?
}

t "usage: --help"
usage_run --help
expect_eq "exit status" 0 "$U_RC"
expect_eq "first line" "usage: places.fcgi [--help | --version]" "$(head -n 1 "$IT_TMP/u.out")"
expect_eq "nothing on stderr" "" "$(cat "$IT_TMP/u.err")"
VARS=$(grep -ohE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)' "$IT_ROOT"/lib/*.c "$IT_ROOT"/cgi/*.c |
	sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
expect_eq "the sources read some variables" 1 "$([ "$(wc -w <<<"$VARS")" -ge 10 ] && echo 1 || echo 0)"
MISSING=
for V in $VARS; do
	grep -qE "(^|[^A-Z_])$V([^A-Z_]|$)" "$IT_TMP/u.out" || MISSING+="$V "
done
expect_eq "names every variable the sources read ($(wc -w <<<"$VARS"))" "" "$MISSING"
for W in spawn-fcgi multiwatch StandardInput=socket LISTEN_PID SIGTERM SIGUSR1 CGI "default 65536"; do
	if grep -qF -- "$W" "$IT_TMP/u.out"; then pass "mentions $W"; else fail "mentions $W" "not in --help"; fi
done

t "usage: -h"
cp "$IT_TMP/u.out" "$IT_TMP/u.help"
usage_run -h
expect_eq "exit status" 0 "$U_RC"
if cmp -s "$IT_TMP/u.out" "$IT_TMP/u.help"; then pass "same as --help"; else fail "same as --help" "differs"; fi

t "usage: --version"
usage_run --version
expect_eq "exit status" 0 "$U_RC"
if grep -Eq '^places\.fcgi [0-9][^ ]* \(libpq [0-9.]+, json-c [0-9.]+, libsodium [0-9.]+\)$' "$IT_TMP/u.out"; then
	pass "names itself and its libraries"
else
	fail "names itself and its libraries" "$(cat "$IT_TMP/u.out")"
fi

t "usage: bad arguments"
for A in --bogus -x "--help --version" "--help extra" ""; do
	# shellcheck disable=SC2086 # split on purpose; "" is one empty argument
	if [ -n "$A" ]; then usage_run $A; else usage_run ""; fi
	expect_eq "'$A': exit status" 2 "$U_RC"
	expect_eq "'$A': usage on stderr" "usage: places.fcgi [--help | --version]" "$(head -n 1 "$IT_TMP/u.err")"
	expect_eq "'$A': nothing on stdout" "" "$(cat "$IT_TMP/u.out")"
done

t "usage: a CGI request's arguments are not options (RFC 3875, 4.4)"
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	REQUEST_URI='/api/places?--help' QUERY_STRING=--help PLACES_LOG_LEVEL=error \
	"$U_BIN" --help </dev/null >"$IT_TMP/u.out" 2>/dev/null
expect_eq "exit status" 0 "$?"
expect_eq "a CGI answer" "Status: 401 Unauthorized" "$(head -n 1 "$IT_TMP/u.out" | tr -d '\r')"
