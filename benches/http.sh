#!/usr/bin/env bash
# HTTP benchmark: zhijia's GET /api/v1/orgs/{id} and worker home page beside a bare axum "hello"
# (benches/main.rs, same allocator and build profile), measured in the same run with wrk on
# loopback, 64 connections. The servers are pinned to CPU 0 and wrk to CPU 1, so the load
# generator does not steal the server's core; each pair is run ROUNDS times, alternating, and
# every run is printed so the spread is visible.
#   bash benches/http.sh [seconds per run] [rounds] [members]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${2:-5}"
members="${3:-1000000}"
data=target/bench-http
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p zhijia -p zhijia-bench

if [ ! -f "$data/zhijia.db" ]; then
  ./target/release/zhijia demo --members "$members" --data-dir "$data"
fi
taskset -c 0 ./target/release/zhijia serve --listen 127.0.0.1:18080 --data-dir "$data" >/dev/null 2>&1 &
zhijia=$!
taskset -c 0 ./target/release/zhijia-bench hello --listen 127.0.0.1:18081 >/dev/null 2>&1 &
hello=$!
trap 'kill $zhijia $hello 2>/dev/null || true' EXIT
for port in 18080 18081; do
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
done

# A county federation in the middle of the tree (not the root, not a leaf).
org=$(curl -fs "http://127.0.0.1:18080/api/v1/orgs/3/children?limit=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); server on CPU 0, wrk -t1 -c64 -d${secs}s on CPU 1"
echo "store: SQLite, $members members, $(curl -fs "http://127.0.0.1:18080/api/v1/orgs/1/subtree?limit=1" | sed -E 's/.*"total":([0-9]+).*/\1/') orgs; org id $org"
measure() { # url -> "rps p99"
  taskset -c 1 wrk -t1 -c64 -d"${secs}s" --latency "$1" |
    awk '/Requests\/sec/{r=$2} / 99%/{p=$2} END{printf "%.0f %s", r, p}'
}
printf "%-6s %12s %9s %12s %9s %7s %12s %9s %7s\n" round hello_rps p99 org_rps p99 ratio home_rps p99 ratio
for i in $(seq 1 "$rounds"); do
  read -r h hp <<<"$(measure http://127.0.0.1:18081/)"
  read -r o op <<<"$(measure "http://127.0.0.1:18080/api/v1/orgs/$org")"
  read -r w wp <<<"$(measure http://127.0.0.1:18080/)"
  printf "%-6s %12s %9s %12s %9s %6.0f%% %12s %9s %6.0f%%\n" "$i" "$h" "$hp" "$o" "$op" \
    "$(echo "100*$o/$h" | bc -l)" "$w" "$wp" "$(echo "100*$w/$h" | bc -l)"
done
