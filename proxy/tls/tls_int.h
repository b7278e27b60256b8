/*
 * Inside the TLS module (see ../tls_module.h): what its files share, with
 * OpenSSL types.  Only the module and the unit tests that link its objects
 * directly include this; the program sees the module through tls.h.
 */
#ifndef SW_TLS_INT_H
#define SW_TLS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sockwarden/config.h"
#include "sockwarden/ident.h"

#include "../tls_module.h"

/* The program's file reader, set by the module's init (tls_module.c). */
extern const struct tls_host *tlsm_host;
/* The module's entry point (tls_module.c); tests that link the objects call it directly. */
tls_module_init_fn sw_tls_module_init;

/* tls_ctx.c: contexts, as tls_server_ctx_new() and friends in tls.h describe them. */
struct tls_ctx *tlsm_server_ctx_new(const struct sw_tls_cfg *cfg, char *err, size_t errsz);
struct tls_ctx *tlsm_client_ctx_new(
    const struct sw_tls_cfg *cfg, const char *host, char *err, size_t errsz);
void tlsm_ctx_free(struct tls_ctx *ctx);
/*
 * A new connection object for ctx.  Its role, I/O modes and, for a client,
 * the name to verify come with the context; a client one also carries SNI.
 * It holds its own reference to the OpenSSL context, so ctx may be released
 * while it lives.  NULL on allocation failure.
 */
SSL *tlsm_new_ssl(struct tls_ctx *ctx);
/*
 * The reason of the oldest error in the thread's OpenSSL queue (the cause;
 * later ones are its callers' view), or "unknown OpenSSL error".  Leaves
 * the queue as it is.
 */
const char *tlsm_ossl_reason(void);

/* tls_conn.c: one connection; the operations behind tls_conn_*() in tls.h. */
struct tls_conn *tlsm_conn_new(struct tls_ctx *ctx);
/*
 * A connection around an SSL made elsewhere (tests), with that SSL's own
 * settings rather than ctx_base()'s; owns ssl from here on, also on failure.
 */
struct tls_conn *tlsm_conn_wrap(SSL *ssl);
/* The SSL inside, for tests that look at what was negotiated. */
SSL *tlsm_conn_ssl(const struct tls_conn *tc);
int tlsm_conn_attach(struct tls_conn *tc, int fd);
bool tlsm_conn_is_server(const struct tls_conn *tc);
enum tls_io tlsm_conn_handshake(struct tls_conn *tc);
enum tls_io tlsm_conn_read(struct tls_conn *tc, void *buf, size_t len, size_t *n);
bool tlsm_conn_pending(const struct tls_conn *tc);
enum tls_io tlsm_conn_write(struct tls_conn *tc, const void *buf, size_t len, size_t *n);
enum tls_io tlsm_conn_shutdown(struct tls_conn *tc);
const char *tlsm_conn_error(const struct tls_conn *tc);
const char *tlsm_conn_version(const struct tls_conn *tc);
int tlsm_conn_peer_ident(const struct tls_conn *tc, struct sw_cert_ident **out);
void tlsm_conn_free(struct tls_conn *tc);

/*
 * tls_ident.c: the identity in a verified peer certificate, in one
 * allocation: subject CN (the last one), DNS, email and URI SANs (at most
 * TLS_IDENT_MAX_SANS, each at most TLS_IDENT_MAX_NAME bytes; names with an
 * embedded NUL, invalid UTF-8 or control characters are left out, never
 * truncated), and the SHA-256 fingerprint of the DER certificate.  The
 * caller must only pass a certificate whose chain verified.  NULL on
 * allocation failure.
 */
#define TLS_IDENT_MAX_SANS 64
#define TLS_IDENT_MAX_NAME 2048 /* SPIFFE ids may be 2048 bytes long */
struct sw_cert_ident *tlsm_cert_ident_new(X509 *verified_peer);
/* NULL is a no-op. */
void tlsm_cert_ident_free(struct sw_cert_ident *ci);

#endif
