#!/usr/bin/env python3
"""End-to-end rate of ContainerCreate through sockwarden (with container rules,
so every body is parsed, checked and re-serialised) against the same creates sent
straight to a private dockerd, in one run.  Each create is followed by a remove,
outside the timing.  Needs root (it starts dockerd); prints numbers and never fails
on slowness.

    bench_create.py --sockwarden BUILD/sockwarden [--count 200] [--reps 3]
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dockerd_fixture import Dockerd, IMAGE  # noqa: E402

POLICY = """upstream: unix://%(up)s
listeners:
  - { name: bench, listen: "unix://%(sock)s", policy: bench }
log: { level: warn, audit: "off" }
policies:
  bench:
    allow: ["Container*", "System*", "Image*"]
    containers:
      privileged: false
      bind_mounts: false
      capabilities: { add: [] }
      namespaces: { host: [] }
      security_opt: { unconfined: false }
      devices: false
"""

BODY = {
    "Image": IMAGE, "Cmd": ["true"], "Env": ["A=1", "B=two"], "Labels": {"bench": "1"},
    "HostConfig": {"NetworkMode": "none", "Memory": 67108864, "CapDrop": ["ALL"],
                   "SecurityOpt": ["no-new-privileges"], "PidsLimit": 64},
}


class Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("docker", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def call(conn, method, target, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, target, body=data, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    return resp.status, payload


def run(sock, count):
    """Seconds for `count` creates on one keep-alive connection; removes are untimed."""
    conn, ids, spent = Unix(sock), [], 0.0
    for _ in range(count):
        t0 = time.monotonic()
        status, payload = call(conn, "POST", "/v1.41/containers/create", BODY)
        spent += time.monotonic() - t0
        if status != 201:
            raise SystemExit("create failed through %s: %d %s" % (sock, status, payload[:300]))
        ids.append(json.loads(payload)["Id"])
        call(conn, "DELETE", "/v1.41/containers/%s?force=1" % ids[-1])
    conn.close()
    return spent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sockwarden", required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    d = Dockerd()
    sw = None
    try:
        d.start()
        d.make_image()
        work = tempfile.mkdtemp(prefix="swbc.", dir="/tmp")
        sock = os.path.join(work, "sw.sock")
        cfg = os.path.join(work, "c.yaml")
        with open(cfg, "w") as f:
            f.write(POLICY % {"up": d.sock, "sock": sock})
        os.chmod(cfg, 0o600)
        sw = subprocess.Popen([args.sockwarden, "-f", cfg], stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        run(d.sock, 5)  # warm up both paths
        run(sock, 5)
        direct, proxied = [], []
        for _ in range(args.reps):
            direct.append(args.count / run(d.sock, args.count))
            proxied.append(args.count / run(sock, args.count))
        dm, pm = statistics.median(direct), statistics.median(proxied)
        print("ContainerCreate, %d per run, median of %d runs (dockerd %s)" %
              (args.count, args.reps, "20.10" if os.path.exists("/usr/sbin/dockerd") else "?"))
        print("  direct   %8.1f creates/s" % dm)
        print("  proxied  %8.1f creates/s  (container rules, canonical body)" % pm)
        print("  ratio    %8.2f" % (pm / dm))
    finally:
        if sw is not None:
            sw.terminate()
            sw.wait(timeout=15)
        d.stop()


if __name__ == "__main__":
    main()
