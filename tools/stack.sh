#!/usr/bin/env bash
# Start and stop a private places-fcgi stack (PostgreSQL 15, FastCGI workers,
# nginx) inside one state directory, on loopback ports of its own, so tests
# and several stacks can run side by side without touching system services.
#
# Usage:
#   tools/stack.sh start DIR       create/reuse DIR, start everything, write DIR/stack.env
#   tools/stack.sh stop DIR        stop nginx, the workers and PostgreSQL
#   tools/stack.sh pg-stop DIR     stop only PostgreSQL
#   tools/stack.sh pg-start DIR    start only PostgreSQL again, on the same port
#   tools/stack.sh status DIR      one line per component: running (pid N) / stopped
#   tools/stack.sh psql DIR [ARGS] psql as user places on database places
#   tools/stack.sh nginx-test DIR  generate DIR's nginx config and run nginx -t
#
# Environment read by start:
#   WORKER          worker binary (default: cgi/places.fcgi in this repository);
#                   copied to DIR/bin/ so www-data can run it wherever the
#                   repository lives
#   WORKER_WRAPPER  command prefix for each worker, split on spaces
#                   (e.g. "valgrind --error-exitcode=99 --leak-check=full")
#   WORKERS         number of worker processes (default 2)
#   NGINX_PORT, PGPORT  ports on 127.0.0.1 (default: the ports DIR used
#                   last time, else free ones picked at random)
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

port_free() {
	[[ -z $(ss -Hltn "sport = :$1") ]]
}

# pick_port NOT: a port in 20000-60999 free on this machine, other than NOT.
pick_port() {
	local not=$1 p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 41000))
		if ((p != not)) && port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found in 20000-60999"
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
# PostgreSQL

pg_pid() {
	# Line 1 of postmaster.pid is the postmaster's PID.
	pidfile_pid "$pgdata/postmaster.pid" postgres
}

pg_init() {
	[[ -f $pgdata/PG_VERSION ]] && return 0
	say "initdb $pgdata"
	mkdir -p "$pgdata"
	chmod 700 "$pgdata"
	((as_root)) && chown postgres: "$pgdata"
	current_log=$pg_log
	# trust: the cluster listens on 127.0.0.1 and a private socket only,
	# and holds test data.  C locale: byte-order collation, no dependency on
	# the machine's locales.
	as_pg "$pgbin/initdb" -D "$pgdata" --auth=trust -U postgres -E UTF8 --locale=C \
		>>"$pg_log" 2>&1 || die "initdb failed"
}

# pg_start_on PORT: start the cluster on PORT; false if PORT was taken.
pg_start_on() {
	local port=$1 before
	before=$(stat -c %s "$pg_log")
	# shellcheck disable=SC2094 # pg_ctl and the server both only append
	if detached as_pg "$pgbin/pg_ctl" start -w -t 60 -D "$pgdata" -l "$pg_log" \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$rundir -c fsync=on" \
		>>"$pg_log" 2>&1; then
		return 0
	fi
	# pg_ctl gave up waiting but the server may still be coming up: it is
	# ours to stop.
	pg_pid >/dev/null && started+=(pg)
	# Only a lost race for the port is worth another try.
	if tail -c +"$((before + 1))" "$pg_log" | grep -q 'could not bind\|Address already in use'; then
		return 1
	fi
	die "PostgreSQL did not start"
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
		if pg_start_on "$pgport"; then
			started+=(pg)
			say "postgres started (pid $(pg_pid), port $pgport)"
			return 0
		fi
		[[ -z $fixed ]] || die "PostgreSQL could not bind port $pgport"
	done
	die "PostgreSQL could not bind a port after 5 tries"
}

pg_down() {
	local pid
	if ! pid=$(pg_pid); then
		say "postgres not running"
		return 0
	fi
	# fast: roll back open transactions and disconnect clients, then stop.
	if detached as_pg "$pgbin/pg_ctl" stop -m fast -w -t 30 -D "$pgdata" >>"$pg_log" 2>&1; then
		say "postgres stopped (pid $pid)"
	else
		echo "stack: warning: pg_ctl stop failed for pid $pid" >&2
		log_tail "$pg_log"
		return 1
	fi
}

psql_as() {
	local user=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$rundir" -p "$pgport" -U "$user" "$@"
}

# pg_setup: the places role and database, then the schema migrations.
pg_setup() {
	current_log=$pg_log
	# \gexec runs each generated statement on its own: CREATE DATABASE
	# cannot run inside a transaction block.
	psql_as postgres -d postgres <<-'SQL' || die "creating role/database places failed"
		SELECT 'CREATE ROLE places LOGIN'
		WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'places')
		\gexec
		SELECT 'CREATE DATABASE places OWNER places'
		WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'places')
		\gexec
	SQL
	current_log=
	# The repository's migrations, whatever an installed copy holds.
	[[ -x $here/placesctl ]] || die "$here/placesctl is not built; run make"
	DATABASE_URL=$database_url "$here/placesctl" migrate --dir "$repo/sql" |
		sed 's/^/stack: /' || die "migrations failed"
}

# ---------------------------------------------------------------------------
# Workers

workers_pid() {
	# The sh that redirects stderr execs multiwatch: same PID.
	pidfile_pid "$spawn_pid" multiwatch
}

# workers_count PID: live workers under multiwatch PID.
workers_count() {
	local kids
	mapfile -t kids < <(child_pids "$1")
	((${#kids[@]} == 0)) && echo 0 && return 0
	live_pids "${kids[@]}" | wc -l
}

workers_up() {
	local pid worker n i
	current_log=$worker_log
	if pid=$(workers_pid); then
		say "workers already running (multiwatch pid $pid)"
		return 0
	fi

	worker=$worker_src
	[[ -f $worker && -x $worker ]] ||
		die "worker binary not found or not executable: $worker (run make, or set WORKER)"
	# Copy, then rename: a running old copy keeps its inode, and cp onto a
	# busy executable would fail with ETXTBSY.
	install -m 0755 -- "$worker" "$bindir/.places.fcgi.new"
	mv -f -- "$bindir/.places.fcgi.new" "$bindir/places.fcgi"

	local n_workers=${WORKERS:-2}
	[[ $n_workers =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive number, not '$n_workers'"
	local -a wrapper=()
	read -r -a wrapper <<<"${WORKER_WRAPPER:-}"
	if ((${#wrapper[@]})); then
		# multiwatch uses execv, which does not search PATH.
		wrapper[0]=$(command -v -- "${wrapper[0]}") ||
			die "WORKER_WRAPPER command not found: ${WORKER_WRAPPER}"
	fi

	touch "$worker_log"
	local -a drop=()
	if ((as_root)); then
		# The workers open their log themselves, after dropping to www-data.
		chown "$web_user:" "$worker_log"
		runuser -u "$web_user" -- test -x "$bindir/places.fcgi" ||
			die "$web_user cannot execute $bindir/places.fcgi (a parent directory closed to others?)"
		drop=(-u "$web_user" -g "$web_user" -U "$web_user" -G "$web_user")
	fi

	# The workers' whole environment: the caller's PG* variables (e.g. a
	# sourced stack.env of another stack) must not steer libpq.
	local -a wenv=(
		"PATH=/usr/local/bin:/usr/bin:/bin"
		"DATABASE_URL=$database_url"
		"PLACES_LOG_LEVEL=${PLACES_LOG_LEVEL:-info}"
		"PLACES_MAX_BODY=${PLACES_MAX_BODY:-65536}"
	)
	local name
	for name in $(compgen -e); do
		case $name in
		PLACES_LOG_LEVEL | PLACES_MAX_BODY) ;;
		PLACES_* | NEXTAUTH_SECRET | TZ | *SAN_OPTIONS) wenv+=("$name=${!name}") ;;
		esac
	done

	orphans_down
	rm -f -- "$spawn_pid"
	# spawn-fcgi points the child's stdout/stderr at /dev/null, so a small sh
	# reopens both on the worker log first (as the dropped user), then execs
	# multiwatch, which keeps that stderr for itself and the workers.
	# multiwatch restarts a crashed worker (up to 3 times in 10 s) and, on
	# SIGTERM, sends the workers SIGUSR1: libfcgi's graceful stop, where
	# FCGX_Accept returns -1 after the current request.
	# shellcheck disable=SC2016,SC2094 # $0, $@ are the inner sh's; all append
	detached env -i "${wenv[@]}" \
		spawn-fcgi -s "$worker_sock" -M 0660 -P "$spawn_pid" "${drop[@]}" -- \
		/bin/sh -c 'exec >>"$0" 2>&1; exec "$@"' "$worker_log" \
		/usr/bin/multiwatch -f "$n_workers" -- "${wrapper[@]}" "$bindir/places.fcgi" \
		>>"$worker_log" 2>&1 || die "spawn-fcgi failed"

	# Up when all workers are forked, and still up a moment later (a worker
	# that dies at start-up is restarted and dies again).
	for ((i = 0; i < 50; i++)); do
		if pid=$(workers_pid) && (($(workers_count "$pid") >= n_workers)); then
			break
		fi
		sleep 0.1
	done
	pid=$(workers_pid) || die "workers did not start"
	started+=(workers)
	sleep 0.5
	pid=$(workers_pid) || die "workers exited right after start"
	n=$(workers_count "$pid")
	((n >= n_workers)) || die "only $n of $n_workers workers are running"
	say "workers started (multiwatch pid $pid, $n workers, socket $worker_sock)"
}

# orphans_down: stop workers that outlived their multiwatch (killed with
# SIGKILL, OOM): they still serve the socket and would make spawn-fcgi
# refuse it.  They are found as members of the process group that the
# recorded multiwatch led, running this stack's copy of the binary.
orphans_down() {
	local old p
	local -a orphans=()
	[[ -f $spawn_pid ]] || return 0
	old=$(head -n 1 -- "$spawn_pid")
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

workers_down() {
	local pid pids
	if ! pid=$(workers_pid); then
		orphans_down
		say "workers not running"
		rm -f -- "$spawn_pid"
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
		echo "stack: warning: workers still running after 5 s, sending SIGKILL" >&2
		local left
		mapfile -t left < <(live_pids "${pids[@]}")
		if ((${#left[@]})); then
			kill -KILL "${left[@]}" 2>/dev/null || true
		fi
		wait_gone 2 "${pids[@]}" || echo "stack: warning: could not stop: $(live_pids "${pids[@]}" | xargs)" >&2
	fi
	rm -f -- "$spawn_pid"
	say "workers stopped (multiwatch pid $pid)"
}

# ---------------------------------------------------------------------------
# nginx

nginx_cmd() {
	# -e: nginx writes to its built-in error log (/var/log/nginx) before it
	# reads the config unless told otherwise.
	nginx -p "$nginxdir/" -c "$nginxdir/nginx.conf" -e "$nginx_error_log" "$@"
}

# nginx_config PORT: write DIR/nginx/{nginx.conf,server.conf,fastcgi_params,mime.types}.
nginx_config() {
	local port=$1 example=$repo/nginx.conf.example lit
	[[ -f $example ]] || die "missing $example"
	mkdir -p "$nginxdir/tmp"
	# Relative includes in server.conf resolve next to nginx.conf.
	cp -- /etc/nginx/fastcgi_params /etc/nginx/mime.types "$nginxdir/"
	for lit in 127.0.0.1:8080 /run/places-fcgi/places.sock; do
		grep -qF -- "$lit" "$example" || die "nginx.conf.example no longer contains '$lit'"
	done
	sed -e "s|127\\.0\\.0\\.1:8080|127.0.0.1:$port|g" \
		-e "s|/run/places-fcgi/places\\.sock|$worker_sock|g" \
		"$example" >"$nginxdir/server.conf"

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

write_env() {
	local tmp=$envfile.tmp k
	local -a keys=(STATE_DIR BASE_URL NGINX_PORT PGHOST PGPORT PGUSER PGDATABASE
		DATABASE_URL WORKER_LOG NGINX_ERROR_LOG NGINX_ACCESS_LOG PG_LOG)
	local -A v=(
		[STATE_DIR]=$dir
		[BASE_URL]=http://127.0.0.1:$nginx_port
		[NGINX_PORT]=$nginx_port
		[PGHOST]=$rundir
		[PGPORT]=$pgport
		[PGUSER]=places
		[PGDATABASE]=places
		[DATABASE_URL]=$database_url
		[WORKER_LOG]=$worker_log
		[NGINX_ERROR_LOG]=$nginx_error_log
		[NGINX_ACCESS_LOG]=$nginx_access_log
		[PG_LOG]=$pg_log
	)
	{
		echo "# Written by tools/stack.sh start.  Plain assignments: to hand them"
		echo "# to child processes (psql, tools/placesctl), source with"
		echo "#   set -a; . $envfile; set +a"
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
	touch "$pg_log"
	if ((as_root)); then
		# PostgreSQL puts its socket and lock file in run/ and appends to its log.
		chown postgres: "$rundir" "$pg_log"
		runuser -u postgres -- test -w "$rundir" ||
			die "user postgres cannot reach $rundir (is a parent directory closed to others?)"
	fi
}

cmd_start() {
	set_paths "$1" 1
	trap on_exit EXIT
	trap 'exit 130' INT TERM
	make_dirs

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

	pg_init
	pg_up "$want_pg"
	database_url="host=$rundir port=$pgport dbname=places user=places"
	pg_setup
	workers_up
	nginx_up "$want_nginx"
	current_log=
	write_env

	# One request through nginx to the socket: a permission or path problem
	# between them shows here, not in the first test.
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 "http://127.0.0.1:$nginx_port/api/places") || code=000
	if [[ $code == 502 || $code == 503 || $code == 504 || $code == 000 ]]; then
		log_tail "$worker_log"
		current_log=$nginx_error_log
		die "GET /api/places through nginx answered $code: nginx cannot reach the workers"
	fi
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
	pg_down || true
}

cmd_pg_stop() {
	set_paths "$1" 0 || die "no state directory $1"
	pg_down
}

cmd_pg_start() {
	set_paths "$1" 0 || die "no state directory $1"
	[[ -f $pgdata/PG_VERSION ]] || die "no cluster in $pgdata; run start first"
	local port
	port=$(saved_value PGPORT)
	[[ -n $port ]] || die "no PGPORT in $envfile; run start first"
	trap on_exit EXIT
	# The workers' DATABASE_URL names this port: it must not change.
	pg_up "$port"
}

cmd_status() {
	set_paths "$1" 0 || die "no state directory $1"
	local pid
	if pid=$(pg_pid); then
		echo "postgres: running (pid $pid, port $(sed -n 4p "$pgdata/postmaster.pid"))"
	else
		echo "postgres: stopped"
	fi
	if pid=$(workers_pid); then
		echo "workers: running (pid $pid, $(workers_count "$pid") workers)"
	else
		echo "workers: stopped"
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
	local port
	port=$(saved_value NGINX_PORT)
	[[ -n $port ]] || port=${NGINX_PORT:-8080}
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
status) cmd_status "$state_arg" ;;
psql) cmd_psql "$state_arg" "$@" ;;
nginx-test) cmd_nginx_test "$state_arg" ;;
*) usage ;;
esac
