# Ownership isolation: the "owned" listener of the "identity" instance, policy "tenant"
# (allow everything, ownership: true). Root (owner uid:0) and nobody (owner uid:65534) share
# the socket; each sees and touches only what it created. Setup creates one container and
# one volume for each, through the proxy, so they carry their owner's label.
# Format: see case_exec.py.

OWN = "DOCKER_HOST=unix://$OWN_SOCK "
AS_NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups env " + OWN
DIRECT = "DOCKER_HOST=unix://$DAEMON_SOCK "
SETUP = [
    OWN + "$DOCKER run -d --network none --name $NAME-root -e MY_SECRET=hunter2 "
          "$IMAGE sleep 300",
    AS_NOBODY + "$DOCKER run -d --network none --name $NAME-nobody $IMAGE sleep 300",
    OWN + "$DOCKER volume create $NAME-vroot",
    AS_NOBODY + "$DOCKER volume create $NAME-vnobody",
]
CLEANUP = [DIRECT + "$DOCKER rm -f $NAME-root $NAME-nobody $NAME-x",
           DIRECT + "$DOCKER volume rm -f $NAME-vroot $NAME-vnobody"]

# Network disconnect: nobody's network $NAME-nnet holds root's container $NAME-x (connected
# directly, past the proxy) and nobody's own $NAME-y.
DISCONNECT_SETUP = [AS_NOBODY + "$DOCKER network create $NAME-nnet",
                    OWN + "$DOCKER network create $NAME-rnet",
                    OWN + "$DOCKER create --network $NAME-rnet --name $NAME-x $IMAGE true",
                    DIRECT + "$DOCKER network connect $NAME-nnet $NAME-x",
                    AS_NOBODY + "$DOCKER create --network $NAME-nnet --name $NAME-y $IMAGE true"]
DISCONNECT_CLEANUP = [DIRECT + "$DOCKER rm -f $NAME-x $NAME-y",
                      DIRECT + "$DOCKER network rm $NAME-nnet $NAME-rnet"]
# A refused disconnect: 403 by ownership, nothing sent up, root's $NAME-x still on both.
DISCONNECT_REFUSED = {
    "setup": DISCONNECT_SETUP, "cleanup": DISCONNECT_CLEANUP,
    "audit": [{"endpoint": "NetworkDisconnect", "verdict": "deny", "status": 403,
               "rule": "ownership"}],
    "daemon_not_called": ["/disconnect"],
    "verify": [{"cmd": "$DOCKER inspect -f '{{range $k, $v := .NetworkSettings.Networks}}"
                       "{{$k}} {{end}}' $NAME-x", "exit": 0,
                "stdout": ["$NAME-nnet", "$NAME-rnet"]}]}


def case(name, cmd, expect, **kw):
    c = {"name": name, "policy": "identity", "proxy_only": True, "setup": SETUP, "cmd": cmd,
         "expect": expect, "cleanup": CLEANUP}
    c.update(kw)
    return c


CASES = [
    case("own-ps-shows-only-own", AS_NOBODY + "$DOCKER ps -a --format '{{.Names}}'",
         {"exit": 0, "stdout": ["$NAME-nobody"], "stdout_not": ["$NAME-root"]},
         audit=[{"endpoint": "ContainerList", "verdict": "allow", "listener": "owned",
                 "owner": "uid:65534"}]),
    case("own-ps-root-sees-its-own", OWN + "$DOCKER ps -a --format '{{.Names}}'",
         {"exit": 0, "stdout": ["$NAME-root"], "stdout_not": ["$NAME-nobody"]}),
    case("own-volume-ls-only-own", AS_NOBODY + "$DOCKER volume ls -q",
         {"exit": 0, "stdout": ["$NAME-vnobody"], "stdout_not": ["$NAME-vroot"]}),
    case("own-inspect-by-name-refused", AS_NOBODY + "$DOCKER inspect $NAME-root",
         {"exit": 1, "stderr": ["No such"]},
         audit=[{"endpoint": "ContainerInspect", "verdict": "deny", "status": 404,
                 "rule": "ownership"}]),
    case("own-inspect-by-id-prefix-refused",
         "ID=$(" + DIRECT + "$DOCKER inspect -f '{{.Id}}' $NAME-root | cut -c1-12) && "
         + AS_NOBODY + "$DOCKER inspect $ID",
         {"exit": 1, "stderr": ["No such"]}),
    case("own-exec-logs-stop-rm-refused",
         AS_NOBODY + "$DOCKER exec $NAME-root true; echo exec=$?; "
         + AS_NOBODY + "$DOCKER logs $NAME-root; echo logs=$?; "
         + AS_NOBODY + "$DOCKER stop -t 0 $NAME-root; echo stop=$?; "
         + AS_NOBODY + "$DOCKER rm $NAME-root; echo rm=$?",
         {"exit": 0, "stdout": ["exec=1", "logs=1", "stop=1", "rm=1"]},
         verify=[{"cmd": "$DOCKER inspect -f '{{.State.Running}}' $NAME-root", "exit": 0,
                  "stdout": ["true"]}]),
    case("own-own-container-usable",
         AS_NOBODY + "$DOCKER exec $NAME-nobody echo inside && "
         + AS_NOBODY + "$DOCKER stop -t 0 $NAME-nobody",
         {"exit": 0, "stdout": ["inside", "$NAME-nobody"]}),
    case("own-events-only-own",
         AS_NOBODY + "$DOCKER events --since 5m --until $(($(date +%s) + 1)) --filter type=container "
         "--format '{{.Actor.Attributes.name}}'",
         {"exit": 0, "stdout": ["$NAME-nobody"], "stdout_not": ["$NAME-root"]}),
    case("own-label-forgery-refused",
         AS_NOBODY + "$DOCKER create --network none --name $NAME-x "
         "-l io.sockwarden.owner=uid:0 $IMAGE true",
         {"exit": 1, "stderr": ["sockwarden:"]},
         daemon_not_called=["/containers/create"]),
    case("own-volumes-from-other-refused",
         AS_NOBODY + "$DOCKER create --network none --name $NAME-x "
         "--volumes-from $NAME-root $IMAGE true",
         {"exit": 1, "stderr": ["sockwarden:", "HostConfig.VolumesFrom"]},
         daemon_not_called=["/containers/create"]),
    case("own-mount-other-volume-refused",
         AS_NOBODY + "$DOCKER create --network none --name $NAME-x "
         "-v $NAME-vroot:/data $IMAGE true",
         {"exit": 1, "stderr": ["sockwarden:", "HostConfig.Binds"]},
         daemon_not_called=["/containers/create"]),
    case("own-volume-create-existing-name-refused",
         AS_NOBODY + "$DOCKER volume create $NAME-vroot",
         {"exit": 1, "stderr": ["sockwarden:", "another owner"]},
         audit=[{"endpoint": "VolumeCreate", "verdict": "deny", "status": 409,
                 "rule": "ownership"}]),
    # The containers a create names go up by the full id that was checked, so that a name
    # changing hands, or naming another's id prefix, cannot swap them: the daemon keeps
    # VolumesFrom as sent, mode included.
    case("own-volumes-from-own-pinned-to-id",
         AS_NOBODY + "$DOCKER create --network none --name $NAME-x "
         "--volumes-from $NAME-nobody:ro $IMAGE true >/dev/null && echo created",
         {"exit": 0, "stdout": ["created"]},
         audit=[{"endpoint": "ContainerCreate", "verdict": "allow", "status": 201}],
         verify=[{"cmd": "test \"$($DOCKER inspect -f '{{json .HostConfig.VolumesFrom}}' "
                         "$NAME-x)\" = \"[\\\"$($DOCKER inspect -f '{{.Id}}' $NAME-nobody)"
                         ":ro\\\"]\"",
                  "exit": 0}]),
    # NetworkConnect's Container goes up by id too; naming one's own container still works.
    # The create's network goes up by id (NetworkMode, EndpointsConfig); the daemon still
    # keys the container's networks by name.
    case("own-network-connect-own-container",
         AS_NOBODY + "$DOCKER network create $NAME-n1 >/dev/null && "
         + AS_NOBODY + "$DOCKER network create $NAME-n2 >/dev/null && "
         + AS_NOBODY + "$DOCKER create --network $NAME-n1 --name $NAME-x $IMAGE true "
         ">/dev/null && " + AS_NOBODY + "$DOCKER network connect $NAME-n2 $NAME-x && "
         "echo connected",
         {"exit": 0, "stdout": ["connected"]},
         audit=[{"endpoint": "NetworkConnect", "verdict": "allow", "status": 200}],
         verify=[{"cmd": "$DOCKER inspect -f '{{range $k, $v := .NetworkSettings.Networks}}"
                         "{{$k}} {{end}}' $NAME-x", "exit": 0,
                  "stdout": ["$NAME-n1", "$NAME-n2"]},
                 {"cmd": "test \"$($DOCKER inspect -f '{{.HostConfig.NetworkMode}}' $NAME-x)\" = "
                         "\"$($DOCKER network inspect -f '{{.Id}}' $NAME-n1)\"",
                  "exit": 0}],
         cleanup=CLEANUP + [DIRECT + "$DOCKER network rm $NAME-n1 $NAME-n2"]),
    # NetworkDisconnect's Container must be the caller's too, even on the caller's own
    # network: root's container, connected to nobody's network behind the proxy's back, is
    # not nobody's to cut off, by name, by id prefix or with --force.
    case("own-network-disconnect-others-container-refused",
         AS_NOBODY + "$DOCKER network disconnect $NAME-nnet $NAME-x; echo name=$?; "
         "ID=$(" + DIRECT + "$DOCKER inspect -f '{{.Id}}' $NAME-x | cut -c1-12) && "
         + AS_NOBODY + "$DOCKER network disconnect $NAME-nnet $ID; echo prefix=$?; "
         + AS_NOBODY + "$DOCKER network disconnect -f $NAME-nnet $NAME-x; echo force=$?",
         {"exit": 0, "stdout": ["name=1", "prefix=1", "force=1"],
          "stderr": ["sockwarden: Container names container $NAME-x, which is not yours"]},
         **DISCONNECT_REFUSED),
    # A name written "/name", as the daemon shows names, cannot be looked up as written: the
    # same 403 as a container that is not the caller's, naming the field, nothing sent up.
    case("own-network-disconnect-slash-name-refused",
         AS_NOBODY + "$DOCKER network disconnect $NAME-nnet /$NAME-x; echo slash=$?",
         {"exit": 0, "stdout": ["slash=1"],
          "stderr": ["sockwarden: Container names container /$NAME-x, which is not yours or "
                     "does not exist"]},
         **DISCONNECT_REFUSED),
    case("own-network-disconnect-own-container",
         AS_NOBODY + "$DOCKER network disconnect $NAME-nnet $NAME-y && echo disconnected",
         {"exit": 0, "stdout": ["disconnected"]},
         setup=DISCONNECT_SETUP, cleanup=DISCONNECT_CLEANUP,
         audit=[{"endpoint": "NetworkDisconnect", "verdict": "allow", "status": 200}],
         verify=[{"cmd": "$DOCKER inspect -f '{{range $k, $v := .NetworkSettings.Networks}}"
                         "{{$k}} {{end}}' $NAME-y", "exit": 0, "stdout_empty": True}]),
    case("own-system-df-only-own", AS_NOBODY + "$DOCKER system df -v",
         {"exit": 0, "stdout": ["$NAME-nobody", "$NAME-vnobody"],
          "stdout_not": ["$NAME-root", "$NAME-vroot"]}),
    case("own-inspect-redacts-env", OWN + "$DOCKER inspect -f '{{json .Config.Env}}' $NAME-root",
         {"exit": 0, "stdout": ["MY_SECRET=<redacted>"], "stdout_not": ["hunter2"]}),
    case("own-container-prune-only-own",
         OWN + "$DOCKER stop -t 0 $NAME-root && " + AS_NOBODY + "$DOCKER stop -t 0 $NAME-nobody"
         " && " + AS_NOBODY + "$DOCKER container prune -f",
         {"exit": 0},
         verify=[{"cmd": "$DOCKER inspect -f '{{.Name}}' $NAME-root", "exit": 0},
                 {"cmd": "$DOCKER inspect $NAME-nobody", "exit": 1}]),
    # Label values matching the policy's redact.labels ("secret.*") are redacted in lists,
    # system df and the events stream too, not only in inspect answers.
    case("own-ps-labels-redacted",
         OWN + "$DOCKER create --network none --name $NAME-x -l secret.db=hunter2 -l app=shop "
         "$IMAGE true >/dev/null && "
         + OWN + "$DOCKER ps -a --filter name=$NAME-x --format '{{json .Labels}}'",
         {"exit": 0, "stdout": ["app=shop"], "stdout_regex": r"secret\.db=(<|\\u003c)redacted",
          "stdout_not": ["hunter2"]}),
    case("own-volume-ls-labels-redacted",
         OWN + "$DOCKER volume create --label secret.key=hunter2 $NAME-vx >/dev/null && "
         + OWN + "$DOCKER volume ls --filter name=$NAME-vx --format '{{.Name}} {{.Labels}}'",
         {"exit": 0, "stdout": ["$NAME-vx", "secret.key=<redacted>"], "stdout_not": ["hunter2"]},
         cleanup=CLEANUP + [DIRECT + "$DOCKER volume rm -f $NAME-vx"]),
    case("own-network-ls-labels-redacted",
         OWN + "$DOCKER network create --label secret.net=hunter2 $NAME-net >/dev/null && "
         + OWN + "$DOCKER network ls --filter name=$NAME-net --format '{{.Name}} {{.Labels}}'",
         {"exit": 0, "stdout": ["$NAME-net", "secret.net=<redacted>"],
          "stdout_not": ["hunter2"]},
         cleanup=CLEANUP + [DIRECT + "$DOCKER network rm $NAME-net"]),
    case("own-system-df-labels-redacted",
         OWN + "$DOCKER volume create --label secret.key=hunter2 $NAME-vx >/dev/null && "
         "curl -sS --unix-socket $OWN_SOCK http://docker/system/df",
         {"exit": 0, "stdout": ["$NAME-vx", '"secret.key":"<redacted>"'],
          "stdout_not": ["hunter2", "$NAME-vnobody"]},
         cleanup=CLEANUP + [DIRECT + "$DOCKER volume rm -f $NAME-vx"]),
    # The events stream is redacted message by message while it flows: the listener runs
    # in the background (until a deadline) while the labelled container is created.
    case("own-events-labels-redacted",
         "S=$(date +%s); " + OWN + "$DOCKER events --since $S --until $((S + 6)) "
         "--filter type=container --filter event=create "
         "--format '{{json .Actor.Attributes}}' > events.out & P=$!; sleep 2; "
         + OWN + "$DOCKER create --network none --name $NAME-x -l secret.db=hunter2 "
         "-l app=shop $IMAGE true >/dev/null; wait $P; cat events.out",
         {"exit": 0, "stdout": ['"app":"shop"', '"name":"$NAME-x"'],
          "stdout_regex": r'"secret\.db":"(<|\\u003c)redacted', "stdout_not": ["hunter2"]}),
]

# Image names. Writing a name (docker tag, build -t, pull) moves it off whatever image held
# it: allowed when the name is new or already on one of the caller's images. Setup: root
# and nobody each build an image through the owned socket, so each carries its owner's
# label (nobody reads the context from stdin: it cannot read the case directory).
IMG_FILES = {"ctx/Dockerfile": "FROM scratch\nCOPY f /f\n", "ctx/f": "$NAME\n"}
BUILD = "DOCKER_BUILDKIT=0 $DOCKER build -q "
NOBODY_BUILD = "tar -C ctx -c . | " + AS_NOBODY + BUILD
IMG_SETUP = [OWN + BUILD + "-t $NAME-rimg ctx", NOBODY_BUILD + "-t $NAME-nimg -"]
IMG_CLEANUP = [DIRECT + "$DOCKER rmi -f $NAME-rimg $NAME-nimg $NAME-nnew $NAME-nnew:v2"]
OWNER_OF = "$DOCKER image inspect -f '{{index .Config.Labels \"io.sockwarden.owner\"}}' "


def img_case(name, cmd, expect, **kw):
    """A case with the build context and its images; any of them may be given instead."""
    return case(name, cmd, expect, **{"files": IMG_FILES, "setup": IMG_SETUP,
                                      "cleanup": IMG_CLEANUP, "timeout": 90, **kw})


def refused(endpoint, status, target, verify=()):
    """The keys of a case refused by ownership: its audit line, and no request whose target
    contains "target" reached the daemon (plus the checks "verify" of its state)."""
    keys = {"audit": [{"endpoint": endpoint, "verdict": "deny", "status": status,
                       "rule": "ownership"}],
            "daemon_not_called": [target]}
    if verify:
        keys["verify"] = list(verify)
    return keys


# Network names. A network created --config-from copies a config-only network, which must be
# the caller's too. The fixture daemon has no bridge of its own but creates bridge networks.
NET_SETUP = [OWN + "$DOCKER network create --config-only --subnet 10.231.1.0/24 $NAME-rcfg"]
NET_CLEANUP = [DIRECT + "$DOCKER network rm $NAME-nnet", DIRECT + "$DOCKER network rm $NAME-ncfg",
               DIRECT + "$DOCKER network rm $NAME-rcfg"]

CASES += [
    img_case("own-tag-onto-others-name-refused",
             AS_NOBODY + "$DOCKER tag $NAME-nimg $NAME-rimg; echo root=$?; "
             + AS_NOBODY + "$DOCKER tag $NAME-nimg $IMAGE; echo unlabelled=$?",
             {"exit": 0, "stdout": ["root=1", "unlabelled=1"],
              "stderr": ["sockwarden: ImageTag would move tag $NAME-rimg:latest (repo/tag) off "
                         "an image that is not yours", "would move tag $IMAGE (repo/tag) off"]},
             audit=[{"endpoint": "ImageTag", "verdict": "deny", "status": 403,
                     "rule": "ownership"}],
             daemon_not_called=["/tag"],
             verify=[{"cmd": OWNER_OF + "$NAME-rimg", "exit": 0, "stdout": ["uid:0"]},
                     {"cmd": OWNER_OF + "$IMAGE | grep uid:", "exit": 1}]),
    img_case("own-build-onto-others-name-refused",
             NOBODY_BUILD + "-t $NAME-ok -t $NAME-rimg -",
             {"exit": 1, "stderr": ["sockwarden: ImageBuild would move tag $NAME-rimg:latest (t)"]},
             daemon_not_called=["/build"],
             verify=[{"cmd": OWNER_OF + "$NAME-rimg", "exit": 0, "stdout": ["uid:0"]}]),
    img_case("own-tag-own-image-allowed",
             AS_NOBODY + "$DOCKER tag $NAME-nimg $NAME-nnew && "
             + AS_NOBODY + "$DOCKER tag $NAME-nnew $NAME-nnew:v2 && "
             + AS_NOBODY + "$DOCKER tag $NAME-nnew:v2 $NAME-nimg && "
             + NOBODY_BUILD + "-t $NAME-nimg - && echo done",
             {"exit": 0, "stdout": ["done"]},
             audit=[{"endpoint": "ImageTag", "verdict": "allow", "status": 201},
                    {"endpoint": "ImageBuild", "verdict": "allow", "status": 200}],
             verify=[{"cmd": OWNER_OF + "$NAME-nnew:v2", "exit": 0, "stdout": ["uid:65534"]},
                     {"cmd": OWNER_OF + "$NAME-nimg", "exit": 0, "stdout": ["uid:65534"]}]),
    # A re-pull of a name that a pulled (unlabelled) image holds is refused like a tag; no
    # registry is reached, so the pull is refused before it starts. Pulling every tag is too.
    case("own-pull-onto-existing-name-refused",
         AS_NOBODY + "$DOCKER pull $IMAGE; echo pull=$?; "
         + AS_NOBODY + "$DOCKER pull -a busybox; echo all=$?",
         {"exit": 0, "stdout": ["pull=1", "all=1"],
          "stderr": ["sockwarden: ImageCreate would move tag $IMAGE (fromImage/tag) off",
                     "pulling every tag"]},
         setup=[], cleanup=[], daemon_not_called=["/images/create"]),
    case("own-network-config-from-others-refused",
         AS_NOBODY + "$DOCKER network create --config-from $NAME-rcfg $NAME-nnet",
         {"exit": 1, "stderr": ["sockwarden: ConfigFrom.Network names network $NAME-rcfg, "
                                "which is not yours"]},
         setup=NET_SETUP, cleanup=NET_CLEANUP,
         audit=[{"endpoint": "NetworkCreate", "verdict": "deny", "status": 403,
                 "rule": "ownership"}],
         daemon_not_called=["/networks/create"]),
    # The daemon finds a config-only network by name only: the caller's own, named by an
    # id prefix (which the ownership lookup resolves), is refused before the daemon could
    # take that text for another network's name; straight to the daemon it fails too.
    case("own-network-config-from-own-by-id-refused",
         "ID=$(" + AS_NOBODY + "$DOCKER network inspect -f '{{.Id}}' $NAME-ncfg | cut -c1-12) "
         "&& echo \"id=$ID\" && " + AS_NOBODY
         + "$DOCKER network create --config-from \"$ID\" $NAME-nnet",
         {"exit": 1, "stdout": ["id="],
          "stderr": ["sockwarden: ConfigFrom.Network names network ",
                     " by id; the daemon takes it by name only"]},
         setup=NET_SETUP + [AS_NOBODY + "$DOCKER network create --config-only "
                                        "--subnet 10.231.3.0/24 $NAME-ncfg"],
         cleanup=NET_CLEANUP,
         audit=[{"endpoint": "NetworkCreate", "verdict": "deny", "status": 404,
                 "rule": "ownership"}],
         daemon_not_called=["/networks/create"],
         verify=[{"cmd": "ID=$($DOCKER network inspect -f '{{.Id}}' $NAME-ncfg | cut -c1-12) && "
                         + DIRECT + "$DOCKER network create --config-from \"$ID\" $NAME-nnet; "
                         "echo direct=$?",
                  "exit": 0, "stdout": ["direct=1"]}]),
    case("own-network-config-from-own-allowed",
         AS_NOBODY + "$DOCKER network create --config-only --subnet 10.231.2.0/24 $NAME-ncfg && "
         + AS_NOBODY + "$DOCKER network create --config-from $NAME-ncfg $NAME-nnet && "
         + AS_NOBODY + "$DOCKER network inspect -f '{{.ConfigFrom.Network}}' $NAME-nnet",
         {"exit": 0, "stdout": ["$NAME-ncfg"]},
         setup=NET_SETUP, cleanup=NET_CLEANUP,
         verify=[{"cmd": "$DOCKER network inspect -f "
                         "'{{index .Labels \"io.sockwarden.owner\"}}' $NAME-nnet",
                  "exit": 0, "stdout": ["uid:65534"]}]),
]

# Go's r.Form puts form-body fields before the query's: a "filters" sent that way would
# replace the owner filter, a "repo"/"tag" the names checked. Refused before anything
# reaches the daemon, whatever the spelling Go's mime.ParseMediaType still reads as a form
# (it trims Unicode space and lower-cases U+0130 to 'i').
FORM_TYPES = [
    ("", "'Content-Type: application/x-www-form-urlencoded'"),
    ("-leading-nbsp",
     "\"$(printf 'Content-Type: \\302\\240application/x-www-form-urlencoded')\""),
    ("-dotted-capital-i",
     "\"$(printf 'Content-Type: APPL\\304\\260CATION/x-www-form-urlencoded')\""),
]
for suffix, header in FORM_TYPES:
    CASES += [
        case("own-prune-form-body" + suffix + "-refused",
             "curl -sS --unix-socket $OWN_SOCK -X POST -H " + header + " "
             "--data-urlencode 'filters={\"until\":[\"0s\"]}' "
             "-w ' status=%{http_code}' http://docker/containers/prune",
             {"exit": 0, "stdout": ["sockwarden: ContainerPrune with a form body is refused",
                                    "status=400"]},
             daemon_not_called=["/containers/prune"],
             verify=[{"cmd": "$DOCKER inspect $NAME-root", "exit": 0}]),
        case("own-tag-form-body" + suffix + "-refused",
             "curl -sS --unix-socket $OWN_SOCK -X POST -H " + header + " "
             "--data 'repo=busybox&tag=sw' "
             "-w ' status=%{http_code}' 'http://docker/images/$IMAGE/tag?repo=$NAME-new'",
             {"exit": 0, "stdout": ["sockwarden: ImageTag with a form body is refused",
                                    "status=400"]},
             setup=[], cleanup=[], daemon_not_called=["/tag"]),
    ]

# An endpoint's NetworkID is the network the daemon attaches to in place of the one its key
# (or NetworkConnect's path) names, when that is user-defined (getNetworkID): it must be the
# caller's too. Here the key and the path are nobody's own network, the NetworkID root's.
NETID_SETUP = SETUP + [OWN + "$DOCKER network create $NAME-rnet",
                       AS_NOBODY + "$DOCKER network create $NAME-nnet"]
NETID_POST = (AS_NOBODY + "curl -sS --unix-socket $OWN_SOCK -H 'Content-Type: application/json' "
              "-w ' status=%{http_code}\\n' ")
CASES += [
    case("own-endpoint-network-id-others-refused",
         "RID=$(" + DIRECT + "$DOCKER network inspect -f '{{.Id}}' $NAME-rnet) && "
         + NETID_POST + "-d '{\"Image\":\"'$IMAGE'\",\"NetworkingConfig\":{\"EndpointsConfig\":"
         "{\"'$NAME-nnet'\":{\"NetworkID\":\"'$RID'\"}}}}' "
         "\"http://docker/containers/create?name=$NAME-x\" && "
         + NETID_POST + "-d '{\"Container\":\"'$NAME-nobody'\",\"EndpointConfig\":"
         "{\"NetworkID\":\"'$RID'\"}}' \"http://docker/networks/$NAME-nnet/connect\"",
         {"exit": 0, "stdout": ["EndpointConfig.NetworkID names network", "status=403"],
          "stdout_not": ["status=2"]},
         setup=NETID_SETUP, daemon_not_called=["/containers/create", "/connect"],
         verify=[{"cmd": "$DOCKER inspect $NAME-x", "exit": 1},
                 {"cmd": "$DOCKER network inspect -f '{{len .Containers}}' $NAME-rnet",
                  "exit": 0, "stdout": ["0"]}],
         cleanup=CLEANUP + [DIRECT + "$DOCKER network rm $NAME-rnet $NAME-nnet"]),
]

# An EndpointsConfig key "" names no network that could be checked (the daemon would read it
# as an id prefix, which every network's id has): a clean 403, nothing sent up.
CASES += [
    case("own-endpoints-config-empty-key-refused",
         NETID_POST + "-d '{\"Image\":\"'$IMAGE'\",\"NetworkingConfig\":{\"EndpointsConfig\":"
         "{\"\":{}}}}' \"http://docker/containers/create?name=$NAME-x\"",
         {"exit": 0, "stdout": ["EndpointsConfig names a network without a name", "status=403"]},
         setup=[], cleanup=[DIRECT + "$DOCKER rm -f $NAME-x"],
         daemon_not_called=["/containers/create"],
         audit=[{"endpoint": "ContainerCreate", "verdict": "deny", "status": 403,
                 "rule": "ownership"}],
         verify=[{"cmd": "$DOCKER inspect $NAME-x", "exit": 1}]),
]
