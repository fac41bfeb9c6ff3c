#!/usr/bin/env bash
# Coupon claims with and without a storm of wrong-password staff sign-ins beside them, in one
# run: the claims' p99 with the storm should stay within 2x of the claims' p99 without it.
#   bash benches/storm.sh [members] [stock] [clients] [postgres-admin-url]
set -euo pipefail
cd "$(dirname "$0")/.."
members="${1:-10000}"
stock="${2:-1000}"
clients="${3:-32}"
pg="${4:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --release -q -p zhijia -p zhijia-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
for backend in sqlite postgres; do
  args=(--members "$members" --stock "$stock")
  [ "$backend" = postgres ] && args+=(--postgres "$pg")
  ./target/release/zhijia-bench flash "${args[@]}"
  ./target/release/zhijia-bench flash "${args[@]}" --storm "$clients"
done
