#!/usr/bin/env bash
# Type=notify: `shop serve` tells systemd READY=1 only once it answers (/readyz is 200 the moment
# the message arrives) and STOPPING=1 when it begins to drain on SIGTERM. The notification socket
# is a real AF_UNIX datagram socket, as systemd's is.
# usage: notify_ready.sh <shop>
set -euo pipefail
shop="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
if [ -n "${SHOPTEST_POSTGRESQL:-}" ]; then
    echo "skipped: the SQLite pass covers it (readiness does not depend on the database)"
    exit 77
fi
python3 - "$shop" "$dir" <<'PY'
import os, socket, subprocess, sys, time, urllib.request
shop, d = sys.argv[1], sys.argv[2]
path = os.path.join(d, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
port = 0
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
env = dict(os.environ, NOTIFY_SOCKET=path, SHOP_DATA_DIR=os.path.join(d, "data"), SHOP_PORT=str(port),
           SHOP_LOG_LEVEL="warn", SHOP_AUTH_PASSWORD_COST="minimum")
p = subprocess.Popen([shop, "serve", "--no-seed"], env=env)
try:
    msg = s.recv(4096).decode()
    if "READY=1" not in msg.split("\n"):
        sys.exit(f"FAIL: first notification is not READY=1: {msg!r}")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
        if r.status != 200:
            sys.exit(f"FAIL: /readyz is {r.status} when READY=1 arrived")
    p.terminate()
    msg = s.recv(4096).decode()
    if "STOPPING=1" not in msg.split("\n"):
        sys.exit(f"FAIL: no STOPPING=1 on SIGTERM: {msg!r}")
    if p.wait(timeout=30) != 0:
        sys.exit("FAIL: shop did not exit 0 after SIGTERM")
    print("READY=1 once serving, STOPPING=1 on SIGTERM")
finally:
    if p.poll() is None:
        p.kill()
PY
