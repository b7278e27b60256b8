#include "sockwarden/compat.h"

/*
 * sw_upstream: a deliberately minimal, single-threaded epoll HTTP/1.1 server on
 * a Unix socket, used as the "daemon" in benchmarks.  It must be much cheaper
 * per request than the proxy, so it answers from prebuilt byte strings, never
 * allocates per request and batches pipelined responses into one send.
 *
 *   GET|HEAD /_ping, /vX.Y/_ping        200 "OK" (dockerd-like headers)
 *   GET /containers/json (+ /vX.Y/)     200, fixed ~2 KB JSON array
 *   GET /stream?bytes=N[&chunked=1]     N body bytes from a static buffer
 *   GET /containers/stream-N/export     the same with Content-Length, and
 *   GET /containers/stream-N/logs       chunked: real Docker endpoints, which a
 *                                       proxy that denies unknown ones forwards
 *   anything else                       404 {"message":"page not found"}
 *
 * Request bodies (Content-Length only) are read and discarded; a chunked
 * request body is answered with 400 and a close, which is enough for a tool.
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "listen_unix.h"
#include "raise_nofile.h"
#include "stop_signals.h"

#define IN_CAP       (16u * 1024)   /* one request head must fit */
#define OUT_CAP      (32u * 1024)   /* pipelined responses batched per send */
#define RESP_MAX     (4u * 1024)    /* largest prebuilt response */
#define STREAM_CHUNK (1024u * 1024) /* static body buffer, also the slice per send */
/*
 * A chunked stream is written in chunks of at most 32 KiB, as the daemon's do:
 * its handlers copy with io.Copy's 32 KiB buffer, and Go's chunked writer makes
 * one chunk per write.  Larger chunks would flatter a proxy that works per chunk.
 */
#define WIRE_CHUNK   (32u * 1024)
#define MAX_EVENTS   256

struct up_conn {
	int fd;
	bool close_after;        /* Connection: close seen, or a fatal request error */
	bool chunked_tail;       /* a chunked stream still owes its "0\r\n\r\n" */
	bool chunked;            /* current stream is chunked */
	uint32_t events;         /* what is registered with epoll */
	size_t in_off, in_len;   /* unconsumed input is in[in_off, in_len) */
	size_t out_off, out_len; /* unsent output is out[out_off, out_len) */
	uint64_t body_skip;      /* request body bytes still to discard */
	uint64_t stream_left;    /* stream body bytes not yet scheduled */
	size_t chunk_left;       /* bytes of the current static slice still to send */
	char in[IN_CAP];
	char out[OUT_CAP];
};

static char stream_buf[STREAM_CHUNK];
static char ping_resp[RESP_MAX], ping_head_resp[RESP_MAX], list_resp[RESP_MAX];
static char notfound_resp[RESP_MAX], badreq_resp[RESP_MAX];
static size_t ping_len, ping_head_len, list_len, notfound_len, badreq_len;
static int epfd;

static void
usage(void)
{
	fprintf(stderr, "usage: sw_upstream -s SOCKET_PATH\n");
	exit(2);
}

/*
 * Build a complete response into dst.  The headers mimic dockerd's so that the
 * proxy does the same header work it does in production.
 */
static size_t
build_resp(
    char *dst, size_t cap, const char *status, const char *ctype, const char *body, bool head)
{
	int n;

	n = snprintf(dst, cap,
	    "HTTP/1.1 %s\r\nApi-Version: 1.41\r\nContent-Type: %s\r\nDocker-Experimental: false\r\n"
	    "Ostype: linux\r\nServer: Docker/20.10.24 (linux)\r\nContent-Length: %zu\r\n\r\n%s",
	    status, ctype, strlen(body), head ? "" : body);
	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "sw_upstream: prebuilt response too large\n");
		exit(1);
	}
	return (size_t)n;
}

/* A container list of about 2 KB: five entries with the fields `docker ps` uses. */
static void
build_list_body(char *dst, size_t cap)
{
	size_t off = 0;
	int i, n;

	dst[off++] = '[';
	for (i = 0; i < 5; i++) {
		n = snprintf(dst + off, cap - off,
		    "%s{\"Id\":\"%064d\",\"Names\":[\"/bench-%d\"],\"Image\":\"alpine:3.19\","
		    "\"ImageID\":\"sha256:%064d\",\"Command\":\"sleep infinity\",\"Created\":1700000000,"
		    "\"Ports\":[],\"Labels\":{\"com.example.bench\":\"yes\"},\"State\":\"running\","
		    "\"Status\":\"Up 2 hours\",\"HostConfig\":{\"NetworkMode\":\"default\"},"
		    "\"Mounts\":[]}",
		    i ? "," : "", i, i, i);
		if (n < 0 || (size_t)n >= cap - off - 2) {
			fprintf(stderr, "sw_upstream: list body too large\n");
			exit(1);
		}
		off += (size_t)n;
	}
	dst[off++] = ']';
	dst[off] = '\0';
}

static void
build_responses(void)
{
	char body[RESP_MAX];
	size_t i;

	ping_len = build_resp(
	    ping_resp, sizeof(ping_resp), "200 OK", "text/plain; charset=utf-8", "OK", false);
	ping_head_len = build_resp(ping_head_resp, sizeof(ping_head_resp), "200 OK",
	    "text/plain; charset=utf-8", "OK", true);
	build_list_body(body, sizeof(body) - RESP_MAX / 2);
	list_len =
	    build_resp(list_resp, sizeof(list_resp), "200 OK", "application/json", body, false);
	notfound_len = build_resp(notfound_resp, sizeof(notfound_resp), "404 Not Found",
	    "application/json", "{\"message\":\"page not found\"}\n", false);
	badreq_len = build_resp(badreq_resp, sizeof(badreq_resp), "400 Bad Request",
	    "text/plain; charset=utf-8", "400 Bad Request", false);
	for (i = 0; i < sizeof(stream_buf); i++)
		stream_buf[i] = (char)('a' + i % 26);
}

static void
conn_set_events(struct up_conn *c, uint32_t ev)
{
	struct epoll_event e;

	if (c->events == ev)
		return;
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e) == -1) {
		perror("sw_upstream: epoll_ctl");
		exit(1);
	}
	c->events = ev;
}

static void
conn_free(struct up_conn *c)
{
	close(c->fd);
	free(c);
}

static void
out_append(struct up_conn *c, const char *p, size_t n)
{
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (n > OUT_CAP - c->out_len) {
		/* Callers check room first; reaching this is a bug in this tool. */
		fprintf(stderr, "sw_upstream: output overflow\n");
		abort();
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

/* Case-insensitive search for a header line; returns its value or NULL. */
static const char *
find_header(const char *head, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = head, *end = head + len, *eol, *v;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			return NULL;
		if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			if (*vlen > 0 && v[*vlen - 1] == '\r')
				(*vlen)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

/* Strip one "/v<digits and dots>" prefix, as dockerd's router does. */
static const char *
strip_version(const char *path, size_t *len)
{
	size_t i;

	if (*len < 3 || path[0] != '/' || path[1] != 'v')
		return path;
	for (i = 2; i < *len && ((path[i] >= '0' && path[i] <= '9') || path[i] == '.'); i++)
		;
	if (i == 2 || i == *len || path[i] != '/')
		return path;
	*len -= i;
	return path + i;
}

static bool
path_is(const char *p, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(p, lit, len) == 0;
}

/*
 * "/containers/stream-N/export" or ".../logs": the streaming routes under
 * Docker endpoint names.  Returns false for any other path.
 */
static bool
parse_stream_alias(const char *p, size_t len, uint64_t *bytes, bool *chunked)
{
	static const char pfx[] = "/containers/stream-";
	const char *end = p + len;
	char *num_end;

	if (len <= sizeof(pfx) - 1 || memcmp(p, pfx, sizeof(pfx) - 1) != 0)
		return false;
	*bytes = strtoull(p + sizeof(pfx) - 1, &num_end, 10);
	if (num_end == p + sizeof(pfx) - 1 || num_end > end)
		return false;
	if (path_is(num_end, (size_t)(end - num_end), "/export"))
		*chunked = false;
	else if (path_is(num_end, (size_t)(end - num_end), "/logs"))
		*chunked = true;
	else
		return false;
	return true;
}

/* Parse "bytes=N" and "chunked=1" out of a query string. */
static void
parse_stream_query(const char *q, size_t len, uint64_t *bytes, bool *chunked)
{
	const char *end = q + len;

	*bytes = 0;
	*chunked = false;
	while (q < end) {
		if ((size_t)(end - q) > 6 && memcmp(q, "bytes=", 6) == 0)
			*bytes = strtoull(q + 6, NULL, 10);
		else if ((size_t)(end - q) >= 9 && memcmp(q, "chunked=1", 9) == 0)
			*chunked = true;
		q = memchr(q, '&', (size_t)(end - q));
		if (q == NULL)
			break;
		q++;
	}
}

static void
start_stream(struct up_conn *c, uint64_t bytes, bool chunked, bool head)
{
	char hdr[256];
	int n;

	if (chunked)
		n = snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/octet-stream\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n");
	else
		n = snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/octet-stream\r\n"
		    "Content-Length: %" PRIu64 "\r\n\r\n",
		    bytes);
	out_append(c, hdr, (size_t)n);
	if (head)
		return;
	c->stream_left = bytes;
	c->chunked = chunked;
	c->chunked_tail = chunked;
}

/*
 * Consume at most one request (or part of a body) from the input buffer and
 * append its response.  Returns 1 on progress, 0 when more input is needed.
 */
static int
handle_one(struct up_conn *c)
{
	const char *buf = c->in + c->in_off, *hend, *sp1, *sp2, *path, *q, *v;
	size_t avail = c->in_len - c->in_off, hlen, plen, vlen;
	uint64_t n, bytes;
	bool head, chunked;

	if (c->body_skip > 0) {
		if (avail == 0)
			return 0;
		n = c->body_skip < avail ? c->body_skip : avail;
		c->in_off += (size_t)n;
		c->body_skip -= n;
		return 1;
	}
	hend = memmem(buf, avail, "\r\n\r\n", 4);
	if (hend == NULL)
		return 0;
	hlen = (size_t)(hend - buf) + 4;
	c->in_off += hlen;

	sp1 = memchr(buf, ' ', hlen);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', hlen - (size_t)(sp1 + 1 - buf)) : NULL;
	if (sp2 == NULL || find_header(buf, hlen, "Transfer-Encoding", &vlen) != NULL) {
		out_append(c, badreq_resp, badreq_len);
		c->close_after = true;
		return 1;
	}
	v = find_header(buf, hlen, "Content-Length", &vlen);
	if (v != NULL)
		c->body_skip = strtoull(v, NULL, 10);
	v = find_header(buf, hlen, "Connection", &vlen);
	if (v != NULL && vlen == 5 && strncasecmp(v, "close", 5) == 0)
		c->close_after = true;
	if ((size_t)(sp2 - buf) + 9 <= hlen && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0 &&
	    !(v != NULL && vlen == 10 && strncasecmp(v, "keep-alive", 10) == 0))
		c->close_after = true;

	head = (size_t)(sp1 - buf) == 4 && memcmp(buf, "HEAD", 4) == 0;
	path = sp1 + 1;
	plen = (size_t)(sp2 - path);
	q = memchr(path, '?', plen);
	if (q != NULL)
		plen = (size_t)(q - path);
	path = strip_version(path, &plen);

	if (path_is(path, plen, "/_ping"))
		out_append(c, head ? ping_head_resp : ping_resp, head ? ping_head_len : ping_len);
	else if (path_is(path, plen, "/containers/json"))
		out_append(c, list_resp, list_len);
	else if (path_is(path, plen, "/stream")) {
		parse_stream_query(q ? q + 1 : "", q ? (size_t)(sp2 - q - 1) : 0, &bytes, &chunked);
		start_stream(c, bytes, chunked, head);
	} else if (parse_stream_alias(path, plen, &bytes, &chunked))
		start_stream(c, bytes, chunked, head);
	else
		out_append(c, notfound_resp, notfound_len);
	return 1;
}

/* Queue the next piece of a streamed body; returns false when nothing is left. */
static bool
stream_refill(struct up_conn *c)
{
	char hdr[32];
	int n;

	if (c->stream_left > 0) {
		size_t slice = c->chunked ? WIRE_CHUNK : STREAM_CHUNK;

		c->chunk_left = c->stream_left < slice ? (size_t)c->stream_left : slice;
		c->stream_left -= c->chunk_left;
		if (c->chunked) {
			n = snprintf(hdr, sizeof(hdr), "%zx\r\n", c->chunk_left);
			out_append(c, hdr, (size_t)n);
		}
		return true;
	}
	if (c->chunked_tail) {
		c->chunked_tail = false;
		out_append(c, "0\r\n\r\n", 5);
		return true;
	}
	return false;
}

/* Send what is pending.  Returns 1 when all is sent, 0 on EAGAIN, -1 on error. */
static int
flush(struct up_conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->out_off < c->out_len) {
			n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
			if (n == -1)
				return errno == EAGAIN ? 0 : -1;
			c->out_off += (size_t)n;
			continue;
		}
		if (c->chunk_left > 0) {
			n = send(c->fd, stream_buf, c->chunk_left, MSG_NOSIGNAL);
			if (n == -1)
				return errno == EAGAIN ? 0 : -1;
			c->chunk_left -= (size_t)n;
			if (c->chunk_left == 0 && c->chunked)
				out_append(c, "\r\n", 2);
			continue;
		}
		if (!stream_refill(c))
			return 1;
	}
}

static void
conn_run(struct up_conn *c)
{
	bool progressed;
	int r;

	for (;;) {
		progressed = false;
		while (!c->close_after && c->stream_left == 0 && c->chunk_left == 0 &&
		       !c->chunked_tail && c->out_len + RESP_MAX <= OUT_CAP && handle_one(c) == 1)
			progressed = true;
		r = flush(c);
		if (r == -1) {
			conn_free(c);
			return;
		}
		if (r == 0) {
			conn_set_events(c, EPOLLOUT);
			return;
		}
		if (c->close_after) {
			conn_free(c);
			return;
		}
		if (!progressed)
			break;
	}
	conn_set_events(c, EPOLLIN);
}

static void
conn_read(struct up_conn *c)
{
	ssize_t n;

	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_len == IN_CAP) {
		/* A head larger than the buffer: this tool does not serve it. */
		conn_free(c);
		return;
	}
	n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		conn_free(c);
		return;
	}
	if (n > 0)
		c->in_len += (size_t)n;
	conn_run(c);
}

static void
accept_all(int lfd)
{
	struct epoll_event e;
	struct up_conn *c;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				perror("sw_upstream: accept4");
			return;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		e.events = EPOLLIN;
		e.data.ptr = c;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) == -1) {
			perror("sw_upstream: epoll_ctl add");
			conn_free(c);
		}
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event ev[MAX_EVENTS], e;
	sigset_t waitmask;
	const char *path = NULL;
	int ch, lfd, n, i;

	while ((ch = getopt(argc, argv, "s:")) != -1) {
		if (ch == 's')
			path = optarg;
		else
			usage();
	}
	if (path == NULL || optind != argc)
		usage();

	stop_signals_init(&waitmask);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	build_responses();

	lfd = listen_unix("sw_upstream", path);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd == -1) {
		perror("sw_upstream: epoll_create1");
		return 1;
	}
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &e) == -1) {
		perror("sw_upstream: epoll_ctl");
		return 1;
	}
	printf("listening %s\n", path);
	fflush(stdout);

	while (!stopping) {
		n = epoll_pwait(epfd, ev, MAX_EVENTS, -1, &waitmask);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("sw_upstream: epoll_pwait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct up_conn *c = ev[i].data.ptr;

			if (c == NULL)
				accept_all(lfd);
			else if (c->events & EPOLLOUT)
				conn_run(c);
			else
				conn_read(c);
		}
	}
	unlink(path);
	return 0;
}
