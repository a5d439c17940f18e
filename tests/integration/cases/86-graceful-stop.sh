# Stopping a worker (README.md, "Deploying"): SIGTERM, SIGINT or SIGUSR1
# (multiwatch's stop signal) lets the request in flight finish, whole
# response included, then the worker exits 0; an idle worker exits 0 at once.
#
# The stack's workers are left alone (96-workers.sh checks their PIDs).
# Each check runs workers of its own, the stack's binary on the stack's
# database, on a unix socket of its own in $IT_TMP: spawn-fcgi -n execs the
# worker (or multiwatch) in place, so the PID we start is the one we signal
# and `wait` gives its exit status.  Requests go straight to that socket
# over FastCGI with cgi-fcgi (libfcgi-bin).  A request is made slow for
# real: a psql session holds LOCK TABLE places until the test lets go.

GS=$IT_TMP/gs
mkdir -p "$GS"
GS_BIN=$STATE_DIR/bin/places.fcgi
GS_PIDS=()	# everything started here, stopped by PID on the way out
LOCK_PID=

new_user GS
new_user GT # writes, so that GS's list stays one place
mkplace "$GS_ID" "Graceful place" "Here" >/dev/null

# gs_cleanup: lets go of the lock and stops what is still running.
gs_cleanup() {
	local p
	exec 7>&- 2>/dev/null
	for p in "${GS_PIDS[@]}" $LOCK_PID; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap gs_cleanup EXIT



# serve NAME [multiwatch -f N --]: starts a worker (or multiwatch and its
# workers) on $GS/NAME.sock, stderr to $GS/NAME.log; sets SRV_PID and waits
# until it answers a request.
serve() {
	local name=$1 i
	shift
	rm -f "$GS/$name.sock"
	env -i PATH=/usr/bin:/bin DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=info \
		${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
		spawn-fcgi -n -s "$GS/$name.sock" -M 0600 -- "$@" "$GS_BIN" \
		</dev/null >/dev/null 2>"$GS/$name.log" &
	SRV_PID=$!
	GS_PIDS+=("$SRV_PID")
	for ((i = 0; i < 100; i++)); do
		if [ -S "$GS/$name.sock" ] && fcgi "$name" GET /api/places &&
			[ "$(fcgi_status "$name")" = 401 ]; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# fcgi NAME METHOD URI [VAR=value...]: one FastCGI request to NAME's socket,
# parameters as given (the environment of cgi-fcgi is the parameter list),
# the body read from $FCGI_IN (default none); the response (CGI form) goes
# to $GS/NAME.out.
fcgi() {
	local name=$1 method=$2 uri=$3
	shift 3
	env -i REQUEST_METHOD="$method" REQUEST_URI="$uri" \
		QUERY_STRING="$([[ $uri == *\?* ]] && printf '%s' "${uri#*\?}")" \
		SERVER_PROTOCOL=HTTP/1.1 "$@" \
		/usr/bin/timeout 20 /usr/bin/cgi-fcgi -bind -connect "$GS/$name.sock" \
		<"${FCGI_IN:-/dev/null}" >"$GS/$name.out" 2>/dev/null
}
fcgi_status() { sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$GS/$1.out" 2>/dev/null | tr -d '\r'; }
fcgi_body() { sed '1,/^\r\{0,1\}$/d' "$GS/$1.out"; }
fcgi_header() {
	sed '/^\r\{0,1\}$/q' "$GS/$1.out" | tr -d '\r' | sed -n "s/^$2: //Ip" | head -n 1
}

# expect_whole NAME: the response in $GS/NAME.out is a 200 with the list,
# and as many body bytes as Content-Length says.
expect_whole() {
	local len
	expect_eq "status 200" 200 "$(fcgi_status "$1")"
	len=$(fcgi_body "$1" | wc -c)
	expect_eq "whole body (Content-Length)" "$(fcgi_header "$1" Content-Length)" "$len"
	expect_eq "the list, intact" '["Graceful place"]' \
		"$(fcgi_body "$1" | jq -c '[.[].name]' 2>&1)"
}

# lock_take: a psql session takes LOCK TABLE places and keeps it (its
# commands come through a FIFO on fd 7) until lock_release.
lock_take() {
	local i
	rm -f "$GS/lock.fifo"
	mkfifo "$GS/lock.fifo"
	"$IT_ROOT/tools/stack.sh" psql "$STATE_DIR" <"$GS/lock.fifo" >"$GS/lock.out" 2>&1 &
	LOCK_PID=$!
	exec 7>"$GS/lock.fifo"
	printf 'BEGIN;\nLOCK TABLE places IN ACCESS EXCLUSIVE MODE;\n' >&7
	for ((i = 0; i < 100; i++)); do
		[ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		          WHERE c.relname = 'places' AND l.mode = 'AccessExclusiveLock' AND l.granted;")" = 1 ] &&
			return 0
		sleep 0.05
	done
	return 1
}

lock_release() {
	printf 'COMMIT;\n' >&7
	exec 7>&-
	wait "$LOCK_PID"
	LOCK_PID=
}

# wait_blocked: until a statement waits for the lock (a request in flight).
wait_blocked() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ "$(sql "SELECT count(*) FROM pg_stat_activity
		          WHERE datname = 'places' AND wait_event_type = 'Lock';")" -ge 1 ] && return 0
		sleep 0.05
	done
	return 1
}

AUTH="HTTP_AUTHORIZATION=Bearer $GS_TOKEN"

# --- one worker, busy -------------------------------------------------------

t "graceful stop: SIGTERM during a request"
if serve busy; then pass "worker answers on its own socket"; else fail "worker answers on its own socket" "$(tail -c 300 "$GS/busy.log")"; fi
W=$SRV_PID
if lock_take; then pass "psql holds LOCK TABLE places"; else fail "psql holds LOCK TABLE places" "$(cat "$GS/lock.out")"; fi
fcgi busy GET '/api/places?author=me' "$AUTH" HTTP_X_REQUEST_ID=graceful-busy-1 &
CLIENT=$!
GS_PIDS+=("$CLIENT")
if wait_blocked; then pass "the request waits for the lock"; else fail "the request waits for the lock" "no statement waiting"; fi
kill -TERM "$W"
sleep 0.5
if alive "$W"; then pass "still running with a request in flight"; else fail "still running with a request in flight" "exited"; fi
lock_release
wait_exit "$CLIENT" 10
expect_eq "client done" 0 "$EXITED"
expect_whole busy
expect_eq "the response names its request" graceful-busy-1 "$(fcgi_header busy X-Request-Id)"
wait_exit "$W" 5
expect_eq "worker exit status" 0 "$EXITED"
expect_eq "access line of that request, 200" 1 \
	"$(jq -R 'fromjson? | select(.event == "request" and .request_id == "graceful-busy-1" and .status == 200)' \
		"$GS/busy.log" | jq -s length)"
expect_eq "then says why it stops" 1 \
	"$(jq -R 'fromjson? | select(.msg == "stopping on SIGTERM after the request in flight")' \
		"$GS/busy.log" | jq -s length)"

t "graceful stop: SIGTERM while the worker reads the request body"
# The body comes in two parts, a second apart, and the signal lands in
# between, while the worker waits in read(2): the read must go on (libfcgi
# would take an EINTR for the end of the body).
BODY='{"name":"Trickled place","location":"In two parts"}'
if serve body; then pass "worker answers"; else fail "worker answers" "$(tail -c 300 "$GS/body.log")"; fi
W=$SRV_PID
mkfifo "$GS/body.fifo"
FCGI_IN=$GS/body.fifo fcgi body POST /api/places "HTTP_AUTHORIZATION=Bearer $GT_TOKEN" CONTENT_TYPE=application/json \
	CONTENT_LENGTH=${#BODY} &
CLIENT=$!
GS_PIDS+=("$CLIENT")
exec 8>"$GS/body.fifo"
printf '%s' "${BODY:0:20}" >&8
sleep 0.5
kill -TERM "$W"
sleep 0.5
if alive "$W"; then pass "still running with a body half read"; else fail "still running with a body half read" "exited"; fi
printf '%s' "${BODY:20}" >&8
exec 8>&-
wait_exit "$CLIENT" 10
expect_eq "client done" 0 "$EXITED"
expect_eq "status 201" 201 "$(fcgi_status body)"
expect_eq "the place is stored" 1 \
	"$(sql "SELECT count(*) FROM places WHERE author_id = :'uid';" uid="$GT_ID")"
wait_exit "$W" 5
expect_eq "worker exit status" 0 "$EXITED"

# --- one worker, idle ---------------------------------------------------------

for SIG in TERM INT USR1; do
	t "graceful stop: SIG$SIG to an idle worker"
	if serve "idle-$SIG"; then pass "worker answers"; else fail "worker answers" "$(tail -c 300 "$GS/idle-$SIG.log")"; fi
	W=$SRV_PID
	sleep 0.2 # back in accept(2)
	T0=${EPOCHREALTIME/./}
	kill "-$SIG" "$W"
	wait_exit "$W" 5
	expect_eq "exit status" 0 "$EXITED"
	MS=$(((${EPOCHREALTIME/./} - T0) / 1000))
	if ((MS < 1000)); then pass "exits at once"; else fail "exits at once" "${MS} ms"; fi
done

# --- multiwatch ---------------------------------------------------------------

# multiwatch's words for a child that ended (and that it starts again).
RESPAWN='Child\[[0-9]+\] died, respawn|Spawning child\[[0-9]+\] failed, next try'

t "multiwatch: a worker that stops is replaced"
if serve mw1 /usr/bin/multiwatch -f 2 --; then pass "multiwatch and 2 workers answer"; else fail "multiwatch and 2 workers answer" "$(tail -c 300 "$GS/mw1.log")"; fi
MW=$SRV_PID
for _ in $(seq 40); do [ "$(pgrep -P "$MW" | wc -l)" = 2 ] && break; sleep 0.05; done
KIDS=$(pgrep -P "$MW" | sort -n | xargs)
VICTIM=${KIDS%% *}
kill -TERM "$VICTIM"
NEW=
for _ in $(seq 60); do
	NOW=$(pgrep -P "$MW" | sort -n | xargs)
	if [ "$(wc -w <<<"$NOW")" = 2 ] && ! grep -qw "$VICTIM" <<<"$NOW"; then NEW=$NOW; break; fi
	sleep 0.05
done
if [ -n "$NEW" ]; then pass "a new worker took its place"; else fail "a new worker took its place" "workers $KIDS -> $(pgrep -P "$MW" | xargs)"; fi
expect_eq "multiwatch saw it go" 1 "$(grep -cE "$RESPAWN" "$GS/mw1.log")"
fcgi mw1 GET '/api/places?author=me' "$AUTH"
expect_whole mw1

t "multiwatch: SIGTERM stops the workers after the request in flight"
if lock_take; then pass "psql holds LOCK TABLE places"; else fail "psql holds LOCK TABLE places" "$(cat "$GS/lock.out")"; fi
fcgi mw1 GET '/api/places?author=me' "$AUTH" &
CLIENT=$!
GS_PIDS+=("$CLIENT")
if wait_blocked; then pass "the request waits for the lock"; else fail "the request waits for the lock" "no statement waiting"; fi
kill -TERM "$MW"
sleep 0.5
expect_eq "the idle worker is gone, the busy one still runs" 1 "$(pgrep -P "$MW" | wc -l)"
if alive "$MW"; then pass "multiwatch waits for it"; else fail "multiwatch waits for it" "exited"; fi
lock_release
wait_exit "$CLIENT" 10
expect_eq "client done" 0 "$EXITED"
expect_whole mw1
wait_exit "$MW" 5
expect_eq "multiwatch exit status" 0 "$EXITED"
expect_eq "no respawn during the stop" 1 "$(grep -cE "$RESPAWN" "$GS/mw1.log")"
