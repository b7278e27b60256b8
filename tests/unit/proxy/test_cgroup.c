/*
 * Container ids from /proc/<pid>/cgroup: one row per sample file in
 * tests/data/cgroup/ (real captures are named real-*), with what it must
 * give: the id, none (a well-formed host cgroup) or unusable (which the
 * proxy refuses, and must never take for none).  Rows about impersonation
 * are never deleted.  Then peer_container_id() on real sockets of this
 * machine: a caller that is gone, or a pid that is not the caller's, is
 * unknown, never none.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "peer_ctr.h"

#define A "e754ab7b2695fbb46bb5f1dd49a4079449dc9a8eb706a21eb02956f59c56d85a"
#define B "fc2ca9d296f178d829de841c2117c32ad04a1af4034ca51e07c5f4cc60003017"

struct cg_case {
	const char *name;
	const char *file; /* under tests/data/cgroup/ */
	enum cgroup_ctr want;
	const char *id; /* the id FOUND gives, or NULL */
};

static const struct cg_case cases[] = {
	/* real captures */
	{ "real docker 20.10, v1 hybrid, cgroupfs driver", "real-docker20-v1-hybrid-cgroupfs.txt",
	    CGROUP_FOUND, A },
	{ "real host process, v1 hybrid, 32-hex component", "real-host-v1-hybrid-process.txt",
	    CGROUP_NONE, NULL },
	{ "real sub-cgroup named after another container, v1 hybrid",
	    "real-docker20-v1-hybrid-subcgroup-impersonation.txt", CGROUP_FOUND, A },
	/* docker layouts */
	{ "v1 cgroupfs", "v1-cgroupfs.txt", CGROUP_FOUND, A },
	{ "v1 systemd driver", "v1-systemd.txt", CGROUP_FOUND, A },
	{ "v1 with controllers left at the root", "v1-partial-controllers.txt", CGROUP_FOUND, A },
	{ "v2 systemd scope", "v2-systemd-scope.txt", CGROUP_FOUND, A },
	{ "v2 cgroupfs", "v2-cgroupfs.txt", CGROUP_FOUND, A },
	{ "v2 without the final newline", "v2-no-final-newline.txt", CGROUP_FOUND, A },
	{ "v2 custom parent slice", "v2-custom-parent-slice.txt", CGROUP_FOUND, A },
	{ "v2 custom parent directory", "v2-ci-parent-dir.txt", CGROUP_FOUND, A },
	{ "hybrid, v2 at the root, v1 in the container", "hybrid-v2-root-v1-container.txt",
	    CGROUP_FOUND, A },
	{ "hybrid, v2 and v1 agree", "hybrid-v2-and-v1-agree.txt", CGROUP_FOUND, A },
	/* other runtimes */
	{ "k8s containerd, systemd slices", "k8s-containerd-systemd.txt", CGROUP_FOUND, A },
	{ "k8s v1 cgroupfs", "k8s-v1-cgroupfs.txt", CGROUP_FOUND, A },
	{ "k8s CRI-O", "k8s-crio.txt", CGROUP_FOUND, A },
	{ "k8s CRI-O conmon is not the container", "k8s-crio-conmon.txt", CGROUP_NONE, NULL },
	{ "containerd namespace layout", "containerd-namespace-default.txt", CGROUP_FOUND, A },
	{ "podman", "podman-libpod.txt", CGROUP_FOUND, A },
	/* nesting: the outermost container is the daemon's */
	{ "docker-in-docker, cgroupfs", "nested-dind-cgroupfs.txt", CGROUP_FOUND, A },
	{ "docker-in-docker, systemd outer", "nested-dind-systemd.txt", CGROUP_FOUND, A },
	{ "docker-in-docker, v1", "nested-dind-v1.txt", CGROUP_FOUND, A },
	/* impersonation attempts */
	{ "sub-cgroup named like another container's scope", "impersonate-subcgroup-scope.txt",
	    CGROUP_FOUND, A },
	{ "sub-cgroup below a systemd scope", "impersonate-subcgroup-systemd.txt", CGROUP_FOUND,
	    A },
	{ "sub-cgroup named like a bare id", "impersonate-subcgroup-bare-id.txt", CGROUP_FOUND, A },
	{ "user's delegated systemd manager", "impersonate-user-delegation.txt", CGROUP_NONE,
	    NULL },
	{ "service with Delegate=yes", "impersonate-delegated-service.txt", CGROUP_NONE, NULL },
	{ "nspawn machine", "impersonate-nspawn-machine.txt", CGROUP_NONE, NULL },
	{ "LXC payload", "impersonate-lxc-payload.txt", CGROUP_NONE, NULL },
	{ "cgroup name with a newline, v2", "impersonate-newline-in-name.txt", CGROUP_UNUSABLE,
	    NULL },
	{ "cgroup name with a newline, v1", "impersonate-newline-v1.txt", CGROUP_UNUSABLE, NULL },
	{ "v2 and v1 name different containers", "conflict-v2-v1.txt", CGROUP_UNUSABLE, NULL },
	{ "two v1 lines name different containers", "conflict-v1-v1.txt", CGROUP_UNUSABLE, NULL },
	{ "outside our cgroup namespace", "outside-cgroupns.txt", CGROUP_UNUSABLE, NULL },
	{ "dot component", "dot-component.txt", CGROUP_UNUSABLE, NULL },
	/* host processes */
	{ "user session", "host-user-session.txt", CGROUP_NONE, NULL },
	{ "user manager service", "host-user-manager.txt", CGROUP_NONE, NULL },
	{ "system service", "host-system-service.txt", CGROUP_NONE, NULL },
	{ "init", "host-init.txt", CGROUP_NONE, NULL },
	{ "root cgroup", "host-root.txt", CGROUP_NONE, NULL },
	{ "v1 user session", "host-v1-session.txt", CGROUP_NONE, NULL },
	{ "rootless docker container", "host-rootless-docker.txt", CGROUP_NONE, NULL },
	/* malformed */
	{ "no colon", "bad-no-colon.txt", CGROUP_UNUSABLE, NULL },
	{ "one colon", "bad-one-colon.txt", CGROUP_UNUSABLE, NULL },
	{ "hierarchy not a number", "bad-hier-not-digit.txt", CGROUP_UNUSABLE, NULL },
	{ "hierarchy with a leading zero", "bad-hier-leading-zero.txt", CGROUP_UNUSABLE, NULL },
	{ "hierarchy 0 with a controller", "bad-zero-with-controller.txt", CGROUP_UNUSABLE, NULL },
	{ "v1 hierarchy without a controller", "bad-v1-without-controller.txt", CGROUP_UNUSABLE,
	    NULL },
	{ "relative path", "bad-relative-path.txt", CGROUP_UNUSABLE, NULL },
	{ "double slash", "bad-double-slash.txt", CGROUP_UNUSABLE, NULL },
	{ "trailing slash", "bad-trailing-slash.txt", CGROUP_UNUSABLE, NULL },
	{ "empty line", "bad-empty-line.txt", CGROUP_UNUSABLE, NULL },
	{ "two v2 lines", "bad-two-v2-lines.txt", CGROUP_UNUSABLE, NULL },
	{ "empty file", "bad-empty.txt", CGROUP_UNUSABLE, NULL },
	/* only partly an id */
	{ "63 digits", "id-63-digits.txt", CGROUP_NONE, NULL },
	{ "65 digits", "id-65-digits.txt", CGROUP_NONE, NULL },
	{ "upper case", "id-uppercase.txt", CGROUP_NONE, NULL },
	{ "one upper-case digit", "id-one-uppercase.txt", CGROUP_NONE, NULL },
	{ "not hex", "id-not-hex.txt", CGROUP_NONE, NULL },
	{ "scope with 63 digits", "id-scope-63.txt", CGROUP_NONE, NULL },
	{ "scope without .scope", "id-scope-no-suffix.txt", CGROUP_NONE, NULL },
	{ "scope with a longer suffix", "id-scope-extra-suffix.txt", CGROUP_NONE, NULL },
	{ "scope with an unknown prefix", "id-scope-unknown-prefix.txt", CGROUP_NONE, NULL },
	{ "id with a suffix", "id-with-suffix-dir.txt", CGROUP_NONE, NULL },
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

static const char *
kind_name(enum cgroup_ctr k)
{
	switch (k) {
	case CGROUP_UNUSABLE:
		return "unusable";
	case CGROUP_NONE:
		return "none";
	case CGROUP_FOUND:
		return "found";
	}
	return "?";
}

static void
check(const char *name, const char *text, size_t len, enum cgroup_ctr want, const char *want_id)
{
	enum cgroup_ctr got;
	char id[65];

	memset(id, 'Z', sizeof(id));
	got = cgroup_container_id(text, len, id);
	if (got != want)
		fail_msg("%s: expected %s, got %s%s%.*s", name, kind_name(want), kind_name(got),
		    got == CGROUP_FOUND ? " " : "", got == CGROUP_FOUND ? 64 : 0, id);
	if (want == CGROUP_FOUND && strncmp(id, want_id, sizeof(id)) != 0)
		fail_msg("%s: expected %s, got %.64s", name, want_id, id);
}

static void
test_cgroup_samples(void **state)
{
	static char buf[64 * 1024];
	size_t i, n;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		n = read_sample(cases[i].file, buf, sizeof(buf));
		check(cases[i].name, buf, n, cases[i].want, cases[i].id);
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
	check("exact length", v2, sizeof(v2) - 1, CGROUP_FOUND, A);
	/* Well-formed, with a 63-digit component: the reader refuses cut files (peer_ctr.c). */
	check("cut inside the id", v2, sizeof(v2) - 3, CGROUP_NONE, NULL);
	check("NUL byte inside", nul, sizeof(nul) - 1, CGROUP_UNUSABLE, NULL);
	check("nothing", v2, 0, CGROUP_UNUSABLE, NULL);
	/* Bytes after "len" are never read. */
	memcpy(buf, v2, sizeof(v2) - 1);
	memcpy(buf + sizeof(v2) - 1, "0::/\n", 5);
	check("bytes beyond len", buf, sizeof(v2) - 1, CGROUP_FOUND, A);
}

/*
 * A host cgroup is none only when every line is usable: one bad line, or
 * hierarchies that disagree, make the whole text unusable.
 */
static void
test_cgroup_none_or_unusable(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		enum cgroup_ctr want;
	} rows[] = {
		{ "v2 root", "0::/\n", CGROUP_NONE },
		{ "v1 roots and v2 root", "2:memory:/\n1:cpu:/\n0::/\n", CGROUP_NONE },
		{ "host service", "0::/system.slice/cron.service\n", CGROUP_NONE },
		{ "v2 root, then a malformed line", "0::/\nbogus\n", CGROUP_UNUSABLE },
		{ "v2 root, then an empty line", "0::/\n\n", CGROUP_UNUSABLE },
		{ "v1 root, then a path outside the namespace", "1:cpu:/\n0::/../x\n",
		    CGROUP_UNUSABLE },
		{ "v2 root, v1 lines disagree",
		    "0::/\n1:cpu:/docker/" A "\n2:memory:/docker/" B "\n", CGROUP_UNUSABLE },
		{ "host v2, v1 names a container", "0::/user.slice\n1:cpu:/docker/" A "\n",
		    CGROUP_FOUND },
		{ "container, then a malformed line", "0::/docker/" A "\nbogus\n",
		    CGROUP_UNUSABLE },
		{ "v1 line without a hierarchy id", ":cpu:/\n0::/\n", CGROUP_UNUSABLE },
		{ "v2 line without a path", "0::\n", CGROUP_UNUSABLE },
		/* An LXC tree, like lxc.payload.*: names below it are not the daemon's. */
		{ "below a bare lxc component", "0::/lxc/web/docker/" B "\n", CGROUP_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		check(rows[i].name, rows[i].text, strlen(rows[i].text), rows[i].want,
		    rows[i].want == CGROUP_FOUND ? A : NULL);
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

/* ---- peer_container_id(): real callers ----------------------------------------------- */

enum peer_how {
	PEER_SELF,   /* we connect */
	PEER_ZOMBIE, /* a child connects and exits, not reaped yet: it still holds its pid */
	PEER_REAPED, /* a child connects, exits and is reaped before the accept */
};

enum peer_want {
	WANT_UNKNOWN,
	WANT_OURS,      /* what our own cgroup gives (none, or our container) */
	WANT_NOT_FOUND, /* unknown or none: kernels without SO_PEERPIDFD name no container */
};

/* An accepted connection made as "how" says; "peer" is the connecting process. */
static int
peer_socket(enum peer_how how, int *keep, pid_t *peer)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	siginfo_t si;
	pid_t child;
	int lfd, fd;

	/* Abstract: no file to clean up. */
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "sw-test-cgroup-%d", (int)getpid());
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1));
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sa, salen) == -1 || listen(lfd, 4) == -1)
		fail_msg("listening socket: %s", strerror(errno));
	if ((*keep = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fail_msg("socket: %s", strerror(errno));
	if (how == PEER_SELF) {
		if (connect(*keep, (struct sockaddr *)&sa, salen) == -1)
			fail_msg("connect: %s", strerror(errno));
		*peer = getpid();
	} else {
		/* The parent makes the socket, the child connects it: the parent keeps it. */
		if ((child = fork()) == -1)
			fail_msg("fork: %s", strerror(errno));
		if (child == 0)
			_exit(connect(*keep, (struct sockaddr *)&sa, salen) == -1 ? 1 : 0);
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)child, &si, WEXITED | (how == PEER_ZOMBIE ? WNOWAIT : 0)) ==
		        -1 ||
		    si.si_code != CLD_EXITED || si.si_status != 0)
			fail_msg("the child could not connect");
		*peer = child;
	}
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		fail_msg("accept: %s", strerror(errno));
	close(lfd);
	return fd;
}

/* What our own /proc/self/cgroup gives, as peer_container_id() would say it. */
static enum peer_ctr
our_answer(bool pinned, char id[65])
{
	static char text[64 * 1024];
	FILE *f;
	size_t n;

	if ((f = fopen("/proc/self/cgroup", "rb")) == NULL)
		fail_msg("cannot read /proc/self/cgroup");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	switch (cgroup_container_id(text, n, id)) {
	case CGROUP_NONE:
		return PEER_CTR_NONE;
	case CGROUP_FOUND:
		return pinned ? PEER_CTR_FOUND : PEER_CTR_UNKNOWN;
	case CGROUP_UNUSABLE:
		break;
	}
	return PEER_CTR_UNKNOWN;
}

static const char *
peer_name(enum peer_ctr p)
{
	switch (p) {
	case PEER_CTR_UNKNOWN:
		return "unknown";
	case PEER_CTR_NONE:
		return "none";
	case PEER_CTR_FOUND:
		return "found";
	}
	return "?";
}

static bool
kernel_pins_peers(int fd)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, 77 /* SO_PEERPIDFD */, &pidfd, &len) == -1)
		return false;
	close(pidfd);
	return true;
}

static void
test_peer_container_id(void **state)
{
	static const struct {
		const char *name;
		enum peer_how how;
		bool pid_set; /* pass "pid" rather than the caller's */
		pid_t pid;
		enum peer_want want;
	} rows[] = {
		{ "we are the caller", PEER_SELF, false, 0, WANT_OURS },
		{ "a zombie caller still holds its pid", PEER_ZOMBIE, false, 0, WANT_OURS },
		{ "the caller was reaped", PEER_REAPED, false, 0, WANT_UNKNOWN },
		{ "no pid", PEER_SELF, true, 0, WANT_UNKNOWN },
		{ "negative pid", PEER_SELF, true, -1, WANT_UNKNOWN },
		{ "pid 1, not the caller", PEER_SELF, true, 1, WANT_NOT_FOUND },
	};
	enum peer_ctr got, ours;
	char id[65], our_id[65];
	const char *why;
	bool pinned;
	pid_t peer;
	size_t i;
	int fd, keep;

	(void)state;
	fd = peer_socket(PEER_SELF, &keep, &peer);
	pinned = kernel_pins_peers(fd);
	close(fd);
	close(keep);
	ours = our_answer(pinned, our_id);
	for (i = 0; i < nitems(rows); i++) {
		enum peer_ctr want;

		fd = peer_socket(rows[i].how, &keep, &peer);
		why = NULL;
		memset(id, 'Z', sizeof(id));
		got = peer_container_id(fd, rows[i].pid_set ? rows[i].pid : peer, id, &why);
		if (rows[i].how == PEER_ZOMBIE)
			waitpid(peer, NULL, 0);
		close(fd);
		close(keep);
		/* pid 1 is not the caller: only a kernel that pins callers can tell. */
		if (rows[i].want == WANT_NOT_FOUND && !pinned) {
			if (got == PEER_CTR_FOUND)
				fail_msg("%s: expected no container, got %.64s", rows[i].name, id);
			continue;
		}
		want = rows[i].want == WANT_OURS ? ours : PEER_CTR_UNKNOWN;
		if (got != want)
			fail_msg("%s: expected %s, got %s (%s)", rows[i].name, peer_name(want),
			    peer_name(got), why != NULL ? why : "no reason");
		if (got == PEER_CTR_UNKNOWN && (why == NULL || why[0] == '\0'))
			fail_msg("%s: unknown without a reason", rows[i].name);
		if (got == PEER_CTR_FOUND && strcmp(id, our_id) != 0)
			fail_msg("%s: expected container %s, got %.64s", rows[i].name, our_id, id);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_samples),
		cmocka_unit_test(test_cgroup_every_sample_has_a_row),
		cmocka_unit_test(test_cgroup_lengths),
		cmocka_unit_test(test_cgroup_none_or_unusable),
		cmocka_unit_test(test_cgroup_is_id),
		cmocka_unit_test(test_peer_container_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
