/*
 * Listeners: Unix sockets (safe creation of the socket file, never removing
 * something that is not a stale socket; permissions) and TCP sockets (TLS
 * unless the configuration says "insecure"); accept with a connection cap
 * and EMFILE back-off.
 */
#ifndef SW_LISTENER_H
#define SW_LISTENER_H

#include <sys/types.h>

#include <stdbool.h>

#include "sockwarden/config.h"

struct srv;
struct evconnlistener;
struct event;
struct tls_ctx;

struct lsn {
	struct srv *l_srv;
	struct evconnlistener *l_el;
	struct event *l_backoff; /* re-enables accepting after EMFILE */
	char l_name[SW_NAME_MAX];
	char l_path[108]; /* unix: the socket file */
	bool l_tcp;
	struct tls_ctx *l_tls; /* TLS listeners: replaced on reload, held by connections */
	size_t l_index; /* position in the configuration's listeners (stable across reloads) */
	dev_t l_dev;    /* identity of the socket file we created, so we only ever remove ours */
	ino_t l_ino;
	bool l_stopped; /* lsn_stop(): no longer accepting, the socket file gone */
};

/* Create, bind and start accepting.  Returns NULL with a message in "err". */
struct lsn *lsn_open(struct srv *srv, const struct sw_listener_cfg *cfg, char *err, size_t errsz);
/* Take over a reference to the TLS context new connections get (NULL: plain). */
void lsn_set_tls(struct lsn *l, struct tls_ctx *ctx);
/*
 * Stop accepting and remove the socket file if it is still ours.  The
 * listener stays: the connections it accepted still name it.
 */
void lsn_stop(struct lsn *l);
/* lsn_stop(), then free it: once no connection of it is left. */
void lsn_close(struct lsn *l);

#endif
