# shellcheck shell=bash
# What tests/fuzz/run.sh and tests/fuzz/coverage.sh share.  Sourced by them,
# from the repository's top directory.

# The flags both build lib/ and the harnesses with (each adds its own
# optimisation, warnings and instrumentation), and the libraries.
fuzz_std=(-std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -Itests/fuzz)
# shellcheck disable=SC2207
fuzz_std+=($(pkg-config --cflags libpq json-c libsodium libcrypto))
# shellcheck disable=SC2207,SC2034
fuzz_libs=(-lfcgi $(pkg-config --libs libpq json-c libsodium libcrypto))
# Set by fuzz_names and fuzz_objs, read by the scripts.
names=()
use=()

# fuzz_names [HARNESS...]: sets names to the harnesses given, else to every
# tests/fuzz/fuzz_<name>.c.
fuzz_names() {
	local f n
	names=("$@")
	[ $# -gt 0 ] && return
	for f in tests/fuzz/fuzz_*.c; do
		n=${f#tests/fuzz/fuzz_}
		names+=("${n%.c}")
	done
}

# fuzz_objs SRC OBJ...: sets use to the objects harness SRC links: every
# OBJ but lib/db.c's (db.o) when SRC stands in for it, which it says on a
# line " * fuzz-build: without lib/db.c".
fuzz_objs() {
	local src=$1 o
	shift
	use=()
	for o in "$@"; do
		if [ "${o##*/}" = db.o ] && grep -q '^ \* fuzz-build: without lib/db.c' "$src"; then
			continue
		fi
		use+=("$o")
	done
}
