# Auth.js v5 JWT sessions (next-auth 5, @auth/core), judged by the real
# @auth/core: tests/compat/authjs.mjs mints cookies with its own encode()
# and SessionStore and answers what its getToken() returns for a request,
# with the secrets Auth.js takes from this environment (run.sh exports
# AUTH_SECRET and a rotated-out AUTH_SECRET_1, which the workers get too).
# The worker must accept exactly what getToken() accepts, through nginx.

AJ="$IT_ROOT/tests/compat/authjs.mjs"
V5C=authjs.session-token

aj() { node "$AJ" "$@"; }

# agree5 LABEL COOKIE-HEADER [--secure]: getToken()'s verdict and the
# worker's must match (a token <=> 200, none <=> 401).
agree5() {
	local label=$1 hdr=$2 oracle want
	shift 2
	t "v5: $label"
	req GET /api/places -H "Cookie: $hdr"
	oracle=$(aj get-token --cookie "$hdr" "$@" | jq -r 'if .token then "token" else "none" end')
	if [ "$oracle" = token ]; then want=200; else want=401; fi
	expect_eq "getToken says $oracle; worker answers $want" "$want" "$STATUS"
}

# mint ARGS...: the Cookie header @auth/core's app would set.
mint() { aj mint "$@" | jq -r .cookieHeader; }

V5_EMAIL="v5-$(rand_hex 6)@example.com"
V5_HDR=$(mint --secret "$AUTH_SECRET" --email "$V5_EMAIL" --name "Vee Five" --sub "v5-user")
V5_TOKEN=${V5_HDR#*=}
printf '%s\n' "$V5_TOKEN" >>"$IT_TMP/tokens"

agree5 "token from encode()" "$V5_HDR"
expect_status 200
# Its sub names no users row: the worker's own author record (README).
t "v5: the caller is an author of the worker's, keyed by sub"
expect_eq "rows" 1 "$(sql "SELECT count(*) FROM places.authors WHERE sub = 'v5-user' AND email = :'e';" e="$V5_EMAIL")"
expect_eq "no users row" 0 "$(sql "SELECT count(*) FROM users WHERE email = :'e';" e="$V5_EMAIL")"
agree5 "rotated secret (AUTH_SECRET_1, found by kid)" "$(mint --secret "$AUTH_SECRET_1" --email "$V5_EMAIL")"
expect_status 200
agree5 "wrong secret" "$(mint --secret "not-$AUTH_SECRET" --email "$V5_EMAIL")"
expect_status 401
agree5 "expired (maxAge -60)" "$(mint --secret "$AUTH_SECRET" --email "$V5_EMAIL" --max-age=-60)"
expect_status 401
agree5 "__Secure- name" "$(mint --secret "$AUTH_SECRET" --email "$V5_EMAIL" --secure)" --secure
expect_status 200
SECURE_TOKEN=$(mint --secret "$AUTH_SECRET" --email "$V5_EMAIL" --secure)
agree5 "a __Secure- token under the plain name (other salt)" "$V5C=${SECURE_TOKEN#*=}"
expect_status 401

BIG=$(aj mint --secret "$AUTH_SECRET" --email "$V5_EMAIL" --pad 5000)
t "v5: a large token is chunked by @auth/core"
expect_eq "chunks" 2 "$(printf '%s' "$BIG" | jq '.cookies | length')"
agree5 "chunked" "$(printf '%s' "$BIG" | jq -r .cookieHeader)"
expect_status 200
agree5 "chunks out of order" "$(printf '%s' "$BIG" | jq -r '[.cookies | reverse[] | "\(.[0])=\(.[1])"] | join("; ")')"
agree5 "chunk .1 only" "$(printf '%s' "$BIG" | jq -r '.cookies[1] | "\(.[0])=\(.[1])"')"
expect_status 401

TAMPERED=$(printf '%s' "$V5_HDR" | awk '{ i = length($0) - 50; c = substr($0, i, 1); r = (c == "A") ? "B" : "A"; print substr($0, 1, i - 1) r substr($0, i + 1) }')
agree5 "tampered" "$TAMPERED"
expect_status 401

t "v5: as Bearer"
req GET /api/places -H "Authorization: Bearer $V5_TOKEN"
expect_status 200
expect_no_header Set-Cookie
expect_eq "getToken takes it as Bearer" true "$(aj get-token --bearer "$V5_TOKEN" | jq '.token != null')"

t "v5: a v5 token under the v4 name is no v4 token"
req GET /api/places -H "Cookie: next-auth.session-token=$V5_TOKEN"
expect_status 401
t "v5: a v4 token under the v5 name is no v5 token"
V4_TOKEN=$(node "$IT_ROOT/tests/compat/nextauth.mjs" jwt --secret "$NEXTAUTH_SECRET" --email "$V5_EMAIL" | jq -r .token)
req GET /api/places -H "Cookie: $V5C=$V4_TOKEN"
expect_status 401
expect_eq "and getToken agrees" null "$(aj get-token --cookie "$V5C=$V4_TOKEN" | jq -c .token)"

t "v5: the caller owns what it creates"
req POST /api/places -H "Cookie: $V5_HDR" -H "Origin: $BASE_URL" -H 'Content-Type: application/json' \
	--data-binary '{"name":"By v5","location":"Cookie"}'
expect_status 201
V5_PLACE=$(body | jq -r .id)
req GET "/api/places/$V5_PLACE" -H "Cookie: $V5_HDR"
expect_json --arg e "$V5_EMAIL" '.author == $e'

t "v5: refusals are logged with a reason, never the token"
expect_eq "no token in the worker log" 0 "$(grep -cF "${V5_TOKEN:0:60}" "$WORKER_LOG")"
expect_eq "a reason is logged" 1 "$([ "$(grep -c 'no matching decryption secret\|does not decrypt' "$WORKER_LOG")" -ge 1 ] && echo 1 || echo 0)"
