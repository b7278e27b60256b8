/*
 * The contract between sockwarden and its TLS module (sockwarden-tls.so).
 *
 * OpenSSL is loaded only when a configuration asks for TLS: linking libssl
 * and libcrypto costs every process about 1.7 MiB of resident memory at
 * start (relocations and constructors), which is more than half of an idle
 * Unix-socket-only sockwarden.  Everything that touches OpenSSL lives in
 * proxy/tls/ and is built into the module; the program reaches it only
 * through this table (proxy/tls.c loads it).  No OpenSSL type crosses it.
 */
#ifndef SW_TLS_MODULE_H
#define SW_TLS_MODULE_H

#include <stdbool.h>
#include <stddef.h>

struct sw_cert_ident;
struct sw_file;
struct sw_file_rules;
struct sw_tls_cfg;
struct tls_conn;
struct tls_ctx;

/* Changed whenever this file changes: a module built from other sources is refused. */
#define SW_TLS_MODULE_ABI  "sockwarden-tls 1"
#define SW_TLS_MODULE_INIT "sw_tls_module_init"

/* What an operation on a connection came to. */
enum tls_io {
	TLS_IO_DONE,       /* it completed (reads and writes: *n bytes) */
	TLS_IO_WANT_READ,  /* call again when the socket is readable */
	TLS_IO_WANT_WRITE, /* call again when the socket is writable */
	TLS_IO_CLOSED,     /* reads: the peer's close_notify, or a TCP EOF without one */
	TLS_IO_FAILED,     /* for good: errno is set, tls_conn_error() may say why */
};

/* What the module borrows from the program, so that one implementation checks trusted files. */
struct tls_host {
	int (*file_read)(const char *path, const struct sw_file_rules *rules, struct sw_file *out,
	    char *err, size_t errsz);
	void (*file_release)(struct sw_file *f);
};

/* The module's functions; each is described at its wrapper in tls.h. */
struct tls_ops {
	struct tls_ctx *(*server_ctx_new)(const struct sw_tls_cfg *cfg, char *err, size_t errsz);
	struct tls_ctx *(*client_ctx_new)(
	    const struct sw_tls_cfg *cfg, const char *host, char *err, size_t errsz);
	void (*ctx_free)(struct tls_ctx *ctx);

	struct tls_conn *(*conn_new)(struct tls_ctx *ctx);
	int (*conn_attach)(struct tls_conn *tc, int fd);
	bool (*conn_is_server)(const struct tls_conn *tc);
	enum tls_io (*conn_handshake)(struct tls_conn *tc);
	enum tls_io (*conn_read)(struct tls_conn *tc, void *buf, size_t len, size_t *n);
	bool (*conn_pending)(const struct tls_conn *tc);
	enum tls_io (*conn_write)(struct tls_conn *tc, const void *buf, size_t len, size_t *n);
	enum tls_io (*conn_shutdown)(struct tls_conn *tc);
	const char *(*conn_error)(const struct tls_conn *tc);
	const char *(*conn_version)(const struct tls_conn *tc);
	int (*conn_peer_ident)(const struct tls_conn *tc, struct sw_cert_ident **out);
	void (*conn_free)(struct tls_conn *tc);

	void (*cert_ident_free)(struct sw_cert_ident *ci);
};

/*
 * The module's one exported symbol (SW_TLS_MODULE_INIT): its table, or NULL
 * when "abi" or "ops_size" are not what it was built with.  "host" must
 * outlive the module.
 */
typedef const struct tls_ops *tls_module_init_fn(
    const char *abi, size_t ops_size, const struct tls_host *host);

#endif
