# Mutual TLS: the "tls" listener of the "identity" instance (sockwarden_fixture.py) on
# 127.0.0.1:$TLS_PORT. The policy comes from the verified client certificate: alice (CN)
# gets "all", bob (DNS SAN bob.example.test) gets "ro"; no certificate, an expired one, one
# from another CA, a revoked one and TLS 1.1 are refused at the handshake.
# Format: see case_exec.py.

TLS = "DOCKER_HOST=tcp://127.0.0.1:$TLS_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$CERTS/"
TRY = "/usr/bin/python3 $INTEG_DIR/tls/try_tls.py $TLS_PORT $CERTS/ca.pem "
RM = "$DOCKER rm -f $NAME"

PY_LIST = """\
import docker, sys
who = sys.argv[1]
tls = docker.tls.TLSConfig(client_cert=("$CERTS/%s/cert.pem" % who, "$CERTS/%s/key.pem" % who),
                           ca_cert="$CERTS/ca.pem", verify=True)
c = docker.DockerClient(base_url="https://127.0.0.1:$TLS_PORT", tls=tls)
print("listed", len(c.containers.list(all=True)))
try:
    c.containers.create("$IMAGE", "true", name="$NAME", network_mode="none")
    print("created")
except docker.errors.APIError as e:
    print("refused", e.status_code, e.explanation)
"""

# The rest of the two upstream_tls configurations below: one listener, front.sock in the
# case dir, that lets everything through.
FRONT = """\
listeners:
  - { name: front, listen: "unix://$CASE_DIR/front.sock", policy: all }
log: { level: info, audit: off }
policies:
  all: { allow: ["*"] }
"""

# A second sockwarden in front of the first one's TLS listener: its upstream is
# tcp://127.0.0.1:$TLS_PORT over TLS with a client certificate, as when fronting a remote
# daemon. Started and stopped (by pid) inside the case.
CHAIN_YAML = """\
upstream: tcp://127.0.0.1:$TLS_PORT
upstream_tls:
  ca: $CERTS/ca.pem
  cert: $CERTS/%s/cert.pem
  key: $CERTS/%s/key.pem
  server_name: localhost
""" + FRONT
CHAIN = ("$SW_BIN -f chain.yaml >chain.log 2>&1 & PID=$!; "
         "for i in $(seq 100); do [ -S front.sock ] && break; sleep 0.1; done; "
         "DOCKER_HOST=unix://$CASE_DIR/front.sock %s; rc=$?; "
         "kill $PID; wait $PID; exit $rc")

# The scripts below: "set -u", a free port on 127.0.0.1 in $PORT (free_port prints another),
# and the server's files and the CA copied to c/ with the modes sockwarden accepts.
TLS_SCRIPT_START = """\
set -u
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
mkdir -p c && cp $CERTS/server.pem $CERTS/server-key.pem $CERTS/ca.pem c/
chmod 600 c/server-key.pem && chmod 644 c/server.pem c/ca.pem
"""

# SIGHUP with a broken certificate, then with a key others can read: both reloads are
# refused and the listener keeps serving with the files it has.
RELOAD_SH = TLS_SCRIPT_START + """\
sed "s/@PORT@/$PORT/" tls.tmpl > reload.yaml
$SW_BIN -f reload.yaml > reload.log 2>&1 & PID=$!
try() { /usr/bin/python3 $INTEG_DIR/tls/try_tls.py $PORT $CERTS/ca.pem $CERTS/alice/cert.pem $CERTS/alice/key.pem; }
for i in $(seq 100); do try | grep -q '^OK' && break; sleep 0.1; done
echo "first: $(try)"
echo garbage > c/server.pem; kill -HUP $PID; sleep 0.5
echo "bad cert: $(try)"
cp $CERTS/server.pem c/server.pem; chmod 644 c/server-key.pem; kill -HUP $PID; sleep 0.5
echo "open key: $(try)"
grep -c 'reload failed' reload.log | sed 's/^/refused reloads: /'
grep -q 'server-key.pem' reload.log && echo "key named in the log"
kill $PID; wait $PID
"""

# A CA bundle others can write is an attacker's way to mint client identities. SIGHUP after
# another CA (the one that signed "other") is written into a group-writable ca.pem: the
# reload is refused, so alice (signed by the first CA) still gets in and "other" does not.
# Made go-w again, the same file is accepted on the next SIGHUP: the refusal was the mode.
# A start with the group-writable file fails, naming the file.
WRITABLE_CA_SH = TLS_SCRIPT_START + """\
sed "s/@PORT@/$PORT/" tls.tmpl > ca.yaml
$SW_BIN -f ca.yaml > ca.log 2>&1 & PID=$!
try() { /usr/bin/python3 $INTEG_DIR/tls/try_tls.py $PORT $CERTS/ca.pem $CERTS/$1/cert.pem $CERTS/$1/key.pem; }
for i in $(seq 100); do try alice | grep -q '^OK' && break; sleep 0.1; done
echo "first: alice $(try alice)"
cat $CERTS/other-ca.pem > c/ca.pem; chmod 664 c/ca.pem; kill -HUP $PID; sleep 0.5
echo "writable ca: alice $(try alice); other $(try other)"
grep -q "reload failed.*ca $CASE_DIR/c/ca.pem: writable by its group or by others (mode 0664)" ca.log && echo "reload refusal names the ca"
# Another port, so that only the CA can stop this one from starting.
PORT2=$(free_port)
sed "s/@PORT@/$PORT2/" tls.tmpl > start.yaml
timeout 10 $SW_BIN -f start.yaml > start.log 2>&1; echo "start with it: exit $?"
grep -q "ca $CASE_DIR/c/ca.pem: writable by its group" start.log && echo "start refusal names the ca"
chmod 644 c/ca.pem; kill -HUP $PID; sleep 0.5
echo "go-w again: alice $(try alice | cut -d' ' -f1); other $(try other)"
kill $PID; wait $PID
"""
# "sockwarden check" and "-n" read the certificate, key, CA and CRL as a start would: a key
# others may read, a missing CA, a missing CRL and a broken certificate each fail the check,
# naming the file, where a start would fail later. So do the upstream's files (upstream_tls).
CHECK_SH = TLS_SCRIPT_START + """\
sed "s/@PORT@/$PORT/" tls.tmpl > check.yaml
$SW_BIN check check.yaml > /dev/null 2>&1; echo "good: exit $?"
chmod 640 c/server-key.pem
$SW_BIN check check.yaml 2> key.err > /dev/null; echo "readable key: exit $?"
grep -q "listener tls: key $CASE_DIR/c/server-key.pem: mode 0640" key.err && echo "names the key"
chmod 600 c/server-key.pem; mv c/ca.pem c/ca.moved
$SW_BIN -n -f check.yaml 2> ca.err > /dev/null; echo "no ca: exit $?"
grep -q "ca $CASE_DIR/c/ca.pem: cannot open" ca.err && echo "names the ca"
mv c/ca.moved c/ca.pem
sed 's|c/ca.pem }|c/ca.pem, crl: $CASE_DIR/c/crl.pem }|' check.yaml > crl.yaml
$SW_BIN check crl.yaml 2> crl.err > /dev/null; echo "no crl: exit $?"
grep -q "crl $CASE_DIR/c/crl.pem: cannot open" crl.err && echo "names the crl"
echo garbage > c/server.pem
$SW_BIN check check.yaml 2> cert.err > /dev/null; echo "bad cert: exit $?"
grep -q "cert $CASE_DIR/c/server.pem: no certificate" cert.err && echo "names the cert"
cp $CERTS/alice/cert.pem c/client.pem; cp $CERTS/alice/key.pem c/client-key.pem
chmod 644 c/client.pem; chmod 600 c/client-key.pem
$SW_BIN check upstream.yaml > /dev/null 2>&1; echo "good upstream: exit $?"
chmod 640 c/client-key.pem
$SW_BIN check upstream.yaml 2> ups.err > /dev/null; echo "readable upstream key: exit $?"
grep -q "upstream tcp://127.0.0.1:$TLS_PORT: key $CASE_DIR/c/client-key.pem: mode 0640" ups.err && echo "names the upstream key"
"""
# The upstream's files for CHECK_SH: alice's certificate and key, copied to c/.
CHECK_UPSTREAM_YAML = """\
upstream: tcp://127.0.0.1:$TLS_PORT
upstream_tls:
  ca: $CASE_DIR/c/ca.pem
  cert: $CASE_DIR/c/client.pem
  key: $CASE_DIR/c/client-key.pem
  server_name: localhost
""" + FRONT

# A TLS listener on @PORT@ from the files in c/ (see TLS_SCRIPT_START), as the scripts above
# change them.
TLS_TMPL = """\
upstream: unix://$DAEMON_SOCK
listeners:
  - name: tls
    listen: tcp://127.0.0.1:@PORT@
    tls: { cert: $CASE_DIR/c/server.pem, key: $CASE_DIR/c/server-key.pem, ca: $CASE_DIR/c/ca.pem }
    policy: all
log: { level: info, audit: off }
policies:
  all: { allow: ["*"] }
"""

# OpenSSL is mapped only by a configuration with TLS (proxy/tls_module.h), and only from
# a module file that no one but root, us or the program's owner could have written.
MODULE_SH = TLS_SCRIPT_START + """\
sed "s/@PORT@/$PORT/" tls.tmpl > tls.yaml
openssl_in() { grep -qE 'libssl|libcrypto|sockwarden-tls' /proc/$1/maps && echo mapped || echo none; }
$SW_BIN -f plain.yaml > plain.log 2>&1 & PID=$!
for i in $(seq 100); do [ -S plain.sock ] && break; sleep 0.1; done
echo "plain: $(DOCKER_HOST=unix://$CASE_DIR/plain.sock $DOCKER version --format '{{.Server.Os}}') OpenSSL $(openssl_in $PID)"
kill $PID; wait $PID
$SW_BIN -f tls.yaml > tls.log 2>&1 & PID=$!
try() { /usr/bin/python3 $INTEG_DIR/tls/try_tls.py $PORT $CERTS/ca.pem $CERTS/alice/cert.pem $CERTS/alice/key.pem; }
for i in $(seq 100); do try | grep -q '^OK' && break; sleep 0.1; done
echo "tls: $(try | cut -d' ' -f1-2) OpenSSL $(openssl_in $PID)"
kill $PID; wait $PID
mkdir bin && cp $SW_BIN $(dirname $SW_BIN)/sockwarden-tls.so bin/ && chmod 775 bin/sockwarden-tls.so
timeout 10 bin/sockwarden -f tls.yaml > start.log 2>&1; echo "group-writable module: exit $?"
grep -q "TLS module $CASE_DIR/bin/sockwarden-tls.so: writable by its group" start.log && echo "refusal names the module"
bin/sockwarden check tls.yaml > check.out 2> check.err; echo "check with it: exit $?"
grep -q "TLS module $CASE_DIR/bin/sockwarden-tls.so: writable by its group" check.err && echo "check names the module"
"""
PLAIN_YAML = """\
upstream: unix://$DAEMON_SOCK
listeners:
  - { name: plain, listen: "unix://$CASE_DIR/plain.sock", policy: all }
log: { level: info, audit: off }
policies:
  all: { allow: ["*"] }
"""

# Matches at the start of sslscan's output unless a line offers a suite outside TLS12_CIPHERS
# and TLS13_SUITES (proxy/tls/tls_ctx.c).
SUITES_ALLOWED_ONLY = (
    r"\A(?![\s\S]*^(?:Accepted|Preferred)\s+TLSv1\.[23]\s+\d+ bits\s+(?=\S)"
    r"(?!(?:ECDHE-(?:ECDSA|RSA)-(?:AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)"
    r"|TLS_(?:AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256))\s))")

CASES = [
    {
        "name": "tls-alice-runs",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TLS + "alice $DOCKER run --rm --network none --name $NAME $IMAGE true",
        "expect": {"exit": 0},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "listener": "tls",
             "policy": "all", "client_rule": "clients[0]", "client": {"cert_cn": "alice"}},
        ],
        "cleanup": [RM],
    },
    {
        "name": "tls-bob-reads-not-writes",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TLS + "bob $DOCKER version && " + TLS +
               "bob $DOCKER run --rm --network none --name $NAME $IMAGE true",
        "expect": {"exit": 125, "stdout": ["Server:"],
                   "stderr": ["sockwarden: ContainerCreate is not allowed"]},
        "audit": [
            {"endpoint": "SystemVersion", "verdict": "allow", "listener": "tls",
             "policy": "ro", "client_rule": "clients[1]", "client": {"cert_cn": "bob"}},
            {"endpoint": "ContainerCreate", "verdict": "deny", "policy": "ro"},
        ],
        "daemon_not_called": ["/containers/create"],
        "cleanup": [RM],
    },
    {
        "name": "tls-python-sdk",
        "policy": "identity",
        "proxy_only": True,
        "files": {"sdk.py": PY_LIST},
        # requests lets these variables replace the CA the SDK was given: clear them.
        "cmd": "unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE; "
               "/usr/bin/python3 sdk.py bob && /usr/bin/python3 sdk.py alice",
        "expect": {"exit": 0, "stdout": ["listed", "refused 403", "created"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "deny", "client": {"cert_cn": "bob"}},
            {"endpoint": "ContainerCreate", "verdict": "allow",
             "client": {"cert_cn": "alice"}},
        ],
        "cleanup": [RM],
    },
    {
        "name": "tls-good-certificate-pings",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TRY + "$CERTS/bob/cert.pem $CERTS/bob/key.pem",
        "expect": {"exit": 0, "stdout": ["OK 200"]},
    },
    {
        "name": "tls-no-certificate-refused",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TRY,
        "expect": {"exit": 0, "stdout": ["REFUSED"], "stdout_not": ["OK 2"]},
        "audit_absent": [{"listener": "tls"}],
    },
    {
        "name": "tls-expired-refused",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TRY + "$CERTS/expired/cert.pem $CERTS/expired/key.pem",
        "expect": {"exit": 0, "stdout": ["REFUSED"], "stdout_not": ["OK 2"]},
        "audit_absent": [{"listener": "tls"}],
    },
    {
        "name": "tls-other-ca-refused",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TRY + "$CERTS/other/cert.pem $CERTS/other/key.pem",
        "expect": {"exit": 0, "stdout": ["REFUSED"], "stdout_not": ["OK 2"]},
        "audit_absent": [{"listener": "tls"}],
    },
    {
        "name": "tls-revoked-refused",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TRY + "$CERTS/revoked/cert.pem $CERTS/revoked/key.pem",
        "expect": {"exit": 0, "stdout": ["REFUSED"], "stdout_not": ["OK 2"]},
        "audit_absent": [{"listener": "tls"}],
    },
    {
        "name": "tls-1.1-refused",
        "policy": "identity",
        "proxy_only": True,
        "cmd": TRY + "$CERTS/alice/cert.pem $CERTS/alice/key.pem --max-version 1.1",
        "expect": {"exit": 0, "stdout": ["REFUSED"], "stdout_not": ["OK 2"]},
    },
    {
        "name": "tls-docker-cli-without-certificate",
        "policy": "identity",
        "proxy_only": True,
        "cmd": "DOCKER_HOST=tcp://127.0.0.1:$TLS_PORT DOCKER_TLS=1 DOCKER_CERT_PATH=$CASE_DIR "
               "$DOCKER --tlscacert $CERTS/ca.pem version",
        "expect": {"exit": 1, "stdout_not": ["Server:"]},
        "audit_absent": [{"listener": "tls"}],
    },
    {
        "name": "tls-stdin-eof-through-tunnel",
        "policy": "identity",
        "proxy_only": True,
        "cmd": "echo hi-over-tls | " + TLS +
               "alice $DOCKER run --rm -i --network none --name $NAME $IMAGE cat",
        "expect": {"exit": 0, "stdout": ["hi-over-tls"]},
        "timeout": 30,
        "cleanup": [RM],
    },
    {
        # A TLS client: a chunked answer cannot be spliced to it, so it is copied.
        "name": "tls-export-same-bytes-as-direct",
        "policy": "identity",
        "proxy_only": True,
        "setup": ["$DOCKER create --name $NAME --network none $IMAGE true",
                  "$DOCKER export $NAME | sha256sum > direct.sha"],
        "cmd": TLS + "alice $DOCKER export $NAME | sha256sum | cmp - direct.sha && echo same",
        "expect": {"exit": 0, "stdout": ["same"]},
        "audit": [{"endpoint": "ContainerExport", "verdict": "allow", "status": 200,
                   "listener": "tls"}],
        "cleanup": [RM],
    },
    {
        "name": "tls-upstream-chain-alice",
        "policy": "identity",
        "proxy_only": True,
        "files": {"chain.yaml": CHAIN_YAML % ("alice", "alice")},
        "cmd": CHAIN % "$DOCKER run --rm --network none --name $NAME $IMAGE echo chained",
        "expect": {"exit": 0, "stdout": ["chained"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "allow", "listener": "tls",
             "policy": "all", "client": {"cert_cn": "alice"}},
        ],
        "cleanup": [RM],
    },
    {
        "name": "tls-upstream-chain-bob-refused",
        "policy": "identity",
        "proxy_only": True,
        "files": {"chain.yaml": CHAIN_YAML % ("bob", "bob")},
        "cmd": CHAIN % "$DOCKER run --rm --network none --name $NAME $IMAGE true",
        "expect": {"exit": 125, "stderr": ["sockwarden: ContainerCreate is not allowed"]},
        "audit": [
            {"endpoint": "ContainerCreate", "verdict": "deny", "listener": "tls",
             "policy": "ro", "client": {"cert_cn": "bob"}},
        ],
        "cleanup": [RM],
    },
    {
        "name": "tls-reload-bad-files-keep-old",
        "policy": "identity",
        "proxy_only": True,
        "files": {"reload.sh": RELOAD_SH, "tls.tmpl": TLS_TMPL},
        "cmd": "sh reload.sh",
        "expect": {"exit": 0, "stdout": ["first: OK 200", "bad cert: OK 200",
                                         "open key: OK 200", "refused reloads: 2",
                                         "key named in the log"]},
    },
    {
        "name": "tls-writable-ca-refused",
        "policy": "identity",
        "proxy_only": True,
        "files": {"ca.sh": WRITABLE_CA_SH, "tls.tmpl": TLS_TMPL},
        "cmd": "sh ca.sh",
        "expect": {"exit": 0, "stdout": ["first: alice OK 200",
                                         "writable ca: alice OK 200; other REFUSED",
                                         "reload refusal names the ca",
                                         "start with it: exit 1",
                                         "start refusal names the ca",
                                         "go-w again: alice REFUSED; other OK 200"]},
    },
    {
        "name": "tls-check-reads-the-files",
        "policy": "identity",
        "proxy_only": True,
        "files": {"check.sh": CHECK_SH, "tls.tmpl": TLS_TMPL,
                  "upstream.yaml": CHECK_UPSTREAM_YAML},
        "cmd": "sh check.sh",
        "expect": {"exit": 0, "stdout": ["good: exit 0", "readable key: exit 1", "names the key",
                                         "no ca: exit 1", "names the ca", "no crl: exit 1",
                                         "names the crl", "bad cert: exit 1", "names the cert",
                                         "good upstream: exit 0",
                                         "readable upstream key: exit 1",
                                         "names the upstream key"]},
    },
    {
        "name": "tls-openssl-only-when-asked",
        "policy": "identity",
        "proxy_only": True,
        "files": {"module.sh": MODULE_SH, "tls.tmpl": TLS_TMPL, "plain.yaml": PLAIN_YAML},
        "cmd": "sh module.sh",
        "expect": {"exit": 0, "stdout": ["plain: linux OpenSSL none",
                                         "tls: OK 200 OpenSSL mapped",
                                         "group-writable module: exit 1",
                                         "refusal names the module",
                                         "check with it: exit 1",
                                         "check names the module"]},
    },
    {
        # What an auditor runs: no protocol below TLS 1.2, no suite outside those tls_ctx.c
        # sets (ECDHE with AEAD), no group outside TLS_GROUPS. sslscan prints OpenSSL's
        # suite names, where a CBC suite reads "ECDHE-ECDSA-AES128-SHA": hence the list of
        # the suites allowed rather than of words to avoid.
        "name": "tls-sslscan-audit",
        "policy": "identity",
        "proxy_only": True,
        "cmd": "sslscan --no-colour --no-heartbleed 127.0.0.1:$TLS_PORT",
        "expect": {"exit": 0,
                   "stdout_regex": [r"TLSv1\.2\s+enabled", r"TLSv1\.3\s+enabled",
                                    r"SSLv3\s+disabled", r"TLSv1\.0\s+disabled",
                                    r"TLSv1\.1\s+disabled", r"Accepted\s+TLSv1\.3",
                                    SUITES_ALLOWED_ONLY],
                   "stdout_not": ["RC4", "3DES", "NULL", "EXP", "CBC", "SHA1 ", "DES-",
                                  "Accepted  TLSv1.1", "Accepted  TLSv1.0", "anon",
                                  "secp521r1", "x448", "ffdhe"]},
    },
]
