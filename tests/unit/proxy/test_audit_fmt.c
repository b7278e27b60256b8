/*
 * Audit lines are an interface: these field names must not change, every
 * line must be one valid JSON object, untrusted request bytes must not
 * break out of their strings, and whatever a request carried, its line fits
 * AUDIT_LINE_MAX: long fields are cut (never inside an escape or a UTF-8
 * sequence) and the line says "truncated":true.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "sockwarden/req.h"

#include "audit.h"

static struct audit_rec
sample(void)
{
	static struct sw_ident id = { .has_peercred = true, .uid = 1000, .gid = 1001, .pid = 4242 };
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
	assert_false(cJSON_HasObjectItem(j, "truncated")); /* only when something was cut */
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
	/* A buffer under AUDIT_LINE_MAX, too small: no line at all rather than a broken one. */
	assert_int_equal(audit_format(&r, 2000000, buf, sizeof(buf)), 0);
}

/* The reviewer's case: a 4000-byte target and a 3990-byte path, both under SW_PATH_MAX. */
static void
test_audit_fmt_long_target_fits(void **state)
{
	static char target[4000], path[3990];
	struct audit_rec r = sample();
	char buf[AUDIT_LINE_MAX];
	const char *t, *p;
	cJSON *j;
	size_t n;

	(void)state;
	memset(target, 't', sizeof(target));
	memset(path, 'p', sizeof(path));
	target[0] = path[0] = '/';
	r.target = sw_str_make(target, sizeof(target));
	r.path = sw_str_make(path, sizeof(path));
	n = audit_format(&r, 2000000, buf, sizeof(buf));
	j = parse_line(buf, n);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")));
	assert_string_equal(cJSON_GetObjectItem(j, "verdict")->valuestring, "allow");
	assert_int_equal(cJSON_GetObjectItem(j, "status")->valueint, 200);
	t = cJSON_GetObjectItem(j, "target")->valuestring;
	p = cJSON_GetObjectItem(j, "path")->valuestring;
	/* Each is a prefix of what the client sent, as long as its budget. */
	assert_int_equal(strlen(t), 2048);
	assert_memory_equal(t, target, 2048);
	assert_int_equal(strlen(p), 2048);
	assert_memory_equal(p, path, 2048);
	cJSON_Delete(j);
}

/*
 * The longest line there can be: every field at its longest, every byte one
 * that escapes to six, every number at its widest, in a buffer of exactly
 * AUDIT_LINE_MAX.
 */
static void
test_audit_fmt_worst_case_fits(void **state)
{
	static char huge[SW_PATH_MAX * 2], findings[1024], cn[4096], name[4096], owner[4096],
	    note[4096], listener[4096], policy[4096], endpoint[4096], client_rule[4096],
	    verdict[4096];
	static struct sw_cert_ident cert;
	static struct sw_ctr_ident ctr;
	static char ctr_id[65];
	static const char *const cut[] = { "target", "path", "method", "api", "findings", "owner",
		"note", "listener", "policy", "endpoint", "client_rule", "verdict" };
	struct sw_ident id = { .has_peercred = true,
		.uid = (uid_t)-1,
		.gid = (gid_t)-1,
		.pid = -2147483647 - 1,
		.cert = &cert,
		.ctr = &ctr };
	struct audit_rec r = sample();
	char buf[AUDIT_LINE_MAX];
	cJSON *j, *client;
	size_t n, i;

	(void)state;
	memset(huge, 0xff, sizeof(huge));
	memset(findings, 0x01, sizeof(findings) - 1);
	memset(cn, '"', sizeof(cn) - 1);
	memset(name, 0xfe, sizeof(name) - 1);
	memset(owner, 0x7f, sizeof(owner) - 1);
	memset(note, '\\', sizeof(note) - 1);
	memset(listener, 0x80, sizeof(listener) - 1);
	memset(policy, 0x1f, sizeof(policy) - 1);
	memset(endpoint, 0xc3, sizeof(endpoint) - 1);
	memset(client_rule, '\n', sizeof(client_rule) - 1);
	memset(verdict, 0x02, sizeof(verdict) - 1);
	memset(r.rule, 0xee, sizeof(r.rule) - 1);
	memset(cert.fingerprint, 0xaa, sizeof(cert.fingerprint) - 1);
	memset(ctr_id, 0xbb, sizeof(ctr_id) - 1);
	cert.cn = cn;
	ctr.name = name;
	ctr.id = ctr_id;
	r.start.tv_sec = 253402300799; /* 9999-12-31T23:59:59Z */
	r.start.tv_nsec = 999999999;
	r.start_ns = 0;
	r.ident = &id;
	r.conn = UINT64_MAX;
	r.method = sw_str_make(huge, sizeof(huge));
	r.target = sw_str_make(huge, sizeof(huge));
	r.path = sw_str_make(huge, sizeof(huge));
	r.api = sw_str_make(huge, sizeof(huge));
	r.findings = findings;
	r.owner = owner;
	r.note = note;
	r.listener = listener;
	r.policy = policy;
	r.endpoint = endpoint;
	r.client_rule = client_rule;
	r.verdict = verdict;
	r.status = -2147483647 - 1;
	r.bytes_in = UINT64_MAX;
	r.bytes_out = UINT64_MAX;
	n = audit_format(&r, UINT64_MAX, buf, sizeof(buf));
	assert_true(n > 0 && n <= sizeof(buf));
	j = parse_line(buf, n);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")));
	for (i = 0; i < nitems(cut); i++)
		if (!cJSON_IsString(cJSON_GetObjectItem(j, cut[i])))
			fail_msg("field \"%s\" missing from the longest line", cut[i]);
	client = cJSON_GetObjectItem(j, "client");
	assert_non_null(cJSON_GetObjectItem(client, "cert_cn"));
	assert_non_null(cJSON_GetObjectItem(client, "container"));
	/* container_id stays the short id, escaped, never cut. */
	assert_string_equal(cJSON_GetObjectItem(client, "container_id")->valuestring,
	    "\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2\xbb\xc2"
	    "\xbb\xc2\xbb");
	assert_non_null(strstr(buf, "\"time\":\"9999-12-31T23:59:59.999999Z\""));
	assert_non_null(strstr(buf, "\"bytes_out\":18446744073709551615,"));
	assert_non_null(strstr(buf, "\"status\":-2147483648,"));
	cJSON_Delete(j);
}

/*
 * Where a long target is cut.  The target's budget is 2048 bytes between its
 * quotes; each row puts something awkward at that edge.  "keep" is how many
 * input bytes survive; the JSON string then holds them with each byte >= 0x80
 * read as the code point of the same number (the line is ASCII).
 */
struct cut_case {
	const char *name;
	size_t pad;       /* 'a' bytes before the tail */
	const char *tail; /* then these bytes */
	size_t keep;      /* input bytes in the line */
	bool truncated;
};

static struct cut_case cut_cases[] = {
	{ "exactly the budget", 2048, "", 2048, false },
	{ "one byte over", 2048, "b", 2048, true },
	{ "quote escape across the edge", 2047, "\"", 2047, true },
	{ "quote escape ends on the edge", 2046, "\"b", 2047, true },
	{ "control byte escape across the edge", 2045, "\x01", 2045, true },
	{ "control byte escape ends on the edge", 2042,
	    "\x01"
	    "b",
	    2043, true },
	{ "2-byte UTF-8 split: whole character dropped", 2042, "\xc3\xa9", 2042, true },
	{ "3-byte UTF-8 split after 2", 2036, "\xe2\x82\xac", 2036, true },
	{ "4-byte UTF-8 split after 3", 2030, "\xf0\x9f\x98\x80", 2030, true },
	{ "4-byte UTF-8 split after 1", 2042, "\xf0\x9f\x98\x80", 2042, true },
	{ "UTF-8 character ends on the edge", 2036,
	    "\xc3\xa9"
	    "b",
	    2038, true },
	{ "stray continuation bytes are cut bytewise", 2042, "\x80\x80", 2043, true },
	{ "continuation after a complete character", 2030, "\xc3\xa9\x80\x80", 2033, true },
};

/* What cJSON gives back for raw bytes escaped as \u00XX: each byte as UTF-8. */
static size_t
bytes_as_utf8(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] < 0x80) {
			out[o++] = (char)in[i];
		} else {
			out[o++] = (char)(0xc0 | in[i] >> 6);
			out[o++] = (char)(0x80 | (in[i] & 0x3f));
		}
	}
	out[o] = '\0';
	return o;
}

static void
test_audit_fmt_cut_row(void **state)
{
	const struct cut_case *c = *state;
	static char in[4096], want[8192];
	struct audit_rec r = sample();
	char buf[AUDIT_LINE_MAX];
	size_t tlen = strlen(c->tail), n;
	const char *got;
	cJSON *j;

	memset(in, 'a', c->pad);
	memcpy(in + c->pad, c->tail, tlen);
	r.target = sw_str_make(in, c->pad + tlen);
	n = audit_format(&r, 2000000, buf, sizeof(buf));
	if (n == 0)
		fail_msg("case \"%s\": no line", c->name);
	j = parse_line(buf, n);
	if (cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")) != c->truncated)
		fail_msg("case \"%s\": \"truncated\" is %s, want %s", c->name,
		    c->truncated ? "absent" : "true", c->truncated ? "true" : "absent");
	got = cJSON_GetObjectItem(j, "target")->valuestring;
	bytes_as_utf8((const unsigned char *)in, c->keep, want);
	if (strcmp(got, want) != 0)
		fail_msg("case \"%s\": target has %zu bytes, want %zu input bytes kept", c->name,
		    strlen(got), c->keep);
	cJSON_Delete(j);
}

/* The client names, owner and findings have budgets of their own. */
static void
test_audit_fmt_long_names_cut(void **state)
{
	static char cn[2000], name[2000], owner[2000], findings[1024];
	static struct sw_cert_ident cert;
	static struct sw_ctr_ident ctr = { .id = "0123456789abcdef0123456789abcdef0123456789abcd"
		                                 "ef0123456789abcdef" };
	struct sw_ident id = {
		.has_peercred = true, .uid = 1, .gid = 2, .pid = 3, .cert = &cert, .ctr = &ctr
	};
	struct audit_rec r = sample();
	char buf[AUDIT_LINE_MAX];
	cJSON *j, *client;
	size_t n;

	(void)state;
	memset(cn, 'c', sizeof(cn) - 1);
	memset(name, 'n', sizeof(name) - 1);
	memset(owner, 'o', sizeof(owner) - 1);
	memset(findings, 'f', sizeof(findings) - 1);
	memset(cert.fingerprint, 'a', sizeof(cert.fingerprint) - 1);
	cert.cn = cn;
	ctr.name = name;
	r.ident = &id;
	r.owner = owner;
	r.findings = findings;
	n = audit_format(&r, 2000000, buf, sizeof(buf));
	j = parse_line(buf, n);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")));
	client = cJSON_GetObjectItem(j, "client");
	assert_int_equal(strlen(cJSON_GetObjectItem(client, "cert_cn")->valuestring), 256);
	assert_int_equal(strlen(cJSON_GetObjectItem(client, "container")->valuestring), 256);
	assert_string_equal(
	    cJSON_GetObjectItem(client, "container_id")->valuestring, "0123456789ab");
	assert_int_equal(strlen(cJSON_GetObjectItem(client, "cert_sha256")->valuestring), 64);
	assert_int_equal(strlen(cJSON_GetObjectItem(j, "owner")->valuestring), 256);
	/* 1023 bytes of findings fit their budget whole. */
	assert_int_equal(strlen(cJSON_GetObjectItem(j, "findings")->valuestring), 1023);
	cJSON_Delete(j);
}

/* Numbers are written by hand now: the text itself is checked, not what a parser rounds. */
struct num_case {
	const char *name;
	long sec, nsec;   /* start, wall clock */
	uint64_t dur_ns;  /* now_ns - start_ns */
	const char *want; /* in the line */
};

static struct num_case num_cases[] = {
	{ "epoch", 0, 0, 0, "{\"time\":\"1970-01-01T00:00:00.000000Z\"" },
	{ "microseconds zero-padded", 1795000000, 1000, 0,
	    "\"time\":\"2026-11-18T11:06:40.000001Z\"" },
	{ "nanoseconds below a microsecond dropped", 1795000000, 999, 0,
	    "\"time\":\"2026-11-18T11:06:40.000000Z\"" },
	{ "next second (cached prefix renewed)", 1795000001, 5000, 0,
	    "\"time\":\"2026-11-18T11:06:41.000005Z\"" },
	{ "back to the earlier second", 1795000000, 123456000, 0,
	    "\"time\":\"2026-11-18T11:06:40.123456Z\"" },
	{ "leap day", 1709164800, 0, 0, "\"time\":\"2024-02-29T00:00:00.000000Z\"" },
	{ "zero duration", 1795000000, 0, 0, "\"duration_ms\":0.000}" },
	{ "under half a microsecond", 1795000000, 0, 499, "\"duration_ms\":0.000}" },
	{ "half a microsecond rounds up", 1795000000, 0, 500, "\"duration_ms\":0.001}" },
	{ "two and a half ms", 1795000000, 0, 2500000, "\"duration_ms\":2.500}" },
	{ "carry into the millisecond", 1795000000, 0, 999999500, "\"duration_ms\":1000.000}" },
	{ "long request", 1795000000, 0, 1234567890123ull, "\"duration_ms\":1234567.890}" },
};

static void
test_audit_fmt_num_row(void **state)
{
	const struct num_case *c = *state;
	struct audit_rec r = sample();
	char buf[AUDIT_LINE_MAX];
	cJSON *j;
	size_t n;

	r.start.tv_sec = c->sec;
	r.start.tv_nsec = c->nsec;
	r.start_ns = 1000;
	n = audit_format(&r, 1000 + c->dur_ns, buf, sizeof(buf));
	j = parse_line(buf, n);
	cJSON_Delete(j);
	buf[n] = '\0';
	if (strstr(buf, c->want) == NULL)
		fail_msg("case \"%s\": want %s in %s", c->name, c->want, buf);
}

/* A clock that went backwards gives 0, not a huge unsigned difference. */
static void
test_audit_fmt_clock_backwards(void **state)
{
	struct audit_rec r = sample();
	char buf[AUDIT_LINE_MAX];
	size_t n;

	(void)state;
	r.start_ns = 5000000;
	n = audit_format(&r, 1000000, buf, sizeof(buf));
	cJSON_Delete(parse_line(buf, n)); /* one valid line is the point */
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"duration_ms\":0.000}"));
}

int
main(void)
{
	struct CMUnitTest tests[nitems(cut_cases) + nitems(num_cases) + 7];
	size_t i, n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_fields);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_escapes_untrusted);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_never_truncates);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_long_target_fits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_worst_case_fits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_long_names_cut);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_audit_fmt_clock_backwards);
	for (i = 0; i < nitems(cut_cases); i++) {
		struct CMUnitTest t =
		    cmocka_unit_test_prestate(test_audit_fmt_cut_row, &cut_cases[i]);

		t.name = cut_cases[i].name;
		tests[n++] = t;
	}
	for (i = 0; i < nitems(num_cases); i++) {
		struct CMUnitTest t =
		    cmocka_unit_test_prestate(test_audit_fmt_num_row, &num_cases[i]);

		t.name = num_cases[i].name;
		tests[n++] = t;
	}
	return _cmocka_run_group_tests("audit_fmt", tests, n, NULL, NULL);
}
