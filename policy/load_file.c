/*
 * pol_load_file(): read a configuration file that only root or we could
 * have written, with a size cap, and hand it to pol_load_buffer().
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

#include "sockwarden/policy.h"

static int file_error(struct pol_err *err, const char *fmt, ...) SW_PRINTF(2, 3);

static int
file_error(struct pol_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Refuse a file someone other than root or us could have written (relayd's
 * check_file_secrecy): whoever can edit the policy can grant themselves the
 * Docker socket.  Checked on the open descriptor, so the file read is the
 * file checked.
 */
static int
check_secrecy(int fd, struct pol_err *err)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return file_error(err, "cannot stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return file_error(err, "not a regular file");
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return file_error(err,
		    "owned by uid %u, but only root or uid %u (which runs sockwarden) may own the configuration",
		    (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return file_error(err,
		    "writable by its group or by others (mode %04o): run chmod go-w on it",
		    (unsigned)(st.st_mode & 07777));
	if (st.st_size > POL_YAML_MAX_BYTES)
		return file_error(err,
		    "the configuration is %lld bytes, larger than the limit of %d bytes",
		    (long long)st.st_size, POL_YAML_MAX_BYTES);
	return 0;
}

int
pol_load_file(const char *path, struct pol_set **out, struct pol_err *err)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	/* O_NONBLOCK: a FIFO planted at the path must not hang the loader. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return file_error(err, "cannot open: %s", strerror(errno));
	if (check_secrecy(fd, err) == -1) {
		close(fd);
		return -1;
	}
	/* One byte more than the cap, to notice a file that grew since fstat. */
	if ((buf = malloc(POL_YAML_MAX_BYTES + 1)) == NULL) {
		close(fd);
		return file_error(err, "out of memory");
	}
	while (len <= POL_YAML_MAX_BYTES) {
		n = read(fd, buf + len, POL_YAML_MAX_BYTES + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = file_error(err, "cannot read: %s", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > POL_YAML_MAX_BYTES)
		rc = file_error(err, "the configuration is larger than the limit of %d bytes",
		    POL_YAML_MAX_BYTES);
	else
		rc = pol_load_buffer(path, buf, len, out, err);
done:
	free(buf);
	close(fd);
	return rc;
}
