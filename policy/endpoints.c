/*
 * Routing: (method, canonical path) -> Docker API endpoint, the way the
 * daemon's gorilla/mux router does it.  The table is in endpoints.h.
 *
 * Matching runs once per request on the templates as written.  Only the
 * rows that can match are tried: the index (endpoints.h), generated from
 * the table at build time, lists them by method and by the byte after the
 * leading '/', in table order.  Scanning the whole table cost more than the
 * rest of routing did.
 */
#include "sockwarden/compat.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "endpoints.h"
#include "ep_index.h" /* generated: gen/gen_ep_index.c */
#include "sockwarden/policy.h"

struct ep_row {
	const char *name;   /* operation id */
	const char *method; /* as registered */
	const char *tpl;    /* path template as registered, without the version prefix */
	unsigned flags;     /* POL_EPF_* */
	enum ep_method mcode;
};

static const struct ep_row ep_rows[POL_EP_COUNT] = {
	[POL_EP_UNKNOWN] = { "Unknown", "", "", 0, EPM_NONE },
#define X(name, method, tpl, flags) [POL_EP_##name] = { #name, #method, tpl, flags, EPM_##method },
	POL_ENDPOINTS(X)
#undef X
};

static const struct {
	const char *name;
	enum ep_method code;
} ep_methods[] = {
	{ "GET", EPM_GET },
	{ "HEAD", EPM_HEAD },
	{ "POST", EPM_POST },
	{ "PUT", EPM_PUT },
	{ "DELETE", EPM_DELETE },
	{ "OPTIONS", EPM_OPTIONS },
};

/* What a route variable may match, from its gorilla/mux pattern. */
enum ep_var {
	EPV_BAD = 0, /* a pattern this matcher does not know: never matches */
	EPV_SEGMENT, /* "{id}": [^/]+ */
	EPV_ANY,     /* "{name:.*}": any bytes but '\n', possibly none */
	EPV_SOME,    /* "{id:.+}": the same, at least one */
};

size_t
pol_ep_count(void)
{
	return POL_EP_COUNT;
}

static const struct ep_row *
ep_row(int ep)
{
	if (ep <= POL_EP_UNKNOWN || ep >= POL_EP_COUNT)
		return &ep_rows[POL_EP_UNKNOWN];
	return &ep_rows[ep];
}

const char *
pol_ep_name(int ep)
{
	return ep_row(ep)->name;
}

unsigned
pol_ep_flags(int ep)
{
	return ep_row(ep)->flags;
}

const char *
pol_ep_method(int ep)
{
	return ep_row(ep)->method;
}

const char *
pol_ep_template(int ep)
{
	return ep_row(ep)->tpl;
}

int
pol_ep_lookup(const char *name)
{
	int ep;

	if (name == NULL)
		return POL_EP_UNKNOWN;
	for (ep = POL_EP_UNKNOWN + 1; ep < POL_EP_COUNT; ep++)
		if (strcmp(ep_rows[ep].name, name) == 0)
			return ep;
	return POL_EP_UNKNOWN;
}

/* The daemon compares methods exactly: "get" and "Get" route nowhere. */
static enum ep_method
method_code(const struct sw_str *method)
{
	size_t i;

	for (i = 0; i < nitems(ep_methods); i++)
		if (sw_str_eq_lit(method, ep_methods[i].name))
			return ep_methods[i].code;
	return EPM_NONE;
}

/*
 * Parse the variable at "t" (pointing at '{'); returns what it matches and
 * sets *after to the template text following its '}'.
 */
static enum ep_var
parse_var(const char *t, const char **after)
{
	const char *end = strchr(t, '}');
	const char *colon;

	if (end == NULL) {
		*after = t + strlen(t);
		return EPV_BAD;
	}
	*after = end + 1;
	colon = memchr(t, ':', (size_t)(end - t));
	if (colon == NULL)
		return EPV_SEGMENT;
	if (end - colon == 3 && colon[1] == '.' && colon[2] == '*')
		return EPV_ANY;
	if (end - colon == 3 && colon[1] == '.' && colon[2] == '+')
		return EPV_SOME;
	return EPV_BAD;
}

/* Longest prefix of [p, end) that a variable of kind "v" may take. */
static size_t
var_span(enum ep_var v, const char *p, const char *end)
{
	const char *stop;

	switch (v) {
	case EPV_SEGMENT:
		stop = memchr(p, '/', (size_t)(end - p));
		break;
	case EPV_ANY:
	case EPV_SOME:
		/* Go's regexp '.' does not match a newline. */
		stop = memchr(p, '\n', (size_t)(end - p));
		break;
	default:
		return 0;
	}
	return (size_t)((stop != NULL ? stop : end) - p);
}

/*
 * Does [p, end) match template "t" the way the anchored regexp gorilla/mux
 * builds from it does?  Literal bytes compare exactly; a variable takes the
 * longest span that lets the rest match, as Go's leftmost-first regexp
 * prefers for greedy patterns.  *var (may be NULL) gets the first variable.
 */
static bool
match_tpl(const char *t, const char *p, const char *end, struct sw_str *var)
{
	const char *rest;
	enum ep_var v;
	size_t span, min, n, restlen;

	for (; *t != '\0' && *t != '{'; t++, p++)
		if (p == end || *p != *t)
			return false;
	if (*t == '\0')
		return p == end;

	v = parse_var(t, &rest);
	if (v == EPV_BAD)
		return false;
	min = v == EPV_ANY ? 0 : 1;

	if (strchr(rest, '{') == NULL) {
		/* Only literal text follows: it must be the tail of the path. */
		restlen = strlen(rest);
		if ((size_t)(end - p) < restlen + min)
			return false;
		n = (size_t)(end - p) - restlen;
		if (memcmp(p + n, rest, restlen) != 0 || var_span(v, p, p + n) != n)
			return false;
		if (var != NULL)
			*var = sw_str_make(p, n);
		return true;
	}
	span = var_span(v, p, end);
	for (n = span + 1; n-- > min;) {
		if (match_tpl(rest, p + n, end, NULL)) {
			if (var != NULL)
				*var = sw_str_make(p, n);
			return true;
		}
	}
	return false;
}

/* Row numbers fit in a byte, and the (at most 255 * 256) list entries in ep_index_start. */
_Static_assert(POL_EP_COUNT <= UCHAR_MAX + 1, "ep_index_row holds row numbers in bytes");

int
pol_ep_match(const struct sw_str *method, const struct sw_str *path, struct sw_str *ref)
{
	struct sw_str var = SW_STR_NULL;
	const unsigned char *row, *row_end;
	enum ep_method m;
	const char *end;
	size_t list;

	if (ref != NULL)
		*ref = SW_STR_NULL;
	m = method_code(method);
	if (m == EPM_NONE || path->len == 0 || path->p[0] != '/')
		return POL_EP_UNKNOWN;
	end = path->p + path->len;
	list = ep_index_list(m, path->len > 1 ? (unsigned char)path->p[1] : 0);
	row_end = ep_index_row + ep_index_start[list + 1];
	for (row = ep_index_row + ep_index_start[list]; row < row_end; row++) {
		if (!match_tpl(ep_rows[*row].tpl, path->p, end, &var))
			continue;
		if (ref != NULL)
			*ref = var;
		return *row;
	}
	return POL_EP_UNKNOWN;
}
