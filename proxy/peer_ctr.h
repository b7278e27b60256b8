/*
 * The container of the process at the other end of an accepted Unix socket,
 * read from the kernel so that no other process can be read instead.
 */
#ifndef SW_PEER_CTR_H
#define SW_PEER_CTR_H

#include <sys/types.h>

/*
 * The container id (64 lowercase hex digits and a NUL) of the process that
 * connected "client_fd", whose SO_PEERCRED pid is "pid".  Returns 0, or -1
 * when it is not in a container (cgroup.h), when it has exited, or when the
 * kernel cannot pin the process (no SO_PEERPIDFD before Linux 6.5: logged
 * once).  Blocks on two small reads of /proc.
 */
int peer_container_id(int client_fd, pid_t pid, char id[65]);

#endif
