/*
 * llhttp callbacks -> struct hreq.  llhttp runs in its default strict mode;
 * its lenient flags are never enabled (they exist to let smuggling through).
 * What strict llhttp 8 still accepts and the daemon's Go server would read
 * differently or reject is refused here: obs-fold, a header name with a
 * space before the colon, control bytes in values, Transfer-Encoding other
 * than exactly "chunked", Transfer-Encoding on HTTP/1.0, duplicate or missing
 * Host, CONNECT and the HTTP/2 preface.
 */
#include "sockwarden/compat.h"

#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

#include "http_req.h"

static struct hreq *
hreq_of(llhttp_t *p)
{
	return p->data;
}

static int
fail(struct hreq *h, int status, const char *msg)
{
	if (h->err_status == 0) {
		h->err_status = status;
		h->err_msg = msg;
	}
	return -1;
}

static int
reserve(struct hreq *h, size_t more)
{
	size_t want = h->len + more, ncap;
	char *nbuf;

	if (want <= h->cap)
		return 0;
	ncap = h->cap ? h->cap : 1024;
	while (ncap < want)
		ncap *= 2;
	if ((nbuf = realloc(h->buf, ncap)) == NULL)
		return -1;
	h->buf = nbuf;
	h->cap = ncap;
	return 0;
}

static int
append(struct hreq *h, const char *at, size_t n)
{
	if (reserve(h, n) == -1)
		return fail(h, 503, "out of memory");
	memcpy(h->buf + h->len, at, n);
	h->len += n;
	return 0;
}

static int
on_message_begin(llhttp_t *p)
{
	struct hreq *h = hreq_of(p);

	h->len = 0;
	h->n_hdrs = 0;
	h->method = h->method_len = 0;
	h->url = h->url_len = 0;
	h->in_head = true;
	h->field_open = h->value_open = false;
	h->chunked = h->has_cl = h->expect_continue = h->upgrade = h->keep_alive = false;
	h->content_length = 0;
	h->n_host = h->n_te = h->n_connection = 0;
	return 0;
}

static int
on_method(llhttp_t *p, const char *at, size_t n)
{
	struct hreq *h = hreq_of(p);

	if (h->method_len == 0)
		h->method = (uint32_t)h->len;
	h->method_len += (uint32_t)n;
	return append(h, at, n);
}

static int
on_url(llhttp_t *p, const char *at, size_t n)
{
	struct hreq *h = hreq_of(p);

	if (h->url_len == 0)
		h->url = (uint32_t)h->len;
	h->url_len += (uint32_t)n;
	return append(h, at, n);
}

static bool
is_tchar(unsigned char c)
{
	/* RFC 9110 5.6.2 token characters. */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')
		return true; /* '-' too, the one other byte of most header names */
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * Trailer fields (after the last chunk) reach the same callbacks.  They are
 * not forwarded, so nothing is kept; but they are bounded like a head, or a
 * client could stream them forever.
 */
static int
count_trailer(struct hreq *h, size_t n)
{
	h->trailer_bytes += n;
	if (h->trailer_bytes > h->limits->max_header_bytes)
		return fail(h, 431, "request trailers too large");
	return 0;
}

static int
on_header_field(llhttp_t *p, const char *at, size_t n)
{
	struct hreq *h = hreq_of(p);
	struct hreq_hdr *hd;

	if (h->headers_done)
		return count_trailer(h, n);
	if (!h->field_open) {
		if (h->n_hdrs >= h->limits->max_headers)
			return fail(h, 431, "too many header fields");
		if (h->n_hdrs == h->cap_hdrs) {
			unsigned ncap = h->cap_hdrs ? h->cap_hdrs * 2 : 16;
			struct hreq_hdr *nh = realloc(h->hdrs, ncap * sizeof(*nh));

			if (nh == NULL)
				return fail(h, 503, "out of memory");
			h->hdrs = nh;
			h->cap_hdrs = ncap;
		}
		hd = &h->hdrs[h->n_hdrs];
		memset(hd, 0, sizeof(*hd));
		hd->name = (uint32_t)h->len;
		h->field_open = true;
	}
	h->hdrs[h->n_hdrs].name_len += (uint32_t)n;
	return append(h, at, n);
}

static int
on_header_field_complete(llhttp_t *p)
{
	struct hreq *h = hreq_of(p);
	const struct hreq_hdr *hd = &h->hdrs[h->n_hdrs];
	uint32_t i;

	if (h->headers_done)
		return 0; /* a trailer: not kept */
	h->field_open = false;
	if (hd->name_len == 0)
		return fail(h, 400, "empty header name");
	for (i = 0; i < hd->name_len; i++)
		if (!is_tchar((unsigned char)h->buf[hd->name + i]))
			return fail(h, 400, "invalid character in header name");
	return 0;
}

static int
on_header_value(llhttp_t *p, const char *at, size_t n)
{
	struct hreq *h = hreq_of(p);
	size_t i;

	if (h->headers_done)
		return count_trailer(h, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)at[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(h, 400, "control character in header value");
	}
	if (!h->value_open) {
		h->hdrs[h->n_hdrs].value = (uint32_t)h->len;
		h->value_open = true;
	}
	h->hdrs[h->n_hdrs].value_len += (uint32_t)n;
	return append(h, at, n);
}

/*
 * Line structure of the head, checked on the raw bytes so that it does not
 * matter how llhttp split them:
 * - obs-fold: a line that starts with SP or HTAB continues the previous header
 *   for Go, while llhttp hands it over as more of the value or (after an
 *   empty value) as the value itself;
 * - a bare LF: llhttp accepts one after the request line, Go anywhere.
 * Returns a reason, or NULL when the bytes are clean.
 */
static const char *
bad_head_lines(const struct hreq *h, const char *p, size_t n)
{
	const char *lf, *start = p, *end = p + n;

	for (; (lf = memchr(p, '\n', (size_t)(end - p))) != NULL; p = lf + 1) {
		char before = lf > start ? lf[-1] : h->prev_byte;

		if (before != '\r')
			return "bare LF in request head";
		if (lf + 1 < end && (lf[1] == ' ' || lf[1] == '\t'))
			return "obsolete line folding in header";
	}
	if (n > 0 && h->prev_byte == '\n' && (start[0] == ' ' || start[0] == '\t'))
		return "obsolete line folding in header";
	return NULL;
}

static struct sw_str
trim_ows(struct sw_str s)
{
	while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

static int
on_header_value_complete(llhttp_t *p)
{
	struct hreq *h = hreq_of(p);
	struct hreq_hdr *hd = &h->hdrs[h->n_hdrs];
	struct sw_str name, value;

	if (h->headers_done)
		return 0; /* a trailer: not kept */
	if (!h->value_open)
		hd->value = (uint32_t)h->len; /* empty value */
	h->value_open = false;
	name = sw_str_make(h->buf + hd->name, hd->name_len);
	value = trim_ows(sw_str_make(h->buf + hd->value, hd->value_len));
	hd->value = (uint32_t)(value.p - h->buf);
	hd->value_len = (uint32_t)value.len;
	h->n_hdrs++;

	if (sw_str_caseeq_lit(&name, "host")) {
		h->n_host++;
	} else if (sw_str_caseeq_lit(&name, "connection")) {
		h->n_connection++;
	} else if (sw_str_caseeq_lit(&name, "transfer-encoding")) {
		/* Go answers 501 to anything but one "chunked"; never guess. */
		h->n_te++;
		if (!sw_str_caseeq_lit(&value, "chunked"))
			return fail(h, 400, "Transfer-Encoding other than chunked");
	} else if (sw_str_caseeq_lit(&name, "expect")) {
		if (!sw_str_caseeq_lit(&value, "100-continue"))
			return fail(h, 417, "unsupported Expect header");
		h->expect_continue = true;
	}
	return 0;
}

static int
on_headers_complete(llhttp_t *p)
{
	struct hreq *h = hreq_of(p);

	h->in_head = false;
	if (p->http_major != 1 || p->http_minor > 1)
		return fail(h, 505, "HTTP version not supported");
	if (p->method == HTTP_CONNECT)
		return fail(h, 400, "CONNECT is not supported");
	if (h->n_host > 1)
		return fail(h, 400, "duplicate Host header");
	if (h->n_host == 0 && p->http_minor == 1)
		return fail(h, 400, "missing Host header");
	if (h->n_te > 1)
		return fail(h, 400, "repeated Transfer-Encoding header");
	/* Go ignores Transfer-Encoding on HTTP/1.0 and frames by Content-Length. */
	if (h->n_te > 0 && p->http_minor == 0)
		return fail(h, 400, "Transfer-Encoding on HTTP/1.0");
	h->chunked = (p->flags & F_CHUNKED) != 0;
	h->has_cl = (p->flags & F_CONTENT_LENGTH) != 0;
	h->content_length = h->has_cl ? p->content_length : 0;
	h->upgrade = p->upgrade != 0;
	h->keep_alive = llhttp_should_keep_alive(p) != 0;
	return HPE_PAUSED;
}

static int
on_body(llhttp_t *p, const char *at, size_t n)
{
	struct hreq *h = hreq_of(p);

	h->on_body(h->owner, at, n);
	return 0;
}

static int
on_message_complete(llhttp_t *p)
{
	/* An upgrade request pauses by itself (HPE_PAUSED_UPGRADE). */
	return p->upgrade ? 0 : HPE_PAUSED;
}

static const llhttp_settings_t hreq_settings = {
	.on_message_begin = on_message_begin,
	.on_method = on_method,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_field_complete = on_header_field_complete,
	.on_header_value = on_header_value,
	.on_header_value_complete = on_header_value_complete,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void
hreq_init(struct hreq *h, const struct sw_limits *limits, hreq_body_fn *body_cb, void *owner)
{
	memset(h, 0, sizeof(*h));
	llhttp_init(&h->parser, HTTP_REQUEST, &hreq_settings);
	h->parser.data = h;
	h->limits = limits;
	h->on_body = body_cb;
	h->owner = owner;
}

void
hreq_release(struct hreq *h)
{
	free(h->buf);
	h->buf = NULL;
	h->len = h->cap = 0;
	free(h->hdrs);
	h->hdrs = NULL;
	h->n_hdrs = h->cap_hdrs = 0;
}

bool
hreq_started(const struct hreq *h)
{
	return h->head_raw > 0 || h->in_head;
}

enum hreq_event
hreq_feed(struct hreq *h, const char *data, size_t len, size_t *consumed)
{
	size_t give = len, used, room;
	llhttp_errno_t err;
	const char *why;

	/* Until the head is complete, offer no more than the head may still take. */
	if (!h->headers_done) {
		room = h->limits->max_header_bytes - h->head_raw;
		if (give > room)
			give = room;
	}
	h->need_kick = false;
	err = llhttp_execute(&h->parser, data, give);
	used = err == HPE_OK ? give : (size_t)(llhttp_get_error_pos(&h->parser) - data);
	*consumed = used;
	if (!h->headers_done) {
		h->head_raw += used;
		if ((why = bad_head_lines(h, data, used)) != NULL) {
			fail(h, 400, why);
			return HREQ_EV_ERROR;
		}
	}
	if (used > 0)
		h->prev_byte = data[used - 1];

	switch (err) {
	case HPE_OK:
		if (!h->headers_done && h->head_raw >= h->limits->max_header_bytes) {
			fail(h, 431, "request head too large");
			return HREQ_EV_ERROR;
		}
		return HREQ_EV_NEED_MORE;
	case HPE_PAUSED:
		llhttp_resume(&h->parser);
		if (!h->headers_done && !h->in_head) {
			h->headers_done = true;
			h->need_kick = true;
			return HREQ_EV_HEAD;
		}
		h->message_done = true;
		return HREQ_EV_DONE;
	case HPE_PAUSED_UPGRADE:
		h->message_done = true;
		return HREQ_EV_UPGRADE_DONE;
	case HPE_PAUSED_H2_UPGRADE:
		fail(h, 400, "HTTP/2 is not supported");
		return HREQ_EV_ERROR;
	case HPE_USER:
		return HREQ_EV_ERROR;
	default:
		fail(h, 400, llhttp_get_error_reason(&h->parser));
		return HREQ_EV_ERROR;
	}
}

void
hreq_next(struct hreq *h)
{
	if (llhttp_get_errno(&h->parser) == HPE_PAUSED_UPGRADE)
		llhttp_resume_after_upgrade(&h->parser);
	h->len = 0;
	h->n_hdrs = 0;
	h->head_raw = 0;
	h->headers_done = false;
	h->message_done = false;
	h->in_head = false;
	h->prev_byte = '\0';
	h->trailer_bytes = 0;
}

struct sw_str
hreq_method(const struct hreq *h)
{
	return sw_str_make(h->buf + h->method, h->method_len);
}

struct sw_str
hreq_target(const struct hreq *h)
{
	return sw_str_make(h->buf + h->url, h->url_len);
}

struct sw_str
hreq_header_name(const struct hreq *h, unsigned i)
{
	return sw_str_make(h->buf + h->hdrs[i].name, h->hdrs[i].name_len);
}

struct sw_str
hreq_header_value(const struct hreq *h, unsigned i)
{
	return sw_str_make(h->buf + h->hdrs[i].value, h->hdrs[i].value_len);
}

struct sw_str
hreq_header(const struct hreq *h, const char *name)
{
	unsigned i;

	for (i = 0; i < h->n_hdrs; i++) {
		struct sw_str n = hreq_header_name(h, i);

		if (sw_str_caseeq_lit(&n, name))
			return hreq_header_value(h, i);
	}
	return SW_STR_NULL;
}

struct sw_str
hreq_forwarded_header(const struct hreq *h, const char *name)
{
	unsigned i;

	for (i = 0; i < h->n_hdrs; i++) {
		struct sw_str n = hreq_header_name(h, i);

		if (sw_str_caseeq_lit(&n, name) && !hreq_is_hop_by_hop(h, &n))
			return hreq_header_value(h, i);
	}
	return SW_STR_NULL;
}

int
hreq_build_req(struct hreq *h, struct sw_req *req, const char **why)
{
	struct sw_str target;
	size_t at;

	/* Room for the decoded path (never longer than the raw target). */
	if (h->url_len >= SW_PATH_MAX) {
		*why = "request target too long";
		return -1;
	}
	if (reserve(h, (size_t)h->url_len + 1) == -1) {
		*why = "out of memory";
		return -1;
	}
	memset(req, 0, sizeof(*req));
	at = h->len;
	target = hreq_target(h);
	req->method = hreq_method(h);
	req->target = target;
	req->http_minor = h->parser.http_minor;
	if (pol_canon_target(&target, h->buf + at, h->cap - at, req, why) == -1)
		return -1;
	return 0;
}

/* Does the comma-separated list "list" contain "name" (ASCII case-insensitive)? */
static bool
list_has_token(struct sw_str list, const struct sw_str *name)
{
	while (list.len > 0) {
		const char *comma = memchr(list.p, ',', list.len);
		size_t n = comma ? (size_t)(comma - list.p) : list.len;
		struct sw_str tok = trim_ows(sw_str_make(list.p, n));

		if (sw_str_caseeq(&tok, name))
			return true;
		if (comma == NULL)
			break;
		list.p += n + 1;
		list.len -= n + 1;
	}
	return false;
}

bool
hreq_is_hop_by_hop(const struct hreq *h, const struct sw_str *name)
{
	/* This runs for every header forwarded: the names carry their lengths. */
	/* clang-format off */
#define HOP_NAMES(X) X("connection") X("keep-alive") X("proxy-connection") \
	X("proxy-authorization") X("te") X("trailer") X("transfer-encoding") X("upgrade") \
	X("content-length")
#define HOP_STR(s) { s, sizeof(s) - 1 },
#define HOP_LENGTH_BIT(s) 1u << (sizeof(s) - 1) |
	/* clang-format on */
	static const struct sw_str fixed[] = { HOP_NAMES(HOP_STR) };
	/* Their lengths as bits (all under 32): most headers are passed over at once. */
	static const uint32_t fixed_lengths = HOP_NAMES(HOP_LENGTH_BIT) 0;
#undef HOP_LENGTH_BIT
#undef HOP_STR
#undef HOP_NAMES
	unsigned i;

	if (name->len < 32 && (fixed_lengths >> name->len & 1u) != 0)
		for (i = 0; i < nitems(fixed); i++)
			if (sw_str_caseeq(name, &fixed[i]))
				return true;
	/* Per forwarded header, so skip the scan in the usual case of no Connection list. */
	if (h->n_connection == 0)
		return false;
	for (i = 0; i < h->n_hdrs; i++) {
		struct sw_str n = hreq_header_name(h, i);

		if (sw_str_caseeq_lit(&n, "connection") &&
		    list_has_token(hreq_header_value(h, i), name))
			return true;
	}
	return false;
}
