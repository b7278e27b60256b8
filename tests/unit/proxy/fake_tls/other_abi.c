/*
 * A TLS module built from other sources: its entry point refuses this
 * program's ABI string, as a module from another sockwarden version would.
 */
#include "sockwarden/compat.h"

#include "tls_module.h"

tls_module_init_fn sw_tls_module_init;

const struct tls_ops *
sw_tls_module_init(const char *abi, size_t ops_size, const struct tls_host *host)
{
	(void)abi;
	(void)ops_size;
	(void)host;
	return NULL;
}
