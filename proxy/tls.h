/*
 * TLS contexts for listeners (mutual TLS) and for the upstream daemon, and the
 * identity a verified client certificate carries.  The handshake and the
 * record I/O live in sock.c (sock_start_tls); this module only builds and
 * holds the OpenSSL configuration.
 *
 * A context is refcounted: a connection keeps the context it was accepted
 * (or connected) with, so a reload can replace the listener's context while
 * older connections still run on theirs.
 */
#ifndef SW_TLS_H
#define SW_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sockwarden/config.h"
#include "sockwarden/ident.h"

struct tls_ctx;

/*
 * A listener's context from cfg: TLS 1.2 or 1.3 (1.3 preferred), ECDHE with
 * AEAD ciphers only, no compression, renegotiation, session tickets or
 * session cache; cfg->cert (a PEM chain, leaf first) and cfg->key, which must
 * match; client certificates asked for and verified against cfg->ca as
 * cfg->client_certs says; cfg->crl, when set, is checked for every
 * certificate of the chain.  Every file must be a regular file owned by
 * root or our euid and writable by no one else (sw_file_read()); the key
 * file must also be unreadable by group and others.
 *
 * Returns a context holding one reference, or NULL with one readable line in
 * err (the file name and the reason) and nothing changed: the caller keeps
 * the context it had.
 */
struct tls_ctx *tls_server_ctx_new(const struct sw_tls_cfg *cfg, char *err, size_t errsz);

/*
 * A context for connecting to the daemon at "host" (a DNS name or a literal
 * IPv4/IPv6 address, brackets allowed).  The daemon's certificate must chain
 * to cfg->ca and name cfg->server_name, or "host" when that is empty (a DNS
 * name is checked against the DNS SANs, an address against the IP SANs).
 * cfg->cert and cfg->key, when set, are our client certificate (same key file
 * rule as above); cfg->crl is not read (upstream_tls has no crl key).  Same
 * return convention as tls_server_ctx_new().
 */
struct tls_ctx *tls_client_ctx_new(
    const struct sw_tls_cfg *cfg, const char *host, char *err, size_t errsz);

/*
 * Frees the context (NULL: nothing).  Connections made from it keep what they
 * need: see tls_new_ssl().
 */
void tls_ctx_free(struct tls_ctx *ctx);

/*
 * A new connection object for ctx, in the right role (accept for listener
 * contexts, connect for client ones; a client one also carries SNI and the
 * name to verify).  It holds its own reference to the OpenSSL context, so ctx
 * may be released while the connection lives.  Hand it to sock_start_tls(),
 * which owns it from then on.  NULL on allocation failure.
 */
SSL *tls_new_ssl(struct tls_ctx *ctx);

/*
 * Why an SSL call on "ssl" just failed, in a few words for the log, from the
 * thread's OpenSSL error queue and the certificate verification result:
 * "certificate expired", "unknown CA", "no client certificate", "protocol
 * version", "peer alert: <description>", or OpenSSL's own reason.  Writes
 * at most bufsz bytes (NUL-terminated); leaves the error queue as it is.
 */
void tls_failure_reason(const SSL *ssl, char *buf, size_t bufsz);

/*
 * The identity in a verified peer certificate, in one allocation: subject CN
 * (the last one), DNS, email and URI SANs (at most TLS_IDENT_MAX_SANS, each at
 * most TLS_IDENT_MAX_NAME bytes; names with an embedded NUL, invalid UTF-8 or
 * control characters are left out, never truncated), and the SHA-256
 * fingerprint of the DER certificate.  The caller must only pass a
 * certificate whose chain verified.  NULL on allocation failure.
 */
#define TLS_IDENT_MAX_SANS 64
#define TLS_IDENT_MAX_NAME 2048 /* SPIFFE ids may be 2048 bytes long */
struct sw_cert_ident *tls_cert_ident_new(X509 *verified_peer);
/* NULL is a no-op. */
void tls_cert_ident_free(struct sw_cert_ident *ci);

#endif
