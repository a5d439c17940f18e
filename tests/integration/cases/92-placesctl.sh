# tools/placesctl, the admin tool: every command and every error path,
# against the stack's database (DATABASE_URL from stack.env).  Tokens it
# mints go to $IT_TMP/tokens, so 99-logs.sh checks no log holds them.

CTL=$IT_ROOT/tools/placesctl
R=$(rand_hex 4)
# Nothing listens on port 1: "database unavailable" without touching the
# stack's PostgreSQL.
DOWN='host=127.0.0.1 port=1 dbname=x connect_timeout=2'
NMIG=$(find "$IT_ROOT/sql" -maxdepth 1 -name '[0-9][0-9][0-9]_*.sql' | wc -l)

# ctl ARGS...: runs placesctl; sets CTL_RC, output in $IT_TMP/ctl.{out,err}.
ctl() {
	"$CTL" "$@" >"$IT_TMP/ctl.out" 2>"$IT_TMP/ctl.err"
	CTL_RC=$?
}

# ctl_in INPUT ARGS...: ctl with INPUT on stdin.
ctl_in() {
	local input=$1
	shift
	printf '%s' "$input" | "$CTL" "$@" >"$IT_TMP/ctl.out" 2>"$IT_TMP/ctl.err"
	CTL_RC=$?
}

# down ARGS...: ctl against a database that is not there.
down() { DATABASE_URL=$DOWN ctl "$@"; }

_ctl_got() {
	printf 'exit %s, stdout: %s, stderr: %s' "$CTL_RC" \
		"$(head -c 150 "$IT_TMP/ctl.out")" "$(head -c 200 "$IT_TMP/ctl.err")"
}

# expect_rc CODE: placesctl exited with CODE; on 0 it said nothing on
# stderr, else stderr's first line starts with "placesctl: ".
expect_rc() {
	local first
	first=$(head -n 1 "$IT_TMP/ctl.err")
	if [ "$CTL_RC" = "$1" ] && { if [ "$1" = 0 ]; then [ ! -s "$IT_TMP/ctl.err" ]; else [[ $first == "placesctl: "* ]]; fi; }; then
		pass "exit $1"
	else
		fail "exit $1" "$(_ctl_got)"
	fi
}

# expect_out TEXT: stdout is exactly TEXT (final newline aside).
expect_out() {
	expect_eq "stdout $(printf '%s' "$1" | head -n 1)" "$1" "$(cat "$IT_TMP/ctl.out")"
}

# expect_out_re REGEX / expect_err_re REGEX: a line of stdout / stderr
# matches the extended REGEX.
expect_out_re() {
	if LC_ALL=C grep -Eq -- "$1" "$IT_TMP/ctl.out"; then pass "stdout ~ $1"; else fail "stdout ~ $1" "$(_ctl_got)"; fi
}
expect_err_re() {
	if LC_ALL=C grep -Eq -- "$1" "$IT_TMP/ctl.err"; then pass "stderr ~ $1"; else fail "stderr ~ $1" "$(_ctl_got)"; fi
}

# expect_no_token TOKEN...: no whole TOKEN in placesctl's stdout or stderr.
expect_no_token() {
	local tok hits=
	for tok in "$@"; do
		if grep -qF -- "$tok" "$IT_TMP/ctl.out" "$IT_TMP/ctl.err"; then hits+="${tok:0:8}... "; fi
	done
	if [ -z "$hits" ]; then pass "no whole token printed"; else fail "no whole token printed" "$hits"; fi
}

# mint EMAIL [ARGS...]: session new; prints the token and records it.
mint() {
	local tok
	tok=$("$CTL" session new "$@" 2>/dev/null | awk '$1 == "token" { print $2 }')
	[ -n "$tok" ] || return 1
	printf '%s\n' "$tok" >>"$IT_TMP/tokens"
	printf '%s\n' "$tok"
}

# user_id EMAIL: the id of the user with that email.
user_id() { sql "SELECT min(id) FROM users WHERE email = :'e';" e="$1"; }

# session_count EMAIL: sessions of the users with that email.
session_count() {
	sql "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.\"userId\" WHERE u.email = :'e';" e="$1"
}

# --- usage -------------------------------------------------------------------

t "placesctl --help"
ctl --help
expect_rc 0
MISSING=
for w in 'migrate \[--dir SQLDIR\]' 'user add EMAIL' 'session new EMAIL' 'session list EMAIL' \
	'session revoke TOKEN' '--user EMAIL' 'session prune' DATABASE_URL PGHOST DURATION 'Exit status'; do
	grep -Eq -- "$w" "$IT_TMP/ctl.out" || MISSING+="$w; "
done
expect_eq "usage names every command and the environment" "" "$MISSING"
HELP=$(cat "$IT_TMP/ctl.out")

t "placesctl --version: the worker's version (lib/version.h)"
ctl --version
expect_rc 0
expect_eq "placesctl VERSION (libpq ..., libsodium ...)" \
	"placesctl $("$IT_ROOT/cgi/places.fcgi" --version | awk '{ print $2 }')" "$(awk '{ print $1, $2 }' "$IT_TMP/ctl.out")"
expect_out_re '^placesctl [^ ]+ \(libpq [0-9]+\.[0-9]+, libsodium [^ ]+\)$'

t "placesctl -h"
ctl -h
expect_rc 0
expect_eq "same text as --help" "$HELP" "$(cat "$IT_TMP/ctl.out")"

t "placesctl without a command"
ctl
expect_rc 1

t "unknown command"
ctl frobnicate
expect_rc 1
expect_err_re '^placesctl: unknown command'

t "unknown session subcommand"
ctl session frobnicate x
expect_rc 1

t "unknown option"
ctl session prune --bogus x
expect_rc 1

t "too many arguments"
ctl session list a@example.com b@example.com
expect_rc 1

# --- migrate -----------------------------------------------------------------

t "migrate: the repository's migrations are all present"
ctl migrate --dir "$IT_ROOT/sql"
expect_rc 0
expect_out "migrations: 0 applied, $NMIG already present"

t "migrate: default SQLDIR"
SQLDIR=$(sed -n 's/^SQLDIR: default \(.*\), else .*/\1/p' <<<"$HELP")
if [[ $SQLDIR == /*/sql ]]; then pass "--help names the installed SQLDIR"; else fail "--help names the installed SQLDIR" "${SQLDIR:-none}"; fi
# Both branches of the default, whatever is installed on this machine: a
# placesctl built with its installed SQLDIR under $IT_TMP, run as
# FB/tools/placesctl next to FB/sql, a copy of the repository's migrations.
FB=$IT_TMP/ctl-default
mkdir -p "$FB/tools" "$FB/sql"
cp "$IT_ROOT"/sql/[0-9][0-9][0-9]_*.sql "$FB/sql/"
# shellcheck disable=SC2046 # pkg-config's words
if cc -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$IT_ROOT/lib" \
	$(pkg-config --cflags libpq json-c libsodium) -DPLACES_SQLDIR="\"$FB/installed\"" \
	-o "$FB/tools/placesctl" "$IT_ROOT/tools/placesctl.c" "$IT_ROOT/build/libplaces.a" \
	-lfcgi $(pkg-config --libs libpq json-c libsodium) 2>"$IT_TMP/ctl-cc.err"; then
	pass "placesctl built with its SQLDIR in the scratch directory"
else
	fail "placesctl built with its SQLDIR in the scratch directory" "$(head -c 300 "$IT_TMP/ctl-cc.err")"
fi
CTL_SAVED=$CTL CTL=$FB/tools/placesctl
# Not installed: ../sql next to the program.
ctl migrate
expect_rc 0
expect_out "migrations: 0 applied, $NMIG already present"
# Installed: that directory, not ../sql (which would hold one more).
cp -r "$FB/sql" "$FB/installed"
printf 'SELECT 1;\n' >"$FB/sql/999_it_not_installed_$R.sql"
ctl migrate
expect_rc 0
expect_out "migrations: 0 applied, $NMIG already present"
CTL=$CTL_SAVED

MDIR=$IT_TMP/migrations-$R
mkdir -p "$MDIR"
cp "$IT_ROOT"/sql/[0-9][0-9][0-9]_*.sql "$MDIR/"
V1=990_it_ctl_$R
V2=991_it_ctl_$R
V3=992_it_ctl_$R
V4=993_it_ctl_$R
V5=994_it_ctl_$R
printf 'CREATE TABLE it_ctl_%s_a (x int);\nINSERT INTO it_ctl_%s_a VALUES (1);\n' "$R" "$R" >"$MDIR/$V1.sql"

# applied VERSION: 1 if schema_migrations has VERSION, else 0.
applied() { sql "SELECT count(*) FROM schema_migrations WHERE version = :'v';" v="$1"; }

t "migrate: a new migration"
ctl migrate --dir "$MDIR"
expect_rc 0
expect_out "applied $V1
migrations: 1 applied, $NMIG already present"
expect_eq "its table and row exist" 1 "$(sql "SELECT x FROM it_ctl_${R}_a;")"
expect_eq "schema_migrations has it" 1 "$(applied "$V1")"

t "migrate twice: the second applies nothing"
ctl migrate --dir "$MDIR"
expect_rc 0
expect_out "migrations: 0 applied, $((NMIG + 1)) already present"
expect_eq "the migration ran once" 1 "$(sql "SELECT count(*) FROM it_ctl_${R}_a;")"

t "migrate: two runs at once apply a migration once"
# The sleep keeps the first run's transaction open while the second starts.
printf 'CREATE TABLE it_ctl_%s_b (x int);\nSELECT pg_sleep(1);\n' "$R" >"$MDIR/$V2.sql"
"$CTL" migrate --dir "$MDIR" >"$IT_TMP/mig1.out" 2>&1 &
P1=$!
"$CTL" migrate --dir "$MDIR" >"$IT_TMP/mig2.out" 2>&1 &
P2=$!
wait "$P1"
RC1=$?
wait "$P2"
RC2=$?
expect_eq "both exit 0" "0 0" "$RC1 $RC2"
expect_eq "one of them applied it" 1 "$(cat "$IT_TMP/mig1.out" "$IT_TMP/mig2.out" | grep -c "^applied $V2\$")"
expect_eq "the other found it" 1 "$(cat "$IT_TMP/mig1.out" "$IT_TMP/mig2.out" | grep -c "^migrations: 0 applied, $((NMIG + 2)) already present\$")"

t "migrate: a failing migration is rolled back"
printf 'CREATE TABLE it_ctl_%s_c (x int);\nSELECT * FROM it_ctl_no_such_table;\n' "$R" >"$MDIR/$V3.sql"
ctl migrate --dir "$MDIR"
expect_rc 3
expect_err_re "^placesctl: $V3: database error: .*it_ctl_no_such_table"
expect_err_re "^placesctl: stopped at $V3; 0 applied before it\$"
expect_eq "its first statement is undone" "" "$(sql "SELECT to_regclass(:'t');" t="it_ctl_${R}_c")"
expect_eq "no row in schema_migrations" 0 "$(applied "$V3")"
rm -f "$MDIR/$V3.sql"

t "migrate: a file over 1 MiB"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$MDIR/$V4.sql"
ctl migrate --dir "$MDIR"
expect_rc 1
expect_err_re "$V4\\.sql: larger than 1048576 bytes"
expect_eq "no row in schema_migrations" 0 "$(applied "$V4")"

t "migrate: a file of exactly 1 MiB"
head -c $((1024 * 1024)) /dev/zero | tr '\0' ' ' >"$MDIR/$V4.sql"
ctl migrate --dir "$MDIR"
expect_rc 0
expect_out_re "^applied $V4\$"

t "migrate: a file that ends its own transaction"
printf 'COMMIT;\n' >"$MDIR/$V5.sql"
ctl migrate --dir "$MDIR"
expect_rc 3
expect_err_re "^placesctl: $V5: the file ended the transaction"
expect_eq "no row in schema_migrations" 0 "$(applied "$V5")"
rm -f "$MDIR/$V5.sql"

t "migrate: a file with a NUL byte"
printf 'SELECT 1;\0\n' >"$MDIR/$V5.sql"
ctl migrate --dir "$MDIR"
expect_rc 1
expect_err_re 'contains a NUL byte'
rm -f "$MDIR/$V5.sql"

t "migrate: a bad file name stops it before anything is applied"
printf 'CREATE TABLE it_ctl_%s_d (x int);\n' "$R" >"$MDIR/$V5.sql"
printf 'SELECT 1;\n' >"$MDIR/995_bad name.sql"
ctl migrate --dir "$MDIR"
expect_rc 1
expect_err_re 'bad migration file name'
expect_eq "nothing applied" 0 "$(applied "$V5")"
rm -f "$MDIR/$V5.sql" "$MDIR/995_bad name.sql"

t "migrate: no such directory"
ctl migrate --dir "$IT_TMP/no-such-dir"
expect_rc 1

t "migrate: --dir without a value"
ctl migrate --dir
expect_rc 1

sql "DROP TABLE it_ctl_${R}_a, it_ctl_${R}_b;
     DELETE FROM schema_migrations WHERE version IN (:'v1', :'v2', :'v4');" \
	v1="$V1" v2="$V2" v4="$V4" >/dev/null
rm -rf "$MDIR"

# --- user add ----------------------------------------------------------------

EMAIL=it-ctl-$R@example.com

t "user add: a new user"
ctl user add "$EMAIL" --name "CTL Test"
expect_rc 0
expect_out_re "^user $EMAIL added \\(id [0-9]+\\)\$"
expect_eq "stored with its name" "CTL Test" "$(sql "SELECT name FROM users WHERE email = :'e';" e="$EMAIL")"

t "user add: an existing user"
ctl user add "$EMAIL" --name "Someone Else"
expect_rc 0
expect_out_re "^user $EMAIL already exists \\(id [0-9]+\\)\$"
expect_eq "still one user, name unchanged" "1|CTL Test" \
	"$(sql "SELECT count(*), min(name) FROM users WHERE email = :'e';" e="$EMAIL")"

# The worker serialises a JWT user's first insert with an advisory lock on
# the email (lib/stmt.c ST_USER_LOCK); user add must take that same lock,
# or the two could both insert.  Hold it as the worker would, and see
# user add wait for it.
t "user add: waits on the worker's lock for the same email"
LOCKED=it-ctl-lock-$R@example.com
sql "BEGIN; SELECT pg_advisory_xact_lock(hashtext('places-fcgi users.email'),
     hashtext(:'e')); SELECT pg_sleep(3); COMMIT;" e="$LOCKED" >/dev/null &
holder=$!
waiting=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted;")" -ge 1 ] && break
	sleep 0.1
done
ctl user add "$LOCKED" &
adder=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	if [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
	    WHERE l.locktype = 'advisory' AND NOT l.granted
	    AND a.application_name = 'placesctl';")" -ge 1 ]; then
		waiting=1
		break
	fi
	sleep 0.1
done
wait "$adder"
wait "$holder"
expect_eq "placesctl waited on the worker's lock" 1 "$waiting"
expect_eq "then added the user once" 1 "$(sql "SELECT count(*) FROM users WHERE email = :'e';" e="$LOCKED")"

t "user add: without --name"
ctl user add "it-ctl-noname-$R@example.com"
expect_rc 0
expect_eq "name is NULL" t "$(sql "SELECT name IS NULL FROM users WHERE email = :'e';" e="it-ctl-noname-$R@example.com")"

LONG_LOCAL=$(repeat_char $((255 - ${#R} - 12)) a)
t "user add: email of 255 bytes (the limit)"
ctl user add "$LONG_LOCAL$R@example.com"
expect_rc 0

t "user add: email of 256 bytes"
ctl user add "a$LONG_LOCAL$R@example.com"
expect_rc 1
expect_err_re '^placesctl: bad email'

# bad_email WHAT EMAIL: user add refuses EMAIL.
bad_email() {
	t "user add: bad email ($1)"
	ctl user add "$2"
	expect_rc 1
}
bad_email "no @" no-at-sign
bad_email "@ first" @example.com
bad_email "@ last" it-ctl@
bad_email "a space" "a b@example.com"
bad_email "a tab" $'a\tb@example.com'
bad_email "empty" ""
bad_email "not UTF-8" $'\xff@example.com'
bad_email "a C1 control" $'a\xc2\x85b@example.com'

t "user add: name of 256 bytes"
ctl user add "it-ctl-n-$R@example.com" --name "$(repeat_char 256 n)"
expect_rc 1
expect_err_re '^placesctl: bad name'

t "user add: name of 255 bytes (the limit)"
ctl user add "it-ctl-n-$R@example.com" --name "$(repeat_char 255 n)"
expect_rc 0

t "user add: UTF-8 email and name"
ctl user add "it-ctl-zoë-$R@exämple.com" --name "Zoë Ł"
expect_rc 0
expect_eq "stored as given" "Zoë Ł" "$(sql "SELECT name FROM users WHERE email = :'e';" e="it-ctl-zoë-$R@exämple.com")"

t "user add: name with a control character"
ctl user add "it-ctl-c-$R@example.com" --name $'a\tb'
expect_rc 1

t "user add: --name without a value"
ctl user add "it-ctl-c-$R@example.com" --name
expect_rc 1

t "user add: --name twice"
ctl user add "it-ctl-c-$R@example.com" --name a --name b
expect_rc 1

t "user add: no email"
ctl user add
expect_rc 1

t "user add: nothing was added by the failures"
expect_eq "no such user" 0 "$(sql "SELECT count(*) FROM users WHERE email = :'e';" e="it-ctl-c-$R@example.com")"

# --- session new -------------------------------------------------------------

t "session new"
ctl session new "$EMAIL" --ttl 1h
expect_rc 0
expect_eq "two lines" 2 "$(wc -l <"$IT_TMP/ctl.out")"
expect_out_re '^token [0-9a-f]{64}$'
expect_out_re '^expires [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
TOK1=$(awk '$1 == "token" { print $2 }' "$IT_TMP/ctl.out")
EXP1=$(awk '$1 == "expires" { print $2 }' "$IT_TMP/ctl.out")
printf '%s\n' "$TOK1" >>"$IT_TMP/tokens"
expect_eq "stored for the user, expiring as printed, in about an hour" "t|$EXP1" \
	"$(sql "SELECT s.expires BETWEEN now() + interval '59 minutes' AND now() + interval '1 hour',
	               to_char(s.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
	        FROM sessions s JOIN users u ON u.id = s.\"userId\"
	        WHERE s.\"sessionToken\" = :'t' AND u.email = :'e';" t="$TOK1" e="$EMAIL")"

t "session new: the token works against the API"
areq "$TOK1" GET /api/places
expect_status 200

t "session new: the default lifetime is 30 days"
TOK_D=$(mint "$EMAIL")
expect_eq "expires in 30 days" t \
	"$(sql "SELECT expires BETWEEN now() + interval '30 days' - interval '1 minute' AND now() + interval '30 days'
	        FROM sessions WHERE \"sessionToken\" = :'t';" t="$TOK_D")"

t "session new: 3650d (the limit)"
ctl session new "$EMAIL" --ttl 3650d
expect_rc 0
awk '$1 == "token" { print $2 }' "$IT_TMP/ctl.out" >>"$IT_TMP/tokens"

t "session new: 1s (the shortest)"
ctl session new "$EMAIL" --ttl 1s
expect_rc 0
TOK_S=$(awk '$1 == "token" { print $2 }' "$IT_TMP/ctl.out")
printf '%s\n' "$TOK_S" >>"$IT_TMP/tokens"
# Gone at once, so nothing expires while the prune checks below count.
t "session new: 1s, revoked at once"
ctl_in "$TOK_S" session revoke -
expect_rc 0

for d in 0s 3651d 87601h 1x 1 s -1d 1.5h ' 1d' 99999999999d ''; do
	t "session new: bad duration '$d'"
	ctl session new "$EMAIL" --ttl "$d"
	expect_rc 1
	expect_err_re '^placesctl: bad duration'
done

t "session new: unknown user"
ctl session new "it-ctl-nobody-$R@example.com"
expect_rc 2
expect_err_re '^placesctl: no user with email'

t "session new: bad email"
ctl session new "not an email"
expect_rc 1

t "session new: --ttl without a value"
ctl session new "$EMAIL" --ttl
expect_rc 1

t "session new: arguments are checked before the database"
down session new "$EMAIL" --ttl 0s
expect_rc 1

# --- session list ------------------------------------------------------------

LEMAIL=it-ctl-list-$R@example.com
ctl user add "$LEMAIL"
LUID=$(user_id "$LEMAIL")
TOKL=$(mint "$LEMAIL" --ttl 2h)
TOKX=$(mksession "$LUID" '-1 hour')
# A short token from another app: the list must not show it whole either.
SHORT=it$R
sql "INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
     VALUES (:'u', now() + interval '1 hour', :'t');" u="$LUID" t="$SHORT" >/dev/null

t "session list"
ctl session list "$LEMAIL"
expect_rc 0
expect_eq "one line per session" 3 "$(wc -l <"$IT_TMP/ctl.out")"
expect_eq "every line is: id, prefix…, RFC 3339 UTC expiry[, expired]" 0 \
	"$(LC_ALL=C grep -Evc '^[0-9]+ [!-~]{0,8}… [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z( expired)?$' "$IT_TMP/ctl.out")"
expect_no_token "$TOKL" "$TOKX" "$SHORT"
expect_out_re "^[0-9]+ ${TOKL:0:8}… [^ ]+Z\$"
expect_out_re "^[0-9]+ ${TOKX:0:8}… [^ ]+Z expired\$"
expect_out_re "^[0-9]+ ${SHORT:0:5}… [^ ]+Z\$"
expect_eq "expired first (soonest expiry first)" "expired" "$(head -n 1 "$IT_TMP/ctl.out" | awk '{ print $4 }')"

t "session list: a user without sessions"
ctl session list "it-ctl-noname-$R@example.com"
expect_rc 0
expect_out "no sessions for it-ctl-noname-$R@example.com"

t "session list: unknown user"
ctl session list "it-ctl-nobody-$R@example.com"
expect_rc 2

t "session list: bad email"
ctl session list "nobody"
expect_rc 1

t "session list: no email"
ctl session list
expect_rc 1

# --- session revoke ----------------------------------------------------------

t "session revoke TOKEN"
ctl session revoke "$TOK1"
expect_rc 0
expect_out_re '^revoked session [0-9]+$'
expect_no_token "$TOK1"

t "session revoke TOKEN: the API then answers 401"
areq "$TOK1" GET /api/places
expect_401

t "session revoke TOKEN: again"
ctl session revoke "$TOK1"
expect_rc 2
expect_err_re '^placesctl: no session with that token$'
expect_no_token "$TOK1"

t "session revoke: unknown token"
ctl session revoke "$(rand_hex 32)"
expect_rc 2

t "session revoke: a token that starts with '-'"
# A token is the database's to define: NextAuth's are hex or UUIDs, but
# a row may hold anything.  As an argument it reads as an option, which
# is refused without echoing it; after -- it is a token.
TOKD=-$(rand_hex 20)
sql "INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
     VALUES (:'uid', now() + interval '1 hour', :'tok');" uid="$(user_id "$EMAIL")" tok="$TOKD" >/dev/null
ctl session revoke "$TOKD"
expect_rc 1
expect_err_re '^placesctl: unknown option \(not shown'
expect_no_token "${TOKD:1}"
ctl session revoke -- "$TOKD"
expect_rc 0
expect_out_re '^revoked session [0-9]+$'
expect_no_token "${TOKD:1}"

t "session revoke: an error's DETAIL is not printed (it can quote the token)"
# An app's table with a foreign key to the session token: the DELETE
# fails, and PostgreSQL's DETAIL says 'Key ("sessionToken")=(<token>)'.
TOKF=$(rand_hex 32)
sql "CREATE TABLE it_ctl_fk (tok text REFERENCES sessions (\"sessionToken\"));
     INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
     VALUES (:'uid', now() + interval '1 hour', :'tok');
     INSERT INTO it_ctl_fk VALUES (:'tok');" uid="$(user_id "$EMAIL")" tok="$TOKF" >/dev/null
ctl session revoke "$TOKF"
expect_rc 3
expect_err_re '^placesctl: database error: ERROR: .*violates foreign key constraint'
expect_no_token "$TOKF"
expect_eq "no DETAIL line" 0 "$(grep -c 'DETAIL' "$IT_TMP/ctl.err")"
sql "DROP TABLE it_ctl_fk; DELETE FROM sessions WHERE \"sessionToken\" = :'tok';" tok="$TOKF" >/dev/null

t "session revoke -: token from stdin"
TOK2=$(mint "$EMAIL" --ttl 1h)
areq "$TOK2" GET /api/places
expect_status 200
ctl_in "$TOK2"$'\n' session revoke -
expect_rc 0
expect_out_re '^revoked session [0-9]+$'
areq "$TOK2" GET /api/places
expect_401

t "session revoke -: CRLF line ending"
TOK3=$(mint "$EMAIL" --ttl 1h)
ctl_in "$TOK3"$'\r\n' session revoke -
expect_rc 0

t "session revoke -: unknown token"
ctl_in "$(rand_hex 32)" session revoke -
expect_rc 2

t "session revoke -: empty stdin"
ctl_in "" session revoke -
expect_rc 1

t "session revoke -: 256 bytes"
ctl_in "$(repeat_char 256 a)" session revoke -
expect_rc 1

t "session revoke: 255 bytes is a token (unknown)"
ctl session revoke "$(repeat_char 255 a)"
expect_rc 2

t "session revoke: 256 bytes"
ctl session revoke "$(repeat_char 256 a)"
expect_rc 1
expect_err_re '^placesctl: not a session token'

t "session revoke: a token with a space"
ctl session revoke "abc def"
expect_rc 1

t "session revoke: no token"
ctl session revoke
expect_rc 1

t "session revoke: TOKEN and --user together"
ctl session revoke "$(rand_hex 32)" --user "$EMAIL"
expect_rc 1

t "session revoke --user"
VEMAIL=it-ctl-revoke-$R@example.com
ctl user add "$VEMAIL"
TOKV1=$(mint "$VEMAIL")
TOKV2=$(mint "$VEMAIL" --ttl 1d)
mint "$VEMAIL" --ttl 5m >/dev/null
expect_eq "three sessions before" 3 "$(session_count "$VEMAIL")"
ctl session revoke --user "$VEMAIL"
expect_rc 0
expect_out "revoked 3 sessions of $VEMAIL"
expect_eq "none after" 0 "$(session_count "$VEMAIL")"
expect_no_token "$TOKV1" "$TOKV2"
areq "$TOKV1" GET /api/places
expect_401
areq "$TOKV2" GET /api/places
expect_401

t "session revoke --user: no sessions left"
ctl session revoke --user "$VEMAIL"
expect_rc 0
expect_out "revoked 0 sessions of $VEMAIL"

t "session revoke --user: other users keep theirs"
areq "$TOKL" GET /api/places
expect_status 200

t "session revoke --user: unknown user"
ctl session revoke --user "it-ctl-nobody-$R@example.com"
expect_rc 2

t "session revoke --user: bad email"
ctl session revoke --user "nobody"
expect_rc 1

# --- session prune -----------------------------------------------------------

PEMAIL=it-ctl-prune-$R@example.com
ctl user add "$PEMAIL"
PUID=$(user_id "$PEMAIL")
mksession "$PUID" '-1 hour' >/dev/null
mksession "$PUID" '-2 days' >/dev/null
TOKP3=$(mint "$PEMAIL" --ttl 1h)

t "session prune"
EXPIRED=$(sql "SELECT count(*) FROM sessions WHERE expires <= now();")
BEFORE=$(sql "SELECT count(*) FROM sessions;")
ctl session prune
expect_rc 0
expect_out_re '^pruned [0-9]+ expired sessions$'
N=$(awk '{ print $2 }' "$IT_TMP/ctl.out")
AFTER=$(sql "SELECT count(*) FROM sessions;")
expect_eq "prints how many it deleted" "$((BEFORE - AFTER))" "$N"
expect_eq "at least the expired ones counted before" 1 "$((N >= EXPIRED && EXPIRED >= 3))"
expect_eq "this user's expired sessions are gone, the live one is kept" "$TOKP3" \
	"$(sql "SELECT string_agg(\"sessionToken\", ',') FROM sessions WHERE \"userId\" = :'u';" u="$PUID")"
expect_eq "no expired session left" 0 "$(sql "SELECT count(*) FROM sessions WHERE expires <= now() - interval '1 minute';")"
areq "$TOKP3" GET /api/places
expect_status 200

t "session prune: nothing left to prune"
ctl session prune
expect_rc 0
expect_out "pruned 0 expired sessions"

t "session prune: extra argument"
ctl session prune now
expect_rc 1

# --- database down -----------------------------------------------------------

t "database down: migrate"
down migrate --dir "$IT_ROOT/sql"
expect_rc 3
expect_err_re '^placesctl: database unavailable'

t "database down: user add"
down user add "$EMAIL"
expect_rc 3
expect_err_re '^placesctl: database unavailable'

t "database down: session new"
down session new "$EMAIL" --ttl 1h
expect_rc 3
expect_eq "no token printed" "" "$(cat "$IT_TMP/ctl.out")"

t "database down: session list"
down session list "$EMAIL"
expect_rc 3

t "database down: session revoke TOKEN"
down session revoke "$TOKL"
expect_rc 3
expect_no_token "$TOKL"

t "database down: session revoke -"
DATABASE_URL=$DOWN ctl_in "$TOKL" session revoke -
expect_rc 3

t "database down: session revoke --user"
down session revoke --user "$EMAIL"
expect_rc 3

t "database down: session prune"
down session prune
expect_rc 3

t "database down: the token still works (nothing was revoked)"
areq "$TOKL" GET /api/places
expect_status 200
