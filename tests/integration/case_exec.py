"""Validating, expanding and executing the declarative cases in cases/*.py.

A case is a plain dict. Keys (`name`, `cmd` and `expect.exit` are required):

  name               unique name; with `clients`, one case per client: name[modern]
  policy             policy of the sockwarden instance the client talks to (default "all")
  clients            ["modern", "legacy"]: run once per docker CLI, exported as $DOCKER
  proxy_only         True when the case means nothing without sockwarden (skipped in --direct)
  files              {relative path: text} written under $CASE_DIR ($NAME, $IMAGE expanded)
  setup              shell commands against the daemon directly; each must exit 0
  bg                 {"cmd": ..., "ready": "events_listener" | seconds}: a client through the
                     proxy started before cmd and stopped after it
  cmd                shell command through the proxy (DOCKER_HOST is the proxy socket)
  stdin              text fed to cmd
  tty                {"script": [[wait_for, send], ...]}: run cmd on a pseudo-terminal
  timeout            seconds for cmd (default 60)
  expect             {"exit": int, "stdout": [...], "stderr": [...], "stdout_not": [...],
                      "stderr_not": [...], "stdout_regex": str or [str]}
  bg_expect          {"stdout": [...]}: what the background client must have printed
  audit              [{field: value}]: each must match one audit line written during cmd
                     (nested dicts match as subsets)
  audit_absent       [{field: value}]: no audit line written during cmd may match
  daemon_not_called  [substring]: no request whose target contains it reached dockerd
  verify             [{"cmd": ..., "exit": int, "stdout": [...], "stdout_empty": bool}]
                     against the daemon directly, after cmd: proves what did (not) change
  cleanup            shell commands against the daemon directly, always run, errors ignored

Shell commands see $DOCKER, $NAME (unique per case, usable as a container name), $IMAGE,
$CASE_DIR (their working directory), $SW_SOCK (the proxy socket), $DAEMON_SOCK, $SW_BIN,
$INTEG_DIR (this directory) and DOCKER_HOST; with the "identity" instance also $TLS_PORT, $CERTS (client certificate
directories: $CERTS/alice, bob, expired, other, revoked), $CTR_SOCK and $OWN_SOCK. The same variables are expanded in files, expected output strings and
daemon_not_called (not in audit values, which are compared literally).
"""

import json
import os
import re
import string
import time

import dockerd_fixture
import procs

CLIENTS = {"modern": "/usr/local/bin/docker", "legacy": "/usr/bin/docker"}
# The policies sockwarden_fixture.py starts an instance for.
from sockwarden_fixture import POLICY_NAMES as POLICIES  # noqa: E402
KEYS = {"name", "policy", "clients", "proxy_only", "files", "setup", "bg", "cmd", "stdin",
        "tty", "timeout", "expect", "bg_expect", "audit", "audit_absent", "daemon_not_called",
        "verify", "cleanup"}
EXPECT_KEYS = {"exit", "stdout", "stderr", "stdout_not", "stderr_not", "stdout_regex"}
VERIFY_KEYS = {"cmd", "exit", "stdout", "stdout_empty"}


class CaseError(Exception):
    """A malformed case definition (a bug in cases/*.py, not a test failure)."""


def validate(case, origin):
    where = "%s: case %r" % (origin, case.get("name"))
    unknown = set(case) - KEYS
    if unknown:
        raise CaseError("%s: unknown keys %s" % (where, sorted(unknown)))
    for key in ("name", "cmd"):
        if not isinstance(case.get(key), str):
            raise CaseError("%s: %r must be a string" % (where, key))
    if case.get("policy", "all") not in POLICIES:
        raise CaseError("%s: unknown policy %r" % (where, case.get("policy")))
    for c in case.get("clients", []):
        if c not in CLIENTS:
            raise CaseError("%s: unknown client %r" % (where, c))
    unknown = set(case.get("expect", {})) - EXPECT_KEYS
    if unknown:
        raise CaseError("%s: unknown expect keys %s" % (where, sorted(unknown)))
    if "exit" not in case.get("expect", {}):
        raise CaseError("%s: expect.exit is required" % where)
    for v in case.get("verify", []):
        if set(v) - VERIFY_KEYS or "cmd" not in v:
            raise CaseError("%s: bad verify step %r" % (where, v))
    if "bg_expect" in case and "bg" not in case:
        raise CaseError("%s: bg_expect without bg" % where)


def expand(cases):
    """One concrete case per (case, client); the client's CLI path goes in "docker"."""
    out = []
    for case in cases:
        clients = case.get("clients")
        if not clients:
            c = dict(case)
            c["docker"] = CLIENTS["modern"]
            out.append(c)
            continue
        for client in clients:
            c = dict(case)
            c["name"] = "%s[%s]" % (case["name"], client)
            c["docker"] = CLIENTS[client]
            out.append(c)
    return out


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def subset_match(want, have):
    if isinstance(want, dict):
        return isinstance(have, dict) and all(
            k in have and subset_match(v, have[k]) for k, v in want.items())
    return want == have


class Env:
    """What a case runs against: the daemon, and the proxy (or the daemon in --direct)."""

    def __init__(self, dockerd, workdir, sw_bin=None, sockwarden=None):
        self.dockerd = dockerd
        self.workdir = workdir
        self.sw_bin = sw_bin
        self.sockwarden = sockwarden

    @property
    def client_sock(self):
        return self.sockwarden.sock if self.sockwarden else self.dockerd.sock


class CaseRun:
    def __init__(self, case, env):
        self.case = case
        self.env = env
        self.name = "swi-" + slug(case["name"])
        self.dir = os.path.join(env.workdir, "cases", slug(case["name"]))
        self.vars = {"NAME": self.name, "IMAGE": dockerd_fixture.IMAGE,
                     "CASE_DIR": self.dir, "SW_SOCK": env.client_sock,
                     "DAEMON_SOCK": env.dockerd.sock, "SW_BIN": env.sw_bin or ""}
        self.vars["INTEG_DIR"] = os.path.dirname(os.path.abspath(__file__))
        # The "identity" instance's extra listeners (see sockwarden_fixture.py).
        sw = env.sockwarden
        for var, attr in (("TLS_PORT", "tls_port"), ("CERTS", "certs"),
                          ("CTR_SOCK", "ctr_sock"), ("OWN_SOCK", "own_sock")):
            if sw is not None and hasattr(sw, attr):
                self.vars[var] = str(getattr(sw, attr))
        self.failures = []
        self.output = ""  # what cmd printed, for --verbose

    def subst(self, text):
        return string.Template(text).safe_substitute(self.vars)

    def environ(self, through_proxy):
        e = self.env.dockerd.env()
        e.update(self.vars)
        if through_proxy:
            e["DOCKER_HOST"] = "unix://" + self.env.client_sock
            e["DOCKER"] = self.case["docker"]
        else:
            e["DOCKER"] = CLIENTS["modern"]
        return e

    def fail(self, msg):
        self.failures.append(msg)

    def execute(self):
        """Runs the case; returns the list of failure messages (empty: passed)."""
        os.makedirs(self.dir, exist_ok=True)
        try:
            self._write_files()
            if self._setup():
                self._main()
        except Exception as e:  # a broken fixture fails this case, not the run
            self.fail("internal error: %s: %s" % (type(e).__name__, e))
        finally:
            for cmd in self.case.get("cleanup", []):
                procs.run(cmd, self.environ(False), timeout=60, cwd=self.dir)
        return self.failures

    def _write_files(self):
        for rel, text in self.case.get("files", {}).items():
            path = os.path.join(self.dir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(self.subst(text))

    def _setup(self):
        for cmd in self.case.get("setup", []):
            res = procs.run(cmd, self.environ(False), timeout=120, cwd=self.dir)
            if res.status != 0 or res.timed_out:
                self.fail("setup %r: %s" % (cmd, res.summary()))
                return False
        return True

    def _main(self):
        case = self.case
        sw = self.env.sockwarden
        audit_mark = sw.audit_mark() if sw else 0
        daemon_mark = os.path.getsize(self.env.dockerd.log_path)
        bg = self._start_bg() if "bg" in case else None
        if bg is False:
            return
        try:
            self._run_cmd(bg)
        finally:
            if bg is not None:
                bg.stop()
        if sw:
            self._check_audit(audit_mark)
        self._check_daemon_log(daemon_mark)
        self._verify()

    def _run_cmd(self, bg):
        case = self.case
        timeout = case.get("timeout", 60)
        env = self.environ(True)
        if "tty" in case:
            res = procs.run_tty(case["cmd"], env, case["tty"].get("script", []), timeout,
                                cwd=self.dir)
        else:
            res = procs.run(case["cmd"], env, stdin=case.get("stdin"), timeout=timeout,
                            cwd=self.dir)
        self.output = res.stdout + res.stderr
        self._check_result(res)
        if bg is not None:
            needles = [self.subst(s) for s in case.get("bg_expect", {}).get("stdout", [])]
            bg.wait_output(needles, timeout=10)
            out, err = bg.stop()
            for n in needles:
                if n not in out:
                    self.fail("background client did not print %r (stdout=%r stderr=%r)"
                              % (n, out[-200:], err[-200:]))

    def _start_bg(self):
        spec = self.case["bg"]
        baseline = self._events_listeners()
        bg = procs.Background(spec["cmd"], self.environ(True), self.dir)
        ready = spec.get("ready", 1.0)
        try:
            if ready == "events_listener":
                deadline = time.monotonic() + 15
                while self._events_listeners() <= baseline:
                    if time.monotonic() > deadline or bg.proc.poll() is not None:
                        out, err = bg.stop()
                        self.fail("background client never subscribed to events (%r %r)"
                                  % (out[-200:], err[-200:]))
                        return False
                    time.sleep(0.1)
            else:
                time.sleep(float(ready))
        except BaseException:
            bg.stop()
            raise
        return bg

    def _events_listeners(self):
        """NEventsListener from GET /info on the daemon: how many event streams are open."""
        status, _, body = dockerd_fixture.unix_request(self.env.dockerd.sock, "GET", "/info")
        if status != 200:
            raise RuntimeError("GET /info on the daemon answered %d" % status)
        return json.loads(body)["NEventsListener"]

    def _check_result(self, res):
        exp = self.case["expect"]
        what = res.summary()
        if res.timed_out:
            self.fail("timed out after %ss: %s" % (self.case.get("timeout", 60), what))
            return
        if res.status != exp["exit"]:
            self.fail("exit %s, want %s: %s" % (res.status, exp["exit"], what))
        for key, stream in (("stdout", res.stdout), ("stderr", res.stderr)):
            for needle in exp.get(key, []):
                if self.subst(needle) not in stream:
                    self.fail("%s lacks %r: %s" % (key, self.subst(needle), what))
            for needle in exp.get(key + "_not", []):
                if self.subst(needle) in stream:
                    self.fail("%s has %r: %s" % (key, self.subst(needle), what))
        regexes = exp.get("stdout_regex", [])
        for rx in [regexes] if isinstance(regexes, str) else regexes:
            if not re.search(self.subst(rx), res.stdout, re.M):
                self.fail("stdout does not match /%s/: %s" % (rx, what))

    def _check_audit(self, mark):
        wanted = self.case.get("audit", [])
        sw = self.env.sockwarden
        # Audit lines may be written when a response ends, slightly after the client exits.
        deadline = time.monotonic() + 5
        while True:
            try:
                records = sw.audit_lines_since(mark)
            except AssertionError as e:
                self.fail(str(e))
                return
            missing = [w for w in wanted if not any(subset_match(w, r) for r in records)]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for w in missing:
            seen = ["%s %s %s/%s" % (r.get("endpoint"), r.get("verdict"), r.get("status"),
                                     r.get("path")) for r in records]
            self.fail("no audit line matches %s (saw: %s)" % (w, "; ".join(seen)[:400]))
        for w in self.case.get("audit_absent", []):
            for r in records:
                if subset_match(w, r):
                    self.fail("unexpected audit line %s" % r)

    def _check_daemon_log(self, mark):
        needles = [self.subst(n) for n in self.case.get("daemon_not_called", [])]
        if not needles:
            return
        with open(self.env.dockerd.log_path, "rb") as f:
            f.seek(mark)
            text = f.read().decode("utf-8", "replace")
        for line in text.splitlines():
            # dockerd --debug logs each routed request as msg="Calling METHOD TARGET".
            m = re.search(r'Calling (\S+) ([^\s"]+)', line)
            if m and any(n in m.group(2) for n in needles):
                self.fail("the daemon received %s %s" % (m.group(1), m.group(2)))

    def _verify(self):
        for step in self.case.get("verify", []):
            res = procs.run(step["cmd"], self.environ(False), timeout=60, cwd=self.dir)
            what = "verify %r: %s" % (step["cmd"], res.summary())
            if "exit" in step and res.status != step["exit"]:
                self.fail(what)
            for needle in step.get("stdout", []):
                if self.subst(needle) not in res.stdout:
                    self.fail("%s (lacks %r)" % (what, self.subst(needle)))
            if step.get("stdout_empty") and res.stdout.strip():
                self.fail("%s (stdout should be empty)" % what)
