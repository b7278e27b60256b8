# `sockwarden explain`: the decision and its trace for a request given on the command line,
# with the caller described by --client (the listener's client entries choose the policy).
# Exit status 0 allowed, 1 denied, 2 usage or configuration error.
# Format: see case_exec.py.

# The fingerprint entry (written in upper-case pairs) in other spellings, and misspelt (a
# colon moved by one, a pair without its colon): explain reads --client cert_fingerprint as
# the loader reads the entry.
FP_BARE = "ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01"
FP_PAIRS_LOWER = ":".join(FP_BARE[i:i + 2] for i in range(0, 64, 2))
FP_COLON_MOVED = "a:b" + FP_PAIRS_LOWER[2:]
FP_PAIR_JOINED = FP_PAIRS_LOWER[:2] + FP_PAIRS_LOWER[3:]

CONFIG = """\
listeners:
  - name: remote
    listen: tcp://127.0.0.1:2376
    tls: { cert: /etc/sw/server.pem, key: /etc/sw/server-key.pem, ca: /etc/sw/ca.pem }
    policy: ro
    clients:
      - { match: { cert_cn: alice }, policy: ci }
      - { match: { cert_uri: "spiffe://example.org/ci/*" }, policy: ci }
      - { match: { cert_fingerprint: "@FP@" }, policy: ci }
  - name: local
    listen: unix:///run/sw-explain.sock
    policy: ro
    clients:
      - { match: { uid: 1000 }, policy: ci }
      - { match: { container_label: "role=ci" }, policy: ci }
  - name: owned
    listen: unix:///run/sw-explain-owned.sock
    policy: mine
    clients:
      - { match: { uid: 1000 }, policy: mine, owner: ci-runners }
policies:
  ro: { groups: [read-only] }
  mine: { allow: ["*"], ownership: true }
  ci:
    allow: ["Container*"]
    containers: { privileged: false }
""".replace("@FP@", FP_PAIRS_LOWER.upper())
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
         {"exit": 2, "stderr": ["cert_fingerprint must be a SHA-256 fingerprint"]}),
    case("explain-client-fingerprint-pairs",
         X + "--listener remote --client cert_fingerprint=" + FP_PAIRS_LOWER +
         " POST /containers/create plain.json",
         {"exit": 0, "stdout": ["policy      ci (listener remote, clients[2])",
                                "verdict     allow"]}),
    case("explain-client-fingerprint-bare",
         X + "--listener remote --client cert_fingerprint=" + FP_BARE.upper() +
         " GET /containers/json",
         {"exit": 0, "stdout": ["policy      ci (listener remote, clients[2])"]}),
    case("explain-client-fingerprint-colon-moved",
         X + "--listener remote --client cert_fingerprint=" + FP_COLON_MOVED + " GET /_ping",
         {"exit": 2, "stderr": ["cert_fingerprint must be a SHA-256 fingerprint"],
          "stdout_not": ["policy"]}),
    case("explain-client-fingerprint-pair-joined",
         X + "--listener remote --client cert_fingerprint=" + FP_PAIR_JOINED + " GET /_ping",
         {"exit": 2, "stderr": ["cert_fingerprint must be a SHA-256 fingerprint"]}),
    case("explain-client-uid-leading-space",
         X + "--listener local --client 'uid= 1000' GET /_ping",
         {"exit": 2, "stderr": ["uid must be a numeric id below 4294967295: \" 1000\""]}),
    case("explain-client-uid-plus-sign",
         X + "--listener local --client uid=+1000 GET /_ping",
         {"exit": 2, "stderr": ["uid must be a numeric id below 4294967295: \"+1000\""]}),
    case("explain-client-gid-leading-zero",
         X + "--listener local --client gid=0100 GET /_ping",
         {"exit": 2, "stderr": ["gid must be a numeric id below 4294967295"]}),
    case("explain-client-uid-none",
         X + "--listener local --client uid=4294967295 GET /_ping",
         {"exit": 2, "stderr": ["uid must be a numeric id below 4294967295"]}),
    case("explain-client-owner-of-entry",
         X + "--listener owned --client uid=1000 GET /containers/json",
         {"exit": 0, "stdout": ["policy      mine (listener owned, clients[0])",
                                "owner       ci-runners (ownership"]}),
    case("explain-client-owner-from-uid",
         X + "--listener owned --client uid=1001 GET /containers/json",
         {"exit": 0, "stdout": ["policy      mine (listener owned, default)",
                                "owner       uid:1001 (ownership"]}),
    case("explain-client-owner-unknown-without-client",
         X + "--listener owned GET /containers/json",
         {"exit": 0, "stdout": ["owner       unknown: describe the caller with --client"]}),
    case("explain-client-with-policy-refused",
         X + "--policy ci --client uid=0 GET /_ping",
         {"exit": 2, "stderr": ["not with --policy"]}),
]
