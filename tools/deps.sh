#!/usr/bin/env bash
# Install the Debian packages needed to build, run and test places-fcgi.
# Installs only what is missing, so a prepared machine costs one dpkg query
# per package and no network access.
#
# Usage: tools/deps.sh
set -euo pipefail

packages=(
	# build
	gcc make pkg-config
	libfcgi-dev libpq-dev libjson-c-dev libsodium-dev libssl-dev
	# run: tools/stack.sh starts its own PostgreSQL, nginx and workers
	# (and pgbouncer, with PGBOUNCER=1)
	postgresql nginx spawn-fcgi multiwatch pgbouncer
	# tests and tools/stack.sh (ss picks free ports, ps/pgrep check processes)
	curl jq iproute2 procps
	# the sanitizer build and libFuzzer, the valgrind suite, load for faults
	clang libclang-rt-14-dev valgrind wrk
	# faults/60-pg-partition.sh: its relay (unshare, nsenter: util-linux)
	python3-minimal
	# tests/ops (systemd-analyze, a traced FastCGI request with cgi-fcgi)
	# and the man pages in tests/install.sh
	systemd strace libfcgi-bin groff-base man-db
	# tests/e2e: the browser puppeteer-core drives (it downloads none)
	chromium
)

missing=()
for p in "${packages[@]}"; do
	# "install ok installed" is the only state in which the files are there;
	# "deinstall ok config-files" and friends count as missing.
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [[ $status != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

# tests/compat runs the real next-auth package: Node.js and npm, from
# whichever package provides them (Debian's nodejs + npm, or a repack that
# bundles npm); only when neither command exists are Debian's installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing: ${missing[*]}" >&2
	echo "deps: run as root, or:" >&2
	echo "sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# apt's chatter (debconf notes included) is kept out of the way and shown
# only when a step fails.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
quietly() {
	if ! "$@" >"$out" 2>&1; then
		cat "$out" >&2
		echo "deps: failed: $*" >&2
		exit 1
	fi
}
# The package lists may be stale or absent on a fresh machine; update once,
# and only because something has to be installed.
quietly apt-get update -q
# Installing postgresql/nginx may start Debian's system services and create
# the "main" cluster; the project never uses them (tools/stack.sh runs its own
# instances on its own ports), so they are left as Debian sets them up.
# Recommends stay on: gcc only recommends libc6-dev, without which nothing
# compiles.
quietly apt-get install -y -q "${missing[@]}"
echo "deps: installed ${#missing[@]} package(s)"
