# systemd socket activation (places.fcgi --help): the listening socket as
# fd 3 with LISTEN_FDS=1 and LISTEN_PID=<the worker>, the sd_listen_fds(3)
# protocol, as systemd-socket-activate (package systemd) hands it over: it
# listens on a unix socket of ours, and on the first connection execs the
# worker in its own place, so the PID we started is the worker.  A FastCGI
# request goes to the socket with cgi-fcgi (libfcgi-bin).

SA=$IT_TMP/sa
mkdir -p "$SA"
SA_BIN=$STATE_DIR/bin/places.fcgi
SA_PIDS=()

sa_cleanup() {
	local p
	for p in "${SA_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap sa_cleanup EXIT

new_user SA

# activate NAME SOCKET...: systemd-socket-activate listening on the SOCKETs
# (in $SA), the worker behind it; sets SA_PID; stderr in $SA/NAME.log.
activate() {
	local name=$1 s i
	local -a listen=()
	shift
	for s in "$@"; do
		rm -f "$SA/$s"
		listen+=(-l "$SA/$s")
	done
	env -i PATH=/usr/bin:/bin DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=info \
		${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
		systemd-socket-activate "${listen[@]}" -E DATABASE_URL -E PLACES_LOG_LEVEL \
		${ASAN_OPTIONS:+-E ASAN_OPTIONS} ${UBSAN_OPTIONS:+-E UBSAN_OPTIONS} \
		-- "$SA_BIN" </dev/null >/dev/null 2>"$SA/$name.log" &
	SA_PID=$!
	SA_PIDS+=("$SA_PID")
	for ((i = 0; i < 100; i++)); do
		[ -S "$SA/$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# sa_fcgi SOCKET [VAR=value...]: GET /api/places over FastCGI; the response
# in $SA/out.
sa_fcgi() {
	local s=$1
	shift
	env -i REQUEST_METHOD=GET REQUEST_URI=/api/places QUERY_STRING= \
		SERVER_PROTOCOL=HTTP/1.1 "$@" \
		/usr/bin/timeout 20 /usr/bin/cgi-fcgi -bind -connect "$SA/$s" \
		</dev/null >"$SA/out" 2>/dev/null
}
sa_status() { sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$SA/out" | tr -d '\r'; }
sa_body() { sed '1,/^\r\{0,1\}$/d' "$SA/out"; }
sa_header() {
	sed '/^\r\{0,1\}$/q' "$SA/out" | tr -d '\r' | sed -n "s/^$1: //Ip" | head -n 1
}



t "socket activation: LISTEN_FDS=1, fd 3"
if activate one one.sock; then pass "systemd-socket-activate listens"; else fail "systemd-socket-activate listens" "$(cat "$SA/one.log")"; fi
sa_fcgi one.sock
expect_eq "status" 401 "$(sa_status)"
expect_eq "body" '{"status":"Not authorized"}' "$(sa_body)"
expect_eq "WWW-Authenticate" Bearer "$(sa_header WWW-Authenticate)"
sa_fcgi one.sock "HTTP_AUTHORIZATION=Bearer $SA_TOKEN" HTTP_X_REQUEST_ID=activated-2
expect_eq "a second request, with a session: status" 200 "$(sa_status)"
expect_eq "a JSON array" array "$(sa_body | jq -r type 2>&1)"
expect_eq "served by the PID we started (exec in place)" "$SA_PID" \
	"$(jq -R -r 'fromjson? | select(.event == "request" and .request_id == "activated-2") | .pid' "$SA/one.log")"
kill -TERM "$SA_PID"
wait_exit "$SA_PID" 5
expect_eq "SIGTERM: exit status" 0 "$EXITED"

t "socket activation: two sockets are refused"
if activate two two-a.sock two-b.sock; then pass "systemd-socket-activate listens"; else fail "systemd-socket-activate listens" "$(cat "$SA/two.log")"; fi
sa_fcgi two-a.sock # the first connection starts the worker
wait_exit "$SA_PID" 10
expect_eq "exit status" 1 "$EXITED"
expect_eq "says why" 1 \
	"$(jq -R 'fromjson? | select(.level == "error" and (.msg | test("LISTEN_FDS")))' "$SA/two.log" | jq -s length)"

t "socket activation: LISTEN_PID of another process is not ours"
# The variables alone, without a socket and meant for another PID (a parent
# such as multiwatch): ignored, so this is a plain CGI run.
env -i PATH=/usr/bin:/bin DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
	LISTEN_FDS=1 LISTEN_PID=1 REQUEST_METHOD=GET REQUEST_URI=/api/places \
	"$SA_BIN" </dev/null >"$SA/out" 2>"$SA/cgi.log"
expect_eq "exit status" 0 "$?"
expect_eq "a CGI answer" 401 "$(sa_status)"
