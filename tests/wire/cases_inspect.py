"""Body inspection on the wire: what a policy with body rules forwards, byte for byte.

An inspected body is read whole, checked, and sent upstream as the canonical JSON that was
checked (invariant 3): known fields only, in the spelling the daemon's structs use, no
whitespace, escapes decoded, framed with a fresh Content-Length whatever framing the client
used.  Bodies the daemon could read another way (case-variant keys, form or multipart
media types, anything but application/json on a JSON endpoint) are refused with nothing
upstream.  The buffering has limits (limits.max_body_bytes, and limits.head_timeout for the
body too), `Expect: 100-continue` is answered by the proxy itself, and a warn-mode finding
is added to the Warnings of the daemon's create response.

The runner's configuration has only its own policies, so each case here restarts
sockwarden with that configuration plus INSPECT_POLICIES (see InspectCase).
"""

import json
import re
import signal
import socket
import subprocess
import time

from wirelib import DAEMON_PROBE, T, Case, CaseFailure, check, chunk, read_records, req, show

HOST = b"Host: wire"
JSON = b"Content-Type: application/json"
CREATE = b"POST /containers/create HTTP/1.1"
CREATE_V = b"POST /v1.41/containers/create HTTP/1.1"
PING = b"GET /_ping HTTP/1.1"
BUILD = b"POST /build?t=x HTTP/1.1"
BODY_LIMIT = 1024  # limits.max_body_bytes for the limit cases (the loader's minimum)

# The fake daemon answers every create with this (tests/harness/fake_dockerd.py).
CONTAINER_ID = "4f66ad9a0b2e" + "0" * 52

INSPECT_POLICIES = """\
  inspect:
    allow: [SystemPing, SystemVersion, ContainerCreate, ContainerList, ImageBuild]
    containers:
      privileged: false
      bind_mounts: false
      namespaces: { host: [] }
    build: { host_network: false, extra_hosts: false, remote: false }
  inspect-warn:
    mode: warn
    allow: [SystemPing, ContainerCreate]
    containers: { privileged: false }
  inspect-pull:
    allow: [SystemPing, ImageCreate]
    containers: { images: { allow: ["alpine:*"] } }
    image_create: { from_src: false }
"""


def fwd(*lines, body=b""):
    """The bytes sockwarden must send upstream: the head as the client sent it minus the
    framing, then a Content-Length for the canonical body."""
    return req(*(lines + (b"Content-Length: %d" % len(body),)), body=body)


# -- running these cases under their own policies ------------------------------

def restart_proxy(ctx, policy):
    """Replace the runner's sockwarden by one whose listener uses `policy`, from the
    runner's configuration file with INSPECT_POLICIES added to its policies."""
    if ctx.proxy is not None and ctx.proxy.poll() is None:
        ctx.proxy.send_signal(signal.SIGTERM)
        try:
            ctx.proxy.wait(T(5))
        except subprocess.TimeoutExpired:
            ctx.proxy.kill()
            ctx.proxy.wait()
    ctx.proxy = None
    runner_write = ctx.write_config

    def write_config():
        runner_write()
        with open(ctx.config) as f:
            text = f.read()
        mine = re.sub(r"(\n  - \{ name: main, .*policy: )[A-Za-z0-9_-]+( \}\n)",
                      lambda m: m.group(1) + policy + m.group(2), text, count=1)
        # INSPECT_POLICIES continues the "policies:" mapping, the last block of the file.
        if mine == text or not re.search(r"\npolicies:\n(  .*\n)+$", text):
            raise CaseFailure("the runner's configuration changed shape; cannot add the "
                              "inspection policies:\n" + text)
        with open(ctx.config, "w") as f:
            f.write(mine + INSPECT_POLICIES)

    ctx.write_config = write_config
    ctx.start_proxy()
    wait_daemon_version(ctx)


def wait_daemon_version(ctx):
    """Wait until the new sockwarden has read the daemon's version (its own GET /version
    connection is closed).  Until then it inspects with the oldest API semantics, which
    would change what the unversioned creates below forward (CgroupnsMode)."""
    deadline = time.monotonic() + T(3)
    while time.monotonic() < deadline:
        recs = read_records(ctx.record)
        probes = {r["conn"] for r in recs
                  if r["type"] == "request" and r["raw"].encode("latin-1") == DAEMON_PROBE}
        if any(r["type"] == "close" and r["conn"] in probes for r in recs):
            time.sleep(T(0.05))  # the proxy parses the answer it has read
            return
        time.sleep(0.01)
    raise CaseFailure("sockwarden did not ask the daemon for its version within 3 s")


class InspectCase(Case):
    """A case run against sockwarden with one of INSPECT_POLICIES."""

    def __init__(self, name, fn, policy="inspect", limits=None, timeout=30):
        super().__init__(name, self._run, policy="all", limits=limits, timeout=timeout)
        self.fn = fn
        self.inspect_policy = policy

    def _run(self, ctx):
        if not ctx.direct:
            restart_proxy(ctx, self.inspect_policy)
        self.fn(ctx)


# -- helpers --------------------------------------------------------------------

def one_exchange(ctx, send, want_status, upstream):
    """Send one request, check the status, then exactly what reached the daemon."""
    c = ctx.client()
    try:
        c.send(send)
        r = c.response_or_close()
    finally:
        c.close()
    status = None if r is None else r.status
    if not (status in want_status if isinstance(want_status, tuple) else
            status == want_status):
        time.sleep(T(0.1))
        raise CaseFailure("status %s, want %s\n  answer: %s\n  daemon received: %s"
                          % (status, want_status, show(r.raw if r else b""),
                             show(ctx.upstream())))
    ctx.expect_upstream(upstream)
    return r


def chunked(*pieces):
    return b"".join(chunk(p) for p in pieces) + b"0\r\n\r\n"


def sized_body(n):
    """A valid create body of exactly n bytes that is already canonical."""
    head, tail = b'{"Image":"alpine","Cmd":["', b'"]}'
    return head + b"x" * (n - len(head) - len(tail)) + tail


def refused(name, send, statuses=(400, 403, 415), policy="inspect"):
    """Refused before anything goes up; the connection may stay open or close."""
    return InspectCase(name, lambda ctx: one_exchange(ctx, send, statuses, b""), policy=policy)


# -- canonical forwarding -------------------------------------------------------

CLIENT_BODY = (b'{ "Image" : "alp\\u0069ne", "Unknown": {"x": [1, 2]}, "Cmd": ["true"],\n'
               b'  "HostConfig": {"Memory": 0, "Bogus": null} }')
CANONICAL = b'{"Image":"alpine","Cmd":["true"],"HostConfig":{"Memory":0}}'


def canonical_body(ctx):
    send = req(CREATE_V, HOST, JSON, b"Content-Length: %d" % len(CLIENT_BODY), body=CLIENT_BODY)
    one_exchange(ctx, send, 201, fwd(CREATE_V, HOST, JSON, body=CANONICAL))


def chunked_reframed(ctx):
    """A chunked body goes up whole, with a Content-Length and no Transfer-Encoding."""
    body = chunked(CLIENT_BODY[:7], CLIENT_BODY[7:40], CLIENT_BODY[40:])
    send = req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked", body=body)
    one_exchange(ctx, send, 201, fwd(CREATE, HOST, JSON, body=CANONICAL))


def keys_and_text_kept(ctx):
    """Labels keys keep their case (maps are not folded); UTF-8 text goes up as UTF-8."""
    body = b'{"Image":"alpine","Labels":{"Owner":"caf\\u00e9","owner":"x"},"Env":["A=<&>"]}'
    want = b'{"Image":"alpine","Labels":{"Owner":"caf\xc3\xa9","owner":"x"},"Env":["A=<&>"]}'
    send = req(CREATE, HOST, JSON, b"Content-Length: %d" % len(body), body=body)
    one_exchange(ctx, send, 201, fwd(CREATE, HOST, JSON, body=want))


def pipelined_after_inspection(ctx):
    """Two inspected creates and a ping on one connection: each one decided and framed."""
    bad = b'{"Image":"alpine","HostConfig":{"Privileged":true}}'
    good = b'{"Image":"alpine"}'
    send = (req(CREATE, HOST, JSON, b"Content-Length: %d" % len(bad), body=bad)
            + req(CREATE, HOST, JSON, b"Content-Length: %d" % len(good), body=good)
            + req(PING, HOST))
    c = ctx.client()
    try:
        c.send(send)
        got = []
        for _ in range(3):
            r = c.response_or_close()
            got.append(None if r is None else r.status)
            if r is None:
                break
    finally:
        c.close()
    check(got == [403, 201, 200], "statuses %s, want [403, 201, 200]", got)
    ctx.expect_upstream(fwd(CREATE, HOST, JSON, body=good) + req(PING, HOST))


# -- limits -----------------------------------------------------------------------

def body_limit(with_chunks, over):
    n = BODY_LIMIT + (1 if over else 0)
    body = sized_body(n)
    if with_chunks:
        framing, wire = b"Transfer-Encoding: chunked", chunked(body[:600], body[600:])
    else:
        framing, wire = b"Content-Length: %d" % n, body
    send = req(CREATE, HOST, JSON, framing, body=wire)

    def run(ctx):
        if not over:
            one_exchange(ctx, send, 201, fwd(CREATE, HOST, JSON, body=body))
            return
        c = ctx.client()
        try:
            try:
                c.send(send)
            except OSError:
                pass  # refused before the whole body was written: the answer is buffered
            r = c.response_or_close()
            closed = r is not None and c.closed_within(T(2))
        finally:
            c.close()
        check(r is not None and r.status == 413, "answer %s, want 413", r)
        check(r.header(b"Content-Type") == b"application/json" and b"sockwarden" in r.body,
              "413 answer %s", show(r.raw))
        check(closed, "connection still open after the 413 (the rest of the body is unread)")
        ctx.expect_upstream(b"")
    return run


# -- Expect: 100-continue -------------------------------------------------------

def expect_continue(ctx):
    """The proxy answers 100 itself before anything goes up, then sends the daemon the
    whole body with a Content-Length and no Expect header (so no second 100)."""
    body = b'{"Image":"alpine"}'
    c = ctx.client()
    try:
        c.send(req(CREATE, HOST, JSON, b"Expect: 100-continue",
                   b"Content-Length: %d" % len(body)))
        c.sock.settimeout(T(1.0))
        try:
            interim = c.read_response(interim=True)
        except socket.timeout:
            raise CaseFailure("no 100 Continue within 1 s: a waiting client would stall")
        c.sock.settimeout(T(3.0))
        check(interim.status == 100, "first answer %s, want 100 Continue", interim)
        time.sleep(T(0.1))
        check(ctx.upstream() == b"", "the daemon got bytes before the body was sent: %s",
              show(ctx.upstream()))
        c.send(body)
        final = c.read_response(interim=True)
        check(final.status == 201, "answer after the body %s, want 201 (one 100 only)", final)
    finally:
        c.close()
    ctx.expect_upstream(fwd(CREATE, HOST, JSON, body=body))


# -- media types -------------------------------------------------------------------

FORM_BODY = b"networkmode=host"
MULTIPART_BODY = (b"--x\r\nContent-Disposition: form-data; name=\"networkmode\"\r\n\r\n"
                  b"host\r\n--x--\r\n")


def build_with(ctype, body):
    return req(BUILD, HOST, b"Content-Type: " + ctype, b"Content-Length: %d" % len(body),
               body=body)


# The daemon's ParseForm puts url-encoded body values before the query's: this body would
# pull evil/img whatever the (inspected) query says.
PULL = b"POST /images/create?fromImage=alpine&tag=latest HTTP/1.1"
PULL_BODY = b"fromImage=evil/img&tag=latest"


def pull_with(ctype):
    return req(PULL, HOST, b"Content-Type: " + ctype, b"Content-Length: %d" % len(PULL_BODY),
               body=PULL_BODY)


def create_with(ctype, body=b'{"Image":"alpine"}'):
    return req(CREATE, HOST, b"Content-Type: " + ctype, b"Content-Length: %d" % len(body),
               body=body)


def json_with_parameters(ctx):
    send = create_with(b"APPLICATION/JSON; charset=utf-8")
    one_exchange(ctx, send, 201, fwd(CREATE, HOST, b"Content-Type: APPLICATION/JSON; "
                                     b"charset=utf-8", body=b'{"Image":"alpine"}'))


# -- a body that trickles ---------------------------------------------------------

def body_trickles(ctx):
    body = b'{"Image":"alpine"}'
    c = ctx.client()
    t0 = time.monotonic()
    try:
        c.send(req(CREATE, HOST, JSON, b"Content-Length: %d" % len(body)))
        for ch in body[:-1]:
            time.sleep(0.1)
            c.send(bytes([ch]))
            if time.monotonic() - t0 > T(2.0):
                break
    except OSError:
        pass  # closed while we trickled: the answer is already in the buffer
    r = c.response_or_close()
    dt = time.monotonic() - t0
    closed = c.closed_within(T(2))
    c.close()
    check(r is not None and r.status == 408, "answer %s, want 408", r)
    check(closed, "connection still open after the 408")
    check(0.25 <= dt <= T(1.5), "answered after %.2f s, want about 0.3 s", dt)
    ctx.expect_upstream(b"")


# -- warn mode: the finding is added to the daemon's Warnings ---------------------

WARNED = b'{"Image":"alpine","HostConfig":{"Privileged":true}}'
WARNING = ('sockwarden: HostConfig.Privileged "true" runs the container privileged (every'
           ' capability and device, no seccomp or AppArmor) (policy inspect-warn, rule'
           ' privileged)')


def warning_in_response(ctx):
    send = req(CREATE, HOST, JSON, b"Content-Length: %d" % len(WARNED), body=WARNED)
    c = ctx.client()
    try:
        c.send(send + req(PING, HOST))
        r = c.read_response()
        r2 = c.response_or_close()
    finally:
        c.close()
    want = json.dumps({"Id": CONTAINER_ID, "Warnings": [WARNING]},
                      separators=(",", ":")).encode() + b"\n"
    check(r.status == 201, "status %d, want 201: %s", r.status, show(r.raw))
    check(r.body == want, "body\n      %s\n    want\n      %s", show(r.body), show(want))
    lengths = [v for n, v in r.headers if n.lower() == b"content-length"]
    check(lengths == [b"%d" % len(want)], "Content-Length headers %s, want exactly [%d]",
          lengths, len(want))
    check(r.header(b"Transfer-Encoding") is None, "Transfer-Encoding in %s", show(r.raw))
    check(r.header(b"Api-Version") == b"1.41", "the daemon's headers must be kept: %s",
          show(r.raw))
    check(r2 is not None and r2.status == 200 and r2.body == b"OK",
          "the ping after the rewritten response: %s", r2)
    ctx.expect_upstream(fwd(CREATE, HOST, JSON, body=WARNED) + req(PING, HOST))


def no_warning_unchanged(ctx):
    """Without a finding the daemon's answer passes as it came."""
    body = b'{"Image":"alpine"}'
    send = req(CREATE, HOST, JSON, b"Content-Length: %d" % len(body), body=body)
    r = one_exchange(ctx, send, 201, fwd(CREATE, HOST, JSON, body=body))
    want = json.dumps({"Id": CONTAINER_ID, "Warnings": []}, separators=(",", ":")).encode()
    check(r.body == want + b"\n", "body %s, want the daemon's %s", show(r.body), show(want))


LIMIT = {"max_body_bytes": BODY_LIMIT}

CASES = [
    InspectCase("inspect-canonical-body-forwarded", canonical_body),
    InspectCase("inspect-chunked-body-reframed-with-length", chunked_reframed),
    InspectCase("inspect-map-keys-and-utf8-kept", keys_and_text_kept),
    InspectCase("inspect-pipelined-deny-allow-ping", pipelined_after_inspection),
    refused("inspect-lowercase-key-refused",
            create_with(b"application/json", b'{"image":"alpine"}'), statuses=400),
    refused("inspect-lowercase-hostconfig-refused",
            create_with(b"application/json",
                        b'{"Image":"alpine","hostconfig":{"privileged":true}}'), statuses=400),
    refused("inspect-privileged-refused",
            create_with(b"application/json",
                        b'{"Image":"alpine","HostConfig":{"Privileged":true}}'), statuses=403),
    refused("inspect-top-level-legacy-refused",
            create_with(b"application/json", b'{"Image":"alpine","Privileged":true}'),
            statuses=403),
    InspectCase("inspect-body-at-limit-content-length", body_limit(False, False), limits=LIMIT),
    InspectCase("inspect-body-over-limit-content-length", body_limit(False, True), limits=LIMIT),
    InspectCase("inspect-body-at-limit-chunked", body_limit(True, False), limits=LIMIT),
    InspectCase("inspect-body-over-limit-chunked", body_limit(True, True), limits=LIMIT),
    InspectCase("inspect-expect-100-answered-by-proxy", expect_continue),
    refused("inspect-build-form-urlencoded-refused",
            build_with(b"application/x-www-form-urlencoded", FORM_BODY)),
    refused("inspect-build-multipart-refused",
            build_with(b"multipart/form-data; boundary=x", MULTIPART_BODY)),
    # Go's mime.ParseMediaType lower-cases with unicode.ToLower (U+0130 -> "i") and trims
    # with strings.TrimSpace (U+00A0 is a space): the daemon reads both as multipart.
    refused("inspect-build-multipart-dotted-capital-i-refused",
            build_with(b"MULT\xc4\xb0PART/FORM-DATA; boundary=x", MULTIPART_BODY)),
    refused("inspect-build-multipart-leading-nbsp-refused",
            build_with(b"\xc2\xa0multipart/form-data; boundary=x", MULTIPART_BODY)),
    # Go's Header.Get reads the first of two Content-Type headers.
    refused("inspect-build-multipart-then-tar-content-type-refused",
            req(BUILD, HOST, b"Content-Type: multipart/form-data; boundary=x",
                b"Content-Type: application/x-tar",
                b"Content-Length: %d" % len(MULTIPART_BODY), body=MULTIPART_BODY)),
    refused("inspect-pull-form-body-refused",
            pull_with(b"application/x-www-form-urlencoded"), policy="inspect-pull"),
    refused("inspect-pull-form-body-leading-nbsp-refused",
            pull_with(b"\xc2\xa0application/x-www-form-urlencoded"), policy="inspect-pull"),
    refused("inspect-pull-form-body-dotted-capital-i-refused",
            pull_with(b"APPL\xc4\xb0CATION/X-WWW-FORM-URLENCODED"), policy="inspect-pull"),
    InspectCase("inspect-json-media-type-parameters-accepted", json_with_parameters),
    refused("inspect-text-plain-refused-on-create", create_with(b"text/plain"), statuses=415),
    # A Content-Type named in Connection is not forwarded: the daemon would see a body
    # without one, so the decision must not rest on it.
    refused("inspect-content-type-named-in-connection-refused",
            req(CREATE, HOST, b"Connection: Content-Type", b"Content-Type: application/json",
                b"Content-Length: 18", body=b'{"Image":"alpine"}'), statuses=415),
    refused("inspect-form-refused-on-create",
            create_with(b"application/x-www-form-urlencoded", b"Image=alpine"), statuses=415),
    InspectCase("inspect-body-trickle-408", body_trickles, limits={"head_timeout": "300ms"}),
    InspectCase("inspect-warn-finding-in-response-warnings", warning_in_response,
                policy="inspect-warn"),
    InspectCase("inspect-warn-no-finding-response-unchanged", no_warning_unchanged,
                policy="inspect-warn"),
]
