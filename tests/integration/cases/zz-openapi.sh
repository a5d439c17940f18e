# docs/openapi.yaml, the API description: valid OpenAPI 3.1, with sound
# schemas and examples (tests/openapi/validate.mjs, which also shows that it
# rejects broken copies), and true to what this run saw: every status it
# lists for an operation was answered to some request of the suite, and no
# request got a status its operation does not list (tests/openapi/
# coverage.mjs on $IT_TMP/statuses, which lib.sh records for every
# response).  Named to run last, after every case whose responses it judges;
# in a run of some cases only (IT_CASES), a listed status never seen is a
# skip, not a failure.

OA=$IT_ROOT/tests/openapi
SPEC=$IT_ROOT/docs/openapi.yaml

# checks SCRIPT ARGS...: runs a tests/openapi script; its "ok - X" and
# "not ok - X (got Y)" lines become this case's results, its "#" lines
# are shown.
checks() {
	local line rest what got rc
	node "$OA/$1" "${@:2}" >"$IT_TMP/openapi.out" 2>"$IT_TMP/openapi.err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		'ok - '*) pass "${line#ok - }" ;;
		'not ok - '*)
			rest=${line#not ok - }
			what=${rest%% (got *}
			got=
			if [ "$what" != "$rest" ]; then
				got=${rest#"$what (got "}
				got=${got%)}
			fi
			if [ "$got" = "never seen" ] && [ "${IT_CASES:-*}" != '*' ]; then
				# Only the whole suite sends a request for every status.
				skip "$what" "never seen, in a run of only IT_CASES=$IT_CASES"
			else
				fail "$what" "$got"
			fi
			;;
		'#'*) printf '%s\n' "$line" ;;
		esac
	done <"$IT_TMP/openapi.out"
	if [ "$rc" != 0 ] && ! grep -q '^not ok - ' "$IT_TMP/openapi.out"; then
		fail "$1 ran" "exit status $rc: $(head -c 300 "$IT_TMP/openapi.err")"
	fi
}

t "openapi"
if [ ! -d "$OA/node_modules/@seriousme/openapi-schema-validator" ]; then
	fail "tests/openapi is installed" "no tests/openapi/node_modules (make openapi)"
	return 0
fi
checks validate.mjs "$SPEC"
t "openapi coverage"
checks coverage.mjs "$SPEC" "$IT_TMP/statuses"
