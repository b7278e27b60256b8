/*
 * The TLS module's entry point: the one symbol sockwarden-tls.so exports
 * (everything else is built with hidden visibility), handing the program
 * the table of what the module does (../tls_module.h).
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "tls_int.h"

const struct tls_host *tlsm_host;

static const struct tls_ops ops = {
	.server_ctx_new = tlsm_server_ctx_new,
	.client_ctx_new = tlsm_client_ctx_new,
	.ctx_free = tlsm_ctx_free,
	.conn_new = tlsm_conn_new,
	.conn_attach = tlsm_conn_attach,
	.conn_is_server = tlsm_conn_is_server,
	.conn_handshake = tlsm_conn_handshake,
	.conn_read = tlsm_conn_read,
	.conn_pending = tlsm_conn_pending,
	.conn_write = tlsm_conn_write,
	.conn_shutdown = tlsm_conn_shutdown,
	.conn_error = tlsm_conn_error,
	.conn_version = tlsm_conn_version,
	.conn_peer_ident = tlsm_conn_peer_ident,
	.conn_free = tlsm_conn_free,
	.cert_ident_free = tlsm_cert_ident_free,
};

__attribute__((visibility("default"))) tls_module_init_fn sw_tls_module_init;

const struct tls_ops *
sw_tls_module_init(const char *abi, size_t ops_size, const struct tls_host *host)
{
	if (strcmp(abi, SW_TLS_MODULE_ABI) != 0 || ops_size != sizeof(ops) || host == NULL)
		return NULL;
	tlsm_host = host;
	return &ops;
}
