"""Open a TLS connection to sockwarden and ask GET /_ping; print what happened.

  try_tls.py PORT CA [CERT KEY] [--max-version 1.1]

Prints "OK <status>" when the handshake and the request succeed, "REFUSED <reason>" when the
handshake (or the first read, where TLS 1.3 reports a refused client certificate) fails.
Always exits 0: the case compares the output.
"""

import socket
import ssl
import sys


def main():
    args = sys.argv[1:]
    max_version = None
    if "--max-version" in args:
        i = args.index("--max-version")
        max_version = args[i + 1]
        del args[i:i + 2]
    port, ca = int(args[0]), args[1]
    ctx = ssl.create_default_context(cafile=ca)
    if len(args) >= 4:
        ctx.load_cert_chain(args[2], args[3])
    if max_version == "1.1":
        # The client's own security level would refuse to offer TLS 1.1 at all.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                data = s.recv(4096)
                if not data:
                    print("REFUSED closed without an answer")
                    return
                print("OK %s" % data.split(b" ")[1].decode())
    except (ssl.SSLError, ConnectionError, OSError) as e:
        print("REFUSED %s" % e)


main()
