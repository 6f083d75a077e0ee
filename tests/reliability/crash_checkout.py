#!/usr/bin/env python3
"""Crash test: a checkout load against the real binary, killed with SIGKILL at random moments.

usage: crash_checkout.py --shop PATH --db sqlite-normal|sqlite-full|postgresql [--seed N] [--kills N]
                         [--workers N] [--keep DIR]

Guests and signed-in customers check out (some with a coupon that has a usage limit), pay with the
sandbox card (some first with a declined one), and some orders are refunded by the admin, cancelled
by the customer after paying, or cancelled while the payment is in flight. Meanwhile the killer
thread sends SIGKILL to the shop at random moments (at least --kills times) and starts it again on
the same data directory (or PostgreSQL database). Clients do what a careful client does: retry
with the same Idempotency-Key on connection errors, 5xx, 429 and 409 `conflict` /
`payment_in_progress`, and record what they saw acknowledged.

After the last restart the bus settles; then every invariant is checked from the data (the
databases read directly, plus the admin API):
  * every payment a client saw succeed has its order confirmed (or refunded/cancelled with the
    money given back when a refund or a cancellation was acknowledged or the payment came late);
    every acknowledged refund and cancellation took effect;
  * no order is confirmed (or later) without a captured payment for its total;
  * per SKU and warehouse: on_hand = the movements ledger = stock set - sold + restocked,
    available = on_hand - reserved >= 0, and the admin API says the same;
  * per order: units sold, restocked and still reserved match its status and its lines exactly;
  * coupon: times_used = active usages = orders carrying it (not cancelled) <= usage_limit;
  * one confirmation mail per confirmed order (one queued message, one Message-ID at the SMTP
    server) and none for an order never confirmed;
  * no parked or retrying event, no consumer lag, no mail left queued;
  * no handler effect applied twice: one event of each kind per order / payment in the outboxes,
    one payment fact per event, one sale movement per reservation, one restock per unit, the sales
    and payments reports (counters a re-applied handler would inflate) equal to the events.

The seed (SHOPTEST_CRASH_SEED or --seed; else from the clock) is printed with a command that
repeats the run: it fixes the kill schedule and every client's choices (thread timing still varies).
Exit status: 0 passed, 1 an invariant is violated (each violation printed), 77 skipped.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCHEMAS = ["identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"]
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@crash.test", "crash-admin-password-1"
CUSTOMER_PASSWORD = "crash-customer-password-1"
ADDRESS = {"name": "Crash Test", "line1": "1 Main Street", "city": "Springfield", "postal_code": "12345", "country": "US"}
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
COUPON = "CRASH10"
COUPON_LIMIT = 12
WAREHOUSES = ["main", "east"]
PAID_STATUSES = ("confirmed", "processing", "shipped", "delivered", "refunded", "partially_refunded")


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def free_port():
    # Below Linux's ephemeral range (32768-60999): the shop restarts on this port after every kill,
    # and an outgoing connection of another test must not have taken it as its local port meanwhile.
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port below the ephemeral range")


# ---------------------------------------------------------------------------------------------
# HTTP: a careful client
# ---------------------------------------------------------------------------------------------

RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRY_CODES = {"conflict", "payment_in_progress", "operation_in_progress"}


class Client:
    def __init__(self, base, stop_all):
        self.base = base
        self.stop_all = stop_all  # set when the run is aborted: give up waiting

    def call(self, method, path, body=None, headers=None, key=None, deadline=90.0, retry_codes=RETRY_CODES):
        """-> (status, parsed body); status 0 when no answer came before the deadline."""
        data = None if body is None else json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        hdrs.update(headers or {})
        if key:
            hdrs["Idempotency-Key"] = key
        until = time.monotonic() + deadline
        delay = 0.05
        while True:
            req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
            try:
                with urllib.request.urlopen(req, timeout=15) as r:
                    raw = r.read()
                    return r.status, (json.loads(raw) if raw else None)
            except urllib.error.HTTPError as e:
                raw = e.read()
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                code = parsed.get("code") if isinstance(parsed, dict) else None
                if e.code not in RETRY_STATUSES and not (e.code == 409 and code in retry_codes):
                    return e.code, parsed
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
                pass  # killed mid-request, not listening yet, a torn reply: the same request again
            if time.monotonic() > until or self.stop_all.is_set():
                return 0, None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


# ---------------------------------------------------------------------------------------------
# The shop process
# ---------------------------------------------------------------------------------------------

class Shop:
    def __init__(self, binary, work, port, env):
        self.binary, self.work, self.port, self.env = binary, work, port, env
        self.proc = None
        self.starts = 0
        self.log_path = os.path.join(work, "shop.log")

    def start(self):
        self.starts += 1
        with open(self.log_path, "ab") as f:
            f.write(f"--- start {self.starts}\n".encode())
            self.proc = subprocess.Popen([self.binary, "serve", "--no-seed"], env=self.env, stdout=f, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, within=60.0):
        until = time.monotonic() + within
        while time.monotonic() < until:
            if self.proc.poll() is not None:
                # Another test running at the same time may hold the port for a moment: start again.
                if "address already in use" in self.tail(3) and time.monotonic() + 1 < until:
                    time.sleep(0.2)
                    self.start()
                    continue
                raise RuntimeError(f"shop exited with {self.proc.returncode} while starting (see {self.log_path})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"shop did not become ready within {within:.0f} s (see {self.log_path})")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("shop did not stop within 30 s of SIGTERM")

    def tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------
# Reading the databases directly
# ---------------------------------------------------------------------------------------------

class SqliteData:
    """All schema files attached under their names, as the shop does: schema-qualified SQL works."""

    def __init__(self, data_dir):
        self.db = sqlite3.connect(":memory:")
        for s in SCHEMAS:
            self.db.execute("ATTACH DATABASE ? AS " + s, (os.path.join(data_dir, s + ".db"),))

    def q(self, sql, *params):
        return [tuple(r) for r in self.db.execute(sql, params).fetchall()]


class PostgresData:
    def __init__(self, url):
        self.url = url

    def q(self, sql, *params):
        # psql has no bind parameters on the command line: the few used here are ids the test made.
        for p in params:
            sql = sql.replace("?", "'" + str(p).replace("'", "''") + "'", 1)
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", self.url, "-c", sql],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()} in {sql}")
        rows = []
        for line in out.stdout.split("\n"):
            if line == "":
                continue
            rows.append(tuple(_pg_value(v) for v in line.split("\x1f")))
        return rows


def _pg_value(v):
    try:
        return int(v)
    except ValueError:
        return v


# ---------------------------------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------------------------------

class Run:
    def __init__(self, args, base):
        self.args = args
        self.base = base
        self.stop_load = threading.Event()
        self.abort = threading.Event()
        self.lock = threading.Lock()
        self.records = []      # one per checkout attempt: what the client saw
        self.errors = []       # unexpected answers (not invariant violations; reported)
        self.admin_headers = {}
        self.skus = []
        self.stock_set = {}    # (sku, warehouse) -> on_hand set by the test
        self.customers = []    # (email, headers)

    def client(self):
        return Client(self.base, self.abort)

    def note_error(self, what):
        with self.lock:
            self.errors.append(what)

    # -- setup ----------------------------------------------------------------------------------
    def setup(self, rng):
        c = self.client()
        s, login = c.call("POST", "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        if s != 200:
            raise RuntimeError(f"admin login: {s} {login}")
        self.admin_headers = {"Authorization": "Bearer " + login["access_token"]}
        a = self.admin_headers
        s, r = c.call("POST", "/api/v1/admin/warehouses", {"code": "east", "name": "East"}, a, key="wh-east")
        if s not in (200, 201):
            raise RuntimeError(f"create warehouse: {s} {r}")
        for i in range(self.args.skus):
            sku = f"CRASH-{i + 1}"
            body = {"title": f"Crash test product {i + 1}", "status": "published",
                    "variants": [{"sku": sku, "prices": [{"amount": 1000 + 250 * i, "currency": "USD"}]}]}
            s, r = c.call("POST", "/api/v1/products", body, a, key=f"product-{sku}")
            if s != 201:
                raise RuntimeError(f"create product: {s} {r}")
            scarce = i == self.args.skus - 1  # runs out during the run: checkouts then meet out_of_stock, never oversell
            for w in WAREHOUSES:
                top = max(2, self.args.stock // 20) if scarce else self.args.stock
                units = rng.randint(top // 2, top)
                s, r = c.call("PUT", f"/api/v1/admin/inventory/{sku}", {"warehouse": w, "on_hand": units}, a)
                if s != 200:
                    raise RuntimeError(f"set stock: {s} {r}")
                self.stock_set[(sku, w)] = units
            self.skus.append(sku)
        s, r = c.call("POST", "/api/v1/admin/promotions", {"code": COUPON, "kind": "percent", "percent": 10, "usage_limit": COUPON_LIMIT},
                      a, key="promotion")
        if s != 201:
            raise RuntimeError(f"create promotion: {s} {r}")
        for n in range(self.args.workers):
            email = f"customer{n + 1}@crash.test"
            s, r = c.call("POST", "/api/v1/auth/register", {"email": email, "password": CUSTOMER_PASSWORD, "name": f"Customer {n + 1}"},
                          key=f"register-{n}")
            if s != 201:
                raise RuntimeError(f"register: {s} {r}")
            self.customers.append((email, {"Authorization": "Bearer " + r["access_token"]}))

    # -- one checkout ---------------------------------------------------------------------------
    def checkout(self, rng, n):
        c = self.client()
        key = uuid.UUID(int=rng.getrandbits(128)).hex
        guest = rng.random() < 0.5
        email, auth = (None, {}) if guest else self.customers[n]
        scenario = rng.choices(["pay", "refund", "cancel_paid", "race_cancel", "declined_first", "abandon"],
                               [50, 14, 10, 10, 8, 8])[0]
        rec = {"key": key, "scenario": scenario, "guest": guest, "worker": n, "order_id": None, "payment_id": None,
               "paid": False, "refund_acked": None, "cancel_acked": False, "coupon": False, "outcome": None}
        with self.lock:
            self.records.append(rec)

        s, cart = c.call("POST", "/api/v1/carts", {}, auth, key=key + "-cart")
        if s != 201:
            rec["outcome"] = f"cart {s}"
            return
        h = dict(auth)
        if guest:
            h["X-Cart-Token"] = cart["token"]
        added = 0
        for sku in rng.sample(self.skus, rng.choice([1, 1, 2])):
            s, r = c.call("POST", f"/api/v1/carts/{cart['id']}/items", {"sku": sku, "quantity": rng.choice([1, 1, 2])}, h,
                          key=f"{key}-item-{sku}")
            if s == 409 and r and r.get("code") == "out_of_stock":
                continue
            if s != 201 and s != 200:
                rec["outcome"] = f"item {s} {r}"
                self.note_error(f"add item answered {s} {r}")
                return
            added += 1
        if not added:
            rec["outcome"] = "sold out"
            return
        if rng.random() < 0.35:
            s, r = c.call("POST", f"/api/v1/carts/{cart['id']}/coupon", {"code": COUPON}, h, key=key + "-coupon")
            rec["coupon_apply"] = s
        body = {"cart_id": cart["id"], "shipping_address": ADDRESS, "shipping_method": "standard"}
        if guest:
            body["email"] = f"guest-{key[:12]}@crash.test"
        s, order = c.call("POST", "/api/v1/checkout", body, h, key=key + "-checkout")
        if s != 201:
            rec["outcome"] = f"checkout {s} {(order or {}).get('code')}"
            if s not in (409, 422):
                self.note_error(f"checkout answered {s} {order}")
            return
        oid = order["id"]
        rec["order_id"] = oid
        rec["total"] = order["total"]["amount"]
        rec["coupon"] = bool(order.get("promotion_code"))
        if scenario == "abandon":
            rec["outcome"] = "abandoned"
            return

        def pay(card, suffix):
            s, tok = c.call("POST", "/api/v1/payments/sandbox/tokens", {"number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"})
            if s != 201:
                return s, tok
            return c.call("POST", "/api/v1/payments", {"order_id": oid, "payment_method": tok["token"]}, h, key=f"{key}-pay-{suffix}")

        if scenario == "declined_first":
            s, p = pay(DECLINED_CARD, "declined")
            if s == 201 and p and p.get("status") == "succeeded":
                self.note_error(f"a declined card succeeded: {p}")
            rec["declined"] = (s, (p or {}).get("status"))

        if scenario == "race_cancel":
            # The customer cancels while the payment is under way: either may win.
            cancel_result = {}
            wait = rng.random() * 0.02

            def cancel():
                time.sleep(wait)
                cancel_result["r"] = c.call("POST", f"/api/v1/orders/{oid}/cancel", {}, h, key=key + "-cancel")

            s, tok = c.call("POST", "/api/v1/payments/sandbox/tokens", {"number": GOOD_CARD, "exp_month": 12, "exp_year": 2099, "cvc": "123"})
            t = threading.Thread(target=cancel)
            t.start()
            if s == 201:
                s, p = c.call("POST", "/api/v1/payments", {"order_id": oid, "payment_method": tok["token"]}, h, key=f"{key}-pay-good")
            else:
                p = tok
            t.join()
            cs, co = cancel_result["r"]
            rec["cancel_acked"] = cs == 200 and co and co.get("status") == "cancelled"
            if cs not in (200, 409):
                self.note_error(f"race cancel answered {cs} {co}")
        else:
            s, p = pay(GOOD_CARD, "good")
        if s == 201 and p and p.get("status") == "succeeded":
            rec["paid"] = True
            rec["payment_id"] = p["id"]
        else:
            rec["pay_answer"] = [s, (p or {}).get("code") or (p or {}).get("status")]
            rec["outcome"] = "not paid"
            if scenario != "race_cancel" and s not in (409, 422):
                self.note_error(f"payment answered {s} {p}")
            return

        if scenario == "refund":
            # The admin refunds the whole order and restocks it; the order must be confirmed first
            # (the bus carries the payment to ordering): 409 until then.
            until = time.monotonic() + 60
            while True:
                s, r = c.call("POST", f"/api/v1/admin/orders/{oid}/refunds", {"reason": "crash test refund", "restock": True},
                              self.admin_headers, key=key + "-refund")
                if s == 201 or time.monotonic() > until or self.abort.is_set():
                    break
                if s == 409 or s == 422:
                    time.sleep(0.2)  # not confirmed yet; the same key again (a refused request is not stored)
                    continue
                break
            if s == 201:
                rec["refund_acked"] = r["id"]
            else:
                rec["refund_answer"] = [s, (r or {}).get("code")]
                self.note_error(f"refund answered {s} {r}")
        elif scenario == "cancel_paid":
            s, r = c.call("POST", f"/api/v1/orders/{oid}/cancel", {}, h, key=key + "-cancel")
            rec["cancel_acked"] = s == 200 and r and r.get("status") == "cancelled"
            if not rec["cancel_acked"]:
                self.note_error(f"cancel of a paid order answered {s} {r}")
        rec["outcome"] = "paid"

    def worker(self, n, seed):
        rng = random.Random(seed * 1000 + n)
        while not self.stop_load.is_set() and not self.abort.is_set():
            try:
                self.checkout(rng, n)
                time.sleep(rng.uniform(0.0, self.args.think))  # a moderate load: the machine may run other tests
            except Exception:
                self.note_error("worker exception: " + traceback.format_exc())
                time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# Settling and the invariants
# ---------------------------------------------------------------------------------------------

def settle(run, data, within=120.0):
    c = run.client()
    until = time.monotonic() + within
    last = None
    while time.monotonic() < until:
        s, ev = c.call("GET", "/api/v1/admin/events", headers=run.admin_headers, deadline=20)
        busy = []
        if s == 200:
            for cons in ev["consumers"]:
                if cons["lag"] or cons.get("retrying") or cons.get("parked"):
                    busy.append(f"{cons['consumer']} lag {cons['lag']} retrying {cons.get('retrying')} parked {cons.get('parked')}")
            if ev.get("parked"):
                busy.append(f"{len(ev['parked'])} parked events")
        else:
            busy.append(f"events endpoint {s}")
        queued = data.q("SELECT COUNT(*) FROM notification.messages WHERE status = 'queued'")[0][0]
        pending_refunds = data.q("SELECT COUNT(*) FROM ordering.refunds WHERE status = 'pending'")[0][0]
        pending_ops = data.q("SELECT COUNT(*) FROM payment.operations WHERE status = 'pending'")[0][0]
        processing = data.q("SELECT COUNT(*) FROM payment.intents WHERE status = 'processing'")[0][0]
        # Stock a checkout held for an order it never wrote (killed in between) is released by the
        # orphan sweep once it is 30 s old.
        orphans = data.q("SELECT COUNT(DISTINCT r.reference) FROM inventory.reservations r WHERE r.status = 'active' "
                         "AND NOT EXISTS (SELECT 1 FROM ordering.orders o WHERE o.id = r.reference)")[0][0]
        if orphans:
            busy.append(f"{orphans} orphaned reservations not released yet")
        if queued:
            busy.append(f"{queued} mails queued")
        if pending_refunds or pending_ops or processing:
            busy.append(f"{pending_refunds} refunds / {pending_ops} payment operations pending, {processing} payments processing")
        if not busy:
            return None
        last = busy
        time.sleep(0.25)
    return "the bus did not settle within %.0f s: %s" % (within, "; ".join(last or []))


def check(run, data, sink_dir, violations, api=True):
    def v(msg):
        violations.append(msg)

    acked = [r for r in run.records if r["paid"]]
    orders = {r[0]: {"status": r[1], "payment_id": r[2], "total": r[3], "promotion_code": r[4], "customer_id": r[5], "currency": r[6]}
              for r in data.q("SELECT id, status, payment_id, total, promotion_code, customer_id, currency FROM ordering.orders")}
    intents = {r[0]: {"order_id": r[1], "status": r[2], "amount": r[3], "captured": r[4], "refunded": r[5]}
               for r in data.q("SELECT id, order_id, status, amount, amount_captured, amount_refunded FROM payment.intents")}
    lines = {}
    for oid, sku, qty in data.q("SELECT order_id, sku, quantity FROM ordering.order_lines"):
        lines.setdefault(oid, {}).setdefault(sku, 0)
        lines[oid][sku] += qty

    # 1. What clients saw acknowledged.
    known_orders = {r["order_id"] for r in run.records if r["order_id"]}
    for r in acked:
        oid, pid = r["order_id"], r["payment_id"]
        o, p = orders.get(oid), intents.get(pid)
        if not o:
            v(f"acknowledged order {oid} (payment {pid}) is lost")
            continue
        if not p:
            v(f"payment {pid} acknowledged as succeeded for order {oid} is lost")
            continue
        if p["order_id"] != oid or p["status"] != "succeeded" or p["captured"] != p["amount"] or p["amount"] != o["total"]:
            v(f"acknowledged payment {pid} of order {oid}: {p} (order total {o['total']})")
        if r["refund_acked"]:
            if o["status"] != "refunded":
                v(f"order {oid}: refund {r['refund_acked']} acknowledged, but the order is {o['status']}")
            if p["refunded"] != p["captured"]:
                v(f"order {oid}: refund acknowledged, payment {pid} refunded {p['refunded']} of {p['captured']}")
        elif r["cancel_acked"]:
            if o["status"] != "cancelled":
                v(f"order {oid}: cancel acknowledged, but the order is {o['status']}")
            if p["refunded"] != p["captured"]:
                v(f"order {oid}: cancelled after payment {pid}, but only {p['refunded']} of {p['captured']} was given back")
        elif o["status"] == "confirmed":
            if o["payment_id"] != pid:
                v(f"order {oid} is confirmed with payment {o['payment_id']}, the client paid with {pid}")
        elif o["status"] == "cancelled" and p["refunded"] == p["captured"]:
            pass  # the payment came late (the order was cancelled first): refunded, as it must be
        else:
            v(f"order {oid}: payment {pid} acknowledged as succeeded, order is {o['status']}, payment refunded {p['refunded']}")
    refund_ids = {x[0] for x in data.q("SELECT id FROM ordering.refunds")}
    for r in run.records:
        if r["refund_acked"] and r["refund_acked"] not in refund_ids:
            v(f"acknowledged refund {r['refund_acked']} of order {r['order_id']} is lost")
        if r["cancel_acked"] and orders.get(r["order_id"], {}).get("status") != "cancelled":
            v(f"acknowledged cancellation of order {r['order_id']} is lost ({orders.get(r['order_id'], {}).get('status')})")
    for oid in orders:
        if oid not in known_orders:
            v(f"order {oid} exists that no client was answered with (a checkout applied twice?)")

    # 2. No order confirmed without a captured payment; every captured payment accounted for.
    for oid, o in orders.items():
        if o["status"] in PAID_STATUSES:
            p = intents.get(o["payment_id"])
            if not p or p["order_id"] != oid or p["status"] != "succeeded" or p["captured"] != o["total"]:
                v(f"order {oid} is {o['status']} without a captured payment for its total: payment {o['payment_id']} = {p}")
            if o["status"] == "refunded" and p and p["refunded"] != p["captured"]:
                v(f"order {oid} is refunded, payment {o['payment_id']} refunded {p['refunded']} of {p['captured']}")
    for pid, p in intents.items():
        if p["status"] != "succeeded":
            if p["captured"] or p["refunded"]:
                v(f"payment {pid} is {p['status']} with {p['captured']} captured, {p['refunded']} refunded")
            continue
        o = orders.get(p["order_id"])
        if not o:
            v(f"payment {pid} succeeded for unknown order {p['order_id']}")
        elif o["payment_id"] == pid and o["status"] in PAID_STATUSES:
            pass
        elif p["refunded"] != p["captured"]:
            v(f"payment {pid} captured {p['captured']} for order {p['order_id']} ({o['status']}, paid by '{o['payment_id']}') "
              f"and only {p['refunded']} was refunded")
    sbx = {r[0]: (r[1], r[2]) for r in data.q(
        "SELECT i.id, c.amount_captured, c.amount_refunded FROM payment.intents i JOIN payment.sandbox_charges c ON c.id = i.provider_ref")}
    for pid, p in intents.items():
        if pid in sbx and sbx[pid] != (p["captured"], p["refunded"]):
            v(f"payment {pid}: the provider captured/refunded {sbx[pid]}, the shop recorded {(p['captured'], p['refunded'])}")
    for pid, refunded, ops in data.q("SELECT i.id, i.amount_refunded, COALESCE(SUM(o.amount), 0) FROM payment.intents i JOIN payment.operations o "
                                     "ON o.intent_id = i.id AND o.kind = 'refund' AND o.status = 'succeeded' GROUP BY i.id, i.amount_refunded"):
        if refunded != ops:
            v(f"payment {pid}: amount_refunded {refunded}, its succeeded refund operations sum to {ops}")

    # 3. Stock: the ledger, conservation and the reservations, per SKU and warehouse.
    on_hand = {(r[0], r[1]): r[2] for r in data.q("SELECT sku, warehouse, on_hand FROM inventory.levels")}
    ledger = {(r[0], r[1]): r[2] for r in data.q("SELECT sku, warehouse, SUM(delta) FROM inventory.movements GROUP BY sku, warehouse")}
    moved = {}  # (reference, sku, warehouse) -> {reason: (sum, count)}
    for ref, sku, w, reason, total, count in data.q("SELECT reference, sku, warehouse, reason, SUM(delta), COUNT(*) FROM inventory.movements "
                                                    "WHERE reference <> '' GROUP BY reference, sku, warehouse, reason"):
        moved.setdefault((ref, sku, w), {})[reason] = (total, count)
    reserved = {}
    for ref, sku, w, status, qty, count in data.q("SELECT reference, sku, warehouse, status, SUM(quantity), COUNT(*) FROM inventory.reservations "
                                                  "WHERE backorder = 0 GROUP BY reference, sku, warehouse, status"):
        reserved.setdefault((ref, sku, w), {})[status] = (qty, count)
    backorders = data.q("SELECT COUNT(*) FROM inventory.reservations WHERE backorder <> 0")[0][0]
    if backorders:
        v(f"{backorders} backorder reservations (no SKU here is backorderable)")
    conservation = {}
    for key in set(moved) | set(reserved):
        ref, sku, w = key
        m, rs = moved.get(key, {}), reserved.get(key, {})
        sold_rows = rs.get("committed", (0, 0))[1] + rs.get("returned", (0, 0))[1]
        sold_units = rs.get("committed", (0, 0))[0] + rs.get("returned", (0, 0))[0]
        sale = m.get("sale", (0, 0))
        if sale != (-sold_units, sold_rows):
            v(f"order {ref}, {sku} in {w}: {sold_rows} reservations sold {sold_units} units, sale movements {sale} (sum, count)")
        back = m.get("restock", (0, 0))[0] + m.get("return", (0, 0))[0]
        if back > sold_units:
            v(f"order {ref}, {sku} in {w}: {back} units came back, {sold_units} were sold (a restock applied twice)")
        extra = set(m) - {"sale", "restock", "return"}
        if extra:
            v(f"order {ref}, {sku} in {w}: unexpected movements {extra}")
        c = conservation.setdefault((sku, w), [0, 0, 0])
        c[0] += sold_units
        c[1] += back
        c[2] += rs.get("active", (0, 0))[0]
    for key, units in run.stock_set.items():
        sold, back, held = conservation.get(key, [0, 0, 0])
        have = on_hand.get(key)
        if have != ledger.get(key):
            v(f"{key}: on_hand {have}, the movements ledger sums to {ledger.get(key)}")
        if have != units - sold + back:
            v(f"{key}: on_hand {have} != stock set {units} - sold {sold} + restocked {back}")
        if have is not None and have - held < 0:
            v(f"{key}: oversold: on_hand {have}, reserved {held}")
    c = run.client()
    for sku in (run.skus if api else []):
        s, st = c.call("GET", f"/api/v1/admin/inventory/{sku}", headers=run.admin_headers)
        if s != 200:
            v(f"admin inventory {sku}: {s}")
            continue
        tot_on, tot_res, tot_av = 0, 0, 0
        for lv in st["levels"]:
            key = (sku, lv["warehouse"])
            held = conservation.get(key, [0, 0, 0])[2]
            if lv["on_hand"] != on_hand.get(key) or lv["reserved"] != held or lv["available"] != lv["on_hand"] - lv["reserved"]:
                v(f"{key}: the API says on_hand {lv['on_hand']} reserved {lv['reserved']} available {lv['available']}; "
                  f"the data: on_hand {on_hand.get(key)} reserved {held}")
            tot_on += lv["on_hand"]
            tot_res += lv["reserved"]
            tot_av += lv["available"]
        if (st["on_hand"], st["reserved"], st["available"]) != (tot_on, tot_res, tot_av):
            v(f"{sku}: totals {st['on_hand']}/{st['reserved']}/{st['available']} are not the sum of its levels {tot_on}/{tot_res}/{tot_av}")
    # per order: what inventory did matches the order's fate
    by_order = {}
    for (ref, sku, w), rs in reserved.items():
        d = by_order.setdefault(ref, {}).setdefault(sku, {"active": 0, "committed": 0, "returned": 0, "released": 0, "back": 0})
        for st, (qty, _) in rs.items():
            d[st] += qty
    for (ref, sku, w), m in moved.items():
        d = by_order.setdefault(ref, {}).setdefault(sku, {"active": 0, "committed": 0, "returned": 0, "released": 0, "back": 0})
        d["back"] += m.get("restock", (0, 0))[0] + m.get("return", (0, 0))[0]
    restocked_asked = {}
    for oid, sku, qty in data.q("SELECT r.order_id, l.sku, SUM(r.quantity) FROM ordering.restocks r JOIN ordering.order_lines l ON l.id = r.line_id "
                                "GROUP BY r.order_id, l.sku"):
        restocked_asked[(oid, sku)] = qty
    for oid, o in orders.items():
        st = o["status"]
        for sku, qty in lines.get(oid, {}).items():
            d = by_order.get(oid, {}).get(sku, {"active": 0, "committed": 0, "returned": 0, "released": 0, "back": 0})
            sold = d["committed"] + d["returned"]
            want = None
            if st == "pending_payment":
                want = {"active": qty, "sold": 0, "back": 0}
            elif st == "confirmed":
                want = {"active": 0, "sold": qty, "back": 0}
            elif st == "refunded":
                want = {"active": 0, "sold": qty, "back": restocked_asked.get((oid, sku), 0)}
            elif st == "cancelled":
                want = {"active": 0, "sold": sold, "back": sold}  # sold only when paid first; every such unit back
                if sold not in (0, qty):
                    v(f"cancelled order {oid}, {sku}: {sold} of {qty} units sold")
            got = {"active": d["active"], "sold": sold, "back": d["back"]}
            if want is not None and got != want:
                v(f"order {oid} ({st}), {sku} x{qty}: inventory has {got}, expected {want}")
        for sku in by_order.get(oid, {}):
            if sku not in lines.get(oid, {}):
                v(f"order {oid}: stock of {sku} is held or sold, the order has no such line")
    for ref in by_order:
        if ref not in orders:
            held = {sku: d for sku, d in by_order[ref].items() if d["active"] or d["committed"] or d["returned"] or d["back"]}
            if held:
                v(f"stock held or sold for {ref}, which is no order: {held}")

    # 4. Coupon usage.
    promo = data.q("SELECT id, times_used, usage_limit FROM ordering.promotions WHERE code = ?", COUPON)
    if promo:
        pid, used, limit = promo[0]
        usages = {r[0]: r[1] for r in data.q("SELECT order_id, status FROM ordering.promotion_usages WHERE promotion_id = ?", pid)}
        carrying = {oid for oid, o in orders.items() if o["promotion_code"] == COUPON}
        live = {oid for oid in carrying if orders[oid]["status"] != "cancelled"}
        active = {oid for oid, s in usages.items() if s == "active"}
        if not (used == len(active) == len(live)) or active != live:
            v(f"coupon {COUPON}: times_used {used}, active usages {len(active)}, orders carrying it (not cancelled) {len(live)}")
        if set(usages) != carrying:
            v(f"coupon {COUPON}: usages for {len(usages)} orders, {len(carrying)} orders carry it")
        if used > limit:
            v(f"coupon {COUPON}: used {used} times, limit {limit}")
        for oid in carrying:
            if orders[oid]["status"] == "cancelled" and usages.get(oid) != "returned":
                v(f"coupon {COUPON}: cancelled order {oid} did not give its use back")
        run.coupon_used = used

    # 5. Events: one of each per order / payment, no parked or retrying event anywhere.
    def events(schema, kind):
        out = {}
        for eid, payload in data.q(f"SELECT id, payload FROM {schema}.outbox WHERE type = ?", kind):
            out.setdefault(json.loads(payload).get("order_id") or json.loads(payload).get("payment_id"), []).append(eid)
        return out

    confirmed_ev = events("ordering", "ordering.order_confirmed.v1")
    placed_ev = events("ordering", "ordering.order_placed.v1")
    cancelled_ev = events("ordering", "ordering.order_cancelled.v1")
    refunded_ev = data.q("SELECT id, payload FROM ordering.outbox WHERE type = 'ordering.order_refunded.v1'")
    for name, evs in (("order_confirmed", confirmed_ev), ("order_placed", placed_ev), ("order_cancelled", cancelled_ev)):
        for oid, ids in evs.items():
            if len(ids) != 1:
                v(f"{len(ids)} {name} events for order {oid}")
    for oid, o in orders.items():
        ever_paid = o["status"] in PAID_STATUSES or (o["payment_id"] != "")
        if ever_paid != (oid in confirmed_ev):
            v(f"order {oid} ({o['status']}, payment '{o['payment_id']}'): {len(confirmed_ev.get(oid, []))} order_confirmed events")
        if oid not in placed_ev:
            v(f"order {oid}: no order_placed event")
        if (o["status"] == "cancelled") != (oid in cancelled_ev):
            v(f"order {oid} ({o['status']}): {len(cancelled_ev.get(oid, []))} order_cancelled events")
    auth_ev = {}
    for eid, payload in data.q("SELECT id, payload FROM payment.outbox WHERE type = 'payment.payment_authorized.v1'"):
        auth_ev.setdefault(json.loads(payload)["payment_id"], []).append(eid)
    for pid, p in intents.items():
        n = len(auth_ev.get(pid, []))
        if n != (1 if p["status"] == "succeeded" else 0):
            v(f"payment {pid} ({p['status']}): {n} payment_authorized events")
    for schema in SCHEMAS:
        for consumer, eid, parked, attempts, err in data.q(f"SELECT consumer, event_id, parked, attempts, last_error FROM {schema}.inbox_failures"):
            v(f"{schema}: event {eid} {'parked' if parked else 'retrying'} at {consumer} after {attempts} attempts: {err}")

    # 6. Handler effects applied once: payment facts, reports, status history.
    for oid, pid, kind, detail, n in data.q("SELECT order_id, payment_id, kind, CASE WHEN kind = 'refunded' THEN detail ELSE '' END, COUNT(*) "
                                            "FROM ordering.payment_facts GROUP BY order_id, payment_id, kind, "
                                            "CASE WHEN kind = 'refunded' THEN detail ELSE '' END HAVING COUNT(*) > 1"):
        v(f"order {oid}: payment fact '{kind}' of {pid} {detail} recorded {n} times")
    for oid, to, n in data.q("SELECT order_id, to_status, COUNT(*) FROM ordering.status_history WHERE from_status <> to_status "
                             "GROUP BY order_id, to_status HAVING COUNT(*) > 1"):
        v(f"order {oid}: moved to {to} {n} times")
    sales = data.q("SELECT COALESCE(SUM(orders), 0), COALESCE(SUM(revenue), 0), COALESCE(SUM(refunded), 0) FROM ordering.sales_daily")[0]
    conf_totals = 0
    for eid, payload in data.q("SELECT id, payload FROM ordering.outbox WHERE type = 'ordering.order_confirmed.v1'"):
        conf_totals += json.loads(payload)["total"]
    ref_total = sum(json.loads(p)["amount"] for _, p in refunded_ev)
    want_sales = (sum(len(x) for x in confirmed_ev.values()), conf_totals, ref_total)
    if tuple(sales) != want_sales:
        v(f"sales report (orders, revenue, refunded) {tuple(sales)} != the events {want_sales}: a handler applied twice or lost")
    rep = data.q("SELECT COALESCE(SUM(succeeded), 0), COALESCE(SUM(failed), 0), COALESCE(SUM(authorized_amount), 0), "
                 "COALESCE(SUM(refunds), 0), COALESCE(SUM(refunded_amount), 0) FROM payment.report_daily")[0]
    pe = {}
    for kind, payload in data.q("SELECT type, payload FROM payment.outbox"):
        pe.setdefault(kind, []).append(json.loads(payload))
    want_rep = (len(pe.get("payment.payment_authorized.v1", [])), len(pe.get("payment.payment_failed.v1", [])),
                sum(e["amount"] for e in pe.get("payment.payment_authorized.v1", [])), len(pe.get("payment.payment_refunded.v1", [])),
                sum(e["amount"] for e in pe.get("payment.payment_refunded.v1", [])))
    if tuple(rep) != want_rep:
        v(f"payments report (succeeded, failed, authorized, refunds, refunded) {tuple(rep)} != the events {want_rep}")
    for r in data.q("SELECT refund_id, COUNT(*) FROM (SELECT f.detail AS refund_id FROM ordering.payment_facts f WHERE f.kind = 'refunded') x "
                    "GROUP BY refund_id HAVING COUNT(*) > 1"):
        v(f"refund {r[0]} recorded {r[1]} times")

    # 7. Mail: one confirmation per confirmed order, queued once and sent with one Message-ID.
    msgs = {}
    for eid, key, status in data.q("SELECT event_id, template_key, status FROM notification.messages WHERE template_key IN "
                                   "('order_confirmation', 'order_placed')"):
        msgs.setdefault((eid, key), []).append(status)
    sink = {}
    dup_deliveries = 0
    for f in sorted(os.listdir(sink_dir)):
        if not f.endswith(".json"):
            continue
        with open(os.path.join(sink_dir, f)) as fh:
            doc = json.load(fh)
        mid = doc.get("headers", {}).get("Message-ID", "")
        sink[mid] = sink.get(mid, 0) + 1
    mail_confirmed = 0
    for oid, ids in confirmed_ev.items():
        eid = ids[0]
        st = msgs.get((eid, "order_confirmation"), [])
        if st != ["sent"]:
            v(f"order {oid}: confirmation messages {st}")
        got = [m for m in sink if m.startswith(f"<{eid}-order_confirmation@")]
        if len(got) != 1:
            v(f"order {oid}: {len(got)} distinct confirmation mails at the SMTP server")
        else:
            mail_confirmed += 1
            dup_deliveries += sink[got[0]] - 1
    confirmed_eids = {ids[0] for ids in confirmed_ev.values()}
    for (eid, key), st in msgs.items():
        if key == "order_confirmation" and eid not in confirmed_eids:
            v(f"a confirmation mail for event {eid}, which confirmed no order")
    conf_mail_ids = [m for m in sink if "-order_confirmation@" in m]
    if len(conf_mail_ids) != len(confirmed_ev):
        v(f"{len(conf_mail_ids)} distinct confirmation mails at the SMTP server, {len(confirmed_ev)} orders confirmed")
    for oid, ids in placed_ev.items():
        st = msgs.get((ids[0], "order_placed"), None)
        if st is not None and st != ["sent"]:
            v(f"order {oid}: order_placed messages {st}")
    queued = data.q("SELECT COUNT(*) FROM notification.messages WHERE status <> 'sent'")[0][0]
    if queued:
        v(f"{queued} messages not sent")
    run.mail_confirmed = mail_confirmed
    run.mail_resent = dup_deliveries
    # in-app inbox: one entry per customer's confirmed order
    inbox = {}
    for eid, n in data.q("SELECT event_id, COUNT(*) FROM notification.inbox GROUP BY event_id, user_id, kind"):
        if n > 1:
            v(f"inbox: {n} entries for event {eid}")
        inbox[eid] = inbox.get(eid, 0) + n
    for oid, ids in confirmed_ev.items():
        if orders.get(oid, {}).get("customer_id") and inbox.get(ids[0], 0) != 1:
            v(f"customer order {oid}: {inbox.get(ids[0], 0)} inbox entries for its confirmation")


# ---------------------------------------------------------------------------------------------

def recheck(args):
    with open(os.path.join(args.recheck, "run.json")) as f:
        saved = json.load(f)
    run = Run(args, "")
    run.records = saved["records"]
    run.skus = saved["skus"]
    run.stock_set = {tuple(k.split("|")): v for k, v in saved["stock_set"].items()}
    violations = []
    check(run, SqliteData(os.path.join(args.recheck, "data")), os.path.join(args.recheck, "mail"), violations, api=False)
    for x in violations:
        print("VIOLATION:", x)
    print(f"recheck of {args.recheck}: {sum(1 for r in run.records if r['paid'])} orders acknowledged, {len(violations)} invariant violations")
    return 1 if violations else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shop", required=True)
    ap.add_argument("--db", required=True, choices=["sqlite-normal", "sqlite-full", "postgresql"])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--kills", type=int, default=int(os.environ.get("SHOPTEST_CRASH_KILLS", "10")))
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--skus", type=int, default=4)
    ap.add_argument("--think", type=float, default=0.15, help="longest pause of a worker between two checkouts, seconds")
    ap.add_argument("--stock", type=int, default=800, help="units per SKU and warehouse: between half this and this (the last SKU: a 20th)")
    ap.add_argument("--min-gap", type=float, default=1.0, help="shortest run between two kills, seconds")
    ap.add_argument("--max-gap", type=float, default=4.0)
    ap.add_argument("--keep", default=None, help="copy the work directory (data, mail, log, what the clients saw) here at the end")
    ap.add_argument("--recheck", default=None, metavar="DIR",
                    help="check the invariants again on a directory --keep made (SQLite), without a server: e.g. after editing its data")
    args = ap.parse_args()
    if args.recheck:
        return recheck(args)

    pg_server = os.environ.get("SHOPTEST_POSTGRESQL", "")
    if args.db == "postgresql" and not pg_server:
        print("skipped: needs PostgreSQL (SHOPTEST_POSTGRESQL; the second pass of scripts/test)")
        return 77
    if args.db != "postgresql" and pg_server:
        print("skipped: the SQLite variant runs in the SQLite pass")
        return 77
    try:
        import aiosmtpd  # noqa: F401  (the SMTP sink needs it)
    except ImportError:
        print("FAIL: python3-aiosmtpd is missing (scripts/setup installs it)")
        return 1

    seed = args.seed if args.seed is not None else int(os.environ.get("SHOPTEST_CRASH_SEED", "0") or 0) or int(time.time() * 1000) % 1000000
    variant = {"sqlite-normal": "sqlite, synchronous=normal", "sqlite-full": "sqlite, synchronous=full", "postgresql": "postgresql"}[args.db]
    print(f"crash test ({variant}): seed {seed}", flush=True)
    print(f"reproduce: SHOPTEST_CRASH_SEED={seed} /usr/bin/python3 {os.path.abspath(__file__)} --shop {os.path.abspath(args.shop)} "
          f"--db {args.db}" + (" (with SHOPTEST_POSTGRESQL set to a server)" if pg_server else "") + "  [--keep DIR to keep the data]",
          flush=True)
    rng = random.Random(seed)
    started_at = time.monotonic()

    work = tempfile.mkdtemp(prefix="shop-crash-")
    data_dir = os.path.join(work, "data")
    sink_dir = os.path.join(work, "mail")
    os.makedirs(data_dir)
    os.makedirs(sink_dir)
    db_name, db_url = None, ""
    sink = None
    shop = None
    run = None
    status = 1
    try:
        if pg_server:
            db_name = f"shop_crash_{seed}_{os.getpid()}"
            subprocess.run(["psql", "-X", "-q", pg_server, "-c", f"CREATE DATABASE {db_name}"], check=True, capture_output=True)
            db_url = pg_server.rsplit("/", 1)[0] + "/" + db_name
        sink = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tests", "support", "smtp_sink.py")],
                                env=dict(os.environ, SMTP_SINK_DIR=sink_dir, SMTP_SINK_PORT="0"), stdout=subprocess.PIPE, text=True)
        first = sink.stdout.readline()
        if not first.startswith("listening "):
            raise RuntimeError("the SMTP sink did not start")
        smtp_port = int(first.split()[1])

        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
        env.update({
            "SHOP_DATA_DIR": data_dir, "SHOP_PORT": str(port), "SHOP_HOST": "127.0.0.1",
            "SHOP_ADMIN_EMAIL": ADMIN_EMAIL, "SHOP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "SHOP_AUTH_PASSWORD_COST": "minimum", "SHOP_LOG_LEVEL": "warn", "SHOP_HTTP_ACCESS_LOG": "false",
            "SHOP_HTTP_THREADS": "4", "SHOP_HTTP_RATE_LIMIT_PER_SECOND": "100000", "SHOP_HTTP_RATE_LIMIT_BURST": "100000",
            "SHOP_BUS_POLL_INTERVAL_MS": "50", "SHOP_INVENTORY_SWEEP_INTERVAL_MS": "200", "SHOP_ORDERING_ORPHAN_SWEEP_INTERVAL_S": "1",
            "SHOP_MAIL_TRANSPORT": "smtp", "SHOP_MAIL_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SHOP_NOTIFICATION_RETRY_BASE_MS": "200", "SHOP_NOTIFICATION_RETRY_MAX_MS": "2000",
            "SHOP_DB_URL": db_url,
        })
        if args.db != "postgresql":
            env["SHOP_DB_SYNCHRONOUS"] = args.db.split("-")[1]
        shop = Shop(args.shop, work, port, env)
        shop.start()
        shop.wait_ready()
        run = Run(args, f"http://127.0.0.1:{port}")
        run.setup(rng)
        data = PostgresData(db_url) if pg_server else None

        kills = []
        killer_error = []

        def killer():
            krng = random.Random(seed + 1)
            try:
                time.sleep(krng.uniform(0.5, 1.5))
                for i in range(args.kills):
                    time.sleep(krng.uniform(args.min_gap, args.max_gap))
                    shop.kill9()
                    kills.append(time.monotonic())
                    time.sleep(krng.uniform(0.0, 0.5))
                    shop.start()
                    shop.wait_ready()
                time.sleep(krng.uniform(args.min_gap, args.max_gap))  # load keeps running on the last start
            except Exception as e:
                killer_error.append(repr(e))
                run.abort.set()
            finally:
                run.stop_load.set()

        threads = [threading.Thread(target=run.worker, args=(n, seed)) for n in range(args.workers)]
        kt = threading.Thread(target=killer)
        for t in threads:
            t.start()
        kt.start()
        kt.join()
        for t in threads:
            t.join()
        if killer_error:
            raise RuntimeError("killer: " + killer_error[0])
        log(f"load done: {len(kills)} kills, {len(run.records)} checkouts started; settling")

        if data is None:
            data = SqliteData(data_dir)
        why = settle(run, data)
        violations = []
        if why:
            violations.append(why)
        # Let any handler still reacting to the last events finish, then read everything.
        check(run, data, sink_dir, violations)
        # A clean stop, then the files read again as they are at rest (SQLite: the WAL folded back).
        shop.terminate()
        if not pg_server:
            data = SqliteData(data_dir)
        again = []
        check(run, data, sink_dir, again, api=False)
        for x in again:
            if x not in violations:
                violations.append("after a clean stop: " + x)

        # SMTP cannot be exactly-once: a kill between the server's 250 and the record of it sends
        # that one mail again (same Message-ID). Each mail is recorded as sent right after its
        # delivery, so a crash repeats at most the one in flight.
        if isinstance(getattr(run, "mail_resent", None), int) and run.mail_resent > len(kills):
            violations.append(f"{run.mail_resent} confirmation mails delivered twice after {len(kills)} crashes: more than one per crash")
        acked = sum(1 for r in run.records if r["paid"])
        refunds = sum(1 for r in run.records if r["refund_acked"])
        cancels = sum(1 for r in run.records if r["cancel_acked"])
        late = sum(1 for r in run.records if r["paid"] and r["scenario"] == "race_cancel")
        abandoned = sum(1 for r in run.records if r["outcome"] == "abandoned")
        placed = sum(1 for r in run.records if r["order_id"])
        elapsed = time.monotonic() - started_at
        log(f"checkouts {len(run.records)}, orders placed {placed}, payments acknowledged {acked} "
            f"(refunded {refunds}, cancelled after paying {cancels}, paid while cancelling {late}), abandoned {abandoned}, "
            f"coupon uses {getattr(run, 'coupon_used', '?')}/{COUPON_LIMIT}, confirmation mails {getattr(run, 'mail_confirmed', '?')} "
            f"(resent after a crash with the same Message-ID: {getattr(run, 'mail_resent', '?')})")
        if run.errors:
            log(f"{len(run.errors)} unexpected answers during the load (not invariant violations):")
            for e in run.errors[:10]:
                print("  ", e.strip().replace("\n", "\n   "))
        for x in violations:
            print("VIOLATION:", x)
        print(f"crash test ({variant}): seed {seed}, {len(kills)} kills survived, {acked} orders acknowledged, "
              f"{len(violations)} invariant violations, {elapsed:.0f} s", flush=True)
        ok = not violations and len(kills) >= args.kills and acked > 0
        if not ok and not violations:
            print("FAIL: " + ("no order was acknowledged" if acked == 0 else f"only {len(kills)} kills"))
        status = 0 if ok else 1
    except Exception:
        traceback.print_exc()
        status = 1
    finally:
        if run:
            run.abort.set()
        if shop and shop.proc and shop.proc.poll() is None:
            shop.proc.kill()
            shop.proc.wait()
        if status != 0 and shop:
            print("--- shop log (tail)")
            print(shop.tail())
        if sink:
            sink.terminate()
            sink.wait()
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(work, args.keep)
            if run:
                with open(os.path.join(args.keep, "run.json"), "w") as f:
                    json.dump({"records": run.records, "skus": run.skus,
                               "stock_set": {"|".join(k): v for k, v in run.stock_set.items()}}, f, indent=1)
            print(f"kept: {args.keep}")
        shutil.rmtree(work, ignore_errors=True)
        if db_name:
            if args.keep:
                print(f"kept database: {db_name} (drop it with: psql {pg_server} -c 'DROP DATABASE {db_name} WITH (FORCE)')")
            else:
                subprocess.run(["psql", "-X", "-q", pg_server, "-c", f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"], capture_output=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
