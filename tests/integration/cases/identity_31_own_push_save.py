# Ownership isolation: a push or a save acts on more than the name in its path. A push's
# "tag" parameter replaces the path's tag, and a name without a tag pushes or saves every
# tag of the repository, some of which may be another client's. Root owns
# 127.0.0.1:9/$NAME-repo:latest, nobody owns :v1 of the same repository. Nothing listens on
# 127.0.0.1:9, so an allowed push reaches the daemon and fails there.
# Format: see case_exec.py.

from identity_30_ownership import (AS_NOBODY, BUILD, DIRECT, NOBODY_BUILD, OWN, img_case,
                                   refused)

REPO = "127.0.0.1:9/$NAME-repo"
SETUP = [OWN + BUILD + "-t " + REPO + ":latest ctx", NOBODY_BUILD + "-t " + REPO + ":v1 -"]
CLEANUP = [DIRECT + "$DOCKER rmi -f " + REPO + ":latest " + REPO + ":v1"]
CURL = "curl -sS --unix-socket $OWN_SOCK -w ' http=%{http_code}' -H 'X-Registry-Auth: e30=' "
API = "http://docker/v1.41/images/"


def push_case(name, cmd, expect, **kw):
    return img_case(name, cmd, expect, setup=SETUP, cleanup=CLEANUP, **kw)


CASES = [
    # Root names its own :latest in the path and nobody's tag in the query: the daemon would
    # push :v1. The lookup resolves what is pushed, which is not root's.
    push_case("own-push-query-tag-of-others-refused",
              CURL + "-X POST \"" + API + REPO + ":latest/push?tag=v1\"",
              {"exit": 0, "stdout": ["No such image", "http=404"]},
              **refused("ImagePush", 404, "/push")),
    # The docker CLI's own form: name in the path, tag in the query.
    push_case("own-push-cli-others-tag-refused",
              OWN + "$DOCKER push " + REPO + ":v1",
              {"exit": 1, "stderr": ["No such image"]},
              daemon_not_called=["/push"]),
    # No tag anywhere: every tag of the repository, nobody's included.
    push_case("own-push-every-tag-refused",
              CURL + "-X POST \"" + API + REPO + "/push\"",
              {"exit": 0, "stdout": ["pushes every tag of the repository", "http=403"]},
              **refused("ImagePush", 403, "/push")),
    # Its own tag goes to the daemon, which cannot reach the registry.
    push_case("own-push-own-tag-allowed",
              AS_NOBODY + "$DOCKER push " + REPO + ":v1",
              {"exit": 1, "stderr": ["127.0.0.1:9"]},
              audit=[{"endpoint": "ImagePush", "verdict": "allow"}]),
    push_case("own-save-name-only-refused",
              CURL + "\"" + API + REPO + "/get\" -o out.tar; cat out.tar",
              {"exit": 0, "stdout": ["saves every tag of the repository", "http=403"]},
              **refused("ImageGet", 403, "/get")),
    push_case("own-save-own-tag-allowed",
              AS_NOBODY + "curl -sS --unix-socket $OWN_SOCK \"" + API + REPO + ":v1/get\" | "
              "tar -xOf - repositories",
              {"exit": 0, "stdout": ["\"v1\""], "stdout_not": ["\"latest\""]},
              audit=[{"endpoint": "ImageGet", "verdict": "allow", "status": 200}]),
]
