# Sourced by the benchmarks that run a PostgreSQL 15 server of their own
# (pg_reference.sh, backends_bench.sh).
#   pg_cluster_check NAME        exits unless the server binaries are there
#   pg_cluster_start NAME [PORT] a throwaway cluster in a new directory,
#                                $pg_dir (its Unix socket, port 5432, is
#                                there; with PORT it also listens on
#                                127.0.0.1:PORT), removed when the script
#                                exits; superuser "bench", trust
#   pg_cpu                       the server's CPU seconds so far
# Durable (fsync, synchronous_commit and full_page_writes on: every commit
# is on disk, as NKS's SQLite store is); memory and WAL sized as one would
# give a bulk-loading server, so checkpoints do not dominate. As root the
# server runs as the postgres user of the Debian package.
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
pg_dir=
pg_as_server=()

pg_cluster_check() {
  [ -x "$pg_bin/initdb" ] || { echo "$1: no PostgreSQL 15 in $pg_bin (scripts/deps.sh bench)" >&2; exit 1; }
}

pg_cluster_stop() {
  [ -n "$pg_dir" ] || return 0
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    "${pg_as_server[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
}

pg_cluster_start() {
  local name=$1 port=${2:-5432} listen=${2:+127.0.0.1}
  pg_cluster_check "$name"
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/nks-$name.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then
    pg_as_server=(runuser -u postgres --)
    chown postgres "$pg_dir"
  fi
  trap pg_cluster_stop EXIT
  trap "exit 130" INT TERM
  "${pg_as_server[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U bench -A trust -E UTF8 --locale=C.UTF-8 \
    >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; exit 1; }
  "${pg_as_server[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/server.log" \
    -o "-p $port -k $pg_dir -c listen_addresses='$listen' -c fsync=on -c synchronous_commit=on \
        -c full_page_writes=on -c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=1GB \
        -c max_wal_size=16GB -c checkpoint_timeout=30min" start >/dev/null ||
    { cat "$pg_dir/server.log" >&2; exit 1; }
}

# Every server process's own time, and the postmaster's reaped children's
# (the backends of finished sessions: read it a moment after a session
# ends, once the postmaster has reaped its backend).
pg_cpu() {
  local master
  master=$(head -1 "$pg_dir/data/postmaster.pid")
  { awk '{print $16 + $17}' "/proc/$master/stat"
    for p in $(pgrep -P "$master") "$master"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done
  } | awk -v hz="$(getconf CLK_TCK)" '{t += $1} END {printf "%.2f", t / hz}'
}
