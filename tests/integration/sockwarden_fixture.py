"""One sockwarden process in front of the private dockerd, serving one policy.

The suite starts one instance per policy (not per case): it writes a config whose only
listener uses that policy, starts `sockwarden -f CONFIG`, waits for the socket to accept
connections, and stops it by pid with SIGTERM at the end. Audit lines are read back by
byte offset, so each case sees only the lines written while it ran.
"""

import atexit
import grp
import json
import os
import selectors
import signal
import socket
import subprocess
import threading
import time

from dockerd_fixture import die_with_parent

# The policies, in the order their groups run; each gets one sockwarden instance.
# "shared" is not a policy: its instance has one listener, "shared", whose policy depends
# on the caller's uid (SHARED_LISTENER).
POLICY_NAMES = ("all", "ro", "traefik", "restricted-ci", "warned", "mutating", "shared",
                "identity", "groups", "ctr-blind")

# Per-client policies on one socket anyone may open: root gets "all", nobody (uid 65534,
# by name so the loader's name lookup is exercised) gets "ro", anyone else "traefik".
SHARED_LISTENER = """\
  - name: shared
    listen: unix://%s
    socket: { mode: "0666" }
    policy: traefik
    clients:
      - { match: { uid: 0 }, policy: all }
      - { match: { user: nobody }, policy: ro }
"""

# "identity" is not a policy either: its instance adds three listeners whose policies depend
# on who calls. "tls": mutual TLS on 127.0.0.1, by certificate (alice gets all, any
# *.example.test DNS name gets ro, a verified certificate matching neither gets "none").
# "containers": by the container the caller runs in. "owned": ownership isolation, every
# caller confined to its own objects (owner "uid:<uid>").
IDENTITY_LISTENERS = """\
  - name: tls
    listen: tcp://127.0.0.1:%(port)d
    tls:
      cert: %(certs)s/server.pem
      key: %(certs)s/server-key.pem
      ca: %(certs)s/ca.pem
      crl: %(certs)s/crl.pem
    policy: none
    clients:
      - { match: { cert_cn: alice }, policy: all }
      - { match: { cert_dns: "*.example.test" }, policy: ro }
  - name: containers
    listen: unix://%(dir)s/ctr.sock
    socket: { mode: "0666" }
    policy: none
    clients:
      - { match: { container_name: "swi-ctr-admin*" }, policy: all }
      - { match: { container_label: "swi.role=reader" }, policy: ro }
  - name: owned
    listen: unix://%(dir)s/own.sock
    socket: { mode: "0666" }
    policy: tenant
"""

# "groups" is not a policy: its instance has one listener, "grp", whose first entry matches
# a group by name and whose second, broader one matches a uid. A caller with that uid that
# has the group as a supplementary group (from /etc/group) must get the first entry. The
# group is made before the configuration is loaded (names are resolved then) and removed
# when the suite ends; the cases make the user (GROUPS_UID) themselves.
GROUPS_GROUP = "swi-grp-ro"
GROUPS_UID = 64100
GROUPS_LISTENER = """\
  - name: grp
    listen: unix://%%s
    socket: { mode: "0666" }
    policy: none
    clients:
      - { match: { group: %s }, policy: ro }
      - { match: { uid: %d }, policy: all }
""" % (GROUPS_GROUP, GROUPS_UID)

# "ctr-blind" is not a policy either: its instance's upstream is a socket that accepts and
# never answers (BlackHole), a daemon that is stuck, and its one listener, "blind", names
# containers. A caller in a container cannot be identified there: it must be refused (503),
# not taken for a host process, whom "uid: 0" would match.
BLIND_LISTENER = """\
  - name: blind
    listen: unix://%s
    socket: { mode: "0666" }
    policy: none
    clients:
      - { match: { container_name: "swi-*" }, policy: all }
      - { match: { uid: 0 }, policy: ro }
"""

# Client certificate directories laid out as the docker CLI wants them (DOCKER_CERT_PATH).
CERT_CLIENTS = ("alice", "bob", "expired", "other", "revoked")

# The host directory restricted-ci may bind read-write: the cases' own directories
# ($CASE_DIR is WORKDIR/cases/NAME), standing in for a CI runner's build directories.
BIND_ROOT = "cases"

# Body rules for a CI runner that may create containers but not leave them: "warned"
# has the same rules in warn mode, "mutating" forces hardening into every create.
CI_RULES = """\
    allow: ["Container*", "Image*", "Exec*", "Volume*", "Network*", "System*"]
    containers:
      privileged: false
      bind_mounts: { rw: ["@BIND_ROOT@/**"] }
      capabilities: { add: [NET_BIND_SERVICE] }
      namespaces: { host: [] }
      security_opt: { unconfined: false }
      devices: false
      volumes: { named: true, drivers: [local], driver_opts: false }
    exec: { privileged: false }
    volume_create: { drivers: [local], host_options: false }
"""

# Policies every instance knows; the listener picks one of them.
POLICIES_YAML = """\
policies:
  all: { allow: ["*"] }
  ro: { groups: [read-only] }
  traefik:
    allow: [SystemPing, SystemPingHead, SystemVersion, SystemEvents, ContainerList,
            ContainerInspect]
  restricted-ci:
""" + CI_RULES + """\
  warned:
    mode: warn
""" + CI_RULES + """\
  none: { allow: [SystemPing] }
  tenant:
    allow: ["*"]
    ownership: true
    redact: { env: ["*SECRET*"], labels: ["secret.*"] }
  mutating:
    allow: ["Container*", "Image*", "System*"]
    containers:
      privileged: false
      set: { cap_drop_all: true, no_new_privileges: true, pids_limit: 100,
             labels: { owner: ci } }
"""


class SockwardenError(Exception):
    """sockwarden could not be started; the run fails with this message."""


def write_config(path, upstream_sock, listen_sock, policy, audit_path, bind_root, extra=None):
    with open(path, "w") as f:
        f.write("upstream: unix://%s\n" % upstream_sock)
        f.write("listeners:\n")
        if policy == "shared":
            f.write(SHARED_LISTENER % listen_sock)
        elif policy == "groups":
            f.write(GROUPS_LISTENER % listen_sock)
        elif policy == "ctr-blind":
            f.write(BLIND_LISTENER % listen_sock)
        else:
            f.write("  - name: main\n")
            f.write("    listen: unix://%s\n" % listen_sock)
            f.write("    policy: %s\n" % ("ro" if policy == "identity" else policy))
        if policy == "identity":
            f.write(IDENTITY_LISTENERS % extra)
        f.write("log: { level: info, audit: %s }\n" % audit_path)
        f.write(POLICIES_YAML.replace("@BIND_ROOT@", bind_root))


def check_config(binary, config):
    """Run `sockwarden check CONFIG`; returns (exit status, stdout + stderr)."""
    res = subprocess.run([binary, "check", config], capture_output=True, timeout=30)
    return res.returncode, (res.stdout + res.stderr).decode("utf-8", "replace")


def can_connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(1)
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


class BlackHole:
    """A Unix socket that accepts connections, reads what comes, and never answers."""

    def __init__(self, path):
        self.path = path
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(path)
        self.lsock.listen(64)
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        sel = selectors.DefaultSelector()
        sel.register(self.lsock, selectors.EVENT_READ)
        conns = []
        while not self.stopping:
            for key, _ in sel.select(timeout=0.2):
                if key.fileobj is self.lsock:
                    c, _ = self.lsock.accept()
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ)
                    conns.append(c)
                    continue
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    conns.remove(key.fileobj)
        for c in conns:
            c.close()
        sel.close()
        self.lsock.close()

    def close(self):
        self.stopping = True
        self.thread.join(5)
        try:
            os.unlink(self.path)
        except OSError:
            pass


class Sockwarden:
    def __init__(self, binary, workdir, upstream_sock, policy):
        self.binary = binary
        self.policy = policy
        self.dir = os.path.join(workdir, "sw-" + policy)
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "sw.sock")
        self.config = os.path.join(self.dir, "sockwarden.yaml")
        self.audit_path = os.path.join(self.dir, "audit.log")
        self.log_path = os.path.join(self.dir, "sockwarden.log")
        self.proc = None
        if policy == "shared":
            # Other users must reach the 0666 socket: let them through the (mkdtemp, 0700)
            # work directory and this one, without listing either.
            os.chmod(workdir, 0o711)
            os.chmod(self.dir, 0o711)
        extra = None
        if policy == "identity":
            extra = self._identity_setup(workdir)
        if policy == "groups":
            self._groups_setup(workdir)
        if policy == "ctr-blind":
            upstream_sock = self._blind_setup()
        write_config(self.config, upstream_sock, self.sock, policy, self.audit_path,
                     os.path.join(workdir, BIND_ROOT), extra)

    def _identity_setup(self, workdir):
        """Certificates (tests/integration/tls/make_certs.sh) and a free port for TLS."""
        os.chmod(workdir, 0o711)
        os.chmod(self.dir, 0o711)
        self.certs = os.path.join(self.dir, "certs")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tls",
                              "make_certs.sh")
        res = subprocess.run(["sh", script, self.certs], capture_output=True, timeout=60)
        if res.returncode != 0:
            raise SockwardenError("make_certs.sh failed: %s" % res.stderr.decode()[-500:])
        for name in CERT_CLIENTS:
            d = os.path.join(self.certs, name)
            os.makedirs(d, exist_ok=True)
            ca = "other-ca.pem" if name == "other" else "ca.pem"
            for src, dst in ((ca, "ca.pem"), ("client-%s.pem" % name, "cert.pem"),
                             ("client-%s-key.pem" % name, "key.pem")):
                with open(os.path.join(self.certs, src), "rb") as fi, \
                        open(os.path.join(d, dst), "wb") as fo:
                    fo.write(fi.read())
            os.chmod(os.path.join(d, "key.pem"), 0o600)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            self.tls_port = s.getsockname()[1]
        self.ctr_sock = os.path.join(self.dir, "ctr.sock")
        self.own_sock = os.path.join(self.dir, "own.sock")
        return {"port": self.tls_port, "certs": self.certs, "dir": self.dir}

    def _groups_setup(self, workdir):
        """The group GROUPS_GROUP (kept if a killed run left it), removed at exit."""
        os.chmod(workdir, 0o711)
        os.chmod(self.dir, 0o711)
        try:
            grp.getgrnam(GROUPS_GROUP)
        except KeyError:
            res = subprocess.run(["groupadd", GROUPS_GROUP], capture_output=True, timeout=30)
            if res.returncode != 0:
                raise SockwardenError("groupadd %s failed: %s"
                                      % (GROUPS_GROUP, res.stderr.decode()[-300:]))
        atexit.register(subprocess.run, ["groupdel", GROUPS_GROUP], capture_output=True,
                        timeout=30)

    def _blind_setup(self):
        """The stuck daemon: a BlackHole in this instance's directory, closed at exit."""
        hole = BlackHole(os.path.join(self.dir, "stuck.sock"))
        atexit.register(hole.close)
        return hole.path

    @property
    def host(self):
        return "unix://" + self.sock

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError as e:
            return "(no log: %s)" % e
        return "\n".join(text.splitlines()[-lines:])

    def start(self, timeout=20):
        if not os.access(self.binary, os.X_OK):
            raise SockwardenError("sockwarden binary %r is missing or not executable"
                                  % self.binary)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([self.binary, "-f", self.config],
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SockwardenError("sockwarden (policy %s) exited with %d while starting:\n%s"
                                      % (self.policy, self.proc.returncode, self.log_tail()))
            if os.path.exists(self.sock) and can_connect(self.sock):
                return
            time.sleep(0.1)
        raise SockwardenError("sockwarden (policy %s) did not listen on %s within %ds:\n%s"
                              % (self.policy, self.sock, timeout, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM by pid and wait; returns (exit status, socket still present)."""
        if self.proc is None:
            return None, False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        status = self.proc.returncode
        self.proc = None
        return status, os.path.exists(self.sock)

    # Audit log access: mark() before a case, lines_since(mark) after it.

    def audit_mark(self):
        try:
            return os.path.getsize(self.audit_path)
        except OSError:
            return 0

    def audit_lines_since(self, offset):
        """Parsed audit records written after offset; a line that is not JSON is an error."""
        try:
            with open(self.audit_path, "rb") as f:
                f.seek(offset)
                data = f.read()
        except OSError:
            return []
        records = []
        for raw in data.decode("utf-8", "replace").splitlines():
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except ValueError as e:
                raise AssertionError("audit line is not JSON (%s): %r" % (e, raw[:200]))
            if not isinstance(rec, dict):
                raise AssertionError("audit line is not a JSON object: %r" % raw[:200])
            records.append(rec)
        return records
