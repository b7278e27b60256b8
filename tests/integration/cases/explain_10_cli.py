# `sockwarden explain`: the decision and its trace for a request given on the command line,
# with the caller described by --client (the listener's client entries choose the policy).
# Exit status 0 allowed, 1 denied, 2 usage or configuration error.
# Format: see case_exec.py.

CONFIG = """\
listeners:
  - name: remote
    listen: tcp://127.0.0.1:2376
    tls: { cert: /etc/sw/server.pem, key: /etc/sw/server-key.pem, ca: /etc/sw/ca.pem }
    policy: ro
    clients:
      - { match: { cert_cn: alice }, policy: ci }
      - { match: { cert_uri: "spiffe://example.org/ci/*" }, policy: ci }
  - name: local
    listen: unix:///run/sw-explain.sock
    policy: ro
    clients:
      - { match: { uid: 1000 }, policy: ci }
      - { match: { container_label: "role=ci" }, policy: ci }
policies:
  ro: { groups: [read-only] }
  ci:
    allow: ["Container*"]
    containers: { privileged: false }
"""
PRIV = '{"Image": "bb", "HostConfig": {"Privileged": true}}'
PLAIN = '{"Image": "bb"}'
X = "$SW_BIN explain sw.yaml "


def case(name, cmd, expect):
    return {"name": name, "proxy_only": True, "files": {"sw.yaml": CONFIG, "priv.json": PRIV,
            "plain.json": PLAIN}, "cmd": cmd, "expect": expect}


CASES = [
    case("explain-client-cert-cn-chooses-entry",
         X + "--listener remote --client cert_cn=alice POST /containers/create plain.json",
         {"exit": 0, "stdout": ["policy      ci (listener remote, clients[0])",
                                "verdict     allow"]}),
    case("explain-client-uri-glob",
         X + "--listener remote --client cert_uri=spiffe://example.org/ci/build-7 "
             "POST /containers/create priv.json",
         {"exit": 1, "stdout": ["clients[1]", "HostConfig.Privileged"]}),
    case("explain-client-unmatched-gets-default",
         X + "--listener remote --client cert_cn=mallory POST /containers/create plain.json",
         {"exit": 1, "stdout": ["policy      ro (listener remote, default)"]}),
    case("explain-client-uid",
         X + "--listener local --client uid=1000 GET /containers/json",
         {"exit": 0, "stdout": ["(listener local, clients[0])"]}),
    case("explain-client-container-label",
         X + "--listener local --client container_name=runner "
             "--client container_label=role=ci POST /containers/create plain.json",
         {"exit": 0, "stdout": ["(listener local, clients[1])"]}),
    case("explain-client-bad-key",
         X + "--listener local --client colour=blue GET /_ping",
         {"exit": 2, "stderr": ["unknown --client key \"colour\""]}),
    case("explain-client-bad-fingerprint",
         X + "--listener remote --client cert_fingerprint=ab:cd:zz GET /_ping",
         {"exit": 2, "stderr": ["cert_fingerprint must be a SHA-256 in hex"]}),
    case("explain-client-with-policy-refused",
         X + "--policy ci --client uid=0 GET /_ping",
         {"exit": 2, "stderr": ["not with --policy"]}),
]
