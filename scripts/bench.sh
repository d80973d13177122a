#!/usr/bin/env bash
# make bench: the register issue's benchmarks on the benchmark population
# (6,000,000 persons, 800,000 companies). Figures go to stdout; BENCHMARKS.md
# records them with this command.
#   scripts/bench.sh BUILD_DIR [PERSONS] [COMPANIES]
set -euo pipefail
build=$1 persons=${2:-6000000} companies=${3:-800000}
nks=$build/nks
work=${BENCH_DIR:-bench-data}
rm -rf "$work"
mkdir -p "$work"
echo "== generating $persons persons, $companies companies"
/usr/bin/time -f "gen: %e s wall, %M KiB peak RSS" "$nks" gen population --persons "$persons" \
  --companies "$companies" --seed 1 --out "$work/pop"
ls -l "$work/pop"
"$nks" --data "$work" init >/dev/null
total=0
for f in cpr cvr units nemkonti; do
  /usr/bin/time -o "$work/time.$f" -f "%e %M" "$nks" --data "$work" import "$f" "$work/pop/$f.csv"
  read -r secs kib <"$work/time.$f"
  echo "import $f: $secs s wall, $((kib / 1024)) MiB peak RSS"
  total=$(echo "$total + $secs" | bc)
done
echo "import all four files: $total s wall"
du -sh "$work/nks.db"
echo "== resolution"
"$build/bench/nks_bench_resolve" --data "$work" --lookups 50000000
