#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang 14, ASan and UBSan in
# build-fuzz/ (a build dir of its own: the nks libraries are instrumented
# there too), then runs each target for SECONDS_PER_TARGET seconds, one at a
# time, on its seed corpus. Exits non-zero when any target crashes, leaks,
# hangs or trips a sanitizer; the input that did it is left in
# build-fuzz/artifacts/ (add it to fuzz/corpus/<target>/ once fixed).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
build=${BUILD_FUZZ:-build-fuzz}
# Longest input per target while fuzzing: XML seeds are a few KB,
# identifiers and amounts short; CSV stays small for speed (1k runs/s at
# 64 KiB, ~20x more at 4 KiB), so its 64 KiB limit is left to the replay
# of the seeds at full length and to csv_test.cc.
declare -A max_len=([pain001]=16384 [bank_report]=16384 [csv]=4096 [ids]=64 [payment_csv]=4096)
targets=(pain001 csv ids payment_csv)
# fuzz/CMakeLists.txt builds this one only where its reader exists.
[ -e src/nks/iso20022/bank_report_reader.h ] && targets+=(bank_report)

scripts/deps.sh fuzz
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNKS_FUZZ=ON -DNKS_BUILD_BENCH=OFF)
[ "${CI:-}" = true ] && flags+=(-DNKS_WERROR=ON)
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

mkdir -p "$build/artifacts" "$build/logs"
failed=()
for t in "${targets[@]}"; do
  # New inputs go to the scratch corpus (first dir), never into fuzz/corpus.
  mkdir -p "$build/corpus/$t"
  log="$build/logs/$t.log"
  # Every seed once, whole (fuzzing cuts inputs to max_len): the regressions.
  if ! "$build/fuzz/${t}_fuzz" fuzz/corpus/"$t"/* >"$log" 2>&1; then
    echo "fuzz: $t: a seed of fuzz/corpus/$t fails (log: $log)" >&2
    grep -E -A30 '^==[0-9]+==ERROR|runtime error|invariant broken|deadly signal' "$log" | head -60 >&2 || true
    failed+=("$t")
    continue
  fi
  if "$build/fuzz/${t}_fuzz" "$build/corpus/$t" "fuzz/corpus/$t" \
      -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz: $t: ok, $runs runs in ${seconds} s ($rate/s)"
  else
    echo "fuzz: $t: FAILED (log: $log)" >&2
    grep -E -A30 '^==[0-9]+==ERROR|runtime error|invariant broken|deadly signal|timeout' "$log" | head -60 >&2 || tail -40 "$log" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}; inputs in $build/artifacts/" >&2
  exit 1
fi
