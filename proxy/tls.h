/*
 * TLS for listeners (mutual TLS) and for the upstream daemon, and the
 * identity a verified client certificate carries.  The work is done by the
 * TLS module (tls_module.h), loaded by the first tls_*_ctx_new(); a
 * configuration without TLS never loads OpenSSL.  The handshake and the
 * record I/O are driven by sock.c (sock_start_tls) through tls_conn_*().
 *
 * A connection keeps what it needs of the context it was accepted (or
 * connected) with, so a reload can replace a listener's context while older
 * connections still run on theirs.
 */
#ifndef SW_TLS_H
#define SW_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "sockwarden/config.h"
#include "sockwarden/ident.h"

#include "tls_module.h"

/*
 * Load the TLS module now, if it is not loaded yet: 0, or -1 with one
 * readable line in err.  It is looked for next to the executable (a build
 * tree), then at SW_TLS_MODULE_PATH (where it is installed).  A module file
 * is refused unless it is a regular file owned by root, by our euid or by
 * the executable's owner (who could change the program anyway), and
 * writable by no one else; the file checked is the file loaded.
 */
int tls_module_load(char *err, size_t errsz);
/* The same, from these candidate files in order (tests): a refused one ends the search. */
int tls_module_load_from(const char *const *paths, size_t npaths, char *err, size_t errsz);
/* Use a module linked into the program instead (unit tests): its init function. */
int tls_module_use(tls_module_init_fn *init);

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
 * Returns a context, or NULL with one readable line in err (the file name
 * and the reason, or why the module could not be loaded) and nothing
 * changed: the caller keeps the context it had.
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

/* Frees the context (NULL: nothing).  Connections made from it keep what they need. */
void tls_ctx_free(struct tls_ctx *ctx);

/*
 * A new connection for ctx, in the right role (accept for listener contexts,
 * connect for client ones, which also carry SNI and the name to verify).
 * Hand it to sock_start_tls(), which owns it from then on.  NULL on
 * allocation failure.
 */
struct tls_conn *tls_conn_new(struct tls_ctx *ctx);

/*
 * The operations sock.c drives a connection with, one OpenSSL call each:
 * tls_conn_attach() binds it to fd (0, or -1); then handshake, read, write
 * and shutdown (close_notify) answer with a tls_io.  A TLS_IO_FAILED sets
 * errno (EPROTO for a TLS failure, the system's for a transport one) and,
 * when there is one, a reason for tls_conn_error(): "certificate expired",
 * "unknown CA", "no client certificate", "protocol version", "peer alert:
 * ...", "connection closed during handshake".  tls_conn_pending(): bytes
 * already decrypted, or read ahead from the kernel, wait inside.
 */
int tls_conn_attach(struct tls_conn *tc, int fd);
bool tls_conn_is_server(const struct tls_conn *tc);
enum tls_io tls_conn_handshake(struct tls_conn *tc);
enum tls_io tls_conn_read(struct tls_conn *tc, void *buf, size_t len, size_t *n);
bool tls_conn_pending(const struct tls_conn *tc);
enum tls_io tls_conn_write(struct tls_conn *tc, const void *buf, size_t len, size_t *n);
enum tls_io tls_conn_shutdown(struct tls_conn *tc);
const char *tls_conn_error(const struct tls_conn *tc);
/* The negotiated protocol, e.g. "TLSv1.3". */
const char *tls_conn_version(const struct tls_conn *tc);
/*
 * The identity in the peer's certificate when its chain verified (*out =
 * NULL when there is none, or it did not verify), in one allocation: subject
 * CN (the last one), DNS, email and URI SANs, each checked (an embedded NUL,
 * invalid UTF-8 or control characters leave a name out; nothing is
 * truncated), and the SHA-256 fingerprint.  0, or -1 when out of memory.
 */
int tls_conn_peer_ident(const struct tls_conn *tc, struct sw_cert_ident **out);
/* NULL is a no-op. */
void tls_conn_free(struct tls_conn *tc);

/* Frees what tls_conn_peer_ident() made.  NULL is a no-op. */
void tls_cert_ident_free(struct sw_cert_ident *ci);

#endif
