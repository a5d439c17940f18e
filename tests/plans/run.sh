#!/usr/bin/env bash
# The plans suite (issue 11): every statement the worker prepares
# (tests/bench/print-sql prints lib/stmt.c's table as the worker builds
# it), on a database of a million places (tests/plans/dataset.sql), run as
# the worker runs it: prepared without parameter types, under the
# worker's own connection settings (print-sql's SETTINGS line:
# plan_cache_mode = force_generic_plan, jit = off), on a server left at
# PostgreSQL's default jit = on.  For each, EXPLAIN (ANALYZE, FORMAT JSON)
# of one execution (a write's inside a transaction rolled back) must show:
#   - no JIT;
#   - the index the statement is written for (the table below), and no
#     sequential scan of users, sessions or places;
#   - for every statement but the _OFFSET lists, a plan cost under the
#     server's jit_above_cost: the literal caps keep the costs true, so
#     even a connection without jit = off would not JIT them.  An offset
#     list's cost is that of the rows it skips, a tenth of the table by the
#     planner's guess: there jit = off is what keeps JIT away.
# And the keyset list from a cursor 20,000 rows deep reads 20 index rows,
# as the first page does; and placesctl session prune deletes the million
# expired sessions (its time is printed).
#
#   tests/plans/run.sh           a private stack (tools/stack.sh), stopped after
#
# Environment: PRINT_SQL (default build/tests/print-sql), PLACESCTL
# (default tools/placesctl); builds nothing.
# Prints "ok - plans ..." / "not ok - plans ..." lines and
# "N passed, N failed" (exit 1 on any failure).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

pass=0
fail=0
ok() {
	echo "ok - plans $*"
	pass=$((pass + 1))
}
not_ok() {
	echo "not ok - plans $*"
	fail=$((fail + 1))
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit
}

for tool in psql jq; do
	command -v "$tool" >/dev/null || { not_ok "setup: $tool not found (tools/deps.sh)"; finish; }
done
print_sql=${PRINT_SQL:-$top/build/tests/print-sql}
[ -x "$print_sql" ] || { not_ok "setup: $print_sql not built (make build/tests/print-sql)"; finish; }

dir=$(mktemp -d /tmp/places-plans.XXXXXX) || exit 1
chmod 755 "$dir"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	"$top/tools/stack.sh" stop "$dir/stack" >/dev/null 2>&1 ||
		echo "# warning: tools/stack.sh stop $dir/stack failed" >&2
	rm -rf -- "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$print_sql" >"$dir/worker.sql" || { not_ok "setup: $print_sql failed"; finish; }
t0=$SECONDS
if ! env -u PGPORT -u NGINX_PORT WORKERS=1 "$top/tools/stack.sh" start "$dir/stack" \
	>"$dir/stack.log" 2>&1; then
	sed 's/^/# /' "$dir/stack.log"
	not_ok "setup: tools/stack.sh start failed"
	finish
fi
set -a
# shellcheck disable=SC1091
. "$dir/stack/stack.env"
set +a
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
t1=$SECONDS
if ! psql_q -f "$here/dataset.sql" >"$dir/load.log" 2>&1; then
	sed 's/^/# /' "$dir/load.log"
	not_ok "setup: loading tests/plans/dataset.sql failed"
	finish
fi
echo "# stack $((t1 - t0)) s, data set $((SECONDS - t1)) s"

# The server's own settings: what the worker did not choose.
read -r jit jit_above <<<"$(psql_q -At -F ' ' -c "SELECT current_setting('jit'), current_setting('jit_above_cost')")"
[ "$jit" = on ] && ok "the server runs with jit = on (PostgreSQL's default)" ||
	not_ok "the server runs with jit = on (PostgreSQL's default)" "(jit = $jit)"
settings=$(sed -n 's/^SETTINGS\t//p' "$dir/worker.sql")
[ -n "$settings" ] || { not_ok "setup: print-sql printed no SETTINGS line"; finish; }

# A live session's token, its user, their email, and one of their places.
read -r tok uid email place <<<"$(psql_q -At -F ' ' -c "
	SELECT s.\"sessionToken\", u.id, u.email,
	    (SELECT p.id FROM places p WHERE p.author_id = u.id LIMIT 1)
	FROM sessions s JOIN users u ON u.id = s.\"userId\"
	WHERE s.expires > now() ORDER BY s.id LIMIT 1")"
# The 20,000th newest place, as a cursor's position would name it.
IFS='|' read -r deep_time deep_id <<<"$(psql_q -At -F '|' -c "
	SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00'), id
	FROM places ORDER BY created_at DESC, id DESC OFFSET 19999 LIMIT 1")"

top_pos="'infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff'"
ses="'$tok', 2592000, 86400"
# NAME, the EXECUTE's arguments, the indexes its plan must use (comma-
# separated).  A statement of print-sql's that is missing here fails.
cases=$(
	cat <<EOF
SESSION	$ses	sessions_session_token_key
SESSION_LIST	$ses, 20, $top_pos	sessions_session_token_key,places_created_idx
SESSION_LIST_OFFSET	$ses, 20, 100	sessions_session_token_key,places_created_idx
SESSION_LIST_MINE	$ses, 20, $top_pos	sessions_session_token_key,places_author_created_idx
SESSION_LIST_MINE_OFFSET	$ses, 20, 5	sessions_session_token_key,places_author_created_idx
SESSION_GET	$ses, '$place'	sessions_session_token_key,places_pkey
AUTHOR	'$uid', '$email'	users_pkey,authors_pkey
AUTHOR_UPSERT	'plan-sub', '$email'	authors_pkey
USER_LOCK	'$email'	-
LIST	20, $top_pos	places_created_idx
LIST_OFFSET	20, 100	places_created_idx
LIST_MINE	20, $top_pos, 'u:$uid'	places_author_created_idx
LIST_MINE_OFFSET	20, 5, 'u:$uid'	places_author_created_idx
GET	'$place'	places_pkey
REPLICA_LIST	20, $top_pos, '0/0'	places_created_idx
REPLICA_LIST_OFFSET	20, 100, '0/0'	places_created_idx
REPLICA_LIST_MINE	20, $top_pos, 'u:$uid', '0/0'	places_author_created_idx
REPLICA_LIST_MINE_OFFSET	20, 5, 'u:$uid', '0/0'	places_author_created_idx
REPLICA_GET	'$place', '0/0'	places_pkey
INSERT	'n', 'l', NULL, NULL, NULL, 'u:$uid', gen_random_uuid()	places_pkey
UPDATE	'$place', 'u:$uid', 16, NULL, NULL, NULL, NULL, 'x'	places_pkey
OWNER	'$place'	places_pkey
DELETE	'$place', 'u:$uid'	places_pkey
EOF
)

# explain NAME ARGS: the JSON plan of one execution, as the worker runs it.
explain() {
	local sql
	sql=$(awk -F '\t' -v n="$1" '$1 == n { sub(/^[^\t]*\t/, ""); print; exit }' "$dir/worker.sql")
	psql_q -At <<EOF
$settings;
PREPARE st AS $sql;
BEGIN;
EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE st($2);
ROLLBACK;
EOF
}

names=$(awk -F '\t' '$1 != "SETTINGS" { print $1 }' "$dir/worker.sql")
for name in $names; do
	line=$(awk -F '\t' -v n="$name" '$1 == n' <<<"$cases")
	if [ -z "$line" ]; then
		not_ok "$name: no case in tests/plans/run.sh (add its arguments and indexes)"
		continue
	fi
	IFS=$'\t' read -r _ args want <<<"$line"
	if ! plan=$(explain "$name" "$args" 2>"$dir/err"); then
		not_ok "$name: EXPLAIN failed: $(head -c 300 "$dir/err")"
		continue
	fi
	printf '%s\n' "$plan" >"$dir/$name.json"
	if [ "$(jq '.[0] | has("JIT")' <<<"$plan")" = false ]; then
		ok "$name: no JIT"
	else
		not_ok "$name: JIT: $(jq -c '.[0].JIT' <<<"$plan")"
	fi
	memo=$(jq '[.. | objects | select(."Node Type" == "Memoize")] | length' <<<"$plan")
	if [ "$memo" = 0 ]; then
		ok "$name: no Memoize (its hash table is built at every start)"
	else
		not_ok "$name: $memo Memoize node(s): the connection's enable_memoize = off is missing"
	fi
	used=$(jq -r '[.. | objects | (."Index Name" // empty), (."Conflict Arbiter Indexes" // [] | .[])] | unique | join(",")' <<<"$plan")
	seq=$(jq -r '[.. | objects | select(."Node Type" == "Seq Scan") | ."Relation Name"] | unique | join(",")' <<<"$plan")
	if [ -n "$seq" ]; then
		not_ok "$name: sequential scan of $seq (indexes: ${used:-none})"
	elif [ "$want" = - ]; then
		if [ -z "$used" ]; then ok "$name: reads no table"; else ok "$name: indexes $used"; fi
	else
		missing=
		for ix in ${want//,/ }; do
			[[ ,$used, == *,$ix,* ]] || missing="$missing $ix"
		done
		if [ -z "$missing" ]; then
			ok "$name: uses $want"
		else
			not_ok "$name: does not use$missing (indexes: ${used:-none})"
		fi
	fi
	cost=$(jq '.[0].Plan."Total Cost"' <<<"$plan")
	case $name in
	*_OFFSET) echo "# $name: cost $cost (jit_above_cost $jit_above; jit = off decides)" ;;
	*)
		if awk -v c="$cost" -v t="$jit_above" 'BEGIN { exit !(c < t) }'; then
			ok "$name: cost $cost under jit_above_cost $jit_above"
		else
			not_ok "$name: cost $cost not under jit_above_cost $jit_above"
		fi
		;;
	esac
done

# Page 1,000 (of 20) by cursor reads what page 1 reads.
for name in LIST SESSION_LIST; do
	case $name in
	LIST) args="20, '$deep_time', '$deep_id'" ;;
	*) args="$ses, 20, '$deep_time', '$deep_id'" ;;
	esac
	if ! plan=$(explain "$name" "$args" 2>"$dir/err"); then
		not_ok "$name from a cursor 20,000 rows deep: EXPLAIN failed: $(head -c 300 "$dir/err")"
		continue
	fi
	rows=$(jq -r '[.. | objects | select(."Index Name" == "places_created_idx") | ."Actual Rows"] | first // empty' <<<"$plan")
	if [ "$rows" = 20 ]; then
		ok "$name from a cursor 20,000 rows deep: 20 index rows read, as on page 1"
	else
		not_ok "$name from a cursor 20,000 rows deep: ${rows:-no} index rows read, want 20"
	fi
done
# The daily prune at this size: the million expired sessions, in batches
# (tools/placesctl; the README quotes the time).
ctl=${PLACESCTL:-$top/tools/placesctl}
if [ -x "$ctl" ]; then
	t1=$SECONDS
	out=$("$ctl" session prune 2>&1)
	left=$(psql_q -At -c "SELECT count(*) FROM sessions WHERE expires <= now()")
	if [ "$out" = "pruned 1000000 expired sessions" ] && [ "$left" = 0 ]; then
		ok "session prune: 1,000,000 expired sessions in $((SECONDS - t1)) s, none left"
	else
		not_ok "session prune: $out; $left expired left"
	fi
else
	not_ok "session prune: $ctl not built (make)"
fi
echo "# plans suite: $((SECONDS - t0)) s"
finish
