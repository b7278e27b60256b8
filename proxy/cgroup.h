/*
 * Which container a process runs in, from the text of /proc/<pid>/cgroup.
 * Pure: no I/O, so every layout can be tested from captured samples.
 */
#ifndef SW_CGROUP_H
#define SW_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The container id named by "text" (the contents of /proc/<pid>/cgroup,
 * "len" bytes, not NUL-terminated).  Returns 0 and the 64 lowercase hex
 * digits plus a NUL in "id", or -1 when the process is not in a container
 * the daemon could have created, or when the text is malformed or
 * ambiguous.  The rules (outermost component wins, delegated subtrees never
 * name a container, hybrid hierarchies must agree) are in cgroup.c.
 */
int cgroup_container_id(const char *text, size_t len, char id[65]);

/* True when p[0..len) is exactly a container id: 64 lowercase hex digits. */
bool cgroup_is_id(const char *p, size_t len);

#endif
