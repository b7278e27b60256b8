#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/log.h"

#include "identity.h"

/* Linux 4.13, include/uapi/asm-generic/socket.h. */
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

/* The kernel's own bound on a process's groups (NGROUPS_MAX in linux/limits.h). */
#define IDENT_GROUPS_MAX   65536
/* Most callers have a handful: asked with this much room, then with what the kernel says. */
#define IDENT_GROUPS_FIRST 64

/*
 * Every supplementary group, never a prefix: a group left out could make a
 * later, broader client entry match.  With too little room the kernel fails
 * with ERANGE and says how much it needs; the groups were fixed at
 * connect(), so the second call fits.  Returns 0 or -1 (errno set).
 */
static int
read_groups(int fd, struct sw_ident *id)
{
	gid_t first[IDENT_GROUPS_FIRST], *buf = first, *kept;
	socklen_t len = sizeof(first);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf, &len) == -1) {
		if (errno != ERANGE)
			return -1;
		if (len == 0 || len % sizeof(gid_t) != 0 ||
		    len / sizeof(gid_t) > IDENT_GROUPS_MAX) {
			errno = EPROTO;
			return -1;
		}
		if ((buf = malloc(len)) == NULL)
			return -1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf, &len) == -1)
			goto err_free;
	}
	if (len % sizeof(gid_t) != 0) {
		errno = EPROTO;
		goto err_free;
	}
	if (len == 0) {
		kept = NULL; /* no supplementary group: nothing to keep */
		if (buf != first)
			free(buf);
	} else if (buf == first) {
		if ((kept = malloc(len)) == NULL)
			return -1;
		memcpy(kept, first, len);
	} else {
		kept = buf;
	}
	id->groups = kept;
	id->n_groups = len / sizeof(gid_t);
	id->has_groups = true;
	return 0;

err_free:
	if (buf != first) {
		int saved = errno;

		free(buf);
		errno = saved;
	}
	return -1;
}

void
ident_from_socket(int fd, struct sw_ident *id)
{
	static bool warned;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	id->has_peercred = false;
	memset(&cred, 0, sizeof(cred));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 || len != sizeof(cred))
		return;
	id->uid = cred.uid;
	id->gid = cred.gid;
	id->pid = cred.pid;
	id->has_peercred = true;
	if (read_groups(fd, id) == -1 && (errno != ENOPROTOOPT || !warned)) {
		warned = warned || errno == ENOPROTOOPT;
		log_warn("SO_PEERGROUPS: cannot read the supplementary groups of uid %u",
		    (unsigned)id->uid);
	}
}

void
ident_release(struct sw_ident *id)
{
	free((void *)(uintptr_t)id->groups);
	id->groups = NULL;
	id->n_groups = 0;
	id->has_groups = false;
}
