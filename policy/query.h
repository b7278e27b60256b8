/*
 * Query strings read the way the daemon reads them: Go's url.ParseQuery
 * (Go >= 1.17), with every case where Go reports an error refused outright.
 *
 * - The query is split on '&'; empty pieces are skipped; each piece is cut at
 *   its first '=' into key and value (no '=' gives an empty value).
 * - A piece containing ';' is an error (Go >= 1.17 drops it and reports it;
 *   Go < 1.17 split on ';' too, so the only reading both agree on is none).
 * - Keys and values are unescaped: "%XX" (either hex case) is a byte, '+' is
 *   a space.  A '%' not followed by two hex digits is an error.
 * - Keys are case-sensitive; every pair is kept, in order, so repeated keys
 *   keep all their values.  Handlers read the FIRST value (Values.Get,
 *   Request.FormValue); a few read them all (r.Form["t"]).
 *
 * Stricter than Go, because C strings cannot carry it: a decoded NUL byte is
 * refused.  More than POL_QUERY_MAX_PAIRS pairs are refused too (Go 1.26
 * caps url.ParseQuery at 10000 parameters; no Docker client sends 100).
 *
 * Decoded keys and values are NUL-terminated and owned by the pol_query.
 */
#ifndef SW_POLICY_QUERY_H
#define SW_POLICY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockwarden/str.h"

#define POL_QUERY_MAX_PAIRS 1000

struct pol_qpair {
	const char *key;   /* decoded, NUL-terminated */
	const char *value; /* decoded, NUL-terminated; "" when the piece had no '=' */
};

struct pol_query {
	struct pol_qpair *pairs; /* in query order */
	size_t n;
	char *buf; /* backing store of every key and value */
};

/*
 * Parse "raw" (the bytes after '?', without it).  Returns 0, or -1 with a
 * static reason in *why; on error *q is empty and needs no pol_query_free.
 */
int pol_query_parse(const struct sw_str *raw, struct pol_query *q, const char **why);
void pol_query_free(struct pol_query *q);

/* Is "key" present at all (even with an empty value)?  Go: _, ok := r.Form[k]. */
bool pol_query_has(const struct pol_query *q, const char *key);
/* The first value of "key", or NULL when absent. */
const char *pol_query_get(const struct pol_query *q, const char *key);
/* Values.Get / FormValue: the first value, "" when absent. */
const char *pol_query_value(const struct pol_query *q, const char *key);
/* Number of values of "key", and the i-th of them (NULL past the end). */
size_t pol_query_count(const struct pol_query *q, const char *key);
const char *pol_query_nth(const struct pol_query *q, const char *key, size_t i);

/*
 * strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow.
 * Returns 0 and the value, or -1 (the daemon would see an error).
 */
int pol_go_parse_int64(const char *s, int64_t *out);

/*
 * url.QueryEscape of s[0..len) into buf: unreserved bytes as they are, ' '
 * as '+', everything else as %XX.  Returns the length needed (without the
 * NUL); the output is complete and NUL-terminated only when it is < bufsz.
 */
size_t pol_query_escape(const char *s, size_t len, char *buf, size_t bufsz);

/*
 * Write the pairs back as a query ("k=v&k2=v2", each part escaped).  Returns
 * the length needed, as pol_query_escape does.  Parsing the result gives the
 * same pairs in the same order.
 */
size_t pol_query_encode(const struct pol_query *q, char *buf, size_t bufsz);

#endif
