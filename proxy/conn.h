/*
 * One client connection: its state machine, the request being parsed, the
 * upstream connection it uses while a request is in flight, and the audit
 * record of the current exchange.  conn.c owns the client side and the
 * decisions; forward.c owns the upstream side, response relaying and the
 * hijacked tunnel.
 */
#ifndef SW_CONN_H
#define SW_CONN_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <llhttp.h>

#include "sockwarden/config.h"
#include "sockwarden/ident.h"
#include "sockwarden/policy.h"
#include "sockwarden/req.h"

#include "audit.h"
#include "http_req.h"
#include "sock.h"

struct srv;
struct lsn;
struct own_req;

/*
 * IDENTIFY -> READ_HEAD: the TLS handshake and the caller's container are
 * resolved once, before the first request is read (conn_ident.c).
 * READ_HEAD -> (allowed) FORWARD -> READ_HEAD ...
 *           -> (body to inspect) INSPECT -> FORWARD or RESPOND
 *           -> (body to inspect) INSPECT -> FORWARD or RESPOND
 *           -> (denied, error) RESPOND -> READ_HEAD ...
 * FORWARD -> (daemon answered 101 or a raw-stream hijack) SPLICE
 * any -> CLOSING (flush what is queued for the client, then free)
 */
enum conn_state {
	CONN_READ_HEAD = 0, /* waiting for, or reading, a request head */
	CONN_INSPECT,       /* buffering a request body that must be inspected first */
	CONN_FORWARD,       /* allowed: body goes up, response comes down */
	CONN_RESPOND,       /* answered locally: the request body is discarded */
	CONN_SPLICE,        /* hijacked: a byte tunnel, no HTTP, no idle timeout */
	CONN_CLOSING,       /* flushing output to the client, then freed */
	CONN_IDENTIFY,      /* TLS handshake or container lookup under way: nothing is parsed */
	CONN_RESOLVE,       /* ownership: asking the daemon whose objects a request names */
};

/* Per-exchange response parsing state (forward.c). */
struct conn_resp {
	llhttp_t parser;
	bool head_seen;       /* final (non-1xx) response head parsed */
	bool done;            /* final response complete */
	bool hijack;          /* 101, or a 200 raw stream without length */
	bool bytes_sent;      /* some response bytes already reached the client */
	uint64_t splice_body; /* a long Content-Length body goes down by splice(2) */
	bool chunk_splice;    /* a chunked body relayed as it is: long chunks may be spliced */
	bool chunk_long;      /* the last chunk-size line was for a long chunk */
	bool in_chunk;        /* between a chunk-size line and the chunk's end */
	bool gating;          /* chunks go by splice, their size lines read by peeking */
	bool gate_broken;     /* the daemon's framing broke while gating */
	uint64_t gate_skip;   /* chunk bytes granted to the pipe, not yet counted by llhttp */
	bool is_head;         /* the request was HEAD: the response has no body */
	bool want_ctype;      /* the header being parsed is Content-Type */
	char ctype[64];       /* response Content-Type, truncated */
	size_t ctype_len;
	int status;
	/*
	 * Warn-mode findings go into the response's "Warnings": the response
	 * is held (raw in "held", decoded body in "body") and rewritten at
	 * its end.  Off when it grows past SW_REWRITE_MAX (relayed as it is).
	 */
	bool rewrite;
	bool must_filter; /* ownership: an answer that cannot be filtered is withheld */
	struct evbuffer *held;
	struct evbuffer *body;
};

#define SW_REWRITE_MAX (1024 * 1024)

struct conn {
	TAILQ_ENTRY(conn) c_entry;
	struct srv *c_srv;
	struct lsn *c_lsn;
	uint64_t c_id;
	enum conn_state c_state;

	struct sock *c_bev;     /* client */
	struct sock *c_ubev;    /* upstream; NULL when not connected */
	struct event c_timer;   /* idle/head timeout, upstream connect timeout: conn_timer.c */
	uint64_t c_timeout_ms;  /* when the timeout falls due (CLOCK_MONOTONIC, ms) */
	uint64_t c_timer_at_ms; /* when c_timer fires; 0: not pending */
	bool c_timeout_set;
	struct pol_set *c_ps; /* policy set of the current request (one reference) */
	struct sw_ident c_ident;
	struct sw_cert_ident *c_cert; /* owned; c_ident.cert points here */
	struct ctr_wait *c_ctr_wait;  /* container lookup in flight */
	bool c_tls_pending;           /* handshake not finished */
	bool c_ctr_looked_up;         /* the caller's container was asked for when it connected */
	int c_policy;                 /* chosen for c_ps from c_ident (choose_policy() in conn.c) */
	char c_client_rule[32];       /* what chose it: "clients[N]" or "default", for the audit */
	struct client_slot *c_client_slot; /* this connection's place in its client's count */
	char c_owner[SW_NAME_MAX * 2];     /* owner identity under ownership isolation; "" = none */

	struct hreq c_hreq;
	struct sw_req c_req;
	struct conn_resp c_resp;

	bool c_ups_connecting;
	bool c_ups_reusable;    /* upstream may carry the next request */
	bool c_req_done;        /* the request message has been fully received */
	bool c_close_after;     /* close once the current response is flushed */
	bool c_client_eof;      /* the client shut down its sending side */
	bool c_ups_eof;         /* (splice) the daemon shut down its sending side */
	bool c_ups_shut;        /* we shut down our write side to the daemon */
	bool c_client_shut;     /* we shut down our write side to the client */
	bool c_draining;        /* shutting down: finish this exchange, then close */
	bool c_parsing;         /* inside process_input(): do not re-enter it */
	bool c_read_paused;     /* client reads paused: the other side is full */
	bool c_ups_read_paused; /* daemon reads paused: the client is not reading */
	bool c_ups_eof_pending; /* pass the client's EOF up once the request is flushed */

	struct audit_rec c_audit;

	/* Body inspection (CONN_INSPECT): the buffered body, then the verdict. */
	struct evbuffer *c_body;
	struct pol_inspection *c_insp; /* allocated per inspected request */
	bool c_fwd_inspected;          /* forward c_insp's canonical body, not the client's */
	bool c_peek;                   /* holding an upload's first bytes (compressed check) */

	struct own_req *c_own; /* ownership work for the current request (conn_own.c) */
};

TAILQ_HEAD(conn_list, conn);

/* Take over an accepted socket; closes "fd" on failure. */
struct conn *conn_new(struct srv *srv, struct lsn *lsn, int fd);

/*
 * The connection's one timeout (conn_timer.c): conn_timeout() runs "ms" from
 * now, unless the timeout is stopped or set again first.  conn_timer_free()
 * before the connection is freed.
 */
void conn_timer_init(struct conn *c, struct event_base *base);
void conn_timer_set(struct conn *c, unsigned ms);
void conn_timer_stop(struct conn *c);
void conn_timer_free(struct conn *c);
/* The timeout fell due: what timed out depends on the state (conn.c). */
void conn_timeout(struct conn *c);

/*
 * Close the connection with a reason (debug log and audit).  The memory is
 * released from a deferred callback, so callers up the stack stay safe.
 */
void conn_close(struct conn *c, const char *reason);
/* Write the current request's audit line now, once ("note" if it has none yet). */
void conn_finish_audit(struct conn *c, const char *note);

/* Ask the connection to finish its current exchange and close (SIGTERM). */
void conn_drain(struct conn *c);

void conn_set_state(struct conn *c, enum conn_state st);

/*
 * Answer the current request locally with a Docker-style JSON error
 * {"message": msg}.  With "close", the connection closes once it is sent.
 */
void conn_respond_error(struct conn *c, int status, const char *msg, bool close);

/*
 * The answer is out before the request body has all arrived: discard the
 * rest of the body (under the head timeout), or close if the client waits for
 * 100 Continue and so will never send it.
 */
void conn_discard_body(struct conn *c);

/* Refuse the current request with a Docker-style error (audited as a denial). */
void conn_deny(struct conn *c, int status, const char *msg);
/* Go on with an allowed request: inspect its body first, or send it up. */
void conn_proceed(struct conn *c, bool need_body);
/* Send the (inspected) request up. */
void conn_forward(struct conn *c);
/* The body that will go up when it was buffered: canonical, or as received. */
bool conn_inspected_body(struct conn *c, struct sw_str *body);

/* Identification finished (or gave up); choose a policy, read requests. */
void conn_identified(struct conn *c);
/*
 * conn_ident.c: start identifying at accept; 0 when under way or done (then
 * conn_identified() has run), -1 to close.
 */
int conn_identify_start(struct conn *c, int fd);
/* conn_ident.c: the client's TLS handshake completed. */
void conn_identify_tls_done(struct conn *c);
/* conn_ident.c: drop what identification holds (certificate, container, lookups). */
void conn_identify_release(struct conn *c);
/*
 * conn_ident.c: identification took too long.  A container lookup still
 * waiting leaves the caller unidentified and returns true; otherwise false
 * (the caller closes the connection).
 */
bool conn_identify_timeout(struct conn *c);
/*
 * After a reload, between requests: a configuration that now wants more of
 * the caller than was resolved when it connected leaves it unidentified.
 */
void conn_identify_recheck(struct conn *c);

/* forward.c: the current exchange's response is complete (or failed). */
void conn_exchange_done(struct conn *c);

/* Resume reading requests after the client's output drained (back-pressure). */
void conn_client_readable(struct conn *c);
/* Parse what the client already sent, when parsing was held (conn_own_build_holding()). */
void conn_resume_parsing(struct conn *c);

/* Watermarks: above HIWAT queued bytes, reading the other side pauses. */
#define SW_SPLICE_HIWAT     (1024u * 1024)
#define SW_SPLICE_LOWAT     (SW_SPLICE_HIWAT / 2)
#define SW_MAX_READ         (256 * 1024)
/* Bodies at least this long are spliced (kernel to kernel) rather than copied. */
#define SW_SPLICE_MIN       (1024u * 1024)
/*
 * Chunks at least this long are spliced: each costs a peek at its size line
 * and a splice, about what copying 16 KiB twice costs.  The daemon writes
 * streams (export, save, archive) in 32 KiB chunks, events and log lines in
 * short ones, which are copied.
 */
#define SW_CHUNK_SPLICE_MIN (16u * 1024)

#endif
