"""Audit lines on the wire: with the audit log on, every request leaves exactly one JSON
line, however long what it carried.  An allowed request is forwarded before its line is
written, so a line that did not fit would leave an allowed request unrecorded; long fields
are cut to a budget instead, and the line says "truncated": true."""

import time

from wirelib import T, Case, check, read_records, req, show, upstream_requests

HOST = b"Host: wire"
# A container name long enough that the request target is about 4 KiB, under the
# proxy's SW_PATH_MAX (4096) so that the request is decided and forwarded.
LONG_NAME = b"n" * 4000
LONG_TARGET = b"/v1.41/containers/" + LONG_NAME + b"/json"
SHORT_TARGET = b"/v1.41/containers/short/json"
TARGET_BUDGET = 2048  # proxy/audit.c BUDGET_TARGET


def audit_lines(ctx, n):
    """The audit log's lines once there are n of them (every line must parse)."""
    deadline = time.monotonic() + T(3)
    recs = read_records(ctx.audit_log)
    while len(recs) < n and time.monotonic() < deadline:
        time.sleep(0.02)
        recs = read_records(ctx.audit_log)
    time.sleep(T(0.1))
    with open(ctx.audit_log, "rb") as f:
        raw = f.read()
    check(raw.endswith(b"\n"), "audit log does not end with a newline: %s", show(raw[-200:]))
    for line in raw.splitlines():
        check(len(line) + 1 <= 8192, "audit line of %d bytes, over AUDIT_LINE_MAX",
              len(line) + 1)
    recs = read_records(ctx.audit_log)
    check(len(recs) == n, "%d audit lines, want %d: %s", len(recs), n, show(raw))
    return recs


def long_path_is_audited(ctx):
    c = ctx.client()
    try:
        c.send(req(b"GET " + LONG_TARGET + b" HTTP/1.1", HOST))
        r1 = c.read_response()
        c.send(req(b"GET " + SHORT_TARGET + b" HTTP/1.1", HOST))
        r2 = c.read_response()
    finally:
        c.close()
    check(r1.status == 200 and r2.status == 200, "statuses %d, %d: %s", r1.status, r2.status,
          show(r1.raw))
    targets = [r.split(b" ")[1] for r in upstream_requests(ctx.record)]
    check(targets == [LONG_TARGET, SHORT_TARGET], "daemon received %s", show(b" ".join(targets)))
    long_rec, short_rec = audit_lines(ctx, 2)
    check(long_rec.get("verdict") == "allow" and long_rec.get("status") == 200,
          "long request's line: %s", long_rec)
    check(long_rec.get("endpoint") == "ContainerInspect", "endpoint %s", long_rec.get("endpoint"))
    check(long_rec.get("truncated") is True, "no \"truncated\": true in %s", long_rec)
    want = LONG_TARGET[:TARGET_BUDGET].decode()
    check(long_rec.get("target") == want, "target %r, want the first %d bytes sent",
          long_rec.get("target", "")[:80], TARGET_BUDGET)
    check(long_rec["path"] == ("/containers/" + LONG_NAME.decode())[:TARGET_BUDGET],
          "path %r", long_rec["path"][:80])
    check(long_rec.get("conn") == short_rec.get("conn"), "two connections: %s / %s",
          long_rec.get("conn"), short_rec.get("conn"))
    check(short_rec.get("target") == SHORT_TARGET.decode() and "truncated" not in short_rec,
          "short request's line: %s", short_rec)


class AuditCase(Case):
    """A case run with the audit log on (run_wire.Ctx.audit_log)."""
    audit = True


CASES = [
    AuditCase("audit-4k-path-allowed-leaves-one-truncated-line", long_path_is_audited),
]
