# POST /api/places and the round trip through GET /api/places/<id>;
# step 5 (content type, size, JSON syntax).

new_user W
BIG_DESC=$'Line 1\nTab\there "quoted" back\\slash / caf\u00e9 \U0001F642 \u2013 end'
POST_JSON=$(jq -cn --arg d "$BIG_DESC" '{
	name: "Caf\u00e9 de Flore",
	location: "172 Bd Saint-Germain, Paris",
	image: "https://example.com/images/flore.jpg?size=large&x=1",
	mapURL: "http://maps.example.com/?q=48.854,2.332",
	description: $d}')

t "POST a full place"
jreq "$W_TOKEN" POST /api/places "$POST_JSON"
expect_status 201
expect_json "keys == [\"id\",\"status\"] and .status == \"Place created\" and (.id | test(\"^$UUID_RE\$\"))"
ID=$(jq -r '.id // empty' "$IT_TMP/body")
expect_header Location "^/api/places/${ID:-none}\$"
expect_body "{\"status\":\"Place created\",\"id\":\"${ID:-none}\"}"

t "GET returns what was posted"
areq "$W_TOKEN" GET "/api/places/$ID"
expect_status 200
expect_header Content-Type '^application/json; charset=utf-8$'
expect_place
expect_json --argjson p "$POST_JSON" --arg id "$ID" --arg e "$W_EMAIL" \
	'. == ($p + {id: $id, author: $e, createdAt: .createdAt, updatedAt: .updatedAt})'
expect_json '.createdAt == .updatedAt'
CREATED=$(jq -r '.createdAt // empty' "$IT_TMP/body")
NOW_MIN=$(date -u +%Y-%m-%dT%H:%M)
NOW_MIN_PREV=$(date -u -d '1 minute ago' +%Y-%m-%dT%H:%M)
if [[ $CREATED == "$NOW_MIN"* || $CREATED == "$NOW_MIN_PREV"* ]]; then
	pass "createdAt is now, in UTC"
else
	fail "createdAt is now, in UTC" "$CREATED at $(date -u +%FT%T)"
fi

t "JSON is compact and '/' is not escaped"
expect_json 'true'
if grep -q '\\/' "$IT_TMP/body"; then fail "no \\/ in body" "$(head -c 200 "$IT_TMP/body")"; else pass "no \\/ in body"; fi
if grep -qE '^[[:space:]]|[[:space:]]$|":[[:space:]]|,[[:space:]]+"|\{[[:space:]]' "$IT_TMP/body"; then
	fail "no whitespace between tokens" "$(head -c 200 "$IT_TMP/body")"
else
	pass "no whitespace between tokens"
fi

t "place JSON exactly, in contract key order"
jreq "$W_TOKEN" POST /api/places '{"name":"Exact","location":"Here","image":"https://example.com/a/b.png","mapURL":null}'
expect_status 201
EID=$(jq -r '.id // empty' "$IT_TMP/body")
areq "$W_TOKEN" GET "/api/places/$EID"
expect_status 200
EXPECT=$(jq -c --arg id "$EID" --arg e "$W_EMAIL" '{id: $id, name: "Exact", location: "Here",
	image: "https://example.com/a/b.png", mapURL: null, description: null, author: $e,
	createdAt: .createdAt, updatedAt: .updatedAt}' "$IT_TMP/body" 2>/dev/null)
expect_body "$EXPECT"

t "new place is first in author=me"
areq "$W_TOKEN" GET '/api/places?author=me'
expect_status 200
expect_json --arg a "$EID" --arg b "$ID" '[.[].id] == [$a, $b]'

t "another user can read the place"
new_user X
areq "$X_TOKEN" GET "/api/places/$ID"
expect_status 200
expect_json --arg id "$ID" --arg e "$W_EMAIL" '.id == $id and .author == $e'

t "client-supplied id, author, createdAt, updatedAt are ignored"
FAKE=11111111-2222-4333-8444-555555555555
jreq "$W_TOKEN" POST /api/places "{\"id\":\"$FAKE\",\"author\":\"evil@example.com\",\"createdAt\":\"2000-01-01T00:00:00.000Z\",\"updatedAt\":\"2000-01-01T00:00:00.000Z\",\"name\":\"Ignored\",\"location\":\"Fields\"}"
expect_status 201
IID=$(jq -r '.id // empty' "$IT_TMP/body")
expect_json --arg f "$FAKE" '.id != $f'
areq "$W_TOKEN" GET "/api/places/$IID"
expect_status 200
expect_json --arg e "$W_EMAIL" '.author == $e and (.createdAt | startswith("2000") | not) and (.updatedAt | startswith("2000") | not)'
areq "$W_TOKEN" GET "/api/places/$FAKE"
expect_error 404 '{"status":"Not found"}'

t "ignored fields of any type are ignored"
jreq "$W_TOKEN" POST /api/places '{"id":5,"author":{"a":[1]},"createdAt":null,"updatedAt":true,"name":"Typed","location":"Ignored"}'
expect_status 201
expect_json '.status == "Place created"'

t "optional fields absent become null"
jreq "$W_TOKEN" POST /api/places '{"name":"Minimal","location":"Place"}'
expect_status 201
MID=$(jq -r '.id // empty' "$IT_TMP/body")
areq "$W_TOKEN" GET "/api/places/$MID"
expect_json '.image == null and .mapURL == null and .description == null and .name == "Minimal"'

t "optional fields given as null"
jreq "$W_TOKEN" POST /api/places '{"name":"Nulls","location":"Place","image":null,"mapURL":null,"description":null}'
expect_status 201

t "whitespace around the JSON document"
jreq "$W_TOKEN" POST /api/places $' \r\n\t{ "name" : "Spaced" , "location" : "Out" }\n '
expect_status 201

# --- content type (415) ------------------------------------------------------

ok_ct() {
	t "content type accepted: $1"
	areq "$W_TOKEN" POST /api/places -H "Content-Type: $1" --data-binary '{"name":"CT","location":"ok"}'
	expect_status 201
	expect_json '.status == "Place created"'
}
ok_ct 'application/json; charset=utf-8'
ok_ct 'application/json;charset=UTF-8'
ok_ct 'Application/JSON'
ok_ct 'application/json; charset=utf-8; foo=bar'

bad_ct() {
	t "415: content type '$1'"
	local body='{"name":"CT","location":"bad"}'
	areq "$W_TOKEN" POST /api/places -H "Content-Type: $1" --data-binary "${2:-$body}"
	expect_error 415 '{"status":"Unsupported media type"}'
}
bad_ct 'text/plain'
bad_ct 'application/x-www-form-urlencoded'
bad_ct 'application/json; charset=iso-8859-1'
bad_ct 'application/json; charset=utf-16'
bad_ct 'application/jsonx'
bad_ct 'application/json-patch+json'
bad_ct 'text/json'
bad_ct 'text/plain' '{'

t "415: no content type"
areq "$W_TOKEN" POST /api/places -H 'Content-Type:' --data-binary '{"name":"CT","location":"none"}'
expect_error 415 '{"status":"Unsupported media type"}'

t "415: PUT with text/plain"
areq "$W_TOKEN" PUT "/api/places/$MID" -H 'Content-Type: text/plain' --data-binary '{"name":"a","location":"b"}'
expect_error 415 '{"status":"Unsupported media type"}'

t "415: PATCH with text/plain"
areq "$W_TOKEN" PATCH "/api/places/$MID" -H 'Content-Type: text/plain' --data-binary '{"name":"a"}'
expect_error 415 '{"status":"Unsupported media type"}'

# --- invalid JSON (400) --------------------------------------------------------

INVALID_JSON='.status == "Invalid JSON" and keys == ["detail","status"] and (.detail | type == "string" and length > 0)'
bad_json_file() {
	t "400 invalid JSON: $1"
	jfreq "$W_TOKEN" "${3:-POST}" "${4:-/api/places}" "$2"
	expect_status 400
	expect_json "$INVALID_JSON"
}
bad_json() {
	printf '%s' "$2" >"$IT_TMP/req.json"
	bad_json_file "$1" "$IT_TMP/req.json" "${3:-POST}" "${4:-}"
}
bad_bytes() {
	printf '%b' "$2" >"$IT_TMP/req.json" # %b: \xHH escapes, NUL included
	bad_json_file "$1" "$IT_TMP/req.json"
}
bad_json 'empty body' ''
bad_json 'whitespace only' '   '
bad_json 'truncated object' '{"name":"a","location":'
bad_json 'not JSON' 'not json'
bad_json 'empty array' '[]'
bad_json 'array of a place' '[{"name":"a","location":"b"}]'
bad_json 'string' '"name"'
bad_json 'number' '42'
bad_json 'null' 'null'
bad_json 'trailing garbage' '{"name":"a","location":"b"} x'
bad_json 'two objects' '{"name":"a","location":"b"}{}'
bad_json 'single quotes' "{'name':'a','location':'b'}"
bad_json 'trailing comma' '{"name":"a","location":"b",}'
bad_json 'bad escape' '{"name":"a\x","location":"b"}'
bad_json 'truncated \u escape' '{"name":"a\u00","location":"b"}'
bad_json 'unquoted key' '{name:"a","location":"b"}'
bad_json 'NaN' '{"name":"a","location":"b","description":NaN}'
bad_json 'Infinity' '{"name":"a","location":"b","description":Infinity}'
bad_json '-Infinity' '{"name":"a","location":"b","description":-Infinity}'
bad_json 'number with a bare decimal point (1.)' '{"name":"a","location":"b","description":1.}'
bad_json 'number with a leading zero' '{"name":"a","location":"b","description":01}'
bad_json 'number with a plus sign' '{"name":"a","location":"b","description":+1}'
bad_json 'number without an integer part' '{"name":"a","location":"b","description":.5}'
bad_json 'hex number' '{"name":"a","location":"b","description":0x10}'
bad_json 'True' '{"name":"a","location":"b","description":True}'
bad_json 'comment' '{"name":"a","location":"b"/*c*/}'
bad_bytes 'invalid UTF-8 byte 0xff' '{"name":"a\xff","location":"b"}'
bad_bytes 'overlong UTF-8 (0xc0 0xaf)' '{"name":"a\xc0\xaf","location":"b"}'
bad_bytes 'UTF-8 encoded surrogate' '{"name":"a\xed\xa0\x80","location":"b"}'
bad_bytes 'truncated UTF-8 sequence' '{"name":"a\xc3","location":"b"}'
bad_bytes 'UTF-8 beyond U+10FFFF' '{"name":"a\xf4\x90\x80\x80","location":"b"}'
bad_bytes 'invalid UTF-8 outside strings' '{"name":"a","location":"b"}\xff'
bad_bytes 'raw control character in a string' '{"name":"a\x01b","location":"b"}'
bad_bytes 'raw newline in a string' '{"name":"a\nb","location":"b"}'
bad_bytes 'raw tab in description' '{"name":"a","location":"b","description":"x\ty"}'
bad_bytes 'raw NUL byte' '{"name":"a\x00b","location":"b"}'
bad_bytes 'NUL after the document' '{"name":"a","location":"b"}\x00'

# Nesting: 32 levels is still JSON (then 422 for the unknown field), 33 is not.
nest() { printf '{"name":"a","location":"b","deep":%s%s}' "$(repeat_char "$1" '[')" "$(repeat_char "$1" ']')"; }
t "nesting depth 32 is parsed (422 for the unknown field)"
jreq "$W_TOKEN" POST /api/places "$(nest 31)"
expect_status 422
expect_json '.errors.deep == "unknown field"'
bad_json 'nesting depth 33' "$(nest 32)"
bad_json 'nesting depth 1000' "$(nest 999)"

bad_json 'PUT array body' '[]' PUT "/api/places/$MID"
bad_json 'PATCH array body' '[{"name":"x"}]' PATCH "/api/places/$MID"
bad_json 'PATCH trailing garbage' '{"name":"x"}]' PATCH "/api/places/$MID"

t "415 is checked before the JSON syntax"
areq "$W_TOKEN" PUT "/api/places/$MID" -H 'Content-Type: text/html' --data-binary 'not json'
expect_error 415 '{"status":"Unsupported media type"}'

# --- size (413) ----------------------------------------------------------------

# size_body N FILE: a valid place padded with spaces to exactly N bytes.
size_body() {
	local head='{"name":"Size","location":"Limit"}'
	{ printf '%s' "$head"; repeat_char $(($1 - ${#head})) ' '; } >"$2"
}

t "body of exactly 65536 bytes is accepted"
size_body 65536 "$IT_TMP/req.json"
jfreq "$W_TOKEN" POST /api/places "$IT_TMP/req.json"
expect_status 201

t "413: body of 65537 bytes"
size_body 65537 "$IT_TMP/req.json"
jfreq "$W_TOKEN" POST /api/places "$IT_TMP/req.json"
expect_error 413 '{"status":"Payload too large"}'

t "413: 70 KB body"
jq -cn --arg d "$(repeat_char 70000 x)" '{name: "Big", location: "Body", description: $d}' >"$IT_TMP/req.json"
jfreq "$W_TOKEN" POST /api/places "$IT_TMP/req.json"
expect_error 413 '{"status":"Payload too large"}'

t "413: 70 KB PUT"
jfreq "$W_TOKEN" PUT "/api/places/$MID" "$IT_TMP/req.json"
expect_error 413 '{"status":"Payload too large"}'

t "413: 2 MB body"
size_body 2000000 "$IT_TMP/req.json"
jfreq "$W_TOKEN" POST /api/places "$IT_TMP/req.json"
expect_error 413 '{"status":"Payload too large"}'

t "the 413 bodies created nothing"
N=$(sql "SELECT count(*) FROM places WHERE author_id = :'uid' AND name IN ('Big', 'Size');" uid="$W_ID")
expect_eq "one 'Size' place (the 65536-byte one)" 1 "$N"
