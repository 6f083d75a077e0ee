#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd): stores each message it accepts as <n>.eml in
SMTP_SINK_DIR, and beside it <n>.json, the message parsed as MIME by Python's email package
(envelope, decoded headers, each leaf part's type and decoded content).

SMTP_SINK_PORT: the port to listen on (0 = any free one). SMTP_SINK_USER / SMTP_SINK_PASSWORD:
AUTH is required and only these credentials pass. A recipient starting with "bounce@" is refused
with 550, one starting with "busy@" with 451. Prints "listening <port>" when ready."""
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import sys
import threading
import warnings
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

warnings.filterwarnings("ignore")  # AUTH without TLS: deliberate, on the loopback interface of a test
logging.disable(logging.WARNING)
out_dir = os.environ["SMTP_SINK_DIR"]
user = os.environ.get("SMTP_SINK_USER", "")
password = os.environ.get("SMTP_SINK_PASSWORD", "")
port = int(os.environ.get("SMTP_SINK_PORT", "0"))
if port == 0:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
lock = threading.Lock()
count = [0]


def parsed(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.strict)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(), "content": part.get_content()})
    headers = {k: str(v) for k, v in msg.items()}
    return {"headers": headers, "raw_headers": {k: v for k, v in msg.raw_items()}, "content_type": msg.get_content_type(), "parts": parts}


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce@"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        with lock:
            count[0] += 1
            n = count[0]
        base = os.path.join(out_dir, "%04d" % n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        auth = session.auth_data
        doc = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "auth_user": auth.decode() if isinstance(auth, bytes) else None}
        try:
            doc.update(parsed(raw))
        except Exception as e:  # a message Python's strict parser refuses is a test failure to show
            doc["parse_error"] = repr(e)
        with open(base + ".json.tmp", "w") as f:
            json.dump(doc, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


kwargs = {}
if user:
    kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("listening %d" % port, flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
stop.wait()
controller.stop()
