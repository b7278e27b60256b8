# Ownership isolation: the image a container is made from. A create's Image is resolved as
# the daemon's create resolves it (name, then id prefix) and must be the caller's own image,
# or an image nobody owns (busybox:sw, imported straight on the daemon, like a pulled one).
# Another tenant's private image is refused by name and by id prefix, before the daemon
# sees the create; a missing image still gets the daemon's 404, on which the CLI pulls.
# Setup: root and nobody each build an image through the owned socket, so each carries its
# owner's label; each holds a file with its owner's secret. Format: see case_exec.py.

from identity_30_ownership import AS_NOBODY, DIRECT, OWN, case, refused
from identity_30_ownership import img_case as base_case

FILES = {"ctx/Dockerfile": "FROM $IMAGE\nCOPY f /f\n", "ctx/f": "secret-of-$NAME\n"}
CLEANUP = [DIRECT + "$DOCKER rm -f $NAME-x",
           DIRECT + "$DOCKER rmi -f $NAME-rimg $NAME-nimg"]
RUN = "$DOCKER run --rm --network none "
# The first 12 hex digits of an image's id, asked of the daemon directly.
ID_OF = "$(" + DIRECT + "$DOCKER image inspect -f '{{.Id}}' %s | cut -c8-19)"


def img_case(name, cmd, expect, **kw):
    # identity_30's images ($NAME-rimg root's, $NAME-nimg nobody's), built from FILES.
    return base_case(name, cmd, expect, files=FILES, cleanup=CLEANUP, timeout=120, **kw)


# Refused: nothing reaches the daemon's create, no container is made, the secret stays.
REFUSED = refused("ContainerCreate", 403, "/containers/create",
                  verify=[{"cmd": "$DOCKER inspect $NAME-x", "exit": 1}])

CASES = [
    img_case("own-run-others-image-by-name-refused",
             OWN + RUN + "--name $NAME-x $NAME-nimg cat /f",
             {"exit": 125, "stdout_not": ["secret-of"],
              "stderr": ["sockwarden: Image names image $NAME-nimg, which is not yours "
                         "(policy tenant, ownership)"]},
             **REFUSED),
    img_case("own-run-others-image-by-id-prefix-refused",
             "ID=" + ID_OF % "$NAME-rimg" + " && echo \"id=$ID\" && "
             + AS_NOBODY + RUN + "--name $NAME-x \"$ID\" cat /f",
             {"exit": 125, "stdout": ["id="], "stdout_not": ["secret-of"],
              "stderr": ["sockwarden: Image names image ", ", which is not yours"]},
             **REFUSED),
    # The body as the API takes it: by ownership (403); with Image in another case, which
    # Go's decoder would read, by the body check before ownership (400); nothing reaches the
    # daemon.
    img_case("own-create-others-image-raw-api-refused",
             AS_NOBODY + "curl -sS --unix-socket $OWN_SOCK -H 'Content-Type: application/json' "
             "-w ' upper=%{http_code}\\n' -d '{\"Image\":\"'$NAME-rimg'\"}' "
             "\"http://docker/containers/create?name=$NAME-x\"; "
             + AS_NOBODY + "curl -sS --unix-socket $OWN_SOCK -H 'Content-Type: application/json' "
             "-w ' lower=%{http_code}\\n' -d '{\"image\":\"'$NAME-rimg'\"}' "
             "\"http://docker/containers/create?name=$NAME-x\"",
             {"exit": 0, "stdout": ["Image names image $NAME-rimg, which is not yours",
                                    "upper=403", "key \\\"image\\\" must be spelled",
                                    "lower=400"]},
             daemon_not_called=["/containers/create"],
             verify=[{"cmd": "$DOCKER inspect $NAME-x", "exit": 1}]),
    # Legitimate use: the caller's own image and an unowned one, by name and by id prefix;
    # the container keeps the image name it was made from (not pinned to the id).
    img_case("own-run-own-and-unowned-images",
             AS_NOBODY + RUN + "$NAME-nimg cat /f && "
             + AS_NOBODY + RUN + ID_OF % "$NAME-nimg" + " cat /f && "
             + AS_NOBODY + RUN + "$IMAGE echo unowned-by-name && "
             + AS_NOBODY + RUN + ID_OF % "$IMAGE" + " echo unowned-by-id && "
             + OWN + "$DOCKER create --network none --name $NAME-x $NAME-rimg true "
             ">/dev/null && echo created",
             {"exit": 0, "stdout": ["secret-of-$NAME", "unowned-by-name", "unowned-by-id",
                                    "created"]},
             audit=[{"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
                     "owner": "uid:65534"},
                    {"endpoint": "ContainerCreate", "verdict": "allow", "status": 201,
                     "owner": "uid:0"}],
             verify=[{"cmd": "$DOCKER inspect -f '{{.Config.Image}}' $NAME-x", "exit": 0,
                      "stdout": ["$NAME-rimg"]},
                     {"cmd": "$DOCKER ps -a --filter name=$NAME-x --format '{{.Image}}'",
                      "exit": 0, "stdout": ["$NAME-rimg"]}]),
    # A missing image: the daemon's own 404 "No such image", on which both CLIs pull (here
    # from a registry that is not there) as they do without the proxy.
    case("own-run-missing-image-pulls",
         OWN + RUN + "127.0.0.1:1/$NAME-missing:v1 true",
         {"exit": 125, "stderr": ["Unable to find image '127.0.0.1:1/$NAME-missing:v1' "
                                  "locally"]},
         clients=["modern", "legacy"], setup=[], cleanup=[],
         daemon_not_called=["/containers/create"],
         audit=[{"endpoint": "ContainerCreate", "verdict": "deny", "status": 404,
                 "rule": "ownership"},
                {"endpoint": "ImageCreate", "verdict": "allow"}]),
]
