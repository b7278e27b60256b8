"""Framing and smuggling cases: one request's bytes, the status the client must
see, and exactly what may reach the daemon.

Rejections (DESIGN.md invariant 2): every message that Go's net/http and a
proxy could frame two ways must be answered 400 and the connection closed,
with nothing forwarded.  Forwards (invariant 3): allowed requests reach the
daemon re-framed from the parsed request, byte for byte as written here.
"""

from wirelib import req, simple

HOST = b"Host: wire"
JSON = b"Content-Type: application/json"
BODY = b'{"Image":"alpine"}'  # 18 = 0x12 bytes
CREATE = b"POST /containers/create HTTP/1.1"
PING = b"GET /_ping HTTP/1.1"

# Refused: 400, the connection closed, nothing upstream.
REJECT = dict(statuses=[400], closed=True, upstream=b"")


def reject(name, send, **kw):
    args = dict(REJECT)
    args.update(kw)
    return simple(name, send, **args)


CHUNKED_BODY = b"12\r\n" + BODY + b"\r\n0\r\n\r\n"
SMUGGLED = req(b"GET /info HTTP/1.1", HOST)

CASES = [
    # -- Content-Length and Transfer-Encoding together or repeated ---------
    reject("cl-te", req(CREATE, HOST, JSON, b"Content-Length: 18",
                        b"Transfer-Encoding: chunked", body=CHUNKED_BODY)),
    reject("te-cl", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                        b"Content-Length: 18", body=CHUNKED_BODY)),
    reject("cl-te-on-get", req(PING, HOST, b"Content-Length: 5", b"Transfer-Encoding: chunked",
                               body=b"0\r\n\r\n")),
    reject("two-cl-same", req(CREATE, HOST, JSON, b"Content-Length: 18", b"Content-Length: 18",
                              body=BODY)),
    reject("two-cl-different", req(CREATE, HOST, JSON, b"Content-Length: 18",
                                   b"Content-Length: 19", body=BODY + b" ")),
    reject("cl-comma-list", req(CREATE, HOST, JSON, b"Content-Length: 18, 18", body=BODY)),
    reject("cl-plus-sign", req(CREATE, HOST, JSON, b"Content-Length: +18", body=BODY)),
    reject("cl-negative", req(CREATE, HOST, JSON, b"Content-Length: -1", body=BODY)),
    reject("cl-overflow", req(CREATE, HOST, JSON,
                              b"Content-Length: 184467440737095516160", body=BODY)),

    # -- obs-fold: Go joins the line to the previous header ---------------
    reject("obs-fold-space", req(PING, HOST, b"X-Pad: a", b" b")),
    reject("obs-fold-tab", req(PING, HOST, b"\tb")),
    reject("obs-fold-hides-cl", req(CREATE, HOST, JSON, b"X-Pad: a", b" Content-Length: 18",
                                    body=BODY)),
    reject("obs-fold-makes-te", req(CREATE, HOST, JSON, b"Transfer-Encoding:", b" chunked",
                                    body=CHUNKED_BODY)),
    reject("obs-fold-after-request-line", req(PING, b" X-Pad: a", HOST)),

    # -- line endings, control bytes, header syntax ------------------------
    reject("bare-lf-request-line", b"GET /_ping HTTP/1.1\nHost: wire\r\n\r\n"),
    reject("bare-lf-header", b"GET /_ping HTTP/1.1\r\nHost: wire\n\r\n"),
    reject("bare-lf-everywhere", b"GET /_ping HTTP/1.1\nHost: wire\n\n"),
    reject("bare-cr-in-header", b"GET /_ping HTTP/1.1\r\nHost: wire\r\nX-A: a\rX-B: b\r\n\r\n"),
    reject("bare-cr-request-line", b"GET /_ping HTTP/1.1\rHost: wire\r\n\r\n"),
    reject("nul-in-header-value", req(PING, HOST, b"X-A: a\x00b")),
    reject("nul-in-header-name", req(PING, HOST, b"X-\x00A: b")),
    reject("space-before-colon", req(PING, b"Host : wire")),
    reject("tab-in-request-line", req(b"GET\t/_ping HTTP/1.1", HOST)),
    reject("lowercase-http-version", req(b"GET /_ping http/1.1", HOST)),
    reject("http09-request-line", b"GET /_ping\r\n\r\n", statuses=[(400, 505)]),

    # -- chunk framing ------------------------------------------------------
    reject("chunk-size-junk", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                  body=b"12x\r\n" + BODY + b"\r\n0\r\n\r\n")),
    reject("chunk-size-overflow", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                      body=b"10000000000000012\r\n" + BODY + b"\r\n0\r\n\r\n")),
    reject("chunk-size-0x", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                body=b"0x12\r\n" + BODY + b"\r\n0\r\n\r\n")),
    reject("chunk-size-negative", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                      body=b"-12\r\n" + BODY + b"\r\n0\r\n\r\n")),
    reject("chunk-size-empty", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                   body=b"\r\n" + BODY + b"\r\n0\r\n\r\n")),
    reject("chunk-data-missing-crlf", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                          body=b"12\r\n" + BODY + b"XX0\r\n\r\n")),
    reject("chunk-size-bare-lf", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                     body=b"12\n" + BODY + b"\r\n0\r\n\r\n")),

    # -- Transfer-Encoding other than exactly "chunked" ---------------------
    reject("te-chunked-identity", req(CREATE, HOST, JSON,
                                      b"Transfer-Encoding: chunked, identity",
                                      body=CHUNKED_BODY)),
    reject("te-gzip-chunked", req(CREATE, HOST, JSON, b"Transfer-Encoding: gzip, chunked",
                                  body=CHUNKED_BODY)),
    reject("te-identity", req(CREATE, HOST, JSON, b"Transfer-Encoding: identity",
                              b"Content-Length: 18", body=BODY)),
    reject("te-two-headers", req(CREATE, HOST, JSON, b"Transfer-Encoding: chunked",
                                 b"Transfer-Encoding: chunked", body=CHUNKED_BODY)),
    reject("te-xchunked", req(CREATE, HOST, JSON, b"Transfer-Encoding: xchunked",
                              body=CHUNKED_BODY)),
    reject("http10-te", req(b"POST /containers/create HTTP/1.0", HOST, JSON,
                            b"Transfer-Encoding: chunked", body=CHUNKED_BODY)),
    # Go ignores TE on 1.0, so with keep-alive the "body" is the next request.
    reject("http10-te-keepalive-smuggle", req(
        b"GET /_ping HTTP/1.0", HOST, b"Connection: keep-alive", b"Transfer-Encoding: chunked",
        body=b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED))),

    # -- request targets and protocols --------------------------------------
    reject("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    # The message itself is well framed, so the connection may stay open.
    reject("absolute-form-http", req(b"GET http://wire/_ping HTTP/1.1", HOST), closed=None),
    reject("absolute-form-unix", req(b"GET unix:///var/run/docker.sock/_ping HTTP/1.1", HOST),
           closed=None),
    simple("authority-form-connect", req(b"CONNECT wire:80 HTTP/1.1", HOST),
           statuses=[(400, 403, 405)], upstream=b""),
    simple("nul-in-target", req(b"GET /_ping\x00 HTTP/1.1", HOST),
           statuses=[(400, 403, 404)], upstream=b""),
]
