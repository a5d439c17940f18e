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
#   NGINX_PORT, PGPORT  ports on 127.0.0.1 (default: the ports DIR used
#                   last time, else free ones picked at random; the replica's,
#                   pgbouncer's and TCP pools' ports likewise)
#   PLACES_LOG_LEVEL (default info), PLACES_MAX_BODY (default 65536) and any
#   other PLACES_*, NEXTAUTH_SECRET, TZ and *SAN_OPTIONS variables are passed to the workers;
#   nothing else of the caller's environment is.
#
# Only processes whose PIDs are recorded in DIR are ever signalled.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
pgbin=/usr/lib/postgresql/15/bin

usage() {
	sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
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

# ---------------------------------------------------------------------------
# PostgreSQL: the primary in DIR/pgdata, the replica in DIR/pg-replica

pg_pid() {
	# Line 1 of postmaster.pid is the postmaster's PID.
	pidfile_pid "$pgdata/postmaster.pid" postgres
}

replica_pid() {
	pidfile_pid "$replica_data/postmaster.pid" postgres
}

pg_init() {
	[[ -f $pgdata/PG_VERSION ]] && return 0
	say "initdb $pgdata"
	mkdir -p "$pgdata"
	chmod 700 "$pgdata"
	((as_root)) && chown postgres: "$pgdata"
	current_log=$pg_log
	# trust: the cluster listens on 127.0.0.1 and a private socket only,
	# and holds test data.  It also lets the replica's walreceiver in:
	# initdb's pg_hba.conf has "replication" lines for the local socket
	# and 127.0.0.1, and wal_level=replica and max_wal_senders=10 are
	# PostgreSQL 15's defaults.  C locale: byte-order collation, no
	# dependency on the machine's locales.
	as_pg "$pgbin/initdb" -D "$pgdata" --auth=trust -U postgres -E UTF8 --locale=C \
		>>"$pg_log" 2>&1 || die "initdb failed"
}

# pg_start_on DATA LOG PORT [SETTING...]: start the cluster in DATA on PORT
# with the -c SETTINGs; false if PORT was taken.
pg_start_on() {
	local data=$1 log=$2 port=$3 before opts s
	shift 3
	opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$rundir -c fsync=on"
	for s in "$@"; do opts+=" -c $s"; done
	before=$(stat -c %s "$log")
	# shellcheck disable=SC2094 # pg_ctl and the server both only append
	if detached as_pg "$pgbin/pg_ctl" start -w -t 60 -D "$data" -l "$log" -o "$opts" \
		>>"$log" 2>&1; then
		return 0
	fi
	# pg_ctl gave up waiting but the server may still be coming up: it is
	# ours to stop.
	if pidfile_pid "$data/postmaster.pid" postgres >/dev/null; then
		if [[ $data == "$pgdata" ]]; then started+=(pg); else started+=(replica); fi
	fi
	# Only a lost race for the port is worth another try.
	if tail -c +"$((before + 1))" "$log" | grep -q 'could not bind\|Address already in use'; then
		return 1
	fi
	die "PostgreSQL ($data) did not start"
}

# pg_up FIXED_PORT: start PostgreSQL unless running; sets pgport.  A
# FIXED_PORT (from the environment or the last run) is used as is; else a
# random free one, retried if another process takes it first.
pg_up() {
	local fixed=$1 pid try
	current_log=$pg_log
	if pid=$(pg_pid); then
		# Line 4 of postmaster.pid is the port it listens on.
		pgport=$(sed -n 4p "$pgdata/postmaster.pid")
		[[ -z $fixed || $fixed == "$pgport" ]] ||
			die "PostgreSQL in $dir already runs on port $pgport, not $fixed; stop it first"
		say "postgres already running (pid $pid, port $pgport)"
		return 0
	fi
	for ((try = 0; try < 5; try++)); do
		if [[ -n $fixed ]]; then
			pgport=$fixed
			port_free "$pgport" || die "PGPORT $pgport is in use by another process"
		else
			pgport=$(pick_port "${nginx_port:-0}")
		fi
		if pg_start_on "$pgdata" "$pg_log" "$pgport"; then
			started+=(pg)
			say "postgres started (pid $(pg_pid), port $pgport)"
			return 0
		fi
		[[ -z $fixed ]] || die "PostgreSQL could not bind port $pgport"
	done
	die "PostgreSQL could not bind a port after 5 tries"
}

# pg_stop_cluster DATA LOG NAME: pg_ctl stop -m fast on the cluster in DATA.
pg_stop_cluster() {
	local data=$1 log=$2 name=$3 pid
	if ! pid=$(pidfile_pid "$data/postmaster.pid" postgres); then
		say "$name not running"
		return 0
	fi
	# fast: roll back open transactions and disconnect clients, then stop.
	if detached as_pg "$pgbin/pg_ctl" stop -m fast -w -t 30 -D "$data" >>"$log" 2>&1; then
		say "$name stopped (pid $pid)"
	else
		echo "stack: warning: pg_ctl stop failed for $name pid $pid" >&2
		log_tail "$log"
		return 1
	fi
}

pg_down() { pg_stop_cluster "$pgdata" "$pg_log" postgres; }

psql_as() {
	local user=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$rundir" -p "$pgport" -U "$user" "$@"
}

# pg_setup: the places role and database, then the schema migrations.
pg_setup() {
	current_log=$pg_log
	# \gexec runs each generated statement on its own: CREATE DATABASE
	# cannot run inside a transaction block.  The role's statement_timeout
	# is the workers' limit for connections that cannot ask for it
	# themselves: pgbouncer refuses a startup "options" parameter (and
	# ignore_startup_parameters drops it), so a worker behind it relies on
	# this.  Workers that connect directly ask for the same 5 s anyway.
	psql_as postgres -d postgres <<-'SQL' || die "creating role/database places failed"
		SELECT 'CREATE ROLE places LOGIN'
		WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'places')
		\gexec
		SELECT 'CREATE DATABASE places OWNER places'
		WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'places')
		\gexec
		ALTER ROLE places SET statement_timeout = '5s';
	SQL
	current_log=
	# The repository's migrations, whatever an installed copy holds, and
	# not bound by the workers' statement_timeout.
	[[ -x $here/placesctl ]] || die "$here/placesctl is not built; run make"
	DATABASE_URL=$database_url PGOPTIONS='-c statement_timeout=0' \
		"$here/placesctl" migrate --dir "$repo/sql" |
		sed 's/^/stack: /' || die "migrations failed"
}

# replica_init: a base backup of the running primary into DIR/pg-replica,
# with -R: standby.signal and primary_conninfo (this DIR's socket and the
# primary's port), so it starts as a streaming replica.  Once.
replica_init() {
	[[ -f $replica_data/PG_VERSION ]] && return 0
	say "pg_basebackup $replica_data"
	current_log=$replica_log
	rm -rf -- "$replica_data"
	mkdir -p "$replica_data"
	chmod 700 "$replica_data"
	((as_root)) && chown postgres: "$replica_data"
	# -X stream: the WAL written meanwhile comes along; -c fast: a
	# checkpoint now, not at the next scheduled one.
	as_pg "$pgbin/pg_basebackup" -h "$rundir" -p "$pgport" -U postgres \
		-D "$replica_data" -R -X stream -c fast -w >>"$replica_log" 2>&1 ||
		die "pg_basebackup failed"
}

# replica_streaming SECONDS: wait until the replica is in recovery and its
# walreceiver streams from the primary.
replica_streaming() {
	local tenths=$(($1 * 10)) i st
	for ((i = 0; i < tenths; i++)); do
		st=$(psql -X -At -h "$rundir" -p "$replica_port" -U postgres -d postgres -c \
			"SELECT pg_is_in_recovery()::text || ' ' ||
			        coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')" 2>/dev/null) || st=
		[[ $st == "true streaming" ]] && return 0
		sleep 0.1
	done
	return 1
}

# replica_up FIXED_PORT: like pg_up, for the replica (after the primary is
# up and migrated); sets replica_port and waits until it streams.
replica_up() {
	local fixed=$1 pid try
	current_log=$replica_log
	if pid=$(replica_pid); then
		replica_port=$(sed -n 4p "$replica_data/postmaster.pid")
		[[ -z $fixed || $fixed == "$replica_port" ]] ||
			die "the replica in $dir already runs on port $replica_port, not $fixed; stop it first"
		say "replica already running (pid $pid, port $replica_port)"
		return 0
	fi
	replica_init
	for ((try = 0; try < 5; try++)); do
		if [[ -n $fixed ]]; then
			replica_port=$fixed
			port_free "$replica_port" || die "replica port $replica_port is in use by another process"
		else
			replica_port=$(pick_port "${pgport:-0}")
		fi
		# cluster_name names it in ps; hot_standby (the default) lets
		# it answer reads.
		if pg_start_on "$replica_data" "$replica_log" "$replica_port" \
			cluster_name=places-replica hot_standby=on; then
			started+=(replica)
			break
		fi
		[[ -z $fixed ]] || die "the replica could not bind port $replica_port"
	done
	((try < 5)) || die "the replica could not bind a port after 5 tries"
	# Without its primary it cannot stream; it will once the primary is back.
	if pg_pid >/dev/null; then
		replica_streaming 30 || die "the replica does not stream from the primary after 30 s"
		say "replica started (pid $(replica_pid), port $replica_port, streaming)"
	else
		say "replica started (pid $(replica_pid), port $replica_port; primary down, not streaming)"
	fi
}

replica_down() { pg_stop_cluster "$replica_data" "$replica_log" replica; }

# ---------------------------------------------------------------------------
# pgbouncer

bouncer_pidnow() {
	pidfile_pid "$bouncer_pid" pgbouncer
}

# bouncer_config PORT: write DIR/pgbouncer/{pgbouncer.ini,userlist.txt}.
bouncer_config() {
	local port=$1 replica_line=
	mkdir -p "$bouncer_dir"
	chmod 755 "$bouncer_dir"
	[[ -n ${replica_port:-} ]] &&
		replica_line="places_replica = host=$rundir port=$replica_port dbname=places"
	# auth_type=trust still wants the user names in auth_file.
	printf '"places" ""\n"postgres" ""\n' >"$bouncer_users"
	cat >"$bouncer_ini" <<-EOF
		; Generated by tools/stack.sh for the stack in $dir.
		; docs/SCALING.md explains each setting.
		[databases]
		places = host=$rundir port=$pgport dbname=places
		$replica_line

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir = $rundir
		pidfile = $bouncer_pid
		logfile = $bouncer_log
		; trust: this private test cluster trusts every local connection
		; too (initdb --auth=trust), and pgbouncer listens on 127.0.0.1
		; and this stack's socket only.  Deployed: auth_type =
		; scram-sha-256 with an auth_file (or auth_query).
		auth_type = trust
		auth_file = $bouncer_users
		admin_users = postgres
		stats_users = places
		; A server connection serves one transaction of one client, then
		; the next client's: workers are idle between requests and
		; between the statements of one.  The worker then sends unnamed
		; statements only (PLACES_DB_POOL_MODE=transaction): a named
		; prepared statement would stay on a server connection that the
		; next transaction may not get.
		pool_mode = transaction
		default_pool_size = $bouncer_pool_size
		max_client_conn = 200
		; The worker's libpq sends options=-c statement_timeout=... unless
		; told otherwise, and JDBC-style clients extra_float_digits;
		; pgbouncer 1.18 refuses unknown startup parameters.  The timeout
		; is the places role's own setting instead.
		ignore_startup_parameters = extra_float_digits,options
		; PostgreSQL down: a query waits at most 3 s for a server
		; connection, then the client gets an error (and the worker a
		; 503): a read and its one retry stay under nginx's 10 s.
		query_wait_timeout = 3
		server_connect_timeout = 3
		; Retry a failed server login after 1 s, not 15: PostgreSQL back
		; is PostgreSQL used.
		server_login_retry = 1
		log_connections = 0
		log_disconnections = 0
		; SHOW STATS figures every 10 s, not 60.
		stats_period = 10
	EOF
	chmod 644 "$bouncer_ini" "$bouncer_users"
}

# bouncer_up FIXED_PORT: start pgbouncer (after PostgreSQL and the replica)
# unless running; sets bouncer_port.
bouncer_up() {
	local fixed=$1 pid try i before
	current_log=$bouncer_log
	if pid=$(bouncer_pidnow); then
		bouncer_port=$(sed -n 's/^listen_port = \([0-9]*\)$/\1/p' "$bouncer_ini")
		[[ -z $fixed || $fixed == "$bouncer_port" ]] ||
			die "pgbouncer in $dir already runs on port $bouncer_port, not $fixed; stop it first"
		say "pgbouncer already running (pid $pid, port $bouncer_port)"
		return 0
	fi
	command -v pgbouncer >/dev/null || die "pgbouncer is not installed (tools/deps.sh)"
	for ((try = 0; try < 5; try++)); do
		if [[ -n $fixed ]]; then
			bouncer_port=$fixed
			port_free "$bouncer_port" || die "pgbouncer port $bouncer_port is in use by another process"
		else
			bouncer_port=$(pick_port "${pgport:-0}")
		fi
		bouncer_config "$bouncer_port"
		rm -f -- "$bouncer_pid"
		before=$(stat -c %s "$bouncer_log")
		# -d: daemon; it refuses to run as root, so as postgres.
		detached as_pg pgbouncer -d -q "$bouncer_ini" >>"$bouncer_log" 2>&1 ||
			die "pgbouncer did not start"
		for ((i = 0; i < 50; i++)); do
			pid=$(bouncer_pidnow) && ! port_free "$bouncer_port" && break
			# The daemon exits when it cannot listen.
			[[ -s $bouncer_pid ]] && ! bouncer_pidnow >/dev/null && break
			sleep 0.1
		done
		if pid=$(bouncer_pidnow); then
			started+=(pgbouncer)
			if ! port_free "$bouncer_port"; then
				say "pgbouncer started (pid $pid, port $bouncer_port, pool_mode transaction, default_pool_size $bouncer_pool_size)"
				return 0
			fi
			# It goes on without the TCP port it could not bind ("cannot
			# listen on ..."): stop it, and try another port.
			bouncer_down >/dev/null
		fi
		tail -c +"$((before + 1))" "$bouncer_log" | grep -q 'Address already in use' ||
			die "pgbouncer did not start"
		[[ -z $fixed ]] || die "pgbouncer could not bind port $bouncer_port"
	done
	die "pgbouncer could not bind a port after 5 tries"
}

bouncer_down() {
	local pid
	if ! pid=$(bouncer_pidnow); then
		say "pgbouncer not running"
		return 0
	fi
	# INT: safe shutdown, after the transactions in flight.
	kill -INT "$pid" 2>/dev/null || true
	if ! wait_gone 5 "$pid"; then
		echo "stack: warning: pgbouncer still running after 5 s, sending SIGTERM" >&2
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone 3 "$pid" || kill -KILL "$pid" 2>/dev/null || true
	fi
	say "pgbouncer stopped (pid $pid)"
}

# ---------------------------------------------------------------------------
# Workers: POOLS groups of WORKERS, each group one spawn-fcgi + multiwatch

# pool_paths I: set pool_sock, pool_spawn_pid and pool_log for pool I of
# npools.  One pool keeps the names of a stack without pools.
pool_paths() {
	if ((npools == 1)); then
		pool_sock=$worker_sock
		pool_spawn_pid=$spawn_pid
		pool_log=$worker_log
	else
		pool_sock=$rundir/places-$1.sock
		pool_spawn_pid=$rundir/spawn-$1.pid
		pool_log=$logdir/worker-$1.log
	fi
}

# pool_pid I: multiwatch's PID for pool I, if it runs.
pool_pid() {
	pool_paths "$1"
	# The sh that redirects stderr execs multiwatch: same PID.
	pidfile_pid "$pool_spawn_pid" multiwatch
}

# spawn_pidfiles: every pool's pid file in DIR, whatever POOLS was.
spawn_pidfiles() {
	local f
	for f in "$spawn_pid" "$rundir"/spawn-*.pid; do
		[[ -f $f ]] && echo "$f"
	done
	return 0
}

# workers_count PID: live workers under multiwatch PID.
workers_count() {
	local kids
	mapfile -t kids < <(child_pids "$1")
	((${#kids[@]} == 0)) && echo 0 && return 0
	live_pids "${kids[@]}" | wc -l
}

# workers_env: set wenv (the workers' whole environment), n_workers,
# wrapper and drop from the caller's environment, for start.
workers_env() {
	n_workers=${WORKERS:-2}
	[[ $n_workers =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive number, not '$n_workers'"
	wrapper_line=${WORKER_WRAPPER:-}
	# The workers' whole environment: the caller's PG* variables (e.g. a
	# sourced stack.env of another stack) must not steer libpq.
	wenv=(
		"PATH=/usr/local/bin:/usr/bin:/bin"
		"DATABASE_URL=$worker_database_url"
		"PLACES_LOG_LEVEL=${PLACES_LOG_LEVEL:-info}"
		"PLACES_MAX_BODY=${PLACES_MAX_BODY:-65536}"
	)
	[[ -n $database_read_url ]] && wenv+=("DATABASE_READ_URL=$database_read_url")
	# A pool on TCP: libfcgi closes connections from any other address
	# than nginx's (FastCGI itself has no authentication).
	((pool_tcp)) && wenv+=("FCGI_WEB_SERVER_ADDRS=127.0.0.1")
	# Behind pgbouncer's transaction pooling: no named prepared statements.
	# A caller's own PLACES_DB_POOL_MODE (session, to show why) wins.
	((want_bouncer)) && [[ -z ${PLACES_DB_POOL_MODE+set} ]] &&
		wenv+=("PLACES_DB_POOL_MODE=transaction")
	local name
	for name in $(compgen -e); do
		case $name in
		PLACES_LOG_LEVEL | PLACES_MAX_BODY) ;;
		PLACES_* | NEXTAUTH_SECRET | TZ | *SAN_OPTIONS) wenv+=("$name=${!name}") ;;
		esac
	done
}

# workers_prepare: the checks and the binary copy every pool start needs;
# sets wrapper and drop from wrapper_line.
workers_prepare() {
	local worker=$worker_src
	wrapper=()
	read -r -a wrapper <<<"$wrapper_line"
	if ((${#wrapper[@]})); then
		# multiwatch uses execv, which does not search PATH.
		wrapper[0]=$(command -v -- "${wrapper[0]}") ||
			die "WORKER_WRAPPER command not found: $wrapper_line"
	fi
	drop=()
	if ((as_root)); then
		drop=(-u "$web_user" -g "$web_user" -U "$web_user" -G "$web_user")
	fi
	[[ -x $bindir/places.fcgi && ${1:-} == keep ]] && return 0
	[[ -f $worker && -x $worker ]] ||
		die "worker binary not found or not executable: $worker (run make, or set WORKER)"
	# Copy, then rename: a running old copy keeps its inode, and cp onto a
	# busy executable would fail with ETXTBSY.
	install -m 0755 -- "$worker" "$bindir/.places.fcgi.new"
	mv -f -- "$bindir/.places.fcgi.new" "$bindir/places.fcgi"
	if ((as_root)); then
		runuser -u "$web_user" -- test -x "$bindir/places.fcgi" ||
			die "$web_user cannot execute $bindir/places.fcgi (a parent directory closed to others?)"
	fi
}

# pool_up I SAVED_ADDR: start pool I (n_workers workers) unless it runs;
# sets pool_addr ("unix:PATH" or "127.0.0.1:PORT").  SAVED_ADDR: the
# address it had (POOL_ADDRS in stack.env), if any: a TCP pool keeps its
# port, so nginx's upstream stays true.
pool_up() {
	local i=$1 saved=${2:-} fixed="" pid n k try port rc
	local -a listen
	pool_paths "$i"
	current_log=$pool_log
	local label="workers"
	((npools > 1)) && label="pool $i"
	((pool_tcp)) && [[ $saved == 127.0.0.1:* ]] && fixed=${saved#127.0.0.1:}
	if pid=$(pool_pid "$i"); then
		pool_addr=unix:$pool_sock
		if ((pool_tcp)); then
			[[ -n $fixed ]] || die "$label runs, but stack.env has no port for it; stop it first"
			pool_addr=$saved
		fi
		say "$label already running (multiwatch pid $pid)"
		return 0
	fi

	touch "$pool_log"
	# The workers open their log themselves, after dropping to www-data.
	((as_root)) && chown "$web_user:" "$pool_log"
	orphans_down "$pool_spawn_pid"
	rm -f -- "$pool_spawn_pid"

	for ((try = 0; try < 5; try++)); do
		if ((pool_tcp)); then
			if [[ -n $fixed ]]; then
				port=$fixed
				port_free "$port" || die "pool $i's port $port is in use by another process"
			else
				port=$(pick_port "${nginx_port:-0}")
			fi
			listen=(-a 127.0.0.1 -p "$port")
			pool_addr=127.0.0.1:$port
		else
			listen=(-s "$pool_sock" -M 0660)
			pool_addr=unix:$pool_sock
		fi
		# spawn-fcgi points the child's stdout/stderr at /dev/null, so a
		# small sh reopens both on the worker log first (as the dropped
		# user), then execs multiwatch, which keeps that stderr for itself
		# and the workers.  multiwatch restarts a crashed worker (up to 3
		# times in 10 s) and, on SIGTERM, sends the workers SIGUSR1, on
		# which a worker finishes its request in flight and exits 0
		# (cgi/places.c, run_fastcgi()).
		# spawn-fcgi's own messages go to spawn.out first, so that a
		# failure can quote them.
		rc=0
		# shellcheck disable=SC2016 # $0, $@ are the inner sh's
		detached env -i "${wenv[@]}" \
			spawn-fcgi "${listen[@]}" -P "$pool_spawn_pid" "${drop[@]}" -- \
			/bin/sh -c 'exec >>"$0" 2>&1; exec "$@"' "$pool_log" \
			/usr/bin/multiwatch -f "$n_workers" -- "${wrapper[@]}" "$bindir/places.fcgi" \
			>"$rundir/spawn.out" 2>&1 || rc=$?
		cat -- "$rundir/spawn.out" >>"$pool_log"
		((rc == 0)) && break
		# Only a TCP port someone took meanwhile is worth another try.
		((pool_tcp)) && [[ -z $fixed ]] && grep -q 'bind\|in use' "$rundir/spawn.out" && continue
		die "spawn-fcgi failed for $label (exit $rc): $(tail -n 3 "$rundir/spawn.out")"
	done
	((try < 5)) || die "spawn-fcgi could not bind a port for $label after 5 tries"

	# Up when all workers are forked, and still up a moment later (a worker
	# that dies at start-up is restarted and dies again).
	for ((k = 0; k < 50; k++)); do
		if pid=$(pool_pid "$i") && (($(workers_count "$pid") >= n_workers)); then
			break
		fi
		sleep 0.1
	done
	pid=$(pool_pid "$i") || die "$label did not start"
	started+=(workers)
	sleep 0.5
	pid=$(pool_pid "$i") || die "$label exited right after start"
	n=$(workers_count "$pid")
	((n >= n_workers)) || die "$label: only $n of $n_workers workers are running"
	say "$label started (multiwatch pid $pid, $n workers, ${pool_addr/#unix:/socket })"
}

# workers_up: every pool; sets pool_addrs (one address per pool).
workers_up() {
	local i
	local -a saved
	workers_prepare
	# The environment, for pool-start: only root (or the user running
	# the stack) may read it, since it can hold NEXTAUTH_SECRET.
	(
		umask 077
		printf '%s\0' "${wenv[@]}" >"$worker_envfile"
	)
	read -r -a saved <<<"$(saved_value POOL_ADDRS)"
	pool_addrs=()
	for ((i = 1; i <= npools; i++)); do
		local a=${saved[i - 1]:-}
		# A saved port that something else took meanwhile, for a pool
		# that is not running: pick a new one.
		if [[ $a == 127.0.0.1:* ]] && ! pool_pid "$i" >/dev/null && ! port_free "${a#127.0.0.1:}"; then
			a=
		fi
		pool_up "$i" "$a"
		pool_addrs+=("$pool_addr")
	done
}

# orphans_down PIDFILE: stop workers that outlived their multiwatch
# (killed with SIGKILL, OOM): they still serve the socket and would make
# spawn-fcgi refuse it.  They are found as members of the process group
# that the multiwatch recorded in PIDFILE led, running this stack's copy of
# the binary.
orphans_down() {
	local file=$1 old p
	local -a orphans=()
	[[ -f $file ]] || return 0
	old=$(head -n 1 -- "$file")
	[[ $old =~ ^[0-9]+$ ]] || return 0
	for p in $(group_pids "$old"); do
		[[ $p != "$old" ]] || continue
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$bindir/places.fcgi"; then
			orphans+=("$p")
		fi
	done
	((${#orphans[@]})) || return 0
	echo "stack: warning: stopping workers left without multiwatch: ${orphans[*]}" >&2
	kill -TERM "${orphans[@]}" 2>/dev/null || true
	if ! wait_gone 5 "${orphans[@]}"; then
		kill -KILL "${orphans[@]}" 2>/dev/null || true
		wait_gone 2 "${orphans[@]}" || true
	fi
}

# pool_down PIDFILE LABEL: stop the multiwatch recorded in PIDFILE and its
# workers.
pool_down() {
	local file=$1 label=$2 pid pids
	if ! pid=$(pidfile_pid "$file" multiwatch); then
		orphans_down "$file"
		say "$label not running"
		rm -f -- "$file"
		return 0
	fi
	# Everything to wait for: multiwatch, its children, and (spawn-fcgi made
	# multiwatch a session leader) anything left in its process group, such
	# as a wrapper's own children.
	mapfile -t pids < <({
		echo "$pid"
		child_pids "$pid"
		group_pids "$pid"
	} | sort -u)
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone 5 "${pids[@]}"; then
		echo "stack: warning: $label still running after 5 s, sending SIGKILL" >&2
		local left
		mapfile -t left < <(live_pids "${pids[@]}")
		if ((${#left[@]})); then
			kill -KILL "${left[@]}" 2>/dev/null || true
		fi
		wait_gone 2 "${pids[@]}" || echo "stack: warning: could not stop: $(live_pids "${pids[@]}" | xargs)" >&2
	fi
	rm -f -- "$file"
	say "$label stopped (multiwatch pid $pid)"
}

# workers_down: every pool there is a pid file for.
workers_down() {
	local f label
	local -a files
	mapfile -t files < <(spawn_pidfiles)
	if ((${#files[@]} == 0)); then
		say "workers not running"
		return 0
	fi
	for f in "${files[@]}"; do
		label=workers
		[[ $f == "$spawn_pid" ]] || label="pool $(basename "$f" .pid | sed 's/^spawn-//')"
		pool_down "$f" "$label"
	done
}

# ---------------------------------------------------------------------------
# nginx

nginx_cmd() {
	# -e: nginx writes to its built-in error log (/var/log/nginx) before it
	# reads the config unless told otherwise.
	nginx -p "$nginxdir/" -c "$nginxdir/nginx.conf" -e "$nginx_error_log" "$@"
}

# pools_variant EXAMPLE: nginx.conf.example's "#pools" variant for the
# pools in pool_addrs: the one-socket fastcgi_pass lines dropped, every
# "#pools " line un-commented, and its template upstream server line (the
# one for /run/places-fcgi/places-1.sock) repeated once per pool with that
# pool's address (the other template lines dropped).  Fails if any of the
# three is missing.
pools_variant() {
	awk -v addrs="${pool_addrs[*]}" '
		BEGIN { n = split(addrs, a, " ") }
		/^[ \t]*fastcgi_pass unix:\/run\/places-fcgi\/places\.sock;/ { dropped++; next }
		/^[ \t]*#pools / {
			line = $0
			sub(/#pools /, "", line)
			if (line ~ /^[ \t]*server unix:\/run\/places-fcgi\/places-[0-9]+\.sock[ ;]/) {
				if (!servers++)
					for (i = 1; i <= n; i++) {
						l = line
						sub(/unix:\/run\/places-fcgi\/places-[0-9]+\.sock/, a[i], l)
						print l
					}
				next
			}
			uncommented++
			print line
			next
		}
		{ print }
		END { exit !(dropped && servers && uncommented) }' "$1"
}

# nginx_config PORT: write DIR/nginx/{nginx.conf,server.conf,fastcgi_params,mime.types}.
# One pool: nginx.conf.example with its listen address and socket path
# replaced; several: its "#pools" variant (pools_variant), listen replaced.
nginx_config() {
	local port=$1 example=$repo/nginx.conf.example lit
	[[ -f $example ]] || die "missing $example"
	mkdir -p "$nginxdir/tmp"
	# Relative includes in server.conf resolve next to nginx.conf.
	cp -- /etc/nginx/fastcgi_params /etc/nginx/mime.types "$nginxdir/"
	for lit in 127.0.0.1:8080 /run/places-fcgi/places.sock; do
		grep -qF -- "$lit" "$example" || die "nginx.conf.example no longer contains '$lit'"
	done
	if ((npools == 1)); then
		sed -e "s|127\\.0\\.0\\.1:8080|127.0.0.1:$port|g" \
			-e "s|/run/places-fcgi/places\\.sock|$worker_sock|g" \
			"$example" >"$nginxdir/server.conf"
	else
		pools_variant "$example" >"$nginxdir/server.conf.tmp" ||
			die "nginx.conf.example lacks its \"#pools\" variant (upstream, server template, fastcgi_pass)"
		sed -e "s|127\\.0\\.0\\.1:8080|127.0.0.1:$port|g" "$nginxdir/server.conf.tmp" >"$nginxdir/server.conf"
		rm -f -- "$nginxdir/server.conf.tmp"
		# Every path that matters was replaced (comments aside).
		! grep -v '^[[:space:]]*#' "$nginxdir/server.conf" | grep -q '/run/places-fcgi/' ||
			die "the \"#pools\" variant of nginx.conf.example names a socket this script does not map"
	fi

	local user_line=""
	# The master stays root; its workers must be in the socket's group.
	((as_root)) && user_line="user $web_user;"
	cat >"$nginxdir/nginx.conf" <<-EOF
		# Generated by tools/stack.sh for the stack in $dir; edit nginx.conf.example.
		$user_line
		pid $nginx_pid;
		error_log $nginx_error_log;
		daemon on;
		worker_processes 2;

		events {
		    worker_connections 256;
		}

		http {
		    include mime.types;
		    default_type application/octet-stream;
		    access_log $nginx_access_log;

		    # Debian's built-in temp paths are under /var/lib/nginx.
		    client_body_temp_path $nginxdir/tmp/client_body;
		    proxy_temp_path $nginxdir/tmp/proxy;
		    fastcgi_temp_path $nginxdir/tmp/fastcgi;
		    uwsgi_temp_path $nginxdir/tmp/uwsgi;
		    scgi_temp_path $nginxdir/tmp/scgi;

		    include $nginxdir/server.conf;
		}
	EOF
}

nginx_check() {
	local out
	out=$(nginx_cmd -t -q 2>&1) || {
		echo "$out" >&2
		die "nginx -t rejected $nginxdir/nginx.conf"
	}
}

nginx_pidnow() {
	pidfile_pid "$nginx_pid" nginx
}

# nginx_up FIXED_PORT: like pg_up, for nginx; sets nginx_port.
nginx_up() {
	local fixed=$1 pid try before i
	current_log=$nginx_error_log
	if pid=$(nginx_pidnow); then
		nginx_port=$(sed -n 's/^ *listen 127\.0\.0\.1:\([0-9]*\);.*/\1/p' "$nginxdir/server.conf" | head -n 1)
		[[ -z $fixed || $fixed == "$nginx_port" ]] ||
			die "nginx in $dir already runs on port $nginx_port, not $fixed; stop it first"
		say "nginx already running (pid $pid, port $nginx_port)"
		return 0
	fi
	touch "$nginx_error_log"
	for ((try = 0; try < 5; try++)); do
		if [[ -n $fixed ]]; then
			nginx_port=$fixed
			port_free "$nginx_port" || die "NGINX_PORT $nginx_port is in use by another process"
		else
			nginx_port=$(pick_port "$pgport")
		fi
		nginx_config "$nginx_port"
		nginx_check
		before=$(stat -c %s "$nginx_error_log")
		if detached nginx_cmd >>"$nginx_error_log" 2>&1; then
			break
		fi
		tail -c +"$((before + 1))" "$nginx_error_log" | grep -q 'Address already in use' ||
			die "nginx did not start"
		[[ -z $fixed ]] || die "nginx could not bind port $nginx_port"
	done
	((try < 5)) || die "nginx could not bind a port after 5 tries"

	# "daemon on": nginx has bound the port before it returns, but the pid
	# file and workers follow; any HTTP answer means it is serving.
	for ((i = 0; i < 50; i++)); do
		if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$nginx_port/"; then
			break
		fi
		sleep 0.1
	done
	pid=$(nginx_pidnow) || die "nginx exited after start"
	started+=(nginx)
	((i < 50)) || die "nginx does not answer on port $nginx_port"
	say "nginx started (pid $pid, port $nginx_port)"
}

nginx_down() {
	local pid pids
	if ! pid=$(nginx_pidnow); then
		say "nginx not running"
		return 0
	fi
	mapfile -t pids < <({
		echo "$pid"
		child_pids "$pid"
	})
	# QUIT: finish the requests in flight, then exit.
	kill -QUIT "$pid" 2>/dev/null || true
	if ! wait_gone 5 "${pids[@]}"; then
		echo "stack: warning: nginx still running after 5 s, sending SIGKILL" >&2
		local left
		mapfile -t left < <(live_pids "${pids[@]}")
		if ((${#left[@]})); then
			kill -KILL "${left[@]}" 2>/dev/null || true
		fi
		wait_gone 2 "${pids[@]}" || true
	fi
	rm -f -- "$nginx_pid"
	say "nginx stopped (pid $pid)"
}

# ---------------------------------------------------------------------------
# Commands

# Set by start for the failure handler: what this run started, and the log
# that explains a failure of the step in progress.
started=()
current_log=

on_exit() {
	local rc=$?
	((rc == 0)) && return 0
	[[ -n $current_log ]] && log_tail "$current_log"
	local i
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		echo "stack: stopping ${started[i]} started by this run" >&2
		case ${started[i]} in
		pg) pg_down >&2 || true ;;
		replica) replica_down >&2 || true ;;
		pgbouncer) bouncer_down >&2 || true ;;
		workers) workers_down >&2 || true ;;
		nginx) nginx_down >&2 || true ;;
		esac
	done
	exit "$rc"
}

# quote VALUE: VALUE in single quotes for a sourceable shell file.
quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# write_env: DIR/stack.env.  The names of what start reads from the
# environment (POOLS, WORKERS, ...) are saved under other names
# (STACK_POOLS, ...), so that a shell that sourced one stack's file does
# not configure the next stack it starts.
write_env() {
	local tmp=$envfile.tmp k i logs="" rlog="" blog=""
	((want_replica)) && rlog=$replica_log
	((want_bouncer)) && blog=$bouncer_log
	for ((i = 1; i <= npools; i++)); do
		pool_paths "$i"
		logs+="${logs:+ }$pool_log"
	done
	local -a keys=(STATE_DIR BASE_URL NGINX_PORT PGHOST PGPORT PGUSER PGDATABASE
		DATABASE_URL WORKER_LOG NGINX_ERROR_LOG NGINX_ACCESS_LOG PG_LOG
		STACK_POOLS STACK_WORKERS STACK_WORKER_WRAPPER POOL_ADDRS WORKER_LOGS
		WORKER_DATABASE_URL DATABASE_READ_URL REPLICA_PORT REPLICA_LOG
		PGBOUNCER_PORT PGBOUNCER_LOG)
	pool_paths 1
	local -A v=(
		[STATE_DIR]=$dir
		[BASE_URL]=http://127.0.0.1:$nginx_port
		[NGINX_PORT]=$nginx_port
		[PGHOST]=$rundir
		[PGPORT]=$pgport
		[PGUSER]=places
		[PGDATABASE]=places
		[DATABASE_URL]=$database_url
		[WORKER_LOG]=$pool_log
		[NGINX_ERROR_LOG]=$nginx_error_log
		[NGINX_ACCESS_LOG]=$nginx_access_log
		[PG_LOG]=$pg_log
		[STACK_POOLS]=$npools
		[STACK_WORKERS]=$n_workers
		[STACK_WORKER_WRAPPER]=$wrapper_line
		[POOL_ADDRS]="${pool_addrs[*]}"
		[WORKER_LOGS]=$logs
		[WORKER_DATABASE_URL]=$worker_database_url
		[DATABASE_READ_URL]=$database_read_url
		[REPLICA_PORT]=${replica_port:-}
		[REPLICA_LOG]=$rlog
		[PGBOUNCER_PORT]=${bouncer_port:-}
		[PGBOUNCER_LOG]=$blog
	)
	{
		echo "# Written by tools/stack.sh start.  Plain assignments: to hand them"
		echo "# to child processes (psql, tools/placesctl), source with"
		echo "#   set -a; . $envfile; set +a"
		echo "# DATABASE_URL and PG* reach PostgreSQL (the primary) directly;"
		echo "# WORKER_DATABASE_URL is what the workers use (pgbouncer, with PGBOUNCER=1)."
		for k in "${keys[@]}"; do
			echo "$k=$(quote "${v[$k]}")"
		done
	} >"$tmp"
	mv -f -- "$tmp" "$envfile"
}

# make_dirs: the state directory layout, with owners that let each daemon
# user reach what it needs when we run as root.
make_dirs() {
	mkdir -p "$rundir" "$logdir" "$nginxdir" "$bindir"
	# Traversable by postgres and www-data.
	chmod 755 "$dir" "$rundir" "$logdir" "$nginxdir" "$bindir"
	touch "$pg_log" "$replica_log" "$bouncer_log"
	if ((as_root)); then
		# PostgreSQL (and pgbouncer, as postgres) put their sockets, lock
		# and pid files in run/ and append to their logs.
		chown postgres: "$rundir" "$pg_log" "$replica_log" "$bouncer_log"
		runuser -u postgres -- test -w "$rundir" ||
			die "user postgres cannot reach $rundir (is a parent directory closed to others?)"
	fi
}

# flag NAME: 1 if the environment variable NAME is 1, 0 if unset, empty or
# 0; anything else is an error.
flag() {
	case ${!1:-0} in
	0) echo 0 ;;
	1) echo 1 ;;
	*) die "$1 must be 0 or 1, not '${!1}'" ;;
	esac
}

cmd_start() {
	set_paths "$1" 1
	trap on_exit EXIT
	trap 'exit 130' INT TERM
	make_dirs

	npools=${POOLS:-1}
	[[ $npools =~ ^[1-9][0-9]?$ ]] || die "POOLS must be a number from 1 to 99, not '$npools'"
	pool_tcp=$(flag POOL_TCP)
	((pool_tcp && npools == 1)) && die "POOL_TCP=1 needs POOLS > 1 (one pool is nginx's unix socket)"
	want_replica=$(flag REPLICA)
	want_bouncer=$(flag PGBOUNCER)
	# Pools run with the layout they were started with: no mixing.
	local f
	for f in $(spawn_pidfiles); do
		if pidfile_pid "$f" multiwatch >/dev/null &&
			{ [[ $f == "$spawn_pid" && $npools != 1 ]] || [[ $f != "$spawn_pid" && $npools == 1 ]]; }; then
			die "workers in $dir run with another POOLS than $npools; stop the stack first"
		fi
	done

	local want_pg=${PGPORT:-} want_nginx=${NGINX_PORT:-}
	[[ -n $want_pg ]] && check_port PGPORT "$want_pg"
	[[ -n $want_nginx ]] && check_port NGINX_PORT "$want_nginx"
	# Same ports as last time unless told otherwise, so restarts keep URLs.
	[[ -n $want_pg ]] || want_pg=$(saved_value PGPORT)
	[[ -n $want_nginx ]] || want_nginx=$(saved_value NGINX_PORT)
	[[ -z $want_pg || -z $want_nginx || $want_pg != "$want_nginx" ]] ||
		die "PGPORT and NGINX_PORT are both $want_pg"
	nginx_port=$want_nginx

	# A saved port that something else took meanwhile is not worth failing
	# for when nobody asked for it: pick a new one.
	if [[ -z ${PGPORT:-} && -n $want_pg ]] && ! pg_pid >/dev/null && ! port_free "$want_pg"; then
		want_pg=
	fi
	if [[ -z ${NGINX_PORT:-} && -n $want_nginx ]] && ! nginx_pidnow >/dev/null && ! port_free "$want_nginx"; then
		want_nginx=
		nginx_port=
	fi
	local want_replica_port want_bouncer_port
	want_replica_port=$(saved_value REPLICA_PORT)
	if [[ -n $want_replica_port ]] && ! replica_pid >/dev/null && ! port_free "$want_replica_port"; then
		want_replica_port=
	fi
	want_bouncer_port=$(saved_value PGBOUNCER_PORT)
	if [[ -n $want_bouncer_port ]] && ! bouncer_pidnow >/dev/null && ! port_free "$want_bouncer_port"; then
		want_bouncer_port=
	fi

	pg_init
	pg_up "$want_pg"
	database_url="host=$rundir port=$pgport dbname=places user=places"
	worker_database_url=$database_url
	database_read_url=
	pg_setup
	replica_port=
	if ((want_replica)); then
		replica_up "$want_replica_port"
		database_read_url="host=$rundir port=$replica_port dbname=places user=places"
	fi
	workers_env
	if ((want_bouncer)); then
		local total=$((npools * n_workers)) cap=$((2 * $(nproc)))
		bouncer_pool_size=${PGBOUNCER_POOL_SIZE:-$((total < cap ? total : cap))}
		[[ $bouncer_pool_size =~ ^[1-9][0-9]*$ ]] ||
			die "PGBOUNCER_POOL_SIZE must be a positive number, not '$bouncer_pool_size'"
		bouncer_up "$want_bouncer_port"
		worker_database_url="host=$rundir port=$bouncer_port dbname=places user=places"
		((want_replica)) &&
			database_read_url="host=$rundir port=$bouncer_port dbname=places_replica user=places"
		workers_env
	fi
	workers_up
	nginx_up "$want_nginx"
	current_log=
	write_env

	# One request through nginx to the socket: a permission or path problem
	# between them shows here, not in the first test.  With several pools,
	# one per pool (round robin).
	local code i
	for ((i = 0; i < npools; i++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 "http://127.0.0.1:$nginx_port/api/places") || code=000
		if [[ $code == 502 || $code == 503 || $code == 504 || $code == 000 ]]; then
			pool_paths 1
			log_tail "$pool_log"
			current_log=$nginx_error_log
			die "GET /api/places through nginx answered $code: nginx cannot reach the workers"
		fi
	done
	say "up: BASE_URL=http://127.0.0.1:$nginx_port (GET /api/places: $code); source $envfile"
}

cmd_stop() {
	if ! set_paths "$1" 0; then
		say "no state directory $1, nothing to stop"
		return 0
	fi
	# Front to back: no new requests, then no workers, then no database.
	nginx_down || true
	workers_down || true
	# The optional parts only where start set them up once.
	[[ ! -f $bouncer_ini ]] || bouncer_down || true
	[[ ! -f $replica_data/PG_VERSION ]] || replica_down || true
	pg_down || true
}

cmd_pg_stop() {
	set_paths "$1" 0 || die "no state directory $1"
	pg_down
}

# restart_port DATA KEY HOW: for starting a server of DIR's again, on the
# port recorded under KEY (the workers' URLs name it: it must not change);
# dies, saying to run HOW first, without DATA's cluster or the port.
restart_port() {
	local port
	[[ -f $1/PG_VERSION ]] || die "no cluster in $1; run $3 first"
	port=$(saved_value "$2")
	[[ -n $port ]] || die "no $2 in $envfile; run $3 first"
	echo "$port"
}

cmd_pg_start() {
	set_paths "$1" 0 || die "no state directory $1"
	local port
	port=$(restart_port "$pgdata" PGPORT start) || exit 1
	trap on_exit EXIT
	pg_up "$port"
	# Behind pgbouncer, up means reachable the way the workers reach it:
	# after failed attempts pgbouncer answers new logins with its cached
	# error until a retry of its own (server_login_retry) has succeeded.
	if bouncer_pidnow >/dev/null; then
		local i bport
		bport=$(saved_value PGBOUNCER_PORT)
		for ((i = 0; i < 50; i++)); do
			psql -X -q -At -h "$rundir" -p "$bport" -U places -d places -c 'SELECT 1' >/dev/null 2>&1 && break
			sleep 0.1
		done
		((i < 50)) || die "PostgreSQL is up, but not reachable through pgbouncer after 5 s"
		say "reachable through pgbouncer (port $bport)"
	fi
}

# pool_arg N: check that pool N exists in DIR's stack; sets npools,
# pool_tcp.
pool_arg() {
	npools=$(saved_value STACK_POOLS)
	[[ -n $npools ]] || die "no STACK_POOLS in $envfile; run start first"
	if [[ ! $1 =~ ^[1-9][0-9]*$ ]] || (($1 > npools)); then
		die "no pool '$1': the stack has pools 1..$npools"
	fi
	pool_tcp=0
	[[ $(saved_value POOL_ADDRS) == *127.0.0.1:* ]] && pool_tcp=1
	return 0
}

cmd_pool_stop() {
	set_paths "$1" 0 || die "no state directory $1"
	pool_arg "$2"
	pool_paths "$2"
	pool_down "$pool_spawn_pid" "$( ((npools == 1)) && echo workers || echo "pool $2")"
}

cmd_pool_start() {
	set_paths "$1" 0 || die "no state directory $1"
	pool_arg "$2"
	[[ -f $worker_envfile ]] || die "no $worker_envfile; run start first"
	trap on_exit EXIT
	mapfile -d '' -t wenv <"$worker_envfile"
	n_workers=$(saved_value STACK_WORKERS)
	wrapper_line=$(saved_value STACK_WORKER_WRAPPER)
	nginx_port=$(saved_value NGINX_PORT)
	local -a saved
	read -r -a saved <<<"$(saved_value POOL_ADDRS)"
	workers_prepare keep
	pool_up "$2" "${saved[$2 - 1]:-}"
	[[ $pool_addr == "${saved[$2 - 1]:-}" ]] ||
		die "pool $2 came up on $pool_addr, not ${saved[$2 - 1]:-?} as nginx expects"
}

cmd_replica_stop() {
	set_paths "$1" 0 || die "no state directory $1"
	replica_down
}

cmd_replica_start() {
	set_paths "$1" 0 || die "no state directory $1"
	local port
	port=$(restart_port "$replica_data" REPLICA_PORT "start with REPLICA=1") || exit 1
	trap on_exit EXIT
	replica_up "$port"
}

cmd_bouncer_stop() {
	set_paths "$1" 0 || die "no state directory $1"
	bouncer_down
}

cmd_bouncer_start() {
	set_paths "$1" 0 || die "no state directory $1"
	local port
	port=$(saved_value PGBOUNCER_PORT)
	[[ -n $port && -f $bouncer_ini ]] || die "no pgbouncer in $dir; run start with PGBOUNCER=1 first"
	trap on_exit EXIT
	current_log=$bouncer_log
	bouncer_pidnow >/dev/null && { say "pgbouncer already running"; return 0; }
	port_free "$port" || die "pgbouncer's port $port is in use by another process"
	# The configuration start wrote, as it is.
	detached as_pg pgbouncer -d -q "$bouncer_ini" >>"$bouncer_log" 2>&1 || die "pgbouncer did not start"
	local i pid
	for ((i = 0; i < 50; i++)); do
		pid=$(bouncer_pidnow) && ! port_free "$port" && break
		sleep 0.1
	done
	pid=$(bouncer_pidnow) || die "pgbouncer did not start"
	started+=(pgbouncer)
	say "pgbouncer started (pid $pid, port $port)"
}

cmd_status() {
	set_paths "$1" 0 || die "no state directory $1"
	local pid i
	if pid=$(pg_pid); then
		echo "postgres: running (pid $pid, port $(sed -n 4p "$pgdata/postmaster.pid"))"
	else
		echo "postgres: stopped"
	fi
	if [[ -f $replica_data/PG_VERSION ]]; then
		if pid=$(replica_pid); then
			echo "replica: running (pid $pid, port $(sed -n 4p "$replica_data/postmaster.pid"))"
		else
			echo "replica: stopped"
		fi
	fi
	if [[ -f $bouncer_ini ]]; then
		if pid=$(bouncer_pidnow); then
			echo "pgbouncer: running (pid $pid, port $(saved_value PGBOUNCER_PORT))"
		else
			echo "pgbouncer: stopped"
		fi
	fi
	npools=$(saved_value STACK_POOLS)
	npools=${npools:-1}
	if ((npools == 1)); then
		if pid=$(pool_pid 1); then
			echo "workers: running (pid $pid, $(workers_count "$pid") workers)"
		else
			echo "workers: stopped"
		fi
	else
		for ((i = 1; i <= npools; i++)); do
			if pid=$(pool_pid "$i"); then
				echo "pool $i: running (pid $pid, $(workers_count "$pid") workers)"
			else
				echo "pool $i: stopped"
			fi
		done
	fi
	if pid=$(nginx_pidnow); then
		echo "nginx: running (pid $pid, port $(saved_value NGINX_PORT))"
	else
		echo "nginx: stopped"
	fi
}

cmd_psql() {
	set_paths "$1" 0 || die "no state directory $1"
	shift
	pgport=$(saved_value PGPORT)
	[[ -n $pgport ]] || die "no PGPORT in $envfile; run start first"
	psql_as places -d places "$@"
}

cmd_nginx_test() {
	set_paths "$1" 1
	mkdir -p "$rundir" "$logdir" "$nginxdir"
	local port i
	port=$(saved_value NGINX_PORT)
	[[ -n $port ]] || port=${NGINX_PORT:-8080}
	npools=$(saved_value STACK_POOLS)
	npools=${npools:-${POOLS:-1}}
	read -r -a pool_addrs <<<"$(saved_value POOL_ADDRS)"
	if ((${#pool_addrs[@]} != npools)); then
		pool_addrs=()
		for ((i = 1; i <= npools; i++)); do
			pool_paths "$i"
			pool_addrs+=("unix:$pool_sock")
		done
	fi
	nginx_config "$port"
	nginx_cmd -t
}

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
replica-stop) cmd_replica_stop "$state_arg" ;;
replica-start) cmd_replica_start "$state_arg" ;;
pgbouncer-stop) cmd_bouncer_stop "$state_arg" ;;
pgbouncer-start) cmd_bouncer_start "$state_arg" ;;
status) cmd_status "$state_arg" ;;
psql) cmd_psql "$state_arg" "$@" ;;
nginx-test) cmd_nginx_test "$state_arg" ;;
*) usage ;;
esac
