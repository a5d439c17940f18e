# Sessions exactly as NextAuth keeps them, judged by the real next-auth
# package: tests/compat/nextauth.mjs mints cookies with next-auth's own
# encode() and SessionStore, creates users and sessions with the real
# @auth/pg-adapter, and answers what getServerSession() returns for a Cookie
# header.  The worker must accept exactly what it accepts.

NA="$IT_ROOT/tests/compat/nextauth.mjs"
C=next-auth.session-token

# na ARGS...: runs the oracle, prints its JSON.
na() { node "$NA" "$@"; }

# agree LABEL STRATEGY COOKIE-HEADER: NextAuth's verdict and the worker's
# must match (a session <=> 200, none <=> 401).  The worker is asked first:
# the oracle's own renewals and deletions must not decide for it.
agree() {
	local label=$1 strategy=$2 hdr=$3 oracle want url=()
	t "$label"
	req GET /api/places -H "Cookie: $hdr"
	# NextAuth reads the __Secure- name only when its URL is https.
	case $hdr in *__Secure-*) url=(--secure-url) ;; esac
	oracle=$(na get-session --strategy "$strategy" --secret "$NEXTAUTH_SECRET" \
	    "${url[@]}" --cookie "$hdr" | jq -r 'if .session then "session" else "none" end')
	if [ "$oracle" = session ]; then want=200; else want=401; fi
	expect_eq "getServerSession says $oracle; worker answers $want" "$want" "$STATUS"
}

# jwt_cookie ARGS...: the Cookie header NextAuth would send for a new JWT.
jwt_cookie() { na jwt --secret "$NEXTAUTH_SECRET" "$@" | jq -r .cookieHeader; }

# --- database sessions, made by @auth/pg-adapter -----------------------------

AU_EMAIL="na-$(rand_hex 6)@example.com"
AU_ID=$(na adapter-user --email "$AU_EMAIL" --name "Adapter User" | jq -r .id)
AU_TOKEN=$(na adapter-session --user-id "$AU_ID" | jq -r .sessionToken)
printf '%s\n' "$AU_TOKEN" >>"$IT_TMP/tokens"
OLD_TOKEN=$(na adapter-session --user-id "$AU_ID" --expires-in -60 | jq -r .sessionToken)
printf '%s\n' "$OLD_TOKEN" >>"$IT_TMP/tokens"
ORPHAN_TOKEN=$(na adapter-session --user-id 2147480000 | jq -r .sessionToken)
printf '%s\n' "$ORPHAN_TOKEN" >>"$IT_TMP/tokens"

agree "adapter session" database "$C=$AU_TOKEN"
agree "adapter session, expired" database "$C=$OLD_TOKEN"
t "expired session's row is gone"
expect_eq "rows" 0 "$(sql "SELECT count(*) FROM sessions WHERE \"sessionToken\" = :'t';" t="$OLD_TOKEN")"
agree "session whose user is missing" database "$C=$ORPHAN_TOKEN"
t "orphaned session's row is kept (as NextAuth does)"
expect_eq "rows" 1 "$(sql "SELECT count(*) FROM sessions WHERE \"sessionToken\" = :'t';" t="$ORPHAN_TOKEN")"
agree "unknown token" database "$C=$(rand_hex 16)"
agree "another cookie under the session name's prefix" database "$C=$AU_TOKEN; $C-legacy=x"
agree "an empty cookie under the prefix" database "$C=$AU_TOKEN; $C-legacy="
agree "whole and chunked" database "$C=$AU_TOKEN; $C.0=$AU_TOKEN"
agree "empty whole, one chunk" database "$C=; $C.0=$AU_TOKEN"
agree "percent-encoded token" database "$C=$(printf '%s' "$AU_TOKEN" | sed 's/-/%2D/g')"
agree "quoted token" database "$C=\"$AU_TOKEN\""
agree "first of two" database "$C=$AU_TOKEN; $C=$(rand_hex 16)"
agree "second of two" database "$C=$(rand_hex 16); $C=$AU_TOKEN"

# --- JWT sessions, made by next-auth's encode() --------------------------------

JWT_EMAIL="jwt-$(rand_hex 6)@example.com"
JWT_SUB="jwt-sub-$(rand_hex 6)"
JWT_HDR=$(jwt_cookie --email "$JWT_EMAIL" --name "Jay Dub" --sub "$JWT_SUB")
JWT_TOKEN=${JWT_HDR#*=}
printf '%s\n' "$JWT_TOKEN" >>"$IT_TMP/tokens"

agree "JWT" jwt "$JWT_HDR"
# A sub that names no users row: the worker's own author record, never a
# row in the app's users table (README, "JWT callers").
t "JWT caller is an author of the worker's, keyed by sub"
expect_eq "rows" 1 "$(sql "SELECT count(*) FROM places.authors WHERE sub = :'s' AND email = :'e';" s="$JWT_SUB" e="$JWT_EMAIL")"
expect_eq "no users row" 0 "$(sql "SELECT count(*) FROM users WHERE email = :'e';" e="$JWT_EMAIL")"
agree "JWT again: no second author" jwt "$JWT_HDR"
t "still one author"
expect_eq "rows" 1 "$(sql "SELECT count(*) FROM places.authors WHERE sub = :'s';" s="$JWT_SUB")"
t "JWT as Bearer"
req GET /api/places -H "Authorization: Bearer $JWT_TOKEN"
expect_status 200
expect_no_header Set-Cookie

agree "JWT, wrong secret" jwt "$(na jwt --secret "not-$NEXTAUTH_SECRET" --email "$JWT_EMAIL" | jq -r .cookieHeader)"
TAMPERED=$(printf '%s' "$JWT_HDR" | awk '{ i = length($0) - 40; c = substr($0, i, 1); r = (c == "A") ? "B" : "A"; print substr($0, 1, i - 1) r substr($0, i + 1) }')
agree "JWT, tampered" jwt "$TAMPERED"
agree "JWT, expired" jwt "$(jwt_cookie --email "$JWT_EMAIL" --exp-offset -3600)"
agree "JWT, secure cookie name" jwt "$(jwt_cookie --email "$JWT_EMAIL" --secure)"

BIG=$(na jwt --secret "$NEXTAUTH_SECRET" --email "$JWT_EMAIL" --pad 3000)
t "a large JWT is chunked by NextAuth"
expect_eq "chunks" 2 "$(printf '%s' "$BIG" | jq '.cookies | length')"
agree "JWT, chunked" jwt "$(printf '%s' "$BIG" | jq -r .cookieHeader)"
agree "JWT, chunks out of order" jwt "$(printf '%s' "$BIG" | jq -r '[.cookies | reverse[] | "\(.[0])=\(.[1])"] | join("; ")')"
agree "JWT, chunk .0 only (.1 missing)" jwt "$(printf '%s' "$BIG" | jq -r '.cookies[0] | "\(.[0])=\(.[1])"')"
agree "JWT, chunk .1 only (.0 missing)" jwt "$(printf '%s' "$BIG" | jq -r '.cookies[1] | "\(.[0])=\(.[1])"')"

V5=$(na jwt-v5 --secret "$NEXTAUTH_SECRET" --email "$JWT_EMAIL" | jq -r .token)
agree "Auth.js v5 token under the v4 name" jwt "$C=$V5"
t "the v5 refusal under a v4 name is logged with its reason"
expect_eq "log line" 1 "$([ "$(grep -c 'JWE enc is not A256GCM' "$WORKER_LOG")" -ge 1 ] && echo 1 || echo 0)"

t "JWT caller owns what it creates"
jreq "$JWT_TOKEN" POST /api/places '{"name":"By JWT","location":"Token"}'
expect_status 201
JWT_PLACE=$(body | jq -r .id)
areq "$JWT_TOKEN" GET "/api/places/$JWT_PLACE"
expect_json --arg e "$JWT_EMAIL" '.author == $e'
t "the same sub with another email: the same author"
JWT_HDR2=$(jwt_cookie --email "new-$JWT_EMAIL" --sub "$JWT_SUB")
req PATCH "/api/places/$JWT_PLACE" -H "Cookie: $JWT_HDR2" -H 'Content-Type: application/json' --data-binary '{"name":"By JWT, new email"}'
expect_status 200
expect_json --arg e "new-$JWT_EMAIL" '.author == $e'
t "the old email under another sub: not the author"
req DELETE "/api/places/$JWT_PLACE" -H "Cookie: $(jwt_cookie --email "$JWT_EMAIL" --sub "other-$JWT_SUB")"
expect_status 403
# NextAuth's sub is the user's id: a JWT of the adapter's user is that user.
t "a JWT whose sub is a user's id and that user's database session: one author"
AU_JWT=$(jwt_cookie --email "$AU_EMAIL" --sub "$AU_ID")
req POST /api/places -H "Cookie: $AU_JWT" -H 'Content-Type: application/json' --data-binary '{"name":"By AU JWT","location":"Token"}'
expect_status 201
AU_PLACE=$(body | jq -r .id)
jreq "$AU_TOKEN" PATCH "/api/places/$AU_PLACE" '{"name":"By JWT, edited"}'
expect_status 200
expect_eq "author_id is the user" "$AU_ID" "$(sql "SELECT author_id FROM places WHERE id = :'id';" id="$AU_PLACE")"

# A JWT caller's first request makes its author record with one upsert,
# which is safe to send again.  A connection lost while it waits (here on
# a psql session that holds the same sub) is reconnected and the upsert
# sent once more (lib/dbconn.c): 200, one author, nothing lost.
t "JWT first sight: connection lost while the author is made"
LOST_SUB="lost-$(rand_hex 6)"
LOST_EMAIL="jwt-lost-$(rand_hex 6)@example.com"
LOST_HDR=$(jwt_cookie --email "$LOST_EMAIL" --sub "$LOST_SUB")
sql "BEGIN; INSERT INTO places.authors (sub, email) VALUES (:'s', 'holder@example.com');
     SELECT pg_sleep(3); ROLLBACK;" s="$LOST_SUB" >/dev/null &
holder=$!
for _ in $(seq 20); do
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND state = 'active' AND pid <> pg_backend_pid();")" -ge 1 ] && break
	sleep 0.1
done
( req GET /api/places -H "Cookie: $LOST_HDR"; printf '%s' "$STATUS" >"$IT_TMP/lost.status" ) &
asker=$!
killed=0
for _ in $(seq 30); do
	killed=$(sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	    WHERE wait_event_type = 'Lock' AND application_name = 'places-fcgi';")
	[ "$killed" -ge 1 ] && break
	sleep 0.1
done
wait "$asker"
wait "$holder"
expect_eq "the worker was waiting, then lost its connection" 1 "$killed"
expect_eq "sent again: 200" 200 "$(cat "$IT_TMP/lost.status")"
expect_eq "one author, with the token's email" 1 "$(sql "SELECT count(*) FROM places.authors WHERE sub = :'s' AND email = :'e';" s="$LOST_SUB" e="$LOST_EMAIL")"
t "JWT first sight: the next request is served"
req GET /api/places -H "Cookie: $LOST_HDR"
expect_status 200
expect_eq "no users row" 0 "$(sql "SELECT count(*) FROM users WHERE email = :'e';" e="$LOST_EMAIL")"

# --- rolling expiry (NextAuth defaults: maxAge 30 days, updateAge 24 hours) ---

# Every UPDATE of a sessions row is counted by a test-only trigger.
sql "CREATE TABLE test_session_writes (session_id int NOT NULL);
     CREATE FUNCTION test_session_write() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN INSERT INTO test_session_writes VALUES (NEW.id); RETURN NEW; END \$\$;
     CREATE TRIGGER test_session_write AFTER UPDATE ON sessions
       FOR EACH ROW EXECUTE FUNCTION test_session_write();" >/dev/null
writes() { sql "SELECT count(*) FROM test_session_writes w JOIN sessions s ON s.id = w.session_id WHERE s.\"sessionToken\" = :'t';" t="$1"; }
expires_in() { sql "SELECT round(extract(epoch FROM expires - now()))::bigint FROM sessions WHERE \"sessionToken\" = :'t';" t="$1"; }

new_user R
# Last renewed 25 hours ago: expires = now + 30 days - 25 hours.
DUE=$(mksession "$R_ID" '30 days -25 hours')
# Renewed a minute ago: expires = now + 30 days - 1 minute.
FRESH=$(mksession "$R_ID" '30 days -1 minute')

t "session due for renewal"
req GET /api/places -b "$C=$DUE"
expect_status 200
expect_eq "one database write" 1 "$(writes "$DUE")"
e=$(expires_in "$DUE")
expect_eq "expires moved to now + 30 days" 1 "$([ "$e" -ge 2591990 ] && [ "$e" -le 2592000 ] && echo 1 || echo 0)"
expect_header Set-Cookie "^$C=$DUE; Path=/; Expires=[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT; HttpOnly; SameSite=Lax\$"
t "the same session, right after: no second write"
req GET /api/places -b "$C=$DUE"
expect_status 200
expect_eq "still one write" 1 "$(writes "$DUE")"

t "session far from renewal"
req GET /api/places -b "$C=$FRESH"
expect_status 200
expect_eq "no database write" 0 "$(writes "$FRESH")"
# NextAuth renews the cookie on every session read, due or not
# (tests/compat/SOURCES.md), and so does the worker.
expect_header Set-Cookie "^$C=$FRESH; Path=/; Expires="
cookie_exp=$(header Set-Cookie | sed -n 's/.*Expires=\([^;]*\);.*/\1/p')
delta=$(( $(date -d "$cookie_exp" +%s) - $(date +%s) ))
expect_eq "cookie Expires is now + 30 days" 1 "$([ "$delta" -ge 2591990 ] && [ "$delta" -le 2592001 ] && echo 1 || echo 0)"

t "20 concurrent requests on a due session: one write"
RACE=$(mksession "$R_ID" '28 days')	# renewed two days ago
for i in $(seq 20); do
	curl -s -o /dev/null -w '%{http_code}\n' -b "$C=$RACE" "$BASE_URL/api/places?limit=1" &
done >"$IT_TMP/race" 
wait
expect_eq "all 200" 20 "$(grep -c '^200$' "$IT_TMP/race")"
expect_eq "exactly one write" 1 "$(writes "$RACE")"

t "__Secure- cookie is renewed with Secure"
req GET /api/places -b "__Secure-$C=$FRESH"
expect_status 200
expect_header Set-Cookie "^__Secure-$C=$FRESH; Path=/; Expires=[^;]*; HttpOnly; Secure; SameSite=Lax\$"

t "Bearer callers get no cookie"
areq "$FRESH" GET /api/places
expect_status 200
expect_no_header Set-Cookie

t "an authenticated 404 renews the cookie too"
req GET /api/places/00000000-0000-4000-8000-000000000000 -b "$C=$FRESH"
expect_status 404
expect_header Set-Cookie "^$C=$FRESH; "

t "401 sets no cookie"
req GET /api/places -b "$C=$(rand_hex 16)"
expect_status 401
expect_no_header Set-Cookie

sql "DROP TRIGGER test_session_write ON sessions; DROP FUNCTION test_session_write();
     DROP TABLE test_session_writes;" >/dev/null

# --- a renamed cookie (PLACES_SESSION_COOKIE), through the CGI mode ----------

t "PLACES_SESSION_COOKIE names the cookie, tried first"
out=$(env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PLACES_LOG_LEVEL=error \
    PLACES_SESSION_COOKIE=app.sid REQUEST_METHOD=GET REQUEST_URI=/api/places \
    HTTP_COOKIE="$C=$(rand_hex 16); app.sid=$FRESH" "$STATE_DIR/bin/places.fcgi" </dev/null)
expect_eq "status" "Status: 200 OK" "$(printf '%s' "$out" | head -1 | tr -d '\r')"
expect_eq "renewed under its own name" 1 "$(printf '%s' "$out" | grep -c "^Set-Cookie: app.sid=$FRESH; ")"
t "a bad PLACES_SESSION_COOKIE stops the worker"
env -i PATH="$PATH" PLACES_SESSION_COOKIE='a b' REQUEST_METHOD=GET REQUEST_URI=/api/places \
    "$STATE_DIR/bin/places.fcgi" </dev/null >/dev/null 2>&1
expect_eq "exit status" 1 "$?"
