/*
 * Tests for policy/load_clients.c: a listener's "clients" list, good rows
 * (the entries it stores, names resolved to ids) and bad rows (the error and
 * its file:line:col).  Each row is the list under listener "a" in a small
 * configuration; a second listener "b" with one entry of its own checks that
 * the listeners' entries sit side by side in sw_config.clients.  Names used:
 * "root" (uid 0, group gid 0), present on every host.
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

#include "sockwarden/policy.h"

#include "policy_int.h"

/* The row's lines start at line 6; they carry their own indentation (6 spaces). */
#define HEAD                               \
	"listeners:\n"                     \
	"  - name: a\n"                    \
	"    listen: unix:///run/a.sock\n" \
	"    policy: p\n"                  \
	"    clients:\n"
#define TAIL                                         \
	"  - name: b\n"                              \
	"    listen: unix:///run/b.sock\n"           \
	"    policy: q\n"                            \
	"    clients:\n"                             \
	"      - { match: { uid: 7 }, policy: q }\n" \
	"policies:\n"                                \
	"  p: { allow: [SystemPing] }\n"             \
	"  q: { groups: [read-only] }\n"

struct client_case {
	const char *name;
	const char *rows;
	int line, col;    /* error position; 0: must load */
	const char *want; /* loads: a's entries, "uid/gid:policy" joined by '|'; else the error */
};

static const struct client_case cases[] = {
	/* ---- good ---- */
	{ "uid", "      - { match: { uid: 1000 }, policy: q }\n", 0, 0, "1000/-:q" },
	{ "uid-zero", "      - { match: { uid: 0 }, policy: q }\n", 0, 0, "0/-:q" },
	{ "gid", "      - { match: { gid: 998 }, policy: p }\n", 0, 0, "-/998:p" },
	{ "user-root", "      - { match: { user: root }, policy: q }\n", 0, 0, "0/-:q" },
	{ "group-root", "      - { match: { group: root }, policy: q }\n", 0, 0, "-/0:q" },
	{ "combined", "      - { match: { uid: 5, group: root }, policy: q }\n", 0, 0, "5/0:q" },
	{ "order-kept",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - match:\n"
	    "          gid: 2\n"
	    "        policy: p\n"
	    "      - { match: { uid: 3, gid: 4 }, policy: q }\n",
	    0, 0, "1/-:q|-/2:p|3/4:q" },
	{ "empty-list", "      []\n", 0, 0, "" },
	{ "largest-uid", "      - { match: { uid: 4294967294 }, policy: q }\n", 0, 0,
	    "4294967294/-:q" },
	/* ---- bad ---- */
	{ "not-a-list", "      { uid: 1 }\n", 6, 7, "clients must be a list of client entries" },
	{ "entry-scalar", "      - alice\n", 6, 9,
	    "clients[0] must be a mapping with match and policy" },
	{ "no-policy", "      - { match: { uid: 1 } }\n", 6, 9, "policy" },
	{ "no-match", "      - { policy: q }\n", 6, 9, "match" },
	{ "empty-match", "      - { match: {}, policy: q }\n", 6, 18,
	    "match must set at least one of uid, user, gid or group" },
	{ "unknown-match-key", "      - { match: { pid: 1 }, policy: q }\n", 6, 20, "pid" },
	{ "unknown-entry-key", "      - { match: { uid: 1 }, policy: q, note: x }\n", 6, 41,
	    "unknown key \"note\" in listeners[0].clients[0]" },
	{ "uid-negative", "      - { match: { uid: -1 }, policy: q }\n", 6, 25,
	    "clients[0].match.uid must be a numeric id below 4294967295" },
	{ "uid-none", "      - { match: { uid: 4294967295 }, policy: q }\n", 6, 25,
	    "must be a numeric id below 4294967295" },
	{ "uid-name", "      - { match: { uid: bob }, policy: q }\n", 6, 25,
	    "must be a numeric id" },
	{ "gid-float", "      - { match: { gid: 1.5 }, policy: q }\n", 6, 25,
	    "must be a numeric id" },
	{ "uid-and-user", "      - { match: { uid: 0, user: root }, policy: q }\n", 6, 34,
	    "uid and user both set the uid" },
	{ "group-and-gid", "      - { match: { group: root, gid: 0 }, policy: q }\n", 6, 38,
	    "gid and group both set the gid" },
	{ "unknown-user",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - { match: { user: no-such-user-sw }, policy: q }\n",
	    7, 26, "clients[1].match.user: no user named \"no-such-user-sw\" on this host" },
	{ "unknown-group", "      - { match: { group: no-such-group-sw }, policy: q }\n", 6, 27,
	    "no group named \"no-such-group-sw\"" },
	{ "user-bad-chars", "      - { match: { user: \"a b\" }, policy: q }\n", 6, 26, "user" },
	{ "undefined-policy",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - { match: { uid: 2 }, policy: nope }\n",
	    7, 38,
	    "listener \"a\" gives clients[1] policy \"nope\", which is not defined under policies" },
	{ "policy-not-scalar", "      - { match: { uid: 1 }, policy: [q] }\n", 6, 38, "policy" },
};

static void
describe(const struct pol_set *ps, const struct sw_listener_cfg *lc, char *buf, size_t bufsz)
{
	const struct sw_config *cfg = pol_set_config(ps);
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < lc->n_clients && o < bufsz; i++) {
		const struct sw_client_cfg *c = &cfg->clients[lc->first_client + i];
		char u[16] = "-", g[16] = "-";

		if (c->has_uid)
			snprintf(u, sizeof(u), "%u", (unsigned)c->uid);
		if (c->has_gid)
			snprintf(g, sizeof(g), "%u", (unsigned)c->gid);
		o += (size_t)snprintf(buf + o, bufsz - o, "%s%s/%s:%s", i > 0 ? "|" : "", u, g,
		    pol_set_policy_name(ps, c->policy));
	}
}

/* Reports a failing row and goes on, so one run names every broken row. */
#define FAIL_ROW(...)                     \
	do {                              \
		print_error(__VA_ARGS__); \
		print_error("\n");        \
		failed++;                 \
	} while (0)

static void
test_load_clients_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		const struct client_case *t = &cases[i];
		char text[2048], got[512];
		struct pol_set *ps = NULL;
		struct pol_err err;
		int rc;

		snprintf(text, sizeof(text), "%s%s%s", HEAD, t->rows, TAIL);
		rc = pol_load_buffer("test.yaml", text, strlen(text), &ps, &err);
		if (t->line == 0) {
			const struct sw_config *cfg;

			if (rc != 0) {
				FAIL_ROW("%s: did not load: %d:%d: %s", t->name, err.line, err.col,
				    err.msg);
				continue;
			}
			cfg = pol_set_config(ps);
			describe(ps, &cfg->listeners[0], got, sizeof(got));
			if (strcmp(got, t->want) != 0)
				FAIL_ROW("%s: entries \"%s\", want \"%s\"", t->name, got, t->want);
			/* Listener b's own entry follows a's in the shared array. */
			describe(ps, &cfg->listeners[1], got, sizeof(got));
			if (strcmp(got, "7/-:q") != 0 ||
			    cfg->listeners[1].first_client != cfg->listeners[0].n_clients ||
			    cfg->n_clients != cfg->listeners[0].n_clients + 1)
				FAIL_ROW("%s: listener b entries \"%s\" at %zu", t->name, got,
				    cfg->listeners[1].first_client);
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

/* A listener without "clients" has none, and its default policy stands. */
static void
test_load_clients_absent(void **state)
{
	static const char text[] = "listeners:\n"
	                           "  - { name: a, listen: \"unix:///run/a.sock\", policy: p }\n"
	                           "policies:\n"
	                           "  p: { allow: [SystemPing] }\n";
	struct pol_set *ps = NULL;
	struct pol_err err;
	const struct sw_config *cfg;

	(void)state;
	if (pol_load_buffer("test.yaml", text, strlen(text), &ps, &err) != 0)
		fail_msg("absent: did not load: %d:%d: %s", err.line, err.col, err.msg);
	cfg = pol_set_config(ps);
	assert_int_equal(cfg->listeners[0].n_clients, 0);
	assert_int_equal(cfg->n_clients, 0);
	assert_string_equal(pol_set_policy_name(ps, cfg->listeners[0].policy), "p");
	pol_set_unref(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_clients_rows),
		cmocka_unit_test(test_load_clients_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
