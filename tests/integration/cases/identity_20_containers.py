# Container identity: the "containers" listener of the "identity" instance. A client
# container gets the listener's socket bind-mounted at /var/run/docker.sock and the (static)
# modern docker CLI at /docker; sockwarden finds its container from the caller's cgroup and
# asks the daemon for its name and labels. Names "swi-ctr-admin*" get "all", label
# swi.role=reader gets "ro", anything else "none". The client container itself is started
# against the daemon directly. The last cases use the "ctr-blind" instance, whose daemon
# never answers: a container caller is refused there, a host process is not.
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
]
