/*
 * proxy/http_req.c driven with byte strings: every framing rule that keeps
 * the proxy and the daemon reading the same request.  Each row is fed whole
 * and then one byte at a time, which must give the same result (chunk
 * boundaries must not change a verdict).
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "http_req.h"

struct run {
	char events[64]; /* H = head, D = done, U = upgrade done, E = error */
	char body[256];
	size_t body_len;
	int status;
	size_t left; /* bytes not consumed when the run stopped */
	struct hreq h;
};

static void
collect_body(void *owner, const char *p, size_t n)
{
	struct run *r = owner;

	if (r->body_len + n < sizeof(r->body)) {
		memcpy(r->body + r->body_len, p, n);
		r->body_len += n;
	}
}

/* Feed "in" in pieces of "step" bytes (0: whole), as the connection does. */
static void
run_parser(struct run *r, const struct sw_limits *lim, const char *in, size_t len, size_t step)
{
	size_t off = 0, used, e = 0;
	enum hreq_event ev;

	memset(r, 0, sizeof(*r));
	hreq_init(&r->h, lim, collect_body, r);
	while (off < len || r->h.need_kick) {
		size_t n = len - off;

		if (step != 0 && n > step)
			n = step;
		ev = hreq_feed(&r->h, in + off, n, &used);
		off += used;
		if (ev == HREQ_EV_NEED_MORE) {
			if (used == 0 && n == 0)
				break;
			continue;
		}
		r->events[e++] = "NHDUE"[ev];
		if (ev == HREQ_EV_ERROR) {
			r->status = r->h.err_status;
			break;
		}
		if (ev == HREQ_EV_UPGRADE_DONE)
			break;
		if (ev == HREQ_EV_DONE)
			hreq_next(&r->h);
	}
	r->left = len - off;
}

struct http_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want_events;
	int want_status;
	const char *want_body;
};

#define GOOD(n, in, ev, body)         \
	{                             \
		n, in, 0, ev, 0, body \
	}
/* Refused while parsing the head: no head event, only the error. */
#define BADH(n, in, st)                 \
	{                               \
		n, in, 0, "E", st, NULL \
	}

static struct http_case cases[] = {
	GOOD("simple GET", "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n", "HD", ""),
	GOOD("HTTP/1.0 without Host", "GET /_ping HTTP/1.0\r\n\r\n", "HD", ""),
	GOOD("Content-Length body", "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nhello",
	    "HD", "hello"),
	GOOD("chunked body",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
	    "HD", "hello"),
	GOOD("chunk extension ignored",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5;x=y\r\nhello\r\n0\r\n\r\n",
	    "HD", "hello"),
	GOOD("TE chunked any case",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", "HD", ""),
	GOOD("pipelined pair",
	    "GET /a HTTP/1.1\r\nHost: d\r\n\r\nGET /b HTTP/1.1\r\nHost: d\r\n\r\n", "HDHD", ""),
	GOOD("keep-alive body then request",
	    "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}"
	    "GET /b HTTP/1.1\r\nHost: d\r\n\r\n",
	    "HDHD", "{}"),
	GOOD("upgrade stops parsing",
	    "POST /exec/x/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\n"
	    "Upgrade: tcp\r\nContent-Length: 2\r\n\r\n{}RAWBYTES",
	    "HU", "{}"),
	GOOD("Expect 100-continue",
	    "POST /a HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\n"
	    "Content-Length: 1\r\n\r\nx",
	    "HD", "x"),
	GOOD("high bytes in value", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: caf\xc3\xa9\r\n\r\n", "HD",
	    ""),
	GOOD("empty Host value (20.10 CLI)", "POST /a HTTP/1.1\r\nHost: \r\nX-A: b\r\n\r\n", "HD",
	    ""),
	GOOD("empty value without space", "GET /a HTTP/1.1\r\nHost: d\r\nX-A:\r\nX-B: c\r\n\r\n",
	    "HD", ""),
	GOOD("body starting with space",
	    "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\n\r\n  x", "HD", "  x"),
	BADH("obs-fold after empty value", "GET /a HTTP/1.1\r\nHost: d\r\nX-A:\r\n b\r\n\r\n", 400),
	BADH("obs-fold tab after empty value", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: \r\n\tb\r\n\r\n",
	    400),
	BADH("obs-fold whitespace only", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: b\r\n \r\n\r\n", 400),
	BADH("obs-fold TE after empty",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
	BADH("obs-fold", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: a\r\n b\r\n\r\n", 400),
	BADH("obs-fold hides Content-Length",
	    "POST /a HTTP/1.1\r\nHost: d\r\nX-Pad: a\r\n Content-Length: 3\r\n\r\nabc", 400),
	BADH("obs-fold with tab", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: a\r\n\tb\r\n\r\n", 400),
	BADH("space before colon", "GET /a HTTP/1.1\r\nHost : d\r\n\r\n", 400),
	{ "NUL in value", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: a\0b\r\n\r\n",
	    sizeof("GET /a HTTP/1.1\r\nHost: d\r\nX-A: a\0b\r\n\r\n") - 1, "E", 400, NULL },
	BADH("DEL in value", "GET /a HTTP/1.1\r\nHost: d\r\nX-A: a\x7f\r\n\r\n", 400),
	BADH("TE gzip, chunked",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
	    400),
	BADH("TE chunked, identity",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
	BADH("TE identity", "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: identity\r\n\r\nabc",
	    400),
	BADH("TE xchunked", "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: xchunked\r\n\r\n",
	    400),
	BADH("two TE headers",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    400),
	BADH("CL and TE",
	    "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400),
	BADH("TE and CL",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
	    400),
	BADH("two CL same value",
	    "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	    400),
	BADH("two CL different",
	    "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
	    400),
	BADH("CL list", "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
	BADH("CL plus sign", "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: +3\r\n\r\nabc", 400),
	BADH("CL negative", "POST /a HTTP/1.1\r\nHost: d\r\nContent-Length: -1\r\n\r\n", 400),
	BADH("TE on HTTP/1.0", "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    400),
	BADH("two Host", "GET /a HTTP/1.1\r\nHost: d\r\nHost: e\r\n\r\n", 400),
	BADH("no Host on 1.1", "GET /a HTTP/1.1\r\nX-A: b\r\n\r\n", 400),
	BADH("bare LF line ends", "GET /a HTTP/1.1\nHost: d\n\n", 400),
	BADH("bare LF after header", "GET /a HTTP/1.1\r\nHost: d\nX-A: b\r\n\r\n", 400),
	BADH("bare LF after request line", "GET /_ping HTTP/1.1\nHost: d\r\n\r\n", 400),
	BADH("bare LF ending the head", "GET /_ping HTTP/1.1\r\nHost: d\r\n\n", 400),
	BADH("bare CR", "GET /a HTTP/1.1\r\nHost: d\rX-A: b\r\n\r\n", 400),
	BADH("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
	BADH("CONNECT", "CONNECT d:80 HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	BADH("HTTP/1.2", "GET /a HTTP/1.2\r\nHost: d\r\n\r\n", 400),
	BADH("lower-case version", "GET /a http/1.1\r\nHost: d\r\n\r\n", 400),
	BADH("tab after method", "GET\t/a HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	BADH("lower-case method", "get /a HTTP/1.1\r\nHost: d\r\n\r\n", 400),
	BADH("Expect other", "POST /a HTTP/1.1\r\nHost: d\r\nExpect: 200-ok\r\n\r\n", 417),
	{ "chunk size junk",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n",
	    0, "HE", 400, NULL },
	{ "chunk size overflow",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffff\r\nabc\r\n",
	    0, "HE", 400, NULL },
	{ "chunk data too long",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabcd\r\n0\r\n\r\n",
	    0, "HE", 400, NULL },
	/* Trailers are dropped (nothing forwards them) and bounded like a head. */
	GOOD("chunked trailer dropped",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1\r\nx\r\n0\r\nX-T: v\r\n\r\n",
	    "HD", "x"),
	{ "junk instead of CRLF after chunk data",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
	    0, "HE", 400, NULL },
	{ "chunk bare LF",
	    "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
	    0, "HE", 400, NULL },
};

static const struct sw_limits default_limits = {
	.max_header_bytes = 8192,
	.max_headers = 20,
	.max_body_bytes = 1 << 20,
	.max_connections = 10,
	.head_timeout_ms = 1000,
	.idle_timeout_ms = 1000,
	.upstream_connect_ms = 1000,
	.shutdown_timeout_ms = 1000,
};

static void
check_case(const struct http_case *c, size_t step)
{
	size_t len = c->len ? c->len : strlen(c->in);
	struct run r;

	run_parser(&r, &default_limits, c->in, len, step);
	if (strcmp(r.events, c->want_events) != 0 || r.status != c->want_status)
		fail_msg("case \"%s\" (step %zu): events \"%s\" status %d, want \"%s\" status %d "
		         "(reason %s)",
		    c->name, step, r.events, r.status, c->want_events, c->want_status,
		    r.h.err_msg ? r.h.err_msg : "-");
	if (c->want_body != NULL &&
	    (r.body_len != strlen(c->want_body) || memcmp(r.body, c->want_body, r.body_len) != 0))
		fail_msg("case \"%s\" (step %zu): body \"%.*s\", want \"%s\"", c->name, step,
		    (int)r.body_len, r.body, c->want_body);
	hreq_release(&r.h);
}

static void
test_http_req_row(void **state)
{
	const struct http_case *c = *state;

	check_case(c, 0);
	check_case(c, 1);
	check_case(c, 7);
}

/* The bytes after an upgrade request are left for the tunnel, never parsed. */
static void
test_http_req_upgrade_leaves_tunnel_bytes(void **state)
{
	const char *in =
	    "POST /a HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nRAW";
	struct run r;

	(void)state;
	run_parser(&r, &default_limits, in, strlen(in), 0);
	assert_string_equal(r.events, "HU");
	assert_int_equal(r.left, 3);
	assert_true(r.h.upgrade);
	hreq_release(&r.h);
}

static char *
make_head(size_t total, unsigned extra_headers)
{
	static char buf[16384];
	const char *start = "GET /a HTTP/1.1\r\nHost: d\r\n";
	size_t len = strlen(start), pad;
	unsigned i;

	memcpy(buf, start, len);
	for (i = 0; i < extra_headers; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "X-%u: v\r\n", i);
	/* One padding header brings the head (with the final CRLF) to "total" bytes. */
	pad = total - len - strlen("X-Pad: \r\n\r\n");
	memcpy(buf + len, "X-Pad: ", 7);
	len += 7;
	memset(buf + len, 'a', pad);
	len += pad;
	memcpy(buf + len, "\r\n\r\n", 5);
	return buf;
}

static void
test_http_req_head_bytes_limit(void **state)
{
	struct sw_limits lim = default_limits;
	char *in;
	struct run r;

	(void)state;
	lim.max_header_bytes = 1024;
	in = make_head(1024, 0);
	assert_int_equal(strlen(in), 1024);
	run_parser(&r, &lim, in, strlen(in), 0);
	assert_string_equal(r.events, "HD");
	hreq_release(&r.h);

	in = make_head(1025, 0);
	run_parser(&r, &lim, in, strlen(in), 0);
	assert_string_equal(r.events, "E");
	assert_int_equal(r.status, 431);
	hreq_release(&r.h);

	run_parser(&r, &lim, in, strlen(in), 3);
	assert_int_equal(r.status, 431);
	hreq_release(&r.h);
}

/* A client streaming trailer fields forever is cut off at the head limit. */
static void
test_http_req_trailer_limit(void **state)
{
	static char in[12288];
	const char *start = "POST /a HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	                    "0\r\nX-T: ";
	size_t len = strlen(start);
	struct run r;

	(void)state;
	memcpy(in, start, len);
	memset(in + len, 'a', 9000); /* more than max_header_bytes (8192) */
	len += 9000;
	run_parser(&r, &default_limits, in, len, 0);
	assert_string_equal(r.events, "HE");
	assert_int_equal(r.status, 431);
	assert_true(r.h.cap < 4096); /* nothing of the trailer was kept */
	hreq_release(&r.h);
}

static void
test_http_req_header_count_limit(void **state)
{
	struct sw_limits lim = default_limits;
	char *in;
	struct run r;

	(void)state;
	lim.max_headers = 10;
	/* Host + 8 + X-Pad = 10 fields: allowed. */
	in = make_head(400, 8);
	run_parser(&r, &lim, in, strlen(in), 0);
	assert_string_equal(r.events, "HD");
	hreq_release(&r.h);

	in = make_head(400, 9);
	run_parser(&r, &lim, in, strlen(in), 0);
	assert_int_equal(r.status, 431);
	hreq_release(&r.h);
}

static void
test_http_req_hop_by_hop(void **state)
{
	const char *in = "GET /a HTTP/1.1\r\nHost: d\r\nConnection: keep-alive, X-Secret\r\n"
	                 "X-Secret: 1\r\nX-Keep: 2\r\nTE: trailers\r\n\r\n";
	struct sw_str n;
	struct run r;

	(void)state;
	memset(&r, 0, sizeof(r));
	hreq_init(&r.h, &default_limits, collect_body, &r);
	{
		size_t used;

		assert_int_equal(hreq_feed(&r.h, in, strlen(in), &used), HREQ_EV_HEAD);
	}
	n = SW_STR_LIT("x-secret");
	assert_true(hreq_is_hop_by_hop(&r.h, &n));
	n = SW_STR_LIT("X-Keep");
	assert_false(hreq_is_hop_by_hop(&r.h, &n));
	n = SW_STR_LIT("te");
	assert_true(hreq_is_hop_by_hop(&r.h, &n));
	n = SW_STR_LIT("Content-Length");
	assert_true(hreq_is_hop_by_hop(&r.h, &n));
	n = SW_STR_LIT("Host");
	assert_false(hreq_is_hop_by_hop(&r.h, &n));
	n = hreq_header(&r.h, "x-keep");
	assert_true(sw_str_eq_lit(&n, "2"));
	/* Decisions read what is forwarded: a header named in Connection is not. */
	n = hreq_forwarded_header(&r.h, "x-secret");
	assert_int_equal(n.len, 0);
	n = hreq_forwarded_header(&r.h, "x-keep");
	assert_true(sw_str_eq_lit(&n, "2"));
	hreq_release(&r.h);
}

static void
test_http_req_build_req(void **state)
{
	static const struct {
		const char *target;
		int want;
		const char *path;
		const char *version;
		const char *query;
	} rows[] = {
		{ "/v1.41/containers/json?all=1", 0, "/containers/json", "1.41", "all=1" },
		{ "/containers/json", 0, "/containers/json", "", "" },
		{ "/v1.41/containers/%63reate", 0, "/containers/create", "1.41", "" },
		{ "/v1.41/containers%2Fjson", -1, NULL, NULL, NULL },
		{ "/v1.41/../containers/json", -1, NULL, NULL, NULL },
		{ "http://d/v1.41/containers/json", -1, NULL, NULL, NULL },
		{ "//containers/json", -1, NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		char in[256];
		struct sw_req req;
		const char *why = NULL;
		struct run r;
		size_t used;
		int rc;

		snprintf(in, sizeof(in), "GET %s HTTP/1.1\r\nHost: d\r\n\r\n", rows[i].target);
		memset(&r, 0, sizeof(r));
		hreq_init(&r.h, &default_limits, collect_body, &r);
		assert_int_equal(hreq_feed(&r.h, in, strlen(in), &used), HREQ_EV_HEAD);
		rc = hreq_build_req(&r.h, &req, &why);
		if (rc != rows[i].want)
			fail_msg("target %s: rc %d, want %d (%s)", rows[i].target, rc, rows[i].want,
			    why ? why : "-");
		if (rc == 0 && (!sw_str_eq_lit(&req.path, rows[i].path) ||
		                   !sw_str_eq_lit(&req.version, rows[i].version) ||
		                   !sw_str_eq_lit(&req.query, rows[i].query)))
			fail_msg("target %s: path %.*s version %.*s query %.*s", rows[i].target,
			    (int)req.path.len, req.path.p, (int)req.version.len, req.version.p,
			    (int)req.query.len, req.query.p);
		hreq_release(&r.h);
	}
}

int
main(void)
{
	struct CMUnitTest tests[nitems(cases) + 6];
	size_t i, n = 0;

	for (i = 0; i < nitems(cases); i++) {
		tests[n].name = cases[i].name;
		tests[n].test_func = test_http_req_row;
		tests[n].setup_func = NULL;
		tests[n].teardown_func = NULL;
		tests[n].initial_state = &cases[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_http_req_upgrade_leaves_tunnel_bytes);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_http_req_head_bytes_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_http_req_header_count_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_http_req_trailer_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_http_req_hop_by_hop);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_http_req_build_req);
	return _cmocka_run_group_tests("http_req", tests, n, NULL, NULL);
}
