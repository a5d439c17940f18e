# shellcheck shell=bash disable=SC2016 # awk programs are in single quotes
# 1,000 POSTs over 32 concurrent connections from 4 users (250 each,
# interleaved), sent by one curl --parallel --parallel-max 32 from a config
# file with one block per request.
#
# Counted: exactly 1,000 rows with this run's prefix, 1,000 distinct ids,
# the ids the client got back are exactly the table's, and each row's
# author_id is the user whose token posted it (the user is in the name).

POSTS=1000
USERS=4
PAR=32

d=$FT_CASE_DIR
prefix="fault-$FT_RUN-bulk"
mkdir -p "$d/out"
declare -A UID_OF TOK_OF
for ((u = 1; u <= USERS; u++)); do
	new_user "U$u"
	v=U${u}_ID
	UID_OF[$u]=${!v}
	v=U${u}_TOKEN
	TOK_OF[$u]=${!v}
done
wlog0=$(log_size "$WORKER_LOG")

# One block per POST: user u = n mod 4 + 1, name <prefix>-u<u>-<n>.  The
# per-transfer write-out names the output file, which is the request.
cfg=$d/curl.cfg
{
	for ((n = 0; n < POSTS; n++)); do
		u=$((n % USERS + 1))
		name=$prefix-u$u-$n
		printf 'url = "%s/api/places"\n' "$BASE_URL"
		printf 'header = "Authorization: Bearer %s"\n' "${TOK_OF[$u]}"
		printf 'header = "Content-Type: application/json"\n'
		printf 'header = "X-Request-Id: %s"\n' "$name"
		printf 'data-binary = "{\\"name\\":\\"%s\\",\\"location\\":\\"bulk\\"}"\n' "$name"
		printf 'output = "%s/out/%s"\n' "$d" "$name"
		printf 'max-time = 30\n'
		printf 'write-out = "%%{filename_effective} %%{http_code} %%{exitcode} %%{num_connects} %%{time_total}\\n"\n'
		((n + 1 < POSTS)) && printf 'next\n'
	done
} >"$cfg"

t0=$(now_us)
timeout 120 curl -s --parallel --parallel-max "$PAR" --config "$cfg" >"$d/writeout" 2>"$d/curl.err"
curl_rc=$?
t1=$(now_us)

t "1000 POSTs / 32 connections: client"
expect_eq "curl exit status" 0 "$curl_rc"
# name status exitcode id
while read -r f code rc conns secs; do
	name=${f##*/}
	id=-
	b=
	[ -s "$f" ] && IFS= read -r -d '' b <"$f"
	[[ $b =~ ^\{\"status\":\"Place\ created\",\"id\":\"($UUID_RE)\"\}$ ]] && id=${BASH_REMATCH[1]}
	printf '%s %s %s %s %s %s\n' "$name" "$code" "$rc" "$id" "$conns" "$secs"
done <"$d/writeout" | sort >"$d/client"
total=$(wc -l <"$d/client")
n201=$(awk '$2 == 201' "$d/client" | wc -l)
figure "$total POSTs in $(ms $((t1 - t0))) ms ($((total * 1000000 / (t1 - t0 + 1))) per second) over $PAR parallel transfers, $(awk '{ s += $5 } END { print s + 0 }' "$d/client") TCP connections opened; statuses $(awk '{ print $2 }' "$d/client" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
figure "curl time_total p50/max $(awk '{ print $6 }' "$d/client" | sort -n | awk '{ v[NR] = $1 } END { printf "%d/%d ms", v[int(NR / 2) + 1] * 1000, v[NR] * 1000 }')"
expect_eq "$POSTS transfers recorded" "$POSTS" "$total"
expect_eq "$POSTS distinct requests" "$POSTS" "$(awk '{ print $1 }' "$d/client" | sort -u | wc -l)"
expect_eq "every transfer completed (curl exit 0)" 0 "$(awk '$3 != 0' "$d/client" | wc -l)"
expect_eq "all $POSTS got 201" "$POSTS" "$n201"
expect_eq "every 201 carries a uuid" 0 "$(awk '$2 == 201 && $4 == "-"' "$d/client" | wc -l)"
expect_eq "$POSTS distinct ids returned" "$POSTS" "$(awk '$4 != "-" { print $4 }' "$d/client" | sort -u | wc -l)"

t "1000 POSTs / 32 connections: table"
sql "SELECT name, id, author_id FROM places WHERE left(name, length(:'p')) = :'p' ORDER BY name;" \
	p="$prefix-" | tr '|' ' ' >"$d/rows"
rows=$(wc -l <"$d/rows")
figure "table: $rows rows, $(awk '{ print $2 }' "$d/rows" | sort -u | wc -l) distinct ids"
expect_eq "exactly $POSTS rows with the run's prefix" "$POSTS" "$rows"
expect_eq "$POSTS distinct ids in the table" "$POSTS" "$(awk '{ print $2 }' "$d/rows" | sort -u | wc -l)"
expect_eq "the table's (name, id) pairs are exactly the client's" "" \
	"$(diff <(awk '{ print $1, $2 }' "$d/rows" | sort) <(awk '{ print $1, $4 }' "$d/client" | sort) | head -n 4 | tr '\n' ' ')"
map=$(for ((u = 1; u <= USERS; u++)); do printf '%s=%s ' "$u" "${UID_OF[$u]}"; done)
wrong=$(awk -v map="$map" '
	BEGIN { n = split(map, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); want[p[1]] = p[2] } }
	{ if (match($1, /-u[0-9]+-/)) { u = substr($1, RSTART + 2, RLENGTH - 3) } else { u = "?" }
	  if (!(u in want) || want[u] != $3) bad++ }
	END { print bad + 0 }' "$d/rows")
expect_eq "every row's author_id is the user who posted it" 0 "$wrong"
for ((u = 1; u <= USERS; u++)); do
	expect_eq "user $u owns $((POSTS / USERS)) of them" "$((POSTS / USERS))" \
		"$(awk -v id="${UID_OF[$u]}" '$3 == id' "$d/rows" | wc -l)"
done

t "1000 POSTs / 32 connections: workers"
worker_requests "$wlog0" >"$d/worker"
expect_eq "the worker logged $POSTS POSTs answered 201" "$POSTS" \
	"$(awk -v p="$prefix-" 'index($1, p) == 1 && $3 == "POST" && $4 == 201' "$d/worker" | wc -l)"
figure "POSTs per worker: $(awk -v p="$prefix-" 'index($1, p) == 1 { print $2 }' "$d/worker" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
