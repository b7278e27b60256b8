# Ownership isolation of image imports and classic builds, on the "owned" listener of the
# "identity" instance (see identity_30_ownership.py, whose helpers these cases use).
# - An import (POST /images/create without fromImage) gets the owner label as its last
#   "changes" value, so the image is the caller's like a built one; changes that name the
#   owner label, or could swallow the line that sets it, are refused before the daemon.
# - A build's networkmode "container:<x>" would run its RUN steps in x's network namespace:
#   refused; none and the default still build.
# Format: see case_exec.py.

from identity_30_ownership import (AS_NOBODY, CLEANUP, DIRECT, NOBODY_BUILD, OWN, OWNER_OF,
                                   SETUP, img_case, refused)

# nobody cannot read the case directory: the tarball comes on stdin (fromSrc=-).
TARBALL = "tar -C ctx -c f | "
IMPORT = TARBALL + AS_NOBODY + "$DOCKER import "
IMP_CLEANUP = CLEANUP + [DIRECT + "$DOCKER rmi -f $NAME-imp:v1 $NAME-imp $NAME-bnone "
                                  "$NAME-bdef $NAME-bjoin"]
# A raw import as nobody, the query given: prints the answer and its status.
RAW_IMPORT = (TARBALL + AS_NOBODY + "curl -sS --unix-socket $OWN_SOCK -X POST "
              "--data-binary @- -H 'Content-Type: application/x-tar' "
              "-w ' status=%{http_code}\\n' ")
ENV_OF = "$DOCKER image inspect -f '{{json .Config.Env}} {{json .Config.Labels}}' "


def imp_case(name, cmd, expect, **kw):
    return img_case(name, cmd, expect, **{"setup": SETUP, "cleanup": IMP_CLEANUP, **kw})


# An import refused by ownership: 400, nothing reached the daemon, no image made.
IMPORT_REFUSED = refused("ImageCreate", 400, "/images/create",
                         verify=[{"cmd": "$DOCKER image inspect $NAME-imp", "exit": 1}])

CASES = [
    # docker import through the proxy: the image carries the caller's label (the client's
    # own changes still applied), and the caller can inspect it by name.
    imp_case("own-import-labelled",
             IMPORT + "-c 'ENV A=b' -c 'LABEL app=shop' - $NAME-imp:v1 >/dev/null && "
             + AS_NOBODY + OWNER_OF + "$NAME-imp:v1",
             {"exit": 0, "stdout": ["uid:65534"]},
             audit=[{"endpoint": "ImageCreate", "verdict": "allow", "status": 200,
                     "owner": "uid:65534"}],
             verify=[{"cmd": OWNER_OF + "$NAME-imp:v1", "exit": 0, "stdout": ["uid:65534"]},
                     {"cmd": ENV_OF + "$NAME-imp:v1", "exit": 0,
                      "stdout": ['"A=b"', '"app":"shop"']}]),
    # Without a name (the adversary's squat: an unlabelled image nobody else could remove):
    # labelled too, so its owner lists and removes it.
    imp_case("own-import-unnamed-labelled",
             RAW_IMPORT + "'http://docker/images/create?fromSrc=-' | "
             "grep -o 'sha256:[0-9a-f]*' | tail -1 > id.out && "
             + AS_NOBODY + OWNER_OF + "$(cat id.out) && "
             + AS_NOBODY + "$DOCKER rmi $(cat id.out) >/dev/null && echo removed",
             {"exit": 0, "stdout": ["uid:65534", "removed"]}),
    # The adversary's forgery: a LABEL of the owner label in changes, in any case.
    imp_case("own-import-owner-label-refused",
             IMPORT + "-c 'LABEL io.sockwarden.owner=uid:0' - $NAME-imp; echo exact=$?; "
             + IMPORT + "-c 'LABEL IO.Sockwarden.Owner=uid:0' - $NAME-imp; echo case=$?",
             {"exit": 0, "stdout": ["exact=1", "case=1"],
              "stderr": ["sockwarden: ImageCreate: a changes value names the owner label"]},
             **IMPORT_REFUSED),
    # Changes that would swallow the LABEL line appended after them, once the daemon joins
    # them with newlines into one Dockerfile: a line continuation, a heredoc. (A line break
    # in a value never gets this far: the request target refuses encoded control bytes.)
    imp_case("own-import-swallowing-changes-refused",
             RAW_IMPORT + "\"http://docker/images/create?fromSrc=-&repo=$NAME-imp"
             "&changes=ENV+A%3D%5C\"; "
             + RAW_IMPORT + "\"http://docker/images/create?fromSrc=-&repo=$NAME-imp"
             "&changes=ONBUILD+RUN+%3C%3CEOF\"",
             {"exit": 0, "stdout": ["a changes value ends in a line continuation",
                                    "a changes value opens a heredoc", "status=400"],
              "stdout_not": ["status=200"]},
             **IMPORT_REFUSED),
    # The adversary's build joining another tenant's container's network namespace (and
    # even one's own: a container's namespace is not a network the build can be confined to).
    imp_case("own-build-network-container-refused",
             NOBODY_BUILD + "--network container:$NAME-root -t $NAME-bjoin -; echo other=$?; "
             + NOBODY_BUILD + "--network container:$NAME-nobody -t $NAME-bjoin -; echo own=$?",
             {"exit": 0, "stdout": ["other=1", "own=1"],
              "stderr": ["sockwarden: ImageBuild: networkmode container:<name> is refused"]},
             audit=[{"endpoint": "ImageBuild", "verdict": "deny", "status": 400,
                     "rule": "ownership"}],
             daemon_not_called=["/build"],
             verify=[{"cmd": "$DOCKER image inspect $NAME-bjoin", "exit": 1}]),
    # A user network is joined by name and not checked to be the caller's: refused too.
    # Root's network: a build's RUN steps on it would reach root's containers there.
    imp_case("own-build-user-network-refused",
             NOBODY_BUILD + "--network $NAME-net -t $NAME-bjoin -",
             {"exit": 1, "stderr": ["networkmode <network> is refused"]},
             setup=SETUP + [OWN + "$DOCKER network create $NAME-net"],
             cleanup=IMP_CLEANUP + [DIRECT + "$DOCKER network rm $NAME-net"],
             **refused("ImageBuild", 400, "/build")),
    imp_case("own-build-network-none-and-default",
             NOBODY_BUILD + "--network none -t $NAME-bnone - >/dev/null && "
             + NOBODY_BUILD + "-t $NAME-bdef - >/dev/null && echo built",
             {"exit": 0, "stdout": ["built"]},
             audit=[{"endpoint": "ImageBuild", "verdict": "allow", "status": 200}],
             verify=[{"cmd": OWNER_OF + "$NAME-bnone", "exit": 0, "stdout": ["uid:65534"]},
                     {"cmd": OWNER_OF + "$NAME-bdef", "exit": 0, "stdout": ["uid:65534"]}]),
]
