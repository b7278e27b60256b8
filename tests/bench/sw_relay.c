#include "sockwarden/compat.h"

/*
 * sw_relay: a single-threaded epoll byte relay between Unix sockets, the floor
 * under the benchmark's proxy figures.  Each accepted client gets its own
 * connection to the upstream socket, and whatever one side sends is passed to
 * the other: one recv() and one send() per direction, so a keep-alive request
 * and its response cost four system calls (plus a share of epoll_wait) and the
 * wake-ups those sends cause in the peers.  No user-space proxy can spend less
 * per request on the same machine, so bench.py runs the same load through this
 * tool and reports how much of sockwarden's cost lies above it.
 *
 * It checks nothing: no HTTP parsing, no policy, no limits, no timeouts.  It is
 * a measuring stick, never a thing to deploy in front of a daemon.
 *
 * Back-pressure: when a send is short, the rest waits in the receiving side's
 * small pending buffer, and the side it came from is not read again until that
 * buffer has drained on EPOLLOUT.  EOF or an error on either side closes both:
 * a half-close is not relayed, so a client that shuts down its writing side
 * before the answer comes loses the answer.  The benchmark's clients never do.
 *
 * With -S it is instead the floor of a splicing proxy for bulk streams: each
 * direction moves bytes with splice(2), from the source socket into a pipe of
 * its own and from the pipe into the sink, tuned as sockwarden's streaming path
 * (proxy/sock.c): a 1 MiB pipe (F_SETPIPE_SZ, the kernel may give less), the
 * sink's SO_SNDBUF raised to 1 MiB, non-blocking splices repeated while either
 * makes progress.  Bytes never reach user space, and what is left is the
 * kernel's work and the switches between the three processes, so no proxy
 * that splices on the same CPUs can stream faster.  What the pipe holds is
 * owed to the sink: the source is read again only while the pipe has room,
 * and a source's EOF closes both sockets once its last bytes are out (an
 * error, or EOF with nothing owed, closes both at once; as above, the other
 * direction's bytes go with them).
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen_unix.h"
#include "raise_nofile.h"
#include "stop_signals.h"

/*
 * One read's worth, and so also the most a short send can leave pending.
 * Larger reads would only help bulk streams, which -S measures instead.
 */
#define RELAY_BUF  (16u * 1024)
#define MAX_EVENTS 256
#define RETRY_MS   1000 /* accept() paused on EMFILE/ENFILE is retried this often */

/* -S: as sockwarden's sock_pipe (proxy/sock.c), so that the floor is measured alike. */
#define SPLICE_PIPE   (1024 * 1024) /* asked of F_SETPIPE_SZ; the kernel may give less */
#define SPLICE_SNDBUF (1024 * 1024) /* each sink's SO_SNDBUF, as raise_sndbuf() there */
#define SPLICE_FLAGS  (SPLICE_F_MOVE | SPLICE_F_NONBLOCK)

struct rl_pair;

/* -S: the pipe that holds the bytes owed to one socket. */
struct rl_pipe {
	int r, w;   /* -1 when not open */
	size_t len; /* bytes in it */
	size_t cap; /* what F_SETPIPE_SZ gave */
	bool full;  /* a splice into it found no free slot: wait until the sink takes some */
};

/* One socket of a relayed connection: the client's or the upstream's. */
struct rl_end {
	int fd;
	uint32_t events;           /* registered with epoll; 0 when not in the set */
	size_t pend_off, pend_len; /* bytes owed to this socket are pend[off, len) */
	struct rl_pipe pipe;       /* -S: bytes owed to this socket wait here instead */
	bool src_dry;              /* -S: a splice from it found nothing; cleared on EPOLLIN */
	bool sink_full;            /* -S: a splice into it found no room; cleared on EPOLLOUT */
	bool eof;                  /* -S: read to EOF; closed once what it sent is out */
	struct rl_end *peer;       /* the other socket of the pair */
	struct rl_pair *pair;      /* owner of both ends */
	char pend[RELAY_BUF];
};

struct rl_pair {
	struct rl_end client;
	struct rl_end upstream;
	bool closed; /* fds closed, freed after the current batch */
	struct rl_pair *next_dead;
};

static char buf[RELAY_BUF];
static struct sockaddr_un up_sun;
static const char *up_path;
static struct rl_pair *dead; /* closed pairs whose events may still be in the batch */
static bool accept_paused;
static bool splicing; /* -S */
static int epfd, lfd;

static void
usage(void)
{
	fprintf(stderr, "usage: sw_relay [-S] -l LISTEN_SOCKET -u UPSTREAM_SOCKET\n");
	exit(2);
}

static SW_NORETURN void
fail(const char *what)
{
	fprintf(stderr, "sw_relay: %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * e may be read: without -S while its peer is owed nothing (what is read can
 * then go straight out), with -S while the peer's pipe has room.
 */
static bool
end_readable(const struct rl_end *e)
{
	const struct rl_pipe *to = &e->peer->pipe;

	if (!splicing)
		return e->peer->pend_len == 0;
	return !e->eof && !to->full && to->len < to->cap;
}

static bool
end_owed(const struct rl_end *e)
{
	return splicing ? e->pipe.len > 0 : e->pend_len > 0;
}

/*
 * Register what e waits for: input while it may be read, output while e
 * itself is owed bytes.  A socket that waits for nothing leaves the set,
 * because epoll reports EPOLLHUP even for an empty event mask, and a hung-up
 * client whose last bytes wait behind a full upstream would otherwise wake
 * the loop over and over.
 */
static void
end_want(struct rl_end *e)
{
	struct epoll_event ev;
	uint32_t want = 0;
	int op;

	if (end_readable(e))
		want |= EPOLLIN;
	if (end_owed(e))
		want |= EPOLLOUT;
	if (want == e->events)
		return;
	if (want == 0)
		op = EPOLL_CTL_DEL;
	else if (e->events == 0)
		op = EPOLL_CTL_ADD;
	else
		op = EPOLL_CTL_MOD;
	ev.events = want;
	ev.data.ptr = e;
	if (epoll_ctl(epfd, op, e->fd, &ev) == -1)
		fail("epoll_ctl");
	e->events = want;
}

static void
pipe_close(struct rl_pipe *pp)
{
	if (pp->r != -1)
		close(pp->r);
	if (pp->w != -1)
		close(pp->w);
	pp->r = pp->w = -1;
}

/*
 * Close both sockets now (which also takes them out of the epoll set), free
 * later: events for the other end may still wait in the current batch.
 */
static void
pair_close(struct rl_pair *p)
{
	if (p->closed)
		return;
	close(p->client.fd);
	close(p->upstream.fd);
	pipe_close(&p->client.pipe);
	pipe_close(&p->upstream.pipe);
	p->closed = true;
	p->next_dead = dead;
	dead = p;
}

/*
 * -S: move what can be moved from src through dst's pipe into dst, repeating
 * while either splice makes progress.  An EAGAIN is remembered (src_dry,
 * sink_full) until that socket's readiness event, so that no splice known to
 * fail is tried.  A splice into a pipe that holds bytes may also fail for want
 * of a free slot (a slot per page or part of one, whatever the byte count):
 * then the pipe counts as full until dst takes some, and src is not read
 * meanwhile.  Returns -1 when the pair must close: an error, or src's EOF once
 * the pipe is empty.
 */
static int
pipe_step(struct rl_end *src, struct rl_end *dst)
{
	struct rl_pipe *pp = &dst->pipe;
	bool progress;
	ssize_t n;

	do {
		progress = false;
		if (end_readable(src) && !src->src_dry) {
			n = splice(src->fd, NULL, pp->w, NULL, pp->cap - pp->len, SPLICE_FLAGS);
			if (n > 0) {
				pp->len += (size_t)n;
				progress = true;
			} else if (n == 0) {
				src->eof = true;
			} else if (errno == EAGAIN) {
				if (pp->len == 0)
					src->src_dry = true; /* an empty pipe has room */
				else
					pp->full = true;
			} else if (errno != EINTR) {
				return -1;
			}
		}
		if (pp->len > 0 && !dst->sink_full) {
			n = splice(pp->r, NULL, dst->fd, NULL, pp->len, SPLICE_FLAGS);
			if (n > 0) {
				pp->len -= (size_t)n;
				pp->full = false;
				progress = true;
			} else if (n == -1 && errno == EAGAIN) {
				dst->sink_full = true;
			} else if (n == 0 || errno != EINTR) {
				/* 0 cannot come with bytes in the pipe: never spin on it. */
				return -1;
			}
		}
	} while (progress);
	return src->eof && pp->len == 0 ? -1 : 0;
}

/*
 * One send of what e is owed (with -S, pipe_step() into e).  Returns -1 when
 * the pair must close.
 */
static int
end_flush(struct rl_end *e)
{
	ssize_t n;

	if (splicing)
		return pipe_step(e->peer, e);
	n = send(e->fd, e->pend + e->pend_off, e->pend_len - e->pend_off, MSG_NOSIGNAL);
	if (n == -1)
		return errno == EAGAIN ? 0 : -1;
	e->pend_off += (size_t)n;
	if (e->pend_off == e->pend_len)
		e->pend_off = e->pend_len = 0;
	return 0;
}

/*
 * One recv from e and one send of it to the peer; what the send does not take
 * is kept in the peer's pending buffer, which is empty here (end_want reads e
 * only then) and as large as one read.  With -S, splices instead.  Returns -1
 * when the pair must close: on EOF or an error.
 */
static int
end_relay(struct rl_end *e)
{
	struct rl_end *to = e->peer;
	ssize_t n, sent;

	if (splicing)
		return pipe_step(e, to);
	n = recv(e->fd, buf, sizeof(buf), 0);
	if (n == 0)
		return -1;
	if (n == -1)
		return errno == EAGAIN ? 0 : -1;
	sent = send(to->fd, buf, (size_t)n, MSG_NOSIGNAL);
	if (sent == -1) {
		if (errno != EAGAIN)
			return -1;
		sent = 0;
	}
	if (sent < n) {
		memcpy(to->pend, buf + sent, (size_t)(n - sent));
		to->pend_len = (size_t)(n - sent);
	}
	return 0;
}

/*
 * EPOLLHUP and EPOLLERR count as readiness for whatever e waits for: the recv
 * or send then sees the EOF or the error, and queued bytes still go through
 * before the EOF does.
 */
static void
end_event(struct rl_end *e, uint32_t revents)
{
	const uint32_t gone = EPOLLHUP | EPOLLERR;

	if (e->pair->closed)
		return;
	if (revents & (EPOLLOUT | gone))
		e->sink_full = false;
	if (revents & (EPOLLIN | gone))
		e->src_dry = false;
	if (end_owed(e) && (revents & (EPOLLOUT | gone)) && end_flush(e) == -1)
		goto err_close;
	if (end_readable(e) && (revents & (EPOLLIN | gone)) && end_relay(e) == -1)
		goto err_close;
	end_want(e);
	end_want(e->peer);
	return;

err_close:
	pair_close(e->pair);
}

/* -S: e's pipe, and e's send buffer raised, as sockwarden does for a pipe's sink. */
static int
pipe_open(struct rl_end *e)
{
	int fds[2], cap, size = SPLICE_SNDBUF;

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	if ((cap = fcntl(fds[1], F_SETPIPE_SZ, SPLICE_PIPE)) == -1)
		cap = fcntl(fds[1], F_GETPIPE_SZ);
	e->pipe.r = fds[0];
	e->pipe.w = fds[1];
	e->pipe.cap = cap > 0 ? (size_t)cap : 4096;
	(void)setsockopt(e->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)); /* best effort */
	return 0;
}

/* Takes cfd; on failure closes it, which is all a client learns. */
static void
pair_open(int cfd)
{
	struct rl_pair *p;
	int ufd;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fprintf(stderr, "sw_relay: out of memory\n");
		goto err_close_cfd;
	}
	ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ufd == -1) {
		perror("sw_relay: socket");
		goto err_free_pair;
	}
	/* A Unix connect completes at once, or fails (EAGAIN: the backlog is full). */
	if (connect(ufd, (struct sockaddr *)&up_sun, sizeof(up_sun)) == -1) {
		fprintf(stderr, "sw_relay: %s: connect: %s\n", up_path, strerror(errno));
		goto err_close_ufd;
	}
	p->client.fd = cfd;
	p->upstream.fd = ufd;
	p->client.pipe.r = p->client.pipe.w = -1;
	p->upstream.pipe.r = p->upstream.pipe.w = -1;
	if (splicing && (pipe_open(&p->client) == -1 || pipe_open(&p->upstream) == -1)) {
		perror("sw_relay: pipe2");
		goto err_close_pipes;
	}
	p->client.peer = &p->upstream;
	p->upstream.peer = &p->client;
	p->client.pair = p->upstream.pair = p;
	end_want(&p->client);
	end_want(&p->upstream);
	return;

err_close_pipes:
	pipe_close(&p->client.pipe);
	pipe_close(&p->upstream.pipe);
err_close_ufd:
	close(ufd);
err_free_pair:
	free(p);
err_close_cfd:
	close(cfd);
}

static void
accept_all(void)
{
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			pair_open(fd);
			continue;
		}
		if (errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			/* Level-triggered: left in the set, the listener would spin. */
			perror("sw_relay: accept4 (paused)");
			if (epoll_ctl(epfd, EPOLL_CTL_DEL, lfd, NULL) == -1)
				fail("epoll_ctl");
			accept_paused = true;
		} else if (errno != EAGAIN) {
			perror("sw_relay: accept4");
		}
		return;
	}
}

static void
accept_resume(void)
{
	struct epoll_event ev;

	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) == -1)
		fail("epoll_ctl");
	accept_paused = false;
}

int
main(int argc, char **argv)
{
	struct epoll_event ev[MAX_EVENTS];
	sigset_t waitmask;
	const char *path = NULL;
	struct rl_pair *p;
	int ch, n, i, status = 0;

	while ((ch = getopt(argc, argv, "l:Su:")) != -1) {
		if (ch == 'l')
			path = optarg;
		else if (ch == 'S')
			splicing = true;
		else if (ch == 'u')
			up_path = optarg;
		else
			usage();
	}
	if (path == NULL || up_path == NULL || optind != argc)
		usage();
	fill_sun("sw_relay", &up_sun, up_path);
	require_socket("sw_relay", up_path);

	stop_signals_init(&waitmask);
	raise_nofile();
	/* splice() has no MSG_NOSIGNAL: a client gone mid-response must give EPIPE, not kill us. */
	if (splicing)
		signal(SIGPIPE, SIG_IGN);

	lfd = listen_unix("sw_relay", path);
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fail("epoll_create1");
	accept_resume();

	while (!stopping) {
		n = epoll_pwait(epfd, ev, MAX_EVENTS, accept_paused ? RETRY_MS : -1, &waitmask);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("sw_relay: epoll_pwait");
			status = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				accept_all();
			else
				end_event(ev[i].data.ptr, ev[i].events);
		}
		/* Closed pairs gave back descriptors; a timeout means it is time to retry. */
		if (accept_paused && (n == 0 || dead != NULL))
			accept_resume();
		while ((p = dead) != NULL) {
			dead = p->next_dead;
			free(p);
		}
	}
	unlink(path);
	return status;
}
