#!/usr/bin/env bash
# Issue 6: the register import, resolution, submit and cut-off benchmarks
# on both stores in one run (SQLite in DATA/nks.db; PostgreSQL 15 in a
# throwaway cluster, durable: fsync, synchronous_commit and full page writes
# on), then the submit benchmark by one process against three at once on
# each store ("nodes": several nks processes on one store), a submit in the
# steady state and a second cut-off.
#   bench/backends_bench.sh BUILD_DIR [PERSONS] [COMPANIES] [PAYMENTS]
# Prints one "backend=..." line per store; BENCHMARKS.md records them.
# BACKENDS="postgresql" runs one store only.
set -euo pipefail
build=$(cd "$1" && pwd) persons=${2:-6000000} companies=${3:-800000} count=${4:-1000000}
nks=$build/nks
work=${BENCH_DIR:-bench-backends}
. "$(dirname "$0")/pg_cluster.sh"
pg_cluster_check backends_bench
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

echo "== population ($persons persons, $companies companies) and payments"
"$nks" gen population --persons "$persons" --companies "$companies" --seed 1 --out "$work/pop" >/dev/null
# The payments: one file of COUNT, and six of COUNT/3 for one process
# (three files one after another) and three at once. Each file has its own
# seed: EndToEndIds are unique per sender forever.
third=$((count / 3))
"$nks" gen payments --count "$count" --seed 1 --population "$work/pop" --out "$work/pay.xml" \
  --date 2026-11-30 >/dev/null
# The node files pay out a banking day later: a second cut-off forwards
# them with the index already built (the steady state of a daily cut-off).
for s in 11 12 13 21 22 23; do
  "$nks" gen payments --count "$third" --seed "$s" --population "$work/pop" --out "$work/pay-$s.xml" \
    --date 2026-12-01 >/dev/null
done
# And one more of COUNT for a submit in the steady state (both register
# snapshots built, payments stored), paid out with the node files.
"$nks" gen payments --count "$count" --seed 2 --population "$work/pop" --out "$work/pay-2.xml" \
  --date 2026-12-01 >/dev/null

# PostgreSQL: a cluster of its own (bench/pg_cluster.sh), reached over its
# Unix socket.
pg_cluster_start backends
psql -X -q -h "$pg_dir" -p 5432 -U bench -d postgres -c "CREATE DATABASE nks"
pg_url="postgresql://bench@/nks?host=$pg_dir&port=5432"

for backend in ${BACKENDS:-sqlite postgresql}; do
  data=$work/$backend
  db=()
  [ "$backend" = postgresql ] && db=(--db "$pg_url")
  run() { "$nks" --data "$data" "${db[@]}" "$@"; }
  echo "== $backend"
  run init >/dev/null
  t=$(now)
  for f in cpr cvr units nemkonti; do run import "$f" "$work/pop/$f.csv" >/dev/null; done
  import_s=$(since "$t")
  echo "import (4 files): $import_s s"
  resolve=$("$build/bench/nks_bench_resolve" --data "$data" "${db[@]}" --lookups 20000000)
  echo "$resolve"
  load_s=$(sed -n 's/.*index load: \([0-9.]*\) s.*/\1/p' <<<"$resolve" | head -1)
  lookups=$(sed -n 's/.*= \([0-9.]*\) M lookups\/s.*/\1/p' <<<"$resolve" | head -1)
  run config apply "$work/pop/config.nks" >/dev/null
  if [ "$backend" = postgresql ]; then
    # Each benchmark on a settled server: the import's dirty buffers
    # checkpointed and its tables vacuumed and analysed, as autovacuum and
    # the checkpointer leave them a while after an import (otherwise both
    # run inside the submit timed next). Not timed.
    t=$(now)
    psql -X -q -h "$pg_dir" -p 5432 -U bench -d nks -c "VACUUM (ANALYZE)" -c "CHECKPOINT"
    echo "settle after the import (VACUUM (ANALYZE), CHECKPOINT; not timed): $(since "$t") s"
  fi
  # Wall, peak RSS and nks's CPU (user + system) of one command, and
  # PostgreSQL's CPU over it ("-" on SQLite).
  timed() {
    local before=- after=-
    sync  # earlier steps' writeback is not this command's work
    [ "$backend" = postgresql ] && before=$(pg_cpu)
    /usr/bin/time -o "$work/time" -f "%e %M %U %S" "$nks" --data "$data" "${db[@]}" "$@"
    # (a moment for the postmaster to reap the session's backend: its time
    # counts only then)
    [ "$backend" = postgresql ] && sleep 0.5 && after=$(pg_cpu)
    read -r t_wall t_kib t_user t_sys <"$work/time"
    t_cpu=$(echo "$t_user + $t_sys" | bc)
    t_pg=-
    [ "$backend" = postgresql ] && t_pg=$(echo "$after - $before" | bc)
    return 0
  }
  # timed_submit LABEL FILE: a timed submit of FILE, printed under LABEL;
  # also sets t_accepted.
  timed_submit() {
    timed --clock 2026-11-25T12:00:00+01:00 submit --system SERVICEPLATFORM "$2" >"$work/submit.json"
    t_accepted=$(sed -n 's/.*"accepted":\([0-9]*\).*/\1/p' "$work/submit.json")
    echo "$1: $t_wall s, $((t_kib / 1024)) MiB peak RSS, $t_accepted accepted; CPU: nks $t_cpu s, postgres $t_pg s"
  }
  timed_submit submit "$work/pay.xml"
  submit_s=$t_wall submit_kib=$t_kib accepted=$t_accepted
  timed --clock 2026-11-27T06:00:00+01:00 cutoff >/dev/null
  cutoff_s=$t_wall cutoff_kib=$t_kib
  echo "cutoff: $cutoff_s s, $((cutoff_kib / 1024)) MiB peak RSS; CPU: nks $t_cpu s, postgres $t_pg s"
  # One process, three files one after another; then three at once.
  t=$(now)
  for s in 11 12 13; do
    run --clock 2026-11-25T12:00:00+01:00 submit --system SERVICEPLATFORM "$work/pay-$s.xml" >/dev/null
  done
  one_s=$(since "$t")
  t=$(now)
  pids=()
  for s in 21 22 23; do
    run --clock 2026-11-25T12:00:00+01:00 submit --system SERVICEPLATFORM "$work/pay-$s.xml" >/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  three_s=$(since "$t")
  timed_submit "steady submit" "$work/pay-2.xml"
  submit2_s=$t_wall
  # The second cut-off: the six node files and the steady submit's, the
  # index and its snapshot built.
  timed --clock 2026-11-30T06:00:00+01:00 cutoff >"$work/cutoff2.json"
  cutoff2_s=$t_wall
  decided2=$(sed -n 's/.*"forwarded":\([0-9]*\),"to_error_account":\([0-9]*\),"returned":\([0-9]*\),"cheques":\([0-9]*\).*/\1 \2 \3 \4/p' \
    "$work/cutoff2.json" | awk '{print $1 + $2 + $3 + $4}')
  echo "second cutoff: $cutoff2_s s, $decided2 payments decided, $((t_kib / 1024)) MiB peak RSS; CPU: nks $t_cpu s, postgres $t_pg s"
  awk -v b="$backend" -v i="$import_s" -v l="$load_s" -v r="$lookups" -v n="$count" -v s="$submit_s" \
      -v a="$accepted" -v c="$cutoff_s" -v sk="$submit_kib" -v ck="$cutoff_kib" -v m=$((3 * third)) \
      -v o="$one_s" -v t3="$three_s" -v c2="$cutoff2_s" -v d2="$decided2" -v s2="$submit2_s" 'BEGIN {
    printf "backend=%s import_s=%.1f index_load_s=%.1f lookups_M_per_s=%s submit_s=%.2f submit_per_s=%.0f submit_rss_MiB=%d cutoff_s=%.2f cutoff_per_s=%.0f cutoff_rss_MiB=%d one_process_3_files_per_s=%.0f three_processes_per_s=%.0f three_vs_one=%.2f steady_submit_s=%.2f steady_submit_per_s=%.0f second_cutoff_s=%.2f second_cutoff_per_s=%.0f\n",
      b, i, l, r, s, n / s, sk / 1024, c, a / c, ck / 1024, m / o, m / t3, o / t3, s2, n / s2, c2, d2 / c2 }' | tee -a "$work/results"
done
