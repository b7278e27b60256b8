/*
 * The daemon's side of a connection.  Requests go up re-framed from what was
 * parsed (canonical target, client headers minus hop-by-hop ones, fresh
 * framing); responses come down byte for byte, parsed only to find where
 * they end and whether the daemon hijacked the connection.  After a hijack
 * the connection is a byte tunnel with independent half-close per direction.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "sockwarden/log.h"

#include "conn.h"
#include "conn_own.h"
#include "daemon.h"
#include "fmt.h"
#include "forward.h"
#include "server.h"
#include "sock.h"
#include "stream_lines.h"
#include "upstream.h"

static struct conn *
conn_of(llhttp_t *p)
{
	return p->data;
}

/* ---- response parsing -------------------------------------------------- */

static int
resp_message_begin(llhttp_t *p)
{
	struct conn_resp *r = &conn_of(p)->c_resp;

	r->ctype_len = 0;
	r->want_ctype = false;
	return 0;
}

static int
resp_header_field(llhttp_t *p, const char *at, size_t n)
{
	struct conn_resp *r = &conn_of(p)->c_resp;
	struct sw_str f = sw_str_make(at, n);

	/* Header names arrive whole unless a read splits them; a split name is not Content-Type. */
	r->want_ctype = sw_str_caseeq_lit(&f, "content-type");
	return 0;
}

static int
resp_header_value(llhttp_t *p, const char *at, size_t n)
{
	struct conn_resp *r = &conn_of(p)->c_resp;
	size_t room = sizeof(r->ctype) - 1 - r->ctype_len;

	if (!r->want_ctype)
		return 0;
	if (n > room)
		n = room;
	memcpy(r->ctype + r->ctype_len, at, n);
	r->ctype_len += n;
	r->ctype[r->ctype_len] = '\0';
	return 0;
}

static bool
is_raw_stream(const struct conn_resp *r)
{
	return strncmp(r->ctype, "application/vnd.docker.raw-stream", 33) == 0 ||
	       strncmp(r->ctype, "application/vnd.docker.multiplexed-stream", 41) == 0;
}

static int
resp_headers_complete(llhttp_t *p)
{
	struct conn *c = conn_of(p);
	struct conn_resp *r = &c->c_resp;
	struct slines *sl;

	r->status = p->status_code;
	if (r->status >= 100 && r->status < 200 && r->status != 101)
		return 0; /* informational (100 Continue): relayed, the final one follows */
	r->head_seen = true;
	c->c_audit.status = r->status;
	/*
	 * The legacy hijack: the daemon answers attach/exec start without an
	 * Upgrade header with a 200 raw stream that has no length and becomes
	 * bidirectional.  Treat it as an upgrade without a body.
	 */
	if (r->status == 200 && (pol_ep_flags(c->c_req.endpoint) & POL_EPF_HIJACK) &&
	    is_raw_stream(r) && !(p->flags & (F_CONTENT_LENGTH | F_CHUNKED)))
		return 2;
	if (r->is_head)
		return 1; /* a HEAD response has no body whatever its headers say */
	/* A stream redacted message by message: the head goes out as it is, then the body. */
	if ((sl = conn_own_lines(c)) != NULL && r->status == 200) {
		if (p->flags & F_CONTENT_LENGTH)
			return -1; /* a length the rewrite would make wrong: withheld */
		slines_start(sl, (p->flags & F_CHUNKED) != 0);
		return HPE_PAUSED;
	}
	/*
	 * A long body of known length need not pass through user space: stop
	 * parsing here and splice exactly that many bytes (relay_response()).
	 */
	if ((p->flags & F_CONTENT_LENGTH) && p->content_length >= SW_SPLICE_MIN && !r->rewrite &&
	    r->status != 204 && r->status != 304) {
		r->splice_body = p->content_length;
		return HPE_PAUSED;
	}
	/* A chunked body's long chunks may go the same way (splice_chunks()). */
	r->chunk_splice =
	    (p->flags & F_CHUNKED) && !r->rewrite && r->status != 204 && r->status != 304;
	return 0;
}

/* While gating, parsing stops after each chunk-size line: gate_chunks() decides. */
static int
resp_chunk_header(llhttp_t *p)
{
	struct conn_resp *r = &conn_of(p)->c_resp;

	r->in_chunk = true;
	r->chunk_long = p->content_length >= SW_CHUNK_SPLICE_MIN;
	return r->gating ? HPE_PAUSED : 0;
}

static int
resp_chunk_complete(llhttp_t *p)
{
	conn_of(p)->c_resp.in_chunk = false;
	return 0;
}

/* Body bytes of a stream rewritten message by message ("at" NULL: its end), to the client. */
static void
relay_lines(struct conn *c, struct slines *sl, const char *at, size_t n)
{
	struct evbuffer *out = sock_output(c->c_bev);
	size_t before = evbuffer_get_length(out);

	if (at != NULL)
		(void)slines_feed(sl, at, n, out);
	else
		(void)slines_finish(sl, out);
	c->c_audit.bytes_out += evbuffer_get_length(out) - before;
	c->c_resp.bytes_sent = true;
}

static int
resp_body(llhttp_t *p, const char *at, size_t n)
{
	struct conn *c = conn_of(p);
	struct conn_resp *r = &c->c_resp;
	struct slines *sl = conn_own_lines(c);

	if (sl != NULL && slines_in_body(sl))
		relay_lines(c, sl, at, n);
	else if (r->rewrite && r->head_seen)
		evbuffer_add(r->body, at, n);
	return 0;
}

static int
resp_message_complete(llhttp_t *p)
{
	struct conn *c = conn_of(p);
	struct conn_resp *r = &c->c_resp;
	struct slines *sl;

	if (!r->head_seen)
		return 0; /* end of a 1xx: keep parsing */
	if (p->upgrade) {
		r->hijack = true;
		return 0; /* llhttp pauses with HPE_PAUSED_UPGRADE */
	}
	if ((sl = conn_own_lines(c)) != NULL && slines_in_body(sl))
		relay_lines(c, sl, NULL, 0);
	r->done = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t resp_settings = {
	.on_headers_complete = resp_headers_complete,
	.on_body = resp_body,
	.on_message_complete = resp_message_complete,
	.on_chunk_header = resp_chunk_header,
	.on_chunk_complete = resp_chunk_complete,
};

/* Only an answer to attach or exec start needs a header: its Content-Type (is_raw_stream()). */
static const llhttp_settings_t resp_settings_hijack = {
	.on_message_begin = resp_message_begin,
	.on_header_field = resp_header_field,
	.on_header_value = resp_header_value,
	.on_headers_complete = resp_headers_complete,
	.on_body = resp_body,
	.on_message_complete = resp_message_complete,
	.on_chunk_header = resp_chunk_header,
	.on_chunk_complete = resp_chunk_complete,
};

/* ---- upstream connection ------------------------------------------------- */

static void
release_rewrite(struct conn_resp *r)
{
	if (r->held != NULL)
		evbuffer_free(r->held);
	if (r->body != NULL)
		evbuffer_free(r->body);
	r->held = r->body = NULL;
	r->rewrite = false;
}

void
fwd_upstream_close(struct conn *c)
{
	release_rewrite(&c->c_resp);
	if (c->c_ubev == NULL)
		return;
	sock_free(c->c_ubev);
	c->c_ubev = NULL;
	c->c_ups_connecting = false;
	c->c_ups_reusable = false;
	c->c_ups_read_paused = false;
}

static void upstream_failed(struct conn *c, const char *what);
static void relay_response(struct conn *c);
static void on_response_done(struct conn *c);
static void splice_check_done(struct conn *c);

static void
ups_readcb(struct sock *bev, void *arg)
{
	struct conn *c = arg;

	switch (c->c_state) {
	case CONN_FORWARD:
		relay_response(c);
		break;
	case CONN_SPLICE: {
		evbuffer_add_buffer(sock_output(c->c_bev), sock_input(bev));
		if (sock_output_above(c->c_bev, SW_SPLICE_HIWAT)) {
			sock_read_disable(bev);
			c->c_ups_read_paused = true;
		}
		break;
	}
	default:
		/* Bytes from the daemon with no request outstanding: not ours to relay. */
		fwd_upstream_close(c);
		break;
	}
}

static void
ups_writecb(struct sock *bev, void *arg)
{
	struct conn *c = arg;
	size_t queued = evbuffer_get_length(sock_output(bev));

	if (c->c_state == CONN_SPLICE) {
		if (c->c_client_eof && !c->c_ups_shut && queued == 0) {
			sock_shutdown_write(bev);
			c->c_ups_shut = true;
			splice_check_done(c);
			return;
		}
		if (c->c_read_paused && !c->c_client_eof) {
			c->c_read_paused = false;
			sock_read_enable(c->c_bev);
		}
		return;
	}
	if (c->c_state == CONN_FORWARD && c->c_ups_eof_pending && queued == 0 &&
	    !conn_own_build_unsent(c)) {
		sock_shutdown_write(bev);
		c->c_ups_shut = true;
		c->c_ups_eof_pending = false;
	}
	/* The request body may go on: read the client again. */
	conn_client_readable(c);
}

static void
ups_eventcb(struct sock *bev, int what, void *arg)
{
	struct conn *c = arg;

	/* With TLS the connection is usable once the handshake is done too. */
	if (what & (SOCK_CONNECTED | SOCK_TLS_DONE)) {
		c->c_ups_connecting = false;
		conn_timer_stop(c);
		return;
	}
	if (c->c_state == CONN_SPLICE) {
		if (what & SOCK_ERROR) {
			conn_close(c, "tunnel: daemon connection error");
			return;
		}
		if (what & SOCK_EOF) {
			c->c_ups_eof = true;
			fwd_splice_client_drained(c);
		}
		return;
	}
	if (c->c_state != CONN_FORWARD) {
		fwd_upstream_close(c); /* an idle daemon connection went away */
		return;
	}
	if ((what & SOCK_EOF) && c->c_resp.head_seen) {
		/* A response delimited by the close of the connection ends here. */
		relay_response(c);
		if (c->c_state == CONN_FORWARD && !c->c_resp.done) {
			llhttp_finish(&c->c_resp.parser);
			if (c->c_resp.done) {
				c->c_ups_reusable = false;
				c->c_close_after = true;
				on_response_done(c);
				return;
			}
		}
		if (c->c_state != CONN_FORWARD || c->c_resp.done)
			return;
	}
	(void)bev;
	upstream_failed(c, (what & SOCK_EOF) ? "the Docker daemon closed the connection" :
	                                       "cannot reach the Docker daemon");
}

/*
 * The daemon went away or never answered.  Before any response byte reached
 * the client it gets a Docker-style 502; after, only a close is honest.
 */
static void
upstream_failed(struct conn *c, const char *what)
{
	char msg[512];
	int err = EVUTIL_SOCKET_ERROR();

	if (c->c_resp.bytes_sent) {
		conn_close(c, "daemon closed mid-response");
		return;
	}
	if (c->c_ups_connecting && err != 0)
		snprintf(msg, sizeof(msg), "sockwarden: %s at %s: %s", what,
		    pol_set_config(c->c_ps)->upstream, strerror(err));
	else
		snprintf(msg, sizeof(msg), "sockwarden: %s", what);
	log_warnx("conn %" PRIu64 ": %s", c->c_id, msg + strlen("sockwarden: "));
	daemon_probe_stale(c->c_srv->probe);
	c->c_audit.note = "upstream_error";
	conn_own_cancel(c);
	fwd_upstream_close(c);
	conn_respond_error(c, 502, msg, false);
}

static int
upstream_connect(struct conn *c)
{
	const struct sa_addr *a = &c->c_srv->upstream;

	unsigned ms = pol_set_config(c->c_ps)->limits.upstream_connect_ms;
	int rc;

	c->c_ubev = sock_new(c->c_srv->base, -1, ups_readcb, ups_writecb, ups_eventcb, c);
	if (c->c_ubev == NULL) {
		upstream_failed(c, "out of memory");
		return -1;
	}
	sock_set_read_size(c->c_ubev, SW_MAX_READ);
	sock_set_write_lowat(c->c_ubev, SW_SPLICE_LOWAT);
	c->c_ups_connecting = true;
	c->c_ups_shut = false;
	c->c_ups_eof = false;
	if ((rc = upstream_open(c->c_ubev, a)) == -1) {
		upstream_failed(c, "cannot reach the Docker daemon");
		return -1;
	}
	if (rc == 1)
		c->c_ups_connecting = false; /* Unix sockets usually connect at once */
	else
		conn_timer_set(c, ms);
	return 0;
}

/* ---- the request going up -------------------------------------------------- */

/*
 * The request head is assembled in one piece and added to the output once:
 * each evbuffer_add() runs the buffer's callbacks, and a head made of a few
 * dozen small adds cost more than parsing it did.
 */
struct head_buf {
	char *p;
	size_t len, cap;
	bool heap;
	bool failed; /* out of memory: the head is incomplete */
};

/* A head past the stack buffer moves to the heap; returns false when out of memory. */
static bool
head_grow(struct head_buf *b, size_t n)
{
	size_t ncap = (b->len + n) * 2;
	char *np = b->heap ? realloc(b->p, ncap) : malloc(ncap);

	if (np == NULL) {
		b->failed = true;
		return false;
	}
	if (!b->heap)
		memcpy(np, b->p, b->len);
	b->p = np;
	b->cap = ncap;
	b->heap = true;
	return true;
}

/* Inline, with the growth out of line: a head is a few dozen of these. */
static inline void
head_put(struct head_buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap && (b->failed || !head_grow(b, n)))
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
head_put_str(struct head_buf *b, const char *s)
{
	head_put(b, s, strlen(s));
}

static void
head_put_u64(struct head_buf *b, uint64_t v)
{
	char digits[FMT_U64_MAX];

	head_put(b, digits, fmt_u64(digits, v));
}

/*
 * The canonical path goes up as it is: canonicalisation admits only '/' and
 * pol_path_byte_plain() bytes, so the daemon decodes exactly the path that
 * was checked and there is nothing to encode.  Any other byte would be a
 * canon.c bug: the request is then refused, never sent to be read another way.
 */
static bool
path_goes_as_is(const struct sw_str *path)
{
	size_t i;

	for (i = 0; i < path->len; i++)
		if (path->p[i] != '/' && !pol_path_byte_plain((unsigned char)path->p[i]))
			return false;
	return true;
}

/* The body that goes up when it was buffered for inspection: canonical, or as received. */
static struct sw_str
buffered_body(struct conn *c)
{
	struct sw_str body = { "", 0 };

	if (!conn_own_body(c, &body)) /* labelled with its owner, else */
		(void)conn_inspected_body(c, &body);
	return body;
}

static int
add_request_head(struct conn *c, struct evbuffer *out)
{
	const struct hreq *h = &c->c_hreq;
	const struct sw_req *r = &c->c_req;
	bool buffered = c->c_body != NULL;
	const char *own_path = conn_own_path(c), *own_query = conn_own_query(c);
	char stack[2048];
	struct head_buf b = { stack, 0, sizeof(stack), false, false };
	struct sw_str body = { NULL, 0 };
	unsigned i;
	int rc;

	head_put(&b, r->method.p, r->method.len);
	head_put(&b, " ", 1);
	if (r->version.len > 0) {
		head_put(&b, "/v", 2);
		head_put(&b, r->version.p, r->version.len);
	}
	/* Ownership may name the resolved object, or add an owner filter. */
	if (own_path != NULL)
		head_put_str(&b, own_path);
	else
		head_put(&b, r->path.p, r->path.len);
	if (own_query != NULL && own_query[0] != '\0') {
		head_put(&b, "?", 1);
		head_put_str(&b, own_query);
	} else if (own_query == NULL && r->query.len > 0) {
		head_put(&b, "?", 1);
		head_put(&b, r->query.p, r->query.len);
	}
	head_put(&b, r->http_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n", 11);
	for (i = 0; i < h->n_hdrs; i++) {
		struct sw_str name = hreq_header_name(h, i);
		struct sw_str value = hreq_header_value(h, i);

		if (hreq_is_hop_by_hop(h, &name))
			continue;
		/* A buffered body goes up whole: there is nothing left to continue. */
		if (buffered && sw_str_caseeq_lit(&name, "expect"))
			continue;
		head_put(&b, name.p, name.len);
		head_put(&b, ": ", 2);
		head_put(&b, value.p, value.len);
		head_put(&b, "\r\n", 2);
	}
	if (h->upgrade) {
		struct sw_str up = hreq_header(h, "upgrade");

		head_put_str(&b, "Connection: Upgrade\r\nUpgrade: ");
		head_put(&b, up.p, up.len);
		head_put(&b, "\r\n", 2);
	}
	if (buffered) {
		body = buffered_body(c);
		head_put_str(&b, "Content-Length: ");
		head_put_u64(&b, body.len);
		head_put(&b, "\r\n", 2);
	} else if (h->chunked) {
		head_put_str(&b, "Transfer-Encoding: chunked\r\n");
	} else if (h->has_cl) {
		head_put_str(&b, "Content-Length: ");
		head_put_u64(&b, h->content_length);
		head_put(&b, "\r\n", 2);
	}
	head_put(&b, "\r\n", 2);
	rc = b.failed || evbuffer_add(out, b.p, b.len) == -1 ||
	             (body.len > 0 && evbuffer_add(out, body.p, body.len) == -1) ?
	         -1 :
	         0;
	if (b.heap)
		free(b.p);
	return rc;
}

/* Warn-mode findings reach the client in the Warnings of these responses. */
static bool
has_warnings_field(int ep)
{
	static int create = -1, update = -1;

	if (create == -1) {
		create = pol_ep_lookup("ContainerCreate");
		update = pol_ep_lookup("ContainerUpdate");
	}
	return ep == create || ep == update;
}

void
fwd_start(struct conn *c)
{
	struct conn_resp *r = &c->c_resp;
	enum own_filter filter;

	if (conn_own_path(c) == NULL && !path_goes_as_is(&c->c_req.path)) {
		conn_close(c, "canonical path not sendable as it is");
		return;
	}
	if (c->c_ubev != NULL && !c->c_ups_reusable)
		fwd_upstream_close(c);
	release_rewrite(r);
	memset(r, 0, sizeof(*r));
	llhttp_init(&r->parser, HTTP_RESPONSE,
	    (pol_ep_flags(c->c_req.endpoint) & POL_EPF_HIJACK) ? &resp_settings_hijack :
	                                                         &resp_settings);
	r->parser.data = c;
	r->is_head = sw_str_eq_lit(&c->c_req.method, "HEAD");
	/* The events stream is rewritten as it flows (stream_lines.c), never held. */
	filter = conn_own_filter(c);
	r->must_filter = filter != OWN_FILTER_NONE && filter != OWN_FILTER_EVENTS;
	if (r->must_filter || (c->c_insp != NULL && c->c_insp->n_warnings > 0 &&
	                          has_warnings_field(c->c_req.endpoint))) {
		r->held = evbuffer_new();
		r->body = evbuffer_new();
		r->rewrite = r->held != NULL && r->body != NULL;
		if (r->must_filter && !r->rewrite) {
			conn_close(c, "out of memory");
			return;
		}
	}
	conn_set_state(c, CONN_FORWARD);
	if (c->c_ubev == NULL && upstream_connect(c) == -1)
		return; /* already answered with a 502 */
	c->c_ups_reusable = true;
	if (add_request_head(c, sock_output(c->c_ubev)) == -1)
		conn_close(c, "out of memory");
}

/*
 * A body byte that was not queued would leave the daemon reading the next
 * request's bytes as this one's: the connection cannot go on.
 */
void
fwd_body(struct conn *c, const char *p, size_t n)
{
	if (!conn_own_build_body(c, p, n))
		fwd_body_out(c, p, n);
}

void
fwd_body_out(struct conn *c, const char *p, size_t n)
{
	struct evbuffer *out;
	bool queued;

	if (c->c_ubev == NULL || n == 0 || c->c_body != NULL)
		return;
	out = sock_output(c->c_ubev);
	if (c->c_hreq.chunked)
		queued = evbuffer_add_printf(out, "%zx\r\n", n) != -1 &&
		         evbuffer_add(out, p, n) == 0 && evbuffer_add(out, "\r\n", 2) == 0;
	else
		queued = evbuffer_add(out, p, n) == 0;
	if (!queued)
		conn_close(c, "out of memory");
}

void
fwd_request_done(struct conn *c)
{
	if (!conn_own_build_end(c))
		fwd_body_end(c);
}

void
fwd_body_end(struct conn *c)
{
	if (c->c_ubev != NULL && c->c_hreq.chunked && c->c_body == NULL &&
	    evbuffer_add(sock_output(c->c_ubev), "0\r\n\r\n", 5) == -1)
		conn_close(c, "out of memory");
}

void
fwd_client_eof(struct conn *c)
{
	/*
	 * The daemon reacts to a direct client's close (it ends event and log
	 * streams); pass it on once the request has been written up.
	 */
	if (c->c_ubev == NULL || c->c_ups_shut)
		return;
	c->c_ups_reusable = false;
	/* A build context's end still held: its EOF follows it (ups_writecb()). */
	if (evbuffer_get_length(sock_output(c->c_ubev)) == 0 && !c->c_ups_connecting &&
	    !conn_own_build_unsent(c)) {
		sock_shutdown_write(c->c_ubev);
		c->c_ups_shut = true;
	} else {
		c->c_ups_eof_pending = true;
	}
}

/* ---- the response coming down ------------------------------------------------ */

/* Give up rewriting: pass on what was held, as it came. */
static void
stop_rewrite(struct conn *c)
{
	struct conn_resp *r = &c->c_resp;

	if (!r->rewrite)
		return;
	c->c_audit.bytes_out += evbuffer_get_length(r->held);
	r->bytes_sent = r->bytes_sent || evbuffer_get_length(r->held) > 0;
	evbuffer_add_buffer(sock_output(c->c_bev), r->held);
	release_rewrite(r);
}

/*
 * The warn-mode findings added to the "Warnings" of a successful create or
 * update answer; NULL when the answer is not the expected JSON object (it
 * then goes out unchanged).
 */
static char *
add_warnings(struct conn *c, const char *body, size_t len, size_t *outlen)
{
	cJSON *j, *w;
	char *json = NULL;
	unsigned i;

	j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j))
		goto out;
	w = cJSON_GetObjectItemCaseSensitive(j, "Warnings");
	if (!cJSON_IsArray(w)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "Warnings");
		w = cJSON_AddArrayToObject(j, "Warnings");
	}
	for (i = 0; w != NULL && i < c->c_insp->n_warnings; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(c->c_insp->warnings[i]));
	if ((json = cJSON_PrintUnformatted(j)) != NULL)
		*outlen = strlen(json);
out:
	cJSON_Delete(j);
	return json;
}

/* An answer that had to be filtered and could not be: the client gets an error instead. */
static void
filter_failed(struct conn *c)
{
	release_rewrite(&c->c_resp);
	c->c_ups_reusable = false;
	fwd_upstream_close(c);
	c->c_audit.note = "answer could not be filtered";
	log_warnx("conn %" PRIu64 ": %s answer could not be filtered for its owner; withheld",
	    c->c_id, pol_ep_name(c->c_req.endpoint));
	conn_respond_error(
	    c, 502, "sockwarden: the daemon's answer could not be filtered; withheld", true);
}

/*
 * A held answer, rewritten: warn-mode findings into a create's Warnings, or
 * an ownership filter (others' objects removed, secrets redacted).  Sent
 * with the daemon's head minus its framing and a new Content-Length.
 * Errors from the daemon and unexpected warnings answers go out unchanged;
 * an answer that must be filtered and cannot be is withheld.
 */
static bool
finish_rewrite(struct conn *c)
{
	struct conn_resp *r = &c->c_resp;
	struct evbuffer *out = sock_output(c->c_bev);
	struct evbuffer_ptr hend = evbuffer_search(r->held, "\r\n\r\n", 4, NULL);
	size_t before = evbuffer_get_length(out), len = 0;
	const char *head, *line, *end;
	const char *body = (const char *)evbuffer_pullup(r->body, -1);
	size_t body_len = evbuffer_get_length(r->body);
	char *json = NULL;
	bool cjson_owned = false;

	if (r->status < 200 || r->status > 299 || hend.pos < 0)
		goto out_unchanged;
	if (r->must_filter) {
		switch (conn_own_filter_body(c, body, body_len, &json, &len)) {
		case -1:
			filter_failed(c);
			return false;
		case -2:
			release_rewrite(r);
			c->c_audit.verdict = "deny";
			c->c_audit.note = "not owned";
			snprintf(c->c_audit.rule, sizeof(c->c_audit.rule), "ownership");
			conn_respond_error(c, 409,
			    "sockwarden: that name belongs to another owner's object; choose another",
			    false);
			return false;
		default:
			break;
		}
		if (json == NULL)
			goto out_unchanged; /* nothing to remove */
	} else {
		if ((json = add_warnings(c, body, body_len, &len)) == NULL)
			goto out_unchanged;
		cjson_owned = true;
	}
	/* The daemon's head without its framing, then new framing and the new body. */
	head = (const char *)evbuffer_pullup(r->held, hend.pos + 2);
	for (line = head; line < head + hend.pos + 2; line = end + 2) {
		end = memchr(line, '\r', (size_t)(head + hend.pos + 2 - line));
		if (end == NULL)
			break;
		if (strncasecmp(line, "content-length:", 15) == 0 ||
		    strncasecmp(line, "transfer-encoding:", 18) == 0)
			continue;
		evbuffer_add(out, line, (size_t)(end - line) + 2);
	}
	/* Docker's JSON encoder ends the body with a newline; so do we. */
	if (len > 0 && json[len - 1] == '\n')
		len--;
	evbuffer_add_printf(out, "Content-Length: %zu\r\n\r\n", len + 1);
	evbuffer_add(out, json, len);
	evbuffer_add(out, "\n", 1);
	c->c_audit.bytes_out += evbuffer_get_length(out) - before;
	r->bytes_sent = true;
	if (cjson_owned)
		cJSON_free(json);
	else
		free(json);
	release_rewrite(r);
	return true;

out_unchanged:
	stop_rewrite(c);
	return true;
}

static void
body_spliced(struct sock *src, int status, uint64_t moved, void *arg)
{
	struct conn *c = arg;

	(void)src;
	c->c_audit.bytes_out += moved;
	if (status != 0) {
		conn_close(c, "daemon closed mid-response");
		return;
	}
	c->c_resp.done = true;
	on_response_done(c);
}

/* The head went out; the body follows by splice, or by copy if a pipe cannot be had. */
static void
splice_body(struct conn *c)
{
	if (sock_pipe_start(c->c_ubev, c->c_bev, c->c_resp.splice_body, body_spliced, c) == 0)
		return;
	c->c_resp.splice_body = 0;
	llhttp_resume(&c->c_resp.parser);
	relay_response(c);
}

/* A message could not be rewritten: the stream was ended cleanly; close after it. */
static void
lines_ended(struct conn *c, struct slines *sl)
{
	log_warnx("conn %" PRIu64 ": %s: %s from the daemon; stream ended", c->c_id,
	    pol_ep_name(c->c_req.endpoint), slines_error(sl));
	c->c_audit.note = "stream ended: a message could not be filtered";
	c->c_ups_reusable = false;
	c->c_close_after = true;
	c->c_resp.done = true;
	on_response_done(c);
}

/*
 * The daemon's answer cannot be parsed: a Docker-style 502 while nothing of
 * it has reached the client, else only a close is honest.
 */
static void
malformed_response(struct conn *c)
{
	log_warnx("conn %" PRIu64 ": malformed response from the daemon: %s", c->c_id,
	    llhttp_get_error_reason(&c->c_resp.parser));
	if (!c->c_resp.bytes_sent)
		upstream_failed(c, "malformed response from the Docker daemon");
	else
		conn_close(c, "malformed response from the daemon");
}

/*
 * llhttp is told that "n" bytes of a chunk passed by splice by running it
 * over a stand-in of that length: in a chunk's data it counts bytes and
 * never reads them.  Were it anywhere else, the zeros would break its
 * framing, and the connection would close.
 */
static char spliced_stand_in[64 * 1024];

static bool
skip_spliced(llhttp_t *p, uint64_t n)
{
	size_t step;

	for (; n > 0; n -= step) {
		step = n < sizeof(spliced_stand_in) ? (size_t)n : sizeof(spliced_stand_in);
		if (llhttp_execute(p, spliced_stand_in, step) != HPE_OK)
			return false;
	}
	return true;
}

/*
 * The pipe's gate (sock_pipe_start_gated()): llhttp reads the bytes that
 * wait on the daemon's socket, up to the end of the next chunk-size line.
 * A long chunk is granted with its line; a short one, or the last, ends the
 * splicing after its line, and the rest is read and copied as usual.  What
 * breaks llhttp's framing is granted nothing.  llhttp is told of a granted
 * chunk only when the gate is asked again, once the pipe took all of it:
 * its counting keeps pace with the bytes, and a size no daemon fills
 * (up to 2^64 - 1) costs nothing.
 */
static uint64_t
gate_chunks(const char *peek, size_t len, bool *last, void *arg)
{
	struct conn *c = arg;
	struct conn_resp *r = &c->c_resp;
	llhttp_errno_t err;
	uint64_t chunk;
	size_t used;

	if (!skip_spliced(&r->parser, r->gate_skip))
		goto broken;
	r->gate_skip = 0;
	if ((err = llhttp_execute(&r->parser, peek, len)) == HPE_OK)
		return len; /* the middle of a size line: take it and look again */
	if (err != HPE_PAUSED)
		goto broken;
	/* Paused after a chunk-size line: the last one's (size 0) is never long. */
	used = (size_t)(llhttp_get_error_pos(&r->parser) - peek);
	chunk = r->parser.content_length;
	llhttp_resume(&r->parser);
	/* A grant that would reach SOCK_PIPE_ALL ("until EOF") or wrap is copied instead. */
	if (!r->chunk_long || chunk >= SOCK_PIPE_ALL - used) {
		*last = true;
		return used;
	}
	r->gate_skip = chunk;
	return used + chunk;

broken:
	r->gate_broken = true;
	*last = true;
	return 0;
}

static void
chunks_spliced(struct sock *src, int status, uint64_t moved, void *arg)
{
	struct conn *c = arg;
	struct conn_resp *r = &c->c_resp;

	(void)src;
	c->c_audit.bytes_out += moved;
	r->gating = false;
	if (r->gate_broken)
		malformed_response(c);
	else if (status != 0)
		conn_close(c, "daemon closed mid-response");
	/*
	 * Else a short chunk, or the last one's CRLF and trailers, follow:
	 * reading resumes and relay_response() takes them.
	 */
}

/*
 * A chunked body whose chunks are long goes by splice from here, from the
 * middle of a chunk or between two.  False when no pipe can be had (a TLS
 * end): the body is copied.
 */
static bool
splice_chunks(struct conn *c)
{
	struct conn_resp *r = &c->c_resp;

	r->gating = true;
	r->gate_skip = r->in_chunk ? r->parser.content_length : 0;
	if (sock_pipe_start_gated(
	        c->c_ubev, c->c_bev, r->gate_skip, gate_chunks, chunks_spliced, c) == 0)
		return true;
	r->gating = false;
	r->gate_skip = 0;
	r->chunk_splice = false;
	return false;
}

static void
relay_response(struct conn *c)
{
	struct evbuffer *in = sock_input(c->c_ubev);
	struct evbuffer *out = sock_output(c->c_bev);
	struct conn_resp *r = &c->c_resp;
	struct slines *sl = conn_own_lines(c);
	struct evbuffer_iovec v;
	llhttp_errno_t err;
	size_t used;

	while (!r->done && !r->hijack && evbuffer_get_length(in) > 0) {
		if (sock_output_above(c->c_bev, SW_SPLICE_HIWAT)) {
			sock_read_disable(c->c_ubev);
			c->c_ups_read_paused = true;
			return;
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		err = llhttp_execute(&r->parser, v.iov_base, v.iov_len);
		if (err != HPE_OK && err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) {
			/* Nothing of this read goes out, not even a head it ends. */
			malformed_response(c);
			return;
		}
		used = err == HPE_OK ?
		           v.iov_len :
		           (size_t)(llhttp_get_error_pos(&r->parser) - (char *)v.iov_base);
		if (used > 0 && r->rewrite) {
			evbuffer_remove_buffer(in, r->held, used);
			if (evbuffer_get_length(r->held) >
			    (r->must_filter ? conn_own_answer_max(c) : SW_REWRITE_MAX)) {
				if (r->must_filter) {
					filter_failed(c);
					return;
				}
				stop_rewrite(c); /* too big to be a create response: relay as is */
			}
		} else if (used > 0 && sl != NULL && slines_in_body(sl)) {
			evbuffer_drain(in, used); /* it went out rewritten, from resp_body() */
		} else if (used > 0) {
			evbuffer_remove_buffer(in, out, used);
			c->c_audit.bytes_out += used;
			/*
			 * Whole interim responses (100 Continue) may still be followed
			 * by an error of ours; part of a response may not.
			 */
			r->bytes_sent =
			    r->bytes_sent || r->head_seen || r->parser.finish != HTTP_FINISH_SAFE;
		}
		if (sl != NULL && slines_error(sl) != NULL) {
			lines_ended(c, sl);
			return;
		}
		if (err == HPE_PAUSED && r->splice_body > 0) {
			splice_body(c);
			return;
		}
		if (err == HPE_PAUSED && sl != NULL && slines_begin_body(sl)) {
			llhttp_resume(&r->parser); /* the head went out as it came */
			continue;
		}
	}
	/* Parsed up to what was read, in a body of long chunks: splice the rest. */
	if (!r->done && !r->hijack && r->chunk_splice && r->chunk_long &&
	    evbuffer_get_length(in) == 0 && splice_chunks(c))
		return;
	if (r->hijack) {
		if (r->must_filter) {
			filter_failed(c);
			return;
		}
		stop_rewrite(c);
		fwd_splice_start(c);
	} else if (r->done) {
		if (r->rewrite && !finish_rewrite(c))
			return;
		on_response_done(c);
	}
}

static void
on_response_done(struct conn *c)
{
	if (!llhttp_should_keep_alive(&c->c_resp.parser)) {
		c->c_ups_reusable = false;
		c->c_close_after = true;
	}
	/* An answer before the whole build context went up: that connection is out of step. */
	if (conn_own_build_unsent(c)) {
		c->c_ups_reusable = false;
		conn_own_cancel(c);
	}
	if (evbuffer_get_length(sock_input(c->c_ubev)) > 0)
		c->c_ups_reusable = false; /* bytes after the response: out of step */
	if (c->c_req_done) {
		conn_exchange_done(c);
		return;
	}
	/*
	 * The daemon answered before the request body was complete (an early
	 * error).  Discard the rest of the body; that connection is out of step.
	 */
	c->c_ups_reusable = false;
	fwd_upstream_close(c);
	conn_discard_body(c);
}

void
fwd_response_resume(struct conn *c)
{
	if (c->c_ubev == NULL || !c->c_ups_read_paused)
		return;
	c->c_ups_read_paused = false;
	sock_read_enable(c->c_ubev);
	/* Bytes already buffered get no new read event: relay them now. */
	relay_response(c);
}

/* ---- the tunnel -------------------------------------------------------------------- */

/*
 * The daemon's side of the tunnel ended: pass the half-close on to the
 * client.  A failure of either end goes to the pipe source's eventcb, not
 * here; the audit line was written at the hijack.
 */
static void
tunnel_down_done(struct sock *src, int status, uint64_t moved, void *arg)
{
	struct conn *c = arg;

	(void)src;
	(void)status;
	(void)moved;
	c->c_ups_eof = true;
	sock_shutdown_write(c->c_bev);
	c->c_client_shut = true;
	splice_check_done(c);
}

/* The client's side of the tunnel ended (stdin EOF): pass it on to the daemon. */
static void
tunnel_up_done(struct sock *src, int status, uint64_t moved, void *arg)
{
	struct conn *c = arg;

	(void)src;
	(void)status;
	(void)moved;
	c->c_client_eof = true;
	sock_shutdown_write(c->c_ubev);
	c->c_ups_shut = true;
	splice_check_done(c);
}

void
fwd_splice_start(struct conn *c)
{
	struct evbuffer *cin = sock_input(c->c_bev);
	struct evbuffer *uin = sock_input(c->c_ubev);

	conn_set_state(c, CONN_SPLICE);
	conn_timer_stop(c); /* no idle timeout once hijacked */
	c->c_audit.note = "hijacked";
	conn_finish_audit(c, NULL); /* the stream that follows is not one request */
	c->c_read_paused = false;
	(void)sock_set_read_max(c->c_bev, 0); /* lifting the ceiling cannot fail */
	/*
	 * Each direction is a splice that ends at its EOF (bytes already read
	 * on either side go first).  Without pipes, fall back to copying.
	 */
	if (sock_pipe_start(c->c_ubev, c->c_bev, SOCK_PIPE_ALL, tunnel_down_done, c) == 0) {
		if (sock_pipe_start(c->c_bev, c->c_ubev, SOCK_PIPE_ALL, tunnel_up_done, c) == 0)
			return;
		conn_close(c, "tunnel: out of pipes");
		return;
	}
	/* Bytes that followed the 101 head, and the client's bytes after its request. */
	evbuffer_add_buffer(sock_output(c->c_bev), uin);
	evbuffer_add_buffer(sock_output(c->c_ubev), cin);
	if (!c->c_client_eof)
		sock_read_enable(c->c_bev);
	else
		fwd_splice_client_eof(c);
}

void
fwd_splice_client_read(struct conn *c)
{
	evbuffer_add_buffer(sock_output(c->c_ubev), sock_input(c->c_bev));
	if (sock_output_above(c->c_ubev, SW_SPLICE_HIWAT)) {
		sock_read_disable(c->c_bev);
		c->c_read_paused = true;
	}
}

void
fwd_splice_client_eof(struct conn *c)
{
	c->c_client_eof = true;
	if (!c->c_ups_shut && evbuffer_get_length(sock_output(c->c_ubev)) == 0) {
		sock_shutdown_write(c->c_ubev);
		c->c_ups_shut = true;
	}
	splice_check_done(c);
}

void
fwd_splice_client_drained(struct conn *c)
{
	size_t queued = evbuffer_get_length(sock_output(c->c_bev));

	if (c->c_ups_eof && !c->c_client_shut && queued == 0) {
		sock_shutdown_write(c->c_bev);
		c->c_client_shut = true;
	}
	if (c->c_ups_read_paused && !c->c_ups_eof && queued <= SW_SPLICE_LOWAT) {
		c->c_ups_read_paused = false;
		sock_read_enable(c->c_ubev);
	}
	splice_check_done(c);
}

/* Both directions have ended: the tunnel is done. */
static void
splice_check_done(struct conn *c)
{
	if (c->c_client_eof && c->c_ups_shut && c->c_ups_eof && c->c_client_shut)
		conn_close(c, "tunnel closed");
}
