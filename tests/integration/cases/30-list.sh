# GET collection: order, limit, offset, author=me, bad query strings (step 4).

new_user L
new_user M
# Fixed timestamps: P2 newest, P3/P4 tie (id desc decides), P1 oldest.
P1=$(mkplace "$L_ID" "List one" "Loc 1" '2020-01-01 00:00:01+00')
P2=$(mkplace "$L_ID" "List two" "Loc 2" '2020-01-01 00:00:03+00')
P3=$(mkplace "$L_ID" "List three" "Loc 3" '2020-01-01 00:00:02+00')
P4=$(mkplace "$L_ID" "List four" "Loc 4" '2020-01-01 00:00:02+00')
if [[ $P3 > $P4 ]]; then HI=$P3 LO=$P4; else HI=$P4 LO=$P3; fi
MP=$(mkplace "$M_ID" "Other user's" "Elsewhere")
ORDER=$(jq -cn --arg a "$P2" --arg b "$HI" --arg c "$LO" --arg d "$P1" '[$a,$b,$c,$d]')

t "author=me lists only mine, newest first, id desc on ties"
areq "$L_TOKEN" GET '/api/places?author=me'
expect_status 200
expect_header Content-Type '^application/json; charset=utf-8$'
expect_json --argjson o "$ORDER" '[.[].id] == $o'
expect_json --arg e "$L_EMAIL" 'all(.[]; .author == $e)'
expect_json "all(.[]; keys == $PLACE_KEYS)"
expect_json 'all(.[]; .image == null and .mapURL == null and .description == null)'
expect_json '.[0].createdAt == "2020-01-01T00:00:03.000Z"'

t "another user's author=me"
areq "$M_TOKEN" GET '/api/places?author=me'
expect_status 200
expect_json --arg id "$MP" '[.[].id] == [$id]'

t "full list holds everyone's places, newest first"
areq "$L_TOKEN" GET '/api/places?limit=1000'
expect_status 200
expect_json --arg a "$P1" --arg b "$MP" '([.[].id] | index($a)) != null and ([.[].id] | index($b)) != null'
expect_json '[.[].createdAt] as $c | $c == ($c | sort | reverse)'

t "limit=2"
areq "$L_TOKEN" GET '/api/places?author=me&limit=2'
expect_status 200
expect_json --argjson o "$ORDER" '[.[].id] == $o[0:2]'

t "limit=2&offset=1"
areq "$L_TOKEN" GET '/api/places?author=me&limit=2&offset=1'
expect_status 200
expect_json --argjson o "$ORDER" '[.[].id] == $o[1:3]'

t "offset past the end"
areq "$L_TOKEN" GET '/api/places?author=me&offset=4'
expect_status 200
expect_body '[]'

t "offset=1000000 (the maximum)"
areq "$L_TOKEN" GET '/api/places?author=me&offset=1000000'
expect_status 200
expect_body '[]'

t "limit=1000 (the maximum)"
areq "$L_TOKEN" GET '/api/places?author=me&limit=1000'
expect_status 200
expect_json 'length == 4'

t "limit=1 (the minimum)"
areq "$L_TOKEN" GET '/api/places?limit=1&author=me'
expect_status 200
expect_json --arg a "$P2" '[.[].id] == [$a]'

t "leading zeros are decimal digits"
areq "$L_TOKEN" GET '/api/places?author=me&limit=002'
expect_status 200
expect_json 'length == 2'

t "percent-encoded values are decoded"
areq "$L_TOKEN" GET '/api/places?author=%6De&limit=%31'
expect_status 200
expect_json --arg a "$P2" '[.[].id] == [$a]'

t "unknown parameter ignored"
areq "$L_TOKEN" GET '/api/places?author=me&foo=bar&sort=name'
expect_status 200
expect_json --argjson o "$ORDER" '[.[].id] == $o'

t "empty query string"
areq "$L_TOKEN" GET '/api/places?'
expect_status 200
expect_json 'type == "array"'

t "query string of exactly 2048 bytes"
Q="author=me&pad=$(repeat_char $((2048 - 14)) x)"
areq "$L_TOKEN" GET "/api/places?$Q"
expect_status 200
expect_json 'length == 4'

# Each bad query: 400 {"status":"Bad request","detail":"..."}.
bad_query() {
	t "bad query: $1"
	areq "$L_TOKEN" GET "/api/places?$1"
	expect_status 400
	expect_json 'keys == ["detail","status"] and .status == "Bad request" and (.detail | type == "string" and length > 0)'
}
bad_query 'limit=0'
bad_query 'limit=1001'
bad_query 'limit=abc'
bad_query 'limit=-1'
bad_query 'limit=%2B5'
bad_query 'limit=+5'
bad_query 'limit=1.5'
bad_query 'limit=1e2'
bad_query 'limit=0x10'
bad_query 'limit=%205'
bad_query 'limit='
bad_query 'limit=99999999999999999999999'
bad_query 'offset=-1'
bad_query 'offset=1000001'
bad_query 'offset=abc'
bad_query 'offset='
bad_query 'author=you'
bad_query 'author=ME'
bad_query 'author='
bad_query 'author=me%00'
bad_query 'limit=1&limit=2'
bad_query 'limit=5&limit=5'
bad_query 'offset=0&offset=0'
bad_query 'author=me&author=me'
bad_query 'limit=%3'
bad_query 'limit=%zz'
bad_query "pad=$(repeat_char $((2049 - 4)) x)"


# Default limit: 101 places of one user, in one INSERT.
new_user K
sql "INSERT INTO places (name, location, author_id, created_at)
     SELECT 'Bulk ' || g, 'Many', CAST(:'uid' AS integer), now() - g * interval '1 second'
     FROM generate_series(1, 101) AS g;" uid="$K_ID" >/dev/null

t "default limit is 100"
areq "$K_TOKEN" GET '/api/places?author=me'
expect_status 200
expect_json 'length == 100 and .[0].name == "Bulk 1" and .[99].name == "Bulk 100"'

t "limit=101 returns all 101"
areq "$K_TOKEN" GET '/api/places?author=me&limit=101'
expect_status 200
expect_json 'length == 101'

t "offset=100 with the default limit"
areq "$K_TOKEN" GET '/api/places?author=me&offset=100'
expect_status 200
expect_json '[.[].name] == ["Bulk 101"]'
