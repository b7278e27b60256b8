/*
 * Open connections per client identity (DESIGN invariant 4: connections
 * are bounded globally and per client), so one user, container or
 * certificate holder cannot use up the global limit for everyone else.
 */
#ifndef SW_CLIENT_LIMIT_H
#define SW_CLIENT_LIMIT_H

#include <stddef.h>

#include "sockwarden/ident.h"

struct client_limit;
struct client_slot; /* one client's count; held by each of its connections */

/* Room for a key, NUL included: "cert:" and a SHA-256 in hex is the longest. */
#define CLIENT_KEY_MAX 80

struct client_limit *client_limit_new(void);
void client_limit_free(struct client_limit *cl); /* every slot must have been released */

/*
 * Who a connection counts against, from what identified it: the verified
 * certificate, else the caller's container, else its uid; for a TCP caller
 * without a certificate, the peer address of socket "fd".  Returns 0, or
 * -1 when there is nothing to count by (then the global limit alone holds).
 */
int client_limit_key(const struct sw_ident *id, int fd, char *key, size_t keysz);

/*
 * Count one more connection for "key" unless it already has "max": 0 with
 * *slot set (release it when the connection ends), -1 when over the limit
 * or out of memory (*slot NULL; *open says how many it has, 0 for memory).
 */
int client_limit_take(struct client_limit *cl, const char *key, unsigned max,
    struct client_slot **slot, unsigned *open);
void client_limit_release(struct client_limit *cl, struct client_slot *slot); /* NULL: no-op */

/* Distinct clients with connections open (for tests and the debug log). */
size_t client_limit_clients(const struct client_limit *cl);

#endif
