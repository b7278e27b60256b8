/* Who is on the other end of an accepted socket, from the kernel. */
#ifndef SW_IDENTITY_H
#define SW_IDENTITY_H

#include "sockwarden/ident.h"

/* Fill uid/gid/pid from SO_PEERCRED; leaves has_peercred false when unavailable. */
void ident_from_socket(int fd, struct sw_ident *id);

#endif
