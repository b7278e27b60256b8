#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_limit.h"

/*
 * A chained hash table keyed by the client key.  Entries exist only while
 * their client has a connection open, so the table is as large as the set
 * of connected clients, never the set of clients ever seen.
 */
struct client_slot {
	struct client_slot *next;
	unsigned open;
	char key[CLIENT_KEY_MAX];
};

struct client_limit {
	struct client_slot **buckets;
	size_t n_buckets; /* a power of two */
	size_t n_slots;
};

#define CLIENT_LIMIT_BUCKETS 256 /* to start with; doubles past one slot per bucket */

static uint64_t
key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct client_limit *
client_limit_new(void)
{
	struct client_limit *cl = calloc(1, sizeof(*cl));

	if (cl == NULL)
		return NULL;
	cl->n_buckets = CLIENT_LIMIT_BUCKETS;
	if ((cl->buckets = calloc(cl->n_buckets, sizeof(*cl->buckets))) == NULL) {
		free(cl);
		return NULL;
	}
	return cl;
}

void
client_limit_free(struct client_limit *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->n_buckets; i++) {
		while (cl->buckets[i] != NULL) {
			struct client_slot *s = cl->buckets[i];

			cl->buckets[i] = s->next;
			free(s);
		}
	}
	free(cl->buckets);
	free(cl);
}

int
client_limit_key(const struct sw_ident *id, int fd, char *key, size_t keysz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];
	int n = -1;

	if (id->cert != NULL)
		n = snprintf(key, keysz, "cert:%s", id->cert->fingerprint);
	else if (id->ctr != NULL)
		n = snprintf(key, keysz, "ctr:%s", id->ctr->id);
	else if (id->has_peercred)
		n = snprintf(key, keysz, "uid:%lu", (unsigned long)id->uid);
	else if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET &&
		    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr)))
			n = snprintf(key, keysz, "addr:%s", addr);
		else if (ss.ss_family == AF_INET6 &&
		         inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr,
		             sizeof(addr)))
			n = snprintf(key, keysz, "addr:%s", addr);
	}
	return n > 0 && (size_t)n < keysz ? 0 : -1;
}

/* Double the buckets; on failure keep the old ones (chains only get longer). */
static void
grow(struct client_limit *cl)
{
	size_t nb = cl->n_buckets * 2, i;
	struct client_slot **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return;
	for (i = 0; i < cl->n_buckets; i++) {
		while (cl->buckets[i] != NULL) {
			struct client_slot *s = cl->buckets[i];
			size_t j = (size_t)key_hash(s->key) & (nb - 1);

			cl->buckets[i] = s->next;
			s->next = b[j];
			b[j] = s;
		}
	}
	free(cl->buckets);
	cl->buckets = b;
	cl->n_buckets = nb;
}

int
client_limit_take(struct client_limit *cl, const char *key, unsigned max, struct client_slot **slot,
    unsigned *open)
{
	size_t i = (size_t)key_hash(key) & (cl->n_buckets - 1);
	struct client_slot *s;

	*slot = NULL;
	*open = 0;
	for (s = cl->buckets[i]; s != NULL; s = s->next)
		if (strcmp(s->key, key) == 0)
			break;
	if (s == NULL) {
		if (max == 0 || strlen(key) >= sizeof(s->key) ||
		    (s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		memcpy(s->key, key, strlen(key) + 1);
		s->next = cl->buckets[i];
		cl->buckets[i] = s;
		if (++cl->n_slots > cl->n_buckets)
			grow(cl);
	}
	if (s->open >= max) {
		*open = s->open;
		return -1;
	}
	s->open++;
	*slot = s;
	return 0;
}

void
client_limit_release(struct client_limit *cl, struct client_slot *slot)
{
	struct client_slot **pp;

	if (slot == NULL || --slot->open > 0)
		return;
	pp = &cl->buckets[(size_t)key_hash(slot->key) & (cl->n_buckets - 1)];
	while (*pp != slot)
		pp = &(*pp)->next;
	*pp = slot->next;
	cl->n_slots--;
	free(slot);
}

size_t
client_limit_clients(const struct client_limit *cl)
{
	return cl->n_slots;
}
