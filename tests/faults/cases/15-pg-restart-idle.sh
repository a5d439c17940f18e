# shellcheck shell=bash disable=SC2016 # awk programs are in single quotes
# PostgreSQL restarted while every worker sits idle on a connection the
# restart has closed.  The first request each worker serves afterwards must
# still succeed: the worker notices the dead connection (before sending, or
# by the one re-send after a lost connection) and connects again.  No client
# may see a 503 for a database that is up.
#
# Counted: 4 x WORKERS GETs and 2 x WORKERS POSTs right after the restart,
# sent in parallel so that every worker takes some: all 200/201, every
# POST's row exists, and every worker served at least one of them.

d=$FT_CASE_DIR
new_user I
prefix="fault-$FT_RUN-idle"
N_GET=$((WORKERS * 4))
N_POST=$((WORKERS * 2))

# curl_batch FILE NAME-PREFIX GETS POSTS: a curl config of GETS GETs and
# POSTS POSTs (X-Request-Id NAME-PREFIX-get-N / NAME-PREFIX-post-N).
curl_batch() {
	local n
	{
		for ((n = 0; n < $3; n++)); do
			printf 'url = "%s/api/places?limit=5"\nheader = "Authorization: Bearer %s"\n' "$BASE_URL" "$I_TOKEN"
			printf 'header = "X-Request-Id: %s-get-%d"\noutput = "%s/out/%s-get-%d"\n' "$2" "$n" "$d" "$2" "$n"
			printf 'max-time = 15\nwrite-out = "%%{filename_effective} %%{http_code} %%{exitcode}\\n"\nnext\n'
		done
		for ((n = 0; n < $4; n++)); do
			printf 'url = "%s/api/places"\nheader = "Authorization: Bearer %s"\n' "$BASE_URL" "$I_TOKEN"
			printf 'header = "Content-Type: application/json"\n'
			printf 'header = "X-Request-Id: %s-post-%d"\noutput = "%s/out/%s-post-%d"\n' "$2" "$n" "$d" "$2" "$n"
			printf 'data-binary = "{\\"name\\":\\"%s-post-%d\\",\\"location\\":\\"idle\\"}"\n' "$2" "$n"
			printf 'max-time = 15\nwrite-out = "%%{filename_effective} %%{http_code} %%{exitcode}\\n"\nnext\n'
		done
	} | sed '$d' >"$1"
}
mkdir -p "$d/out"

t "pg restart, workers idle: set-up"
# Warm up: enough parallel requests that every worker has a connection.
curl_batch "$d/warm.cfg" "$prefix-warm" "$N_GET" 0
wlog0=$(log_size "$WORKER_LOG")
timeout 60 curl -s --parallel --parallel-max "$((WORKERS * 2))" --config "$d/warm.cfg" >"$d/warm.out" 2>"$d/warm.err"
warm_workers=$(worker_requests "$wlog0" | awk '{ print $2 }' | sort -u | wc -l)
figure "warm-up: $N_GET GETs, statuses $(awk '{ print $2 }' "$d/warm.out" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'), served by $warm_workers workers"
expect_eq "warm-up GETs all 200" "$N_GET" "$(awk '$2 == 200' "$d/warm.out" | wc -l)"
PIDS_BEFORE=$(worker_pids)

"$STACK" pg-stop "$STATE_DIR" >"$d/pg-stop.out" 2>&1
expect_eq "tools/stack.sh pg-stop succeeded" 0 "$?"
"$STACK" pg-start "$STATE_DIR" >"$d/pg-start.out" 2>&1
expect_eq "tools/stack.sh pg-start succeeded" 0 "$?"

t "pg restart, workers idle: first requests after the restart"
curl_batch "$d/after.cfg" "$prefix" "$N_GET" "$N_POST"
wlog1=$(log_size "$WORKER_LOG")
t0=$(now_us)
timeout 60 curl -s --parallel --parallel-max "$((WORKERS * 2))" --config "$d/after.cfg" >"$d/after.out" 2>"$d/after.err"
t1=$(now_us)
worker_requests "$wlog1" >"$d/worker"
lost=$(tail -c +"$((wlog1 + 1))" "$WORKER_LOG" | grep -c ': connection lost: ')
noticed=$(tail -c +"$((wlog1 + 1))" "$WORKER_LOG" | grep -c 'connection lost; reconnecting')
figure "$N_GET GETs + $N_POST POSTs in $(ms $((t1 - t0))) ms: statuses $(awk '{ print $2 }' "$d/after.out" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
figure "worker log: $noticed dead connections noticed before sending, $lost statements sent on one and re-sent"
expect_eq "every GET got 200" "$N_GET" "$(awk '$1 ~ /-get-[0-9]+$/ && $2 == 200 && $3 == 0' "$d/after.out" | wc -l)"
expect_eq "every POST got 201" "$N_POST" "$(awk '$1 ~ /-post-[0-9]+$/ && $2 == 201 && $3 == 0' "$d/after.out" | wc -l)"
expect_eq "no 503 after the restart" 0 "$(awk '$2 == 503' "$d/after.out" | wc -l)"
rows=$(sql "SELECT count(*) FROM places WHERE left(name, length(:'p')) = :'p';" p="$prefix-post-")
expect_eq "$N_POST rows" "$N_POST" "$rows"
served=$(awk '{ print $2 }' "$d/worker" | sort -u | wc -l)
figure "served by $served of $WORKERS workers"
figure "worker log: $(worker_raw_lines "$wlog1") lines not in the worker's log format (libpq's own messages on stderr)"
expect_eq "every worker served requests after the restart" "$WORKERS" "$served"
expect_eq "same worker PIDs" "$PIDS_BEFORE" "$(worker_pids)"
