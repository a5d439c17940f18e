#!/usr/bin/env bash
# shellcheck disable=SC2016 # awk and jq programs are in single quotes
# The measured limits of each tier on this machine, for docs/SCALING.md.
# Not a test (no ok/not ok): load on a shared machine is not repeatable
# enough to pass or fail a build.
#
#   tests/scale/measure.sh [SECONDS]     (default 10 per run; 1..120)
#
# For each configuration below: a private stack (tools/stack.sh) in a
# temporary directory, tests/bench/dataset.sql loaded (1,000 users, 10,000
# places, 1,000 live sessions), a 2 s warm-up, then wrk -t2 -c$CONNS with
# tests/bench/wrk.lua's scenario (default "get": GET /api/places/<random
# place> with a random live session; every answer must be its 200); the
# stack is stopped by PID before the next one starts, so one configuration
# at a time has the machine.
#
#   1pool       POOLS=1 WORKERS=4 (tools/bench.sh's stack)
#   2pools-2    POOLS=2 WORKERS=2: the same 4 workers behind nginx's upstream
#   2pools-4    POOLS=2 WORKERS=4: 8 workers
#   bouncer-4   PGBOUNCER=1 WORKERS=4, default_pool_size 4
#   bouncer-2   PGBOUNCER=1 WORKERS=4 PGBOUNCER_POOL_SIZE=2
#   replica     REPLICA=1 WORKERS=4: reads on the replica
#   unnamed     PLACES_DB_POOL_MODE=transaction WORKERS=4, no pgbouncer: what
#               unnamed statements alone cost the worker
#
# Then the raw database ceilings, on a PGBOUNCER=1 stack: pgbench -c$CONNS
# -j2 with one indexed read of a place (by a random bench_keys row), direct
# on the unix socket with -M prepared and -M extended (unnamed statements,
# as the worker sends them behind pgbouncer), and through pgbouncer with -M
# extended; and pgbench's built-in select-only (-S) on a scale-10 database,
# -M prepared and -M extended.
#
# Environment: MEASURE_CONFIGS (names above, default all), MEASURE_PGBENCH=0
# (no database ceilings), MEASURE_CONNS
# (default 16), MEASURE_SCENARIO (a wrk.lua scenario, default get),
# WORKER, PLACES_LOG_LEVEL (default info: one log line per request, as
# deployed).  Prints one table; writes the JSON lines to
# results/scale-<UTC time>.jsonl.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bench=$repo/tests/bench
stack=$repo/tools/stack.sh

secs=${1:-10}
if [[ ! $secs =~ ^[0-9]+$ ]] || ((secs < 1 || secs > 120)); then
	echo "usage: tests/scale/measure.sh [SECONDS]   (1..120, default 10)" >&2
	exit 2
fi
configs=${MEASURE_CONFIGS:-1pool 2pools-2 2pools-4 bouncer-4 bouncer-2 replica unnamed}
conns=${MEASURE_CONNS:-16}
scenario=${MEASURE_SCENARIO:-get}

say() { echo "measure: $*" >&2; }
die() {
	echo "measure: error: $*" >&2
	exit 1
}
for tool in wrk pgbench psql jq; do
	command -v "$tool" >/dev/null || die "$tool not found (tools/deps.sh installs it)"
done
unset NGINX_PORT PGPORT WORKER_WRAPPER POOLS POOL_TCP REPLICA PGBOUNCER PGBOUNCER_POOL_SIZE \
	PLACES_DB_POOL_MODE WORKERS

tmp=$(mktemp -d /tmp/places-measure.XXXXXX)
chmod 755 "$tmp"
sdir=
cleanup() {
	local rc=$?
	[[ -z $sdir ]] || "$stack" stop "$sdir" >/dev/null 2>&1 || say "warning: stop $sdir failed"
	rm -rf -- "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$repo/results"
out=$repo/results/scale-$stamp.jsonl
: >"$out"

# env_of CONFIG: the tools/stack.sh settings of a configuration.
env_of() {
	case $1 in
	1pool) echo "POOLS=1 WORKERS=4" ;;
	2pools-2) echo "POOLS=2 WORKERS=2" ;;
	2pools-4) echo "POOLS=2 WORKERS=4" ;;
	bouncer-4) echo "PGBOUNCER=1 WORKERS=4 PGBOUNCER_POOL_SIZE=4" ;;
	bouncer-2) echo "PGBOUNCER=1 WORKERS=4 PGBOUNCER_POOL_SIZE=2" ;;
	replica) echo "REPLICA=1 WORKERS=4" ;;
	unnamed) echo "PLACES_DB_POOL_MODE=transaction WORKERS=4" ;;
	*) die "unknown configuration $1" ;;
	esac
}

# up SETTINGS...: a stack with those settings in a new directory, its data
# loaded and its stack.env sourced.
up() {
	sdir=$tmp/s
	rm -rf -- "$sdir"
	env "$@" "$stack" start "$sdir" >"$tmp/start.out" 2>&1 || {
		cat "$tmp/start.out" >&2
		die "tools/stack.sh start $* failed"
	}
	set -a
	# shellcheck disable=SC1091
	. "$sdir/stack.env"
	set +a
	PGOPTIONS='-c statement_timeout=0' psql -X -q -v ON_ERROR_STOP=1 -f "$bench/dataset.sql" >/dev/null ||
		die "loading tests/bench/dataset.sql failed"
	psql -X -q -At -c 'SELECT token FROM bench_keys ORDER BY n' >"$tmp/tokens"
	psql -X -q -At -c 'SELECT id FROM places ORDER BY id' >"$tmp/ids"
	psql -X -q -At -F ' ' -c 'SELECT token, place_id, user_id FROM bench_keys ORDER BY n' >"$tmp/pairs"
	psql -X -q -U postgres -c 'VACUUM ANALYZE' >/dev/null
	if [[ -n $REPLICA_PORT ]]; then
		# The replica has all of it before the load starts.
		local lsn i
		lsn=$(psql -X -At -U postgres -c 'SELECT pg_current_wal_lsn()')
		for ((i = 0; i < 300; i++)); do
			[[ $(psql -X -At -U postgres -p "$REPLICA_PORT" -c \
				"SELECT pg_last_wal_replay_lsn() >= '$lsn'") == t ]] && break
			sleep 0.1
		done
	fi
}

down() {
	"$stack" stop "$sdir" >/dev/null 2>&1 || say "warning: stop failed"
	sdir=
}

# run_wrk SECONDS: one wrk run of the scenario; prints its BENCH JSON.
run_wrk() {
	local o
	o=$(timeout $(($1 + 30)) wrk -t2 -c"$conns" -d"$1s" --timeout 5s --latency \
		-s "$bench/wrk.lua" "$BASE_URL" -- scenario="$scenario" \
		tokens="$tmp/tokens" ids="$tmp/ids" pairs="$tmp/pairs" 2>&1) || {
		echo "$o" >&2
		die "wrk failed"
	}
	grep '^BENCH ' <<<"$o" | sed 's/^BENCH //'
}

# commits PORT: xact_commit of database places on the server at PORT (a
# read that the replica answers is one transaction there).
commits() {
	psql -X -At -U postgres -p "$1" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'places'"
}

for c in $configs; do
	read -r -a settings <<<"$(env_of "$c")"
	say "$c: ${settings[*]}"
	up "${settings[@]}"
	run_wrk 2 >/dev/null
	load=$(cut -d ' ' -f 1 /proc/loadavg)
	r0=
	[[ -n $REPLICA_PORT ]] && r0=$(commits "$REPLICA_PORT")
	r=$(run_wrk "$secs")
	extra='{}'
	if [[ -n $r0 ]]; then
		sleep 11 # the statistics flush of idle backends
		extra=$(jq -n --argjson d "$(($(commits "$REPLICA_PORT") - r0))" '{replica_xacts: $d}')
	fi
	jq -c --arg c "$c" --arg s "${settings[*]}" --arg load "$load" --argjson e "$extra" \
		'{kind: "wrk", config: $c, settings: $s, conns: '"$conns"', loadavg_before: $load} + . + $e' \
		<<<"$r" | tee -a "$out" >/dev/null
	down
done

# The raw ceilings.
[[ ${MEASURE_PGBENCH:-1} == 0 ]] || {
say "pgbench ceilings"
up PGBOUNCER=1 WORKERS=4 PGBOUNCER_POOL_SIZE=4
cat >"$tmp/read.sql" <<'SQL'
\set n random(1, 1000)
SELECT p.id, p.name, p.location, p.image, p."mapURL", p.description, u.email
FROM bench_keys k JOIN places p ON p.id = k.place_id JOIN users u ON u.id = p.author_id
WHERE k.n = :n;
SQL
pgb() {
	local label=$1 o tps lat
	shift
	o=$(timeout $((secs + 30)) pgbench -n -c "$conns" -j 2 -T "$secs" "$@" 2>&1) || {
		echo "$o" >&2
		die "pgbench $label failed"
	}
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$o")
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$o")
	jq -nc --arg l "$label" --argjson t "$tps" --argjson m "${lat:-0}" \
		'{kind: "pgbench", config: $l, conns: '"$conns"', tps: $t, mean_ms: $m}' | tee -a "$out" >/dev/null
}
pgb direct-prepared -M prepared -f "$tmp/read.sql" -h "$PGHOST" -p "$PGPORT" -U places places
pgb direct-extended -M extended -f "$tmp/read.sql" -h "$PGHOST" -p "$PGPORT" -U places places
pgb bouncer-extended -M extended -f "$tmp/read.sql" -h "$PGHOST" -p "$PGBOUNCER_PORT" -U places places
psql -X -q -U postgres -d postgres -c 'CREATE DATABASE pgb' >/dev/null
pgbench -q -i -s 10 -h "$PGHOST" -p "$PGPORT" -U postgres pgb >/dev/null 2>&1 || die "pgbench -i failed"
pgb select-only-S-prepared -S -M prepared -h "$PGHOST" -p "$PGPORT" -U postgres pgb
pgb select-only-S-extended -S -M extended -h "$PGHOST" -p "$PGPORT" -U postgres pgb
down
}

# The table.
{
	printf '%-26s %-46s %9s %8s %8s  %s\n' config settings 'req/s' 'p50 ms' 'p99 ms' note
	jq -r 'select(.kind == "wrk") | [.config, .settings, (.rps | floor),
		(.p50_ms * 100 | round / 100), (.p99_ms * 100 | round / 100),
		((if .unexpected > 0 then "INVALID \(.statuses) " else "" end) +
		 (if .replica_xacts then "replica answered \(.replica_xacts) of \(.requests)" else "" end))] | @tsv' "$out" |
		while IFS=$'\t' read -r c s rps p50 p99 note; do
			printf '%-26s %-46s %9s %8s %8s  %s\n' "$c" "$s" "$rps" "$p50" "$p99" "$note"
		done
	jq -r 'select(.kind == "pgbench") | [("pg:" + .config), (.tps | floor), .mean_ms] | @tsv' "$out" |
		while IFS=$'\t' read -r c tps lat; do
			printf '%-26s %-46s %9s %8s %8s  %s\n' "$c" "pgbench -c$conns -j2 (tps)" "$tps" "-" "-" "mean $lat ms"
		done
}
echo "wrk -t2 -c$conns, scenario $scenario, ${secs} s per run, $(nproc) cores shared by everything; results/$(basename "$out")"
