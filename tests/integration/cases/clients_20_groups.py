# Supplementary groups: the "grp" listener of the "groups" instance (sockwarden_fixture.py).
# Its clients[0] matches the group swi-grp-ro by name and gives "ro"; clients[1], later and
# broader, matches uid 64100 and gives "all"; anyone else gets "none". The user swi-grp-user
# (uid 64100, primary group nogroup) is in swi-grp-ro only through /etc/group, so only
# SO_PEERGROUPS shows it: with its groups it must get clients[0], without them clients[1].
# `sockwarden explain` takes the groups as repeated gid=.
# Format: see case_exec.py.

USER = "swi-grp-user"
USERADD = ("userdel %s 2>/dev/null; useradd -M -N -g nogroup -G swi-grp-ro -u 64100 "
           "-s /usr/sbin/nologin %s" % (USER, USER))
USERDEL = "userdel %s" % USER
# initgroups(3) from /etc/group, as a login would; --clear-groups: none at all.
AS_MEMBER = "setpriv --reuid=64100 --regid=nogroup --init-groups "
AS_NON_MEMBER = "setpriv --reuid=64100 --regid=nogroup --clear-groups "
RUN = "$DOCKER run --rm --network none --name $NAME $IMAGE true"
RM = "$DOCKER rm -f $NAME"

EXPLAIN_CONFIG = """\
listeners:
  - name: local
    listen: unix:///run/sw-explain-groups.sock
    policy: none
    clients:
      - { match: { gid: 4242 }, policy: ro }
      - { match: { uid: 1000 }, policy: all }
policies:
  none: { allow: [SystemPing] }
  ro: { groups: [read-only] }
  all: { allow: ["*"] }
"""
X = "$SW_BIN explain sw.yaml --listener local --client uid=1000 "

CASES = [
    {
        "name": "groups-supplementary-group-matches-first",
        "policy": "groups",
        "proxy_only": True,
        "setup": [USERADD, "id -G %s | grep -qw \"$(getent group swi-grp-ro | cut -d: -f3)\""
                  % USER],
        "cmd": AS_MEMBER + RUN,
        "expect": {"exit": 125, "stderr": ["Error response from daemon: sockwarden:",
                                           "ContainerCreate is not allowed"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "deny", "status": 403,
             "listener": "grp", "policy": "ro", "client_rule": "clients[0]",
             "client": {"uid": 64100, "gid": 65534}},
        ],
        "audit_absent": [{"policy": "all"}, {"client_rule": "clients[1]"}],
        "daemon_not_called": ["/containers/create"],
        "verify": [{"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM, USERDEL],
    },
    {
        "name": "groups-member-reads",
        "policy": "groups",
        "proxy_only": True,
        "setup": [USERADD],
        "cmd": AS_MEMBER + "$DOCKER version",
        "expect": {"exit": 0, "stdout": ["Server:"]},
        "audit": [
            {"endpoint": "SystemVersion", "verdict": "allow", "status": 200,
             "policy": "ro", "client_rule": "clients[0]", "client": {"uid": 64100}},
        ],
        "cleanup": [USERDEL],
    },
    {
        # The same user without its supplementary groups: the later entry applies.
        "name": "groups-without-the-group-gets-later-entry",
        "policy": "groups",
        "proxy_only": True,
        "setup": [USERADD],
        "cmd": AS_NON_MEMBER + RUN,
        "expect": {"exit": 0},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
             "listener": "grp", "policy": "all", "client_rule": "clients[1]",
             "client": {"uid": 64100}},
        ],
        "audit_absent": [{"client_rule": "clients[0]"}],
        "cleanup": [RM, USERDEL],
    },
    {
        # Root is in neither: no entry, the listener's default.
        "name": "groups-other-caller-gets-default",
        "policy": "groups",
        "proxy_only": True,
        "cmd": "$DOCKER ps",
        "expect": {"exit": 1, "stderr": ["sockwarden: ContainerList is not allowed"]},
        "audit": [
            {"endpoint": "ContainerList", "verdict": "deny", "policy": "none",
             "client_rule": "default", "client": {"uid": 0}},
        ],
    },
    {
        "name": "explain-client-supplementary-gid",
        "proxy_only": True,
        "files": {"sw.yaml": EXPLAIN_CONFIG},
        "cmd": X + "--client gid=100 --client gid=7 --client gid=4242 GET /containers/json",
        "expect": {"exit": 0, "stdout": ["policy      ro (listener local, clients[0])"]},
    },
    {
        "name": "explain-client-primary-gid-only",
        "proxy_only": True,
        "files": {"sw.yaml": EXPLAIN_CONFIG},
        "cmd": X + "--client gid=100 GET /containers/json",
        "expect": {"exit": 0, "stdout": ["policy      all (listener local, clients[1])"]},
    },
    {
        "name": "explain-client-group-is-primary-gid",
        "proxy_only": True,
        "files": {"sw.yaml": EXPLAIN_CONFIG},
        "cmd": X + "--client gid=4242 POST /containers/create",
        "expect": {"exit": 1, "stdout": ["policy      ro (listener local, clients[0])"]},
    },
    {
        # Only what client entries match on describes a caller: a pid (which made the
        # caller a root one) or a container id would have chosen nothing by itself.
        "name": "explain-client-pid-is-not-a-key",
        "proxy_only": True,
        "files": {"sw.yaml": EXPLAIN_CONFIG},
        "cmd": "$SW_BIN explain sw.yaml --listener local --client pid=1 GET /_ping",
        "expect": {"exit": 2, "stderr": ["unknown --client key \"pid\" (uid, gid, cert_cn,"]},
    },
    {
        "name": "explain-client-container-id-is-not-a-key",
        "proxy_only": True,
        "files": {"sw.yaml": EXPLAIN_CONFIG},
        "cmd": X + "--client container_id=" + "a" * 64 + " GET /_ping",
        "expect": {"exit": 2, "stderr": ["unknown --client key \"container_id\""]},
    },
]
