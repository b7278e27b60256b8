/*
 * Reading /proc/<pid>/cgroup by number alone is racy: the caller may exit
 * and its pid go to another process (one in a container with more rights,
 * say) before the file is read.  SO_PEERPIDFD hands us a pidfd for the very
 * process that connected, the one SO_PEERCRED numbered.  Its pid cannot be
 * reused while that process exists (a zombie still holds it), so if the
 * pidfd still refers to a process AFTER the read, the read was of the
 * caller.  One check after the read proves that: the pidfd's "Pid:" in
 * /proc/self/fdinfo is -1 once the process is gone, and otherwise its
 * number in the pid namespace of the /proc we read, which must be the
 * number SO_PEERCRED gave in ours.  Liveness alone (pidfd_send_signal)
 * would not do: it cannot tell that this /proc counts pids as we do (one
 * mounted for another pid namespace names other processes by the same
 * numbers).
 *
 * Anything short of that proof is UNKNOWN, never NONE: no pid (a caller in
 * a pid namespace we cannot see), a caller already gone (a socket made by a
 * child that exited, kept by its parent: the kernel still gives a pidfd,
 * one that refers to no process), an unreadable or unusable file.  NONE
 * would keep the caller's uid, and uid entries may grant a container
 * caller more than the container entries meant for it.
 *
 * Kernels before 6.5 have no SO_PEERPIDFD.  There a container is never
 * FOUND: pidfd_open(pid) after accept pins whatever process holds the
 * number by then, and nothing the kernel offers (start times, socket
 * inodes, which a forked child keeps) bounds the window from connect() to
 * that call.  A container identity an attacker can win by racing pid reuse
 * would be weaker than the uid it refines.  But the unpinned read still
 * serves in the other direction: a caller that seems to be in a container,
 * or whose file cannot be read or used, is UNKNOWN, and the proxy refuses
 * it rather than take it for a host process whose uid entries might grant
 * more.  Only a pid that a host process holds by the time of the read is
 * NONE; winning that race only gives what every container caller got
 * before container entries existed: host treatment.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>

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

/*
 * The pid a pidfd refers to, in the pid namespace of our /proc; -1 once the
 * process is gone (reaped: a zombie still has its pid), 0 if it is hidden.
 */
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
		errno = EPROTO; /* never a stale ENOPROTOOPT: that would mean "unpinned" */
		return -1;
	}
	return pidfd;
}

/*
 * The container /proc/<pid>/cgroup names, whichever process holds "pid" now.
 * UNUSABLE sets "why": the file cannot be read, or its text cannot be used.
 */
static enum cgroup_ctr
proc_container_id(pid_t pid, char id[65], const char **why)
{
	static char text[CGROUP_TEXT_MAX]; /* one thread */
	enum cgroup_ctr cr;
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((n = read_small_file(path, text, sizeof(text))) == -1) {
		*why = "its /proc/<pid>/cgroup cannot be read (gone, or /proc hides it)";
		return CGROUP_UNUSABLE;
	}
	if ((cr = cgroup_container_id(text, (size_t)n, id)) == CGROUP_UNUSABLE)
		*why = "its /proc/<pid>/cgroup is malformed, ambiguous, or outside our cgroup "
		       "namespace";
	return cr;
}

/* Kernels without SO_PEERPIDFD: only a host cgroup is believed (see the top of the file). */
static enum peer_ctr
unpinned_container_id(pid_t pid, char id[65], const char **why)
{
	switch (proc_container_id(pid, id, why)) {
	case CGROUP_NONE:
		return PEER_CTR_NONE;
	case CGROUP_FOUND:
		*why = "this kernel (before Linux 6.5, no SO_PEERPIDFD) cannot tell it safely";
		return PEER_CTR_UNKNOWN;
	case CGROUP_UNUSABLE:
		break;
	}
	return PEER_CTR_UNKNOWN;
}

enum peer_ctr
peer_container_id(int client_fd, pid_t pid, char id[65], const char **why)
{
	enum cgroup_ctr cr;
	bool pinned;
	int pidfd;

	if (pid <= 0) {
		*why = "the kernel gave no pid for it (a pid namespace we cannot see)";
		return PEER_CTR_UNKNOWN;
	}
	if ((pidfd = get_peer_pidfd(client_fd)) == -1) {
		if (errno == ENOPROTOOPT)
			return unpinned_container_id(pid, id, why);
		*why = "the kernel gave no pidfd for it (SO_PEERPIDFD)";
		return PEER_CTR_UNKNOWN;
	}
	cr = proc_container_id(pid, id, why);
	/* Only now: had the caller gone before or during the read, this fails. */
	pinned = pidfd_pid(pidfd) == pid;
	close(pidfd);
	if (!pinned) {
		*why = "it has exited, or our /proc does not number it as SO_PEERCRED did";
		return PEER_CTR_UNKNOWN;
	}
	switch (cr) {
	case CGROUP_NONE:
		return PEER_CTR_NONE;
	case CGROUP_FOUND:
		return PEER_CTR_FOUND;
	case CGROUP_UNUSABLE:
		break;
	}
	return PEER_CTR_UNKNOWN;
}
