# Ordinary work under "restricted-ci" (sockwarden_fixture.py) still works: plain runs, a
# read-write bind of a directory below the allowed root (each case's own $CASE_DIR), the one
# added capability the policy allows, exec, named local volumes, docker-compose and the
# Python SDK. Each body is inspected and forwarded re-serialised; the daemon's view of the
# result is checked directly.
# Format: see case_exec.py.

BOTH = ["modern", "legacy"]
RM = "$DOCKER rm -f $NAME"


def allowed(endpoint, status):
    return {"endpoint": endpoint, "verdict": "allow", "status": status,
            "policy": "restricted-ci"}


COMPOSE_FILE = """\
version: "2.4"
services:
  app:
    image: ${IMAGE}
    command: ["sleep", "300"]
    network_mode: none
    cap_add: [NET_BIND_SERVICE]
    volumes: ["./data:/data"]
"""

SDK_SCRIPT = """\
import os
import docker

env = os.environ
client = docker.DockerClient(base_url="unix://" + env["SW_SOCK"], version="auto", timeout=60)
out = client.containers.run(env["IMAGE"], ["sh", "-c", "echo sdk-ok > /data/sdk.txt; echo ran"],
                            name=env["NAME"], network_mode="none", remove=True,
                            volumes={env["CASE_DIR"] + "/data": {"bind": "/data", "mode": "rw"}})
print("run", out.decode().strip())
"""

CASES = [
    {
        "name": "body-allow-run",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER run --rm --network none --name $NAME $IMAGE echo ok",
        "expect": {"exit": 0, "stdout": ["ok\n"]},
        "audit": [allowed("ContainerCreate", 201), allowed("ContainerStart", 204)],
        "verify": [{"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM],
    },
    {
        # The host directory gets the file the container wrote: a real read-write bind.
        "name": "body-allow-bind-rw",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": ["mkdir -p $CASE_DIR/data"],
        "cmd": "$DOCKER run --rm --network none --name $NAME -v $CASE_DIR/data:/data $IMAGE"
               " sh -c \"echo written-$NAME > /data/out.txt && cat /data/out.txt\"",
        "expect": {"exit": 0, "stdout": ["written-$NAME\n"]},
        "audit": [allowed("ContainerCreate", 201)],
        "verify": [{"cmd": "cat $CASE_DIR/data/out.txt", "exit": 0,
                    "stdout": ["written-$NAME\n"]}],
        "cleanup": [RM, "rm -rf $CASE_DIR/data"],
    },
    {
        "name": "body-allow-mount-bind",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": ["mkdir -p $CASE_DIR/data"],
        "cmd": "$DOCKER run --rm --network none --name $NAME"
               " --mount type=bind,source=$CASE_DIR/data,target=/data $IMAGE"
               " sh -c \"echo mounted-$NAME > /data/out.txt\"",
        "expect": {"exit": 0},
        "audit": [allowed("ContainerCreate", 201)],
        "verify": [{"cmd": "cat $CASE_DIR/data/out.txt", "exit": 0,
                    "stdout": ["mounted-$NAME\n"]}],
        "cleanup": [RM],
    },
    {
        # A local volume that binds a host directory is a bind mount by another door: it is
        # allowed where bind_mounts allows the directory (and refused elsewhere, see
        # body-deny-volume-create-bind).
        "name": "body-allow-volume-bind-inside-root",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": ["mkdir -p $CASE_DIR/vol"],
        "cmd": "$DOCKER volume create --driver local --opt type=none --opt o=bind"
               " --opt device=$CASE_DIR/vol $NAME >/dev/null && $DOCKER run --rm --network none"
               " --name $NAME -v $NAME:/v $IMAGE sh -c \"echo via-volume-$NAME > /v/f\"",
        "expect": {"exit": 0},
        "audit": [allowed("VolumeCreate", 201), allowed("ContainerCreate", 201)],
        "verify": [{"cmd": "cat $CASE_DIR/vol/f", "exit": 0, "stdout": ["via-volume-$NAME\n"]}],
        "cleanup": [RM, "$DOCKER volume rm -f $NAME"],
    },
    {
        "name": "body-allow-cap-net-bind-service",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER run -d --network none --name $NAME --cap-add NET_BIND_SERVICE $IMAGE"
               " sleep 300",
        "expect": {"exit": 0},
        "audit": [allowed("ContainerCreate", 201)],
        "verify": [{"cmd": "$DOCKER container inspect --format '{{.HostConfig.CapAdd}}' $NAME",
                    "exit": 0, "stdout": ["NET_BIND_SERVICE"]}],
        "cleanup": [RM],
    },
    {
        "name": "body-allow-exec",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": ["$DOCKER run -d --name $NAME --network none $IMAGE sleep 300"],
        "cmd": "$DOCKER exec $NAME echo exec-ok",
        "expect": {"exit": 0, "stdout": ["exec-ok\n"]},
        "audit": [allowed("ContainerExec", 201)],
        "cleanup": [RM],
    },
    {
        # A named local volume, created through the proxy and mounted by name.
        "name": "body-allow-named-volume",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER volume create $NAME >/dev/null && $DOCKER run --rm --network none"
               " --name $NAME -v $NAME:/v $IMAGE sh -c \"echo vol-$NAME > /v/f && cat /v/f\"",
        "expect": {"exit": 0, "stdout": ["vol-$NAME\n"]},
        "audit": [allowed("VolumeCreate", 201), allowed("ContainerCreate", 201)],
        "verify": [{"cmd": "$DOCKER volume inspect --format '{{.Driver}}' $NAME", "exit": 0,
                    "stdout": ["local\n"]}],
        "cleanup": [RM, "$DOCKER volume rm -f $NAME"],
    },
    {
        "name": "body-allow-compose",
        "policy": "restricted-ci",
        "proxy_only": True,
        "files": {"compose/docker-compose.yml": COMPOSE_FILE, "compose/data/.keep": ""},
        "cmd": "cd compose && docker-compose -p $NAME up -d && docker-compose -p $NAME ps"
               " && docker-compose -p $NAME down -t 0",
        "timeout": 120,
        "expect": {"exit": 0, "stdout": ["Up"]},
        "audit": [allowed("ContainerCreate", 201), allowed("ContainerDelete", 204)],
        "verify": [{"cmd": "$DOCKER ps -aq --filter label=com.docker.compose.project=$NAME",
                    "exit": 0, "stdout_empty": True}],
        "cleanup": ["cd compose && docker-compose -p $NAME down -t 0"],
    },
    {
        "name": "body-allow-sdk-run",
        "policy": "restricted-ci",
        "proxy_only": True,
        "files": {"sdk.py": SDK_SCRIPT, "data/.keep": ""},
        "cmd": "/usr/bin/python3 sdk.py",
        "timeout": 90,
        "expect": {"exit": 0, "stdout": ["run ran\n"]},
        "audit": [allowed("ContainerCreate", 201)],
        "verify": [{"cmd": "cat $CASE_DIR/data/sdk.txt", "exit": 0, "stdout": ["sdk-ok\n"]},
                   {"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM],
    },
]
