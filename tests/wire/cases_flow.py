"""Connection-flow cases: byte-exact forwards, keep-alive and pipelining (every
request evaluated), upgrades and hijacks, interim and length-less responses,
upstream failures, limits and timeouts.

`fwd()` states what sockwarden sends upstream for an allowed request: the
request line with the canonical target, the client's end-to-end headers in
their order and spelling, and the body re-framed.  The cases build the expected
bytes with it so that the convention lives in one place.
"""

import json
import socket
import time

from wirelib import (T, Case, CaseFailure, Closed, check, exchange, pipeline_flood, req, show,
                     simple)

HOST = b"Host: wire"
JSON = b"Content-Type: application/json"
BODY = b'{"Image":"alpine"}'
CREATE = b"POST /containers/create HTTP/1.1"
PING = b"GET /_ping HTTP/1.1"
INFO = b"GET /info HTTP/1.1"  # denied by the "wire" policy
LIST = b"GET /containers/json HTTP/1.1"
UPGRADE = (b"Connection: Upgrade", b"Upgrade: tcp")


def fwd(*lines, body=b""):
    """The bytes sockwarden must send upstream for an allowed request."""
    return req(*lines, body=body)


def pattern(n):
    """The body fake_dockerd sends for big-N / nolength-N / die."""
    block = bytes(range(48, 48 + 64)) * 1024
    return (block * (n // len(block) + 1))[:n]


# -- keep-alive and pipelining: every request is evaluated --------------------

def pipelined_allow_then_deny(ctx):
    exchange(ctx, req(PING, HOST) + req(INFO, HOST), [200, 403], upstream=fwd(PING, HOST),
             closed=False)


def pipelined_post_then_get(ctx):
    send = req(CREATE, HOST, JSON, b"Content-Length: 18", body=BODY) + req(PING, HOST)
    exchange(ctx, send, [201, 200], upstream=send, closed=False)


def pipelined_past_read_ceiling(ctx):
    """A client that pipelines far more than the input ceiling (max_header_bytes plus
    one read) must have reading paused there and resumed as the requests are answered,
    each of them, in order.  Sending ends only once enough was consumed: had the
    proxy read without a ceiling, all bytes would be taken in at once."""
    n, pad = 2000, b"X-Pad: " + b"p" * 900
    one = req(PING, HOST, pad)
    c = ctx.client(timeout=30)
    try:
        answered = pipeline_flood(c, one, n)
    finally:
        c.close()
    # At most the ceiling, one read and the socket's buffer (under 0.8 MB of 1.9 MB)
    # wait unconsumed, so over 1,000 requests were answered first; 500 leaves room.
    check(answered >= 500,
          "all %d bytes were taken in after %d answers: no ceiling held them back",
          len(one) * n, answered)
    ctx.expect_upstream(fwd(PING, HOST, pad) * n)


def keepalive_third_denied(ctx):
    c = ctx.client()
    for line, want in ((PING, 200), (LIST, 200), (INFO, 403)):
        c.send(req(line, HOST))
        r = c.read_response()
        check(r.status == want, "%s: status %d, want %d", line, r.status, want)
    c.close()
    ctx.expect_upstream(fwd(PING, HOST) + fwd(LIST, HOST))


def denied_body_not_parsed(ctx):
    """A denied request's body must be skipped as a body, never run as a request."""
    inner = req(LIST, HOST)
    send = (req(CREATE, HOST, JSON, b"Content-Length: %d" % len(inner), body=inner)
            + req(PING, HOST))
    c = ctx.client()
    c.send(send)
    r = c.read_response()
    check(r.status == 403, "denied create: status %d, want 403", r.status)
    r2 = c.response_or_close()
    c.close()
    if r2 is None:
        ctx.note("proxy closed the connection after a denied request with a body")
        ctx.expect_upstream(b"")
    else:
        check(r2.status == 200, "ping after the denied body: status %d", r2.status)
        ctx.expect_upstream(fwd(PING, HOST))


def denial_format(ctx):
    c = ctx.client()
    c.send(req(INFO, HOST))
    r = c.read_response()
    c.close()
    check(r.status == 403, "status %d, want 403", r.status)
    check(r.header(b"Content-Type") == b"application/json",
          "Content-Type %s, want exactly application/json", r.header(b"Content-Type"))
    try:
        msg = json.loads(r.body)["message"]
    except (ValueError, KeyError, TypeError):
        raise CaseFailure("body is not {\"message\":...}: %s" % show(r.body))
    check(msg.startswith("sockwarden: "), "message %r does not start with 'sockwarden: '", msg)
    ctx.expect_upstream(b"")


# -- forwarding is a re-framing of the parsed request -------------------------

def chunked_reframed(ctx):
    """Chunks are re-serialised: sizes kept, extensions and trailers dropped."""
    body = b"8\r\n{\"Image\"\r\na;ext=1\r\n:\"alpine\"}\r\n0\r\nX-Trailer: t\r\n\r\n"
    exchange(ctx, req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked", body=body), [201],
             upstream=fwd(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                          body=b"8\r\n{\"Image\"\r\na\r\n:\"alpine\"}\r\n0\r\n\r\n"))


def path_goes_as_canonical(ctx):
    """The canonical path goes up as it is, version kept: escapes of bytes a path carries
    unescaped are decoded once, and those bytes (the sub-delimiters, ':' and '@') pass
    untouched whether escaped or not."""
    sent = b"/containers/a~b@c'd!$&()*+,=:/json"
    send = (req(b"GET /v1.41/containers/a%7Eb%40c%27d%21%24%26%28%29%2A%2B%2C%3D%3A/json "
                b"HTTP/1.1", HOST)
            + req(b"GET /v1.41" + sent + b" HTTP/1.1", HOST)
            + req(b"GET " + sent + b" HTTP/1.1", HOST))
    exchange(ctx, send, [200, 200, 200],
             upstream=(fwd(b"GET /v1.41" + sent + b" HTTP/1.1", HOST) * 2
                       + fwd(b"GET " + sent + b" HTTP/1.1", HOST)), closed=False)


def hop_by_hop_stripped(ctx):
    """Names of the hop-by-hop lengths (http_req.c passes over the others by length) go
    through when they are not hop-by-hop: User-Agent is as long as Connection."""
    send = req(PING, HOST, b"Connection: keep-alive, X-Secret", b"Keep-Alive: timeout=5",
               b"X-Secret: s", b"Proxy-Connection: keep-alive", b"TE: trailers",
               b"Trailer: X-T", b"proxy-AUTHORIZATION: Basic eA==", b"User-Agent: wire",
               b"X-Kept: k")
    exchange(ctx, send, [200], upstream=fwd(PING, HOST, b"User-Agent: wire", b"X-Kept: k"),
             closed=False)


# -- upgrade requests: tunnel mode only when the daemon hijacks -------------

def upgrade_on_plain_endpoint(ctx):
    """Upgrade on /_ping: the daemon answers 200, so the next bytes are HTTP again
    and must be evaluated.  (The Upgrade request headers themselves are passed on:
    only the daemon's answer decides whether a tunnel starts.)"""
    send = req(PING, HOST, *UPGRADE) + req(INFO, HOST)
    exchange(ctx, send, [200, 403], upstream=fwd(PING, HOST, *UPGRADE), closed=False)


EXEC_BODY = b'{"Detach":false,"Tty":false}'


def exec_start(exec_id, body=EXEC_BODY, upgrade=True):
    line = b"POST /exec/%s/start HTTP/1.1" % exec_id
    hdrs = (HOST, JSON) + (UPGRADE if upgrade else ()) + (b"Content-Length: %d" % len(body),)
    return req(line, *hdrs, body=body)


def exec_bad_then_denied(ctx):
    """Unknown exec: 404 without a hijack; the pipelined request must be evaluated."""
    exchange(ctx, exec_start(b"bad") + req(INFO, HOST), [404, 403],
             upstream=exec_start(b"bad"), closed=False)


def exec_detach_then_next(ctx):
    start = exec_start(b"abc", body=b'{"Detach":true}')
    exchange(ctx, start + req(PING, HOST), [200, 200], upstream=start + fwd(PING, HOST),
             closed=False)


def hijack_echo(request, want_status, payload_size):
    def run(ctx):
        c = ctx.client(timeout=5)
        c.send(request)
        head = c.read_head()
        check(head.startswith(b"HTTP/1.1 %d " % want_status), "hijack answer %s", show(head))
        payload = bytes((i * 7 + 3) & 0xFF for i in range(payload_size))
        sent = 0
        echoed = bytearray()
        while sent < len(payload):
            piece = payload[sent:sent + 16384]
            c.send(piece)
            sent += len(piece)
            echoed += c.read_some(1, timeout=0.05)  # keep both directions moving
        c.shutdown_write()
        echoed += c.read_until_eof()
        c.close()
        check(bytes(echoed) == payload, "echo differs: got %d bytes, want %d; first bytes %s",
              len(echoed), len(payload), show(bytes(echoed[:64])))
        ctx.expect_upstream(request + payload)
    return run


ATTACH = b"POST /containers/abc/attach?stream=1&stdin=1&stdout=1 HTTP/1.1"


# -- responses: interim, HEAD, no length, streaming, large ------------------

def expect_continue(ctx):
    """The client waits for 100 Continue before sending the body (RFC 9110 10.1.1)."""
    head = req(CREATE, HOST, JSON, b"Expect: 100-continue", b"Content-Length: 18")
    c = ctx.client()
    c.send(head)
    c.sock.settimeout(T(1.0))
    try:
        interim = c.read_response(interim=True)
    except socket.timeout:
        raise CaseFailure("no 100 Continue within 1 s: a waiting client would stall")
    c.sock.settimeout(T(3.0))
    check(interim.status == 100, "first response %s, want 100 Continue", interim)
    c.send(BODY)
    r = c.read_response()
    c.close()
    check(r.status == 201, "final status %d, want 201", r.status)
    ctx.expect_upstream(fwd(CREATE, HOST, JSON, b"Expect: 100-continue", b"Content-Length: 18",
                            body=BODY))


def head_without_body(ctx):
    head = req(b"HEAD /containers/big-100/archive?path=/ HTTP/1.1", HOST)
    c = ctx.client()
    c.send(head + req(PING, HOST))
    r = c.read_response(method=b"HEAD")
    check(r.status == 200 and r.header(b"Content-Length") == b"100",
          "HEAD answer %s", show(r.raw))
    r2 = c.read_response()
    c.close()
    check(r2.status == 200 and r2.body == b"OK", "response after HEAD: %s", show(r2.raw))
    ctx.expect_upstream(head + fwd(PING, HOST))


def response_without_length(ctx):
    c = ctx.client()
    c.send(req(b"GET /containers/nolength-5000/json HTTP/1.1", HOST))
    r = c.read_response()
    closed = c.eof
    c.close()
    check(r.status == 200, "status %d", r.status)
    check(r.body == pattern(5000), "body %d bytes, want the 5000-byte pattern", len(r.body))
    check(closed, "the connection must close after a close-delimited body")


def events_streamed(ctx):
    """Chunks must reach the client as the daemon sends them, not when it ends."""
    c = ctx.client()
    c.send(req(b"GET /events HTTP/1.1", HOST))
    head = c.read_head()
    check(head.startswith(b"HTTP/1.1 200 "), "events head %s", show(head))
    t0 = time.monotonic()
    events = [c.read_chunk() for _ in range(3)]
    elapsed = time.monotonic() - t0
    c.close()
    check(all(b'"Action":"start"' in e for e in events), "events %s", events)
    check(elapsed < T(2.0), "3 events took %.2f s (interval 0.1 s): buffered?", elapsed)
    c2 = ctx.client()
    c2.send(req(PING, HOST))
    check(c2.read_response().status == 200, "ping after an events stream")
    c2.close()


def stream_client_leaves(ctx):
    """A client that leaves an event stream must free its connection promptly:
    with max_connections 1, the next client is served, not refused."""
    def ping_until_served(seconds):
        """(True, None) once a ping is answered 200, else (False, last answer)."""
        deadline = time.monotonic() + T(seconds)
        while True:
            c2 = ctx.client()
            try:
                c2.send(req(PING, HOST))
                r = c2.response_or_close()
            except OSError as e:
                r = "error: %s" % e
            c2.close()
            if r is not None and not isinstance(r, str) and r.status == 200:
                return True, None
            if time.monotonic() >= deadline:
                return False, r
            time.sleep(0.05)

    def open_stream(seconds):
        """An events stream with its first event read; the slot of the previous client
        is released one loop pass after it closed, so a refusal is retried."""
        deadline = time.monotonic() + T(seconds)
        while True:
            c = ctx.client()
            try:
                c.send(req(b"GET /events HTTP/1.1", HOST))
                c.read_head()
                c.read_chunk()
                return c
            except (Closed, OSError):
                c.close()
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    # The runner's readiness probe may still hold the only slot for a moment.
    check(ping_until_served(1.0)[0], "the proxy never served a first ping")
    c = open_stream(1.0)
    c.close()
    time.sleep(0.3)  # the daemon writes an event every 100 ms: the proxy sees EPIPE
    served, last = ping_until_served(1.0)
    check(served, "the departed stream client still holds its connection slot 1.3 s "
          "later (last answer: %s)", last)


def big_response_intact(ctx):
    c = ctx.client(timeout=10)
    c.send(req(b"GET /containers/big-3000000/json HTTP/1.1", HOST))
    r = c.read_response()
    c.close()
    check(r.status == 200 and r.body == pattern(3000000),
          "status %d, body %d bytes (pattern match %s)", r.status, len(r.body),
          r.body == pattern(len(r.body)))


# -- upstream failures ---------------------------------------------------------

def upstream_dies_mid_response(ctx):
    c = ctx.client()
    c.send(req(b"GET /containers/die/json HTTP/1.1", HOST))
    try:
        r = c.read_response()
        check(r.status == 502, "got a complete %d response from a daemon that died: %s",
              r.status, show(r.raw, 200))
    except Closed as e:
        check(len(e.partial) < 1000 + 400, "partial response too long: %d", len(e.partial))
        ctx.note("client saw a close after %d bytes" % len(e.partial))
    c.close()
    c2 = ctx.client()
    c2.send(req(PING, HOST))
    r2 = c2.read_response()
    c2.close()
    check(r2.status == 200, "second client after the dead response: %d", r2.status)


def upstream_down_then_up(ctx):
    c = ctx.client()
    c.send(req(PING, HOST))
    r = c.read_response()
    c.close()
    check(r.status == 502, "with the daemon down: status %d, want 502", r.status)
    check(r.header(b"Content-Type") == b"application/json", "502 Content-Type %s",
          r.header(b"Content-Type"))
    check(b'"message"' in r.body, "502 body %s", show(r.body))
    ctx.start_daemon()
    c = ctx.client()
    c.send(req(PING, HOST))
    r = c.read_response()
    c.close()
    check(r.status == 200, "after the daemon started: status %d, want 200", r.status)
    ctx.expect_upstream(fwd(PING, HOST))


# -- limits ---------------------------------------------------------------------

HEADER_LIMIT = 2048
COUNT_LIMIT = 20


def head_of_size(n):
    """A GET /_ping whose head (request line to the blank line) is n bytes."""
    base = req(PING, HOST, b"X-Pad: ")
    return req(PING, HOST, b"X-Pad: " + b"a" * (n - len(base)))


def head_with_fields(n):
    return req(PING, HOST, *[b"X-H%d: v" % i for i in range(n - 1)])


def limit_case(name, send, limits, at_limit):
    if at_limit:
        return simple(name, send, [200], upstream=send, closed=False, limits=limits)
    return simple(name, send, [431], upstream=b"", closed=True, limits=limits)


def timed_close(ctx, c, lo, hi, what):
    t0 = time.monotonic()
    closed = c.closed_within(T(hi) + 1.0)
    dt = time.monotonic() - t0
    check(closed, "%s: still open after %.2f s", what, dt)
    return dt


def head_timeout_slowloris(ctx):
    c = ctx.client()
    t0 = time.monotonic()
    c.send(b"GET /_ping HTTP/1.1\r\n")
    try:
        for ch in b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":
            time.sleep(0.05)
            c.send(bytes([ch]))
            if time.monotonic() - t0 > T(2.5):
                break
    except OSError:
        pass  # closed by the proxy while we trickled: that is the point
    closed = c.closed_within(T(3))
    dt = time.monotonic() - t0
    c.close()
    check(closed, "slow head still open after %.2f s (head_timeout 300ms)", dt)
    check(0.25 <= dt <= T(1.5), "closed after %.2f s, want about 0.3 s", dt)
    ctx.expect_upstream(b"")


def timeouts_moved_later_and_back(ctx):
    """The connection's timeout is moved without resetting its timer (proxy/conn_timer.c):
    after a request the idle timeout (2 s) replaces the head timeout (300 ms) set for it,
    so the timer fires early, finds nothing due and waits on; a new request's head
    timeout must still fall 300 ms after it starts, and the idle one 2 s after the
    answer."""
    c = ctx.client()
    c.send(req(PING, HOST))
    check(c.read_response().status == 200, "ping")
    check(not c.closed_within(1.0), "closed within 1 s of the answer, want the 2 s idle timeout")
    t0 = time.monotonic()
    c.send(PING + b"\r\n")
    r = c.response_or_close()
    dt = time.monotonic() - t0
    check(r is not None and r.status == 408, "half a head: got %s, want a 408",
          r.status if r else "a close")
    check(0.25 <= dt <= T(1.5), "408 after %.2f s, want about 0.3 s", dt)
    c.close()
    closed, dt = idle_close_after_ping(ctx, T(5))
    check(closed and 1.9 <= dt <= T(3.5), "keep-alive idle: closed=%s after %.2f s, want 2 s",
          closed, dt)
    ctx.expect_upstream(fwd(PING, HOST) * 2)


def idle_close_after_ping(ctx, wait):
    """A ping on a new connection, then how long until the proxy closes it (within
    `wait`): (closed, seconds)."""
    c = ctx.client()
    c.send(req(PING, HOST))
    check(c.read_response().status == 200, "ping")
    t0 = time.monotonic()
    closed = c.closed_within(wait)
    dt = time.monotonic() - t0
    c.close()
    return closed, dt


def idle_timeout(ctx):
    c = ctx.client()
    t0 = time.monotonic()
    closed = c.closed_within(T(3))
    dt = time.monotonic() - t0
    c.close()
    check(closed and 0.25 <= dt <= T(1.5), "fresh idle connection: closed=%s after %.2f s, "
          "want a close after about 0.3 s", closed, dt)
    closed, dt = idle_close_after_ping(ctx, T(3))
    check(closed and 0.25 <= dt <= T(1.5), "keep-alive idle: closed=%s after %.2f s", closed, dt)
    ctx.expect_upstream(fwd(PING, HOST))


MAXCONN = 4


def hold_connections(ctx, n):
    """n connections, each with one ping answered, held open to fill a limit."""
    held = []
    for i in range(n):
        c = ctx.client()
        c.send(req(PING, HOST))
        check(c.read_response().status == 200, "connection %d of %d", i + 1, n)
        held.append(c)
    return held


def room_after_one_closes(ctx, held):
    """Closing one of the held connections makes room: a new one is answered."""
    held.pop().close()
    time.sleep(0.1)
    c = ctx.client()
    c.send(req(PING, HOST))
    r = c.read_response()
    c.close()
    check(r.status == 200, "after one closed: status %d", r.status)
    for h in held:
        h.close()


def max_connections(ctx):
    held = hold_connections(ctx, MAXCONN)
    extra = ctx.client()
    try:
        extra.send(req(PING, HOST))
        r = extra.response_or_close()
    except OSError:
        r = None
    check(r is None or r.status == 503, "connection %d: %s, want 503 or a close", MAXCONN + 1,
          r)
    extra.close()
    ctx.expect_upstream(fwd(PING, HOST) * MAXCONN)
    room_after_one_closes(ctx, held)


PER_CLIENT = 3


def max_connections_per_client(ctx):
    """Every wire client is the same uid: the (PER_CLIENT+1)th connection of that client is
    refused with a 503 that says why, and one closing makes room again."""
    held = hold_connections(ctx, PER_CLIENT)
    # Refused once identified, before any request is read: nothing is sent on it, or the
    # send may meet the close.
    extra = ctx.client()
    r = extra.response_or_close()
    extra.close()
    check(r is not None and r.status == 503, "connection %d: %s, want 503", PER_CLIENT + 1, r)
    check(b"too many connections from this client (3 open, limit 3)" in r.body,
          "503 body: %r", r.body)
    ctx.expect_upstream(fwd(PING, HOST) * PER_CLIENT)
    room_after_one_closes(ctx, held)


def options_star(ctx):
    send = req(b"OPTIONS * HTTP/1.1", HOST)
    c = ctx.client()
    c.send(send)
    r = c.response_or_close()
    c.close()
    status = None if r is None else r.status
    check(status in (None, 200, 400, 403, 405), "OPTIONS *: %s", status)
    ctx.note("OPTIONS * answered %s" % status)
    ctx.expect_upstream(send if status == 200 else b"")


CASES = [
    simple("get-forwarded-exact", req(PING, HOST, b"User-Agent: wire/1.0", b"Accept: */*"),
           [200], upstream=fwd(PING, HOST, b"User-Agent: wire/1.0", b"Accept: */*"),
           closed=False),
    simple("post-cl-forwarded-exact", req(CREATE, HOST, JSON, b"Content-Length: 18", body=BODY),
           [201], upstream=fwd(CREATE, HOST, JSON, b"Content-Length: 18", body=BODY),
           closed=False),
    simple("versioned-target-forwarded",
           req(b"GET /v1.41/containers/json?all=1&size=0 HTTP/1.1", HOST), [200],
           upstream=fwd(b"GET /v1.41/containers/json?all=1&size=0 HTTP/1.1", HOST),
           closed=False),
    Case("chunked-request-reframed", chunked_reframed),
    Case("hop-by-hop-headers-stripped", hop_by_hop_stripped),
    Case("path-goes-as-canonical", path_goes_as_canonical),
    Case("pipelined-allowed-then-denied", pipelined_allow_then_deny, policy="wire"),
    Case("pipelined-post-then-get", pipelined_post_then_get),
    Case("pipelined-past-read-ceiling", pipelined_past_read_ceiling,
         limits={"max_header_bytes": 1024}),
    Case("keepalive-third-request-denied", keepalive_third_denied, policy="wire"),
    Case("denied-body-not-parsed-as-request", denied_body_not_parsed, policy="wire"),
    Case("denial-is-docker-json", denial_format, policy="wire"),
    Case("upgrade-on-non-hijack-endpoint", upgrade_on_plain_endpoint, policy="wire"),
    Case("exec-bad-404-then-denied", exec_bad_then_denied, policy="wire"),
    Case("exec-detach-no-hijack-then-next", exec_detach_then_next),
    Case("hijack-attach-101-echo-half-close",
         hijack_echo(req(ATTACH, HOST, *UPGRADE), 101, 200000)),
    Case("hijack-exec-101-echo-half-close", hijack_echo(exec_start(b"abc"), 101, 50000)),
    Case("hijack-attach-legacy-200-echo", hijack_echo(req(ATTACH, HOST), 200, 20000)),
    Case("expect-100-continue", expect_continue),
    Case("head-response-without-body", head_without_body),
    Case("response-without-length", response_without_length),
    Case("events-stream-not-buffered", events_streamed),
    Case("stream-client-leaves-slot-freed", stream_client_leaves,
         limits={"max_connections": 1}),
    Case("big-response-intact", big_response_intact),
    Case("upstream-dies-mid-response", upstream_dies_mid_response),
    Case("upstream-down-then-up", upstream_down_then_up, daemon=False),
    limit_case("header-bytes-at-limit", head_of_size(HEADER_LIMIT),
               {"max_header_bytes": HEADER_LIMIT}, True),
    limit_case("header-bytes-over-limit", head_of_size(HEADER_LIMIT + 1),
               {"max_header_bytes": HEADER_LIMIT}, False),
    limit_case("header-count-at-limit", head_with_fields(COUNT_LIMIT),
               {"max_headers": COUNT_LIMIT}, True),
    limit_case("header-count-over-limit", head_with_fields(COUNT_LIMIT + 1),
               {"max_headers": COUNT_LIMIT}, False),
    Case("head-timeout-slowloris", head_timeout_slowloris, limits={"head_timeout": "300ms"}),
    Case("idle-timeout", idle_timeout, limits={"idle_timeout": "300ms"}),
    Case("timeouts-moved-later-and-back", timeouts_moved_later_and_back,
         limits={"head_timeout": "300ms", "idle_timeout": "2s"}),
    Case("max-connections-plus-one", max_connections, limits={"max_connections": MAXCONN}),
    Case("max-connections-per-client-plus-one", max_connections_per_client,
         limits={"max_connections_per_client": PER_CLIENT}),
    Case("options-star", options_star),
]
