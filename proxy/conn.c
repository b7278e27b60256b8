/*
 * The client side of a connection.  Requests are handled one at a time, in
 * order: a pipelined request is not parsed before the previous exchange has
 * finished, so every request on a keep-alive connection is evaluated, and
 * no client byte after a request reaches the daemon unless the daemon's
 * answer made it tunnel data (forward.c).
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "client_limit.h"
#include "conn.h"
#include "conn_own.h"
#include "forward.h"
#include "identity.h"
#include "listener.h"
#include "mono_clock.h"
#include "server.h"
#include "sock.h"

/* How long a closing connection may take to flush its last response. */
#define SW_LINGER_MS 5000

static const char *const state_names[] = {
	[CONN_READ_HEAD] = "read_head",
	[CONN_INSPECT] = "inspect",
	[CONN_FORWARD] = "forward",
	[CONN_RESPOND] = "respond",
	[CONN_SPLICE] = "splice",
	[CONN_CLOSING] = "closing",
	[CONN_IDENTIFY] = "identify",
	[CONN_RESOLVE] = "resolve",
};

static void process_input(struct conn *c);
static void forward(struct conn *c);

void
conn_set_state(struct conn *c, enum conn_state st)
{
	if (c->c_state == st)
		return;
	if (log_get_level() >= LOG_LEVEL_DEBUG)
		log_debug("conn %" PRIu64 ": %s -> %s", c->c_id, state_names[c->c_state],
		    state_names[st]);
	c->c_state = st;
}

static const struct sw_limits *
limits(const struct conn *c)
{
	return &pol_set_config(c->c_ps)->limits;
}

/*
 * Pipelined input waits unparsed; cap it just above what one head may take.
 * Set again when a reload changes the head limit.
 */
static size_t
input_ceiling(const struct conn *c)
{
	return limits(c)->max_header_bytes + SW_MAX_READ;
}

/* Drop what the inspection of the current request kept. */
static void
release_inspection(struct conn *c)
{
	if (c->c_body != NULL) {
		evbuffer_free(c->c_body);
		c->c_body = NULL;
	}
	if (c->c_insp != NULL) {
		pol_inspection_free(c->c_insp);
		free(c->c_insp);
		c->c_insp = NULL;
	}
	c->c_fwd_inspected = false;
	conn_own_release(c);
}

static void
conn_free(struct conn *c)
{
	struct srv *s = c->c_srv;

	TAILQ_REMOVE(&s->conns, c, c_entry);
	s->n_conns--;
	conn_timer_free(c);
	fwd_upstream_close(c);
	sock_free(c->c_bev);
	client_limit_release(s->clients, c->c_client_slot);
	conn_identify_release(c);
	hreq_release(&c->c_hreq);
	release_inspection(c);
	pol_set_unref(c->c_ps);
	free(c);
	srv_conn_gone(s);
}

/* The audit line of the current request, written once. */
void
conn_finish_audit(struct conn *c, const char *note)
{
	if (!c->c_audit.active)
		return;
	if (note != NULL && c->c_audit.note == NULL)
		c->c_audit.note = note;
	if (c->c_audit.verdict == NULL)
		c->c_audit.verdict = "error";
	if (audit_enabled()) /* no clock read for a line nobody writes */
		audit_emit(&c->c_audit, mono_ns());
	c->c_audit.active = false;
}

void
conn_close(struct conn *c, const char *reason)
{
	if (c->c_state == CONN_CLOSING)
		return;
	log_debug("conn %" PRIu64 ": closing: %s", c->c_id, reason);
	conn_own_cancel(c); /* a lookup answered later must not answer again */
	conn_finish_audit(c, reason);
	conn_set_state(c, CONN_CLOSING);
	fwd_upstream_close(c);
	sock_read_disable(c->c_bev);
	/*
	 * Freed from the timer, never from under a caller: flush what is
	 * queued for the client first, but not for longer than the linger time.
	 */
	if (evbuffer_get_length(sock_output(c->c_bev)) == 0)
		conn_timer_set(c, 0);
	else
		conn_timer_set(c, SW_LINGER_MS);
}

/* The client is gone (reset, broken pipe): nothing can be flushed, free at once. */
static void
conn_abort(struct conn *c, const char *reason)
{
	if (c->c_state != CONN_CLOSING)
		conn_close(c, reason);
	evbuffer_drain(sock_output(c->c_bev), (size_t)-1);
	conn_timer_set(c, 0);
}

void
conn_drain(struct conn *c)
{
	c->c_draining = true;
	if (c->c_state == CONN_IDENTIFY ||
	    (c->c_state == CONN_READ_HEAD && !hreq_started(&c->c_hreq)))
		conn_close(c, "shutting down");
}

static void
start_audit(struct conn *c)
{
	struct audit_rec *a = &c->c_audit;

	memset(a, 0, sizeof(*a));
	/* Audit off: the clocks are read for nothing else (the destination never changes). */
	if (audit_enabled()) {
		clock_gettime(CLOCK_REALTIME, &a->start);
		a->start_ns = mono_ns();
	}
	a->listener = c->c_lsn->l_name;
	a->conn = c->c_id;
	a->ident = &c->c_ident;
	a->client_rule = c->c_client_rule; /* "owner" is set by conn_own.c under ownership */
	a->active = true;
}

/*
 * The policy this connection gets under c_ps, and its owner identity:
 * pol_client_choose() picks the first of its listener's client entries that
 * the caller's identity (kernel, certificate, container) satisfies, else
 * the listener's default, and names none for an unidentified caller (whose
 * requests on_head() refuses).  Chosen once identified and again when a
 * reload brings a new set, so never per request.
 */
static void
choose_policy(struct conn *c)
{
	const struct sw_client_cfg *entry;

	c->c_policy = pol_client_choose(pol_set_config(c->c_ps), c->c_lsn->l_index, &c->c_ident,
	    &entry, c->c_client_rule, sizeof(c->c_client_rule));
	pol_owner_of(entry, &c->c_ident, c->c_owner, sizeof(c->c_owner));
}

/*
 * Between requests only: switch to a reloaded policy set (its limits, and
 * the policy the caller's identity chooses in it).  Nothing of the old set
 * may be in use, so never call this while a request is under way.
 */
static void
pick_up_reload(struct conn *c)
{
	struct srv *s = c->c_srv;

	if (c->c_ps == s->ps)
		return;
	pol_set_unref(c->c_ps);
	c->c_ps = pol_set_ref(s->ps);
	c->c_hreq.limits = limits(c);
	/* Without memory for the watch a lower ceiling may need, the old one stays: still a
	 * bound. */
	(void)sock_set_read_max(c->c_bev, input_ceiling(c));
	conn_identify_recheck(c);
	choose_policy(c);
}

/* Wait for the next request: pick up a reloaded policy set, then idle. */
static void
enter_read_head(struct conn *c)
{
	conn_set_state(c, CONN_READ_HEAD);
	pick_up_reload(c);
	conn_timer_set(c, limits(c)->idle_timeout_ms);
}

/*
 * One client (certificate, container, uid or address) may hold only so
 * many connections, so it cannot use up the global limit for the others.
 * Counted once identified: the identity is the key.  Over the limit, the
 * connection gets a 503 and is closed before any request is read.
 */
static bool
count_client(struct conn *c)
{
	unsigned max = limits(c)->max_client_connections, open;
	char key[CLIENT_KEY_MAX], msg[160];

	if (client_limit_key(&c->c_ident, sock_fd(c->c_bev), key, sizeof(key)) == -1)
		return true; /* nothing to count by: the global limit holds */
	if (client_limit_take(c->c_srv->clients, key, max, &c->c_client_slot, &open) == 0)
		return true;
	if (open == 0) {
		conn_close(c, "out of memory");
		return false;
	}
	log_info("listener %s: conn %" PRIu64 ": client %s has %u connections open (limit %u): "
	         "refused",
	    c->c_lsn->l_name, c->c_id, key, open, max);
	snprintf(msg, sizeof(msg),
	    "sockwarden: too many connections from this client (%u open, limit %u)", open, max);
	conn_respond_error(c, 503, msg, true);
	return false;
}

void
conn_identified(struct conn *c)
{
	if (c->c_state != CONN_IDENTIFY)
		return;
	conn_timer_stop(c);
	if (!count_client(c))
		return;
	choose_policy(c);
	enter_read_head(c);
	process_input(c); /* what arrived during the handshake or the lookup */
}

/* Write a JSON string body for a Docker-style error, escaping as JSON requires. */
static size_t
json_message(char *buf, size_t bufsz, const char *msg)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	const char *p;

	o += (size_t)snprintf(buf, bufsz, "{\"message\":\"");
	for (p = msg; *p != '\0' && o + 8 < bufsz; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch < 0x20) {
			memcpy(buf + o, "\\u00", 4);
			buf[o + 4] = hex[ch >> 4];
			buf[o + 5] = hex[ch & 0xf];
			o += 6;
		} else {
			buf[o++] = (char)ch;
		}
	}
	o += (size_t)snprintf(buf + o, bufsz - o, "\"}\n");
	return o < bufsz ? o : bufsz - 1;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 409:
		return "Conflict";
	case 417:
		return "Expectation Failed";
	case 431:
		return "Request Header Fields Too Large";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Error";
	}
}

void
conn_respond_error(struct conn *c, int status, const char *msg, bool close)
{
	struct evbuffer *out = sock_output(c->c_bev);
	char body[1024];
	size_t blen = json_message(body, sizeof(body), msg);
	bool head = sw_str_eq_lit(&c->c_req.method, "HEAD");
	int hlen;

	if (c->c_state == CONN_CLOSING)
		return; /* its answer, if any, is already queued */
	/*
	 * Once response bytes reached the client, an error cannot be inserted
	 * into that response: the only honest answer is to close.
	 */
	if (c->c_state == CONN_FORWARD && c->c_resp.bytes_sent) {
		conn_close(c, msg);
		return;
	}
	/* An unread upgrade or Expect body would be read as the next request. */
	if (c->c_hreq.upgrade || (c->c_hreq.expect_continue && !c->c_req_done))
		close = true;
	hlen = evbuffer_add_printf(out,
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
	    status, status_text(status), blen, close ? "Connection: close\r\n" : "");
	if (!head)
		evbuffer_add(out, body, blen);
	c->c_audit.status = status;
	c->c_audit.bytes_out += (uint64_t)(hlen > 0 ? hlen : 0) + (head ? 0 : blen);
	if (c->c_ubev != NULL && c->c_state == CONN_FORWARD) {
		conn_own_cancel(c);
		fwd_upstream_close(c); /* the exchange with the daemon is abandoned */
	}
	if (close) {
		c->c_close_after = true;
		conn_close(c, msg);
		return;
	}
	if (c->c_req_done) {
		conn_set_state(c, CONN_RESPOND);
		conn_exchange_done(c);
		return;
	}
	conn_discard_body(c);
}

void
conn_discard_body(struct conn *c)
{
	/* A client waiting for 100 Continue will never send the body it announced. */
	if (c->c_hreq.expect_continue) {
		c->c_close_after = true;
		conn_close(c, "request answered before its body was sent");
		return;
	}
	conn_set_state(c, CONN_RESPOND);
	/* The rest of the body is thrown away, but it must keep coming. */
	conn_timer_set(c, limits(c)->head_timeout_ms);
}

void
conn_exchange_done(struct conn *c)
{
	bool more_input;

	conn_finish_audit(c, NULL);
	release_inspection(c);
	hreq_next(&c->c_hreq);
	c->c_req_done = false;
	memset(&c->c_req, 0, sizeof(c->c_req));
	if (c->c_close_after || c->c_draining) {
		conn_close(c, c->c_draining ? "shutting down" : "connection: close");
		return;
	}
	more_input = evbuffer_get_length(sock_input(c->c_bev)) > 0;
	if (c->c_client_eof && !more_input) {
		conn_close(c, "client closed");
		return;
	}
	enter_read_head(c);
	if (more_input && !c->c_parsing)
		process_input(c);
}

/*
 * The first bytes of an upload that must not be compressed have arrived (or
 * the whole, shorter, body): refuse it, or send the request up with them and
 * let the rest stream.
 */
static void
decide_peek(struct conn *c)
{
	struct evbuffer *held = c->c_body;
	size_t n = evbuffer_get_length(held);
	const unsigned char *data = evbuffer_pullup(held, -1);
	char msg[256];

	c->c_peek = false;
	c->c_body = NULL; /* from here the body streams: see fwd_body() */
	conn_timer_stop(c);
	if (pol_upload_is_compressed(data, n)) {
		evbuffer_free(held);
		c->c_audit.verdict = "deny";
		snprintf(c->c_audit.rule, sizeof(c->c_audit.rule), "archive");
		snprintf(msg, sizeof(msg),
		    "sockwarden: compressed archive uploads are refused; send a plain tar (policy %s, rule archive)",
		    pol_set_policy_name(c->c_ps, c->c_policy));
		conn_respond_error(c, 403, msg, false);
		return;
	}
	forward(c);
	if (c->c_state == CONN_FORWARD) {
		fwd_body(c, (const char *)data, n);
		if (c->c_req_done)
			fwd_request_done(c);
	}
	evbuffer_free(held);
}

/* hreq body callback: forward (re-framed) or discard, counting either way. */
static void
on_body(void *owner, const char *p, size_t n)
{
	struct conn *c = owner;

	c->c_audit.bytes_in += n;
	if (c->c_state == CONN_FORWARD) {
		fwd_body(c, p, n);
	} else if (c->c_state == CONN_INSPECT && c->c_peek) {
		evbuffer_add(c->c_body, p, n);
		if (evbuffer_get_length(c->c_body) >= POL_UPLOAD_PEEK)
			decide_peek(c);
	} else if (c->c_state == CONN_INSPECT) {
		if (evbuffer_get_length(c->c_body) + n > limits(c)->max_body_bytes) {
			c->c_audit.verdict = "deny";
			conn_respond_error(c, 413,
			    "sockwarden: request body larger than limits.max_body_bytes", true);
			return;
		}
		evbuffer_add(c->c_body, p, n);
	}
}

static void
deny(struct conn *c, int status, const char *msg)
{
	c->c_audit.verdict = "deny";
	conn_respond_error(c, status, msg, !c->c_hreq.keep_alive);
}

void
conn_deny(struct conn *c, int status, const char *msg)
{
	deny(c, status, msg);
	if (c->c_state != CONN_CLOSING && !c->c_parsing)
		process_input(c); /* the rest of the body is discarded */
}

/* Allowed by the inspection, or by the endpoint list alone: send it up. */
static void
forward(struct conn *c)
{
	c->c_audit.verdict = "allow";
	if (!c->c_hreq.keep_alive)
		c->c_close_after = true;
	fwd_start(c);
}

void
conn_forward(struct conn *c)
{
	forward(c);
	/* The body was complete before the check began; send its end, as inspection does. */
	if (c->c_state == CONN_FORWARD && c->c_req_done)
		fwd_request_done(c);
}

bool
conn_inspected_body(struct conn *c, struct sw_str *body)
{
	if (c->c_insp != NULL && c->c_fwd_inspected) {
		*body = sw_str_make(c->c_insp->body, c->c_insp->body_len);
		return true;
	}
	if (c->c_body == NULL)
		return false;
	*body = sw_str_make(
	    (const char *)evbuffer_pullup(c->c_body, -1), evbuffer_get_length(c->c_body));
	return true;
}

/* From "rule:mode field; ...", the rule of the first finding in enforce mode. */
static void
name_enforced_rule(const char *findings, char *rule, size_t rulesz)
{
	const char *at = strstr(findings, ":enforce"), *start;

	if (at == NULL)
		return;
	for (start = at; start > findings && start[-1] != ' ' && start[-1] != ';'; start--)
		;
	snprintf(rule, rulesz, "%.*s", (int)(at - start), start);
}

/*
 * Run the inspection of the current request ("body" is empty for query-only
 * endpoints) and record it in the audit line.  Returns true when allowed;
 * otherwise the refusal has been sent.
 */
static bool
run_inspection(struct conn *c, const struct sw_str *body)
{
	/* Only what goes upstream counts: a Content-Type named in Connection is not sent. */
	struct sw_str ctype = hreq_forwarded_header(&c->c_hreq, "content-type");
	struct pol_inspection *in;

	if ((in = c->c_insp = calloc(1, sizeof(*c->c_insp))) == NULL) {
		conn_close(c, "out of memory");
		return false;
	}
	pol_inspect(c->c_ps, c->c_policy, &c->c_req, &c->c_srv->daemon, &ctype, body, in);
	pol_decision_rule(c->c_ps, &in->decision, c->c_audit.rule, sizeof(c->c_audit.rule));
	c->c_audit.findings = in->findings[0] ? in->findings : NULL;
	if (in->decision.verdict == POL_ALLOW)
		return true;
	/* A body finding decided: name its rule ("bind_mounts"), as the message does. */
	if (in->status == 403)
		name_enforced_rule(in->findings, c->c_audit.rule, sizeof(c->c_audit.rule));
	c->c_audit.verdict = "deny";
	conn_respond_error(c, in->status ? in->status : 403,
	    in->message[0] ? in->message : "sockwarden: request refused", false);
	return false;
}

/*
 * Keep the request body (or its first bytes) before anything goes up:
 * bounded by the head's time limit, and asked for ourselves when the client
 * waits for 100 Continue.
 */
static void
hold_body(struct conn *c)
{
	if ((c->c_body = evbuffer_new()) == NULL) {
		conn_close(c, "out of memory");
		return;
	}
	conn_set_state(c, CONN_INSPECT);
	conn_timer_set(c, limits(c)->head_timeout_ms);
	if (c->c_hreq.expect_continue)
		evbuffer_add(sock_output(c->c_bev), "HTTP/1.1 100 Continue\r\n\r\n", 25);
}

/* Uploads: the query decides; an archive may also need its first bytes checked. */
static void
inspect_upload(struct conn *c)
{
	struct sw_str none = SW_STR_NULL;

	if (!run_inspection(c, &none))
		return;
	if (!c->c_insp->refuse_compressed ||
	    (!c->c_hreq.chunked && c->c_hreq.content_length == 0)) {
		forward(c);
		return;
	}
	c->c_peek = true;
	hold_body(c);
}

/* The body is complete: inspect it, then forward or refuse. */
static void
inspect_buffered(struct conn *c)
{
	size_t len = evbuffer_get_length(c->c_body);
	struct sw_str body = sw_str_make((const char *)evbuffer_pullup(c->c_body, -1), len);

	if (!run_inspection(c, &body))
		return;
	c->c_fwd_inspected = c->c_insp->body != NULL;
	if (conn_own_after_body(c))
		return;
	forward(c);
}

static void
start_inspection(struct conn *c)
{
	unsigned flags = pol_ep_flags(c->c_req.endpoint);
	struct hreq *h = &c->c_hreq;

	/* Uploads (build contexts, tars) stream through; only their query is inspected. */
	if (flags & POL_EPF_UPLOAD) {
		inspect_upload(c);
		return;
	}
	if (h->has_cl && h->content_length > limits(c)->max_body_bytes) {
		c->c_audit.verdict = "deny";
		conn_respond_error(
		    c, 413, "sockwarden: request body larger than limits.max_body_bytes", true);
		return;
	}
	/* Inspected bodies are small JSON: the head's time limit covers them too. */
	hold_body(c);
}

/* A caller that must be identified and could not be: 503 and close, no policy consulted. */
static void
refuse_unidentified(struct conn *c)
{
	char msg[256];

	c->c_req.method = hreq_method(&c->c_hreq); /* a HEAD gets no body */
	c->c_audit.method = c->c_req.method;
	c->c_audit.target = hreq_target(&c->c_hreq);
	c->c_audit.verdict = "deny";
	c->c_audit.note = c->c_ident.unidentified;
	snprintf(c->c_audit.rule, sizeof(c->c_audit.rule), "identity");
	snprintf(msg, sizeof(msg), "sockwarden: %s", c->c_ident.unidentified);
	conn_respond_error(c, 503, msg, true);
}

/* The request head is complete and well-formed: route, decide, act. */
static void
on_head(struct conn *c)
{
	struct hreq *h = &c->c_hreq;
	struct sw_req *req = &c->c_req;
	struct pol_decision d;
	char msg[512];
	const char *why;

	conn_timer_stop(c);
	if (c->c_ident.unidentified[0] != '\0') {
		refuse_unidentified(c);
		return;
	}
	if (hreq_build_req(h, req, &why) == -1 || pol_query_check(&req->query, &why) == -1) {
		req->method = hreq_method(h);
		req->target = hreq_target(h);
		c->c_audit.method = req->method;
		c->c_audit.target = req->target;
		snprintf(c->c_audit.rule, sizeof(c->c_audit.rule), "canonical path");
		snprintf(msg, sizeof(msg), "sockwarden: refused request target: %s", why);
		deny(c, 400, msg);
		return;
	}
	req->endpoint = pol_ep_match(&req->method, &req->path, &req->ref);
	c->c_audit.method = req->method;
	c->c_audit.target = req->target;
	c->c_audit.path = req->path;
	c->c_audit.api = req->version;
	c->c_audit.endpoint = pol_ep_name(req->endpoint);
	c->c_audit.policy = pol_set_policy_name(c->c_ps, c->c_policy);
	if (audit_backlogged()) {
		deny(c, 503, "sockwarden: the audit log is not keeping up; try again later");
		return;
	}
	pol_eval(c->c_ps, c->c_policy, req, &d);
	pol_decision_rule(c->c_ps, &d, c->c_audit.rule, sizeof(c->c_audit.rule));
	if (d.verdict != POL_ALLOW && d.verdict != POL_NEED_BODY) {
		pol_decision_message(c->c_ps, req, &d, msg, sizeof(msg));
		deny(c, 403, msg);
		return;
	}
	if (conn_own_head(c, d.verdict == POL_NEED_BODY))
		return;
	conn_proceed(c, d.verdict == POL_NEED_BODY);
}

void
conn_proceed(struct conn *c, bool need_body)
{
	if (need_body) {
		start_inspection(c);
	} else {
		forward(c);
	}
	/* After a lookup, the body (or the next bytes) waited unparsed. */
	if (!c->c_parsing && c->c_state != CONN_CLOSING)
		process_input(c);
}

static void
on_request_done(struct conn *c)
{
	c->c_req_done = true;
	switch (c->c_state) {
	case CONN_FORWARD:
		fwd_request_done(c);
		if (c->c_resp.done)
			conn_exchange_done(c);
		/*
		 * Otherwise wait for the response.  After an upgrade request the
		 * parser stays paused: what follows is tunnel data if the daemon
		 * answers 101, the next request if it does not.
		 */
		break;
	case CONN_RESPOND:
		conn_exchange_done(c);
		break;
	case CONN_INSPECT:
		conn_timer_stop(c);
		if (c->c_peek) {
			decide_peek(c); /* a body shorter than the peek */
			break;
		}
		inspect_buffered(c);
		/* Forwarding starts with the whole request in hand. */
		if (c->c_state == CONN_FORWARD)
			fwd_request_done(c);
		break;
	default:
		break;
	}
}

static bool
may_parse(const struct conn *c)
{
	switch (c->c_state) {
	case CONN_READ_HEAD:
		return true;
	case CONN_FORWARD:
		/* A build context held while its images are checked: the rest waits. */
		return !c->c_req_done && !conn_own_build_holding(c);
	case CONN_INSPECT:
	case CONN_RESPOND:
		return !c->c_req_done;
	default:
		return false;
	}
}

static void
process_input(struct conn *c)
{
	struct evbuffer *in = sock_input(c->c_bev);
	static char no_input[1];
	struct evbuffer_iovec v;
	enum hreq_event ev;
	size_t used;

	c->c_parsing = true;
	while (may_parse(c) && (evbuffer_get_length(in) > 0 || c->c_hreq.need_kick)) {
		/* Back-pressure: stop reading while the other side is full. */
		if (c->c_state == CONN_READ_HEAD && sock_output_above(c->c_bev, SW_SPLICE_HIWAT))
			goto pause_reading;
		if (c->c_state == CONN_FORWARD && c->c_ubev != NULL &&
		    sock_output_above(c->c_ubev, SW_SPLICE_HIWAT))
			goto pause_reading;
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1) {
			v.iov_base = no_input;
			v.iov_len = 0;
		}
		if (c->c_state == CONN_READ_HEAD && !hreq_started(&c->c_hreq)) {
			/* A reload while the connection sat idle applies from this request. */
			pick_up_reload(c);
			start_audit(c);
			conn_timer_set(c, limits(c)->head_timeout_ms);
		}
		ev = hreq_feed(&c->c_hreq, v.iov_base, v.iov_len, &used);
		evbuffer_drain(in, used);
		switch (ev) {
		case HREQ_EV_NEED_MORE:
			break;
		case HREQ_EV_HEAD:
			on_head(c);
			break;
		case HREQ_EV_DONE:
		case HREQ_EV_UPGRADE_DONE:
			on_request_done(c);
			break;
		case HREQ_EV_ERROR: {
			char msg[256];

			c->c_audit.method = hreq_method(&c->c_hreq);
			c->c_audit.verdict = "error";
			snprintf(msg, sizeof(msg), "sockwarden: malformed request: %s",
			    c->c_hreq.err_msg ? c->c_hreq.err_msg : "bad HTTP");
			conn_respond_error(
			    c, c->c_hreq.err_status ? c->c_hreq.err_status : 400, msg, true);
			break;
		}
		}
	}
	c->c_parsing = false;
	return;

pause_reading:
	sock_read_disable(c->c_bev);
	c->c_read_paused = true;
	c->c_parsing = false;
}

void
conn_resume_parsing(struct conn *c)
{
	if (c->c_state != CONN_CLOSING && !c->c_parsing)
		process_input(c);
}

void
conn_client_readable(struct conn *c)
{
	if (!c->c_read_paused || c->c_state == CONN_CLOSING)
		return;
	c->c_read_paused = false;
	if (!c->c_client_eof)
		sock_read_enable(c->c_bev);
	process_input(c);
}

static void
client_readcb(struct sock *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	switch (c->c_state) {
	case CONN_SPLICE:
		fwd_splice_client_read(c);
		break;
	case CONN_CLOSING:
		evbuffer_drain(sock_input(c->c_bev), (size_t)-1);
		break;
	default:
		process_input(c);
		break;
	}
}

static void
client_writecb(struct sock *bev, void *arg)
{
	struct conn *c = arg;
	size_t queued = evbuffer_get_length(sock_output(bev));

	switch (c->c_state) {
	case CONN_CLOSING:
		if (queued == 0)
			conn_timer_set(c, 0);
		break;
	case CONN_SPLICE:
		fwd_splice_client_drained(c);
		break;
	case CONN_FORWARD:
		fwd_response_resume(c);
		break;
	default:
		conn_client_readable(c);
		break;
	}
}

static void
client_eventcb(struct sock *bev, int what, void *arg)
{
	struct conn *c = arg;
	bool pending = evbuffer_get_length(sock_input(bev)) > 0;

	if ((what & SOCK_ERROR) && c->c_tls_pending) {
		log_info("listener %s: conn %" PRIu64 ": TLS handshake failed: %s",
		    c->c_lsn->l_name, c->c_id, sock_tls_error(bev));
		conn_abort(c, "TLS handshake failed");
		return;
	}
	if (what & SOCK_ERROR) {
		conn_abort(c, errno ? strerror(errno) : "client error");
		return;
	}
	if (what & SOCK_TLS_DONE) {
		conn_identify_tls_done(c);
		return;
	}
	if (!(what & SOCK_EOF))
		return;
	c->c_client_eof = true;
	switch (c->c_state) {
	case CONN_IDENTIFY:
		conn_close(c, c->c_tls_pending ? "client closed during the TLS handshake" :
		                                 "client closed before it was identified");
		break;
	case CONN_READ_HEAD:
		if (pending)
			process_input(c);
		else
			conn_close(c, hreq_started(&c->c_hreq) ? "client closed mid-request" :
			                                         "client closed");
		break;
	case CONN_FORWARD:
		/* A held build context: the rest is parsed once checked (own_build_passed()). */
		if (!c->c_req_done && pending && conn_own_build_holding(c))
			break;
		if (!c->c_req_done) {
			conn_close(c, "client closed mid-request");
			break;
		}
		/* Tell the daemon, as a direct client's close would. */
		fwd_client_eof(c);
		break;
	case CONN_INSPECT:
	case CONN_RESPOND:
	case CONN_RESOLVE:
		if (!c->c_req_done)
			conn_close(c, "client closed mid-request");
		break;
	case CONN_SPLICE:
		fwd_splice_client_eof(c);
		break;
	case CONN_CLOSING:
		break;
	}
}

void
conn_timeout(struct conn *c)
{
	switch (c->c_state) {
	case CONN_CLOSING:
		conn_free(c);
		break;
	case CONN_IDENTIFY:
		if (conn_identify_timeout(c))
			break;
		if (c->c_tls_pending)
			log_info("listener %s: conn %" PRIu64 ": TLS handshake timed out",
			    c->c_lsn->l_name, c->c_id);
		conn_close(
		    c, c->c_tls_pending ? "TLS handshake timeout" : "identification timeout");
		break;
	case CONN_READ_HEAD:
		if (hreq_started(&c->c_hreq)) {
			c->c_audit.verdict = "error";
			conn_respond_error(
			    c, 408, "sockwarden: request head not received in time", true);
		} else {
			conn_close(c, "idle timeout");
		}
		break;
	case CONN_INSPECT:
		c->c_audit.verdict = "error";
		conn_respond_error(c, 408, "sockwarden: request body not received in time", true);
		break;
	case CONN_RESPOND:
		conn_close(c, "request body not received in time");
		break;
	case CONN_FORWARD:
		/* The only timer while forwarding is the upstream connect timeout. */
		if (c->c_ups_connecting) {
			c->c_audit.note = "upstream connect timeout";
			conn_respond_error(
			    c, 502, "sockwarden: timed out connecting to the Docker daemon", false);
		}
		break;
	default:
		break;
	}
}

struct conn *
conn_new(struct srv *srv, struct lsn *lsn, int fd)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	c->c_bev = sock_new(srv->base, fd, client_readcb, client_writecb, client_eventcb, c);
	if (c->c_bev == NULL) {
		close(fd);
		free(c);
		return NULL;
	}
	c->c_srv = srv;
	c->c_lsn = lsn;
	c->c_id = ++srv->next_conn_id;
	c->c_ps = pol_set_ref(srv->ps);
	/* Nothing was read yet, so the ceiling cannot fail (sock.h). */
	(void)sock_set_read_max(c->c_bev, input_ceiling(c));
	hreq_init(&c->c_hreq, limits(c), on_body, c);
	conn_timer_init(c, srv->base);
	sock_set_write_lowat(c->c_bev, SW_SPLICE_LOWAT);
	/* Uploads (build contexts, archives, image loads) read into reserved space once they
	 * stream. */
	sock_set_read_size(c->c_bev, SW_MAX_READ);
	TAILQ_INSERT_TAIL(&srv->conns, c, c_entry);
	srv->n_conns++;
	c->c_state = CONN_IDENTIFY;
	/* The handshake and the container lookup share the request head's time limit. */
	conn_timer_set(c, limits(c)->head_timeout_ms);
	if (conn_identify_start(c, fd) == -1)
		conn_close(c, "cannot identify the caller");
	return c;
}
