#!/usr/bin/env bash
# The deployment an operator follows (docs/deployment.md), run here end to end:
#   - deploy/zhijia.service passes `systemd-analyze verify` and rates "OK" (exposure ≤ 2.0) in
#     `systemd-analyze security`;
#   - deploy/nginx.conf, moved to free ports and a temporary folder with a self-signed
#     certificate, sits in front of two `zhijia serve` processes on ONE fresh PostgreSQL
#     database (the first loads the demo data; the second takes its settings from an
#     environment file like /etc/zhijia/zhijia.env);
#   - through https: HSTS exactly once, http → https redirect, a staff token and a worker token
#     good on both processes (round robin seen in each process's own /metrics), coupon claims
#     served by both, /metrics not reachable through the proxy, and X-Forwarded-For believed
#     only as nginx writes it (a client's forged one is dropped, also from a trusted address);
#     with one process stopped, nginx answers everything from the other.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); installs Debian's nginx, openssl
# and systemd (for systemd-analyze only) when missing and allowed to.
#   bash tests/deploy/deploy.sh [path/to/zhijia]
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="$(realpath "${1:-target/debug/zhijia}")"
pg_base="${ZHIJIA_DEPLOY_PG:-postgres://postgres@127.0.0.1:5432}"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "-- $*"; }
# No request may hang the run (CI): every curl gives up after 30 s.
curl() { command curl --max-time 30 "$@"; }

[ -x "$binary" ] || fail "no zhijia binary at $binary (cargo build first)"
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v openssl >/dev/null || need+=(openssl)
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -ne 0 ]; then
  step "installing ${need[*]} (Debian packages)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } ||
    fail "could not install ${need[*]}"
fi
for tool in nginx openssl systemd-analyze curl psql python3; do
  command -v "$tool" >/dev/null || fail "$tool is required"
done
psql "$pg_base/postgres" -qAtc 'SELECT 1' >/dev/null 2>&1 ||
  fail "PostgreSQL is not answering at $pg_base (user postgres, trust)"

tmp=$(mktemp -d)
db="zhijia_deploy_$(date +%s)_$RANDOM"
pids=()
db_made=""
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$db_made" ]; then
    psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 ||
      echo "warning: could not drop database $db" >&2
  fi
  if [ $rc -ne 0 ]; then
    for log in "$tmp"/a.log "$tmp"/b.log "$tmp"/nginx/error.log "$tmp"/nginx/zhijia.error.log; do
      [ -s "$log" ] && { echo "== last lines of ${log#"$tmp"/}"; tail -n 15 "$log"; }
    done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)

# ---------------------------------------------------------------------------------------------
step "systemd unit: systemd-analyze verify and security"
# verify wants the ExecStart binary to exist: the same unit, started from this build's binary.
mkdir "$tmp/unit"
sed "s#^ExecStart=/usr/local/bin/zhijia #ExecStart=$binary #" deploy/zhijia.service >"$tmp/unit/zhijia.service"
grep -q "^ExecStart=$binary serve" "$tmp/unit/zhijia.service" ||
  fail "deploy/zhijia.service: ExecStart is no longer /usr/local/bin/zhijia serve"
if ! systemd-analyze verify "$tmp/unit/zhijia.service" >"$tmp/unit/verify.txt" 2>&1; then
  cat "$tmp/unit/verify.txt"
  fail "systemd-analyze verify rejects deploy/zhijia.service"
fi
# Any complaint at all (an unknown key, a misspelt value) is a failure, not only a refusal.
if grep -v '^$' "$tmp/unit/verify.txt" | grep -q .; then
  cat "$tmp/unit/verify.txt"
  fail "systemd-analyze verify warns about deploy/zhijia.service"
fi
# The template docs/deployment.md makes for two processes on one machine (the port as
# instance), by the same command.
sed 's#^ExecStart=/usr/local/bin/zhijia serve$#ExecStart=/usr/local/bin/zhijia serve --listen 127.0.0.1:%i#' \
  deploy/zhijia.service | sed "s#^ExecStart=/usr/local/bin/zhijia #ExecStart=$binary #" >"$tmp/unit/zhijia@8080.service"
grep -q -- "--listen 127.0.0.1:%i$" "$tmp/unit/zhijia@8080.service" ||
  fail "the template command of docs/deployment.md no longer matches deploy/zhijia.service's ExecStart"
if ! systemd-analyze verify "$tmp/unit/zhijia@8080.service" >"$tmp/unit/verify@.txt" 2>&1 ||
  grep -q . "$tmp/unit/verify@.txt"; then
  cat "$tmp/unit/verify@.txt"
  fail "systemd-analyze verify rejects or warns about the zhijia@.service template"
fi
systemd_version=$(systemd-analyze --version | sed -n 's/^systemd \([0-9]*\).*/\1/p')
if [ "${systemd_version:-0}" -ge 252 ]; then
  systemd-analyze security --offline=true --no-pager deploy/zhijia.service >"$tmp/unit/security.txt" 2>&1 ||
    { cat "$tmp/unit/security.txt"; fail "systemd-analyze security could not rate deploy/zhijia.service"; }
  score=$(sed -n 's/.*Overall exposure level for zhijia.service: \([0-9.]*\) .*/\1/p' "$tmp/unit/security.txt")
  [ -n "$score" ] || { cat "$tmp/unit/security.txt"; fail "no exposure level in systemd-analyze security"; }
  echo "   exposure level $score (systemd $systemd_version)"
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 2.0 else 1)" "$score" ||
    { grep '✗' "$tmp/unit/security.txt"; fail "deploy/zhijia.service exposure level $score is above 2.0 (OK)"; }
else
  echo "   systemd $systemd_version has no offline security rating (252+): not rated"
fi

# ---------------------------------------------------------------------------------------------
step "two zhijia serve processes on one PostgreSQL database ($db)"
psql "$pg_base/postgres" -qc "CREATE DATABASE $db" >/dev/null || fail "could not create database $db"
db_made=1
key=$("$binary" keygen 2>/dev/null)
[ ${#key} -eq 128 ] || fail "zhijia keygen printed no key"
# The environment file an operator writes for the unit (EnvironmentFile=/etc/zhijia/zhijia.env).
cat >"$tmp/zhijia.env" <<EOF
ZHIJIA_DATABASE_URL=$pg_base/$db
ZHIJIA_PII_KEY=$key
ZHIJIA_TRUSTED_PROXIES=127.0.0.1/32
ZHIJIA_SECURE_COOKIES=true
EOF

# The address a process printed once it listens.
address_of() {
  local log="$1" pid="$2" addr=""
  for _ in $(seq 1 600); do
    addr=$(sed -n 's/^请在浏览器打开：http:\/\/\([^/]*\)\/$/\1/p' "$log" | head -n1)
    [ -n "$addr" ] && { echo "$addr"; return 0; }
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# A: the options on the command line (the key and database as in the environment file).
ZHIJIA_DATABASE_URL="$pg_base/$db" ZHIJIA_PII_KEY="$key" \
  "$binary" serve --demo --listen 127.0.0.1:0 --data-dir "$tmp/a" \
  --trusted-proxy 127.0.0.1/32 --secure-cookies >"$tmp/a.log" 2>&1 &
pids+=($!)
a=$(address_of "$tmp/a.log" "${pids[-1]}") || fail "zhijia serve --demo (A) did not start"
# B: everything from the environment file, as systemd passes it; no demo loading.
(
  set -a
  # shellcheck disable=SC1091
  . "$tmp/zhijia.env"
  exec "$binary" serve --listen 127.0.0.1:0 --data-dir "$tmp/b"
) >"$tmp/b.log" 2>&1 &
pids+=($!)
b=$(address_of "$tmp/b.log" "${pids[-1]}") || fail "zhijia serve (B) did not start"
echo "   A on $a (loaded the demo data), B on $b"

# ---------------------------------------------------------------------------------------------
step "nginx from deploy/nginx.conf with a self-signed certificate"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
https_port=$(free_port)
http_port=$(free_port)
while [ "$http_port" = "$https_port" ]; do http_port=$(free_port); done
mkdir -p "$tmp/tls" "$tmp/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=zhijia.example.org" \
  -addext "subjectAltName=DNS:zhijia.example.org,IP:127.0.0.1" \
  -keyout "$tmp/tls/privkey.pem" -out "$tmp/tls/fullchain.pem" >/dev/null 2>&1 ||
  fail "openssl could not make a certificate"
# The operator's file with only what differs here: ports, addresses, paths. IPv6 listeners
# are dropped (a test machine may have no IPv6 loopback).
sed -e "s#listen 443 ssl http2;#listen 127.0.0.1:$https_port ssl http2;#" \
  -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
  -e '/listen \[::\]/d' \
  -e "s#/etc/ssl/zhijia/#$tmp/tls/#" \
  -e "s#/var/log/nginx/#$tmp/nginx/#" \
  -e "s#server 127.0.0.1:8080 #server $a #" \
  -e "s#server 127.0.0.1:8081 #server $b #" \
  -e "s#return 301 https://\$server_name\$request_uri;#return 301 https://\$server_name:$https_port\$request_uri;#" \
  deploy/nginx.conf >"$tmp/nginx/site.conf"
# Each substitution must have happened: a changed deploy/nginx.conf fails here rather than
# being tested half.
for want in "listen 127.0.0.1:$https_port ssl" "listen 127.0.0.1:$http_port;" "server $a " "server $b " \
  "ssl_certificate $tmp/tls/fullchain.pem;" "ssl_certificate_key $tmp/tls/privkey.pem;" \
  "https://\$server_name:$https_port\$request_uri" "proxy_set_header X-Forwarded-For \$remote_addr;"; do
  grep -qF "$want" "$tmp/nginx/site.conf" || fail "deploy/nginx.conf: could not place '$want'"
done
if grep -qE '/etc/ssl/zhijia|/var/log/nginx|^[[:space:]]*listen (80|443)|127\.0\.0\.1:808[01]' "$tmp/nginx/site.conf"; then
  fail "deploy/nginx.conf has a port or path this test does not move"
fi
grep -qi 'add_header[[:space:]]*Strict-Transport-Security' deploy/nginx.conf &&
  fail "deploy/nginx.conf adds its own Strict-Transport-Security (zhijia sends it)"
user_line=""
# As root, nginx's workers would become nobody and could not enter the temporary folder.
[ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$tmp/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 256; }
http {
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/site.conf;
}
EOF
nginx_cmd=(nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log")
"${nginx_cmd[@]}" -t >"$tmp/nginx/t.txt" 2>&1 || { cat "$tmp/nginx/t.txt"; fail "nginx -t rejects deploy/nginx.conf"; }
"${nginx_cmd[@]}" -g 'daemon off;' &
pids+=($!)
tls="https://127.0.0.1:$https_port"
for _ in $(seq 1 100); do
  curl -sk -o /dev/null "$tls/healthz" && break
  kill -0 "${pids[-1]}" 2>/dev/null || fail "nginx stopped"
  sleep 0.1
done
curl -skf -o /dev/null "$tls/healthz" || fail "nothing answers through nginx at $tls"

# ---------------------------------------------------------------------------------------------
# Requests a process counted on one route and status, from its own /metrics (read directly:
# from this machine without X-Forwarded-For, as zhijia allows).
served() {
  local addr="$1" method="$2" route="$3" status="$4"
  curl -sf "http://$addr/metrics" |
    awk -v key="zhijia_http_request_duration_seconds_count{method=\"$method\",route=\"$route\",status=\"$status\"}" \
      '$1 == key { n = $2 } END { print n + 0 }'
}
json() { python3 -c "import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print('' if v is None else v)" "$1"; }
post() { curl -sk -X POST -H 'content-type: application/json' "$@"; }

step "(a) Strict-Transport-Security exactly once, from both processes"
ha=$(served "$a" GET /healthz 200)
hb=$(served "$b" GET /healthz 200)
for i in 1 2 3 4; do
  curl -sk -D "$tmp/h$i" -o /dev/null "$tls/healthz"
  n=$(grep -ci '^strict-transport-security:' "$tmp/h$i" || true)
  [ "$n" -eq 1 ] || { cat "$tmp/h$i"; fail "answer $i through nginx has $n Strict-Transport-Security headers, not 1"; }
  grep -qi '^strict-transport-security: max-age=31536000' "$tmp/h$i" ||
    fail "Strict-Transport-Security is not max-age=31536000 (a year)"
done
if [ "$(served "$a" GET /healthz 200)" -le "$ha" ] || [ "$(served "$b" GET /healthz 200)" -le "$hb" ]; then
  fail "the four requests did not reach both processes"
fi
curl -sk -D "$tmp/page" -o /dev/null "$tls/"
[ "$(grep -ci '^content-security-policy:' "$tmp/page" || true)" -eq 1 ] ||
  fail "the home page through nginx does not carry exactly one Content-Security-Policy"

step "(b) http → https"
got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/console?x=1")
[ "$got" = "301 https://zhijia.example.org:$https_port/console?x=1" ] || fail "http answered '$got', not a 301 to https"

step "(c) a staff token through the proxy, good on both processes"
staff=$(post -d '{"username":"demo.admin","password":"Demo2026zhijia"}' "$tls/api/v1/staff/sessions" | json token)
[ -n "$staff" ] || fail "demo.admin could not sign in through nginx"
for i in $(seq 1 10); do
  code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $staff" "$tls/api/v1/offers")
  [ "$code" = 200 ] || fail "staff request $i through nginx answered $code"
done
na=$(served "$a" GET /api/v1/offers 200)
nb=$(served "$b" GET /api/v1/offers 200)
echo "   10 staff requests: A served $na, B served $nb"
if [ "$na" -lt 1 ] || [ "$nb" -lt 1 ]; then fail "round robin: one process served none of the 10 staff requests"; fi
[ $((na + nb)) -eq 10 ] || fail "the processes counted $((na + nb)) staff requests, not 10"

step "(d) a worker signs in and claims coupons, on both processes"
# A coupon for every member: a merchant and a published offer, by the demo admin.
credit=$(python3 -c '
a = "0123456789ABCDEFGHJKLMNPQRTUWXY"
w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
b = "91440101MA5DEPL01"
print(b + a[(31 - sum(a.index(c) * w[i] for i, c in enumerate(b)) % 31) % 31])')
merchant=$(post -H "Authorization: Bearer $staff" \
  -d "{\"name\":\"部署检查影城\",\"credit_code\":\"$credit\",\"address\":\"检查路1号\"}" \
  "$tls/api/v1/merchants" | json id)
[ -n "$merchant" ] || fail "the demo admin could not register a merchant through nginx"
closes=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
offer=$(post -H "Authorization: Bearer $staff" \
  -d "{\"merchant_id\":$merchant,\"title\":\"部署检查观影券\",\"kind\":\"free_item\",\"value\":0,\"stock\":100,\"per_member_limit\":10,\"claim_closes_at\":\"$closes\",\"valid_days\":30,\"audience_tags\":[],\"publish\":true}" \
  "$tls/api/v1/offers" | json id)
[ -n "$offer" ] || fail "the demo admin could not publish an offer through nginx"
# Two phones ask for a code one after the other, so each process sends one (round robin): A,
# a demo server, shows the code in its answer; B only writes the message to its log, as a
# server without an SMS gateway does. 19900000002 is a demo member, 19900000003 is not.
from_answer=0
from_log=0
declare -A codes
for phone in 19900000002 19900000003; do
  sent=$(post -d "{\"phone\":\"$phone\"}" "$tls/api/v1/worker/sms-codes")
  code=$(echo "$sent" | json demo_code)
  if [ -n "$code" ]; then
    from_answer=$((from_answer + 1))
  else
    masked="${phone:0:3}****${phone:7:4}"
    code=$(grep -F "$masked" "$tmp/b.log" | grep -o '登录验证码是[0-9]\{6\}' | tail -n1 | grep -o '[0-9]\{6\}' || true)
    from_log=$((from_log + 1))
  fi
  [ -n "$code" ] || fail "no sign-in code for $phone (answer: $sent)"
  codes[$phone]=$code
done
for phone in 19900000002 19900000003; do
  token=$(post -d "{\"phone\":\"$phone\",\"code\":\"${codes[$phone]}\"}" "$tls/api/v1/worker/sessions" | json token)
  [ -n "$token" ] || fail "$phone could not sign in through nginx"
  if [ "$phone" = 19900000002 ]; then worker=$token; fi
done
echo "   codes: $from_answer in A's answer, $from_log from B's log"
if [ "$from_answer" -ne 1 ] || [ "$from_log" -ne 1 ]; then
  fail "the two code requests were not served one by each process"
fi
for i in 1 2 3 4; do
  got=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $worker" \
    -H "Idempotency-Key: deploy-$i" "$tls/api/v1/me/offers/$offer/claims")
  [ "$got" = 201 ] || fail "coupon claim $i through nginx answered $got"
done
ca=$(served "$a" POST "/api/v1/me/offers/{id}/claims" 201)
cb=$(served "$b" POST "/api/v1/me/offers/{id}/claims" 201)
echo "   4 claims: A served $ca, B served $cb"
if [ "$ca" -lt 1 ] || [ "$cb" -lt 1 ]; then fail "coupon claims were not served by both processes"; fi
coupons=$(curl -sk -H "Authorization: Bearer $worker" "$tls/api/v1/me/coupons" |
  python3 -c "import json,sys; print(sum(1 for c in json.load(sys.stdin)['items'] if c['offer_id'] == int(sys.argv[1])))" "$offer")
[ "$coupons" -eq 4 ] || fail "the worker holds $coupons coupons of the offer, not the 4 claimed"

step "/metrics is not served through the proxy"
got=$(curl -sk -o /dev/null -w '%{http_code}' "$tls/metrics")
[ "$got" = 404 ] || fail "/metrics through nginx answered $got, not 404"

step "(e) X-Forwarded-For: nginx's is believed, a client's is dropped"
# Through nginx from 127.0.0.2 (another loopback address) with a forged header: zhijia must
# record 127.0.0.2, the address that connected to nginx, never 203.0.113.66.
post --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.66' -o /dev/null \
  -d '{"username":"deploy.via-nginx","password":"not-the-password-1"}' "$tls/api/v1/staff/sessions"
# The same from 127.0.0.1, itself in the trusted range: had nginx appended to the client's
# header instead of replacing it, zhijia would take the forged address as the client's.
post -H 'X-Forwarded-For: 203.0.113.66' -o /dev/null \
  -d '{"username":"deploy.via-local","password":"not-the-password-1"}' "$tls/api/v1/staff/sessions"
# The control: straight to a process from 127.0.0.1, a trusted proxy, the same header is
# believed, so the audit really shows what a process takes as the client's address.
post -H 'X-Forwarded-For: 203.0.113.66' -o /dev/null \
  -d '{"username":"deploy.direct","password":"not-the-password-1"}' "http://$a/api/v1/staff/sessions"
ZHIJIA_DATABASE_URL="$pg_base/$db" "$binary" audit --limit 20 >"$tmp/audit.txt" 2>/dev/null ||
  fail "zhijia audit could not read the log"
via=$(sed -n 's/.*auth\.sign_in_failed *staff:deploy\.via-nginx@\([^ ]*\) .*/\1/p' "$tmp/audit.txt")
local_=$(sed -n 's/.*auth\.sign_in_failed *staff:deploy\.via-local@\([^ ]*\) .*/\1/p' "$tmp/audit.txt")
direct=$(sed -n 's/.*auth\.sign_in_failed *staff:deploy\.direct@\([^ ]*\) .*/\1/p' "$tmp/audit.txt")
echo "   through nginx from 127.0.0.2 recorded as ${via:-nothing}, from 127.0.0.1 as ${local_:-nothing};" \
  "straight to a process as ${direct:-nothing}"
[ "$direct" = 203.0.113.66 ] || { cat "$tmp/audit.txt"; fail "the control failed: a trusted peer's X-Forwarded-For was not recorded"; }
[ "$via" != 203.0.113.66 ] || fail "a client's forged X-Forwarded-For passed through nginx and was believed"
[ "$local_" != 203.0.113.66 ] || fail "a forged X-Forwarded-For from a trusted address passed through nginx and was believed (nginx appends instead of replacing)"
[ "$local_" = 127.0.0.1 ] || { cat "$tmp/audit.txt"; fail "through nginx from 127.0.0.1 the sign-in was recorded as '$local_'"; }
[ "$via" = 127.0.0.2 ] || { cat "$tmp/audit.txt"; fail "through nginx the sign-in was recorded as '$via', not the client 127.0.0.2"; }

step "(f) one process stops: nginx sends everything to the other"
# A restart of one process (a release without migrations, a crash): connections to it are
# refused, nginx retries on the other, and no request fails, a claim (POST) included: a
# request that never reached a process may be retried whatever its method.
kill -TERM "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true
for i in $(seq 1 6); do
  got=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $staff" "$tls/api/v1/offers")
  [ "$got" = 200 ] || fail "with B stopped, request $i through nginx answered $got"
done
got=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $worker" \
  -H "Idempotency-Key: deploy-after-stop" "$tls/api/v1/me/offers/$offer/claims")
[ "$got" = 201 ] || fail "with B stopped, a coupon claim through nginx answered $got"

echo "deploy: all checks passed in $(($(date +%s) - started)) s"
