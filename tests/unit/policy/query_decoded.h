/*
 * A query as the daemon reads it, written back as "k=v" pairs joined by '&'
 * (decoded, in order), for comparing a rewritten query with a test row.
 * Included by the policy tests that rewrite queries.
 */
#ifndef SW_TEST_QUERY_DECODED_H
#define SW_TEST_QUERY_DECODED_H

#include <stdio.h>

#include "query.h"

static void
decoded(const char *raw, char *out, size_t outsz)
{
	struct sw_str s = sw_str_cstr(raw);
	struct pol_query q;
	const char *why;
	size_t i, o = 0;

	out[0] = '\0';
	if (pol_query_parse(&s, &q, &why) == -1) {
		snprintf(out, outsz, "<unparsable: %s>", why);
		return;
	}
	for (i = 0; i < q.n && o < outsz; i++)
		o += (size_t)snprintf(
		    out + o, outsz - o, "%s%s=%s", i ? "&" : "", q.pairs[i].key, q.pairs[i].value);
	pol_query_free(&q);
}

#endif
