"""A private dockerd for the integration suite, plus the offline image busybox:sw.

The daemon runs as root in a short temporary directory (unix socket paths are limited to
107 bytes and containerd derives its socket paths from --exec-root). It has no network
setup of its own (no bridge, no iptables), so every container must use --network none.
The daemon runs with --debug so that its log records every request it routes
("Calling GET /v1.41/..."): the suite uses that to prove that a denied request never
reached it.

Failing to start is an error, never a reason to skip: the caller reports it and exits
non-zero with the tail of the daemon log.
"""

import ctypes
import http.client
import io
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time

IMAGE = "busybox:sw"
MODERN_CLI = "/usr/local/bin/docker"
BUSYBOX = "/bin/busybox"
# The applets the cases use; each becomes a symlink to /bin/busybox in the image.
APPLETS = ("sh", "echo", "cat", "sleep", "ls", "true", "false", "printf", "tty", "test", "id")


PR_SET_PDEATHSIG = 1


def die_with_parent():
    """preexec_fn: the child gets SIGTERM if the runner dies, even by SIGKILL (a ctest
    timeout), so a daemon is never left behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class FixtureError(Exception):
    """A fixture could not be brought up; the run fails with this message."""


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a unix socket; the host name only fills the Host header."""

    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


def unix_request(path, method, target, timeout=10):
    """One HTTP request over a unix socket; returns (status, headers dict, body bytes)."""
    conn = UnixHTTPConnection(path, timeout=timeout)
    try:
        conn.request(method, target)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def log_tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "(no log: %s)" % e
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def mounts_under(directory):
    """Mount points below directory, deepest first (so they can be unmounted in order)."""
    found = []
    prefix = directory.rstrip("/") + "/"
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mnt = line.split()[4].encode().decode("unicode_escape")
            if mnt.startswith(prefix):
                found.append(mnt)
    return sorted(found, key=len, reverse=True)


class Dockerd:
    """Start with start(), always end with stop() (safe to call twice or after a failure)."""

    def __init__(self):
        self.dir = None
        self.proc = None
        self.sock = None
        self.log_path = None

    @property
    def host(self):
        return "unix://" + self.sock

    def env(self):
        """Environment for a client talking to the daemon directly."""
        env = dict(os.environ)
        env["DOCKER_HOST"] = self.host
        env["DOCKER_CONFIG"] = os.path.join(self.dir, "cli")
        env.pop("DOCKER_CONTEXT", None)
        env.pop("DOCKER_TLS_VERIFY", None)
        return env

    def start(self, timeout=90):
        if os.geteuid() != 0:
            raise FixtureError("the integration suite must run as root (it starts dockerd)")
        for tool in ("dockerd", "containerd", "runc"):
            if shutil.which(tool) is None:
                raise FixtureError("%s not found in PATH (install docker.io)" % tool)
        self.dir = tempfile.mkdtemp(prefix="swi.", dir="/tmp")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.log_path = os.path.join(self.dir, "dockerd.log")
        # Clients get a config dir of their own (DOCKER_CONFIG), not the user's.
        os.makedirs(os.path.join(self.dir, "cli"), exist_ok=True)
        argv = [
            "dockerd", "--debug",
            "--host", self.host,
            "--data-root", os.path.join(self.dir, "data"),
            "--exec-root", os.path.join(self.dir, "exec"),
            "--pidfile", os.path.join(self.dir, "docker.pid"),
            "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--storage-driver=vfs",
        ]
        with open(self.log_path, "wb") as log:
            # Its own session: a ^C on the terminal must not reach it before we stop it.
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise FixtureError("dockerd exited with status %d while starting; log tail:\n%s"
                                   % (self.proc.returncode, log_tail(self.log_path)))
            if os.path.exists(self.sock):
                try:
                    status, _, body = unix_request(self.sock, "GET", "/_ping", timeout=5)
                    if status == 200 and body == b"OK":
                        return
                    last = "GET /_ping answered %d %r" % (status, body[:80])
                except OSError as e:
                    last = str(e)
            time.sleep(0.2)
        raise FixtureError("dockerd did not answer GET /_ping within %ds (%s); log tail:\n%s"
                           % (timeout, last, log_tail(self.log_path)))

    def make_image(self):
        """Import busybox:sw: /bin/busybox (static) plus symlinks for the applets we use."""
        if not os.path.exists(BUSYBOX):
            raise FixtureError("%s not found (install busybox-static)" % BUSYBOX)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for d, mode in (("bin", 0o755), ("tmp", 0o1777), ("etc", 0o755)):
                info = tarfile.TarInfo(d)
                info.type = tarfile.DIRTYPE
                info.mode = mode
                tar.addfile(info)
            tar.add(BUSYBOX, arcname="bin/busybox")
            for applet in APPLETS:
                info = tarfile.TarInfo("bin/" + applet)
                info.type = tarfile.SYMTYPE
                info.linkname = "busybox"
                tar.addfile(info)
        env = self.env()
        env["PATH"] = "/bin:/usr/bin:/usr/sbin:/sbin"
        res = subprocess.run([MODERN_CLI, "import", "--change", 'ENV PATH=/bin',
                              "--change", 'CMD ["sh"]', "-", IMAGE],
                             input=buf.getvalue(), env=env, capture_output=True, timeout=120)
        if res.returncode != 0:
            raise FixtureError("docker import failed: %s" % res.stderr.decode(errors="replace"))

    def stop(self, timeout=45):
        """Stop the daemon by its pid, wait for it, then remove the directory."""
        if self.proc is None:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
            return
        containerd_pid = read_pidfile(os.path.join(self.dir, "exec", "containerd",
                                                   "containerd.pid"))
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        # dockerd stops the containerd it started; if it was killed, stop that one too.
        if containerd_pid and pid_alive(containerd_pid):
            try:
                with open("/proc/%d/cmdline" % containerd_pid, "rb") as f:
                    ours = self.dir.encode() in f.read()
            except OSError:
                ours = False
            if ours:
                os.kill(containerd_pid, signal.SIGTERM)
                for _ in range(50):
                    if not pid_alive(containerd_pid):
                        break
                    time.sleep(0.1)
        self.proc = None
        for mnt in mounts_under(self.dir):
            if subprocess.run(["umount", mnt], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", mnt], capture_output=True)
        leftover = mounts_under(self.dir)
        if leftover:
            # Never recurse through a mount that might lead outside the directory.
            raise FixtureError("mounts left under %s: %s" % (self.dir, leftover))
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
