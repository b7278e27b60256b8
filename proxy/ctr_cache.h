/*
 * The daemon's description of callers' containers (struct sw_ctr_ident),
 * looked up with GET /containers/<id>/json, cached, and kept true by the
 * daemon's events stream: an entry goes when its container is renamed or
 * destroyed, and while the stream is down nothing is served from the cache.
 */
#ifndef SW_CTR_CACHE_H
#define SW_CTR_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "sockwarden/ident.h"

#include "sockaddr.h"

struct event_base;
struct ctr_cache;
struct ctr_wait;

/*
 * Starts the events stream at once (it reconnects by itself).  Borrows
 * "base"; copies "ups".  NULL when out of memory.
 */
struct ctr_cache *ctr_cache_new(struct event_base *base, const struct sa_addr *ups);
/*
 * Ends the stream and every lookup; waiters still pending get no callback,
 * so cancel them first.  Identities handed out stay valid until their last
 * reference goes.  NULL is a no-op.  Not from inside a ctr_cache callback.
 */
void ctr_cache_free(struct ctr_cache *cc);

/* Whether cached answers are in use: the events stream is live (for health and tests). */
bool ctr_cache_live(const struct ctr_cache *cc);

/*
 * "ci" is a new reference owned by the callee, or NULL: no identity (not a
 * container the daemon knows, or the daemon could not be asked).
 */
typedef void ctr_cache_done_fn(const struct sw_ctr_ident *ci, void *arg);

/*
 * The container with id "id" (64 lowercase hex digits, NUL-terminated).
 * Returns 0 when answered at once: *out is a new reference, or NULL for no
 * identity (an id that is not one, or a container known not to exist), and
 * *wait is NULL.  Returns 1 when the daemon is being asked: *out is NULL,
 * *wait is set, and done(ci, arg) runs once from the loop, unless
 * ctr_wait_cancel(*wait) comes first.  Every waiter for one id shares one
 * request.  Returns -1 when out of memory (*out and *wait NULL, no callback).
 */
int ctr_cache_get(struct ctr_cache *cc, const char *id, const struct sw_ctr_ident **out,
    ctr_cache_done_fn *done, void *arg, struct ctr_wait **wait);
/* No callback after this; the handle is freed.  NULL is a no-op. */
void ctr_wait_cancel(struct ctr_wait *w);

/* References; unref(NULL) is a no-op.  One thread: plain counting. */
const struct sw_ctr_ident *ctr_ident_ref(const struct sw_ctr_ident *ci);
void ctr_ident_unref(const struct sw_ctr_ident *ci);

/* ---- exposed for tests: pure functions -------------------------------- */

/*
 * The identity of container "id" from the daemon's GET /containers/<id>/json
 * answer ("len" bytes): Id must be "id", Name ("/name") a string, Config.Image
 * a string, Config.Labels an object of strings or null or absent.  Anything
 * else, duplicate keys, embedded NULs, or more than the size limits: NULL.
 * The result carries one reference.
 */
const struct sw_ctr_ident *ctr_ident_parse(const char *id, const char *json, size_t len);

enum ctr_event {
	CTR_EVENT_NONE = 0,   /* not about a container: nothing to do */
	CTR_EVENT_CONTAINER,  /* about container "id": drop what is known of it */
	CTR_EVENT_UNREADABLE, /* cannot tell which container: drop everything */
};

/* Classify one line of the events stream; "id" is set for CTR_EVENT_CONTAINER. */
enum ctr_event ctr_event_parse(const char *line, size_t len, char id[65]);

#endif
