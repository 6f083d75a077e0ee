#!/usr/bin/env python3
"""/healthz latency while abusive clients hold the server: IDLE connections (half served once and
waiting in keep-alive, half never sending a byte) and a slowloris client trickling a header that
never ends. Prints p50, p99 and the worst of PROBES fresh-connection /healthz requests; the goal is
under 50 ms. Usage: abuse.py PORT [IDLE] [PROBES]"""
import resource
import socket
import sys
import threading
import time

port = int(sys.argv[1])
idle_n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
probes = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
REQ = b"GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n"


def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        body += s.recv(4096)
    return int(head.split(b" ")[1])


idle = []
for i in range(idle_n):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 2 == 0:
        s.sendall(REQ)
        read_response(s)
    idle.append(s)

stop = False


def loris():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n")
    while not stop:
        try:
            s.sendall(b"X")
        except OSError:  # cut off by the read timeout: come back, as such a client does
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n")
        time.sleep(0.05)


t = threading.Thread(target=loris, daemon=True)
t.start()
times, bad = [], 0
for _ in range(probes):
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(REQ)
    status = read_response(s)
    times.append((time.perf_counter() - t0) * 1000)
    s.close()
    bad += status != 200
stop = True
times.sort()
p50 = times[len(times) // 2]
p99 = times[int(len(times) * 0.99) - 1]
print(f"abuse: /healthz with {idle_n} idle connections and a slowloris client: "
      f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms over {probes} new connections, "
      f"{bad} not 200 (goal: under 50 ms)")
sys.exit(1 if bad else 0)
