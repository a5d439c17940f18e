# The same binary as a plain CGI program (RFC 3875): not started under
# FastCGI, it answers the one request in its environment and on stdin.
# This is also where the worker's own body limit is seen: through nginx,
# client_max_body_size answers first.

new_user G
CGI_BIN="$STATE_DIR/bin/places.fcgi"
CGI_OUT="$IT_TMP/cgi.out"

# cgi METHOD URI [VAR=value ...] < body: runs one CGI request.
cgi() {
	local method=$1 uri=$2
	shift 2
	env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
	    REQUEST_METHOD="$method" REQUEST_URI="$uri" \
	    QUERY_STRING="${uri#*\?}" "$@" "$CGI_BIN" >"$CGI_OUT" 2>/dev/null
}
cgi_status() { sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$CGI_OUT" | tr -d '\r'; }
cgi_body() { sed '1,/^\r\{0,1\}$/d' "$CGI_OUT"; }

t "CGI: no token"
cgi GET /api/places </dev/null
expect_eq "status" 401 "$(cgi_status)"
expect_eq "body" '{"status":"Not authorized"}' "$(cgi_body)"

t "CGI: valid Bearer lists places"
mkplace "$G_ID" "CGI place" "Shell" >/dev/null
cgi GET '/api/places?author=me' HTTP_AUTHORIZATION="Bearer $G_TOKEN" </dev/null
expect_eq "status" 200 "$(cgi_status)"
expect_eq "names" '["CGI place"]' "$(cgi_body | jq -c '[.[].name]')"

t "CGI: POST reads the body from stdin"
printf '{"name":"From CGI","location":"stdin"}' |
	cgi POST /api/places HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=38
expect_eq "status" 201 "$(cgi_status)"
expect_eq "row" 1 "$(sql "SELECT count(*) FROM places WHERE name = 'From CGI';")"

t "CGI: declared body over PLACES_MAX_BODY is 413 without reading it"
cgi POST /api/places HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=65537 </dev/null
expect_eq "status" 413 "$(cgi_status)"
expect_eq "body" '{"status":"Payload too large"}' "$(cgi_body)"

t "CGI: undeclared body over the limit is 413"
head -c 70000 /dev/zero | tr '\0' ' ' |
	cgi POST /api/places HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
	    CONTENT_TYPE=application/json
expect_eq "status" 413 "$(cgi_status)"

t "CGI: body shorter than CONTENT_LENGTH"
printf '{}' | cgi POST /api/places HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=10
expect_eq "status" 400 "$(cgi_status)"
expect_eq "status text" '"Bad request"' "$(cgi_body | jq -c .status)"

t "CGI: SCRIPT_NAME + PATH_INFO without REQUEST_URI"
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
    REQUEST_METHOD=GET SCRIPT_NAME=/api/places PATH_INFO=/not-a-uuid \
    HTTP_AUTHORIZATION="Bearer $G_TOKEN" "$CGI_BIN" </dev/null >"$CGI_OUT" 2>/dev/null
expect_eq "status" 404 "$(cgi_status)"

t "CGI: a bad PLACES_MAX_BODY stops the worker at start-up"
env -i PATH="$PATH" PLACES_MAX_BODY=abc REQUEST_METHOD=GET \
    REQUEST_URI=/api/places "$CGI_BIN" </dev/null >"$CGI_OUT" 2>"$IT_TMP/cgi.err"
expect_eq "exit status" 1 "$?"
expect_eq "message" 1 "$(grep -c 'PLACES_MAX_BODY' "$IT_TMP/cgi.err")"

t "CGI: a bad PLACES_DB_POOL_MODE stops the worker at start-up"
env -i PATH="$PATH" PLACES_DB_POOL_MODE=statement REQUEST_METHOD=GET \
    REQUEST_URI=/api/places "$CGI_BIN" </dev/null >"$CGI_OUT" 2>"$IT_TMP/cgi.err"
expect_eq "exit status" 1 "$?"
expect_eq "message" 1 "$(grep -c 'PLACES_DB_POOL_MODE' "$IT_TMP/cgi.err")"

# Unnamed statements (what runs behind pgbouncer's transaction pooling;
# the pgbouncer suite runs everything that way): each statement of the
# worker once, straight against PostgreSQL.
t "CGI: PLACES_DB_POOL_MODE=transaction, every kind of statement"
pm=PLACES_DB_POOL_MODE=transaction
printf '{"name":"Unnamed","location":"pool"}' |
	cgi POST /api/places HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=36 "$pm"
expect_eq "POST" 201 "$(cgi_status)"
pid_=$(cgi_body | jq -r .id)
cgi GET "/api/places/$pid_" HTTP_AUTHORIZATION="Bearer $G_TOKEN" "$pm" </dev/null
expect_eq "GET item" "200 Unnamed" "$(cgi_status) $(cgi_body | jq -r .name)"
cgi GET '/api/places?author=me&limit=1' HTTP_AUTHORIZATION="Bearer $G_TOKEN" "$pm" </dev/null
expect_eq "GET list" "200 Unnamed" "$(cgi_status) $(cgi_body | jq -r '.[0].name')"
printf '{"location":"pooled"}' |
	cgi PATCH "/api/places/$pid_" HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=21 "$pm"
expect_eq "PATCH" "200 pooled" "$(cgi_status) $(cgi_body | jq -r .location)"
cgi DELETE "/api/places/$pid_" HTTP_AUTHORIZATION="Bearer $G_TOKEN" "$pm" </dev/null
expect_eq "DELETE" 200 "$(cgi_status)"
cgi GET "/api/places/$pid_" HTTP_AUTHORIZATION="Bearer $G_TOKEN" "$pm" </dev/null
expect_eq "GET after DELETE" 404 "$(cgi_status)"

# A replica that cannot answer costs nothing but a read from the primary
# (tests/scale runs a real one).
t "CGI: DATABASE_READ_URL unreachable: reads from the primary"
cgi GET '/api/places?author=me' HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
    DATABASE_READ_URL="host=/nonexistent-places-replica connect_timeout=1" </dev/null
expect_eq "status" 200 "$(cgi_status)"
expect_eq "names" '["CGI place","From CGI"]' "$(cgi_body | jq -c '[.[].name] | sort')"

t "CGI: DATABASE_READ_URL not a replica (no WAL replay): reads from the primary"
cgi GET '/api/places?author=me' HTTP_AUTHORIZATION="Bearer $G_TOKEN" \
    DATABASE_READ_URL="$DATABASE_URL" </dev/null
expect_eq "status" 200 "$(cgi_status)"
expect_eq "names" '["CGI place","From CGI"]' "$(cgi_body | jq -c '[.[].name] | sort')"

# A renamed cookie with a prefix (issue 13, item 4): a browser keeps a
# "__Host-" cookie only with Secure, Path=/ and no Domain, so the renewal
# must carry them or it is dropped and the session never renewed.
t "CGI: PLACES_SESSION_COOKIE=__Host-...: renewed with Secure, Path=/, no Domain"
cgi GET /api/places PLACES_SESSION_COOKIE=__Host-places.session \
    HTTP_COOKIE="__Host-places.session=$G_TOKEN" </dev/null
expect_eq "status" 200 "$(cgi_status)"
SC=$(sed -n 's/^Set-Cookie: \(.*\)\r$/\1/p' "$CGI_OUT")
if [[ $SC =~ ^__Host-places\.session=$G_TOKEN\;\ Path=/\;\ Expires=[^\;]+\;\ HttpOnly\;\ Secure\;\ SameSite=Lax$ ]]; then
	pass "Set-Cookie: __Host-places.session=...; Path=/; ...; Secure; ..."
else
	fail "Set-Cookie: __Host-places.session=...; Path=/; ...; Secure; ..." "$SC"
fi
expect_eq "no Domain" "" "$(grep -i '^Set-Cookie:.*domain' "$CGI_OUT")"
