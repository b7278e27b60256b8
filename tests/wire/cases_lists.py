"""List answers and the events stream under ownership and label redaction, on the wire.

The daemon here is scripted by each case (wirelib.ScriptedDaemon), not the runner's
fake_dockerd: the point is the exact bytes and their timing, an events stream whose
messages are split across chunks and reads, or an answer the proxy cannot read.  The
policy is "owned-redact" (run_wire.POLICIES): ownership, and labels "secret.*" redacted.
The client's owner is "uid:<our uid>" (SO_PEERCRED).
"""

import json
import os
import time

from wirelib import T, Case, CaseFailure, check, chunk, head, req, show, sized, with_daemon

HOST = b"Host: wire"
LABEL = "io.sockwarden.owner"
OWNER = "uid:%d" % os.getuid()
REDACTED = "<redacted>"
SECRET = b"hunter2"

def event(n, **attrs):
    attrs.setdefault(LABEL, OWNER)
    return json.dumps({"Type": "container", "Action": "create",
                       "Actor": {"ID": "c%d" % n, "Attributes": attrs},
                       "time": 1700000000 + n, "timeNano": 1700000000123456789 + n},
                      separators=(",", ":")).encode() + b"\n"


def send_pieces(conn, pieces):
    """Each piece in its own write, apart in time, so that the proxy reads them apart."""
    for p in pieces:
        conn.sendall(p)
        time.sleep(T(0.03))


EV1 = event(1, name="web", **{"secret.db": "hunter2", "app": "shop"})
EV2 = event(2, name="db", **{"secret.token": "hunter2hunter2"})
EV3 = event(3, name="cache")


def events_split(path, conn):
    """Three messages: the first over three chunks (its size line apart from its data),
    the second across a chunk boundary, the third in the same chunk as the second's end."""
    c1a, c1b, c1c = EV1[:9], EV1[9:40], EV1[40:] + EV2[:7]
    send_pieces(conn, [
        head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n",
        b"%x\r\n" % len(c1a), c1a + b"\r\n",
        chunk(c1b),
        chunk(c1c)[:5], chunk(c1c)[5:],
        chunk(EV2[7:] + EV3),
        b"0\r\n\r\n",
    ])


def check_events(got, want_n, redacted=True):
    lines = got.split(b"\n")
    check(lines[-1] == b"", "the stream does not end with a newline: %s", show(got))
    msgs = [json.loads(ln) for ln in lines[:-1]]
    check(len(msgs) == want_n, "%d messages, want %d: %s", len(msgs), want_n, show(got))
    for i, m in enumerate(msgs, 1):
        attrs = m["Actor"]["Attributes"]
        check(m["Actor"]["ID"] == "c%d" % i, "message %d is %s", i, m)
        for k, v in attrs.items():
            if k.startswith("secret.") and redacted:
                check(v == REDACTED, "message %d: %s=%r not redacted", i, k, v)
            else:
                check(v != REDACTED, "message %d: %s redacted", i, k)
        check(attrs.get(LABEL) == OWNER, "message %d lost its owner label: %s", i, attrs)
    check(SECRET not in got or not redacted, "a secret label value reached the client: %s",
          show(got))
    return msgs


def get(ctx, target, timeout=None):
    """GET target on a connection of its own, read to the answer's end."""
    c = ctx.client(timeout)
    try:
        c.send(req(b"GET " + target + b" HTTP/1.1", HOST))
        return c.read_response()
    finally:
        c.close()


def get_events(ctx):
    """GET /events, read to the stream's end; the answer must be a 200."""
    r = get(ctx, b"/v1.41/events")
    check(r.status == 200, "status %d: %s", r.status, show(r.raw))
    return r


def events_split_redacted(ctx, d):
    r = get_events(ctx)
    check(r.header(b"Transfer-Encoding") == b"chunked", "not chunked: %s", show(r.raw))
    msgs = check_events(r.body, 3)
    check(msgs[0]["Actor"]["Attributes"]["app"] == "shop", "a plain label changed: %s", msgs[0])
    # Ownership added its filter to the query the daemon saw.
    check(len(d.targets) == 1 and b"filters=" in d.targets[0], "daemon saw %s", d.targets)


def events_bad_message(path, conn):
    send_pieces(conn, [
        head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n",
        chunk(EV1),
        chunk(b"secret.db=hunter2 not json\n" + EV2),
        chunk(EV3),
        b"0\r\n\r\n",
    ])


def events_bad_message_ends_stream(ctx, d):
    c = ctx.client()
    try:
        c.send(req(b"GET /v1.41/events HTTP/1.1", HOST))
        r = c.read_response()  # a well-framed end (the last chunk)
        closed = c.closed_within(T(2))
    finally:
        c.close()
    check(r.status == 200, "status %d: %s", r.status, show(r.raw))
    check_events(r.body, 1)
    check(closed, "the connection stayed open after the stream was ended")
    deadline = time.monotonic() + T(2)
    while "stream ended" not in ctx.proxy_stderr() and time.monotonic() < deadline:
        time.sleep(0.02)
    check("not a JSON object" in ctx.proxy_stderr() and "stream ended" in ctx.proxy_stderr(),
          "no warning in the log: %s", ctx.proxy_stderr()[-800:])


def events_oversized(path, conn):
    big = event(2, name="big", **{"pad": "x" * (1100 * 1024)})
    pieces = [head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n", chunk(EV1)]
    pieces += [chunk(big[i:i + 65536]) for i in range(0, len(big), 65536)]
    send_pieces(conn, pieces + [chunk(EV3), b"0\r\n\r\n"])


def events_oversized_ends_stream(ctx, d):
    r = get(ctx, b"/v1.41/events", timeout=10)
    check_events(r.body, 1)
    check("longer than the limit" in ctx.proxy_stderr(), "no warning in the log: %s",
          ctx.proxy_stderr()[-800:])


def events_with_length(path, conn):
    """An events answer with a Content-Length: dropping messages would make it wrong."""
    conn.sendall(sized(EV1 + THEIRS + EV2))


def events_with_length_withheld(ctx, d):
    r = get(ctx, b"/v1.41/events")
    check(r.status == 502, "status %d, want 502: %s", r.status, show(r.raw))
    check(b"c1" not in r.body and b"t1" not in r.body and SECRET not in r.body,
          "a message of the withheld answer reached the client: %s", show(r.raw))


def events_until_close(path, conn):
    """An events answer delimited by the close of the connection, split mid-message."""
    body = EV1 + THEIRS + EV2 + EV3
    send_pieces(conn, [head() + b"\r\n", body[:50], body[50:300], body[300:]])


def events_until_close_filtered(ctx, d):
    r = get_events(ctx)
    check(r.header(b"Transfer-Encoding") is None and r.header(b"Content-Length") is None,
          "framing changed: %s", show(r.raw))
    check_events(r.body, 3)
    check(b"t1" not in r.body, "another owner's event reached the client: %s", show(r.body))


def malformed_head(path, conn):
    """A head that breaks off into a line that is no header, after a valid start."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nno colon here\r\n\r\nOK")


def malformed_head_502(ctx, d):
    r = get(ctx, b"/_ping")
    check(r.status == 502, "status %d, want 502: %s", r.status, show(r.raw))
    check(b"malformed response" in r.body and b"Api-Version: 1.41" not in r.body,
          "not the Docker-style 502 alone: %s", show(r.raw))


def others_event(ident, **attrs):
    """A message that is not the caller's: the daemon's own label filter would have
    dropped it; the proxy must drop it too, whatever the daemon did."""
    return json.dumps({"Type": "container", "Action": "create",
                       "Actor": {"ID": ident, "Attributes": attrs}},
                      separators=(",", ":")).encode() + b"\n"


THEIRS = others_event("t1", name="theirs", **{LABEL: "uid:4242", "secret.db": "hunter2"})
UNLABELLED = others_event("t2", name="nobody's")
NETWORK = json.dumps({"Type": "network", "Action": "connect",
                      "Actor": {"ID": "n1", "Attributes": {"container": "c1", "name": "n",
                                                           "type": "bridge"}}},
                     separators=(",", ":")).encode() + b"\n"


def events_of_others(path, conn):
    send_pieces(conn, [
        head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n",
        chunk(EV1),
        chunk(THEIRS + EV2[:11]),
        chunk(EV2[11:] + UNLABELLED),
        chunk(NETWORK),
        chunk(b'{"Type":"daemon","Action":"reload"}\n' + EV3),
        b"0\r\n\r\n",
    ])


def events_of_others_dropped(redacted):
    def run(ctx, d):
        r = get_events(ctx)
        check_events(r.body, 3, redacted)
        check(b"t1" not in r.body and b"t2" not in r.body and b"n1" not in r.body
              and b"reload" not in r.body, "another owner's event reached the client: %s",
              show(r.body))
        check(len(d.targets) == 1 and b"filters=" in d.targets[0], "daemon saw %s", d.targets)
    return run


def mine(name, **labels):
    labels[LABEL] = OWNER
    return {"Name": name, "Driver": "local", "Labels": labels, "Scope": "local"}


def volumes_with_cluster(path, conn):
    theirs = {"Name": "cv", "Driver": "csi", "Labels": {LABEL: "uid:4242"},
              "Scope": "global", "ClusterVolume": {"ID": "x1"}}
    conn.sendall(sized(json.dumps({
        "Volumes": [mine("v1", **{"secret.key": "hunter2", "app": "a"}), theirs,
                    {"Name": "cv2", "Labels": None}],
        "Warnings": None}).encode() + b"\n"))


def volumes_filtered(ctx, d):
    r = get(ctx, b"/v1.42/volumes")
    check(r.status == 200, "status %d: %s", r.status, show(r.raw))
    got = json.loads(r.body)
    names = [v["Name"] for v in got["Volumes"]]
    check(names == ["v1"], "volumes %s, want only the caller's v1", names)
    check(got["Volumes"][0]["Labels"]["secret.key"] == REDACTED, "not redacted: %s", got)
    check(got["Volumes"][0]["Labels"]["app"] == "a", "a plain label changed: %s", got)
    check(int(r.header(b"Content-Length")) == len(r.body), "wrong Content-Length: %s",
          show(r.raw))


def containers_bad_json(path, conn):
    conn.sendall(sized(b'[{"Id":"c1","Labels":{"secret.db":"hunter2"'))


def list_bad_json_withheld(ctx, d):
    r = get(ctx, b"/v1.41/containers/json")
    check(r.status == 502, "status %d, want 502: %s", r.status, show(r.raw))
    check(b"withheld" in r.body and SECRET not in r.raw, "answer: %s", show(r.raw))


N_BIG = 1500


def containers_big(path, conn):
    entries = [{"Id": "%064x" % i, "Names": ["/c%d" % i], "Image": "alpine",
                "Command": "sleep 300", "Labels": {LABEL: OWNER, "secret.db": "hunter2",
                                                  "com.docker.compose.project": "p" * 800},
                "Mounts": [], "State": "running", "Status": "Up"} for i in range(N_BIG)]
    body = json.dumps(entries).encode() + b"\n"
    if len(body) <= 1024 * 1024:
        raise CaseFailure("the big list is only %d bytes" % len(body))
    # Chunked, the way Go frames a long answer written in pieces.
    conn.sendall(head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n")
    for i in range(0, len(body), 32768):
        conn.sendall(chunk(body[i:i + 32768]))
    conn.sendall(b"0\r\n\r\n")


def list_over_a_mib_filtered(ctx, d):
    r = get(ctx, b"/v1.41/containers/json", timeout=10)
    check(r.status == 200, "status %d: %s", r.status, show(r.raw[:300]))
    got = json.loads(r.body)
    check(len(got) == N_BIG, "%d containers, want %d", len(got), N_BIG)
    check(all(e["Labels"]["secret.db"] == REDACTED for e in got), "a label not redacted")
    check(SECRET not in r.body, "a secret reached the client")


# OWN_LIST_MAX in proxy/conn_own.c: a held list answer may be this big, head included.
OWN_LIST_MAX = 16 * 1024 * 1024


def containers_over_the_limit(path, conn):
    """A list whose answer, head included, is one byte over what the proxy holds to filter:
    the caller's entry padded, and another owner's carrying a secret."""
    theirs = {"Id": "t1", "Labels": {LABEL: "uid:4242", "secret.db": "hunter2"}}
    filler = {"Id": "f0", "Labels": {LABEL: OWNER}, "Pad": ""}
    answer = sized(json.dumps([theirs, filler]).encode())
    for _ in range(2):  # the second pass allows for Content-Length's longer digits
        filler["Pad"] = "x" * (len(filler["Pad"]) + OWN_LIST_MAX + 1 - len(answer))
        answer = sized(json.dumps([theirs, filler]).encode())
    if len(answer) != OWN_LIST_MAX + 1:
        raise CaseFailure("the answer is %d bytes, want %d" % (len(answer), OWN_LIST_MAX + 1))
    conn.sendall(answer)


def list_over_the_limit_withheld(ctx, d):
    r = get(ctx, b"/v1.41/containers/json", timeout=20)
    check(r.status == 502, "status %d, want 502: %s", r.status, show(r.raw[:300]))
    check(b"withheld" in r.body and SECRET not in r.raw and b"uid:4242" not in r.raw,
          "answer: %s", show(r.raw[:300]))


def networks_of_two_owners(path, conn):
    conn.sendall(sized(json.dumps([
        {"Name": "n1", "Id": "a1", "Labels": {LABEL: OWNER, "secret.x": "hunter2"}},
        {"Name": "n2", "Id": "a2", "Labels": {LABEL: "uid:4242", "secret.y": "hunter2"}},
        {"Name": "bridge", "Id": "a3", "Labels": {}}]).encode() + b"\n"))


def redact_only_keeps_all(ctx, d):
    """Without ownership nothing is removed, and nothing is filtered in the query."""
    r = get(ctx, b"/v1.41/networks")
    check(r.status == 200, "status %d: %s", r.status, show(r.raw))
    got = json.loads(r.body)
    check([n["Name"] for n in got] == ["n1", "n2", "bridge"], "networks %s", got)
    check(got[0]["Labels"]["secret.x"] == REDACTED and got[1]["Labels"]["secret.y"] == REDACTED,
          "not redacted: %s", got)
    check(d.targets == [b"/v1.41/networks"], "daemon saw %s", d.targets)


def case(name, script, fn, policy="owned-redact"):
    return Case(name, with_daemon(script, fn), policy=policy, daemon=False, timeout=60)


CASES = [
    case("lists-events-split-across-chunks-redacted", events_split, events_split_redacted),
    case("lists-events-not-json-ends-stream", events_bad_message,
         events_bad_message_ends_stream),
    case("lists-events-oversized-message-ends-stream", events_oversized,
         events_oversized_ends_stream),
    case("lists-events-of-other-owners-dropped", events_of_others,
         events_of_others_dropped(True)),
    case("lists-events-of-other-owners-dropped-without-redaction", events_of_others,
         events_of_others_dropped(False), policy="owned"),
    case("lists-events-with-content-length-withheld-502", events_with_length,
         events_with_length_withheld),
    case("lists-events-until-close-filtered", events_until_close,
         events_until_close_filtered),
    case("daemon-malformed-head-502-nothing-relayed", malformed_head, malformed_head_502),
    case("lists-volumes-cluster-volume-of-other-owner-removed", volumes_with_cluster,
         volumes_filtered),
    case("lists-bad-json-withheld-502", containers_bad_json, list_bad_json_withheld),
    case("lists-over-a-mib-filtered-not-withheld", containers_big, list_over_a_mib_filtered),
    case("lists-over-the-held-limit-withheld-502", containers_over_the_limit,
         list_over_the_limit_withheld),
    case("lists-redact-only-policy-redacts-everyone", networks_of_two_owners,
         redact_only_keeps_all, policy="redact-only"),
]
