# No session token minted by the run appears in any log.  So that this
# holds something when the case runs alone (IT_CASES), it first mints a
# token of its own and sends it the ways a client may: as a Bearer token, in
# the session cookie, and one byte short (a token the worker refuses).

FROM=0
if [ "$IT_OWN_STACK" != 1 ]; then
	FROM=$(cat "$IT_TMP/worker-log.offset" 2>/dev/null) || FROM=$(wc -c <"$WORKER_LOG")
fi
new_user L
t "no session token in the logs"
areq "$L_TOKEN" GET /api/places
expect_status 200
req GET /api/places -b "next-auth.session-token=$L_TOKEN"
expect_status 200
areq "${L_TOKEN%?}" GET /api/places
expect_status 401
LOGS=()
for f in "$STATE_DIR/log" "${WORKER_LOG:-}" "${NGINX_ERROR_LOG:-}" "${NGINX_ACCESS_LOG:-}" "${PG_LOG:-}"; do
	[ -n "$f" ] && [ -e "$f" ] && LOGS+=("$f")
done
NFILES=$(find "${LOGS[@]}" -type f 2>/dev/null | sort -u | wc -l)
if [ "$NFILES" -gt 0 ]; then pass "there are $NFILES log files"; else fail "there are log files" "none under $STATE_DIR/log"; fi
LEAKS=
NT=0
while read -r tok; do
	[ -n "$tok" ] || continue
	NT=$((NT + 1))
	hits=$(grep -rlF -- "$tok" "${LOGS[@]}" 2>/dev/null | sort -u | tr '\n' ' ')
	[ -z "$hits" ] || LEAKS+="${tok:0:8}... in $hits; "
done <"$IT_TMP/tokens"
if [ "$NT" -gt 0 ] && [ -z "$LEAKS" ]; then pass "none of $NT tokens found"; else fail "none of $NT tokens found" "${LEAKS:-no token to look for}"; fi

# Every line the workers wrote is one JSON object with time, level, prog,
# pid and msg (lib/log.h), in valid UTF-8.  Lines of spawn-fcgi and
# multiwatch, which share the log, are theirs.  The whole log when this run
# started the stack, else from where 84-access-log.sh began (or this case,
# whose requests above log at least one line each at the default level).
t "worker log: JSON lines"
tail -c +"$((FROM + 1))" "$WORKER_LOG" |
	grep -Ev '^spawn-fcgi: |^(Child|Spawning child)\[[0-9]+\]|^No child running' >"$IT_TMP/worker.lines"
NLINES=$(grep -c . "$IT_TMP/worker.lines")
if [ "$NLINES" -gt 0 ]; then pass "$NLINES worker lines"; else fail "worker lines to check" "none (PLACES_LOG_LEVEL=${PLACES_LOG_LEVEL:-?})"; fi
NOT_JSON=$(jq -R -r '. as $line | try (fromjson | if type == "object" and
	(.time | type) == "string" and (.level | IN("error", "warn", "info", "debug")) and
	.prog == "places.fcgi" and (.pid | type) == "number" and (.msg | type) == "string"
	then empty else $line end) catch $line' \
	"$IT_TMP/worker.lines" | head -n 3)
expect_eq "each a JSON object with time, level, prog, pid, msg" "" "$NOT_JSON"
if iconv -f UTF-8 -t UTF-8 "$IT_TMP/worker.lines" >/dev/null 2>&1; then
	pass "valid UTF-8"
else
	fail "valid UTF-8" "iconv refuses it"
fi
