# Rule modes and mutations (sockwarden_fixture.py). "warned" has restricted-ci's rules in
# warn mode: a privileged container is created, the create response carries the finding in
# its Warnings (which the docker CLI prints as "WARNING: ..." on stderr), and the audit line
# records it with mode warn. "mutating" forces hardening into every create body: the daemon
# must hold exactly what the policy set, whatever the client sent.
# Format: see case_exec.py.

BOTH = ["modern", "legacy"]
RM = "$DOCKER rm -f $NAME"
PRIVILEGED_MSG = ('sockwarden: HostConfig.Privileged "true" runs the container privileged'
                  ' (every capability and device, no seccomp or AppArmor)'
                  ' (policy warned, rule privileged)')

SDK_WARNED = """\
import os
import docker

env = os.environ
client = docker.APIClient(base_url="unix://" + env["SW_SOCK"], version="auto", timeout=60)
resp = client.create_container(env["IMAGE"], ["true"], name=env["NAME"],
                               host_config=client.create_host_config(network_mode="none",
                                                                     privileged=True))
print("warnings", resp["Warnings"])
"""

CASES = [
    {
        # Created, not started: starting a privileged container needs capabilities a test
        # host running in a container may not have, and the policy decides at create.
        "name": "body-warn-privileged-created",
        "policy": "warned",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER create --privileged --network none --name $NAME $IMAGE true",
        "expect": {"exit": 0, "stderr": ["WARNING: " + PRIVILEGED_MSG + "\n"]},
        "audit": [{"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
                   "policy": "warned", "findings": "privileged:warn HostConfig.Privileged"}],
        "verify": [{"cmd": "$DOCKER container inspect --format"
                           " 'privileged={{.HostConfig.Privileged}}' $NAME",
                    "exit": 0, "stdout": ["privileged=true\n"]}],
        "cleanup": [RM],
    },
    {
        # The Warnings array of the create response itself, as an API client reads it.
        "name": "body-warn-sdk-warnings",
        "policy": "warned",
        "proxy_only": True,
        "files": {"sdk.py": SDK_WARNED},
        "cmd": "/usr/bin/python3 sdk.py",
        "timeout": 90,
        "expect": {"exit": 0, "stdout": ["warnings ['" + PRIVILEGED_MSG + "']\n"]},
        "audit": [{"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
                   "findings": "privileged:warn HostConfig.Privileged"}],
        "verify": [{"cmd": "$DOCKER container inspect --format"
                           " 'privileged={{.HostConfig.Privileged}}' $NAME",
                    "exit": 0, "stdout": ["privileged=true\n"]}],
        "cleanup": [RM],
    },
    {
        # No finding, no warning: the response goes through as the daemon sent it.
        "name": "body-warn-clean-run-no-warning",
        "policy": "warned",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER run --rm --network none --name $NAME $IMAGE echo ok",
        "expect": {"exit": 0, "stdout": ["ok\n"], "stderr_not": ["WARNING"]},
        "audit": [{"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
                   "policy": "warned"}],
        "audit_absent": [{"findings": "privileged:warn HostConfig.Privileged"}],
        "cleanup": [RM],
    },
    {
        "name": "body-set-hardening",
        "policy": "mutating",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER run -d --network none --name $NAME $IMAGE sleep 300",
        "expect": {"exit": 0},
        "audit": [{"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
                   "policy": "mutating"}],
        "verify": [
            {"cmd": "$DOCKER container inspect --format 'capdrop={{json .HostConfig.CapDrop}}"
                    " secopt={{json .HostConfig.SecurityOpt}} pids={{.HostConfig.PidsLimit}}"
                    " owner={{index .Config.Labels \"owner\"}}' $NAME",
             "exit": 0, "stdout": ['capdrop=["ALL"] secopt=["no-new-privileges"] pids=100'
                                   ' owner=ci\n']},
            # The hardened container really runs: no capabilities left in its bounding set.
            {"cmd": "$DOCKER exec $NAME cat /proc/1/status", "exit": 0,
             "stdout": ["CapBnd:\t0000000000000000\n", "NoNewPrivs:\t1\n"]},
        ],
        "cleanup": [RM],
    },
    {
        # What the client asked for is overridden: its own label value and pids limit lose.
        "name": "body-set-overrides-client",
        "policy": "mutating",
        "proxy_only": True,
        "clients": BOTH,
        "cmd": "$DOCKER run -d --network none --name $NAME --label owner=someone-else"
               " --pids-limit 5000 --cap-add NET_BIND_SERVICE $IMAGE sleep 300",
        "expect": {"exit": 0},
        "verify": [
            {"cmd": "$DOCKER container inspect --format 'capdrop={{json .HostConfig.CapDrop}}"
                    " pids={{.HostConfig.PidsLimit}} owner={{index .Config.Labels \"owner\"}}'"
                    " $NAME",
             "exit": 0, "stdout": ['capdrop=["ALL"] pids=100 owner=ci\n']},
        ],
        "cleanup": [RM],
    },
]
