# Container identity: the "containers" listener of the "identity" instance. A client
# container gets the listener's socket bind-mounted at /var/run/docker.sock and the (static)
# modern docker CLI at /docker; sockwarden finds its container from the caller's cgroup and
# asks the daemon for its name and labels. Names "swi-ctr-admin*" get "all", label
# swi.role=reader gets "ro", anything else "none". The client container itself is started
# against the daemon directly.
# Format: see case_exec.py.

CLIENT = ("DOCKER_HOST=unix://$DAEMON_SOCK $DOCKER run --rm --network none "
          "-v $CTR_SOCK:/var/run/docker.sock -v /usr/local/bin/docker:/docker:ro ")
INNER = " /docker run --rm --network none $IMAGE true"
RM = "DOCKER_HOST=unix://$DAEMON_SOCK $DOCKER rm -f $NAME"

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
]
