# shellcheck shell=bash
# tools/stack.sh's workers: POOLS groups of WORKERS, each group one
# spawn-fcgi + multiwatch.  Sourced by tools/stack.sh.

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
		PLACES_* | NEXTAUTH_SECRET | AUTH_SECRET | AUTH_SECRET_[123] | TZ | *SAN_OPTIONS) wenv+=("$name=${!name}") ;;
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
	stop_pids TERM "$label" "${pids[@]}"
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

workers_status() {
	local pid i
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
}
