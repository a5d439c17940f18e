# A server that refuses writes (SQLSTATE 25006: a standby reached after a
# failover, or default_transaction_read_only) is 503 with Retry-After, and
# the worker drops that connection: once writes are taken again every
# request succeeds, with no backend killed.  Before, the worker kept the
# connection and answered 503 until its backend went away.
#
# Behind pgbouncer the server connections are pgbouncer's, made while the
# database was read-only: they are ended after the RESET too, as an
# operator would (RECONNECT), and the workers keep theirs to pgbouncer.
#
# The database's setting is restored on any exit (trap).

new_user RO
DB=$(sql "SELECT current_database();")
NW=${STACK_WORKERS:-2}
RO_NAME=it-ro-$(rand_hex 4)

# reconnect_backends: ends the workers' server connections (the workers',
# or pgbouncer's on their behalf: both carry application_name places-fcgi).
reconnect_backends() {
	sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	     WHERE application_name = 'places-fcgi' AND usename = current_user;" >/dev/null
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

t "read-only database: reset"
reset_db
trap - EXIT
expect_eq "default_transaction_read_only off for a new session" off \
	"$(sql "SHOW default_transaction_read_only;")"
# The workers' connections stay as they are: read-only ones, or none after
# a 503.  pgbouncer's are ended (its pool would keep them read-only).
if behind_pgbouncer; then reconnect_backends; fi

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
