#!/bin/sh
# Writes the test PKI for the TLS integration tests into the directory $1:
#   ca.pem ca-key.pem                 the CA every listener trusts
#   server.pem server-key.pem         DNS:localhost, IP:127.0.0.1 (listener or daemon)
#   client-alice.pem -key.pem         CN alice, URI spiffe://example.test/team-a/alice
#   client-bob.pem -key.pem           CN bob, DNS bob.example.test
#   client-expired.pem -key.pem       CN expired, validity ended in 2020
#   client-revoked.pem -key.pem       CN revoked, listed in crl.pem
#   crl.pem                           the CA's CRL
#   other-ca.pem                      an unrelated CA
#   client-other.pem -key.pem         CN alice, issued by other-ca (must be refused)
# Keys are P-256 (fast to make) and mode 0600.  Only the openssl CLI is used, and
# no system openssl.cnf is read, so the result does not depend on the host.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
out=$1
mkdir -p "$out"
umask 077
work=$(mktemp -d "${TMPDIR:-/tmp}/sw-certs.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

# One config for both CAs: "openssl ca" needs a database to revoke a certificate
# and to issue one whose validity lies in the past (openssl 3.0's "x509 -req"
# has no -not_before/-not_after).
cnf=$work/openssl.cnf
cat >"$cnf" <<CNF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ca ]
default_ca = ca_main
[ ca_main ]
dir = $work/main
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $out/ca.pem
private_key = $out/ca-key.pem
default_md = sha256
default_days = 825
default_crl_days = 3650
policy = policy_any
unique_subject = no
copy_extensions = none
[ ca_other ]
dir = $work/other
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $out/other-ca.pem
private_key = $work/other-ca-key.pem
default_md = sha256
default_days = 825
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied

[ ext_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[ ext_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
[ ext_alice ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:spiffe://example.test/team-a/alice
authorityKeyIdentifier = keyid
[ ext_bob ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:bob.example.test
authorityKeyIdentifier = keyid
CNF

for db in main other; do
	mkdir "$work/$db"
	: >"$work/$db/index.txt"
	echo 1000 >"$work/$db/serial"
done

# ca NAME KEYFILE CN: a self-signed CA certificate
ca() {
	openssl req -config "$cnf" -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$2" -subj "/CN=$3" -days 3650 -extensions ext_ca -out "$1" 2>/dev/null
}

# leaf NAME CN EXTENSIONS [CA-SECTION [openssl ca options...]]: key and certificate
leaf() {
	name=$1 cn=$2 ext=$3
	section=${4:-ca_main}
	if [ $# -ge 4 ]; then shift 4; else shift 3; fi
	openssl req -config "$cnf" -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$out/$name-key.pem" -subj "/CN=$cn" -out "$work/$name.csr" 2>/dev/null
	openssl ca -config "$cnf" -name "$section" -batch -notext -extensions "$ext" \
	    -in "$work/$name.csr" -out "$out/$name.pem" "$@" 2>/dev/null
}

ca "$out/ca.pem" "$out/ca-key.pem" "sockwarden test CA"
ca "$out/other-ca.pem" "$work/other-ca-key.pem" "sockwarden other CA"

leaf server localhost ext_server
leaf client-alice alice ext_alice
leaf client-bob bob ext_bob
leaf client-expired expired ext_client ca_main \
    -startdate 20200101000000Z -enddate 20200201000000Z
leaf client-revoked revoked ext_client
leaf client-other alice ext_alice ca_other

openssl ca -config "$cnf" -name ca_main -revoke "$out/client-revoked.pem" \
    -crl_reason keyCompromise 2>/dev/null
openssl ca -config "$cnf" -name ca_main -gencrl -out "$out/crl.pem" 2>/dev/null

chmod 600 "$out"/*-key.pem
for f in ca other-ca crl server client-alice client-bob client-expired client-revoked client-other; do
	chmod 644 "$out/$f.pem"
done
