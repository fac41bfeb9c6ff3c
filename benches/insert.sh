#!/usr/bin/env bash
# Demo generation (members per second) beside a bare loop of prepared INSERTs into the same
# table, in the same run: SQLite ROUNDS times, then PostgreSQL once if it is reachable.
#   bash benches/insert.sh [members] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
members="${1:-1000000}"
rounds="${2:-3}"
pg="${ZHIJIA_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --release -q -p zhijia-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
for i in $(seq 1 "$rounds"); do
  echo "== SQLite round $i"
  ./target/release/zhijia-bench insert --members "$members"
done
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "== PostgreSQL"
  ./target/release/zhijia-bench insert --members "$members" --postgres "$pg"
fi
