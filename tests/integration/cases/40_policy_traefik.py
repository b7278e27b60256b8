# The "traefik" policy: exactly what Traefik's Docker provider needs (ping, version, events,
# container list and inspect). Everything else, even a harmless read, is refused.
# Format: see case_exec.py.

BOTH = ["modern", "legacy"]
CREATE = "$DOCKER create --name $NAME --network none $IMAGE true"
RM = "$DOCKER rm -f $NAME"
CURL = "curl -sS --max-time 20 --unix-socket $SW_SOCK"


def allowed(endpoint):
    return {"endpoint": endpoint, "verdict": "allow", "status": 200, "policy": "traefik"}


def denied(endpoint):
    return {"endpoint": endpoint, "verdict": "deny", "status": 403, "policy": "traefik"}


CASES = [
    {
        "name": "traefik-head-ping",
        "policy": "traefik",
        "proxy_only": True,
        "cmd": CURL + " -I http://d/_ping",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 200", r"(?i)^api-version: 1\.\d+"]},
        "audit": [allowed("SystemPingHead")],
    },
    {
        "name": "traefik-version",
        "policy": "traefik",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER version --format '{{.Server.APIVersion}}'",
        "expect": {"exit": 0, "stdout_regex": r"^1\.\d+$"},
        "audit": [allowed("SystemVersion")],
    },
    {
        "name": "traefik-ps",
        "policy": "traefik",
        "proxy_only": True,
        "clients": BOTH,
        "setup": [CREATE],
        "cmd": "$DOCKER ps -a --format '{{.Names}}'",
        "expect": {"exit": 0, "stdout": ["$NAME\n"]},
        "audit": [allowed("ContainerList")],
        "cleanup": [RM],
    },
    {
        "name": "traefik-inspect",
        "policy": "traefik",
        "proxy_only": True,
        "clients": BOTH,
        "setup": [CREATE],
        "cmd": "$DOCKER container inspect --format '{{.Name}}' $NAME",
        "expect": {"exit": 0, "stdout": ["/$NAME\n"]},
        "audit": [allowed("ContainerInspect")],
        "cleanup": [RM],
    },
    {
        # The events happen through the daemon directly (create is not allowed here).
        "name": "traefik-events",
        "policy": "traefik",
        "proxy_only": True,
        "clients": BOTH,
        "setup": ["date +%s > t0 && " + CREATE + " && $DOCKER rm $NAME"],
        "cmd": "$DOCKER events --since $(cat t0) --until $(($(date +%s) + 1))"
               " --filter container=$NAME --format '{{.Action}}'",
        "timeout": 45,
        "expect": {"exit": 0, "stdout": ["create\n", "destroy\n"]},
        "audit": [allowed("SystemEvents")],
        "cleanup": [RM],
    },
    {
        "name": "traefik-events-live",
        "policy": "traefik",
        "proxy_only": True,
        "bg": {"cmd": "$DOCKER events --filter type=container --filter event=create"
                  " --format '{{.Actor.Attributes.name}}'",
               "ready": "events_listener"},
        # The create goes to the daemon directly; the proxied stream must deliver it.
        "cmd": "DOCKER_HOST=unix://$DAEMON_SOCK " + CREATE,
        "expect": {"exit": 0},
        "bg_expect": {"stdout": ["$NAME\n"]},
        "cleanup": [RM],
    },
    {
        "name": "traefik-images-denied",
        "policy": "traefik",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER images",
        "expect": {"exit": 1, "stderr": ["Error response from daemon: sockwarden:"]},
        "audit": [denied("ImageList")],
        "daemon_not_called": ["/images/json"],
    },
    {
        "name": "traefik-info-denied",
        "policy": "traefik",
        "proxy_only": True,
        "cmd": CURL + " -i http://d/v1.41/info",
        "expect": {"exit": 0, "stdout_regex": [
            r"^HTTP/1\.1 403", r"(?i)^content-type: application/json\r?$",
            r'^\{"message":"sockwarden: ']},
        "audit": [denied("SystemInfo")],
        "daemon_not_called": ["/info"],
    },
    {
        "name": "traefik-run-denied",
        "policy": "traefik",
        "proxy_only": True,
        "cmd": "$DOCKER run --rm --network none --name $NAME $IMAGE true",
        "expect": {"exit": 125, "stderr": ["Error response from daemon: sockwarden:"]},
        "audit": [denied("ContainerCreate")],
        "daemon_not_called": ["/containers/create"],
        "verify": [{"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM],
    },
]
