/*
 * Length-delimited views into buffers owned by someone else: parser output is
 * kept as views and compared with these helpers, never with strcmp/strlen.
 */
#ifndef SW_STR_H
#define SW_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct sw_str {
	const char *p; /* not NUL-terminated; may be NULL when len == 0 */
	size_t len;
};

#define SW_STR_LIT(s) ((struct sw_str){ (s), sizeof(s) - 1 })
#define SW_STR_NULL   ((struct sw_str){ NULL, 0 })

static inline struct sw_str
sw_str_make(const char *p, size_t len)
{
	struct sw_str s = { p, len };

	return s;
}

static inline struct sw_str
sw_str_cstr(const char *s)
{
	return sw_str_make(s, strlen(s));
}

static inline bool
sw_str_eq(const struct sw_str *a, const struct sw_str *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static inline bool
sw_str_eq_lit(const struct sw_str *a, const char *lit)
{
	size_t n = strlen(lit);

	return a->len == n && (n == 0 || memcmp(a->p, lit, n) == 0);
}

static inline char
sw_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive comparison, for HTTP header names and tokens. */
static inline bool
sw_str_caseeq(const struct sw_str *a, const struct sw_str *b)
{
	size_t i;

	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++)
		if (sw_ascii_lower(a->p[i]) != sw_ascii_lower(b->p[i]))
			return false;
	return true;
}

static inline bool
sw_str_caseeq_lit(const struct sw_str *a, const char *lit)
{
	struct sw_str b = { lit, strlen(lit) };

	return sw_str_caseeq(a, &b);
}

static inline bool
sw_str_has_prefix_lit(const struct sw_str *a, const char *lit)
{
	size_t n = strlen(lit);

	return a->len >= n && memcmp(a->p, lit, n) == 0;
}

#endif
