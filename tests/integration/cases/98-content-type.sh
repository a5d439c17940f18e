# Every response of the suite carried Content-Type: application/json; charset=utf-8.

t "every response is application/json; charset=utf-8"
N=$(wc -l <"$IT_TMP/responses")
if [ -s "$IT_TMP/ctype_bad" ]; then
	fail "all $N responses" "$(wc -l <"$IT_TMP/ctype_bad") bad: $(head -n 5 "$IT_TMP/ctype_bad" | tr '\n' ';')"
	sed 's/^/#   /' "$IT_TMP/ctype_bad"
else
	pass "all $N responses"
fi
