/* Who is on the other end of an accepted socket, from the kernel. */
#ifndef SW_IDENTITY_H
#define SW_IDENTITY_H

#include "sockwarden/ident.h"

/*
 * Fill uid/gid/pid from SO_PEERCRED and the supplementary groups from
 * SO_PEERGROUPS.  Leaves has_peercred false when the credentials are
 * unavailable, has_groups false when the groups are (a kernel before 4.13,
 * out of memory).  The groups are allocated: ident_release() frees them.
 */
void ident_from_socket(int fd, struct sw_ident *id);

/* Free what ident_from_socket() allocated in "id" (its groups). */
void ident_release(struct sw_ident *id);

#endif
