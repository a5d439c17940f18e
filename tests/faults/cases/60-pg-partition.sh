# shellcheck shell=bash
# A silent network partition between a worker and PostgreSQL (packets
# dropped, no FIN, no RST) while a statement is in flight.  Without TCP
# keepalives and TCP_USER_TIMEOUT (lib/dbconn.c conn_open()) the worker
# waited for TCP's own limits: measured here, still blocked after 600 s (and
# deaf to SIGTERM, which lets the request finish first).  With them: 503
# within about 10 s of silence, and the worker is free again.
#
# The partition, on this machine only: two network namespaces of our own
# (unshare -n), joined by a veth pair; in the server's, tests/faults/relay.py
# forwards TCP 10.77.0.2:5432 to the stack's PostgreSQL socket (a file,
# reachable from any namespace); the worker runs once as a CGI program in
# the client's, over TCP.  Its statement waits on a row lock (the session's,
# held by another session), then the server's end of the veth goes down:
# every packet is dropped from then on.  Needs root, unshare, nsenter, ip,
# veth and python3; without them the case is a skip (CI: a failure).

d=$FT_CASE_DIR
NS_A= NS_B= RELAY= LOCKPID=

part_cleanup() {
	local p
	for p in $RELAY $NS_A $NS_B; do kill "$p" 2>/dev/null; done
	if [ -n "$LOCKPID" ]; then
		sql "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity
		     WHERE application_name = 'it-part-lock';" >/dev/null
		wait "$LOCKPID" 2>/dev/null
	fi
	ft_bg_stop
}
trap part_cleanup EXIT

t "partition: set-up"
missing=
for c in unshare nsenter ip python3; do command -v "$c" >/dev/null || missing="$missing $c"; done
[ "$(id -u)" = 0 ] || missing="$missing root"
if [ -n "$missing" ]; then
	skip "network namespaces" "missing:$missing"
	return 0
fi
unshare -n sleep 300 & NS_A=$!
unshare -n sleep 300 & NS_B=$!
sleep 0.2
if ! nsenter -t "$NS_A" -n ip link add v0 type veth peer name v1 netns "$NS_B" 2>"$d/ip.err"; then
	skip "network namespaces" "no veth: $(cat "$d/ip.err")"
	return 0
fi
nsenter -t "$NS_A" -n sh -c 'ip link set lo up && ip addr add 10.77.0.1/24 dev v0 && ip link set v0 up'
nsenter -t "$NS_B" -n sh -c 'ip link set lo up && ip addr add 10.77.0.2/24 dev v1 && ip link set v1 up'
nsenter -t "$NS_B" -n python3 "$IT_ROOT/tests/faults/relay.py" 10.77.0.2 5432 \
	"$PGHOST/.s.PGSQL.$PGPORT" >"$d/relay.log" 2>&1 &
RELAY=$!
for ((i = 0; i < 50; i++)); do grep -q listening "$d/relay.log" && break; sleep 0.1; done
expect_eq "relay listening" 1 "$(grep -c listening "$d/relay.log")"
expect_eq "PostgreSQL over the veth" 1 "$(nsenter -t "$NS_A" -n psql -X -At \
	"host=10.77.0.2 port=5432 dbname=places user=places" -c 'SELECT 1' 2>&1)"

# Expires in a day: within updateAge of maxAge, so the session statement
# renews it, and waits on the row lock.
PT_ID=$(mkuser "Test PT" "it-part-$(rand_hex 6)@example.com")
PT_TOKEN=pt$(rand_hex 32)
printf '%s\n' "$PT_TOKEN" >>"$IT_TMP/tokens"
sql "INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
     VALUES (:'uid', now() + interval '1 day', :'tok');" uid="$PT_ID" tok="$PT_TOKEN" >/dev/null
printf '%s\n' "SET application_name = 'it-part-lock';" "SET statement_timeout = 0;" "BEGIN;" \
	"SELECT 1 FROM sessions WHERE \"sessionToken\" = :'tok' FOR UPDATE;" "SELECT pg_sleep(60);" "COMMIT;" |
	"$IT_ROOT/tools/stack.sh" psql "$STATE_DIR" -q -v tok="$PT_TOKEN" >/dev/null 2>"$d/lock.err" &
LOCKPID=$!
for ((i = 0; i < 100; i++)); do
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'it-part-lock'
	     AND query LIKE '%pg_sleep%' AND state = 'active';")" = 1 ] && break
	sleep 0.05
done
expect_eq "row lock held" 1 "$(sql "SELECT count(*) FROM pg_stat_activity
	WHERE application_name = 'it-part-lock' AND state = 'active';")"

t "partition: a statement in flight"
t0=$(now_us)
nsenter -t "$NS_A" -n timeout -k 5 60 env -i PATH="$PATH" \
	DATABASE_URL="host=10.77.0.2 port=5432 dbname=places user=places" \
	REQUEST_METHOD=GET REQUEST_URI=/api/places QUERY_STRING= \
	HTTP_AUTHORIZATION="Bearer $PT_TOKEN" "$STATE_DIR/bin/places.fcgi" \
	</dev/null >"$d/cgi.out" 2>"$d/cgi.log" &
CGI=$!
FT_BG+=("$CGI")
waiting=0
for ((i = 0; i < 100; i++)); do
	waiting=$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'places-fcgi'
	               AND wait_event_type = 'Lock';")
	[ "$waiting" -ge 1 ] && break
	sleep 0.1
done
expect_eq "the worker's statement waits on the row lock" 1 "$waiting"
nsenter -t "$NS_B" -n ip link set v1 down
wait "$CGI"
rc=$?
took=$(($(now_us) - t0))
figure "answered $(ms "$took") ms after the request began"
expect_eq "the worker ended (not killed by timeout 60)" 0 "$rc"
expect_eq "status" 503 "$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$d/cgi.out" | tr -d '\r')"
expect_le "within 20 s" 20000 "$(ms "$took")"
if grep -q 'connection lost' "$d/cgi.log"; then
	pass "the worker saw the connection lost"
else
	fail "the worker saw the connection lost" "$(tail -n 2 "$d/cgi.log")"
fi
