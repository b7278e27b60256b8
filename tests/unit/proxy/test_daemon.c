/*
 * daemon_parse_version(): the daemon's GET /version answer decides which
 * legacy semantics inspection applies, so anything but a clean version
 * string leaves the daemon unknown (inspection then assumes the oldest).
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "daemon.h"

/* The shape dockerd 20.10 answers with, trimmed. */
#define VERSION_ANSWER                                                                         \
	"{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Components\":[{\"Name\":"    \
	"\"Engine\",\"Version\":\"20.10.24\",\"Details\":{\"ApiVersion\":\"1.41\"}}],"         \
	"\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\","         \
	"\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1.19.7\",\"Os\":\"linux\",\"Arch\":"      \
	"\"amd64\",\"KernelVersion\":\"6.1.0\",\"BuildTime\":\"2023-04-04T13:26:44.000000000+" \
	"00:00\"}\n"

static void
test_daemon_parse_version(void **state)
{
	static const struct {
		const char *name;
		const char *body;
		int rc;
		const char *version, *api; /* with rc 0 */
	} rows[] = {
		{ "dockerd 20.10", VERSION_ANSWER, 0, "20.10.24", "1.41" },
		{ "no ApiVersion", "{\"Version\":\"27.3.1\"}", 0, "27.3.1", "" },
		{ "ApiVersion with a space is left out",
		    "{\"Version\":\"27.3.1\",\"ApiVersion\":\"1 .47\"}", 0, "27.3.1", "" },
		{ "longest version that fits", "{\"Version\":\"1234567890123456789012345678901\"}",
		    0, "1234567890123456789012345678901", "" },
		/* unknown */
		{ "version too long", "{\"Version\":\"12345678901234567890123456789012\"}", -1,
		    NULL, NULL },
		{ "no Version", "{\"ApiVersion\":\"1.41\"}", -1, NULL, NULL },
		{ "Version empty", "{\"Version\":\"\"}", -1, NULL, NULL },
		{ "Version a number", "{\"Version\":20.1}", -1, NULL, NULL },
		{ "Version null", "{\"Version\":null}", -1, NULL, NULL },
		{ "Version with a space", "{\"Version\":\"20.10 24\"}", -1, NULL, NULL },
		{ "Version with a newline", "{\"Version\":\"20.10.24\\n\"}", -1, NULL, NULL },
		{ "Version not ASCII", "{\"Version\":\"20.10.24\xc3\xa9\"}", -1, NULL, NULL },
		{ "key in another case", "{\"version\":\"20.10.24\"}", -1, NULL, NULL },
		{ "an array", "[{\"Version\":\"20.10.24\"}]", -1, NULL, NULL },
		{ "not JSON", "page not found", -1, NULL, NULL },
		{ "empty", "", -1, NULL, NULL },
	};
	struct pol_daemon d;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		int rc;

		memset(&d, 'Z', sizeof(d));
		rc = daemon_parse_version(rows[i].body, strlen(rows[i].body), &d);
		if (rc != rows[i].rc)
			fail_msg("%s: returned %d, want %d", rows[i].name, rc, rows[i].rc);
		if (rc == -1 && (d.version[0] != '\0' || d.api_version[0] != '\0'))
			fail_msg("%s: refused but left a version behind", rows[i].name);
		if (rc == 0 && (strcmp(d.version, rows[i].version) != 0 ||
		                   strcmp(d.api_version, rows[i].api) != 0))
			fail_msg("%s: version \"%.32s\" API \"%.16s\"", rows[i].name, d.version,
			    d.api_version);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_parse_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
