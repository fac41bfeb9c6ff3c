#!/usr/bin/env bash
# kill -9 under writes: coupon claims and aid payments over HTTP (one zhijia serve on SQLite, two
# on one PostgreSQL) and a roster import, each killed several times, then restarted; prints what
# was confirmed, lost or doubled and the SQLite integrity check. Exits non-zero if anything is
# wrong.
#   bash benches/crash.sh [kills] [postgres-admin-url]
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-4}"
pg="${2:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --release -q -p zhijia -p zhijia-bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
./target/release/zhijia-bench crash --kills "$kills"
./target/release/zhijia-bench crash --kills "$kills" --postgres "$pg"
