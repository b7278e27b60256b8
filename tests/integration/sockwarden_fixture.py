"""One sockwarden process in front of the private dockerd, serving one policy.

The suite starts one instance per policy (not per case): it writes a config whose only
listener uses that policy, starts `sockwarden -f CONFIG`, waits for the socket to accept
connections, and stops it by pid with SIGTERM at the end. Audit lines are read back by
byte offset, so each case sees only the lines written while it ran.
"""

import json
import os
import signal
import socket
import subprocess
import time

from dockerd_fixture import die_with_parent

# The policies, in the order their groups run; each gets one sockwarden instance.
# "shared" is not a policy: its instance has one listener, "shared", whose policy depends
# on the caller's uid (SHARED_LISTENER).
POLICY_NAMES = ("all", "ro", "traefik", "restricted-ci", "warned", "mutating", "shared")

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
  mutating:
    allow: ["Container*", "Image*", "System*"]
    containers:
      privileged: false
      set: { cap_drop_all: true, no_new_privileges: true, pids_limit: 100,
             labels: { owner: ci } }
"""


class SockwardenError(Exception):
    """sockwarden could not be started; the run fails with this message."""


def write_config(path, upstream_sock, listen_sock, policy, audit_path, bind_root):
    with open(path, "w") as f:
        f.write("upstream: unix://%s\n" % upstream_sock)
        f.write("listeners:\n")
        if policy == "shared":
            f.write(SHARED_LISTENER % listen_sock)
        else:
            f.write("  - name: main\n")
            f.write("    listen: unix://%s\n" % listen_sock)
            f.write("    policy: %s\n" % policy)
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
        write_config(self.config, upstream_sock, self.sock, policy, self.audit_path,
                     os.path.join(workdir, BIND_ROOT))

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
