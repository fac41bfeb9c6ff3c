#!/usr/bin/env bash
# Memory of the server under parallel case forms with files (issue 14, Low): one signed-in worker
# sends PARALLEL case forms of about 40 MB at once with curl, and the server's peak resident
# memory (VmHWM in /proc) is read after each scenario; the server is restarted between them.
#   junk: 4 files of 10 MB that are no photo (zeros), named .jpg
#   png:  4 files of 10 MB that start as a PNG (pass the content check)
#   bash benches/uploads.sh [zhijia binary] [parallel]
# Without a binary the release build is made and used.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
parallel="${2:-10}"
if [ -z "$bin" ]; then
  cargo build --release -q -p zhijia
  bin=./target/release/zhijia
fi
work=$(mktemp -d)
port=18090
base="http://127.0.0.1:$port"
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

head -c $((10 * 1024 * 1024)) /dev/zero >"$work/junk.jpg"
{ printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0'
  head -c $((10 * 1024 * 1024 - 33)) /dev/zero; } >"$work/photo.png"

start() {
  rm -rf "$work/data"
  "$bin" serve --demo --listen "127.0.0.1:$port" --data-dir "$work/data" >"$work/log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -fs "$base/" >/dev/null && return; sleep 0.2; done
  echo "the server did not start" >&2; exit 1
}

csrf_of() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1; }

sign_in() { # a worker through the SMS pages (demo mode shows the code)
  local jar="$work/jar" phone=13900139555
  rm -f "$jar"
  local csrf code
  csrf=$(curl -fs -c "$jar" -b "$jar" "$base/sign-in" | csrf_of)
  code=$(curl -fs -c "$jar" -b "$jar" -d "csrf=$csrf&phone=$phone" "$base/sign-in/code" |
    sed -n 's/.*验证码是 <strong>\([0-9]\{6\}\).*/\1/p' | head -1)
  curl -fs -o /dev/null -c "$jar" -b "$jar" -d "csrf=$csrf&phone=$phone&code=$code" "$base/sign-in/verify"
  curl -fs -c "$jar" -b "$jar" "$base/cases/new" | csrf_of
}

run() { # scenario file -> "statuses peak_MB seconds"
  local file=$1 csrf
  start
  csrf=$(sign_in)
  local t0; t0=$(date +%s.%N)
  local pids=()
  for i in $(seq 1 "$parallel"); do
    curl -s -o /dev/null -w '%{http_code}\n' -b "$work/jar" "$base/cases/new" \
      -F "csrf=$csrf" -F kind=complaint -F title=拖欠工资 -F description=八月至十月工资未发 \
      -F filer_name=赵六 -F employer_name=广州天河电子厂 -F region_code=440106 \
      -F "file=@$file" -F "file=@$file" -F "file=@$file" -F "file=@$file" >"$work/status.$i" &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  local t1; t1=$(date +%s.%N)
  local hwm; hwm=$(awk '/VmHWM/{print $2}' "/proc/$server/status")
  echo "$(cat "$work"/status.* | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')| peak $((hwm / 1024)) MB | $(echo "$t1 - $t0" | bc | xargs printf '%.1f') s"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); binary $bin; $parallel parallel forms of 4 × 10 MB"
start; idle=$(awk '/VmHWM/{print $2}' "/proc/$server/status"); kill "$server"; wait "$server" 2>/dev/null || true; server=
echo "idle (demo loaded, no upload): peak $((idle / 1024)) MB"
echo "junk (no photo): $(run "$work/junk.jpg")"
echo "png (passes the content check): $(run "$work/photo.png")"
