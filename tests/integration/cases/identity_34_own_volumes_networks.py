# Ownership isolation: objects a create makes on the side. A mount of type volume may label
# the volume it creates (--mount volume-label=...), so it may not set the owner label; and
# a network name of hex digits only is refused, because a container keeps its networks by
# name and the daemon reads such a name as an id prefix once the network is gone. For the
# same reason a start checks the networks the container keeps by name: once root's network
# is deleted, nobody's network may bear the name.
# Format: see case_exec.py.

from identity_30_ownership import AS_NOBODY, DIRECT, OWN, case

MOUNT = "type=volume,dst=/x,volume-label=io.sockwarden.owner=uid:65534"

CASES = [
    case("own-mount-volume-owner-label-refused",
         OWN + "$DOCKER run --rm --network none --mount " + MOUNT + " $IMAGE true",
         {"exit": 125, "stderr": ["a mount's VolumeOptions.Labels sets the owner label"]},
         setup=[], cleanup=[],
         audit=[{"endpoint": "ContainerCreate", "verdict": "deny", "rule": "ownership"}],
         daemon_not_called=["/containers/create"]),
    case("own-mount-volume-other-label-allowed",
         OWN + "$DOCKER run --rm --network none "
         "--mount type=volume,dst=/x,volume-label=team=web $IMAGE true && echo ran",
         {"exit": 0, "stdout": ["ran"]},
         setup=[], cleanup=[]),
    case("own-network-hex-name-refused",
         OWN + "$DOCKER network create 7413e532",
         {"exit": 1, "stderr": ["a network name of hex digits only"]},
         setup=[], cleanup=[DIRECT + "$DOCKER network rm 7413e532"],
         audit=[{"endpoint": "NetworkCreate", "verdict": "deny", "rule": "ownership"}],
         daemon_not_called=["/networks/create"]),
    case("own-start-network-name-taken-over-refused",
         OWN + "$DOCKER start $NAME-c",
         {"exit": 1, "stderr": ["NetworkSettings.Networks names network $NAME-net, which is "
                                "not yours"]},
         setup=[OWN + "$DOCKER network create $NAME-net",
                OWN + "$DOCKER create --network $NAME-net --name $NAME-c $IMAGE sleep 60",
                # Through the proxy the delete is refused while the container names the
                # network (own-network-delete-named-refused); a prune or an admin may not ask.
                DIRECT + "$DOCKER network rm $NAME-net",
                AS_NOBODY + "$DOCKER network create $NAME-net"],
         cleanup=[DIRECT + "$DOCKER rm -f $NAME-c", DIRECT + "$DOCKER network rm $NAME-net"],
         audit=[{"endpoint": "ContainerStart", "verdict": "deny", "status": 403,
                 "rule": "ownership"}],
         daemon_not_called=["/start"]),
    case("own-start-own-network-allowed",
         OWN + "$DOCKER start $NAME-c && " + OWN + "$DOCKER restart -t 0 $NAME-c && echo up",
         {"exit": 0, "stdout": ["up"]},
         setup=[OWN + "$DOCKER network create $NAME-net",
                OWN + "$DOCKER create --network $NAME-net --name $NAME-c $IMAGE sleep 60"],
         cleanup=[DIRECT + "$DOCKER rm -f $NAME-c", DIRECT + "$DOCKER network rm $NAME-net"],
         audit=[{"endpoint": "ContainerStart", "verdict": "allow"},
                {"endpoint": "ContainerRestart", "verdict": "allow"}]),
    # A second network of an existing name (the daemon honours CheckDuplicate false before
    # API 1.44) would make another client's name ambiguous and quote its id.
    case("own-network-duplicate-name-refused",
         OWN + "curl -sS --unix-socket $OWN_SOCK -H 'Content-Type: application/json' "
         "-w ' http=%{http_code}' -d '{\"Name\":\"'$NAME'-net\",\"CheckDuplicate\":false}' "
         "http://docker/v1.41/networks/create",
         {"exit": 0, "stdout": ["CheckDuplicate false", "http=403"]},
         setup=[AS_NOBODY + "$DOCKER network create $NAME-net"],
         cleanup=[DIRECT + "$DOCKER network rm $NAME-net"],
         audit=[{"endpoint": "NetworkCreate", "verdict": "deny", "rule": "ownership"}],
         daemon_not_called=["/networks/create"]),
    case("own-network-delete-named-refused",
         OWN + "$DOCKER network rm $NAME-net",
         {"exit": 1, "stderr": ["network $NAME-net is still named by 1 container(s)"]},
         setup=[OWN + "$DOCKER network create $NAME-net",
                OWN + "$DOCKER create --network $NAME-net --name $NAME-c $IMAGE true"],
         cleanup=[DIRECT + "$DOCKER rm -f $NAME-c", DIRECT + "$DOCKER network rm $NAME-net"],
         audit=[{"endpoint": "NetworkDelete", "verdict": "deny", "status": 409,
                 "rule": "ownership"}],
         verify=[{"cmd": "$DOCKER network inspect -f '{{.Name}}' $NAME-net", "exit": 0,
                  "stdout": ["$NAME-net"]}]),
    case("own-network-delete-unnamed-allowed",
         OWN + "$DOCKER rm $NAME-c && " + OWN + "$DOCKER network rm $NAME-net && echo gone",
         {"exit": 0, "stdout": ["gone"]},
         setup=[OWN + "$DOCKER network create $NAME-net",
                OWN + "$DOCKER create --network $NAME-net --name $NAME-c $IMAGE true"],
         cleanup=[DIRECT + "$DOCKER rm -f $NAME-c", DIRECT + "$DOCKER network rm $NAME-net"],
         audit=[{"endpoint": "NetworkDelete", "verdict": "allow", "status": 204}]),
    # A prune would remove a network a stopped container still names: refused the same way.
    # (nobody prunes: only its own networks are in question.)
    case("own-network-prune-named-refused",
         AS_NOBODY + "$DOCKER network prune -f",
         {"exit": 1, "stderr": ["a network prune would remove networks that 1 stopped "
                                "container(s) still name"]},
         setup=[AS_NOBODY + "$DOCKER network create $NAME-net",
                AS_NOBODY + "$DOCKER create --network $NAME-net --name $NAME-c $IMAGE true"],
         cleanup=[DIRECT + "$DOCKER rm -f $NAME-c", DIRECT + "$DOCKER network rm $NAME-net"],
         audit=[{"endpoint": "NetworkPrune", "verdict": "deny", "status": 409,
                 "rule": "ownership"}],
         daemon_not_called=["/networks/prune"],
         verify=[{"cmd": "$DOCKER network inspect -f '{{.Name}}' $NAME-net", "exit": 0,
                  "stdout": ["$NAME-net"]}]),
    # Unnamed, the caller's network goes; another owner's stopped container on its own
    # network neither blocks the prune nor loses its network.
    case("own-network-prune-unnamed-allowed",
         AS_NOBODY + "$DOCKER network prune -f",
         {"exit": 0, "stdout": ["$NAME-net"]},
         setup=[AS_NOBODY + "$DOCKER network create $NAME-net",
                OWN + "$DOCKER network create $NAME-rnet",
                OWN + "$DOCKER create --network $NAME-rnet --name $NAME-c $IMAGE true"],
         cleanup=[DIRECT + "$DOCKER rm -f $NAME-c", DIRECT + "$DOCKER network rm $NAME-net",
                  DIRECT + "$DOCKER network rm $NAME-rnet"],
         audit=[{"endpoint": "NetworkPrune", "verdict": "allow", "status": 200}],
         verify=[{"cmd": "$DOCKER network inspect $NAME-net", "exit": 1},
                 {"cmd": "$DOCKER network inspect -f '{{.Name}}' $NAME-rnet", "exit": 0,
                  "stdout": ["$NAME-rnet"]}]),
]
