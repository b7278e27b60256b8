/*
 * Audit lines are an interface: these field names must not change, every
 * line must be one valid JSON object, and untrusted request bytes must not
 * break out of their strings.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "audit.h"

static struct audit_rec
sample(void)
{
	static struct sw_ident id = {
		.listener = "main", .has_peercred = true, .uid = 1000, .gid = 1001, .pid = 4242
	};
	struct audit_rec r;

	memset(&r, 0, sizeof(r));
	r.start.tv_sec = 1795000000;
	r.start.tv_nsec = 123456000;
	r.start_ns = 1000000;
	r.listener = "main";
	r.conn = 7;
	r.ident = &id;
	r.method = SW_STR_LIT("GET");
	r.target = SW_STR_LIT("/v1.41/containers/json?all=1");
	r.path = SW_STR_LIT("/containers/json");
	r.api = SW_STR_LIT("1.41");
	r.endpoint = "ContainerList";
	r.verdict = "allow";
	snprintf(r.rule, sizeof(r.rule), "allow ContainerList");
	r.policy = "traefik";
	r.status = 200;
	r.bytes_in = 0;
	r.bytes_out = 1234;
	return r;
}

static cJSON *
parse_line(const char *buf, size_t n)
{
	const char *end = NULL;
	cJSON *j;

	assert_true(n > 2);
	assert_int_equal(buf[n - 1], '\n');
	assert_null(memchr(buf, '\n', n - 1)); /* exactly one line */
	j = cJSON_ParseWithLengthOpts(buf, n - 1, &end, 0);
	assert_non_null(j);
	assert_ptr_equal(end, buf + n - 1);
	return j;
}

static void
test_audit_fmt_fields(void **state)
{
	static const char *const keys[] = { "time", "listener", "conn", "client", "method",
		"target", "path", "api", "endpoint", "verdict", "rule", "policy", "status",
		"bytes_in", "bytes_out", "duration_ms" };
	struct audit_rec r = sample();
	char buf[4096];
	size_t n, i;
	cJSON *j, *client;

	(void)state;
	n = audit_format(&r, 3500000, buf, sizeof(buf));
	j = parse_line(buf, n);
	for (i = 0; i < nitems(keys); i++)
		if (!cJSON_HasObjectItem(j, keys[i]))
			fail_msg("missing field \"%s\" in %s", keys[i], buf);
	assert_string_equal(
	    cJSON_GetObjectItem(j, "time")->valuestring, "2026-11-18T11:06:40.123456Z");
	assert_int_equal(cJSON_GetObjectItem(j, "status")->valueint, 200);
	assert_true(cJSON_GetObjectItem(j, "duration_ms")->valuedouble > 2.49 &&
	            cJSON_GetObjectItem(j, "duration_ms")->valuedouble < 2.51);
	client = cJSON_GetObjectItem(j, "client");
	assert_int_equal(cJSON_GetObjectItem(client, "uid")->valueint, 1000);
	assert_int_equal(cJSON_GetObjectItem(client, "pid")->valueint, 4242);
	cJSON_Delete(j);
}

static void
test_audit_fmt_escapes_untrusted(void **state)
{
	static const char evil[] = "/a\"},\"verdict\":\"allow\n\\\x01\xff";
	struct audit_rec r = sample();
	char buf[4096];
	cJSON *j;
	size_t n;

	(void)state;
	r.target = sw_str_make(evil, sizeof(evil) - 1);
	r.verdict = "deny";
	n = audit_format(&r, 2000000, buf, sizeof(buf));
	j = parse_line(buf, n);
	assert_string_equal(cJSON_GetObjectItem(j, "verdict")->valuestring, "deny");
	assert_string_equal(cJSON_GetObjectItem(j, "target")->valuestring,
	    "/a\"},\"verdict\":\"allow\n\\\x01\xc3\xbf");
	cJSON_Delete(j);
}

static void
test_audit_fmt_never_truncates(void **state)
{
	struct audit_rec r = sample();
	char buf[200];
	static char big[4000];

	(void)state;
	memset(big, 'x', sizeof(big));
	r.target = sw_str_make(big, sizeof(big));
	/* Too long for the buffer: no line at all rather than a broken one. */
	assert_int_equal(audit_format(&r, 2000000, buf, sizeof(buf)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_fmt_fields),
		cmocka_unit_test(test_audit_fmt_escapes_untrusted),
		cmocka_unit_test(test_audit_fmt_never_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
