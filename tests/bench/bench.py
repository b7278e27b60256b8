#!/usr/bin/env python3
"""Benchmark sockwarden against the same workload sent straight to the upstream.

In one run it starts sw_upstream (a fast fake daemon) and sockwarden in front
of it, then measures with sw_load, each measurement repeated (median kept):

  * req/s and p50/p99 latency for GET /_ping and GET /containers/json over 1,
    16 and 256 keep-alive connections, direct and through the proxy;
  * MB/s for one large streamed response (2 GiB by default), direct and proxied,
    and the floor under it: the same stream through sw_relay -S, which splices as
    sockwarden does and does nothing else;
  * sockwarden's CPU time per request (utime+stime from /proc/<pid>/stat);
  * the floor under it: GET /_ping over 16 connections also through sw_relay, a
    relay that only moves bytes, with its CPU time per request;
  * sockwarden's resident memory (VmRSS): idle, under 256-connection load, and
    with 10,000 idle client connections held open;
  * the Unix listener next to a mutual-TLS listener of the same proxy (unless
    --no-tls): req/s and p50/p99 for GET /_ping over 1 and 16 keep-alive
    connections, MB/s of the large response, and the rate of new connections
    (connect, handshake, one request, close) with the handshake's latency.

It prints numbers and never fails on slowness; the exit status is 1 only when
something broke (a process died, requests failed, a tool is missing).

  bench.py --sockwarden build/sockwarden [--pin [CPU]] [--quick] [--no-tls] [--json out.json]
  bench.py --direct-only ...      measure only the upstream (no proxy needed)
"""

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PATHS = ["/_ping", "/containers/json"]
CONNS = [1, 16, 256]
TLS_PATH = "/_ping"
TLS_CONNS = [1, 16]
# The one load that also goes through sw_relay: the per-request CPU target is
# set for it.
RELAY_PATH = "/_ping"
RELAY_CONNS = 16
# The proxy gives freed memory back within 5 s of a burst; the bench looks again after this.
TRIM_SETTLE_S = 6
CLK_TCK = os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_CERTS = os.path.join(HERE, "..", "integration", "tls", "make_certs.sh")

CONFIG = """\
upstream: unix://{up}
listeners:
  - {{ name: main, listen: "unix://{sw}", policy: all }}
{tls}limits: {{ max_connections: 20000, max_connections_per_client: 20000, idle_timeout: 10m,
          head_timeout: 10s }}
log: {{ level: warn, audit: off }}
policies:
  all: {{ allow: ["*"] }}
"""

# The second listener: mutual TLS on loopback, client certificates required.
TLS_LISTENER = """\
  - name: tls
    listen: "tcp://127.0.0.1:{port}"
    tls: {{ cert: "{d}/server.pem", key: "{d}/server-key.pem", ca: "{d}/ca.pem",
           client_certs: required }}
    policy: all
"""


def med(runs, key):
    """Median of one figure over repeated runs (NaN when there are none)."""
    vals = [r[key] for r in runs if key in r]
    return statistics.median(vals) if vals else float("nan")


def cpu_us_per_req(runs, key):
    """Median over runs of a process's CPU seconds (runs[i][key]) per request, in us."""
    if not runs:
        return float("nan")
    return statistics.median(r[key] / max(r["requests"], 1) * 1e6 for r in runs)


def load_figures(runs):
    """The load table's medians for one workload, computed once: printed, kept in --json
    and reused by the relay line."""
    d, p = runs["direct"], runs["proxied"]
    drps, prps = med(d, "rps"), med(p, "rps")
    return {"direct_rps": drps, "proxied_rps": prps,
            "ratio": prps / drps if drps else float("nan"),
            "direct_p50_us": med(d, "p50_us"), "proxied_p50_us": med(p, "p50_us"),
            "direct_p99_us": med(d, "p99_us"), "proxied_p99_us": med(p, "p99_us"),
            "proxy_cpu_us_per_req": cpu_us_per_req(p, "proxy_cpu_s"),
            "proxy_cpu_pct": statistics.median(r["proxy_cpu_s"] / r["seconds"] * 100
                                               for r in p) if p else float("nan")}


def stream_figures(runs, gib):
    """The stream table's medians for one framing, computed once: printed, and kept in
    --json (under splice_relay) with the splice relay's, which sit under the table."""
    d, p = runs["direct"], runs["proxied"]
    s = runs.get("splice_relay", [])
    dm, pm, sm = med(d, "mb_per_s"), med(p, "mb_per_s"), med(s, "mb_per_s")
    return {"direct_mb_per_s": dm, "relay_mb_per_s": sm, "proxied_mb_per_s": pm,
            "relay_direct_ratio": sm / dm if dm else float("nan"),
            "proxied_direct_ratio": pm / dm if dm else float("nan"),
            "proxied_relay_ratio": pm / sm if sm else float("nan"),
            "relay_cpu_s_per_gib": med(s, "relay_cpu_s") / gib,
            "proxy_cpu_s_per_gib": med(p, "proxy_cpu_s") / gib}


class Broken(Exception):
    """Something failed that is not a matter of speed."""


def ssl_version():
    """The openssl command's version line: handshake cost depends on it a great deal."""
    try:
        r = subprocess.run(["openssl", "version"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=10)
        return r.stdout.decode().strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def proc_cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])  # utime, stime (fields 14 and 15)


def proc_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_private_dirty_kib(pid):
    """Memory only this process holds: its own writes (heap, stacks, relocated data).

    VmRSS also counts the shared libraries' pages it mapped, which every process
    using them shares: libssl and libcrypto alone, which sockwarden maps only with a
    TLS listener, put about 1.7 MiB into it."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def free_tcp_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_cpu_s():
    """CPU seconds of the children waited for so far (each sw_load run, once it ends)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def wait_socket(path, proc, timeout=10.0):
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return True
        except OSError:
            time.sleep(0.02)
        finally:
            s.close()
    return False


class RssSampler:
    """Samples a process's VmRSS every 50 ms; keeps the maximum."""

    def __init__(self, pid):
        self.pid = pid
        self.max_kib = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.max_kib = max(self.max_kib, proc_rss_kib(self.pid))
            except OSError:
                return
            self._stop.wait(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="swbench-")
        self.up_sock = os.path.join(self.tmp, "up.sock")
        self.sw_sock = os.path.join(self.tmp, "sw.sock")
        self.relay_sock = os.path.join(self.tmp, "relay.sock")
        self.splice_sock = os.path.join(self.tmp, "splice.sock")
        self.procs = {}
        self.problems = []
        self.results = {"machine": {}, "load": [], "relay": None, "stream": [], "rss": {}}
        self.certs = os.path.join(self.tmp, "certs")
        self.tls_port = None  # set by start_proxy when the TLS listener is on

    # -- processes -----------------------------------------------------------
    def prefix(self):
        return ["taskset", "-c", str(self.args.pin)] if self.args.pin is not None else []

    def start(self, name, cmd, sock):
        log = open(os.path.join(self.tmp, name + ".log"), "wb")
        p = subprocess.Popen(self.prefix() + cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs[name] = p
        if not wait_socket(sock, p):
            raise Broken("%s did not start:\n%s" % (name, self.log_tail(name)))
        return p

    def log_tail(self, name, n=2000):
        try:
            with open(os.path.join(self.tmp, name + ".log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self, name):
        p = self.procs.get(name)
        if p is not None and p.poll() is not None:
            raise Broken("%s exited with status %s:\n%s" % (name, p.returncode,
                                                            self.log_tail(name)))

    def stop_all(self):
        for name, p in self.procs.items():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if self.args.keep:
            print("kept %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start_upstream(self):
        self.start("sw_upstream", [self.args.upstream, "-s", self.up_sock], self.up_sock)

    def start_relay(self):
        """sw_relay in front of the same upstream, pinned like the proxy (prefix()); and
        sw_relay -S, the splicing floor for the streams."""
        self.start("sw_relay", [self.args.relay, "-l", self.relay_sock, "-u", self.up_sock],
                   self.relay_sock)
        self.start("sw_relay_splice", [self.args.relay, "-S", "-l", self.splice_sock, "-u",
                                       self.up_sock], self.splice_sock)

    def start_proxy(self):
        cfg = os.path.join(self.tmp, "sockwarden.yaml")
        tls = ""
        if self.tls():
            # A fresh port each start: the previous one may still have connections in
            # TIME_WAIT from the new-connection runs.
            self.tls_port = free_tcp_port()
            tls = TLS_LISTENER.format(port=self.tls_port, d=self.certs)
        with open(cfg, "w") as f:
            f.write(CONFIG.format(up=self.up_sock, sw=self.sw_sock, tls=tls))
        os.chmod(cfg, 0o600)
        return self.start("sockwarden", [self.args.sockwarden, "-f", cfg], self.sw_sock)

    # -- the loader ------------------------------------------------------------
    def load(self, target, extra, what):
        """target: a Unix socket path, or sw_load's target options (see tls_target)."""
        args = ["-s", target] if isinstance(target, str) else list(target)
        cmd = self.prefix() + [self.args.load] + args + extra
        cpu0 = children_cpu_s()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=3600)
        lines = [ln for ln in r.stdout.decode().splitlines() if ln.startswith("{")]
        if not lines:
            raise Broken("%s: sw_load printed no result (status %d): %s"
                         % (what, r.returncode, r.stderr.decode()[-500:]))
        res = json.loads(lines[-1])
        res["load_cpu_s"] = children_cpu_s() - cpu0
        if res.get("errors") or res.get("non2xx"):
            self.problems.append("%s: %d errors, %d non-2xx (first bad status %s)"
                                 % (what, res.get("errors", 0), res.get("non2xx", 0),
                                    res.get("first_bad_status")))
        return res

    def proxied(self):
        return not self.args.direct_only

    def tls(self):
        return self.proxied() and not self.args.no_tls

    def tls_target(self):
        d = self.certs
        return ["-T", "127.0.0.1:%d" % self.tls_port, "-A", os.path.join(d, "ca.pem"),
                "-E", os.path.join(d, "client-alice.pem"),
                "-K", os.path.join(d, "client-alice-key.pem")]

    def make_certs(self):
        if not shutil.which("openssl"):
            raise Broken("the TLS section needs the openssl command (or use --no-tls)")
        r = subprocess.run(["sh", MAKE_CERTS, self.certs], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise Broken("%s failed (or use --no-tls): %s"
                         % (MAKE_CERTS, r.stdout.decode()[-500:]))

    # -- measurements ------------------------------------------------------------
    def run_load_matrix(self):
        a = self.args
        for path in PATHS:
            for conns in CONNS:
                runs = {"direct": [], "proxied": []}
                floor = self.proxied() and (path, conns) == (RELAY_PATH, RELAY_CONNS)
                if floor:
                    runs["relay"] = []
                for rep in range(a.reps):
                    extra = ["-p", path, "-c", str(conns), "-t", str(a.threads), "-d",
                             str(a.duration)]
                    what = "GET %s c=%d" % (path, conns)
                    runs["direct"].append(self.load(self.up_sock, extra, what + " direct"))
                    if not self.proxied():
                        continue
                    with RssSampler(self.procs["sockwarden"].pid) as rss:
                        r = self.measured(self.sw_sock, extra, what + " proxied")
                    r["proxy_rss_max_kib"] = rss.max_kib
                    runs["proxied"].append(r)
                    if floor:
                        runs["relay"].append(self.measured(
                            self.relay_sock, extra, what + " relay", "sw_relay", "relay_cpu_s"))
                fig = load_figures(runs)
                self.results["load"].append({"path": path, "conns": conns, "runs": runs,
                                             "figures": fig})
                self.print_load_row(path, conns, fig)
                if floor:
                    self.results["relay"] = self.relay_summary(path, conns, runs, fig)
        if self.results["relay"] is not None:
            self.print_relay(self.results["relay"])

    @staticmethod
    def relay_summary(path, conns, runs, fig):
        """Medians as in the load table (fig, its row): sockwarden's CPU per request next
        to the relay's."""
        drps, rrps = fig["direct_rps"], med(runs["relay"], "rps")
        relay_us = cpu_us_per_req(runs["relay"], "relay_cpu_s")
        proxy_us = fig["proxy_cpu_us_per_req"]
        return {"path": path, "conns": conns, "direct_rps": drps, "relay_rps": rrps,
                "relay_direct_ratio": rrps / drps if drps else float("nan"),
                "relay_p50_us": med(runs["relay"], "p50_us"),
                "relay_p99_us": med(runs["relay"], "p99_us"),
                "relay_cpu_us_per_req": relay_us, "proxy_cpu_us_per_req": proxy_us,
                "proxy_above_relay_us": proxy_us - relay_us}

    def run_stream(self):
        """One large response, with Content-Length (export) and chunked (logs); also
        through sw_relay -S (runs["splice_relay"], each repetition running direct,
        proxied, splice relay in turn), whose rows follow the table."""
        a = self.args
        print()
        print("%-34s | %12s %12s %6s | %s" % ("streamed response, 1 connection", "direct",
                                                "proxied", "ratio", "proxy CPU"))
        floors = []
        for route, framing in (("export", "length"), ("logs", "chunked")):
            # Real endpoint names (ContainerExport, ContainerLogs), so that the proxy
            # forwards them; sw_upstream serves N bytes for container "stream-N".
            target = "/containers/stream-%d/%s" % (a.stream_bytes, route)
            runs = {"direct": [], "proxied": []}
            if self.proxied():
                runs["splice_relay"] = []
            for rep in range(a.reps):
                extra = ["-p", target, "-n", "1", "-c", "1"]
                runs["direct"].append(self.load(self.up_sock, extra, route + " direct"))
                if not self.proxied():
                    continue
                runs["proxied"].append(self.measured(self.sw_sock, extra, route + " proxied"))
                runs["splice_relay"].append(self.measured(
                    self.splice_sock, extra, route + " splice relay", "sw_relay_splice",
                    "relay_cpu_s"))
            self.check_bodies(route, runs)
            fig = stream_figures(runs, a.stream_bytes / (1 << 30))
            res = {"bytes": a.stream_bytes, "framing": framing, "runs": runs}
            if self.proxied():
                res["splice_relay"] = fig
                floors.append((framing, fig))
            self.results["stream"].append(res)
            self.print_stream(framing, fig)
        for framing, f in floors:
            self.print_splice(framing, f)

    def check_bodies(self, route, runs):
        """A problem for each run (runs: {kind: [runs]}) that got less or more than the
        whole stream."""
        for kind in runs:
            for r in runs[kind]:
                if r["body_bytes"] != self.args.stream_bytes:
                    self.problems.append("%s %s: %d body bytes, want %d" % (
                        route, kind, r["body_bytes"], self.args.stream_bytes))

    def measured(self, target, extra, what, name="sockwarden", key="proxy_cpu_s"):
        """One sw_load run through process "name" (the proxy, or the relay), with the CPU
        seconds it spent over the run as r[key]."""
        pid = self.procs[name].pid
        t0 = proc_cpu_ticks(pid)
        r = self.load(target, extra, what)
        r[key] = (proc_cpu_ticks(pid) - t0) / CLK_TCK
        self.alive(name)
        return r

    # -- Unix vs TLS listener ----------------------------------------------------------
    def pair(self, extra, what):
        """The same run via the Unix listener, then via the TLS one (interleaved, so that
        both see the same background noise)."""
        return (self.measured(self.sw_sock, extra, what + " unix"),
                self.measured(self.tls_target(), extra, what + " tls"))

    def pair_runs(self, extra, what):
        """--reps pairs (pair()), as {"unix": [runs], "tls": [runs]}."""
        runs = {"unix": [], "tls": []}
        for _ in range(self.args.reps):
            u, t = self.pair(extra, what)
            runs["unix"].append(u)
            runs["tls"].append(t)
        return runs

    def run_tls(self):
        a = self.args
        res = self.results["tls"] = {"session": None, "load": [], "new_conn": [],
                                     "stream": []}
        try:
            probe = self.measured(self.tls_target(), ["-p", TLS_PATH, "-n", "1"], "TLS probe")
        except Broken as e:
            raise Broken("%s\n(an sw_load without -T predates TLS support: rebuild it; "
                         "--no-tls skips this section)" % e)
        if probe.get("errors") or probe.get("requests") != 1:
            raise Broken("no request got through the TLS listener: %s" % json.dumps(probe))
        res["session"] = probe.get("tls")
        print()
        print("Unix listener vs mutual-TLS listener of the same proxy (%s, client certificate "
              "verified)" % (res["session"] or "?"))
        print("%-22s %5s | %10s %10s %6s | %15s | %17s | %15s | %s" % (
            "keep-alive", "conns", "unix/s", "tls/s", "ratio", "p50 us unix/tls",
            "p99 us unix/tls", "cpu us/r u/tls", "loader cpu% u/tls"))
        sys.stdout.flush()
        for conns in TLS_CONNS:
            extra = ["-p", TLS_PATH, "-c", str(conns), "-t", str(a.threads), "-d",
                     str(a.duration)]
            runs = self.pair_runs(extra, "GET %s c=%d" % (TLS_PATH, conns))
            res["load"].append({"path": TLS_PATH, "conns": conns, "runs": runs})
            self.print_tls_row("GET " + TLS_PATH, conns, runs, "")

        print("%-22s %5s | %10s %10s %6s | %15s | %17s | %15s | %s" % (
            "new conn per request", "conns", "unix c/s", "tls c/s", "ratio", "p50 us unix/tls",
            "p99 us unix/tls", "cpu us/c u/tls", "TLS handshake p50/p99 us"))
        for conns in TLS_CONNS:
            extra = ["-N", "-p", TLS_PATH, "-c", str(conns), "-t", str(a.threads), "-d",
                     str(a.duration)]
            runs = self.pair_runs(extra, "new connection + GET %s c=%d" % (TLS_PATH, conns))
            res["new_conn"].append({"path": TLS_PATH, "conns": conns, "runs": runs})
            t = runs["tls"]
            self.print_tls_row("connect+GET " + TLS_PATH, conns, runs, "%.0f/%.0f" % (
                med(t, "hs_p50_us"), med(t, "hs_p99_us")))

        # The large response with Content-Length (ContainerExport), as in run_stream.
        target = "/containers/stream-%d/export" % a.stream_bytes
        runs = self.pair_runs(["-p", target, "-n", "1", "-c", "1"], "export")
        self.check_bodies("export", runs)
        res["stream"].append({"bytes": a.stream_bytes, "framing": "length", "runs": runs})
        gib = a.stream_bytes / (1 << 30)
        um, tm = med(runs["unix"], "mb_per_s"), med(runs["tls"], "mb_per_s")
        print("%-34s | %7.0f MB/s %7.0f MB/s %6.2f | proxy %.2f/%.2f s per GiB unix/tls" % (
            "streamed %.2f GiB, length, 1 conn" % gib, um, tm, tm / um if um else float("nan"),
            med(runs["unix"], "proxy_cpu_s") / gib, med(runs["tls"], "proxy_cpu_s") / gib))
        sys.stdout.flush()

    def hold_idle(self, n, warm):
        """Hold n connections to a freshly started proxy; return (VmRSS before, during)."""
        self.restart_proxy()
        pid = self.procs["sockwarden"].pid
        before = proc_rss_kib(pid)
        cmd = self.prefix() + [self.args.load, "-s", self.sw_sock, "-k", str(n), "-d", "600"]
        if warm:
            cmd.append("-w")
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = p.stdout.readline().decode()
        during = None
        if ready.startswith("ready"):
            time.sleep(1.0)  # let the proxy finish accepting and settle
            during = proc_rss_kib(pid)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        if not ready.startswith("ready"):
            raise Broken("holding %d connections failed: %s %s" % (n, ready, err.decode()[-500:]))
        failed = int(ready.split()[-1])
        res = json.loads(out.decode().strip().splitlines()[-1])
        if failed or res.get("closed_by_peer") or res.get("errors"):
            self.problems.append("%d idle connections (%s): %s; %s" % (
                n, "warm" if warm else "fresh", ready.strip(), json.dumps(res)))
        self.alive("sockwarden")
        return before, during

    def restart_proxy(self):
        p = self.procs.pop("sockwarden")
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            self.problems.append("sockwarden did not exit within 15 s of SIGTERM")
        self.start_proxy()
        time.sleep(0.2)

    def run_rss(self):
        a = self.args
        pid = self.procs["sockwarden"].pid
        rss = self.results["rss"]
        rss["idle_before_kib"] = self.idle_rss_before
        rss["idle_before_private_dirty_kib"] = self.idle_dirty_before
        rss["idle_after_load_kib"] = proc_rss_kib(pid)
        # What the burst freed goes back at the next trim (proxy/mem_trim.c, every 5 s).
        time.sleep(TRIM_SETTLE_S)
        rss["idle_after_load_settled_kib"] = proc_rss_kib(pid)
        loads = [r["proxy_rss_max_kib"] for row in self.results["load"] if row["conns"] == 256
                 for r in row["runs"]["proxied"]]
        rss["load256_max_kib"] = int(statistics.median(loads)) if loads else None
        # A warm connection also holds an upstream connection: two descriptors each.
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        counts = {"fresh": a.idle_conns, "warm": min(a.idle_conns, (hard - 64) // 2)}
        for kind, n in counts.items():
            vals = [self.hold_idle(n, kind == "warm") for _ in range(a.reps)]
            vals = [v for v in vals if v[1] is not None]
            rss["idle_conns_%s" % kind] = n
            rss["idle_%s_before_kib" % kind] = (int(statistics.median(v[0] for v in vals))
                                                if vals else None)
            rss["idle_%s_kib" % kind] = (int(statistics.median(v[1] for v in vals))
                                         if vals else None)
        self.print_rss()

    # -- output ---------------------------------------------------------------------
    def header(self):
        a = self.args
        cpu = ""
        try:
            with open("/proc/cpuinfo") as f:
                cpu = next((ln.split(":", 1)[1].strip() for ln in f
                            if ln.startswith("model name")), "")
        except OSError:
            pass
        m = {"nproc": os.cpu_count(), "kernel": platform.release(), "cpu": cpu,
             "openssl": ssl_version(), "tls_section": self.tls(),
             "pinned_cpu": a.pin, "reps": a.reps, "duration_s": a.duration,
             "loader_threads": a.threads, "time": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
        self.results["machine"] = m
        print("sockwarden benchmark  %s" % m["time"])
        print("machine: nproc=%s  kernel %s  cpu %s" % (m["nproc"], m["kernel"], cpu or "?"))
        if self.tls():
            print("TLS section on: %s" % (m["openssl"] or "openssl version unknown"))
        print("mode: %s; each figure is the median of %d run(s) of %gs; sw_load %d thread(s), "
              "1 request in flight per keep-alive connection"
              % ("all processes pinned to CPU %d" % a.pin if a.pin is not None
                 else "unpinned", a.reps, a.duration, a.threads))
        if self.proxied():
            print("sockwarden: %s" % a.sockwarden)
        print()
        print("%-22s %5s | %10s %10s %6s | %15s | %17s | %8s %6s" % (
            "workload", "conns", "direct/s", "proxied/s", "ratio", "p50 us dir/prx",
            "p99 us dir/prx", "cpu us/r", "cpu %"))
        print("-" * 118)
        sys.stdout.flush()

    def print_load_row(self, path, conns, f):
        print("%-22s %5d | %10.0f %10.0f %6.2f | %7.1f/%-7.1f | %8.1f/%-8.1f | %8.2f %5.0f%%" % (
            "GET " + path, conns, f["direct_rps"], f["proxied_rps"], f["ratio"],
            f["direct_p50_us"], f["proxied_p50_us"], f["direct_p99_us"], f["proxied_p99_us"],
            f["proxy_cpu_us_per_req"], f["proxy_cpu_pct"]))
        sys.stdout.flush()

    def print_relay(self, f):
        print("bare relay (no parsing), GET %s %d conns: %.2fx direct rps, %.1f us CPU per "
              "request; sockwarden %.1f us, of which %.1f us above the relay" % (
                  f["path"], f["conns"], f["relay_direct_ratio"], f["relay_cpu_us_per_req"],
                  f["proxy_cpu_us_per_req"], f["proxy_above_relay_us"]))
        sys.stdout.flush()

    def print_stream(self, framing, f):
        print("%-34s | %7.0f MB/s %7.0f MB/s %6.2f | %.2f s per GiB" % (
            "%.2f GiB, %s" % (self.args.stream_bytes / (1 << 30), framing),
            f["direct_mb_per_s"], f["proxied_mb_per_s"], f["proxied_direct_ratio"],
            f["proxy_cpu_s_per_gib"]))
        sys.stdout.flush()

    def print_splice(self, framing, f):
        print("bare splice relay, %s: %.2fx direct (%.0f MB/s), %.2f s CPU per GiB; "
              "sockwarden %.2fx (%.2f of the relay's MB/s)" % (
                  framing, f["relay_direct_ratio"], f["relay_mb_per_s"],
                  f["relay_cpu_s_per_gib"], f["proxied_direct_ratio"],
                  f["proxied_relay_ratio"]))
        sys.stdout.flush()

    def print_tls_row(self, label, conns, runs, tail):
        u, t = runs["unix"], runs["tls"]
        urps, trps = med(u, "rps"), med(t, "rps")

        def loader_pct(rs):
            return statistics.median(r["load_cpu_s"] / r["seconds"] * 100 for r in rs)

        print("%-22s %5d | %10.0f %10.0f %6.2f | %7.1f/%-7.1f | %8.1f/%-8.1f | %7.1f/%-7.1f | "
              "%s" % (label, conns, urps, trps, trps / urps if urps else float("nan"),
                      med(u, "p50_us"), med(t, "p50_us"), med(u, "p99_us"), med(t, "p99_us"),
                      cpu_us_per_req(u, "proxy_cpu_s"), cpu_us_per_req(t, "proxy_cpu_s"),
                      tail or "%3.0f/%-3.0f" % (loader_pct(u), loader_pct(t))))
        sys.stdout.flush()

    def print_rss(self):
        r = self.results["rss"]
        print()
        print("sockwarden resident memory (VmRSS)")
        row = "  %-40s %8.1f MiB"
        dirty = r["idle_before_private_dirty_kib"]
        print((row % ("idle, after start", r["idle_before_kib"] / 1024)) +
              ("  (%s; private dirty %.1f MiB)" % (
                  "with the TLS listener" if self.tls() else "Unix listener only",
                  dirty / 1024) if dirty is not None else ""))
        print(row % ("idle, just after the load runs", r["idle_after_load_kib"] / 1024))
        print(row % ("idle, %d s after the load runs" % TRIM_SETTLE_S,
                     r["idle_after_load_settled_kib"] / 1024))
        if r["load256_max_kib"] is not None:
            print(row % ("under 256-connection load (max)", r["load256_max_kib"] / 1024))
        for kind in ("fresh", "warm"):
            n = r["idle_conns_%s" % kind]
            v, base = r["idle_%s_kib" % kind], r["idle_%s_before_kib" % kind]
            label = "%d idle connections (%s)" % (n, "no request" if kind == "fresh"
                                                  else "one request each")
            if v is None:
                print("  %-40s (failed)" % label)
            else:
                print("  %-40s %8.1f MiB  (%.1f KiB per connection, fresh proxy)"
                      % (label, v / 1024, (v - base) / n))
        sys.stdout.flush()

    def run(self):
        self.header()
        if self.tls():
            self.make_certs()
        self.start_upstream()
        if self.proxied():
            self.start_relay()
            self.start_proxy()
            time.sleep(0.2)
            self.idle_rss_before = proc_rss_kib(self.procs["sockwarden"].pid)
            self.idle_dirty_before = proc_private_dirty_kib(self.procs["sockwarden"].pid)
        self.run_load_matrix()
        self.run_stream()
        if self.tls():
            self.run_tls()
        if self.proxied():
            self.run_rss()
        self.alive("sw_upstream")
        if self.proxied():
            self.alive("sw_relay")
            self.alive("sw_relay_splice")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sockwarden", help="path to the sockwarden binary")
    ap.add_argument("--upstream", help="sw_upstream binary (default: next to sockwarden, "
                    "in tests/bench/)")
    ap.add_argument("--load", help="sw_load binary (default: as for --upstream)")
    ap.add_argument("--relay", help="sw_relay binary, the bare relay measured as a floor "
                    "(also with -S, the splicing floor for streams; default: as for "
                    "--upstream)")
    ap.add_argument("--pin", type=int, nargs="?", const=0, default=None, metavar="CPU",
                    help="run every process on this one CPU with taskset (default 0)")
    ap.add_argument("--quick", action="store_true", help="a short smoke run")
    ap.add_argument("--reps", type=int, help="repetitions per measurement (default 3)")
    ap.add_argument("--duration", type=float, help="seconds per load run (default 3)")
    ap.add_argument("--threads", type=int, default=1, help="sw_load threads (default 1)")
    ap.add_argument("--stream-bytes", type=int, help="size of the streamed response "
                    "(default 2 GiB)")
    ap.add_argument("--idle-conns", type=int, help="idle connections held (default 10000)")
    ap.add_argument("--direct-only", action="store_true", help="no proxy: upstream only")
    ap.add_argument("--no-tls", action="store_true", help="skip the Unix vs TLS listener "
                    "section (which needs the openssl command)")
    ap.add_argument("--json", help="also write all results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()

    if not a.direct_only and not a.sockwarden:
        ap.error("--sockwarden is required (or --direct-only)")
    quick = a.quick
    a.reps = a.reps or (1 if quick else 3)
    a.duration = a.duration or (1.0 if quick else 3.0)
    a.stream_bytes = a.stream_bytes or ((256 if quick else 2048) << 20)
    a.idle_conns = a.idle_conns or (1000 if quick else 10000)
    tooldir = os.path.join(os.path.dirname(os.path.abspath(a.sockwarden)), "tests", "bench") \
        if a.sockwarden else HERE
    a.upstream = a.upstream or os.path.join(tooldir, "sw_upstream")
    a.load = a.load or os.path.join(tooldir, "sw_load")
    a.relay = a.relay or os.path.join(tooldir, "sw_relay")
    for tool in [a.upstream, a.load] + ([] if a.direct_only else [a.sockwarden, a.relay]):
        if not os.access(tool, os.X_OK):
            print("bench: %s is not an executable" % tool, file=sys.stderr)
            return 1
    if a.pin is not None and not shutil.which("taskset"):
        print("bench: --pin needs taskset (util-linux)", file=sys.stderr)
        return 1

    b = Bench(a)
    status = 0
    try:
        b.run()
    except Broken as e:
        print("\nBROKEN: %s" % e)
        status = 1
    except KeyboardInterrupt:
        status = 1
    finally:
        b.stop_all()
    if b.problems:
        print("\nproblems:")
        for p in b.problems:
            print("  " + p)
        status = 1
    if a.json:
        b.results["problems"] = b.problems
        with open(a.json, "w") as f:
            json.dump(b.results, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
