#!/usr/bin/env bash
# The compat suite: proves tests/compat/adapter.mjs, the adapter oracles
# CLI, on a private PostgreSQL 15 whose TimeZone is not UTC (and a Node
# process whose TZ is not UTC either).  For each preset, in a database of
# its own: the ORM's schema, no drift, users and sessions made, read,
# updated and deleted by the real adapter, timestamps stored as UTC, a
# renewal written in SQL (as the worker writes it) read back by the adapter,
# next-auth v4's and @auth/core's session handling, an expired session
# deleted, drift after a change and after drop.  One node process per
# preset runs all its ops (adapter.mjs ... batch, as a coprocess).
#
# Prints "ok - compat: ..." / "not ok - compat: ..." lines and ends with
# "N passed, N failed"; exits non-zero on any failure.  Needs `make compat`
# (node_modules and the generated Prisma clients): without it, it fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pgbin=/usr/lib/postgresql/15/bin
passed=0 failed=0

ok() {
	echo "ok - compat: $CASE: $1"
	passed=$((passed + 1))
}
nok() {
	echo "not ok - compat: $CASE: $1${2:+ (got $(printf '%s' "$2" | tr -c '\040-\176' '.' | head -c 300))}"
	failed=$((failed + 1))
}
# check WHAT EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "$3, want $2"; fi; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit
}

CASE=setup
# Prisma 7 needs Node.js ^20.19 || ^22.12 || >= 24 (package.json "engines").
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
	process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 24 ? 0 : 1)' 2>/dev/null; then
	nok "Node.js ^20.19 || ^22.12 || >= 24 for Prisma 7" "$(node --version 2>&1)"
	finish
fi
for f in node_modules/.package-lock.json generated/{prisma,prisma-mapped,prisma-legacy}/index.js; do
	if [ ! -e "$here/$f" ]; then
		nok "tests/compat/$f is missing: run make compat"
		finish
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/compat-selftest.XXXXXX") || exit 1
data=$work/pgdata
# PostgreSQL refuses to run as root: then the cluster belongs to postgres.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$work"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -n "${ADAPTER_PID:-}" ] && kill "$ADAPTER_PID" 2>/dev/null
	[ -f "$data/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" stop -m immediate -w -D "$data" >/dev/null 2>&1
	rm -rf -- "$work"
}
trap cleanup EXIT

# A unix socket in $work only (listen_addresses=''): no port to collide on.
# Pacific/Chatham is UTC+12:45 or +13:45, so a missed conversion shows.
if ! as_pg "$pgbin/initdb" -D "$data" --auth=trust -U postgres -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
	! as_pg "$pgbin/pg_ctl" start -w -t 60 -D "$data" -l "$work/postgres.log" \
		-o "-c listen_addresses='' -c unix_socket_directories=$work -c port=5432 -c fsync=off -c timezone=Pacific/Chatham" \
		>/dev/null 2>&1; then
	nok "private PostgreSQL did not start" "$(tail -n 3 "$work/postgres.log" "$work/initdb.log" 2>/dev/null)"
	finish
fi
export PGHOST=$work PGPORT=5432 PGUSER=postgres
unset DATABASE_URL PGPASSWORD
export TZ=America/Sao_Paulo
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "$1" 2>&1; }

# --- the batch coprocess -----------------------------------------------------

export ADAPTER_STDERR=$work/node.err
# shellcheck source=tests/compat/adapter-batch.sh
. "$here/adapter-batch.sh"
start() { adapter_start "$@"; }
op() {
	adapter_op "$1"
	R=$ADAPTER_REPLY
}
stop() { adapter_stop; }
# j FILTER: jq -c FILTER on the last answer.
j() { jq -c "$1" <<<"$R" 2>&1; }
# expect WHAT FILTER: the last answer is ok and FILTER is true on it.
expect() {
	if [ "$(j '.ok')" != true ]; then nok "$1" "$(j '.error')"
	elif [ "$(j "$2")" = true ]; then ok "$1"
	else nok "$1" "$(j '.result')"; fi
}

# --- one preset --------------------------------------------------------------

# The session table and its token column, and the expression for its
# expires column as UTC text.
session_table() {
	case $1 in
	pg) echo 'sessions "sessionToken"' ;;
	prisma-mapped) echo 'sessions session_token' ;;
	drizzle) echo '"session" "sessionToken"' ;;
	*) echo '"Session" "sessionToken"' ;;
	esac
}
UTC_TEXT="to_char(CASE WHEN pg_typeof(expires) = 'timestamptz'::regtype
	THEN (expires::timestamptz AT TIME ZONE 'UTC') ELSE expires::timestamp END, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

run_preset() {
	local p=$1 table tokcol uid email e1 e2 t1 t2 t3 renewed now
	CASE=$p
	export PGDATABASE=compat_${p//-/_}
	if ! psql -X -q -d postgres -c "CREATE DATABASE $PGDATABASE" >/dev/null 2>&1; then
		nok "CREATE DATABASE $PGDATABASE"
		return
	fi
	read -r table tokcol <<<"$(session_table "$p")"
	email="user-$p@example.com"
	start "$p"

	op '{"op":"schema"}'
	expect "schema makes the ORM's tables" '.result.created | length >= 4'
	op '{"op":"drift"}'
	expect "no drift right after schema" '.result.drift == false and .result.differences == []'
	if [ "$p" = drizzle ]; then
		expect "drizzle-kit proposes no statement" '.result.drizzleKit.statements == []'
	fi

	op "{\"op\":\"create-user\",\"email\":\"$email\",\"name\":\"Compat\"}"
	expect "create-user" ".result.email == \"$email\" and .result.id != null"
	uid=$(j '.result.id')
	op "{\"op\":\"get-user\",\"id\":$uid}"
	expect "get-user" ".result.id == $uid and .result.name == \"Compat\""
	op "{\"op\":\"get-user-by-email\",\"email\":\"$email\"}"
	expect "get-user-by-email" ".result.id == $uid"
	op "{\"op\":\"update-user\",\"id\":$uid,\"name\":\"Renamed\"}"
	op "{\"op\":\"get-user\",\"id\":$uid}"
	expect "update-user, read back" '.result.name == "Renamed"'

	# Millisecond instants: what every adapter keeps (TIMESTAMP(3) is the
	# narrowest column).
	e1=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%S.123Z)
	e2=$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%S.456Z)
	t1=$(cat /proc/sys/kernel/random/uuid) t2=$(cat /proc/sys/kernel/random/uuid) t3=$(cat /proc/sys/kernel/random/uuid)
	op "{\"op\":\"create-session\",\"userId\":$uid,\"sessionToken\":\"$t1\",\"expires\":\"$e1\"}"
	expect "create-session" ".result.sessionToken == \"$t1\" and .result.expires == \"$e1\""
	op "{\"op\":\"get-session-and-user\",\"sessionToken\":\"$t1\"}"
	expect "get-session-and-user" ".result.session.expires == \"$e1\" and .result.user.id == $uid"
	check "expires is stored as UTC on a server in Pacific/Chatham" "$e1" \
		"$(sql "SELECT $UTC_TEXT FROM $table WHERE $tokcol = '$t1'")"

	op "{\"op\":\"update-session\",\"sessionToken\":\"$t1\",\"expires\":\"$e2\"}"
	op "{\"op\":\"get-session-and-user\",\"sessionToken\":\"$t1\"}"
	expect "update-session, read back" ".result.session.expires == \"$e2\""

	# A renewal written in SQL as the worker writes it (now + 30 days, in UTC
	# for a column without time zone), read back by the adapter.
	sql "UPDATE $table SET expires = CASE WHEN pg_typeof(expires) = 'timestamptz'::regtype
		THEN now() + interval '30 days' ELSE (now() AT TIME ZONE 'UTC') + interval '30 days' END
		WHERE $tokcol = '$t1'" >/dev/null
	now=$(date +%s)
	op "{\"op\":\"get-session-and-user\",\"sessionToken\":\"$t1\"}"
	renewed=$(jq -r '.result.session.expires // empty' <<<"$R")
	renewed=$(date -u -d "$renewed" +%s 2>/dev/null || echo 0)
	if [ $((renewed - now - 2592000)) -ge -5 ] && [ $((renewed - now - 2592000)) -le 5 ]; then
		ok "a renewal written in SQL reads back through the adapter as now + 30 days"
	else
		nok "a renewal written in SQL reads back through the adapter as now + 30 days" "$R"
	fi

	op "{\"op\":\"server-session\",\"sessionToken\":\"$t1\"}"
	expect "next-auth v4 getServerSession: a session" ".result.session.user.email == \"$email\""
	op "{\"op\":\"server-session\",\"sessionToken\":\"$t1\",\"core\":\"v5\"}"
	expect "@auth/core session route: a session" ".result.session.user.email == \"$email\""

	op "{\"op\":\"create-session\",\"userId\":$uid,\"sessionToken\":\"$t2\",\"expiresIn\":-60}"
	op "{\"op\":\"server-session\",\"sessionToken\":\"$t2\"}"
	expect "an expired session: no session" '.result.session == null'
	op "{\"op\":\"get-session-and-user\",\"sessionToken\":\"$t2\"}"
	expect "an expired session: next-auth deleted it" '.result == null'

	op "{\"op\":\"delete-session\",\"sessionToken\":\"$t1\"}"
	op "{\"op\":\"get-session-and-user\",\"sessionToken\":\"$t1\"}"
	expect "delete-session" '.result == null'
	op "{\"op\":\"server-session\",\"sessionToken\":\"$t1\",\"core\":\"v5\"}"
	expect "a deleted session: no session (@auth/core)" '.result.session == null'

	op "{\"op\":\"create-session\",\"userId\":$uid,\"sessionToken\":\"$t3\"}"
	op "{\"op\":\"delete-user\",\"id\":$uid}"
	op "{\"op\":\"get-user\",\"id\":$uid}"
	expect "delete-user" '.result == null'
	op "{\"op\":\"get-session-and-user\",\"sessionToken\":\"$t3\"}"
	expect "delete-user takes the user's sessions" '.result == null'

	op '{"op":"drift"}'
	expect "no drift after all that data" '.result.drift == false'
	sql "CREATE TABLE places (id int); CREATE INDEX extra_idx ON $table (expires)" >/dev/null
	op '{"op":"drift"}'
	expect "drift: an extra table and index are found" \
		'.result.drift == true and ([.result.differences[] | select(.database != null and .expected == null) | .kind] | sort) == ["column","index","relation"]'
	if [ "$p" = drizzle ]; then
		expect "drift: drizzle-kit would drop them" '.result.drizzleKit.statements | map(test("DROP")) | any'
	fi
	op '{"op":"drop"}'
	expect "drop" '.result.dropped | length >= 4'
	op '{"op":"drift"}'
	expect "drift after drop: every table missing" \
		'.result.drift == true and ([.result.differences[] | select(.kind == "relation" and .database == null)] | length >= 4)'
	op '{"op":"no-such-op"}'
	check "an unknown op is answered with ok false" false "$(j '.ok')"
	stop
	check "the batch exits 1 after a failed op" 1 "$?"
}

# The same, briefly, in a schema of the app's own (--schema).
run_schema_option() {
	local p=prisma s=app_auth uid t
	CASE="$p --schema $s"
	export PGDATABASE=compat_schema_option
	psql -X -q -d postgres -c "CREATE DATABASE $PGDATABASE" >/dev/null 2>&1 || { nok "CREATE DATABASE"; return; }
	start "$p" --schema "$s"
	op '{"op":"schema"}'
	expect "schema in $s" '.result.schema == "app_auth"'
	check "the tables are in $s, none in public" "5 0" \
		"$(sql "SELECT count(*) FILTER (WHERE table_schema = '$s') || ' ' || count(*) FILTER (WHERE table_schema = 'public') FROM information_schema.tables")"
	op '{"op":"drift"}'
	expect "no drift in $s" '.result.drift == false'
	op '{"op":"create-user","email":"s@example.com"}'
	uid=$(j '.result.id')
	t=$(cat /proc/sys/kernel/random/uuid)
	op "{\"op\":\"create-session\",\"userId\":$uid,\"sessionToken\":\"$t\"}"
	op "{\"op\":\"server-session\",\"sessionToken\":\"$t\"}"
	expect "a session in $s" '.result.session.user.email == "s@example.com"'
	check "the session row is in $s" 1 "$(sql "SELECT count(*) FROM $s.\"Session\"")"
	stop
}

CASE=cli
out=$(node "$here/adapter.mjs" nope ddl 2>&1)
check "an unknown preset exits 1" 1 "$?"
out=$(node "$here/adapter.mjs" --schema 'a;b' pg ddl 2>&1)
check "a --schema that is not a plain identifier exits 1" 1 "$?"
out=$(node "$here/adapter.mjs" kysely ddl)
check "ddl needs no database" true "$(jq '.sql | test("create table \"Session\"")' <<<"$out" 2>&1)"

for p in pg prisma prisma-mapped prisma-legacy drizzle kysely; do
	start_s=$SECONDS
	run_preset "$p"
	echo "# compat: $p took $((SECONDS - start_s)) s"
done
run_schema_option

if [ -s "$work/node.err" ]; then
	echo "# adapter.mjs stderr:"
	sed 's/^/#   /' "$work/node.err" | head -n 20
fi
finish
