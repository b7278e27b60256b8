/*
 * A classic build under ownership: its context is read as it streams to
 * the daemon, and the images its Dockerfile names are checked before the
 * daemon can begin the build.
 *
 * The daemon extracts the whole context before it reads the Dockerfile
 * (builder/remotecontext FromArchive), and its tar reader ends at the first
 * all-zero header block or at the end of the body.  So everything before
 * that block goes up as it comes; the block itself, what follows it, and
 * the body's end (a Content-Length body's last byte, a chunked body's last
 * chunk) wait here until every image has been checked.  A refusal then
 * drops the connection to the daemon, which sees a truncated context and
 * runs nothing.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "sockwarden/build_check.h"
#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "conn.h"
#include "conn_own.h"
#include "conn_own_build.h"
#include "forward.h"

enum build_state {
	BUILD_READING,  /* the context streams, read on the way */
	BUILD_CHECKING, /* every file seen: images being checked, the rest held */
	BUILD_PASSED,   /* checked: the rest streams unread */
	BUILD_DROPPED,  /* refused, or the exchange ended first: the rest goes nowhere */
};

struct own_build {
	enum build_state state;
	struct pol_build_tar *tar;
	struct pol_own_build_params params;
	bool from_platform;    /* the Dockerfile's (pol_build_refs) */
	struct evbuffer *held; /* body bytes from offset "sent" on, not yet sent up */
	uint64_t sent;
	bool end_held; /* the request ended while the context was unchecked */
};

int
own_build_start(struct conn *c, struct own_build **out)
{
	struct own_build *b;
	/* The query as it goes up (with the owner label and nocache): the daemon reads that one. */
	struct sw_str query = sw_str_cstr(conn_own_query(c));
	const char *why = NULL;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		conn_close(c, "out of memory");
		return -1;
	}
	if (pol_own_build_query(&query, &b->params, &why) == -1) {
		free(b);
		conn_own_refuse_build(c, why);
		return -1;
	}
	b->tar = pol_build_tar_new(b->params.dockerfile);
	if (b->tar == NULL) {
		int err = errno;

		own_build_free(b);
		if (err == EINVAL)
			conn_own_refuse_build(c,
			    "the dockerfile parameter must be a path inside the "
			    "context, without \"..\"");
		else
			conn_close(c, "out of memory");
		return -1;
	}
	if ((b->held = evbuffer_new()) == NULL) {
		own_build_free(b);
		conn_close(c, "out of memory");
		return -1;
	}
	*out = b;
	return 0;
}

void
own_build_free(struct own_build *b)
{
	if (b == NULL)
		return;
	pol_build_tar_free(b->tar);
	pol_own_build_params_free(&b->params);
	if (b->held != NULL)
		evbuffer_free(b->held);
	free(b);
}

const struct pol_build_refs *
own_build_cache_refs(const struct own_build *b)
{
	return &b->params.cache;
}

const char *
own_build_pulls(const struct own_build *b)
{
	if (b->params.pull)
		return "pull";
	if (b->params.platform)
		return "platform: a local image of another platform is pulled again";
	if (b->from_platform)
		return "FROM --platform: a local image of another platform is pulled again";
	return NULL;
}

bool
conn_own_build_holding(const struct conn *c)
{
	const struct own_build *b = conn_own_build(c);

	return b != NULL && b->state == BUILD_CHECKING;
}

bool
conn_own_build_unsent(const struct conn *c)
{
	const struct own_build *b = conn_own_build(c);

	return b != NULL && b->state != BUILD_PASSED;
}

/* Send up the held bytes before "upto" (an offset in the body). */
static void
send_held(struct conn *c, struct own_build *b, uint64_t upto)
{
	size_t n;

	if (upto <= b->sent)
		return;
	n = (size_t)(upto - b->sent);
	if (n > evbuffer_get_length(b->held))
		n = evbuffer_get_length(b->held);
	fwd_body_out(c, (const char *)evbuffer_pullup(b->held, (ssize_t)n), n);
	evbuffer_drain(b->held, n);
	b->sent += n;
}

/*
 * What may go up while the context is read: what the walker has passed,
 * but never a Content-Length body's last byte, whose arrival would end the
 * daemon's tar reader as surely as the end block.
 */
static uint64_t
may_send(const struct conn *c, const struct own_build *b)
{
	uint64_t safe = pol_build_tar_safe(b->tar);

	if (c->c_hreq.has_cl && c->c_hreq.content_length > 0 && safe >= c->c_hreq.content_length)
		safe = c->c_hreq.content_length - 1;
	return safe;
}

static void
refuse_context(struct conn *c, struct own_build *b)
{
	char why[300];

	snprintf(why, sizeof(why), "the build context cannot be checked: %s",
	    pol_build_tar_error(b->tar));
	conn_own_refuse_build(c, why);
}

/*
 * Every file is in: list the images the Dockerfile names and have them
 * checked (with none, the daemon fails the build; cachefrom still counts).
 */
static void
check_images(struct conn *c, struct own_build *b)
{
	struct pol_build_refs refs = { NULL, 0, false };
	struct sw_str file;
	char why[300], reason[256];

	b->state = BUILD_CHECKING;
	if (pol_build_tar_dockerfile(b->tar, &file) &&
	    pol_build_dockerfile_refs(
	        file.p, file.len, b->params.buildargs, &refs, reason, sizeof(reason)) == -1) {
		snprintf(why, sizeof(why), "the Dockerfile cannot be checked: %s", reason);
		conn_own_refuse_build(c, why);
		return;
	}
	b->from_platform = refs.from_platform;
	conn_own_check_build(c, &refs);
	pol_build_refs_free(&refs);
}

bool
conn_own_build_body(struct conn *c, const char *p, size_t n)
{
	struct own_build *b = conn_own_build(c);
	enum pol_tar_status st;
	uint64_t fed, upto;

	if (b == NULL || b->state == BUILD_PASSED)
		return false;
	if (b->state == BUILD_DROPPED)
		return true;
	if (b->state == BUILD_CHECKING) {
		/* Bytes parsed along with the end block's: they wait too. */
		if (evbuffer_add(b->held, p, n) == -1)
			conn_close(c, "out of memory");
		return true;
	}
	/* While reading, every byte fed is sent or held. */
	fed = b->sent + evbuffer_get_length(b->held) + n;
	st = pol_build_tar_feed(b->tar, p, n);
	if (st == POL_TAR_BAD) {
		refuse_context(c, b);
		return true;
	}
	upto = may_send(c, b);
	if (evbuffer_get_length(b->held) == 0 && upto == fed) {
		/* Most of a context: nothing waits, all of it may go, without a copy. */
		fwd_body_out(c, p, n);
		b->sent = fed;
	} else if (evbuffer_add(b->held, p, n) == -1) {
		conn_close(c, "out of memory");
		return true;
	} else {
		send_held(c, b, upto);
	}
	if (st == POL_TAR_END)
		check_images(c, b);
	return true;
}

bool
conn_own_build_end(struct conn *c)
{
	struct own_build *b = conn_own_build(c);

	if (b == NULL || b->state == BUILD_PASSED)
		return false;
	if (b->state == BUILD_DROPPED)
		return true;
	b->end_held = true;
	if (b->state == BUILD_READING) {
		if (pol_build_tar_finish(b->tar) == POL_TAR_BAD)
			refuse_context(c, b);
		else
			check_images(c, b);
	}
	return true;
}

void
own_build_passed(struct conn *c)
{
	struct own_build *b = conn_own_build(c);

	if (b == NULL)
		return;
	b->state = BUILD_PASSED;
	send_held(c, b, b->sent + evbuffer_get_length(b->held));
	if (b->end_held)
		fwd_body_end(c);
	conn_resume_parsing(c);
	/* The client's EOF came while the rest was held (conn.c client_eventcb). */
	if (c->c_client_eof && c->c_state == CONN_FORWARD) {
		if (c->c_req_done)
			fwd_client_eof(c);
		else
			conn_close(c, "client closed mid-request");
	}
}

bool
own_build_drop(struct own_build *b)
{
	bool unsent = b != NULL && b->state != BUILD_PASSED && b->state != BUILD_DROPPED;

	if (unsent) {
		b->state = BUILD_DROPPED;
		evbuffer_drain(b->held, evbuffer_get_length(b->held));
	}
	return unsent;
}
