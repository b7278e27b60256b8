#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "sockaddr.h"

static int
parse_unix(const char *path, struct sa_addr *out, const char **why)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t n = strlen(path);

	if (path[0] != '/') {
		*why = "unix socket path must be absolute";
		return -1;
	}
	if (n >= sizeof(sun->sun_path)) {
		*why = "unix socket path is longer than 107 bytes";
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	memcpy(out->path, path, n + 1);
	out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	out->family = AF_UNIX;
	return 0;
}

static int
parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static int
parse_tcp(const char *hostport, struct sa_addr *out, const char **why)
{
	char *host = out->host;
	const char *colon;
	unsigned port;
	size_t hl;

	if (hostport[0] == '[') {
		const char *close = strchr(hostport, ']');

		if (close == NULL || close[1] != ':') {
			*why = "expected tcp://[ipv6]:port";
			return -1;
		}
		hl = (size_t)(close - hostport - 1);
		colon = close + 1;
		if (hl >= sizeof(out->host)) {
			*why = "address too long";
			return -1;
		}
		memcpy(host, hostport + 1, hl);
	} else {
		colon = strrchr(hostport, ':');
		if (colon == NULL) {
			*why = "expected tcp://address:port";
			return -1;
		}
		hl = (size_t)(colon - hostport);
		/* As the loader reads it: "::1:2375" could be an address without a port. */
		if (memchr(hostport, ':', hl) != NULL) {
			*why = "an IPv6 address goes in brackets: tcp://[ipv6]:port";
			return -1;
		}
		if (hl >= sizeof(out->host)) {
			*why = "address too long";
			return -1;
		}
		memcpy(host, hostport, hl);
	}
	host[hl] = '\0';
	if (parse_port(colon + 1, &port) == -1) {
		*why = "bad port";
		return -1;
	}
	memset(&out->ss, 0, sizeof(out->ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&out->ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		out->len = sizeof(*sin);
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&out->ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		out->len = sizeof(*sin6);
		out->family = AF_INET6;
		return 0;
	}
	*why = "tcp address must be a literal IPv4 or IPv6 address";
	return -1;
}

int
sa_parse_url(const char *url, struct sa_addr *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(url, "unix://", 7) == 0)
		return parse_unix(url + 7, out, why);
	if (strncmp(url, "tcp://", 6) == 0)
		return parse_tcp(url + 6, out, why);
	*why = "address must start with unix:// or tcp://";
	return -1;
}
