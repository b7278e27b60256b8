/*
 * Tests for policy/lint.c (pol_set_lint): each warning, with its position,
 * over tests/data/policy/rules/lint.yaml (one policy per warning); no
 * warning over lint-clean.yaml; the output buffer's truncation contract;
 * the warnings about the settings (plain TCP upstream, insecure listener,
 * client certificates that may be missing) over inline configurations.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/lint.h"
#include "sockwarden/policy.h"

#define DATA_DIR SW_TEST_DATA_DIR "/policy/rules"

struct lint_case {
	const char *name;
	int line, col;
	const char *policy;
	const char *want; /* substring of the warning after "policy NAME: " */
};

static struct lint_case lint_cases[] = {
	{ "root: ContainerCreate with no container rules", 10, 13, "open",
	    "allows ContainerCreate (allow ContainerCreate) with no container rules: anyone who "
	    "can reach this listener is root on the host" },
	{ "root: isolation rules missing", 13, 13, "partial",
	    "without the container rules volumes, volumes_from, devices, capabilities, "
	    "security_opt, namespaces" },
	{ "root: exec without its rule", 17, 13, "exec",
	    "allows ContainerExec (allow ContainerExec) with no exec rule" },
	{ "root: no rule restricts it", 20, 13, "swarm-update",
	    "allows SwarmUpdate (allow SwarmUpdate), which no rule restricts" },
	{ "root: start body below API 1.24", 23, 13, "start",
	    "allows ContainerStart (allow ContainerStart) with api.min_version 1.12" },
	{ "deny that removes nothing", 27, 12, "deny-nothing", "deny ImageList removes nothing" },
	{ "allow shadowed by deny", 30, 13, "shadowed",
	    "allow Image* grants nothing: every endpoint it matches is removed by deny entries" },
	{ "allow shadowed by read_only", 33, 28, "ro-shadowed",
	    "allow ContainerKill grants nothing: every endpoint it matches is removed by deny "
	    "entries or read_only" },
	{ "containers rules for an endpoint not allowed", 38, 5, "unused",
	    "containers: rules, but ContainerCreate is not allowed" },
	{ "exec rules for an endpoint not allowed", 39, 5, "unused",
	    "exec: rules, but ContainerExec is not allowed" },
	{ "plugins rules for endpoints not allowed", 40, 5, "unused",
	    "plugins: rules, but PluginPull, PluginUpgrade or PluginSet is not allowed" },
	{ "modes.x warn with root endpoints", 45, 14, "modes",
	    "modes.privileged is warn while the policy allows ContainerCreate" },
	{ "mode audit with root endpoints", 49, 11, "mode",
	    "mode: audit while the policy allows ContainerCreate" },
	{ "profile grants SwarmUpdate", 51, 14, "portainer",
	    "allows SwarmUpdate (allow * (profile portainer)), which no rule restricts" },
	{ "profile grants NodeUpdate", 51, 14, "portainer",
	    "allows NodeUpdate (allow * (profile portainer)), which no rule restricts" },
	{ "profile warn mode with root endpoints", 51, 14, "portainer",
	    "profile portainer leaves its rules in warn mode while the policy allows "
	    "ContainerCreate" },
};

static struct pol_set *lint_set;
static char lint_out[16384];
static int lint_count;

static struct pol_set *
load(const char *file)
{
	char path[512];
	struct pol_set *ps = NULL;
	struct pol_err err;
	FILE *f;
	static char buf[65536];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, file);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (pol_load_buffer(file, buf, len, &ps, &err) != 0) {
		fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
		return NULL;
	}
	return ps;
}

static int
setup(void **state)
{
	(void)state;
	if ((lint_set = load("lint.yaml")) == NULL)
		return -1;
	lint_count = pol_set_lint(lint_set, lint_out, sizeof(lint_out));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pol_set_unref(lint_set);
	return 0;
}

/* The row's warning is there, once, at its position. */
static void
test_lint_row(void **state)
{
	const struct lint_case *c = *state;
	char prefix[128];
	const char *line, *end;
	int found = 0;

	snprintf(prefix, sizeof(prefix), "lint.yaml:%d:%d: warning: policy %s: ", c->line, c->col,
	    c->policy);
	for (line = lint_out; *line != '\0'; line = end + 1) {
		end = strchr(line, '\n');
		if (end == NULL)
			fail_msg("%s: output does not end with a newline", c->name);
		if (strncmp(line, prefix, strlen(prefix)) == 0 &&
		    memmem(line, (size_t)(end - line), c->want, strlen(c->want)) != NULL)
			found++;
	}
	if (found != 1)
		fail_msg("%s: \"%s...%s\" found %d times in:\n%s", c->name, prefix, c->want, found,
		    lint_out);
}

/* Nothing but the rows: every warning is accounted for. */
static void
test_lint_count(void **state)
{
	size_t lines = 0;
	const char *p;

	(void)state;
	for (p = lint_out; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lint_count, nitems(lint_cases));
	assert_int_equal(lines, nitems(lint_cases));
}

/* Root endpoints with their rules, profiles, read-only groups: no warning. */
static void
test_lint_clean(void **state)
{
	struct pol_set *ps = load("lint-clean.yaml");
	char out[4096];
	int n;

	(void)state;
	assert_non_null(ps);
	n = pol_set_lint(ps, out, sizeof(out));
	if (n != 0)
		fail_msg("lint-clean.yaml: %d warnings:\n%s", n, out);
	assert_string_equal(out, "");
	pol_set_unref(ps);
}

/* The count includes what does not fit; the buffer is always a terminated string. */
static void
test_lint_truncation(void **state)
{
	char small[40];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(pol_set_lint(lint_set, small, sizeof(small)), lint_count);
	assert_true(strlen(small) < sizeof(small));
	assert_memory_equal(small, lint_out, strlen(small));
	assert_int_equal(pol_set_lint(lint_set, NULL, 0), lint_count);
	small[0] = 'x';
	assert_int_equal(pol_set_lint(lint_set, small, 0), lint_count);
	assert_int_equal(small[0], 'x');
	assert_int_equal(pol_set_lint(NULL, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

/* The built-in default configuration is read-only: nothing to warn about. */
static void
test_lint_default_config(void **state)
{
	const char *text = pol_default_config();
	struct pol_set *ps = NULL;
	struct pol_err err;
	char out[1024];

	(void)state;
	assert_int_equal(pol_load_buffer("<default>", text, strlen(text), &ps, &err), 0);
	if (pol_set_lint(ps, out, sizeof(out)) != 0)
		fail_msg("default config: %s", out);
	pol_set_unref(ps);
}

/* ---- settings ---------------------------------------------------------------------- */

#define PING "policies:\n  p: { groups: [ping] }\n  q: { groups: [read-only] }\n"
#define TLS_LISTENER(certs)                                                              \
	"  - name: r\n"                                                                  \
	"    listen: tcp://0.0.0.0:2376\n"                                               \
	"    tls: { cert: /s.pem, key: /s.key, ca: /ca.pem, client_certs: " certs " }\n" \
	"    policy: p\n"

#define W_UPSTREAM                                                                                 \
	"s.yaml: warning: upstream: tcp://10.0.0.5:2375 without upstream_tls: the daemon is not "  \
	"authenticated and requests cross the network unencrypted (and anyone who can reach that " \
	"port is root on the daemon's host without sockwarden); add upstream_tls with the "        \
	"daemon's CA\n"
#define W_INSECURE                                                                                 \
	"s.yaml: warning: listener lab: insecure: true serves plain TCP on tcp://127.0.0.1:2375: " \
	"callers are not identified and requests cross the network unencrypted, so anyone who "    \
	"can reach the port gets policy q; add tls\n"

struct settings_case {
	const char *name;
	const char *text;
	int count;
	const char *want; /* the whole output */
};

static struct settings_case settings_cases[] = {
	{ "tcp upstream without upstream_tls",
	    "upstream: tcp://10.0.0.5:2375\nlisteners:\n  - { name: a, policy: p }\n" PING, 1,
	    W_UPSTREAM },
	{ "tcp upstream with upstream_tls",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem }\n"
	    "listeners:\n  - { name: a, policy: p }\n" PING,
	    0, "" },
	{ "insecure listener",
	    "listeners:\n  - { name: lab, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: q "
	    "}\n" PING,
	    1, W_INSECURE },
	{ "client_certs optional with a cert_cn entry",
	    "listeners:\n" TLS_LISTENER(
	        "optional") "    clients:\n"
	                    "      - { match: { cert_cn: alice }, policy: q }\n" PING,
	    1,
	    "s.yaml:7:46: warning: listener r: client_certs is optional, so clients[0] (cert_* keys) "
	    "matches only callers who send a certificate: the others get policy p\n" },
	{ "client_certs none with a fingerprint entry",
	    "listeners:\n"
	    "  - name: r\n"
	    "    listen: tcp://0.0.0.0:2376\n"
	    "    tls: { cert: /s.pem, key: /s.key, client_certs: none }\n"
	    "    policy: p\n"
	    "    clients:\n"
	    "      - { match: { cert_fingerprint: "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef }, policy: q }\n" PING,
	    1,
	    "s.yaml:7:114: warning: listener r: client_certs is none, so no caller sends a "
	    "certificate and clients[0] (cert_* keys) never matches; set client_certs: required\n" },
	{ "client_certs required with cert entries",
	    "listeners:\n" TLS_LISTENER(
	        "required") "    clients:\n"
	                    "      - { match: { cert_uri: \"spiffe://x/*\" }, policy: q }\n" PING,
	    0, "" },
	{ "client_certs optional without client entries",
	    "listeners:\n" TLS_LISTENER("optional") PING, 0, "" },
	{ "every settings warning, upstream first",
	    "upstream: tcp://10.0.0.5:2375\n"
	    "listeners:\n"
	    "  - { name: a, policy: p }\n"
	    "  - { name: lab, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: q }\n" PING,
	    2, W_UPSTREAM W_INSECURE },
};

static void
test_lint_settings_row(void **state)
{
	const struct settings_case *c = *state;
	struct pol_set *ps = NULL;
	struct pol_err err;
	char out[4096];
	int n;

	if (pol_load_buffer("s.yaml", c->text, strlen(c->text), &ps, &err) != 0)
		fail_msg("%s: did not load: %d:%d: %s", c->name, err.line, err.col, err.msg);
	n = pol_set_lint(ps, out, sizeof(out));
	pol_set_unref(ps);
	if (n != c->count || strcmp(out, c->want) != 0)
		fail_msg("%s: %d warnings:\n%s\nwant %d:\n%s", c->name, n, out, c->count, c->want);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(lint_cases) + nitems(settings_cases) + 4];
	size_t i, n = 0;

	for (i = 0; i < nitems(lint_cases); i++)
		tests[n++] = (struct CMUnitTest){ lint_cases[i].name, test_lint_row, NULL, NULL,
			&lint_cases[i] };
	for (i = 0; i < nitems(settings_cases); i++)
		tests[n++] = (struct CMUnitTest){ settings_cases[i].name, test_lint_settings_row,
			NULL, NULL, &settings_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_count);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_clean);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_truncation);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_default_config);
	return _cmocka_run_group_tests("lint", tests, n, setup, teardown);
}
