/*
 * Decimal numbers written straight into a caller's buffer, for the hot
 * paths that build bytes by hand (the upstream request head, the audit
 * line): snprintf parses its format string on every call, and there it
 * cost more than the rest of the work.
 */
#ifndef SW_FMT_H
#define SW_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Room for any uint64_t in decimal ("18446744073709551615"). */
#define FMT_U64_MAX 20

/* Write "v" in decimal at "buf" (no NUL); returns the number of digits. */
static inline size_t
fmt_u64(char buf[FMT_U64_MAX], uint64_t v)
{
	char digits[FMT_U64_MAX];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(buf, digits + i, sizeof(digits) - i);
	return sizeof(digits) - i;
}

#endif
