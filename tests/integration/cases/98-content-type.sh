# Every response of the run carried Content-Type: application/json;
# charset=utf-8 (lib.sh records each one that did not).  So that this holds
# something when the case runs alone (IT_CASES), it first sends requests of
# its own that get each kind of answer: the worker's 200, 201, 4xx, and
# nginx's own 404, 405 and 413.

new_user Y
t "every response is application/json; charset=utf-8"
areq "$Y_TOKEN" GET /api/places
jreq "$Y_TOKEN" POST /api/places '{"name":"ct","location":"x"}'
jreq "$Y_TOKEN" POST /api/places '{"name":'
req GET /api/places
req GET /nowhere
req TRACE /api/places
head -c 2000000 /dev/zero | tr '\0' x >"$IT_TMP/ct-big"
jfreq "$Y_TOKEN" POST /api/places "$IT_TMP/ct-big"
N=$(wc -l <"$IT_TMP/responses")
if [ -s "$IT_TMP/ctype_bad" ]; then
	fail "all $N responses" "$(wc -l <"$IT_TMP/ctype_bad") bad: $(head -n 5 "$IT_TMP/ctype_bad" | tr '\n' ';')"
	sed 's/^/#   /' "$IT_TMP/ctype_bad"
elif [ "$N" -ge 7 ]; then
	pass "all $N responses"
else
	fail "all responses" "only $N recorded"
fi
