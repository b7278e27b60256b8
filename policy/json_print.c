/*
 * Compact serialisation of a checked tree, byte for byte what
 * cJSON_PrintUnformatted() writes for it, in one pass: cJSON measures every
 * string before writing it, which was a quarter of an inspection's time.
 * Numbers are raw nodes (their literal text, pol_json_parse()).
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "json_strict.h"

struct jout {
	char *p;
	size_t len;
	size_t cap;
	bool failed;
};

static bool
reserve(struct jout *o, size_t more)
{
	size_t ncap;
	char *np;

	if (o->failed)
		return false;
	if (o->len + more <= o->cap)
		return true;
	for (ncap = o->cap ? o->cap : 256; ncap < o->len + more; ncap *= 2)
		;
	if ((np = realloc(o->p, ncap)) == NULL) {
		o->failed = true;
		return false;
	}
	o->p = np;
	o->cap = ncap;
	return true;
}

/* The buffer is sized from the body up front, so this is nearly always a memcpy. */
static inline void
put(struct jout *o, const char *s, size_t n)
{
	if (o->len + n > o->cap && !reserve(o, n))
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static inline void
put_char(struct jout *o, char c)
{
	if (o->len + 1 > o->cap && !reserve(o, 1))
		return;
	o->p[o->len++] = c;
}

/* Bytes a JSON string must escape: control characters, '"' and '\\'. */
static bool
needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* The escape sequence for byte c (one that needs_escape()) into esc; returns its length. */
static size_t
escape_byte(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789abcdef";

	esc[0] = '\\';
	switch (c) {
	case '"':
	case '\\':
		esc[1] = (char)c;
		return 2;
	case '\b':
		esc[1] = 'b';
		return 2;
	case '\f':
		esc[1] = 'f';
		return 2;
	case '\n':
		esc[1] = 'n';
		return 2;
	case '\r':
		esc[1] = 'r';
		return 2;
	case '\t':
		esc[1] = 't';
		return 2;
	default:
		memcpy(esc + 1, "u00", 3);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 0xf];
		return 6;
	}
}

/* Writes runs that need no escaping with one copy each, found a word at a time. */
static void
put_string(struct jout *o, const char *s)
{
	size_t n = strlen(s), i = 0, run = 0;
	char esc[6];
	uint64_t w;

	put_char(o, '"');
	for (;;) {
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			if (pol_json_word_needs_escape(w))
				break;
		}
		while (i < n && !needs_escape((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		put(o, s + run, i - run);
		put(o, esc, escape_byte((unsigned char)s[i], esc));
		run = ++i;
	}
	put(o, s + run, n - run);
	put_char(o, '"');
}

static void
put_value(struct jout *o, const cJSON *v)
{
	const cJSON *c;

	switch (v->type & 0xff) {
	case cJSON_NULL:
		put(o, "null", 4);
		break;
	case cJSON_False:
		put(o, "false", 5);
		break;
	case cJSON_True:
		put(o, "true", 4);
		break;
	case cJSON_Raw:
		if (v->valuestring != NULL)
			put(o, v->valuestring, strlen(v->valuestring));
		break;
	case cJSON_Number: {
		char num[32];
		int n = snprintf(num, sizeof(num), "%.17g", v->valuedouble);

		put(o, num, (size_t)n);
		break;
	}
	case cJSON_String:
		put_string(o, v->valuestring != NULL ? v->valuestring : "");
		break;
	case cJSON_Array:
		put_char(o, '[');
		for (c = v->child; c != NULL; c = c->next) {
			put_value(o, c);
			if (c->next != NULL)
				put_char(o, ',');
		}
		put_char(o, ']');
		break;
	case cJSON_Object:
		put_char(o, '{');
		for (c = v->child; c != NULL; c = c->next) {
			put_string(o, c->string != NULL ? c->string : "");
			put_char(o, ':');
			put_value(o, c);
			if (c->next != NULL)
				put_char(o, ',');
		}
		put_char(o, '}');
		break;
	default:
		o->failed = true;
		break;
	}
}

char *
pol_json_print(const cJSON *v, size_t *len)
{
	struct jout o = { NULL, 0, 0, false };

	if (v == NULL)
		return NULL;
	/* A non-zero *len is the caller's guess at the size: one allocation, usually. */
	if (len != NULL && *len > 0 && !reserve(&o, *len))
		return NULL;
	put_value(&o, v);
	if (!reserve(&o, 1) || o.failed) {
		free(o.p);
		return NULL;
	}
	o.p[o.len] = '\0';
	if (len != NULL)
		*len = o.len;
	return o.p;
}
