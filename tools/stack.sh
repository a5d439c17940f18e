#!/usr/bin/env bash
# Start and stop a private places-fcgi stack (PostgreSQL 15, FastCGI workers,
# nginx; optionally several worker pools, a streaming replica and pgbouncer)
# inside one state directory, on loopback ports of its own, so tests and
# several stacks can run side by side without touching system services.
#
# Usage:
#   tools/stack.sh start DIR         create/reuse DIR, start everything, write DIR/stack.env
#   tools/stack.sh stop DIR          stop nginx, the workers, pgbouncer, the replica, PostgreSQL
#   tools/stack.sh pg-stop DIR       stop only PostgreSQL (the primary)
#   tools/stack.sh pg-start DIR      start only PostgreSQL again, on the same port
#   tools/stack.sh pool-stop DIR N   stop only worker pool N (1..POOLS)
#   tools/stack.sh pool-start DIR N  start worker pool N again, as start left it
#   tools/stack.sh replica-stop DIR  stop only the streaming replica
#   tools/stack.sh replica-start DIR start the replica again, on the same port
#   tools/stack.sh pgbouncer-stop DIR   stop only pgbouncer
#   tools/stack.sh pgbouncer-start DIR  start pgbouncer again, on the same port
#   tools/stack.sh status DIR        one line per component: running (pid N) / stopped
#   tools/stack.sh psql DIR [ARGS]   psql as user places on database places (the primary)
#   tools/stack.sh nginx-test DIR    generate DIR's nginx config and run nginx -t
#
# Environment read by start:
#   WORKER          worker binary (default: cgi/places.fcgi in this repository);
#                   copied to DIR/bin/ so www-data can run it wherever the
#                   repository lives
#   WORKER_WRAPPER  command prefix for each worker, split on spaces
#                   (e.g. "valgrind --error-exitcode=99 --leak-check=full")
#   WORKERS         worker processes per pool (default 2)
#   POOLS           worker pools (default 1: one spawn-fcgi + multiwatch group
#                   on run/places.sock, log/worker.log, run/spawn.pid).  N > 1:
#                   N groups, pool I on run/places-I.sock, log/worker-I.log,
#                   run/spawn-I.pid, and nginx runs the "#pools" variant of
#                   nginx.conf.example: an upstream of all of them
#   POOL_TCP=1      with POOLS > 1: each pool listens on a loopback TCP port of
#                   its own instead of a unix socket, as pools on other hosts
#                   would (FastCGI has no authentication: loopback only
#                   here, and FCGI_WEB_SERVER_ADDRS=127.0.0.1 for libfcgi)
#   REPLICA=1       also a streaming replica of PostgreSQL (pg_basebackup -R)
#                   in DIR/pg-replica on a port of its own; the workers get
#                   DATABASE_READ_URL
#   PGBOUNCER=1     pgbouncer in transaction pooling mode between the workers
#                   and PostgreSQL (DIR/pgbouncer/pgbouncer.ini); the workers'
#                   DATABASE_URL (and DATABASE_READ_URL) point at it, and they
#                   get PLACES_DB_POOL_MODE=transaction unless the caller sets
#                   PLACES_DB_POOL_MODE itself.  Migrations and psql still
#                   talk to PostgreSQL directly
#   PGBOUNCER_POOL_SIZE  pgbouncer's default_pool_size (default: the number
#                   of workers, at most two per core)
#   NGINX_EXAMPLE   the server block nginx runs (default nginx.conf.example;
#                   tests/e2e: examples/nextjs/nginx.conf, whose Next.js
#                   address 127.0.0.1:3000 becomes NEXTJS_ADDR)
#   NGINX_PORT, PGPORT  ports on 127.0.0.1 (default: the ports DIR used
#                   last time, else free ones picked at random; the replica's,
#                   pgbouncer's and TCP pools' ports likewise)
#   PLACES_LOG_LEVEL (default info), PLACES_MAX_BODY (default 65536, nginx's
#   client_max_body_size too, so both 413s agree) and any
#   other PLACES_*, NEXTAUTH_SECRET, AUTH_SECRET, AUTH_SECRET_1..3, TZ and
#   *SAN_OPTIONS variables are passed to the workers;
#   nothing else of the caller's environment is.
#
# Only processes whose PIDs are recorded in DIR are ever signalled.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
pgbin=/usr/lib/postgresql/15/bin

# The components, one file each in tools/stack/: all.sh (start, stop,
# status), postgres.sh, workers.sh, nginx.sh; replica.sh, pgbouncer.sh and
# pools.sh only for a stack that has or wants them (use).
declare -A used=()
# use NAME: source tools/stack/NAME.sh, once.
use() {
	[[ -n ${used[$1]:-} ]] && return 0
	used[$1]=1
	# shellcheck source=/dev/null
	. "$here/stack/$1.sh"
}

usage() {
	sed -n '/^# Usage:/,/^# Environment/p' "$here/stack.sh" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

say() { echo "stack: $*"; }
die() {
	echo "stack: error: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# Paths and identities

# set_paths DIR MAKE: resolve DIR to an absolute path (creating it if MAKE is
# 1) and derive every path from it.
set_paths() {
	local arg=$1 make=$2
	if [[ $make == 1 ]]; then
		mkdir -p -- "$arg"
	elif [[ ! -d $arg ]]; then
		return 1
	fi
	dir=$(cd -- "$arg" && pwd -P)
	# DIR is pasted into nginx.conf, a libpq conninfo string and sed
	# replacements; refuse what would need quoting in any of them.
	[[ $dir =~ ^[A-Za-z0-9._/+-]+$ ]] ||
		die "state directory path has characters this script does not quote: $dir"
	# Unix socket paths are limited to 107 bytes (sun_path):
	# DIR/run/.s.PGSQL.NNNNN must fit.
	((${#dir} <= 80)) || die "state directory path is too long for unix sockets (${#dir} > 80): $dir"

	pgdata=$dir/pgdata
	rundir=$dir/run
	logdir=$dir/log
	nginxdir=$dir/nginx
	bindir=$dir/bin
	envfile=$dir/stack.env
	pg_log=$logdir/postgres.log
	worker_log=$logdir/worker.log
	nginx_error_log=$logdir/nginx-error.log
	nginx_access_log=$logdir/nginx-access.log
	spawn_pid=$rundir/spawn.pid
	nginx_pid=$rundir/nginx.pid
	worker_sock=$rundir/places.sock
	# The workers' environment as start built it, for pool-start.
	worker_envfile=$rundir/worker.env
	replica_data=$dir/pg-replica
	replica_log=$logdir/postgres-replica.log
	bouncer_dir=$dir/pgbouncer
	bouncer_ini=$bouncer_dir/pgbouncer.ini
	bouncer_users=$bouncer_dir/userlist.txt
	bouncer_log=$logdir/pgbouncer.log
	bouncer_pid=$rundir/pgbouncer.pid
}

# PostgreSQL refuses to run as root, and nginx/the workers should not run as
# root either: as root, run them as Debian's postgres and www-data users.
if ((EUID == 0)); then
	as_root=1
	pg_owner=postgres
	web_user=www-data
else
	as_root=0
	pg_owner=$(id -un)
	web_user=$pg_owner
fi

# as_pg CMD...: run a PostgreSQL server program as the cluster's owner.
as_pg() {
	if ((as_root)); then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# ---------------------------------------------------------------------------
# Processes

# pid_alive PID COMM: true if PID is a live (not zombie) process named COMM.
# The name check keeps a stale pid file from naming someone else's process.
pid_alive() {
	local pid=$1 comm=$2 stat name
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	stat=$(ps -o stat= -o comm= -p "$pid" 2>/dev/null) || return 1
	read -r stat name <<<"$stat"
	[[ $stat != Z* && $name == "$comm" ]]
}

# pidfile_pid FILE COMM: print the PID in FILE if it names a live COMM.
pidfile_pid() {
	local file=$1 comm=$2 pid
	[[ -f $file ]] || return 1
	pid=$(head -n 1 -- "$file" 2>/dev/null) || return 1
	pid_alive "$pid" "$comm" || return 1
	echo "$pid"
}

# live_pids PID...: print those of the PIDs that are live, non-zombie processes.
live_pids() {
	local pid stat
	for pid in "$@"; do
		stat=$(ps -o stat= -p "$pid" 2>/dev/null) || continue
		[[ $stat == Z* ]] || echo "$pid"
	done
}

# group_pids PGID: live, non-zombie members of process group PGID.
group_pids() {
	ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# child_pids PID: direct children of PID.
child_pids() {
	ps -e -o pid=,ppid= | awk -v p="$1" '$2 == p { print $1 }'
}

# wait_gone SECONDS PID...: wait until none of the PIDs is alive; false on timeout.
wait_gone() {
	local tenths=$(($1 * 10)) i
	shift
	for ((i = 0; i < tenths; i++)); do
		[[ -z $(live_pids "$@") ]] && return 0
		sleep 0.1
	done
	[[ -z $(live_pids "$@") ]]
}

# detached CMD...: run CMD with stdin from /dev/null and every descriptor
# above 2 closed, so a daemon it leaves behind holds none of the caller's
# pipes (a caller reading our output, e.g. $(tools/stack.sh start d), would
# otherwise never see end-of-file).  The caller redirects stdout/stderr.
detached() {
	(
		local f fd
		for f in /proc/"$BASHPID"/fd/*; do
			fd=${f##*/}
			if ((fd > 2)); then
				exec {fd}>&- 2>/dev/null || true
			fi
		done
		# Not exec: CMD may be a function of this script (as_pg, nginx_cmd).
		"$@"
	) </dev/null
}

# log_tail FILE: show the end of a log on stderr, for failure reports.
log_tail() {
	[[ -s $1 ]] || return 0
	{
		echo "----- last lines of $1"
		tail -n 25 -- "$1"
		echo "-----"
	} >&2
}

# ---------------------------------------------------------------------------
# Ports

# port_free PORT: no TCP socket of this machine uses PORT as its local
# port: no listener, and no connection either (a connection's local port
# makes bind() fail too), except in TIME_WAIT, which the SO_REUSEADDR that
# every server here sets ignores.
port_free() {
	[[ -z $(ss -Htan exclude time-wait "sport = :$1") ]]
}

# pick_port NOT: a free port other than NOT, from 20000 up to the kernel's
# ephemeral range (where connect() picks local ports, so that no outgoing
# connection takes ours between the check and the bind).
pick_port() {
	local not=$1 p i lo hi
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	hi=$((lo > 22000 ? lo - 1 : 60999))
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % (hi - 20000 + 1)))
		if ((p != not)) && port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found in 20000-$hi"
}

check_port() {
	if [[ ! $2 =~ ^[0-9]+$ ]] || (($2 < 1024 || $2 > 65535)); then
		die "$1 must be a port number in 1024-65535, not '$2'"
	fi
}

# saved_value KEY: the value of KEY in DIR/stack.env from the last start.
saved_value() {
	[[ -f $envfile ]] || return 0
	sed -n "s/^$1='\\([^']*\\)'\$/\\1/p" "$envfile" | tail -n 1
}


# stop_pids SIGNAL LABEL PID...: send SIGNAL to the first PID, wait 5 s for
# all of them to go, then SIGKILL those left.
stop_pids() {
	local sig=$1 label=$2 left
	shift 2
	kill -"$sig" "$1" 2>/dev/null || true
	wait_gone 5 "$@" && return 0
	echo "stack: warning: $label still running after 5 s, sending SIGKILL" >&2
	mapfile -t left < <(live_pids "$@")
	if ((${#left[@]})); then
		kill -KILL "${left[@]}" 2>/dev/null || true
	fi
	wait_gone 2 "$@" || echo "stack: warning: could not stop: $(live_pids "$@" | xargs)" >&2
}

# ---------------------------------------------------------------------------
# Commands

(($# >= 2)) || usage
command=$1
shift
# Everything below uses absolute paths; a cwd the daemon users cannot enter
# (e.g. /root) would only produce warnings from them.
if [[ -n ${WORKER:-} ]]; then
	worker_src=$(realpath -m -- "$WORKER")
else
	worker_src=$repo/cgi/places.fcgi
fi
state_arg=$(realpath -m -- "$1")
shift
cd /

use all
use postgres
use workers
use nginx
case $command in
start) cmd_start "$state_arg" ;;
stop) cmd_stop "$state_arg" ;;
pg-stop) cmd_pg_stop "$state_arg" ;;
pg-start) cmd_pg_start "$state_arg" ;;
pool-stop)
	(($# == 1)) || usage
	cmd_pool_stop "$state_arg" "$1"
	;;
pool-start)
	(($# == 1)) || usage
	cmd_pool_start "$state_arg" "$1"
	;;
replica-stop) use replica && cmd_replica_stop "$state_arg" ;;
replica-start) use replica && cmd_replica_start "$state_arg" ;;
pgbouncer-stop) use pgbouncer && cmd_bouncer_stop "$state_arg" ;;
pgbouncer-start) use pgbouncer && cmd_bouncer_start "$state_arg" ;;
status) cmd_status "$state_arg" ;;
psql) cmd_psql "$state_arg" "$@" ;;
nginx-test) cmd_nginx_test "$state_arg" ;;
*) usage ;;
esac
