#!/usr/bin/env bash
# A flash sale of coupons over HTTP: every member claims one at once from a limited stock,
# against the real binary (one process on SQLite, two on one PostgreSQL), beside a bare axum
# handler hit the same way in the same run.
#   bash benches/flash.sh [members] [stock] [postgres-admin-url]
set -euo pipefail
cd "$(dirname "$0")/.."
members="${1:-10000}"
stock="${2:-1000}"
pg="${3:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --release -q -p zhijia -p zhijia-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
./target/release/zhijia-bench flash --members "$members" --stock "$stock"
./target/release/zhijia-bench flash --members "$members" --stock "$stock" --postgres "$pg"
