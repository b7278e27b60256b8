/*
 * Tests for the "ownership" and "redact" keys of a policy
 * (policy/load_policies.c, own_config.c) and pol_set_ownership(): good rows
 * (what the accessor then returns) and bad rows (the error and its
 * file:line:col).  Each row is the body of policy "p", from line 5.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "policy_int.h"

#define HEAD                                                           \
	"listeners:\n"                                                 \
	"  - { name: a, listen: \"unix:///run/a.sock\", policy: p }\n" \
	"policies:\n"                                                  \
	"  p:\n"
#define TAIL "  q: { allow: [SystemPing] }\n"

struct own_case {
	const char *name;
	const char *body; /* lines of policy p, 4 spaces in */
	int line, col;    /* error position; 0: must load */
	/* loads: "isolate|label|env globs,|label globs," or "-" when the accessor says NULL */
	const char *want;
};

static const struct own_case cases[] = {
	/* ---- good ---- */
	{ "on", "    allow: [ContainerList]\n    ownership: true\n", 0, 0,
	    "1|io.sockwarden.owner||" },
	{ "off", "    allow: [ContainerList]\n    ownership: false\n", 0, 0, "-" },
	{ "absent", "    allow: [ContainerList]\n", 0, 0, "-" },
	{ "own label", "    ownership: { label: io.example.owner }\n", 0, 0,
	    "1|io.example.owner||" },
	{ "mapping without label", "    ownership: {}\n", 0, 0, "1|io.sockwarden.owner||" },
	{ "label with slash", "    ownership:\n      label: example.com/owner\n", 0, 0,
	    "1|example.com/owner||" },
	{ "redact only",
	    "    redact:\n      env: [\"*PASSWORD*\", \"AWS_*\"]\n      labels: [\"secret.*\"]\n",
	    0, 0, "0||*PASSWORD*,AWS_*,|secret.*," },
	{ "both, keys in any order",
	    "    redact: { labels: [a.b] }\n    ownership: true\n    allow: [Container*]\n", 0, 0,
	    "1|io.sockwarden.owner||a.b," },
	{ "empty redact lists", "    redact: { env: [], labels: [] }\n", 0, 0, "-" },
	/* ---- bad ---- */
	{ "not a boolean", "    ownership: yes\n", 5, 16,
	    "policies.p.ownership must be true, false or a mapping with label, got \"yes\"" },
	{ "the design draft's word", "    ownership: label\n", 5, 16,
	    "must be true, false or a mapping with label" },
	{ "a list", "    ownership: [label]\n", 5, 16,
	    "must be true, false or a mapping with label, not a list" },
	{ "unknown key", "    ownership: { label: a.b, key: c }\n", 5, 30,
	    "unknown key \"key\" in policies.p.ownership" },
	{ "label with '='", "    ownership: { label: \"a.b=c\" }\n", 5, 25,
	    "policies.p.ownership.label must not contain '=' or '!'" },
	{ "label negation", "    ownership: { label: \"a.b!\" }\n", 5, 25, "'!'" },
	{ "label a plain word", "    ownership: { label: name }\n", 5, 25, "dotted name" },
	{ "label swarm attribute", "    ownership: { label: image.new }\n", 5, 25, ".old or .new" },
	{ "label reserved", "    ownership: { label: com.docker.owner }\n", 5, 25,
	    "namespace Docker reserves" },
	{ "label empty", "    ownership: { label: \"\" }\n", 5, 25, "must not be empty" },
	{ "label with space", "    ownership: { label: \"a .b\" }\n", 5, 25,
	    "printable ASCII without spaces" },
	{ "label not ASCII", "    ownership: { label: \"\xc3\xa9.b\" }\n", 5, 25,
	    "printable ASCII" },
	{ "label too long",
	    "    ownership: { label: a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa }\n",
	    5, 25, "shorter than 128 bytes" },
	{ "redact not a mapping", "    redact: [a]\n", 5, 13,
	    "policies.p.redact must be a mapping with env and/or labels, not a list" },
	{ "redact unknown key", "    redact: { values: [a] }\n", 5, 15,
	    "unknown key \"values\" in policies.p.redact" },
	{ "env not a list", "    redact: { env: AWS_* }\n", 5, 20,
	    "policies.p.redact.env must be a list of variable name globs" },
	{ "env glob with '='", "    redact: { env: [\"A=B\"] }\n", 5, 21,
	    "policies.p.redact.env must not contain '='" },
	{ "label glob empty", "    redact: { labels: [\"\"] }\n", 5, 24, "must not be empty" },
	{ "redact twice", "    redact: {}\n    redact: {}\n", 6, 5, "duplicate key \"redact\"" },
};

/* "isolate|label|env globs|label globs", each glob followed by ','; "-" for NULL. */
static void
describe(const struct pol_ownership *o, char *buf, size_t bufsz)
{
	size_t i, off;

	if (o == NULL) {
		snprintf(buf, bufsz, "-");
		return;
	}
	off =
	    (size_t)snprintf(buf, bufsz, "%d|%s|", o->isolate ? 1 : 0, o->isolate ? o->label : "");
	for (i = 0; i < o->n_redact_env && off < bufsz; i++)
		off += (size_t)snprintf(buf + off, bufsz - off, "%s,", o->redact_env[i]);
	if (off < bufsz)
		off += (size_t)snprintf(buf + off, bufsz - off, "|");
	for (i = 0; i < o->n_redact_labels && off < bufsz; i++)
		off += (size_t)snprintf(buf + off, bufsz - off, "%s,", o->redact_labels[i]);
}

#define FAIL_ROW(...)                     \
	do {                              \
		print_error(__VA_ARGS__); \
		print_error("\n");        \
		failed++;                 \
	} while (0)

static void
test_load_ownership_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		const struct own_case *t = &cases[i];
		char text[2048], got[512];
		struct pol_set *ps = NULL;
		struct pol_err err;
		int rc;

		snprintf(text, sizeof(text), "%s%s%s", HEAD, t->body, TAIL);
		rc = pol_load_buffer("test.yaml", text, strlen(text), &ps, &err);
		if (t->line == 0) {
			if (rc != 0) {
				FAIL_ROW("%s: did not load: %d:%d: %s", t->name, err.line, err.col,
				    err.msg);
				continue;
			}
			describe(
			    pol_set_ownership(ps, pol_set_find_policy(ps, "p")), got, sizeof(got));
			if (strcmp(got, t->want) != 0)
				FAIL_ROW("%s: got \"%s\", want \"%s\"", t->name, got, t->want);
			/* The other policy says nothing about ownership. */
			if (pol_set_ownership(ps, pol_set_find_policy(ps, "q")) != NULL)
				FAIL_ROW("%s: policy q has ownership settings", t->name);
			pol_set_unref(ps);
			continue;
		}
		if (rc == 0) {
			pol_set_unref(ps);
			FAIL_ROW("%s: loaded, want an error at %d:%d", t->name, t->line, t->col);
			continue;
		}
		if (err.line != t->line || err.col != t->col || strstr(err.msg, t->want) == NULL)
			FAIL_ROW("%s: got %d:%d: %s; want %d:%d: ...%s...", t->name, err.line,
			    err.col, err.msg, t->line, t->col, t->want);
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(cases));
}

/* At most POL_OWN_MAX_REDACT globs per list: one more is an error at that entry. */
static void
test_load_redact_limit(void **state)
{
	char text[8192];
	struct pol_set *ps = NULL;
	struct pol_err err;
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "%s    redact:\n      env:\n", HEAD);
	for (i = 0; i <= POL_OWN_MAX_REDACT; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "        - V%d\n", i);
	snprintf(text + off, sizeof(text) - off, "%s", TAIL);
	if (pol_load_buffer("test.yaml", text, strlen(text), &ps, &err) == 0) {
		pol_set_unref(ps);
		fail_msg("%d globs loaded", POL_OWN_MAX_REDACT + 1);
	}
	if (err.line != 7 + POL_OWN_MAX_REDACT || strstr(err.msg, "more than 64 globs") == NULL)
		fail_msg("got %d:%d: %s", err.line, err.col, err.msg);
}

/* Policies out of range have no settings; a NULL set neither. */
static void
test_ownership_accessor_range(void **state)
{
	static const char text[] = HEAD "    ownership: true\n" TAIL;
	struct pol_set *ps = NULL;
	struct pol_err err;

	(void)state;
	if (pol_load_buffer("test.yaml", text, strlen(text), &ps, &err) != 0)
		fail_msg("did not load: %d:%d: %s", err.line, err.col, err.msg);
	if (pol_set_ownership(ps, -1) != NULL || pol_set_ownership(ps, 2) != NULL ||
	    pol_set_ownership(NULL, 0) != NULL)
		fail_msg("out-of-range policy has ownership settings");
	if (pol_set_ownership(ps, 0) == NULL || !pol_set_ownership(ps, 0)->isolate)
		fail_msg("policy 0 lost its ownership");
	pol_set_unref(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_ownership_rows),
		cmocka_unit_test(test_load_redact_limit),
		cmocka_unit_test(test_ownership_accessor_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
