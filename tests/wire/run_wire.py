#!/usr/bin/env python3
"""Byte-exact framing and smuggling tests for sockwarden.

For each case: start tests/harness/fake_dockerd.py on a fresh Unix socket,
start sockwarden in front of it with the case's policy and limits, send raw
bytes to the proxy, then assert the status(es) the client saw and EXACTLY the
bytes that reached the fake daemon (or that nothing did).  A case also fails
if sockwarden died or printed a sanitizer report.

  run_wire.py --sockwarden build/sockwarden [-k substring] [-v]
  run_wire.py --direct            talk to fake_dockerd without a proxy, to debug
                                  the harness itself (statuses will differ)

Output: "ok N - name" / "not ok N - name: why" per case, then
"N passed, M failed"; exit status 1 when anything failed.
SW_TEST_TIMEOUT_MULTIPLIER scales every timeout (sanitizer builds).
"""

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases_audit  # noqa: E402
import cases_backpressure  # noqa: E402
import cases_budget  # noqa: E402
import cases_build  # noqa: E402
import cases_chunks  # noqa: E402
import cases_flow  # noqa: E402
import cases_framing  # noqa: E402
import cases_inspect  # noqa: E402
import cases_lifecycle  # noqa: E402
import cases_lists  # noqa: E402
import cases_memory  # noqa: E402
from wirelib import (T, CaseFailure, Client, show, upstream_bytes,  # noqa: E402
                     wait_connectable)

FAKE_DOCKERD = os.path.join(HERE, "..", "harness", "fake_dockerd.py")

# The policy names cases refer to.  "wire" allows a handful of endpoints so
# that a denied request can follow an allowed one on the same connection.
POLICIES = """\
policies:
  all: { allow: ["*"] }
  ro: { groups: [read-only] }
  wire:
    allow: [SystemPing, SystemVersion, ContainerList, ContainerInspect, ContainerAttach,
            ExecStart, SystemEvents]
  owned-redact:
    allow: ["*"]
    ownership: true
    redact: { labels: ["secret.*"] }
  redact-only:
    allow: ["*"]
    redact: { labels: ["secret.*"] }
  owned:
    allow: ["*"]
    ownership: true
"""

DEFAULT_LIMITS = {
    "max_connections": 20000,
    "max_connections_per_client": 20000,
    "idle_timeout": "10m",
    "head_timeout": "10s",
}


class CaseTimeout(Exception):
    pass


class Ctx:
    """What a case gets: the sockets, the daemon record and process control."""

    def __init__(self, tmp, args, case):
        self.tmp = tmp
        self.args = args
        self.case = case
        self.daemon_sock = os.path.join(tmp, "d.sock")
        self.proxy_sock = os.path.join(tmp, "p.sock")
        self.tcp_port = None  # the plain TCP listener of a case with tcp=True
        self.record = os.path.join(tmp, "d.jsonl")
        self.config = os.path.join(tmp, "sockwarden.yaml")
        self.daemon = None
        self.proxy = None
        self.proxy_log = os.path.join(tmp, "sockwarden.stderr")
        self.audit_log = os.path.join(tmp, "audit.jsonl")  # written when case.audit is set
        self.direct = args.direct
        self.notes = []

    # -- processes ---------------------------------------------------------
    def start_daemon(self):
        out = open(os.path.join(self.tmp, "fake_dockerd.out"), "ab")
        self.daemon = subprocess.Popen(
            [sys.executable, FAKE_DOCKERD, "--socket", self.daemon_sock, "--record",
             self.record], stdout=out, stderr=subprocess.STDOUT)
        out.close()
        if not wait_connectable(self.daemon_sock, T(5), self.daemon):
            raise CaseFailure("fake_dockerd did not start")
        # Our own readiness probe is connection 1 in the record; drop it.
        open(self.record, "w").close()

    def stop_daemon(self):
        stop_process(self.daemon)
        self.daemon = None

    def write_config(self):
        limits = dict(DEFAULT_LIMITS)
        limits.update(self.case.limits or {})
        lim = ", ".join("%s: %s" % kv for kv in limits.items())
        with open(self.config, "w") as f:
            f.write("upstream: unix://%s\n" % self.daemon_sock)
            f.write("listeners:\n  - { name: main, listen: \"unix://%s\", policy: %s }\n"
                    % (self.proxy_sock, self.case.policy))
            if self.case.tcp:
                self.tcp_port = free_tcp_port()
                f.write("  - { name: tcp, listen: \"tcp://127.0.0.1:%d\", insecure: true, "
                        "policy: %s }\n" % (self.tcp_port, self.case.policy))
            f.write("limits: { %s }\n" % lim)
            audit = '"%s"' % self.audit_log if getattr(self.case, "audit", False) else "off"
            f.write("log: { level: warn, audit: %s }\n" % audit)
            f.write(POLICIES)
        os.chmod(self.config, 0o600)

    def start_proxy(self):
        if self.direct:
            self.proxy_sock = self.daemon_sock
            return
        self.write_config()
        self.launch_proxy()

    def launch_proxy(self, *options):
        """sockwarden on the current config file (with `options`), its output to the log."""
        err = open(self.proxy_log, "ab")
        self.proxy = subprocess.Popen([self.args.sockwarden, *options, "-f", self.config],
                                      stdout=err, stderr=subprocess.STDOUT)
        err.close()
        if not wait_connectable(self.proxy_sock, T(5), self.proxy):
            raise CaseFailure("sockwarden did not start listening:\n%s" % self.proxy_stderr())

    def stop_proxy(self):
        """Stop sockwarden with SIGTERM, for a case that starts it again with
        launch_proxy(); it must exit within 5 s."""
        self.proxy.send_signal(signal.SIGTERM)
        try:
            self.proxy.wait(T(5))
        except subprocess.TimeoutExpired:
            stop_process(self.proxy)
            raise CaseFailure("sockwarden did not exit within 5 s of SIGTERM")

    def proxy_alive(self):
        return self.direct or (self.proxy is not None and self.proxy.poll() is None)

    def proxy_pid(self):
        return self.proxy.pid if self.proxy else None

    def proxy_stderr(self):
        try:
            with open(self.proxy_log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    # -- client and daemon side -------------------------------------------
    def client(self, timeout=None):
        return Client(self.proxy_sock, timeout)

    def tcp_client(self, timeout=None):
        """A client of the plain TCP listener (a case made with tcp=True)."""
        if self.tcp_port is None:
            raise CaseFailure("no TCP listener: the case needs tcp=True and a proxy")
        return Client(("127.0.0.1", self.tcp_port), timeout)

    def upstream(self):
        return upstream_bytes(self.record)

    def expect_upstream(self, want, settle=0.15):
        """Wait until the daemon received exactly `want` (b"" = nothing) and no more."""
        deadline = time.monotonic() + T(3)
        got = self.upstream()
        while got != want and len(got) < len(want) and time.monotonic() < deadline:
            time.sleep(0.02)
            got = self.upstream()
        time.sleep(T(settle))
        got = self.upstream()
        if got != want:
            raise CaseFailure("daemon received\n      %s\n    want\n      %s"
                              % (show(got), show(want)))

    def note(self, msg):
        self.notes.append(msg)


def free_tcp_port():
    """A loopback port nothing listens on now (the kernel's pick)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def stop_process(p, grace=3.0):
    """Stop a process this runner started (by its own Popen handle only)."""
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(T(grace))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


def run_case(case, args):
    tmp = tempfile.mkdtemp(prefix="wire-")
    ctx = Ctx(tmp, args, case)

    def on_alarm(signum, frame):
        raise CaseTimeout("case timed out")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(T(case.timeout)))
    try:
        if case.daemon:
            ctx.start_daemon()
        if args.direct and not case.daemon:
            ctx.start_daemon()
        ctx.start_proxy()
        case.run(ctx)
        if not ctx.proxy_alive() and not case.stops_proxy:
            raise CaseFailure("sockwarden exited (status %s):\n%s"
                              % (ctx.proxy.returncode, ctx.proxy_stderr()[-2000:]))
        return None, ctx
    except (CaseFailure, CaseTimeout) as e:
        return str(e), ctx
    except Exception:
        return "harness error:\n" + traceback.format_exc(), ctx
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        stop_process(ctx.proxy)
        stop_process(ctx.daemon)
        log = ctx.proxy_stderr()
        ctx.sanitizer = next((m for m in SANITIZER_MARKERS if m in log), None)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sockwarden", help="path to the sockwarden binary")
    ap.add_argument("--direct", action="store_true",
                    help="no proxy: send the cases straight to fake_dockerd")
    ap.add_argument("-k", dest="filter", help="run only cases whose name contains this")
    ap.add_argument("-v", action="store_true", help="print notes and proxy stderr")
    ap.add_argument("--keep", action="store_true", help="keep each case's temp directory")
    args = ap.parse_args()
    if not args.direct and not args.sockwarden:
        ap.error("--sockwarden is required (or --direct)")
    if args.sockwarden:
        args.sockwarden = os.path.abspath(args.sockwarden)

    modules = (cases_framing, cases_flow, cases_inspect, cases_lifecycle, cases_lists,
               cases_audit, cases_chunks, cases_memory, cases_backpressure, cases_budget,
               cases_build)
    # A case file missing from the list above would pass by never running.
    unlisted = ({os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "cases_*.py"))}
                - {m.__name__ for m in modules})
    if unlisted:
        print("case files not in run_wire.py's list: %s" % ", ".join(sorted(unlisted)))
        return 1
    cases = [c for m in modules for c in m.CASES]
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        print("duplicate case names: %s" % ", ".join(sorted(dup)))
        return 1
    if args.filter:
        cases = [c for c in cases if args.filter in c.name]

    passed = failed = 0
    for i, case in enumerate(cases, 1):
        t0 = time.monotonic()
        err, ctx = run_case(case, args)
        if err is None and ctx.sanitizer:
            err = "sanitizer report in sockwarden's output (%s):\n%s" % (
                ctx.sanitizer, ctx.proxy_stderr()[-3000:])
        ms = (time.monotonic() - t0) * 1000
        if err is None:
            passed += 1
            print("ok %d - %s (%.0f ms)" % (i, case.name, ms))
        else:
            failed += 1
            print("not ok %d - %s: %s" % (i, case.name, err.replace("\n", "\n    ")))
        if args.v:
            for n in ctx.notes:
                print("    # %s" % n)
            log = ctx.proxy_stderr().strip()
            if log:
                print("    # sockwarden stderr:\n    # " + log[-1500:].replace("\n", "\n    # "))
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
