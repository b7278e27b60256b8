#!/usr/bin/env python3
"""The bench tools refuse what they cannot use, and never remove a socket or a file that
is not theirs to remove.

  test_tools.py --bindir DIR      (DIR holds sw_load, sw_relay and sw_upstream)

Each row runs one tool with bad options or a bad socket path and expects its exit status
and a piece of its error message; the listening rows also check what is left at the path.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile

TOO_LONG = "/tmp/" + "x" * 200


def load_rows(d):
    """sw_load: counts and seconds are checked before the socket is looked at."""
    live = os.path.join(d, "live.sock")
    rows = [(name, ["-s", live] + opts, 2, msg) for name, opts, msg in [
        ("c-zero", ["-c", "0"], "-c 0: not a whole number from 1 to 1000000"),
        ("c-plus", ["-c", "+5"], "-c +5: not a whole number"),
        ("c-empty", ["-c", ""], "-c : not a whole number"),
        ("c-trailing", ["-c", "5x"], "-c 5x: not a whole number"),
        ("t-too-many", ["-t", "1025"], "-t 1025: not a whole number from 1 to 1024"),
        ("P-too-deep", ["-P", "65"], "-P 65: not a whole number from 1 to 64"),
        ("n-negative", ["-n", "-1"], "-n -1: not a whole number"),
        ("n-overflow", ["-n", "99999999999999999999"], "-n 99999999999999999999: not"),
        ("k-too-many", ["-k", "1000001"], "-k 1000001: not a whole number from 0 to"),
        ("d-zero", ["-d", "0"], "-d 0: not a number of seconds above 0"),
        ("d-nan", ["-d", "nan"], "-d nan: not a number of seconds"),
        ("d-too-long", ["-d", "86401"], "-d 86401: not a number of seconds"),
        ("d-unit", ["-d", "1s"], "-d 1s: not a number of seconds"),
        ("extra-argument", ["stray"], "usage: sw_load"),
    ]]
    rows += [
        ("no-target", ["-c", "1"], 2, "usage: sw_load"),
        ("path-too-long", ["-s", TOO_LONG], 2, "socket path too long"),
        ("missing-socket", ["-s", os.path.join(d, "none.sock")], 1, "none.sock: stat:"),
        ("regular-file", ["-s", os.path.join(d, "file")], 1, "file: not a socket"),
    ]
    return [("sw_load " + n, "sw_load", a, s, m) for n, a, s, m in rows]


def listen_rows(d, tool, args_for):
    """sw_relay -l and sw_upstream -s: a live socket or a file is left where it is."""
    return [
        (tool + " " + name, tool, args_for(os.path.join(d, leaf)), 1, msg, leaf)
        for name, leaf, msg in [
            ("listen-on-live-socket", "live.sock", "live.sock: bind:"),
            ("listen-on-file", "file", "exists and is not a socket (left in place)"),
        ]
    ]


def run(bindir, tool, args):
    """(exit status, stderr); (None, "") for a tool that is still running after 5 s (a bad
    option taken for a good one: it serves or loads), which is then killed."""
    try:
        p = subprocess.run([os.path.join(bindir, tool)] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=5)
    except subprocess.TimeoutExpired:
        return None, ""
    return p.returncode, p.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    bindir = ap.parse_args().bindir
    failures = []
    with tempfile.TemporaryDirectory(prefix="swbench-tools-") as d:
        live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        live.bind(os.path.join(d, "live.sock"))
        live.listen(16)
        with open(os.path.join(d, "file"), "w") as f:
            f.write("not a socket\n")
        up = os.path.join(d, "live.sock")
        rows = [r + (None,) for r in load_rows(d)]
        rows += [("sw_relay no-upstream", "sw_relay", ["-l", os.path.join(d, "r.sock")], 2,
                  "usage: sw_relay", None),
                 ("sw_relay upstream-file", "sw_relay",
                  ["-l", os.path.join(d, "r.sock"), "-u", os.path.join(d, "file")], 1,
                  "file: not a socket", None),
                 ("sw_upstream extra-argument", "sw_upstream", ["-s", up, "stray"], 2,
                  "usage", None)]
        rows += listen_rows(d, "sw_relay", lambda p: ["-l", p, "-u", up])
        rows += listen_rows(d, "sw_upstream", lambda p: ["-s", p])
        for name, tool, args, status, msg, kept in rows:
            ino = os.stat(os.path.join(d, kept)).st_ino if kept is not None else None
            got, err = run(bindir, tool, args)
            if got != status or msg not in err:
                failures.append("%s: exit %s, want %d; stderr %r, want it to contain %r"
                                % (name, got, status, err.strip(), msg))
            try:
                if kept is not None and os.stat(os.path.join(d, kept)).st_ino != ino:
                    failures.append("%s: %s was replaced" % (name, kept))
            except FileNotFoundError:
                failures.append("%s: %s was removed" % (name, kept))
        # The live socket still answers: nothing replaced it.
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            c.connect(up)
        except OSError as e:
            failures.append("live.sock no longer reaches its listener: %s" % e)
        finally:
            c.close()
            live.close()
    for f in failures:
        print("FAIL " + f)
    print("%d rows, %d failures" % (len(rows), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
