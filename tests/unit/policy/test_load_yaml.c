/*
 * Tests for policy/load_*.c: every good fixture in tests/data/policy loads
 * with the settings its table row states; every file in tests/data/policy/bad
 * fails at the position and with the message its first line states
 * ("# expect-error: LINE:COL: substring"); limits that are easier to generate
 * than to store (depth, size, encodings) and the file checks of
 * pol_load_file() are tested with generated input.  The settings of issue 4
 * (TCP and TLS listeners, upstream_tls, run_as) are tested with inline
 * configurations: one table of rows that must load or fail at a position,
 * and one configuration whose every stored setting is checked.
 */
#include "sockwarden/compat.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "policy_int.h"

#define DATA_DIR   SW_TEST_DATA_DIR "/policy"
#define BAD_DIR    SW_TEST_DATA_DIR "/policy/bad"
#define DEPLOY_DIR SW_TEST_DATA_DIR "/../../deploy/policies"

/* ---- helpers ------------------------------------------------------------------ */

/* Reads a whole file; the caller frees.  Fails the test when it cannot. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n = -1;

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail_msg("%s: cannot size", path);
	assert_true(n >= 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("%s: short read", path);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
load_file_buffer(const char *path, const char *name, struct pol_set **ps, struct pol_err *err)
{
	size_t len;
	char *buf = slurp(path, &len);
	int rc = pol_load_buffer(name, buf, len, ps, err);

	free(buf);
	return rc;
}

static int
load_str(const char *text, struct pol_set **ps, struct pol_err *err)
{
	return pol_load_buffer("test.yaml", text, strlen(text), ps, err);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted *.yaml names in "dir"; the caller frees each and the array. */
static char **
list_yaml(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t len;

	*n = 0;
	if (d == NULL)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		names = realloc(names, (*n + 1) * sizeof(*names));
		assert_non_null(names);
		names[*n] = strdup(de->d_name);
		assert_non_null(names[*n]);
		(*n)++;
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

#define EXPECT_STR(row, what, got, want)                                                         \
	do {                                                                                     \
		if (strcmp((got), (want)) != 0)                                                  \
			fail_msg("%s: %s is \"%s\", want \"%s\"", (row), (what), (got), (want)); \
	} while (0)

#define EXPECT_NUM(row, what, got, want)                                            \
	do {                                                                        \
		if ((unsigned long long)(got) != (unsigned long long)(want))        \
			fail_msg("%s: %s is %llu, want %llu", (row), (what),        \
			    (unsigned long long)(got), (unsigned long long)(want)); \
	} while (0)

/* ---- good fixtures ------------------------------------------------------------ */

struct want_listener {
	const char *name;
	const char *listen;
	unsigned mode;
	const char *owner;
	const char *group;
	const char *policy;
};

struct want_policy {
	const char *name;
	size_t n_entries; /* allow + deny + groups entries as written */
	bool read_only;
};

struct good_case {
	const char *file;
	const char *upstream;
	const char *min_version;
	struct sw_limits limits;
	int log_level;
	const char *audit;
	struct want_listener listeners[4];
	struct want_policy policies[8];
};

#define DEF_LIMITS                                                                          \
	{                                                                                   \
		SW_DEF_MAX_HEADER_BYTES, SW_DEF_MAX_HEADERS, SW_DEF_MAX_BODY_BYTES,         \
		    SW_DEF_MAX_CONNECTIONS, SW_DEF_HEAD_TIMEOUT_MS, SW_DEF_IDLE_TIMEOUT_MS, \
		    SW_DEF_UPSTREAM_CONNECT_MS, SW_DEF_SHUTDOWN_TIMEOUT_MS,                 \
		    SW_DEF_MAX_CLIENT_CONNS, SW_DEF_MAX_BUFFERED_BYTES                      \
	}

static struct good_case good_cases[] = {
	{ "eval.yaml", SW_DEF_UPSTREAM, "1.24", DEF_LIMITS, LOG_LEVEL_INFO, "stderr",
	    { { "traefik", "unix:///run/sw/traefik.sock", 0660, "", "", "traefik" } },
	    { { "traefik", 7, false }, { "monitor", 2, false }, { "ci", 3, false },
	        { "ro", 1, true }, { "everything", 1, false }, { "nothing", 0, false },
	        { "grouped", 4, false } } },
	{ "flow.yaml", SW_DEF_UPSTREAM, SW_DEF_MIN_API_VERSION, DEF_LIMITS, LOG_LEVEL_WARN,
	    "stderr", { { "x", "unix:///tmp/x.sock", 0666, "", "", "p" } }, { { "p", 4, false } } },
	{ "full.yaml", "tcp://127.0.0.1:2375", "1.41",
	    { 32 * 1024, 50, 2 * 1024 * 1024, 512, 500, 120000, 3000, 3600000,
	        SW_DEF_MAX_CLIENT_CONNS, 16 * 1024 * 1024 },
	    LOG_LEVEL_DEBUG, "/var/log/sockwarden/audit.log",
	    { { "traefik", "unix:///run/sockwarden/traefik.sock", 0640, "root", "traefik",
	          "traefik" },
	        { "ci.runner-1", "unix:///run/sockwarden/ci.sock", 0600, "1000", "1001", "ci" },
	        { "monitor", SW_DEF_LISTEN, SW_DEF_SOCKET_MODE, "", "", "monitor" } },
	    { { "traefik", 7, false }, { "ci", 6, false }, { "monitor", 3, true } } },
	{ "limits-high.yaml", "tcp://[::1]:65535", SW_DEF_MIN_API_VERSION,
	    { 1024 * 1024, 1000, 64 * 1024 * 1024, 1000000, 86400000, 86400000, 86400000, 86400000,
	        1000000, (size_t)1024 * 1024 * 1024 },
	    LOG_LEVEL_ERROR, "off", { { "a", "unix:///run/a.sock", 0660, "", "", "p" } },
	    { { "p", 1, true } } },
	{ "limits-low.yaml", SW_DEF_UPSTREAM, SW_DEF_MIN_API_VERSION,
	    { 1024, 8, 1024, 1, 1, 1, 1, 1, 1, 1024 * 1024 }, LOG_LEVEL_INFO, "stderr",
	    { { "a", "unix:///a", 0660, "", "", "p" } }, { { "p", 0, false } } },
	{ "minimal.yaml", SW_DEF_UPSTREAM, SW_DEF_MIN_API_VERSION, DEF_LIMITS, LOG_LEVEL_INFO,
	    "stderr", { { "default", SW_DEF_LISTEN, 0660, "", "", "ping-only" } },
	    { { "ping-only", 1, false } } },
};

static void
check_limits(const char *row, const struct sw_limits *got, const struct sw_limits *want)
{
	EXPECT_NUM(row, "max_header_bytes", got->max_header_bytes, want->max_header_bytes);
	EXPECT_NUM(row, "max_headers", got->max_headers, want->max_headers);
	EXPECT_NUM(row, "max_body_bytes", got->max_body_bytes, want->max_body_bytes);
	EXPECT_NUM(row, "max_connections", got->max_connections, want->max_connections);
	EXPECT_NUM(row, "head_timeout", got->head_timeout_ms, want->head_timeout_ms);
	EXPECT_NUM(row, "idle_timeout", got->idle_timeout_ms, want->idle_timeout_ms);
	EXPECT_NUM(
	    row, "upstream_connect_timeout", got->upstream_connect_ms, want->upstream_connect_ms);
	EXPECT_NUM(row, "shutdown_timeout", got->shutdown_timeout_ms, want->shutdown_timeout_ms);
	EXPECT_NUM(row, "max_connections_per_client", got->max_client_connections,
	    want->max_client_connections);
	EXPECT_NUM(row, "max_buffered_bytes", got->max_buffered_bytes, want->max_buffered_bytes);
}

static void
check_good(const struct good_case *c, const struct pol_set *ps)
{
	const struct sw_config *cfg = pol_set_config(ps);
	const struct sw_listener_cfg *l;
	const struct want_listener *wl;
	const struct want_policy *wp;
	size_t i, n;

	EXPECT_STR(c->file, "upstream", cfg->upstream, c->upstream);
	EXPECT_STR(c->file, "api.min_version", cfg->min_api_version, c->min_version);
	check_limits(c->file, &cfg->limits, &c->limits);
	EXPECT_NUM(c->file, "log.level", cfg->log.level, c->log_level);
	EXPECT_STR(c->file, "log.audit", cfg->log.audit, c->audit);
	for (n = 0; n < nitems(c->listeners) && c->listeners[n].name != NULL; n++)
		;
	EXPECT_NUM(c->file, "number of listeners", cfg->n_listeners, n);
	for (i = 0; i < n; i++) {
		l = &cfg->listeners[i];
		wl = &c->listeners[i];
		EXPECT_STR(c->file, "listener name", l->name, wl->name);
		EXPECT_STR(wl->name, "listen", l->listen, wl->listen);
		EXPECT_NUM(wl->name, "socket.mode", l->socket.mode, wl->mode);
		EXPECT_STR(wl->name, "socket.owner", l->socket.owner, wl->owner);
		EXPECT_STR(wl->name, "socket.group", l->socket.group, wl->group);
		if (l->policy < 0 || (size_t)l->policy >= pol_set_policy_count(ps))
			fail_msg(
			    "%s: listener %s has policy index %d", c->file, wl->name, l->policy);
		EXPECT_STR(wl->name, "policy", pol_set_policy_name(ps, l->policy), wl->policy);
	}
	for (n = 0; n < nitems(c->policies) && c->policies[n].name != NULL; n++)
		;
	EXPECT_NUM(c->file, "number of policies", pol_set_policy_count(ps), n);
	for (i = 0; i < n; i++) {
		wp = &c->policies[i];
		EXPECT_STR(c->file, "policy name", pol_set_policy_name(ps, (int)i), wp->name);
		EXPECT_NUM(wp->name, "policy index", pol_set_find_policy(ps, wp->name), i);
		EXPECT_NUM(wp->name, "read_only", ps->policies[i].read_only, wp->read_only);
		EXPECT_NUM(wp->name, "entries", ps->policies[i].n_entries,
		    wp->n_entries + (wp->read_only ? 1 : 0));
	}
}

static void
test_load_yaml_good_fixture(void **state)
{
	const struct good_case *c = *state;
	struct pol_set *ps = NULL;
	struct pol_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, c->file);
	if (load_file_buffer(path, c->file, &ps, &err) != 0)
		fail_msg("%s: %s:%d:%d: %s", c->file, err.file, err.line, err.col, err.msg);
	check_good(c, ps);
	pol_set_unref(ps);
}

/* A fixture without a row would load without anyone checking what it loaded. */
static void
test_load_yaml_every_fixture_has_a_row(void **state)
{
	char **names;
	size_t n, i, j;

	(void)state;
	names = list_yaml(DATA_DIR, &n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nitems(good_cases); j++)
			if (strcmp(names[i], good_cases[j].file) == 0)
				break;
		if (j == nitems(good_cases))
			fail_msg("%s/%s has no row in good_cases[]", DATA_DIR, names[i]);
	}
	assert_int_equal(n, nitems(good_cases));
	free_names(names, n);
}

/* ---- bad fixtures ------------------------------------------------------------- */

/* Runs as one cmocka test per file in bad/; the state is the file name. */
static void
test_load_yaml_bad_fixture(void **state)
{
	const char *name = *state;
	static char sentinel;
	struct pol_set *ps, *untouched = (struct pol_set *)(void *)&sentinel;
	struct pol_err err;
	char path[512], want_msg[256];
	int want_line, want_col, consumed = 0;
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, name);
	buf = slurp(path, &len);
	if (sscanf(buf, "# expect-error: %d:%d: %n", &want_line, &want_col, &consumed) != 2 ||
	    consumed == 0)
		fail_msg("%s: first line must be \"# expect-error: LINE:COL: message\"", name);
	snprintf(
	    want_msg, sizeof(want_msg), "%.*s", (int)strcspn(buf + consumed, "\n"), buf + consumed);
	ps = untouched;
	if (pol_load_buffer(name, buf, len, &ps, &err) == 0)
		fail_msg("%s: loaded, but should fail with %d:%d: %s", name, want_line, want_col,
		    want_msg);
	free(buf);
	if (ps != untouched)
		fail_msg("%s: *out changed on error", name);
	EXPECT_STR(name, "err.file", err.file, name);
	if (err.line != want_line || err.col != want_col || strstr(err.msg, want_msg) == NULL)
		fail_msg("%s: got %d:%d: %s\n  want %d:%d: %s", name, err.line, err.col, err.msg,
		    want_line, want_col, want_msg);
}

static int
run_bad_fixtures(void)
{
	struct CMUnitTest *tests;
	char **names;
	size_t n, i;
	int rc;

	names = list_yaml(BAD_DIR, &n);
	if (n < 40) {
		fprintf(stderr, "only %zu files in %s, want at least 40\n", n, BAD_DIR);
		return 1;
	}
	tests = calloc(n, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = names[i];
		tests[i].test_func = test_load_yaml_bad_fixture;
		tests[i].initial_state = names[i];
	}
	rc = _cmocka_run_group_tests("bad fixtures", tests, n, NULL, NULL);
	free(tests);
	free_names(names, n);
	return rc;
}

/* ---- generated input ------------------------------------------------------------ */

static const char minimal[] = "listeners:\n"
                              "  - name: a\n"
                              "    listen: unix:///run/a.sock\n"
                              "    policy: p\n"
                              "policies:\n"
                              "  p: { groups: [ping] }\n";

struct gen_case {
	const char *name;
	char *(*make)(size_t *len); /* builds the input; the test frees it */
	int want_line;              /* -1: must load */
	int want_col;
	const char *want_msg;
};

static char *
dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	assert_non_null(p);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* "policies: " then "n" nested flow lists: the root mapping is depth 1. */
static char *
nested(size_t n, size_t *len)
{
	size_t i, off = 0;
	char *p = malloc(64 + 2 * n);

	assert_non_null(p);
	memcpy(p, "policies: ", 10);
	off = 10;
	for (i = 0; i < n; i++)
		p[off++] = '[';
	for (i = 0; i < n; i++)
		p[off++] = ']';
	p[off++] = '\n';
	*len = off;
	return p;
}

static char *
depth_at_limit(size_t *len)
{
	return nested(POL_YAML_MAX_DEPTH - 1, len);
}

static char *
depth_over_limit(size_t *len)
{
	return nested(POL_YAML_MAX_DEPTH, len);
}

/* The minimal config followed by comment lines, "total" bytes in all. */
static char *
padded(size_t total, size_t *len)
{
	char *p = malloc(total);
	size_t off = sizeof(minimal) - 1;

	assert_non_null(p);
	memcpy(p, minimal, off);
	while (off < total) {
		size_t line = total - off > 80 ? 80 : total - off;

		memset(p + off, ' ', line);
		p[off] = '#';
		p[off + line - 1] = '\n';
		off += line;
	}
	*len = total;
	return p;
}

static char *
size_at_limit(size_t *len)
{
	return padded(POL_YAML_MAX_BYTES, len);
}

static char *
size_over_limit(size_t *len)
{
	return padded(POL_YAML_MAX_BYTES + 1, len);
}

static char *
utf8_bom(size_t *len)
{
	char *p = malloc(sizeof(minimal) + 3);

	assert_non_null(p);
	memcpy(p, "\xEF\xBB\xBF", 3);
	memcpy(p + 3, minimal, sizeof(minimal));
	*len = sizeof(minimal) + 2;
	return p;
}

/* UTF-16LE with a BOM: libyaml could read it, but configurations are UTF-8. */
static char *
utf16(size_t *len)
{
	size_t i, n = sizeof(minimal) - 1;
	char *p = malloc(2 + 2 * n);

	assert_non_null(p);
	p[0] = (char)0xFF;
	p[1] = (char)0xFE;
	for (i = 0; i < n; i++) {
		p[2 + 2 * i] = minimal[i];
		p[3 + 2 * i] = '\0';
	}
	*len = 2 + 2 * n;
	return p;
}

static char *
crlf(size_t *len)
{
	char *p = malloc(2 * sizeof(minimal));
	size_t i, off = 0;

	assert_non_null(p);
	for (i = 0; minimal[i] != '\0'; i++) {
		if (minimal[i] == '\n')
			p[off++] = '\r';
		p[off++] = minimal[i];
	}
	*len = off;
	return p;
}

static char *
nul_byte(size_t *len)
{
	static const char text[] = "listeners: []\n\0policies: {}\n";

	*len = sizeof(text) - 1;
	return dup_mem(text, *len);
}

static char *
empty_input(size_t *len)
{
	*len = 0;
	return dup_mem("", 0);
}

static struct gen_case gen_cases[] = {
	{ "depth at the limit reaches the schema check", depth_at_limit, 1, 11,
	    "policies must be a mapping of policy names to policies, not a list" },
	{ "depth over the limit", depth_over_limit, 1, 11 + POL_YAML_MAX_DEPTH - 1,
	    "YAML nesting deeper than 32 levels" },
	{ "exactly POL_YAML_MAX_BYTES loads", size_at_limit, -1, 0, NULL },
	{ "one byte over POL_YAML_MAX_BYTES", size_over_limit, 0, 0,
	    "the configuration is 1048577 bytes, larger than the limit of 1048576 bytes" },
	{ "UTF-8 byte order mark", utf8_bom, -1, 0, NULL },
	{ "UTF-16 is refused", utf16, 1, 1, "invalid input (the file must be UTF-8 text)" },
	{ "CRLF line ends", crlf, -1, 0, NULL },
	{ "NUL byte in the input", nul_byte, 2, 1, "control characters are not allowed" },
	{ "zero-length input", empty_input, 1, 1, "the configuration is empty" },
};

static void
test_load_yaml_generated(void **state)
{
	const struct gen_case *c = *state;
	struct pol_set *ps = NULL;
	struct pol_err err;
	size_t len;
	char *buf = c->make(&len);
	int rc = pol_load_buffer("gen.yaml", buf, len, &ps, &err);

	free(buf);
	if (c->want_line == -1) {
		if (rc != 0)
			fail_msg("%s: %d:%d: %s", c->name, err.line, err.col, err.msg);
		pol_set_unref(ps);
		return;
	}
	if (rc == 0)
		fail_msg(
		    "%s: loaded, want %d:%d: %s", c->name, c->want_line, c->want_col, c->want_msg);
	if (err.line != c->want_line || err.col != c->want_col ||
	    strstr(err.msg, c->want_msg) == NULL)
		fail_msg("%s: got %d:%d: %s\n  want %d:%d: %s", c->name, err.line, err.col, err.msg,
		    c->want_line, c->want_col, c->want_msg);
}

/* ---- TLS, TCP listeners, upstream_tls, run_as ----------------------------------------- */

#define POLICIES "policies:\n  p: { groups: [ping] }\n"
/* A listener's TLS settings on one line. */
#define TLS_OK   "    tls: { cert: /etc/sw/s.pem, key: /etc/sw/s.key, ca: /etc/sw/ca.pem }\n"

struct settings_case {
	const char *name;
	const char *text;
	int line, col;    /* 0: must load */
	const char *want; /* a substring of the error */
};

static struct settings_case settings_cases[] = {
	/* ---- tcp listeners: tls or insecure ---- */
	{ "tcp listener with tls loads",
	    "listeners:\n  - name: r\n    listen: tcp://0.0.0.0:2376\n" TLS_OK
	    "    policy: p\n" POLICIES,
	    0, 0, NULL },
	{ "tcp listener with tls and insecure: false loads",
	    "listeners:\n  - name: r\n    listen: tcp://[::1]:2376\n    insecure: false\n" TLS_OK
	    "    policy: p\n" POLICIES,
	    0, 0, NULL },
	{ "insecure tcp listener loads",
	    "listeners:\n  - { name: r, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "tcp listener without tls",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2375\n    policy: p\n" POLICIES,
	    3, 13,
	    "listeners[0].listen is tcp:// without tls: add tls (cert, key and the ca of client "
	    "certificates), or insecure: true" },
	{ "insecure: false without tls is the same error",
	    "listeners:\n  - name: r\n    insecure: false\n    listen: tcp://127.0.0.1:2375\n    policy: p\n" POLICIES,
	    4, 13, "listeners[0].listen is tcp:// without tls" },
	{ "tls and insecure: true",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n" TLS_OK
	    "    insecure: true\n    policy: p\n" POLICIES,
	    5, 5,
	    "listeners[0] has both tls and insecure: true: remove insecure to serve TLS, or tls to "
	    "serve plain TCP" },
	{ "socket on a tcp listener",
	    "listeners:\n  - name: r\n    socket: { mode: \"0600\" }\n    listen: tcp://127.0.0.1:2376\n" TLS_OK
	    "    policy: p\n" POLICIES,
	    3, 5, "listeners[0].socket is only for unix:// listeners" },
	{ "tls on a unix listener",
	    "listeners:\n  - name: u\n    listen: unix:///run/u.sock\n" TLS_OK
	    "    policy: p\n" POLICIES,
	    4, 5, "listeners[0].tls is only for tcp:// listeners" },
	{ "tls on the default unix listener",
	    "listeners:\n  - name: u\n" TLS_OK "    policy: p\n" POLICIES, 3, 5,
	    "listeners[0].tls is only for tcp:// listeners" },
	{ "insecure on a unix listener",
	    "listeners:\n  - { name: u, listen: \"unix:///run/u.sock\", policy: p, insecure: true }\n" POLICIES,
	    2, 57, "listeners[0].insecure is only for tcp:// listeners: remove it" },
	{ "insecure not a boolean",
	    "listeners:\n  - { name: r, listen: \"tcp://127.0.0.1:2375\", insecure: yes, policy: p }\n" POLICIES,
	    2, 58, "listeners[0].insecure must be true or false, got \"yes\"" },
	/* ---- tcp listen addresses ---- */
	{ "tcp listen with a host name",
	    "listeners:\n  - { name: r, listen: \"tcp://localhost:2376\", insecure: true, policy: p }\n" POLICIES,
	    2, 24,
	    "listeners[0].listen must be tcp://<IPv4 address>:<port> or tcp://[<IPv6 address>]:<port> "
	    "(no host names)" },
	{ "tcp listen port 0",
	    "listeners:\n  - { name: r, listen: \"tcp://127.0.0.1:0\", insecure: true, policy: p }\n" POLICIES,
	    2, 24, "no host names" },
	{ "tcp listen port 65536",
	    "listeners:\n  - { name: r, listen: \"tcp://127.0.0.1:65536\", insecure: true, policy: p }\n" POLICIES,
	    2, 24, "no host names" },
	{ "tcp listen IPv6 without brackets",
	    "listeners:\n  - { name: r, listen: \"tcp://::1:2376\", insecure: true, policy: p }\n" POLICIES,
	    2, 24, "no host names" },
	{ "tcp listen bad IPv6",
	    "listeners:\n  - { name: r, listen: \"tcp://[::g]:2376\", insecure: true, policy: p }\n" POLICIES,
	    2, 24, "no host names" },
	{ "tcp listen IPv4 with a leading zero",
	    "listeners:\n  - { name: r, listen: \"tcp://127.0.0.01:2376\", insecure: true, policy: p }\n" POLICIES,
	    2, 24, "no host names" },
	{ "two tcp listeners, same address",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24, "listeners \"a\" and \"b\" both listen on tcp://127.0.0.1:2375" },
	{ "0.0.0.0 takes the port of 127.0.0.1",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://0.0.0.0:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24,
	    "listeners \"a\" and \"b\" both listen on the same port (tcp://127.0.0.1:2375 and "
	    "tcp://0.0.0.0:2375: a wildcard address takes the port on every address it covers)" },
	{ "[::] takes the port of an IPv4 address",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://[::]:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://10.1.2.3:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24, "both listen on the same port" },
	{ "IPv4-mapped IPv6 is the IPv4 address",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://[::ffff:127.0.0.1]:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24, "both listen on the same port" },
	{ "two spellings of ::1",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://[::1]:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://[0:0:0:0:0:0:0:1]:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24,
	    "listeners \"a\" and \"b\" both listen on the same port (tcp://[::1]:2375 and "
	    "tcp://[0:0:0:0:0:0:0:1]:2375: one address written two ways)" },
	{ "different IPv4 addresses, same port, load",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://127.0.0.1:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://127.0.0.2:2375\", insecure: true, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "0.0.0.0 and ::1 on different ports load",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://0.0.0.0:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://[::1]:2376\", insecure: true, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "0.0.0.0 does not take an IPv6 address's port",
	    "listeners:\n"
	    "  - { name: a, listen: \"tcp://0.0.0.0:2375\", insecure: true, policy: p }\n"
	    "  - { name: b, listen: \"tcp://[::1]:2375\", insecure: true, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "a listener on the default upstream's socket",
	    "listeners:\n  - { name: a, listen: \"unix:///var/run/docker.sock\", policy: p }\n" POLICIES,
	    2, 24,
	    "listener \"a\" listens on unix:///var/run/docker.sock, the upstream's own address: "
	    "sockwarden would replace the daemon's socket with its own" },
	{ "a wildcard listener on a loopback upstream's port",
	    "upstream: tcp://127.0.0.1:2375\n"
	    "listeners:\n  - { name: a, listen: \"tcp://0.0.0.0:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24,
	    "listener \"a\" listens on tcp://0.0.0.0:2375, the upstream's own address: sockwarden "
	    "would forward its requests to itself" },
	{ "a listener on the tcp upstream's address",
	    "upstream: \"tcp://[fd00::5]:2375\"\n"
	    "listeners:\n  - { name: a, listen: \"tcp://[fd00:0::5]:2375\", insecure: true, policy: p }\n" POLICIES,
	    3, 24, "the upstream's own address" },
	{ "a wildcard listener and a remote upstream on one port load",
	    "upstream: tcp://10.0.0.5:2375\n"
	    "listeners:\n  - { name: a, listen: \"tcp://0.0.0.0:2375\", insecure: true, policy: p }\n" POLICIES,
	    0, 0, NULL },
	/* ---- a listener's tls ---- */
	{ "tls without cert",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { key: /k.pem, ca: /ca.pem }\n    policy: p\n" POLICIES,
	    4, 10, "missing required key \"cert\" in tls of listener \"r\"" },
	{ "tls without key",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls:\n      cert: /c.pem\n      ca: /ca.pem\n    policy: p\n" POLICIES,
	    5, 7, "missing required key \"key\" in tls of listener \"r\"" },
	{ "tls without ca",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem }\n    policy: p\n" POLICIES,
	    4, 10,
	    "listeners[0].tls needs ca, the CA file that verifies client certificates (or "
	    "client_certs: none to ask for none)" },
	{ "tls without ca, client_certs optional",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, client_certs: optional }\n    policy: p\n" POLICIES,
	    4, 10, "listeners[0].tls needs ca" },
	{ "client_certs none without ca loads",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, client_certs: none }\n    policy: p\n" POLICIES,
	    0, 0, NULL },
	{ "client_certs none with ca",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, client_certs: none, ca: /ca.pem }\n    policy: p\n" POLICIES,
	    4, 59,
	    "listeners[0].tls.ca is not used with client_certs: none (no client certificate is asked "
	    "for): remove it, or set client_certs to required or optional" },
	{ "client_certs none with crl",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, crl: /x.crl, client_certs: none }\n    policy: p\n" POLICIES,
	    4, 39, "listeners[0].tls.crl is not used with client_certs: none" },
	{ "crl without ca",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, crl: /x.crl }\n    policy: p\n" POLICIES,
	    4, 39,
	    "listeners[0].tls.crl needs listeners[0].tls.ca: the CRL revokes client certificates "
	    "that ca verifies" },
	{ "crl with ca loads",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, crl: /x.crl, ca: /ca.pem }\n    policy: p\n" POLICIES,
	    0, 0, NULL },
	{ "client_certs yes",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, ca: /ca.pem, client_certs: yes }\n    policy: p\n" POLICIES,
	    4, 66,
	    "listeners[0].tls.client_certs must be required, optional or none, got \"yes\"" },
	{ "tls cert relative",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: server.pem, key: /k.pem, ca: /ca.pem }\n    policy: p\n" POLICIES,
	    4, 18, "listeners[0].tls.cert must be an absolute path, got \"server.pem\"" },
	{ "tls key with ..",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /etc/../k.pem, ca: /ca.pem }\n    policy: p\n" POLICIES,
	    4, 31, "listeners[0].tls.key must be a clean absolute path" },
	{ "tls ca not a scalar",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, ca: [/a, /b] }\n    policy: p\n" POLICIES,
	    4, 43, "listeners[0].tls.ca must be a single value, not a list" },
	{ "tls with the old client_ca spelling",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, client_ca: /ca.pem }\n    policy: p\n" POLICIES,
	    4, 39, "unknown key \"client_ca\" in tls of listener \"r\"" },
	{ "tls not a mapping",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: true\n    policy: p\n" POLICIES,
	    4, 10, "listeners[0].tls must be a mapping with cert, key and ca, not a single value" },
	{ "tls server_name is for the upstream only",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2376\n"
	    "    tls: { cert: /c.pem, key: /k.pem, ca: /ca.pem, server_name: x }\n    policy: p\n" POLICIES,
	    4, 52, "unknown key \"server_name\" in tls of listener \"r\"" },
	/* ---- client keys against the listener's kind, whatever the key order ---- */
	{ "cert clients before a tcp listen load",
	    "listeners:\n  - name: r\n    clients:\n      - { match: { cert_cn: alice }, policy: p }\n"
	    "    listen: tcp://127.0.0.1:2376\n" TLS_OK "    policy: p\n" POLICIES,
	    0, 0, NULL },
	{ "uid clients before a tcp listen",
	    "listeners:\n  - name: r\n    clients:\n      - { match: { uid: 0 }, policy: p }\n"
	    "    listen: tcp://127.0.0.1:2376\n" TLS_OK "    policy: p\n" POLICIES,
	    4, 20,
	    "listeners[0].clients[0].match.uid: uid, user, gid, group and container_* keys" },
	{ "cert clients on an insecure listener",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2375\n    insecure: true\n"
	    "    clients:\n      - { match: { cert_uri: \"spiffe://x/*\" }, policy: p }\n    policy: p\n" POLICIES,
	    6, 20,
	    "listeners[0].clients[0].match.cert_uri: cert_* keys need a TLS listener, and listener "
	    "\"r\" is plain TCP (insecure: true), so its callers send no certificate: add tls" },
	{ "container clients on an insecure listener",
	    "listeners:\n  - name: r\n    listen: tcp://127.0.0.1:2375\n    insecure: true\n"
	    "    clients:\n      - { match: { container_name: web }, policy: p }\n    policy: p\n" POLICIES,
	    6, 20, "\"r\" is TCP: add tls and match its callers with cert_* keys" },
	/* ---- upstream and upstream_tls ---- */
	{ "upstream_tls after a tcp upstream loads",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /etc/sw/daemon-ca.pem }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "upstream_tls before a tcp upstream loads",
	    "upstream_tls: { ca: /ca.pem, cert: /c.pem, key: /k.pem, server_name: docker.example.org }\n"
	    "upstream: \"tcp://[2001:db8::5]:2376\"\nlisteners:\n  - { name: a, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "upstream_tls with the default upstream",
	    "upstream_tls: { ca: /ca.pem }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES, 1,
	    1,
	    "upstream_tls is only for a tcp:// upstream, and upstream is unix:///var/run/docker.sock "
	    "(the default): remove upstream_tls, or set upstream to the daemon's tcp://address:port" },
	{ "upstream_tls with a unix upstream",
	    "upstream: unix:///run/docker.sock\nlisteners:\n  - { name: a, policy: p }\n" POLICIES
	    "upstream_tls:\n  ca: /ca.pem\n",
	    6, 1,
	    "upstream_tls is only for a tcp:// upstream, and upstream is unix:///run/docker.sock:" },
	{ "upstream_tls without ca",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { cert: /c.pem, key: /k.pem }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 15, "missing required key \"ca\" in upstream_tls" },
	{ "upstream_tls cert without key",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, cert: /c.pem }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 30,
	    "upstream_tls.cert needs upstream_tls.key: give both (sockwarden's client certificate "
	    "for the daemon) or neither" },
	{ "upstream_tls key without cert",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { key: /k.pem, ca: /ca.pem }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 17, "upstream_tls.key needs upstream_tls.cert" },
	{ "upstream_tls server_name with a space",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, server_name: \"a b\" }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 43, "upstream_tls.server_name must be a DNS name" },
	{ "upstream_tls server_name label starting with '-'",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, server_name: -x.example }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 43, "upstream_tls.server_name must be a DNS name" },
	{ "upstream_tls server_name with a trailing dot",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, server_name: x.example. }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 43, "upstream_tls.server_name must be a DNS name" },
	{ "upstream_tls server_name an IPv6 address loads",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, server_name: \"fd00::5\" }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    0, 0, NULL },
	{ "upstream_tls client_certs is for listeners",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, client_certs: none }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 30, "unknown key \"client_certs\" in upstream_tls" },
	{ "upstream_tls crl is for listeners",
	    "upstream: tcp://10.0.0.5:2376\nupstream_tls: { ca: /ca.pem, crl: /x.crl }\n"
	    "listeners:\n  - { name: a, policy: p }\n" POLICIES,
	    2, 30, "unknown key \"crl\" in upstream_tls" },
	/* ---- run_as ---- */
	{ "run_as numeric user without passwd entry, no group",
	    "run_as: { user: \"3999999\" }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES, 1,
	    17,
	    "run_as.user 3999999 has no passwd entry to take a primary group from: set run_as.group" },
	{ "run_as unknown user",
	    "run_as: { user: no-such-user-sw }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES,
	    1, 17, "run_as.user: no user named \"no-such-user-sw\" on this host" },
	{ "run_as unknown group",
	    "run_as:\n  user: root\n  group: no-such-group-sw\nlisteners:\n  - { name: a, policy: p }\n" POLICIES,
	    3, 10, "run_as.group: no group named \"no-such-group-sw\" on this host" },
	{ "run_as without user",
	    "run_as: { group: root }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES, 1, 9,
	    "missing required key \"user\" in run_as" },
	{ "run_as negative id",
	    "run_as: { user: \"-1\" }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES, 1, 17,
	    "run_as.user must be a user or group name of 1 to 63 characters, or a numeric id" },
	{ "run_as id 4294967295",
	    "run_as: { user: root, group: 4294967295 }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES,
	    1, 30, "run_as.group must be a name or a numeric id below 4294967295" },
	{ "run_as not a mapping", "run_as: root\nlisteners:\n  - { name: a, policy: p }\n" POLICIES,
	    1, 9, "run_as must be a mapping with user and group, not a single value" },
	{ "run_as uid key", "run_as: { uid: 0 }\nlisteners:\n  - { name: a, policy: p }\n" POLICIES,
	    1, 11, "unknown key \"uid\" in run_as" },
};

static void
test_load_yaml_settings_row(void **state)
{
	const struct settings_case *c = *state;
	struct pol_set *ps = NULL;
	struct pol_err err;
	int rc = load_str(c->text, &ps, &err);

	if (c->line == 0) {
		if (rc != 0)
			fail_msg(
			    "%s: did not load: %d:%d: %s", c->name, err.line, err.col, err.msg);
		pol_set_unref(ps);
		return;
	}
	if (rc == 0) {
		pol_set_unref(ps);
		fail_msg("%s: loaded, want %d:%d: %s", c->name, c->line, c->col, c->want);
	}
	if (err.line != c->line || err.col != c->col || strstr(err.msg, c->want) == NULL)
		fail_msg("%s: got %d:%d: %s\n  want %d:%d: %s", c->name, err.line, err.col, err.msg,
		    c->line, c->col, c->want);
}

/* Issue 4's example configuration, with every setting it stores checked. */
static const char tls_example[] =
    "upstream: tcp://10.0.0.5:2376\n"
    "upstream_tls:\n"
    "  ca: /etc/sockwarden/daemon-ca.pem\n"
    "  cert: /etc/sockwarden/client.pem\n"
    "  key: /etc/sockwarden/client-key.pem\n"
    "  server_name: docker.example.org\n"
    "run_as: { user: root, group: \"1234\" }\n"
    "listeners:\n"
    "  - name: local\n"
    "    listen: unix:///run/sockwarden/docker.sock\n"
    "    socket: { mode: \"0660\", group: root }\n"
    "    policy: readonly\n"
    "    clients:\n"
    "      - match: { container_name: \"traefik*\", container_label: \"com.example.role=proxy\" }\n"
    "        policy: traefik\n"
    "      - match: { container_image: \"ghcr.io/acme/ci-runner:*\" }\n"
    "        policy: ci\n"
    "        owner: ci-runners\n"
    "  - name: remote\n"
    "    listen: tcp://0.0.0.0:2376\n"
    "    tls:\n"
    "      cert: /etc/sockwarden/server.pem\n"
    "      key: /etc/sockwarden/server-key.pem\n"
    "      ca: /etc/sockwarden/clients-ca.pem\n"
    "      crl: /etc/sockwarden/clients.crl\n"
    "      client_certs: required\n"
    "    policy: nobody\n"
    "    clients:\n"
    "      - match: { cert_cn: alice }\n"
    "        policy: admin\n"
    "      - match: { cert_uri: \"spiffe://example.org/ci/*\" }\n"
    "        policy: ci\n"
    "      - match: { cert_fingerprint: \"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\" }\n"
    "        policy: admin\n"
    "  - name: lab\n"
    "    listen: tcp://127.0.0.1:2375\n"
    "    insecure: true\n"
    "    policy: readonly\n"
    "  - name: optional\n"
    "    listen: \"tcp://[::1]:2377\"\n"
    "    tls: { cert: /s.pem, key: /s.key, ca: /ca.pem, client_certs: optional }\n"
    "    policy: nobody\n"
    "policies:\n"
    "  readonly: { groups: [read-only] }\n"
    "  traefik: { groups: [containers-read-only] }\n"
    "  ci: { allow: [SystemPing] }\n"
    "  admin: { allow: [SystemPing] }\n"
    "  nobody: {}\n";

static void
check_tls_files(const char *row, const struct sw_tls_cfg *t, const char *cert, const char *key,
    const char *ca, const char *crl)
{
	EXPECT_NUM(row, "tls.enabled", t->enabled, 1);
	EXPECT_STR(row, "tls.cert", t->cert, cert);
	EXPECT_STR(row, "tls.key", t->key, key);
	EXPECT_STR(row, "tls.ca", t->ca, ca);
	EXPECT_STR(row, "tls.crl", t->crl, crl);
}

static void
test_load_yaml_tls_example(void **state)
{
	const struct sw_config *cfg;
	const struct sw_listener_cfg *l;
	const struct sw_client_cfg *c;
	struct pol_set *ps = NULL;
	struct pol_err err;

	(void)state;
	if (load_str(tls_example, &ps, &err) != 0)
		fail_msg("example: %d:%d: %s", err.line, err.col, err.msg);
	cfg = pol_set_config(ps);
	EXPECT_STR("upstream", "upstream", cfg->upstream, "tcp://10.0.0.5:2376");
	check_tls_files("upstream_tls", &cfg->upstream_tls, "/etc/sockwarden/client.pem",
	    "/etc/sockwarden/client-key.pem", "/etc/sockwarden/daemon-ca.pem", "");
	EXPECT_STR(
	    "upstream_tls", "server_name", cfg->upstream_tls.server_name, "docker.example.org");
	EXPECT_NUM("run_as", "enabled", cfg->run_as.enabled, 1);
	EXPECT_NUM("run_as", "uid", cfg->run_as.uid, 0);
	EXPECT_NUM("run_as", "gid", cfg->run_as.gid, 1234);
	EXPECT_STR("run_as", "user", cfg->run_as.user, "root");
	EXPECT_STR("run_as", "group", cfg->run_as.group, "1234");
	EXPECT_NUM("example", "listeners", cfg->n_listeners, 4);

	l = &cfg->listeners[0];
	EXPECT_NUM("local", "tls.enabled", l->tls.enabled, 0);
	EXPECT_NUM("local", "insecure", l->insecure, 0);
	EXPECT_NUM("local", "clients", l->n_clients, 2);
	c = &cfg->clients[l->first_client];
	EXPECT_STR("local clients[0]", "container_name", c->container_name, "traefik*");
	EXPECT_STR(
	    "local clients[0]", "container_label", c->container_label, "com.example.role=proxy");
	EXPECT_STR("local clients[0]", "owner", c->owner, "");
	EXPECT_STR("local clients[0]", "policy", pol_set_policy_name(ps, c->policy), "traefik");
	c++;
	EXPECT_STR(
	    "local clients[1]", "container_image", c->container_image, "ghcr.io/acme/ci-runner:*");
	EXPECT_STR("local clients[1]", "owner", c->owner, "ci-runners");
	EXPECT_NUM("local", "wants container", pol_listener_wants_container(cfg, 0), 1);

	l = &cfg->listeners[1];
	check_tls_files("remote", &l->tls, "/etc/sockwarden/server.pem",
	    "/etc/sockwarden/server-key.pem", "/etc/sockwarden/clients-ca.pem",
	    "/etc/sockwarden/clients.crl");
	EXPECT_NUM("remote", "client_certs", l->tls.client_certs, SW_CERTS_REQUIRED);
	EXPECT_STR("remote", "server_name", l->tls.server_name, "");
	EXPECT_NUM("remote", "insecure", l->insecure, 0);
	EXPECT_NUM("remote", "clients", l->n_clients, 3);
	c = &cfg->clients[l->first_client];
	EXPECT_STR("remote clients[0]", "cert_cn", c->cert_cn, "alice");
	EXPECT_STR("remote clients[1]", "cert_uri", c[1].cert_uri, "spiffe://example.org/ci/*");
	EXPECT_STR("remote clients[2]", "cert_fingerprint", c[2].cert_fingerprint,
	    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	EXPECT_STR("remote clients[2]", "policy", pol_set_policy_name(ps, c[2].policy), "admin");
	EXPECT_NUM("remote", "wants container", pol_listener_wants_container(cfg, 1), 0);

	l = &cfg->listeners[2];
	EXPECT_NUM("lab", "insecure", l->insecure, 1);
	EXPECT_NUM("lab", "tls.enabled", l->tls.enabled, 0);
	EXPECT_NUM("lab", "clients", l->n_clients, 0);

	l = &cfg->listeners[3];
	EXPECT_NUM("optional", "client_certs", l->tls.client_certs, SW_CERTS_OPTIONAL);
	pol_set_unref(ps);
}

/* run_as: names and numeric ids, and the group that goes with the user. */
struct run_as_case {
	const char *name;
	const char *run_as;
	unsigned uid, gid;
	const char *user, *group; /* as written */
};

static struct run_as_case run_as_cases[] = {
	{ "run_as user name takes its primary group", "{ user: root }", 0, 0, "root", "" },
	{ "run_as numeric user takes its passwd entry's group", "{ user: \"0\" }", 0, 0, "0", "" },
	{ "run_as group by name", "{ user: \"1234\", group: root }", 1234, 0, "1234", "root" },
	{ "run_as both numeric, no passwd entry needed",
	    "{ user: \"3999999\", group: \"3999998\" }", 3999999, 3999998, "3999999", "3999998" },
	{ "run_as largest ids", "{ user: \"4294967294\", group: \"4294967294\" }", 4294967294u,
	    4294967294u, "4294967294", "4294967294" },
};

static void
test_load_yaml_run_as_row(void **state)
{
	const struct run_as_case *c = *state;
	const struct sw_config *cfg;
	struct pol_set *ps = NULL;
	struct pol_err err;
	char text[256];

	snprintf(text, sizeof(text),
	    "run_as: %s\nlisteners:\n  - { name: a, policy: p }\n" POLICIES, c->run_as);
	if (load_str(text, &ps, &err) != 0)
		fail_msg("%s: %d:%d: %s", c->name, err.line, err.col, err.msg);
	cfg = pol_set_config(ps);
	EXPECT_NUM(c->name, "run_as.enabled", cfg->run_as.enabled, 1);
	EXPECT_NUM(c->name, "run_as.uid", cfg->run_as.uid, c->uid);
	EXPECT_NUM(c->name, "run_as.gid", cfg->run_as.gid, c->gid);
	EXPECT_STR(c->name, "run_as.user", cfg->run_as.user, c->user);
	EXPECT_STR(c->name, "run_as.group", cfg->run_as.group, c->group);
	pol_set_unref(ps);
}

/* Without the new keys nothing changes: no TLS, no run_as, unix everywhere. */
static void
test_load_yaml_settings_absent(void **state)
{
	const struct sw_config *cfg;
	struct pol_set *ps = NULL;
	struct pol_err err;

	(void)state;
	if (load_str(minimal, &ps, &err) != 0)
		fail_msg("minimal: %d:%d: %s", err.line, err.col, err.msg);
	cfg = pol_set_config(ps);
	EXPECT_NUM("minimal", "upstream_tls.enabled", cfg->upstream_tls.enabled, 0);
	EXPECT_NUM("minimal", "run_as.enabled", cfg->run_as.enabled, 0);
	EXPECT_NUM("minimal", "tls.enabled", cfg->listeners[0].tls.enabled, 0);
	EXPECT_NUM("minimal", "insecure", cfg->listeners[0].insecure, 0);
	pol_set_unref(ps);
}

/* ---- pol_load_file ------------------------------------------------------------- */

struct file_case {
	const char *name;
	mode_t mode;
	bool other_owner; /* chown to nobody (needs root) */
	size_t pad_to;    /* 0: the minimal config */
	const char *want; /* NULL: must load */
};

static struct file_case file_cases[] = {
	{ "mode 0600 loads", 0600, false, 0, NULL },
	{ "mode 0644 loads", 0644, false, 0, NULL },
	{ "mode 0444 loads", 0444, false, 0, NULL },
	{ "world-writable is refused", 0666, false, 0,
	    "writable by its group or by others (mode 0666)" },
	{ "other-writable alone is refused", 0602, false, 0, "writable by its group or by others" },
	{ "group-writable is refused", 0620, false, 0,
	    "writable by its group or by others (mode 0620)" },
	{ "owned by someone else is refused", 0644, true, 0, "owned by uid 65534" },
	{ "larger than the cap is refused", 0600, false, POL_YAML_MAX_BYTES + 1,
	    "larger than the limit of 1048576 bytes" },
};

static void
test_load_yaml_file(void **state)
{
	const struct file_case *c = *state;
	char path[] = "/tmp/sw-test-load-XXXXXX";
	struct pol_set *ps = NULL;
	struct pol_err err;
	size_t len = sizeof(minimal) - 1;
	char *buf;
	int fd, rc;

	if (c->other_owner && geteuid() != 0)
		skip(); /* reported as skipped, not passed */
	fd = mkstemp(path);
	assert_true(fd != -1);
	buf = c->pad_to ? padded(c->pad_to, &len) : dup_mem(minimal, len);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	free(buf);
	assert_int_equal(fchmod(fd, c->mode), 0);
	if (c->other_owner)
		assert_int_equal(fchown(fd, 65534, 65534), 0);
	close(fd);
	rc = pol_load_file(path, &ps, &err);
	unlink(path);
	EXPECT_STR(c->name, "err.file", err.file, path);
	if (c->want == NULL) {
		if (rc != 0)
			fail_msg("%s: %s", c->name, err.msg);
		pol_set_unref(ps);
		return;
	}
	if (rc == 0)
		fail_msg("%s: loaded, want \"%s\"", c->name, c->want);
	if (err.line != 0 || strstr(err.msg, c->want) == NULL)
		fail_msg("%s: got %d: %s, want 0: %s", c->name, err.line, err.msg, c->want);
}

static void
test_load_yaml_file_not_regular(void **state)
{
	char dir[] = "/tmp/sw-test-dir-XXXXXX", fifo[64];
	struct pol_set *ps = NULL;
	struct pol_err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pol_load_file(dir, &ps, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	/* A FIFO must be refused, not block the loader waiting for a writer. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(pol_load_file(fifo, &ps, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(fifo);
	rmdir(dir);
	assert_int_equal(pol_load_file("/nonexistent/sockwarden.yaml", &ps, &err), -1);
	EXPECT_STR("missing file", "err.msg", err.msg, "cannot open: No such file or directory");
	assert_int_equal(err.line, 0);
	assert_null(ps);
}

/* ---- shipped configurations ----------------------------------------------------- */

static void
test_load_yaml_default_config(void **state)
{
	const char *text = pol_default_config();
	const struct sw_config *cfg;
	struct pol_set *ps = NULL;
	struct pol_err err;
	struct sw_req req;
	struct pol_decision d;

	(void)state;
	if (pol_load_buffer("<default>", text, strlen(text), &ps, &err) != 0)
		fail_msg("default config: %d:%d: %s", err.line, err.col, err.msg);
	cfg = pol_set_config(ps);
	EXPECT_STR("default", "upstream", cfg->upstream, "unix:///var/run/docker.sock");
	EXPECT_NUM("default", "listeners", cfg->n_listeners, 1);
	EXPECT_STR("default", "listener", cfg->listeners[0].name, "default");
	EXPECT_STR("default", "listen", cfg->listeners[0].listen,
	    "unix:///run/sockwarden/sockwarden.sock");
	EXPECT_NUM("default", "mode", cfg->listeners[0].socket.mode, 0660);
	EXPECT_STR(
	    "default", "policy", pol_set_policy_name(ps, cfg->listeners[0].policy), "read-only");
	EXPECT_NUM("default", "policies", pol_set_policy_count(ps), 1);
	memset(&req, 0, sizeof(req));
	req.endpoint = pol_ep_lookup("ContainerList");
	assert_int_equal(pol_eval(ps, 0, &req, &d), POL_ALLOW);
	req.endpoint = pol_ep_lookup("ContainerCreate");
	assert_int_equal(pol_eval(ps, 0, &req, &d), POL_DENY);
	pol_set_unref(ps);
}

static void
test_load_yaml_deploy_policies(void **state)
{
	struct pol_set *ps;
	struct pol_err err;
	char **names, path[512];
	size_t n, i;

	(void)state;
	names = list_yaml(DEPLOY_DIR, &n);
	if (n < 3)
		fail_msg("%s: %zu example files, want at least 3", DEPLOY_DIR, n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", DEPLOY_DIR, names[i]);
		ps = NULL;
		if (load_file_buffer(path, names[i], &ps, &err) != 0)
			fail_msg("%s:%d:%d: %s", names[i], err.line, err.col, err.msg);
		pol_set_unref(ps);
	}
	free_names(names, n);
}

/* ---- the set ------------------------------------------------------------------ */

static void
test_load_yaml_refcount_and_accessors(void **state)
{
	struct pol_set *ps = NULL;
	struct pol_err err;

	(void)state;
	if (load_str(minimal, &ps, &err) != 0)
		fail_msg("%d:%d: %s", err.line, err.col, err.msg);
	assert_ptr_equal(pol_set_ref(ps), ps);
	pol_set_unref(ps); /* back to one reference: still usable */
	assert_int_equal(pol_set_policy_count(ps), 1);
	assert_int_equal(pol_set_find_policy(ps, "p"), 0);
	assert_int_equal(pol_set_find_policy(ps, "q"), -1);
	assert_string_equal(pol_set_policy_name(ps, 0), "p");
	assert_null(pol_set_policy_name(ps, -1));
	assert_null(pol_set_policy_name(ps, 1));
	pol_set_unref(ps); /* frees; ASan reports a leak or a double free */
	pol_set_unref(NULL);
	assert_null(pol_set_ref(NULL));
}

/* Only the first error is reported, with the name the caller gave. */
static void
test_load_yaml_error_fields(void **state)
{
	struct pol_set *ps = NULL;
	struct pol_err err;

	(void)state;
	assert_int_equal(pol_load_buffer(NULL, "x: 1\ny: 2\n", 10, &ps, &err), -1);
	assert_string_equal(err.file, "<config>");
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 1);
	assert_string_equal(err.msg, "unknown key \"x\" at the top level");
	assert_int_equal(pol_load_buffer("a.yaml", NULL, 0, &ps, &err), -1);
	assert_string_equal(err.file, "a.yaml");
	assert_null(ps);
}

/* Untrusted text in an error message is cut short and stripped of quotes and controls. */
static void
test_load_yaml_error_text_sanitised(void **state)
{
	struct pol_set *ps = NULL;
	struct pol_err err;
	char text[400];
	size_t i;

	(void)state;
	snprintf(text, sizeof(text), "\"a\\\"b\\tc\\\\%0200d\": 1\n", 0);
	assert_int_equal(load_str(text, &ps, &err), -1);
	assert_non_null(strstr(err.msg, "unknown key \"a?b?c?000"));
	assert_non_null(strstr(err.msg, "...\" at the top level"));
	for (i = 0; err.msg[i] != '\0'; i++)
		if ((unsigned char)err.msg[i] < 0x20 || err.msg[i] == '\\')
			fail_msg("byte 0x%02x in \"%s\"", (unsigned char)err.msg[i], err.msg);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(good_cases) + nitems(gen_cases) + nitems(file_cases) +
	                        nitems(settings_cases) + nitems(run_as_cases) + 10];
	size_t i, n = 0;
	int rc;

	for (i = 0; i < nitems(good_cases); i++)
		tests[n++] = (struct CMUnitTest){ good_cases[i].file, test_load_yaml_good_fixture,
			NULL, NULL, &good_cases[i] };
	for (i = 0; i < nitems(gen_cases); i++)
		tests[n++] = (struct CMUnitTest){ gen_cases[i].name, test_load_yaml_generated, NULL,
			NULL, &gen_cases[i] };
	for (i = 0; i < nitems(settings_cases); i++)
		tests[n++] = (struct CMUnitTest){ settings_cases[i].name,
			test_load_yaml_settings_row, NULL, NULL, &settings_cases[i] };
	for (i = 0; i < nitems(run_as_cases); i++)
		tests[n++] = (struct CMUnitTest){ run_as_cases[i].name, test_load_yaml_run_as_row,
			NULL, NULL, &run_as_cases[i] };
	for (i = 0; i < nitems(file_cases); i++)
		tests[n++] = (struct CMUnitTest){ file_cases[i].name, test_load_yaml_file, NULL,
			NULL, &file_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_every_fixture_has_a_row);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_tls_example);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_settings_absent);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_file_not_regular);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_default_config);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_deploy_policies);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_refcount_and_accessors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_error_fields);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_error_text_sanitised);
	rc = _cmocka_run_group_tests("load_yaml", tests, n, NULL, NULL);
	return rc | run_bad_fixtures();
}
