#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include "sock.h"

#define SOCK_DEFAULT_READ (16 * 1024)
#define SOCK_PIPE_SIZE    (1024 * 1024) /* fewer, larger splices; the kernel may give less */

struct sock_pipe {
	struct sock *src;
	struct sock *dst;
	int rfd, wfd;   /* the pipe */
	size_t in_pipe; /* bytes read from src, not yet written to dst */
	uint64_t left;  /* still to read from src; SOCK_PIPE_ALL: until EOF */
	uint64_t moved; /* delivered to dst */
	bool src_eof;
	sock_pipe_done_fn *done;
	void *arg;
};

struct sock {
	struct event_base *base;
	int fd;
	struct event rev;
	struct event wev;
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
	bool eof;
	bool dead;                  /* an error was reported: no more I/O */
	int busy;                   /* callbacks running on this socket */
	bool free_later;            /* sock_free() was called from one of them */
	struct sock_pipe *pipe_out; /* splicing from this socket */
	struct sock_pipe *pipe_in;  /* splicing into this socket */
	uint64_t last_moved;        /* sock_pipe_moved() after the pipe ended */
};

static void destroy(struct sock *s);
static void pipe_step(struct sock_pipe *p);
static void pipe_end(struct sock_pipe *p, int status);

/* Callbacks may free the socket: it then lives until they return. */
static void
enter(struct sock *s)
{
	s->busy++;
}

static bool
leave(struct sock *s)
{
	if (--s->busy == 0 && s->free_later) {
		destroy(s);
		return false;
	}
	return !s->free_later;
}

static void
update_read(struct sock *s)
{
	bool want = s->reading && !s->eof && !s->dead && !s->connecting && !s->free_later &&
	            (s->read_max == 0 || evbuffer_get_length(s->in) < s->read_max);

	/* A pipe reads on its own schedule: only while it has room. */
	if (s->pipe_out != NULL)
		want = !s->pipe_out->src_eof && !s->dead && !s->free_later &&
		       s->pipe_out->in_pipe == 0;

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

/* Write what is queued; arm write interest only if the kernel takes less. */
static void
do_write(struct sock *s)
{
	size_t before = evbuffer_get_length(s->out);
	int n;

	if (before == 0 || s->dead || s->connecting) {
		want_write(s, false);
		return;
	}
	n = evbuffer_write(s->out, s->fd);
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		fail(s);
		return;
	}
	want_write(s, evbuffer_get_length(s->out) > 0);
	if (s->pipe_in != NULL) {
		if (evbuffer_get_length(s->out) == 0)
			pipe_step(s->pipe_in);
		return;
	}
	if (n > 0 && evbuffer_get_length(s->out) <= s->write_lowat && s->writecb != NULL)
		s->writecb(s, s->arg);
}

static void
do_read(struct sock *s)
{
	struct evbuffer_iovec v[2];
	ssize_t n;
	int nv, i;

	nv = evbuffer_reserve_space(s->in, (ev_ssize_t)s->read_size, v, 2);
	if (nv < 1)
		return;
	n = readv(s->fd, (struct iovec *)v, nv);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
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
	for (i = 0; i < nv; i++) {
		size_t take = (size_t)n < v[i].iov_len ? (size_t)n : v[i].iov_len;

		v[i].iov_len = take;
		n -= (ssize_t)take;
	}
	evbuffer_commit_space(s->in, v, nv);
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
	if (s->pipe_out != NULL)
		pipe_step(s->pipe_out);
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
		if (s->pipe_in != NULL && evbuffer_get_length(s->out) == 0)
			pipe_step(s->pipe_in);
		else
			do_write(s);
	}
	leave(s);
}

/*
 * Deferred: runs once per loop pass after the output changed, so the bytes
 * queued by one callback go out in one write, right away.
 */
static void
output_changed(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct sock *s = arg;

	(void)buf;
	if (info->n_added == 0 || s->wev_added || s->connecting || s->dead || s->free_later)
		return;
	enter(s);
	do_write(s);
	leave(s);
}

/* Consuming input below the ceiling resumes reading. */
static void
input_changed(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct sock *s = arg;

	(void)buf;
	if (info->n_deleted > 0 && s->read_max != 0 && !s->rev_added)
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
	if (evbuffer_defer_callbacks(s->out, base) == -1 ||
	    evbuffer_add_cb(s->out, output_changed, s) == NULL ||
	    evbuffer_add_cb(s->in, input_changed, s) == NULL)
		goto err_free;
	s->base = base;
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
	evbuffer_free(s->in);
	evbuffer_free(s->out);
	free(s);
}

void
sock_free(struct sock *s)
{
	if (s == NULL || s->free_later)
		return;
	/*
	 * A deferred output callback may already be queued: libevent keeps the
	 * buffer alive for it, so it would run after we are gone.  Unhook first.
	 */
	evbuffer_remove_cb(s->out, output_changed, s);
	evbuffer_remove_cb(s->in, input_changed, s);
	/* A pipe needs both ends: it ends without a callback. */
	if (s->pipe_out != NULL)
		pipe_end(s->pipe_out, -1);
	if (s->pipe_in != NULL)
		pipe_end(s->pipe_in, -1);
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

bool
sock_reading(const struct sock *s)
{
	return s->rev_added;
}

void
sock_set_read_max(struct sock *s, size_t max)
{
	s->read_max = max;
	update_read(s);
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
	if (s->fd != -1)
		shutdown(s->fd, SHUT_WR);
}

/* ---- splicing ----------------------------------------------------------- */

/* Detach and close the pipe; status -1 means "no callback" (an end is being freed). */
static void
pipe_end(struct sock_pipe *p, int status)
{
	struct sock *src = p->src, *dst = p->dst;

	close(p->rfd);
	close(p->wfd);
	src->pipe_out = NULL;
	dst->pipe_in = NULL;
	src->last_moved = p->moved;
	if (status != -1) {
		update_read(src);
		want_write(dst, evbuffer_get_length(dst->out) > 0);
		if (status == SOCK_EOF)
			src->eof = true;
	}
	if (status != -1 && p->done != NULL) {
		sock_pipe_done_fn *done = p->done;
		void *arg = p->arg;

		free(p);
		done(src, status, arg);
		return;
	}
	free(p);
}

/*
 * Move as much as the kernel takes now.  Called when src is readable, when
 * dst is writable, and when dst's output (bytes that were buffered before
 * the pipe started) has drained.
 */
static void
pipe_step(struct sock_pipe *p)
{
	struct sock *src = p->src, *dst = p->dst;
	ssize_t n;

	if (evbuffer_get_length(dst->out) > 0)
		return; /* do_write() calls again once it is empty */
	for (;;) {
		if (p->in_pipe > 0) {
			n = splice(p->rfd, NULL, dst->fd, NULL, p->in_pipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n == -1) {
				if (errno == EAGAIN) {
					want_write(dst, true);
					update_read(src);
					return;
				}
				if (errno == EINTR)
					continue;
				goto err;
			}
			p->in_pipe -= (size_t)n;
			p->moved += (uint64_t)n;
			continue;
		}
		want_write(dst, false);
		if (p->left == 0 || p->src_eof) {
			pipe_end(p, p->left == 0 ? 0 : SOCK_EOF);
			return;
		}
		n = splice(src->fd, NULL, p->wfd, NULL,
		    p->left < SOCK_PIPE_SIZE ? (size_t)p->left : SOCK_PIPE_SIZE,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == -1) {
			if (errno == EAGAIN) {
				update_read(src);
				return;
			}
			if (errno == EINTR)
				continue;
			goto err;
		}
		if (n == 0) {
			p->src_eof = true;
			continue;
		}
		p->in_pipe += (size_t)n;
		if (p->left != SOCK_PIPE_ALL)
			p->left -= (uint64_t)n;
	}

err : {
	int saved = errno;

	pipe_end(p, -1);
	errno = saved;
	/* Report on whichever end failed; both ends' owners share a fate here. */
	src->dead = true;
	update_read(src);
	if (src->eventcb != NULL)
		src->eventcb(src, SOCK_ERROR, src->arg);
}
}

int
sock_pipe_start(struct sock *src, struct sock *dst, uint64_t n, sock_pipe_done_fn *done, void *arg)
{
	struct sock_pipe *p;
	size_t have = evbuffer_get_length(src->in);
	int fds[2];

	if (src->pipe_out != NULL || dst->pipe_in != NULL || src->dead || dst->dead)
		return -1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1) {
		free(p);
		return -1;
	}
	/* Best effort: a larger pipe means fewer splice calls per megabyte. */
	(void)fcntl(fds[1], F_SETPIPE_SZ, SOCK_PIPE_SIZE);
	p->src = src;
	p->dst = dst;
	p->rfd = fds[0];
	p->wfd = fds[1];
	p->left = n;
	p->done = done;
	p->arg = arg;
	p->src_eof = src->eof;
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

uint64_t
sock_pipe_moved(const struct sock *src)
{
	return src->pipe_out != NULL ? src->pipe_out->moved : src->last_moved;
}
