/*
 * The container of the process at the other end of an accepted Unix socket,
 * read from the kernel so that no other process can be read instead.
 */
#ifndef SW_PEER_CTR_H
#define SW_PEER_CTR_H

#include <sys/types.h>

enum peer_ctr {
	PEER_CTR_NONE = -1,   /* not in a container (cgroup.h), or it has exited */
	PEER_CTR_FOUND = 0,   /* in container "id" */
	PEER_CTR_UNPINNED = 1 /* seems to be in one, but this kernel cannot pin the caller */
};

/*
 * The container id (64 lowercase hex digits and a NUL) of the process that
 * connected "client_fd", whose SO_PEERCRED pid is "pid".  Kernels before
 * Linux 6.5 (no SO_PEERPIDFD, logged once) cannot pin the process: there a
 * caller whose pid is in a container gets UNPINNED, never FOUND.  Blocks on
 * two small reads of /proc.
 */
enum peer_ctr peer_container_id(int client_fd, pid_t pid, char id[65]);

#endif
