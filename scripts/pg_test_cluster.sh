#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (ctest fixture "pg",
# CMakeLists.txt): initdb into DIR, a server on a unix socket in DIR/s only
# (no TCP port, so parallel runs never collide), superuser "nks" with trust
# authentication. `stop` stops it and removes DIR.
#   scripts/pg_test_cluster.sh start DIR    # then: postgresql://nks@/postgres?host=DIR/s
#   scripts/pg_test_cluster.sh stop DIR
# PostgreSQL refuses to run as root: as root (CI) the cluster runs as the
# "postgres" user of the Debian package, else as the caller.
# The cluster is for tests only: fsync=off, since what the tests kill is
# nks, never the server (durability of nks's commits is synchronous_commit,
# which nks sets per session).
set -euo pipefail
what=${1:?usage: pg_test_cluster.sh start|stop DIR}
dir=${2:?usage: pg_test_cluster.sh start|stop DIR}
port=5432  # the socket's name (.s.PGSQL.5432); the directory is private

bin=""
for v in 15 16 17; do
  if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then bin=/usr/lib/postgresql/$v/bin; break; fi
done
if [ -z "$bin" ]; then
  echo "pg_test_cluster: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Where the server's files are: DIR itself, or, when the postgres user
# cannot reach DIR (a checkout under root's home), a private directory
# under /tmp that DIR/elsewhere names and DIR/s links to.
home_of() {
  if [ -f "$1/elsewhere" ]; then cat "$1/elsewhere"; else echo "$1"; fi
}

stop_cluster() {
  local home
  home=$(home_of "$dir")
  if [ -f "$home/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ "$home" != "$dir" ]; then rm -rf "$home"; fi
  rm -rf "$dir"
}

case "$what" in
  start)
    stop_cluster
    mkdir -p "$dir"
    home=$dir
    if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$dir"; then
      home=$(mktemp -d /tmp/nks-pg-test.XXXXXX)
      echo "$home" >"$dir/elsewhere"
      ln -s "$home/s" "$dir/s"
    fi
    mkdir -p "$home/s"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$home"; fi
    as_owner "$bin/initdb" -D "$home/data" -A trust -U nks -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 ||
      { cat "$home/initdb.log" >&2; exit 1; }
    cat >>"$home/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$home/s'
port = $port
max_connections = 300
shared_buffers = 64MB
fsync = off
full_page_writes = off
synchronous_commit = on
max_locks_per_transaction = 256
log_min_messages = warning
CONF
    as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 start >/dev/null ||
      { cat "$home/server.log" >&2; exit 1; }
    echo "pg_test_cluster: running; postgresql://nks@/postgres?host=$dir/s&port=$port"
    ;;
  stop)
    stop_cluster
    ;;
  *)
    echo "usage: pg_test_cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
