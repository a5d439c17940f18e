#!/usr/bin/env bash
# The cost guard: how many instructions the request handler (api_handle)
# executes for a fixed set of requests, counted by valgrind's callgrind,
# against tests/bench/callgrind-baseline.txt.  Cheap (about half a minute)
# and deterministic, unlike a load test, so `make test` can run it.
#
#   tests/bench/callgrind.sh                     compare with the baseline
#   UPDATE_BASELINE=1 tests/bench/callgrind.sh   write the baseline anew
#
# Environment:
#   WORKER         the worker binary (default cgi/places.fcgi; builds nothing)
#   DATABASE_URL   a database with the migrations applied; default: a private
#                  stack of its own (tools/stack.sh), stopped at the end.
#                  Only fixed rows of its own are read and written
#                  (tests/bench/callgrind-fixture.sql).
#
# Each request runs the worker once as a CGI program (environment + stdin)
# under callgrind, twice.  Prints one line per request,
#   ok - callgrind NAME: N instructions (runs N/N; baseline B, +x%)
# "not ok" when the two runs differ by 0.1% or more, the status is not the
# expected one, or N exceeds the baseline by more than 20%; and ends with
# "N passed, N failed" (exit 1 on any failure).
#
# What is counted: api_handle and everything it calls, but not process
# start-up (dynamic linking, libsodium and libpq initialisation: 11.6
# million instructions, 2,700 times a 401's handler) and not the database
# connection (PQconnectdbParams, the catalog check and statement table of
# conn_resolve, and the PQprepare of each statement: a FastCGI worker makes
# them once, a CGI run on its first statement).  The
# environment is
# fixed: env -i, a fixed X-Request-Id (no random id), log level error,
# LD_BIND_NOW=1 (symbol binding happens at start-up, not on first call
# inside the handler) and glibc.malloc.top_pad=1 MiB (the handler's first
# allocations do not pay for growing a cold heap, as a long-running
# worker's do not).  Left out as well: json-c's hash table probing
# (lh_table_insert_w_hash, lh_table_lookup_entry_w_hash), whose cost
# depends on the random hash seed json-c draws per process (a 20-place
# list varies by 3% from run to run with it, and not at all without).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
baseline=$here/callgrind-baseline.txt
limit_pct=20

pass=0
fail=0
ok() {
	echo "ok - callgrind $*"
	pass=$((pass + 1))
}
not_ok() {
	echo "not ok - callgrind $*"
	fail=$((fail + 1))
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit
}

for tool in valgrind psql; do
	command -v "$tool" >/dev/null || { not_ok "setup: $tool not found (tools/deps.sh)"; finish; }
done
src=${WORKER:-$top/cgi/places.fcgi}
[ -x "$src" ] || { not_ok "setup: $src not built (make)"; finish; }

dir=$(mktemp -d /tmp/places-callgrind.XXXXXX) || exit 1
chmod 755 "$dir"
own_stack=0
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ "$own_stack" = 1 ]; then
		"$top/tools/stack.sh" stop "$dir/stack" >/dev/null 2>&1 ||
			echo "# warning: tools/stack.sh stop $dir/stack failed" >&2
	fi
	rm -rf -- "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A copy: a rebuild while this runs must not change what is measured.
cp -- "$src" "$dir/places.fcgi"
worker=$dir/places.fcgi

if [ -z "${DATABASE_URL:-}" ]; then
	own_stack=1
	if ! env -u PGPORT -u NGINX_PORT WORKERS=1 "$top/tools/stack.sh" start "$dir/stack" \
		>"$dir/stack.log" 2>&1; then
		sed 's/^/# /' "$dir/stack.log"
		not_ok "setup: tools/stack.sh start failed"
		finish
	fi
	DATABASE_URL=$(sed -n "s/^DATABASE_URL='\\(.*\\)'\$/\\1/p" "$dir/stack/stack.env")
fi
if ! item=$(psql -X -q -At -d "$DATABASE_URL" -f "$here/callgrind-fixture.sql" 2>"$dir/psql.log"); then
	sed 's/^/# /' "$dir/psql.log"
	not_ok "setup: loading tests/bench/callgrind-fixture.sql failed"
	finish
fi
token=callgrind-guard-session-token-0000000000000000000000000000000000
unknown=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# The request set: NAME STATUS METHOD URI AUTHORIZATION BODY.  The first
# two never reach the database; every other one starts with the session
# lookup (the session is checked before anything else, a 422 included).
requests=$(
	cat <<EOF
noauth	401	GET	/api/places?limit=20	-	-
bad-bearer	401	GET	/api/places?limit=20	Bearer two tokens	-
unknown-token	401	GET	/api/places?limit=20	Bearer $unknown	-
post-422	422	POST	/api/places	Bearer $token	{"name":"","location":"Somewhere","colour":"red"}
list	200	GET	/api/places?author=me&limit=20	Bearer $token	-
item	200	GET	/api/places/$item	Bearer $token	-
EOF
)

# count NAME METHOD URI AUTH BODY RUN: runs one request under callgrind;
# prints "STATUS INSTRUCTIONS".
count() {
	local name=$1 method=$2 uri=$3 auth=$4 body=$5 run=$6 out
	local -a env=(
		PATH=/usr/bin:/bin TZ=UTC LC_ALL=C
		LD_BIND_NOW=1 GLIBC_TUNABLES=glibc.malloc.top_pad=1048576
		PLACES_LOG_LEVEL=error "DATABASE_URL=$DATABASE_URL"
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1
		REQUEST_SCHEME=http HTTP_HOST=127.0.0.1 SERVER_PORT=80
		"HTTP_X_REQUEST_ID=callgrind-$name"
		"REQUEST_METHOD=$method" "REQUEST_URI=$uri"
	)
	case $uri in
	*\?*) env+=("QUERY_STRING=${uri#*\?}") ;;
	*) env+=(QUERY_STRING=) ;;
	esac
	[ "$auth" = - ] || env+=("HTTP_AUTHORIZATION=$auth")
	[ "$body" = - ] && body=
	if [ -n "$body" ]; then
		env+=(CONTENT_TYPE=application/json "CONTENT_LENGTH=${#body}")
	fi
	out=$dir/$name.$run
	# Left out, as what a FastCGI worker does once per connection: the
	# connection, its SET (PQexec: the only other caller is a new JWT
	# user's transaction, which no request here makes) and the prepares.
	printf '%s' "$body" | (cd "$dir" && env -i "${env[@]}" \
		valgrind --tool=callgrind --callgrind-out-file="$out.cg" \
		--toggle-collect=api_handle \
		--toggle-collect=PQconnectdbParams --toggle-collect=PQexec \
		--toggle-collect=PQprepare --toggle-collect=conn_resolve \
		--toggle-collect=lh_table_insert_w_hash \
		--toggle-collect=lh_table_lookup_entry_w_hash \
		"$worker" >"$out.resp" 2>"$out.err")
	printf '%s %s\n' \
		"$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$out.resp")" \
		"$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out.cg" 2>/dev/null)"
}

declare -A base=()
if [ -f "$baseline" ]; then
	while read -r n c; do
		case $n in '' | \#*) continue ;; esac
		base[$n]=$c
	done <"$baseline"
fi
new=$dir/baseline.txt
{
	echo "# Instructions of api_handle per request (callgrind Ir), written by"
	echo "# UPDATE_BASELINE=1 tests/bench/callgrind.sh; it fails past +$limit_pct%."
	echo "# $(uname -m), $(ldd --version 2>/dev/null | head -n 1 | sed 's/^ldd //'), $(valgrind --version)"
} >"$new"

while IFS=$'\t' read -r name want method uri auth body; do
	read -r s1 n1 <<<"$(count "$name" "$method" "$uri" "$auth" "$body" 1)"
	read -r s2 n2 <<<"$(count "$name" "$method" "$uri" "$auth" "$body" 2)"
	if [ "$s1" != "$want" ] || [ "$s2" != "$want" ]; then
		not_ok "$name: status ${s1:-none}/${s2:-none}, want $want"
		sed 's/^/# /' "$dir/$name.1.err" | tail -n 5
		continue
	fi
	if [ -z "$n1" ] || [ -z "$n2" ] || [ "$n1" -eq 0 ]; then
		not_ok "$name: no instructions counted (no api_handle symbol in $src?)"
		continue
	fi
	echo "$name $n1" >>"$new"
	# Determinism: the two runs within 0.1%.
	d=$((n1 > n2 ? n1 - n2 : n2 - n1))
	if ((d * 1000 >= n1)); then
		not_ok "$name: runs differ: $n1 and $n2 instructions"
		continue
	fi
	b=${base[$name]:-}
	if [ "${UPDATE_BASELINE:-0}" = 1 ]; then
		ok "$name: $n1 instructions (runs $n1/$n2; new baseline, was ${b:-none})"
		continue
	fi
	if [ -z "$b" ]; then
		not_ok "$name: $n1 instructions (runs $n1/$n2); no baseline: UPDATE_BASELINE=1 $0"
		continue
	fi
	pct=$(awk -v n="$n1" -v b="$b" 'BEGIN { printf "%+.1f", (n - b) * 100 / b }')
	if ((n1 * 100 > b * (100 + limit_pct))); then
		not_ok "$name: $n1 instructions (runs $n1/$n2; baseline $b, $pct%, limit +$limit_pct%)"
	else
		ok "$name: $n1 instructions (runs $n1/$n2; baseline $b, $pct%)"
		# A baseline far above the count no longer guards anything.
		if ((n1 * 100 < b * (100 - limit_pct))); then
			echo "# $name is well below its baseline: UPDATE_BASELINE=1 $0 to lower it"
		fi
	fi
done <<<"$requests"

if [ "${UPDATE_BASELINE:-0}" = 1 ]; then
	if [ "$fail" -eq 0 ]; then
		cp -- "$new" "$baseline"
		echo "# wrote $baseline"
	else
		echo "# baseline not written: $fail failure(s)"
	fi
fi
finish
