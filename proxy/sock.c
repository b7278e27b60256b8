#include "sockwarden/compat.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include "queue_budget.h"
#include "read_block.h"
#include "sock.h"
#include "tls.h"

#define SOCK_DEFAULT_READ (16 * 1024)
#define SOCK_SMALL_READ   (16 * 1024)   /* the shared buffer for reads of one message */
#define SOCK_SMALL_ENOUGH (4 * 1024)    /* a read this short ends a stream's big reads */
#define SOCK_PIPE_SIZE    (1024 * 1024) /* fewer, larger splices; the kernel may give less */
#define SOCK_TLS_RECORD   (16 * 1024)   /* most plaintext one TLS record carries */
#define SOCK_PEEK_MAX     64            /* a chunk-size line and then some */
#define SOCK_PIPE_SNDBUF  (1024 * 1024) /* a pipe's sink: see raise_sndbuf() */

struct sock_pipe {
	struct sock *src;
	struct sock *dst;
	int rfd, wfd;            /* the pipe */
	size_t in_pipe;          /* bytes read from src, not yet written to dst */
	size_t cap;              /* what the pipe holds */
	bool src_dry;            /* src had nothing: wait for it to be readable */
	bool src_woke;           /* src was reported readable; no splice from it since */
	bool maybe_full;         /* see pipe_may_read() */
	bool dst_full;           /* dst took nothing: wait for it to be writable */
	bool end_unconfirmed;    /* a splice from src gave 0 while the pipe held bytes */
	uint64_t left;           /* still to read from src; SOCK_PIPE_ALL: until EOF */
	uint64_t moved;          /* delivered to dst */
	sock_pipe_gate_fn *gate; /* asked for more once "left" is moved; NULL: no more */
	sock_pipe_done_fn *done;
	void *arg;
};

/*
 * TLS state, allocated only for TLS sockets.  OpenSSL may need the other
 * direction's readiness to go on (a read that must first send, a write
 * that must first receive): those waits are flags here, and the events a
 * socket arms are computed from them (tls_want_read, tls_update_write).
 */
struct sock_tls {
	struct tls_conn *conn;
	size_t wpend; /* bytes offered to a refused write, to offer again; 0: none */
	bool handshaking;
	bool hs_write;         /* the handshake waits for writability, else readability */
	bool report_connected; /* SOCK_CONNECTED is held back until the handshake is done */
	bool read_wants_write; /* reading goes on only when the socket is writable */
	bool write_wants_read; /* writing goes on only when the socket is readable */
	bool rbuf_partial;     /* OpenSSL holds only part of a record: epoll reports the rest */
	bool shut_pending;     /* close_notify waits for the output or for writability */
	bool shut_sent;
	bool oom; /* we failed it for want of memory: sock_tls_error() says so */
};

enum sock_flush {
	FLUSH_NONE,
	FLUSH_LISTED, /* on flush_list */
	FLUSH_EVENT,  /* "flush" is active */
};

struct sock {
	struct event_base *base;
	int fd;
	struct event rev;
	struct event wev;
	struct event flush;           /* output queued outside a socket callback: flush_ready() */
	TAILQ_ENTRY(sock) flush_link; /* on flush_list */
	struct evbuffer *in;
	struct evbuffer *out;
	sock_data_fn *readcb;
	sock_data_fn *writecb;
	sock_event_fn *eventcb;
	void *arg;
	size_t read_max;
	size_t write_lowat;
	size_t read_size;
	bool reading; /* the owner wants input */
	bool rev_added;
	bool wev_added;
	bool connecting;
	bool eof;                    /* the peer's EOF was seen, by a read or by a pipe */
	bool streaming;              /* the last read was big: read into a read block */
	int sndbuf_was;              /* SO_SNDBUF before raise_sndbuf(); 0: not raised */
	enum sock_flush flush_state; /* how a write of queued output is on its way */
	struct evbuffer_cb_entry *ceiling_watch; /* input_changed() while "in" is at read_max */
	bool dead;                               /* an error was reported: no more I/O */
	int busy;                                /* callbacks running on this socket */
	bool free_later;                         /* sock_free() was called from one of them */
	struct sock_pipe *pipe_out;              /* splicing from this socket */
	struct sock_pipe *pipe_in;               /* splicing into this socket */
	struct sock_tls *tls;                    /* TLS mode; NULL: plain */
};

static void destroy(struct sock *s);
static void pipe_step(struct sock_pipe *p);
static bool pipe_may_read(const struct sock_pipe *p);
static void pipe_end(struct sock_pipe *p, int status);
static void lower_sndbuf(struct sock *s);
static bool tls_want_read(struct sock *s, bool want);
static void tls_read_ready(struct sock *s);
static void tls_write_ready(struct sock *s);
static void tls_write(struct sock *s);
static void tls_handshake(struct sock *s);
static void tls_update_write(struct sock *s);
static void tls_shutdown_write(struct sock *s);

/*
 * Output queued while a socket callback runs is written when the outermost
 * one returns, before the loop goes on: what one callback queues goes out
 * in one write.  Sockets wait for that on flush_list.  Output queued from
 * anywhere else (a timer, a signal) activates the socket's "flush" event.
 * Both are cheaper than libevent's deferred buffer callbacks, which are
 * scheduled on every change, each write's drain included.
 */
static TAILQ_HEAD(, sock) flush_list = TAILQ_HEAD_INITIALIZER(flush_list);
static int callback_depth; /* socket callbacks running; the loop has one thread */

static void flush_listed(void);

/* Callbacks may free the socket: it then lives until they return. */
static void
enter(struct sock *s)
{
	s->busy++;
	callback_depth++;
}

static void
leave(struct sock *s)
{
	if (--s->busy == 0 && s->free_later)
		destroy(s);
	if (callback_depth == 1)
		flush_listed();
	callback_depth--;
}

static void input_changed(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);

static bool
at_ceiling(const struct sock *s)
{
	return s->read_max != 0 && evbuffer_get_length(s->in) >= s->read_max;
}

/*
 * Input at the ceiling stops reading until the owner consumes some, which
 * only a callback on "in" sees.  It is there only while the ceiling holds:
 * a buffer without callbacks skips libevent's callback machinery, and a
 * request costs two changes of "in" (the read, the parse).  So it is set
 * where the input grows (read_done()) or the ceiling drops
 * (sock_set_read_max()), and removed where the input shrinks
 * (input_changed()).  Returns -1 when the watch is needed but cannot be had.
 */
static int
watch_ceiling(struct sock *s, bool want)
{
	if (want == (s->ceiling_watch != NULL))
		return 0;
	if (want) {
		s->ceiling_watch = evbuffer_add_cb(s->in, input_changed, s);
		return s->ceiling_watch != NULL ? 0 : -1;
	}
	/* Safe from input_changed() itself: libevent steps past an entry before calling it. */
	evbuffer_remove_cb_entry(s->in, s->ceiling_watch);
	s->ceiling_watch = NULL;
	return 0;
}

/* The owner wants input now (before TLS or a pipe have their say). */
static bool
read_wanted(const struct sock *s)
{
	return s->reading && !s->eof && !s->dead && !s->connecting && !s->free_later &&
	       !at_ceiling(s);
}

static void
update_read(struct sock *s)
{
	bool want = read_wanted(s);

	/* A pipe reads on its own schedule: only while it has room. */
	if (s->pipe_out != NULL)
		want = pipe_may_read(s->pipe_out) && !s->dead && !s->free_later;
	if (s->tls != NULL)
		want = tls_want_read(s, want);

	if (want == s->rev_added)
		return;
	if (want)
		event_add(&s->rev, NULL);
	else
		event_del(&s->rev);
	s->rev_added = want;
}

static void
want_write(struct sock *s, bool want)
{
	if (want == s->wev_added)
		return;
	if (want)
		event_add(&s->wev, NULL);
	else
		event_del(&s->wev);
	s->wev_added = want;
}

static void
fail(struct sock *s)
{
	int saved = errno;

	s->dead = true;
	update_read(s);
	want_write(s, false);
	errno = saved;
	if (s->eventcb != NULL)
		s->eventcb(s, SOCK_ERROR, s->arg);
}

/*
 * send()/sendmsg() rather than evbuffer_write()'s writev(): on a socket they
 * skip the file layer (position lock, access checks, the iov_iter set-up),
 * which is a measurable share of a small request's cost.
 */
#define SOCK_WRITE_IOVS 16

static ssize_t
send_out(struct sock *s)
{
	struct evbuffer_iovec v[SOCK_WRITE_IOVS];
	struct msghdr msg = { 0 };
	ssize_t n;
	int nv = evbuffer_peek(s->out, -1, NULL, v, SOCK_WRITE_IOVS);

	if (nv > SOCK_WRITE_IOVS)
		nv = SOCK_WRITE_IOVS;
	if (nv == 1) {
		n = send(s->fd, v[0].iov_base, v[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	} else {
		msg.msg_iov = (struct iovec *)v;
		msg.msg_iovlen = (size_t)nv;
		n = sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	if (n > 0)
		evbuffer_drain(s->out, (size_t)n);
	return n;
}

/*
 * Write what is queued; arm write interest only if the kernel takes less.
 * The sink of a pipe goes on with the pipe once its output is out.
 */
static void
do_write(struct sock *s)
{
	ssize_t n = 0;

	if (s->tls != NULL) {
		tls_write(s);
		return;
	}
	if (s->dead || s->connecting) {
		want_write(s, false);
		return;
	}
	if (evbuffer_get_length(s->out) > 0 && (n = send_out(s)) == -1 && errno != EAGAIN &&
	    errno != EINTR) {
		fail(s);
		return;
	}
	if (s->pipe_in != NULL && evbuffer_get_length(s->out) == 0) {
		s->pipe_in->dst_full = false; /* writable: it took all that was queued */
		pipe_step(s->pipe_in);        /* which arms or disarms writing */
		return;
	}
	want_write(s, evbuffer_get_length(s->out) > 0);
	if (s->pipe_in == NULL && n > 0 && evbuffer_get_length(s->out) <= s->write_lowat &&
	    s->writecb != NULL)
		s->writecb(s, s->arg);
}

/*
 * Most reads carry one small message.  Reserving read_size (256 KiB for the
 * upstream) for each would allocate that much and free it once the answer
 * is written.  So a socket that is not streaming reads into one shared
 * buffer and the evbuffer gets a chain the size of what came.  A read that
 * fills the shared buffer means a stream: reads then go into a read block
 * (read_block.h), sparing the copy, until one is short.
 */
static unsigned char small_read_buf[SOCK_SMALL_READ];

/* Where the next read goes (plain or TLS), or false when out of memory. */
static bool
read_target(struct sock *s, struct iovec *v)
{
	/* A spent budget: a block would hold 256 KiB for however little came. */
	if (!s->streaming || queue_budget_spent()) {
		v->iov_base = small_read_buf;
		v->iov_len = s->read_size < SOCK_SMALL_READ ? s->read_size : SOCK_SMALL_READ;
		return true;
	}
	v->iov_len = s->read_size < READ_BLOCK_SIZE ? s->read_size : READ_BLOCK_SIZE;
	return (v->iov_base = read_block_get()) != NULL;
}

/* A read_target() that got no bytes (an error, EAGAIN): its block goes back. */
static void
read_unused(struct iovec *v)
{
	if (v->iov_base != small_read_buf)
		read_block_put(v->iov_base);
}

/*
 * Hand the "n" bytes a read put into read_target()'s iovec to the input
 * buffer, and decide how the next read goes.  Returns 0, or -1 when out of
 * memory (the bytes may be lost: the socket must fail).
 */
static int
read_done(struct sock *s, struct iovec *v, size_t n)
{
	if (v->iov_base == small_read_buf) {
		s->streaming = n == v->iov_len && n < s->read_size;
		if (n > 0 && evbuffer_add(s->in, small_read_buf, n) == -1)
			return -1;
	} else {
		s->streaming = n >= SOCK_SMALL_ENOUGH;
		if (n == 0)
			read_block_put(v->iov_base);
		else if (read_block_add(s->in, v->iov_base, n) == -1)
			return -1;
	}
	return watch_ceiling(s, at_ceiling(s));
}

static void
do_read(struct sock *s)
{
	struct iovec v;
	ssize_t n;

	if (!read_target(s, &v)) {
		errno = ENOMEM;
		fail(s);
		return;
	}
	/* recv(), like send_out()'s send(), skips the file layer that read() takes. */
	n = recv(s->fd, v.iov_base, v.iov_len, MSG_DONTWAIT);
	if (n == -1) {
		read_unused(&v);
		if (errno != EAGAIN && errno != EINTR)
			fail(s);
		return;
	}
	if (read_done(s, &v, (size_t)n) == -1) {
		errno = ENOMEM;
		fail(s);
		return;
	}
	if (n == 0) {
		s->eof = true;
		update_read(s);
		if (s->eventcb != NULL)
			s->eventcb(s, SOCK_EOF, s->arg);
		return;
	}
	update_read(s);
	if (s->readcb != NULL)
		s->readcb(s, s->arg);
}

static void
finish_connect(struct sock *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == EINPROGRESS)
		return;
	s->connecting = false;
	if (err != 0) {
		errno = err;
		fail(s);
		return;
	}
	if (s->tls != NULL) {
		tls_handshake(s); /* SOCK_CONNECTED comes with SOCK_TLS_DONE */
		return;
	}
	update_read(s);
	if (s->eventcb != NULL)
		s->eventcb(s, SOCK_CONNECTED, s->arg);
}

static void
read_ready(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;

	(void)fd;
	(void)what;
	enter(s);
	if (s->pipe_out != NULL) {
		s->pipe_out->src_dry = false;
		s->pipe_out->src_woke = true;
		pipe_step(s->pipe_out);
	} else if (s->tls != NULL)
		tls_read_ready(s);
	else
		do_read(s);
	leave(s);
}

static void
write_ready(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;

	(void)fd;
	(void)what;
	enter(s);
	if (s->connecting)
		finish_connect(s);
	if (!s->connecting && !s->dead && !s->free_later) {
		if (s->tls != NULL)
			tls_write_ready(s);
		else
			do_write(s);
	}
	leave(s);
}

/* Bytes were queued: write them once the callback that queued them is over. */
static void
output_changed(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct sock *s = arg;

	(void)buf;
	if (info->n_deleted > 0)
		queue_budget_sub(info->n_deleted);
	if (info->n_added == 0)
		return;
	queue_budget_add(info->n_added);
	if (s->flush_state != FLUSH_NONE)
		return;
	if (callback_depth > 0) {
		s->flush_state = FLUSH_LISTED;
		TAILQ_INSERT_TAIL(&flush_list, s, flush_link);
	} else {
		s->flush_state = FLUSH_EVENT;
		event_active(&s->flush, EV_WRITE, 1);
	}
}

/* Write what was queued, unless a write is armed already or cannot be made. */
static void
flush_now(struct sock *s)
{
	s->flush_state = FLUSH_NONE;
	if (s->wev_added || s->connecting || s->dead || s->free_later)
		return;
	enter(s);
	do_write(s);
	leave(s);
}

/*
 * Called with callback_depth still 1: the writes' own callbacks may queue
 * more (a response ends, the next request is read from what is buffered),
 * and those join the list here rather than start another pass.
 */
static void
flush_listed(void)
{
	struct sock *s;

	while ((s = TAILQ_FIRST(&flush_list)) != NULL) {
		TAILQ_REMOVE(&flush_list, s, flush_link);
		flush_now(s);
	}
}

static void
flush_ready(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_now(arg);
}

/* Consuming input below the ceiling resumes reading (watch_ceiling()). */
static void
input_changed(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct sock *s = arg;

	(void)buf;
	if (info->n_deleted == 0)
		return;
	(void)watch_ceiling(s, at_ceiling(s)); /* only removes: it is there */
	update_read(s);
}

struct sock *
sock_new(struct event_base *base, int fd, sock_data_fn *readcb, sock_data_fn *writecb,
    sock_event_fn *eventcb, void *arg)
{
	struct sock *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->in = evbuffer_new();
	s->out = evbuffer_new();
	if (s->in == NULL || s->out == NULL)
		goto err_free;
	if (evbuffer_add_cb(s->out, output_changed, s) == NULL)
		goto err_free;
	s->base = base;
	event_assign(&s->flush, base, -1, 0, flush_ready, s);
	s->fd = fd;
	s->readcb = readcb;
	s->writecb = writecb;
	s->eventcb = eventcb;
	s->arg = arg;
	s->read_size = SOCK_DEFAULT_READ;
	s->reading = true;
	if (fd != -1) {
		event_assign(&s->rev, base, fd, EV_READ | EV_PERSIST, read_ready, s);
		event_assign(&s->wev, base, fd, EV_WRITE | EV_PERSIST, write_ready, s);
		update_read(s);
	}
	return s;

err_free:
	if (s->in != NULL)
		evbuffer_free(s->in);
	if (s->out != NULL)
		evbuffer_free(s->out);
	free(s);
	return NULL;
}

int
sock_connect(struct sock *s, const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	s->fd = fd;
	event_assign(&s->rev, s->base, fd, EV_READ | EV_PERSIST, read_ready, s);
	event_assign(&s->wev, s->base, fd, EV_WRITE | EV_PERSIST, write_ready, s);
	if (connect(fd, sa, len) == 0) {
		update_read(s);
		return 1; /* connected already: no SOCK_CONNECTED event follows */
	}
	if (errno != EINPROGRESS)
		return -1;
	s->connecting = true;
	want_write(s, true);
	return 0;
}

static void
destroy(struct sock *s)
{
	if (s->tls != NULL) {
		tls_conn_free(s->tls->conn);
		free(s->tls);
	}
	evbuffer_free(s->in);
	evbuffer_free(s->out);
	free(s);
}

void
sock_free(struct sock *s)
{
	if (s == NULL || s->free_later)
		return;
	/* A flush may be queued: it must not run after we are gone. */
	if (s->flush_state == FLUSH_LISTED)
		TAILQ_REMOVE(&flush_list, s, flush_link);
	event_del(&s->flush);
	s->flush_state = FLUSH_NONE;
	evbuffer_remove_cb(s->out, output_changed, s);
	queue_budget_sub(evbuffer_get_length(s->out)); /* no longer counted as it changes */
	(void)watch_ceiling(s, false);
	/* A pipe needs both ends: it ends without a callback. */
	if (s->pipe_out != NULL)
		pipe_end(s->pipe_out, -1);
	if (s->pipe_in != NULL)
		pipe_end(s->pipe_in, -1);
	/*
	 * A TLS peer learns that everything was sent from a close_notify: send
	 * one, but only when nothing queued is being dropped (a clean end must
	 * not hide a truncation).  Best effort: the socket is going away.
	 */
	if (s->tls != NULL && !s->tls->handshaking && !s->tls->shut_sent && !s->dead &&
	    !s->connecting && s->tls->wpend == 0 && evbuffer_get_length(s->out) == 0)
		(void)tls_conn_shutdown(s->tls->conn);
	if (s->fd != -1) {
		event_del(&s->rev);
		event_del(&s->wev);
		close(s->fd);
		s->fd = -1;
	}
	s->rev_added = s->wev_added = false;
	s->free_later = true;
	if (s->busy == 0)
		destroy(s);
}

struct evbuffer *
sock_input(struct sock *s)
{
	return s->in;
}

struct evbuffer *
sock_output(struct sock *s)
{
	return s->out;
}

int
sock_fd(const struct sock *s)
{
	return s->fd;
}

void
sock_read_enable(struct sock *s)
{
	s->reading = true;
	update_read(s);
}

void
sock_read_disable(struct sock *s)
{
	s->reading = false;
	update_read(s);
}

int
sock_set_read_max(struct sock *s, size_t max)
{
	size_t was = s->read_max;

	s->read_max = max;
	if (watch_ceiling(s, at_ceiling(s)) == -1) {
		s->read_max = was; /* no watch was there, and none is needed for it */
		return -1;
	}
	update_read(s);
	return 0;
}

bool
sock_output_above(const struct sock *s, size_t hiwat)
{
	size_t len = evbuffer_get_length(s->out);

	return len > hiwat || (len > QUEUE_BUDGET_PRESSED && queue_budget_spent());
}

void
sock_set_write_lowat(struct sock *s, size_t lowat)
{
	s->write_lowat = lowat;
}

void
sock_set_read_size(struct sock *s, size_t n)
{
	s->read_size = n;
}

void
sock_shutdown_write(struct sock *s)
{
	if (s->fd == -1)
		return;
	if (s->tls != NULL)
		tls_shutdown_write(s);
	else
		shutdown(s->fd, SHUT_WR);
}

/* ---- splicing ----------------------------------------------------------- */

/*
 * Detach and close the pipe; status -1 means "no callback" (an end is being
 * freed).  src's EOF, if it came, is src->eof already: reading resumes only
 * on a source that has more to give.
 */
static void
pipe_end(struct sock_pipe *p, int status)
{
	struct sock *src = p->src, *dst = p->dst;
	sock_pipe_done_fn *done = p->done;
	void *arg = p->arg;
	uint64_t moved = p->moved;

	close(p->rfd);
	close(p->wfd);
	queue_budget_sub(p->in_pipe);
	lower_sndbuf(dst);
	src->pipe_out = NULL;
	dst->pipe_in = NULL;
	free(p);
	if (status == -1)
		return;
	update_read(src);
	want_write(dst, evbuffer_get_length(dst->out) > 0);
	if (done != NULL)
		done(src, status, moved, arg);
}

/* Bytes are still owed, or a gate is still to be asked for more. */
static bool
pipe_owed(const struct sock_pipe *p)
{
	return p->left > 0 || p->gate != NULL;
}

/* What src may still splice in: the pipe's size, or less while the budget is spent. */
static size_t
pipe_room(const struct sock_pipe *p)
{
	size_t cap = p->cap;

	if (queue_budget_spent() && cap > QUEUE_BUDGET_PRESSED)
		cap = QUEUE_BUDGET_PRESSED;
	return p->in_pipe < cap ? cap - p->in_pipe : 0;
}

/*
 * The pipe may take more from src: room in it, and more owed.  A pipe runs
 * out of slots (one per piece the daemon wrote) before it runs out of bytes,
 * and a splice into a pipe without slots fails as one from a dry socket
 * does.  So a failed splice in while the pipe holds bytes counts as a full
 * pipe until some of them go out: else src, still readable, would be tried
 * again and again while dst is full, a busy loop.  A splice in that gave 0
 * waits the same way, for pipe_copy_past_urgent() to tell what it meant.
 */
static bool
pipe_may_read(const struct sock_pipe *p)
{
	return !p->src->eof && pipe_owed(p) && pipe_room(p) > 0 && !p->maybe_full &&
	       !(p->end_unconfirmed && p->in_pipe > 0);
}

/*
 * Show the gate what waits on src without taking it, and let it grant the
 * next stretch.  Returns 1 on progress, 0 when src has nothing yet, -1 on
 * an error (errno set).
 */
static int
pipe_ask_gate(struct sock_pipe *p)
{
	char peek[SOCK_PEEK_MAX];
	bool last = false;
	ssize_t n = recv(p->src->fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);

	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		p->src->eof = true;
		return 1;
	}
	p->left = p->gate(peek, (size_t)n, &last, p->arg);
	if (last || p->left == 0)
		p->gate = NULL;
	return 1;
}

/*
 * TCP urgent data (a client's send(MSG_OOB)) stops splice() short of the
 * urgent mark for good.  It then fails with EAGAIN while epoll goes on
 * reporting src readable, a busy loop; or, once the peer's FIN is in, it
 * returns 0 as at the end, and the bytes after the mark would be lost.
 * recv() steps over the mark, as the copying path does: copy what waits to
 * dst's output (in order: the pipe is empty), and splicing goes on after
 * it; or it confirms the end.  Returns 1 on progress (bytes, or the end),
 * 0 when src had nothing after all, -1 on an error (errno set).
 */
static int
pipe_copy_past_urgent(struct sock_pipe *p)
{
	size_t want = p->left < sizeof(small_read_buf) ? (size_t)p->left : sizeof(small_read_buf);
	ssize_t n = recv(p->src->fd, small_read_buf, want, MSG_DONTWAIT);

	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		p->src->eof = true;
		return 1;
	}
	if (evbuffer_add(p->dst->out, small_read_buf, (size_t)n) == -1) {
		errno = ENOMEM;
		return -1;
	}
	p->moved += (uint64_t)n;
	if (p->left != SOCK_PIPE_ALL)
		p->left -= (uint64_t)n;
	return 1;
}

/*
 * Move what can be moved now: called when src is readable, when dst is
 * writable, and when dst's output has drained.  Reading and writing
 * overlap: while dst is full, src is still read until the pipe is full, so
 * the daemon is not held up by one slow write, and dst's next write finds a
 * full pipe.  src_dry and dst_full remember an EAGAIN until that end's
 * readiness event clears it, so that no splice is tried that is known to
 * fail.  What dst already had queued goes first: the pipe is written only
 * once dst->out is empty (do_write() calls again then), but it may fill
 * meanwhile.
 */
static void
pipe_step(struct sock_pipe *p)
{
	struct sock *src = p->src, *dst = p->dst;
	bool out_ok, progress;
	ssize_t n;
	int saved;

	do {
		progress = false;
		out_ok = evbuffer_get_length(dst->out) == 0;
		if (p->in_pipe > 0 && !p->dst_full && out_ok &&
		    (p->in_pipe >= p->cap / 4 || p->src_dry || !pipe_may_read(p))) {
			n = splice(p->rfd, NULL, dst->fd, NULL, p->in_pipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				p->in_pipe -= (size_t)n;
				queue_budget_sub((size_t)n);
				p->moved += (uint64_t)n;
				p->maybe_full = false;
				progress = true;
			} else if (n == -1 && errno == EAGAIN) {
				p->dst_full = true;
			} else if (n == -1 && errno != EINTR) {
				goto err;
			}
		}
		if (p->in_pipe == 0 && (!pipe_owed(p) || src->eof) && out_ok) {
			pipe_end(p, pipe_owed(p) ? SOCK_EOF : 0);
			return;
		}
		if (p->left == 0 && p->gate != NULL && pipe_may_read(p) && !p->src_dry) {
			int asked = pipe_ask_gate(p);

			if (asked == -1)
				goto err;
			if (asked == 0)
				p->src_dry = true;
			progress = true;
		}
		if (pipe_may_read(p) && p->left > 0 && !p->src_dry) {
			bool woke = p->src_woke;
			size_t room = pipe_room(p);

			p->src_woke = false;
			n = splice(src->fd, NULL, p->wfd, NULL,
			    p->left < room ? (size_t)p->left : room,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				p->in_pipe += (size_t)n;
				queue_budget_add((size_t)n);
				if (p->left != SOCK_PIPE_ALL)
					p->left -= (uint64_t)n;
				progress = true;
			} else if (n == 0 && p->in_pipe > 0) {
				/* The end, or an urgent mark: asked once the pipe's bytes are out.
				 */
				p->end_unconfirmed = true;
				progress = true;
			} else if (n == 0 || (errno == EAGAIN && woke && p->in_pipe == 0)) {
				int copied = pipe_copy_past_urgent(p);

				if (copied == -1)
					goto err;
				p->end_unconfirmed = false;
				p->src_dry = copied == 0;
				progress = copied == 1;
			} else if (errno == EAGAIN) {
				p->src_dry = true;
				p->maybe_full = p->in_pipe > 0;
				progress = p->in_pipe > 0; /* what the pipe holds goes out now */
			} else if (errno != EINTR) {
				goto err;
			}
		}
	} while (progress);
	if (out_ok)
		want_write(dst, p->in_pipe > 0); /* else do_write() has it armed */
	update_read(src);
	return;

err:
	saved = errno;
	pipe_end(p, -1);
	errno = saved;
	/* On src whichever end failed: both ends belong to one owner, told once. */
	fail(src);
}

/*
 * A sink's send buffer, the kernel default about 208 KiB, bounds each
 * splice into it, and each splice wakes the reader: asking for 1 MiB (the
 * kernel books twice that) means fewer, larger splices, about 8% more MB/s
 * on a long answer; 4 MiB measured no better.  Best effort: the kernel caps
 * it at net.core.wmem_max.
 *
 * A client that stops reading leaves the whole buffer full, out of the
 * proxy's sight: so a raised buffer counts in the budget (queue_budget.h)
 * while its pipe runs, and none is raised while the budget is spent.
 */
static void
raise_sndbuf(struct sock *s)
{
	int size = SOCK_PIPE_SNDBUF;
	socklen_t len = sizeof(s->sndbuf_was);

	if (s->sndbuf_was != 0 || queue_budget_spent())
		return;
	if (getsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf_was, &len) == -1 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) == -1) {
		s->sndbuf_was = 0;
		return;
	}
	queue_budget_add(SOCK_PIPE_SNDBUF);
}

/* Its pipe is over: the buffer goes back to what it was (getsockopt() gave it doubled). */
static void
lower_sndbuf(struct sock *s)
{
	int size = s->sndbuf_was / 2;

	if (s->sndbuf_was == 0)
		return;
	s->sndbuf_was = 0;
	queue_budget_sub(SOCK_PIPE_SNDBUF);
	if (s->fd != -1)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

int
sock_pipe_start(struct sock *src, struct sock *dst, uint64_t n, sock_pipe_done_fn *done, void *arg)
{
	return sock_pipe_start_gated(src, dst, n, NULL, done, arg);
}

int
sock_pipe_start_gated(struct sock *src, struct sock *dst, uint64_t n, sock_pipe_gate_fn *gate,
    sock_pipe_done_fn *done, void *arg)
{
	struct sock_pipe *p;
	size_t have = evbuffer_get_length(src->in);
	int fds[2], cap;

	/* The kernel moves bytes, not TLS records: TLS ends copy through user space. */
	if (src->pipe_out != NULL || dst->pipe_in != NULL || src->dead || dst->dead ||
	    src->tls != NULL || dst->tls != NULL)
		return -1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1) {
		free(p);
		return -1;
	}
	/* Best effort: a larger pipe means fewer splice calls per megabyte. */
	if ((cap = fcntl(fds[1], F_SETPIPE_SZ, SOCK_PIPE_SIZE)) == -1)
		cap = fcntl(fds[1], F_GETPIPE_SZ);
	p->cap = cap > 0 ? (size_t)cap : 4096;
	raise_sndbuf(dst);
	p->src = src;
	p->dst = dst;
	p->rfd = fds[0];
	p->wfd = fds[1];
	p->left = n;
	p->gate = n == SOCK_PIPE_ALL ? NULL : gate;
	p->done = done;
	p->arg = arg;
	/* What src already read goes first, as ordinary output of dst. */
	if (n != SOCK_PIPE_ALL && have > n)
		have = (size_t)n;
	evbuffer_remove_buffer(src->in, dst->out, have);
	p->moved = have;
	if (n != SOCK_PIPE_ALL)
		p->left -= have;
	src->pipe_out = p;
	dst->pipe_in = p;
	update_read(src);
	if (evbuffer_get_length(dst->out) == 0)
		pipe_step(p);
	return 0;
}

/* ---- TLS ---------------------------------------------------------------------------- */

int
sock_start_tls(struct sock *s, struct tls_conn *tc)
{
	struct sock_tls *t = NULL;
	bool server;

	if (s->fd == -1 || s->tls != NULL || s->dead || s->free_later || s->pipe_in != NULL ||
	    s->pipe_out != NULL || (t = calloc(1, sizeof(*t))) == NULL ||
	    tls_conn_attach(tc, s->fd) == -1) {
		free(t);
		tls_conn_free(tc);
		return -1;
	}
	server = tls_conn_is_server(tc);
	t->conn = tc;
	t->handshaking = true;
	t->hs_write = !server; /* the client speaks first */
	s->tls = t;
	if (s->connecting) {
		t->report_connected = true; /* finish_connect() starts the handshake */
		return 0;
	}
	update_read(s);
	tls_update_write(s);
	return 0;
}

struct tls_conn *
sock_tls_conn(struct sock *s)
{
	return s->tls != NULL ? s->tls->conn : NULL;
}

const char *
sock_tls_error(const struct sock *s)
{
	if (s->tls == NULL)
		return NULL;
	return s->tls->oom ? "out of memory" : tls_conn_error(s->tls->conn);
}

/* Read interest for a TLS socket, given what the owner wants ("want"). */
static bool
tls_want_read(struct sock *s, bool want)
{
	struct sock_tls *t = s->tls;

	if (s->dead || s->free_later || s->connecting)
		return false;
	if (t->handshaking)
		return !t->hs_write;
	if (t->read_wants_write)
		want = false;
	/*
	 * Bytes OpenSSL already took from the kernel (read ahead, or the rest
	 * of a record larger than the last read) raise no readiness: run the
	 * read once more from the loop.  Not when they are only the start of a
	 * record (that read would want the kernel again, and again: a spin
	 * that starves the loop).  Added first: libevent does not register an
	 * active event with epoll, so it would fire only once.
	 */
	if (want && !t->rbuf_partial && tls_conn_pending(t->conn)) {
		if (!s->rev_added) {
			event_add(&s->rev, NULL);
			s->rev_added = true;
		}
		event_active(&s->rev, EV_READ, 1);
	}
	return want || (t->write_wants_read && !s->eof);
}

static void
tls_update_write(struct sock *s)
{
	struct sock_tls *t = s->tls;
	bool want;

	if (s->connecting)
		return; /* armed for the connect */
	if (s->dead || s->free_later)
		want = false;
	else if (t->handshaking)
		want = t->hs_write;
	else
		want = (!t->write_wants_read && (t->wpend > 0 || t->shut_pending)) ||
		       t->read_wants_write;
	want_write(s, want);
}

/* We cannot go on for want of memory: SOCK_ERROR, and sock_tls_error() says why. */
static void
tls_oom(struct sock *s)
{
	s->tls->oom = true;
	errno = ENOMEM;
	fail(s);
}

static void
tls_handshake(struct sock *s)
{
	struct sock_tls *t = s->tls;
	enum tls_io r = tls_conn_handshake(t->conn);
	int what;

	if (r == TLS_IO_WANT_READ || r == TLS_IO_WANT_WRITE) {
		t->hs_write = r == TLS_IO_WANT_WRITE;
		update_read(s);
		tls_update_write(s);
		return;
	}
	if (r != TLS_IO_DONE) {
		fail(s); /* errno and the reason come from the TLS module */
		return;
	}
	what = SOCK_TLS_DONE | (t->report_connected ? SOCK_CONNECTED : 0);
	t->handshaking = false;
	t->report_connected = false;
	update_read(s);
	tls_update_write(s);
	if (s->eventcb != NULL)
		s->eventcb(s, what, s->arg);
	/* What the owner queued meanwhile (or just now) goes out. */
	if (!s->dead && !s->free_later && (evbuffer_get_length(s->out) > 0 || t->shut_pending))
		tls_write(s);
}

/*
 * Decrypt into the shared buffer or a read block, like do_read(): at most
 * read_size bytes, and one read(2) per wake-up, going on only while OpenSSL
 * holds bytes it already read.  Whatever stays there is picked up through
 * tls_want_read() as soon as the owner wants input again.
 */
static void
tls_read(struct sock *s)
{
	struct sock_tls *t = s->tls;
	struct iovec v;
	size_t got, total = 0;
	enum tls_io r = TLS_IO_DONE;

	if (!read_target(s, &v)) {
		tls_oom(s);
		return;
	}
	while (total < v.iov_len) {
		r = tls_conn_read(t->conn, (char *)v.iov_base + total, v.iov_len - total, &got);
		if (r != TLS_IO_DONE)
			break;
		t->rbuf_partial = false;
		total += got;
		if (!tls_conn_pending(t->conn))
			break;
	}
	if (r == TLS_IO_WANT_READ)
		t->rbuf_partial = true; /* every whole record was taken */
	else if (r == TLS_IO_WANT_WRITE)
		t->read_wants_write = true;
	else if (r == TLS_IO_FAILED) {
		read_unused(&v);
		fail(s); /* nothing of this read is delivered */
		return;
	}
	if (read_done(s, &v, total) == -1) {
		tls_oom(s); /* what was decrypted is lost: the stream cannot go on */
		return;
	}
	if (r == TLS_IO_CLOSED)
		s->eof = true; /* close_notify, or a bare TCP EOF (tls_ctx.c ctx_base()) */
	update_read(s);
	tls_update_write(s);
	if (total > 0 && s->readcb != NULL)
		s->readcb(s, s->arg);
	if (r == TLS_IO_CLOSED && !s->dead && !s->free_later && s->eventcb != NULL)
		s->eventcb(s, SOCK_EOF, s->arg);
}

/*
 * Encrypt and write the output's chunks until it is empty or the kernel refuses
 * more; then, as in do_write(), writecb once the output is at the low
 * watermark.
 */
static void
tls_write(struct sock *s)
{
	struct sock_tls *t = s->tls;
	struct evbuffer_iovec v;
	size_t len, n, done = 0;
	enum tls_io r;

	if (s->dead || s->connecting || s->free_later || t->handshaking || t->write_wants_read)
		return;
	while ((len = evbuffer_get_length(s->out)) > 0) {
		if (t->shut_sent || len < t->wpend) {
			/* Writing after close_notify; or bytes a retry needs were taken back. */
			errno = t->shut_sent ? EPIPE : EPROTO;
			fail(s);
			return;
		}
		if (evbuffer_peek(s->out, -1, NULL, &v, 1) < 1)
			break;
		/* Small chunks would each make a record: gather one record's worth. */
		if (v.iov_len < SOCK_TLS_RECORD && len > v.iov_len) {
			size_t gather = len < SOCK_TLS_RECORD ? len : SOCK_TLS_RECORD;

			if (evbuffer_pullup(s->out, (ev_ssize_t)gather) == NULL ||
			    evbuffer_peek(s->out, -1, NULL, &v, 1) < 1) {
				tls_oom(s);
				return;
			}
		}
		r = tls_conn_write(t->conn, v.iov_base, v.iov_len, &n);
		if (r == TLS_IO_DONE) {
			t->wpend = 0;
			evbuffer_drain(s->out, n);
			done += n;
			continue;
		}
		if (r != TLS_IO_WANT_WRITE && r != TLS_IO_WANT_READ) {
			fail(s); /* errno and the reason come from the TLS module */
			return;
		}
		t->wpend = v.iov_len;
		if (r == TLS_IO_WANT_READ) {
			t->write_wants_read = true;
			update_read(s);
		}
		break;
	}
	if (t->shut_pending && evbuffer_get_length(s->out) == 0)
		tls_shutdown_write(s);
	tls_update_write(s);
	if (done > 0 && evbuffer_get_length(s->out) <= s->write_lowat && s->writecb != NULL)
		s->writecb(s, s->arg);
}

static void
tls_read_ready(struct sock *s)
{
	struct sock_tls *t = s->tls;

	if (t->handshaking) {
		if (!t->hs_write)
			tls_handshake(s);
		return;
	}
	if (t->write_wants_read) {
		t->write_wants_read = false;
		tls_write(s);
		if (s->dead || s->free_later)
			return;
	}
	if (read_wanted(s) && !t->read_wants_write)
		tls_read(s);
	else
		update_read(s);
}

static void
tls_write_ready(struct sock *s)
{
	struct sock_tls *t = s->tls;

	if (t->handshaking) {
		if (t->hs_write)
			tls_handshake(s);
		return;
	}
	if (t->read_wants_write) {
		t->read_wants_write = false;
		if (read_wanted(s))
			tls_read(s);
		else
			update_read(s);
		if (s->dead || s->free_later)
			return;
	}
	tls_write(s);
}

/*
 * close_notify once, then the TCP half-close, so the peer sees a clean end
 * of our side (Go's crypto/tls reports the alert as io.EOF); reading goes
 * on.  Waits for the handshake and the output first.
 */
static void
tls_shutdown_write(struct sock *s)
{
	struct sock_tls *t = s->tls;

	if (t->shut_sent || s->dead || s->free_later)
		return;
	if (s->connecting || t->handshaking || t->wpend > 0 || evbuffer_get_length(s->out) > 0) {
		t->shut_pending = true;
		tls_update_write(s);
		return;
	}
	if (tls_conn_shutdown(t->conn) == TLS_IO_WANT_WRITE) {
		t->shut_pending = true;
		tls_update_write(s);
		return;
	}
	/* Sent, or the connection is failing anyway: the TCP half-close follows either way. */
	t->shut_pending = false;
	t->shut_sent = true;
	shutdown(s->fd, SHUT_WR);
	tls_update_write(s);
}
