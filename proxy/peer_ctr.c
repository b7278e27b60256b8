/*
 * Reading /proc/<pid>/cgroup by number alone is racy: the caller may exit
 * and its pid go to another process (one in a container with more rights,
 * say) before the file is read.  SO_PEERPIDFD hands us a pidfd for the very
 * process that connected.  Its pid cannot be reused while that process
 * exists (a zombie still holds it), so if the pidfd still refers to a live
 * process AFTER the read, the read was of the caller.
 *
 * Kernels before 6.5 have no SO_PEERPIDFD.  There a container is never
 * FOUND: pidfd_open(pid) after accept pins whatever process holds the
 * number by then, and nothing the kernel offers (start times, socket
 * inodes, which a forked child keeps) bounds the window from connect() to
 * that call.  A container identity an attacker can win by racing pid reuse
 * would be weaker than the uid it refines.  But the unpinned read still
 * serves in the other direction: a caller that seems to be in a container
 * is UNPINNED, and the proxy refuses it rather than take it for a host
 * process whose uid entries might grant more.  Winning that race only
 * gives what every container caller got before: host treatment.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockwarden/log.h"

#include "cgroup.h"
#include "peer_ctr.h"

/* Linux 6.5, include/uapi/asm-generic/socket.h; older C library headers lack it. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* /proc/<pid>/cgroup is one line per hierarchy: a few hundred bytes, a few KiB nested. */
#define CGROUP_TEXT_MAX (64 * 1024)
#define FDINFO_MAX      4096

/* Read a whole small file; -1 when it cannot be read or is larger than bufsz - 1. */
static ssize_t
read_small_file(const char *path, char *buf, size_t bufsz)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	while (len < bufsz - 1) {
		n = read(fd, buf + len, bufsz - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == bufsz - 1)
		return -1; /* possibly cut: a partial cgroup file could name the wrong container */
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The pid a pidfd refers to, in our pid namespace; -1 once the process is gone, 0 if hidden. */
static pid_t
pidfd_pid(int pidfd)
{
	char path[64], buf[FDINFO_MAX], *p, *end;
	long v;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (read_small_file(path, buf, sizeof(buf)) == -1)
		return -1;
	if ((p = strstr(buf, "\nPid:\t")) == NULL)
		return -1;
	p += strlen("\nPid:\t");
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno != 0 || end == p || (*end != '\n' && *end != '\0'))
		return -1;
	return (pid_t)v;
}

static bool
pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

/* -1 with errno ENOPROTOOPT on kernels without SO_PEERPIDFD, ESRCH when the caller is gone. */
static int
get_peer_pidfd(int client_fd)
{
	static bool warned;
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(client_fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == -1) {
		if (errno == ENOPROTOOPT && !warned) {
			warned = true;
			log_warnx(
			    "this kernel has no SO_PEERPIDFD (Linux 6.5): callers' containers "
			    "cannot be identified without a pid-reuse race, so container "
			    "matchers will not match and callers in containers are refused");
		}
		return -1;
	}
	if (len != sizeof(int) || pidfd < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return -1;
	}
	return pidfd;
}

/* The container "pid" is in by /proc alone, for UNPINNED: 0 with id set, or -1. */
static int
unpinned_container_id(pid_t pid, char id[65])
{
	char path[64], *text;
	ssize_t n;
	int rc = -1;

	if ((text = malloc(CGROUP_TEXT_MAX)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((n = read_small_file(path, text, CGROUP_TEXT_MAX)) != -1)
		rc = cgroup_container_id(text, (size_t)n, id);
	free(text);
	return rc;
}

enum peer_ctr
peer_container_id(int client_fd, pid_t pid, char id[65])
{
	enum peer_ctr rc = PEER_CTR_NONE;
	char path[64];
	char *text;
	ssize_t n;
	int pidfd;

	if (pid <= 0)
		return PEER_CTR_NONE;
	if ((pidfd = get_peer_pidfd(client_fd)) == -1) {
		if (errno == ENOPROTOOPT && unpinned_container_id(pid, id) == 0)
			return PEER_CTR_UNPINNED;
		return PEER_CTR_NONE;
	}
	/* The same process SO_PEERCRED named, still there. */
	if (pidfd_pid(pidfd) != pid)
		goto out_close;
	if ((text = malloc(CGROUP_TEXT_MAX)) == NULL)
		goto out_close;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = read_small_file(path, text, CGROUP_TEXT_MAX);
	/* Only now: had the caller gone before or during the read, this fails. */
	if (n != -1 && pidfd_alive(pidfd) && cgroup_container_id(text, (size_t)n, id) == 0)
		rc = PEER_CTR_FOUND;
	free(text);
out_close:
	close(pidfd);
	return rc;
}
