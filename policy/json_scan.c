/*
 * The raw pre-scan: a recursive-descent validator for RFC 8259 JSON that
 * also refuses what Go's encoding/json and cJSON would read differently.
 *
 * - invalid UTF-8 anywhere (Go replaces it with U+FFFD, cJSON keeps it);
 * - "\u0000" in any spelling (cJSON's C strings would end there);
 * - a "\u" surrogate that is not a high one followed by a low one (Go
 *   substitutes U+FFFD, cJSON refuses or differs by version);
 * - nesting deeper than POL_JSON_MAX_DEPTH;
 * - anything but whitespace after the value (Go's dec.More() lets "{}}"
 *   through; we refuse every trailing byte).
 *
 * Every number token's offset is recorded so the parsed tree can keep the
 * literal text instead of cJSON's double.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "json_strict.h"

struct scan {
	const unsigned char *p;
	size_t len;
	size_t i;
	struct pol_jscan *sc;
	struct pol_err *err;
};

static int
fail(struct scan *s, const char *what)
{
	memset(s->err, 0, sizeof(*s->err));
	snprintf(s->err->msg, sizeof(s->err->msg), "invalid JSON at offset %zu: %s", s->i, what);
	return -1;
}

static void
skip_ws(struct scan *s)
{
	while (s->i < s->len && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' ||
	                            s->p[s->i] == '\r'))
		s->i++;
}

static int
hex4(struct scan *s, size_t at, unsigned *out)
{
	unsigned v = 0, c;
	size_t k;

	if (at + 4 > s->len)
		return -1;
	for (k = 0; k < 4; k++) {
		c = s->p[at + k];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			c = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | c;
	}
	*out = v;
	return 0;
}

/* s->i is on the 'u' of "\u"; consumes one escape (or a surrogate pair). */
static int
scan_unicode_escape(struct scan *s)
{
	unsigned cp, lo;

	if (hex4(s, s->i + 1, &cp) == -1)
		return fail(s, "bad \\u escape");
	if (cp == 0)
		return fail(s, "\\u0000 in a string");
	s->i += 5;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(s, "lone low surrogate escape");
	if (cp < 0xd800 || cp > 0xdbff)
		return 0;
	if (s->i + 6 > s->len || s->p[s->i] != '\\' || s->p[s->i + 1] != 'u' ||
	    hex4(s, s->i + 2, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
		return fail(s, "lone high surrogate escape");
	s->i += 6;
	return 0;
}

/* Length of the valid UTF-8 sequence at s->i (non-ASCII lead byte), or 0. */
static size_t
utf8_seq(const struct scan *s)
{
	const unsigned char *q = s->p + s->i;
	size_t left = s->len - s->i, n, k;
	unsigned char lo = 0x80, hi = 0xbf;

	if (q[0] >= 0xc2 && q[0] <= 0xdf)
		n = 2;
	else if (q[0] >= 0xe0 && q[0] <= 0xef)
		n = 3;
	else if (q[0] >= 0xf0 && q[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	/* Second-byte ranges exclude overlong forms, surrogates and > U+10FFFF. */
	if (q[0] == 0xe0)
		lo = 0xa0;
	else if (q[0] == 0xed)
		hi = 0x9f;
	else if (q[0] == 0xf0)
		lo = 0x90;
	else if (q[0] == 0xf4)
		hi = 0x8f;
	if (q[1] < lo || q[1] > hi)
		return 0;
	for (k = 2; k < n; k++)
		if (q[k] < 0x80 || q[k] > 0xbf)
			return 0;
	return n;
}

static int
scan_string(struct scan *s)
{
	unsigned char c;
	size_t n;

	s->i++; /* the opening quote */
	for (;;) {
		if (s->i >= s->len)
			return fail(s, "unterminated string");
		c = s->p[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(s, "control character in a string");
		if (c == '\\') {
			if (++s->i >= s->len)
				return fail(s, "unterminated string");
			c = s->p[s->i];
			if (c == 'u') {
				if (scan_unicode_escape(s) == -1)
					return -1;
				continue;
			}
			if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
				return fail(s, "bad escape in a string");
			s->i++;
		} else if (c < 0x80) {
			s->i++;
		} else {
			if ((n = utf8_seq(s)) == 0)
				return fail(s, "invalid UTF-8");
			s->i += n;
		}
	}
}

static bool
is_digit(const struct scan *s)
{
	return s->i < s->len && s->p[s->i] >= '0' && s->p[s->i] <= '9';
}

static int
record_number(struct scan *s, size_t start)
{
	struct pol_jscan *sc = s->sc;
	struct pol_jnum *grown;
	size_t cap;

	if (sc->n_nums == sc->cap_nums) {
		cap = sc->cap_nums ? sc->cap_nums * 2 : 32;
		grown = realloc(sc->nums, cap * sizeof(*grown));
		if (grown == NULL)
			return fail(s, "out of memory");
		sc->nums = grown;
		sc->cap_nums = cap;
	}
	sc->nums[sc->n_nums].off = start;
	sc->nums[sc->n_nums].len = s->i - start;
	sc->n_nums++;
	return 0;
}

static int
scan_number(struct scan *s)
{
	size_t start = s->i;

	if (s->p[s->i] == '-')
		s->i++;
	if (!is_digit(s))
		return fail(s, "bad number");
	if (s->p[s->i] == '0')
		s->i++;
	else
		while (is_digit(s))
			s->i++;
	if (s->i < s->len && s->p[s->i] == '.') {
		s->i++;
		if (!is_digit(s))
			return fail(s, "bad number");
		while (is_digit(s))
			s->i++;
	}
	if (s->i < s->len && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
		s->i++;
		if (s->i < s->len && (s->p[s->i] == '+' || s->p[s->i] == '-'))
			s->i++;
		if (!is_digit(s))
			return fail(s, "bad number");
		while (is_digit(s))
			s->i++;
	}
	return record_number(s, start);
}

static int
scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if (s->len - s->i < n || memcmp(s->p + s->i, lit, n) != 0)
		return fail(s, "unexpected character");
	s->i += n;
	return 0;
}

static int scan_value(struct scan *s, int depth);

static int
scan_object(struct scan *s, int depth)
{
	s->i++;
	skip_ws(s);
	if (s->i < s->len && s->p[s->i] == '}') {
		s->i++;
		return 0;
	}
	for (;;) {
		if (s->i >= s->len || s->p[s->i] != '"')
			return fail(s, "expected a string key");
		if (scan_string(s) == -1)
			return -1;
		skip_ws(s);
		if (s->i >= s->len || s->p[s->i] != ':')
			return fail(s, "expected ':'");
		s->i++;
		if (scan_value(s, depth) == -1)
			return -1;
		skip_ws(s);
		if (s->i < s->len && s->p[s->i] == '}') {
			s->i++;
			return 0;
		}
		if (s->i >= s->len || s->p[s->i] != ',')
			return fail(s, "expected ',' or '}'");
		s->i++;
		skip_ws(s);
	}
}

static int
scan_array(struct scan *s, int depth)
{
	s->i++;
	skip_ws(s);
	if (s->i < s->len && s->p[s->i] == ']') {
		s->i++;
		return 0;
	}
	for (;;) {
		if (scan_value(s, depth) == -1)
			return -1;
		skip_ws(s);
		if (s->i < s->len && s->p[s->i] == ']') {
			s->i++;
			return 0;
		}
		if (s->i >= s->len || s->p[s->i] != ',')
			return fail(s, "expected ',' or ']'");
		s->i++;
	}
}

/* "depth" counts the containers around the value. */
static int
scan_value(struct scan *s, int depth)
{
	unsigned char c;

	skip_ws(s);
	if (s->i >= s->len)
		return fail(s, "unexpected end of input");
	c = s->p[s->i];
	switch (c) {
	case '{':
	case '[':
		if (depth + 1 > POL_JSON_MAX_DEPTH)
			return fail(s, "nesting too deep");
		return c == '{' ? scan_object(s, depth + 1) : scan_array(s, depth + 1);
	case '"':
		return scan_string(s);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return scan_number(s);
		return fail(s, "unexpected character");
	}
}

int
pol_json_scan(const char *p, size_t len, struct pol_jscan *sc, struct pol_err *err)
{
	struct scan s = { (const unsigned char *)p, len, 0, sc, err };

	memset(sc, 0, sizeof(*sc));
	if (p == NULL || len == 0)
		return fail(&s, "empty body");
	if (scan_value(&s, 0) == -1)
		goto bad;
	skip_ws(&s);
	if (s.i != len) {
		fail(&s, "data after the JSON value");
		goto bad;
	}
	return 0;
bad:
	pol_json_scan_free(sc);
	return -1;
}

void
pol_json_scan_free(struct pol_jscan *sc)
{
	free(sc->nums);
	memset(sc, 0, sizeof(*sc));
}
