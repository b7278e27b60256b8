"""Chunked answers whose long chunks go by splice(2), on the wire.

Chunks of 16 KiB and more are spliced: llhttp reads each chunk-size line from a peek at
the daemon's socket, and the chunk's bytes go kernel to kernel (forward.c gate_chunks()).
Short chunks are read and copied as before.  What the client gets must be exactly what
the daemon sent, whichever way each part went; a size line or chunk end that llhttp
refuses must not reach the client, and the connection closes there.

Each daemon writes its answer in pieces.  Where a piece ends inside a long chunk, the
next waits until the proxy holds a splice pipe (SPLICING): the proxy has then read and
relayed what came before and splices what follows, and a case whose proxy copies instead
fails rather than passing on the copy path.  Between other pieces a pause lets the proxy
read each apart.
"""

import random
import time

from wirelib import (T, Case, check, check_same, chunk, data, pipes_of, req, show, sized,
                     with_daemon)

HOST = b"Host: wire"
TAR_HEAD = (b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/x-tar\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
EXPORT = req(b"GET /v1.41/containers/c1/export HTTP/1.1", HOST)
PING = req(b"GET /v1.41/_ping HTTP/1.1", HOST)


class SpliceProbe:
    """Whether the proxy splices: it then holds a pipe (proxy/sock.c,
    sock_pipe_start_gated()) beyond those it holds idle.  Without a proxy (--direct),
    nothing is checked."""

    def __init__(self):
        self.pid = None
        self.idle = 0
        self.missed = []  # offsets in the answer where the proxy did not splice

    def start(self, pid):
        self.pid = pid
        self.idle = pipes_of(pid) if pid else 0

    def wait(self, at):
        if self.pid is None:
            return
        deadline = time.monotonic() + T(2)  # within the client's read timeouts
        while pipes_of(self.pid) <= self.idle:
            if time.monotonic() > deadline:
                self.missed.append(at)
                return
            time.sleep(0.002)


SPLICING = "splicing"  # between two pieces: write the next once the proxy splices


def pieces(*parts):
    """A daemon's answer written in parts: after one followed by SPLICING, the next once
    the proxy splices; after any other, after a pause."""
    def write(conn, probe):
        sent = 0
        for i, p in enumerate(parts):
            if p is SPLICING:
                probe.wait(sent)
                continue
            conn.sendall(p)
            sent += len(p)
            if i + 1 < len(parts) and parts[i + 1] is not SPLICING:
                time.sleep(T(0.1))
    return write


def export(ctx, read, timeout=None):
    """Ask for the export on a new connection; read(c) takes the answer."""
    c = ctx.client(timeout)
    try:
        c.send(EXPORT)
        return read(c)
    finally:
        c.close()


# -- long and short chunks, size lines split and long, trailers ------------------------

C40K, C64K, C20K, C32K = data(40960, 1), data(65536, 2), data(20480, 3), data(32768, 4)
LONG_EXT = b";ext=" + b"e" * 80  # a size line longer than one peek
MIXED = [
    TAR_HEAD + b"a000\r\n" + C40K[:1000],
    SPLICING,
    C40K[1000:] + b"\r\n" + chunk(data(100, 5)),  # the short chunk ends the splicing
    b"1",                                       # a size line split across writes
    b"0000" + LONG_EXT + b"\r\n" + C64K[:5000],
    SPLICING,
    C64K[5000:30000],
    C64K[30000:] + b"\r\n" + chunk(C20K) + chunk(b"Z") + chunk(C32K)[:7],
    SPLICING,
    chunk(C32K)[7:] + b"0\r\nX-Trailer: 1\r\n\r\n",
]
MIXED_BYTES = b"".join(p for p in MIXED if p is not SPLICING)


def mixed_relayed_exact(ctx):
    def read(c):
        check_same(c.read_some(len(MIXED_BYTES), timeout=10), MIXED_BYTES, "the daemon's")
        check(c.read_some(1, timeout=0.3) == b"", "bytes after the answer")
        # The connection is still in step: the next request is answered.
        time.sleep(T(0.4))
        c.send(PING)
        r = c.read_response()
        check(r.status == 200 and r.body == b"OK", "ping after the stream: %s", show(r.raw))

    export(ctx, read)
    check("malformed" not in ctx.proxy_stderr(), "proxy complained: %s", ctx.proxy_stderr())


# -- framing that breaks after a spliced chunk ----------------------------------------

def broken_after_long_chunk(tail, *later):
    return pieces(TAR_HEAD + b"8000\r\n" + C32K[:100], SPLICING, C32K[100:] + tail, *later)


def closes_at_the_break(framed=b""):
    """The spliced chunk arrives whole, then the bytes llhttp took in an earlier peek
    ("framed"); nothing from the bad bytes on (not even the chunk's CRLF when llhttp took
    it in the same peek as them), then the close."""
    def fn(ctx):
        check_same(export(ctx, lambda c: c.read_until_eof()),
                   TAR_HEAD + b"8000\r\n" + C32K + framed, "up to the bytes llhttp framed")
        time.sleep(T(0.1))
        check("malformed response from the daemon" in ctx.proxy_stderr(),
              "no warning in the proxy's log: %s", ctx.proxy_stderr())
    return fn


# -- the daemon goes away inside a spliced chunk ------------------------------------

DIES = [TAR_HEAD + b"10000\r\n" + data(1000), SPLICING, data(20000, 1000)]


def dies_then_close(ctx):
    check_same(export(ctx, lambda c: c.read_until_eof()),
               b"".join(p for p in DIES if p is not SPLICING), "all sent before the daemon left")


# -- a chunk size no daemon could fill: counted as it flows, never ahead ---------------

def huge_chunk_case(name, size_line):
    """After a spliced chunk, a chunk of a size llhttp accepts but no daemon fills (up to
    2**64 - 1, whose end is past what a byte count holds), some of its bytes, the close:
    those bytes flow, and the proxy goes on serving others."""
    parts = [TAR_HEAD + b"8000\r\n" + C32K[:100], SPLICING,
             C32K[100:] + b"\r\n" + size_line + b"\r\n" + data(1000, 9)]
    want = b"".join(p for p in parts if p is not SPLICING)

    def fn(ctx):
        check_same(export(ctx, lambda c: c.read_until_eof(), timeout=5), want,
                   "all sent before the daemon left")
        c = ctx.client(2)
        try:
            c.send(PING)
            r = c.read_response()
            check(r.status == 200 and r.body == b"OK", "ping after: %s", show(r.raw))
        finally:
            c.close()

    return case(name, pieces(*parts), fn)


# -- a slow client: the pipe waits, every byte arrives -------------------------------

MANY = b"".join(chunk(data(32768, i)) for i in range(128)) + b"0\r\n\r\n"


def slow_client_gets_all(ctx):
    want = TAR_HEAD + MANY

    def read(c):
        got = b""
        for _ in range(20):  # read a little at a time at first: the proxy must wait
            got += c.read_some(4096, timeout=5)
            time.sleep(T(0.02))
        return got + c.read_some(len(want) - len(got), timeout=20)

    check_same(export(ctx, read, timeout=10), want, "all of it")


# -- many chunks of sizes about the threshold, written in random pieces ---------------

SPLICE_MIN = 16384  # proxy/conn.h SW_CHUNK_SPLICE_MIN


def random_chunks(seed):
    """A chunked body (with its head) of 300 chunks whose sizes cluster below, at and
    above the 16 KiB splice threshold, some with extensions, ending in a trailer; and
    the offset in it of 100 bytes into the first chunk long enough to be spliced."""
    rng = random.Random(seed)
    sizes = ([rng.randint(1, 100) for _ in range(60)] +
             [rng.randint(1024, 3072) for _ in range(60)] +
             [rng.randint(SPLICE_MIN - 64, SPLICE_MIN + 64) for _ in range(60)] +
             [32768] * 60 + [rng.randint(40000, 70000) for _ in range(60)])
    rng.shuffle(sizes)
    chunks = [chunk(data(n, i), b";x=%d" % i if i % 7 == 0 else b"")
              for i, n in enumerate(sizes)]
    first = next(i for i, n in enumerate(sizes) if n >= SPLICE_MIN + 100)
    into_first = (len(TAR_HEAD) + sum(len(c) for c in chunks[:first]) +
                  chunks[first].index(b"\r\n") + 2 + 100)
    return TAR_HEAD + b"".join(chunks) + b"0\r\nX-Trailer: end\r\n\r\n", into_first


RANDOM, RANDOM_SPLICING_AT = random_chunks(20261123)


def random_write(conn, probe):
    """Up to inside the first long chunk, then (once the proxy splices) pieces of 1 byte
    to 100 KiB, with now and then a pause so that the proxy reads them apart, and size
    lines cut anywhere."""
    pieces(RANDOM[:RANDOM_SPLICING_AT], SPLICING)(conn, probe)
    rng = random.Random(7)
    at = RANDOM_SPLICING_AT
    while at < len(RANDOM):
        n = rng.choice([1, 3, 7, 100, 4096, 20000, 65536, 100000])
        conn.sendall(RANDOM[at:at + n])
        at += n
        if rng.random() < 0.05:
            time.sleep(T(0.01))


def random_relayed_exact(ctx):
    def read(c):
        check_same(c.read_some(len(RANDOM), timeout=30), RANDOM, "the daemon's")
        check(c.read_some(1, timeout=0.3) == b"", "bytes after the answer")

    export(ctx, read, timeout=10)
    check("malformed" not in ctx.proxy_stderr(), "proxy complained: %s", ctx.proxy_stderr())


def case(name, write, fn):
    """The daemon answers _ping with OK and anything else with write(conn, probe); fn(ctx)
    checks what the client got.  The case fails too when the proxy copied where write
    waited for it to splice, or the daemon met an error."""
    def run(ctx):
        probe = SpliceProbe()

        def script(path, conn):
            if path == b"/_ping":
                conn.sendall(sized(b"OK"))
            else:
                write(conn, probe)

        def body(ctx, d):
            probe.start(ctx.proxy_pid())
            try:
                fn(ctx)
            finally:  # the cause, rather than the client's timeout it led to
                check(not probe.missed, "the proxy did not splice at byte %s of the answer",
                      probe.missed)
            check(not d.errors, "daemon errors: %s", d.errors)

        with_daemon(script, body)(ctx)
    return Case(name, run, daemon=False, timeout=60)


CASES = [
    case("chunks-long-spliced-short-copied-relayed-exact", pieces(*MIXED), mixed_relayed_exact),
    case("chunks-bad-size-line-after-spliced-chunk-closes",
         broken_after_long_chunk(b"\r\nzz\r\n"), closes_at_the_break()),
    case("chunks-no-crlf-after-spliced-chunk-closes",
         broken_after_long_chunk(b"XY0\r\n\r\n"), closes_at_the_break()),
    # A size line's first digit is taken from one peek, its bad rest refused in the next.
    case("chunks-size-line-split-then-bad-after-spliced-chunk-closes",
         broken_after_long_chunk(b"\r\n1", b"g\r\n"), closes_at_the_break(b"\r\n1")),
    case("chunks-daemon-leaves-inside-spliced-chunk", pieces(*DIES), dies_then_close),
    huge_chunk_case("chunks-size-2pow63-after-spliced-chunk-flows-until-close",
                    b"7fffffffffffffff"),
    huge_chunk_case("chunks-size-2pow64-after-spliced-chunk-flows-until-close",
                    b"ffffffffffffffff"),
    case("chunks-slow-client-gets-every-spliced-byte",
         pieces(TAR_HEAD + MANY[:200], SPLICING, MANY[200:]), slow_client_gets_all),
    case("chunks-random-sizes-and-pieces-relayed-exact", random_write, random_relayed_exact),
]
