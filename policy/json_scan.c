/*
 * The reader: a recursive-descent parser for RFC 8259 JSON that refuses
 * what Go's encoding/json and cJSON would read differently, and builds the
 * cJSON tree in the same pass.  It replaces a validating pre-scan followed
 * by cJSON_Parse(), which read every body twice (and copied it once), for
 * about half of an inspection's time.
 *
 * Refused, with the offset of the problem:
 * - invalid UTF-8 anywhere (Go replaces it with U+FFFD, cJSON keeps it);
 * - "\u0000" in any spelling (cJSON's C strings would end there);
 * - a "\u" surrogate that is not a high one followed by a low one (Go
 *   substitutes U+FFFD, cJSON refuses or differs by version);
 * - nesting deeper than POL_JSON_MAX_DEPTH;
 * - anything but whitespace after the value (Go's dec.More() lets "{}}"
 *   through; we refuse every trailing byte).
 *
 * The tree is the one cJSON_ParseWithLengthOpts() builds for the same text:
 * the same node types, keys and decoded strings, siblings linked both ways
 * and the first child's prev pointing at the last child.  Numbers differ on
 * purpose: they are cJSON_Raw nodes whose valuestring is the token, so that
 * they are forwarded digit for digit and type-checked by their syntax.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json_scan.h"
#include "json_strict.h"

struct scan {
	const unsigned char *p;
	size_t len;
	size_t i;
	struct pol_err *err;
};

static int
fail(struct scan *s, const char *what)
{
	memset(s->err, 0, sizeof(*s->err));
	snprintf(s->err->msg, sizeof(s->err->msg), "invalid JSON at offset %zu: %s", s->i, what);
	return -1;
}

static cJSON *
fail_value(struct scan *s, const char *what)
{
	fail(s, what);
	return NULL;
}

static void
skip_ws(struct scan *s)
{
	while (s->i < s->len && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' ||
	                            s->p[s->i] == '\r'))
		s->i++;
}

static cJSON *
new_node(struct scan *s, int type)
{
	cJSON *v;

	if ((v = pol_json_alloc(sizeof(*v))) == NULL) {
		fail(s, "out of memory");
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = type;
	return v;
}

/* ---- strings ------------------------------------------------------------------ */

static int
hex4(const struct scan *s, size_t at, unsigned *out)
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

/* A byte that stands for itself in a string: printable ASCII but '"' and '\\'. */
static inline bool
is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Move s->i past a run of plain bytes, a word at a time while whole words are plain. */
static inline void
skip_plain(struct scan *s)
{
	uint64_t w;

	for (; s->i + 8 <= s->len; s->i += 8) {
		memcpy(&w, s->p + s->i, 8);
		if (pol_json_word_needs_escape(w) || (w & POL_JSON_HIGHS) != 0)
			break;
	}
	while (s->i < s->len && is_plain(s->p[s->i]))
		s->i++;
}

/*
 * Validate the string whose opening quote is at s->i and move past it.
 * Stores the offsets of its contents in [*start, *end) and whether it holds
 * an escape.
 */
static int
scan_string(struct scan *s, size_t *start, size_t *end, bool *escaped)
{
	unsigned char c;
	size_t n;

	*start = ++s->i; /* past the opening quote */
	*escaped = false;
	for (;;) {
		skip_plain(s);
		if (s->i >= s->len)
			return fail(s, "unterminated string");
		c = s->p[s->i];
		if (c == '"') {
			*end = s->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(s, "control character in a string");
		if (c == '\\') {
			*escaped = true;
			if (++s->i >= s->len)
				return fail(s, "unterminated string");
			switch (s->p[s->i]) {
			case 'u':
				if (scan_unicode_escape(s) == -1)
					return -1;
				continue;
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				s->i++;
				continue;
			default:
				return fail(s, "bad escape in a string");
			}
		}
		if ((n = utf8_seq(s)) == 0)
			return fail(s, "invalid UTF-8");
		s->i += n;
	}
}

/* Encode "cp" (a valid code point, not a surrogate) as UTF-8; returns the length. */
static size_t
put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode the escapes of the validated string contents [start, end) into
 * "out" (at least end - start + 1 bytes: no escape decodes longer than it
 * is written).  Returns the decoded length.
 */
static size_t
decode_string(const struct scan *s, size_t start, size_t end, char *out)
{
	size_t i = start, o = 0;
	unsigned cp = 0, lo = 0; /* the string was validated: hex4() cannot fail here */

	while (i < end) {
		if (s->p[i] != '\\') {
			out[o++] = (char)s->p[i++];
			continue;
		}
		switch (s->p[i + 1]) {
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			(void)hex4(s, i + 2, &cp);
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				(void)hex4(s, i + 2, &lo);
				cp = 0x10000 + ((cp & 0x3ff) << 10 | (lo & 0x3ff));
				i += 6;
			}
			o += put_utf8(out + o, cp);
			continue;
		default: /* '"', '\\', '/' */
			out[o++] = (char)s->p[i + 1];
			break;
		}
		i += 2;
	}
	out[o] = '\0';
	return o;
}

/* Read the string at s->i into a new NUL-terminated buffer (cJSON_free() frees it). */
static char *
read_string(struct scan *s)
{
	size_t start, end;
	bool escaped;
	char *str;

	if (scan_string(s, &start, &end, &escaped) == -1)
		return NULL;
	if ((str = pol_json_alloc(end - start + 1)) == NULL) {
		fail(s, "out of memory");
		return NULL;
	}
	if (escaped) {
		decode_string(s, start, end, str);
	} else {
		memcpy(str, s->p + start, end - start);
		str[end - start] = '\0';
	}
	return str;
}

/* ---- scalars ---------------------------------------------------------------------- */

static bool
is_digit(const struct scan *s)
{
	return s->i < s->len && s->p[s->i] >= '0' && s->p[s->i] <= '9';
}

/* A number, as a raw node holding its token. */
static cJSON *
read_number(struct scan *s)
{
	size_t start = s->i, n;
	cJSON *v;

	if (s->p[s->i] == '-')
		s->i++;
	if (!is_digit(s))
		return fail_value(s, "bad number");
	if (s->p[s->i] == '0')
		s->i++;
	else
		while (is_digit(s))
			s->i++;
	if (s->i < s->len && s->p[s->i] == '.') {
		s->i++;
		if (!is_digit(s))
			return fail_value(s, "bad number");
		while (is_digit(s))
			s->i++;
	}
	if (s->i < s->len && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
		s->i++;
		if (s->i < s->len && (s->p[s->i] == '+' || s->p[s->i] == '-'))
			s->i++;
		if (!is_digit(s))
			return fail_value(s, "bad number");
		while (is_digit(s))
			s->i++;
	}
	n = s->i - start;
	if ((v = new_node(s, cJSON_Raw)) == NULL)
		return NULL;
	if ((v->valuestring = pol_json_alloc(n + 1)) == NULL) {
		cJSON_Delete(v);
		return fail_value(s, "out of memory");
	}
	memcpy(v->valuestring, s->p + start, n);
	v->valuestring[n] = '\0';
	return v;
}

static cJSON *
read_literal(struct scan *s, const char *lit, size_t n, int type)
{
	cJSON *v;

	if (s->len - s->i < n || memcmp(s->p + s->i, lit, n) != 0)
		return fail_value(s, "unexpected character");
	s->i += n;
	if ((v = new_node(s, type)) != NULL && type == cJSON_True)
		v->valueint = 1; /* as cJSON sets it */
	return v;
}

/* ---- containers ------------------------------------------------------------------- */

static cJSON *read_value(struct scan *s, int depth);

/* Append "item" to the children of "parent", whose last child is *last. */
static void
append(cJSON *parent, cJSON **last, cJSON *item)
{
	if (*last == NULL) {
		parent->child = item;
	} else {
		(*last)->next = item;
		item->prev = *last;
	}
	*last = item;
	parent->child->prev = item; /* cJSON keeps the last child there */
}

static cJSON *
read_object(struct scan *s, int depth)
{
	cJSON *obj, *item, *last = NULL;
	char *key;

	if ((obj = new_node(s, cJSON_Object)) == NULL)
		return NULL;
	s->i++;
	skip_ws(s);
	if (s->i < s->len && s->p[s->i] == '}') {
		s->i++;
		return obj;
	}
	for (;;) {
		if (s->i >= s->len || s->p[s->i] != '"') {
			fail(s, "expected a string key");
			goto err_free_obj;
		}
		if ((key = read_string(s)) == NULL)
			goto err_free_obj;
		skip_ws(s);
		if (s->i >= s->len || s->p[s->i] != ':') {
			fail(s, "expected ':'");
			goto err_free_key;
		}
		s->i++;
		if ((item = read_value(s, depth)) == NULL)
			goto err_free_key;
		item->string = key;
		append(obj, &last, item);
		skip_ws(s);
		if (s->i < s->len && s->p[s->i] == '}') {
			s->i++;
			return obj;
		}
		if (s->i >= s->len || s->p[s->i] != ',') {
			fail(s, "expected ',' or '}'");
			goto err_free_obj;
		}
		s->i++;
		skip_ws(s);
	}

err_free_key:
	cJSON_free(key);
err_free_obj:
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *
read_array(struct scan *s, int depth)
{
	cJSON *arr, *item, *last = NULL;

	if ((arr = new_node(s, cJSON_Array)) == NULL)
		return NULL;
	s->i++;
	skip_ws(s);
	if (s->i < s->len && s->p[s->i] == ']') {
		s->i++;
		return arr;
	}
	for (;;) {
		if ((item = read_value(s, depth)) == NULL)
			goto err_free_arr;
		append(arr, &last, item);
		skip_ws(s);
		if (s->i < s->len && s->p[s->i] == ']') {
			s->i++;
			return arr;
		}
		if (s->i >= s->len || s->p[s->i] != ',') {
			fail(s, "expected ',' or ']'");
			goto err_free_arr;
		}
		s->i++;
	}

err_free_arr:
	cJSON_Delete(arr);
	return NULL;
}

/* "depth" counts the containers around the value. */
static cJSON *
read_value(struct scan *s, int depth)
{
	cJSON *v;
	char *str;

	skip_ws(s);
	if (s->i >= s->len)
		return fail_value(s, "unexpected end of input");
	switch (s->p[s->i]) {
	case '{':
	case '[':
		if (depth + 1 > POL_JSON_MAX_DEPTH)
			return fail_value(s, "nesting too deep");
		return s->p[s->i] == '{' ? read_object(s, depth + 1) : read_array(s, depth + 1);
	case '"':
		if ((str = read_string(s)) == NULL)
			return NULL;
		if ((v = new_node(s, cJSON_String)) == NULL) {
			cJSON_free(str);
			return NULL;
		}
		v->valuestring = str;
		return v;
	case 't':
		return read_literal(s, "true", 4, cJSON_True);
	case 'f':
		return read_literal(s, "false", 5, cJSON_False);
	case 'n':
		return read_literal(s, "null", 4, cJSON_NULL);
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return read_number(s);
	default:
		return fail_value(s, "unexpected character");
	}
}

int
pol_json_scan(const char *p, size_t len, cJSON **root, struct pol_err *err)
{
	struct scan s = { (const unsigned char *)p, len, 0, err };
	cJSON *v;

	*root = NULL;
	if (p == NULL || len == 0)
		return fail(&s, "empty body");
	if ((v = read_value(&s, 0)) == NULL)
		return -1;
	skip_ws(&s);
	if (s.i != len) {
		fail(&s, "data after the JSON value");
		goto err_free_v;
	}
	*root = v;
	return 0;

err_free_v:
	cJSON_Delete(v);
	return -1;
}
