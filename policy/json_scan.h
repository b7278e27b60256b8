/*
 * Private to policy/json_*.c: the one-pass reader that validates a body
 * against the JSON grammar with the daemon's stricter reading (UTF-8, no
 * "\u0000", no lone surrogates, bounded depth, nothing after the value) and
 * builds the cJSON tree as it goes, the tree cJSON_Parse() would build,
 * except that numbers are raw nodes holding their source text.
 */
#ifndef SW_POLICY_JSON_SCAN_H
#define SW_POLICY_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sockwarden/policy.h"

/*
 * Parse "p" (len bytes, not NUL-terminated) into *root.  Returns 0, or -1
 * with err naming the problem and its offset and *root NULL.  The tree is
 * freed with cJSON_Delete().
 */
int pol_json_scan(const char *p, size_t len, cJSON **root, struct pol_err *err);

/*
 * Memory for a cJSON node or string that cJSON_Delete() may free: from the
 * inspection's arena while one is active (json_arena.c), from malloc
 * otherwise, the same as cJSON's own allocations.
 */
void *pol_json_alloc(size_t n);

/*
 * Eight bytes at a time: strings are skipped a word at a time while no
 * byte needs a closer look.  Does any byte of w fall below n (n <= 0x80),
 * or equal c?  Exact, whatever the byte order: the lowest such byte never
 * receives a borrow, so its high bit is always set in the result.
 */
#define POL_JSON_ONES  UINT64_C(0x0101010101010101)
#define POL_JSON_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t
pol_json_has_below(uint64_t w, unsigned n)
{
	return (w - POL_JSON_ONES * n) & ~w & POL_JSON_HIGHS;
}

static inline uint64_t
pol_json_has_byte(uint64_t w, unsigned char c)
{
	return pol_json_has_below(w ^ (POL_JSON_ONES * c), 1);
}

/* Does any byte of w need escaping in a JSON string: a control character, '"' or '\\'? */
static inline bool
pol_json_word_needs_escape(uint64_t w)
{
	return (pol_json_has_below(w, 0x20) | pol_json_has_byte(w, '"') |
	           pol_json_has_byte(w, '\\')) != 0;
}

#endif
