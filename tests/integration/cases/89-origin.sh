# Cross-site writes (README "Writes"): a write authenticated by a cookie
# that carries an Origin must come from the API's own origin or from
# PLACES_ALLOWED_ORIGINS; Bearer callers are not subject to the rule.

new_user O
C=next-auth.session-token
SELF="http://127.0.0.1:$NGINX_PORT"
BODY='{"name":"Origin test","location":"Here"}'

# creq ORIGIN: a cookie-authenticated POST with that Origin header.
creq() {
	req POST /api/places -b "$C=$O_TOKEN" -H 'Content-Type: application/json' \
	    -H "Origin: $1" --data-binary "$BODY"
}

t "cookie write from a foreign origin"
creq https://evil.example
expect_error 403 '{"status":"Forbidden"}'
t "cookie write from origin null"
creq null
expect_error 403 '{"status":"Forbidden"}'
t "cookie write from a look-alike origin"
creq "$SELF.evil.example"
expect_error 403 '{"status":"Forbidden"}'
t "cookie write from the wrong scheme"
creq "https://127.0.0.1:$NGINX_PORT"
expect_error 403 '{"status":"Forbidden"}'
t "nothing was written by refused writes"
expect_eq "rows" 0 "$(sql "SELECT count(*) FROM places WHERE author_id = :'u';" u="$O_ID")"

t "cookie write from the API's own origin"
creq "$SELF"
expect_status 201
t "cookie write without Origin (non-browser client)"
req POST /api/places -b "$C=$O_TOKEN" -H 'Content-Type: application/json' --data-binary "$BODY"
expect_status 201
OID=$(body | jq -r .id)

t "cookie DELETE from a foreign origin"
req DELETE "/api/places/$OID" -b "$C=$O_TOKEN" -H 'Origin: https://evil.example'
expect_error 403 '{"status":"Forbidden"}'
t "cookie PATCH from a foreign origin"
req PATCH "/api/places/$OID" -b "$C=$O_TOKEN" -H 'Origin: https://evil.example' \
    -H 'Content-Type: application/json' --data-binary '{"name":"x"}'
expect_error 403 '{"status":"Forbidden"}'
t "the place is untouched"
expect_eq "name" "Origin test" "$(sql "SELECT name FROM places WHERE id = :'id';" id="$OID")"

t "cookie GET from a foreign origin is a read: allowed"
req GET "/api/places/$OID" -b "$C=$O_TOKEN" -H 'Origin: https://evil.example'
expect_status 200

t "Bearer write from a foreign origin"
req POST /api/places -H "Authorization: Bearer $O_TOKEN" -H 'Content-Type: application/json' \
    -H 'Origin: https://evil.example' --data-binary "$BODY"
expect_status 201

t "a cross-site write without a session is still 401"
req POST /api/places -H 'Content-Type: application/json' -H 'Origin: https://evil.example' \
    --data-binary "$BODY"
expect_401

t "PLACES_ALLOWED_ORIGINS admits the app's origin (CGI mode)"
out=$(printf '%s' "$BODY" | env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
    PLACES_ALLOWED_ORIGINS='https://one.example, https://app.example' \
    REQUEST_METHOD=POST REQUEST_URI=/api/places HTTP_HOST=api.example REQUEST_SCHEME=https \
    HTTP_ORIGIN=https://app.example HTTP_COOKIE="$C=$O_TOKEN" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=${#BODY} "$STATE_DIR/bin/places.fcgi")
expect_eq "status" "Status: 201 Created" "$(printf '%s' "$out" | head -1 | tr -d '\r')"
out=$(printf '%s' "$BODY" | env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
    PLACES_ALLOWED_ORIGINS='https://one.example, https://app.example' \
    REQUEST_METHOD=POST REQUEST_URI=/api/places HTTP_HOST=api.example REQUEST_SCHEME=https \
    HTTP_ORIGIN=https://two.example HTTP_COOKIE="$C=$O_TOKEN" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=${#BODY} "$STATE_DIR/bin/places.fcgi")
expect_eq "others still refused" "Status: 403 Forbidden" "$(printf '%s' "$out" | head -1 | tr -d '\r')"
