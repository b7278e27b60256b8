# Ownership isolation of what a classic build reads: the images its Dockerfile names (FROM,
# COPY --from, after ARG expansion with the build args), its cache-from images, and the
# ONBUILD triggers of what it builds on. The proxy reads the Dockerfile out of the context
# as it streams and holds the context's end until each image is checked: another tenant's
# image is refused (403), so the daemon never completes the context and runs no step. A
# build whose Dockerfile the proxy cannot read (BuildKit, a remote or compressed context, a
# Dockerfile behind a symbolic link) is refused too. Setup as identity_32: root's image
# $NAME-rimg and nobody's $NAME-nimg, each holding the secret file /f. Format: see
# case_exec.py.

from identity_30_ownership import AS_NOBODY, DIRECT, OWN, OWNER_OF
from identity_30_ownership import img_case as base_case

FILES = {
    "ctx/Dockerfile": "FROM $IMAGE\nCOPY f /f\n",
    "ctx/f": "secret-of-$NAME\n",
    # Each attack prints the secret if the daemon ever runs it.
    "from/Dockerfile": "FROM $NAME-rimg\nRUN cat /f\n",
    "copy/Dockerfile": "FROM $IMAGE\nCOPY --from=$NAME-rimg /f /f\nRUN cat /f\n",
    "arg/Dockerfile": "ARG BASE=$IMAGE\nFROM ${BASE}\nRUN cat /f\n",
    "joined/Dockerfile": "FROM $IMAGE\nRUN echo \\\n# a comment\n  hi\nFR\\\nOM $NAME-rimg\n"
                         "RUN cat /f\n",
    "cache/Dockerfile": "FROM $IMAGE\nRUN echo cached\n",
    "platform/Dockerfile": "FROM --platform=linux/amd64 $IMAGE\nRUN echo built\n",
    "onbuild/Dockerfile": "FROM $IMAGE\nONBUILD COPY --from=$NAME-rimg /f /f\n",
    "trigger/Dockerfile": "FROM $NAME-ntrig\nRUN cat /f\n",
    # Legitimate: one's own image and an unowned one, a stage by name and by index, an ARG.
    "ok/Dockerfile": "ARG BASE=$NAME-nimg\nFROM ${BASE} AS mine\nFROM $IMAGE\n"
                     "COPY --from=mine /f /own-f\nCOPY --from=0 /f /own-f2\n"
                     "RUN cat /own-f /own-f2\n",
    # A key only root's build knows, in a layer of root's build cache.
    "key/Dockerfile": "FROM $IMAGE\nRUN echo $NAME > /n && head -c 12 /dev/urandom | od -An -tx1 "
                      "| tr -d ' \\n' > /key\nRUN echo KEY=$(cat /key)\n",
}
CLEANUP = [DIRECT + "$DOCKER rmi -f $NAME-rimg $NAME-nimg $NAME-b $NAME-ok $NAME-ntrig "
                    "$NAME-rkey $NAME-nkey $NAME-ok2"]
BUILD = "DOCKER_BUILDKIT=0 $DOCKER build "
# nobody cannot read the case directory: the context comes on stdin, as a tar.
NOBODY_BUILD = "tar -C %s -c . | " + AS_NOBODY + BUILD
RAW_BUILD = ("tar -C ctx -c . | " + AS_NOBODY + "curl -sS --unix-socket $OWN_SOCK -X POST "
             "--data-binary @- -H 'Content-Type: application/x-tar' -w ' status=%%{http_code}\\n' "
             "'http://docker/build?%s'")


def img_case(name, cmd, expect, **kw):
    return base_case(name, cmd, expect, **{"files": FILES, "cleanup": CLEANUP, "timeout": 120,
                                           **kw})


# A build refused by ownership once its context was read: the request went up (the daemon
# saw its head and part of the context), but no step ran and no image was made.
BUILD_REFUSED = {"audit": [{"endpoint": "ImageBuild", "verdict": "deny", "status": 403,
                            "rule": "ownership"}],
                 "verify": [{"cmd": "$DOCKER image inspect $NAME-b", "exit": 1}]}


REFUSED = {"exit": 1, "stdout_not": ["secret-of"]}

CASES = [
    img_case("own-build-from-others-image-refused",
             NOBODY_BUILD % "from" + "-t $NAME-b -",
             dict(REFUSED, stderr=["sockwarden: Dockerfile names image $NAME-rimg, which is "
                                   "not yours (policy tenant, ownership)"]),
             **BUILD_REFUSED),
    img_case("own-build-copy-from-others-image-refused",
             NOBODY_BUILD % "copy" + "-t $NAME-b -",
             dict(REFUSED, stderr=["Dockerfile names image $NAME-rimg, which is not yours"]),
             **BUILD_REFUSED),
    # The base image chosen by a build argument, and a FROM spelled across a line
    # continuation with a comment line inside it, as the daemon's parser joins them.
    img_case("own-build-from-arg-and-joined-lines-refused",
             NOBODY_BUILD % "arg" + "--build-arg BASE=$NAME-rimg -t $NAME-b -; echo arg=$?; "
             + NOBODY_BUILD % "joined" + "-t $NAME-b -; echo joined=$?",
             {"exit": 0, "stdout": ["arg=1", "joined=1"], "stdout_not": ["secret-of"],
              "stderr": ["Dockerfile names image $NAME-rimg, which is not yours"]},
             **BUILD_REFUSED),
    img_case("own-build-cache-from-others-image-refused",
             NOBODY_BUILD % "cache" + "--cache-from $NAME-rimg -t $NAME-b -",
             dict(REFUSED, stderr=["cachefrom names image $NAME-rimg, which is not yours"]),
             **BUILD_REFUSED),
    # ONBUILD triggers run in a later build FROM the image, where no Dockerfile names what
    # they copy from: refused in a Dockerfile, and an image that has one (imported with it,
    # the flag's name in quotes, which the daemon's flag parser takes out) cannot be built on.
    img_case("own-build-onbuild-copy-from-refused",
             NOBODY_BUILD % "onbuild" + "-t $NAME-b -; echo dockerfile=$?; "
             "tar -C ctx -c f | " + AS_NOBODY + "$DOCKER import "
             "-c 'ONBUILD COPY --\"from\"=$NAME-rimg /f /f' - $NAME-ntrig >/dev/null && "
             + NOBODY_BUILD % "trigger" + "-t $NAME-b -; echo base=$?",
             {"exit": 0, "stdout": ["dockerfile=1", "base=1"], "stdout_not": ["secret-of"],
              "stderr": ["ONBUILD", "whose ONBUILD triggers copy from other images"]},
             **BUILD_REFUSED),
    # What the proxy cannot read is refused: BuildKit and a remote context before anything
    # reaches the daemon (a URL context is refused by the build rule already; 20.10's
    # classic builder also takes its context over a session), a compressed one once its
    # first bytes are in.
    img_case("own-build-unreadable-contexts-refused",
             RAW_BUILD % "version=2&session=x" + "; "
             + RAW_BUILD % "remote=client-session&session=x" + "; "
             + NOBODY_BUILD % "cache" + "--compress -t $NAME-b -; echo compressed=$?",
             {"exit": 0, "stdout": ["BuildKit builds (version 2)", "a remote build context",
                                    "status=403", "compressed=1"],
              "stdout_not": ["status=200"],
              "stderr": ["the build context cannot be checked: it is compressed; send a plain tar"]},
             audit=[{"endpoint": "ImageBuild", "verdict": "deny", "status": 403,
                     "rule": "ownership"}],
             verify=[{"cmd": "$DOCKER image inspect $NAME-b", "exit": 1}]),
    # A build that pulls what it builds on would write that name again, moving it off the
    # unowned image that holds it, as a pull would: refused like one.
    img_case("own-build-pull-unowned-base-refused",
             NOBODY_BUILD % "cache" + "--pull -t $NAME-b -",
             dict(REFUSED, stderr=["the build pulls image $IMAGE again (pull)"]),
             **BUILD_REFUSED),
    # A platform, in the query or on a FROM, makes the daemon pull again a local image made
    # for another platform: refused as a pull is, for an image that is not the caller's.
    img_case("own-build-platform-unowned-base-refused",
             NOBODY_BUILD % "cache" + "--platform linux/amd64 -t $NAME-b -; echo query=$?; "
             + NOBODY_BUILD % "platform" + "-t $NAME-b -; echo from=$?",
             {"exit": 0, "stdout": ["query=1", "from=1"],
              "stderr": ["the build pulls image $IMAGE again (platform: a local image of",
                         "the build pulls image $IMAGE again (FROM --platform: "]},
             **BUILD_REFUSED),
    # Legitimate builds: the caller's own image by build argument, an unowned one, stages by
    # name and by index; the legacy CLI too.
    img_case("own-build-own-and-unowned-images",
             NOBODY_BUILD % "ok" + "-t $NAME-ok - && "
             "DOCKER=/usr/bin/docker; " + NOBODY_BUILD % "ok" + "-q -t $NAME-ok2 - >/dev/null "
             "&& echo built",
             {"exit": 0, "stdout": ["secret-of-$NAME", "built"]},
             audit=[{"endpoint": "ImageBuild", "verdict": "allow", "status": 200}],
             verify=[{"cmd": OWNER_OF + "$NAME-ok", "exit": 0, "stdout": ["uid:65534"]}]),
]

# What another tenant's build leaves behind. Every classic build commits an image per step;
# only the last carries the owner label, and none has a name: an unlabelled image without a
# name is not usable (here root's COPY step, which holds root's secret, by its full id).
# The build cache spans all images: without --cache-from a build under ownership goes
# uncached (root's cached step would give nobody root's key); with it, only the ancestors of
# the named images count.
PARENT_OF_RIMG = "$(" + DIRECT + "$DOCKER image inspect -f '{{.Parent}}' $NAME-rimg)"
CASES += [
    img_case("own-build-intermediate-images-refused",
             "P=" + PARENT_OF_RIMG + "; echo \"parent=$P\"; "
             + AS_NOBODY + "$DOCKER run --rm --network none \"$P\" cat /f; echo run=$?; "
             "printf 'FROM %s\\nRUN cat /f\\n' \"$P\" > parent.df && tar -c parent.df | "
             + AS_NOBODY + BUILD + "-f parent.df -t $NAME-b -; echo build=$?",
             {"exit": 0, "stdout": ["parent=sha256:", "run=125", "build=1"],
              "stdout_not": ["secret-of"],
              "stderr": ["Image names image sha256:", "Dockerfile names image sha256:",
                         "which is not yours"]},
             verify=[{"cmd": "$DOCKER image inspect $NAME-b", "exit": 1}]),
    img_case("own-build-id-prefix-refused",
             "P=$(" + DIRECT + "$DOCKER image inspect -f '{{.Id}}' $IMAGE | cut -c8-19); "
             "printf 'FROM %s\\nRUN true\\n' \"$P\" > prefix.df && tar -c prefix.df | "
             + AS_NOBODY + BUILD + "-f prefix.df -t $NAME-b -",
             dict(REFUSED, stderr=["by what may be an id prefix"]),
             **BUILD_REFUSED),
    # 20.10 ends a line at "\\\r\r\n" where newer daemons continue it: refused.
    img_case("own-build-carriage-returns-refused",
             "printf 'FROM $IMAGE\\nRUN true \\\\\\r\\r\\nCOPY --from=$NAME-rimg /f /f\\n"
             "RUN cat /f\\n' > cr.df && tar -c cr.df | " + AS_NOBODY + BUILD
             + "-f cr.df -t $NAME-b -",
             dict(REFUSED, stderr=["a carriage return not right before a line feed"]),
             **BUILD_REFUSED),
    img_case("own-build-cache-not-shared",
             "tar -C key -c . | " + OWN + BUILD + "-t $NAME-rkey - | grep -o 'KEY=[0-9a-f]*' "
             "> root.key && "
             + NOBODY_BUILD % "key" + "-t $NAME-nkey - > nobody.out && "
             "grep -o 'KEY=[0-9a-f]*' nobody.out > nobody.key && "
             "echo root=$(cat root.key) nobody=$(cat nobody.key) && "
             "! cmp -s root.key nobody.key && ! grep -q 'Using cache' nobody.out && "
             "echo cached=$(" + NOBODY_BUILD % "key" + "--cache-from $NAME-nkey -t $NAME-nkey - "
             "| grep -c 'Using cache')",
             # Both RUN steps come from the cache (and the owner label's step, as it may).
             {"exit": 0, "stdout": ["root=KEY=", "nobody=KEY="],
              "stdout_regex": r"cached=[23]\b"},
             audit=[{"endpoint": "ImageBuild", "verdict": "allow", "status": 200,
                     "owner": "uid:65534"}],
             verify=[{"cmd": OWNER_OF + "$NAME-nkey", "exit": 0, "stdout": ["uid:65534"]}]),
]

# A Dockerfile reached through a symbolic link could be swapped after the proxy read it.
CASES.append(img_case(
    "own-build-dockerfile-symlink-refused",
    "python3 -c 'import io,os,sys,tarfile\n"
    "t=tarfile.open(fileobj=sys.stdout.buffer,mode=\"w|\")\n"
    "d=(\"FROM %s-rimg\\nRUN cat /f\\n\" % os.environ[\"NAME\"]).encode()\n"
    "i=tarfile.TarInfo(\"real\"); i.size=len(d)\n"
    "t.addfile(i,io.BytesIO(d))\n"
    "l=tarfile.TarInfo(\"Dockerfile\"); l.type=tarfile.SYMTYPE; l.linkname=\"real\"\n"
    "t.addfile(l); t.close()' | " + AS_NOBODY + BUILD + "-t $NAME-b -",
    dict(REFUSED, stderr=["the build context cannot be checked: "]),
    **BUILD_REFUSED))
