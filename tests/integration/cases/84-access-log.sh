# The worker's log (lib/log.h, README.md "Logs"): JSON lines, exactly one
# access line per request with its method, path without the query string,
# status, duration and user (null when unauthenticated); valid JSON in
# valid UTF-8 whatever bytes the path holds; never a token, a cookie or a
# query string.  And the request id (nginx.conf.example): the client's
# X-Request-Id when sane, else nginx's $request_id, passed to the worker,
# logged, and returned in X-Request-Id on every response, nginx's own
# errors included.

new_user AL
RID=al-$(rand_hex 6)
LOG0=$(wc -c <"$WORKER_LOG")
# 99-logs.sh checks every worker line from here on (all of them when this
# run started the stack).
printf '%s\n' "$LOG0" >"$IT_TMP/worker-log.offset"
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$'
HEX32='^[0-9a-f]{32}$'

# access ID: the access lines for request id ID written since LOG0, one
# compact JSON object per line.
access() {
	tail -c +"$((LOG0 + 1))" "$WORKER_LOG" |
		jq -c -R --arg id "$1" 'fromjson? | select(.event == "request" and .request_id == $id)'
}

# expect_access ID FILTER: exactly one access line for ID, and jq FILTER is
# true on it.
expect_access() {
	local l n
	l=$(access "$1")
	n=$(printf '%s' "$l" | grep -c .)
	if [ "$n" != 1 ]; then
		fail "one access line for $1" "$n lines"
		return
	fi
	pass "one access line for $1"
	if jq -e "$2" <<<"$l" >/dev/null 2>&1; then
		pass "access line: $2"
	else
		fail "access line: $2" "$l"
	fi
}

t "access log: an authenticated GET"
areq "$AL_TOKEN" GET "/api/places?limit=1&secret=QS$RID" -H "X-Request-Id: $RID-1" -b "x=CK$RID"
expect_status 200
expect_access "$RID-1" '.method == "GET" and .path == "/api/places" and .status == 200'
expect_access "$RID-1" ".user_id == $AL_ID"
expect_access "$RID-1" "(.time | test(\"$TIME_RE\")) and .level == \"info\" and .prog == \"places.fcgi\""
expect_access "$RID-1" '(.pid | type == "number") and (.duration_us | type == "number") and .duration_us >= 0'
expect_access "$RID-1" '.msg == "request" and (keys | length) == 12'

# A token that is no session's: a request without any credential gets its
# 401 from nginx and never reaches the worker (83-shed.sh).
t "access log: unauthenticated, user_id null"
req GET /api/places -H "X-Request-Id: $RID-2" -H "Authorization: Bearer $(rand_hex 32)"
expect_status 401
expect_access "$RID-2" '.status == 401 and .user_id == null and .path == "/api/places"'

t "access log: a POST"
jreq "$AL_TOKEN" POST /api/places '{"name":"Logged","location":"Here"}' -H "X-Request-Id: $RID-3"
expect_status 201
expect_access "$RID-3" ".method == \"POST\" and .status == 201 and .user_id == $AL_ID"

t "access log: quotes, backslashes, %-escapes and non-UTF-8 bytes in the path"
raw_req "GET /api/places/a\"b\\c%22"$'\xff\xc3'"/x HTTP/1.1"$'\r\n'"Host: 127.0.0.1"$'\r\n'"Authorization: Bearer $AL_TOKEN"$'\r\n'"X-Request-Id: $RID-4"$'\r\n'"Connection: close"$'\r\n\r\n'
expect_status 404
expect_access "$RID-4" '.path == "/api/places/a\"b\\c%22%FF%C3/x" and .status == 404'

t "access log: the whole worker log so far is valid UTF-8"
if tail -c +"$((LOG0 + 1))" "$WORKER_LOG" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
	pass "iconv accepts it"
else
	fail "iconv accepts it" "invalid UTF-8"
fi

t "access log: control bytes, DEL and a long path (CGI)"
# nginx refuses control bytes in a request line; a CGI server may not.
LONG=$(repeat_char 300 x)
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=info \
	REQUEST_METHOD=$'G\x01"T' REQUEST_URI=$'/api/places/\x01\x1b[31m\x7f'"$LONG?token=QS$RID" \
	HTTP_X_REQUEST_ID="$RID-5" "$STATE_DIR/bin/places.fcgi" </dev/null >/dev/null 2>"$IT_TMP/al.err"
expect_eq "one line on stderr" 1 "$(grep -c . "$IT_TMP/al.err")"
if jq -e . "$IT_TMP/al.err" >/dev/null 2>&1 && iconv -f UTF-8 -t UTF-8 "$IT_TMP/al.err" >/dev/null 2>&1; then
	pass "valid JSON in valid UTF-8"
else
	fail "valid JSON in valid UTF-8" "$(cat "$IT_TMP/al.err")"
fi
expect_eq "path: percent-encoded, cut at 256 bytes with an ellipsis" \
	"/api/places/%01%1B[31m%7F$(repeat_char 237 x)…" "$(jq -r .path "$IT_TMP/al.err")"
expect_eq "method: JSON escapes" '"G\u0001\"T"' "$(jq -c .method "$IT_TMP/al.err")"
expect_eq "no query string" 0 "$(grep -c "QS$RID" "$IT_TMP/al.err")"

t "access log: no token, cookie or query string"
expect_eq "token" 0 "$(tail -c +"$((LOG0 + 1))" "$WORKER_LOG" | grep -cF "$AL_TOKEN")"
expect_eq "cookie value" 0 "$(tail -c +"$((LOG0 + 1))" "$WORKER_LOG" | grep -cF "CK$RID")"
expect_eq "query string" 0 "$(tail -c +"$((LOG0 + 1))" "$WORKER_LOG" | grep -cF "QS$RID")"

# --- the request id -----------------------------------------------------------

t "request id: the client's, when sane"
areq "$AL_TOKEN" GET /api/places -H "X-Request-Id: $RID-6"
expect_status 200
expect_header X-Request-Id "^$RID-6\$"
expect_eq "one X-Request-Id header" 1 "$(tr -d '\r' <"$IT_TMP/headers" | grep -ci '^x-request-id:')"
expect_access "$RID-6" '.status == 200'

t "request id: nginx's when the client sends none"
areq "$AL_TOKEN" GET /api/places
expect_status 200
expect_header X-Request-Id "$HEX32"
ID=$(header X-Request-Id)
expect_access "$ID" ".status == 200 and .user_id == $AL_ID"

t "request id: a client's that is not sane is replaced"
for BAD in 'two words' "$(repeat_char 65 a)" 'a"b' 'ü'; do
	areq "$AL_TOKEN" GET /api/places -H "X-Request-Id: $BAD"
	expect_header X-Request-Id "$HEX32"
	expect_access "$(header X-Request-Id)" '.status == 200'
done

t "request id: on nginx's own errors"
req GET /elsewhere -H "X-Request-Id: $RID-7"
expect_status 404
expect_header X-Request-Id "^$RID-7\$"
req GET /elsewhere
expect_header X-Request-Id "$HEX32"
req TRACE /api/places
expect_status 405
expect_header X-Request-Id "$HEX32"
expect_header Allow '^GET, HEAD, POST$'

t "request id: the worker's own, without a web server (CGI)"
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
	REQUEST_METHOD=GET REQUEST_URI=/api/places HTTP_X_REQUEST_ID="$RID-8" \
	"$STATE_DIR/bin/places.fcgi" </dev/null >"$IT_TMP/al.out" 2>/dev/null
expect_eq "the one given" "X-Request-Id: $RID-8" "$(tr -d '\r' <"$IT_TMP/al.out" | grep '^X-Request-Id:')"
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
	REQUEST_METHOD=GET REQUEST_URI=/api/places \
	"$STATE_DIR/bin/places.fcgi" </dev/null >"$IT_TMP/al.out" 2>/dev/null
if tr -d '\r' <"$IT_TMP/al.out" | grep -Eq '^X-Request-Id: [0-9a-f]{16}$'; then
	pass "a random one, 16 hex digits"
else
	fail "a random one, 16 hex digits" "$(head -c 300 "$IT_TMP/al.out")"
fi
