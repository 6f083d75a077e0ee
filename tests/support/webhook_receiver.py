#!/usr/bin/env python3
"""A webhook receiver for the tests (Python's http.server): every POST it receives is kept as
<n>.json in WEBHOOK_RECEIVER_DIR with its path, headers, body, the answer it gave, and whether its
Shop-Signature verifies with Python's hmac against the secret the test wrote for the path into
<dir>/secrets.json ({"/path": "whsec_..."}). How it answers comes from <dir>/mode, read per
request: "ok" (204, the default), "fail" (500), "slow <ms>" (waits, then 200).

WEBHOOK_RECEIVER_PORT: the port (0 = any free one). Prints "listening <port>" when ready."""
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

out_dir = os.environ["WEBHOOK_RECEIVER_DIR"]
port = int(os.environ.get("WEBHOOK_RECEIVER_PORT", "0"))
lock = threading.Lock()
count = [0]


def read(name, default):
    try:
        with open(os.path.join(out_dir, name)) as f:
            return f.read()
    except FileNotFoundError:
        return default


def verify(secret, header, body):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts:
        return False
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        secret = json.loads(read("secrets.json", "{}")).get(self.path)
        mode = read("mode", "ok").split()
        status = {"ok": 204, "fail": 500, "slow": 200}[mode[0]]
        record = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode(),
            "answered": status,
            "mode": mode[0],
            "signature_valid": bool(secret) and verify(secret, self.headers.get("Shop-Signature", ""), body),
        }
        with lock:
            count[0] += 1
            n = count[0]
        with open(os.path.join(out_dir, f"{n:05d}.json.tmp"), "w") as f:
            json.dump(record, f)
        os.rename(os.path.join(out_dir, f"{n:05d}.json.tmp"), os.path.join(out_dir, f"{n:05d}.json"))
        if mode[0] == "slow":  # kept before the wait: the sender gives up on it meanwhile
            time.sleep(int(mode[1]) / 1000)
        reply = b"" if status == 204 else (b"receiver says no" if status == 500 else b"ok")
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *a: (server.server_close(), sys.exit(0)))
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
