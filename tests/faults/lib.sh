# shellcheck shell=bash
# Fault-suite helpers.  Sourced by run.sh, never run directly.
#
# On top of tests/integration/lib.sh (t, pass, fail, expect_eq, sql,
# new_user, worker_pids, ...; it needs IT_ROOT, IT_TMP, BASE_URL, STATE_DIR),
# this adds load generators that record every request they send, and the
# tools to count those records.
#
# A load record is one line per request, fields separated by one space:
#
#   RID T0 T1 RC STATUS SECS CLASS [ID]
#
#   RID     the X-Request-Id sent (the worker logs it as "request_id"), unique
#   T0, T1  wall clock, microseconds since the epoch, before the request was
#           started and after its answer was complete
#   RC      curl's exit status (0: a whole HTTP response arrived)
#   STATUS  HTTP status, 000 if none
#   SECS    curl's time_total
#   CLASS   ok: the body is what that status must carry; bad: it is not;
#           -: no rule for that status
#   ID      POST only: the id of a 201, else -
#
# Each case runs in a subshell whose EXIT trap is ft_bg_stop, so load
# generators it started in the background never outlive it.

# shellcheck source=../integration/lib.sh
. "$IT_ROOT/tests/integration/lib.sh"

: "${WORKER_LOG:?WORKER_LOG not set (source stack.env)}"
: "${NGINX_ERROR_LOG:?NGINX_ERROR_LOG not set (source stack.env)}"

# shellcheck disable=SC2034 # used by the cases
STACK=$IT_ROOT/tools/stack.sh
BODY_503='{"status":"Service unavailable"}'

# FT_RUN: this run's tag; every place a case creates is named
# "fault-$FT_RUN-<case>-...", so rows can be matched to client records.
if [ -z "${FT_RUN:-}" ]; then
	FT_RUN=$(rand_hex 4)
	export FT_RUN
fi

# now_us: wall clock in microseconds (needs LC_ALL=C; inline
# ${EPOCHREALTIME/./} where a subshell per call is too slow).
now_us() { printf '%s\n' "${EPOCHREALTIME/./}"; }

# --- background jobs ----------------------------------------------------------

FT_BG=()

# ft_bg CMD...: runs CMD in the background and remembers its PID.
ft_bg() {
	"$@" &
	FT_BG+=("$!")
}

# ft_bg_wait SECONDS: waits for every job started with ft_bg, at most
# SECONDS; kills (by PID) those still running then.  False on timeout.
ft_bg_wait() {
	local limit=$(($(now_us) + $1 * 1000000)) p live
	while :; do
		live=0
		for p in "${FT_BG[@]}"; do
			kill -0 "$p" 2>/dev/null && live=1
		done
		((live)) || break
		if (($(now_us) > limit)); then
			ft_bg_stop
			return 1
		fi
		sleep 0.1
	done
	for p in "${FT_BG[@]}"; do wait "$p" 2>/dev/null; done
	FT_BG=()
	return 0
}

# ft_bg_stop: kills the jobs started with ft_bg that still run (by PID,
# with their children: each job is a subshell running curl).
ft_bg_stop() {
	local p
	for p in "${FT_BG[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			pkill -TERM -P "$p" 2>/dev/null
			kill -TERM "$p" 2>/dev/null
		fi
	done
	FT_BG=()
}

# --- load generators ----------------------------------------------------------

# _classify STATUS BODY-FILE: sets CLS to ok / bad / - (see CLASS above)
# and BODY to the body.  No fork: it runs once per request.
_classify() {
	BODY=
	[ -s "$2" ] && IFS= read -r -d '' BODY <"$2"
	CLS=bad
	case $1 in
	200) [[ $BODY == '['* && $BODY == *']' ]] && CLS=ok ;;
	201) [[ $BODY =~ ^\{\"status\":\"Place\ created\",\"id\":\"($UUID_RE)\"\}$ ]] && CLS=ok ;;
	503) [[ $BODY == "$BODY_503" ]] && CLS=ok ;;
	*) CLS=- ;;
	esac
}

# get_loop OUT TOKEN RID-PREFIX STOP-FILE MAX SECONDS: authenticated
# GET $GET_PATH (default /api/places?limit=5), one after another on fresh
# connections, $GET_PAUSE seconds apart (default 0), each given at most
# $GET_MAX_TIME seconds (curl --max-time, default 15), until STOP-FILE exists,
# MAX requests were sent or SECONDS have passed; appends one record per
# request to OUT.  Run it in the background with ft_bg.
get_loop() {
	local out=$1 tok=$2 pfx=$3 stop=$4 max=$5 secs=$6
	local n=0 t0 t1 w rc hard bf=${1%/*}/body-${1##*/} CLS BODY
	hard=$(($(now_us) + secs * 1000000))
	while ((n < max)) && [ ! -e "$stop" ]; do
		t0=${EPOCHREALTIME/./}
		((t0 < hard)) || break
		: >"$bf"
		w=$(curl -s -o "$bf" -w '%{http_code} %{time_total}' --max-time "${GET_MAX_TIME:-15}" \
			-H "Authorization: Bearer $tok" -H "X-Request-Id: $pfx-$n" \
			"$BASE_URL${GET_PATH:-/api/places?limit=5}")
		rc=$?
		t1=${EPOCHREALTIME/./}
		[ -n "$w" ] || w="000 0"
		_classify "${w%% *}" "$bf"
		printf '%s %s %s %s %s %s\n' "$pfx-$n" "$t0" "$t1" "$rc" "$w" "$CLS" >>"$out"
		n=$((n + 1))
		[ "${GET_PAUSE:-0}" = 0 ] || sleep "$GET_PAUSE"
	done
}

# get_batch OUT TOKEN RID-PREFIX COUNT RATE: COUNT authenticated GETs of
# /api/places?limit=5 from ONE curl process (one client, one keep-alive
# connection), paced by curl itself at RATE (e.g. 20/s) so that the pace
# does not depend on how fast this machine forks.  Records as get_loop,
# except that T0 and T1 are the curl process's start and end.
get_batch() {
	local out=$1 tok=$2 pfx=$3 cnt=$4 rate=$5 n t0 t1 dir
	dir=${1%/*}/batch-${1##*/}
	mkdir -p "$dir"
	for ((n = 0; n < cnt; n++)); do
		printf 'url = "%s/api/places?limit=5"\n' "$BASE_URL"
		printf 'header = "Authorization: Bearer %s"\nheader = "X-Request-Id: %s-%d"\n' "$tok" "$pfx" "$n"
		printf 'output = "%s/%s-%d"\nmax-time = 15\n' "$dir" "$pfx" "$n"
		printf 'write-out = "%%{filename_effective} %%{exitcode} %%{http_code} %%{time_total}\\n"\n'
		((n + 1 < cnt)) && printf 'next\n'
	done >"$dir.cfg"
	t0=${EPOCHREALTIME/./}
	timeout 120 curl -s --rate "$rate" --config "$dir.cfg" >"$dir.out" 2>"$dir.err"
	t1=${EPOCHREALTIME/./}
	local f rc code secs CLS BODY
	while read -r f rc code secs; do
		_classify "$code" "$f"
		printf '%s %s %s %s %s %s %s\n' "${f##*/}" "$t0" "$t1" "$rc" "$code" "$secs" "$CLS"
	done <"$dir.out" >>"$out"
}

# post_loop OUT TOKEN NAME-PREFIX FIRST STEP LAST PAUSE SECONDS: POSTs
# places named NAME-PREFIX-<n> for n = FIRST, FIRST+STEP, ... <= LAST, one
# after another, PAUSE seconds apart, for at most SECONDS; X-Request-Id is
# the name.  Appends one record (with the 201's id) per POST to OUT.
# With POST_GATE=FILE and POST_GATE_TAIL=K, the last K POSTs wait until FILE
# exists (so that a fault injected meanwhile is surely followed by some).
post_loop() {
	local out=$1 tok=$2 pfx=$3 n=$4 step=$5 last=$6 pause=$7 secs=$8
	local t0 t1 w rc hard id bf=${1%/*}/body-${1##*/} name CLS BODY
	hard=$(($(now_us) + secs * 1000000))
	while ((n <= last)); do
		if [ -n "${POST_GATE:-}" ] && (((last - n) / step < ${POST_GATE_TAIL:-0})); then
			while [ ! -e "$POST_GATE" ] && ((${EPOCHREALTIME/./} < hard)); do
				sleep 0.05
			done
		fi
		t0=${EPOCHREALTIME/./}
		((t0 < hard)) || break
		name=$pfx-$n
		: >"$bf"
		w=$(curl -s -o "$bf" -w '%{http_code} %{time_total}' --max-time 15 \
			-H "Authorization: Bearer $tok" -H "X-Request-Id: $name" \
			-H 'Content-Type: application/json' -H 'Expect:' \
			--data-binary "{\"name\":\"$name\",\"location\":\"fault test\"}" \
			"$BASE_URL/api/places")
		rc=$?
		t1=${EPOCHREALTIME/./}
		[ -n "$w" ] || w="000 0"
		_classify "${w%% *}" "$bf"
		id=-
		[[ $CLS == ok && ${w%% *} == 201 ]] && id=${BASH_REMATCH[1]}
		printf '%s %s %s %s %s %s %s\n' "$name" "$t0" "$t1" "$rc" "$w" "$CLS" "$id" >>"$out"
		n=$((n + step))
		sleep "$pause"
	done
}

# wait_lines FILE... -- N SECONDS: waits until the FILEs hold N lines in
# all, at most SECONDS.  False on timeout.
wait_lines() {
	local files=() n secs limit
	while [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	n=$2 secs=$3
	limit=$(($(now_us) + secs * 1000000))
	while (($(cat "${files[@]}" 2>/dev/null | wc -l) < n)); do
		(($(now_us) < limit)) || return 1
		sleep 0.05
	done
}

# --- workers --------------------------------------------------------------------

# busy_workers USER TAG STEP_MS: the load of the worker-signal cases.  A
# new user USER (new_user) with 1,000 places, and CONNS clients listing all
# of them in a loop (some milliseconds of worker time per request, so a
# signal can land inside one), STEP_MS between requests.  Sets MW (the
# multiwatch pid), ORIG (the workers' pids), wlog0 and elog0 (log sizes),
# stop (the file that ends the load).
busy_workers() {
	local u=$1 tag=$2 step=$3 c uid tok
	new_user "$u"
	uid=${u}_ID tok=${u}_TOKEN
	sql "INSERT INTO places (name, location, description, author_id)
	     SELECT 'fault-' || :'run' || '-$tag-seed-' || g, 'seed', repeat('x', 100), :'uid'
	     FROM generate_series(1, 1000) g;" run="$FT_RUN" uid="${!uid}" >/dev/null
	export GET_PATH='/api/places?author=me&limit=1000'
	# A worker killed while writing its response leaves the client with
	# a 200, a Content-Length and too few bytes: nginx 1.22 ends the
	# request without an error and keeps the client connection open, so
	# the client waits for the missing bytes until its own timeout.  Keep
	# that short.
	export GET_MAX_TIME=5
	MW=$(cat "$STATE_DIR/run/spawn.pid")
	read -r -a ORIG <<<"$(worker_pids)"
	wlog0=$(log_size "$WORKER_LOG")
	elog0=$(log_size "$NGINX_ERROR_LOG")
	stop=$FT_CASE_DIR/stop
	for ((c = 1; c <= CONNS; c++)); do
		ft_bg get_loop "$FT_CASE_DIR/load.$c" "${!tok}" "f$FT_RUN-$tag-$c" "$stop" "$MAX_PER_CONN" "$step"
	done
}

# worker_busy PID: true if the worker is not waiting in accept(2) for its
# next FastCGI connection, i.e. it is serving a request.  Reads the kernel
# function it sleeps in (/proc/PID/wchan) with no fork, so that a kill can
# follow within microseconds: on a unix listening socket accept(2) sleeps in
# __skb_wait_for_more_packets; "0" (running) or any other function (poll on
# the database or on nginx's socket) means busy.  A kernel that hides wchan
# makes every moment look busy, which only makes the aiming blind.
worker_busy() {
	local w=
	read -r w <"/proc/$1/wchan" 2>/dev/null || [ -n "$w" ] || return 1
	[ "$w" != __skb_wait_for_more_packets ]
}

# --- the worker's and nginx's logs -------------------------------------------

# log_size FILE: its size now, to read only what a case adds later.
log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# worker_requests FROM: the worker's access lines (JSON, "event":"request")
# written after byte FROM of $WORKER_LOG, as "RID PID METHOD STATUS
# MICROSECONDS".  Lines that are not JSON (multiwatch's, spawn-fcgi's) are
# skipped.
worker_requests() {
	tail -c +"$(($1 + 1))" "$WORKER_LOG" |
		jq -R -r 'fromjson? | select(type == "object" and .event == "request")
			| "\(.request_id) \(.pid) \(.method) \(.status) \(.duration_us)"'
}

# worker_raw_lines FROM: how many lines written to $WORKER_LOG after byte FROM
# are not the worker's own (a JSON object with time, level and pid), e.g.
# messages that libpq printed to stderr by itself.  spawn-fcgi's start line
# is not counted.
worker_raw_lines() {
	tail -c +"$(($1 + 1))" "$WORKER_LOG" | grep -v '^spawn-fcgi: ' |
		jq -R 'try (fromjson | if type == "object" and has("time") and
			has("level") and has("pid") then empty else "raw" end) catch "raw"' |
		grep -c . || true
}

# nginx_upstream_errors FROM: nginx's error-log lines about the FastCGI
# upstream written after byte FROM (a worker that died, did not answer, ...).
nginx_upstream_errors() {
	tail -c +"$(($1 + 1))" "$NGINX_ERROR_LOG" | grep -c 'upstream' || true
}

# --- counting -----------------------------------------------------------------

# expect_le WHAT MAX ACTUAL: ACTUAL <= MAX (integers).
expect_le() {
	if [[ $3 =~ ^-?[0-9]+$ ]] && (($3 <= $2)); then
		pass "$1"
	else
		fail "$1" "$3, want <= $2"
	fi
}

# expect_ge WHAT MIN ACTUAL: ACTUAL >= MIN (integers).
expect_ge() {
	if [[ $3 =~ ^-?[0-9]+$ ]] && (($3 >= $2)); then
		pass "$1"
	else
		fail "$1" "$3, want >= $2"
	fi
}

# count FILE AWK-CONDITION: how many records of FILE satisfy the condition
# ($1 RID, $2 T0, $3 T1, $4 RC, $5 STATUS, $6 SECS, $7 CLASS, $8 ID).
# Extra awk variables come first as -v NAME=VALUE.
count() {
	local args=()
	while [ "$1" = -v ]; do
		args+=(-v "$2")
		shift 2
	done
	awk "${args[@]}" "($2) { n++ } END { print n + 0 }" "$1"
}

# figure TEXT: a comment line with a figure for the report (not counted).
figure() { printf '# %s: %s\n' "$CASE" "$1"; }

# ms MICROSECONDS: as milliseconds.
ms() { printf '%d' "$(($1 / 1000))"; }

# status_summary FILE: "200:812 503:97" for the records of FILE.
status_summary() {
	awk '{ c[$5]++ } END { for (s in c) printf "%s:%d\n", s, c[s] }' "$1" | sort | tr '\n' ' '
}

# latency_summary FILE [AWK-CONDITION]: "n=N p50=..ms p99=..ms max=..ms" of
# T1-T0 (as the client script saw it, process start-up included) over the
# matching records.
latency_summary() {
	awk "(${2:-1}) { print \$3 - \$2 }" "$1" | _summary
}

# curl_time_summary FILE: the same for curl's own time_total (SECS).
curl_time_summary() {
	awk '{ printf "%d\n", $6 * 1000000 }' "$1" | _summary
}

_summary() {
	sort -n | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "n=0"; exit }
			i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999)
			printf "n=%d p50=%dms p99=%dms max=%dms\n", NR, v[i50] / 1000, v[i99] / 1000, v[NR] / 1000
		}'
}
