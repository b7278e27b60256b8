# Container identity: the "containers" listener of the "identity" instance. A client
# container gets the listener's socket bind-mounted at /var/run/docker.sock and the (static)
# modern docker CLI at /docker; sockwarden finds its container from the caller's cgroup and
# asks the daemon for its name and labels. Names "swi-ctr-admin*" get "all", label
# swi.role=reader gets "ro", anything else "none". The client container itself is started
# against the daemon directly. The last cases use the "ctr-blind" instance, whose daemon
# never answers: a container caller is refused there, a host process is not. The "stale-peer"
# cases make a caller whose container cannot be told: it made the connection and is gone.
# Format: see case_exec.py.

CLIENT = ("DOCKER_HOST=unix://$DAEMON_SOCK $DOCKER run --rm --network none "
          "-v $CTR_SOCK:/var/run/docker.sock -v /usr/local/bin/docker:/docker:ro ")
INNER = " /docker run --rm --network none $IMAGE true"
RM = "DOCKER_HOST=unix://$DAEMON_SOCK $DOCKER rm -f $NAME"

# stale_peer.py SOCK SW_BIN: first a request as a live host process ("host STATUS"), then
# the reviewer's exploit: the parent makes a socket, a child connect()s it and exits, the
# parent reaps the child and sends a request on the socket ("stale STATUS MESSAGE"). The
# kernel still names the child as the peer (SO_PEERCRED, SO_PEERPIDFD), so sockwarden must
# refuse rather than take the caller for a host process: a container's root could do this
# to get the uid 0 entry. sockwarden (the listener's owner, from SO_PEERCRED on our side)
# is stopped while the child connects and exits, so that it cannot identify the child
# while alive, which is the attacker's race made certain.
STALE_PEER = r"""
import json, os, signal, socket, struct, sys, time

SOCK, SW_BIN = sys.argv[1], sys.argv[2]
REQ = (b"POST /containers/create HTTP/1.1\r\nHost: d\r\nConnection: close\r\n"
       b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")


def answer(s):
    s.settimeout(20)
    s.sendall(REQ)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b" ")[1].decode(), json.loads(body)["message"]


def stopped(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rpartition(")")[2].split()[0] in ("T", "t")


host = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
host.connect(SOCK)
sw_pid = struct.unpack("3i", host.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
if os.path.realpath("/proc/%d/exe" % sw_pid) != os.path.realpath(SW_BIN):
    sys.exit("the listener's owner %d is not %s" % (sw_pid, SW_BIN))
print("host", answer(host)[0])
host.close()

stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
os.kill(sw_pid, signal.SIGSTOP)
try:
    deadline = time.monotonic() + 5
    while not stopped(sw_pid):
        if time.monotonic() > deadline:
            sys.exit("sockwarden did not stop")
        time.sleep(0.01)
    child = os.fork()
    if child == 0:
        try:
            stale.connect(SOCK)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
finally:
    os.kill(sw_pid, signal.SIGCONT)
status, body = answer(stale)
print("stale", status, body)
"""
STALE_WHY = (r"cannot identify the calling container: (it has exited|the kernel gave no "
             r"pidfd|its /proc/<pid>/cgroup cannot be read)")


def stale_peer_case(name, instance, sock, listener, host_policy, host_rule):
    """stale_peer.py on "sock": the host process gets "host_policy" by "host_rule" (a 403
    for its create), the gone caller a 503 and no policy; nothing is allowed."""
    return {
        "name": name,
        "policy": instance,
        "proxy_only": True,
        "files": {"stale_peer.py": STALE_PEER},
        "cmd": "/usr/bin/python3 stale_peer.py %s $SW_BIN" % sock,
        "expect": {"exit": 0, "stdout": ["host 403\n"],
                   "stdout_regex": r"^stale 503 sockwarden: " + STALE_WHY},
        "audit": [
            {"listener": listener, "endpoint": "ContainerCreate", "verdict": "deny",
             "status": 403, "policy": host_policy, "client_rule": host_rule,
             "client": {"uid": 0}},
            {"listener": listener, "verdict": "deny", "status": 503, "rule": "identity",
             "client_rule": "unidentified"},
        ],
        "audit_absent": [{"verdict": "allow"}, {"status": 503, "policy": host_policy},
                         {"policy": "all"}],
    }


CASES = [
    {
        "name": "ctr-admin-by-name",
        "policy": "identity",
        "proxy_only": True,
        "cmd": CLIENT + "--name $NAME $IMAGE" + INNER,
        "expect": {"exit": 0},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "listener": "containers",
             "policy": "all", "client_rule": "clients[0]",
             "client": {"container": "swi-ctr-admin-by-name"}},
        ],
        "cleanup": [RM],
    },
    {
        "name": "ctr-reader-by-label",
        "policy": "identity",
        "proxy_only": True,
        "cmd": CLIENT + "--name $NAME -l swi.role=reader $IMAGE sh -c "
               "'/docker ps >/dev/null && echo listed; /docker run --rm --network none "
               "$IMAGE true'",
        "expect": {"exit": 125, "stdout": ["listed"],
                   "stderr": ["sockwarden: ContainerCreate is not allowed"]},
        "audit": [
            {"endpoint": "ContainerList", "verdict": "allow", "listener": "containers",
             "policy": "ro", "client_rule": "clients[1]"},
            {"endpoint": "ContainerCreate", "verdict": "deny", "policy": "ro"},
        ],
        "cleanup": [RM],
    },
    {
        "name": "ctr-stranger-gets-default",
        "policy": "identity",
        "proxy_only": True,
        "cmd": CLIENT + "--name $NAME -l swi.role=writer $IMAGE /docker ps",
        "expect": {"exit": 1, "stderr": ["sockwarden: ContainerList is not allowed"]},
        "audit": [
            {"endpoint": "ContainerList", "verdict": "deny", "listener": "containers",
             "policy": "none", "client_rule": "default"},
        ],
        "cleanup": [RM],
    },
    {
        # A host process on the same socket is in no container: the default applies.
        "name": "ctr-host-process-gets-default",
        "policy": "identity",
        "proxy_only": True,
        "cmd": "DOCKER_HOST=unix://$CTR_SOCK $DOCKER ps",
        "expect": {"exit": 1, "stderr": ["sockwarden: ContainerList is not allowed"]},
        "audit": [
            {"endpoint": "ContainerList", "verdict": "deny", "listener": "containers",
             "policy": "none", "client_rule": "default", "client": {"uid": 0}},
        ],
    },
    {
        # The daemon is stuck (the "ctr-blind" instance's upstream accepts and never
        # answers): the caller's container cannot be identified, so its requests get 503
        # and no policy, not what a host process would get (uid 0 matches clients[1]).
        "name": "ctr-daemon-stuck-refused",
        "policy": "ctr-blind",
        "proxy_only": True,
        "cmd": "DOCKER_HOST=unix://$DAEMON_SOCK $DOCKER run --rm --network none "
               "-v $SW_SOCK:/var/run/docker.sock -v /usr/local/bin/docker:/docker:ro "
               "--name $NAME $IMAGE /docker ps",
        "expect": {"exit": 1, "stderr": [
            "sockwarden: cannot identify the calling container: the Docker daemon did not "
            "answer"]},
        "audit": [
            {"listener": "blind", "verdict": "deny", "status": 503, "rule": "identity",
             "client_rule": "unidentified",
             "note": "cannot identify the calling container: the Docker daemon did not "
                     "answer (unreachable, too slow, or a malformed response)"},
        ],
        "audit_absent": [{"policy": "all"}, {"policy": "ro"}, {"policy": "none"},
                         {"verdict": "allow"}],
        "cleanup": [RM],
    },
    {
        # On the same socket a host process is in no container: its entry still applies.
        "name": "ctr-daemon-stuck-host-process-unaffected",
        "policy": "ctr-blind",
        "proxy_only": True,
        "cmd": "curl -s -o /dev/null -w '%{http_code}' --unix-socket $SW_SOCK "
               "-X POST -H 'Content-Type: application/json' -d '{}' "
               "http://d/containers/create",
        "expect": {"exit": 0, "stdout": ["403"]},
        "audit": [
            {"listener": "blind", "endpoint": "ContainerCreate", "verdict": "deny",
             "status": 403, "policy": "ro", "client_rule": "clients[1]",
             "client": {"uid": 0}},
        ],
    },
    # The exploit on the listener with a uid 0 entry after the container entry: the host
    # process gets that entry, the gone caller a 503 and no policy at all.
    stale_peer_case("ctr-stale-peer-refused", "ctr-blind", "$SW_SOCK", "blind", "ro",
                    "clients[1]"),
    # The same on the identity instance's container listener (default "none").
    stale_peer_case("ctr-stale-peer-refused-containers-listener", "identity", "$CTR_SOCK",
                    "containers", "none", "default"),
]
