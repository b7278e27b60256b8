/*
 * DOCKER_HOST-style addresses: unix:///path and tcp://ip:port (literal
 * addresses only: no name lookups on the event loop).
 */
#ifndef SW_SOCKADDR_H
#define SW_SOCKADDR_H

#include <sys/socket.h>

struct sa_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;     /* AF_UNIX, AF_INET or AF_INET6 */
	char path[108]; /* AF_UNIX: the socket path */
	char host[64];  /* AF_INET, AF_INET6: the address as written, without brackets */
};

/* Returns 0, or -1 with a static reason in *why. */
int sa_parse_url(const char *url, struct sa_addr *out, const char **why);

#endif
