#!/bin/sh
# Install, build and run every test: the README's test command, and what CI runs.
# Needs root (it installs packages and starts a private Docker daemon).
#   1. gcc build with warnings as errors: unit, lint, fuzz-replay, wire, integration
#   2. clang ASan+UBSan build: unit, fuzz-replay, wire
#   3. clang libFuzzer: a short run of every harness from its corpus
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${SW_FUZZ_SECONDS:-20}

if [ "${SW_SKIP_INSTALL:-0}" != 1 ]; then
	sh deploy/install-deps.sh --test
fi

echo "== gcc, -Werror: every test"
cmake -S . -B build/ci-gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSW_WERROR=ON >/dev/null
cmake --build build/ci-gcc -j"$jobs"
ctest --test-dir build/ci-gcc --output-on-failure -j1

echo "== clang, ASan+UBSan: unit, fuzz-replay, wire, integration"
CC=clang cmake -S . -B build/ci-asan -DCMAKE_BUILD_TYPE=Debug -DSW_WERROR=ON \
    -DSW_SANITIZE=address,undefined -DSW_FUZZ=ON >/dev/null
cmake --build build/ci-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/ci-asan --output-on-failure -j1 -L 'unit|fuzz-replay|wire|integration'

echo "== libFuzzer: ${fuzz_seconds}s per harness"
for f in build/ci-asan/tests/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
	dict=""
	[ -f "tests/fuzz/dict/$name.dict" ] && dict="-dict=tests/fuzz/dict/$name.dict"
	# shellcheck disable=SC2086
	"$f" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    $dict "$work" \
	    >"$work.log" 2>&1 || { tail -40 "$work.log"; echo "fuzz $name: FAILED"; exit 1; }
	echo "fuzz $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" |
	    tail -1 | awk '{print $2}') runs, no crash"
	rm -rf "$work" "$work.log"
done
echo "all tests passed"
