#!/usr/bin/env bash
# Roster import (rows per second) beside a bare loop of prepared INSERTs into the same table, in
# the same run, then the roster search by member number and by identity number at that size.
#   bash benches/import.sh [rows] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
rounds="${2:-3}"
cargo build --release -q -p zhijia-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
for i in $(seq 1 "$rounds"); do
  echo "== SQLite round $i"
  ./target/release/zhijia-bench import --rows "$rows"
done
