# Per-client policies: one listener ("shared", socket mode 0666) whose policy depends on the
# caller's uid from SO_PEERCRED. Root matches clients[0] and gets "all"; nobody (uid 65534,
# written as "user: nobody") matches clients[1] and gets "ro". The same command is allowed
# for one and refused for the other, and the audit names the uid and the entry that chose.
# Format: see case_exec.py.

# Run the client as nobody with no supplementary groups; it keeps the suite's environment.
AS_NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups "
RUN = "$DOCKER run --rm --network none --name $NAME $IMAGE true"
RM = "$DOCKER rm -f $NAME"

CASES = [
    {
        "name": "clients-root-runs",
        "policy": "shared",
        "proxy_only": True,
        "cmd": RUN,
        "expect": {"exit": 0},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
             "listener": "shared", "policy": "all", "client_rule": "clients[0]",
             "client": {"uid": 0, "gid": 0}},
            {"endpoint": "ContainerStart", "verdict": "allow", "policy": "all",
             "client_rule": "clients[0]"},
        ],
        "audit_absent": [{"verdict": "deny"}],
        "cleanup": [RM],
    },
    {
        "name": "clients-nobody-denied",
        "policy": "shared",
        "proxy_only": True,
        "cmd": AS_NOBODY + RUN,
        "expect": {"exit": 125, "stderr": ["Error response from daemon: sockwarden:"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "deny", "status": 403,
             "listener": "shared", "policy": "ro", "client_rule": "clients[1]",
             "client": {"uid": 65534, "gid": 65534}},
        ],
        "audit_absent": [{"endpoint": "ContainerStart"}, {"policy": "all"}],
        "daemon_not_called": ["/containers/create"],
        "verify": [{"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM],
    },
    {
        "name": "clients-nobody-reads",
        "policy": "shared",
        "proxy_only": True,
        "cmd": AS_NOBODY + "$DOCKER version",
        "expect": {"exit": 0, "stdout": ["Server:"]},
        "audit": [
            {"endpoint": "SystemVersion", "verdict": "allow", "status": 200,
             "policy": "ro", "client_rule": "clients[1]", "client": {"uid": 65534}},
        ],
    },
]
