# shellcheck shell=bash
# tools/stack.sh's streaming replica (REPLICA=1): a base backup of the
# primary in DIR/pg-replica, on a port of its own.  Sourced by
# tools/stack.sh only when the stack has or wants one.

replica_pid() {
	pidfile_pid "$replica_data/postmaster.pid" postgres
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

replica_status() {
	local pid
	if pid=$(replica_pid); then
		echo "replica: running (pid $pid, port $(sed -n 4p "$replica_data/postmaster.pid"))"
	else
		echo "replica: stopped"
	fi
}
