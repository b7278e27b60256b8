"""A classic build under ownership, on the wire: the proxy reads the build context as it
streams and holds its end (the first all-zero header block, and the body's last byte or
final chunk) until the images the Dockerfile names have been checked.

The daemon here (wirelib.ScriptedDaemon) answers the image lookup only after a delay and
records when each byte of the build's body arrived, so a case can tell that nothing past
the end block reached it before the lookup was answered; and, when the image is another
owner's, that the context never reached its end at all.  The policy is "owned"; the
client's owner is "uid:<our uid>" (SO_PEERCRED).
"""

import io
import json
import os
import tarfile
import threading
import time

from wirelib import T, Case, check, chunk, req, show, sized, with_daemon

LABEL = "io.sockwarden.owner"
OWNER = "uid:%d" % os.getuid()
LOOKUP_DELAY = 0.4  # seconds the daemon takes to answer the image lookup


def context_tar(dockerfile):
    """A build context as the docker CLI sends it: a plain tar, the Dockerfile among other
    files, two zero blocks at the end."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in (("app.txt", b"x" * 3000), ("Dockerfile", dockerfile)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def end_block(tar):
    """Where the tar's first all-zero header block begins (tarfile pads after it)."""
    off = 0
    while tar[off:off + 512] != b"\0" * 512:
        size = int(tar[off + 124:off + 136].strip(b"\0 ") or b"0", 8)
        off += 512 + (size + 511) // 512 * 512
    return off


class BuildDaemon:
    """The script: an image lookup answered late, with "owner" as the image's owner label;
    the build's body read to its end (or the proxy's close) and timed.  "answer" plays a
    daemon that answers otherwise: "continue" (100 Continue first, as Go does for a client
    that expects it), "early" (400 with Connection: close before reading the body, as Go
    does after an early error), "close" (closes without a word), "at-once" (a keep-alive
    200 before the body, then records what else comes on that connection)."""

    def __init__(self, owner, answer="read"):
        self.owner = owner
        self.answer = answer
        self.after = b""  # "at-once": what came on the connection after its answer
        self.lookup_answered = None  # time.monotonic() of the lookup's answer
        self.arrivals = []  # (time, bytes) of each read of the build's body
        self.closed_early = False
        self.done = threading.Event()

    def __call__(self, path, conn):
        if path.startswith(b"/images/"):
            time.sleep(T(LOOKUP_DELAY))
            self.lookup_answered = time.monotonic()
            conn.sendall(sized(json.dumps({"Id": "sha256:" + "ab" * 32, "Config": {
                "Labels": {LABEL: self.owner}, "OnBuild": None}}).encode()))
        elif path == b"/build" and self.answer != "read":
            try:
                self.answer_otherwise(conn)
            finally:
                self.done.set()
        elif path == b"/build":
            self.read_build(conn)
        else:
            conn.sendall(sized(b"{}", status=404))

    def read_build(self, conn):
        chunked = b"transfer-encoding: chunked" in conn.head.lower()
        length = None
        for line in conn.head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        got = b""
        try:
            while not self.complete(got, chunked, length):
                data = conn.recv(65536)
                if not data:
                    self.closed_early = True
                    return
                self.arrivals.append((time.monotonic(), data))
                got += data
            conn.sendall(sized(b'{"stream":"Successfully built abc\\n"}\n'))
        finally:
            self.done.set()

    def answer_otherwise(self, conn):
        if self.answer == "continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.read_build(conn)
        elif self.answer == "early":
            body = b'{"message":"invalid isolation"}\n'
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                         b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        elif self.answer == "at-once":
            conn.sendall(sized(b'{"stream":"done"}\n'))
            conn.settimeout(T(2))
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    self.after += data
            except OSError:
                pass
        # "close": nothing

    @staticmethod
    def complete(got, chunked, length):
        return got.endswith(b"0\r\n\r\n") if chunked else len(got) >= length

    def body(self):
        return b"".join(d for _, d in self.arrivals)

    def before_lookup(self):
        """The body bytes that arrived before the lookup was answered."""
        return b"".join(d for t, d in self.arrivals
                        if self.lookup_answered is None or t < self.lookup_answered)


def dechunk(raw):
    """The data of the complete chunks at the start of a chunked body."""
    out, off = b"", 0
    while True:
        eol = raw.find(b"\r\n", off)
        if eol < 0:
            return out
        size = int(raw[off:eol], 16)
        if size == 0 or eol + 2 + size + 2 > len(raw):
            return out
        out += raw[eol + 2:eol + 2 + size]
        off = eol + 2 + size + 2


HOST = b"Host: wire"
HEAD = (b"POST /v1.41/build HTTP/1.1", HOST, b"Content-Type: application/x-tar")
# Its Dockerfile names "mine", the image the daemon's lookup answers for.
TAR = context_tar(b"FROM mine\nRUN true\n")


def build_request(tar, chunked):
    head = list(HEAD)
    if chunked:
        # The body in pieces of 700 bytes: the end block straddles two of them.
        body = b"".join(chunk(tar[i:i + 700]) for i in range(0, len(tar), 700)) + b"0\r\n\r\n"
        return req(*head, b"Transfer-Encoding: chunked", body=body)
    return req(*head, b"Content-Length: %d" % len(tar), body=tar)


def build_case(name, owner, chunked, allowed, pieces=None):
    """pieces: send the request in writes of this many bytes, apart in time, so that the
    proxy reads the context in block-aligned pieces that go up as they come."""
    tar = TAR
    daemon = BuildDaemon(owner)

    def run(ctx, d):
        c = ctx.client(T(20))
        try:
            data = build_request(tar, chunked)
            if pieces is None:
                c.send(data)
            else:
                start = data.index(b"\r\n\r\n") + 4
                c.send(data[:start])
                for i in range(start, len(data), pieces):
                    time.sleep(T(0.02))
                    c.send(data[i:i + pieces])
            r = c.read_response(b"POST")
        finally:
            c.close()
        check(any(b"/images/mine/json" in t for t in d.targets), "calls %s", d.targets)
        check(daemon.done.wait(T(10)), "the daemon never saw the build end or close")
        early = daemon.before_lookup()
        if chunked:
            check(b"0\r\n\r\n" not in early, "the final chunk went up before the check")
            early = dechunk(early)
        check(len(early) <= end_block(tar),
              "%d body bytes went up before the check, the end block begins at %d",
              len(early), end_block(tar))
        check(len(early) >= end_block(tar) - 1024,
              "only %d bytes went up before the check: the context was held, not streamed",
              len(early))
        if allowed:
            check(r.status == 200, "status %d: %s", r.status, show(r.raw))
            build = [t for t in d.targets if b"/build" in t]
            # No cachefrom: the build may not take another tenant's layers from the cache.
            check(len(build) == 1 and b"nocache=1" in build[0] and b"labels=" in build[0],
                  "the build went up as %s", build)
            sent = dechunk(daemon.body()) if chunked else daemon.body()
            check(sent == tar, "the daemon got %d bytes, not the %d sent", len(sent), len(tar))
        else:
            check(r.status == 403, "status %d: %s", r.status, show(r.raw))
            check(b"Dockerfile names image mine, which is not yours" in r.body,
                  "answer: %s", show(r.raw))
            check(daemon.closed_early, "the daemon's build connection was not cut")
            got = daemon.body()
            check(len(dechunk(got) if chunked else got) <= end_block(tar),
                  "the context's end block reached the daemon")

    return Case(name, with_daemon(daemon, run), policy="owned", daemon=False, timeout=60)


def read_all(c, seconds):
    """Everything the proxy sends on c until it closes, or until nothing more came for
    "seconds"."""
    try:
        while c._fill(T(seconds)):
            pass
    except TimeoutError:
        pass
    return bytes(c.buf)


def on_daemon(owner, answer, fn, name=None):
    """A case named after fn (or "name"), against a BuildDaemon that answers as "answer"."""
    daemon = BuildDaemon(owner, answer)
    return Case(name or fn.__name__.replace("_", "-"),
                with_daemon(daemon, lambda ctx, d: fn(ctx, daemon)),
                policy="owned", daemon=False, timeout=60)


def on_recorded(fn):
    """A case named after fn(ctx, d), d the ScriptedDaemon (its request targets), which
    answers as a BuildDaemon whose images are ours."""
    return Case(fn.__name__.replace("_", "-"), with_daemon(BuildDaemon(OWNER), fn),
                policy="owned", daemon=False, timeout=60)


def build_expect_continue_refused_with_403(ctx, daemon):
    """The daemon's 100 Continue went to the client: the refusal still follows it."""
    c = ctx.client(T(10))
    try:
        c.send(req(*HEAD, b"Expect: 100-continue", b"Content-Length: %d" % len(TAR)))
        r = c.read_response(b"POST", interim=True)
        check(r.status == 100, "first answer %s", show(r.raw))
        c.send(TAR)
        raw = read_all(c, 1.5)
    finally:
        c.close()
    check(b"HTTP/1.1 403 " in raw and b"which is not yours" in raw, "after the 100: %s",
          show(raw))


def build_half_closed_after_its_body_is_built(ctx, daemon):
    """The client's EOF, while the context's end is held, goes up after that end."""
    c = ctx.client(T(10))
    try:
        data = build_request(TAR, chunked=False)
        cut = data.index(b"\r\n\r\n") + 4 + end_block(TAR) + 512
        c.send(data[:cut])  # the end block is in: the check begins
        time.sleep(T(0.1))
        c.send(data[cut:])
        c.shutdown_write()
        r = c.read_response(b"POST")
    finally:
        c.close()
    check(r.status == 200, "status %d: %s", r.status, show(r.raw))
    check(daemon.done.wait(T(5)) and daemon.body() == TAR and not daemon.closed_early,
          "the daemon got %d of %d bytes", len(daemon.body()), len(TAR))


def one_answer_when_the_daemon_answers_first(ctx, daemon):
    """The daemon answers (or goes) while the images are still being checked: that is the
    client's one answer, and the refusal that follows is not sent after it."""
    c = ctx.client(T(10))
    try:
        # The tar, end block included, then a megabyte more announced and never sent.
        c.send(req(*HEAD, b"Content-Length: %d" % (len(TAR) + (1 << 20)), body=TAR))
        raw = read_all(c, LOOKUP_DELAY + 1.5)
    finally:
        c.close()
    check(raw.count(b"HTTP/1.1 ") == 1, "answers: %s", show(raw, 900))
    check(b"which is not yours" not in raw, "a second answer: %s", show(raw, 900))


def build_answered_before_its_end_connection_not_reused(ctx, daemon):
    """The daemon answered before the held end went up: the request after it must not go
    up on that connection, where the daemon would read it as more of the build's body."""
    c = ctx.client(T(10))
    try:
        c.send(build_request(TAR, chunked=False) + req(b"GET /v1.41/_ping HTTP/1.1", HOST))
        r1 = c.read_response(b"POST")
        r2 = c.read_response()
    finally:
        c.close()
    check(r1.status == 200 and r2.status == 404, "answers %d, %d", r1.status, r2.status)
    check(daemon.done.wait(T(5)), "the daemon's build connection never ended")
    check(b"_ping" not in daemon.after, "the next request went up on the build's connection: %s",
          show(daemon.after[-80:]))


def build_with_cachefrom_keeps_the_cache(ctx, d):
    """With cachefrom, the cache stays (only those images' ancestors are candidates): the
    build goes up without nocache, after its cachefrom image was checked too."""
    c = ctx.client(T(10))
    try:
        data = build_request(TAR, chunked=False).replace(
            b"/build ", b"/build?cachefrom=%5B%22mine%3Av1%22%5D ", 1)
        c.send(data)
        r = c.read_response(b"POST")
    finally:
        c.close()
    check(r.status == 200, "status %d: %s", r.status, show(r.raw))
    build = [t for t in d.targets if b"/build" in t]
    check(len(build) == 1 and b"cachefrom=" in build[0] and b"nocache" not in build[0],
          "the build went up as %s", build)
    check(any(b"/images/mine:v1/json" in t for t in d.targets),
          "the cachefrom image was not looked up: %s", d.targets)


def build_query_refused_before_anything_goes_up(ctx, d):
    """A query the proxy cannot check is refused from the request head: neither the build
    nor a lookup reaches the daemon, and the connection serves the next request."""
    refusals = (
        (b"dockerfile=..%2FDockerfile", b"without \\\"..\\\""),
        (b"dockerfile=sub%2F..%2F..%2FDockerfile", b"inside the context"),
        (b"version=2&session=abc", b"BuildKit"),
        (b"remote=client-session", b"remote build context"),
        (b"cachefrom=%5B1%5D", b"JSON list of image names"),
        (b"cachefrom=%5B%22a%22%5D&cachefrom=null", b"more than once"),
    )
    c = ctx.client(T(10))
    try:
        for query, why in refusals:
            c.send(req(b"POST /v1.41/build?" + query + b" HTTP/1.1", *HEAD[1:],
                       b"Content-Length: %d" % len(TAR), body=TAR))
            r = c.read_response(b"POST")
            check(r.status == 403 and why in r.body, "%s: %s", query, show(r.raw))
        c.send(req(b"GET /v1.41/_ping HTTP/1.1", HOST))
        r = c.read_response()
        check(r.status == 404, "the request after the refusals: %s", show(r.raw))
    finally:
        c.close()
    check(not any(b"/build" in t or b"/images/" in t for t in d.targets),
          "went up: %s", d.targets)

CASES = [
    on_recorded(build_query_refused_before_anything_goes_up),
    on_daemon("uid:4242", "continue", build_expect_continue_refused_with_403),
    on_daemon(OWNER, "read", build_half_closed_after_its_body_is_built),
    on_daemon("uid:4242", "early", one_answer_when_the_daemon_answers_first,
              "build-daemon-answers-first-one-answer"),
    on_daemon("uid:4242", "close", one_answer_when_the_daemon_answers_first,
              "build-daemon-closes-first-one-answer"),
    on_daemon(OWNER, "at-once", build_answered_before_its_end_connection_not_reused),
    on_recorded(build_with_cachefrom_keeps_the_cache),
    build_case("build-context-end-held-until-checked", OWNER, chunked=False, allowed=True),
    build_case("build-context-chunked-end-held-until-checked", OWNER, chunked=True,
               allowed=True),
    build_case("build-context-in-pieces-end-held-until-checked", OWNER, chunked=False,
               allowed=True, pieces=1024),
    build_case("build-from-others-image-cut-before-its-end", "uid:4242", chunked=False,
               allowed=False),
    build_case("build-chunked-from-others-image-cut-before-its-end", "uid:4242", chunked=True,
               allowed=False),
]
