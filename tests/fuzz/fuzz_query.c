/*
 * Fuzz harness for policy/query.c.  The input is a raw query string (the
 * bytes after '?').  Invariants, checked with abort():
 *
 * - pol_query_parse either refuses with a reason and leaves nothing behind,
 *   or returns pairs whose keys and values hold no NUL and never grow past
 *   the input (decoding only shrinks);
 * - re-encoding the pairs (pol_query_encode) and parsing that again gives
 *   the same pairs in the same order, hence the same first value for every
 *   key: what a handler reads (Values.Get) survives the round trip;
 * - the re-encoded form is a fixed point: encoding it again changes nothing.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
encode(const struct pol_query *q, size_t *len)
{
	size_t n = pol_query_encode(q, NULL, 0);
	char *buf = malloc(n + 1);

	if (buf == NULL)
		abort();
	if (pol_query_encode(q, buf, n + 1) != n || strlen(buf) != n)
		abort();
	*len = n;
	return buf;
}

static void
check_same(const struct pol_query *a, const struct pol_query *b)
{
	const char *first;
	size_t i;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->pairs[i].key, b->pairs[i].key) != 0 ||
		    strcmp(a->pairs[i].value, b->pairs[i].value) != 0)
			abort();
		first = pol_query_get(b, a->pairs[i].key);
		if (first == NULL || strcmp(first, pol_query_get(a, a->pairs[i].key)) != 0)
			abort();
		if (pol_query_count(a, a->pairs[i].key) != pol_query_count(b, a->pairs[i].key))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_str raw = { (const char *)data, size }, enc;
	struct pol_query q, q2;
	const char *why = NULL;
	size_t i, total = 0, len, len2;
	char *buf, *buf2;

	if (pol_query_parse(&raw, &q, &why) != 0) {
		if (why == NULL || q.n != 0 || q.pairs != NULL || q.buf != NULL)
			abort();
		return 0;
	}
	for (i = 0; i < q.n; i++)
		total += strlen(q.pairs[i].key) + strlen(q.pairs[i].value);
	if (total > size || q.n > POL_QUERY_MAX_PAIRS)
		abort();

	buf = encode(&q, &len);
	enc = sw_str_make(buf, len);
	if (pol_query_parse(&enc, &q2, &why) != 0)
		abort();
	check_same(&q, &q2);
	buf2 = encode(&q2, &len2);
	if (len2 != len || memcmp(buf, buf2, len) != 0)
		abort();

	free(buf2);
	free(buf);
	pol_query_free(&q2);
	pol_query_free(&q);
	return 0;
}
