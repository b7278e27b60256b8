"""Running client commands: plain (pipes), under a pseudo-terminal, or in the background.

Every command runs through /bin/sh in a session of its own, so that on a timeout the whole
pipeline it started can be killed by its process-group id (and nothing else is touched).
"""

import errno
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time


class Result:
    def __init__(self, status, stdout, stderr, timed_out=False):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out

    def summary(self, limit=240):
        def cut(s):
            s = s.strip().replace("\n", "\\n")
            return s if len(s) <= limit else s[:limit] + "..."
        state = "timed out" if self.timed_out else "exit %s" % self.status
        return "%s, stdout=%r, stderr=%r" % (state, cut(self.stdout), cut(self.stderr))


def kill_group(proc):
    """Kill the process group led by proc, a child we started in a session of its own.

    Only called while proc is not yet reaped, so its pid (the group id) cannot have been
    reused by anyone else.
    """
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(cmd, env, stdin=None, timeout=60, cwd=None):
    proc = subprocess.Popen(["/bin/sh", "-c", cmd], env=env, cwd=cwd,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(
            input=stdin.encode() if stdin is not None else None, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        timed_out = True
    return Result(proc.returncode, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), timed_out)


def run_tty(cmd, env, script=(), timeout=60, cwd=None):
    """Run cmd with a pty as stdin/stdout/stderr.

    script is a list of [wait_for, send]: once the output so far contains wait_for
    (after the previous step's match), send is written to the terminal. The whole output
    stream is returned as stdout.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def make_controlling():
        # A session of its own, with the pty as controlling terminal, as in a real login.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(["/bin/sh", "-c", cmd], env=env, cwd=cwd, stdin=slave,
                            stdout=slave, stderr=slave, start_new_session=True,
                            preexec_fn=make_controlling)
    os.close(slave)
    out = b""
    steps = list(script)
    searched_from = 0
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            if steps:
                wait_for, send = steps[0]
                pos = out.find(wait_for.encode(), searched_from)
                if pos >= 0:
                    searched_from = pos + len(wait_for)
                    os.write(master, send.encode())
                    steps.pop(0)
                    continue
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError as e:
                if e.errno == errno.EIO:  # every slave end is closed
                    break
                raise
            if not chunk:
                break
            out += chunk
    finally:
        if timed_out:
            kill_group(proc)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.wait()
        os.close(master)
    return Result(proc.returncode, out.decode("utf-8", "replace"), "", timed_out)


class Background:
    """A long-running client (e.g. `docker events`) whose output is read afterwards."""

    def __init__(self, cmd, env, outdir):
        self.out_path = os.path.join(outdir, "bg.out")
        self.err_path = os.path.join(outdir, "bg.err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(["/bin/sh", "-c", "exec " + cmd], env=env,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         start_new_session=True)

    def output(self):
        with open(self.out_path, "rb") as f:
            out = f.read().decode("utf-8", "replace")
        with open(self.err_path, "rb") as f:
            err = f.read().decode("utf-8", "replace")
        return out, err

    def wait_output(self, needles, timeout):
        deadline = time.monotonic() + timeout
        while True:
            out, _ = self.output()
            if all(n in out for n in needles) or time.monotonic() > deadline:
                return
            if self.proc.poll() is not None:
                return
            time.sleep(0.1)

    def stop(self):
        """Stop it by its process group (SIGTERM, then SIGKILL); returns (stdout, stderr).
        Safe to call again once it has stopped."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_group(self.proc)
                self.proc.wait()
        return self.output()
