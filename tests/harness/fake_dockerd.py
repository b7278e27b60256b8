#!/usr/bin/env python3
"""A recording fake Docker daemon on a Unix socket (Python 3 standard library only).

It parses HTTP/1.1 itself, from raw bytes, the way dockerd's Go net/http server
does where that matters (bare LF line ends accepted, Transfer-Encoding wins over
Content-Length, TE ignored on HTTP/1.0, anything but "chunked" -> 501), so tests
can see what a real daemon would have made of the bytes that reached it.

Every byte that arrives is recorded to a JSONL file, one object per line, each
flushed as soon as it is written.  Byte strings are stored as latin-1 text
(json escapes control bytes as \\r, \\n, \\u0000; decode with .encode("latin-1")):

  {"type": "accept",  "conn": 1}
  {"type": "data",    "conn": 1, "raw": "GET /_ping HTTP/1.1\\r\\n..."}   every recv()
  {"type": "request", "conn": 1, "seq": 1, "method": "GET", "target": "/_ping",
   "raw": "<exact bytes of this request: head and body framing>"}
  {"type": "tunnel",  "conn": 1, "raw": "..."}            bytes received after a hijack
  {"type": "error",   "conn": 1, "msg": "..."}            a request this daemon refused
  {"type": "close",   "conn": 1}

Endpoints (an optional /vX.Y prefix is stripped, like dockerd's router):
  GET|HEAD /_ping                  dockerd's headers, body "OK" (HEAD: Content-Length 0)
  GET /version, GET /info          small JSON documents
  GET /containers/json             []
  POST /containers/create          201 {"Id":...,"Warnings":[]}
  POST /containers/{id}/attach     hijack: 101 UPGRADED with an Upgrade header, else 200
  POST /exec/{id}/start            raw-stream; then echo every byte back; on EOF
                                   shutdown(SHUT_WR).  /exec/bad/start -> 404 JSON (no
                                   hijack); a body with "Detach":true -> 200, no hijack
  GET /events?interval_ms=N        chunked, one JSON event every N ms (default 100), forever
  GET|HEAD /big?n=BYTES            Content-Length body of that size
  GET /nolength?n=BYTES            no Content-Length, no chunking: body ends at close
  GET /die                         headers with Content-Length 1000, 500 bytes, then close
  GET /containers/{name}/json      inspect JSON; the names big-N, nolength-N, die and
                                   slow-N (ms) behave like the endpoints above, so that
                                   they can be reached through a proxy that only forwards
                                   known Docker endpoints
  HEAD /containers/{name}/archive  200 with a path-stat header; big-N: Content-Length N
  GET /slow?ms=N                   waits N ms, then 200 {}
  ANY /_echo                       200, the body is the exact request bytes received
  OPTIONS anything (and "*")       200, Content-Length 0 (dockerd's OPTIONS route)
  anything else                    404 {"message":"page not found"}
Expect: 100-continue is answered with "HTTP/1.1 100 Continue" before the body is read.

Run:   fake_dockerd.py --socket /tmp/d.sock --record /tmp/d.jsonl [--pidfile F]
It prints "ready <socket>" on stdout once it accepts connections and exits on
SIGTERM/SIGINT (removing its socket).  Tests may also import FakeDockerd.
"""

import argparse
import json
import os
import re
import signal
import socket
import sys
import threading
import time

API_HEADERS = (
    b"Api-Version: 1.41\r\n"
    b"Docker-Experimental: false\r\n"
    b"Ostype: linux\r\n"
    b"Server: Docker/20.10.24 (linux)\r\n"
)
MAX_HEAD = 1 << 20  # Go's DefaultMaxHeaderBytes
VERSION_PREFIX = re.compile(rb"^/v[0-9.]+(/.*)$")
CONTAINER_ID = "4f66ad9a0b2e" + "0" * 52
REASONS = {
    100: "Continue", 101: "UPGRADED", 200: "OK", 201: "Created", 204: "No Content",
    400: "Bad Request", 404: "Not Found", 431: "Request Header Fields Too Large",
    501: "Not Implemented", 505: "HTTP Version Not Supported",
}


class BadRequest(Exception):
    """The request cannot be read; answered like Go's server, then the connection closes."""

    def __init__(self, status, msg):
        super().__init__(msg)
        self.status = status


class Recorder:
    """Appends one JSON object per line; thread-safe, flushed per line."""

    def __init__(self, path):
        self._f = open(path, "a", encoding="ascii")
        self._lock = threading.Lock()

    def write(self, **rec):
        rec["t"] = round(time.time(), 6)
        line = json.dumps(rec, ensure_ascii=True)
        with self._lock:
            self._f.write(line + "\n")
            self._f.flush()


def b2s(b):
    return bytes(b).decode("latin-1")


class Reader:
    """Buffered reader over a socket that records each recv and every consumed byte."""

    def __init__(self, sock, rec, conn_id):
        self.sock = sock
        self.rec = rec
        self.conn_id = conn_id
        self.buf = bytearray()
        self.taken = bytearray()  # consumed bytes of the current request
        self.eof = False

    def fill(self):
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.rec.write(type="data", conn=self.conn_id, raw=b2s(data))
        self.buf += data
        return True

    def take(self, n):
        out = bytes(self.buf[:n])
        del self.buf[:n]
        self.taken += out
        return out

    def readline(self, limit):
        """A line including its LF, or None at EOF before any byte."""
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                if i + 1 > limit:
                    raise BadRequest(431, "header line too long")
                return self.take(i + 1)
            if len(self.buf) > limit:
                raise BadRequest(431, "header too large")
            if not self.fill():
                if self.buf:
                    raise BadRequest(400, "EOF inside a line")
                return None

    def readexact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise BadRequest(400, "EOF inside a body")
        return self.take(n)


def parse_head(reader):
    """Read one request head like Go's textproto. Returns None on a clean EOF."""
    reader.taken = bytearray()
    line = reader.readline(MAX_HEAD)
    if line is None:
        return None
    used = len(line)
    reqline = line.rstrip(b"\n").rstrip(b"\r")
    parts = reqline.split(b" ")
    if len(parts) != 3:
        raise BadRequest(400, "malformed request line")
    method, target, version = parts
    m = re.fullmatch(rb"HTTP/(\d)\.(\d)", version)
    if not m:
        raise BadRequest(400, "malformed HTTP version")
    if m.group(1) != b"1":
        raise BadRequest(505, "unsupported HTTP version")
    headers = []
    while True:
        line = reader.readline(MAX_HEAD - used)
        if line is None:
            raise BadRequest(400, "EOF inside the head")
        used += len(line)
        text = line.rstrip(b"\n").rstrip(b"\r")
        if text == b"":
            break
        if text[:1] in (b" ", b"\t"):
            if not headers:
                raise BadRequest(400, "continuation before the first header")
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + text.strip(b" \t"))  # Go's obs-fold join
            continue
        name, sep, value = text.partition(b":")
        if not sep or not name or re.search(rb"[\x00-\x20\x7f()<>@,;:\\\"/\[\]?={}]", name):
            raise BadRequest(400, "malformed header")
        value = value.strip(b" \t")
        if re.search(rb"[\x00\r\n]", value):
            raise BadRequest(400, "invalid header value")
        headers.append((name, value))
    return method, target, (int(m.group(1)), int(m.group(2))), headers


def header_values(headers, name):
    name = name.lower()
    return [v for n, v in headers if n.lower() == name]


def body_framing(version, headers):
    """("chunked", None) or ("length", n), following Go's rules."""
    te = header_values(headers, b"Transfer-Encoding")
    if te and version == (1, 0):
        te = []  # Go ignores Transfer-Encoding on HTTP/1.0 (golang/go#12785)
    if te:
        if len(te) != 1 or te[0].strip().lower() != b"chunked":
            raise BadRequest(501, "unsupported transfer encoding")
        return "chunked", None
    cls = header_values(headers, b"Content-Length")
    if not cls:
        return "length", 0
    vals = set(v.strip() for v in cls)
    if len(vals) != 1:
        raise BadRequest(400, "conflicting Content-Length")
    v = vals.pop()
    if not re.fullmatch(rb"[0-9]{1,18}", v):
        raise BadRequest(400, "bad Content-Length")
    return "length", int(v)


def read_chunked(reader):
    body = bytearray()
    while True:
        line = reader.readline(4096)
        if line is None:
            raise BadRequest(400, "EOF in chunked body")
        size_txt = line.rstrip(b"\n").rstrip(b"\r").split(b";", 1)[0].strip(b" \t")
        if not re.fullmatch(rb"[0-9a-fA-F]{1,15}", size_txt):
            raise BadRequest(400, "bad chunk size")
        size = int(size_txt, 16)
        if size == 0:
            while True:  # trailers up to an empty line
                t = reader.readline(4096)
                if t is None:
                    raise BadRequest(400, "EOF in trailers")
                if t.rstrip(b"\n").rstrip(b"\r") == b"":
                    return bytes(body)
        body += reader.readexact(size)
        if reader.readexact(2) != b"\r\n":
            raise BadRequest(400, "missing CRLF after chunk data")


def http_date():
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()).encode()


def response(status, body=b"", ctype=b"application/json", extra=b"", head_only=False,
             length=None):
    """A complete response with dockerd's headers."""
    n = len(body) if length is None else length
    out = (b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Status").encode()) + API_HEADERS
           + b"Content-Type: " + ctype + b"\r\n" + extra + b"Date: " + http_date() + b"\r\n"
           + b"Content-Length: %d\r\n\r\n" % n)
    return out if head_only else out + body


def json_body(obj):
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def query_int(query, key, default):
    m = re.search(rb"(?:^|&)" + key + rb"=([0-9]+)", query)
    return int(m.group(1)) if m else default


class Connection:
    def __init__(self, server, sock, conn_id):
        self.server = server
        self.sock = sock
        self.id = conn_id
        self.rec = server.rec
        self.reader = Reader(sock, self.rec, conn_id)
        self.seq = 0

    def send(self, data):
        self.sock.sendall(data)

    def run(self):
        self.rec.write(type="accept", conn=self.id)
        try:
            while self.serve_one():
                pass
        except BadRequest as e:
            self.rec.write(type="error", conn=self.id, msg=str(e))
            line = b"%d %s" % (e.status, REASONS.get(e.status, "Error").encode())
            try:
                self.send(b"HTTP/1.1 " + line + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          b"Connection: close\r\n\r\n" + line)
            except OSError:
                pass
        except OSError as e:
            self.rec.write(type="error", conn=self.id, msg="socket: %s" % e)
        finally:
            self.rec.write(type="close", conn=self.id)
            try:
                self.sock.close()
            except OSError:
                pass

    def serve_one(self):
        """Read and answer one request; False when the connection is done."""
        req = parse_head(self.reader)
        if req is None:
            return False
        method, target, version, headers = req
        kind, length = body_framing(version, headers)
        has_body = kind == "chunked" or length > 0
        expect = header_values(headers, b"Expect")
        if has_body and expect and expect[0].lower() == b"100-continue" and version == (1, 1):
            self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = read_chunked(self.reader) if kind == "chunked" else self.reader.readexact(length)
        raw = bytes(self.reader.taken)
        self.seq += 1
        self.rec.write(type="request", conn=self.id, seq=self.seq, method=b2s(method),
                       target=b2s(target), raw=b2s(raw))
        conn_hdr = b",".join(header_values(headers, b"Connection")).lower()
        keep = (b"close" not in conn_hdr) and (version == (1, 1) or b"keep-alive" in conn_hdr)
        return self.route(method, target, headers, body, raw) and keep

    def route(self, method, target, headers, body, raw):
        """Answer; False when the connection must close afterwards."""
        path, _, query = target.partition(b"?")
        m = VERSION_PREFIX.match(path)
        if m:
            path = m.group(1)
        head = method == b"HEAD"
        if method == b"OPTIONS":
            self.send(response(200, b"", ctype=b"text/plain; charset=utf-8"))
        elif path == b"/_ping" and method in (b"GET", b"HEAD"):
            extra = (b"Cache-Control: no-cache, no-store, must-revalidate\r\n"
                     b"Pragma: no-cache\r\n")
            self.send(response(200, b"" if head else b"OK", b"text/plain; charset=utf-8",
                               extra))
        elif path == b"/version" and method == b"GET":
            self.send(response(200, json_body({
                "Version": "20.10.24", "ApiVersion": "1.41", "MinAPIVersion": "1.12",
                "Os": "linux", "Arch": "amd64"})))
        elif path == b"/info" and method == b"GET":
            self.send(response(200, json_body({"ID": "fake", "Containers": 0})))
        elif path == b"/containers/json" and method == b"GET":
            self.send(response(200, b"[]\n"))
        elif path == b"/containers/create" and method == b"POST":
            self.send(response(201, json_body({"Id": CONTAINER_ID, "Warnings": []})))
        elif path == b"/_echo":
            self.send(response(200, raw, ctype=b"application/octet-stream"))
        elif method == b"POST" and re.fullmatch(rb"/containers/[^/]+/attach", path):
            return self.hijack(headers)
        elif method == b"POST" and re.fullmatch(rb"/exec/[^/]+/start", path):
            if path == b"/exec/bad/start":
                self.send(response(404, json_body({"message": "No such exec instance: bad"})))
            elif re.search(rb'"Detach"\s*:\s*true', body):
                self.send(response(200, b"", ctype=b"application/json"))
            else:
                return self.hijack(headers)
        elif path == b"/events" and method == b"GET":
            self.events(query_int(query, rb"interval_ms", 100))
            return False
        elif path == b"/big" and method in (b"GET", b"HEAD"):
            self.big(query_int(query, rb"n", 1024), head)
        elif path == b"/nolength" and method == b"GET":
            return self.nolength(query_int(query, rb"n", 1024))
        elif path == b"/die" and method == b"GET":
            return self.die()
        elif method in (b"GET", b"HEAD") and re.fullmatch(rb"/containers/[^/]+/(json|archive)",
                                                          path):
            return self.container_special(method, path)
        elif path == b"/slow" and method == b"GET":
            time.sleep(query_int(query, rb"ms", 500) / 1000.0)
            self.send(response(200, b"{}\n"))
        else:
            self.send(response(404, json_body({"message": "page not found"})))
        return True

    def container_special(self, method, path):
        """Inspect and archive-stat, with behaviours chosen by the container name
        (a proxy denies unknown endpoints, so the special cases ride on real ones)."""
        _, _, name, what = path.split(b"/")
        m = re.fullmatch(rb"(big|nolength|slow)-([0-9]+)", name)
        kind, n = (m.group(1), int(m.group(2))) if m else (name, 0)
        if what == b"archive":
            if method != b"HEAD":
                self.send(response(404, json_body({"message": "page not found"})))
                return True
            stat = b"X-Docker-Container-Path-Stat: eyJuYW1lIjoiLyJ9\r\n"
            self.send(response(200, b"", ctype=b"application/x-tar", extra=stat, head_only=True,
                               length=n))
            return True
        if method != b"GET":
            self.send(response(404, json_body({"message": "page not found"})))
            return True
        if kind == b"die":
            return self.die()
        if kind == b"big":
            self.big(n, False)
            return True
        if kind == b"nolength":
            return self.nolength(n)
        if kind == b"slow":
            time.sleep(n / 1000.0)
        self.send(response(200, json_body({"Id": CONTAINER_ID, "Name": "/" + b2s(name),
                                           "State": {"Running": True}})))
        return True

    def big(self, n, head):
        self.send(response(200, b"", ctype=b"application/octet-stream", head_only=True, length=n))
        if not head:
            self.send_pattern(n)

    def nolength(self, n):
        self.send(b"HTTP/1.1 200 OK\r\n" + API_HEADERS
                  + b"Content-Type: application/octet-stream\r\n\r\n")
        self.send_pattern(n)
        self.sock.shutdown(socket.SHUT_WR)
        return False

    def die(self):
        self.send(response(200, b"", ctype=b"application/octet-stream", head_only=True,
                           length=1000))
        self.send_pattern(500)
        return False

    def send_pattern(self, n):
        block = bytes(range(48, 48 + 64)) * 1024  # 64 KiB of printable bytes
        while n > 0:
            piece = block[:min(n, len(block))]
            self.send(piece)
            n -= len(piece)

    def hijack(self, headers):
        """dockerd's attach/exec hijack, then echo until the client half-closes."""
        if header_values(headers, b"Upgrade"):
            self.send(b"HTTP/1.1 101 UPGRADED\r\n"
                      b"Content-Type: application/vnd.docker.raw-stream\r\n"
                      b"Connection: Upgrade\r\nUpgrade: tcp\r\n" + API_HEADERS + b"\r\n")
        else:
            self.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                      + API_HEADERS + b"\r\n")
        pending = bytes(self.reader.buf)
        self.reader.buf = bytearray()
        if pending:
            self.rec.write(type="tunnel", conn=self.id, raw=b2s(pending))
            self.send(pending)
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            self.rec.write(type="data", conn=self.id, raw=b2s(data))
            self.rec.write(type="tunnel", conn=self.id, raw=b2s(data))
            self.send(data)
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        return False

    def events(self, interval_ms):
        self.send(b"HTTP/1.1 200 OK\r\n" + API_HEADERS + b"Content-Type: application/json\r\n"
                  b"Date: " + http_date() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        n = 0
        while True:
            n += 1
            ev = json_body({"Type": "container", "Action": "start", "Actor": {"ID": "c%d" % n},
                            "time": int(time.time())})
            self.send(b"%x\r\n%s\r\n" % (len(ev), ev))
            time.sleep(interval_ms / 1000.0)


class FakeDockerd:
    """The server: one thread per connection (hijacks and streams block)."""

    def __init__(self, sock_path, record_path):
        self.sock_path = sock_path
        self.rec = Recorder(record_path)
        self.next_id = 0
        self.lsock = None

    def listen(self):
        try:
            os.unlink(self.sock_path)
        except FileNotFoundError:
            pass
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(self.sock_path)
        self.lsock.listen(512)

    def serve_forever(self):
        while True:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            self.next_id += 1
            c = Connection(self, s, self.next_id)
            threading.Thread(target=c.run, daemon=True).start()

    def close(self):
        if self.lsock is not None:
            self.lsock.close()
        try:
            os.unlink(self.sock_path)
        except FileNotFoundError:
            pass


def main():
    ap = argparse.ArgumentParser(description="recording fake Docker daemon")
    ap.add_argument("--socket", required=True)
    ap.add_argument("--record", required=True, help="JSONL file to append records to")
    ap.add_argument("--pidfile")
    args = ap.parse_args()

    srv = FakeDockerd(args.socket, args.record)

    def stop(signum, frame):
        srv.close()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.listen()
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print("ready %s" % args.socket, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
