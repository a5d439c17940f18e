# The statuses docs/openapi.yaml lists for every operation alike, sent to
# each operation in turn: nginx's own (400, 413, 414, 431, 501, 505), the
# session's 401 and the worker's 400 for a Cookie header over its limits,
# 500 when the database refuses a statement, 503 when it is down.  The
# statuses particular to an operation (200, 201, 403, 404, 415, 422, 405)
# are the other cases' business; zz-openapi.sh checks that, together, the
# cases see every status the document lists and no other.  Raw requests
# throughout, so that HEAD, the request line and every header are ours.

new_user SC
ID=$(mkplace "$SC_ID" "Status place" "Everywhere")
C=next-auth.session-token
BODY='{"name":"Status","location":"Coverage"}'
# Every operation of the document: "METHOD PATH"; BREW stands for any method
# a path does not serve.
OPS=("GET /api/places" "HEAD /api/places" "POST /api/places"
	"GET /api/places/$ID" "HEAD /api/places/$ID" "PUT /api/places/$ID"
	"PATCH /api/places/$ID" "DELETE /api/places/$ID"
	"BREW /api/places" "BREW /api/places/$ID")

# rq METHOD TARGET [OPTION...]: one raw request to nginx with Host and
# Connection: close, and for POST, PUT and PATCH the JSON $BODY with its
# Content-Type and Content-Length.  Options:
#   host=no        no Host header
#   version=V      the HTTP version (default HTTP/1.1)
#   body=no        no body, whatever the method
#   spaces=N       a body of N spaces instead of $BODY, whatever the method
#   token          Authorization: Bearer with SC's token
#   +LINE          one more header line
rq() {
	local m=$1 target=$2 host=yes version=HTTP/1.1 body='' text o
	local hdrs=()
	shift 2
	case $m in POST | PUT | PATCH) body=$BODY ;; esac
	for o; do
		case $o in
		host=no) host=no ;;
		version=*) version=${o#version=} ;;
		body=no) body= ;;
		spaces=*) body=$(repeat_char "${o#spaces=}" ' ') ;;
		token) hdrs+=("Authorization: Bearer $SC_TOKEN") ;;
		+*) hdrs+=("${o#+}") ;;
		esac
	done
	printf -v text '%s %s %s\r\n' "$m" "$target" "$version"
	[ "$host" = no ] || text+=$'Host: 127.0.0.1\r\n'
	text+=$'Connection: close\r\n'
	for o in "${hdrs[@]}"; do text+="$o"$'\r\n'; done
	if [ -n "$body" ]; then
		printf -v text '%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
			"$text" "${#body}" "$body"
	else
		text+=$'\r\n'
	fi
	raw_req "$text" "$m $target"
}

# answer METHOD STATUS BODY: the status; BODY, or no body at all for HEAD;
# and the header that goes with the status.
answer() {
	expect_status "$2"
	if [ "$1" = HEAD ]; then expect_empty_body; else expect_body "$3"; fi
	case $2 in
	401) expect_header WWW-Authenticate '^Bearer$' ;;
	503) expect_header Retry-After '^5$' ;;
	esac
}

BIG=$(repeat_char 6000 x)
PAD=$(repeat_char 8200 x)
HUGE=$(repeat_char 33000 x)
for op in "${OPS[@]}"; do
	m=${op%% *} p=${op#* }
	t "$m ${p/$ID/<id>}: nginx's 400 (no Host)"
	rq "$m" "$p" host=no token
	answer "$m" 400 '{"status":"Bad request"}'

	t "$m ${p/$ID/<id>}: the worker's 400 (Cookie header over 32768 bytes)"
	rq "$m" "$p" "+Cookie: $C=$SC_TOKEN" "+Cookie: a=$BIG" "+Cookie: b=$BIG" "+Cookie: c=$BIG" \
	    "+Cookie: d=$BIG" "+Cookie: e=$BIG" "+Cookie: f=$BIG"
	answer "$m" 400 '{"status":"Bad request"}'

	t "$m ${p/$ID/<id>}: 401 without a session"
	rq "$m" "$p"
	answer "$m" 401 '{"status":"Not authorized"}'

	# The whole body, sent: nginx answers at once, and then closes at once
	# instead of waiting 5 s (lingering_timeout) for the bytes.
	t "$m ${p/$ID/<id>}: nginx's 413 (Content-Length over client_max_body_size)"
	rq "$m" "$p" token spaces=70000
	answer "$m" 413 '{"status":"Payload too large"}'

	t "$m ${p/$ID/<id>}: nginx's 414 (request line over 8 KB)"
	rq "$m" "$p?pad=$PAD" token
	answer "$m" 414 '{"status":"URI too long"}'

	t "$m ${p/$ID/<id>}: nginx's 431 (a header over 32 KB)"
	rq "$m" "$p" token "+X-Pad: $HUGE"
	answer "$m" 431 '{"status":"Request header too large"}'

	t "$m ${p/$ID/<id>}: nginx's 501 (Transfer-Encoding: gzip)"
	rq "$m" "$p" token body=no '+Transfer-Encoding: gzip, chunked'
	answer "$m" 501 '{"status":"Not implemented"}'

	t "$m ${p/$ID/<id>}: nginx's 505 (HTTP/2.0 in clear text)"
	rq "$m" "$p" token version=HTTP/2.0
	answer "$m" 505 '{"status":"HTTP version not supported"}'
done

t "BREW /api/places/<malformed id>: 404, the route before the method"
rq BREW /api/places/not-a-uuid token
answer BREW 404 '{"status":"Not found"}'

t "TRACE /api/places without a session: nginx's 405, before the session check"
rq TRACE /api/places
answer TRACE 405 '{"status":"Method not allowed"}'
expect_header Allow '^GET, HEAD, POST$'

# --- 500: the database refuses a statement (privileges taken away) -----------
# The places table for the operations (their handlers' statements fail),
# the sessions table for any other method (the session check fails: a 405
# needs no statement of its own).  Given back right after.

# refused TABLE PRIVILEGES WHY OP...: each OP answered 500 while PRIVILEGES
# on TABLE are revoked (WHY says which statement fails).
refused() {
	local table=$1 privs=$2 why=$3 op m p
	shift 3
	t "500: privileges on $table taken away"
	if ! sql "REVOKE $privs ON $table FROM CURRENT_USER;" >/dev/null 2>&1; then
		fail "REVOKE on $table" "psql failed"
		return
	fi
	pass "REVOKE on $table"
	for op in "$@"; do
		m=${op%% *} p=${op#* }
		t "$m ${p/$ID/<id>}: 500 ($why)"
		rq "$m" "$p" token
		answer "$m" 500 '{"status":"Internal error"}'
	done
	t "500: privileges on $table given back"
	if sql "GRANT $privs ON $table TO CURRENT_USER;" >/dev/null; then
		pass "GRANT on $table"
	else
		fail "GRANT on $table" "psql failed"
	fi
}
refused places "SELECT, INSERT, UPDATE, DELETE" \
    "the database refuses the statement" "${OPS[@]:0:8}"
refused sessions "SELECT, UPDATE, DELETE" "the session check fails" \
    "${OPS[@]:8}"

t "the worker answers normally after the 500s"
rq GET "/api/places/$ID" token
expect_status 200
expect_json --arg id "$ID" '.id == $id'

# --- 503: the database is down ------------------------------------------------

t "503: database stopped"
if stack_ok pg-stop; then
	for op in "${OPS[@]}"; do
		m=${op%% *} p=${op#* }
		t "$m ${p/$ID/<id>}: 503 (database down)"
		rq "$m" "$p" token
		answer "$m" 503 '{"status":"Service unavailable"}'
	done
fi

t "503: database started again"
stack_ok pg-start
# Each worker notices the restart on its next request and reconnects.
for i in 1 2 3 4; do
	t "database back: GET a place #$i"
	rq GET "/api/places/$ID" token
	expect_status 200
done
