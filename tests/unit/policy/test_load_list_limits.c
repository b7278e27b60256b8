/*
 * Tests for the limit on items in one rule list (LIST_MAX, 1024, in
 * policy/load_rules.c), crossed by one in each of the three places that
 * count: a list of strings (labels.require), the port ranges
 * (ports.host_ports) and the labels a mutation sets (set.labels).  The
 * configurations are generated here, one item per line, so the refused
 * item's line is known.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "policy_int.h"

#define LIST_MAX 1024

/* The first item is on line 8, each indented by 10 spaces. */
#define HEAD                                                           \
	"listeners:\n"                                                 \
	"  - { name: a, listen: \"unix:///run/a.sock\", policy: p }\n" \
	"policies:\n"                                                  \
	"  p:\n"                                                       \
	"    containers:\n"
#define FIRST_LINE 8

enum list_kind { REQUIRE_LABELS, HOST_PORTS, SET_LABELS };

struct limit_case {
	const char *name;
	enum list_kind kind;
	size_t n;        /* items written */
	const char *err; /* NULL: loads with n items; else a substring of the error */
};

static struct limit_case cases[] = {
	{ "labels.require at the limit", REQUIRE_LABELS, LIST_MAX, NULL },
	{ "labels.require one past", REQUIRE_LABELS, LIST_MAX + 1,
	    "labels.require has more than 1024 items" },
	{ "ports.host_ports at the limit", HOST_PORTS, LIST_MAX, NULL },
	{ "ports.host_ports one past", HOST_PORTS, LIST_MAX + 1,
	    "ports.host_ports has more than 1024 items" },
	{ "set.labels at the limit", SET_LABELS, LIST_MAX, NULL },
	{ "set.labels one past", SET_LABELS, LIST_MAX + 1, "set.labels has more than 1024 labels" },
};

/* Item i as written: "- k<i>", "- <i + 1>" (ports from 1) or "k<i>: v". */
static int
item(enum list_kind kind, size_t i, char *buf, size_t bufsz)
{
	switch (kind) {
	case REQUIRE_LABELS:
		return snprintf(buf, bufsz, "- k%zu", i);
	case HOST_PORTS:
		return snprintf(buf, bufsz, "- %zu", i + 1);
	case SET_LABELS:
		break;
	}
	return snprintf(buf, bufsz, "k%zu: v", i);
}

static char *
make_config(const struct limit_case *c)
{
	static const char *const parents[] = {
		[REQUIRE_LABELS] = "      labels:\n        require:\n",
		[HOST_PORTS] = "      ports:\n        host_ports:\n",
		[SET_LABELS] = "      set:\n        labels:\n",
	};
	size_t cap = sizeof(HEAD) + 64 + c->n * 32, off, i;
	char *buf = malloc(cap);

	assert_non_null(buf);
	off = (size_t)snprintf(buf, cap, "%s%s", HEAD, parents[c->kind]);
	for (i = 0; i < c->n; i++) {
		off += (size_t)snprintf(buf + off, cap - off, "          ");
		off += (size_t)item(c->kind, i, buf + off, cap - off);
		off += (size_t)snprintf(buf + off, cap - off, "\n");
	}
	assert_true(off < cap);
	return buf;
}

/* How many items the loaded policy holds in the list the row wrote. */
static size_t
stored(const struct pol_set *ps, enum list_kind kind)
{
	const struct pol_rules *r = &ps->policies[pol_set_find_policy(ps, "p")].rules;

	switch (kind) {
	case REQUIRE_LABELS:
		return r->require_labels.n;
	case HOST_PORTS:
		return r->n_ports;
	case SET_LABELS:
		break;
	}
	return r->set.labels.n;
}

static void
test_list_limit_row(void **state)
{
	const struct limit_case *c = *state;
	char *text = make_config(c), last[32];
	struct pol_set *ps = NULL;
	struct pol_err err;
	int rc = pol_load_buffer("limits.yaml", text, strlen(text), &ps, &err), line, col;

	free(text);
	if (c->err == NULL) {
		if (rc != 0)
			fail_msg("%s: %d:%d: %s", c->name, err.line, err.col, err.msg);
		if (stored(ps, c->kind) != c->n)
			fail_msg(
			    "%s: %zu items stored, want %zu", c->name, stored(ps, c->kind), c->n);
		pol_set_unref(ps);
		return;
	}
	if (rc == 0) {
		pol_set_unref(ps);
		fail_msg("%s: loaded, want: %s", c->name, c->err);
	}
	/* Refused at the item past the limit: its value (a label's, after "k1024: "). */
	item(c->kind, c->n - 1, last, sizeof(last));
	line = FIRST_LINE + (int)c->n - 1;
	col = 11 + (c->kind == SET_LABELS ? (int)(strchr(last, ' ') - last) + 1 : 2);
	if (err.line != line || err.col != col || strstr(err.msg, c->err) == NULL)
		fail_msg("%s: %d:%d: %s; want %d:%d: ...%s...", c->name, err.line, err.col, err.msg,
		    line, col, c->err);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(cases)];
	size_t i;

	for (i = 0; i < nitems(cases); i++)
		tests[i] = (struct CMUnitTest){ cases[i].name, test_list_limit_row, NULL, NULL,
			&cases[i] };
	return _cmocka_run_group_tests("load_list_limits", tests, nitems(cases), NULL, NULL);
}
