#!/usr/bin/env bash
# The systemd unit as shipped: `systemd-analyze security` rates its exposure at 2.5 or below, and
# `systemd-analyze verify` finds nothing wrong with it. Skipped (77) where systemd-analyze is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
unit="$here/../../deploy/systemd/shop@.service"
command -v systemd-analyze >/dev/null || { echo "skipped: no systemd-analyze on this machine"; exit 77; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$unit" "$tmp/shop@8080.service"
# --threshold is in tenths: 25 = an overall exposure of 2.5.
if ! systemd-analyze security --offline=true --no-pager --threshold=25 "$tmp/shop@8080.service" >"$tmp/report" 2>&1; then
    cat "$tmp/report"
    echo "FAIL: the unit's exposure is above 2.5" >&2
    exit 1
fi
grep 'Overall exposure' "$tmp/report"
