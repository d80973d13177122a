#!/usr/bin/env bash
# The payment engine's benchmark: N payments (default 1,000,000) against the
# register that `make bench` imported into bench-data (or BENCH_DIR), timed
# with their peak RSS: generation, submit, cut-off.
#   scripts/bench_payments.sh BUILD_DIR [COUNT]
set -euo pipefail
build=$1 count=${2:-1000000}
nks=$build/nks
work=${BENCH_DIR:-bench-data}
[ -f "$work/nks.db" ] || { echo "run 'make bench' first (it imports the benchmark register into $work)" >&2; exit 1; }
"$nks" gen population --persons 1 --companies 1 --out "$work/config-only" >/dev/null
"$nks" --data "$work" config apply "$work/config-only/config.nks" >/dev/null
# EndToEndIds are unique per sender forever: each run needs its own seed.
seed=$(date +%s)
pay=$work/payments-$count-$seed.xml
echo "seed $seed"
/usr/bin/time -f "gen payments: %e s wall, %M KiB peak RSS" "$nks" gen payments --count "$count" --seed "$seed" \
  --population "$work/pop" --out "$pay" --date 2026-11-30 >/dev/null
ls -l "$pay"
/usr/bin/time -f "submit: %e s wall, %M KiB peak RSS" "$nks" --data "$work" \
  --clock 2026-11-25T12:00:00+01:00 submit --system SERVICEPLATFORM "$pay"
/usr/bin/time -f "cutoff: %e s wall, %M KiB peak RSS" "$nks" --data "$work" \
  --clock 2026-11-27T06:00:00+01:00 cutoff | cut -c1-200
echo "== reader alone"
"$build/bench/nks_bench_pain001" --txs 200000
