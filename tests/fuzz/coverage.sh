#!/usr/bin/env bash
# tests/fuzz/coverage.sh [HARNESS...]
#
# How much of its code each harness's corpus reaches, in lines and
# branches: builds the harnesses again with clang's source-based coverage
# (no sanitizers) into build-fuzz/cov/, runs each over the corpus of the
# last tests/fuzz/run.sh (build-fuzz/corpora/<name>/, or the seeds when there
# is none), and prints llvm-cov's figures for the lib/ files the harness is
# about.  The table goes to build-fuzz/coverage.txt.
#
# Environment: FUZZ_CC (clang), FUZZ_BUILD (build-fuzz), LLVM_PROFDATA,
# LLVM_COV (llvm-profdata, llvm-cov).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1

out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}
profdata=${LLVM_PROFDATA:-llvm-profdata}
llvmcov=${LLVM_COV:-llvm-cov}
cov="$out/cov"

# The lib/ files a harness is about.
targets() {
	case $1 in
	cookie) echo lib/cookie.c ;;
	bearer) echo lib/bearer.c ;;
	route) echo lib/route.c ;;
	query) echo lib/query.c lib/cursor.c ;;
	cursor) echo lib/cursor.c ;;
	place) echo lib/place.c lib/utf8.c lib/jsontext.c ;;
	jwt) echo lib/jwt.c lib/jsontext.c ;;
	origin) echo lib/origin.c ;;
	session_token) echo lib/session.c lib/cookie.c lib/bearer.c ;;
	handler | handler_*) echo lib/api.c lib/request.c lib/session.c \
	    lib/response.c lib/route.c lib/query.c lib/place.c lib/origin.c ;;
	*) echo lib/*.c ;;
	esac
}

# shellcheck source=lib.sh
. tests/fuzz/lib.sh
fuzz_names "$@"

covflags="-fprofile-instr-generate -fcoverage-mapping -DFUZZ_NO_ABORT"
cflags=(-g -O0 "${fuzz_std[@]}")
libs=("${fuzz_libs[@]}")
rm -rf "$cov"
mkdir -p "$cov/obj"

objs=()
for src in lib/*.c; do
	obj="$cov/obj/$(basename "$src" .c).o"
	# shellcheck disable=SC2086
	"$cc" "${cflags[@]}" $covflags -c -o "$obj" "$src" || exit 1
	objs+=("$obj")
done

status=0
printf '%-16s %15s %17s  %s\n' harness lines branches files >"$out/coverage.txt"
for name in "${names[@]}"; do
	src="tests/fuzz/fuzz_$name.c"
	bin="$cov/fuzz_$name"
	fuzz_objs "$src" "${objs[@]}"
	# shellcheck disable=SC2086
	if ! "$cc" "${cflags[@]}" $covflags -fsanitize=fuzzer -o "$bin" "$src" \
	    "${use[@]}" "${libs[@]}"; then
		status=1
		continue
	fi
	corpus="$out/corpora/$name"
	[ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] ||
		corpus="tests/fuzz/corpus/$name"
	LLVM_PROFILE_FILE="$cov/$name.profraw" "$bin" -runs=0 \
	    -max_len=20000 -artifact_prefix="$cov/$name-" "$corpus" \
	    >"$cov/$name.log" 2>&1
	"$profdata" merge -sparse -o "$cov/$name.profdata" "$cov/$name.profraw" ||
		{ status=1; continue; }
	# shellcheck disable=SC2046
	"$llvmcov" report "$bin" -instr-profile="$cov/$name.profdata" \
	    $(targets "$name") >"$cov/$name.txt" 2>&1
	# TOTAL: regions missed % functions missed % lines missed % branches missed %
	read -r lines lmiss bran bmiss <<<"$(awk '/^TOTAL/ {print $8, $9, $11, $12}' "$cov/$name.txt")"
	[ -n "${lines:-}" ] || { status=1; continue; }
	printf '%-16s %15s %17s  %s\n' "$name" \
	    "$(awk -v t="$lines" -v m="$lmiss" 'BEGIN { printf "%d/%d %.0f%%", t-m, t, t ? 100*(t-m)/t : 0 }')" \
	    "$(awk -v t="$bran" -v m="$bmiss" 'BEGIN { printf "%d/%d %.0f%%", t-m, t, t ? 100*(t-m)/t : 0 }')" \
	    "$(targets "$name" | sed 's|lib/||g' | tr ' ' ',')" >>"$out/coverage.txt"
done
cat "$out/coverage.txt"
exit $status
