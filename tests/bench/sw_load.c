#include "sockwarden/compat.h"

/*
 * sw_load: an HTTP/1.1 load generator for Unix sockets and TLS over TCP.
 *
 * Load mode (default): C keep-alive connections spread over T threads, each
 * with its own epoll loop, send the same GET (or HEAD) request for D seconds
 * or until N requests are answered, with up to P requests in flight per
 * connection.  Latency is measured from queueing a request to the end of its
 * response and kept in a log-linear histogram (about 3% resolution).  Body
 * bytes are counted, which turns "one request for a 2 GiB body" into an MB/s
 * measurement.
 *
 * New-connection mode (-N): each of the C slots connects, sends one request
 * with "Connection: close", reads the response and closes, over and over.
 * Latency then runs from connect() to the end of the response, and requests/s
 * is the rate of new connections.  Over TLS every connection is a full
 * handshake (no session is ever resumed), so this measures the handshake rate.
 *
 * Idle mode (-k K): open K connections (optionally send one request on each
 * with -w), print "ready K" on stdout, then hold them until D seconds pass or
 * SIGTERM/SIGINT arrives.  Used to measure the proxy's memory per connection.
 *
 * TLS (-T HOST:PORT with -A CA [-E CERT -K KEY]): the same modes over TCP with
 * TLS 1.2+, the server verified against CA and HOST, the client certificate
 * sent when given.  Connects and handshakes are non-blocking, so concurrent
 * handshakes overlap; in load and idle modes they finish before the clock
 * starts.  The Unix path is untouched by all this: one branch per call.
 *
 * The summary is one JSON object on stdout, so scripts need no parsing tricks.
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "listen_unix.h"
#include "raise_nofile.h"

#define HEAD_MAX     (16u * 1024)  /* a response head must fit */
#define READ_BUF     (256u * 1024) /* per-thread scratch for recv */
#define MAX_DEPTH    64            /* pipelined requests per connection */
#define MAX_HEADERS  8             /* -H options */
#define MAX_CONNS    1000000       /* -c and -k: far beyond any descriptor limit */
#define MAX_THREADS  1024          /* -t */
#define MAX_SECONDS  86400         /* -d */
#define HIST_BUCKETS 2048          /* log-linear, 32 sub-buckets per power of two */
#define MAX_EVENTS   256
#define TLS_READ_BUF (64 * 1024) /* OpenSSL read-ahead buffer: several records per read() */

enum rstate {
	RS_HEAD,       /* collecting the response head */
	RS_BODY,       /* Content-Length body, or until close when body_eof */
	RS_CHUNK_SIZE, /* reading a chunk-size line */
	RS_CHUNK_DATA,
	RS_CHUNK_CRLF, /* the CRLF after chunk data */
	RS_TRAILER,    /* trailer lines after the last chunk */
};

/* Where a connection is before requests can flow; Unix ones are born CS_OPEN. */
enum cstate {
	CS_OPEN,
	CS_CONNECTING, /* TCP connect() in progress: waiting for EPOLLOUT */
	CS_HANDSHAKE,  /* TLS handshake in progress */
};

struct ld_thread;

struct ld_conn {
	int fd;
	enum cstate cs;
	SSL *ssl;         /* TLS mode: the session on fd */
	bool dead;        /* connect failed or closed in idle mode: never used again */
	bool body_eof;    /* the current body ends when the server closes */
	bool close_after; /* the current response carries Connection: close */
	enum rstate rs;
	int status;
	struct ld_thread *t;
	unsigned inflight;     /* requests queued whose response has not ended */
	unsigned ring_head;    /* sent_ns index of the oldest in-flight request */
	size_t wleft;          /* request bytes queued but not yet written */
	size_t tls_wpend;      /* length of an SSL_write to repeat with the same arguments */
	bool read_wants_write; /* SSL_read needs the socket writable */
	bool write_wants_read; /* SSL_write needs the socket readable */
	uint64_t conn_ns;      /* when connect() started: the start of a -N request */
	size_t hlen;           /* bytes in hbuf */
	size_t line_len;       /* chunk-size or trailer line length so far */
	uint64_t body_left;
	uint64_t chunk_size; /* accumulated hex digits of a chunk-size line */
	bool chunk_ext;      /* past ';' on a chunk-size line */
	uint64_t sent_ns[MAX_DEPTH];
	char hbuf[HEAD_MAX];
};

struct ld_thread {
	pthread_t tid;
	int epfd;
	struct ld_conn *conns;
	size_t nconns;
	unsigned inflight; /* sum over conns */
	uint64_t start_ns, deadline_ns, last_done_ns;
	uint64_t done, non2xx, errors, body_bytes, peer_closed;
	uint64_t handshakes; /* TLS handshakes finished during the measured run */
	bool measuring;      /* the clock runs: handshakes count, finished ones send */
	int first_bad_status;
	char *rbuf;
	uint64_t hist[HIST_BUCKETS];
	uint64_t hs_hist[HIST_BUCKETS]; /* connect() to handshake done */
};

/* Options, set once in main before threads start. */
static const char *opt_socket;
static struct sockaddr_un opt_sun; /* -s: the address, filled once */
static const char *opt_path = "/_ping";
static const char *opt_method = "GET";
static const char *opt_headers[MAX_HEADERS];
static size_t opt_nheaders;
static unsigned opt_conns = 1, opt_threads = 1, opt_depth = 1;
static double opt_duration = 5.0;
static int64_t opt_requests; /* 0: run for opt_duration */
static unsigned opt_idle;    /* -k: hold this many connections */
static bool opt_warm;        /* -w: one request per idle connection first */
static bool opt_head;        /* method is HEAD: responses have no body */
static bool opt_newconn;     /* -N: one request per connection */
static const char *opt_tls;  /* -T HOST:PORT */
static const char *opt_ca, *opt_cert, *opt_key;

/* TLS mode, set once in main. */
static SSL_CTX *tls_ctx;
static struct sockaddr_storage tcp_addr;
static socklen_t tcp_addrlen;
static char tls_host[256]; /* name to verify and send as SNI (not for addresses) */
static bool tls_host_is_ip;
static atomic_flag tls_noted = ATOMIC_FLAG_INIT;    /* tls_session is written once */
static char tls_session[128];                       /* "TLSv1.3 cipher group" */
static atomic_flag tls_err_told = ATOMIC_FLAG_INIT; /* one error message is enough */

static char *reqbuf; /* opt_depth copies of the request */
static size_t reqlen;
static atomic_int_fast64_t budget; /* requests left to send in -n mode */
static volatile sig_atomic_t stopping;
static pthread_barrier_t ready_barrier, go_barrier;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sw_load TARGET [-p PATH] [-m METHOD] [-H 'Name: value']...\n"
	    "               [-c CONNS] [-t THREADS] [-P DEPTH | -N] [-d SECONDS | -n REQUESTS]\n"
	    "       sw_load TARGET -k CONNS [-w] [-d SECONDS]   (hold idle connections)\n"
	    "TARGET: -s SOCKET (Unix) or -T HOST:PORT -A CA.pem [-E CERT.pem -K KEY.pem] (TLS)\n"
	    "-N: a new connection per request (connect, [handshake,] one request, close)\n");
	exit(2);
}

static unsigned
hist_bucket(uint64_t v)
{
	unsigned msb, e;

	if (v < 64)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	e = msb - 5;
	return e * 32 + (unsigned)(v >> e);
}

/* Middle of a bucket's range, which is what a percentile reports. */
static uint64_t
hist_value(unsigned idx)
{
	unsigned e;

	if (idx < 64)
		return idx;
	e = idx / 32 - 1;
	return ((uint64_t)(idx - e * 32) << e) + ((1ull << e) >> 1);
}

static uint64_t
hist_percentile(const uint64_t *h, uint64_t total, double p)
{
	uint64_t want, seen = 0;
	unsigned i;

	if (total == 0)
		return 0;
	want = (uint64_t)(p * (double)total + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h[i];
		if (seen >= want)
			return hist_value(i);
	}
	return hist_value(HIST_BUCKETS - 1);
}

static void
build_request(void)
{
	size_t one, i, cap = 4096;
	char *r;
	int n;

	r = malloc(cap);
	if (r == NULL)
		exit(1);
	n = snprintf(r, cap, "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: sw_load\r\n%s",
	    opt_method, opt_path, opt_newconn ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t)n >= cap)
		usage();
	one = (size_t)n;
	for (i = 0; i < opt_nheaders; i++) {
		n = snprintf(r + one, cap - one, "%s\r\n", opt_headers[i]);
		if (n < 0 || (size_t)n >= cap - one)
			usage();
		one += (size_t)n;
	}
	if (one + 3 > cap)
		usage();
	memcpy(r + one, "\r\n", 3);
	one += 2;
	reqlen = one;
	reqbuf = malloc(reqlen * opt_depth);
	if (reqbuf == NULL)
		exit(1);
	for (i = 0; i < opt_depth; i++)
		memcpy(reqbuf + i * reqlen, r, reqlen);
	free(r);
}

static int tls_connect(struct ld_conn *c);

/* A new connection on "fd": nothing in flight, a response head comes first. */
static void
conn_opened(struct ld_conn *c, int fd, enum cstate cs)
{
	c->fd = fd;
	c->cs = cs;
	c->rs = RS_HEAD;
	c->hlen = 0;
	c->inflight = 0;
	c->wleft = 0;
	c->tls_wpend = 0;
	c->read_wants_write = false;
	c->write_wants_read = false;
	c->ring_head = 0;
	c->body_eof = false;
	c->close_after = false;
}

static int
conn_connect(struct ld_conn *c)
{
	struct epoll_event e;
	int fd;

	c->conn_ns = now_ns();
	if (tls_ctx != NULL)
		return tls_connect(c);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* Blocking connect: on a full backlog it waits instead of failing. */
	if (connect(fd, (struct sockaddr *)&opt_sun, sizeof(opt_sun)) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return -1;
	}
	e.events = EPOLLIN;
	e.data.ptr = c;
	if (epoll_ctl(c->t->epfd, EPOLL_CTL_ADD, fd, &e) == -1) {
		close(fd);
		return -1;
	}
	conn_opened(c, fd, CS_OPEN);
	return 0;
}

static void
conn_drop(struct ld_conn *c)
{
	c->t->inflight -= c->inflight;
	c->inflight = 0;
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	close(c->fd);
	c->fd = -1;
}

static void
conn_events(struct ld_conn *c, uint32_t ev)
{
	struct epoll_event e;

	e.events = ev;
	e.data.ptr = c;
	(void)epoll_ctl(c->t->epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static int tls_write(struct ld_conn *c);

/* Write queued request bytes; the queue is always a suffix of reqbuf. */
static int
conn_write(struct ld_conn *c)
{
	ssize_t n;

	if (c->ssl != NULL)
		return tls_write(c);
	while (c->wleft > 0) {
		n = send(c->fd, reqbuf + reqlen * opt_depth - c->wleft, c->wleft, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EAGAIN) {
				conn_events(c, EPOLLIN | EPOLLOUT);
				return 0;
			}
			return -1;
		}
		c->wleft -= (size_t)n;
	}
	conn_events(c, EPOLLIN);
	return 0;
}

static bool
claim_request(void)
{
	if (opt_requests == 0)
		return true;
	return atomic_fetch_sub(&budget, 1) > 0;
}

/* Queue up to k requests on c. */
static int
conn_send(struct ld_conn *c, unsigned k)
{
	uint64_t t = opt_newconn ? c->conn_ns : now_ns();
	bool queued = false;
	unsigned i;

	for (i = 0; i < k && c->inflight < opt_depth && claim_request(); i++) {
		c->sent_ns[(c->ring_head + c->inflight) % MAX_DEPTH] = t;
		c->inflight++;
		c->t->inflight++;
		c->wleft += reqlen;
		queued = true;
	}
	return queued ? conn_write(c) : 0;
}

static bool
running(struct ld_thread *t, uint64_t now)
{
	if (stopping)
		return false;
	if (opt_idle > 0)
		return now < t->deadline_ns;
	if (opt_requests > 0)
		return true;
	return now < t->deadline_ns;
}

static void
response_done(struct ld_conn *c)
{
	struct ld_thread *t = c->t;
	uint64_t now = now_ns();

	if (c->inflight == 0)
		return; /* an unsolicited response; ignore it */
	if (opt_requests > 0 || opt_idle > 0 || now <= t->deadline_ns) {
		t->hist[hist_bucket(now - c->sent_ns[c->ring_head])]++;
		t->done++;
		t->last_done_ns = now;
		if (c->status < 200 || c->status > 299) {
			t->non2xx++;
			if (t->first_bad_status == 0)
				t->first_bad_status = c->status;
		}
	}
	c->ring_head = (c->ring_head + 1) % MAX_DEPTH;
	c->inflight--;
	t->inflight--;
	c->rs = RS_HEAD;
	c->hlen = 0;
	if (opt_idle == 0 && !c->close_after && running(t, now))
		(void)conn_send(c, 1);
}

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

/* Decide how the body of the head in hbuf is framed.  Returns -1 on junk. */
static int
parse_head(struct ld_conn *c)
{
	const char *v;
	size_t vlen;

	if (c->hlen < 12 || memcmp(c->hbuf, "HTTP/1.", 7) != 0)
		return -1;
	c->status = (c->hbuf[9] - '0') * 100 + (c->hbuf[10] - '0') * 10 + (c->hbuf[11] - '0');
	if (c->status >= 100 && c->status < 200 && c->status != 101) {
		c->hlen = 0; /* interim response: the real one follows */
		return 0;
	}
	if (c->status == 101)
		return -1;
	v = find_header(c->hbuf, c->hlen, "Connection", &vlen);
	c->close_after = (v != NULL && vlen == 5 && strncasecmp(v, "close", 5) == 0) || opt_newconn;
	c->body_eof = false;
	if (opt_head || c->status == 204 || c->status == 304) {
		response_done(c);
		return 0;
	}
	v = find_header(c->hbuf, c->hlen, "Transfer-Encoding", &vlen);
	if (v != NULL && vlen >= 7 && strncasecmp(v + vlen - 7, "chunked", 7) == 0) {
		c->rs = RS_CHUNK_SIZE;
		c->line_len = 0;
		c->chunk_size = 0;
		c->chunk_ext = false;
		return 0;
	}
	v = find_header(c->hbuf, c->hlen, "Content-Length", &vlen);
	if (v != NULL) {
		c->body_left = strtoull(v, NULL, 10);
		if (c->body_left == 0) {
			response_done(c);
			return 0;
		}
	} else
		c->body_eof = true;
	c->rs = RS_BODY;
	return 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* One byte of a chunk-size line; returns -1 on a malformed size. */
static int
chunk_size_byte(struct ld_conn *c, char ch)
{
	int h;

	if (ch == '\n') {
		if (c->line_len == 0)
			return -1;
		if (c->chunk_size == 0) {
			c->rs = RS_TRAILER;
			c->line_len = 0;
		} else {
			c->rs = RS_CHUNK_DATA;
			c->body_left = c->chunk_size;
		}
		return 0;
	}
	if (c->chunk_ext || ch == '\r')
		return 0;
	if (ch == ';') {
		c->chunk_ext = true;
		return 0;
	}
	h = hexval(ch);
	if (h < 0 || c->chunk_size > (UINT64_MAX >> 4))
		return -1;
	c->chunk_size = c->chunk_size * 16 + (uint64_t)h;
	c->line_len++;
	return 0;
}

/*
 * Feed received bytes to the response parser.  Returns 0, or -1 when the
 * stream is malformed.  Completed responses may queue new requests.
 */
static int
feed(struct ld_conn *c, const char *p, size_t n)
{
	const char *e;
	size_t take, from, old;

	while (n > 0) {
		switch (c->rs) {
		case RS_HEAD:
			old = c->hlen;
			take = n < HEAD_MAX - old ? n : HEAD_MAX - old;
			memcpy(c->hbuf + old, p, take);
			c->hlen += take;
			from = old >= 3 ? old - 3 : 0;
			e = memmem(c->hbuf + from, c->hlen - from, "\r\n\r\n", 4);
			if (e == NULL) {
				if (c->hlen == HEAD_MAX)
					return -1;
				return 0;
			}
			take = (size_t)(e + 4 - c->hbuf) - old;
			c->hlen = old + take;
			p += take;
			n -= take;
			if (parse_head(c) == -1)
				return -1;
			break;
		case RS_BODY:
		case RS_CHUNK_DATA:
			take = c->body_eof || n < c->body_left ? n : (size_t)c->body_left;
			c->t->body_bytes += take;
			p += take;
			n -= take;
			if (c->body_eof)
				break;
			c->body_left -= take;
			if (c->body_left > 0)
				break;
			if (c->rs == RS_CHUNK_DATA) {
				c->rs = RS_CHUNK_CRLF;
				break;
			}
			response_done(c);
			break;
		case RS_CHUNK_SIZE:
			if (chunk_size_byte(c, *p) == -1)
				return -1;
			p++;
			n--;
			break;
		case RS_CHUNK_CRLF:
			if (*p == '\n') {
				c->rs = RS_CHUNK_SIZE;
				c->line_len = 0;
				c->chunk_size = 0;
				c->chunk_ext = false;
			}
			p++;
			n--;
			break;
		case RS_TRAILER:
			if (*p == '\n') {
				if (c->line_len == 0)
					response_done(c);
				c->line_len = 0;
			} else if (*p != '\r')
				c->line_len++;
			p++;
			n--;
			break;
		}
	}
	return 0;
}

/* Replace a broken or finished connection when the run goes on. */
static void
conn_restart(struct ld_conn *c, uint64_t now)
{
	conn_drop(c);
	/* -N -n: no new connection that would have no request to send. */
	if (opt_newconn && opt_requests > 0 && atomic_load(&budget) <= 0) {
		c->dead = true;
		return;
	}
	if (opt_idle > 0 || !running(c->t, now) || conn_connect(c) == -1) {
		c->dead = true;
		return;
	}
	if (c->cs == CS_OPEN) /* a TLS connection sends when its handshake is done */
		(void)conn_send(c, opt_depth);
}

/* The peer closed (or the socket failed, when failed): account for it and go on. */
static void
conn_eof(struct ld_conn *c, bool failed)
{
	struct ld_thread *t = c->t;

	if (c->rs == RS_BODY && c->body_eof)
		response_done(c);
	if (opt_idle > 0)
		t->peer_closed++;
	else if (c->inflight > 0 || failed)
		t->errors++;
	conn_restart(c, now_ns());
}

static void
conn_readable(struct ld_conn *c)
{
	struct ld_thread *t = c->t;
	ssize_t n;

	n = recv(c->fd, t->rbuf, READ_BUF, 0);
	if (n > 0) {
		if (feed(c, t->rbuf, (size_t)n) == -1) {
			t->errors++;
			conn_restart(c, now_ns());
		} else if (c->close_after && c->inflight == 0) {
			conn_restart(c, now_ns());
		}
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	conn_eof(c, n == -1);
}

/* ---- TLS ---------------------------------------------------------------- */

/* Say what went wrong once (a broken setup fails every connection alike). */
static void
tls_error(const char *what, int err)
{
	char buf[256];
	unsigned long e = ERR_peek_error();

	if (!atomic_flag_test_and_set(&tls_err_told)) {
		if (e != 0)
			ERR_error_string_n(e, buf, sizeof(buf));
		else
			snprintf(
			    buf, sizeof(buf), "%s", err != 0 ? strerror(err) : "connection closed");
		fprintf(stderr, "sw_load: TLS %s: %s\n", what, buf);
	}
	/* SSL_get_error() is only reliable with an empty queue. */
	ERR_clear_error();
}

static void
tls_fail(struct ld_conn *c, const char *what, int err)
{
	tls_error(what, err);
	c->t->errors++;
	conn_drop(c);
	c->dead = true;
}

/* Record the negotiated protocol, cipher and group once, for the summary. */
static void
tls_note_session(SSL *ssl)
{
	const char *group = NULL;
	long nid;

	if (atomic_flag_test_and_set(&tls_noted))
		return;
	nid = SSL_get_negotiated_group(ssl); /* a macro over SSL_ctrl(): long */
	if (nid > 0 && nid <= INT32_MAX)
		group = OBJ_nid2sn((int)nid);
	snprintf(tls_session, sizeof(tls_session), "%s %s %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl), group != NULL ? group : "?");
}

static int
tls_connect(struct ld_conn *c)
{
	struct epoll_event e;
	int fd, one = 1;

	fd = socket(tcp_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	/* Pipelined requests are small writes: Nagle would hold them back. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->ssl = SSL_new(tls_ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1 ||
	    (!tls_host_is_ip && SSL_set_tlsext_host_name(c->ssl, tls_host) != 1))
		goto fail;
	SSL_set_connect_state(c->ssl);
	if (connect(fd, (struct sockaddr *)&tcp_addr, tcp_addrlen) == -1 && errno != EINPROGRESS)
		goto fail;
	/* Writable means connected (or failed); SO_ERROR tells which. */
	e.events = EPOLLOUT;
	e.data.ptr = c;
	if (epoll_ctl(c->t->epfd, EPOLL_CTL_ADD, fd, &e) == -1)
		goto fail;
	conn_opened(c, fd, CS_CONNECTING);
	return 0;
fail:
	tls_error("connect", errno);
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(fd);
	return -1;
}

static void
tls_ready(struct ld_conn *c)
{
	struct ld_thread *t = c->t;
	uint64_t now = now_ns();

	c->cs = CS_OPEN;
	tls_note_session(c->ssl);
	conn_events(c, EPOLLIN);
	if (!t->measuring)
		return;
	if (opt_requests > 0 || now <= t->deadline_ns) {
		t->handshakes++;
		t->hs_hist[hist_bucket(now - c->conn_ns)]++;
	}
	if (opt_idle == 0)
		(void)conn_send(c, opt_depth);
}

/* Advance a connection that is still connecting or handshaking. */
static void
tls_progress(struct ld_conn *c, uint32_t ev)
{
	socklen_t len = sizeof(int);
	int err = 0, r;

	if (c->cs == CS_CONNECTING) {
		if ((ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			tls_fail(c, "connect", err);
			return;
		}
		c->cs = CS_HANDSHAKE;
	}
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		tls_ready(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_events(c, EPOLLIN);
		break;
	case SSL_ERROR_WANT_WRITE:
		conn_events(c, EPOLLOUT);
		break;
	default:
		tls_fail(c, "handshake", errno);
	}
}

/*
 * Write queued request bytes over TLS.  After a WANT_* the same SSL_write
 * must be repeated with the same buffer and length: tls_wpend keeps that
 * length, and since the queue is a suffix of reqbuf, the pointer follows.
 */
static int
tls_write(struct ld_conn *c)
{
	size_t len;
	int n;

	c->write_wants_read = false;
	while (c->wleft > 0) {
		len = c->tls_wpend != 0 ? c->tls_wpend : c->wleft;
		n = SSL_write(c->ssl, reqbuf + reqlen * opt_depth - len, (int)len);
		if (n <= 0) {
			c->tls_wpend = len;
			switch (SSL_get_error(c->ssl, n)) {
			case SSL_ERROR_WANT_WRITE:
				conn_events(c, EPOLLIN | EPOLLOUT);
				return 0;
			case SSL_ERROR_WANT_READ:
				c->write_wants_read = true;
				conn_events(c, EPOLLIN);
				return 0;
			default:
				tls_error("write", errno);
				return -1;
			}
		}
		c->tls_wpend = 0;
		c->wleft -= (size_t)n;
	}
	conn_events(c, c->read_wants_write ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

/*
 * Read and parse what the server sent.  With read-ahead, OpenSSL may hold
 * whole records that the socket no longer signals, so keep reading while it
 * has any; then level-triggered epoll covers the rest.
 */
static void
tls_readable(struct ld_conn *c)
{
	struct ld_thread *t = c->t;
	int n, err;

	c->read_wants_write = false;
	for (;;) {
		n = SSL_read(c->ssl, t->rbuf, (int)READ_BUF);
		if (n <= 0)
			break;
		if (feed(c, t->rbuf, (size_t)n) == -1) {
			t->errors++;
			conn_restart(c, now_ns());
			return;
		}
		if (c->close_after && c->inflight == 0) {
			(void)SSL_shutdown(c->ssl); /* close_notify, as a polite client does */
			ERR_clear_error();
			conn_restart(c, now_ns());
			return;
		}
		if (!SSL_has_pending(c->ssl))
			return;
	}
	err = SSL_get_error(c->ssl, n);
	switch (err) {
	case SSL_ERROR_WANT_READ:
		return;
	case SSL_ERROR_WANT_WRITE:
		c->read_wants_write = true;
		conn_events(c, EPOLLIN | EPOLLOUT);
		return;
	case SSL_ERROR_ZERO_RETURN: /* close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF) */
		conn_eof(c, false);
		return;
	default:
		tls_error("read", errno);
		conn_eof(c, true);
	}
}

static void
tls_event(struct ld_conn *c, uint32_t ev)
{
	if (c->cs != CS_OPEN) {
		tls_progress(c, ev);
		return;
	}
	if (((ev & EPOLLOUT) && c->wleft > 0) || ((ev & EPOLLIN) && c->write_wants_read)) {
		if (conn_write(c) == -1) {
			c->t->errors++;
			conn_restart(c, now_ns());
			return;
		}
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) || ((ev & EPOLLOUT) && c->read_wants_write))
		tls_readable(c);
}

/* -T HOST:PORT, HOST possibly in brackets: resolve once, remember what to verify. */
static int
tls_parse_target(const char *spec)
{
	struct addrinfo hints, *res;
	struct in6_addr a6;
	const char *colon = strrchr(spec, ':');
	size_t hlen;
	int rc;

	if (colon == NULL || colon == spec || colon[1] == '\0')
		return -1;
	hlen = (size_t)(colon - spec);
	if (spec[0] == '[' && hlen >= 2 && spec[hlen - 1] == ']') {
		spec++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(tls_host))
		return -1;
	memcpy(tls_host, spec, hlen);
	tls_host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(tls_host, colon + 1, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "sw_load: %s: %s\n", tls_host, gai_strerror(rc));
		return -1;
	}
	memcpy(&tcp_addr, res->ai_addr, res->ai_addrlen);
	tcp_addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	tls_host_is_ip =
	    inet_pton(AF_INET, tls_host, &a6) == 1 || inet_pton(AF_INET6, tls_host, &a6) == 1;
	return 0;
}

/* The client context: TLS 1.2+, server verified, no session reuse, read-ahead. */
static int
tls_setup(void)
{
	X509_VERIFY_PARAM *vp;

	if (tls_parse_target(opt_tls) == -1)
		return -1;
	tls_ctx = SSL_CTX_new(TLS_client_method());
	if (tls_ctx == NULL)
		goto fail;
	SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_PEER, NULL);
	vp = SSL_CTX_get0_param(tls_ctx);
	if (SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_load_verify_locations(tls_ctx, opt_ca, NULL) != 1 ||
	    (tls_host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, tls_host) :
	                      X509_VERIFY_PARAM_set1_host(vp, tls_host, 0)) != 1)
		goto fail;
	if (opt_cert != NULL &&
	    (SSL_CTX_use_certificate_chain_file(tls_ctx, opt_cert) != 1 ||
	        SSL_CTX_use_PrivateKey_file(tls_ctx, opt_key, SSL_FILETYPE_PEM) != 1 ||
	        SSL_CTX_check_private_key(tls_ctx) != 1))
		goto fail;
	/* Every -N connection must pay for a full handshake. */
	SSL_CTX_set_session_cache_mode(tls_ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(tls_ctx, SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_read_ahead(tls_ctx, 1);
	SSL_CTX_set_default_read_buffer_len(tls_ctx, TLS_READ_BUF);
	return 0;
fail:
	fprintf(stderr, "sw_load: TLS setup: %s\n", ERR_error_string(ERR_get_error(), NULL));
	return -1;
}

static void
event_loop(struct ld_thread *t, bool (*done)(struct ld_thread *))
{
	struct epoll_event ev[MAX_EVENTS];
	uint64_t now;
	int i, n, timeout;

	for (;;) {
		now = now_ns();
		if (done(t))
			return;
		timeout = 100;
		if (opt_requests == 0 && t->deadline_ns > now &&
		    (t->deadline_ns - now) / 1000000 < (uint64_t)timeout)
			timeout = (int)((t->deadline_ns - now) / 1000000) + 1;
		n = epoll_wait(t->epfd, ev, MAX_EVENTS, timeout);
		for (i = 0; i < n; i++) {
			struct ld_conn *c = ev[i].data.ptr;

			if (c->fd == -1)
				continue;
			if (c->ssl != NULL) {
				tls_event(c, ev[i].events);
				continue;
			}
			if (ev[i].events & EPOLLOUT) {
				if (conn_write(c) == -1) {
					t->errors++;
					conn_restart(c, now_ns());
					continue;
				}
			}
			if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				conn_readable(c);
		}
	}
}

static bool
all_dead(struct ld_thread *t)
{
	size_t i;

	for (i = 0; i < t->nconns; i++)
		if (!t->conns[i].dead)
			return false;
	return true;
}

/* Every TLS connection has finished its handshake, or failed, or time is up. */
static bool
handshakes_done(struct ld_thread *t)
{
	size_t i;

	if (stopping || now_ns() >= t->deadline_ns)
		return true;
	for (i = 0; i < t->nconns; i++)
		if (!t->conns[i].dead && t->conns[i].cs != CS_OPEN)
			return false;
	return true;
}

static bool
warm_done(struct ld_thread *t)
{
	return stopping || t->inflight == 0 || all_dead(t);
}

static bool
run_done(struct ld_thread *t)
{
	uint64_t now = now_ns();

	if (stopping || all_dead(t))
		return true;
	if (opt_idle > 0 || opt_requests == 0)
		return now >= t->deadline_ns;
	return atomic_load(&budget) <= 0 && t->inflight == 0;
}

/* Connect every connection of t; -N runs do it on the clock instead. */
static void
connect_all(struct ld_thread *t)
{
	size_t i;

	for (i = 0; i < t->nconns; i++) {
		if (conn_connect(&t->conns[i]) == -1) {
			t->conns[i].dead = true;
			t->errors++;
		}
	}
}

/* Before the clock starts: wait for handshakes; a slow or failed one is an error. */
static void
finish_handshakes(struct ld_thread *t)
{
	size_t i;

	t->deadline_ns = now_ns() + 60ull * 1000000000u;
	event_loop(t, handshakes_done);
	for (i = 0; i < t->nconns; i++) {
		if (!t->conns[i].dead && t->conns[i].cs != CS_OPEN) {
			conn_drop(&t->conns[i]);
			t->conns[i].dead = true;
			t->errors++;
		}
	}
}

static void *
thread_main(void *arg)
{
	struct ld_thread *t = arg;
	size_t i;

	for (i = 0; i < t->nconns; i++) {
		t->conns[i].t = t;
		t->conns[i].fd = -1;
	}
	if (!opt_newconn) {
		connect_all(t);
		if (tls_ctx != NULL)
			finish_handshakes(t);
	}
	if (opt_idle > 0 && opt_warm) {
		for (i = 0; i < t->nconns; i++)
			if (!t->conns[i].dead)
				(void)conn_send(&t->conns[i], 1);
		t->deadline_ns = now_ns() + 60ull * 1000000000u;
		event_loop(t, warm_done);
	}
	pthread_barrier_wait(&ready_barrier);
	pthread_barrier_wait(&go_barrier);

	t->start_ns = now_ns();
	t->deadline_ns = t->start_ns + (uint64_t)(opt_duration * 1e9);
	t->last_done_ns = t->start_ns;
	t->measuring = true;
	if (opt_newconn)
		connect_all(t);
	if (opt_idle == 0)
		for (i = 0; i < t->nconns; i++)
			if (!t->conns[i].dead && t->conns[i].cs == CS_OPEN)
				(void)conn_send(&t->conns[i], opt_depth);
	event_loop(t, run_done);
	return NULL;
}

/* A count option: digits only, from min to max; anything else ends the program. */
static unsigned long long
opt_count(int ch, const char *arg, unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, "sw_load: -%c %s: not a whole number from %llu to %llu\n", ch, arg,
		    min, max);
		exit(2);
	}
	return v;
}

static double
opt_seconds(int ch, const char *arg)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !(v > 0 && v <= MAX_SECONDS)) {
		fprintf(stderr, "sw_load: -%c %s: not a number of seconds above 0, at most %d\n",
		    ch, arg, MAX_SECONDS);
		exit(2);
	}
	return v;
}

static void
parse_options(int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "s:p:m:H:c:t:P:d:n:k:wNT:A:E:K:")) != -1) {
		switch (ch) {
		case 's':
			opt_socket = optarg;
			break;
		case 'p':
			opt_path = optarg;
			break;
		case 'm':
			opt_method = optarg;
			break;
		case 'H':
			if (opt_nheaders == MAX_HEADERS)
				usage();
			opt_headers[opt_nheaders++] = optarg;
			break;
		case 'c':
			opt_conns = (unsigned)opt_count(ch, optarg, 1, MAX_CONNS);
			break;
		case 't':
			opt_threads = (unsigned)opt_count(ch, optarg, 1, MAX_THREADS);
			break;
		case 'P':
			opt_depth = (unsigned)opt_count(ch, optarg, 1, MAX_DEPTH);
			break;
		case 'd':
			opt_duration = opt_seconds(ch, optarg);
			break;
		case 'n':
			opt_requests = (int64_t)opt_count(ch, optarg, 0, INT64_MAX);
			break;
		case 'k':
			opt_idle = (unsigned)opt_count(ch, optarg, 0, MAX_CONNS);
			break;
		case 'w':
			opt_warm = true;
			break;
		case 'N':
			opt_newconn = true;
			break;
		case 'T':
			opt_tls = optarg;
			break;
		case 'A':
			opt_ca = optarg;
			break;
		case 'E':
			opt_cert = optarg;
			break;
		case 'K':
			opt_key = optarg;
			break;
		default:
			usage();
		}
	}
	if ((opt_socket == NULL) == (opt_tls == NULL) || optind != argc)
		usage();
	if (opt_tls != NULL ? opt_ca == NULL || (opt_cert == NULL) != (opt_key == NULL) :
	                      opt_ca != NULL || opt_cert != NULL || opt_key != NULL)
		usage();
	if (opt_newconn && (opt_idle > 0 || opt_depth > 1))
		usage();
	if (opt_socket != NULL) {
		fill_sun("sw_load", &opt_sun, opt_socket);
		require_socket("sw_load", opt_socket);
	}
	if (opt_idle > 0)
		opt_conns = opt_idle;
	if (opt_threads > opt_conns)
		opt_threads = opt_conns;
	opt_head = strcmp(opt_method, "HEAD") == 0;
}

/* The TLS and -N members of the summary; nothing for a Unix keep-alive run. */
static void
report_extra(struct ld_thread *th)
{
	static uint64_t hist[HIST_BUCKETS];
	uint64_t hs = 0;
	unsigned i, j;

	if (opt_newconn)
		printf(",\"new_conn\":true");
	if (tls_ctx == NULL)
		return;
	for (i = 0; i < opt_threads; i++) {
		hs += th[i].handshakes;
		for (j = 0; j < HIST_BUCKETS; j++)
			hist[j] += th[i].hs_hist[j];
	}
	printf(",\"transport\":\"tls\",\"tls\":\"%s\",\"handshakes\":%" PRIu64
	       ",\"hs_p50_us\":%.1f,\"hs_p99_us\":%.1f",
	    tls_session, hs, (double)hist_percentile(hist, hs, 0.50) / 1e3,
	    (double)hist_percentile(hist, hs, 0.99) / 1e3);
}

static void
report(struct ld_thread *th)
{
	static uint64_t hist[HIST_BUCKETS];
	uint64_t done = 0, non2xx = 0, errors = 0, bytes = 0, closed = 0, span, maxspan = 0;
	int bad = 0;
	double secs;
	unsigned i, j;

	for (i = 0; i < opt_threads; i++) {
		done += th[i].done;
		non2xx += th[i].non2xx;
		errors += th[i].errors;
		bytes += th[i].body_bytes;
		closed += th[i].peer_closed;
		if (bad == 0)
			bad = th[i].first_bad_status;
		span = opt_requests > 0 ? th[i].last_done_ns - th[i].start_ns :
		                          (uint64_t)(opt_duration * 1e9);
		if (span > maxspan)
			maxspan = span;
		for (j = 0; j < HIST_BUCKETS; j++)
			hist[j] += th[i].hist[j];
	}
	secs = (double)maxspan / 1e9;
	if (opt_idle > 0) {
		printf("{\"mode\":\"idle\",\"held\":%u,\"warm\":%s,\"closed_by_peer\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"non2xx\":%" PRIu64,
		    opt_idle, opt_warm ? "true" : "false", closed, errors, non2xx);
		report_extra(th);
		printf("}\n");
		return;
	}
	if (secs <= 0)
		secs = 1e-9;
	printf("{\"mode\":\"load\",\"path\":\"%s\",\"connections\":%u,\"threads\":%u,\"depth\":%u,"
	       "\"requests\":%" PRIu64 ",\"seconds\":%.6f,\"rps\":%.1f,\"p50_us\":%.1f,"
	       "\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"body_bytes\":%" PRIu64
	       ",\"mb_per_s\":%.1f,\"non2xx\":%" PRIu64 ",\"first_bad_status\":%d,"
	       "\"errors\":%" PRIu64,
	    opt_path, opt_conns, opt_threads, opt_depth, done, secs, (double)done / secs,
	    (double)hist_percentile(hist, done, 0.50) / 1e3,
	    (double)hist_percentile(hist, done, 0.90) / 1e3,
	    (double)hist_percentile(hist, done, 0.99) / 1e3,
	    (double)hist_percentile(hist, done, 1.0) / 1e3, bytes, (double)bytes / secs / 1e6,
	    non2xx, bad, errors);
	report_extra(th);
	printf("}\n");
}

int
main(int argc, char **argv)
{
	struct ld_thread *th;
	struct sigaction sa;
	unsigned i, per, extra;
	size_t off = 0;
	uint64_t errors = 0;

	parse_options(argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (opt_tls != NULL && tls_setup() == -1)
		return 1;
	build_request();
	atomic_store(&budget, opt_requests);

	th = calloc(opt_threads, sizeof(*th));
	if (th == NULL)
		return 1;
	pthread_barrier_init(&ready_barrier, NULL, opt_threads + 1);
	pthread_barrier_init(&go_barrier, NULL, opt_threads + 1);
	per = opt_conns / opt_threads;
	extra = opt_conns % opt_threads;
	for (i = 0; i < opt_threads; i++) {
		struct ld_thread *t = &th[i];

		t->nconns = per + (i < extra ? 1 : 0);
		t->conns = calloc(t->nconns, sizeof(*t->conns));
		t->rbuf = malloc(READ_BUF);
		t->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (t->conns == NULL || t->rbuf == NULL || t->epfd == -1) {
			perror("sw_load: setup");
			return 1;
		}
		off += t->nconns;
		if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
			perror("sw_load: pthread_create");
			return 1;
		}
	}
	pthread_barrier_wait(&ready_barrier);
	for (i = 0; i < opt_threads; i++)
		errors += th[i].errors;
	if (opt_idle > 0) {
		printf("ready %u connected %zu failed %" PRIu64 "\n", opt_idle,
		    off - (size_t)errors, errors);
		fflush(stdout);
	}
	pthread_barrier_wait(&go_barrier);
	for (i = 0; i < opt_threads; i++)
		pthread_join(th[i].tid, NULL);
	report(th);
	fflush(stdout);
	errors = 0;
	for (i = 0; i < opt_threads; i++) {
		errors += th[i].errors;
		for (off = 0; off < th[i].nconns; off++)
			if (th[i].conns[off].fd != -1)
				conn_drop(&th[i].conns[off]);
		close(th[i].epfd);
		free(th[i].conns);
		free(th[i].rbuf);
	}
	free(th);
	free(reqbuf);
	SSL_CTX_free(tls_ctx);
	return errors > 0 ? 1 : 0;
}
