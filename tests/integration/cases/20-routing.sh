# Steps 2 and 3: route on the raw REQUEST_URI path, then the method.

new_user R
ID=$(mkplace "$R_ID" "Route place" "Somewhere")
UP=$(printf '%s' "$ID" | tr 'a-f' 'A-F')
COLL_ALLOW='^GET, HEAD, POST$'
ITEM_ALLOW='^GET, HEAD, PUT, PATCH, DELETE$'
NF='{"status":"Not found"}'
NA='{"status":"Method not allowed"}'

t "collection /api/places"
areq "$R_TOKEN" GET /api/places
expect_status 200
expect_json 'type == "array"'

t "collection with trailing slash /api/places/"
areq "$R_TOKEN" GET '/api/places/?author=me'
expect_status 200
expect_json --arg id "$ID" 'type == "array" and length == 1 and .[0].id == $id'

t "POST to /api/places/"
jreq "$R_TOKEN" POST /api/places/ '{"name":"Slash","location":"Trailing"}'
expect_status 201
expect_json '.status == "Place created"'
expect_header Location "^/api/places/$UUID_RE\$"

t "/api/places/ validates the query like /api/places"
areq "$R_TOKEN" GET '/api/places/?limit=0'
expect_status 400
expect_json '.status == "Bad request"'

t "PUT on /api/places/"
jreq "$R_TOKEN" PUT /api/places/ '{"name":"a","location":"b"}'
expect_error 405 "$NA"
expect_header Allow "$COLL_ALLOW"

t "item by id"
areq "$R_TOKEN" GET "/api/places/$ID"
expect_status 200
expect_json --arg id "$ID" '.id == $id and .name == "Route place"'

t "item by upper-case id"
areq "$R_TOKEN" GET "/api/places/$UP"
expect_status 200
expect_json --arg id "$ID" '.id == $id'

t "unknown well-formed id"
areq "$R_TOKEN" GET /api/places/00000000-0000-4000-8000-000000000000
expect_error 404 "$NF"

t "malformed id"
areq "$R_TOKEN" GET /api/places/not-a-uuid
expect_error 404 "$NF"

t "id without dashes"
areq "$R_TOKEN" GET "/api/places/${ID//-/}"
expect_error 404 "$NF"

t "id one digit short"
areq "$R_TOKEN" GET "/api/places/${ID%?}"
expect_error 404 "$NF"

t "id one digit long"
areq "$R_TOKEN" GET "/api/places/${ID}0"
expect_error 404 "$NF"

t "id with non-hex digit"
areq "$R_TOKEN" GET "/api/places/${ID%?}g"
expect_error 404 "$NF"

t "id in braces"
areq "$R_TOKEN" GET "/api/places/%7B$ID%7D"
expect_error 404 "$NF"

t "unknown sub-path /api/places/<id>/x"
areq "$R_TOKEN" GET "/api/places/$ID/x"
expect_error 404 "$NF"

t "trailing slash after id"
areq "$R_TOKEN" GET "/api/places/$ID/"
expect_error 404 "$NF"

t "double slash before id"
areq "$R_TOKEN" GET "/api/places//$ID"
expect_error 404 "$NF"

t "double slash collection /api/places//"
areq "$R_TOKEN" GET "/api/places//"
expect_error 404 "$NF"

t "encoded slash /api/places/<id>%2Fx"
areq "$R_TOKEN" GET "/api/places/$ID%2Fx"
expect_error 404 "$NF"

t "percent-encoded id is not decoded"
areq "$R_TOKEN" GET "/api/places/%3${ID:0:1}${ID:1}"
expect_error 404 "$NF"

t "encoded slash right after the collection /api/places%2F"
areq "$R_TOKEN" GET "/api/places%2F$ID"
expect_error 404 "$NF"

t "percent-encoded collection name is not decoded /api/%70laces"
areq "$R_TOKEN" GET /api/%70laces
expect_error 404 "$NF"

t "query string on an item is ignored"
areq "$R_TOKEN" GET "/api/places/$ID?foo=bar"
expect_status 200
expect_json --arg id "$ID" '.id == $id'

t "unknown sub-path with an unknown method is 404 (route before method)"
areq "$R_TOKEN" FOO "/api/places/$ID/x"
expect_error 404 "$NF"

t "PUT on collection"
jreq "$R_TOKEN" PUT /api/places '{"name":"a","location":"b"}'
expect_error 405 "$NA"
expect_header Allow "$COLL_ALLOW"

t "PATCH on collection"
jreq "$R_TOKEN" PATCH /api/places '{"name":"a"}'
expect_error 405 "$NA"
expect_header Allow "$COLL_ALLOW"

t "DELETE on collection"
areq "$R_TOKEN" DELETE /api/places
expect_error 405 "$NA"
expect_header Allow "$COLL_ALLOW"

t "OPTIONS on collection"
areq "$R_TOKEN" OPTIONS /api/places
expect_error 405 "$NA"
expect_header Allow "$COLL_ALLOW"

t "FOO on collection"
areq "$R_TOKEN" FOO /api/places
expect_error 405 "$NA"
expect_header Allow "$COLL_ALLOW"

t "POST on item"
jreq "$R_TOKEN" POST "/api/places/$ID" '{"name":"a","location":"b"}'
expect_error 405 "$NA"
expect_header Allow "$ITEM_ALLOW"

t "OPTIONS on item"
areq "$R_TOKEN" OPTIONS "/api/places/$ID"
expect_error 405 "$NA"
expect_header Allow "$ITEM_ALLOW"

t "FOO on item"
areq "$R_TOKEN" FOO "/api/places/$ID"
expect_error 405 "$NA"
expect_header Allow "$ITEM_ALLOW"

t "method names are case-sensitive: Get"
areq "$R_TOKEN" Get /api/places
expect_status '405|400'
expect_json '.status == "Method not allowed" or .status == "Bad request"'

t "TRACE on collection"
areq "$R_TOKEN" TRACE /api/places
expect_error 405 "$NA"
