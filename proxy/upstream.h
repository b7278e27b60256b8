/*
 * Connections to the Docker daemon: the one place that knows how to reach
 * it (a Unix socket, TCP, or TLS over TCP).
 */
#ifndef SW_UPSTREAM_H
#define SW_UPSTREAM_H

#include "sockaddr.h"

struct sock;

/*
 * Start connecting "s", made with sock_new(base, -1, ...), to the daemon at
 * "a".  Returns 1 when connected at once (no SOCK_CONNECTED event follows:
 * Unix sockets usually are), 0 when SOCK_CONNECTED or SOCK_ERROR will
 * follow, or -1 with errno when it failed at once.  On -1, sock_free(s)
 * still releases everything.
 */
int upstream_open(struct sock *s, const struct sa_addr *a);

/*
 * TLS for a tcp:// daemon: connections opened from now on use "ctx"
 * (borrowed: the server keeps it alive while it is set; NULL: plain).
 */
struct tls_ctx;
void upstream_set_tls(struct tls_ctx *ctx);

#endif
