#!/usr/bin/env bash
# deploy/prometheus/shop-alerts.yml: valid rules (promtool check rules), alerts that fire as meant
# (promtool test rules), and no rule watching a metric shop does not expose: every shop_* and
# process_* name in the rules must appear in a running server's /metrics.
# usage: alert_rules.sh <shop>
set -euo pipefail
shop="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
promtool="$root/tools/bin/promtool"
[ -x "$promtool" ] || { echo "FAIL: $promtool is missing (scripts/setup unpacks it)" >&2; exit 1; }
dir="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$root/deploy/prometheus" && "$promtool" check rules shop-alerts.yml && "$promtool" test rules shop-alerts.test.yml) \
    || fail "promtool"

# A random port may be taken by another test running at the same time: then try another.
for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    SHOP_LOG_LEVEL=warn SHOP_DB_URL= "$shop" serve --no-seed --port "$port" --data-dir "$dir/data" &
    pid=$!
    for _ in $(seq 1 200); do
        curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && break
    wait "$pid" 2>/dev/null || true
    pid=""
done
[ -n "$pid" ] || fail "the server did not start"
curl -sf "http://127.0.0.1:$port/api/v1/products" >/dev/null || fail "products"
curl -s "http://127.0.0.1:$port/nowhere" >/dev/null
curl -sf "http://127.0.0.1:$port/metrics" > "$dir/metrics" || fail "scrape /metrics"
exposed="$(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$dir/metrics" | sort -u)"
missing=0
for name in $(grep -o '\b\(shop\|process\)_[a-z_]*' "$root/deploy/prometheus/shop-alerts.yml" | sort -u); do
    base="${name%_bucket}"
    if ! grep -qx "$base" <<<"$exposed"; then
        echo "rule metric $name is not exposed by shop" >&2
        missing=1
    fi
done
[ "$missing" = 0 ] || fail "alert rules watch metrics shop does not expose"
for name in process_cpu_seconds_total process_resident_memory_bytes process_open_fds process_start_time_seconds shop_build_info \
            shop_orders_placed_total shop_db_write_duration_seconds shop_db_write_queue_depth shop_rate_limited_total; do
    grep -qx "$name" <<<"$exposed" || fail "/metrics lacks $name"
done
grep -q '^shop_build_info{version="' "$dir/metrics" || fail "shop_build_info has no version label"
echo "alert rules: valid, tested, and every metric they watch is exposed"
