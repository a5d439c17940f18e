# Integration test helpers.  Sourced by run.sh, never run directly.
#
# run.sh sets before sourcing:
#   IT_ROOT  repository root
#   IT_TMP   scratch directory for this run (results, tokens, last response)
# and sources $STATE_DIR/stack.env (BASE_URL, STATE_DIR, NGINX_PORT, ...).
#
# Every expect_* helper is one check of tests/lib/check.sh (t, pass, fail,
# skip, expect_eq, note): one "ok"/"not ok"/"skip" line in $IT_TMP/results.
#
# A case file is a list of:
#   t "case name"                     # names the following checks
#   areq "$TOKEN" GET /api/places     # one request
#   expect_status 200                 # checks on that response
#   expect_json 'type == "array"'

: "${IT_ROOT:?IT_ROOT not set}" "${IT_TMP:?IT_TMP not set}"
: "${BASE_URL:?BASE_URL not set (source stack.env)}" "${STATE_DIR:?STATE_DIR not set}"

# The content type every response must carry (README.md).
JSON_CT='application/json; charset=utf-8'
# A canonical lowercase UUID as the worker prints it.
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
# RFC 3339 UTC with milliseconds, e.g. 2026-11-27T10:54:03.123Z (jq regex).
TS_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$'
# The nine keys of a place, sorted (jq's `keys` sorts).
PLACE_KEYS='["author","createdAt","description","id","image","location","mapURL","name","updatedAt"]'

# shellcheck source=../lib/check.sh
. "$IT_ROOT/tests/lib/check.sh"

STATUS=000
REQ=

# --- requests ----------------------------------------------------------------

# The last response: $STATUS, $IT_TMP/headers (raw, with CR), $IT_TMP/body.

# body: the body of the last response (trailing newlines stripped).
body() { cat "$IT_TMP/body"; }

# header NAME: the value of the first NAME header of the last response,
# trimmed; empty output if absent.  Status 1 if absent.
header() {
	local n
	n=$(printf '%s' "$1" | tr 'A-Z' 'a-z')
	tr -d '\r' <"$IT_TMP/headers" | awk -v n="$n" '
		NR > 1 && index(tolower($0), n ":") == 1 {
			sub(/^[^:]*:[ \t]*/, ""); sub(/[ \t]+$/, ""); print; found = 1; exit
		}
		END { exit !found }'
}

# _record_status: appends "METHOD TARGET STATUS" for the last exchange to
# $IT_TMP/statuses, which cases/zz-openapi.sh compares with docs/openapi.yaml
# (blanks in METHOD and TARGET, and any byte of a raw request line outside
# printable ASCII, become ".").  req sets _RQ_METHOD and _RQ_TARGET, raw_req
# _RQ_FILE (the request it sent); a case's own raw-socket helper that ends
# with _after_response sets RAW_REQ_FILE.  Anything else is recorded as
# "?", which zz-openapi.sh counts as a failure.
_record_status() {
	local f=${_RQ_FILE:-${RAW_REQ_FILE:-}} line m t
	if [ -n "${_RQ_METHOD:-}" ]; then
		m=$_RQ_METHOD t=$_RQ_TARGET
	else
		if [ -n "$f" ] && [ -f "$f" ]; then
			# The request line: METHOD SP TARGET SP VERSION CRLF.
			line=$(LC_ALL=C head -n 1 "$f" | LC_ALL=C tr -c '\040-\176' '.')
			m=${line%% *} t=''
			[ "$m" = "$line" ] || { t=${line#* }; t=${t%% *}; }
		else
			m='?' t='?'
		fi
	fi
	m=${m//[[:space:]]/.} t=${t//[[:space:]]/.}
	printf '%s %s %s\n' "${m:-?}" "${t:-?}" "$STATUS" >>"$IT_TMP/statuses"
	_RQ_METHOD='' _RQ_TARGET='' _RQ_FILE='' RAW_REQ_FILE=''
}

# _after_response: bookkeeping shared by req and raw_req.
_after_response() {
	local ct
	ct=$(header Content-Type)
	_record_status
	printf '%s\n' "$REQ" >>"$IT_TMP/responses"
	if [ "$ct" != "$JSON_CT" ]; then
		printf '%s -> %s [%s]\n' "$(_one_line "$REQ")" "$STATUS" "$ct" >>"$IT_TMP/ctype_bad"
	fi
}

# req METHOD PATH [CURL-ARGS...]: one request to $BASE_URL$PATH, PATH sent
# as is (no dot-segment removal, no globbing).  HEAD goes over raw_req so the
# test sees whatever body bytes the server sends.
req() {
	local method=$1 path=$2
	shift 2
	REQ="$method $path"
	if [ "$method" = HEAD ]; then
		local hdrs=()
		while [ $# -gt 0 ]; do
			case $1 in
			-H) hdrs+=("$2"); shift 2 ;;
			-b) hdrs+=("Cookie: $2"); shift 2 ;;
			*) echo "req: HEAD supports only -H and -b, not $1" >&2; return 1 ;;
			esac
		done
		# Built with printf -v: $(...) would strip the final CRLF's LF.
		local text h
		printf -v text 'HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' "$path"
		for h in "${hdrs[@]}"; do printf -v text '%s%s\r\n' "$text" "$h"; done
		raw_req "$text"$'\r\n' "$REQ"
		return
	fi
	: >"$IT_TMP/body"
	: >"$IT_TMP/headers"
	_RQ_METHOD=$method _RQ_TARGET=${path%%#*} # curl sends no fragment
	STATUS=$(curl -s -S --path-as-is -g -o "$IT_TMP/body" -D "$IT_TMP/headers" \
		-w '%{http_code}' --max-time 10 -H 'Expect:' -X "$method" "$@" \
		"$BASE_URL$path" 2>"$IT_TMP/curl.err")
	_after_response
}

# raw_req TEXT [LABEL]: sends TEXT as is to the nginx port (bash /dev/tcp) and reads
# until the server closes.  Sets STATUS, headers and body like req.
raw_req() {
	local hostport host port hlen
	hostport=${BASE_URL#http://}
	hostport=${hostport%%/*}
	host=${hostport%:*}
	port=${hostport##*:}
	printf '%s' "$1" >"$IT_TMP/raw.req"
	_RQ_FILE=$IT_TMP/raw.req
	REQ=${2:-"raw $(head -n1 "$IT_TMP/raw.req" | tr -d '\r')"}
	timeout 10 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; cat "$3" >&3; cat <&3' \
		_ "$host" "$port" "$IT_TMP/raw.req" >"$IT_TMP/raw.resp" 2>"$IT_TMP/curl.err"
	# Headers: through the first empty line; body: every byte after it.
	LC_ALL=C sed '/^\r\{0,1\}$/q' "$IT_TMP/raw.resp" >"$IT_TMP/headers"
	hlen=$(wc -c <"$IT_TMP/headers")
	tail -c +"$((hlen + 1))" "$IT_TMP/raw.resp" >"$IT_TMP/body"
	STATUS=$(head -n1 "$IT_TMP/headers" | awk '{ print $2 }')
	STATUS=${STATUS:-000}
	_after_response
}

# areq TOKEN METHOD PATH [CURL-ARGS...]: req with "Authorization: Bearer TOKEN".
areq() {
	local tok=$1
	shift
	req "$1" "$2" -H "Authorization: Bearer $tok" "${@:3}"
}

# jreq TOKEN METHOD PATH JSON [CURL-ARGS...]: areq with a JSON body.
jreq() {
	local tok=$1 method=$2 path=$3 json=$4
	shift 4
	areq "$tok" "$method" "$path" -H 'Content-Type: application/json' \
		--data-binary "$json" "$@"
}

# jfreq TOKEN METHOD PATH FILE [CURL-ARGS...]: jreq with the body from FILE
# (for bodies with bytes an argument cannot hold).
jfreq() {
	local tok=$1 method=$2 path=$3 file=$4
	shift 4
	areq "$tok" "$method" "$path" -H 'Content-Type: application/json' \
		--data-binary "@$file" "$@"
}

# --- assertions on the last response ----------------------------------------

_got() {
	if [ "$STATUS" = 000 ]; then
		printf '000, no response: %s' "$(cat "$IT_TMP/curl.err")"
	else
		printf '%s %s body %s' "$STATUS" "$(header Content-Type)" "$(head -c 200 "$IT_TMP/body")"
	fi
}

# expect_status CODE: CODE may be alternatives, e.g. "502|503|504".
expect_status() {
	if [[ $STATUS =~ ^($1)$ ]]; then
		pass "status $1"
	else
		fail "status $1" "$(_got) [$REQ]"
	fi
}

# expect_body STRING: the body is exactly STRING (byte for byte).
expect_body() {
	if printf '%s' "$1" | cmp -s - "$IT_TMP/body"; then
		pass "body $1"
	else
		fail "body $1" "$(head -c 250 "$IT_TMP/body")"
	fi
}

# expect_empty_body: no body bytes at all.
expect_empty_body() {
	if [ ! -s "$IT_TMP/body" ]; then
		pass "empty body"
	else
		fail "empty body" "$(wc -c <"$IT_TMP/body") bytes: $(head -c 100 "$IT_TMP/body")"
	fi
}

# expect_json [JQ-ARGS...] FILTER: jq FILTER (the last argument) on the
# body yields true; JQ-ARGS such as --arg NAME VALUE come before it.
expect_json() {
	local filter=${!#}
	if jq -e "${@:1:$#-1}" "$filter" <"$IT_TMP/body" >/dev/null 2>&1; then
		pass "json $filter"
	else
		fail "json $filter" "$(head -c 250 "$IT_TMP/body")"
	fi
}

# expect_header NAME REGEX: header NAME is present and matches the
# extended REGEX (anchor it yourself).
expect_header() {
	local v
	if ! v=$(header "$1"); then
		fail "header $1 ~ $2" "no $1 header"
	elif [[ $v =~ $2 ]]; then
		pass "header $1 ~ $2"
	else
		fail "header $1 ~ $2" "$1: $v"
	fi
}

# expect_no_header NAME
expect_no_header() {
	local v
	if v=$(header "$1"); then
		fail "no header $1" "$1: $v"
	else
		pass "no header $1"
	fi
}

# expect_error STATUS BODY: the usual pair, plus the JSON content type.
expect_error() {
	expect_status "$1"
	expect_body "$2"
}

# expect_401: the full "not authorized" answer.
expect_401() {
	expect_status 401
	expect_header WWW-Authenticate '^Bearer'
	expect_body '{"status":"Not authorized"}'
}

# expect_place: the body is one place with all nine keys and good timestamps.
expect_place() {
	expect_json "type == \"object\" and (keys == $PLACE_KEYS)"
	expect_json "(.createdAt | test(\"$TS_RE\")) and (.updatedAt | test(\"$TS_RE\"))"
}

# --- fixtures (SQL through tools/stack.sh psql) ------------------------------

# sql QUERY [NAME=VALUE...]: runs QUERY with each NAME bound as a psql
# variable; QUERY refers to them as :'NAME' (quoted literal), so values are
# never spliced into SQL text.  Prints unaligned tuples.  QUERY goes on stdin
# because psql does not substitute variables in -c.
sql() {
	local q=$1 a=() kv
	shift
	for kv in "$@"; do a+=(-v "$kv"); done
	printf '%s\n' "$q" | "$IT_ROOT/tools/stack.sh" psql "$STATE_DIR" -t -A "${a[@]}"
}

# rand_hex N: 2N random hex digits.
rand_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# mkuser NAME EMAIL: inserts a user, prints its id.
mkuser() {
	sql "WITH u AS (INSERT INTO users (name, email) VALUES (:'name', :'email') RETURNING id)
	     SELECT id FROM u;" name="$1" email="$2"
}

# mksession USER-ID INTERVAL: a session expiring at now() + INTERVAL
# ('30 days', '-1 hour'); prints its new random token, which is also
# recorded in $IT_TMP/tokens for the final log check.
mksession() {
	local tok
	tok=$(rand_hex 32)
	printf '%s\n' "$tok" >>"$IT_TMP/tokens"
	sql "INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
	     VALUES (:'uid', now() + CAST(:'ivl' AS interval), :'tok');" \
		uid="$1" ivl="$2" tok="$tok" >/dev/null || return 1
	printf '%s\n' "$tok"
}

# new_user P: a fresh user with a valid 30-day session; sets P_ID, P_EMAIL,
# P_TOKEN in the calling shell.
new_user() {
	local email id tok
	email="it-$(printf '%s' "$1" | tr 'A-Z' 'a-z')-$(rand_hex 6)@example.com"
	id=$(mkuser "Test $1" "$email") || return 1
	tok=$(mksession "$id" '30 days') || return 1
	printf -v "$1_ID" '%s' "$id"
	printf -v "$1_EMAIL" '%s' "$email"
	printf -v "$1_TOKEN" '%s' "$tok"
}

# mkplace USER-ID NAME LOCATION [CREATED-AT]: inserts a place directly,
# prints its id.  CREATED-AT (timestamptz text) sets created_at and updated_at.
mkplace() {
	sql "WITH p AS (INSERT INTO places (name, location, author_id, created_at, updated_at)
	       VALUES (:'name', :'loc', :'uid', COALESCE(NULLIF(:'ts', '')::timestamptz, now()),
	               COALESCE(NULLIF(:'ts', '')::timestamptz, now()))
	       RETURNING id)
	     SELECT id FROM p;" uid="$1" name="$2" loc="$3" ts="${4:-}"
}

# place_row ID: the stored row as one text line (to prove it did not change).
place_row() {
	sql "SELECT row(name, location, image, \"mapURL\", description, author_id,
	                created_at, updated_at)::text FROM places WHERE id = :'id';" id="$1"
}

# worker_pids: the PIDs of multiwatch's children (the workers), sorted.
worker_pids() {
	local mw
	mw=$(cat "$STATE_DIR/run/spawn.pid" 2>/dev/null) || return 1
	pgrep -P "$mw" | sort -n | tr '\n' ' '
}

# repeat_char N STRING: STRING repeated N times.
repeat_char() {
	local out
	if [ "$(printf '%s' "$2" | wc -c)" = 1 ]; then
		head -c "$1" /dev/zero | tr '\0' "$2"
	else
		local i
		out=
		for ((i = 0; i < $1; i++)); do out+=$2; done
		printf '%s' "$out"
	fi
}

# alive PID: running and not a zombie (kill -0 succeeds on a zombie).
alive() {
	local s
	s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]
}

# wait_exit PID SECONDS: waits for our child PID to end; sets EXITED to its
# exit status, or to "still running" (and kills it).  Not in $(...): only
# this shell can wait for its children.
wait_exit() {
	local pid=$1 i
	for ((i = 0; i < $2 * 20; i++)); do
		alive "$pid" || break
		sleep 0.05
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		EXITED="still running"
		return
	fi
	wait "$pid"
	EXITED=$?
}

# stack_ok CMD: tools/stack.sh CMD on this run's stack (pg-stop, pg-start),
# as one check; false when it failed.
stack_ok() {
	if "$IT_ROOT/tools/stack.sh" "$1" "$STATE_DIR" >"$IT_TMP/stack.out" 2>&1; then
		pass "tools/stack.sh $1"
	else
		fail "tools/stack.sh $1" "$(cat "$IT_TMP/stack.out")"
		return 1
	fi
}
