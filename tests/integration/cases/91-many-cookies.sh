# Many cookies (issue 10): a browser keeps up to 180 cookies per host and
# sends them all in one Cookie line.  A signed-in request carrying 170 of
# them must be served: nginx reads header lines of up to 32k
# (nginx.conf.example), passes them to the worker in its FastCGI params,
# and the worker takes up to 32768 bytes and 1024 pairs (lib/cookie.h).
# Past that: the worker's 400, nginx's 431 (a line over 32k, or over 48k
# of Cookie joined from several lines) and 414 (a URI over 8k), all JSON;
# and nginx's 500 when the headers outgrow the one FastCGI params record
# (65535 bytes) it sends.

MC_TOKEN=$(mksession "$(mkuser "Many Cookies" "many-$(rand_hex 4)@example.com")" '1 day')

# cookies N BYTES: N cookies "cK=<BYTES hex chars>" joined by "; ".
cookies() {
	local n=$1 len=$2 i v out=''
	v=$(head -c "$len" /dev/zero | tr '\0' 'a')
	for ((i = 0; i < n; i++)); do out+="c$i=$v; "; done
	printf '%s' "${out%; }"
}

t "170 cookies and the session cookie (about 24 KB)"
MANY=$(cookies 170 130)
req GET /api/places -H "Cookie: $MANY; next-auth.session-token=$MC_TOKEN"
expect_status 200
note "Cookie header of $(( ${#MANY} + 60 )) bytes"

t "180 cookies, the session cookie first"
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $(cookies 180 150)"
expect_status 200

t "a Cookie header just under 32768 bytes"
ONE=$(cookies 1 32600)
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $ONE"
expect_status 200

t "1025 pairs: over the worker's limit"
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $(cookies 1024 4)"
expect_error 400 '{"status":"Bad request"}'

t "two Cookie lines of 20 KB: joined past 32768 bytes, the worker's 400"
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $(cookies 1 20000)" \
	-H "Cookie: d=$(cookies 1 20000)"
expect_error 400 '{"status":"Bad request"}'

t "two Cookie lines of 30 KB: joined past 48 KB, nginx's 431"
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $(cookies 1 30000)" \
	-H "Cookie: d=$(cookies 1 30000)"
expect_error 431 '{"status":"Request header too large"}'

t "one Cookie line over 32 KB: nginx's 431"
req GET /api/places -H "Cookie: $(cookies 1 33000)"
expect_error 431 '{"status":"Request header too large"}'

t "a URI over 8 KB is still 414"
req GET "/api/places?x=$(head -c 8300 /dev/zero | tr '\0' 'a')" -H "Cookie: next-auth.session-token=$MC_TOKEN"
expect_error 414 '{"status":"URI too long"}'
t "a URI just under 8 KB reaches the worker"
req GET "/api/places/$(head -c 8000 /dev/zero | tr '\0' '1')" -H "Cookie: next-auth.session-token=$MC_TOKEN"
expect_status 404

t "a 30 KB Cookie and 40 KB of other headers: over one FastCGI record, nginx's 500"
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $(cookies 1 30000)" \
	-H "X-A: $(cookies 1 20000)" -H "X-B: $(cookies 1 20000)"
expect_error 500 '{"status":"Internal error"}'
t "a 30 KB Cookie and 20 KB of other headers still fit"
req GET /api/places -H "Cookie: next-auth.session-token=$MC_TOKEN; $(cookies 1 30000)" \
	-H "X-A: $(cookies 1 10000)" -H "X-B: $(cookies 1 10000)"
expect_status 200
