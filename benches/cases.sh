#!/usr/bin/env bash
# A province with a million rights-protection cases: a handler's queue (subtree, open, by
# deadline, first page) beside a point read in the same run, and the escalation job over every
# open case; on SQLite, then on PostgreSQL.
#   bash benches/cases.sh [cases] [postgres-admin-url]
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-1000000}"
pg="${2:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --release -q -p zhijia-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
./target/release/zhijia-bench cases --cases "$cases"
./target/release/zhijia-bench cases --cases "$cases" --postgres "$pg"
