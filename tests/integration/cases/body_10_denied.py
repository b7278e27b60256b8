# Body inspection under "restricted-ci" (sockwarden_fixture.py): the ordinary ways out of a
# container, as real clients send them, are refused with a message naming the field and the
# rule. After each attempt the daemon is asked directly that nothing was created: the same
# container list as before, no container (or volume) of that name, and no create request in
# its log.
# Format: see case_exec.py.

BOTH = ["modern", "legacy"]
RM = "$DOCKER rm -f $NAME"
DAEMON = "curl -sS --max-time 20 --unix-socket $DAEMON_SOCK"
# Sorted ids (or names) from a daemon list answer, one JSON document on stdin.
IDS = ("/usr/bin/python3 -c 'import json, sys;"
       " print(sorted(x[\"%s\"] for x in %s))'")
CONTAINERS = DAEMON + " 'http://d/containers/json?all=1' | " + IDS % ("Id", "json.load(sys.stdin)")
VOLUMES = DAEMON + " http://d/volumes | " + IDS % (
    "Name", "json.load(sys.stdin)[\"Volumes\"] or []")
SNAPSHOT = [CONTAINERS + " > containers.before", VOLUMES + " > volumes.before"]
STATUS_OF = DAEMON + " -o /dev/null -w '%%{http_code}\\n' http://d/%s"

NO_CONTAINER = [
    {"cmd": CONTAINERS + " > containers.after && cmp containers.before containers.after"
            " && echo unchanged", "exit": 0, "stdout": ["unchanged\n"]},
    {"cmd": STATUS_OF % "containers/$NAME/json", "exit": 0, "stdout": ["404\n"]},
]
NO_VOLUME = [
    {"cmd": VOLUMES + " > volumes.after && cmp volumes.before volumes.after"
            " && echo unchanged", "exit": 0, "stdout": ["unchanged\n"]},
    {"cmd": STATUS_OF % "volumes/$NAME", "exit": 0, "stdout": ["404\n"]},
]


def refused(endpoint, rule):
    return {"endpoint": endpoint, "verdict": "deny", "status": 403, "policy": "restricted-ci",
            "rule": rule}


def message(field, rule):
    """What stderr must hold: the CLI's prefix, the field, and the rule."""
    return ["Error response from daemon: sockwarden: " + field,
            "(policy restricted-ci, rule %s)" % rule]


def run_denied(name, flags, field, rule, network="--network none", also=()):
    """`docker run FLAGS` refused at create: no start, nothing on the daemon."""
    return {
        "name": "body-deny-" + name,
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": SNAPSHOT,
        "cmd": "$DOCKER run --rm %s --name $NAME %s $IMAGE true" % (network, flags),
        "expect": {"exit": 125, "stderr": message(field, rule) + list(also)},
        "audit": [refused("ContainerCreate", rule)],
        "audit_absent": [{"endpoint": "ContainerStart"}, {"verdict": "allow",
                                                         "endpoint": "ContainerCreate"}],
        "daemon_not_called": ["/containers/create"],
        "verify": NO_CONTAINER + NO_VOLUME,
        "cleanup": [RM],
    }


COMPOSE_PRIVILEGED = """\
version: "2.4"
services:
  app:
    image: ${IMAGE}
    command: ["true"]
    network_mode: none
    privileged: true
"""

SDK_PRIVILEGED = """\
import os
import docker

env = os.environ
client = docker.DockerClient(base_url="unix://" + env["SW_SOCK"], version="auto", timeout=60)
try:
    client.containers.run(env["IMAGE"], ["true"], name=env["NAME"], network_mode="none",
                          privileged=True, remove=True)
    print("created")
except docker.errors.APIError as e:
    print("status", e.status_code)
    print("explanation", e.explanation)
"""

CASES = [
    run_denied("privileged", "--privileged", 'HostConfig.Privileged "true"', "privileged"),
    run_denied("bind-root", "-v /:/host", 'HostConfig.Binds[0] "/:/host"', "bind_mounts"),
    run_denied("bind-etc", "-v /etc:/x", 'HostConfig.Binds[0] "/etc:/x"', "bind_mounts"),
    # A path that cleans to /etc: the daemon's path.Clean, not the text, decides.
    run_denied("bind-dotdot", "-v $CASE_DIR/../../../../etc:/x", "HostConfig.Binds[0]",
               "bind_mounts"),
    run_denied("mount-bind-root", "--mount type=bind,source=/,target=/h",
               'HostConfig.Mounts[0] "/"', "bind_mounts"),
    run_denied("pid-host", "--pid host", 'HostConfig.PidMode "host"', "namespaces"),
    run_denied("network-host", "", 'HostConfig.NetworkMode "host"', "namespaces",
               network="--network host"),
    run_denied("ipc-host", "--ipc host", 'HostConfig.IpcMode "host"', "namespaces"),
    run_denied("uts-host", "--uts host", 'HostConfig.UTSMode "host"', "namespaces"),
    run_denied("userns-host", "--userns host", 'HostConfig.UsernsMode "host"', "namespaces"),
    # (The modern CLI sends "CAP_SYS_ADMIN", the 20.10 one "SYS_ADMIN".)
    run_denied("cap-sys-admin", "--cap-add SYS_ADMIN", "HostConfig.CapAdd[0]", "capabilities",
               also=["adds capability CAP_SYS_ADMIN"]),
    run_denied("cap-all", "--cap-add ALL", 'HostConfig.CapAdd[0] "ALL"', "capabilities"),
    # The daemon upper-cases and adds CAP_: every spelling is the same capability.
    run_denied("cap-spelling", "--cap-add cap_sys_admin", "HostConfig.CapAdd[0]",
               "capabilities", also=["adds capability CAP_SYS_ADMIN"]),
    run_denied("seccomp-unconfined", "--security-opt seccomp=unconfined",
               "HostConfig.SecurityOpt[0]", "security_opt"),
    run_denied("apparmor-unconfined", "--security-opt apparmor=unconfined",
               "HostConfig.SecurityOpt[0]", "security_opt"),
    run_denied("label-disable", "--security-opt label=disable",
               'HostConfig.SecurityOpt[0] "label=disable"', "security_opt"),
    run_denied("device", "--device /dev/null", 'HostConfig.Devices[0].PathOnHost "/dev/null"',
               "devices"),
    # A volume mount whose local-driver options make it a bind of /etc.
    run_denied("mount-volume-bind-opts",
               "--mount type=volume,source=$NAME,target=/v,volume-opt=type=none,"
               "volume-opt=o=bind,volume-opt=device=/etc",
               'HostConfig.Mounts[0] "$NAME"', "volumes"),
    {
        "name": "body-deny-volume-create-bind",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": SNAPSHOT,
        "cmd": "$DOCKER volume create --driver local --opt type=none --opt o=bind"
               " --opt device=/etc $NAME",
        "expect": {"exit": 1, "stderr": message('DriverOpts.device "/etc"', "volume_create")},
        "audit": [refused("VolumeCreate", "volume_create")],
        "daemon_not_called": ["/volumes/create"],
        "verify": NO_VOLUME + NO_CONTAINER,
        "cleanup": ["$DOCKER volume rm -f $NAME"],
    },
    {
        # The message's way out must name a key the configuration loader accepts.
        "name": "body-deny-volume-create-hint",
        "policy": "restricted-ci",
        "proxy_only": True,
        "setup": SNAPSHOT,
        "cmd": "$DOCKER volume create --driver local --opt type=none --opt o=bind"
               " --opt device=/etc $NAME",
        "expect": {"exit": 1, "stderr": ['sockwarden: DriverOpts.device "/etc"',
                                         "volume_create.host_options"]},
        "audit": [refused("VolumeCreate", "volume_create")],
        "daemon_not_called": ["/volumes/create"],
        "verify": NO_VOLUME,
        "cleanup": ["$DOCKER volume rm -f $NAME"],
    },
    {
        "name": "body-deny-exec-privileged",
        "policy": "restricted-ci",
        "proxy_only": True,
        "clients": BOTH,
        "setup": ["$DOCKER run -d --name $NAME --network none $IMAGE sleep 300"],
        "cmd": "$DOCKER exec --privileged $NAME true",
        "expect": {"exit": 1, "stderr": message('Privileged "true"', "exec")},
        "audit": [refused("ContainerExec", "exec")],
        "audit_absent": [{"endpoint": "ExecStart"}],
        "daemon_not_called": ["/exec"],
        "verify": [{"cmd": "$DOCKER container inspect --format 'execs={{len .ExecIDs}}' $NAME",
                    "exit": 0, "stdout": ["execs=0\n"]}],
        "cleanup": [RM],
    },
    {
        "name": "body-deny-sdk-privileged",
        "policy": "restricted-ci",
        "proxy_only": True,
        "files": {"sdk.py": SDK_PRIVILEGED},
        "setup": SNAPSHOT,
        "cmd": "/usr/bin/python3 sdk.py",
        "timeout": 90,
        "expect": {"exit": 0, "stdout": [
            "status 403\n", 'explanation sockwarden: HostConfig.Privileged "true"',
            "(policy restricted-ci, rule privileged)"], "stdout_not": ["created"]},
        "audit": [refused("ContainerCreate", "privileged")],
        "daemon_not_called": ["/containers/create"],
        "verify": NO_CONTAINER,
        "cleanup": [RM],
    },
    {
        "name": "body-deny-compose-privileged",
        "policy": "restricted-ci",
        "proxy_only": True,
        "files": {"compose/docker-compose.yml": COMPOSE_PRIVILEGED},
        "setup": SNAPSHOT,
        "cmd": "cd compose && docker-compose -p $NAME up -d",
        "timeout": 120,
        "expect": {"exit": 1, "stderr": ['sockwarden: HostConfig.Privileged "true"',
                                         "(policy restricted-ci, rule privileged)"]},
        "audit": [refused("ContainerCreate", "privileged")],
        "daemon_not_called": ["/containers/create"],
        "verify": [
            NO_CONTAINER[0],
            {"cmd": "$DOCKER ps -aq --filter label=com.docker.compose.project=$NAME",
             "exit": 0, "stdout_empty": True},
        ],
        "cleanup": ["cd compose && docker-compose -p $NAME down -t 0"],
    },
]
