/*
 * Raw bytes into proxy/http_req.c, split into feeds at offsets chosen by the
 * first input byte.  Invariants: the parser either refuses the input or every
 * request it reports has a method, target and headers that lie inside its own
 * buffer; a target it canonicalises is a fixed point of canonicalisation; the
 * body bytes reported never exceed the input; nothing leaks.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

#include "http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t body_total;

static void
count_body(void *owner, const char *p, size_t n)
{
	(void)owner;
	(void)p;
	body_total += n;
}

static const struct sw_limits limits = {
	.max_header_bytes = 2048,
	.max_headers = 16,
	.max_body_bytes = 4096,
	.max_connections = 1,
	.head_timeout_ms = 1,
	.idle_timeout_ms = 1,
	.upstream_connect_ms = 1,
	.shutdown_timeout_ms = 1,
};

static bool
inside(const struct hreq *h, struct sw_str s)
{
	return s.len == 0 || (s.p >= h->buf && s.p + s.len <= h->buf + h->len);
}

static void
check_head(struct hreq *h)
{
	struct sw_req req;
	struct sw_str again, version;
	char buf[SW_PATH_MAX];
	const char *why;
	unsigned i;

	if (!inside(h, hreq_method(h)) || !inside(h, hreq_target(h)))
		abort();
	for (i = 0; i < h->n_hdrs; i++)
		if (!inside(h, hreq_header_name(h, i)) || !inside(h, hreq_header_value(h, i)))
			abort();
	if (h->chunked && h->has_cl)
		abort(); /* framing is never ambiguous once a head is accepted */
	if (hreq_build_req(h, &req, &why) == -1)
		return;
	if (pol_canon_path(&req.path, buf, sizeof(buf), &again, &version, &why) == -1 ||
	    !sw_str_eq(&again, &req.path) || version.len != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hreq h;
	size_t off = 1, step, used;
	enum hreq_event ev;
	int requests = 0;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] % 16) + 1;
	body_total = 0;
	hreq_init(&h, &limits, count_body, NULL);
	while (off < size || h.need_kick) {
		size_t n = size - off;

		if (data[0] >= 128 && n > step)
			n = step;
		ev = hreq_feed(&h, (const char *)data + off, n, &used);
		if (used > n)
			abort();
		off += used;
		if (ev == HREQ_EV_NEED_MORE) {
			if (used == 0 && n == 0)
				break;
			if (used == 0 && !h.need_kick)
				abort(); /* no progress without an event would loop forever */
			continue;
		}
		if (ev == HREQ_EV_ERROR) {
			if (h.err_status < 400 || h.err_status > 599 || h.err_msg == NULL)
				abort();
			break;
		}
		if (ev == HREQ_EV_HEAD) {
			check_head(&h);
			continue;
		}
		if (++requests > 1000 || ev == HREQ_EV_UPGRADE_DONE)
			break;
		hreq_next(&h);
	}
	if (body_total > size)
		abort();
	hreq_release(&h);
	return 0;
}
