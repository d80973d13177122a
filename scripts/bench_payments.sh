#!/usr/bin/env bash
# The payment engine's benchmark: N payments (default 1,000,000) against the
# register that `make bench` imported into bench-data (or BENCH_DIR), timed
# with their peak RSS: generation, submit, cut-off; then the same payments
# through the PostgreSQL reference (bench/pg_reference.sh) in the same run,
# and NKS's payments/s as a ratio to PostgreSQL's.
#   scripts/bench_payments.sh BUILD_DIR [COUNT]
# NKS_FORMAT=csv submits the CSV layout instead of pain.001; NKS_PG=0 skips
# the PostgreSQL reference.
set -euo pipefail
build=$1 count=${2:-1000000}
nks=$build/nks
work=${BENCH_DIR:-bench-data}
format=${NKS_FORMAT:-pain001}
here=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$work/nks.db" ] || { echo "run 'make bench' first (it imports the benchmark register into $work)" >&2; exit 1; }
"$nks" gen population --persons 1 --companies 1 --out "$work/config-only" >/dev/null
"$nks" --data "$work" config apply "$work/config-only/config.nks" >/dev/null
# EndToEndIds are unique per sender forever: each run needs its own seed.
seed=$(date +%s)
ext=xml; [ "$format" = csv ] && ext=csv
pay=$work/payments-$count-$seed.$ext
csv=$work/payments-$count-$seed.csv  # the same payments, for PostgreSQL
echo "seed $seed"
/usr/bin/time -f "gen payments: %e s wall, %M KiB peak RSS" "$nks" gen payments --count "$count" --seed "$seed" \
  --population "$work/pop" --out "$pay" --format "$format" --date 2026-11-30 >/dev/null
if [ "$pay" != "$csv" ] && [ "${NKS_PG:-1}" != 0 ]; then
  "$nks" gen payments --count "$count" --seed "$seed" --population "$work/pop" --out "$csv" --format csv \
    --date 2026-11-30 >/dev/null
fi
ls -l "$pay"
# The generated files' writeback is not the submit's work: flushed first,
# as before each timed step.
sync
/usr/bin/time -o "$work/time.submit" -f "%e %M" "$nks" --data "$work" \
  --clock 2026-11-25T12:00:00+01:00 submit --system SERVICEPLATFORM "$pay" | tee "$work/submit.json"
read -r submit_s submit_kib <"$work/time.submit"
echo "submit ($format): $submit_s s wall, $submit_kib KiB peak RSS"
sync
/usr/bin/time -o "$work/time.cutoff" -f "%e %M" "$nks" --data "$work" \
  --clock 2026-11-27T06:00:00+01:00 cutoff | cut -c1-200
read -r cutoff_s cutoff_kib <"$work/time.cutoff"
echo "cutoff: $cutoff_s s wall, $cutoff_kib KiB peak RSS"
accepted=$(sed -n 's/.*"accepted":\([0-9]*\).*/\1/p' "$work/submit.json")
nks_line=$(awk -v n="$count" -v a="$accepted" -v s="$submit_s" -v c="$cutoff_s" 'BEGIN {
  printf "nks payments=%d submit_s=%.2f submit_payments_per_s=%.0f accepted=%d cutoff_s=%.2f cutoff_payments_per_s=%.0f",
         n, s, n / s, a, c, a / c }')
echo "$nks_line"
if [ "${NKS_PG:-1}" != 0 ]; then
  echo "== PostgreSQL reference (bench/pg_reference.sh)"
  pg_line=$("$here/bench/pg_reference.sh" "$work/pop" "$csv")
  echo "$pg_line"
  # NKS's rate over PostgreSQL's: above 1 is faster than PostgreSQL.
  field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $2"; }
  awk -v ns="$(field submit_payments_per_s "$nks_line")" -v nc="$(field cutoff_payments_per_s "$nks_line")" \
      -v ps="$(field intake_payments_per_s "$pg_line")" -v pc="$(field cutoff_payments_per_s "$pg_line")" \
      -v n="$count" -v f="$format" 'BEGIN {
    printf "nks_vs_pg payments=%d format=%s submit_payments_per_s=%.0f pg_intake_payments_per_s=%.0f submit_ratio=%.2f cutoff_payments_per_s=%.0f pg_cutoff_payments_per_s=%.0f cutoff_ratio=%.2f\n",
           n, f, ns, ps, ns / ps, nc, pc, nc / pc }'
fi
echo "== reader alone"
"$build/bench/nks_bench_pain001" --txs 200000
