#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS [HARNESS...]]
#
# Builds every libFuzzer harness (tests/fuzz/fuzz_<name>.c) with clang,
# AddressSanitizer and UBSan into build-fuzz/, then for each harness:
#   1. replays tests/fuzz/regressions/<name>/* and tests/fuzz/corpus/<name>/*
#      (every file once: crashers found before must stay fixed);
#   2. fuzzes for SECONDS seconds (default 180) on a fresh copy of the seed
#      corpus in build-fuzz/corpora/<name>/ (the committed corpus is only read).
# Two harnesses run at a time (FUZZ_JOBS), so the wall time is about
# harnesses x SECONDS / 2.  Name harnesses to run only those.
#
# Prints one "ok - fuzz <name>: ..." or "not ok - fuzz <name>: ..." line per
# harness, writes the table build-fuzz/results.txt, and exits non-zero on any
# crash, leak, sanitizer report, timeout or out-of-memory, after copying the
# input into build-fuzz/crashes/<name>/ and naming it.
#
# Environment: FUZZ_CC (clang), FUZZ_JOBS (2), FUZZ_BUILD (build-fuzz).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1

secs=${1:-180}
[ $# -gt 0 ] && shift
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS [HARNESS...]]" >&2; exit 2 ;;
esac
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-2}

# The longest input each harness tries: a little past the limit it tests.
max_len() {
	case $1 in
	cookie | jwt | session_token) echo 17000 ;;	# 16384-byte headers, tokens
	bearer) echo 8400 ;;				# 8192
	route | query) echo 2200 ;;			# 2048
	origin) echo 1100 ;;				# 512
	cursor) echo 100 ;;				# 34
	place) echo 12000 ;;				# 5000-character description
	*) echo 8192 ;;
	esac
}

if ! pkg-config --exists libpq json-c libsodium libcrypto; then
	echo "not ok - fuzz: pkg-config cannot find libpq, json-c, libsodium, libcrypto" \
	    "(make deps)"
	exit 1
fi
# libFuzzer's runtime is Debian's libclang-rt-14-dev (clang pulls it in
# through a Recommends): say so rather than fail on a link error.
probe="$out/probe"
mkdir -p "$out"
printf 'int LLVMFuzzerTestOneInput(const char *d, long n);\nint LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
if ! "$cc" -fsanitize=fuzzer -o "$probe" "$probe.c" >/dev/null 2>&1; then
	echo "not ok - fuzz: $cc -fsanitize=fuzzer does not link;" \
	    "apt-get install clang libclang-rt-14-dev"
	exit 1
fi
rm -f "$probe" "$probe.c"
# Lengths are what count; the flags are the project's, minus -Werror so
# that clang's own opinions on lib/ do not stop the fuzzing.
# shellcheck source=lib.sh
. tests/fuzz/lib.sh
warn=(-Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wwrite-strings)
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags=(-g -O1 "${fuzz_std[@]}" "${warn[@]}")
libs=("${fuzz_libs[@]}")

mkdir -p "$out/obj" "$out/logs" "$out/crashes" "$out/results" "$out/corpora"

# --- build -------------------------------------------------------------------

# lib/*.c once, instrumented for coverage but without libFuzzer's main().
# An object is rebuilt when its source, any header or the flags changed.
stamp="$out/obj/flags"
flagline="$cc ${cflags[*]} $san"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$flagline" ]; then
	rm -f "$out"/obj/*.o
	echo "$flagline" >"$stamp"
fi
newest_h=
for h in lib/*.h; do
	[ -z "$newest_h" ] || [ "$h" -nt "$newest_h" ] && newest_h=$h
done
compile() {
	# shellcheck disable=SC2086
	"$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link $san -c -o "$2" "$1" \
	    2>"$2.log" || { cat "$2.log" >&2; rm -f "$2"; }
}
objs=()
for src in lib/*.c; do
	obj="$out/obj/$(basename "$src" .c).o"
	objs+=("$obj")
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		rm -f "$obj"
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
		compile "$src" "$obj" &
	fi
done
wait
build_ok=1
for obj in "${objs[@]}"; do
	[ -f "$obj" ] || build_ok=0
done

fuzz_names "$@"

# Links one harness with the objects; a failure leaves no binary.
link() {
	local name=$1 src="tests/fuzz/fuzz_$1.c" bin="$out/fuzz_$1" use

	fuzz_objs "$src" "${objs[@]}"
	rm -f "$bin"
	# shellcheck disable=SC2086
	"$cc" "${cflags[@]}" -fsanitize=fuzzer $san -o "$bin" "$src" \
	    "${use[@]}" "${libs[@]}" 2>"$out/logs/$name.build" ||
		{ cat "$out/logs/$name.build" >&2; rm -f "$bin"; }
}
if [ "$build_ok" -eq 1 ]; then
	for name in "${names[@]}"; do
		if [ ! -f "tests/fuzz/fuzz_$name.c" ]; then
			echo "not ok - fuzz $name: no tests/fuzz/fuzz_$name.c"
			build_ok=0
			continue
		fi
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
		link "$name" &
	done
	wait
	for name in "${names[@]}"; do
		if [ -f "tests/fuzz/fuzz_$name.c" ] && [ ! -x "$out/fuzz_$name" ]; then
			echo "not ok - fuzz $name: build failed ($out/logs/$name.build)"
			build_ok=0
		fi
	done
fi
if [ "$build_ok" -eq 0 ]; then
	echo "fuzz: build failed" >&2
	exit 1
fi

# --- run ---------------------------------------------------------------------

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# Finds a sanitizer's or our own complaint in a log.
complaint() {
	grep -aE -m1 'ERROR: (Address|Leak|UndefinedBehavior|Memory)Sanitizer|runtime error:|fuzz invariant broken|ERROR: libFuzzer|==[0-9]+== ERROR' "$1"
}

# Runs one harness; its verdict goes to $out/results/<name>.
run_one() {
	local name=$1 bin="$out/fuzz_$1" log="$out/logs/$1.log"
	local replay="$out/logs/$1.replay.log" crashes="$out/crashes/$1"
	local res="$out/results/$1" work="$out/corpora/$1"
	local files=() f rc dict=() art last execs cov ft corp

	rm -f "$res"
	rm -rf "$crashes"	# what an earlier run found was reported then
	mkdir -p "$crashes"
	for f in "tests/fuzz/regressions/$name"/* "tests/fuzz/corpus/$name"/*; do
		[ -f "$f" ] && files+=("$f")
	done
	if [ ${#files[@]} -gt 0 ]; then
		"$bin" -rss_limit_mb=1024 -timeout=10 "${files[@]}" >"$replay" 2>&1
		rc=$?
		if [ $rc -ne 0 ] || complaint "$replay" >/dev/null; then
			f=$(grep -a '^Running: ' "$replay" | tail -1 | sed 's/^Running: //')
			[ -f "$f" ] && cp "$f" "$crashes/"
			echo "not ok - fuzz $name: replay of $f failed (exit $rc; $(complaint "$replay" | head -c 200); log $replay)" >"$res"
			return
		fi
	fi

	rm -rf "$work"
	mkdir -p "$work"
	[ -d "tests/fuzz/corpus/$name" ] && cp "tests/fuzz/corpus/$name"/* "$work/" 2>/dev/null
	[ -f "tests/fuzz/$name.dict" ] && dict=("-dict=tests/fuzz/$name.dict")
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	    -detect_leaks=1 -print_final_stats=1 -max_len="$(max_len "$name")" \
	    -artifact_prefix="$crashes/" "${dict[@]}" "$work" >"$log" 2>&1
	rc=$?
	execs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')
	last=$(grep -aE '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")
	if [ $rc -ne 0 ] || complaint "$log" >/dev/null; then
		art=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
		echo "not ok - fuzz $name: exit $rc after ${execs:-?} runs: $(complaint "$log" | head -c 200); reproducer ${art:-none} (log $log; replay: $bin ${art:-FILE})" >"$res"
		return
	fi
	printf 'ok - fuzz %s: %s runs, cov %s, ft %s, corpus %s\t%s %s %s %s %s\n' \
	    "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
	    "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" >"$res"
}

start=$(date +%s)
for name in "${names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	echo "# fuzz $name: ${secs}s" >&2
	run_one "$name" &
done
wait

# --- report ------------------------------------------------------------------

status=0
{
	echo "# tests/fuzz/run.sh $secs, $(date -u +%Y-%m-%dT%H:%M:%SZ)," \
	    "$("$cc" --version | head -1), $(nproc) cores, $jobs at a time"
	printf '%-16s %12s %9s %9s %7s\n' harness executions coverage features corpus
} >"$out/results.txt"
for name in "${names[@]}"; do
	line=$(cat "$out/results/$name" 2>/dev/null ||
	    echo "not ok - fuzz $name: no result")
	case $line in
	ok*)
		echo "${line%%$'\t'*}"
		# shellcheck disable=SC2086
		printf '%-16s %12s %9s %9s %7s\n' ${line#*$'\t'} >>"$out/results.txt"
		;;
	*)
		echo "$line"
		printf '%-16s %12s %9s %9s %7s\n' "$name" FAILED - - - >>"$out/results.txt"
		status=1
		# The report itself, for a CI log that is all one gets.
		for f in "$out/logs/$name.replay.log" "$out/logs/$name.log"; do
			if [ ! -f "$f" ] || ! complaint "$f" >/dev/null; then
				continue
			fi
			echo "# --- $f" >&2
			grep -aE -A 40 'ERROR: (Address|Leak|UndefinedBehavior|Memory)Sanitizer|runtime error:|fuzz invariant broken|ERROR: libFuzzer|==[0-9]+== ERROR' "$f" |
			    head -60 | sed 's/^/# /' >&2
			break
		done
		;;
	esac
done
echo "# fuzz: $(($(date +%s) - start))s; table in $out/results.txt" >&2
crashers=$(for name in "${names[@]}"; do
	find "$out/crashes/$name" -type f 2>/dev/null
done | sort | tr '\n' ' ')
[ -n "$crashers" ] && echo "# crashing inputs: $crashers" >&2
exit $status
