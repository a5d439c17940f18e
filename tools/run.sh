#!/usr/bin/env bash
# `make run` / `make stop`: the local stack for developers.
#
#   tools/run.sh start   PostgreSQL, workers and nginx on 127.0.0.1:8080
#                        (PORT=... to change), demo data, a demo session
#                        (the last run's while it has a day left), and a
#                        curl command that lists the places
#   tools/run.sh stop    stops all of it
#
# State lives in .run/ in the repository.  The services run as the
# unprivileged users postgres and www-data when started as root; if those
# users cannot reach the repository (a 0700 home directory, say) the state
# goes to /var/tmp/places-fcgi-<hash> instead, and this script says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

state_dir() {
	local d=$repo/.run
	if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$repo"; then
		d=/var/tmp/places-fcgi-$(printf '%s' "$repo" | md5sum | cut -c1-12)
	fi
	printf '%s\n' "$d"
}

start() {
	local dir token url
	dir=$(state_dir)
	[[ $dir == "$repo/.run" ]] || echo "run: $repo is not reachable by the postgres user; state in $dir"
	NGINX_PORT=${PORT:-8080} "$here/stack.sh" start "$dir"
	# shellcheck disable=SC1091
	. "$dir/stack.env"
	# tools/placesctl run from the checkout reads the stack's settings here
	# (README.md: Sessions), wherever the state lives.
	if [[ $dir != "$repo/.run" ]]; then
		mkdir -p "$repo/.run"
		ln -sfn "$dir/stack.env" "$repo/.run/stack.env"
	fi
	"$here/stack.sh" psql "$dir" -f "$repo/sql/demo.sql"
	# The demo session of the last make run, while it has a day left;
	# else a new one (so runs do not pile up live 30-day sessions).
	token=$(cat "$dir/demo-token" 2>/dev/null || true)
	if [[ -z $token ]] || [[ $(printf '%s\n' "SELECT count(*) FROM sessions
	    WHERE \"sessionToken\" = :'tok' AND expires > now() + interval '1 day';" |
	    "$here/stack.sh" psql "$dir" -t -A -v tok="$token") != 1 ]]; then
		token=$(DATABASE_URL=$DATABASE_URL "$here/placesctl" session new \
		    demo@example.com --ttl 30d | awk '$1 == "token" { print $2 }')
		[[ -n $token ]] || { echo "run: could not create the demo session" >&2; exit 1; }
		(umask 077 && printf '%s\n' "$token" >"$dir/demo-token")
	fi
	url=$BASE_URL/api/places
	cat <<MSG

places-fcgi is running: nginx on $BASE_URL, workers on $dir/run/places.sock,
PostgreSQL on 127.0.0.1:$PGPORT (logs in $dir/log/).

List the demo places with the demo session (token also in $dir/demo-token):

  curl -s -H 'Authorization: Bearer $token' $url

Without a token the same request gets 401:

  curl -s $url

Stop everything with: make stop
MSG
}

stop() {
	local dir
	dir=$(state_dir)
	if [[ -d $dir ]]; then
		"$here/stack.sh" stop "$dir"
	else
		echo "run: nothing to stop ($dir does not exist)"
	fi
}

case ${1:-} in
start) start ;;
stop) stop ;;
*) echo "usage: tools/run.sh start|stop" >&2; exit 2 ;;
esac
