# Clients other than the docker CLI through sockwarden with the "all" policy:
# docker-compose 1.29 (python), the Python docker SDK, and curl as Traefik-style probes.
# Format: see case_exec.py.

COMPOSE_FILE = """\
version: "2.4"
services:
  app:
    image: ${IMAGE}
    command: ["sleep", "300"]
    network_mode: none
"""

SDK_SCRIPT = """\
import os
import docker

env = os.environ
client = docker.DockerClient(base_url="unix://" + env["SW_SOCK"], version="auto", timeout=60)
print("ping", client.ping())
print("api", client.version()["ApiVersion"])
out = client.containers.run(env["IMAGE"], ["echo", "sdk-hi"], name=env["NAME"],
                            network_mode="none", remove=True)
print("run", out.decode().strip())
print("images", sorted(t for i in client.images.list() for t in i.tags))
kept = client.containers.create(env["IMAGE"], ["true"], name=env["NAME"] + "-kept",
                                network_mode="none")
print("containers", sorted(c.name for c in client.containers.list(all=True)))
kept.remove()
"""

CURL = "curl -sS --max-time 20 --unix-socket $SW_SOCK"

CASES = [
    {
        "name": "compose-up-ps-down",
        "files": {"compose/docker-compose.yml": COMPOSE_FILE},
        "cmd": "cd compose && docker-compose -p $NAME up -d && docker-compose -p $NAME ps"
               " && docker-compose -p $NAME down -t 0",
        "timeout": 120,
        "expect": {"exit": 0, "stdout": ["Up"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "status": 201},
            {"endpoint": "ContainerDelete", "verdict": "allow", "status": 204},
        ],
        "verify": [{"cmd": "$DOCKER ps -aq --filter label=com.docker.compose.project=$NAME",
                    "exit": 0, "stdout_empty": True}],
        "cleanup": ["cd compose && docker-compose -p $NAME down -t 0"],
    },
    {
        "name": "python-sdk",
        "files": {"sdk.py": SDK_SCRIPT},
        "cmd": "/usr/bin/python3 sdk.py",
        "timeout": 90,
        "expect": {"exit": 0, "stdout": [
            "ping True\n", "api 1.", "run sdk-hi\n", "'$IMAGE'", "'$NAME-kept'"]},
        "audit": [
            {"endpoint": "SystemPing", "verdict": "allow", "status": 200},
            {"endpoint": "ImageList", "verdict": "allow", "status": 200},
            {"endpoint": "ContainerList", "verdict": "allow", "status": 200},
        ],
        "verify": [{"cmd": "$DOCKER container inspect $NAME $NAME-kept", "exit": 1}],
        "cleanup": ["$DOCKER rm -f $NAME $NAME-kept"],
    },
    {
        # Traefik negotiates the API version with HEAD /_ping and reads Api-Version.
        "name": "curl-head-ping",
        "cmd": CURL + " -I http://d/_ping",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 200", r"(?i)^api-version: 1\.\d+"]},
        "audit": [{"endpoint": "SystemPingHead", "verdict": "allow", "status": 200}],
    },
    {
        "name": "curl-get-ping-versioned",
        "cmd": CURL + " -i http://d/v1.41/_ping",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 200", r"^OK$"]},
        "audit": [{"endpoint": "SystemPing", "verdict": "allow", "status": 200,
                   "path": "/_ping"}],
    },
    {
        "name": "curl-get-ping",
        "cmd": CURL + " -i http://d/_ping",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 200", r"^OK$"]},
        "audit": [{"endpoint": "SystemPing", "verdict": "allow", "status": 200}],
    },
]
