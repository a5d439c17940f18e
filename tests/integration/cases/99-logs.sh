# No session token minted by the suite appears in any log.

t "no session token in the logs"
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
if [ -z "$LEAKS" ]; then pass "none of $NT tokens found"; else fail "none of $NT tokens found" "$LEAKS"; fi
