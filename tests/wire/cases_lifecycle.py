"""Process lifecycle through the wire: SIGHUP reloads (a good file swaps the policy for
new requests while a request in flight finishes under the policy it started with; a bad
file keeps the running policy), and SIGTERM (stop accepting, let the request in flight
finish, remove the socket, exit 0)."""

import os
import re
import signal
import socket
import threading
import time

from wirelib import T, Case, check, pipeline_flood, req

HOST = b"Host: wire"
PING = b"GET /_ping HTTP/1.1"
# fake_dockerd answers /containers/slow-N/json after N ms.
SLOW = b"GET /containers/slow-800/json HTTP/1.1"


def rewrite_policy(ctx, allow):
    """The same configuration as the runner wrote, with policy "wire" allowing `allow`."""
    with open(ctx.config) as f:
        text = f.read()
    head, _, _ = text.partition("policies:\n")
    with open(ctx.config, "w") as f:
        f.write(head)
        f.write("policies:\n  wire: { allow: [%s] }\n" % ", ".join(allow))


def status_of(ctx, request):
    c = ctx.client()
    try:
        c.send(request)
        return c.read_response().status
    finally:
        c.close()


def wait_for(cond, seconds):
    deadline = time.monotonic() + T(seconds)
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def slow_request_in_background(ctx):
    """Start the slow request and return (thread, result dict) once it reached the daemon."""
    result = {}
    c = ctx.client(timeout=T(10))
    c.send(req(SLOW, HOST))

    def finish():
        try:
            result["response"] = c.read_response()
        except Exception as e:  # noqa: BLE001 - reported by the case
            result["error"] = e
        finally:
            c.close()

    t = threading.Thread(target=finish)
    t.start()
    time.sleep(T(0.2))  # the request is now in flight at the daemon
    return t, result


def reload_swaps_policy(ctx):
    check(status_of(ctx, req(PING, HOST)) == 200, "ping not allowed before the reload")
    t, result = slow_request_in_background(ctx)
    rewrite_policy(ctx, ["SystemVersion"])
    ctx.proxy.send_signal(signal.SIGHUP)
    check(wait_for(lambda: status_of(ctx, req(PING, HOST)) == 403, 3),
          "after SIGHUP a new request is still decided by the old policy")
    t.join(T(5))
    r = result.get("response")
    check(r is not None and r.status == 200,
          "the request in flight when the policy changed did not finish under its policy: %s",
          result.get("error") or (r.status if r else None))
    check(status_of(ctx, req(b"GET /version HTTP/1.1", HOST)) == 200,
          "the new policy's endpoint is not allowed")


def reload_bad_file_keeps_policy(ctx):
    with open(ctx.config, "a") as f:
        f.write("  broken: { allow: [NoSuchEndpoint] }\n")
    ctx.proxy.send_signal(signal.SIGHUP)
    time.sleep(T(0.3))
    check(ctx.proxy.poll() is None, "sockwarden exited on a bad reload")
    check(status_of(ctx, req(PING, HOST)) == 200, "the running policy was dropped")
    with open(ctx.proxy_log, "rb") as f:
        log = f.read()
    check(b"reload failed" in log and b"sockwarden.yaml:" in log,
          "no reload error with file:line:col in the log: %r", log[-400:])


def reload_naming_containers_refuses_old_connections(ctx):
    """A reload whose client entries now name containers: a connection made before it
    was never looked up for its container, so it must not be taken for a host process
    (whose uid could match an entry meant for the host).  It is refused with the reason;
    under the old code it was decided by the new default policy as if in no container."""
    old = ctx.client()
    try:
        old.send(req(PING, HOST))
        check(old.read_response().status == 200, "ping not allowed before the reload")
        with open(ctx.config) as f:
            text = f.read()
        listener = re.search(r"  - \{ name: main, listen: (\"[^\"]+\"), policy: wire \}\n", text)
        check(listener is not None, "listener line not found in %r", text)
        text = text.replace(listener.group(0), (
            "  - { name: main, listen: %s, policy: wire,\n"
            "      clients: [ { match: { container_name: \"web*\" }, policy: wire } ] }\n"
            % listener.group(1)))
        with open(ctx.config, "w") as f:
            f.write(text)
        rewrite_policy(ctx, ["SystemVersion"])
        ctx.proxy.send_signal(signal.SIGHUP)
        # A new connection sees the reload: ping is no longer allowed (403), or its
        # container cannot be told here (503).
        check(wait_for(lambda: status_of(ctx, req(PING, HOST)) != 200, 3),
              "the reload did not take")
        old.send(req(PING, HOST))
        r = old.read_response()
        check(r.status == 503 and b"reconnect" in r.body,
              "the connection from before the reload got %d %r, want 503 and the reason",
              r.status, r.body)
    finally:
        old.close()


def reload_lowers_input_ceiling(ctx):
    """A reload that lowers max_header_bytes lowers the input ceiling of a connection
    made before it, from its next request on.  The connection pipelines 2.3 MB: under
    the old 1 MiB limit 1.3 MB could wait unconsumed, under the new 1 KiB 0.26 MB, so
    many more requests must be answered before the client's send ends.  Its send
    buffer is made small, so that little waits there."""
    n, pad = 2500, b"X-Pad: " + b"p" * 900
    one = req(PING, HOST, pad)
    c = ctx.client(timeout=30)
    try:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        c.send(one)
        check(c.read_response().status == 200, "ping not allowed before the reload")
        with open(ctx.config) as f:
            text = f.read()
        lowered = re.sub(r"max_header_bytes: [^,}]+", "max_header_bytes: 1024", text)
        check(lowered != text, "no max_header_bytes in %r", text)
        with open(ctx.config, "w") as f:
            f.write(lowered)
        ctx.proxy.send_signal(signal.SIGHUP)
        over = req(PING, HOST, b"X-Pad: " + b"p" * 1024)
        check(wait_for(lambda: status_of(ctx, over) == 431, 3),
              "after the reload a new connection's head over 1 KiB is still allowed")
        answered = pipeline_flood(c, one, n)
        # Unconsumed at most: the ceiling, 1,048,576 + 262,144 (one read) under the old
        # limit, so the send could end after 1,111 answers; 1,024 + 262,144 under the
        # new, 2,221 answers (measured: 1,097 and 2,207, the send buffer's few bytes).
        check(answered >= 1650,
              "the send ended after %d answers: the old ceiling still held", answered)
    finally:
        c.close()


def sigterm_finishes_in_flight(ctx):
    t, result = slow_request_in_background(ctx)
    ctx.proxy.send_signal(signal.SIGTERM)
    check(wait_for(lambda: not os.path.exists(ctx.proxy_sock), 2),
          "the socket was not removed when stopping")
    t.join(T(5))
    r = result.get("response")
    check(r is not None and r.status == 200,
          "the request in flight at SIGTERM did not finish: %s", result.get("error"))
    try:
        code = ctx.proxy.wait(T(5))
    except Exception:  # noqa: BLE001
        code = None
    check(code == 0, "sockwarden did not exit 0 after draining (exit %s)", code)


def upstream_connect_timeout(ctx):
    """A daemon that never completes the connection: 502 after upstream_connect_timeout.
    A TCP listener whose backlog is full makes the kernel drop further SYNs, so the
    proxy's connect stays in progress until its own timer fires."""
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(0)
    port = lsn.getsockname()[1]
    fillers = []
    for _ in range(4):
        f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        f.setblocking(False)
        try:
            f.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(f)
    time.sleep(T(0.2))
    try:
        ctx.stop_proxy()
        with open(ctx.config) as f:
            text = f.read()
        with open(ctx.config, "w") as f:
            f.write(re.sub(r"^upstream: .*$", "upstream: tcp://127.0.0.1:%d" % port, text,
                           count=1, flags=re.M)
                    .replace("limits: { ", "limits: { upstream_connect_timeout: 300ms, ", 1))
        ctx.launch_proxy()
        c = ctx.client(timeout=T(5))
        t0 = time.monotonic()
        c.send(req(PING, HOST))
        r = c.read_response()
        spent = time.monotonic() - t0
        c.close()
        check(r.status == 502 and b"timed out connecting" in r.body,
              "want 502 'timed out connecting', got %d %r", r.status, r.body[:200])
        check(0.25 <= spent <= T(3), "answered after %.2f s, want about 0.3 s", spent)
    finally:
        for f in fillers:
            f.close()
        lsn.close()


def restart_with_policy(ctx, policy_yaml):
    """Restart the runner's sockwarden with "wire" replaced by `policy_yaml`."""
    ctx.stop_proxy()
    with open(ctx.config) as f:
        head, _, _ = f.read().partition("policies:\n")
    with open(ctx.config, "w") as f:
        f.write(head + "policies:\n  wire:\n" + policy_yaml)
    ctx.launch_proxy()


def archive_compressed_refused(ctx):
    """The daemon decompresses an archive upload by its first bytes (CVE-2026-41567):
    with archive: { compressed: false } a gzip stream is refused before any byte goes
    up, a plain tar goes up whole."""
    restart_with_policy(ctx, '    allow: ["*"]\n    archive: { compressed: false }\n')
    put = b"PUT /containers/abc/archive?path=/ HTTP/1.1"
    gz = b"\x1f\x8b\x08\x00" + b"\x00" * 60
    before = len(ctx.upstream())
    c = ctx.client()
    c.send(req(put, HOST, b"Content-Type: application/x-tar",
               b"Content-Length: %d" % len(gz), body=gz))
    r = c.read_response()
    c.close()
    check(r.status == 403 and b"rule archive" in r.body, "gzip upload: %d %r", r.status, r.body)
    check(len(ctx.upstream()) == before, "bytes of a refused upload reached the daemon")
    tar = b"p.txt" + b"\x00" * 507
    c = ctx.client()
    c.send(req(put, HOST, b"Content-Type: application/x-tar",
               b"Content-Length: %d" % len(tar), body=tar))
    r = c.read_response()
    c.close()
    got = ctx.upstream()
    check(got.endswith(tar) and b"PUT /containers/abc/archive?path=/ HTTP/1.1" in got,
          "the plain tar did not reach the daemon whole: %d bytes", len(got))


def denied_body_never_sent(ctx):
    """A denied request that announces a body and never sends it: the body is discarded
    as it comes, under the head timeout, not waited for forever."""
    c = ctx.client(timeout=T(5))
    c.send(req(b"POST /containers/create HTTP/1.1", HOST, b"Content-Type: application/json",
               b"Content-Length: 100", body=b'{"Image":'))
    r = c.read_response()
    check(r.status == 403, "want 403 for a denied create, got %d", r.status)
    t0 = time.monotonic()
    c.sock.settimeout(T(3))
    try:
        closed = c.sock.recv(1) == b""
    except socket.timeout:
        closed = False
    except OSError:
        closed = True
    c.close()
    check(closed and time.monotonic() - t0 < T(2.5),
          "the connection was still held %.1f s after the denial", time.monotonic() - t0)


CASES = [
    Case("denied-body-never-sent", denied_body_never_sent, policy="wire",
         limits={"head_timeout": "300ms"}),
    Case("archive-compressed-refused", archive_compressed_refused, policy="wire"),
    Case("upstream-connect-timeout", upstream_connect_timeout, policy="wire"),
    Case("reload-swaps-policy", reload_swaps_policy, policy="wire"),
    Case("reload-bad-file-keeps-policy", reload_bad_file_keeps_policy, policy="wire"),
    Case("reload-naming-containers-refuses-old-connections",
         reload_naming_containers_refuses_old_connections, policy="wire"),
    Case("reload-lowers-input-ceiling", reload_lowers_input_ceiling,
         limits={"max_header_bytes": "1MiB"}),
    Case("sigterm-finishes-in-flight", sigterm_finishes_in_flight, policy="wire",
         stops_proxy=True),
]


class AuditedCase(Case):
    """With the audit log on: its line for a request in flight at SIGTERM is written after
    the listeners stopped (under ASan, a listener freed too early is a read after free)."""
    audit = True


CASES.append(AuditedCase("sigterm-finishes-in-flight-audited", sigterm_finishes_in_flight,
                         policy="wire", stops_proxy=True))
