#!/usr/bin/env bash
# contrib/systemd's prune timer and service (places-fcgi-prune.*), checked
# like the worker's units (tests/ops/systemd.sh), without systemd as PID 1:
# the project is installed into a temporary DESTDIR, copies of the units
# point there, and
#
#   - systemd-analyze verify says nothing about them (man pages included),
#     and does flag a broken copy;
#   - systemd-analyze security --offline rates the service below
#     MAX_EXPOSURE;
#   - the timer's calendar is valid, and it starts the service;
#   - the service's ExecStart is the installed placesctl's `session prune`,
#     which, run as the unit would (its environment file's DATABASE_URL),
#     exits 3 when the database is down (the prune itself: the
#     integration suite, cases/32-prune.sh).
# Prints "ok - ..." / "not ok - ..." lines, then "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
units=$top/contrib/systemd
MAX_EXPOSURE=1.0

tmp=$(mktemp -d /tmp/places-ops-prune.XXXXXX) || exit 1
dest=$tmp/dest
trap 'rm -rf "$tmp"' EXIT

what="prune timer"
# shellcheck source=tests/ops/units.bash
. "$top/tests/ops/units.bash"

command -v systemd-analyze >/dev/null || { notok "systemd-analyze is installed (tools/deps.sh)"; finish; }

install_units places-fcgi-prune.service places-fcgi-prune.timer
verify_units places-fcgi-prune.timer places-fcgi-prune.service

# A typo'd calendar, a missing program and an unknown key: all flagged.
sed -e 's/^OnCalendar=.*/OnCalendar=dialy/' "$tmp/units/places-fcgi-prune.timer" \
	>"$tmp/broken/places-fcgi-prune.timer"
sed -e 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/placesctl|' \
	-e 's/^Nice=.*/Nice=10\nNicety=10/' \
	"$tmp/units/places-fcgi-prune.service" >"$tmp/broken/places-fcgi-prune.service"
verify_broken 'dialy|/nonexistent/placesctl|Nicety' places-fcgi-prune.timer places-fcgi-prune.service

exposure places-fcgi-prune.service

cal=$(key places-fcgi-prune.timer OnCalendar)
systemd-analyze calendar "$cal" >/dev/null 2>&1
check "OnCalendar=$cal is a valid calendar" 0 "$?"
check "the timer starts the prune service" places-fcgi-prune.service "$(key places-fcgi-prune.timer Unit)"
check "the timer is enabled with timers.target" timers.target "$(key places-fcgi-prune.timer WantedBy)"
check "the service runs once per firing" oneshot "$(key places-fcgi-prune.service Type)"
check "the environment is the workers' file" /etc/places-fcgi/env "$(key places-fcgi-prune.service EnvironmentFile)"
exec_start=$(sed -n 's/^ExecStart=//p' "$tmp/units/places-fcgi-prune.service")
check "ExecStart= is the installed placesctl's session prune" \
	"$dest/usr/local/bin/placesctl session prune" "$exec_start"

# The command as the unit runs it: nothing but the env file's variables.
read -r -a cmd <<<"$exec_start"
printf 'DATABASE_URL=host=%s port=1 dbname=x connect_timeout=2\n' "$tmp" >"$tmp/env"
(set -a; . "$tmp/env"; set +a; exec env -i DATABASE_URL="$DATABASE_URL" "${cmd[@]}") \
	>"$tmp/run.out" 2>"$tmp/run.err"
check "the command, database down: exit 3 (database unavailable)" 3 "$?"
check "... and says so" yes "$(grep -q 'database unavailable' "$tmp/run.err" && echo yes || echo no)"

finish
