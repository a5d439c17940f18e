# The README's own command lines, run as written against this run's stack,
# so that they cannot drift from what the tools do: every indented line of
# README.md that starts with "tools/placesctl " or "curl " (Quick start,
# Sessions: what a reader types after `make run`).  They run where a
# checkout would have them, $RD/tools/placesctl beside $RD/.run/stack.env
# (this stack's), with no DATABASE_URL or PG* variable in the environment:
# placesctl must find the local stack by itself, as after `make run`.  The
# README's placeholders become real values: http://127.0.0.1:8080 this
# stack's BASE_URL, <demo token> a token of demo@example.com, 3f9c... the
# token `session new` printed (token.txt holds it too).
#
# Each line needs its entry in expected() below; a README line without one
# is a failure, so a command added to the README gets checked too.

RD=$IT_TMP/readme
mkdir -p "$RD/tools" "$RD/.run"
cp "$IT_ROOT/tools/placesctl" "$RD/tools/"
cp "$STATE_DIR/stack.env" "$RD/.run/stack.env"

# expected LINE: an extended regex every line of LINE's output must match
# (and there must be one); false for a line this case does not know.
expected() {
	case $1 in
	"curl -s -H 'Authorization: Bearer <demo token>' http://127.0.0.1:8080/api/places") echo '^\[.*\]$' ;;
	"curl -H 'Authorization: Bearer 3f9c...' http://127.0.0.1:8080/api/places") echo '^\[.*\]$' ;;
	"tools/placesctl user add alice@example.com --name Alice") echo '^user alice@example\.com (added|already exists) \(id [0-9]+\)$' ;;
	"tools/placesctl session new alice@example.com --ttl 1d") echo '^(token [0-9a-f]{64}|expires [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z)$' ;;
	"tools/placesctl session list alice@example.com") echo '^[0-9]+ [!-~]{1,8}… [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z( expired)?$' ;;
	"tools/placesctl session revoke - <token.txt"*) echo '^revoked session [0-9]+$' ;;
	"tools/placesctl session revoke --user alice@example.com") echo '^revoked [0-9]+ sessions of alice@example\.com$' ;;
	"tools/placesctl session prune"*) echo '^pruned [0-9]+ expired sessions?$' ;;
	*) return 1 ;;
	esac
}

# readme_run LINE: runs LINE (placeholders replaced) in $RD without a
# database in the environment; output in $RD/out, exit status in RC.
readme_run() {
	local cmd=$1
	cmd=${cmd//http:\/\/127.0.0.1:8080/$BASE_URL}
	cmd=${cmd//<demo token>/$DEMO_TOKEN}
	cmd=${cmd//3f9c.../$ALICE_TOKEN}
	(cd "$RD" && env -u DATABASE_URL -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
		bash -c "$cmd") >"$RD/out" 2>"$RD/err"
	RC=$?
}

# The demo user `make run` creates, and its token.
t "README: set-up"
(cd "$RD" && env -u DATABASE_URL -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
	tools/placesctl user add demo@example.com) >"$RD/out" 2>&1
expect_eq "placesctl finds the local stack: demo user" 0 "$?"
DEMO_TOKEN=$(cd "$RD" && env -u DATABASE_URL -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
	tools/placesctl session new demo@example.com | awk '$1 == "token" { print $2 }')
printf '%s\n' "$DEMO_TOKEN" >>"$IT_TMP/tokens"
expect_eq "a demo token" 64 "${#DEMO_TOKEN}"
ALICE_TOKEN=

mapfile -t LINES < <(sed -n 's/^    \(tools\/placesctl .*\|curl .*\)$/\1/p' "$IT_ROOT/README.md")
t "README: its command lines"
if [ "${#LINES[@]}" -ge 8 ]; then pass "${#LINES[@]} command lines found"; else fail "8 or more command lines found" "${#LINES[@]}"; fi
for line in "${LINES[@]}"; do
	t "README: $line"
	if ! re=$(expected "$line"); then
		fail "an expectation in 91-readme.sh" "none for this line"
		continue
	fi
	readme_run "$line"
	expect_eq "exit status" 0 "$RC"
	bad=$(LC_ALL=C.UTF-8 grep -Evc -- "$re" "$RD/out")
	if [ -s "$RD/out" ] && [ "$bad" = 0 ]; then
		pass "output ~ $re"
	else
		fail "output ~ $re" "$(head -c 200 "$RD/out") $(head -c 200 "$RD/err")"
	fi
	case $line in
	*"session new"*)
		ALICE_TOKEN=$(awk '$1 == "token" { print $2 }' "$RD/out")
		printf '%s\n' "$ALICE_TOKEN" >>"$IT_TMP/tokens"
		printf '%s\n' "$ALICE_TOKEN" >"$RD/token.txt"
		;;
	"curl -s -H 'Authorization: Bearer <demo token>' "*)
		# "The same curl without the header gets the 401."
		readme_run "curl -s http://127.0.0.1:8080/api/places"
		expect_eq "without the header: the 401" '{"status":"Not authorized"}' "$(cat "$RD/out")"
		;;
	esac
done

t "placesctl: the environment's database before the local stack's"
(cd "$RD" && env -u DATABASE_URL PGHOST=/nonexistent PGCONNECT_TIMEOUT=2 \
	tools/placesctl session list demo@example.com) >"$RD/out" 2>"$RD/err"
expect_eq "PGHOST set: exit 3, stack.env not read" 3 "$?"
(cd "$RD" && DATABASE_URL='host=127.0.0.1 port=1 connect_timeout=2' \
	tools/placesctl session list demo@example.com) >"$RD/out" 2>"$RD/err"
expect_eq "DATABASE_URL set: exit 3, stack.env not read" 3 "$?"
