# A server that refuses writes (SQLSTATE 25006: a standby reached after a
# failover, or default_transaction_read_only) is 503 with Retry-After, and
# the worker drops that connection: once writes are taken again every
# request succeeds, with no backend killed.  Before, the worker kept the
# connection and answered 503 until its backend went away.
#
# A NextAuth JWT caller's GET only reads, so it succeeds on a read-only
# session and the worker keeps that connection: after the RESET its first
# write is refused on it, and the worker sends it again on a new connection
# within the request (nothing ran), so that POST is a 201, not a 503.
#
# Behind pgbouncer the server connections are pgbouncer's, made while the
# database was read-only: they are ended after the RESET too, as an
# operator would (RECONNECT), and the workers keep theirs to pgbouncer.
#
# The database's setting is restored on any exit (trap).

new_user RO
DB=$(sql "SELECT current_database();")
NW=${STACK_WORKERS:-2}
# jwt_req METHOD PATH [CURL-ARGS...]: a request with a NextAuth JWT cookie.
JWT_HDR=$(node "$IT_ROOT/tests/compat/nextauth.mjs" jwt --secret "$NEXTAUTH_SECRET" \
	--email "ro-jwt-$(rand_hex 6)@example.com" --sub "ro-$(rand_hex 6)" | jq -r .cookieHeader)
jwt_req() { req "$1" "$2" -H "Cookie: $JWT_HDR" "${@:3}"; }
RO_NAME=it-ro-$(rand_hex 4)

# reconnect_backends: ends the workers' server connections, and waits until
# each backend has exited (up to 5 s).  The workers' carry application_name
# places-fcgi; pgbouncer's too once a worker's transaction ran on them (it
# SETs the client's), but one it opened and has not lent yet has none.
reconnect_backends() {
	sql "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
	     WHERE application_name IN ('places-fcgi', '') AND backend_type = 'client backend'
	     AND usename = current_user AND pid <> pg_backend_pid();" >/dev/null
}

# behind_pgbouncer: the workers reach PostgreSQL through pgbouncer.
behind_pgbouncer() { [ -n "${PGBOUNCER_PORT:-}" ]; }

# reset_db: the setting back (from a session that is read-only by it).
reset_db() {
	sql "SET default_transaction_read_only = off;
	     ALTER DATABASE \"$DB\" RESET default_transaction_read_only;" >/dev/null
}
# On a failure half-way: the setting back, and no read-only session left.
trap 'reset_db; reconnect_backends' EXIT

t "read-only database: set"
areq "$RO_TOKEN" GET /api/places
expect_status 200
# Its author record is made now: later GETs by it only read.
jwt_req GET /api/places
expect_status 200
if sql "ALTER DATABASE \"$DB\" SET default_transaction_read_only = on;" >/dev/null; then
	pass "ALTER DATABASE ... SET default_transaction_read_only = on"
else
	fail "ALTER DATABASE ... SET default_transaction_read_only = on" "refused"
fi
reconnect_backends

for ((i = 1; i <= NW * 2; i++)); do
	t "read-only database: GET #$i"
	areq "$RO_TOKEN" GET /api/places
	expect_error 503 '{"status":"Service unavailable"}'
	expect_header Retry-After '^5$'
done
t "read-only database: POST"
jreq "$RO_TOKEN" POST /api/places '{"name":"'"$RO_NAME"'","location":"x"}'
expect_error 503 '{"status":"Service unavailable"}'
expect_header Retry-After '^5$'
expect_eq "no place written" 0 "$(sql "SELECT count(*) FROM places WHERE name = :'n';" n="$RO_NAME")"

# Each worker now reconnects, read-only, and keeps the connection.
for ((i = 1; i <= NW * 2; i++)); do
	t "read-only database: JWT GET #$i (reads only)"
	jwt_req GET /api/places
	expect_status 200
done

t "read-only database: reset"
reset_db
trap - EXIT
expect_eq "default_transaction_read_only off for a new session" off \
	"$(sql "SHOW default_transaction_read_only;")"
# The workers' connections stay as they are: read-only ones, or none after
# a 503.  pgbouncer's are ended (its pool would keep them read-only).
if behind_pgbouncer; then reconnect_backends; fi

for ((i = 1; i <= NW * 2; i++)); do
	t "read-only database reset: JWT POST #$i"
	jwt_req POST /api/places -H 'Content-Type: application/json' \
		--data-binary '{"name":"'"$RO_NAME-jwt"'","location":"x"}'
	expect_status 201
done
expect_eq "as many places" "$((NW * 2))" \
	"$(sql "SELECT count(*) FROM places WHERE name = :'n';" n="$RO_NAME-jwt")"
for ((i = 1; i <= NW * 2; i++)); do
	t "read-only database reset: GET #$i"
	areq "$RO_TOKEN" GET /api/places
	expect_status 200
	expect_json 'type == "array"'
done
t "read-only database reset: POST"
jreq "$RO_TOKEN" POST /api/places '{"name":"'"$RO_NAME"'","location":"x"}'
expect_status 201
expect_eq "one place written" 1 "$(sql "SELECT count(*) FROM places WHERE name = :'n';" n="$RO_NAME")"
