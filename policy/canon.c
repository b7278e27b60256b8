/*
 * Request-target canonicalisation: turn what the client sent into the path
 * the daemon will route, or refuse it.
 *
 * The daemon (Go net/http + gorilla/mux) percent-decodes the path once,
 * answers any path that path.Clean would change with a 301 and no handler,
 * accepts an optional "/v<version>" prefix and matches the rest exactly.
 * We mirror the decoding and refuse, rather than repair, everything that
 * another reader could take differently: encoded '/' or '%', NUL and other
 * control bytes, dot segments, empty segments, a second version prefix.
 * The result contains only bytes that need no escaping in a request-target,
 * so it can be forwarded as it is, and it is a fixed point: canonicalising
 * it again gives the same path and no version.
 *
 * Pure: no allocation, no I/O, no errno; reasons are static strings.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sockwarden/policy.h"

static int
fail(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode "%XY" at s (s[0] == '%', n bytes available); -1 when malformed. */
static int
pct_decode(const char *s, size_t n)
{
	int hi, lo;

	if (n < 3)
		return -1;
	hi = hexval((unsigned char)s[1]);
	lo = hexval((unsigned char)s[2]);
	if (hi < 0 || lo < 0)
		return -1;
	return hi * 16 + lo;
}

/*
 * RFC 3986 unreserved characters and the sub-delimiters, ':' and '@', except
 * ';'.  Those are the bytes a path can carry unescaped, so the canonical
 * path needs no re-encoding upstream; every Docker object name fits in them.
 */
bool
pol_path_byte_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-._~!$&'()*+,=:@", c) != NULL);
}

/* Why byte "c" of a decoded path is refused, or NULL when it is plain. */
static const char *
path_byte_refused(unsigned char c)
{
	if (pol_path_byte_plain(c))
		return NULL;
	if (c == '\0')
		return "NUL byte in path";
	if (c < 0x20 || c == 0x7f)
		return "control byte in path";
	if (c >= 0x80)
		return "non-ASCII byte in path";
	switch (c) {
	case ';':
		/* Go keeps ';' in the path; no route has one, and proxies differ. */
		return "';' in path";
	case '#':
		return "'#' in path";
	case '?':
		return "'?' in path";
	case '\\':
		return "backslash in path";
	case ' ':
		return "space in path";
	default:
		return "character not allowed in path";
	}
}

/*
 * Percent-decode [in, in + n) into buf once, refusing malformed escapes,
 * escapes that would change the segment structure or leave a '%' for a
 * second decoder, and bytes path_byte_refused() names.  Stores the decoded
 * length in *outlen; buf is NUL-terminated for the logs.
 */
static int
decode_path(const char *in, size_t n, char *buf, size_t bufsz, size_t *outlen, const char **why)
{
	const char *reason;
	size_t i, o = 0;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		if (c == '%') {
			c = pct_decode(in + i, n - i);
			if (c < 0)
				return fail(why, "malformed percent-escape in path");
			if (c == '/')
				return fail(why, "encoded slash (%2F) in path");
			if (c == '%')
				return fail(why, "encoded percent (%25) in path");
			if (c == '\0')
				return fail(why, "encoded NUL (%00) in path");
			if ((reason = path_byte_refused((unsigned char)c)) != NULL)
				return fail(why, reason);
			i += 2;
		} else if (c != '/' && (reason = path_byte_refused((unsigned char)c)) != NULL) {
			/* A raw '/' separates segments: path_unclean() checks those. */
			return fail(why, reason);
		}
		if (o + 1 >= bufsz)
			return fail(why, "path too long");
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	*outlen = o;
	return 0;
}

/*
 * gorilla/mux redirects (301, no handler) every path that path.Clean would
 * change, keeping a trailing '/': that is exactly a path with an empty
 * segment or a "." or ".." segment.
 */
static const char *
path_unclean(const char *p, size_t n)
{
	size_t i, seg;

	for (i = 1, seg = 1; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		/* segment [seg, i) */
		if (i == seg && i < n)
			return "empty path segment ('//')";
		if ((i - seg == 1 && p[seg] == '.') ||
		    (i - seg == 2 && p[seg] == '.' && p[seg + 1] == '.'))
			return "dot segment ('.' or '..') in path";
		seg = i + 1;
	}
	return NULL;
}

/*
 * Length of a version segment "v[0-9.]+" at the start of [p, p + n) that
 * is followed by '/' (or, with "at_end_too", by the end), else 0.  This is
 * the daemon's "/v{version:[0-9.]+}" prefix.
 */
static size_t
version_segment(const char *p, size_t n, bool at_end_too)
{
	size_t i;

	if (n < 2 || p[0] != 'v')
		return 0;
	for (i = 1; i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'); i++)
		;
	if (i == 1)
		return 0;
	if (i < n && p[i] == '/')
		return i;
	return i == n && at_end_too ? i : 0;
}

int
pol_canon_path(const struct sw_str *in, char *buf, size_t bufsz, struct sw_str *out,
    struct sw_str *version, const char **why)
{
	const char *reason;
	size_t n, vlen;

	if (in->len == 0)
		return fail(why, "empty path");
	if (in->p[0] != '/')
		return fail(why, "path does not start with '/'");
	if (bufsz == 0)
		return fail(why, "path too long");
	if (decode_path(in->p, in->len, buf, bufsz, &n, why) == -1)
		return -1;
	if ((reason = path_unclean(buf, n)) != NULL)
		return fail(why, reason);

	/*
	 * The daemon registers every route under "/v{version:[0-9.]+}" and
	 * without it.  Strip one such prefix.  A version-like segment right
	 * after it is refused: the daemon has no route for it, and the output
	 * would be stripped again.  "/v1.41" alone has no prefix (the daemon's
	 * needs the '/' after it) and stays as it is, routing only OPTIONS.
	 */
	vlen = version_segment(buf + 1, n - 1, false);
	if (vlen > 0) {
		if (version_segment(buf + 1 + vlen + 1, n - 1 - vlen - 1, true) > 0)
			return fail(why, "second API version prefix in path");
		*version = sw_str_make(buf + 2, vlen - 1);
		*out = sw_str_make(buf + 1 + vlen, n - 1 - vlen);
	} else {
		*version = SW_STR_NULL;
		*out = sw_str_make(buf, n);
	}
	return 0;
}

/*
 * Length of a leading URI scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ))
 * followed by ':', or 0.  "http://h/x" and "unix:/x" are absolute-form;
 * "host:2375" is authority-form.  Go accepts both; we take origin-form only.
 */
static size_t
scheme_len(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || !((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++) {
		char c = p[i];

		if (c == ':')
			return i;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '+' || c == '-' || c == '.'))
			return 0;
	}
	return 0;
}

int
pol_canon_target(
    const struct sw_str *target, char *buf, size_t bufsz, struct sw_req *req, const char **why)
{
	struct sw_str path, query = SW_STR_NULL, cpath, version;
	const char *q;
	size_t slen;

	if (target->len == 0)
		return fail(why, "empty request-target");
	if (target->p[0] != '/') {
		if (target->len == 1 && target->p[0] == '*')
			return fail(why, "asterisk-form request-target");
		slen = scheme_len(target->p, target->len);
		if (slen > 0 && slen + 1 < target->len && target->p[slen + 1] == '/')
			return fail(why, "absolute-form request-target (send only the path)");
		if (slen > 0)
			return fail(why, "authority-form request-target");
		return fail(why, "request-target is not origin-form");
	}
	if (target->len >= 2 && target->p[1] == '/')
		return fail(why, "request-target starts with '//'");

	/* Go does not split off a fragment: '#' stays in the path. */
	path = *target;
	q = memchr(target->p, '?', target->len);
	if (q != NULL) {
		path.len = (size_t)(q - target->p);
		query = sw_str_make(q + 1, target->len - path.len - 1);
	}
	if (pol_canon_path(&path, buf, bufsz, &cpath, &version, why) == -1)
		return -1;
	if (pol_query_check(&query, why) == -1)
		return -1;
	req->path = cpath;
	req->query = query;
	req->version = version;
	return 0;
}

/*
 * url.ParseQuery splits on '&', drops (and reports) any "key=value" piece
 * that contains ';', and unescapes keys and values ('+' is a space).  The
 * daemon answers 400 on those errors for most handlers, but /build's
 * FormValue ignores them, so we refuse them all, plus control bytes, '#',
 * spaces and raw non-ASCII, which a well-formed client always escapes.
 */
int
pol_query_check(const struct sw_str *query, const char **why)
{
	size_t i;
	int c;

	for (i = 0; i < query->len; i++) {
		c = (unsigned char)query->p[i];
		if (c == ';')
			return fail(why, "';' in query");
		if (c == '#')
			return fail(why, "'#' in query");
		if (c == ' ')
			return fail(why, "space in query");
		if (c < 0x20 || c == 0x7f)
			return fail(why, "control byte in query");
		if (c >= 0x80)
			return fail(why, "non-ASCII byte in query");
		if (c != '%')
			continue;
		c = pct_decode(query->p + i, query->len - i);
		if (c < 0)
			return fail(why, "malformed percent-escape in query");
		if (c < 0x20 || c == 0x7f)
			return fail(why, "encoded control byte in query");
		i += 2;
	}
	return 0;
}

/*
 * strconv.Atoi as versions.compare uses it (error ignored): optional sign,
 * then decimal digits only; anything else is 0.  Out of range, Atoi returns
 * the clamped value with ErrRange and compare keeps it, so we clamp too.
 * Go's ParseUint stops at the digit that overflows uint64 (a later
 * non-digit is then never seen), so we do the same.
 */
static int64_t
go_atoi(const char *p, size_t n)
{
	bool neg = false;
	uint64_t u = 0;
	size_t i = 0;

	if (n > 0 && (p[0] == '+' || p[0] == '-')) {
		neg = p[0] == '-';
		i = 1;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		unsigned d = (unsigned char)p[i] - (unsigned)'0';

		if (d > 9)
			return 0;
		if (u > (UINT64_MAX - d) / 10)
			return neg ? INT64_MIN : INT64_MAX;
		u = u * 10 + d;
	}
	if (!neg)
		return u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
	if (u > (uint64_t)INT64_MAX)
		return INT64_MIN; /* -2^63 itself, or clamped */
	return -(int64_t)u;
}

/* Next '.'-separated component of *s (Go's strings.Split), or false when done. */
static bool
next_component(struct sw_str *s, bool *more, struct sw_str *comp)
{
	const char *dot;

	if (!*more) {
		*comp = SW_STR_NULL;
		return false;
	}
	dot = s->len > 0 ? memchr(s->p, '.', s->len) : NULL;
	if (dot == NULL) {
		*comp = *s;
		*more = false;
		return true;
	}
	*comp = sw_str_make(s->p, (size_t)(dot - s->p));
	*s = sw_str_make(dot + 1, s->len - comp->len - 1);
	return true;
}

int
pol_version_cmp(const struct sw_str *a, const struct sw_str *b)
{
	struct sw_str ra = *a, rb = *b, ca, cb;
	bool ma = true, mb = true;
	int64_t va, vb;

	for (;;) {
		bool ha = next_component(&ra, &ma, &ca);
		bool hb = next_component(&rb, &mb, &cb);

		if (!ha && !hb)
			return 0;
		va = ha ? go_atoi(ca.p, ca.len) : 0;
		vb = hb ? go_atoi(cb.p, cb.len) : 0;
		if (va != vb)
			return va < vb ? -1 : 1;
	}
}
