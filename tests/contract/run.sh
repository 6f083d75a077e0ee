#!/usr/bin/env bash
# The contract test: runs every integration test with its HTTP traffic recorded, then checks each
# exchange against the OpenAPI document of the same binary (validate.py).
# usage: run.sh <integration_tests> <shop> <work dir>
set -euo pipefail
tests="$1" shop="$2" work="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$work"
rm -f "$work/exchanges.jsonl"
"$shop" openapi >"$work/openapi.json"
SHOP_CONTRACT_LOG="$work/exchanges.jsonl" "$tests" >"$work/integration.log" 2>&1 || {
    echo "contract: the integration tests failed; their output:" >&2
    tail -n 40 "$work/integration.log" >&2
    exit 1
}
exec /usr/bin/python3 "$here/validate.py" "$work/openapi.json" "$work/exchanges.jsonl"
