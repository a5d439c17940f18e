# nginx's own answers are JSON too (README.md, "Failures").
# 413 from nginx is covered by the 2 MB body in 40-create.sh.

new_user G

t "nginx 400: HTTP/1.1 request without Host"
raw_req $'GET /api/places HTTP/1.1\r\nConnection: close\r\n\r\n'
expect_error 400 '{"status":"Bad request"}'
expect_header Content-Type '^application/json; charset=utf-8$'

t "nginx 400: lower-case method"
areq "$G_TOKEN" get /api/places
expect_error 400 '{"status":"Bad request"}'

t "nginx 414: URI too long"
areq "$G_TOKEN" GET "/api/places?pad=$(repeat_char 20000 x)"
expect_error 414 '{"status":"URI too long"}'

t "nginx 431/494: request header too large"
areq "$G_TOKEN" GET /api/places -H "X-Big: $(repeat_char 33000 x)"
expect_status '431|494'
expect_body '{"status":"Request header too large"}'

t "nginx 431/494: cookie too large"
# -H, not -b: curl silently drops an over-long -b cookie.
req GET /api/places -H "Cookie: next-auth.session-token=$(repeat_char 33000 a)"
expect_status '431|494'
expect_body '{"status":"Request header too large"}'

# The limits table (README.md, "Limits") as it behaves behind nginx.
t "nginx 431: a 33,000-byte Bearer token, over nginx's 32k line (README: Limits)"
areq "$(repeat_char 33000 x)" GET /api/places
expect_error 431 '{"status":"Request header too large"}'
expect_header Cache-Control '^no-store$'

t "an 8,200-byte Bearer token reaches the worker, over its 8192 bytes: 401"
areq "$(repeat_char 8200 x)" GET /api/places
expect_401

t "1025 cookie pairs beside a valid Bearer: 200, cookies are not read"
req GET /api/places -H "Authorization: Bearer $G_TOKEN" \
	-H "Cookie: $(for i in $(seq 1025); do printf 'c%d=v; ' "$i"; done)"
expect_status 200

t "1025 cookie pairs holding the session: 400"
req GET /api/places -H "Cookie: $(for i in $(seq 1024); do printf 'c%d=v; ' "$i"; done)next-auth.session-token=$G_TOKEN"
expect_error 400 '{"status":"Bad request"}'

# tools/stack.sh gives nginx the workers' body limit (README.md: Limits).
t "nginx's client_max_body_size is the workers' PLACES_MAX_BODY"
WMAX=$(tr '\0' '\n' <"$STATE_DIR/run/worker.env" 2>/dev/null | sed -n 's/^PLACES_MAX_BODY=//p')
NMAX=$(sed -n 's/^ *client_max_body_size \([^;]*\);.*/\1/p' "$STATE_DIR/nginx/server.conf" 2>/dev/null)
if [ -n "$WMAX" ]; then pass "the workers' limit is $WMAX"; else fail "the workers' limit is known" "no PLACES_MAX_BODY in run/worker.env"; fi
case $NMAX in # nginx's size units
*[kK]) NMAX=$((${NMAX%?} * 1024)) ;;
*[mM]) NMAX=$((${NMAX%?} * 1048576)) ;;
esac
expect_eq "nginx's limit, in bytes" "$WMAX" "$NMAX"
