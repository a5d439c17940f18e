# The JWT claim and header rules (issue 13 item 1), each judged by the real
# decoders: tests/compat/claims.mjs encrypts every case of
# tests/compat/claims.json under next-auth v4's and @auth/core's keys, asks
# their own decode() and the worker's (build/tests/jwtcheck: lib/jwt.c and
# lib/jwe.c, built by `make compat`), and checks that they agree, or that
# the worker refuses where the table says why it is stricter.

t "JWT claims table against next-auth and @auth/core"
JC="$IT_ROOT/${JWTCHECK:-build/tests/jwtcheck}"
if [ ! -x "$JC" ]; then
	fail "$JC is built (make compat)" "missing"
else
	node "$IT_ROOT/tests/compat/claims.mjs" "$JC" >"$IT_TMP/claims.out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) fail "${line#not ok - }" "disagreement" ;;
		esac
	done <"$IT_TMP/claims.out"
	expect_eq "claims.mjs exit status ($(tail -n 1 "$IT_TMP/claims.out"))" 0 "$rc"
fi
