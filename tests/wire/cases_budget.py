"""Clients that stop reading cannot make the proxy hold memory without bound.

Each connection may queue about 1 MiB for a slow client before it stops reading the
daemon; limits.max_buffered_bytes caps the total (proxy/queue_budget.h).  Past it each
connection queues at most 64 KiB, a pipe holds as much, and no sink's socket buffer is
raised.  The cases set the smallest budget (1 MiB), stall STALLED clients on long answers,
measure what the proxy holds, and check that a client that does read still gets its whole
answer meanwhile: the budget slows streams down, it never starves them.
"""

import array
import fcntl
import os
import socket
import termios
import time

from cases_memory import anon_kib, sanitized
from wirelib import T, Case, check, check_same, chunk, data, req, with_daemon

HOST = b"Host: wire"
STALLED = 24
PIECE = 4096                   # short chunks: copied through user space, never spliced
ANSWER = data(6 << 20, 5)      # what each client is sent
BUDGET = {"max_buffered_bytes": "1MiB"}
PRESSED = 64 * 1024            # QUEUE_BUDGET_PRESSED
# Without the budget each stalled connection holds about 1.3 MiB (31 MiB for STALLED);
# with it, about 130 KiB: the 64 KiB queue, a read, buffers and the connection itself.
PER_STALLED_KIB = 256
BUDGET_KIB = 1024
OK_HEAD = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"

LOGS = req(b"GET /v1.41/containers/c1/logs?follow=1&stdout=1 HTTP/1.1", HOST)
EXPORT = req(b"GET /v1.41/containers/c1/export HTTP/1.1", HOST)


def bytes_in_pipes(pid):
    """What the pipes of process pid hold now: FIONREAD on each pipe once (the process
    holds both ends of each; either one, opened through /proc, shows the same count)."""
    fd_dir = "/proc/%d/fd" % pid
    seen = set()
    total = 0
    for fd in os.listdir(fd_dir):
        path = os.path.join(fd_dir, fd)
        try:
            target = os.readlink(path)
            if not target.startswith("pipe:") or target in seen:
                continue
            p = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue  # closed meanwhile
        seen.add(target)
        try:
            n = array.array("i", [0])
            fcntl.ioctl(p, termios.FIONREAD, n)
            total += n[0]
        finally:
            os.close(p)
    return total


def short_chunks(conn):
    conn.sendall(OK_HEAD + b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
    for at in range(0, len(ANSWER), PIECE):
        conn.sendall(chunk(ANSWER[at:at + PIECE]))
    conn.sendall(chunk(b""))


def length_answer(conn):
    conn.sendall(OK_HEAD + b"Content-Type: application/x-tar\r\nContent-Length: %d\r\n\r\n"
                 % len(ANSWER))
    conn.sendall(ANSWER)


def script_of(answer):
    def script(path, conn):
        try:
            answer(conn)
        except OSError:
            pass  # a stalled client closed at the end of the case: the proxy hung up
    return script


def stalled_clients(ctx, request):
    """STALLED clients that ask and then read nothing, with receive buffers kept small."""
    clients = []
    try:
        for _ in range(STALLED):
            c = ctx.client(30)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.send(request)
            clients.append(c)
    except BaseException:
        for c in clients:
            c.close()
        raise
    return clients


def settle(measure):
    """measure() once it has stopped growing: the daemon has filled what it can."""
    deadline = time.monotonic() + T(5)
    last = measure()
    while time.monotonic() < deadline:
        time.sleep(T(0.3))
        now = measure()
        if now <= last:
            return now
        last = now
    return last


def reader_not_starved(ctx, request, read_body):
    c = ctx.client(60)
    try:
        c.send(request)
        check_same(read_body(c), ANSWER, "the daemon's")
    finally:
        c.close()


def read_chunked(c):
    return c.read_response().body


def read_after_head(c):
    c.read_head()
    return c.read_some(len(ANSWER), timeout=60)


def check_warned(ctx):
    log = ctx.proxy_stderr()
    check("more than limits.max_buffered_bytes" in log,
          "no warning of the spent budget in the proxy's log: %r", log[-500:])


def copied_answers_bounded(ctx, daemon):
    pid = ctx.proxy_pid()
    before = anon_kib(pid)
    clients = stalled_clients(ctx, LOGS)
    try:
        held = settle(lambda: anon_kib(pid)) - before
        limit = BUDGET_KIB + STALLED * PER_STALLED_KIB
        if sanitized(ctx.args.sockwarden):
            ctx.note("ASan build: %d KiB held is not judged" % held)
        else:
            check(held <= limit, "%d stalled readers of copied answers: the proxy grew by %d "
                  "KiB, more than %d KiB", STALLED, held, limit)
            ctx.note("%d stalled readers: +%d KiB resident (%d KiB each)"
                     % (STALLED, held, held // STALLED))
        reader_not_starved(ctx, LOGS, read_chunked)
        check_warned(ctx)
    finally:
        for c in clients:
            c.close()


def spliced_answers_bounded(ctx, daemon):
    pid = ctx.proxy_pid()
    clients = stalled_clients(ctx, EXPORT)
    try:
        held = settle(lambda: bytes_in_pipes(pid))
        # A pipe fills to 64 KiB once the budget is spent, and the first raised send
        # buffer (1 MiB, counted) spends this one at the first byte piped.
        limit = BUDGET_KIB * 1024 + STALLED * PRESSED
        check(held <= limit, "%d stalled readers of spliced answers: the proxy's pipes hold "
              "%d bytes, more than %d", STALLED, held, limit)
        ctx.note("%d stalled readers: %d KiB in pipes" % (STALLED, held // 1024))
        reader_not_starved(ctx, EXPORT, read_after_head)
        check_warned(ctx)
    finally:
        for c in clients:
            c.close()


CASES = [
    Case("budget-stalled-readers-copied-answers",
         with_daemon(script_of(short_chunks), copied_answers_bounded), limits=BUDGET,
         daemon=False, timeout=90),
    Case("budget-stalled-readers-spliced-answers",
         with_daemon(script_of(length_answer), spliced_answers_bounded), limits=BUDGET,
         daemon=False, timeout=90),
]
