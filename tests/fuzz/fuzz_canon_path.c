/*
 * Fuzz harness for policy/canon.c and the router behind it.  The input is
 * a request-target.  Invariants, checked with abort():
 *
 * - pol_canon_path either refuses the path part or returns a path that is
 *   canonical: it starts with '/', holds no NUL, '%', "//", "/./" or
 *   "/../" (nor ends in "/." or "/.."), lies inside the buffer, and is a
 *   fixed point: canonicalising it again gives itself and no version;
 * - a version, when stripped, is one or more of [0-9.];
 * - pol_canon_target agrees with pol_canon_path on the path part;
 * - routing the canonical path with any registered method terminates and
 *   returns a ref inside the path.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS" };

static int
inside(const struct sw_str *s, const char *lo, size_t len)
{
	return s->len == 0 || (s->p >= lo && s->p + s->len <= lo + len);
}

static int
has(const struct sw_str *s, const char *needle)
{
	size_t n = strlen(needle);

	return s->len >= n && memmem(s->p, s->len, needle, n) != NULL;
}

static int
ends(const struct sw_str *s, const char *suffix)
{
	size_t n = strlen(suffix);

	return s->len >= n && memcmp(s->p + s->len - n, suffix, n) == 0;
}

static void
check_canonical(const struct sw_str *c, const struct sw_str *v, const char *buf, size_t bufsz)
{
	struct sw_str again, again_v;
	char buf2[SW_PATH_MAX];
	const char *why = NULL;
	size_t i;

	if (c->len == 0 || c->p[0] != '/' || !inside(c, buf, bufsz) || !inside(v, buf, bufsz))
		abort();
	if (memchr(c->p, '\0', c->len) != NULL || memchr(c->p, '%', c->len) != NULL)
		abort();
	if (has(c, "//") || has(c, "/./") || has(c, "/../") || ends(c, "/.") || ends(c, "/.."))
		abort();
	for (i = 0; i < v->len; i++)
		if (!((v->p[i] >= '0' && v->p[i] <= '9') || v->p[i] == '.'))
			abort();
	if (pol_canon_path(c, buf2, sizeof(buf2), &again, &again_v, &why) != 0)
		abort();
	if (!sw_str_eq(&again, c) || again_v.len != 0)
		abort();
}

static void
check_routing(const struct sw_str *path)
{
	struct sw_str method, ref;
	size_t i;
	int ep;

	for (i = 0; i < nitems(methods); i++) {
		method = sw_str_cstr(methods[i]);
		ep = pol_ep_match(&method, path, &ref);
		if (ep < 0 || (size_t)ep >= pol_ep_count())
			abort();
		if (ep == POL_EP_UNKNOWN && ref.len != 0)
			abort();
		if (!inside(&ref, path->p, path->len))
			abort();
		if (ep != POL_EP_UNKNOWN && strcmp(pol_ep_method(ep), methods[i]) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_str in = { (const char *)data, size }, path = in, c, v;
	struct sw_req req;
	char buf[SW_PATH_MAX], buf3[SW_PATH_MAX];
	const char *why = NULL, *q;
	int rp, rt;

	q = size > 0 ? memchr(data, '?', size) : NULL;
	if (q != NULL)
		path.len = (size_t)(q - (const char *)data);

	rp = pol_canon_path(&path, buf, sizeof(buf), &c, &v, &why);
	if (rp == 0) {
		check_canonical(&c, &v, buf, sizeof(buf));
		check_routing(&c);
	} else if (rp != -1 || why == NULL) {
		abort();
	}

	memset(&req, 0, sizeof(req));
	why = NULL;
	rt = pol_canon_target(&in, buf3, sizeof(buf3), &req, &why);
	if (rt == 0) {
		/* A target is accepted only if its path part is, with the same result. */
		if (rp != 0 || !sw_str_eq(&req.path, &c) || !sw_str_eq(&req.version, &v))
			abort();
		if (!inside(&req.query, (const char *)data, size))
			abort();
		if (pol_query_check(&req.query, &why) != 0)
			abort();
	} else if (rt != -1 || why == NULL) {
		abort();
	}
	return 0;
}
