#!/usr/bin/env bash
# test.sh - builds ikc with AddressSanitizer + UBSan and runs every test:
# unit, integration (against a running ikc-sim), end-to-end, the fuzz corpus
# replay, and a short libFuzzer run of each fuzz target.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh

# Short coverage-guided fuzzing first (clang + libFuzzer), so that ctest's
# summary is the last thing printed.
CC=clang cmake -S . -B build-fuzz -DIKC_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
fuzzers=$(cmake --build build-fuzz --target help | sed -n 's/^\.\.\. \(fuzz_[a-z_]*\).*/\1/p')
if [ -n "$fuzzers" ]; then
  cmake --build build-fuzz -j"$jobs" --target $fuzzers >/dev/null
  for f in $fuzzers; do
    name=${f#fuzz_}
    work="build-fuzz/corpus-$name"
    rm -rf "$work"; mkdir -p "$work"
    cp tests/fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
    echo "fuzz: $f for ${IKC_FUZZ_SECONDS:-20}s"
    ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/"$f" -max_total_time="${IKC_FUZZ_SECONDS:-20}" \
      -rss_limit_mb=2048 -timeout=10 "$work" >build-fuzz/"$f".log 2>&1 || {
      tail -40 build-fuzz/"$f".log; echo "fuzz: $f found a failure"; exit 1; }
    grep -E "^(#[0-9]+ +DONE|Done)" build-fuzz/"$f".log | tail -1 || true
  done
fi

cmake -S . -B build-test -DIKC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-test -j"$jobs"
cd build-test
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$jobs" --timeout 600
