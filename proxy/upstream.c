#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stddef.h>

#include "sock.h"
#include "tls.h"
#include "upstream.h"

/* The running configuration's TLS context for a tcp:// daemon; NULL: plain. */
static struct tls_ctx *upstream_tls;

void
upstream_set_tls(struct tls_ctx *ctx)
{
	upstream_tls = ctx;
}

int
upstream_open(struct sock *s, const struct sa_addr *a)
{
	struct tls_conn *tc;
	int rc, one = 1;

	rc = sock_connect(s, (const struct sockaddr *)&a->ss, a->len);
	if (rc == -1 || a->family == AF_UNIX)
		return rc;
	/* Requests are small writes that must not wait for the previous answer's ACK. */
	(void)setsockopt(sock_fd(s), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (upstream_tls == NULL)
		return rc;
	/*
	 * What the caller queues before the handshake ends waits in the
	 * output; SOCK_CONNECTED comes with SOCK_TLS_DONE.
	 */
	if ((tc = tls_conn_new(upstream_tls)) == NULL || sock_start_tls(s, tc) == -1)
		return -1;
	return 0;
}
