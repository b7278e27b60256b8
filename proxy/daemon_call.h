/*
 * Requests the proxy makes to the daemon on its own behalf (container
 * lookups, ownership checks, the events stream): one connection per call,
 * "Connection: close", the response parsed by llhttp (chunked,
 * Content-Length or close-delimited), its body bounded, a timeout.
 *
 * Callbacks always run from the event loop, never from inside a *_start()
 * call.  After "done"/"end" has run the call is freed: forget the pointer.
 * A callback may start, cancel and free other calls (and cancel its own).
 */
#ifndef SW_DAEMON_CALL_H
#define SW_DAEMON_CALL_H

#include <stddef.h>

#include "sockaddr.h"

struct event_base;
struct daemon_call;

/*
 * status: the final HTTP status, or -1 (unreachable, timeout, malformed,
 * body over the limit, connection lost before the end).  With a status,
 * "body" is the response body, "len" bytes followed by a NUL ("" when
 * empty); with -1 it is NULL.  Borrowed for the duration of the callback.
 */
typedef void daemon_call_done_fn(int status, const char *body, size_t len, void *arg);

/*
 * One line of a streamed 2xx body, without its '\n' (a "\r" before it is
 * kept), borrowed for the duration of the callback.  Runs first once with
 * line == NULL when the 2xx head has arrived: the stream is live.
 */
typedef void daemon_line_fn(const char *line, size_t len, void *arg);

/*
 * Send "GET path_and_query" to the daemon at "ups" and call done() once with
 * the answer: the proxy only ever reads from the daemon on its own behalf.
 * max_body bounds the response body; timeout_ms (0: none) bounds the whole
 * exchange.  "path_and_query" is an origin-form target of visible ASCII,
 * copied.  Returns NULL (and never calls back) when out of memory or when
 * the target is not acceptable; a daemon that cannot be reached is reported
 * through done(-1).
 */
struct daemon_call *daemon_call_start(struct event_base *base, const struct sa_addr *ups,
    const char *path_and_query, size_t max_body, unsigned timeout_ms, daemon_call_done_fn *done,
    void *arg);

/*
 * The same for a streamed response (GET /events): with a 2xx head, line()
 * runs for every complete newline-terminated line of the body as it comes,
 * and end(status, NULL, 0) when the body ends (an unterminated last line is
 * dropped).  Any other status is answered like daemon_call_start(): end()
 * with the whole body.  max_line bounds a line (and a non-2xx body);
 * timeout_ms bounds only the wait for the head: a live stream may be idle
 * forever.  end(-1, NULL, 0) reports failures, including a line too long.
 */
struct daemon_call *daemon_stream_start(struct event_base *base, const struct sa_addr *ups,
    const char *path_and_query, size_t max_line, unsigned timeout_ms, daemon_line_fn *line,
    daemon_call_done_fn *end, void *arg);

/* Close the connection and free the call: no callback after this.  NULL is a no-op. */
void daemon_call_cancel(struct daemon_call *dc);

#endif
