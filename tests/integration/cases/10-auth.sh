# Step 1 of every request: the session (README.md, "Checks, in this order").
# 401 comes before route, method and body are looked at.

new_user A
EXPIRED_TOKEN=$(mksession "$A_ID" '-1 hour')
C=next-auth.session-token
SC=__Secure-next-auth.session-token

t "no token"
req GET /api/places
expect_401
expect_header Content-Type '^application/json; charset=utf-8$'

t "no token, item"
req GET /api/places/00000000-0000-0000-0000-000000000000
expect_401

t "unknown bearer token"
req GET /api/places -H "Authorization: Bearer $(rand_hex 32)"
expect_401

t "unknown cookie token"
req GET /api/places -b "$C=$(rand_hex 32)"
expect_401

t "expired session (bearer)"
req GET /api/places -H "Authorization: Bearer $EXPIRED_TOKEN"
expect_401

t "expired session (cookie)"
req GET /api/places -b "$C=$EXPIRED_TOKEN"
expect_401

t "token longer than any session token"
req GET /api/places -H "Authorization: Bearer $(repeat_char 1000 a)"
expect_401

t "SQL-looking cookie token"
req GET /api/places -b "$C=x' OR '1'='1"
expect_401

t "valid next-auth.session-token cookie"
req GET /api/places -b "$C=$A_TOKEN"
expect_status 200
expect_json 'type == "array"'
expect_no_header WWW-Authenticate

t "valid __Secure-next-auth.session-token cookie"
req GET /api/places -b "$SC=$A_TOKEN"
expect_status 200
expect_json 'type == "array"'

t "valid cookie among other cookies"
req GET /api/places -b "theme=dark; $C=$A_TOKEN; other=1"
expect_status 200
expect_json 'type == "array"'

t "valid Authorization: Bearer"
req GET /api/places -H "Authorization: Bearer $A_TOKEN"
expect_status 200
expect_json 'type == "array"'

t "malformed Bearer header: no token"
req GET /api/places -H "Authorization: Bearer"
expect_401

t "malformed Bearer header: two words"
req GET /api/places -H "Authorization: Bearer $A_TOKEN extra"
expect_401

t "malformed Bearer header does not fall back to a valid cookie"
req GET /api/places -H "Authorization: Bearer" -b "$C=$A_TOKEN"
expect_401

t "unknown Bearer token does not fall back to a valid cookie"
req GET /api/places -H "Authorization: Bearer $(rand_hex 32)" -b "$C=$A_TOKEN"
expect_401

t "valid Bearer wins over a bad cookie"
req GET /api/places -H "Authorization: Bearer $A_TOKEN" -b "$C=$(rand_hex 32)"
expect_status 200

t "non-Bearer Authorization falls back to the cookie"
req GET /api/places -H "Authorization: Basic dXNlcjpwYXNz" -b "$C=$A_TOKEN"
expect_status 200

t "__Secure- cookie wins over next-auth.session-token"
req GET /api/places -b "$C=$(rand_hex 32); $SC=$A_TOKEN"
expect_status 200

t "first occurrence of a cookie name wins (valid first)"
req GET /api/places -b "$C=$A_TOKEN; $C=$(rand_hex 32)"
expect_status 200

t "first occurrence of a cookie name wins (bogus first)"
req GET /api/places -b "$C=$(rand_hex 32); $C=$A_TOKEN"
expect_401

t "cookie name must match exactly"
req GET /api/places -b "x$C=$A_TOKEN"
expect_401

t "auth before route: unknown sub-path without token"
req GET /api/places/00000000-0000-0000-0000-000000000000/x
expect_401

t "auth before route: malformed id without token"
req GET /api/places/not-a-uuid
expect_401

t "auth before method: FOO without token"
req FOO /api/places
expect_401

t "auth before method: PUT on collection without token"
req PUT /api/places -H 'Content-Type: application/json' --data-binary '{}'
expect_401

t "auth before body: bad JSON without token"
req POST /api/places -H 'Content-Type: application/json' --data-binary '{'
expect_401

t "auth before body: wrong content type without token"
req POST /api/places -H 'Content-Type: text/plain' --data-binary 'x'
expect_401

t "auth with expired token before body"
req POST /api/places -H "Authorization: Bearer $EXPIRED_TOKEN" \
	-H 'Content-Type: application/json' --data-binary '{"name":"a","location":"b"}'
expect_401
