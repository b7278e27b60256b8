/*
 * Who is calling.  Filled by proxy/identity.c from the kernel (SO_PEERCRED)
 * or the TLS handshake, never from anything the client sends.
 */
#ifndef SW_IDENT_H
#define SW_IDENT_H

#include <stdbool.h>
#include <sys/types.h>

struct sw_ident {
	const char *listener; /* listener name, borrowed from the running config */
	bool has_peercred;    /* uid/gid/pid below are valid */
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

#endif
