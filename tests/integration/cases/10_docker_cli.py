# The docker CLI through sockwarden with the permissive "all" policy: everything a person
# does day to day must keep working, with both the modern CLI and the 20.10 one.
# Format: see case_exec.py.

BOTH = ["modern", "legacy"]
# A stopped container the case can inspect, copy to and from, export.
CREATE = "$DOCKER create --name $NAME --network none $IMAGE true"
# A running container for exec; rm -f kills it at once (sleep ignores SIGTERM as PID 1).
RUN_SLEEP = "$DOCKER run -d --name $NAME --network none $IMAGE sleep 300"
RM = "$DOCKER rm -f $NAME"

CASES = [
    {
        "name": "version",
        "clients": BOTH,
        "cmd": "$DOCKER version",
        "expect": {"exit": 0, "stdout": ["Server:", "API version:"]},
        "audit": [
            {"endpoint": "SystemPingHead", "verdict": "allow", "status": 200},
            {"endpoint": "SystemVersion", "verdict": "allow", "status": 200,
             "policy": "all", "listener": "main", "client": {"uid": 0, "gid": 0}},
        ],
    },
    {
        "name": "ps",
        "clients": BOTH,
        "setup": [CREATE],
        "cmd": "$DOCKER ps -a --format '{{.Names}} {{.Image}}'",
        "expect": {"exit": 0, "stdout": ["$NAME $IMAGE"]},
        "audit": [{"endpoint": "ContainerList", "verdict": "allow", "status": 200}],
        "cleanup": [RM],
    },
    {
        "name": "inspect",
        "clients": BOTH,
        "setup": [CREATE],
        "cmd": "$DOCKER inspect"
               " --format '{{.Name}} {{.Config.Image}} {{.HostConfig.NetworkMode}}' $NAME",
        "expect": {"exit": 0, "stdout": ["/$NAME $IMAGE none"]},
        "audit": [{"endpoint": "ContainerInspect", "verdict": "allow", "status": 200}],
        "cleanup": [RM],
    },
    {
        "name": "run-echo",
        "clients": BOTH,
        "cmd": "$DOCKER run --rm --network none --name $NAME $IMAGE echo hi",
        "expect": {"exit": 0, "stdout": ["hi\n"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "status": 201},
            {"endpoint": "ContainerAttach", "verdict": "allow"},
            {"endpoint": "ContainerStart", "verdict": "allow", "status": 204},
            {"endpoint": "ContainerWait", "verdict": "allow", "status": 200},
        ],
        "verify": [{"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM],
    },
    {
        # stdin EOF must travel through the tunnel (half-close) or cat never exits.
        "name": "run-stdin-eof",
        "clients": BOTH,
        "cmd": "$DOCKER run -i --rm --network none --name $NAME $IMAGE cat",
        "stdin": "hello\n",
        "timeout": 45,
        "expect": {"exit": 0, "stdout": ["hello\n"]},
        "cleanup": [RM],
    },
    {
        "name": "exec-stdin-eof",
        "clients": BOTH,
        "setup": [RUN_SLEEP],
        "cmd": "$DOCKER exec -i $NAME cat",
        "stdin": "hello exec\n",
        "timeout": 45,
        "expect": {"exit": 0, "stdout": ["hello exec\n"]},
        "audit": [
            {"endpoint": "ContainerExec", "verdict": "allow", "status": 201},
            {"endpoint": "ExecStart", "verdict": "allow"},
        ],
        "cleanup": [RM],
    },
    {
        # An interactive shell on a terminal: keystrokes in, output back, exit ends it.
        "name": "exec-tty",
        "clients": BOTH,
        "setup": [RUN_SLEEP],
        "cmd": "$DOCKER exec -it $NAME sh",
        "tty": {"script": [["# ", "tty; echo $((6*7))\n"], ["42", "exit\n"]]},
        "timeout": 45,
        "expect": {"exit": 0, "stdout": ["/dev/pts/", "42"]},
        "audit": [{"endpoint": "ExecStart", "verdict": "allow"}],
        "cleanup": [RM],
    },
    {
        # run -it: attach with a terminal, then the container exits with the shell.
        "name": "run-tty",
        "clients": BOTH,
        "cmd": "$DOCKER run -it --rm --network none --name $NAME $IMAGE sh",
        "tty": {"script": [["# ", "tty; echo $((7*6))x\n"], ["42x", "exit 3\n"]]},
        "timeout": 45,
        "expect": {"exit": 3, "stdout": ["/dev/pts/0", "42x"]},
        "audit": [{"endpoint": "ContainerAttach", "verdict": "allow"}],
        "verify": [{"cmd": "$DOCKER container inspect $NAME", "exit": 1}],
        "cleanup": [RM],
    },
    {
        # logs -f has to follow the stream until the container exits.
        "name": "logs-follow",
        "clients": BOTH,
        "setup": ["$DOCKER run -d --name $NAME --network none $IMAGE"
                  " sh -c 'echo one; sleep 2; echo two'"],
        "cmd": "$DOCKER logs -f $NAME",
        "timeout": 45,
        "expect": {"exit": 0, "stdout": ["one\ntwo\n"]},
        "audit": [{"endpoint": "ContainerLogs", "verdict": "allow", "status": 200}],
        "cleanup": [RM],
    },
    {
        "name": "events-since-until",
        "clients": BOTH,
        "cmd": "t0=$(date +%s) && " + CREATE + " >/dev/null && $DOCKER rm $NAME >/dev/null"
               " && $DOCKER events --since $t0 --until $(($(date +%s) + 1))"
               " --filter container=$NAME --format '{{.Action}} {{.Actor.Attributes.name}}'",
        "timeout": 45,
        "expect": {"exit": 0, "stdout": ["create $NAME", "destroy $NAME"]},
        "audit": [{"endpoint": "SystemEvents", "verdict": "allow", "status": 200}],
        "cleanup": [RM],
    },
    {
        # The stream is open (the daemon counts the listener) before the create happens.
        "name": "events-live",
        "clients": BOTH,
        "bg": {"cmd": "$DOCKER events --filter type=container --filter event=create"
                  " --format '{{.Actor.Attributes.name}}'",
               "ready": "events_listener"},
        "cmd": CREATE,
        "expect": {"exit": 0},
        "bg_expect": {"stdout": ["$NAME\n"]},
        "cleanup": [RM],
    },
    {
        # Both directions, with the upload checked through the daemon directly.
        "name": "cp-both-ways",
        "clients": BOTH,
        "setup": [CREATE],
        "cmd": "echo \"payload $NAME\" > in.txt && $DOCKER cp in.txt $NAME:/tmp/in.txt"
               " && $DOCKER cp $NAME:/tmp/in.txt out.txt && cat out.txt",
        "expect": {"exit": 0, "stdout": ["payload $NAME\n"]},
        "audit": [
            {"endpoint": "PutContainerArchive", "verdict": "allow", "status": 200},
            {"endpoint": "ContainerArchive", "verdict": "allow", "status": 200},
        ],
        "verify": [{"cmd": "$DOCKER cp $NAME:/tmp/in.txt - | tar -xO", "exit": 0,
                    "stdout": ["payload $NAME\n"]}],
        "cleanup": [RM],
    },
    {
        # The daemon sends it in 32 KiB chunks, which the proxy splices: the bytes must
        # be exactly those of an export straight from the daemon.
        "name": "export",
        "clients": BOTH,
        "setup": [CREATE, "$DOCKER export $NAME | sha256sum > direct.sha"],
        "cmd": "$DOCKER export $NAME > out.tar && tar -tf out.tar && "
               "sha256sum < out.tar | cmp -s - direct.sha && echo same-bytes-as-direct",
        "expect": {"exit": 0, "stdout": ["bin/busybox\n", "same-bytes-as-direct"]},
        "audit": [{"endpoint": "ContainerExport", "verdict": "allow", "status": 200}],
        "cleanup": [RM],
    },
    {
        "name": "save-load",
        "clients": BOTH,
        "cmd": "$DOCKER save $IMAGE | $DOCKER load",
        "timeout": 90,
        "expect": {"exit": 0, "stdout": ["Loaded image: $IMAGE"]},
        "audit": [
            {"endpoint": "ImageGetAll", "verdict": "allow", "status": 200},
            {"endpoint": "ImageLoad", "verdict": "allow", "status": 200},
        ],
    },
    {
        # Classic builder; scratch has no shell, so check the built file by copying it out.
        "name": "build-scratch",
        "clients": BOTH,
        "files": {
            "ctx/Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\n",
            "ctx/hello.txt": "hello from $NAME\n",
        },
        "cmd": "DOCKER_BUILDKIT=0 $DOCKER build -t $NAME:built ctx"
               " && $DOCKER create --name $NAME $NAME:built true >/dev/null"
               " && $DOCKER cp $NAME:/hello.txt - | tar -xO",
        "timeout": 90,
        "expect": {"exit": 0, "stdout": ["hello from $NAME\n"]},
        "audit": [{"endpoint": "ImageBuild", "verdict": "allow", "status": 200}],
        "verify": [{"cmd": "$DOCKER image inspect --format '{{.Id}}' $NAME:built", "exit": 0,
                    "stdout": ["sha256:"]}],
        "cleanup": [RM, "$DOCKER rmi $NAME:built"],
    },
]
