#!/usr/bin/env bash
# HTTP benchmark: zhijia's GET /api/v1/orgs/{id} and worker home page beside a bare axum "hello",
# measured in the same run with wrk on loopback (64 connections). Results go to stdout; copy them
# into docs/benchmarks.md with the machine they ran on.
#   bash benches/http.sh [seconds] [members]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
members="${2:-1000000}"
data=target/bench-http
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p zhijia -p zhijia-bench

if [ ! -f "$data/zhijia.db" ]; then
  ./target/release/zhijia demo --members "$members" --data-dir "$data"
fi
./target/release/zhijia serve --listen 127.0.0.1:18080 --data-dir "$data" >/dev/null 2>&1 &
zhijia=$!
./target/release/zhijia-bench hello --listen 127.0.0.1:18081 >/dev/null 2>&1 &
hello=$!
trap 'kill $zhijia $hello 2>/dev/null || true' EXIT
for port in 18080 18081; do
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
done

# A county federation in the middle of the tree (not the root, not a leaf).
org=$(curl -fs "http://127.0.0.1:18080/api/v1/orgs/3/children?limit=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); wrk -t2 -c64 -d${secs}s"
echo "store: SQLite, $members members, org id $org"
run() {
  echo "== $1"
  wrk -t2 -c64 -d"${secs}s" --latency "$2" | grep -E "Requests/sec|Latency  |99%|Non-2xx"
}
run "bare axum hello" "http://127.0.0.1:18081/"
run "GET /api/v1/orgs/$org" "http://127.0.0.1:18080/api/v1/orgs/$org"
run "GET / (worker home page)" "http://127.0.0.1:18080/"
run "bare axum hello (again, to show drift)" "http://127.0.0.1:18081/"
