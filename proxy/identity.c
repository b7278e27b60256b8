#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <string.h>

#include "identity.h"

void
ident_from_socket(int fd, struct sw_ident *id)
{
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
}
