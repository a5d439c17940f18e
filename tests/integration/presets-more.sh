# Sourced by presets.sh after the five presets: renamed tables and columns
# in a schema of their own (the PLACES_AUTH_* overrides), a JWT-only
# deployment, the start-up check's refusals, placesctl migrate on an empty
# database, and the upgrade of a v1 database.

# utc_left TOKEN: seconds from now (UTC) to the override table's expiry.
utc_left() {
	dbsql "SELECT round(extract(epoch FROM until - (now() AT TIME ZONE 'UTC')))::bigint
	       FROM auth.logins WHERE tok = :'t';" t="$1"
}

# --- overrides -------------------------------------------------------------------

db_reset
t "overrides: the app's own tables in schema auth"
dbsql "CREATE SCHEMA auth;
       CREATE TABLE auth.members (member_id text PRIMARY KEY, mail text, display text);
       CREATE TABLE auth.logins (tok text PRIMARY KEY,
         member text NOT NULL REFERENCES auth.members ON DELETE CASCADE,
         until timestamp(3) NOT NULL);
       INSERT INTO auth.members VALUES ('m1', 'm1@example.com', 'M1'), ('m2', 'm2@example.com', 'M2');
       INSERT INTO auth.logins VALUES
         ('ov-valid', 'm1', (now() AT TIME ZONE 'UTC') + interval '30 days'),
         ('ov-soon', 'm1', (now() AT TIME ZONE 'UTC') + interval '50 minutes'),
         ('ov-old', 'm1', (now() AT TIME ZONE 'UTC') - interval '1 hour'),
         ('ov-m2', 'm2', (now() AT TIME ZONE 'UTC') + interval '30 days');" >/dev/null
PENV=(PLACES_AUTH_SCHEMA=drizzle PLACES_AUTH_DB_SCHEMA=auth PLACES_AUTH_USERS=members
	PLACES_AUTH_USERS_ID=member_id PLACES_AUTH_USERS_EMAIL=mail PLACES_AUTH_USERS_NAME=display
	PLACES_AUTH_SESSIONS=logins PLACES_AUTH_SESSIONS_TOKEN=tok PLACES_AUTH_SESSIONS_USER_ID=member
	PLACES_AUTH_SESSIONS_EXPIRES=until PLACES_SCHEMA=places_own)
out=$(ctl migrate 2>&1)
expect_eq "placesctl migrate" "0 the worker's tables are in schema places_own (PLACES_AUTH_SCHEMA=drizzle)" "$? $out"
expect_eq "the worker's places reference auth.members" \
	"FOREIGN KEY (author_id) REFERENCES auth.members(member_id) ON DELETE CASCADE" \
	"$(dbsql "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'places_own.places'::regclass AND contype = 'f' AND pg_get_constraintdef(oid) LIKE '%author_id%';")"
if workers_restart; then pass "the workers start"; else fail "the workers start" "$(tail -n 3 "$WORKER_LOG")"; fi
t "overrides: sessions"
areq ov-valid GET /api/places
expect_status 200
areq ov-soon GET /api/places
expect_status 200
left=$(utc_left ov-soon)
if [ "$left" -gt $((MAX_AGE - 300)) ] && [ "$left" -le "$MAX_AGE" ]; then pass "renewed to now + maxAge in UTC"; else fail "renewed to now + maxAge in UTC" "$left s"; fi
areq ov-old GET /api/places
expect_status 401
expect_eq "expired row deleted (keyed by the token)" 0 "$(dbsql "SELECT count(*) FROM auth.logins WHERE tok = 'ov-old';")"
t "overrides: ownership"
jreq ov-valid POST /api/places '{"name":"Renamed","location":"Auth"}'
expect_status 201
pid=$(jq -r .id "$IT_TMP/body")
areq ov-valid GET "/api/places/$pid"
expect_json '.author == "m1@example.com"' 
jreq ov-m2 PATCH "/api/places/$pid" '{"name":"x"}'
expect_status 403
areq ov-m2 GET '/api/places?author=me'
expect_json 'length == 0'
areq ov-valid GET '/api/places?author=me'
expect_json "length == 1 and .[0].id == \"$pid\""
t "overrides: placesctl's session commands"
out=$(ctl user add m3@example.com --name M3 2>&1)
expect_eq "user add (the id made as the ORM would)" 0 $?
tok=$(ctl session new m3@example.com --ttl 1h 2>/dev/null | awk '$1 == "token" { print $2 }')
printf '%s\n' "$tok" >>"$IT_TMP/tokens"
areq "$tok" GET /api/places
expect_status 200
out=$(ctl session list m3@example.com 2>&1)
if [[ $out == "- "* ]] && [[ $out != *"$tok"* ]]; then pass "session list: no id, a token prefix only"; else fail "session list" "$out"; fi
out=$(ctl session revoke "$tok" 2>&1)
expect_eq "session revoke" "0 revoked session -" "$? $out"
areq "$tok" GET /api/places
expect_status 401
t "overrides: a missing column stops the worker and placesctl"
out=$(env "${PENV[@]}" PLACES_AUTH_USERS_EMAIL=email_address DATABASE_URL="$DATABASE_URL" "$CTL" session prune 2>&1)
expect_eq "placesctl" "3 placesctl: PLACES_AUTH_SCHEMA=drizzle: table \"auth\".\"members\" has no column \"email_address\"" "$? $out"
# The worker in FastCGI mode (a listening socket as its standard input).
worker_start_fails() {
	local sock=$IT_TMP/check.sock
	rm -f "$sock"
	# Bounded: a worker that passes its check serves, and never exits.
	timeout 20 env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" "$@" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], [sys.argv[2]])' "$sock" "$IT_ROOT/cgi/places.fcgi" 2>&1 >/dev/null
	echo "exit $?"
}
out=$(worker_start_fails "${PENV[@]}" PLACES_AUTH_USERS_EMAIL=email_address)
if grep -q 'has no column \\"email_address\\"' <<<"$out" && [[ $out == *"exit 1" ]]; then
	pass "the worker stops, naming the column"
else
	fail "the worker stops, naming the column" "$out"
fi
out=$(worker_start_fails PLACES_AUTH_SCHEMA=prisma)
if grep -q 'no table \\"public\\".\\"User\\"' <<<"$out" && [[ $out == *"exit 1" ]]; then
	pass "the worker stops, naming the table"
else
	fail "the worker stops, naming the table" "$out"
fi
out=$(worker_start_fails PLACES_AUTH_SCHEMA=mongoose)
if grep -q 'unknown preset' <<<"$out" && [[ $out == *"exit 1" ]]; then
	pass "an unknown preset stops the worker"
else
	fail "an unknown preset stops the worker" "$out"
fi
# users.id's type goes into SQL as a cast: one whose name is longer than
# the worker keeps is refused, not cut into another (a domain named with
# its schema, both of the longest names PostgreSQL allows).
LONGS=s_$(printf 'x%.0s' {1..61}) LONGD=d_$(printf 'y%.0s' {1..61})
dbsql "CREATE SCHEMA $LONGS; CREATE DOMAIN $LONGS.$LONGD AS text;
       CREATE TABLE auth.long_members (member_id $LONGS.$LONGD PRIMARY KEY, mail text, display text);" >/dev/null
out=$(worker_start_fails "${PENV[@]}" PLACES_AUTH_USERS=long_members)
if grep -q 'the type of column \\"member_id\\" of \\"long_members\\" is over 63 bytes' <<<"$out" &&
	[[ $out == *"exit 1" ]]; then
	pass "a users.id type name over 63 bytes stops the worker"
else
	fail "a users.id type name over 63 bytes stops the worker" "$out"
fi
dbsql "DROP TABLE auth.long_members; DROP SCHEMA $LONGS CASCADE;" >/dev/null
out=$(PLACES_AUTH_SCHEMA=mongoose "$CTL" session prune 2>&1)
expect_eq "and placesctl" "1 placesctl: PLACES_AUTH_SCHEMA: unknown preset \"mongoose\" (want pg, prisma, drizzle, kysely or none)" "$? $out"

# --- JWT only --------------------------------------------------------------------

db_reset
t "none: JWT sessions only, no adapter tables"
PENV=(PLACES_AUTH_SCHEMA=none)
out=$(ctl migrate 2>&1)
expect_eq "placesctl migrate" 0 $?
expect_eq "nothing in public" 0 "$(dbsql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public';")"
if workers_restart; then pass "the workers start"; else fail "the workers start" "$(tail -n 3 "$WORKER_LOG")"; fi
jwt=$(jwt_cookie --email only@example.com --sub only-1)
jcreq "$jwt" POST /api/places '{"name":"JWT only","location":"Nowhere"}'
expect_status 201
pid=$(jq -r .id "$IT_TMP/body")
creq "$jwt" GET "/api/places/$pid"
expect_json '.author == "only@example.com"' 
creq "$jwt" GET '/api/places?author=me'
expect_json "length == 1 and .[0].id == \"$pid\""
creq "$(jwt_cookie --email only@example.com --sub only-2)" DELETE "/api/places/$pid"
expect_status 403
areq "$(rand_hex 32)" GET /api/places
expect_status 401
creq "$jwt" DELETE "/api/places/$pid"
expect_status 200

# --- pg on an empty database, and v1's upgrade ------------------------------------

db_reset
PENV=()
t "pg, empty database: placesctl migrate makes NextAuth's tables too"
out=$(ctl migrate 2>&1)
expect_eq "five applied" "0 migrations: 5 applied, 0 already present" "$? $(tail -n 1 <<<"$out")"
expect_eq "users, sessions, accounts, verification_token" 4 \
	"$(dbsql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('users', 'sessions', 'accounts', 'verification_token');")"

db_reset
t "v1: a database made by v1's files, with places in public"
{
	cat "$IT_ROOT/sql/001_nextauth.sql" "$IT_ROOT/sql/002_session_token_index.sql" "$IT_ROOT/sql/003_places.sql"
	echo "CREATE TABLE public.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());"
	echo "INSERT INTO public.schema_migrations (version) VALUES ('001_nextauth'), ('002_session_token_index'), ('003_places');"
	echo "INSERT INTO users (name, email) VALUES ('V1', 'v1@example.com'), ('W1', 'w1@example.com');"
	echo "INSERT INTO public.places (name, location, author_id, created_at) SELECT 'v1 place ' || g, 'Old', u.id, now() - g * interval '1 minute' FROM generate_series(1, 5) g, users u;"
	echo "INSERT INTO sessions (\"userId\", expires, \"sessionToken\") SELECT id, now() + interval '30 days', 'v1-' || name FROM users;"
} | "$stack" psql "$DIR" >/dev/null
before=$(dbsql "SELECT string_agg(id || ' ' || name || ' ' || author_id || ' ' || created_at || ' ' || updated_at, ',' ORDER BY id) FROM public.places;")
out=$(ctl migrate 2>&1)
expect_eq "placesctl migrate applies 004 and 005" "0 applied 004_users_email_index applied 005_own_schema" "$? $(head -n 2 <<<"$out" | paste -sd " ")"
after=$(dbsql "SELECT string_agg(id || ' ' || name || ' ' || author_id || ' ' || created_at || ' ' || updated_at, ',' ORDER BY id) FROM places.places;")
expect_eq "every place kept, with its id, author and times" "$before" "$after"
expect_eq "none left in public" "" "$(dbsql "SELECT to_regclass('public.places');")"
if workers_restart; then pass "the workers start"; else fail "the workers start" "$(tail -n 3 "$WORKER_LOG")"; fi
areq v1-V1 GET '/api/places?author=me'
expect_status 200
expect_json 'length == 5 and all(.[]; .author == "v1@example.com")'
pid=$(jq -r '.[0].id' "$IT_TMP/body")
jreq v1-W1 PATCH "/api/places/$pid" '{"name":"x"}'
expect_status 403
jreq v1-V1 PATCH "/api/places/$pid" '{"name":"v1 place, edited"}'
expect_status 200
