#!/usr/bin/env python3
"""Guest checkouts through the load balancer while instances die and come back.

drive.py run BASE SECONDS WORKERS OUT   -- checkouts until SECONDS pass; acknowledged orders to OUT
drive.py verify BASE OUT ADMIN_EMAIL ADMIN_PASSWORD SKU
    -- every acknowledged order exists and is confirmed; stock sold covers them all

A request is retried (same Idempotency-Key) when the connection fails, the balancer answers
502/503/504, the shop answers 429, or the shop answers 409 "conflict" (a concurrent change: retry it): what a
careful client does. An order is acknowledged when its payment answered 201 "succeeded".
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

ADDRESS = {"name": "Load Test", "line1": "1 Main Street", "city": "Springfield", "postal_code": "12345", "country": "US"}
RETRY_STATUSES = {429, 502, 503, 504}


def call(base, method, path, body=None, headers=None, deadline=30.0):
    data = None if body is None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json"} if body is not None else {}
    hdrs.update(headers or {})
    until = time.monotonic() + deadline
    while True:
        req = urllib.request.Request(base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            payload = e.read()
            try:
                parsed = json.loads(payload or b"null")
            except ValueError:
                parsed = None
            in_flight = e.code == 409 and isinstance(parsed, dict) and parsed.get("code") == "conflict"  # "retry it"
            if e.code not in RETRY_STATUSES and not in_flight:
                return e.code, parsed
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > until:
            return 0, None
        time.sleep(0.05)


def checkout(base, sku, client):
    key = uuid.uuid4().hex
    xff = {"X-Forwarded-For": client}  # each worker is its own client to the shop behind nginx
    s, cart = call(base, "POST", "/api/v1/carts", {}, dict(xff, **{"Idempotency-Key": key + "-cart"}))
    if s != 201:
        return None, f"cart {s} {cart}"
    h = dict(xff, **{"X-Cart-Token": cart["token"]})
    s, r = call(base, "POST", f"/api/v1/carts/{cart['id']}/items", {"sku": sku, "quantity": 1}, dict(h, **{"Idempotency-Key": key + "-item"}))
    if s != 201:
        return None, f"item {s} {r}"
    body = {"cart_id": cart["id"], "email": "load@example.com", "shipping_address": ADDRESS, "shipping_method": "standard"}
    s, order = call(base, "POST", "/api/v1/checkout", body, dict(h, **{"Idempotency-Key": key + "-checkout"}))
    if s != 201:
        return None, f"checkout {s} {order}"
    s, tok = call(base, "POST", "/api/v1/payments/sandbox/tokens", {"number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123"},
                  xff)
    if s != 201:
        return None, f"token {s} {tok}"
    s, pay = call(base, "POST", "/api/v1/payments", {"order_id": order["id"], "payment_method": tok["token"]},
                  dict(h, **{"Idempotency-Key": key + "-pay"}))
    if s != 201 or pay.get("status") != "succeeded":
        return None, f"payment {s} {pay}"
    return {"order_id": order["id"], "token": cart["token"]}, None


def run(base, seconds, workers, out, sku="DEPLOY-1"):
    acked, failures, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n):
        while time.monotonic() < stop:
            ok, why = checkout(base, sku, f"198.51.100.{n + 1}")
            with lock:
                (acked.append(ok) if ok else failures.append(why))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        json.dump({"acked": acked, "failures": failures}, f)
    print(f"drive: {len(acked)} orders acknowledged, {len(failures)} checkouts abandoned")
    for why in failures[:5]:
        print("  abandoned:", why)
    return 0 if acked else 1


def verify(base, out, email, password, sku):
    with open(out) as f:
        acked = json.load(f)["acked"]
    s, login = call(base, "POST", "/api/v1/auth/login", {"email": email, "password": password})
    if s != 200:
        print("verify: admin login failed", s, login)
        return 1
    admin = {"Authorization": "Bearer " + login["access_token"]}
    lost, unconfirmed = [], []
    deadline = time.monotonic() + 60
    pending = list(acked)
    while pending and time.monotonic() < deadline:
        still = []
        for o in pending:
            s, order = call(base, "GET", f"/api/v1/orders/{o['order_id']}", headers={"X-Cart-Token": o["token"]})
            if s == 404:
                lost.append(o["order_id"])
            elif s != 200 or order["status"] != "confirmed":
                still.append(o)
        pending = still
        if pending:
            time.sleep(0.5)
    unconfirmed = [o["order_id"] for o in pending]
    s, stock = call(base, "GET", f"/api/v1/admin/inventory/{sku}", headers=admin)
    sold = stock.get("sold", -1) if s == 200 else -1
    print(f"verify: {len(acked)} acknowledged, {len(lost)} lost, {len(unconfirmed)} not confirmed; stock sold {sold}")
    if lost or unconfirmed or sold < len(acked):
        for x in (lost + unconfirmed)[:10]:
            print("  missing or unconfirmed:", x)
        return 1
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "run":
        sys.exit(run(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
    if mode == "verify":
        sys.exit(verify(*sys.argv[2:7]))
    sys.exit(2)
