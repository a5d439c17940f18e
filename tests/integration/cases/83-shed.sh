# Requests without credentials get the worker's 401 from nginx itself
# (nginx.conf.example, "credential-less requests"; issue 13).  Checked here:
#  - that 401 is the worker's byte for byte (only Date and the X-Request-Id
#    value may differ), for every method and kind of path;
#  - anything that might be a credential still reaches the worker;
#  - the map's cookie names are the worker's (lib/session.c), so that the
#    two lists cannot drift apart.
# Whether a request reached the worker is read from the worker's log: its
# access line carries the request id the request was sent with.

WLOG=${WORKER_LOG:?}
SHED_ID=it-shed-$(rand_hex 4)
N=0

# The cookie names the worker reads: the string literals of cookie_names[]
# in lib/session.c.
WORKER_NAMES=$(awk '/cookie_names\[\] = \{/, /\};/' "$IT_ROOT/lib/session.c" |
	grep -o '"[^"]*"' | tr -d '"' | sort)

# map_names FILE: the names in FILE's "map $http_cookie
# $places_session_cookie" regex, "(^|;)[ \t]*(a\.b|c\.d)", unescaped.
map_names() {
	sed -n '/^map \$http_cookie \$places_session_cookie {/,/^}/p' "$1" |
		perl -ne 'if (/"~\(\^\|;\)\[ \\t\]\*\((.*)\)"/) { print "$_\n" for split /\|/, $1 }' |
		sed 's/\\\././g' | sort
}

# fetch ID METHOD PATH [CURL-ARGS...]: the whole response (curl -i: status
# line, headers, body, bytes as received) in $IT_TMP/shed.ID, with the
# Date line dropped and the X-Request-Id value replaced by "*".
fetch() {
	local id=$1 m=$2 path=$3 how=(-X "$2")
	shift 3
	[ "$m" = HEAD ] && how=(-I)
	curl -s -S -i --http1.1 --path-as-is -g --max-time 10 -H 'Expect:' \
		-H "X-Request-Id: $id" "${how[@]}" "$@" "$BASE_URL$path" \
		>"$IT_TMP/shed.raw" 2>"$IT_TMP/curl.err"
	LC_ALL=C sed -e '/^Date: /d' -e 's/^\(X-Request-Id: \).*\(\r\)$/\1*\2/' \
		"$IT_TMP/shed.raw" >"$IT_TMP/shed.$id"
}

# reached ID: the worker logged a request with that id (its access line
# is written before the response, so it is there already).
reached() { grep -qF "\"request_id\":\"$1\"" "$WLOG"; }

# next_id: a fresh request id in $ID.
next_id() { N=$((N + 1)); ID=$SHED_ID-$N; }

t "shed: the map's cookie names are the worker's"
if [ "$(printf '%s\n' "$WORKER_NAMES" | grep -c .)" -ge 1 ]; then
	pass "$(printf '%s\n' "$WORKER_NAMES" | grep -c .) names in lib/session.c's cookie_names[]"
else
	fail "names in lib/session.c's cookie_names[]" "none found"
fi
for f in "$IT_ROOT/nginx.conf.example" "$IT_ROOT/examples/nextjs/nginx.conf" \
    "$STATE_DIR/nginx/server.conf"; do
	[ -f "$f" ] && grep -q 'places_session_cookie' "$f" || continue
	expect_eq "${f#"$IT_ROOT/"}: the map's names" "$WORKER_NAMES" "$(map_names "$f")"
done

t "shed: nginx's 401 is the worker's, byte for byte"
UUID=$(cat /proc/sys/kernel/random/uuid)
SAME=0 DIFF= SHED=0 NOTSHED= WORKER=0 NOTWORKER=
for m in GET HEAD POST PUT PATCH DELETE OPTIONS; do
	body=()
	case $m in POST | PUT | PATCH) body=(-H 'Content-Type: application/json' --data-binary '{"name":"x"}') ;; esac
	for path in /api/places /api/places/ "/api/places/$UUID" /api/places/not-a-uuid \
	    '/api/places?author=me&limit=5' /api/places/a/b '/api/places/%41'; do
		# Without credentials: nginx's.
		next_id; s=$ID
		fetch "$s" "$m" "$path" "${body[@]}"
		if reached "$s"; then NOTSHED+="$m $path; "; else SHED=$((SHED + 1)); fi
		# With a credential the worker rejects: the worker's 401.  Two
		# kinds: another Authorization scheme, an empty session cookie.
		for cred in 'Authorization: Basic eA==' 'Cookie: next-auth.session-token='; do
			next_id; w=$ID
			fetch "$w" "$m" "$path" -H "$cred" "${body[@]}"
			if reached "$w"; then WORKER=$((WORKER + 1)); else NOTWORKER+="$m $path $cred; "; fi
			if cmp -s "$IT_TMP/shed.$s" "$IT_TMP/shed.$w" && head -n1 "$IT_TMP/shed.$s" | grep -q '^HTTP/1.1 401 '; then
				SAME=$((SAME + 1))
			else
				DIFF+="$m $path ($cred): $(diff "$IT_TMP/shed.$s" "$IT_TMP/shed.$w" | head -n 4 | tr '\r\n' '  '); "
			fi
		done
	done
done
expect_eq "no credentials: answered by nginx ($SHED requests)" "" "$NOTSHED"
expect_eq "a credential: answered by the worker ($WORKER requests)" "" "$NOTWORKER"
expect_eq "the two 401s identical ($SAME pairs)" "" "$DIFF"
# The one shed response in full, as the worker sends it.
printf 'HTTP/1.1 401 Unauthorized\r\nServer: nginx\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 27\r\nConnection: keep-alive\r\nWWW-Authenticate: Bearer\r\nX-Request-Id: *\r\nCache-Control: no-store\r\n\r\n{"status":"Not authorized"}' >"$IT_TMP/shed.want"
if cmp -s "$IT_TMP/shed.want" "$IT_TMP/shed.$SHED_ID-1"; then
	pass "GET /api/places: the whole 401"
else
	fail "GET /api/places: the whole 401" "$(cat -A "$IT_TMP/shed.$SHED_ID-1" | tr '\n' ' ')"
fi

t "shed: the request id as the worker's"
next_id
fetch "$ID" GET /api/places
expect_eq "the client's X-Request-Id comes back" "X-Request-Id: $ID" "$(grep -a '^X-Request-Id' "$IT_TMP/shed.raw" | tr -d '\r')"
curl -s -i --max-time 10 -H 'X-Request-Id: bad id!' "$BASE_URL/api/places" >"$IT_TMP/shed.raw"
if grep -aqE '^X-Request-Id: [0-9a-f]{32}'$'\r''$' "$IT_TMP/shed.raw"; then
	pass "an unusable one is replaced by nginx's \$request_id"
else
	fail "an unusable one is replaced by nginx's \$request_id" "$(grep -a '^X-Request-Id' "$IT_TMP/shed.raw")"
fi
expect_eq "exactly one X-Request-Id" 1 "$(grep -ac '^X-Request-Id' "$IT_TMP/shed.raw")"

t "shed: whatever might be a credential reaches the worker"
NOTWORKER= K=0
while IFS= read -r hdr; do
	[ -n "$hdr" ] || continue
	next_id; K=$((K + 1))
	args=()
	while IFS= read -r -d '|' h; do args+=(-H "$h"); done <<<"$hdr|"
	fetch "$ID" GET /api/places "${args[@]}"
	reached "$ID" || NOTWORKER+="[$hdr] "
done < <(
	printf '%s\n' 'Authorization: Bearer bogus' 'Authorization: Basic eA==' 'Authorization: x'
	while IFS= read -r n; do
		printf '%s\n' "Cookie: $n=x" "Cookie: $n.0=x" "Cookie: $n.3=x" "Cookie: $n-x=1" \
			"Cookie: a=b; $n=x" "Cookie: a=b;$n=x" "Cookie: a=b;"$'\t'" $n=x" \
			"Cookie: a=b|Cookie: $n=x"
	done <<<"$WORKER_NAMES"
)
expect_eq "$K kinds of header, each reached the worker" "" "$NOTWORKER"

t "shed: what no worker would read is answered by nginx"
NOTSHED= K=0
for c in 'Cookie: theme=dark' 'Cookie: xnext-auth.session-token=1' \
    'Cookie: a=next-auth.session-token' 'Cookie: NEXT-AUTH.SESSION-TOKEN=x' \
    'Cookie: next-auth-session-token=x' 'Authorization;'; do
	next_id; K=$((K + 1))
	fetch "$ID" GET /api/places -H "$c"
	if reached "$ID" || ! head -n1 "$IT_TMP/shed.$ID" | grep -q '^HTTP/1.1 401 '; then NOTSHED+="[$c] "; fi
done
expect_eq "$K kinds, each a 401 from nginx" "" "$NOTSHED"

t "shed: a valid session cookie still works"
new_user SH
req GET /api/places -b "next-auth.session-token=$SH_TOKEN"
expect_status 200
expect_header Set-Cookie "^next-auth\\.session-token=$SH_TOKEN; "
