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

/* Loading from "paths" fails, and the message says "want". */
static void
assert_refused(const char *const *paths, size_t n, const char *want)
{
	char err[1024] = "";

	assert_int_equal(tls_module_load_from(paths, n, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\", want it to say \"%s\"", err, want);
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
	assert_refused(paths, 2, "is not installed");
	assert_refused(paths, 2, a);
	assert_refused(paths, 2, b);
}

static void
test_writable_by_others_is_refused(void **state)
{
	char p[128], q[128];
	const char *paths[] = { p, SW_TEST_TLS_MODULE };
	const char *other[] = { q };

	(void)state;
	path_in_dir(p, sizeof(p), "group-writable.so");
	copy_file(SW_TEST_TLS_MODULE, p, 0775);
	/* Refused, and the good module after it is not tried: the operator must hear of it. */
	assert_refused(paths, 2, "writable by its group or by others");
	path_in_dir(q, sizeof(q), "world-writable.so");
	copy_file(SW_TEST_TLS_MODULE, q, 0757);
	assert_refused(other, 1, "writable by its group or by others");
}

static void
test_not_a_regular_file_is_refused(void **state)
{
	char p[128];
	const char *paths[] = { p };

	(void)state;
	path_in_dir(p, sizeof(p), "a-directory.so");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_refused(paths, 1, "not a regular file");
}

static void
test_foreign_owner_is_refused(void **state)
{
	char p[128];
	const char *paths[] = { p };

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	path_in_dir(p, sizeof(p), "nobodys.so");
	copy_file(SW_TEST_TLS_MODULE, p, 0755);
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_refused(paths, 1, "owned by someone other than root, us or the program's owner");
}

static void
test_not_a_shared_object_is_refused(void **state)
{
	char p[128], msg[160];
	const char *paths[] = { p };
	int fd;

	(void)state;
	path_in_dir(p, sizeof(p), "text.so");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "not ELF\n", 8), 8);
	close(fd);
	snprintf(msg, sizeof(msg), "TLS module %s: ", p);
	assert_refused(paths, 1, msg);
}

static void
test_foreign_modules_are_refused(void **state)
{
	const char *no_init[] = { SW_TEST_FAKE_NO_INIT };
	const char *other_abi[] = { SW_TEST_FAKE_OTHER_ABI };

	(void)state;
	assert_refused(no_init, 1, "not a sockwarden TLS module");
	assert_refused(other_abi, 1, "built from other sockwarden sources");
}

static void
test_real_module_loads_once(void **state)
{
	char absent[128], err[1024] = "";
	const char *paths[] = { absent, SW_TEST_TLS_MODULE };
	struct sw_tls_cfg cfg;

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
	/* Loaded now: no file is looked at again. */
	assert_int_equal(tls_module_load_from(NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(tls_module_load(err, sizeof(err)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_names_every_place),
		cmocka_unit_test(test_writable_by_others_is_refused),
		cmocka_unit_test(test_not_a_regular_file_is_refused),
		cmocka_unit_test(test_foreign_owner_is_refused),
		cmocka_unit_test(test_not_a_shared_object_is_refused),
		cmocka_unit_test(test_foreign_modules_are_refused),
		cmocka_unit_test(test_real_module_loads_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
