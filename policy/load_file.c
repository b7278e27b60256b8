/*
 * sw_file_read() (sockwarden/file.h): a whole file that only root or we could
 * have written, for the configuration and the TLS files; and pol_load_file(),
 * which reads the configuration with it and hands it to pol_load_buffer().
 */
#include "sockwarden/compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockwarden/file.h"
#include "sockwarden/policy.h"

static int file_error(char *err, size_t errsz, const char *fmt, ...) SW_PRINTF(3, 4);

static int
file_error(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Refuse a file someone other than root or us could have written (relayd's
 * check_file_secrecy): whoever can edit the policy can grant themselves the
 * Docker socket, and whoever can edit a CA bundle can mint client
 * identities.  A secret is also refused when others can read it: a key other
 * local users can read is one they can impersonate us with.
 */
static int
check_file(int fd, const struct sw_file_rules *rules, struct stat *st, char *err, size_t errsz)
{
	if (fstat(fd, st) == -1)
		return file_error(err, errsz, "cannot stat: %s", strerror(errno));
	if (!S_ISREG(st->st_mode))
		return file_error(err, errsz, "not a regular file");
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return file_error(err, errsz,
		    "owned by uid %u, but only root or uid %u (which runs sockwarden) may own %s",
		    (unsigned)st->st_uid, (unsigned)geteuid(), rules->noun);
	if (rules->secret && (st->st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return file_error(err, errsz,
		    "mode %04o gives group or others access to %s (use chmod 600)",
		    (unsigned)(st->st_mode & 07777), rules->noun);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return file_error(err, errsz,
		    "writable by its group or by others (mode %04o): run chmod go-w on it",
		    (unsigned)(st->st_mode & 07777));
	if ((unsigned long long)st->st_size > rules->max)
		return file_error(err, errsz,
		    "the file is %lld bytes, larger than the limit of %zu bytes for %s",
		    (long long)st->st_size, rules->max, rules->noun);
	return 0;
}

/* Move f's content to a buffer of size_new bytes, wiping the old one (it may hold a key). */
static int
grow(struct sw_file *f, size_t *size, size_t size_new)
{
	char *buf;

	if ((buf = malloc(size_new)) == NULL)
		return -1;
	memcpy(buf, f->buf, f->len);
	explicit_bzero(f->buf, f->len);
	free(f->buf);
	f->buf = buf;
	*size = size_new;
	return 0;
}

int
sw_file_read(const char *path, const struct sw_file_rules *rules, struct sw_file *out, char *err,
    size_t errsz)
{
	struct stat st;
	size_t size;
	ssize_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	out->secret = rules->secret;
	/* O_NONBLOCK: a FIFO planted at the path must not hang a start or a reload. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return file_error(err, errsz, "cannot open: %s", strerror(errno));
	if (check_file(fd, rules, &st, err, errsz) == -1) {
		close(fd);
		return -1;
	}
	/*
	 * Room for the size fstat gave, one byte more so that an unchanged file
	 * ends with a read of 0 into free space, and the NUL.  A file that grows
	 * while we read is read on, up to one byte past the limit, which refuses
	 * it; one that shrinks is what we read.
	 */
	size = (size_t)st.st_size + 2;
	if ((out->buf = malloc(size)) == NULL) {
		close(fd);
		return file_error(err, errsz, "out of memory");
	}
	for (;;) {
		if (out->len == size - 1) {
			if (out->len > rules->max)
				break;
			if (grow(out, &size, size < rules->max / 2 ? size * 2 : rules->max + 2) ==
			    -1) {
				file_error(err, errsz, "out of memory");
				goto fail;
			}
		}
		n = read(fd, out->buf + out->len, size - 1 - out->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			file_error(err, errsz, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	if (out->len > rules->max) {
		file_error(err, errsz,
		    "the file grew while being read, past the limit of %zu bytes for %s",
		    rules->max, rules->noun);
		goto fail;
	}
	out->buf[out->len] = '\0';
	close(fd);
	return 0;

fail:
	sw_file_release(out);
	close(fd);
	return -1;
}

void
sw_file_release(struct sw_file *f)
{
	if (f->buf != NULL) {
		if (f->secret)
			explicit_bzero(f->buf, f->len);
		free(f->buf);
	}
	f->buf = NULL;
	f->len = 0;
}

int
pol_load_file(const char *path, struct pol_set **out, struct pol_err *err)
{
	static const struct sw_file_rules rules = { "the configuration", POL_YAML_MAX_BYTES,
		false };
	struct sw_file f;
	int rc;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	if (sw_file_read(path, &rules, &f, err->msg, sizeof(err->msg)) == -1)
		return -1;
	rc = pol_load_buffer(path, f.buf, f.len, out, err);
	sw_file_release(&f);
	return rc;
}
