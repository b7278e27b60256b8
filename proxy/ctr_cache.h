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
 * What a lookup found.  The zero value is the safe one: a caller whose
 * container cannot be told is refused, never taken for a host process.
 */
enum ctr_status {
	CTR_UNKNOWN = 0, /* the daemon could not be asked, or gave no usable answer */
	CTR_FOUND,       /* the daemon described the container */
	CTR_NOT_FOUND,   /* the daemon has no such container (404): not one of its own */
	CTR_PENDING,     /* ctr_cache_get() only: the daemon is being asked */
};

/*
 * "st" is CTR_FOUND with "ci" a new reference owned by the callee;
 * CTR_NOT_FOUND with "ci" NULL; or CTR_UNKNOWN with "ci" NULL and "why", a
 * static sentence saying what went wrong (NULL otherwise).
 */
typedef void ctr_cache_done_fn(
    enum ctr_status st, const struct sw_ctr_ident *ci, const char *why, void *arg);

/*
 * The container with id "id" (64 lowercase hex digits, NUL-terminated).
 * Answered at once (a cached answer, or a failure): returns CTR_FOUND with
 * *out a new reference, CTR_NOT_FOUND, or CTR_UNKNOWN with *why set (an id
 * that is not one, too many lookups at once, out of memory); *wait is NULL
 * and there is no callback.  Returns CTR_PENDING when the daemon is being
 * asked: *wait is set, and done() runs once from the loop, unless
 * ctr_wait_cancel(*wait) comes first.  Every waiter for one id shares one
 * request.  Failures are never cached: the next lookup asks again.
 */
enum ctr_status ctr_cache_get(struct ctr_cache *cc, const char *id, const struct sw_ctr_ident **out,
    const char **why, ctr_cache_done_fn *done, void *arg, struct ctr_wait **wait);
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
