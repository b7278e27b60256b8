/*
 * Which container a process runs in, from the text of /proc/<pid>/cgroup.
 * Pure: no I/O, so every layout can be tested from captured samples.
 */
#ifndef SW_CGROUP_H
#define SW_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

enum cgroup_ctr {
	CGROUP_UNUSABLE = 0, /* malformed or ambiguous: zero-filled memory must fail closed */
	CGROUP_NONE,         /* well-formed, and in no container the daemon could have created */
	CGROUP_FOUND,        /* in container "id" */
};

/*
 * The container named by "text" (the contents of /proc/<pid>/cgroup, "len"
 * bytes, not NUL-terminated).  FOUND sets "id" to the 64 lowercase hex
 * digits plus a NUL.  Text that is malformed, ambiguous or names a cgroup
 * outside our cgroup namespace is UNUSABLE, never NONE: "no container" is an
 * answer, and only well-formed text gives it.  The rules (outermost
 * component wins, delegated subtrees never name a container, hybrid
 * hierarchies must agree) are in cgroup.c.
 */
enum cgroup_ctr cgroup_container_id(const char *text, size_t len, char id[65]);

/* True when p[0..len) is exactly a container id: 64 lowercase hex digits. */
bool cgroup_is_id(const char *p, size_t len);

#endif
