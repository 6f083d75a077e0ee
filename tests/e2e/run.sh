#!/usr/bin/env bash
# The browser test: the real binary on a temporary data directory with the demo data set, driven
# through Debian's Chromium (headless) by Playwright (playwright-core from tools/, no browser
# download). Screenshots of the main pages go to the artifacts directory.
# Usage: run.sh <shop binary> <artifacts dir>
set -euo pipefail
shop="$1"
artifacts="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/../../tools"
chromium="${SHOP_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
    echo "browser test: $chromium is missing (scripts/setup installs Debian's chromium)" >&2
    exit 1
fi
if [[ ! -f "$tools/node_modules/playwright-core/package.json" ]]; then
    echo "browser test: playwright-core is missing in tools/ (scripts/setup runs npm ci there)" >&2
    exit 1
fi
work="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$artifacts"
mkdir -p "$artifacts"

# The demo data set: categories, brands, 600 products with stock, accounts (admin@example.com).
SHOP_LOG_LEVEL=warn "$shop" seed --dataset demo --data-dir "$work/data" >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; exit 1; }
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SHOP_LOG_LEVEL=warn SHOP_HTTP_RATE_LIMIT_ENABLED=false "$shop" serve --port "$port" --host 127.0.0.1 --data-dir "$work/data" --no-seed \
    >"$work/serve.log" 2>&1 &
pid=$!
ready=0
for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.1
done
if (( ! ready )); then
    echo "browser test: the server did not become ready" >&2
    cat "$work/serve.log" >&2
    exit 1
fi
status=0
NODE_PATH="$tools/node_modules" SHOP_URL="http://127.0.0.1:$port" SHOP_CHROMIUM="$chromium" SHOP_ARTIFACTS="$artifacts" SHOP_MAIL_DIR="$work/data/mail/outbox" \
    node "$here/storefront.mjs" || status=$?
if (( status != 0 )); then
    echo "--- server log (last 40 lines) ---" >&2
    tail -40 "$work/serve.log" >&2
fi
exit $status
