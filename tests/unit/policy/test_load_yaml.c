/*
 * Tests for policy/load_*.c: every good fixture in tests/data/policy loads
 * with the settings its table row states; every file in tests/data/policy/bad
 * fails at the position and with the message its first line states
 * ("# expect-error: LINE:COL: substring"); limits that are easier to generate
 * than to store (depth, size, encodings) and the file checks of
 * pol_load_file() are tested with generated input.
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
		    SW_DEF_UPSTREAM_CONNECT_MS, SW_DEF_SHUTDOWN_TIMEOUT_MS                  \
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
	    { 32 * 1024, 50, 2 * 1024 * 1024, 512, 500, 120000, 3000, 3600000 }, LOG_LEVEL_DEBUG,
	    "/var/log/sockwarden/audit.log",
	    { { "traefik", "unix:///run/sockwarden/traefik.sock", 0640, "root", "traefik",
	          "traefik" },
	        { "ci.runner-1", "unix:///run/sockwarden/ci.sock", 0600, "1000", "1001", "ci" },
	        { "monitor", SW_DEF_LISTEN, SW_DEF_SOCKET_MODE, "", "", "monitor" } },
	    { { "traefik", 7, false }, { "ci", 6, false }, { "monitor", 3, true } } },
	{ "limits-high.yaml", "tcp://[::1]:65535", SW_DEF_MIN_API_VERSION,
	    { 1024 * 1024, 1000, 64 * 1024 * 1024, 1000000, 86400000, 86400000, 86400000,
	        86400000 },
	    LOG_LEVEL_ERROR, "off", { { "a", "unix:///run/a.sock", 0660, "", "", "p" } },
	    { { "p", 1, true } } },
	{ "limits-low.yaml", SW_DEF_UPSTREAM, SW_DEF_MIN_API_VERSION,
	    { 1024, 8, 1024, 1, 1, 1, 1, 1 }, LOG_LEVEL_INFO, "stderr",
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
	assert_int_equal(pol_eval(ps, 0, &req, NULL, NULL, &d), POL_ALLOW);
	req.endpoint = pol_ep_lookup("ContainerCreate");
	assert_int_equal(pol_eval(ps, 0, &req, NULL, NULL, &d), POL_DENY);
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
	struct CMUnitTest tests[nitems(good_cases) + nitems(gen_cases) + nitems(file_cases) + 8];
	size_t i, n = 0;
	int rc;

	for (i = 0; i < nitems(good_cases); i++)
		tests[n++] = (struct CMUnitTest){ good_cases[i].file, test_load_yaml_good_fixture,
			NULL, NULL, &good_cases[i] };
	for (i = 0; i < nitems(gen_cases); i++)
		tests[n++] = (struct CMUnitTest){ gen_cases[i].name, test_load_yaml_generated, NULL,
			NULL, &gen_cases[i] };
	for (i = 0; i < nitems(file_cases); i++)
		tests[n++] = (struct CMUnitTest){ file_cases[i].name, test_load_yaml_file, NULL,
			NULL, &file_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_every_fixture_has_a_row);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_file_not_regular);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_default_config);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_deploy_policies);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_refcount_and_accessors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_error_fields);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_yaml_error_text_sanitised);
	rc = _cmocka_run_group_tests("load_yaml", tests, n, NULL, NULL);
	return rc | run_bad_fixtures();
}
