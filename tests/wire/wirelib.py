"""Client side of the wire tests: raw sockets, a small response reader, and the
per-case context (proxy socket, daemon record, process control).

Everything here works on bytes.  Nothing is normalised: what a case asserts is
what crossed the socket.
"""

import json
import os
import socket
import threading
import time

TIMEOUT_MULT = float(os.environ.get("SW_TEST_TIMEOUT_MULTIPLIER", "1"))


def T(seconds):
    """A timeout scaled for slow builds (sanitizers, valgrind)."""
    return seconds * TIMEOUT_MULT


class CaseFailure(Exception):
    pass


def check(cond, msg, *args):
    if not cond:
        raise CaseFailure(msg % args if args else msg)


def show(b, limit=600):
    """Bytes as a printable Python literal, cut to limit characters."""
    r = repr(bytes(b))
    return r if len(r) <= limit else r[:limit] + "...(%d bytes)" % len(b)


def data(n, seed=0):
    """n bytes of a pattern in which a lost, doubled or moved byte shows; seed varies it."""
    return bytes((i * 7 + seed) % 251 for i in range(n))


def pipes_of(pid):
    """How many pipes process pid holds open."""
    fd_dir = "/proc/%d/fd" % pid
    n = 0
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)).startswith("pipe:"):
                n += 1
        except OSError:
            pass  # closed meanwhile
    return n


def check_same(got, want, what):
    """The client got exactly want, else a failure naming the first byte that differs."""
    if got == want:
        return
    n = min(len(got), len(want))
    at = next((i for i in range(n) if got[i] != want[i]), n)
    raise CaseFailure("client got %d bytes, want %d (%s); first difference at %d: %s, want %s"
                      % (len(got), len(want), what, at, show(got[max(0, at - 20):at + 40]),
                         show(want[max(0, at - 20):at + 40])))


class Response:
    def __init__(self, status, reason, headers, body, raw):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value) bytes, in order
        self.body = body
        self.raw = raw

    def header(self, name):
        name = name.lower()
        for n, v in self.headers:
            if n.lower() == name:
                return v
        return None

    def __repr__(self):
        return "<%d %s>" % (self.status, show(self.raw, 200))


class Closed(Exception):
    """The peer closed (or reset) the connection before a full response."""

    def __init__(self, partial):
        super().__init__("connection closed after %d bytes: %s" % (len(partial), show(partial)))
        self.partial = partial


class Client:
    """One raw client connection to a Unix socket, or to a (host, port) over TCP."""

    def __init__(self, path, timeout=None):
        family = socket.AF_INET if isinstance(path, tuple) else socket.AF_UNIX
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(T(timeout or 3.0))
        self.sock.connect(path)
        self.buf = bytearray()
        self.eof = False

    def send(self, data):
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self, timeout=None):
        if self.eof:
            return False
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(262144)
        except ConnectionResetError:
            data = b""
        finally:
            if timeout is not None:
                self.sock.settimeout(T(3.0))
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _need(self, pred, raw_start):
        while not pred():
            if not self._fill():
                raise Closed(bytes(self.buf[raw_start:]))

    def read_response(self, method=b"GET", interim=False):
        """Read one response.  1xx responses are skipped unless interim=True."""
        while True:
            self._need(lambda: b"\r\n\r\n" in self.buf, 0)
            end = self.buf.index(b"\r\n\r\n") + 4
            head = bytes(self.buf[:end])
            lines = head[:-4].split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            check(len(parts) >= 2 and parts[0].startswith(b"HTTP/1."),
                  "bad status line %s", show(lines[0]))
            status = int(parts[1])
            reason = parts[2] if len(parts) > 2 else b""
            headers = []
            for ln in lines[1:]:
                n, _, v = ln.partition(b":")
                headers.append((n, v.strip()))
            resp = Response(status, reason, headers, b"", head)
            if 100 <= status < 200 and status != 101:
                del self.buf[:end]
                if interim:
                    return resp
                continue
            break
        del self.buf[:end]
        if method == b"HEAD" or status in (101, 204, 304):
            return resp
        te = resp.header(b"Transfer-Encoding")
        cl = resp.header(b"Content-Length")
        if te is not None and te.lower() == b"chunked":
            resp.body = self._read_chunked()
        elif cl is not None:
            n = int(cl)
            self._need(lambda: len(self.buf) >= n, 0)
            resp.body = bytes(self.buf[:n])
            del self.buf[:n]
        elif is_raw_stream(resp):
            pass  # a hijack: the rest of the connection is the stream
        else:
            while self._fill():
                pass
            resp.body = bytes(self.buf)
            self.buf.clear()
        resp.raw = head + resp.body
        return resp

    def _read_chunked(self):
        body = bytearray()
        while True:
            self._need(lambda: b"\r\n" in self.buf, 0)
            i = self.buf.index(b"\r\n")
            size = int(bytes(self.buf[:i]).split(b";")[0], 16)
            del self.buf[:i + 2]
            if size == 0:
                self._need(lambda: b"\r\n" in self.buf, 0)
                del self.buf[:self.buf.index(b"\r\n") + 2]
                return bytes(body)
            self._need(lambda: len(self.buf) >= size + 2, 0)
            body += self.buf[:size]
            del self.buf[:size + 2]

    def read_chunk(self):
        """One chunk of a chunked body whose head was read with stream=True."""
        self._need(lambda: b"\r\n" in self.buf, 0)
        i = self.buf.index(b"\r\n")
        size = int(bytes(self.buf[:i]).split(b";")[0], 16)
        self._need(lambda: len(self.buf) >= i + 2 + size + 2, 0)
        data = bytes(self.buf[i + 2:i + 2 + size])
        del self.buf[:i + 2 + size + 2]
        return data

    def read_head(self):
        """Only the response head; the body stays unread (for streams)."""
        self._need(lambda: b"\r\n\r\n" in self.buf, 0)
        end = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:end])
        del self.buf[:end]
        return head

    def read_until_eof(self, limit=1 << 30):
        while len(self.buf) < limit and self._fill():
            pass
        data = bytes(self.buf)
        self.buf.clear()
        return data

    def read_some(self, n, timeout=None):
        """At least n buffered bytes, or whatever arrived before EOF/timeout."""
        deadline = time.monotonic() + T(timeout or 3.0)
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                if not self._fill(left):
                    break
            except socket.timeout:
                break
        data = bytes(self.buf[:n])
        del self.buf[:len(data)]
        return data

    def closed_within(self, seconds):
        """True if the peer closes within `seconds` (pending bytes are discarded)."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                if not self._fill(left):
                    return True
            except socket.timeout:
                return False
            self.buf.clear()

    def response_or_close(self, method=b"GET"):
        """A Response, or None when the proxy closed without one."""
        try:
            return self.read_response(method)
        except Closed as e:
            if e.partial:
                raise CaseFailure("connection closed mid-response: %s" % show(e.partial))
            return None


def is_raw_stream(resp):
    ct = (resp.header(b"Content-Type") or b"").lower()
    return ct.startswith(b"application/vnd.docker.") and resp.header(b"Content-Length") is None


def read_records(path):
    recs = []
    try:
        with open(path, "r", encoding="ascii") as f:
            for line in f:
                if line.endswith("\n"):
                    recs.append(json.loads(line))
    except FileNotFoundError:
        pass
    return recs


# sockwarden asks the daemon for its version on its own connection (proxy/daemon.c,
# through proxy/daemon_call.c); that request is not the client's and is left out of what
# the cases compare.
DAEMON_PROBE = (b"GET /version HTTP/1.1\r\nHost: docker\r\nUser-Agent: sockwarden\r\n"
                b"Connection: close\r\n\r\n")


def upstream_bytes(record_path):
    """Every byte the fake daemon received from clients, per connection in accept order."""
    per_conn = {}
    for r in read_records(record_path):
        if r["type"] == "data":
            per_conn.setdefault(r["conn"], bytearray()).extend(r["raw"].encode("latin-1"))
    out = bytearray()
    for cid in sorted(per_conn):
        if not per_conn[cid].startswith(DAEMON_PROBE):
            out += per_conn[cid]
    return bytes(out)


def upstream_requests(record_path):
    return [r["raw"].encode("latin-1") for r in read_records(record_path)
            if r["type"] == "request" and r["raw"].encode("latin-1") != DAEMON_PROBE]


def wait_connectable(path, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return True
        except OSError:
            time.sleep(0.02)
        finally:
            s.close()
    return False


class Case:
    """One test: a name, a function run(ctx), and the proxy setup it needs."""

    def __init__(self, name, run, policy="all", limits=None, daemon=True, timeout=30,
                 tcp=False, stops_proxy=False):
        self.name = name
        self.run = run
        self.policy = policy
        self.limits = limits
        self.daemon = daemon  # start fake_dockerd before sockwarden
        self.timeout = timeout
        self.tcp = tcp  # also a plain TCP listener (insecure): ctx.tcp_client()
        self.stops_proxy = stops_proxy  # the case itself checks that sockwarden exits cleanly


def req(*lines, body=b""):
    """A request from its lines: CRLF after each line, an empty line, then the body."""
    return b"".join(ln + b"\r\n" for ln in lines) + b"\r\n" + body


def pipeline_flood(client, one, n):
    """Send request `one` n times, pipelined, from a thread while the n answers are read
    here, each of which must be 200.  Returns how many were answered when the send
    ended: the fewer, the more input the proxy took in unconsumed."""
    answered, answered_when_sent = [0], []

    def sender():
        client.send(one * n)
        answered_when_sent.append(answered[0])

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    for i in range(n):
        r = client.read_response()
        check(r.status == 200, "request %d: status %d, want 200", i, r.status)
        answered[0] += 1
    t.join(T(5))
    check(answered_when_sent, "the client could not send all %d requests", n)
    return answered_when_sent[0]


def status_ok(got, want):
    return got in want if isinstance(want, (tuple, list, set)) else got == want


def exchange(ctx, send, statuses, upstream=b"", closed=None, methods=None):
    """Send bytes on one connection, then check each response's status, whether
    the proxy closed the connection, and what reached the daemon.  A status of
    None means "the proxy closed without answering"."""
    c = ctx.client()
    try:
        c.send(send)
        got = []
        for i, want in enumerate(statuses):
            method = methods[i] if methods else b"GET"
            r = c.response_or_close(method)
            got.append(None if r is None else r.status)
            if not status_ok(got[-1], want):
                time.sleep(T(0.1))
                raise CaseFailure("response %d: status %s, want %s (responses so far %s)\n"
                                  "  answer: %s\n  daemon received: %s"
                                  % (i + 1, got[-1], want, got, show(r.raw if r else b""),
                                     show(ctx.upstream())))
            if r is None:
                break
        if closed is True:
            check(c.closed_within(T(2)), "connection still open, want it closed")
        elif closed is False:
            check(not c.closed_within(T(0.2)), "connection closed, want it kept open")
    finally:
        c.close()
    ctx.expect_upstream(upstream)


def simple(name, send, statuses, upstream=b"", closed=None, policy="all", methods=None,
           limits=None):
    return Case(name, lambda ctx: exchange(ctx, send, statuses, upstream, closed, methods),
                policy=policy, limits=limits)


# -- a daemon scripted by the case ---------------------------------------------

VERSION = json.dumps({"Version": "20.10.24", "ApiVersion": "1.41", "MinAPIVersion": "1.12",
                      "Os": "linux", "Arch": "amd64"}).encode() + b"\n"


def head(status=200, extra=b""):
    return (b"HTTP/1.1 %d %s\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
            % (status, b"OK" if status == 200 else b"Status") + extra)


def sized(body, status=200):
    return head(status) + b"Content-Length: %d\r\n\r\n" % len(body) + body


def chunk(b, ext=b""):
    """One chunk of a chunked body: its size line (with an extension ext), b, CRLF."""
    return b"%x" % len(b) + ext + b"\r\n" + b + b"\r\n"


class Received:
    """The daemon's side of one connection: head is the request head as read, and recv()
    returns what was read past it first."""

    def __init__(self, conn, head, rest):
        self.conn = conn
        self.head = head
        self.rest = rest

    def recv(self, n):
        if self.rest:
            got, self.rest = self.rest[:n], self.rest[n:]
            return got
        return self.conn.recv(n)

    def __getattr__(self, name):
        return getattr(self.conn, name)


class ScriptedDaemon:
    """A daemon on a Unix socket: GET /version as dockerd, every other request answered by
    script(path, conn), one request per connection (conn a Received).  Records the request
    targets."""

    def __init__(self, path, script):
        self.path = path
        self.script = script
        self.targets = []
        self.errors = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(16)
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            buf = b""
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            target = buf.split(b"\r\n", 1)[0].split(b" ")[1]
            path = target.split(b"?")[0]
            if path.startswith(b"/v1."):
                path = b"/" + path.split(b"/", 2)[2]
            if path == b"/version":
                conn.sendall(sized(VERSION))
                return
            self.targets.append(target)
            head, rest = buf.split(b"\r\n\r\n", 1)
            self.script(path, Received(conn, head, rest))
            time.sleep(T(0.2))  # let the proxy read everything before the close
        except OSError as e:
            self.errors.append(str(e))
        finally:
            conn.close()

    def close(self):
        self.stopped = True
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def with_daemon(script, fn):
    """A case body: the scripted daemon replaces fake_dockerd, sockwarden is restarted so
    that it reads the daemon's version from it, then fn(ctx, daemon) runs."""

    def run(ctx):
        ctx.stop_daemon()  # --direct started fake_dockerd on the socket taken here
        d = ScriptedDaemon(ctx.daemon_sock, script)
        try:
            if ctx.proxy is not None:
                ctx.proxy.terminate()
                ctx.proxy.wait(T(5))
                ctx.proxy = None
            ctx.start_proxy()
            time.sleep(T(0.2))  # its version probe
            fn(ctx, d)
        finally:
            d.close()
    return run
