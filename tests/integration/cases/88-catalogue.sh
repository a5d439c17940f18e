# A catalogue of hostile requests, each with the exact status and body it
# must get (README.md: "The HTTP contract", "Limits", "Sessions"; nginx's own
# JSON errors from nginx.conf.example), sent with curl, or as raw bytes over
# a socket where curl cannot express the request.  Between the entries a few
# valid writes; after the catalogue the same worker processes must still be
# serving (no restart by multiwatch) and the database must hold exactly the
# rows the catalogue meant to write.  Every entry runs twice, the second
# time after the writes, to show that the answers are stable: the second
# answer must have the same status and the very same body bytes as the first
# (jq: entries, which show places, are checked with their filter again).
#
# One entry is one line of the table in catalogue() below:
#
#   name | who | how | status | expect
#
#   who     A  adds "Authorization: Bearer <token of a fresh user>", so that a
#              401 does not mask the check; -  sends no credentials of its own.
#   how     shell words (expanded by eval, so quotes, $VARS and $(...) work):
#             curl METHOD PATH [CURL-ARGS...]   through lib.sh's req
#             json METHOD PATH BODY [CURL-ARGS...]
#                  curl with Content-Type: application/json and --data-binary
#                  BODY (@FILE reads a file; see bytes and deep below)
#             raw TEMPLATE
#                  the bytes of printf %b TEMPLATE (\r \n \xHH; \x00 is a
#                  NUL), sent as is to nginx over a socket.  After the first
#                  line (with that line's ending, CRLF or bare LF) come
#                  "Host: catalogue.test", "Connection: close" and, for
#                  who A, the Authorization header.
#   status  the exact status (an alternation like 400|422 only where the
#           README allows either)
#   expect  {...}             the exact body
#           detail:STATUS     {"status":STATUS,"detail":<a non-empty string>},
#                             for the README's undocumented <why>
#           errors:F1,F2,...  422 {"status":"Invalid place","errors":{...}}
#                             naming exactly these fields (any order), each
#                             with a non-empty reason
#           jq:FILTER         jq FILTER on the body is true; $p1, $p2 and
#                             $email (user A's) are bound
#           empty             no body bytes (HEAD)
#
# The first run of an entry also checks the JSON content type,
# Cache-Control: no-store, WWW-Authenticate: Bearer on a 401 and an Allow
# header on a 405.  Names are
# unique.  Lines starting
# with # and blank lines are skipped.  " | " separates the columns, so it
# must not occur inside one except in expect, the last.

CAT_DIR=$IT_TMP/catalogue
mkdir -p "$CAT_DIR"
# Used by the table, through eval.
# shellcheck disable=SC2034
C=next-auth.session-token SC=__Secure-next-auth.session-token
NF='{"status":"Not found"}'

# --- before: what must not change -------------------------------------------

# A bystander with a place and a session, so that "every other row
# unchanged" below compares something even when this case runs alone.
new_user CX
mkplace "$CX_ID" "catalogue bystander" "nowhere" >/dev/null
PIDS_BEFORE=$(worker_pids)
WLOG=${WORKER_LOG:-/dev/null}
LOG_OFFSET=$(wc -c <"$WLOG")
PLACES_SQL='SELECT id, name, location, image, "mapURL", description, author_id FROM places'
places_text() { # places_text [EXCLUDED-IDS (comma-separated uuids)]
	sql "$PLACES_SQL WHERE NOT (id::text = ANY (string_to_array(:'ex', ','))) ORDER BY id;" ex="${1:-}"
}
users_text() {
	sql "SELECT id, name, email, \"emailVerified\", image FROM users
	     WHERE NOT (id::text = ANY (string_to_array(:'ex', ','))) ORDER BY id;" ex="${1:-}"
}
sessions_text() {
	sql "SELECT id, \"userId\", expires, \"sessionToken\" FROM sessions
	     WHERE NOT (\"userId\"::text = ANY (string_to_array(:'ex', ','))) ORDER BY id;" ex="${1:-}"
}
PLACES_BEFORE=$(places_text)
NPLACES_BEFORE=$(sql 'SELECT count(*) FROM places;')
USERS_BEFORE=$(users_text)
NUSERS_BEFORE=$(sql 'SELECT count(*) FROM users;')
SESSIONS_BEFORE=$(sessions_text)
NSESSIONS_BEFORE=$(sql 'SELECT count(*) FROM sessions;')

# The catalogue's users: A sends the requests, B owns P2.
new_user CA
new_user CB

# --- helpers for the table ---------------------------------------------------

# bytes TEXT: writes printf %b TEXT to a new file, prints "@FILE" (for curl).
bytes() {
	local f
	f=$(mktemp "$CAT_DIR/body.XXXXXX") || return 1
	printf '%b' "$1" >"$f"
	printf '@%s' "$f"
}

# deep N OPEN CLOSE [HEAD]: a JSON body nested N deep, as "@FILE".
deep() {
	local f
	f=$(mktemp "$CAT_DIR/deep.XXXXXX") || return 1
	{
		printf '%s' "${4:-}"
		repeat_char "$1" "$2"
		[ -z "${4:-}" ] || printf '1'
		repeat_char "$1" "$3"
		[ -z "${4:-}" ] || printf '}'
	} >"$f"
	printf '@%s' "$f"
}

# pairs N: N cookie pairs "kI=v; ".
pairs() {
	local i
	for ((i = 1; i <= $1; i++)); do printf 'k%d=v; ' "$i"; done
}

# cookie_lines N: N separate Cookie header lines of two pairs each, as
# curl arguments (nginx itself refuses about a thousand header lines).
cookie_lines() {
	local i
	for ((i = 1; i <= $1; i++)); do printf -- '-H Cookie:k%d=v;l%d=v ' "$i" "$i"; done
}

# many_headers N SIZE: N headers of SIZE bytes, as curl arguments.
many_headers() {
	local i v
	v=$(repeat_char "$2" x)
	for ((i = 1; i <= $1; i++)); do printf -- '-H X-Pad-%d:%s ' "$i" "$v"; done
}

# raw_file FILE: like lib.sh's raw_req, but the request is the bytes of FILE
# (NUL included, which a shell string cannot hold).
raw_file() {
	local hostport host port hlen
	hostport=${BASE_URL#http://}
	hostport=${hostport%%/*}
	host=${hostport%:*}
	port=${hostport##*:}
	timeout 10 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; cat "$3" >&3; cat <&3' \
		_ "$host" "$port" "$1" >"$IT_TMP/raw.resp" 2>"$IT_TMP/curl.err"
	LC_ALL=C sed '/^\r\{0,1\}$/q' "$IT_TMP/raw.resp" >"$IT_TMP/headers"
	hlen=$(wc -c <"$IT_TMP/headers")
	tail -c +"$((hlen + 1))" "$IT_TMP/raw.resp" >"$IT_TMP/body"
	STATUS=$(head -n1 "$IT_TMP/headers" | awk '{ print $2 }')
	STATUS=${STATUS:-000}
	RAW_REQ_FILE=$1	# for lib.sh's status record (docs/openapi.yaml)
	_after_response
}

# raw_template TEMPLATE TOKEN LABEL: sends printf %b TEMPLATE with Host,
# Connection: close and (TOKEN not empty) Authorization after the first line.
raw_template() {
	local tpl=$1 tok=$2 first eol ins
	first=${tpl%%\\n*}
	if [ "$first" = "$tpl" ]; then
		ins=
	else
		eol='\n'
		[[ $first == *'\r' ]] && eol='\r\n'
		ins="Host: catalogue.test${eol}Connection: close${eol}"
		[ -z "$tok" ] || ins+="Authorization: Bearer $tok${eol}"
		tpl="${first}\\n${ins}${tpl#*\\n}"
	fi
	printf '%b' "$tpl" >"$IT_TMP/cat.req"
	REQ="raw $3"
	raw_file "$IT_TMP/cat.req"
}

# expect_kind EXPECT: the body check of one entry.
expect_kind() {
	local e=$1
	case $e in
	'{'* | '['*) expect_body "$e" ;;
	empty) expect_empty_body ;;
	detail:*)
		expect_json --arg s "${e#detail:}" \
			'keys == ["detail","status"] and .status == $s and (.detail | type == "string" and length > 0)'
		;;
	errors:*)
		expect_json --arg f "${e#errors:}" \
			'keys == ["errors","status"] and .status == "Invalid place" and (.errors | type == "object" and keys == ($f | split(",") | sort)) and all(.errors[]; type == "string" and length > 0)'
		;;
	jq:*) expect_json --arg p1 "$P1" --arg p2 "$P2" --arg email "$CA_EMAIL" "${e#jq:}" ;;
	*) fail "catalogue entry has a known expect form" "$e" ;;
	esac
}

# header_is NAME REGEX: lib.sh's expect_header without a process per call
# (it runs for every entry): the first NAME header matches REGEX.
header_is() {
	local l want v= first=1
	want=${1,,}
	while IFS= read -r l; do
		l=${l%$'\r'}
		if [ -n "$first" ]; then
			first= # the status line
		elif [[ ${l,,} == "$want:"* ]]; then
			v=${l#*:}
			v=${v#"${v%%[! ]*}"}
			break
		fi
	done <"$IT_TMP/headers"
	if [ -z "$v" ]; then
		fail "header $1 ~ $2" "no $1 header"
	elif [[ $v =~ $2 ]]; then
		pass "header $1 ~ $2"
	else
		fail "header $1 ~ $2" "$1: $v"
	fi
}

# trim TEXT: TEXT without leading and trailing blanks.
trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

# run_catalogue PASS-LABEL: runs every entry of the table (read on fd 9, so
# that nothing an entry runs can eat the table).
CAT_NAMES=$IT_TMP/catalogue.names
run_catalogue() {
	local pass=$1 line name who how status expect rest tok kind n=0
	: >"$CAT_NAMES"
	while IFS= read -r -u 9 line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		name=$(trim "${line%% | *}")
		rest=${line#* | }
		who=$(trim "${rest%% | *}")
		rest=${rest#* | }
		how=$(trim "${rest%% | *}")
		rest=${rest#* | }
		status=$(trim "${rest%% | *}")
		expect=$(trim "${rest#* | }")
		t "catalogue$pass: $name"
		if [ -z "$expect" ] || [[ ! $status =~ ^[0-9|]+$ ]] || [[ ! $who =~ ^[A-]$ ]]; then
			fail "entry has five columns" "$line"
			continue
		fi
		echo "$name" >>"$CAT_NAMES"
		tok=
		[ "$who" = A ] && tok=$CA_TOKEN
		if ! eval "set -- $how"; then
			fail "entry's how column parses" "$how"
			continue
		fi
		kind=$1
		shift
		case $kind in
		curl)
			if [ -n "$tok" ]; then
				req "$1" "$2" -H "Authorization: Bearer $tok" "${@:3}"
			else
				req "$@"
			fi
			;;
		json)
			if [ -n "$tok" ]; then
				req "$1" "$2" -H "Authorization: Bearer $tok" \
					-H 'Content-Type: application/json' --data-binary "$3" "${@:4}"
			else
				req "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3" "${@:4}"
			fi
			;;
		raw) raw_template "$1" "$tok" "$name" ;;
		*)
			fail "entry's how is curl, json or raw" "$kind"
			continue
			;;
		esac
		n=$((n + 1))
		expect_status "$status"
		if [ -n "$pass" ] && [[ $expect != jq:* ]]; then
			# Again: the very same bytes as the first time (jq: entries
			# show places, whose updatedAt may have moved since).
			if cmp -s "$IT_TMP/body" "$CAT_DIR/answer.$n"; then
				pass "the same body as the first time"
			else
				fail "the same body as the first time" "$(head -c 200 "$IT_TMP/body")"
			fi
			continue
		fi
		cp "$IT_TMP/body" "$CAT_DIR/answer.$n"
		expect_kind "$expect"
		header_is Content-Type '^application/json; charset=utf-8$'
		# The worker's answers and nginx's own errors alike (README.md).
		header_is Cache-Control '^no-store$'
		case $STATUS in
		401) header_is WWW-Authenticate '^Bearer$' ;;
		405) header_is Allow '^(GET, HEAD, POST|GET, HEAD, PUT, PATCH, DELETE)$' ;;
		esac
	done 9< <(catalogue)
}

# --- valid write 1: SQL metacharacters and Unicode in every field -------------

N1="Robert'); DROP TABLE places;-- \"Bobby\" \\ caf$(printf '\u00e9') $(printf '\u4e2d') $(printf '\U0001F642') 100% _x_"
L1="' OR '1'='1' --; \$1 \$\$ %s %n {} E'\\x00' /* */ $(printf '\u2013')"
I1="https://example.com/a'b;--/c?q=%27%3B%20DROP&x=\$1\$\$"
M1="http://maps.example.com/?q=1'OR'1'='1';--&r=\"x\"\\y"
D1="'; DELETE FROM users; --"$'\n\t'"\"\\\" \\' \$\$ caf$(printf '\u00e9') $(printf '\U0001F642') $(printf '\u2028') ?:name :'x' \\x00"
BODY1=$(jq -cn --arg n "$N1" --arg l "$L1" --arg i "$I1" --arg m "$M1" --arg d "$D1" \
	'{name: $n, location: $l, image: $i, mapURL: $m, description: $d}')

t "catalogue write: POST a place with SQL metacharacters in every field"
jreq "$CA_TOKEN" POST /api/places "$BODY1"
expect_status 201
P1=$(jq -r '.id // empty' "$IT_TMP/body" 2>/dev/null)
P1=${P1:-00000000-0000-4000-8000-00000000000a}
expect_body "{\"status\":\"Place created\",\"id\":\"$P1\"}"
expect_header Location "^/api/places/$P1\$"

# place_json ID EMAIL BODY: the exact GET body of a place holding BODY's fields,
# with the timestamps of the last response.
place_json() {
	jq -c --arg id "$1" --arg e "$2" --argjson p "$3" '{id: $id, name: $p.name,
		location: $p.location, image: $p.image, mapURL: $p.mapURL,
		description: $p.description, author: $e, createdAt: .createdAt,
		updatedAt: .updatedAt}' "$IT_TMP/body" 2>/dev/null
}
# stored_as ID BODY: "t" when the row holds exactly BODY's fields (psql
# variables, so no quoting of the values is involved).
stored_as() {
	sql "SELECT name = :'n' AND location = :'l' AND image IS NOT DISTINCT FROM NULLIF(:'i', '<null>')
	        AND \"mapURL\" IS NOT DISTINCT FROM NULLIF(:'m', '<null>')
	        AND description IS NOT DISTINCT FROM NULLIF(:'d', '<null>')
	     FROM places WHERE id = :'id';" id="$1" \
		n="$(jq -r .name <<<"$2")" l="$(jq -r .location <<<"$2")" \
		i="$(jq -r '.image // "<null>"' <<<"$2")" m="$(jq -r '.mapURL // "<null>"' <<<"$2")" \
		d="$(jq -r '.description // "<null>"' <<<"$2")"
}

t "catalogue write: GET returns every byte that was posted"
areq "$CA_TOKEN" GET "/api/places/$P1"
expect_status 200
expect_body "$(place_json "$P1" "$CA_EMAIL" "$BODY1")"

t "catalogue write: the row holds every byte that was posted"
expect_eq "stored byte-exact" t "$(stored_as "$P1" "$BODY1")"
expect_eq "author is A" "$CA_ID" "$(sql "SELECT author_id FROM places WHERE id = :'id';" id="$P1")"

# --- valid write 2: B's place, POSTed with a chunked body by hand ------------

BODY2='{"name":"Chunked by B","location":"Transfer-Encoding: chunked","description":null}'
t "catalogue write: POST with a chunked body (raw)"
raw_template "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n${BODY2:0:16}\r\n$(printf '%x' $((${#BODY2} - 16)))\r\n${BODY2:16}\r\n0\r\n\r\n" \
	"$CB_TOKEN" "chunked POST by B"
expect_status 201
P2=$(jq -r '.id // empty' "$IT_TMP/body" 2>/dev/null)
P2=${P2:-00000000-0000-4000-8000-00000000000b}
expect_body "{\"status\":\"Place created\",\"id\":\"$P2\"}"
areq "$CB_TOKEN" GET "/api/places/$P2"
expect_status 200
expect_body "$(place_json "$P2" "$CB_EMAIL" "$(jq -c '. + {image: null, mapURL: null}' <<<"$BODY2")")"
expect_eq "stored byte-exact" t "$(stored_as "$P2" "$BODY2")"

# --- the catalogue -------------------------------------------------------------

catalogue() {
	cat <<'EOF'
# ---- sessions: cookies and tokens (401 unless the session is valid) --------
huge cookie: one 33 KB Cookie line (nginx's 32k line limit)         | - | curl GET /api/places -H "Cookie: $C=$(repeat_char 33000 a)"                               | 431 | {"status":"Request header too large"}
huge cookies: three 12 KB lines, joined past the worker's 32 KB      | - | curl GET /api/places -H "Cookie: $C.0=$(repeat_char 12000 a)" -H "Cookie: b=$(repeat_char 12000 b)" -H "Cookie: c=$(repeat_char 12000 c)" | 400 | {"status":"Bad request"}
# No cookie the worker reads: nginx answers 401 itself without asking it
# (nginx.conf.example, "credential-less requests"; README, Deploying).
huge cookies, none a session's: nginx's 401 (the worker's is a 400)     | - | curl GET /api/places -H "Cookie: a=$(repeat_char 12000 a)" -H "Cookie: b=$(repeat_char 12000 b)" -H "Cookie: c=$(repeat_char 12000 c)" | 401 | {"status":"Not authorized"}
huge cookies around a valid session cookie: the limit comes first   | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN" -H "Cookie: a=$(repeat_char 12000 a)" -H "Cookie: b=$(repeat_char 12000 b)" -H "Cookie: c=$(repeat_char 12000 c)" | 400 | {"status":"Bad request"}
# A valid Bearer decides before cookies are read (README, "Where the token
# comes from"), so cookies over the limit are never looked at.
huge cookies with a valid Bearer: the cookies are not read           | A | curl GET /api/places?author=me -H "Cookie: a=$(repeat_char 12000 a)" -H "Cookie: b=$(repeat_char 12000 b)" -H "Cookie: c=$(repeat_char 12000 c)" | 200 | jq:type == "array" and all(.[]; .author == $email)
numerous cookies: 1025 pairs around a valid session cookie           | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN; $(pairs 1024)"                      | 400 | {"status":"Bad request"}
numerous cookies: 520 Cookie header lines, 1040 pairs joined by nginx | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN" $(cookie_lines 520)                 | 400 | {"status":"Bad request"}
numerous cookies: 1024 pairs is still within the limit              | - | curl GET /api/places?author=me -H "Cookie: $C=$CA_TOKEN; $(pairs 1023)"           | 200 | jq:type == "array" and all(.[]; .author == $email)
duplicate session cookies on two lines, bogus first                  | - | curl GET /api/places -H "Cookie: $C=$(rand_hex 32)" -H "Cookie: $C=$CA_TOKEN"     | 401 | {"status":"Not authorized"}
duplicate session cookies on two lines, valid first                  | - | curl GET /api/places?author=me -H "Cookie: $C=$CA_TOKEN" -H "Cookie: $C=$(rand_hex 32)" | 200 | jq:type == "array" and all(.[]; .author == $email)
duplicate session cookies, the first one empty                       | - | curl GET /api/places -H "Cookie: $C=; $C=$CA_TOKEN"                                 | 401 | {"status":"Not authorized"}
duplicate session cookies, bogus __Secure- beats valid plain         | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN; $SC=$(rand_hex 32)"                 | 401 | {"status":"Not authorized"}
duplicate session cookies, whole and chunk .0 both present          | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN; $C.0=$CA_TOKEN"                     | 401 | {"status":"Not authorized"}
empty token: "Authorization: Bearer"                                 | - | curl GET /api/places -H "Authorization: Bearer "                                    | 401 | {"status":"Not authorized"}
empty token: Bearer "" with a valid cookie (no fallback)             | - | curl GET /api/places -H 'Authorization: Bearer ""' -b "$C=$CA_TOKEN"                | 401 | {"status":"Not authorized"}
# "Bearer", a tab, a token: a Bearer header with a bad separator (RFC 9110
# 11.4: 1*SP), so malformed, so 401 without looking at the cookies (README).
malformed Bearer: a tab after "Bearer", with a valid cookie, raw     | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer\t$(rand_hex 32)\r\nCookie: $C=$CA_TOKEN\r\n\r\n" | 401 | {"status":"Not authorized"}
empty token: empty session cookie                                    | - | curl GET /api/places -H "Cookie: $C="                                               | 401 | {"status":"Not authorized"}
empty token: session cookie of two double quotes                     | - | curl GET /api/places -H "Cookie: $C=\"\""                                           | 401 | {"status":"Not authorized"}
token with NUL: Bearer, raw (nginx refuses the header line)          | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer ${CA_TOKEN:0:8}\x00${CA_TOKEN:8}\r\n\r\n" | 400 | {"status":"Bad request"}
token with NUL: valid Bearer then NUL, raw                           | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer $CA_TOKEN\x00\r\n\r\n"     | 400 | {"status":"Bad request"}
token with NUL: session cookie, raw                                  | - | raw "GET /api/places HTTP/1.1\r\nCookie: $C=$CA_TOKEN\x00x\r\n\r\n"               | 400 | {"status":"Bad request"}
token with NUL: %00 in the session cookie (decoded like NextAuth)   | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN%00"                                   | 401 | {"status":"Not authorized"}
token with a control byte: 0x01 in Bearer, raw                       | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer ${CA_TOKEN:0:8}\x01${CA_TOKEN:8}\r\n\r\n" | 401 | {"status":"Not authorized"}
token with a control byte: valid Bearer then DEL, raw                | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer $CA_TOKEN\x7f\r\n\r\n"     | 401 | {"status":"Not authorized"}
token with a control byte: tab inside the Bearer token, raw          | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer ${CA_TOKEN:0:8}\t${CA_TOKEN:8}\r\n\r\n" | 401 | {"status":"Not authorized"}
token with a control byte: 0x1f in the session cookie, raw           | - | raw "GET /api/places HTTP/1.1\r\nCookie: $C=$CA_TOKEN\x1f\r\n\r\n"                | 401 | {"status":"Not authorized"}
token with non-ASCII: UTF-8 after a valid Bearer token, raw          | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer $CA_TOKEN\xc3\xa9\r\n\r\n" | 401 | {"status":"Not authorized"}
token with non-ASCII: byte 0xff in the session cookie, raw           | - | raw "GET /api/places HTTP/1.1\r\nCookie: $C=\xff$CA_TOKEN\r\n\r\n"                | 401 | {"status":"Not authorized"}
token with non-ASCII: %C3%A9 in the session cookie                   | - | curl GET /api/places -H "Cookie: $C=%C3%A9$CA_TOKEN"                                | 401 | {"status":"Not authorized"}
10 KB token: Bearer (over the worker's 8192 bytes)                   | - | curl GET /api/places -H "Authorization: Bearer $(repeat_char 10240 a)"              | 401 | {"status":"Not authorized"}
33 KB token: Bearer (nginx's 32k line limit)                         | - | curl GET /api/places -H "Authorization: Bearer $(repeat_char 33000 a)"              | 431 | {"status":"Request header too large"}
33 KB token: session cookie                                          | - | curl GET /api/places -H "Cookie: $C=$(repeat_char 33000 a)"                         | 431 | {"status":"Request header too large"}
10 KB token: two 5 KB cookie chunks on two lines                     | - | curl GET /api/places -H "Cookie: $C.0=$(repeat_char 5120 a)" -H "Cookie: $C.1=$(repeat_char 5120 b)" | 401 | {"status":"Not authorized"}
8 KB token: Bearer just under nginx's line limit                     | - | curl GET /api/places -H "Authorization: Bearer $(repeat_char 8150 a)"               | 401 | {"status":"Not authorized"}
SQL in the token: Bearer x' OR '1'='1                                | - | curl GET /api/places -H "Authorization: Bearer x' OR '1'='1"                       | 401 | {"status":"Not authorized"}
SQL in the token: valid Bearer token then ' OR '1'='1                | - | curl GET /api/places -H "Authorization: Bearer $CA_TOKEN' OR '1'='1"               | 401 | {"status":"Not authorized"}
SQL in the token: cookie ';DROP TABLE sessions;--                    | - | curl GET /api/places -H "Cookie: $C=';DROP TABLE sessions;--"                     | 401 | {"status":"Not authorized"}
SQL in the token: percent-encoded ' OR '1'='1 cookie                 | - | curl GET /api/places -H "Cookie: $C=%27%20OR%20%271%27%3D%271"                     | 401 | {"status":"Not authorized"}
SQL in the token: LIKE wildcard % as the whole cookie                | - | curl GET /api/places -H "Cookie: $C=%25"                                            | 401 | {"status":"Not authorized"}
SQL in the token: valid token prefix and a LIKE wildcard             | - | curl GET /api/places -H "Cookie: $C=${CA_TOKEN:0:16}%25"                            | 401 | {"status":"Not authorized"}
SQL in the token: valid cookie token then '--                        | - | curl GET /api/places -H "Cookie: $C=$CA_TOKEN'--"                                   | 401 | {"status":"Not authorized"}
two Authorization headers, raw (nginx refuses)                       | A | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer $CA_TOKEN\r\n\r\n"          | 400 | {"status":"Bad request"}
space before the colon of Authorization, raw                         | - | raw "GET /api/places HTTP/1.1\r\nAuthorization : Bearer $CA_TOKEN\r\n\r\n"         | 400 | {"status":"Bad request"}
Authorization folded onto a continuation line, raw                   | - | raw "GET /api/places HTTP/1.1\r\nAuthorization: Bearer\r\n $CA_TOKEN\r\n\r\n"      | 400 | {"status":"Bad request"}
absurd header size: 100 headers of 1400 bytes (over 4 x 32k)         | A | curl GET /api/places $(many_headers 100 1400)                                       | 431 | {"status":"Request header too large"}
absurd header size: one 33 KB header                                 | A | curl GET /api/places -H "X-Pad: $(repeat_char 33000 x)"                             | 431 | {"status":"Request header too large"}
absurd header size: 33 KB header name, raw                           | A | raw "GET /api/places HTTP/1.1\r\n$(repeat_char 33000 X): 1\r\n\r\n"               | 431 | {"status":"Request header too large"}

# ---- 401 comes first ------------------------------------------------------------
no session: SQL in the id                                            | - | curl GET "/api/places/1'%20OR%20'1'='1"                                             | 401 | {"status":"Not authorized"}
no session: limit=abc                                                | - | curl GET /api/places?limit=abc                                                      | 401 | {"status":"Not authorized"}
no session: unknown method on another's place                        | - | curl BREW /api/places/$P2                                                           | 401 | {"status":"Not authorized"}
no session: DELETE another's place                                   | - | curl DELETE /api/places/$P2                                                         | 401 | {"status":"Not authorized"}
no session: JSON nested 10,000 deep                                  | - | json POST /api/places "$(deep 10000 '[' ']')"                                      | 401 | {"status":"Not authorized"}
no session: 8 KB path                                                | - | curl GET "/api/places/$(repeat_char 8000 a)"                                        | 401 | {"status":"Not authorized"}
no session: chunked invalid body, raw                                | - | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n0\r\n\r\n" | 401 | {"status":"Not authorized"}

# ---- JSON bodies ---------------------------------------------------------------
# PUT on P2, B's place, with A's token: a body the worker accepts gets 403 and
# writes nothing, so a wrongly accepted body shows as 403 without a write.
JSON nested 10,000 deep: arrays                                      | A | json POST /api/places "$(deep 10000 '[' ']')"                                      | 400 | detail:Invalid JSON
JSON nested 10,000 deep: objects in a field of a place (PUT)         | A | json PUT /api/places/$P2 "$(deep 10000 '{"a":' '}' '{"name":"a","location":"b","x":')" | 400 | detail:Invalid JSON
JSON nested 10,000 deep: PATCH of one's own place                    | A | json PATCH /api/places/$P1 "$(deep 10000 '[' ']')"                                 | 400 | detail:Invalid JSON
huge number: name 1e999999                                           | A | json POST /api/places '{"name":1e999999,"location":"b"}'                          | 422 | errors:name
huge number: description of 5000 digits                              | A | json POST /api/places "{\"name\":\"a\",\"location\":\"b\",\"description\":$(repeat_char 5000 9)}" | 422 | errors:description
huge number: image -1e-999999                                        | A | json POST /api/places '{"name":"a","location":"b","image":-1e-999999}'            | 422 | errors:image
huge number: in an ignored field does not hide a bad name            | A | json POST /api/places '{"name":"","location":"b","id":1e400,"createdAt":123456789012345678901234567890}' | 422 | errors:name
# Numbers outside RFC 8259 section 6 (json-c itself takes 00, [00], 1., -.5,
# NaN): Invalid JSON, never a write or a 422.
not a JSON number: an ignored field 00                               | A | json POST /api/places '{"name":"a","location":"b","id":00}'                                              | 400 | detail:Invalid JSON
not a JSON number: an ignored field -00                              | A | json POST /api/places '{"name":"a","location":"b","id":-00}'                                             | 400 | detail:Invalid JSON
not a JSON number: an ignored field 00.5                             | A | json POST /api/places '{"name":"a","location":"b","id":00.5}'                                            | 400 | detail:Invalid JSON
not a JSON number: an ignored field [00] (PUT)                       | A | json PUT /api/places/$P2 '{"name":"a","location":"b","id":[00]}'                                            | 400 | detail:Invalid JSON
not a JSON number: an ignored field 01                               | A | json POST /api/places '{"name":"a","location":"b","id":01}'                                              | 400 | detail:Invalid JSON
not a JSON number: name 00 (not a 422)                               | A | json POST /api/places '{"name":00,"location":"b"}'                                                       | 400 | detail:Invalid JSON
not a JSON number: createdAt -01.5 (PATCH)                           | A | json PATCH /api/places/$P1 '{"createdAt":-01.5}'                                                              | 400 | detail:Invalid JSON
not a JSON number: an ignored field -                                | A | json POST /api/places '{"name":"a","location":"b","id":-}'                                               | 400 | detail:Invalid JSON
not a JSON number: an ignored field 1.                               | A | json POST /api/places '{"name":"a","location":"b","id":1.}'                                              | 400 | detail:Invalid JSON
not a JSON number: an ignored field .5                               | A | json POST /api/places '{"name":"a","location":"b","id":.5}'                                              | 400 | detail:Invalid JSON
not a JSON number: an ignored field -.5                              | A | json POST /api/places '{"name":"a","location":"b","id":-.5}'                                             | 400 | detail:Invalid JSON
not a JSON number: an ignored field 1.e5                             | A | json POST /api/places '{"name":"a","location":"b","id":1.e5}'                                            | 400 | detail:Invalid JSON
not a JSON number: an ignored field +1                               | A | json POST /api/places '{"name":"a","location":"b","id":+1}'                                              | 400 | detail:Invalid JSON
not a JSON number: an ignored field 1e                               | A | json POST /api/places '{"name":"a","location":"b","id":1e}'                                              | 400 | detail:Invalid JSON
not a JSON number: an ignored field 1e+                              | A | json POST /api/places '{"name":"a","location":"b","id":1e+}'                                             | 400 | detail:Invalid JSON
not a JSON number: an ignored field 0x1                              | A | json POST /api/places '{"name":"a","location":"b","id":0x1}'                                             | 400 | detail:Invalid JSON
not a JSON number: an ignored field NaN                              | A | json POST /api/places '{"name":"a","location":"b","id":NaN}'                                             | 400 | detail:Invalid JSON
not a JSON number: an ignored field -Infinity                        | A | json POST /api/places '{"name":"a","location":"b","id":-Infinity}'                                       | 400 | detail:Invalid JSON
huge number: 60,000 digits in an ignored field is accepted           | A | json PUT /api/places/$P2 "{\"name\":\"a\",\"location\":\"b\",\"id\":$(repeat_char 60000 9)}" | 403 | {"status":"Forbidden"}
duplicate keys: the last, empty, name wins                           | A | json POST /api/places '{"name":"ok","location":"b","name":""}'                    | 422 | errors:name
duplicate keys: the last, numeric, location wins (PATCH)             | A | json PATCH /api/places/$P1 '{"location":"ok","location":7}'                       | 422 | errors:location
duplicate keys: the last, valid, name wins, so ownership decides     | A | json PUT /api/places/$P2 '{"name":"","name":"ok","location":"b"}'                 | 403 | {"status":"Forbidden"}
wrong type: "name":123                                               | A | json POST /api/places '{"name":123,"location":"b"}'                               | 422 | errors:name
wrong type: "name":null on PUT                                       | A | json PUT /api/places/$P1 '{"name":null,"location":"b"}'                           | 422 | errors:name
wrong type: "location":[]                                            | A | json POST /api/places '{"name":"a","location":[]}'                                | 422 | errors:location
wrong type: "name":{} on PATCH                                       | A | json PATCH /api/places/$P1 '{"name":{}}'                                          | 422 | errors:name
wrong type: image {}, mapURL [], description true                    | A | json POST /api/places '{"name":"a","location":"b","image":{},"mapURL":[],"description":true}' | 422 | errors:description,image,mapURL
wrong type: every field at once on PATCH                             | A | json PATCH /api/places/$P1 '{"name":123,"location":null,"image":[],"mapURL":{},"description":false}' | 422 | errors:description,image,location,mapURL,name
wrong type: the body is an array of a place                          | A | json PUT /api/places/$P1 '[{"name":"a","location":"b"}]'                          | 400 | detail:Invalid JSON
wrong type: the body is a string                                     | A | json POST /api/places '"{\"name\":\"a\",\"location\":\"b\"}"'                     | 400 | detail:Invalid JSON
\u0000 inside strings: name                                          | A | json POST /api/places '{"name":"a\u0000b","location":"b"}'                        | 422 | errors:name
\u0000 inside strings: location on PATCH                             | A | json PATCH /api/places/$P1 '{"location":"\u0000"}'                                | 422 | errors:location
\u0000 inside strings: image                                         | A | json POST /api/places '{"name":"a","location":"b","image":"https://example.com/\u0000"}' | 422 | errors:image
\u0000 inside strings: mapURL                                        | A | json PUT /api/places/$P1 '{"name":"a","location":"b","mapURL":"https://example.com/\u0000.png"}' | 422 | errors:mapURL
\u0000 inside strings: description                                   | A | json PUT /api/places/$P2 '{"name":"a","location":"b","description":"x\u0000"}'   | 422 | errors:description
# "No string may contain U+0000", and a member name is a string: the worker
# must refuse it (400) or report that member as unknown (422), never read
# "name\u0000" as "name".
\u0000 inside strings: at the end of a member name                   | A | json PUT /api/places/$P2 '{"name\u0000":"a","location":"b"}'                     | 400|422 | jq:(.status == "Invalid JSON" and (.detail | type == "string")) or (.status == "Invalid place" and (.errors | has("name\u0000")))
\u0000 inside strings: in the middle of a member name                | A | json POST /api/places '{"na\u0000me":"a","location":"b"}'                        | 400|422 | jq:(.status == "Invalid JSON" and (.detail | type == "string")) or (.status == "Invalid place" and (.errors | keys) == ["na\u0000me","name"])
\u0000 inside strings: a member name that is only U+0000            | A | json PUT /api/places/$P2 '{"name":"a","location":"b","\u0000":1}'               | 400|422 | jq:(.status == "Invalid JSON" and (.detail | type == "string")) or (.status == "Invalid place" and (.errors | keys) == ["\u0000"])
an escaped backslash before u0000 in a member name is no NUL         | A | json POST /api/places '{"name":"a","location":"b","a\\u0000":1}'                 | 422 | errors:a\u0000
# A lone surrogate escape is valid JSON syntax (RFC 8259, 8.2); json-c makes
# it U+FFFD, as Node's UTF-8 encoder would for the Next.js app: accepted, so
# ownership decides.
lone surrogate escape \ud800 is accepted as U+FFFD                   | A | json PUT /api/places/$P2 '{"name":"\ud800","location":"b"}'                     | 403 | {"status":"Forbidden"}
invalid UTF-8: byte 0xff in name                                     | A | json POST /api/places "$(bytes '{"name":"a\xff","location":"b"}')"               | 400 | detail:Invalid JSON
invalid UTF-8: byte 0x80 alone in location (PATCH)                   | A | json PATCH /api/places/$P1 "$(bytes '{"location":"\x80"}')"                      | 400 | detail:Invalid JSON
invalid UTF-8: in a member name                                      | A | json PUT /api/places/$P2 "$(bytes '{"name":"a","location":"b","\xfe":1}')"       | 400 | detail:Invalid JSON
overlong UTF-8: 2 bytes for '/' (C0 AF)                              | A | json POST /api/places "$(bytes '{"name":"a\xc0\xaf","location":"b"}')"           | 400 | detail:Invalid JSON
overlong UTF-8: 3 bytes for '/' (E0 80 AF)                           | A | json POST /api/places "$(bytes '{"name":"a\xe0\x80\xaf","location":"b"}')"       | 400 | detail:Invalid JSON
overlong UTF-8: 4 bytes for '/' (F0 80 80 AF)                        | A | json PUT /api/places/$P2 "$(bytes '{"name":"a\xf0\x80\x80\xaf","location":"b"}')" | 400 | detail:Invalid JSON
overlong UTF-8: NUL as C0 80                                         | A | json POST /api/places "$(bytes '{"name":"a\xc0\x80","location":"b"}')"           | 400 | detail:Invalid JSON
invalid UTF-8: an encoded surrogate (ED A0 80) in description        | A | json PUT /api/places/$P2 "$(bytes '{"name":"a","location":"b","description":"\xed\xa0\x80"}')" | 400 | detail:Invalid JSON
# RFC 8259, 8.1: senders must not add a BOM; the README takes only JSON text.
a UTF-8 BOM before the object                                        | A | json PUT /api/places/$P2 "$(bytes '\xef\xbb\xbf{"name":"a","location":"b"}')"   | 400 | detail:Invalid JSON
a UTF-16 BOM before the object                                       | A | json POST /api/places "$(bytes '\xfe\xff{"name":"a","location":"b"}')"           | 400 | detail:Invalid JSON
trailing garbage: a word                                             | A | json PUT /api/places/$P2 '{"name":"a","location":"b"}garbage'                     | 400 | detail:Invalid JSON
trailing garbage: a second object on PATCH                           | A | json PATCH /api/places/$P1 '{"name":"a"} {"name":"b"}'                            | 400 | detail:Invalid JSON
trailing garbage: a NUL byte                                         | A | json PUT /api/places/$P2 "$(bytes '{"name":"a","location":"b"}\x00')"            | 400 | detail:Invalid JSON
trailing garbage: a // comment                                       | A | json POST /api/places '{"name":"a","location":"b"} // x'                          | 400 | detail:Invalid JSON
empty body: Content-Length: 0                                        | A | json POST /api/places ''                                                            | 400 | detail:Invalid JSON
empty body: PATCH without Content-Length or body, raw                | A | raw "PATCH /api/places/$P1 HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"   | 400 | detail:Invalid JSON
chunked body: an invalid place, raw                                  | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n"'{"name":"","location":"b"}'"\r\n0\r\n\r\n" | 422 | errors:name
chunked body: split inside a key, raw                                | A | raw "PUT /api/places/$P1 HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n"'{"nam'"\r\n15\r\n"'e":"","location":"b"}'"\r\n0\r\n\r\n" | 422 | errors:name
chunked body: zero chunks, raw                                       | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" | 400 | detail:Invalid JSON
chunked body: a chunk size that is not hex, raw                      | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" | 400 | {"status":"Bad request"}
chunked body: a chunk size that overflows, raw                       | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n{}\r\n0\r\n\r\n" | 400 | {"status":"Bad request"}
chunked body: 70 KB, over the limit, raw                             | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n11170\r\n$(repeat_char 70000 ' ')\r\n0\r\n\r\n" | 413 | {"status":"Payload too large"}
chunked body with a Content-Length too, raw (smuggling)              | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" | 400 | {"status":"Bad request"}
Transfer-Encoding gzip, chunked, raw                                 | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" | 501 | {"status":"Not implemented"}
Content-Length that lies: shorter than the body, raw                 | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"'{"name":"a","location":"b"}' | 400 | detail:Invalid JSON
# Longer than the body: the next pipelined request is read as the rest of it
# (a client that sends less and waits would get nginx's 408 after 60 s).
Content-Length that lies: longer, the next request becomes body, raw | A | raw "PUT /api/places/$P2 HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"'{"name":"a","location":"b"}'"GET /api/places HTTP/1.1\r\nHost: x\r\n\r\n" | 400 | detail:Invalid JSON
Content-Length: -1, raw                                              | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}" | 400 | {"status":"Bad request"}
Content-Length: +2, raw                                              | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: +2\r\n\r\n{}" | 400 | {"status":"Bad request"}
Content-Length that overflows 64 bits, raw                           | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}" | 400 | {"status":"Bad request"}
# (curl, which stops reading at the end of the answer: over a raw socket nginx
# would keep the connection for its 5 s lingering close.)
Content-Length: 70000 is refused before the body                     | A | curl POST /api/places -H 'Content-Type: application/json' -H 'Content-Length: 70000' --data-binary '{}' | 413 | {"status":"Payload too large"}
duplicate Content-Length, equal values, raw                          | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}" | 400 | {"status":"Bad request"}
duplicate Content-Length, different values, raw                      | A | raw "PUT /api/places/$P1 HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 27\r\n\r\n"'{"name":"a","location":"b"}' | 400 | {"status":"Bad request"}
Content-Type with parameters and in upper case is accepted           | A | curl POST /api/places -H 'Content-Type: APPLICATION/JSON; CHARSET="UTF-8"; Foo=Bar' --data-binary '{"name":"","location":"b"}' | 422 | errors:name
Content-Type with a space before the parameters is accepted          | A | curl PATCH /api/places/$P1 -H 'Content-Type: application/json ; charset=utf-8' --data-binary '{"name":""}' | 422 | errors:name
Content-Type in mixed case with a bad charset                        | A | curl POST /api/places -H 'Content-Type: Application/Json; Charset=ISO-8859-1' --data-binary '{"name":"a","location":"b"}' | 415 | {"status":"Unsupported media type"}
Content-Type as a list of two types                                  | A | curl PUT /api/places/$P2 -H 'Content-Type: application/json, text/plain' --data-binary '{"name":"a","location":"b"}' | 415 | {"status":"Unsupported media type"}
# Two Content-Type headers (RFC 9110 8.3: a sender must not): nginx passes
# the first as CONTENT_TYPE, so text/plain decides.
two Content-Type headers, text/plain first, raw                      | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"'{"name":"a","location":"b"}' | 415 | {"status":"Unsupported media type"}
Content-Type with a NUL byte, raw                                    | A | raw "POST /api/places HTTP/1.1\r\nContent-Type: application/json\x00\r\nContent-Length: 2\r\n\r\n{}" | 400 | {"status":"Bad request"}
415 comes before the JSON: text/plain with 10,000-deep JSON          | A | curl POST /api/places -H 'Content-Type: text/plain' --data-binary "$(deep 10000 '[' ']')" | 415 | {"status":"Unsupported media type"}
SQL in every field of an invalid place (the image has a space)       | A | json PATCH /api/places/$P1 '{"name":"x'"'"');DROP TABLE places;--","location":"'"'"' OR 1=1","image":"https://x.example/'"'"' OR 1=1","mapURL":"https://x.example/;--","description":"$$;--"}' | 422 | errors:image
SQL in every field of another's place: accepted, then 403            | A | json PUT /api/places/$P2 '{"name":"x'"'"');DROP TABLE places;--","location":"'"'"' OR 1=1","image":"https://x.example/'"'"';--","mapURL":"https://x.example/;--","description":"$$;--"}' | 403 | {"status":"Forbidden"}

# ---- the query string (GET /api/places) ---------------------------------------
limit=-1                                                             | A | curl GET '/api/places?limit=-1'                                                     | 400 | detail:Bad request
limit=abc                                                            | A | curl GET '/api/places?limit=abc'                                                    | 400 | detail:Bad request
limit=1e9                                                            | A | curl GET '/api/places?limit=1e9'                                                    | 400 | detail:Bad request
limit=1.0                                                            | A | curl GET '/api/places?limit=1.0'                                                    | 400 | detail:Bad request
limit=%00                                                            | A | curl GET '/api/places?limit=%00'                                                    | 400 | detail:Bad request
limit without a value                                                | A | curl GET '/api/places?limit'                                                        | 400 | detail:Bad request
offset that overflows 64 bits (2^64)                                 | A | curl GET '/api/places?offset=18446744073709551616'                                  | 400 | detail:Bad request
offset that overflows 32 bits (2^32)                                 | A | curl GET '/api/places?offset=4294967296'                                            | 400 | detail:Bad request
offset of 40 digits                                                  | A | curl GET "/api/places?offset=$(repeat_char 40 9)"                                   | 400 | detail:Bad request
repeated parameter: limit=1&limit=1                                  | A | curl GET '/api/places?limit=1&limit=1'                                              | 400 | detail:Bad request
repeated parameter: offset=0&offset=0                                | A | curl GET '/api/places?offset=0&offset=0'                                            | 400 | detail:Bad request
repeated parameter: author=me twice                                  | A | curl GET '/api/places?author=me&author=me'                                          | 400 | detail:Bad request
repeated parameter: limit and a percent-encoded limit                | A | curl GET '/api/places?limit=1&%6cimit=2'                                            | 400 | detail:Bad request
SQL in a parameter: author=me' OR '1'='1                             | A | curl GET "/api/places?author=me'%20OR%20'1'='1"                                     | 400 | detail:Bad request
SQL in a parameter: limit=1;DROP TABLE places                        | A | curl GET '/api/places?limit=1;DROP%20TABLE%20places'                                | 400 | detail:Bad request
SQL in a parameter: offset=0 UNION SELECT                            | A | curl GET '/api/places?offset=0%20UNION%20SELECT%201'                                | 400 | detail:Bad request
SQL in a parameter: limit=1%27-- (encoded quote)                     | A | curl GET '/api/places?limit=1%27--'                                                 | 400 | detail:Bad request
SQL in an unknown parameter is ignored                               | A | curl GET "/api/places?author=me&x=';DROP%20TABLE%20places;--"                       | 200 | jq:type == "array" and all(.[]; .author == $email) and any(.[]; .id == $p1)
# "a bad %-escape ... is 400" (README): the worker does so for "x%zz" (the
# unknown-key rows below must agree with it, whatever the key's length).
bad escape in a short unknown key                                    | A | curl GET '/api/places?x%zz=1'                                                       | 400 | detail:Bad request
bad escape in a long unknown key                                     | A | curl GET "/api/places?$(repeat_char 20 x)%zz=1"                                     | 400 | detail:Bad request
query string of 7 KB                                                 | A | curl GET "/api/places?limit=1&pad=$(repeat_char 7000 x)"                            | 400 | detail:Bad request
HEAD with limit=abc: the status, no body, raw                        | A | raw "HEAD /api/places?limit=abc HTTP/1.1\r\n\r\n"                                  | 400 | empty

# ---- paths ----------------------------------------------------------------------
encoded slash: /api/places%2F<id>                                    | A | curl GET "/api/places%2F$P1"                                                        | 404 | {"status":"Not found"}
encoded slash: /api/places/<id>%2F..%2F                              | A | curl GET "/api/places/$P1%2F..%2F"                                                  | 404 | {"status":"Not found"}
encoded slash: DELETE /api/places/x%2F<id>                           | A | curl DELETE "/api/places/x%2F$P1"                                                   | 404 | {"status":"Not found"}
double slash: //api/places                                           | A | curl GET //api/places                                                               | 404 | {"status":"Not found"}
double slash: /api//places/<id>                                      | A | curl GET "/api//places/$P1"                                                         | 404 | {"status":"Not found"}
dot segment: /api/places/./<id>                                      | A | curl GET "/api/places/./$P1"                                                        | 404 | {"status":"Not found"}
dot segment: DELETE /api/places/x/../<id>                            | A | curl DELETE "/api/places/x/../$P1"                                                  | 404 | {"status":"Not found"}
dot segment: encoded /api/places/%2e%2e/places                       | A | curl GET /api/places/%2e%2e/places                                                  | 404 | {"status":"Not found"}
dot segment: /api/../etc/passwd (nginx's 404)                        | A | curl GET /api/../etc/passwd                                                         | 404 | {"status":"Not found"}
dot segment: /../api/places, above the root (nginx)                  | A | curl GET /../api/places                                                             | 400 | {"status":"Bad request"}
%00 in the path after the id (nginx)                                 | A | curl GET "/api/places/$P1%00"                                                       | 400 | {"status":"Bad request"}
%00 in the path as the id, DELETE (nginx)                            | A | curl DELETE /api/places/%00                                                         | 400 | {"status":"Bad request"}
raw NUL in the request line, raw                                     | A | raw "GET /api/places/\x00 HTTP/1.1\r\n\r\n"                                        | 400 | {"status":"Bad request"}
8 KB path under nginx's request-line limit (the worker's 404)        | A | curl GET "/api/places/$(repeat_char 8000 a)"                                        | 404 | {"status":"Not found"}
8 KB path over nginx's request-line limit, raw                       | A | raw "GET /api/places/$(repeat_char 8200 a) HTTP/1.1\r\n\r\n"                       | 414 | {"status":"URI too long"}
8 KB path: the id padded with 8 KB of slashes, PUT                   | A | json PUT "/api/places/$P1$(repeat_char 8000 /)" '{"name":"a","location":"b"}'      | 404 | {"status":"Not found"}
SQL in the id: 1' OR '1'='1                                          | A | curl GET "/api/places/1'%20OR%20'1'='1"                                             | 404 | {"status":"Not found"}
SQL in the id: the id then ' OR '1'='1, PATCH                        | A | json PATCH "/api/places/$P2'%20OR%20'1'='1" '{"name":"a"}'                          | 404 | {"status":"Not found"}
SQL in the id: ';DELETE FROM places;--, DELETE                       | A | curl DELETE "/api/places/'%3BDELETE%20FROM%20places%3B--"                           | 404 | {"status":"Not found"}
SQL in the id: a quote in place of the last digit                    | A | curl DELETE "/api/places/${P2:0:35}'"                                               | 404 | {"status":"Not found"}
fragment after the id, raw                                           | A | raw "DELETE /api/places/$P1#x HTTP/1.1\r\n\r\n"                                    | 404 | {"status":"Not found"}
matrix parameter after the id                                        | A | curl DELETE "/api/places/$P1;x"                                                     | 404 | {"status":"Not found"}

# ---- methods and the request line -------------------------------------------
lowercase method: get, raw                                           | A | raw "get /api/places HTTP/1.1\r\n\r\n"                                             | 400 | {"status":"Bad request"}
lowercase method: post with a body, raw                              | A | raw "post /api/places HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"'{"name":"a","location":"b"}' | 400 | {"status":"Bad request"}
mixed-case method: Delete of one's own place, raw                    | A | raw "Delete /api/places/$P1 HTTP/1.1\r\n\r\n"                                      | 400 | {"status":"Bad request"}
unknown method: BREW on the collection                               | A | curl BREW /api/places                                                               | 405 | {"status":"Method not allowed"}
unknown method: PROPFIND on a place                                  | A | curl PROPFIND /api/places/$P1                                                       | 405 | {"status":"Method not allowed"}
unknown method: M_SEARCH (underscore) on a place                     | A | curl M_SEARCH /api/places/$P2                                                       | 405 | {"status":"Method not allowed"}
unknown method: 5000 letters long, raw                               | A | raw "$(repeat_char 5000 M) /api/places HTTP/1.1\r\n\r\n"                           | 405 | {"status":"Method not allowed"}
unknown method: CONNECT on the collection                            | A | curl CONNECT /api/places                                                            | 405 | {"status":"Method not allowed"}
TRACE (nginx's own 405)                                              | A | curl TRACE /api/places/$P1                                                          | 405 | {"status":"Method not allowed"}
HTTP/2.0 in the request line of a cleartext request, raw             | A | raw "GET /api/places HTTP/2.0\r\n\r\n"                                             | 505 | {"status":"HTTP version not supported"}
duplicate Host headers, raw                                          | A | raw "GET /api/places HTTP/1.1\r\nHost: other.test\r\n\r\n"                         | 400 | {"status":"Bad request"}
bare LF line endings: GET of a place, raw                            | A | raw "GET /api/places/$P1 HTTP/1.1\n\n"                                             | 200 | jq:.id == $p1 and .author == $email
bare LF line endings: an invalid place, raw                          | A | raw "POST /api/places HTTP/1.1\nContent-Type: application/json\nContent-Length: 26\n\n"'{"name":"","location":"b"}' | 422 | errors:name
EOF
}

run_catalogue ""
NENTRIES=$(wc -l <"$CAT_NAMES")
NUNIQUE=$(sort -u "$CAT_NAMES" | wc -l)
t "catalogue size"
if [ "$NENTRIES" -ge 60 ]; then pass "$NENTRIES entries (at least 60)"; else fail "at least 60 entries" "$NENTRIES"; fi
expect_eq "entry names are unique" "$NENTRIES" "$NUNIQUE"

# --- valid write 3: PATCH with duplicate keys, the last one wins --------------

t "catalogue write: PATCH with duplicate keys, the last one wins"
jreq "$CA_TOKEN" PATCH "/api/places/$P1" \
	'{"name":"first","description":null,"name":"Last '"'"'wins'"'"' -- \u00e9","description":"kept; DROP","image":"https://example.com/x","image":null}'
expect_status 200
BODY1=$(jq -c '. + {name: "Last '"'"'wins'"'"' -- \u00e9", description: "kept; DROP", image: null}' <<<"$BODY1")
expect_body "$(place_json "$P1" "$CA_EMAIL" "$BODY1")"
expect_eq "stored byte-exact" t "$(stored_as "$P1" "$BODY1")"

# --- valid write 4: a place created and deleted again -------------------------

t "catalogue write: POST with Content-Type in upper case with parameters"
areq "$CA_TOKEN" POST /api/places -H 'Content-Type: APPLICATION/JSON; CHARSET="UTF-8"' \
	--data-binary '{"name":"Short-lived","location":"Deleted below"}'
expect_status 201
P3=$(jq -r '.id // empty' "$IT_TMP/body" 2>/dev/null)
P3=${P3:-00000000-0000-4000-8000-00000000000c}
expect_body "{\"status\":\"Place created\",\"id\":\"$P3\"}"

t "catalogue write: DELETE it"
areq "$CA_TOKEN" DELETE "/api/places/$P3"
expect_error 200 '{"status":"Place deleted"}'
areq "$CA_TOKEN" GET "/api/places/$P3"
expect_error 404 "$NF"

# --- every entry again ---------------------------------------------------------

run_catalogue " (again)"
t "catalogue (again) size"
expect_eq "the same entries ran" "$NENTRIES" "$(wc -l <"$CAT_NAMES")"

# --- after: the same workers, exactly the rows meant ---------------------------

t "catalogue: the same workers are still serving"
if [ -n "$PIDS_BEFORE" ]; then pass "worker PIDs were recorded"; else fail "worker PIDs were recorded" "none (run/spawn.pid?)"; fi
expect_eq "same worker PIDs" "$PIDS_BEFORE" "$(worker_pids)"
RESTARTS=$(tail -c +"$((LOG_OFFSET + 1))" "$WLOG" |
	grep -E 'died|not forking|Spawning child|serving FastCGI requests' | head -n 3)
expect_eq "no worker died or started (multiwatch log)" "" "$RESTARTS"
areq "$CA_TOKEN" GET "/api/places/$P1"
expect_status 200

# expect_same_rows WHAT BEFORE AFTER: expect_eq for table snapshots, with the
# differing rows shown on failure.
expect_same_rows() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	fi
}

t "catalogue: the places table holds exactly the rows meant"
expect_eq "places count: before + 2 (P1, P2)" "$((NPLACES_BEFORE + 2))" "$(sql 'SELECT count(*) FROM places;')"
expect_same_rows "every other place unchanged" "$PLACES_BEFORE" "$(places_text "$P1,$P2")"
expect_eq "P1 holds the last PATCH" t "$(stored_as "$P1" "$BODY1")"
expect_eq "P2 holds the chunked POST" t "$(stored_as "$P2" "$BODY2")"
expect_eq "authors" "$CA_ID $CB_ID" "$(sql "SELECT author_id FROM places WHERE id IN (:'a', :'b') ORDER BY id = :'b';" a="$P1" b="$P2" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "A owns nothing else" 1 "$(sql "SELECT count(*) FROM places WHERE author_id = :'u';" u="$CA_ID")"
expect_eq "B owns nothing else" 1 "$(sql "SELECT count(*) FROM places WHERE author_id = :'u';" u="$CB_ID")"
expect_eq "P3 is gone" 0 "$(sql "SELECT count(*) FROM places WHERE id = :'id';" id="$P3")"

t "catalogue: users and sessions hold only the two fresh users"
expect_eq "users count: before + 2" "$((NUSERS_BEFORE + 2))" "$(sql 'SELECT count(*) FROM users;')"
expect_same_rows "every other user unchanged" "$USERS_BEFORE" "$(users_text "$CA_ID,$CB_ID")"
expect_eq "sessions count: before + 2" "$((NSESSIONS_BEFORE + 2))" "$(sql 'SELECT count(*) FROM sessions;')"
expect_same_rows "every other session unchanged" "$SESSIONS_BEFORE" "$(sessions_text "$CA_ID,$CB_ID")"
expect_eq "one session each, tokens unchanged" "$CA_TOKEN $CB_TOKEN" \
	"$(sql "SELECT \"sessionToken\" FROM sessions WHERE \"userId\" IN (:'a', :'b') ORDER BY \"userId\" = :'b';" a="$CA_ID" b="$CB_ID" | tr '\n' ' ' | sed 's/ $//')"
