/*
 * The upstream side of a connection: connect to the daemon, send the
 * re-framed request, relay the response verbatim while parsing it for its
 * end and for hijacks, and run the byte tunnel after a hijack.
 */
#ifndef SW_FORWARD_H
#define SW_FORWARD_H

#include <stddef.h>

struct conn;

/* Start forwarding the current (allowed) request: connect if needed, send its head. */
void fwd_start(struct conn *c);
/*
 * Request body bytes as parsed: queued upstream by fwd_body_out(), unless a
 * build context being read under ownership holds them (conn_own_build.c).
 */
void fwd_body(struct conn *c, const char *p, size_t n);
/* Body bytes re-framed (chunked stays chunked) and queued upstream. */
void fwd_body_out(struct conn *c, const char *p, size_t n);
/* The request message is complete: fwd_body_end(), unless a build holds its end. */
void fwd_request_done(struct conn *c);
/* Terminate a chunked body. */
void fwd_body_end(struct conn *c);
/* The client sent EOF: pass the half-close on to the daemon. */
void fwd_client_eof(struct conn *c);
/* Enter tunnel mode (the daemon hijacked the connection). */
void fwd_splice_start(struct conn *c);
/* The client drained its output: relay what the daemon already sent, read more. */
void fwd_response_resume(struct conn *c);
/* Release the upstream connection. */
void fwd_upstream_close(struct conn *c);
/* Client read side of a tunnel. */
void fwd_splice_client_read(struct conn *c);
void fwd_splice_client_eof(struct conn *c);
void fwd_splice_client_drained(struct conn *c);

#endif
