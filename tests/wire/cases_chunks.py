"""Chunked answers whose long chunks go by splice(2), on the wire.

Chunks of 16 KiB and more are spliced: llhttp reads each chunk-size line from a peek at
the daemon's socket, and the chunk's bytes go kernel to kernel (forward.c gate_chunks()).
Short chunks are read and copied as before.  What the client gets must be exactly what
the daemon sent, whichever way each part went; a size line or chunk end that llhttp
refuses must not reach the client, and the connection closes there.

Each daemon writes its first piece (head, size line, the start of a long chunk) apart in
time from the rest, so the proxy has read and relayed it, and splices what follows.
"""

import random
import time

from wirelib import T, Case, check, req, show, sized, with_daemon

HOST = b"Host: wire"
TAR_HEAD = (b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/x-tar\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
EXPORT = req(b"GET /v1.41/containers/c1/export HTTP/1.1", HOST)
PING = req(b"GET /v1.41/_ping HTTP/1.1", HOST)


def data(n, seed=0):
    return bytes((i * 7 + seed) % 251 for i in range(n))


def chunk(b, ext=b""):
    return b"%x" % len(b) + ext + b"\r\n" + b + b"\r\n"


def send_apart(conn, pieces):
    for p in pieces:
        conn.sendall(p)
        time.sleep(T(0.1))


def answer_ping(path, conn):
    if path == b"/_ping":
        conn.sendall(sized(b"OK"))
        return True
    return False


# -- long and short chunks, size lines split and long, trailers ------------------------

C40K, C64K, C20K, C32K = data(40960, 1), data(65536, 2), data(20480, 3), data(32768, 4)
LONG_EXT = b";ext=" + b"e" * 80  # a size line longer than one peek
MIXED = [
    TAR_HEAD + b"a000\r\n" + C40K[:1000],
    C40K[1000:] + b"\r\n" + chunk(data(100, 5)),
    b"1",                                       # a size line split across writes
    b"0000" + LONG_EXT + b"\r\n" + C64K[:5000],
    C64K[5000:30000],
    C64K[30000:] + b"\r\n" + chunk(C20K) + chunk(b"Z") + chunk(C32K)[:7],
    chunk(C32K)[7:] + b"0\r\nX-Trailer: 1\r\n\r\n",
]
MIXED_BYTES = b"".join(MIXED)


def mixed_script(path, conn):
    if not answer_ping(path, conn):
        send_apart(conn, MIXED)


def mixed_relayed_exact(ctx, d):
    c = ctx.client()
    try:
        c.send(EXPORT)
        got = c.read_some(len(MIXED_BYTES), timeout=10)
        check(got == MIXED_BYTES, "client got %d bytes, want the daemon's %d exactly: %s",
              len(got), len(MIXED_BYTES), show(got[:200]))
        check(c.read_some(1, timeout=0.3) == b"", "bytes after the answer")
        # The connection is still in step: the next request is answered.
        time.sleep(T(0.4))
        c.send(PING)
        r = c.read_response()
        check(r.status == 200 and r.body == b"OK", "ping after the stream: %s", show(r.raw))
    finally:
        c.close()
    check(not d.errors, "daemon errors: %s", d.errors)
    check("malformed" not in ctx.proxy_stderr(), "proxy complained: %s", ctx.proxy_stderr())


# -- framing that breaks after a spliced chunk ----------------------------------------

def broken_after_long_chunk(tail):
    first = TAR_HEAD + b"8000\r\n" + C32K[:100]

    def script(path, conn):
        send_apart(conn, [first, C32K[100:] + tail])
    return script


def closes_before_the_break(ctx, d):
    """The spliced chunk arrives whole; nothing from the bad bytes on (not even the
    chunk's CRLF, which llhttp took in the same peek), then the close."""
    want = TAR_HEAD + b"8000\r\n" + C32K
    c = ctx.client()
    try:
        c.send(EXPORT)
        got = c.read_until_eof()
        check(got == want, "client got %d bytes, want %d (up to the chunk's data): %s",
              len(got), len(want), show(got[len(want) - 20:]))
    finally:
        c.close()
    time.sleep(T(0.1))
    check("malformed response from the daemon" in ctx.proxy_stderr(),
          "no warning in the proxy's log: %s", ctx.proxy_stderr())


# -- the daemon goes away inside a spliced chunk ------------------------------------

DIES = [TAR_HEAD + b"10000\r\n" + data(1000), data(20000, 1000)]


def dies_script(path, conn):
    send_apart(conn, DIES)


def dies_then_close(ctx, d):
    want = b"".join(DIES)
    c = ctx.client()
    try:
        c.send(EXPORT)
        got = c.read_until_eof()
        check(got == want, "client got %d bytes, want the %d sent before the daemon left",
              len(got), len(want))
    finally:
        c.close()


# -- a slow client: the pipe waits, every byte arrives -------------------------------

MANY = b"".join(chunk(data(32768, i)) for i in range(128)) + b"0\r\n\r\n"


def many_script(path, conn):
    send_apart(conn, [TAR_HEAD + MANY[:200]])
    conn.sendall(MANY[200:])


def slow_client_gets_all(ctx, d):
    want = TAR_HEAD + MANY
    c = ctx.client(timeout=10)
    try:
        c.send(EXPORT)
        got = b""
        for _ in range(20):  # read a little at a time at first: the proxy must wait
            got += c.read_some(4096, timeout=5)
            time.sleep(T(0.02))
        got += c.read_some(len(want) - len(got), timeout=20)
        check(got == want, "client got %d bytes, want %d exactly", len(got), len(want))
    finally:
        c.close()


# -- many chunks of sizes about the threshold, written in random pieces ---------------

def random_chunks(seed):
    """A chunked body (with its head) of 300 chunks whose sizes cluster below, at and
    above the 16 KiB splice threshold, some with extensions, ending in a trailer."""
    rng = random.Random(seed)
    sizes = ([rng.randint(1, 100) for _ in range(60)] +
             [rng.randint(1024, 3072) for _ in range(60)] +
             [rng.randint(16384 - 64, 16384 + 64) for _ in range(60)] +
             [32768] * 60 + [rng.randint(40000, 70000) for _ in range(60)])
    rng.shuffle(sizes)
    body = b"".join(chunk(data(n, i), b";x=%d" % i if i % 7 == 0 else b"")
                    for i, n in enumerate(sizes))
    return TAR_HEAD + body + b"0\r\nX-Trailer: end\r\n\r\n"


RANDOM = random_chunks(20261123)


def random_script(path, conn):
    """Pieces of 1 byte to 100 KiB, with now and then a pause so that the proxy reads
    them apart, and size lines cut anywhere."""
    rng = random.Random(7)
    at = 0
    while at < len(RANDOM):
        n = rng.choice([1, 3, 7, 100, 4096, 20000, 65536, 100000])
        conn.sendall(RANDOM[at:at + n])
        at += n
        if rng.random() < 0.05:
            time.sleep(T(0.01))


def random_relayed_exact(ctx, d):
    c = ctx.client(timeout=10)
    try:
        c.send(EXPORT)
        got = c.read_some(len(RANDOM), timeout=30)
        if got != RANDOM:
            at = next((i for i in range(min(len(got), len(RANDOM))) if got[i] != RANDOM[i]),
                      min(len(got), len(RANDOM)))
            check(False, "client got %d bytes, want %d; first difference at %d: %s",
                  len(got), len(RANDOM), at, show(got[max(0, at - 20):at + 40]))
        check(c.read_some(1, timeout=0.3) == b"", "bytes after the answer")
    finally:
        c.close()
    check("malformed" not in ctx.proxy_stderr(), "proxy complained: %s", ctx.proxy_stderr())


def case(name, script, fn):
    return Case(name, with_daemon(script, fn), daemon=False, timeout=60)


CASES = [
    case("chunks-long-spliced-short-copied-relayed-exact", mixed_script, mixed_relayed_exact),
    case("chunks-bad-size-line-after-spliced-chunk-closes",
         broken_after_long_chunk(b"\r\nzz\r\n"), closes_before_the_break),
    case("chunks-no-crlf-after-spliced-chunk-closes",
         broken_after_long_chunk(b"XY0\r\n\r\n"), closes_before_the_break),
    case("chunks-daemon-leaves-inside-spliced-chunk", dies_script, dies_then_close),
    case("chunks-slow-client-gets-every-spliced-byte", many_script, slow_client_gets_all),
    case("chunks-random-sizes-and-pieces-relayed-exact", random_script, random_relayed_exact),
]
