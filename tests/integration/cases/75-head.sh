# HEAD: as GET, no body.

new_user H
ID=$(mkplace "$H_ID" "Headed" "Top")

# _hdr_lines FILE: "name: value" per header, names lower-cased, sorted,
# without the status line and the headers HEAD may legitimately differ in
# (x-request-id names each request).
_hdr_lines() {
	tr -d '\r' <"$1" | sed 1d | awk '
		/^$/ { exit }
		{ i = index($0, ":"); n = tolower(substr($0, 1, i - 1)); v = substr($0, i + 1); sub(/^[ \t]+/, "", v) }
		n !~ /^(date|connection|keep-alive|transfer-encoding|content-length|x-request-id)$/ { print n ": " v }' | sort
}

# same_headers_as_get: the headers of the HEAD response (kept in
# $IT_TMP/head.headers) equal those of the GET just made, apart from date
# and framing; Content-Length, when HEAD sends one, is GET's body length.
same_headers_as_get() {
	local hl
	expect_eq "same headers as GET" "$(_hdr_lines "$IT_TMP/headers")" "$(_hdr_lines "$IT_TMP/head.headers")"
	hl=$(tr -d '\r' <"$IT_TMP/head.headers" | awk -F': *' 'tolower($1) == "content-length" { print $2 }')
	if [ -n "$hl" ]; then
		expect_eq "HEAD Content-Length is GET's body length" "$(wc -c <"$IT_TMP/body")" "$hl"
	fi
}

t "HEAD collection"
req HEAD /api/places -H "Authorization: Bearer $H_TOKEN"
expect_status 200
expect_empty_body
expect_header Content-Type '^application/json; charset=utf-8$'
cp "$IT_TMP/headers" "$IT_TMP/head.headers"
areq "$H_TOKEN" GET /api/places
same_headers_as_get

t "HEAD item"
req HEAD "/api/places/$ID" -H "Authorization: Bearer $H_TOKEN"
expect_status 200
expect_empty_body
expect_header Content-Type '^application/json; charset=utf-8$'
cp "$IT_TMP/headers" "$IT_TMP/head.headers"
areq "$H_TOKEN" GET "/api/places/$ID"
same_headers_as_get

t "HEAD with a cookie"
req HEAD "/api/places?author=me" -b "next-auth.session-token=$H_TOKEN"
expect_status 200
expect_empty_body

t "HEAD without a token"
req HEAD /api/places
expect_status 401
expect_header WWW-Authenticate '^Bearer'
expect_empty_body

t "HEAD unknown id"
req HEAD /api/places/00000000-0000-4000-8000-000000000000 -H "Authorization: Bearer $H_TOKEN"
expect_status 404
expect_empty_body

t "HEAD bad query"
req HEAD '/api/places?limit=0' -H "Authorization: Bearer $H_TOKEN"
expect_status 400
expect_empty_body
