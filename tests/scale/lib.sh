# shellcheck shell=bash
# Scale-suite helpers.  Sourced by each tests/scale/*.sh, never run directly.
#
# A scale script starts the stacks it needs itself (tools/stack.sh start
# with POOLS, REPLICA, PGBOUNCER, ... in a fresh /tmp/places-scale.XXXXXX),
# because it stops pools, replicas and databases on purpose, and stops them
# all by PID on exit, whatever happens.  On top of tests/faults/lib.sh (and
# through it tests/integration/lib.sh: t, pass, fail, expect_eq, sql,
# new_user, mkplace, ...; get_loop, ft_bg, count, figure, ...), it adds:
#
#   scale_start NAME [VAR=VALUE...]   a stack with those settings, its
#                                     stack.env sourced; the helpers loaded
#   scale_stop                        stops the current stack (exit does too)
#   scale_done                        the closing "N passed, N failed"
#
# Output: one "ok - ..." / "not ok - ..." line per check, "# ..." comments
# with figures, and exactly one "N passed, N failed" line at the end; exit
# status 1 if any check failed.  SCALE_KEEP=1 keeps the scratch directory
# (and a copy of each stack's logs).

export LC_ALL=C # $EPOCHREALTIME must use "." as its decimal point

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/places-scale-tmp.XXXXXX") || exit 1
export IT_ROOT IT_TMP
STACK=$IT_ROOT/tools/stack.sh
# shellcheck source=../lib/cases.sh
. "$IT_ROOT/tests/lib/cases.sh"
: >"$IT_TMP/tokens"
: >"$IT_TMP/responses"
SCALE_DIRS=()

# Stacks started elsewhere must not leak their settings into ours.
unset NGINX_PORT PGPORT WORKER_WRAPPER POOLS POOL_TCP REPLICA PGBOUNCER \
	PGBOUNCER_POOL_SIZE PLACES_DB_POOL_MODE

_scale_cleanup() {
	local d
	# Background load first: it must not outlive the stacks it talks to.
	declare -F ft_bg_stop >/dev/null && ft_bg_stop
	for d in "${SCALE_DIRS[@]}"; do
		if [ "${SCALE_KEEP:-0}" = 1 ]; then
			cp -r "$d/log" "$IT_TMP/log-$(basename "$d")" 2>/dev/null
		fi
		"$STACK" stop "$d" >/dev/null 2>&1 || echo "# warning: tools/stack.sh stop $d failed" >&2
		rm -rf -- "$d"
	done
	if [ "${SCALE_KEEP:-0}" = 1 ]; then
		echo "# scratch kept in $IT_TMP" >&2
	else
		rm -rf -- "$IT_TMP"
	fi
}
trap _scale_cleanup EXIT
trap 'exit 130' INT TERM

# scale_start NAME [VAR=VALUE...]: starts a stack in a new directory with
# the settings given (on top of WORKERS=2), sources its stack.env and loads
# the helpers.  False (with the start output and logs shown) if it did not
# start.
scale_start() {
	local name=$1 d
	shift
	d=$(mktemp -d "/tmp/places-scale.XXXXXX") || return 1
	SCALE_DIRS+=("$d")
	# A stack.env sourced before names ports of its own.
	if ! env -u NGINX_PORT -u PGPORT WORKERS=2 "$@" bash "$STACK" start "$d" >"$IT_TMP/start-$name.out" 2>&1; then
		sed 's/^/# /' "$IT_TMP/start-$name.out"
		CASE=$name fail "tools/stack.sh start $*" "it failed"
		cases_dump_logs "$d"
		return 1
	fi
	set -a
	# shellcheck disable=SC1091
	. "$d/stack.env"
	set +a
	# shellcheck source=../faults/lib.sh
	. "$IT_ROOT/tests/faults/lib.sh"
	FT_CASE_DIR=$IT_TMP/$name
	mkdir -p "$FT_CASE_DIR"
}

# scale_stop: stops the stack started last (the EXIT trap would too).
scale_stop() {
	"$STACK" stop "$STATE_DIR" >"$IT_TMP/stop.out" 2>&1
}

# scale_done: the closing line; the exit status says whether all passed.
scale_done() { tally "$IT_TMP/results"; }

# expect_all FILE WHAT CODE-REGEX: every record of the load FILE (see
# tests/faults/lib.sh) has a status matching CODE-REGEX and a whole
# response; prints the status counts.
expect_all() {
	local file=$1 what=$2 re=$3 bad
	bad=$(awk -v re="^($re)\$" '$4 != 0 || $5 !~ re' "$file" | wc -l)
	if [ "$bad" = 0 ]; then
		pass "$what: all $(wc -l <"$file") answered $re"
	else
		fail "$what: all answered $re" "$bad of $(wc -l <"$file") did not: $(status_summary "$file")"
	fi
}

# log_has FILE STRING: true if FILE holds STRING (a request id: the worker
# logs the X-Request-Id it was given, whatever its log format).
log_has() { grep -qF -- "$2" "$1" 2>/dev/null; }

# log_ids FILE PREFIX: how many distinct request ids PREFIX<digits> FILE
# names (a request may log more than one line).
log_ids() { grep -oE -- "$2[0-9]+" "$1" 2>/dev/null | sort -u | wc -l; }

# get_ids PATH RID-PREFIX N TOKEN OUT: N sequential authenticated GETs of
# PATH with X-Request-Id RID-PREFIX-<n>; appends a record per request to
# OUT as the faults' load generators do ("RID T0 T1 RC STATUS SECS CLASS"),
# with T0 and T1 the wall clock and CLASS "-".
get_ids() {
	local path=$1 pfx=$2 n=$3 tok=$4 out=$5 i w rc t0
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME/./}
		w=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 15 \
			-H "Authorization: Bearer $tok" -H "X-Request-Id: $pfx-$i" "$BASE_URL$path")
		rc=$?
		printf '%s %s %s %s %s -\n' "$pfx-$i" "$t0" "${EPOCHREALTIME/./}" "$rc" "${w:-000 0}" >>"$out"
	done
}

# live_pids_of PID...: those of the PIDs that are live (not zombie)
# processes, on one line.
live_pids_of() {
	local p st out=""
	for p in "$@"; do
		st=$(ps -o stat= -p "$p" 2>/dev/null) || continue
		[[ $st == Z* ]] || out+="$p "
	done
	printf '%s' "${out% }"
}
