# shellcheck shell=bash disable=SC2154 # name, repo, dir, stack_dir, workers: set by the sourcing script
# Shared by tools/bench.sh and tests/bench/shed.sh (sourced, never run):
# messages, the private stack, and the second nginx each runs beside the
# stack's own.
#
# The sourcing script sets, before it calls anything here:
#   name       the prefix of its messages ("bench", "bench-shed");
#   repo       the checkout;
#   dir        its temporary directory (short, no odd characters:
#              tools/stack.sh pastes it into configs and socket paths);
#   stack_dir  where the stack lives, under dir;
#   workers    the stack's worker count.
# It owns its EXIT trap, which calls stop_second and stop_stack.

say() { echo "$name: $*" >&2; }
die() {
	echo "$name: error: $*" >&2
	exit 1
}

# need TOOL...: each on PATH, or die naming tools/deps.sh.
need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || die "$tool not found (tools/deps.sh installs it)"
	done
}

port_free() { [[ -z $(ss -Hltn "sport = :$1") ]]; }

# free_port: prints a loopback TCP port nothing listens on (the stack's
# own ports are picked the same way, by tools/stack.sh).
free_port() {
	local i port
	for ((i = 0; i < 20; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 41000))
		port_free "$port" && { printf '%s\n' "$port"; return 0; }
	done
	die "no free port"
}

stack_started=0
# start_stack: tools/stack.sh start in stack_dir with WORKERS=workers,
# then its stack.env in our environment (STATE_DIR, BASE_URL, PG*, ...).
start_stack() {
	say "starting a stack with $workers workers in $stack_dir"
	stack_started=1
	# PGPORT/NGINX_PORT of a sourced stack.env must not pick our ports.
	env -u PGPORT -u NGINX_PORT WORKERS="$workers" \
		"$repo/tools/stack.sh" start "$stack_dir" >"$dir/stack-start.log" 2>&1 || {
		cat "$dir/stack-start.log" >&2
		die "tools/stack.sh start failed"
	}
	set -a
	# shellcheck disable=SC1091
	. "$stack_dir/stack.env"
	set +a
}
stop_stack() {
	((stack_started)) || return 0
	stack_started=0
	"$repo/tools/stack.sh" stop "$stack_dir" >/dev/null 2>&1 ||
		say "warning: tools/stack.sh stop $stack_dir failed"
}

second_pid='' second_url=''
# second_nginx DIR [SED-ARG...]: a second nginx from the stack's generated
# configuration (same binary, worker_processes and server block; the
# worker's socket stays the stack's), with its own state under DIR, on a
# free port, plus `location = /_places_ceiling { return 200 ...; }`: the
# HTTP ceiling, which nginx.conf.example has not and the stack's nginx is
# not ours to change.  SED-ARGs (e.g. -e '/.../d') edit its server block
# further.  Sets second_pid and second_url.
second_nginx() {
	local sdir=$1 src=$STATE_DIR/nginx conf=$1/nginx port i
	shift
	mkdir -p "$conf/tmp" "$sdir/run" "$sdir/log"
	cp -- "$src/fastcgi_params" "$src/mime.types" "$conf/"
	port=$(free_port)
	# nginx.conf: every path of the stack's state directory becomes ours
	# (pid, logs, temp paths, and the include of server.conf).
	sed -e "s|$STATE_DIR/|$sdir/|g" "$src/nginx.conf" >"$conf/nginx.conf"
	grep -q "include $conf/server.conf;" "$conf/nginx.conf" ||
		die "the stack's nginx.conf does not include its server.conf as expected"
	sed -e "s|listen 127\\.0\\.0\\.1:$NGINX_PORT;|listen 127.0.0.1:$port;|" "$@" \
		-e '/^ *server_name /a\
    location = /_places_ceiling {\
        default_type application/json;\
        return 200 '"'"'{"status":"ok"}'"'"';\
    }' "$src/server.conf" >"$conf/server.conf"
	if ! grep -q "listen 127.0.0.1:$port;" "$conf/server.conf" ||
		! grep -q _places_ceiling "$conf/server.conf"; then
		die "could not derive the second nginx's configuration from $src"
	fi
	nginx -p "$conf/" -c "$conf/nginx.conf" -e "$sdir/log/nginx-error.log" -t -q ||
		die "nginx -t rejected the second nginx's configuration"
	nginx -p "$conf/" -c "$conf/nginx.conf" -e "$sdir/log/nginx-error.log" </dev/null ||
		die "the second nginx did not start"
	for ((i = 0; i < 50; i++)); do
		[[ -s $sdir/run/nginx.pid ]] && break
		sleep 0.1
	done
	second_pid=$(head -n 1 "$sdir/run/nginx.pid" 2>/dev/null) || die "the second nginx wrote no pid file"
	second_url=http://127.0.0.1:$port
	[[ $(curl -s --max-time 5 "$second_url/_places_ceiling") == '{"status":"ok"}' ]] ||
		die "the second nginx does not answer on $second_url/_places_ceiling"
	say "second nginx on $second_url (pid $second_pid)"
}
# stop_second: the second nginx, by its PID (QUIT, then KILL after 5 s).
stop_second() {
	local i
	[[ -n $second_pid ]] || return 0
	kill -QUIT "$second_pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$second_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$second_pid" 2>/dev/null || true
	second_pid=
}
