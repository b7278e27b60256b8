/*
 * Between conn_own.c (the lookups) and conn_own_build.c (the build context
 * read as it streams): a build under ownership is watched from its head
 * until every image its Dockerfile and "cachefrom" name was checked.
 */
#ifndef SW_CONN_OWN_BUILD_H
#define SW_CONN_OWN_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct conn;
struct own_build;
struct pol_build_refs;

/*
 * From the request head: the query's refusals (answered; -1) or a watcher
 * for the body (0, *out set).  conn_own.c keeps it with the request.
 */
int own_build_start(struct conn *c, struct own_build **out);
void own_build_free(struct own_build *b);

/* The build's cachefrom images, checked along with the Dockerfile's. */
const struct pol_build_refs *own_build_cache_refs(const struct own_build *b);
/*
 * Why the build may pull what it builds from again, writing a name already
 * there ("pull", or a platform in the query or a FROM), or NULL.
 */
const char *own_build_pulls(const struct own_build *b);

/* Every image was checked: the rest of the context goes up. */
void own_build_passed(struct conn *c);
/*
 * The request was refused, or its exchange ended (the daemon answered or
 * failed, the connection closed) before the context was checked: nothing
 * more of it goes up.  True when the context had not all gone up.
 */
bool own_build_drop(struct own_build *b);

/* conn_own.c: the watcher of the current request, or NULL. */
struct own_build *conn_own_build(const struct conn *c);
/*
 * conn_own.c: check the cachefrom images and "refs" (the Dockerfile's), then
 * own_build_passed(), or answer the client.
 */
void conn_own_check_build(struct conn *c, const struct pol_build_refs *refs);
/* conn_own.c: refuse the build with policy/own_*.c's reason. */
void conn_own_refuse_build(struct conn *c, const char *why);

#endif
