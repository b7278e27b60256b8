/*
 * A non-blocking stream socket with an input and an output evbuffer: the
 * small part of libevent's bufferevent that the proxy needs, with the system
 * calls a proxy can afford.  The read event stays armed for the life of the
 * socket (no epoll_ctl per request); reads go straight into reserved buffer
 * space (no FIONREAD per read); what is queued for writing is written once
 * per loop pass, right away, and write interest is armed only when the
 * kernel refuses more (EAGAIN).
 */
#ifndef SW_SOCK_H
#define SW_SOCK_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evbuffer;
struct sock;
struct tls_conn;

#define SOCK_EOF       0x01 /* the peer shut down its sending side */
#define SOCK_ERROR     0x02 /* reset, broken pipe, failed connect: errno is set */
#define SOCK_CONNECTED 0x04 /* an outgoing connect completed */
#define SOCK_TLS_DONE  0x08 /* the TLS handshake completed */

typedef void sock_data_fn(struct sock *s, void *arg);
typedef void sock_event_fn(struct sock *s, int what, void *arg);

/*
 * Wrap "fd" (-1 for sock_connect later).  readcb runs after bytes were read;
 * writecb when the output drained to the low watermark or below after a
 * write that had to wait; eventcb for SOCK_* events.  Returns NULL on
 * allocation failure (fd is not closed then).
 */
struct sock *sock_new(struct event_base *base, int fd, sock_data_fn *readcb, sock_data_fn *writecb,
    sock_event_fn *eventcb, void *arg);
/* Closes the descriptor and frees the buffers.  NULL is a no-op. */
void sock_free(struct sock *s);

/*
 * Start a non-blocking connect: 0, and SOCK_CONNECTED or SOCK_ERROR follows;
 * 1 when connected at once (Unix sockets usually are; no SOCK_CONNECTED);
 * -1 when it failed at once.
 */
int sock_connect(struct sock *s, const struct sockaddr *sa, socklen_t len);

struct evbuffer *sock_input(struct sock *s);
struct evbuffer *sock_output(struct sock *s);
int sock_fd(const struct sock *s);

/* Reading on or off (back-pressure).  Reading stays off after EOF. */
void sock_read_enable(struct sock *s);
void sock_read_disable(struct sock *s);

/*
 * Input ceiling: reading pauses while this many bytes wait to be consumed,
 * and resumes when they drop below it.  0: no ceiling.  -1 when out of
 * memory (only when the input is at the new ceiling already).
 */
int sock_set_read_max(struct sock *s, size_t max);
/*
 * The output is above "hiwat" (QUEUE_BUDGET_PRESSED or more), or above
 * QUEUE_BUDGET_PRESSED while the proxy's budget for queued bytes is spent
 * (queue_budget.h): the owner then stops reading what would add to it.
 */
bool sock_output_above(const struct sock *s, size_t hiwat);
/* The output level at or below which writecb runs. */
void sock_set_write_lowat(struct sock *s, size_t lowat);
/* Most bytes read in one system call. */
void sock_set_read_size(struct sock *s, size_t n);

/*
 * shutdown(SHUT_WR) now; call it when the output is empty.  On a TLS socket
 * a close_notify alert goes first (once); reading goes on either way.
 */
void sock_shutdown_write(struct sock *s);

/*
 * TLS mode: from now on every byte in and out of s goes through "tc"
 * (tls_conn_new(), whose context gives the role), which the socket owns from
 * this call on (also when it fails).  Call it before any byte was read, on a
 * socket with a descriptor: right after sock_new() for an accepted
 * connection, or right after sock_connect() for an outgoing one.
 *
 * The handshake runs inside the socket, whatever the owner's read setting.
 * Bytes queued on the output meanwhile wait for its end.  It ends with
 * eventcb(SOCK_TLS_DONE) (plus SOCK_CONNECTED when the connect was still in
 * progress at this call: that event is held back until then) or with
 * SOCK_ERROR, errno set and a reason in sock_tls_error().  After it, the
 * socket behaves as before, with these differences:
 *  - a close_notify from the peer, and also a TCP EOF without one, is
 *    SOCK_EOF (see sock.c on why the latter is accepted);
 *  - a damaged record is SOCK_ERROR (errno EPROTO) with a reason;
 *  - sock_pipe_start() refuses it (the kernel cannot splice TLS records);
 *  - bytes may be added to the output, never removed while they wait
 *    (TLS must retry a refused write with the same bytes).
 * Returns 0, or -1 when s cannot start TLS (no descriptor, already TLS,
 * failed, piping) or the setup failed.
 */
int sock_start_tls(struct sock *s, struct tls_conn *tc);
/* The TLS connection, for the peer's certificate; NULL on a plain socket. */
struct tls_conn *sock_tls_conn(struct sock *s);
/*
 * Why the handshake, or TLS later, failed, in a few words for the log
 * ("certificate expired", "no client certificate", "unknown CA",
 * "protocol version", "peer alert: ..."); NULL when no TLS failure
 * happened (a plain reset after the handshake leaves it NULL).
 */
const char *sock_tls_error(const struct sock *s);

/*
 * Move bytes from src to dst inside the kernel (splice(2) through a pipe),
 * with no copy through user space: for long bodies and hijacked streams.
 * Bytes already in src's input go first, through dst's output.  "n" bytes
 * are moved (SOCK_PIPE_ALL: until src's EOF); then done(src, status, moved,
 * arg) runs with the bytes delivered to dst and status 0 (all moved) or
 * SOCK_EOF (src ended first; everything read was delivered; src does not
 * report that EOF again).  A failure of either end is src's
 * eventcb(SOCK_ERROR) instead, with no done(): both ends have one owner.
 * While it runs, src's readcb/eventcb and dst's writecb are not called for
 * this traffic.  A socket is the source of at most one pipe and the sink of
 * at most one.  -1 when no pipe can be had, including when either end is a
 * TLS socket: callers then copy.
 */
#define SOCK_PIPE_ALL UINT64_MAX
typedef void sock_pipe_done_fn(struct sock *src, int status, uint64_t moved, void *arg);
int sock_pipe_start(
    struct sock *src, struct sock *dst, uint64_t n, sock_pipe_done_fn *done, void *arg);

/*
 * A pipe whose length is decided as it goes, for a body whose framing must
 * be read on the way (chunked).  Once the "n" bytes granted so far are
 * moved, the bytes waiting on src are shown to gate(peek, len, &last, arg)
 * without being taken (at most 64 of them).  It returns how many more
 * bytes to move, counted from the first one shown; a return of 0, or
 * *last set, ends the pipe once those are delivered (status 0).  The bytes
 * shown are the very bytes the pipe then moves: src has no other reader.
 */
typedef uint64_t sock_pipe_gate_fn(const char *peek, size_t len, bool *last, void *arg);
int sock_pipe_start_gated(struct sock *src, struct sock *dst, uint64_t n, sock_pipe_gate_fn *gate,
    sock_pipe_done_fn *done, void *arg);

#endif
