/*
 * A small HTTP/1.1 client for the proxy's own requests to the daemon.
 *
 * Lifetime: the call is freed by whichever entry point from the loop (a
 * socket or timer callback) is on the stack when it ends, once that entry
 * point unwinds; "busy" counts those frames, and daemon_call_cancel() from
 * inside a callback only marks the call.  User callbacks never run inside
 * llhttp_execute(): the parser callbacks only record what happened, and
 * the caller of the parser acts on it afterwards.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <llhttp.h>

#include "daemon_call.h"
#include "mono_clock.h"
#include "sock.h"
#include "upstream.h"

#define TARGET_MAX 8192

struct daemon_call {
	struct sock *sock;
	struct event *timer; /* the timeout, and the report of a failure found while starting */
	llhttp_t parser;
	struct evbuffer *body; /* the body; for a live stream, the unfinished line */
	size_t scanned;        /* live: bytes at the start of "body" known to hold no '\n' */
	size_t max_body;
	daemon_call_done_fn *done;
	daemon_line_fn *line; /* NULL: not a stream */
	void *arg;
	int status;     /* of the final head; 0 until it arrived */
	int busy;       /* loop entry points of this call on the stack */
	bool head_seen; /* the final (non-1xx) head */
	bool live;      /* a stream with a 2xx head: the body goes out line by line */
	bool announce;  /* live, and line(NULL) has not run yet */
	bool complete;  /* the response ended */
	bool bad;       /* the parser callbacks refused the response */
	bool cancelled; /* free when the last entry point unwinds; no more callbacks */
};

static struct daemon_call *
call_of(llhttp_t *p)
{
	return p->data;
}

/* ---- response parsing: record, never call out --------------------------- */

static int
on_headers_complete(llhttp_t *p)
{
	struct daemon_call *dc = call_of(p);
	int status = p->status_code;

	if (status >= 100 && status < 200 && status != 101)
		return 0; /* informational: the final head follows */
	if (status == 101 || p->upgrade) {
		dc->bad = true; /* nothing we send asks to switch protocols */
		return -1;
	}
	dc->status = status;
	dc->head_seen = true;
	if (dc->line != NULL && status >= 200 && status <= 299) {
		dc->live = true;
		dc->announce = true;
		evtimer_del(dc->timer); /* a live stream may be idle for as long as it likes */
	}
	return 0;
}

static int
on_body(llhttp_t *p, const char *at, size_t n)
{
	struct daemon_call *dc = call_of(p);

	if (!dc->head_seen)
		return 0;
	/* A live stream is bounded per line, after the lines are taken out. */
	if (!dc->live && evbuffer_get_length(dc->body) + n > dc->max_body) {
		dc->bad = true;
		return -1;
	}
	if (evbuffer_add(dc->body, at, n) == -1) {
		dc->bad = true;
		return -1;
	}
	return 0;
}

static int
on_message_complete(llhttp_t *p)
{
	struct daemon_call *dc = call_of(p);

	if (!dc->head_seen)
		return 0; /* the end of a 1xx */
	dc->complete = true;
	return HPE_PAUSED; /* bytes after the response are not ours */
}

static const llhttp_settings_t response_settings = {
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* ---- ending -------------------------------------------------------------- */

static void
destroy(struct daemon_call *dc)
{
	if (dc->timer != NULL)
		event_free(dc->timer);
	sock_free(dc->sock);
	if (dc->body != NULL)
		evbuffer_free(dc->body);
	free(dc);
}

/* Every loop entry point ends with this. */
static void
leave(struct daemon_call *dc)
{
	if (--dc->busy == 0 && dc->cancelled)
		destroy(dc);
}

/* Report the end once; the entry point on the stack frees the call. */
static void
finish(struct daemon_call *dc, int status)
{
	const char *body = NULL;
	size_t len = 0;

	if (dc->cancelled)
		return;
	dc->cancelled = true; /* from here on, nothing else is reported */
	evtimer_del(dc->timer);
	if (status != -1 && !dc->live) {
		len = evbuffer_get_length(dc->body);
		if (evbuffer_add(dc->body, "", 1) == -1) {
			status = -1;
			len = 0;
		} else {
			body = (const char *)evbuffer_pullup(dc->body, -1);
		}
	}
	dc->done(status, body, len, dc->arg);
}

/* ---- a live stream's lines --------------------------------------------------- */

/*
 * Hand out complete lines; false when the call ended meanwhile.  The search
 * resumes where the last one stopped: a long line arriving in small reads
 * is scanned once, not once per read.
 */
static bool
deliver_lines(struct daemon_call *dc)
{
	struct evbuffer_ptr from, nl;
	const char *p;

	if (dc->announce) {
		dc->announce = false;
		dc->line(NULL, 0, dc->arg);
		if (dc->cancelled)
			return false;
	}
	for (;;) {
		/* "scanned" never passes the end, which is itself a valid place to start. */
		if (evbuffer_ptr_set(dc->body, &from, dc->scanned, EVBUFFER_PTR_SET) == -1) {
			finish(dc, -1);
			return false;
		}
		nl = evbuffer_search(dc->body, "\n", 1, &from);
		if (nl.pos < 0) {
			dc->scanned = evbuffer_get_length(dc->body);
			break;
		}
		/* A line over the bound is refused however it arrived: whole or in pieces. */
		if ((size_t)nl.pos > dc->max_body ||
		    (p = (const char *)evbuffer_pullup(dc->body, nl.pos + 1)) == NULL) {
			finish(dc, -1);
			return false;
		}
		dc->line(p, (size_t)nl.pos, dc->arg);
		if (dc->cancelled)
			return false;
		evbuffer_drain(dc->body, (size_t)nl.pos + 1);
		dc->scanned = 0;
	}
	if (evbuffer_get_length(dc->body) > dc->max_body) {
		finish(dc, -1);
		return false;
	}
	return true;
}

/* ---- socket and timer --------------------------------------------------------- */

/* The response ended (complete) or the connection did (then it must be complete). */
static void
conclude(struct daemon_call *dc)
{
	if (!dc->complete) {
		finish(dc, -1);
		return;
	}
	if (dc->live && !deliver_lines(dc))
		return;
	finish(dc, dc->status);
}

static void
parse_input(struct daemon_call *dc)
{
	struct evbuffer *in = sock_input(dc->sock);
	struct evbuffer_iovec v;
	llhttp_errno_t err;
	size_t used;

	while (!dc->complete && evbuffer_get_length(in) > 0) {
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		err = llhttp_execute(&dc->parser, v.iov_base, v.iov_len);
		used = err == HPE_OK ?
		           v.iov_len :
		           (size_t)(llhttp_get_error_pos(&dc->parser) - (char *)v.iov_base);
		evbuffer_drain(in, used);
		if (err != HPE_OK && err != HPE_PAUSED) {
			finish(dc, -1);
			return;
		}
		if (dc->live && !deliver_lines(dc))
			return;
	}
	if (dc->complete)
		conclude(dc);
}

static void
on_read(struct sock *s, void *arg)
{
	struct daemon_call *dc = arg;

	(void)s;
	dc->busy++;
	if (!dc->cancelled)
		parse_input(dc);
	leave(dc);
}

static void
on_event(struct sock *s, int what, void *arg)
{
	struct daemon_call *dc = arg;

	(void)s;
	if (!(what & (SOCK_EOF | SOCK_ERROR)))
		return; /* connected (and, later, other progress reports): nothing to do */
	dc->busy++;
	/*
	 * A body delimited by the close of the connection ends here: llhttp
	 * then runs on_message_complete().  Any other body was cut short and
	 * stays incomplete.
	 */
	if (!dc->cancelled && (what & SOCK_EOF) && !dc->complete && dc->head_seen)
		(void)llhttp_finish(&dc->parser);
	if (!dc->cancelled)
		conclude(dc);
	leave(dc);
}

/* A timeout, or a failure found by *_start() and reported from the loop. */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_call *dc = arg;

	(void)fd;
	(void)what;
	dc->busy++;
	finish(dc, -1);
	leave(dc);
}

/* ---- starting ------------------------------------------------------------------ */

static bool
valid_target(const char *t)
{
	size_t i;

	if (t[0] != '/')
		return false;
	for (i = 0; t[i] != '\0'; i++)
		if (t[i] < 0x21 || t[i] > 0x7e || i >= TARGET_MAX)
			return false;
	return true;
}

static struct daemon_call *
start(struct event_base *base, const struct sa_addr *ups, const char *target, size_t max_body,
    unsigned timeout_ms, daemon_line_fn *line, daemon_call_done_fn *done, void *arg)
{
	struct timeval tv = timeval_of_ms(timeout_ms);
	struct daemon_call *dc;

	if (!valid_target(target))
		return NULL;
	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		return NULL;
	dc->max_body = max_body;
	dc->done = done;
	dc->line = line;
	dc->arg = arg;
	llhttp_init(&dc->parser, HTTP_RESPONSE, &response_settings);
	dc->parser.data = dc;
	if ((dc->timer = evtimer_new(base, on_timer, dc)) == NULL ||
	    (dc->body = evbuffer_new()) == NULL ||
	    (dc->sock = sock_new(base, -1, on_read, NULL, on_event, dc)) == NULL)
		goto err_destroy;
	/* Queued before the connection exists: it goes out once connected. */
	if (evbuffer_add_printf(sock_output(dc->sock),
	        "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: sockwarden\r\n"
	        "Connection: close\r\n\r\n",
	        target) == -1)
		goto err_destroy;
	if (upstream_open(dc->sock, ups) == -1) {
		/* Reported from the loop, like any other failure to reach the daemon. */
		event_active(dc->timer, EV_TIMEOUT, 1);
		return dc;
	}
	if (timeout_ms > 0)
		evtimer_add(dc->timer, &tv);
	return dc;

err_destroy:
	destroy(dc);
	return NULL;
}

struct daemon_call *
daemon_call_start(struct event_base *base, const struct sa_addr *ups, const char *path_and_query,
    size_t max_body, unsigned timeout_ms, daemon_call_done_fn *done, void *arg)
{
	return start(base, ups, path_and_query, max_body, timeout_ms, NULL, done, arg);
}

struct daemon_call *
daemon_stream_start(struct event_base *base, const struct sa_addr *ups, const char *path_and_query,
    size_t max_line, unsigned timeout_ms, daemon_line_fn *line, daemon_call_done_fn *end, void *arg)
{
	if (line == NULL)
		return NULL;
	return start(base, ups, path_and_query, max_line, timeout_ms, line, end, arg);
}

void
daemon_call_cancel(struct daemon_call *dc)
{
	if (dc == NULL)
		return;
	if (dc->busy > 0) {
		dc->cancelled = true;
		return;
	}
	destroy(dc);
}
