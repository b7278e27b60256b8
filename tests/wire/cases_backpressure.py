"""A client that stops reading a spliced answer costs the proxy nothing.

Long answers go kernel to kernel through a pipe (proxy/sock.c, pipe_step()).  A pipe
holds one slot per piece the daemon wrote, so when the daemon writes in small pieces it
runs out of slots long before it runs out of bytes, and a splice into it then fails as
one from a dry socket does.  While the client does not read, the proxy must wait for the
client; a proxy that takes the failure for a dry daemon socket, which is still readable,
tries again at once, forever: one client would then take a whole CPU from every other.

Each case has the daemon write a 4 MiB answer in 64-byte pieces while the client reads
nothing for a while, measures the proxy's CPU time meanwhile, then reads the whole answer
and compares it byte for byte.

A client's TCP urgent byte (send(MSG_OOB)) inside a tunnel does the same from the other
side: splice() stops short of the urgent mark for good while the socket stays readable.
Once the client's FIN is in, splice() returns 0 there instead, as at the end: the bytes
after the mark must not be lost.
"""

import contextlib
import os
import signal
import socket
import time

from wirelib import T, Case, check, check_same, chunk, data, pipes_of, req, with_daemon

HOST = b"Host: wire"
SIZE = 4 << 20
PIECE = 64
STALL = 1.5          # seconds the client reads nothing
STALL_CPU_MAX = 0.3  # the proxy's CPU seconds allowed meanwhile; a busy loop takes ~STALL

BODY = data(SIZE, 9)
OK_HEAD = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"


def cpu_seconds(pid):
    """User and system time of process pid so far, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_pieces(conn, b):
    for at in range(0, len(b), PIECE):
        conn.sendall(b[at:at + PIECE])


def length_answer(conn):
    conn.sendall(OK_HEAD + b"Content-Type: application/x-tar\r\nContent-Length: %d\r\n\r\n"
                 % SIZE)
    in_pieces(conn, BODY)


def chunk_answer(conn):
    """One long chunk (spliced: forward.c gate_chunks()), then the last chunk."""
    conn.sendall(OK_HEAD + b"Content-Type: application/x-tar\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % SIZE)
    in_pieces(conn, BODY)
    conn.sendall(b"\r\n" + chunk(b""))


def hijack_answer(conn):
    conn.sendall(b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                 b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
    in_pieces(conn, BODY)


def check_idle_for_stall(pid, while_what):
    """The proxy (pid) spends next to no CPU for STALL seconds: no busy loop."""
    before = cpu_seconds(pid)
    time.sleep(STALL)
    spent = cpu_seconds(pid) - before
    check(spent < STALL_CPU_MAX, "the proxy spent %.2f s of CPU in %.1f s %s", spent, STALL,
          while_what)


def stalled_reader(request, answer, read_body):
    """The case body: ask, read nothing for STALL seconds, then read and compare it all."""
    def body(ctx, daemon):
        pid = ctx.proxy_pid()
        idle_pipes = pipes_of(pid) if pid else 0
        c = ctx.client(30)
        try:
            c.send(request)
            time.sleep(T(0.5))  # the daemon fills every buffer on the way
            if pid:
                check(pipes_of(pid) > idle_pipes, "the proxy does not splice this answer")
                check_idle_for_stall(pid, "while the client read nothing")
            check_same(read_body(c), BODY, "the daemon's")
        finally:
            c.close()
        check(not daemon.errors, "daemon errors: %s", daemon.errors)

    def script(path, conn):
        answer(conn)

    return with_daemon(script, body)


def read_after_head(c):
    """A Content-Length body, or a hijacked stream: all that follows the head."""
    c.read_head()
    return c.read_some(SIZE, timeout=30)


def read_chunked(c):
    return c.read_response().body


EXPORT = req(b"GET /v1.41/containers/c1/export HTTP/1.1", HOST)
LOGS = req(b"GET /v1.41/containers/c1/logs?follow=1&stdout=1 HTTP/1.1", HOST)
ATTACH = req(b"POST /v1.41/containers/c1/attach?stream=1&stdout=1 HTTP/1.1", HOST,
             b"Connection: Upgrade", b"Upgrade: tcp")

ATTACH_STDIN = req(b"POST /v1.41/containers/c1/attach?stream=1&stdin=1&stdout=1 HTTP/1.1",
                   HOST, b"Connection: Upgrade", b"Upgrade: tcp")


def tcp_tunnel(ctx):
    """A plain TCP client attached with stdin (fake_dockerd echoes), its pipes up."""
    c = ctx.tcp_client(10)
    try:
        c.send(ATTACH_STDIN)
        head = c.read_head()
        check(head.startswith(b"HTTP/1.1 101 "), "attach answer %s", head[:80])
    except BaseException:
        c.close()
        raise
    time.sleep(T(0.2))  # the tunnel's pipes are up
    return c


@contextlib.contextmanager
def proxy_stopped(ctx):
    """The proxy is stopped (SIGSTOP) inside: what the client sends meanwhile is all in
    the proxy's socket when it next reads, however fast the proxy would have been."""
    pid = ctx.proxy_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
        time.sleep(T(0.1))  # loopback delivers at once; this is margin
    finally:
        os.kill(pid, signal.SIGCONT)


def urgent_byte_in_tunnel(ctx):
    """A plain TCP client sends an urgent byte into its tunnel (fake_dockerd echoes): the
    proxy must not spin on it, and the bytes around it go through in order (the urgent
    byte itself is dropped, as recv() drops it)."""
    pid = ctx.proxy_pid()  # a TCP case always has its proxy (run_wire.py)
    idle_pipes = pipes_of(pid)
    c = tcp_tunnel(ctx)
    try:
        check(pipes_of(pid) > idle_pipes, "the proxy does not splice the tunnel")
        c.send(b"ab")
        c.sock.send(b"X", socket.MSG_OOB)
        c.send(b"cd")  # only bytes after the urgent one make the socket readable
        time.sleep(T(0.3))
        check_idle_for_stall(pid, "after an urgent byte")
        c.send(b"ef")
        c.shutdown_write()
        echoed = c.read_until_eof()
    finally:
        c.close()
    check(echoed == b"abcdef", "echoed %r, want %r", echoed, b"abcdef")


def urgent_byte_then_fin(ab_through_first):
    """The client sends ab, an urgent X, cd and its FIN; the echo must be abcd.  The proxy
    is stopped while the urgent byte, cd and the FIN arrive, so that it finds the FIN in
    when it reaches the mark, where splice() then returns 0 as at the end.  With
    ab_through_first, ab was spliced through before: the pipe is empty at the mark.
    Else ab arrives in the same stop and the pipe still holds it when splice() gives 0
    (sock.c end_unconfirmed)."""
    def run(ctx):
        c = tcp_tunnel(ctx)
        try:
            if ab_through_first:
                c.send(b"ab")
                time.sleep(T(0.2))  # "ab" is spliced: the next splice starts at the mark
            with proxy_stopped(ctx):
                if not ab_through_first:
                    c.send(b"ab")
                c.sock.send(b"X", socket.MSG_OOB)
                c.send(b"cd")
                c.shutdown_write()
            echoed = c.read_until_eof()
        finally:
            c.close()
        check(echoed == b"abcd", "echoed %r, want %r", echoed, b"abcd")
    return run


CASES = [
    Case("stalled-reader-length-answer-no-busy-loop",
         stalled_reader(EXPORT, length_answer, read_after_head), daemon=False, timeout=60),
    Case("stalled-reader-long-chunk-no-busy-loop",
         stalled_reader(LOGS, chunk_answer, read_chunked), daemon=False, timeout=60),
    Case("stalled-reader-hijack-no-busy-loop",
         stalled_reader(ATTACH, hijack_answer, read_after_head), daemon=False, timeout=60),
    Case("tunnel-tcp-urgent-byte-no-busy-loop", urgent_byte_in_tunnel, tcp=True, timeout=30),
    Case("tunnel-tcp-urgent-byte-then-fin", urgent_byte_then_fin(True), tcp=True, timeout=30),
    Case("tunnel-tcp-urgent-byte-then-fin-pipe-not-empty", urgent_byte_then_fin(False),
         tcp=True, timeout=30),
]
