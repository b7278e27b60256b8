/*
 * daemon_call against a fake daemon on a temporary Unix socket, served from
 * the same event loop: it reads the request, then sends scripted response
 * pieces one loop turn apart (so the client sees them in separate reads),
 * then closes or stays silent.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <cmocka.h>

#include "daemon_call.h"
#include "mono_clock.h"

#define MAX_PARTS 8

/* ---- the fake daemon ------------------------------------------------------ */

struct fake {
	struct event_base *base;
	char dir[64];
	struct sa_addr addr;
	int lfd, cfd;
	struct event *accept_ev, *read_ev, *send_ev;
	const char *parts[MAX_PARTS]; /* NULL-terminated */
	size_t next;
	bool close_after; /* close once every part went out */
	char request[4096];
	size_t req_len;
	bool got_request;
};

static void fake_send_next(evutil_socket_t fd, short what, void *arg);

static void
fake_close_client(struct fake *f)
{
	if (f->read_ev != NULL)
		event_free(f->read_ev);
	f->read_ev = NULL;
	if (f->cfd != -1)
		close(f->cfd);
	f->cfd = -1;
}

static void
fake_read(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	struct timeval now = { 0, 0 };
	ssize_t n;

	(void)what;
	n = read(fd, f->request + f->req_len, sizeof(f->request) - 1 - f->req_len);
	if (n <= 0) {
		event_del(f->read_ev);
		return;
	}
	f->req_len += (size_t)n;
	f->request[f->req_len] = '\0';
	if (!f->got_request && strstr(f->request, "\r\n\r\n") != NULL) {
		f->got_request = true;
		evtimer_add(f->send_ev, &now);
	}
}

static void
fake_send_next(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	struct timeval gap = { 0, 2000 };
	const char *p;

	(void)fd;
	(void)what;
	if (f->cfd == -1)
		return;
	if (f->next < MAX_PARTS && (p = f->parts[f->next]) != NULL) {
		/* The client may have gone (cancelled): that is no error here. */
		if (send(f->cfd, p, strlen(p), MSG_NOSIGNAL) != (ssize_t)strlen(p)) {
			fake_close_client(f);
			return;
		}
		f->next++;
		evtimer_add(f->send_ev, &gap);
		return;
	}
	if (f->close_after)
		fake_close_client(f);
}

static void
fake_accept(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	int c;

	(void)what;
	if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (f->cfd != -1) {
		close(c); /* one connection per fake */
		return;
	}
	f->cfd = c;
	f->read_ev = event_new(f->base, c, EV_READ | EV_PERSIST, fake_read, f);
	event_add(f->read_ev, NULL);
}

/* A fake daemon listening on a fresh socket; "listen" false leaves nobody listening. */
static struct fake *
fake_new(struct event_base *base, bool listening)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un *sun;

	assert_non_null(f);
	f->base = base;
	f->lfd = f->cfd = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/sw-test-dc.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	sun = (struct sockaddr_un *)&f->addr.ss;
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/d.sock", f->dir);
	f->addr.len = sizeof(*sun);
	f->addr.family = AF_UNIX;
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->lfd != -1);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)sun, sizeof(*sun)), 0);
	if (listening)
		assert_int_equal(listen(f->lfd, 8), 0);
	f->accept_ev = event_new(base, f->lfd, EV_READ | EV_PERSIST, fake_accept, f);
	f->send_ev = evtimer_new(base, fake_send_next, f);
	if (listening)
		event_add(f->accept_ev, NULL);
	return f;
}

static void
fake_free(struct fake *f)
{
	char path[128];

	fake_close_client(f);
	event_free(f->accept_ev);
	event_free(f->send_ev);
	close(f->lfd);
	snprintf(path, sizeof(path), "%s/d.sock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
}

/* ---- what the client saw ------------------------------------------------- */

struct seen {
	struct event_base *base;
	int calls; /* done/end callbacks */
	int status;
	char body[8192];
	size_t len;
	bool body_null;
	int ups;          /* line(NULL) */
	char lines[8192]; /* lines joined with '|' */
	int n_lines;
	struct daemon_call *cancel_in_line; /* cancel this from the Nth line */
	int cancel_at_line;
	struct daemon_call *cancel_in_done; /* cancel this from done */
	bool stop_on_done;
};

static void
on_done(int status, const char *body, size_t len, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->status = status;
	s->body_null = body == NULL;
	if (body != NULL) {
		assert_true(len < sizeof(s->body));
		assert_int_equal(body[len], '\0');
		memcpy(s->body, body, len + 1);
	}
	s->len = len;
	if (s->cancel_in_done != NULL) {
		daemon_call_cancel(s->cancel_in_done);
		s->cancel_in_done = NULL;
	}
	if (s->stop_on_done)
		event_base_loopbreak(s->base);
}

static void
on_line(const char *line, size_t len, void *arg)
{
	struct seen *s = arg;
	size_t used = strlen(s->lines);

	if (line == NULL) {
		s->ups++;
		return;
	}
	assert_true(used + len + 2 < sizeof(s->lines));
	memcpy(s->lines + used, line, len);
	s->lines[used + len] = '|';
	s->lines[used + len + 1] = '\0';
	s->n_lines++;
	if (s->cancel_in_line != NULL && s->n_lines == s->cancel_at_line) {
		daemon_call_cancel(s->cancel_in_line);
		s->cancel_in_line = NULL;
		event_base_loopbreak(s->base);
	}
}

/* Run the loop until a callback stops it, or for at most "ms". */
static void
run(struct event_base *base, unsigned ms)
{
	struct timeval tv = timeval_of_ms(ms);

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* ---- whole calls ---------------------------------------------------------- */

struct call_case {
	const char *name;
	const char *parts[MAX_PARTS];
	bool close_after;
	size_t max_body;
	int status;       /* expected */
	const char *body; /* expected when status != -1 */
};

#define OK_HEAD "HTTP/1.1 200 OK\r\n"

static const struct call_case call_cases[] = {
	{ "content-length", { OK_HEAD "Content-Length: 5\r\n\r\nhello" }, false, 64, 200, "hello" },
	{ "content-length in pieces", { OK_HEAD "Content-", "Length: 5\r\n\r\nhe", "llo" }, false,
	    64, 200, "hello" },
	{ "content-length at the limit", { OK_HEAD "Content-Length: 5\r\n\r\nhello" }, false, 5,
	    200, "hello" },
	{ "chunked",
	    { OK_HEAD "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
	        "6\r\n world\r\n0\r\n\r\n" },
	    false, 64, 200, "hello world" },
	{ "chunked, split inside a size line",
	    { OK_HEAD "Transfer-Encoding: chunked\r\n\r\n", "1", "0\r\nhello world 1234\r\n0\r\n",
	        "\r\n" },
	    false, 64, 200, "hello world 1234" },
	{ "close-delimited", { OK_HEAD "\r\nhello", " world" }, true, 64, 200, "hello world" },
	{ "404 with a body",
	    { "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n"
	      "{\"message\":\"No such container: nope\"}\n" },
	    false, 64, 404, "{\"message\":\"No such container: nope\"}\n" },
	{ "204 without a body", { "HTTP/1.1 204 No Content\r\n\r\n" }, false, 64, 204, "" },
	{ "100 Continue first",
	    { "HTTP/1.1 100 Continue\r\n\r\n", OK_HEAD "Content-Length: 2\r\n\r\nok" }, false, 64,
	    200, "ok" },
	{ "bytes after the response are ignored",
	    { OK_HEAD "Content-Length: 2\r\n\r\nokHTTP/1.1 500 Oops\r\n\r\n" }, false, 64, 200,
	    "ok" },
	{ "over the limit, content-length", { OK_HEAD "Content-Length: 6\r\n\r\nhello!" }, false, 5,
	    -1, NULL },
	{ "over the limit, chunked",
	    { OK_HEAD "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "3\r\ndef\r\n0\r\n\r\n" },
	    false, 5, -1, NULL },
	{ "over the limit, close-delimited", { OK_HEAD "\r\nabc", "def" }, true, 5, -1, NULL },
	{ "cut short, content-length", { OK_HEAD "Content-Length: 10\r\n\r\nhello" }, true, 64, -1,
	    NULL },
	{ "cut short, chunked", { OK_HEAD "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n" },
	    true, 64, -1, NULL },
	{ "cut inside the head", { "HTTP/1.1 200 OK\r\nContent-Le" }, true, 64, -1, NULL },
	{ "closed without an answer", { NULL }, true, 64, -1, NULL },
	{ "not HTTP", { "SSH-2.0-OpenSSH_9.2\r\n\r\n" }, false, 64, -1, NULL },
	{ "bad chunk size",
	    { OK_HEAD "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" }, false, 64, -1,
	    NULL },
	{ "content-length and chunked",
	    { OK_HEAD
	        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
	    false, 64, -1, NULL },
	{ "switching protocols", { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\n\r\n" },
	    false, 64, -1, NULL },
};

static void
test_daemon_call_responses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(call_cases); i++) {
		const struct call_case *c = &call_cases[i];
		struct event_base *base = event_base_new();
		struct fake *f = fake_new(base, true);
		struct seen s = { .base = base, .stop_on_done = true };
		struct daemon_call *dc;

		memcpy(f->parts, c->parts, sizeof(f->parts));
		f->close_after = c->close_after;
		dc = daemon_call_start(
		    base, &f->addr, "/containers/x/json", c->max_body, 2000, on_done, &s);
		if (dc == NULL)
			fail_msg("%s: daemon_call_start failed", c->name);
		if (s.calls != 0)
			fail_msg("%s: called back from inside start", c->name);
		run(base, 3000);
		if (s.calls != 1)
			fail_msg("%s: %d callbacks, expected 1", c->name, s.calls);
		if (s.status != c->status)
			fail_msg("%s: status %d, expected %d", c->name, s.status, c->status);
		if (c->status == -1 && !s.body_null)
			fail_msg("%s: a body with status -1", c->name);
		if (c->status != -1 && (s.body_null || strcmp(s.body, c->body) != 0))
			fail_msg("%s: body \"%s\", expected \"%s\"", c->name, s.body, c->body);
		if (c->status != -1 && s.len != strlen(c->body))
			fail_msg("%s: length %zu, expected %zu", c->name, s.len, strlen(c->body));
		fake_free(f);
		event_base_free(base);
	}
}

/* What goes up: a GET, Host, Connection: close, nothing else to frame. */
static void
test_daemon_call_request(void **state)
{
	static const char expect[] = "GET /containers/abc/json?size=0 HTTP/1.1\r\nHost: docker\r\n"
	                             "User-Agent: sockwarden\r\nConnection: close\r\n\r\n";
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct seen s = { .base = base, .stop_on_done = true };

	(void)state;
	f->parts[0] = OK_HEAD "Content-Length: 0\r\n\r\n";
	assert_non_null(daemon_call_start(
	    base, &f->addr, "/containers/abc/json?size=0", 64, 2000, on_done, &s));
	run(base, 3000);
	assert_int_equal(s.status, 200);
	if (strcmp(f->request, expect) != 0)
		fail_msg("sent \"%s\"", f->request);
	fake_free(f);
	event_base_free(base);
}

static void
test_daemon_call_refuses_bad_requests(void **state)
{
	static const struct {
		const char *name;
		const char *target;
	} rows[] = {
		{ "relative target", "x" },
		{ "absolute-form target", "http://docker/x" },
		{ "space in the target", "/x y" },
		{ "CRLF in the target", "/x\r\nX-Evil: 1" },
		{ "NUL-free but non-ASCII target", "/\xc3\xa9" },
		{ "empty target", "" },
	};
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct seen s = { .base = base };
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		if (daemon_call_start(base, &f->addr, rows[i].target, 64, 100, on_done, &s) != NULL)
			fail_msg("%s: accepted", rows[i].name);
	run(base, 50);
	assert_int_equal(s.calls, 0);
	assert_false(f->got_request);
	fake_free(f);
	event_base_free(base);
}

/* A target of TARGET_MAX (8192) bytes is taken, one byte more is not. */
static void
test_daemon_call_target_limit(void **state)
{
	static char target[8192 + 2];
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct seen s = { .base = base };
	struct daemon_call *dc;

	(void)state;
	memset(target, 'a', sizeof(target) - 1);
	target[0] = '/';
	if (daemon_call_start(base, &f->addr, target, 64, 100, on_done, &s) != NULL)
		fail_msg("a target of %zu bytes: accepted", strlen(target));
	target[8192] = '\0';
	if ((dc = daemon_call_start(base, &f->addr, target, 64, 100, on_done, &s)) == NULL)
		fail_msg("a target of %zu bytes: refused", strlen(target));
	daemon_call_cancel(dc);
	assert_int_equal(s.calls, 0);
	fake_free(f);
	event_base_free(base);
}

static void
test_daemon_call_timeout(void **state)
{
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct seen s = { .base = base, .stop_on_done = true };
	uint64_t t0 = mono_ms(), ms;

	(void)state;
	/* The daemon takes the request and never answers. */
	assert_non_null(daemon_call_start(base, &f->addr, "/x", 64, 100, on_done, &s));
	run(base, 3000);
	ms = mono_ms() - t0;
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.status, -1);
	assert_true(f->got_request);
	if (ms < 90 || ms > 2000)
		fail_msg("timed out after %" PRIu64 " ms, expected about 100", ms);
	fake_free(f);
	event_base_free(base);
}

static void
test_daemon_call_unreachable(void **state)
{
	static const char *const rows[] = { "nobody listening", "no such socket" };
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		struct event_base *base = event_base_new();
		struct fake *f = fake_new(base, false);
		struct seen s = { .base = base, .stop_on_done = true };
		struct sa_addr a = f->addr;

		if (i == 1)
			snprintf(
			    ((struct sockaddr_un *)&a.ss)->sun_path, 100, "%s/missing", f->dir);
		assert_non_null(daemon_call_start(base, &a, "/x", 64, 1000, on_done, &s));
		if (s.calls != 0)
			fail_msg("%s: called back from inside start", rows[i]);
		run(base, 2000);
		if (s.calls != 1 || s.status != -1)
			fail_msg("%s: %d callbacks, status %d", rows[i], s.calls, s.status);
		fake_free(f);
		event_base_free(base);
	}
}

/* Cancelled before the loop ran, and halfway through a response: no callback, nothing leaked. */
static void
test_daemon_call_cancel(void **state)
{
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct fake *g = fake_new(base, true);
	struct fake *u = fake_new(base, false);
	struct seen s = { .base = base };
	struct daemon_call *dc;

	(void)state;
	/* At once, to a daemon that is there and to one that is not. */
	daemon_call_cancel(daemon_call_start(base, &f->addr, "/x", 64, 100, on_done, &s));
	daemon_call_cancel(daemon_call_start(base, &u->addr, "/x", 64, 100, on_done, &s));
	daemon_call_cancel(NULL);
	/* Halfway: the head arrived, the body has not. */
	g->parts[0] = OK_HEAD "Content-Length: 10\r\n\r\nhel";
	dc = daemon_call_start(base, &g->addr, "/x", 64, 2000, on_done, &s);
	assert_non_null(dc);
	run(base, 100);
	assert_true(g->got_request);
	daemon_call_cancel(dc);
	run(base, 200);
	assert_int_equal(s.calls, 0);
	fake_free(f);
	fake_free(g);
	fake_free(u);
	event_base_free(base);
}

/* A callback cancels another call in flight; that one never reports. */
static void
test_daemon_call_callback_cancels_another(void **state)
{
	struct event_base *base = event_base_new();
	struct fake *fast = fake_new(base, true);
	struct fake *slow = fake_new(base, true);
	struct seen s1 = { .base = base }, s2 = { .base = base };

	(void)state;
	fast->parts[0] = OK_HEAD "Content-Length: 2\r\n\r\nok";
	/* The slow one never answers; only its own timeout could end it. */
	s1.cancel_in_done = daemon_call_start(base, &slow->addr, "/slow", 64, 300, on_done, &s2);
	assert_non_null(s1.cancel_in_done);
	assert_non_null(daemon_call_start(base, &fast->addr, "/fast", 64, 2000, on_done, &s1));
	run(base, 600);
	assert_int_equal(s1.calls, 1);
	assert_int_equal(s1.status, 200);
	assert_int_equal(s2.calls, 0);
	fake_free(fast);
	fake_free(slow);
	event_base_free(base);
}

/* ---- streams ---------------------------------------------------------------- */

struct stream_case {
	const char *name;
	const char *parts[MAX_PARTS];
	bool close_after;
	size_t max_line;
	int ups;           /* line(NULL) calls expected */
	const char *lines; /* expected, joined with '|' */
	int status;        /* of end() */
	const char *body;  /* of end(), for a non-2xx answer */
};

#define STREAM_HEAD OK_HEAD "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"

static const struct stream_case stream_cases[] = {
	{ "lines across chunks",
	    { STREAM_HEAD "6\r\n{\"a\":1\r\n", "4\r\n}\n{\"\r\n", "5\r\nb\":2}\r\n",
	        "1\r\n\n\r\n0\r\n\r\n" },
	    false, 64, 1, "{\"a\":1}|{\"b\":2}|", 200, NULL },
	{ "several lines in one chunk", { STREAM_HEAD "6\r\na\nb\nc\n\r\n0\r\n\r\n" }, false, 64, 1,
	    "a|b|c|", 200, NULL },
	{ "empty lines count", { STREAM_HEAD "3\r\n\n\nx\r\n2\r\n\r\n\r\n0\r\n\r\n" }, false, 64, 1,
	    "||x\r|", 200, NULL },
	{ "unterminated last line is dropped", { STREAM_HEAD "5\r\na\nbcd\r\n0\r\n\r\n" }, false,
	    64, 1, "a|", 200, NULL },
	{ "close-delimited stream", { OK_HEAD "\r\none\ntw", "o\n" }, true, 64, 1, "one|two|", 200,
	    NULL },
	{ "a line at the limit", { STREAM_HEAD "6\r\n12345\n\r\n0\r\n\r\n" }, false, 5, 1, "12345|",
	    200, NULL },
	{ "a line over the limit", { STREAM_HEAD "4\r\nok\n1\r\n", "5\r\n23456\r\n" }, false, 5, 1,
	    "ok|", -1, NULL },
	{ "a whole line over the limit in one read", { STREAM_HEAD "7\r\n123456\n\r\n0\r\n\r\n" },
	    false, 5, 1, "", -1, NULL },
	{ "a line at the limit in many reads",
	    { STREAM_HEAD "2\r\nab\r\n", "2\r\ncd\r\n", "2\r\nef\r\n", "3\r\ng\nh\r\n",
	        "2\r\ni\n\r\n0\r\n\r\n" },
	    false, 7, 1, "abcdefg|hi|", 200, NULL },
	{ "a line over the limit in many reads",
	    { STREAM_HEAD "2\r\nab\r\n", "2\r\ncd\r\n", "2\r\nef\r\n", "3\r\ngh\n\r\n",
	        "0\r\n\r\n" },
	    false, 7, 1, "", -1, NULL },
	{ "broken mid-stream", { STREAM_HEAD "3\r\na\nb\r\n" }, true, 64, 1, "a|", -1, NULL },
	{ "404 is not a stream",
	    { "HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\n{\"message\":1}" }, false, 64, 0,
	    "", 404, "{\"message\":1}" },
	{ "500 body over the limit",
	    { "HTTP/1.1 500 Oops\r\nContent-Length: 10\r\n\r\n0123456789" }, false, 5, 0, "", -1,
	    NULL },
};

static void
test_daemon_stream(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(stream_cases); i++) {
		const struct stream_case *c = &stream_cases[i];
		struct event_base *base = event_base_new();
		struct fake *f = fake_new(base, true);
		struct seen s = { .base = base, .stop_on_done = true };

		memcpy(f->parts, c->parts, sizeof(f->parts));
		f->close_after = c->close_after;
		assert_non_null(daemon_stream_start(
		    base, &f->addr, "/events", c->max_line, 2000, on_line, on_done, &s));
		run(base, 3000);
		if (s.calls != 1)
			fail_msg("%s: end ran %d times", c->name, s.calls);
		if (s.ups != c->ups)
			fail_msg(
			    "%s: line(NULL) ran %d times, expected %d", c->name, s.ups, c->ups);
		if (strcmp(s.lines, c->lines) != 0)
			fail_msg("%s: lines \"%s\", expected \"%s\"", c->name, s.lines, c->lines);
		if (s.status != c->status)
			fail_msg("%s: status %d, expected %d", c->name, s.status, c->status);
		if (c->body != NULL && (s.body_null || strcmp(s.body, c->body) != 0))
			fail_msg("%s: body \"%s\", expected \"%s\"", c->name, s.body, c->body);
		if (c->body == NULL && !s.body_null)
			fail_msg("%s: end() got a body", c->name);
		fake_free(f);
		event_base_free(base);
	}
}

/* The line callback cancels its own stream: no more lines, no end(). */
static void
test_daemon_stream_cancel_from_line(void **state)
{
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct seen s = { .base = base, .cancel_at_line = 2 };

	(void)state;
	f->parts[0] = STREAM_HEAD "6\r\na\nb\nc\n\r\n";
	f->parts[1] = "2\r\nd\n\r\n0\r\n\r\n";
	s.cancel_in_line =
	    daemon_stream_start(base, &f->addr, "/events", 64, 2000, on_line, on_done, &s);
	assert_non_null(s.cancel_in_line);
	run(base, 3000);
	run(base, 100); /* whatever else the daemon sends goes nowhere */
	assert_string_equal(s.lines, "a|b|");
	assert_int_equal(s.calls, 0);
	fake_free(f);
	event_base_free(base);
}

/* The timeout covers the wait for the head only: a live stream may stay silent. */
static void
test_daemon_stream_idle(void **state)
{
	struct event_base *base = event_base_new();
	struct fake *f = fake_new(base, true);
	struct fake *g = fake_new(base, true);
	struct seen s = { .base = base }, t = { .base = base };
	struct daemon_call *dc;

	(void)state;
	f->parts[0] = STREAM_HEAD;
	dc = daemon_stream_start(base, &f->addr, "/events", 64, 100, on_line, on_done, &s);
	assert_non_null(dc);
	/* No head at all: that one times out. */
	assert_non_null(
	    daemon_stream_start(base, &g->addr, "/events", 64, 100, on_line, on_done, &t));
	run(base, 400);
	assert_int_equal(s.ups, 1);
	assert_int_equal(s.calls, 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.status, -1);
	assert_int_equal(t.ups, 0);
	daemon_call_cancel(dc);
	fake_free(f);
	fake_free(g);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_call_responses),
		cmocka_unit_test(test_daemon_call_request),
		cmocka_unit_test(test_daemon_call_refuses_bad_requests),
		cmocka_unit_test(test_daemon_call_target_limit),
		cmocka_unit_test(test_daemon_call_timeout),
		cmocka_unit_test(test_daemon_call_unreachable),
		cmocka_unit_test(test_daemon_call_cancel),
		cmocka_unit_test(test_daemon_call_callback_cancels_another),
		cmocka_unit_test(test_daemon_stream),
		cmocka_unit_test(test_daemon_stream_cancel_from_line),
		cmocka_unit_test(test_daemon_stream_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
