#!/usr/bin/env bash
# The documented deployment, run locally on loopback: two shop instances sharing one PostgreSQL
# database behind nginx configured by deploy/nginx/shop.conf. Guest checkouts run through nginx
# while one instance is killed (SIGKILL) and restarted, then the other; afterwards every
# acknowledged order must exist and be confirmed.
# usage: two_instances.sh <shop>   (needs SHOPTEST_POSTGRESQL: the PostgreSQL pass of scripts/test)
set -euo pipefail
shop="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${SHOPTEST_POSTGRESQL:-}" ]; then
    echo "skipped: needs PostgreSQL (the second pass of scripts/test)"
    exit 77
fi
command -v nginx >/dev/null || { echo "FAIL: nginx is not installed (scripts/setup installs it)" >&2; exit 1; }

work="$(mktemp -d)"
db="shop_deploy_$RANDOM$RANDOM"
url="${SHOPTEST_POSTGRESQL%/*}/$db"
pids=()
nginx_pid=""
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    psql -q "$SHOPTEST_POSTGRESQL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done
    exit 1
}
psql -q "$SHOPTEST_POSTGRESQL" -c "CREATE DATABASE $db" >/dev/null || fail "create database"

base=$((20000 + RANDOM % 20000))
lb=$base a=$((base + 1)) b=$((base + 2))
admin_email=admin@deploy.test admin_password=deploy-password-123

# Instances sharing a database share the token signing keys (the README's deployment does it so).
signing_key="$("$shop" keygen)"
start_instance() {  # name port -> pid in $started
    SHOP_AUTH_SIGNING_KEY="$signing_key" SHOP_DB_URL="$url" SHOP_PORT="$2" SHOP_DATA_DIR="$work/$1" SHOP_LOG_LEVEL=warn SHOP_HTTP_ACCESS_LOG=false \
    SHOP_HTTP_TRUSTED_PROXIES=127.0.0.1 SHOP_ADMIN_EMAIL="$admin_email" SHOP_ADMIN_PASSWORD="$admin_password" \
        "$shop" serve --no-seed >>"$work/$1.log" 2>&1 &
    started=$!
    disown "$started"  # killed on purpose below: no job notices
}
wait_healthy() {
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.05; done
    fail "instance on port $1 did not become ready"
}

# Both instances start at once: the migration lock lets one migrate and the other wait.
start_instance a "$a"; pid_a=$started; pids+=("$pid_a")
start_instance b "$b"; pid_b=$started; pids+=("$pid_b")
wait_healthy "$a"
wait_healthy "$b"

# nginx with the documented site, its ports moved to this run's.
mkdir -p "$work/nginx"
site="$(sed -e "s/127.0.0.1:8081/127.0.0.1:$a/; s/127.0.0.1:8082/127.0.0.1:$b/; s/listen 80;/listen 127.0.0.1:$lb;/" "$root/deploy/nginx/shop.conf")"
user_line=""
if (( EUID == 0 )); then user_line="user root root;"; fi
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
error_log $work/nginx.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    $site
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" &
nginx_pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$lb/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$lb/healthz" >/dev/null || fail "nginx does not answer"

# A product with enough stock for the run, created through nginx.
token="$(curl -sf -X POST "http://127.0.0.1:$lb/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
out="$(curl -s -w ' %{http_code}' -X POST "http://127.0.0.1:$lb/api/v1/products" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d '{"title":"Deploy test","status":"published","variants":[{"sku":"DEPLOY-1","prices":[{"amount":1000,"currency":"USD"}]}]}')"
[[ "$out" == *" 201" ]] || fail "create product: $out"
out="$(curl -s -w ' %{http_code}' -X PUT "http://127.0.0.1:$lb/api/v1/admin/inventory/DEPLOY-1" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"warehouse":"main","on_hand":100000}')"
[[ "$out" == *" 200" ]] || fail "set stock: $out"

python3 "$here/drive.py" run "http://127.0.0.1:$lb" 16 4 "$work/acked.json" >"$work/drive.out" 2>&1 &
driver=$!
sleep 3
kill -9 "$pid_a"; echo "killed instance a"
sleep 2
start_instance a "$a"; pid_a=$started; pids+=("$pid_a"); echo "restarted instance a"
wait_healthy "$a"
sleep 3
kill -9 "$pid_b"; echo "killed instance b"
sleep 2
start_instance b "$b"; pid_b=$started; pids+=("$pid_b"); echo "restarted instance b"
wait_healthy "$b"
wait "$driver" || { cat "$work/drive.out"; fail "the driver acknowledged no order"; }
cat "$work/drive.out"
python3 "$here/drive.py" verify "http://127.0.0.1:$lb" "$work/acked.json" "$admin_email" "$admin_password" DEPLOY-1 || fail "acknowledged orders lost"
echo "two instances behind nginx: 1 passed, 0 failed"
