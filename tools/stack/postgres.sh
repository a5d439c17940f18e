# shellcheck shell=bash
# tools/stack.sh's PostgreSQL: the primary in DIR/pgdata (its cluster, the
# places role and database, the migrations), and the server start/stop that
# the replica shares.  Sourced by tools/stack.sh, never run.

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
	[[ -f $bouncer_ini ]] && use pgbouncer
	if [[ -f $bouncer_ini ]] && bouncer_pidnow >/dev/null; then
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


cmd_psql() {
	set_paths "$1" 0 || die "no state directory $1"
	shift
	pgport=$(saved_value PGPORT)
	[[ -n $pgport ]] || die "no PGPORT in $envfile; run start first"
	psql_as places -d places "$@"
}

pg_status() {
	local pid
	if pid=$(pg_pid); then
		echo "postgres: running (pid $pid, port $(sed -n 4p "$pgdata/postmaster.pid"))"
	else
		echo "postgres: stopped"
	fi
}
