#!/usr/bin/env bash
# The browser test (make e2e; the "e2e" suite of tests/run.sh): the
# Next.js + NextAuth example (examples/nextjs) and the worker behind one
# nginx running examples/nextjs/nginx.conf, driven in Debian's chromium
# by puppeteer-core (tests/e2e/browser.mjs).
#
#   bash tests/e2e/run.sh
#
# Needs `make e2e-deps` first (npm ci of examples/nextjs and tests/e2e, as
# their package-lock.json files pin them).  Every run: a fresh stack
# (tools/stack.sh: PostgreSQL, workers, nginx with the one-origin file) in
# a temporary directory, `next build` once, then browser.mjs, which starts
# the SMTP sink, `next start` (once per session strategy), a page on
# another origin and chromium, each on a free loopback port, and stops
# them by PID.  Screenshots and logs go to results/e2e/<run>/ (git-ignored).
# Prints ok / not ok lines and ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
stack=$top/tools/stack.sh
app=$top/examples/nextjs
run_id=$(date -u +%Y%m%dT%H%M%SZ)-$$
results=$top/results/e2e/$run_id
passed=0
failed=0

ok() {
	echo "ok - e2e: $*"
	passed=$((passed + 1))
}
not_ok() {
	echo "not ok - e2e: $*"
	failed=$((failed + 1))
}
finish() {
	echo "# artefacts: $results"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit
}

DIR=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$DIR" ]; then
		"$stack" stop "$DIR" >>"$results/stack.log" 2>&1 ||
			echo "# warning: tools/stack.sh stop $DIR failed" >&2
		# The stack's logs are artefacts too.
		cp -r -- "$DIR/log" "$results/stack-log" 2>/dev/null || true
		rm -rf -- "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p -- "$results"
start=$SECONDS

# ---- prerequisites: a check that cannot run is a failure -----------------
chromium=${CHROMIUM:-/usr/lib/chromium/chromium}
missing=
[ -x "$chromium" ] || missing+=" chromium ($chromium: apt-get install chromium)"
for d in "$app" "$here"; do
	[ -f "$d/node_modules/.package-lock.json" ] ||
		missing+=" ${d#"$top"/}/node_modules (make e2e-deps)"
done
# Next.js 16 needs Node.js 20.9 or later (Debian 12's own nodejs is 18).
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
	process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)' 2>/dev/null ||
	missing+=" Node.js >= 20.9 for Next.js 16 (node: $(node --version 2>/dev/null || echo none))"
[ -x "$top/cgi/places.fcgi" ] && [ -x "$top/tools/placesctl" ] || missing+=" the worker (make)"
if [ -n "$missing" ]; then
	not_ok "prerequisites missing:$missing"
	finish
fi

# ---- next build once per run, the stack meanwhile -------------------------
# free_port: a loopback port nobody listens on (the kernel's pick).
free_port() {
	node -e 'const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
next_port=$(free_port)
NEXTAUTH_SECRET="e2e-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n")"
export NEXTAUTH_SECRET
DIR=$(mktemp -d /tmp/places-e2e.XXXXXX) || {
	DIR=
	not_ok "mktemp"
	finish
}
# The stack (PostgreSQL, workers, nginx with the one-origin file) comes up
# while Next.js builds: each mostly waits on the other's CPU-light parts.
t=$SECONDS
NGINX_EXAMPLE=$app/nginx.conf NEXTJS_ADDR=127.0.0.1:$next_port \
	"$stack" start "$DIR" >"$results/stack.log" 2>&1 &
stack_pid=$!
(cd "$app" && NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build) \
	>"$results/next-build.log" 2>&1
build_rc=$?
build_s=$((SECONDS - t))
wait "$stack_pid"
stack_rc=$?
if [ "$build_rc" -eq 0 ]; then
	ok "next build of examples/nextjs ($build_s s)"
else
	tail -n 30 "$results/next-build.log" | sed 's/^/# /'
	not_ok "next build of examples/nextjs failed (results/e2e/$run_id/next-build.log)"
fi
if [ "$stack_rc" -eq 0 ]; then
	ok "stack up: PostgreSQL, workers, nginx with examples/nextjs/nginx.conf ($((SECONDS - t)) s)"
else
	tail -n 30 "$results/stack.log" | sed 's/^/# /'
	not_ok "tools/stack.sh start with examples/nextjs/nginx.conf"
fi
if [ "$build_rc" -ne 0 ] || [ "$stack_rc" -ne 0 ]; then finish; fi
set -a
# shellcheck disable=SC1091
. "$DIR/stack.env"
set +a

# Another user's place, made through the API with a session from placesctl
# (the browser's user must see it without edit, and be refused its delete).
DATABASE_URL=$DATABASE_URL "$top/tools/placesctl" user add other@example.com --name Other >/dev/null
other_token=$(DATABASE_URL=$DATABASE_URL "$top/tools/placesctl" session new other@example.com --ttl 1h |
	awk '$1 == "token" { print $2 }')
other_id=$(curl -s --max-time 10 -H "Authorization: Bearer $other_token" \
	-H 'Content-Type: application/json' \
	--data '{"name":"Old harbour","location":"Quay 3","description":"Added by another user"}' \
	"$BASE_URL/api/places" | jq -r '.id // empty')
if [ -n "$other_id" ]; then
	ok "another user's place created through the API ($other_id)"
else
	not_ok "another user's place could not be created through the API"
fi

# ---- the browser -----------------------------------------------------------
# The app reaches the same database over TCP (node-postgres takes a URI).
APP_DATABASE_URL="postgresql://places@127.0.0.1:$PGPORT/places" \
	NEXT_PORT=$next_port APP_DIR=$app RESULTS=$results CHROMIUM=$chromium \
	OTHER_PLACE_ID=$other_id STACK=$stack \
	node "$here/browser.mjs" 2>"$results/browser.stderr" | tee "$results/browser.tap" |
	grep -E '^(ok|not ok|#)'
passed=$((passed + $(grep -cE '^ok ' "$results/browser.tap")))
failed=$((failed + $(grep -cE '^not ok ' "$results/browser.tap")))
if ! grep -qE '^# browser done' "$results/browser.tap"; then
	tail -n 20 "$results/browser.stderr" | sed 's/^/# /'
	not_ok "browser.mjs ended early (results/e2e/$run_id/browser.stderr)"
fi
echo "# e2e took $((SECONDS - start)) s (next build included)"
finish
