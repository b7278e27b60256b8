/*
 * Ownership isolation for the request under way (conn_own.c): the objects
 * it names are resolved through the daemon and must carry the caller's
 * owner label; creates get the label; lists, events and prunes get an owner
 * filter; answers that list others' objects are filtered, and inspect
 * answers redacted.
 */
#ifndef SW_CONN_OWN_H
#define SW_CONN_OWN_H

#include <stdbool.h>
#include <stddef.h>

#include "sockwarden/str.h"

struct conn;
struct slines;

/* What the answer to the current request needs before it reaches the client. */
enum own_filter {
	OWN_FILTER_NONE = 0,
	OWN_FILTER_LIST,   /* lists and /system/df: others' objects removed, labels redacted */
	OWN_FILTER_REDACT, /* inspect answers: Env and labels redacted */
	OWN_FILTER_VOLUME, /* VolumeCreate: the daemon may answer with an existing volume */
	OWN_FILTER_EVENTS, /* GET /events: redacted message by message (conn_own_lines()) */
};

/*
 * The request head was allowed by the policy ("need_body": its body must be
 * inspected first).  Returns false when ownership has nothing to add (the
 * caller goes on as usual); true when it took the request over: it then
 * answers it, or calls conn_proceed() once the objects are resolved.
 */
bool conn_own_head(struct conn *c, bool need_body);

/*
 * The body was inspected and allowed.  Returns false when there is nothing
 * to add; true when it took over: it labels the create, checks the objects
 * the body names, then calls conn_forward() or answers.
 */
bool conn_own_after_body(struct conn *c);

/* Overrides for the request going up; NULL/empty when unchanged. */
const char *conn_own_path(const struct conn *c);  /* percent-encoded, without /vX */
const char *conn_own_query(const struct conn *c); /* without '?' */
bool conn_own_body(const struct conn *c, struct sw_str *body);
enum own_filter conn_own_filter(const struct conn *c);

/*
 * How big a held answer may grow before it is withheld: SW_REWRITE_MAX,
 * more for lists (a host with thousands of containers answers
 * GET /containers/json with several MiB).
 */
size_t conn_own_answer_max(const struct conn *c);

/* OWN_FILTER_EVENTS: the splitter that rewrites the stream; NULL otherwise. */
struct slines *conn_own_lines(const struct conn *c);

/*
 * Filter or redact a complete JSON answer for the client.  Returns 0 with a
 * malloc'd *out (NULL: send it unchanged), -1 when it cannot be filtered,
 * or -2 when it describes someone else's object (in both cases the answer
 * must not reach the client).
 */
int conn_own_filter_body(struct conn *c, const char *json, size_t len, char **out, size_t *outlen);

/*
 * ImageBuild under ownership (conn_own_build.c): the context is read as it
 * streams, and the images its Dockerfile names are checked before the
 * daemon has the whole of it.  conn_own_build_body() takes body bytes
 * (false: not a build being read; send them as usual); conn_own_build_end()
 * takes the end of the request (false: end it as usual); while
 * conn_own_build_holding(), no more of the request is parsed.
 */
bool conn_own_build_body(struct conn *c, const char *p, size_t n);
bool conn_own_build_end(struct conn *c);
bool conn_own_build_holding(const struct conn *c);
/* The daemon has not had the whole build context: its connection cannot be reused. */
bool conn_own_build_unsent(const struct conn *c);

/*
 * The exchange was given up (the daemon answered or failed first, the
 * connection is closing): lookups under way are cancelled, a build context
 * still unchecked goes no further, so nothing answers the request twice.
 */
void conn_own_cancel(struct conn *c);

/* The request is over: cancel lookups, free rewrites. */
void conn_own_release(struct conn *c);

#endif
