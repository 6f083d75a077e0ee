#!/usr/bin/env bash
# The document the binary serves, checked by the tools its users will point at it.
# usage: check.sh lint|client <shop> <work dir>
#   lint    redocly lint with recommended-strict (redocly.yaml at the repository root)
#   client  openapi-typescript generates the typed client; tsc compiles tests/openapi/client_usage.ts against it
set -euo pipefail
mode="$1" shop="$2" work="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/tools/node_modules/.bin"
if [[ ! -x "$bin/redocly" || ! -x "$bin/openapi-typescript" || ! -x "$bin/tsc" ]]; then
    echo "the API tools are not installed: run scripts/setup (it runs npm ci in tools/)" >&2
    exit 1
fi
mkdir -p "$work"
"$shop" openapi >"$work/openapi.json"
case "$mode" in
lint)
    cd "$root"
    exec "$bin/redocly" lint --config "$root/redocly.yaml" --format stylish "$work/openapi.json"
    ;;
client)
    "$bin/openapi-typescript" "$work/openapi.json" -o "$work/shop-api.d.ts" >/dev/null
    cp "$root/tests/openapi/client_usage.ts" "$work/client_usage.ts"
    exec "$bin/tsc" --noEmit --strict --target es2022 --module es2022 --moduleResolution bundler "$work/client_usage.ts"
    ;;
*)
    echo "usage: check.sh lint|client <shop> <work dir>" >&2
    exit 2
    ;;
esac
