/*
 * HTTP/1.x request parsing on top of llhttp in strict mode, with the checks
 * llhttp leaves to us (obs-fold, header name/value bytes, Transfer-Encoding
 * spelling, TE on HTTP/1.0, Host) and the head limits.  The parsed head is
 * kept in a request-owned buffer; the body is handed to a callback as it is
 * parsed.  No sockets here: tests drive it with byte strings.
 */
#ifndef SW_HTTP_REQ_H
#define SW_HTTP_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include <llhttp.h>

#include "sockwarden/config.h"
#include "sockwarden/req.h"
#include "sockwarden/str.h"

struct hreq_hdr {
	uint32_t name; /* offsets into hreq.buf */
	uint32_t name_len;
	uint32_t value;
	uint32_t value_len;
};

enum hreq_event {
	HREQ_EV_NEED_MORE = 0, /* all input consumed; feed more */
	HREQ_EV_HEAD,          /* head complete and valid: decide, then keep feeding */
	HREQ_EV_DONE,          /* message complete: call hreq_next() before feeding more */
	HREQ_EV_UPGRADE_DONE,  /* message complete, client asked to upgrade */
	HREQ_EV_ERROR,         /* malformed: see err_status/err_msg; close after replying */
};

typedef void hreq_body_fn(void *owner, const char *p, size_t n);

struct hreq {
	llhttp_t parser;
	const struct sw_limits *limits; /* borrowed */
	hreq_body_fn *on_body;
	void *owner;

	char *buf; /* method, target, header names and values; then the decoded path */
	size_t len;
	size_t cap;
	struct hreq_hdr *hdrs;
	unsigned n_hdrs;
	unsigned cap_hdrs;
	uint32_t method, method_len;
	uint32_t url, url_len;
	size_t head_raw;      /* raw bytes of this head consumed so far */
	size_t trailer_bytes; /* trailer fields seen (counted, not kept) */
	bool in_head;         /* between message begin and headers complete */
	bool field_open;      /* a header field is being accumulated */
	bool value_open;      /* a header value is being accumulated */
	bool headers_done;    /* HREQ_EV_HEAD was returned for this request */
	bool message_done;    /* HREQ_EV_DONE or HREQ_EV_UPGRADE_DONE was returned */
	bool need_kick;       /* feed again even without input: a bodyless message ends there */

	/* Framing and semantics, valid after HREQ_EV_HEAD. */
	bool chunked;
	bool has_cl;
	bool expect_continue;
	bool upgrade; /* Connection: upgrade + Upgrade: (llhttp's judgement) */
	bool keep_alive;
	uint64_t content_length;
	unsigned n_host;
	unsigned n_te;
	unsigned n_connection; /* Connection headers: they may name more hop-by-hop headers */

	int err_status;      /* 400, 431, 505 ... */
	const char *err_msg; /* static text for the client */

	char prev_byte; /* last head byte of the previous feed, for obs-fold across feeds */
};

void hreq_init(struct hreq *h, const struct sw_limits *limits, hreq_body_fn *body_cb, void *owner);
/* Releases the head buffers (kept between requests otherwise); safe to call twice. */
void hreq_release(struct hreq *h);

/*
 * Parse up to "len" bytes ("len" may be 0 when need_kick is set: llhttp
 * paused at the end of the head, and a message without a body completes
 * only when the parser runs again).  Stores in *consumed how many were used; the rest
 * must be offered again after the event is handled.  Body bytes go to
 * on_body before this returns.
 */
enum hreq_event hreq_feed(struct hreq *h, const char *data, size_t len, size_t *consumed);

/* After HREQ_EV_DONE or HREQ_EV_UPGRADE_DONE: get ready for the next request. */
void hreq_next(struct hreq *h);

/* True when this request has started (some bytes of its head were seen). */
bool hreq_started(const struct hreq *h);

/* Views into the head buffer; valid until hreq_next/hreq_release. */
struct sw_str hreq_method(const struct hreq *h);
struct sw_str hreq_target(const struct hreq *h);
struct sw_str hreq_header_name(const struct hreq *h, unsigned i);
struct sw_str hreq_header_value(const struct hreq *h, unsigned i);
/* First value of a header (ASCII case-insensitive name), or an empty view. */
struct sw_str hreq_header(const struct hreq *h, const char *name);
/*
 * The same among the headers that are forwarded (not hop-by-hop, not named
 * in Connection): what the daemon will read, so what decisions must use.
 */
struct sw_str hreq_forwarded_header(const struct hreq *h, const char *name);

/*
 * Canonicalise the target into the head buffer and fill "req" (method,
 * target, path, query, version, http_minor).  Returns 0, or -1 with a reason
 * for the client in *why.
 */
int hreq_build_req(struct hreq *h, struct sw_req *req, const char **why);

/* Is this header one that a proxy must not forward (RFC 9110 7.6.1)? */
bool hreq_is_hop_by_hop(const struct hreq *h, const struct sw_str *name);

#endif
