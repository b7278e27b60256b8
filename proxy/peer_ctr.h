/*
 * The container of the process at the other end of an accepted Unix socket,
 * read from the kernel so that no other process can be read instead.
 */
#ifndef SW_PEER_CTR_H
#define SW_PEER_CTR_H

#include <sys/types.h>

enum peer_ctr {
	PEER_CTR_UNKNOWN = 0, /* cannot tell: zero-filled memory must fail closed */
	PEER_CTR_NONE,        /* a live caller in a well-formed host cgroup (cgroup.h) */
	PEER_CTR_FOUND,       /* in container "id" */
};

/*
 * The container id (64 lowercase hex digits and a NUL) of the process that
 * connected "client_fd", whose SO_PEERCRED pid is "pid".  UNKNOWN, with the
 * reason in "why", whenever the answer cannot be proved: no pid, the caller
 * gone, /proc unreadable, cgroup text that cannot be used, and on kernels
 * before Linux 6.5 (no SO_PEERPIDFD, logged once), which cannot pin the
 * process, any caller whose pid seems to be in a container.  Blocks on two
 * small reads of /proc.
 */
enum peer_ctr peer_container_id(int client_fd, pid_t pid, char id[65], const char **why);

#endif
