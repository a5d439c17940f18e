#!/bin/bash
# The presets suite (issue 10): the worker on each NextAuth adapter's own
# tables, through the real chain (nginx -> spawn-fcgi -> worker ->
# PostgreSQL), on a server whose TimeZone is not UTC.
#
#   bash tests/integration/presets.sh        # a throwaway stack, removed after
#
# For each preset the app's tables are made AS ITS ORM MAKES THEM and filled
# by the REAL adapter, both through tests/compat/adapter.mjs (the adapter
# oracles: @auth/pg-adapter, @auth/prisma-adapter, @next-auth/prisma-adapter,
# @auth/drizzle-adapter, @auth/kysely-adapter).  Then `placesctl migrate`
# adds the worker's tables (checked: public unchanged, no drift), the
# workers restart with PLACES_AUTH_SCHEMA, and the checks run: valid 200,
# expiring within the hour 200 (the time zone trap), expired 401 and
# deleted, renewed (read back through the adapter as now + maxAge), updated
# and deleted by the adapter (401 at once), the user deleted, create /
# patch / delete with ownership (403), author=me, a v4 JWT whose sub is the
# user (the same author) and one without a users row (the worker's own
# author record, the email as author).  Then: renamed tables and columns in
# a schema of their own (the PLACES_AUTH_* overrides), a JWT-only
# deployment (PLACES_AUTH_SCHEMA=none), the start-up check's refusals,
# placesctl migrate --print, adoption of the pg adapter's tables and the
# upgrade of a v1 database.
#
# One stack for all of it: between presets the workers are stopped, the
# database is emptied, and the workers come back with the next preset's
# environment (tools/stack.sh pool-stop / pool-start).
#
# ADAPTER_DIR: where adapter.mjs and its node_modules are (default
# tests/compat).  Without them every check that needs the adapters fails.
# PRESETS: some of "pg prisma prisma-legacy drizzle kysely prisma-mapped
# more" (default
# all; more: the overrides, none, the refusals, the v1 upgrade).

set -u

here=$(cd "$(dirname "$0")" && pwd)
IT_ROOT=$(cd "$here/../.." && pwd)
stack=$IT_ROOT/tools/stack.sh
ADAPTER_DIR=${ADAPTER_DIR:-$IT_ROOT/tests/compat}
CTL=$IT_ROOT/tools/placesctl
# A time zone far from UTC, with DST: off by 12 or 13 hours if mishandled.
TZ_SERVER=Pacific/Auckland
MAX_AGE=2592000

DIR=$(mktemp -d /tmp/places-pr.XXXXXX) || exit 1
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/places-pr-tmp.XXXXXX") || exit 1
started=0
cleanup() {
	[ "$started" = 1 ] && "$stack" stop "$DIR" >/dev/null 2>&1
	rm -rf "$DIR" "$IT_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export NEXTAUTH_SECRET="pr-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Auth.js v5 (where the worker reads it): its own secret.
export AUTH_SECRET="pr5-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
if ! bash "$stack" start "$DIR" >"$IT_TMP/start.log" 2>&1; then
	cat "$IT_TMP/start.log" >&2
	echo "not ok - presets: the stack starts"
	echo "0 passed, 1 failed"
	exit 1
fi
started=1
set -a
# shellcheck disable=SC1091
. "$DIR/stack.env"
set +a
export IT_ROOT IT_TMP
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=../compat/adapter-batch.sh
[ -f "$ADAPTER_DIR/adapter-batch.sh" ] && . "$ADAPTER_DIR/adapter-batch.sh"

# --- helpers -----------------------------------------------------------------

# ad [--schema S] PRESET OP [JSON]: the adapter oracle.
ad() { node "$ADAPTER_DIR/adapter.mjs" "$@"; }
# jwt_cookie ARGS...: a next-auth v4 session cookie from next-auth's encode().
jwt_cookie() { node "$ADAPTER_DIR/nextauth.mjs" jwt --secret "$NEXTAUTH_SECRET" "$@" | jq -r .cookieHeader; }
# jwt5_cookie ARGS...: an Auth.js v5 session cookie from @auth/core's
# encode() (tests/compat/authjs.mjs), or nothing without that oracle.
jwt5_cookie() {
	[ -f "$ADAPTER_DIR/authjs.mjs" ] || return 1
	node "$ADAPTER_DIR/authjs.mjs" mint --secret "$AUTH_SECRET" "$@" | jq -r .cookieHeader
}
# many_cookies N BYTES: N cookies "cK=<BYTES a's>" joined by "; " (a
# browser keeps up to 180 per host and sends them all).
many_cookies() {
	local i v out=''
	v=$(head -c "$2" /dev/zero | tr '\0' 'a')
	for ((i = 0; i < $1; i++)); do out+="c$i=$v; "; done
	printf '%s' "${out%; }"
}
# creq COOKIE METHOD PATH [CURL-ARGS]: a request with a Cookie header.
creq() { local c=$1; shift; req "$1" "$2" -H "Cookie: $c" "${@:3}"; }
# jcreq COOKIE METHOD PATH JSON: creq with a JSON body (same origin).
jcreq() {
	creq "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"
}
# ctl ARGS...: placesctl on this database, with the preset's environment.
ctl() { env DATABASE_URL="$DATABASE_URL" "${PENV[@]}" "$CTL" "$@"; }
# dbsql QUERY: psql as the places role (UTC output for the checks).
dbsql() { PGTZ=UTC sql "$@"; }

# The preset environment of the current run (PLACES_AUTH_*, PLACES_SCHEMA).
PENV=()

# workers_restart: the workers again, with PENV instead of the PLACES_AUTH_*
# and PLACES_SCHEMA they had (the stack keeps their environment in
# run/worker.env, NUL-separated, for pool-start).  True once nginx gets an
# answer from them.
workers_restart() {
	local envf=$DIR/run/worker.env i
	"$stack" pool-stop "$DIR" 1 >/dev/null 2>&1
	{
		tr '\0' '\n' <"$envf" | grep -Ev '^(PLACES_AUTH_[A-Z_]*|PLACES_SCHEMA)=' | tr '\n' '\0'
		for i in "${PENV[@]}"; do printf '%s\0' "$i"; done
	} >"$envf.new" && cat "$envf.new" >"$envf" && rm -f "$envf.new"
	"$stack" pool-start "$DIR" 1 >"$IT_TMP/pool.log" 2>&1 || return 1
	for i in $(seq 1 50); do
		req GET /api/places
		[ "$STATUS" = 401 ] && return 0
		sleep 0.1
	done
	return 1
}

# db_reset: an empty database (the app's and the worker's schemas gone).
db_reset() {
	"$stack" pool-stop "$DIR" 1 >/dev/null 2>&1
	dbsql "DROP SCHEMA IF EXISTS places CASCADE; DROP SCHEMA IF EXISTS auth CASCADE;
	       DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
}

# app_catalog SCHEMA: every column, constraint and index of the schema.
app_catalog() {
	dbsql "SELECT string_agg(x, E'\n' ORDER BY x) FROM (
	         SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
	           || ' ' || coalesce(column_default, '') AS x
	         FROM information_schema.columns WHERE table_schema = :'s'
	         UNION ALL SELECT 'con ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid)
	         FROM pg_constraint WHERE connamespace = :'s'::regnamespace
	         UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = :'s') s;" s="$1"
}

# ad_ok PRESET OP JSON VAR: an adapter op, sent to the preset's batch
# process (adapter_start; a node start per op would cost a second), its
# JSON result into VAR; a failure is a failed check.
ad_ok() {
	if adapter_op "$(jq -c --arg op "$2" '{op: $op} + .' <<<"$3")"; then
		printf -v "$4" '%s' "$(jq -c .result <<<"$ADAPTER_REPLY")"
	else
		fail "adapter $1 $2" "$(head -c 300 <<<"$ADAPTER_REPLY")"
		printf -v "$4" '%s' 'null'
	fi
}
AD_SCHEMA=()

# near_max_age ISO: true when ISO is now + maxAge, within 5 minutes.
near_max_age() {
	local t now
	t=$(date -u -d "$1" +%s 2>/dev/null) || return 1
	now=$(date -u +%s)
	[ $((t - now - MAX_AGE)) -lt 300 ] && [ $((t - now - MAX_AGE)) -gt -300 ]
}

# --- one preset ----------------------------------------------------------------

# preset_checks LABEL ADAPTER: the request checks, the app's tables already
# made and the workers running with PENV.
preset_checks() {
	local label=$1 a=$2 ua ub uid_a uid_b s tok_a tok_b tok_soon tok_old tok_upd tok_del
	local pid out email_a email_b jwt uc ud tok_c tok_d c sub
	email_a="a-$(rand_hex 4)@example.com"
	email_b="b-$(rand_hex 4)@example.com"
	t "$label: adapter users"
	ad_ok "$a" create-user "{\"email\":\"$email_a\",\"name\":\"A\"}" ua
	ad_ok "$a" create-user "{\"email\":\"$email_b\",\"name\":\"B\"}" ub
	uid_a=$(jq -r .id <<<"$ua")
	uid_b=$(jq -r .id <<<"$ub")
	if [ -n "$uid_a" ] && [ "$uid_a" != null ]; then pass "user A made by the adapter ($uid_a)"; else fail "user A" "$ua"; fi

	# Sessions as next-auth makes them: valid (30 days), expiring within the
	# hour (a timestamp column read in Auckland time would call it expired),
	# expired an hour ago.
	ad_ok "$a" create-session "{\"userId\":\"$uid_a\"}" s; tok_a=$(jq -r .sessionToken <<<"$s")
	ad_ok "$a" create-session "{\"userId\":\"$uid_b\"}" s; tok_b=$(jq -r .sessionToken <<<"$s")
	ad_ok "$a" create-session "{\"userId\":\"$uid_a\",\"expiresIn\":3000}" s; tok_soon=$(jq -r .sessionToken <<<"$s")
	ad_ok "$a" create-session "{\"userId\":\"$uid_a\",\"expiresIn\":-3600}" s; tok_old=$(jq -r .sessionToken <<<"$s")
	ad_ok "$a" create-session "{\"userId\":\"$uid_a\"}" s; tok_upd=$(jq -r .sessionToken <<<"$s")
	ad_ok "$a" create-session "{\"userId\":\"$uid_a\"}" s; tok_del=$(jq -r .sessionToken <<<"$s")
	printf '%s\n' "$tok_a" "$tok_b" "$tok_soon" "$tok_old" "$tok_upd" "$tok_del" >>"$IT_TMP/tokens"

	t "$label: valid session"
	areq "$tok_a" GET /api/places
	expect_status 200
	t "$label: session expiring in 50 minutes (server TimeZone $TZ_SERVER)"
	areq "$tok_soon" GET /api/places
	expect_status 200
	t "$label: renewal read back by the adapter"
	ad_ok "$a" get-session-and-user "{\"sessionToken\":\"$tok_soon\"}" out
	if near_max_age "$(jq -r .session.expires <<<"$out")"; then
		pass "expires = now + maxAge as the adapter reads it"
	else
		fail "expires = now + maxAge as the adapter reads it" "$(jq -c .session.expires <<<"$out"), now $(date -u +%FT%TZ)"
	fi
	expect_eq "the adapter's user is A" "$uid_a" "$(jq -r .user.id <<<"$out")"
	t "$label: expired session"
	areq "$tok_old" GET /api/places
	expect_status 401
	ad_ok "$a" get-session-and-user "{\"sessionToken\":\"$tok_old\"}" out
	expect_eq "deleted: the adapter finds no session" null "$out"
	t "$label: the adapter moves expires into the past"
	areq "$tok_upd" GET /api/places
	expect_status 200
	ad_ok "$a" update-session "{\"sessionToken\":\"$tok_upd\",\"expiresIn\":-60}" out
	areq "$tok_upd" GET /api/places
	expect_status 401
	t "$label: sign-out (the adapter deletes the session)"
	areq "$tok_del" GET /api/places
	expect_status 200
	ad_ok "$a" delete-session "{\"sessionToken\":\"$tok_del\"}" out
	areq "$tok_del" GET /api/places
	expect_status 401
	t "$label: the same cookie as the browser sends it"
	creq "next-auth.session-token=$tok_a" GET /api/places
	expect_status 200
	t "$label: the session cookie among 170 others, as a browser sends them"
	creq "$(many_cookies 170 130); next-auth.session-token=$tok_a" GET /api/places
	expect_status 200

	t "$label: create, ownership, author=me"
	jreq "$tok_a" POST /api/places '{"name":"Preset place","location":"Here"}'
	expect_status 201
	pid=$(jq -r .id "$IT_TMP/body")
	areq "$tok_a" GET "/api/places/$pid"
	expect_json ".author == \"$email_a\""
	jreq "$tok_b" PATCH "/api/places/$pid" '{"name":"Not yours"}'
	expect_status 403
	areq "$tok_b" DELETE "/api/places/$pid"
	expect_status 403
	jreq "$tok_a" PATCH "/api/places/$pid" '{"name":"Renamed"}'
	expect_status 200
	expect_json '.name == "Renamed"'
	areq "$tok_a" GET '/api/places?author=me'
	expect_status 200
	expect_json "length == 1 and .[0].id == \"$pid\""
	areq "$tok_b" GET '/api/places?author=me'
	expect_json 'length == 0'
	areq "$tok_b" GET "/api/places/$pid"
	expect_status 200
	expect_json ".author == \"$email_a\""

	t "$label: a v4 JWT whose sub is user A: the same author"
	jwt=$(jwt_cookie --email "$email_a" --sub "$uid_a")
	creq "$jwt" GET '/api/places?author=me'
	expect_status 200
	expect_json "length == 1 and .[0].id == \"$pid\""
	jcreq "$jwt" PATCH "/api/places/$pid" '{"description":"via JWT"}'
	expect_status 200
	t "$label: a v4 JWT with no users row: the worker's own author"
	sub="jwt-$(rand_hex 6)"
	jwt=$(jwt_cookie --email "j-$sub@example.com" --sub "$sub")
	jcreq "$jwt" POST /api/places '{"name":"JWT place","location":"There"}'
	expect_status 201
	c=$(jq -r .id "$IT_TMP/body")
	creq "$jwt" GET "/api/places/$c"
	expect_json ".author == \"j-$sub@example.com\""
	creq "$jwt" DELETE "/api/places/$pid"
	expect_status 403
	t "$label: an Auth.js v5 JWT whose sub is user A: the same author"
	if jwt=$(jwt5_cookie --email "$email_a" --sub "$uid_a"); then
		creq "$jwt" GET '/api/places?author=me'
		expect_status 200
		expect_json "length == 1 and .[0].id == \"$pid\""
	else
		fail "minted by @auth/core's encode()" "no cookie from tests/compat/authjs.mjs (make compat)"
	fi
	t "$label: the same sub with a new email keeps its places"
	jwt=$(jwt_cookie --email "k-$sub@example.com" --sub "$sub")
	creq "$jwt" GET '/api/places?author=me'
	expect_json "length == 1 and .[0].id == \"$c\" and .[0].author == \"k-$sub@example.com\""
	t "$label: the old email with another sub owns nothing"
	jwt=$(jwt_cookie --email "j-$sub@example.com" --sub "other-$sub")
	creq "$jwt" GET '/api/places?author=me'
	expect_json 'length == 0'
	creq "$jwt" DELETE "/api/places/$c"
	expect_status 403
	expect_eq "no users row made for JWT callers" 2 \
		"$(dbsql "SELECT count(*) FROM $APP_SCHEMA.$USERS_TABLE;")"

	t "$label: the adapter changes A's email"
	ad_ok "$a" update-user "{\"id\":\"$uid_a\",\"email\":\"new-$email_a\"}" out
	areq "$tok_a" GET "/api/places/$pid"
	expect_json ".author == \"new-$email_a\""
	t "$label: the adapter deletes user A"
	ad_ok "$a" delete-user "{\"id\":\"$uid_a\"}" out
	areq "$tok_a" GET /api/places
	expect_status 401
	areq "$tok_b" GET "/api/places/$pid"
	expect_status 404
	areq "$tok_a" DELETE "/api/places/$pid"
	expect_status 401
	areq "$tok_b" DELETE "/api/places/$pid"
	expect_status 404
}

# preset_run ADAPTER-PRESET WORKER-PRESET USERS-TABLE [SCHEMA [VAR=VALUE...]]:
# the whole round, the app's tables in SCHEMA (default public), the worker
# and placesctl with the VAR=VALUE overrides.
preset_run() {
	local a=$1 p=$2 before after out tok
	USERS_TABLE=$3
	APP_SCHEMA=${4:-public}
	PENV=("PLACES_AUTH_SCHEMA=$p" "${@:5}")
	AD_SCHEMA=(--schema "$APP_SCHEMA")
	db_reset
	t "$a: the ORM's tables in schema $APP_SCHEMA"
	if out=$(ad "${AD_SCHEMA[@]}" "$a" schema 2>"$IT_TMP/ad.err"); then
		pass "made by adapter.mjs $a schema: $(jq -c .created <<<"$out")"
	else
		fail "made by adapter.mjs $a schema" "$(head -c 300 "$IT_TMP/ad.err")"
		return
	fi
	before=$(app_catalog "$APP_SCHEMA")
	t "$a: placesctl migrate --print"
	out=$(ctl migrate --print 2>&1)
	expect_eq "exit 0" 0 $?
	if [ "$a" = pg ]; then
		# v1's files; NextAuth's four tables are the app's already.
		if grep -q '^-- 001_nextauth: adopted' <<<"$out" &&
			grep -q '^-- 005_own_schema' <<<"$out"; then
			pass "shows 002-005 and the adoption of 001"
		else
			fail "shows 002-005 and the adoption of 001" "$out"
		fi
	elif grep -q 'CREATE TABLE IF NOT EXISTS "places"."places"' <<<"$out" &&
		grep -q "REFERENCES \"$APP_SCHEMA\".$USERS_TABLE" <<<"$out" &&
		! grep -q 'CREATE TABLE [^I]' <<<"$out"; then
		pass "shows the worker's tables, referencing $USERS_TABLE"
	else
		fail "shows the worker's tables" "$out"
	fi
	expect_eq "--print runs nothing" "" "$(dbsql "SELECT to_regnamespace('places');")"
	t "$a: placesctl migrate"
	out=$(ctl migrate 2>&1)
	expect_eq "exit 0" "0 $(head -n 1 <<<"$out")" "$? $(head -n 1 <<<"$out")"
	[ "$a" = pg ] && expect_eq "the pg adapter's tables adopted" "adopted 001_nextauth: the app's tables were there" "$(head -n 1 <<<"$out")"
	out=$(ctl migrate 2>&1)
	expect_eq "again: exit 0" 0 $?
	after=$(app_catalog "$APP_SCHEMA")
	if [ "$a" = pg ]; then
		# v1's indexes on the token and the email and the migrations'
		# record, nothing else.
		out=$(diff <(printf '%s\n' "$before" | LC_ALL=C sort) <(printf '%s\n' "$after" | LC_ALL=C sort) | grep '^[<>]')
		expect_eq "schema public: the pg adapter's, and v1's additions" \
			"> col schema_migrations.applied_at timestamp with time zone NO now()|> col schema_migrations.version text NO |> con schema_migrations PRIMARY KEY (version)|> idx CREATE INDEX users_email_idx ON public.users USING btree (email)|> idx CREATE UNIQUE INDEX schema_migrations_pkey ON public.schema_migrations USING btree (version)|> idx CREATE UNIQUE INDEX sessions_session_token_key ON public.sessions USING btree (\"sessionToken\")" \
			"$(printf '%s\n' "$out" | LC_ALL=C sort | paste -sd '|')"
	elif [ "$before" = "$after" ]; then pass "schema $APP_SCHEMA is what the ORM made"; else
		fail "schema $APP_SCHEMA is what the ORM made" "$(diff <(echo "$before") <(echo "$after") | head -5)"
	fi
	if [ "$a" != pg ]; then
		out=$(ad "${AD_SCHEMA[@]}" "$a" drift 2>&1)
		expect_eq "the adapter's drift check: none" false "$(jq -r .drift <<<"$out" 2>/dev/null || echo "$out")"
	fi
	expect_eq "author_id has the users' id type" \
		"$(dbsql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$APP_SCHEMA.$USERS_TABLE'::regclass AND attname = 'id';")" \
		"$(dbsql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'places.places'::regclass AND attname = 'author_id';")"
	t "$a: the workers start with PLACES_AUTH_SCHEMA=$p"
	if workers_restart; then pass "401 without a session"; else fail "workers up" "$(tail -c 400 "$IT_TMP/pool.log") $(tail -n 3 "$WORKER_LOG")"; return; fi
	ADAPTER_STDERR=$IT_TMP/ad.err adapter_start "$a" "${AD_SCHEMA[@]}"
	preset_checks "$a" "$a"
	t "$a: placesctl's user and session commands"
	out=$(ctl user add "ctl-$a@example.com" --name Ctl 2>&1)
	expect_eq "user add (ids and the like made as the ORM would)" 0 $?
	tok=$(ctl session new "ctl-$a@example.com" --ttl 2h 2>/dev/null | awk '$1 == "token" { print $2 }')
	printf '%s\n' "$tok" >>"$IT_TMP/tokens"
	areq "$tok" GET /api/places
	expect_status 200
	ad_ok "$a" get-session-and-user "{\"sessionToken\":\"$tok\"}" out
	expect_eq "the adapter reads the session and its user" "ctl-$a@example.com" "$(jq -r .user.email <<<"$out")"
	out=$(ctl session list "ctl-$a@example.com" 2>&1)
	expect_eq "session list: one line" 1 "$(grep -c . <<<"$out")"
	out=$(ctl session revoke "$tok" 2>&1)
	expect_eq "session revoke" 0 $?
	areq "$tok" GET /api/places
	expect_status 401
	out=$(ctl session prune 2>&1)
	expect_eq "session prune" 0 $?
	adapter_stop
}

# --- the run -------------------------------------------------------------------

t "setup"
if [ -f "$ADAPTER_DIR/adapter.mjs" ] && [ -d "$ADAPTER_DIR/node_modules" ] &&
	[ -f "$ADAPTER_DIR/adapter-batch.sh" ]; then
	pass "adapter oracles in $ADAPTER_DIR"
else
	fail "adapter oracles" "no $ADAPTER_DIR/adapter.mjs with node_modules (make compat)"
	n_ok=$(grep -c '^ok' "$IT_TMP/results"); n_bad=$(grep -c '^not ok' "$IT_TMP/results")
	echo "$n_ok passed, $n_bad failed"
	exit 1
fi
dbsql "ALTER DATABASE places SET TimeZone = '$TZ_SERVER';" >/dev/null
expect_eq "the server's TimeZone for new sessions" "$TZ_SERVER" "$(sql 'SHOW TimeZone;')"

for a in ${PRESETS:-pg prisma prisma-legacy drizzle kysely prisma-mapped more}; do
	case $a in
	pg) preset_run pg pg users ;;
	prisma) preset_run prisma prisma '"User"' ;;
	prisma-legacy) preset_run prisma-legacy prisma '"User"' ;;
	drizzle) preset_run drizzle drizzle '"user"' ;;
	kysely) preset_run kysely kysely '"User"' ;;
	# The Prisma page's @@map/@map naming, in a schema of its own: the
	# overrides, with the real adapter.
	prisma-mapped) preset_run prisma-mapped prisma '"users"' auth \
		PLACES_AUTH_DB_SCHEMA=auth PLACES_AUTH_USERS=users \
		PLACES_AUTH_SESSIONS=sessions PLACES_AUTH_SESSIONS_TOKEN=session_token \
		PLACES_AUTH_SESSIONS_USER_ID=user_id ;;
	# shellcheck source=presets-more.sh
	more) . "$here/presets-more.sh" ;;
	*) t setup; fail "PRESETS" "unknown: $a" ;;
	esac
done

t "logs"
# No database session token in any log (the JWTs are not recorded: their
# bytes are not secrets of the database).
leaked=$(grep -rlF -f <(grep -v '^$' "$IT_TMP/tokens" | grep -v null) "$DIR/log" 2>/dev/null)
expect_eq "no session token in the logs ($(grep -c . "$IT_TMP/tokens") tokens)" "" "$leaked"
# WORKER=build-asan/places.fcgi runs this suite under the sanitizers.
expect_eq "no sanitizer report from the workers" 0 "$(cat "$DIR"/log/worker*.log | grep -c 'Sanitizer')"

n_ok=$(grep -c '^ok' "$IT_TMP/results")
n_bad=$(grep -c '^not ok' "$IT_TMP/results")
echo "$n_ok passed, $n_bad failed"
[ "$n_bad" = 0 ]
