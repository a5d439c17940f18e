# shellcheck shell=bash
# tools/stack.sh's whole-stack commands: start (every component in order,
# then DIR/stack.env), stop (back to front) and status.  Sourced by
# tools/stack.sh.

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
	local want_replica_port='' want_bouncer_port=''
	if ((want_replica)); then
		use replica
		want_replica_port=$(saved_value REPLICA_PORT)
		if [[ -n $want_replica_port ]] && ! replica_pid >/dev/null && ! port_free "$want_replica_port"; then
			want_replica_port=
		fi
	fi
	if ((want_bouncer)); then
		use pgbouncer
		want_bouncer_port=$(saved_value PGBOUNCER_PORT)
		if [[ -n $want_bouncer_port ]] && ! bouncer_pidnow >/dev/null && ! port_free "$want_bouncer_port"; then
			want_bouncer_port=
		fi
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
	# one per pool (round robin).  It carries an Authorization header (not
	# a credential: the worker ignores Basic and answers 401) because nginx
	# answers a request without any credential itself (nginx.conf.example).
	local code i
	for ((i = 0; i < npools; i++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 \
			-H 'Authorization: Basic c3RhY2s6cHJvYmU=' \
			"http://127.0.0.1:$nginx_port/api/places") || code=000
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
	if [[ -f $bouncer_ini ]]; then
		use pgbouncer
		bouncer_down || true
	fi
	if [[ -f $replica_data/PG_VERSION ]]; then
		use replica
		replica_down || true
	fi
	pg_down || true
}

cmd_status() {
	set_paths "$1" 0 || die "no state directory $1"
	pg_status
	if [[ -f $replica_data/PG_VERSION ]]; then
		use replica
		replica_status
	fi
	if [[ -f $bouncer_ini ]]; then
		use pgbouncer
		bouncer_status
	fi
	workers_status
	nginx_status
}
