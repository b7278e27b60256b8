/*
 * Tests for sw_file_read() (policy/load_file.c), the one reader of the files
 * that decide what sockwarden trusts: each row makes one file (or directory,
 * FIFO, symbolic link) in a private directory and states what the read must
 * give: the content, or words of the one-line refusal.  Rows that chown a
 * file to another user need root; without it they are reported as skipped.
 */
#include "sockwarden/compat.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/file.h"

#define NOBODY 65534
#define MAX    64 /* the limit of most rows: small, so "one byte over" is cheap */

static char dir[64]; /* this run's files, removed at the end */

enum make {
	MK_FILE = 0,    /* a regular file of "size" bytes, "mode", owner per the row */
	MK_DIR,         /* a directory */
	MK_FIFO,        /* a FIFO nobody writes to: the read must not block */
	MK_LINK_FILE,   /* a symbolic link to a file made as MK_FILE */
	MK_LINK_FIFO,   /* a symbolic link to a FIFO */
	MK_LINK_NOWHERE /* a symbolic link to a name that does not exist */
};

struct read_case {
	const char *name;
	enum make make;
	const char *fixed; /* read this path instead of making one (make is ignored) */
	unsigned mode;
	bool other_owner; /* chown the file to NOBODY (needs root) */
	bool other_group; /* chgrp the file to NOBODY (needs root) */
	size_t size;
	bool secret;
	size_t max;        /* 0: MAX */
	const char *want;  /* NULL: must read; else words the refusal must contain */
	const char *want2; /* NULL, or more words it must contain */
};

static struct read_case read_cases[] = {
	{ "0644 file reads", MK_FILE, NULL, 0644, false, false, 40, false, 0, NULL, NULL },
	{ "0444 file reads", MK_FILE, NULL, 0444, false, false, 40, false, 0, NULL, NULL },
	{ "empty file reads as 0 bytes", MK_FILE, NULL, 0644, false, false, 0, false, 0, NULL,
	    NULL },
	{ "exactly the limit reads", MK_FILE, NULL, 0644, false, false, MAX, false, 0, NULL, NULL },
	{ "one byte over the limit refused", MK_FILE, NULL, 0644, false, false, MAX + 1, false, 0,
	    "the file is 65 bytes, larger than the limit of 64 bytes for the thing", NULL },
	{ "group-writable refused", MK_FILE, NULL, 0664, false, false, 40, false, 0,
	    "writable by its group or by others (mode 0664)", "chmod go-w" },
	{ "other-writable refused", MK_FILE, NULL, 0646, false, false, 40, false, 0,
	    "writable by its group or by others (mode 0646)", NULL },
	{ "world-writable refused", MK_FILE, NULL, 0666, false, false, 40, false, 0,
	    "writable by its group or by others (mode 0666)", NULL },
	{ "owned by another uid refused", MK_FILE, NULL, 0644, true, false, 40, false, 0,
	    "owned by uid 65534", "may own the thing" },
	{ "another group with no write bit reads", MK_FILE, NULL, 0644, false, true, 40, false, 0,
	    NULL, NULL },
	{ "another group with the write bit refused", MK_FILE, NULL, 0664, false, true, 40, false,
	    0, "writable by its group or by others (mode 0664)", NULL },
	{ "secret 0600 reads", MK_FILE, NULL, 0600, false, false, 40, true, 0, NULL, NULL },
	{ "secret 0400 reads", MK_FILE, NULL, 0400, false, false, 40, true, 0, NULL, NULL },
	{ "secret readable by group refused", MK_FILE, NULL, 0640, false, false, 40, true, 0,
	    "mode 0640 gives group or others access to the thing", "chmod 600" },
	{ "secret readable by others refused", MK_FILE, NULL, 0604, false, false, 40, true, 0,
	    "mode 0604", NULL },
	{ "secret executable by group refused", MK_FILE, NULL, 0610, false, false, 40, true, 0,
	    "mode 0610", NULL },
	{ "secret owned by another uid refused", MK_FILE, NULL, 0600, true, false, 40, true, 0,
	    "owned by uid 65534", NULL },
	{ "directory refused", MK_DIR, NULL, 0755, false, false, 0, false, 0, "not a regular file",
	    NULL },
	{ "FIFO refused without blocking", MK_FIFO, NULL, 0600, false, false, 0, false, 0,
	    "not a regular file", NULL },
	{ "character device refused", MK_FILE, "/dev/null", 0, false, false, 0, false, 0,
	    "not a regular file", NULL },
	{ "symlink to a good file reads", MK_LINK_FILE, NULL, 0644, false, false, 40, false, 0,
	    NULL, NULL },
	{ "symlink to a group-writable file refused", MK_LINK_FILE, NULL, 0664, false, false, 40,
	    false, 0, "writable by its group or by others (mode 0664)", NULL },
	{ "symlink to another uid's file refused", MK_LINK_FILE, NULL, 0644, true, false, 40, false,
	    0, "owned by uid 65534", NULL },
	{ "symlink to a secret others can read refused", MK_LINK_FILE, NULL, 0644, false, false, 40,
	    true, 0, "mode 0644 gives group or others access", NULL },
	{ "symlink to a FIFO refused", MK_LINK_FIFO, NULL, 0600, false, false, 0, false, 0,
	    "not a regular file", NULL },
	{ "dangling symlink refused", MK_LINK_NOWHERE, NULL, 0, false, false, 0, false, 0,
	    "cannot open: No such file or directory", NULL },
	{ "missing file refused", MK_FILE, "/nonexistent/sw-file-read", 0, false, false, 0, false,
	    0, "cannot open: No such file or directory", NULL },
	/* fstat says 0 bytes for /proc files: the reader must read on, and stop at the limit. */
	{ "file longer than fstat said reads whole", MK_FILE, "/proc/self/status", 0, false, false,
	    0, false, 1 << 20, NULL, NULL },
	{ "file growing past the limit refused", MK_FILE, "/proc/self/status", 0, false, false, 0,
	    false, 16, "past the limit of 16 bytes for the thing", NULL },
};

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sw-file-read.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static char
content_byte(size_t i)
{
	return (char)('a' + i % 26);
}

/* A regular file as the row says; fails the test when it cannot. */
static void
make_file(const struct read_case *c, const char *path)
{
	char *buf = malloc(c->size + 1);
	size_t i;
	int fd;

	assert_non_null(buf);
	for (i = 0; i < c->size; i++)
		buf[i] = content_byte(i);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		fail_msg("%s: creating %s: %s", c->name, path, strerror(errno));
	assert_int_equal(write(fd, buf, c->size), (ssize_t)c->size);
	free(buf);
	if (c->other_owner || c->other_group)
		assert_int_equal(fchown(fd, c->other_owner ? NOBODY : (uid_t)-1,
		                     c->other_group ? NOBODY : (gid_t)-1),
		    0);
	assert_int_equal(fchmod(fd, c->mode), 0); /* after fchown, which may clear bits */
	close(fd);
}

/* The row's object at "path" (its target, if any, at "target"); returns the path to read. */
static const char *
make(const struct read_case *c, const char *path, const char *target)
{
	if (c->fixed != NULL)
		return c->fixed;
	switch (c->make) {
	case MK_FILE:
		make_file(c, path);
		break;
	case MK_DIR:
		assert_int_equal(mkdir(path, c->mode), 0);
		break;
	case MK_FIFO:
		assert_int_equal(mkfifo(path, c->mode), 0);
		break;
	case MK_LINK_FILE:
		make_file(c, target);
		assert_int_equal(symlink(target, path), 0);
		break;
	case MK_LINK_FIFO:
		assert_int_equal(mkfifo(target, c->mode), 0);
		assert_int_equal(symlink(target, path), 0);
		break;
	case MK_LINK_NOWHERE:
		assert_int_equal(symlink(target, path), 0);
		break;
	}
	return path;
}

static void
check_read(
    const struct read_case *c, const char *path, int rc, const struct sw_file *f, const char *err)
{
	size_t i;

	if (c->want != NULL) {
		if (rc == 0)
			fail_msg("%s: read %zu bytes, want \"%s\"", c->name, f->len, c->want);
		if (strstr(err, c->want) == NULL || (c->want2 && strstr(err, c->want2) == NULL))
			fail_msg("%s: error \"%s\", want \"%s\" and \"%s\" in it", c->name, err,
			    c->want, c->want2 ? c->want2 : "");
		if (strchr(err, '\n') != NULL || strstr(err, path) != NULL)
			fail_msg("%s: error \"%s\" is not one line without the path", c->name, err);
		if (f->buf != NULL || f->len != 0)
			fail_msg("%s: refused, but the result is not empty", c->name);
		return;
	}
	if (rc != 0)
		fail_msg("%s: refused: %s", c->name, err);
	if (f->buf == NULL || f->buf[f->len] != '\0')
		fail_msg("%s: no buffer, or no NUL after the content", c->name);
	if (f->secret != c->secret)
		fail_msg("%s: secret is %d, want %d", c->name, f->secret, c->secret);
	if (c->fixed != NULL) {
		if (f->len < 16 || strncmp(f->buf, "Name:", 5) != 0)
			fail_msg("%s: %zu bytes, not a whole /proc status file", c->name, f->len);
		return;
	}
	if (f->len != c->size)
		fail_msg("%s: read %zu bytes, want %zu", c->name, f->len, c->size);
	for (i = 0; i < c->size; i++)
		if (f->buf[i] != content_byte(i))
			fail_msg("%s: byte %zu differs", c->name, i);
}

static void
test_file_read_row(void **state)
{
	const struct read_case *c = *state;
	struct sw_file_rules rules = { "the thing", c->max ? c->max : MAX, c->secret };
	char path[128], target[128], err[256] = "";
	struct sw_file f;
	const char *p;
	int rc;

	if ((c->other_owner || c->other_group) && geteuid() != 0)
		skip(); /* reported as skipped, not passed */
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	p = make(c, path, target);
	memset(&f, 0xa5, sizeof(f)); /* the reader must set every field */
	rc = sw_file_read(p, &rules, &f, err, sizeof(err));
	if (c->fixed == NULL) {
		if (c->make == MK_DIR)
			rmdir(path);
		else
			unlink(path);
		unlink(target);
	}
	check_read(c, p, rc, &f, err);
	sw_file_release(&f);
	if (f.buf != NULL || f.len != 0)
		fail_msg("%s: not empty after release", c->name);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(read_cases)];
	size_t i;

	for (i = 0; i < nitems(read_cases); i++)
		tests[i] = (struct CMUnitTest){ read_cases[i].name, test_file_read_row, NULL, NULL,
			&read_cases[i] };
	return _cmocka_run_group_tests("file_read", tests, nitems(tests), setup, teardown);
}
