/*
 * Text as Go's standard library reads it (go_text.h): what a parser that
 * must agree with the daemon needs of utf8, unicode and strings.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockwarden/str.h"

#include "go_text.h"

/* utf8.DecodeRune: the rune at s and its width; an invalid byte is U+FFFD of width 1. */
uint32_t
pol_go_rune_at(const char *s, size_t n, size_t *w)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t r;

	*w = 1;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 1;
		r = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		r = p[0] & 0x0f;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		r = p[0] & 0x07;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0xfffd;
	}
	if (n <= need)
		return 0xfffd;
	for (i = 1; i <= need; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0xfffd;
		r = r << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*w = need + 1;
	return r;
}

/* utf8.DecodeLastRune: the rune that ends s (n > 0) and its width. */
static uint32_t
go_last_rune(const char *s, size_t n, size_t *w)
{
	size_t k, dw;
	uint32_t r;

	*w = 1;
	for (k = 1; k <= 4 && k <= n; k++) {
		if (((unsigned char)s[n - k] & 0xc0) == 0x80)
			continue;
		r = pol_go_rune_at(s + n - k, k, &dw);
		if (dw != k)
			return 0xfffd;
		*w = k;
		return r;
	}
	return 0xfffd;
}

/* unicode.IsSpace */
bool
pol_go_is_space_rune(uint32_t r)
{
	return (r >= '\t' && r <= '\r') || r == ' ' || r == 0x85 || r == 0xa0 || r == 0x1680 ||
	       (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
	       r == 0x205f || r == 0x3000;
}

/* unicode.IsSpace(rune(b)) on one byte, as extractBuilderFlags and parseHealthConfig test. */
bool
pol_go_is_space_byte(char c)
{
	return pol_go_is_space_rune((unsigned char)c);
}

/* How many bytes of white space begin s (bytes.TrimLeftFunc(unicode.IsSpace)). */
size_t
pol_go_lead_space(const char *s, size_t n)
{
	size_t i = 0, w;

	while (i < n && pol_go_is_space_rune(pol_go_rune_at(s + i, n - i, &w)))
		i += w;
	return i;
}

/* strings.TrimSpace */
void
pol_go_trim_space(const char **s, size_t *n)
{
	size_t k = pol_go_lead_space(*s, *n), w;

	*s += k;
	*n -= k;
	while (*n > 0 && pol_go_is_space_rune(go_last_rune(*s, *n, &w)))
		*n -= w;
}

/* Does strings.ToLower(s) equal the lower-case ASCII keyword kw? */
bool
pol_go_lower_is(const char *s, size_t n, const char *kw)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	for (; *kw != '\0'; kw++) {
		if (i < n && p[i] < 0x80 && sw_ascii_lower((char)p[i]) == *kw)
			i += 1;
		else if (*kw == 'i' && n - i >= 2 && p[i] == 0xc4 && p[i + 1] == 0xb0)
			i += 2; /* U+0130 */
		else if (*kw == 'k' && n - i >= 3 && p[i] == 0xe2 && p[i + 1] == 0x84 &&
		         p[i + 2] == 0xaa)
			i += 3; /* U+212A */
		else
			return false;
	}
	return i == n;
}
