/*
 * Unix socket addresses for the bench tools: the socket sw_upstream and
 * sw_relay listen on, and the ones sw_relay and sw_load connect to.  Errors
 * are fatal, printed as "prog: path: what: reason".
 */
#ifndef SW_BENCH_LISTEN_UNIX_H
#define SW_BENCH_LISTEN_UNIX_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline SW_NORETURN void
unix_fail(const char *prog, const char *path, const char *what)
{
	fprintf(stderr, "%s: %s: %s: %s\n", prog, path, what, strerror(errno));
	exit(1);
}

static inline SW_NORETURN void
unix_die(const char *prog, const char *path, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", prog, path, why);
	exit(1);
}

static inline void
fill_sun(const char *prog, struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		fprintf(stderr, "%s: %s: socket path too long\n", prog, path);
		exit(2);
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/*
 * A target to connect to must be a socket: connect() to any other file fails
 * with ECONNREFUSED, which would read as "nothing listens there".
 */
static inline void
require_socket(const char *prog, const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		unix_fail(prog, path, "stat");
	if (!S_ISSOCK(st.st_mode))
		unix_die(prog, path, "not a socket");
}

/* A socket file that nothing listens on: left by a tool that did not exit cleanly. */
static inline bool
is_stale(const struct sockaddr_un *sun)
{
	bool stale;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	stale =
	    connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == -1 && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

/*
 * A non-blocking listening socket at path.  A stale socket file there is
 * replaced; a live one, or anything that is not a socket, is an error.
 */
static inline int
listen_unix(const char *prog, const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	fill_sun(prog, &sun, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		unix_fail(prog, path, "socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno != EADDRINUSE)
			unix_fail(prog, path, "bind");
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
			unix_die(prog, path, "exists and is not a socket (left in place)");
		if (!is_stale(&sun)) {
			errno = EADDRINUSE;
			unix_fail(prog, path, "bind");
		}
		if (unlink(path) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			unix_fail(prog, path, "bind");
	}
	if (listen(fd, 4096) == -1)
		unix_fail(prog, path, "listen");
	return fd;
}

#endif
