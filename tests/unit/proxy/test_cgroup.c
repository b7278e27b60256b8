/*
 * Container ids from /proc/<pid>/cgroup: one row per sample file in
 * tests/data/cgroup/ (real captures are named real-*), with the id it must
 * give, or none.  Rows about impersonation are never deleted.
 */
#include "sockwarden/compat.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup.h"

#define A "e754ab7b2695fbb46bb5f1dd49a4079449dc9a8eb706a21eb02956f59c56d85a"
#define B "fc2ca9d296f178d829de841c2117c32ad04a1af4034ca51e07c5f4cc60003017"

struct cg_case {
	const char *name;
	const char *file;   /* under tests/data/cgroup/ */
	const char *expect; /* the id, or NULL: no container */
};

static const struct cg_case cases[] = {
	/* real captures */
	{ "real docker 20.10, v1 hybrid, cgroupfs driver", "real-docker20-v1-hybrid-cgroupfs.txt",
	    A },
	{ "real host process, v1 hybrid, 32-hex component", "real-host-v1-hybrid-process.txt",
	    NULL },
	{ "real sub-cgroup named after another container, v1 hybrid",
	    "real-docker20-v1-hybrid-subcgroup-impersonation.txt", A },
	/* docker layouts */
	{ "v1 cgroupfs", "v1-cgroupfs.txt", A },
	{ "v1 systemd driver", "v1-systemd.txt", A },
	{ "v1 with controllers left at the root", "v1-partial-controllers.txt", A },
	{ "v2 systemd scope", "v2-systemd-scope.txt", A },
	{ "v2 cgroupfs", "v2-cgroupfs.txt", A },
	{ "v2 without the final newline", "v2-no-final-newline.txt", A },
	{ "v2 custom parent slice", "v2-custom-parent-slice.txt", A },
	{ "v2 custom parent directory", "v2-ci-parent-dir.txt", A },
	{ "hybrid, v2 at the root, v1 in the container", "hybrid-v2-root-v1-container.txt", A },
	{ "hybrid, v2 and v1 agree", "hybrid-v2-and-v1-agree.txt", A },
	/* other runtimes */
	{ "k8s containerd, systemd slices", "k8s-containerd-systemd.txt", A },
	{ "k8s v1 cgroupfs", "k8s-v1-cgroupfs.txt", A },
	{ "k8s CRI-O", "k8s-crio.txt", A },
	{ "k8s CRI-O conmon is not the container", "k8s-crio-conmon.txt", NULL },
	{ "containerd namespace layout", "containerd-namespace-default.txt", A },
	{ "podman", "podman-libpod.txt", A },
	/* nesting: the outermost container is the daemon's */
	{ "docker-in-docker, cgroupfs", "nested-dind-cgroupfs.txt", A },
	{ "docker-in-docker, systemd outer", "nested-dind-systemd.txt", A },
	{ "docker-in-docker, v1", "nested-dind-v1.txt", A },
	/* impersonation attempts */
	{ "sub-cgroup named like another container's scope", "impersonate-subcgroup-scope.txt", A },
	{ "sub-cgroup below a systemd scope", "impersonate-subcgroup-systemd.txt", A },
	{ "sub-cgroup named like a bare id", "impersonate-subcgroup-bare-id.txt", A },
	{ "user's delegated systemd manager", "impersonate-user-delegation.txt", NULL },
	{ "service with Delegate=yes", "impersonate-delegated-service.txt", NULL },
	{ "nspawn machine", "impersonate-nspawn-machine.txt", NULL },
	{ "LXC payload", "impersonate-lxc-payload.txt", NULL },
	{ "cgroup name with a newline, v2", "impersonate-newline-in-name.txt", NULL },
	{ "cgroup name with a newline, v1", "impersonate-newline-v1.txt", NULL },
	{ "v2 and v1 name different containers", "conflict-v2-v1.txt", NULL },
	{ "two v1 lines name different containers", "conflict-v1-v1.txt", NULL },
	{ "outside our cgroup namespace", "outside-cgroupns.txt", NULL },
	{ "dot component", "dot-component.txt", NULL },
	/* host processes */
	{ "user session", "host-user-session.txt", NULL },
	{ "user manager service", "host-user-manager.txt", NULL },
	{ "system service", "host-system-service.txt", NULL },
	{ "init", "host-init.txt", NULL },
	{ "root cgroup", "host-root.txt", NULL },
	{ "v1 user session", "host-v1-session.txt", NULL },
	{ "rootless docker container", "host-rootless-docker.txt", NULL },
	/* malformed */
	{ "no colon", "bad-no-colon.txt", NULL },
	{ "one colon", "bad-one-colon.txt", NULL },
	{ "hierarchy not a number", "bad-hier-not-digit.txt", NULL },
	{ "hierarchy with a leading zero", "bad-hier-leading-zero.txt", NULL },
	{ "hierarchy 0 with a controller", "bad-zero-with-controller.txt", NULL },
	{ "v1 hierarchy without a controller", "bad-v1-without-controller.txt", NULL },
	{ "relative path", "bad-relative-path.txt", NULL },
	{ "double slash", "bad-double-slash.txt", NULL },
	{ "trailing slash", "bad-trailing-slash.txt", NULL },
	{ "empty line", "bad-empty-line.txt", NULL },
	{ "two v2 lines", "bad-two-v2-lines.txt", NULL },
	{ "empty file", "bad-empty.txt", NULL },
	/* only partly an id */
	{ "63 digits", "id-63-digits.txt", NULL },
	{ "65 digits", "id-65-digits.txt", NULL },
	{ "upper case", "id-uppercase.txt", NULL },
	{ "one upper-case digit", "id-one-uppercase.txt", NULL },
	{ "not hex", "id-not-hex.txt", NULL },
	{ "scope with 63 digits", "id-scope-63.txt", NULL },
	{ "scope without .scope", "id-scope-no-suffix.txt", NULL },
	{ "scope with a longer suffix", "id-scope-extra-suffix.txt", NULL },
	{ "scope with an unknown prefix", "id-scope-unknown-prefix.txt", NULL },
	{ "id with a suffix", "id-with-suffix-dir.txt", NULL },
};

static size_t
read_sample(const char *file, char *buf, size_t bufsz)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/cgroup/%s", SW_TEST_DATA_DIR, file);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open sample %s", path);
	n = fread(buf, 1, bufsz, f);
	if (n == bufsz)
		fail_msg("sample %s is too big for the test buffer", path);
	fclose(f);
	return n;
}

static void
check(const char *name, const char *text, size_t len, const char *expect)
{
	char id[65];
	int rc;

	memset(id, 'Z', sizeof(id));
	rc = cgroup_container_id(text, len, id);
	if (expect == NULL && rc != -1)
		fail_msg("%s: expected no container, got %s", name, id);
	if (expect != NULL && rc != 0)
		fail_msg("%s: expected %s, got no container", name, expect);
	if (expect != NULL && strcmp(id, expect) != 0)
		fail_msg("%s: expected %s, got %.65s", name, expect, id);
}

static void
test_cgroup_samples(void **state)
{
	static char buf[64 * 1024];
	size_t i, n;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		n = read_sample(cases[i].file, buf, sizeof(buf));
		check(cases[i].name, buf, n, cases[i].expect);
	}
}

/* Every sample has a row: a file nobody checks proves nothing. */
static void
test_cgroup_every_sample_has_a_row(void **state)
{
	char dir[512];
	struct dirent *de;
	size_t i, seen = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/cgroup", SW_TEST_DATA_DIR);
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < nitems(cases); i++)
			if (strcmp(cases[i].file, de->d_name) == 0)
				break;
		if (i == nitems(cases))
			fail_msg("sample %s has no row in test_cgroup.c", de->d_name);
		seen++;
	}
	closedir(d);
	assert_int_equal(seen, nitems(cases));
}

/* The length is what counts, not a NUL; and a NUL inside is malformed. */
static void
test_cgroup_lengths(void **state)
{
	static const char v2[] = "0::/docker/" A "\n";
	static const char nul[] = "0::/docker/" A "\n\0"
	                          "0::/docker/" B "\n";
	char buf[sizeof(v2) + 8];

	(void)state;
	check("exact length", v2, sizeof(v2) - 1, A);
	check("cut inside the id", v2, sizeof(v2) - 3, NULL);
	check("NUL byte inside", nul, sizeof(nul) - 1, NULL);
	/* Bytes after "len" are never read. */
	memcpy(buf, v2, sizeof(v2) - 1);
	memcpy(buf + sizeof(v2) - 1, "0::/\n", 5);
	check("bytes beyond len", buf, sizeof(v2) - 1, A);
}

static void
test_cgroup_is_id(void **state)
{
	static const struct {
		const char *name;
		const char *s;
		bool expect;
	} rows[] = {
		{ "64 lower hex", A, true },
		{ "63", &A[1], false },
		{ "upper", "E754AB7B2695FBB46BB5F1DD49A4079449DC9A8EB706A21EB02956F59C56D85A",
		    false },
		{ "empty", "", false },
		{ "65", A "0", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		if (cgroup_is_id(rows[i].s, strlen(rows[i].s)) != rows[i].expect)
			fail_msg(
			    "%s: expected %s", rows[i].name, rows[i].expect ? "id" : "not an id");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_samples),
		cmocka_unit_test(test_cgroup_every_sample_has_a_row),
		cmocka_unit_test(test_cgroup_lengths),
		cmocka_unit_test(test_cgroup_is_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
