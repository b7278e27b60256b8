/*
 * sa_parse_url: the listener and upstream addresses of the configuration,
 * good and bad forms.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sockaddr.h"

struct url_case {
	const char *name;
	const char *url;
	int family;       /* 0: refused */
	const char *host; /* AF_UNIX: the path; else the address as written */
	unsigned port;
	const char *why; /* refused: words the reason contains */
};

static const char long_path[] =
    "unix:///"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char longest_path[] =
    "unix:///"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static const struct url_case cases[] = {
	{ "unix socket", "unix:///var/run/docker.sock", AF_UNIX, "/var/run/docker.sock", 0, NULL },
	{ "unix path of 107 bytes", longest_path, AF_UNIX, longest_path + 7, 0, NULL },
	{ "unix path of 108 bytes", long_path, 0, NULL, 0, "longer than 107" },
	{ "unix path relative", "unix://run/docker.sock", 0, NULL, 0, "absolute" },
	{ "unix path empty", "unix://", 0, NULL, 0, "absolute" },
	{ "IPv4", "tcp://127.0.0.1:2376", AF_INET, "127.0.0.1", 2376, NULL },
	{ "IPv6 in brackets", "tcp://[::1]:2376", AF_INET6, "::1", 2376, NULL },
	{ "port 65535", "tcp://10.0.0.1:65535", AF_INET, "10.0.0.1", 65535, NULL },
	{ "port 0", "tcp://127.0.0.1:0", 0, NULL, 0, "bad port" },
	{ "port 65536", "tcp://127.0.0.1:65536", 0, NULL, 0, "bad port" },
	{ "port with a sign", "tcp://127.0.0.1:+80", 0, NULL, 0, "bad port" },
	{ "port with a space", "tcp://127.0.0.1: 80", 0, NULL, 0, "bad port" },
	{ "port with trailing text", "tcp://127.0.0.1:80x", 0, NULL, 0, "bad port" },
	{ "port empty", "tcp://127.0.0.1:", 0, NULL, 0, "bad port" },
	{ "no port", "tcp://127.0.0.1", 0, NULL, 0, "expected tcp://address:port" },
	{ "IPv6 without brackets", "tcp://::1:2376", 0, NULL, 0, "in brackets" },
	{ "IPv6 brackets without a port", "tcp://[::1]", 0, NULL, 0, "expected tcp://[ipv6]:port" },
	{ "IPv6 bracket not closed", "tcp://[::1:2376", 0, NULL, 0, "expected tcp://[ipv6]:port" },
	{ "a host name", "tcp://localhost:2376", 0, NULL, 0, "literal IPv4 or IPv6" },
	{ "an IPv4 with a leading zero", "tcp://127.0.0.01:2376", 0, NULL, 0, "literal" },
	{ "address of 64 bytes",
	    "tcp://1111111111111111111111111111111111111111111111111111111111111111:1", 0, NULL, 0,
	    "too long" },
	{ "another scheme", "http://127.0.0.1:80", 0, NULL, 0, "unix:// or tcp://" },
	{ "scheme in upper case", "UNIX:///var/run/docker.sock", 0, NULL, 0, "unix:// or tcp://" },
	{ "empty", "", 0, NULL, 0, "unix:// or tcp://" },
};

static void
test_url_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		const struct url_case *t = &cases[i];
		struct sa_addr a;
		const char *why = NULL;
		int rc = sa_parse_url(t->url, &a, &why);

		if (t->family == 0) {
			if (rc != -1)
				fail_msg("%s: accepted", t->name);
			if (why == NULL || strstr(why, t->why) == NULL)
				fail_msg("%s: reason \"%s\", want \"%s\" in it", t->name,
				    why ? why : "(none)", t->why);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: refused: %s", t->name, why ? why : "(no reason)");
		if (a.family != t->family || a.ss.ss_family != t->family)
			fail_msg("%s: family %d", t->name, a.family);
		if (t->family == AF_UNIX) {
			const struct sockaddr_un *sun = (const struct sockaddr_un *)&a.ss;

			if (strcmp(a.path, t->host) != 0 || strcmp(sun->sun_path, t->host) != 0)
				fail_msg("%s: path \"%s\"", t->name, a.path);
			if (a.len != offsetof(struct sockaddr_un, sun_path) + strlen(t->host) + 1)
				fail_msg("%s: length %u", t->name, (unsigned)a.len);
			continue;
		}
		if (strcmp(a.host, t->host) != 0)
			fail_msg("%s: host \"%s\"", t->name, a.host);
		if (t->family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;

			if (ntohs(sin->sin_port) != t->port || a.len != sizeof(*sin))
				fail_msg("%s: port %u", t->name, ntohs(sin->sin_port));
		} else {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a.ss;

			if (ntohs(sin6->sin6_port) != t->port || a.len != sizeof(*sin6))
				fail_msg("%s: port %u", t->name, ntohs(sin6->sin6_port));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
