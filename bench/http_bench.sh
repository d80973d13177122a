#!/usr/bin/env bash
# GET /api/v1/nemkonto/{id} through nks serve under wrk, with redis-benchmark
# -t get on a local redis-server as the reference (issue 4's goal: >= 50,000
# req/s, p99 < 5 ms, ratio to redis >= 0.5).
#   bench/http_bench.sh BUILD_DIR [PERSONS] [COMPANIES] [SECONDS]
# The client is authenticated as the demo bank principal through the
# loopback TLS-proxy header (wrk has no client certificates).
set -euo pipefail
build=$1 persons=${2:-6000000} companies=${3:-800000} secs=${4:-10}
nks=$(realpath "$build/nks")
work=${BENCH_DIR:-bench-data}
threads=${NKS_THREADS:-2} conns=${WRK_CONNECTIONS:-64} port=${NKS_PORT:-18443} rport=${REDIS_PORT:-16379}
if [ ! -f "$work/nks.db" ] || [ "$(cat "$work/.population" 2>/dev/null)" != "$persons/$companies" ]; then
  rm -rf "$work" && mkdir -p "$work"
  "$nks" gen population --persons "$persons" --companies "$companies" --seed 1 --out "$work/pop" >/dev/null
  "$nks" --data "$work" init >/dev/null
  for f in cpr cvr units nemkonti; do "$nks" --data "$work" import "$f" "$work/pop/$f.csv" >/dev/null; done
  "$nks" --data "$work" config apply "$work/pop/config.nks" >/dev/null
  echo "$persons/$companies" >"$work/.population"
fi
# Ids to cycle through: every recipient of nemkonti.csv (up to 100,000).
lua=$work/nemkonto.lua
{
  echo "local ids = {"
  awk -F, 'NR>1 && NR<=100001 {printf "\"%s:%s\",\n", $1, $2}' "$work/pop/nemkonti.csv"
  echo "}"
  cat <<'LUA'
local i = 0
wrk.headers["X-Client-Cert-SHA256"] = string.rep("2", 64)
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/nemkonto/" .. ids[i])
end
LUA
} >"$lua"
"$nks" --data "$work" serve --listen 127.0.0.1:$port --threads "$threads" --trust-proxy-cert-header \
  --access-log "$work/access.log" 2>"$work/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; [ -n "${redis:-}" ] && kill $redis 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf http://127.0.0.1:$port/readyz >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf -H "X-Client-Cert-SHA256: $(printf '2%.0s' $(seq 64))" \
  "http://127.0.0.1:$port/api/v1/nemkonto/$(awk -F, 'NR==2 {print $1 ":" $2}' "$work/pop/nemkonti.csv")" >/dev/null
echo "== nks serve: GET /api/v1/nemkonto/{id}, $persons persons + $companies companies, $threads server threads, wrk 1 thread $conns connections ${secs}s"
# The server's CPU time per request (user + system, from /proc): a figure
# that moves less than req/s when the machine is shared.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks0=$(cpu_ticks)
wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$lua" http://127.0.0.1:$port/ | tee "$work/wrk.txt"
ticks1=$(cpu_ticks)
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
cpu_us=$(echo "scale=1; ($ticks1 - $ticks0) * 1000000 / $(getconf CLK_TCK) / $requests" | bc)
nks_rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
nks_p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
errors=$(grep -c '"status":[45]' "$work/access.log" || true)
kill -TERM $server; wait $server || true
echo "== redis-server + redis-benchmark -t get (reference)"
redis-server --port $rport --save '' --appendonly no --daemonize no >/dev/null &
redis=$!
for _ in $(seq 50); do redis-cli -p $rport ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -p $rport -t get -n $((secs * 40000)) -c "$conns" -r 100000 2>/dev/null | tr '\r' '\n' \
  | grep -v 'rps=' >"$work/redis.txt"
grep -E 'throughput summary|^ +avg' -A1 "$work/redis.txt" | head -4
redis_rps=$(awk '/throughput summary/ {print $3}' "$work/redis.txt")
redis_p99=$(awk '/latency summary/ {getline; getline; print $5 "ms"; exit}' "$work/redis.txt")
echo "== result"
echo "nks serve: $nks_rps req/s, p99 $nks_p99, server CPU $cpu_us us/request, 4xx/5xx in access log: $errors"
echo "redis GET: $redis_rps req/s, p99 $redis_p99"
echo "ratio nks/redis: $(echo "scale=3; $nks_rps / $redis_rps" | bc)"
