/*
 * Go's url.ParseQuery and the httputils helpers over it (see query.h), and
 * whether Go's form parsing would read a request body as well as the query
 * (pol_content_type_is_form, sockwarden/policy.h).
 */
#include "sockwarden/compat.h"

#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

#include "query.h"

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * url.QueryUnescape of p[0..n) into out (room for n + 1 bytes): "%XX" is a
 * byte, '+' a space.  Returns 0, or -1 on a bad escape or a decoded NUL.
 */
static int
unescape(const char *p, size_t n, char *out, const char **why)
{
	size_t i, w = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (p[i] == '+') {
			out[w++] = ' ';
			continue;
		}
		if (p[i] != '%') {
			if (p[i] == '\0')
				return fail(why, "NUL byte in query");
			out[w++] = p[i];
			continue;
		}
		if (i + 2 >= n)
			return fail(why, "malformed percent-escape in query");
		hi = hexval((unsigned char)p[i + 1]);
		lo = hexval((unsigned char)p[i + 2]);
		if (hi < 0 || lo < 0)
			return fail(why, "malformed percent-escape in query");
		if (hi == 0 && lo == 0)
			return fail(why, "encoded NUL (%00) in query");
		out[w++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[w] = '\0';
	return 0;
}

static size_t
count_pieces(const struct sw_str *raw)
{
	size_t i, n = 1;

	for (i = 0; i < raw->len; i++)
		if (raw->p[i] == '&')
			n++;
	return n;
}

/* One '&'-separated piece: cut at the first '=', unescape both halves. */
static int
parse_piece(const char *p, size_t len, struct pol_query *q, char **w, const char **why)
{
	const char *eq;
	size_t klen;
	char *key, *value;

	if (memchr(p, ';', len) != NULL)
		return fail(why, "';' in query (Go drops the pair)");
	if (q->n >= POL_QUERY_MAX_PAIRS)
		return fail(why, "too many query parameters");
	eq = memchr(p, '=', len);
	klen = eq != NULL ? (size_t)(eq - p) : len;
	key = *w;
	if (unescape(p, klen, key, why) == -1)
		return -1;
	value = key + strlen(key) + 1;
	if (eq != NULL) {
		if (unescape(eq + 1, len - klen - 1, value, why) == -1)
			return -1;
	} else {
		value[0] = '\0';
	}
	*w = value + strlen(value) + 1;
	q->pairs[q->n].key = key;
	q->pairs[q->n].value = value;
	q->n++;
	return 0;
}

int
pol_query_parse(const struct sw_str *raw, struct pol_query *q, const char **why)
{
	size_t pieces, start, i;
	char *w;

	memset(q, 0, sizeof(*q));
	if (raw->len == 0)
		return 0;
	pieces = count_pieces(raw);
	if (pieces > POL_QUERY_MAX_PAIRS * 4)
		return fail(why, "too many query parameters");
	/* Decoding never grows: the raw bytes plus two NULs per piece always fit. */
	q->buf = malloc(raw->len + 2 * pieces + 1);
	q->pairs = calloc(pieces, sizeof(*q->pairs));
	if (q->buf == NULL || q->pairs == NULL) {
		pol_query_free(q);
		return fail(why, "out of memory");
	}
	w = q->buf;
	for (start = 0, i = 0; i <= raw->len; i++) {
		if (i < raw->len && raw->p[i] != '&')
			continue;
		if (i > start && parse_piece(raw->p + start, i - start, q, &w, why) == -1) {
			pol_query_free(q);
			return -1;
		}
		start = i + 1;
	}
	return 0;
}

void
pol_query_free(struct pol_query *q)
{
	if (q == NULL)
		return;
	free(q->pairs);
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

bool
pol_query_has(const struct pol_query *q, const char *key)
{
	return pol_query_get(q, key) != NULL;
}

const char *
pol_query_get(const struct pol_query *q, const char *key)
{
	return pol_query_nth(q, key, 0);
}

const char *
pol_query_value(const struct pol_query *q, const char *key)
{
	const char *v = pol_query_get(q, key);

	return v != NULL ? v : "";
}

size_t
pol_query_count(const struct pol_query *q, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->pairs[i].key, key) == 0)
			n++;
	return n;
}

const char *
pol_query_nth(const struct pol_query *q, const char *key, size_t nth)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (strcmp(q->pairs[i].key, key) != 0)
			continue;
		if (nth-- == 0)
			return q->pairs[i].value;
	}
	return NULL;
}

int
pol_go_parse_int64(const char *s, int64_t *out)
{
	uint64_t u = 0, lim;
	bool neg = false;
	unsigned d;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		d = (unsigned)(unsigned char)*s - '0';
		if (d > 9)
			return -1;
		if (u > (lim - d) / 10)
			return -1;
		u = u * 10 + d;
	}
	if (neg)
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	else
		*out = (int64_t)u;
	return 0;
}

/* Go's shouldEscape(c, encodeQueryComponent) is false only for these. */
static bool
unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

static void
put(char *buf, size_t bufsz, size_t at, char c)
{
	if (at + 1 < bufsz)
		buf[at] = c;
}

size_t
pol_query_escape(const char *s, size_t len, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, w = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c)) {
			put(buf, bufsz, w++, (char)c);
		} else if (c == ' ') {
			put(buf, bufsz, w++, '+');
		} else {
			put(buf, bufsz, w++, '%');
			put(buf, bufsz, w++, hex[c >> 4]);
			put(buf, bufsz, w++, hex[c & 15]);
		}
	}
	if (bufsz > 0)
		buf[w < bufsz ? w : bufsz - 1] = '\0';
	return w;
}

size_t
pol_query_encode(const struct pol_query *q, char *buf, size_t bufsz)
{
	const struct pol_qpair *p;
	size_t i, w = 0;

	if (bufsz > 0)
		buf[0] = '\0';
	for (i = 0; i < q->n; i++) {
		p = &q->pairs[i];
		if (i > 0)
			put(buf, bufsz, w++, '&');
		w += pol_query_escape(
		    p->key, strlen(p->key), w < bufsz ? buf + w : NULL, w < bufsz ? bufsz - w : 0);
		put(buf, bufsz, w++, '=');
		w += pol_query_escape(p->value, strlen(p->value), w < bufsz ? buf + w : NULL,
		    w < bufsz ? bufsz - w : 0);
	}
	if (bufsz > 0)
		buf[w < bufsz ? w : bufsz - 1] = '\0';
	return w;
}

/*
 * Go's mime.ParseMediaType lower-cases (Unicode: U+0130 is an 'i', the
 * Kelvin sign a 'k') and trims (Unicode white space) the part before ';',
 * and ParseForm still uses that type when a parameter is malformed.  So a
 * value with any byte outside ASCII, or longer than any real one, is
 * treated as a form, which refuses it: no client sends such a thing, and
 * the check must not depend on our folding agreeing with Go's.  Otherwise a
 * substring match after ASCII lower-casing covers every reading.
 */
bool
pol_content_type_is_form(const struct sw_str *ct)
{
	char lower[1024];
	size_t i;

	if (ct == NULL || ct->len == 0)
		return false;
	if (ct->len >= sizeof(lower))
		return true;
	for (i = 0; i < ct->len; i++) {
		if ((unsigned char)ct->p[i] >= 0x80)
			return true;
		lower[i] = sw_ascii_lower(ct->p[i]);
	}
	return memmem(lower, ct->len, "application/x-www-form-urlencoded", 33) != NULL ||
	       memmem(lower, ct->len, "multipart/", 10) != NULL;
}
