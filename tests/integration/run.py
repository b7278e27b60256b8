#!/usr/bin/python3
"""Integration suite: real Docker clients through sockwarden in front of a real dockerd.

Must run as root: it starts a private dockerd (see dockerd_fixture.py). Standard library
only. Usage:

  run.py --sockwarden BUILD/sockwarden [--filter REGEX] [--verbose]
  run.py --direct [--filter REGEX]     # develop client steps against dockerd, no proxy

Prints `ok - NAME` or `not ok - NAME: WHY` per case, then `N passed, M failed`; exits 1 if
anything failed (including a daemon or sockwarden that does not start).
"""

import argparse
import atexit
import glob
import importlib.util
import json
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Case files may share constants: "from identity_30_ownership import OWN".
sys.path.insert(0, os.path.join(HERE, "cases"))
sys.dont_write_bytecode = True  # keep the source tree clean

import case_exec  # noqa: E402
import dockerd_fixture  # noqa: E402
import sockwarden_fixture  # noqa: E402

# The policies cases may name, and the order their groups run in, are the fixture's.


class Report:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def result(self, name, failures, seconds=None, output=""):
        if failures:
            self.failed += 1
            print("not ok - %s: %s" % (name, " | ".join(failures)), flush=True)
        else:
            self.passed += 1
            print("ok - %s" % name, flush=True)
        if self.verbose and seconds is not None:
            self.note("%s took %.1fs" % (name, seconds))
        if self.verbose and output:
            self.note("output: " + output[-2000:])

    def note(self, text):
        # Client output may hold terminal escapes: show them, do not send them.
        text = "".join(c if c.isprintable() or c == "\n" else "\\x%02x" % ord(c)
                       for c in text)
        for line in text.splitlines():
            print("# " + line, flush=True)


def load_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(HERE, "cases", "*.py"))):
        # Under its own name, so that a file another one imports is loaded once.
        name = os.path.basename(path)[:-3]
        mod = sys.modules.get(name)
        if mod is None:
            spec = importlib.util.spec_from_file_location(name, path)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            spec.loader.exec_module(mod)
        for case in mod.CASES:
            case_exec.validate(case, os.path.relpath(path, HERE))
            cases.append(case)
    cases = case_exec.expand(cases)
    seen = set()
    for c in cases:
        if c["name"] in seen:
            raise case_exec.CaseError("duplicate case name %r" % c["name"])
        seen.add(c["name"])
    return cases


class Cleanup:
    """Stops the fixtures once, from the finally block, atexit, or a signal."""

    def __init__(self):
        self.items = []
        self.done = False

    def add(self, fn):
        self.items.append(fn)

    def run(self):
        """Returns the error messages of the steps that failed."""
        if self.done:
            return []
        self.done = True
        errors = []
        for fn in reversed(self.items):
            try:
                fn()
            except Exception as e:  # keep stopping the rest
                errors.append(str(e))
                print("# cleanup: %s" % e, file=sys.stderr, flush=True)
        return errors


def install_signal_handlers():
    def on_signal(signum, frame):
        # Unwind through the finally blocks, which stop every process we started.
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise KeyboardInterrupt("signal %d" % signum)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)


def run_policy_group(policy, cases, args, dockerd, report):
    """Start one sockwarden for policy, run its cases, stop it (and check that it stopped)."""
    env = case_exec.Env(dockerd, dockerd.dir, sw_bin=args.sockwarden)
    if args.direct:
        for case in cases:
            t0 = time.monotonic()
            run = case_exec.CaseRun(case, env)
            failures = run.execute()
            report.result(case["name"], failures, time.monotonic() - t0, run.output)
        return
    sw = sockwarden_fixture.Sockwarden(args.sockwarden, dockerd.dir, dockerd.sock, policy)
    status, text = sockwarden_fixture.check_config(args.sockwarden, sw.config)
    report.result("sockwarden-check-config[%s]" % policy,
                  [] if status == 0 else ["exit %d: %s" % (status, text.strip()[:300])])
    try:
        sw.start()
    except sockwarden_fixture.SockwardenError as e:
        sw.stop()
        for case in cases:
            report.result(case["name"], ["sockwarden did not start"])
        report.note(str(e))
        return
    env.sockwarden = sw
    try:
        for i, case in enumerate(cases):
            if not sw.running():
                # Already reported on the case it died in; restart for the rest.
                report.note("sockwarden died; log tail:\n" + sw.log_tail())
                sw.stop()
                try:
                    sw.start()
                except sockwarden_fixture.SockwardenError as e:
                    report.note(str(e))
                    for rest in cases[i:]:
                        report.result(rest["name"], ["sockwarden did not restart"])
                    break
            t0 = time.monotonic()
            run = case_exec.CaseRun(case, env)
            failures = run.execute()
            if not sw.running():
                failures.append("sockwarden exited with %s during the case"
                                % sw.proc.returncode)
            report.result(case["name"], failures, time.monotonic() - t0, run.output)
            if failures and args.verbose:
                report.note("sockwarden log tail:\n" + sw.log_tail(10))
    finally:
        status, sock_left = sw.stop()
        failures = []
        if status != 0:
            failures.append("exit status %s on SIGTERM" % status)
        if sock_left:
            failures.append("socket %s left behind" % sw.sock)
        report.result("sockwarden-sigterm[%s]" % policy, failures)


def check_leftovers(dockerd, report):
    """Every case cleans up after itself: the daemon must hold no container and only the
    suite's image. Leftovers are reported, then removed."""
    _, _, body = dockerd_fixture.unix_request(dockerd.sock, "GET", "/containers/json?all=1")
    containers = json.loads(body)
    _, _, body = dockerd_fixture.unix_request(dockerd.sock, "GET", "/images/json")
    images = [t for img in json.loads(body) for t in (img.get("RepoTags") or ["<none>"])]
    failures = []
    if containers:
        failures.append("containers left: %s" % [c["Names"] for c in containers])
    extra = [t for t in images if t != dockerd_fixture.IMAGE]
    if extra:
        failures.append("images left: %s" % extra)
    report.result("no-leftovers", failures)
    for c in containers:
        dockerd_fixture.unix_request(dockerd.sock, "DELETE", "/containers/%s?force=1"
                                     % c["Id"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--sockwarden", default=os.environ.get("SW_BIN"),
                    help="path of the sockwarden binary (default: $SW_BIN)")
    ap.add_argument("--filter", help="run only cases whose name matches this regex")
    ap.add_argument("--direct", action="store_true",
                    help="run the 'all'-policy client cases against dockerd itself (no proxy)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--list", action="store_true", help="list the case names and exit")
    args = ap.parse_args()

    try:
        cases = load_cases()
    except case_exec.CaseError as e:
        print("not ok - cases: %s" % e)
        print("0 passed, 1 failed")
        return 1
    if args.filter:
        rx = re.compile(args.filter)
        cases = [c for c in cases if rx.search(c["name"])]
    not_run = 0
    if args.direct:
        direct = [c for c in cases
                  if c.get("policy", "all") == "all" and not c.get("proxy_only")]
        not_run = len(cases) - len(direct)
        cases = direct
    if args.list:
        for c in cases:
            print(c["name"])
        return 0
    report = Report(args.verbose)
    if not args.direct and not args.sockwarden:
        report.result("setup", ["no sockwarden binary: pass --sockwarden or set SW_BIN"])
        print("%d passed, %d failed" % (report.passed, report.failed))
        return 1

    if not_run:
        report.note("--direct: %d cases that need sockwarden are not run (nor counted)"
                    % not_run)
    started = time.monotonic()
    cleanup = Cleanup()
    atexit.register(cleanup.run)
    install_signal_handlers()
    dockerd = dockerd_fixture.Dockerd()
    cleanup.add(dockerd.stop)
    try:
        try:
            dockerd.start()
            dockerd.make_image()
        except dockerd_fixture.FixtureError as e:
            report.result("dockerd", [str(e).splitlines()[0]])
            report.note(str(e))
            return 1
        for policy in case_exec.POLICIES:
            group = [c for c in cases if c.get("policy", "all") == policy]
            if group:
                run_policy_group(policy, group, args, dockerd, report)
        check_leftovers(dockerd, report)
    except KeyboardInterrupt as e:
        report.result("interrupted", [str(e) or "interrupted"])
    finally:
        errors = cleanup.run()
        if errors:
            report.result("dockerd-stop", errors)
        report.note("suite took %.0fs" % (time.monotonic() - started))
        print("%d passed, %d failed" % (report.passed, report.failed), flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
