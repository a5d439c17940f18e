#!/usr/bin/env bash
# contrib/systemd's units, checked without systemd as PID 1 (a container,
# CI): the project is installed into a temporary DESTDIR, copies of the
# units point there, and then
#
#   - systemd-analyze verify says nothing about them (their man pages
#     included), and does flag a broken copy, so its silence means something;
#   - systemd-analyze security --offline rates the service below MAX_EXPOSURE;
#   - the socket is the one nginx.conf.example talks to, private to nginx's
#     group, handed to the service on fd 0;
#   - the env example names every variable the worker reads;
#   - the unit's ExecStart, run under strace on a socket on fd 0 as systemd
#     would, serves requests (with and without a database) and stops on
#     SIGTERM with every process exiting 0, using only system calls the
#     unit's SystemCallFilter= allows and only the RestrictAddressFamilies=.
#
# What it cannot check is the sandbox at run time: that needs systemd.
# Prints "ok - ..." / "not ok - ..." lines, then "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
units=$top/contrib/systemd
# systemd-analyze security, systemd 252 (Debian 12): 0.9.  Dropping any one
# of ProtectClock=, PrivateUsers=, ProtectProc= or RestrictNamespaces=
# reaches 1.0 or more.
MAX_EXPOSURE=1.0

tmp=$(mktemp -d /tmp/places-ops.XXXXXX) || exit 1
dest=$tmp/dest
mw_pid='' tr_pid=''
cleanup() {
	# multiwatch first: it stops its workers; then strace, by their PIDs.
	[ -n "$mw_pid" ] && kill -TERM "$mw_pid" 2>/dev/null && sleep 1
	[ -n "$tr_pid" ] && kill -TERM "$tr_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

what=systemd
# shellcheck source=tests/ops/units.bash
. "$top/tests/ops/units.bash"

for c in systemd-analyze strace spawn-fcgi cgi-fcgi /usr/bin/multiwatch; do
	command -v "$c" >/dev/null || notok "$c is installed (tools/deps.sh)"
done
[ "$failed" -eq 0 ] || finish

# ---- the units, pointed at an installed copy -----------------------------

install_units places-fcgi.socket places-fcgi.service
exec_start=$(sed -n 's/^ExecStart=//p' "$tmp/units/places-fcgi.service")
read -r -a cmd <<<"$exec_start"
# verify checks only the first word; every absolute path must be there.
bad=
for w in "${cmd[@]}"; do
	[[ $w == /* ]] && [ ! -x "$w" ] && bad+="$w "
done
check "every program in ExecStart= is installed" "" "$bad"
check "ExecStart= runs the installed places.fcgi" yes \
	"$([[ " $exec_start " == *" $dest/usr/local/bin/places.fcgi "* ]] && echo yes || echo no)"

verify_units places-fcgi.socket places-fcgi.service

# A copy with a typo, a bad value and a missing program.
cp "$tmp/units/places-fcgi.socket" "$tmp/broken/"
sed -e 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/multiwatch|' \
	-e 's/^ProtectHome=.*/ProtectHome=maybe\nProtectSytem=strict/' \
	"$tmp/units/places-fcgi.service" >"$tmp/broken/places-fcgi.service"
verify_broken 'protect ?home|ProtectSytem|/nonexistent/multiwatch' places-fcgi.socket places-fcgi.service

exposure places-fcgi.service

# ---- what the units say ----------------------------------------------------

nginx_socks=$(sed -n 's/^[[:space:]]*fastcgi_pass unix:\([^;]*\);.*/\1/p' "$top/nginx.conf.example" | sort -u)
check "the socket is the one nginx.conf.example names" "$nginx_socks" "$(key places-fcgi.socket ListenStream)"
check "socket mode 0660" 0660 "$(key places-fcgi.socket SocketMode)"
check "socket group www-data (nginx's)" www-data "$(key places-fcgi.socket SocketGroup)"
check "one socket for all workers (Accept=no)" no "$(key places-fcgi.socket Accept)"
check "the socket on fd 0, as libfcgi expects" socket "$(key places-fcgi.service StandardInput)"
check "stdout and stderr to the journal, not the socket" "journal journal" \
	"$(key places-fcgi.service StandardOutput) $(key places-fcgi.service StandardError)"
check "the environment from /etc/places-fcgi/env" /etc/places-fcgi/env "$(key places-fcgi.service EnvironmentFile)"

# envs FILE...: every NAME in a getenv("NAME") of the files, one a line.
# and every "PLACES_..." or "AUTH_SECRET..." name in a table of them
# (lib/authschema.c's overrides, lib/config.c's secrets).
envs() {
	{
		grep -ohE 'getenv\("[A-Za-z0-9_]+"\)' "$@" | sed -E 's/getenv\("(.*)"\)/\1/'
		grep -ohE '"(PLACES|AUTH_SECRET)[A-Z0-9_]*"' "$@" | tr -d '"'
	} | sort -u
}
# The settings are lib/'s; cgi/places.c reads only what a server sets
# (GATEWAY_INTERFACE, LISTEN_FDS, ...), which has no place in this file.
missing=
for v in $(envs "$top"/lib/*.c); do
	grep -qE "^#?$v=" "$units/places-fcgi.env.example" || missing+="$v "
done
check "the env example lists every setting the worker reads" "" "$missing"

# ---- the ExecStart, traced ---------------------------------------------------

# The unit's command under strace, the socket on fd 0 (spawn-fcgi -n binds
# it and execs strace), as systemd would start it.  The database is down:
# libpq tries a unix socket, then TCP, so both paths are traced.
sock=$tmp/fcgi.sock
env -i PATH=/usr/bin:/bin PLACES_LOG_LEVEL=debug NEXTAUTH_SECRET=ops-test \
	DATABASE_URL="host=$tmp,127.0.0.1 port=1,1 dbname=x connect_timeout=2" \
	spawn-fcgi -n -s "$sock" -M 0600 -- \
	"$(command -v strace)" -f -q -o "$tmp/trace" "${cmd[@]}" \
	>"$tmp/workers.log" 2>&1 &
tr_pid=$!
nworkers=$(sed -nE 's/.*multiwatch .*-f ([0-9]+) .*/\1/p' <<<"$exec_start")
# ready: how many workers catch SIGUSR1 (bit 10 of SigCgt), i.e. have got
# far enough to stop gracefully.  One that has not (just forked, loading
# its libraries under strace) would die of the signal: harmless, it served
# nothing, but it would not exit 0.
ready() {
	local p m n=0
	for p in $(pgrep -P "$mw_pid"); do
		m=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null)
		[ -n "$m" ] && (((0x$m & 0x200) != 0)) && n=$((n + 1))
	done
	echo "$n"
}
for _ in $(seq 100); do
	mw_pid=$(pgrep -P "$tr_pid" -x multiwatch)
	[ -n "$mw_pid" ] && [ "$(ready)" -ge "${nworkers:-1}" ] && break
	sleep 0.1
done
check "multiwatch started ${nworkers:-?} workers" "${nworkers:-?}" "$([ -n "$mw_pid" ] && ready)"

# fcgi ENV...: one request to the workers; prints its status line.
fcgi() {
	env -i "$@" cgi-fcgi -bind -connect "$sock" </dev/null 2>/dev/null |
		head -n 1 | tr -d '\r'
}
# JWT-shaped: five base64url parts, so the worker tries to decrypt it.
jwe=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA
check "a request without a session: 401" "Status: 401 Unauthorized" \
	"$(fcgi REQUEST_METHOD=GET REQUEST_URI=/api/places)"
check "a token, the database down: 503" "Status: 503 Service Unavailable" \
	"$(fcgi REQUEST_METHOD=GET REQUEST_URI=/api/places HTTP_AUTHORIZATION="Bearer $(printf '%064d' 7)")"
check "a JWT that does not decrypt: 401" "Status: 401 Unauthorized" \
	"$(fcgi REQUEST_METHOD=GET REQUEST_URI=/api/places "HTTP_COOKIE=next-auth.session-token=$jwe")"
check "a write without a session: 401" "Status: 401 Unauthorized" \
	"$(fcgi REQUEST_METHOD=POST REQUEST_URI=/api/places CONTENT_TYPE=application/json CONTENT_LENGTH=0)"

# What systemctl stop does (KillMode=mixed): SIGTERM to multiwatch alone.
[ -n "$mw_pid" ] && kill -TERM "$mw_pid"
for _ in $(seq 100); do kill -0 "$tr_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$tr_pid" 2>/dev/null; then
	notok "SIGTERM to multiwatch stops everything within 10 s"
else
	mw_pid='' tr_pid=''
	ok "SIGTERM to multiwatch stops everything within 10 s"
fi
exits=$(grep -oE '\+\+\+ (exited with [0-9]+|killed by [A-Z0-9]+)' "$tmp/trace" | sort | uniq -c | sed 's/^ *//')
check "multiwatch and its workers all exit 0" "$((${nworkers:-0} + 1)) +++ exited with 0" "$exits"

# syscalls GROUP|NAME...: the system calls, groups expanded recursively.
syscalls() {
	local -A seen=()
	local -a todo=("$@")
	local g w
	while ((${#todo[@]})); do
		g=${todo[0]}
		todo=("${todo[@]:1}")
		[ -n "${seen[$g]:-}" ] && continue
		seen[$g]=1
		if [[ $g != @* ]]; then echo "$g"; continue; fi
		while read -r w; do
			case $w in '#'* | '') ;; *) todo+=("$w") ;; esac
		done < <(systemd-analyze syscall-filter "$g" | tail -n +2)
	done | sort -u
}
# The filter as systemd builds it: the first line's allow list, minus
# every "~" line after it.
allow=() deny=()
while read -r line; do
	if [[ $line == '~'* ]]; then
		read -r -a w <<<"${line#\~}"; deny+=("${w[@]}")
	else
		read -r -a w <<<"$line"; allow+=("${w[@]}")
	fi
done < <(key places-fcgi.service SystemCallFilter)
syscalls "${allow[@]}" >"$tmp/allow"
syscalls "${deny[@]}" >"$tmp/deny"
comm -23 "$tmp/allow" "$tmp/deny" >"$tmp/allowed"
grep -oE '^[0-9]+ +[a-z0-9_]+\(' "$tmp/trace" | sed -E 's/^[0-9]+ +//; s/\($//' |
	sort -u >"$tmp/used"
n=$(wc -l <"$tmp/used")
check "all $n system calls made are in SystemCallFilter= (of $(wc -l <"$tmp/allowed"))" "" \
	"$([ "$n" -gt 20 ] || echo "too few traced: $n"; comm -23 "$tmp/used" "$tmp/allowed")"
families=$(grep -oE ' socket\(AF_[A-Z0-9]+' "$tmp/trace" | sed 's/.*(//' | sort -u | tr '\n' ' ')
allowed_families=" $(key places-fcgi.service RestrictAddressFamilies) "
bad=
for f in $families; do [[ $allowed_families == *" $f "* ]] || bad+="$f "; done
check "sockets only of RestrictAddressFamilies= (used: ${families% })" "" "$bad"

finish
