/*
 * The TLS module loader (proxy/tls.c): which files it refuses to map into
 * the process, and why, before it loads the real module and its table
 * works.  A module is loaded once per process, so the success case runs
 * last.
 */
#include "sockwarden/compat.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tls.h"
#include "tmp_tree.h"

static char dir[64];

static void
path_in_dir(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* A copy of "src" at "dst" with "mode" (umask aside). */
static void
copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(in != -1 && out != -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	assert_int_equal(fchmod(out, mode), 0);
	close(in);
	close(out);
}

/* Loading from "paths" fails, and the message says "want" (case "name"). */
static void
assert_refused(const char *name, const char *const *paths, size_t n, const char *want)
{
	char err[1024] = "";

	if (tls_module_load_from(paths, n, err, sizeof(err)) != -1)
		fail_msg("case \"%s\": loaded, want \"%s\"", name, want);
	if (strstr(err, want) == NULL)
		fail_msg("case \"%s\": error \"%s\", want it to say \"%s\"", name, err, want);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sw-tls-module.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return tmp_tree_remove(dir);
}

static void
test_absent_names_every_place(void **state)
{
	char a[128], b[128];
	const char *paths[] = { a, b };

	(void)state;
	path_in_dir(a, sizeof(a), "nothing-here.so");
	path_in_dir(b, sizeof(b), "nor-here.so");
	assert_refused("absent", paths, 2, "is not installed");
	assert_refused("absent", paths, 2, a);
	assert_refused("absent", paths, 2, b);
}

/* How a refused row makes its candidate file. */
enum make {
	MAKE_COPY,         /* a copy of the real module with "mode" */
	MAKE_COPY_NOBODY,  /* the same, then given to uid 65534 (root only) */
	MAKE_LINK_TO_COPY, /* a symlink to such a copy: the file it opens is checked */
	MAKE_DIR,
	MAKE_FIFO,      /* open() must not wait for a writer */
	MAKE_TEXT,      /* a regular file that is no ELF object */
	MAKE_UNDER_REG, /* a path through a regular file: open() fails (ENOTDIR) */
	MAKE_NONE,      /* "fake" names a built module */
};

struct refused_case {
	const char *name;
	enum make make;
	mode_t mode;
	const char *fake; /* MAKE_NONE: the module to offer */
	const char *want; /* in the error, after "TLS module <path>" */
};

static struct refused_case refused_cases[] = {
	{ "group-writable module", MAKE_COPY, 0775, NULL, ": writable by its group or by others" },
	{ "world-writable module", MAKE_COPY, 0757, NULL, ": writable by its group or by others" },
	{ "symlink to a group-writable module", MAKE_LINK_TO_COPY, 0775, NULL,
	    ": writable by its group or by others" },
	{ "module owned by another user", MAKE_COPY_NOBODY, 0755, NULL,
	    ": owned by someone other than root, us or the program's owner" },
	{ "a directory", MAKE_DIR, 0755, NULL, ": not a regular file" },
	{ "a FIFO", MAKE_FIFO, 0644, NULL, ": not a regular file" },
	{ "a path through a regular file", MAKE_UNDER_REG, 0644, NULL,
	    ": cannot open: Not a directory" },
	/* dlopen() names what it mapped: the descriptor checked, not the path again. */
	{ "not a shared object", MAKE_TEXT, 0644, NULL, ": /proc/self/fd/" },
	{ "a shared object with no entry point", MAKE_NONE, 0, SW_TEST_FAKE_NO_INIT,
	    ": no sw_tls_module_init: not a sockwarden TLS module" },
	{ "a module built from other sources", MAKE_NONE, 0, SW_TEST_FAKE_OTHER_ABI,
	    " was built from other sockwarden sources" },
};

/* The candidate file of row "c" at "p" (in dir, named after the row's index "i"). */
static void
make_candidate(const struct refused_case *c, size_t i, char *p, size_t size)
{
	char name[32], copy[128];
	int fd;

	snprintf(name, sizeof(name), "row%zu.so", i);
	path_in_dir(p, size, name);
	switch (c->make) {
	case MAKE_COPY:
		copy_file(SW_TEST_TLS_MODULE, p, c->mode);
		break;
	case MAKE_COPY_NOBODY:
		copy_file(SW_TEST_TLS_MODULE, p, c->mode);
		assert_int_equal(chown(p, 65534, 65534), 0);
		break;
	case MAKE_LINK_TO_COPY:
		snprintf(name, sizeof(name), "row%zu-target.so", i);
		path_in_dir(copy, sizeof(copy), name);
		copy_file(SW_TEST_TLS_MODULE, copy, c->mode);
		assert_int_equal(symlink(copy, p), 0);
		break;
	case MAKE_DIR:
		assert_int_equal(mkdir(p, c->mode), 0);
		break;
	case MAKE_FIFO:
		assert_int_equal(mkfifo(p, c->mode), 0);
		break;
	case MAKE_TEXT:
	case MAKE_UNDER_REG:
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, c->mode);
		assert_true(fd != -1);
		assert_int_equal(write(fd, "not ELF\n", 8), 8);
		close(fd);
		if (c->make == MAKE_UNDER_REG)
			snprintf(p + strlen(p), size - strlen(p), "/module.so");
		break;
	case MAKE_NONE:
		snprintf(p, size, "%s", c->fake);
		break;
	}
}

/*
 * Each file is refused with its path and the reason, and the search ends
 * there: the good module after it is not tried, so the operator hears of it.
 */
static void
test_refused_row(void **state)
{
	const struct refused_case *c = *state;
	char p[192], want[512];
	const char *paths[2];

	if (c->make == MAKE_COPY_NOBODY && geteuid() != 0)
		skip(); /* only root can give a file away; reported as skipped, not passed */
	make_candidate(c, (size_t)(c - refused_cases), p, sizeof(p));
	paths[0] = p;
	paths[1] = SW_TEST_TLS_MODULE;
	snprintf(want, sizeof(want), "TLS module %s%s", p, c->want);
	assert_refused(c->name, paths, 2, want);
}

/* Daemon names a client context refuses before it reads any file. */
static const struct bad_host_case {
	const char *name;
	const char *host;
} bad_hosts[] = {
	{ "empty brackets", "[]" },
	{ "a name longer than any the configuration allows",
	    "a123456789.b123456789.c123456789.d123456789.e123456789.f123456789.g123456789."
	    "h123456789.i123456789.j123456789.k123456789.l123456789.m123456789.n123456789."
	    "o123456789.p123456789.q123456789.r123456789.s123456789.t123456789.u123456789."
	    "v123456789.w123456789.x123456789.y123456789.z123456789.test" },
};

static void
test_real_module_loads_once(void **state)
{
	char absent[128], err[1024] = "";
	const char *paths[] = { absent, SW_TEST_TLS_MODULE };
	struct sw_tls_cfg cfg;
	size_t i;

	(void)state;
	path_in_dir(absent, sizeof(absent), "absent.so");
	/* An absent candidate is passed over. */
	assert_int_equal(tls_module_load_from(paths, 2, err, sizeof(err)), 0);
	/* Its table is live: a context's files are read (and here not found) through it. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.client_certs = SW_CERTS_NONE;
	snprintf(cfg.cert, sizeof(cfg.cert), "%s", absent);
	snprintf(cfg.key, sizeof(cfg.key), "%s", absent);
	assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
	if (strstr(err, absent) == NULL || strstr(err, "No such file") == NULL)
		fail_msg("server context error \"%s\"", err);
	/* The daemon's name is checked first: the absent ca is never opened. */
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.ca, sizeof(cfg.ca), "%s", absent);
	for (i = 0; i < nitems(bad_hosts); i++) {
		if (tls_client_ctx_new(&cfg, bad_hosts[i].host, err, sizeof(err)) != NULL)
			fail_msg("case \"%s\": a client context", bad_hosts[i].name);
		if (strncmp(err, "server name \"", 13) != 0 || strstr(err, absent) != NULL)
			fail_msg(
			    "case \"%s\": client context error \"%s\"", bad_hosts[i].name, err);
	}
	/* Loaded now: no file is looked at again. */
	assert_int_equal(tls_module_load_from(NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(tls_module_load(err, sizeof(err)), 0);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(refused_cases) + 2];
	size_t i, n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_absent_names_every_place);
	for (i = 0; i < nitems(refused_cases); i++) {
		struct CMUnitTest t =
		    cmocka_unit_test_prestate(test_refused_row, &refused_cases[i]);

		t.name = refused_cases[i].name;
		tests[n++] = t;
	}
	/* Last: a module, once loaded, stays. */
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_real_module_loads_once);
	return _cmocka_run_group_tests("tls_module", tests, n, setup, teardown);
}
