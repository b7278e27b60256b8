#include "sockwarden/compat.h"

/*
 * gen_ep_index OUTPUT: writes the routing index of endpoints.h (described
 * there) as two constant arrays.  The build runs it, so that the index is
 * derived from the one list of routes and the policy library holds no
 * state: a table built on first use would be the one global it writes.
 */

#include <stdio.h>

#include "endpoints.h"

static const struct {
	const char *name;
	enum ep_method m;
	const char *tpl;
} rows[POL_EP_COUNT] = { [POL_EP_UNKNOWN] = { "Unknown", EPM_NONE, "" },
#define X(name, method, tpl, flags) [POL_EP_##name] = { #name, EPM_##method, tpl },
	POL_ENDPOINTS(X)
#undef X
};

/*
 * The keys of the lists row "ep" belongs in: its template's byte after the
 * leading '/', or every byte when a variable starts there.
 */
static void
row_keys(int ep, unsigned *first, unsigned *last)
{
	unsigned char c = (unsigned char)rows[ep].tpl[1];

	*first = c == '{' ? 0 : c;
	*last = c == '{' ? EP_KEYS - 1 : c;
}

static void
print_array(FILE *f, const char *decl, const unsigned *v, size_t n)
{
	size_t i;

	fprintf(f, "%s = {", decl);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%u,", i % 16 == 0 ? "\n\t" : " ", v[i]);
	fprintf(f, "\n};\n");
}

int
main(int argc, char **argv)
{
	static unsigned start[EPM_COUNT * EP_KEYS + 1], next[EPM_COUNT * EP_KEYS];
	static unsigned order[(POL_EP_COUNT - 1) * EP_KEYS];
	unsigned k, first, last;
	size_t l, n = 0;
	FILE *f;
	int ep;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_ep_index OUTPUT\n");
		return 2;
	}
	for (ep = POL_EP_UNKNOWN + 1; ep < POL_EP_COUNT; ep++) {
		/* The key is the byte after the leading '/': a row without one would be misfiled.
		 */
		if (rows[ep].tpl[0] != '/') {
			fprintf(stderr,
			    "gen_ep_index: %s: template \"%s\" does not start with '/'\n",
			    rows[ep].name, rows[ep].tpl);
			return 1;
		}
		row_keys(ep, &first, &last);
		for (k = first; k <= last; k++)
			start[ep_index_list(rows[ep].m, (unsigned char)k) + 1]++;
	}
	for (l = 1; l < nitems(start); l++)
		start[l] += start[l - 1];
	for (l = 0; l < nitems(next); l++)
		next[l] = start[l];
	/* In table order, so that each list keeps it. */
	for (ep = POL_EP_UNKNOWN + 1; ep < POL_EP_COUNT; ep++) {
		row_keys(ep, &first, &last);
		for (k = first; k <= last; k++, n++)
			order[next[ep_index_list(rows[ep].m, (unsigned char)k)]++] = (unsigned)ep;
	}

	if ((f = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f, "/* Generated from policy/endpoints.h by policy/gen/gen_ep_index.c. */\n");
	print_array(f, "static const unsigned short ep_index_start[EPM_COUNT * EP_KEYS + 1]", start,
	    nitems(start));
	print_array(f, "static const unsigned char ep_index_row[]", order, n);
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
