/*
 * Tests for policy/canon.c: request-target canonicalisation, the query
 * check and API version comparison.  One cmocka test per row, named after
 * the row.  Rows reported as bypasses are never deleted.
 *
 * CANON: accepted, path unchanged, no version.  FIXED: accepted, with the
 * version prefix stripped and/or %XX decoded.  REJECT: refused with exactly
 * the given reason.  Every accepted path must also be a fixed point.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sockwarden/policy.h"

enum canon_kind { CANON, FIXED, REJECT };

struct canon_case {
	const char *name;
	enum canon_kind kind;
	const char *target;
	size_t target_len; /* 0: strlen(target); set for targets with NUL bytes */
	const char *path;  /* FIXED: expected path; REJECT: expected reason */
	const char *version;
	const char *query;
};

#define C(name, target)                                \
	{                                              \
		name, CANON, target, 0, target, "", "" \
	}
#define CQ(name, target, path, query)                   \
	{                                               \
		name, CANON, target, 0, path, "", query \
	}
#define F(name, target, path, version)                    \
	{                                                 \
		name, FIXED, target, 0, path, version, "" \
	}
#define FQ(name, target, path, version, query)               \
	{                                                    \
		name, FIXED, target, 0, path, version, query \
	}
#define R(name, target, why)                             \
	{                                                \
		name, REJECT, target, 0, why, NULL, NULL \
	}
#define RN(name, target, why)                                             \
	{                                                                 \
		name, REJECT, target, sizeof(target) - 1, why, NULL, NULL \
	}

static const char slash2f[] = "encoded slash (%2F) in path";
static const char dotseg[] = "dot segment ('.' or '..') in path";
static const char emptyseg[] = "empty path segment ('//')";
static const char absform[] = "absolute-form request-target (send only the path)";
static const char badpct[] = "malformed percent-escape in path";

static struct canon_case canon_cases[] = {
	/* docker-api-facts.md 1.2, row by row */
	C("plain create", "/containers/create"),
	F("versioned create", "/v1.41/containers/create", "/containers/create", "1.41"),
	F("version 1.41.0", "/v1.41.0/containers/create", "/containers/create", "1.41.0"),
	F("version 01.041", "/v01.041/containers/create", "/containers/create", "01.041"),
	F("version 1.41.99", "/v1.41.99/containers/create", "/containers/create", "1.41.99"),
	F("version 1", "/v1/containers/create", "/containers/create", "1"),
	F("version 9", "/v9/containers/create", "/containers/create", "9"),
	F("version dot", "/v./containers/create", "/containers/create", "."),
	F("version overflowing", "/v1.99999999999999999999/containers/create", "/containers/create",
	    "1.99999999999999999999"),
	F("encoded c in create", "/v1.41/containers/%63reate", "/containers/create", "1.41"),
	F("encoded a in create", "/v1.41/containers/cre%61te", "/containers/create", "1.41"),
	R("encoded slash joins segments", "/v1.41/containers%2Fcreate", slash2f),
	F("everything encoded, version too",
	    "/%76%31%2E%34%31/%63%6f%6e%74%61%69%6e%65%72%73/%63%72%65%61%74%65",
	    "/containers/create", "1.41"),
	R("absolute-form http", "http://anything/v1.41/containers/create", absform),
	R("absolute-form unix", "unix:///v1.41/containers/create", absform),
	R("absolute-form any scheme", "foo:/v1.41/containers/create", absform),
	R("absolute-form upper case", "HTTP://x:99/containers/create", absform),
	FQ("empty query", "/v1.41/containers/create?", "/containers/create", "1.41", ""),
	FQ("query", "/v1.41/containers/create?name=x", "/containers/create", "1.41", "name=x"),
	R("leading double slash", "//containers/create", "request-target starts with '//'"),
	R("double slash after version", "/v1.41//containers/create", emptyseg),
	R("dot segment", "/v1.41/./containers/create", dotseg),
	R("dot-dot segment", "/v1.41/foo/../containers/create", dotseg),
	R("encoded leading slash", "/v1.41/%2Fcontainers/create", slash2f),
	R("encoded dot-dot", "/v1.41/containers/%2e%2e/containers/create", dotseg),
	R("authority smuggled in path", "//evil/v1.41/containers/create",
	    "request-target starts with '//'"),
	F("trailing slash kept", "/v1.41/containers/create/", "/containers/create/", "1.41"),
	C("trailing slash unversioned", "/containers/create/"),
	R("encoded trailing slash", "/v1.41/containers/create%2F", slash2f),
	C("upper-case V is not a version", "/V1.41/containers/create"),
	F("path case is kept", "/v1.41/Containers/create", "/Containers/create", "1.41"),
	R("fragment", "/v1.41/containers/create#frag", "'#' in path"),
	R("encoded fragment", "/v1.41/containers/create%23", "'#' in path"),
	R("semicolon", "/v1.41/containers/create;x", "';' in path"),
	R("encoded NUL", "/v1.41/containers/create%00", "encoded NUL (%00) in path"),
	R("encoded space", "/v1.41/containers/create%20", "space in path"),
	R("backslash", "/v1.41/containers/create\\", "backslash in path"),
	R("asterisk-form", "*", "asterisk-form request-target"),

	/* DESIGN / peers.md bypass list */
	R("encoded slash in name", "/containers/a%2fb/json", slash2f),
	R("encoded percent", "/containers/a%25/json", "encoded percent (%25) in path"),
	R("double-encoded slash", "/containers/a%252Fb/json", "encoded percent (%25) in path"),
	R("double version", "/v1.45/v1.45/containers/json", "second API version prefix in path"),
	R("double version, different", "/v1.45/v1.24/containers/json",
	    "second API version prefix in path"),
	R("version twice, nothing after", "/v1.41/v1.41", "second API version prefix in path"),
	R("dot-dot escape", "/containers/../images/json", dotseg),
	R("dot-dot at end", "/containers/..", dotseg),
	R("dot at end", "/containers/.", dotseg),
	R("only a dot", "/.", dotseg),
	R("upper-case encoded dot-dot", "/containers/%2E%2E/json", dotseg),
	R("half-encoded dot-dot", "/containers/.%2e/json", dotseg),
	R("double slash inside", "/containers//json", emptyseg),
	R("double slash at end", "/containers/json//", emptyseg),
	F("encoded version prefix is a version", "/v%31.41/containers/json", "/containers/json",
	    "1.41"),
	F("encoded v", "/%761.41/containers/json", "/containers/json", "1.41"),
	F("version with trailing dot", "/v1.41./containers/json", "/containers/json", "1.41."),

	/* version prefix edges */
	C("a version alone is not a prefix", "/v1.41"),
	F("version then root", "/v1.41/", "/", "1.41"),
	F("a lone v after a version", "/v1.41/v/x", "/v/x", "1.41"),
	F("v with letters after a version", "/v1.41/v1x/y", "/v1x/y", "1.41"),
	R("version-like after a version", "/v1.41/v2", "second API version prefix in path"),
	C("v without digits", "/v/containers/json"),
	C("version followed by letters", "/v1.41x/containers/json"),

	/* what must stay as it is */
	C("root", "/"),
	C("ping", "/_ping"),
	C("three dots are a name", "/containers/.../json"),
	C("leading dot name", "/containers/.a/json"),
	C("dots inside a name", "/containers/a..b/json"),
	C("greedy name with a slash", "/containers/web/db/exec"),
	C("image reference", "/images/docker.io/library/alpine:3.20/json"),
	C("image digest", "/images/alpine@sha256:0123abcd/json"),
	C("sub-delimiters", "/volumes/a!$&'()*+,=~-_b"),
	F("encoded plus", "/containers/a%2Bb/json", "/containers/a+b/json", ""),
	CQ("query keeps its bytes", "/containers/json?all=1&filters=%7B%7D", "/containers/json",
	    "all=1&filters=%7B%7D"),
	CQ("question mark in query", "/containers/json?a=?", "/containers/json", "a=?"),

	/* malformed or hostile bytes */
	R("empty target", "", "empty request-target"),
	R("relative path", "containers/json", "request-target is not origin-form"),
	R("authority-form", "localhost:2375", "authority-form request-target"),
	R("lone percent", "/containers/%", badpct),
	R("short escape", "/containers/%4", badpct),
	R("bad hex", "/containers/%zz/json", badpct),
	R("half hex", "/containers/%4g/json", badpct),
	RN("raw NUL", "/containers/a\0b/json", "NUL byte in path"),
	R("raw control byte", "/containers/a\001b/json", "control byte in path"),
	R("raw tab", "/containers/a\tb/json", "control byte in path"),
	R("raw DEL", "/containers/a\177b/json", "control byte in path"),
	R("encoded newline", "/containers/a%0Ab/json", "control byte in path"),
	R("encoded DEL", "/containers/a%7Fb/json", "control byte in path"),
	R("raw non-ASCII", "/containers/caf\303\251/json", "non-ASCII byte in path"),
	R("encoded non-ASCII", "/containers/caf%C3%A9/json", "non-ASCII byte in path"),
	R("encoded question mark", "/containers/a%3Fb/json", "'?' in path"),
	R("raw space", "/containers/a b/json", "space in path"),
	R("encoded backslash", "/containers/a%5Cb/json", "backslash in path"),
	R("encoded semicolon", "/containers/a%3Bb/json", "';' in path"),
	R("raw brace", "/containers/{name}/json", "character not allowed in path"),
	R("encoded quote", "/containers/a%22/json", "character not allowed in path"),
	R("semicolon in query", "/containers/json?all=1;x=2", "';' in query"),
	R("bad escape in query", "/containers/json?all=%zz", "malformed percent-escape in query"),
	R("fragment in query", "/containers/json?all=1#x", "'#' in query"),
};

static void
test_canon_row(void **state)
{
	const struct canon_case *c = *state;
	struct sw_str target = { c->target, c->target_len ? c->target_len : strlen(c->target) };
	struct sw_req req;
	struct sw_str again, again_version;
	char buf[SW_PATH_MAX], buf2[SW_PATH_MAX];
	const char *why = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	rc = pol_canon_target(&target, buf, sizeof(buf), &req, &why);
	if (c->kind == REJECT) {
		if (rc != -1)
			fail_msg("row \"%s\": accepted as \"%.*s\", want rejection \"%s\"", c->name,
			    (int)req.path.len, req.path.p, c->path);
		if (why == NULL || strcmp(why, c->path) != 0)
			fail_msg("row \"%s\": reason \"%s\", want \"%s\"", c->name,
			    why ? why : "(null)", c->path);
		return;
	}
	if (rc != 0)
		fail_msg("row \"%s\": rejected (%s)", c->name, why ? why : "(null)");
	if (!sw_str_eq_lit(&req.path, c->path) || !sw_str_eq_lit(&req.version, c->version) ||
	    !sw_str_eq_lit(&req.query, c->query))
		fail_msg("row \"%s\": path \"%.*s\" version \"%.*s\" query \"%.*s\", want \"%s\" "
		         "\"%s\" \"%s\"",
		    c->name, (int)req.path.len, req.path.p, (int)req.version.len, req.version.p,
		    (int)req.query.len, req.query.p, c->path, c->version, c->query);
	if (c->kind == CANON && !sw_str_has_prefix_lit(&target, c->path))
		fail_msg("row \"%s\": CANON row whose path is not the target", c->name);
	if (c->kind == FIXED && sw_str_has_prefix_lit(&target, c->path) &&
	    target.len == strlen(c->path))
		fail_msg("row \"%s\": FIXED row that changes nothing", c->name);

	/* The canonical path is a fixed point and carries no second version. */
	if (pol_canon_path(&req.path, buf2, sizeof(buf2), &again, &again_version, &why) != 0)
		fail_msg("row \"%s\": canonical path \"%.*s\" rejected (%s)", c->name,
		    (int)req.path.len, req.path.p, why);
	if (!sw_str_eq(&again, &req.path) || again_version.len != 0)
		fail_msg("row \"%s\": not a fixed point: \"%.*s\" -> \"%.*s\" v\"%.*s\"", c->name,
		    (int)req.path.len, req.path.p, (int)again.len, again.p, (int)again_version.len,
		    again_version.p);
}

/* Bounds: the decoded path and its NUL must fit in the caller's buffer. */
static void
test_canon_buffer_limits(void **state)
{
	static char big[SW_PATH_MAX + 16];
	struct sw_str in, out, version;
	const char *why = NULL;
	char small[8];

	(void)state;
	big[0] = '/';
	memset(big + 1, 'a', sizeof(big) - 1);
	in = sw_str_make(big, sizeof(big));
	if (pol_canon_path(&in, small, sizeof(small), &out, &version, &why) != -1)
		fail_msg("a path longer than the buffer was accepted");
	assert_string_equal(why, "path too long");

	in = sw_str_make("/abcdef", 7); /* 7 bytes + NUL fit exactly */
	assert_int_equal(pol_canon_path(&in, small, sizeof(small), &out, &version, &why), 0);
	assert_true(sw_str_eq_lit(&out, "/abcdef"));
	in = sw_str_make("/abcdefg", 8);
	assert_int_equal(pol_canon_path(&in, small, sizeof(small), &out, &version, &why), -1);
	/* Decoding shrinks: 3 raw bytes become 1, so this fits too. */
	in = sw_str_make("/%61bcdef", 9);
	assert_int_equal(pol_canon_path(&in, small, sizeof(small), &out, &version, &why), 0);
	assert_true(sw_str_eq_lit(&out, "/abcdef"));
	assert_int_equal(pol_canon_path(&in, small, 0, &out, &version, &why), -1);
}

/*
 * pol_path_byte_plain() is exactly what canonicalisation keeps: every byte,
 * percent-encoded in a segment, is accepted (and comes out decoded) iff the
 * predicate says it goes up as it is.  The proxy forwards the canonical path
 * without encoding on the strength of this.
 */
static void
test_canon_plain_bytes(void **state)
{
	struct sw_str in, out, version;
	const char *why;
	char raw[32], buf[64];
	int c, rc;

	(void)state;
	for (c = 0; c < 256; c++) {
		snprintf(raw, sizeof(raw), "/containers/a%%%02Xb/json", (unsigned)c);
		in = sw_str_make(raw, strlen(raw));
		why = NULL;
		rc = pol_canon_path(&in, buf, sizeof(buf), &out, &version, &why);
		if (c == '/') {
			if (rc != -1)
				fail_msg("an encoded '/' was accepted");
			continue;
		}
		if ((rc == 0) != pol_path_byte_plain((unsigned char)c))
			fail_msg("byte 0x%02x: canonicalised %d (%s), plain %d", (unsigned)c, rc,
			    why ? why : "", pol_path_byte_plain((unsigned char)c));
		if (rc == 0 && (out.len != 20 || (unsigned char)out.p[13] != c))
			fail_msg("byte 0x%02x: not decoded in place", (unsigned)c);
	}
}

/* A rejected target leaves the request untouched. */
static void
test_canon_reject_keeps_req(void **state)
{
	struct sw_str target = SW_STR_LIT("/v1.41/containers/json?x;y");
	struct sw_req req;
	char buf[64];
	const char *why = NULL;

	(void)state;
	memset(&req, 0, sizeof(req));
	assert_int_equal(pol_canon_target(&target, buf, sizeof(buf), &req, &why), -1);
	assert_string_equal(why, "';' in query");
	assert_null(req.path.p);
	assert_null(req.version.p);
	assert_null(req.query.p);
}

struct query_case {
	const char *name;
	const char *query;
	const char *why; /* NULL: accepted */
};

static struct query_case query_cases[] = {
	{ "query: empty query", "", NULL },
	{ "query: two pairs", "a=1&b=2", NULL },
	{ "query: empty pieces", "a&&b&", NULL },
	{ "query: empty key", "=x", NULL },
	{ "query: plus is space", "a=b+c", NULL },
	{ "query: encoded JSON filter", "filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D", NULL },
	{ "query: encoded semicolon is data", "a=%3B", NULL },
	{ "query: encoded hash is data", "a=%23", NULL },
	{ "query: encoded UTF-8", "a=caf%C3%A9", NULL },
	{ "query: raw JSON from curl", "filters={\"status\":[\"running\"]}", NULL },
	{ "query: encoded key", "network%6Dode=ho%73t", NULL },
	{ "query: semicolon separator", "a=1;b=2", "';' in query" },
	{ "query: semicolon alone", ";", "';' in query" },
	{ "query: lone percent", "a=%", "malformed percent-escape in query" },
	{ "query: short escape", "a=%4", "malformed percent-escape in query" },
	{ "query: bad hex", "a=%zz", "malformed percent-escape in query" },
	{ "query: bad hex in key", "%g1=x", "malformed percent-escape in query" },
	{ "query: encoded NUL", "a=%00", "encoded control byte in query" },
	{ "query: encoded newline", "a=%0a", "encoded control byte in query" },
	{ "query: encoded DEL", "a=%7F", "encoded control byte in query" },
	{ "query: raw control byte", "a=\001", "control byte in query" },
	{ "query: raw DEL", "a=\177", "control byte in query" },
	{ "query: raw space", "a=b c", "space in query" },
	{ "query: fragment", "a=b#c", "'#' in query" },
	{ "query: raw non-ASCII", "a=caf\303\251", "non-ASCII byte in query" },
};

static void
test_canon_query_row(void **state)
{
	const struct query_case *c = *state;
	struct sw_str q = sw_str_cstr(c->query);
	const char *why = NULL;
	int rc = pol_query_check(&q, &why);

	if (c->why == NULL && rc != 0)
		fail_msg("row \"%s\": rejected (%s)", c->name, why ? why : "(null)");
	if (c->why != NULL && (rc != -1 || why == NULL || strcmp(why, c->why) != 0))
		fail_msg("row \"%s\": rc %d reason \"%s\", want \"%s\"", c->name, rc,
		    why ? why : "(null)", c->why);
}

struct vcmp_case {
	const char *name;
	const char *a, *b;
	int want; /* sign of pol_version_cmp(a, b) */
};

static struct vcmp_case vcmp_cases[] = {
	{ "cmp: equal", "1.41", "1.41", 0 },
	{ "cmp: missing component is 0", "1.41", "1.41.0", 0 },
	{ "cmp: leading zeros", "01.041", "1.41", 0 },
	{ "cmp: trailing dot", "1.41.", "1.41", 0 },
	{ "cmp: patch above", "1.41.99", "1.41", 1 },
	{ "cmp: patch below next minor", "1.41.99", "1.42", -1 },
	{ "cmp: numeric, not float", "1.9", "1.10", -1 },
	{ "cmp: minimum below", "1.24", "1.41", -1 },
	{ "cmp: major wins", "2", "1.99", 1 },
	{ "cmp: empty is 0", "", "0", 0 },
	{ "cmp: empty below", "", "1.41", -1 },
	{ "cmp: dot is 0.0", ".", "0.0", 0 },
	{ "cmp: letters are 0", "1.a", "1.0", 0 },
	{ "cmp: mixed letters are 0", "1.4a", "1.0", 0 },
	{ "cmp: longer is greater", "1.41.0.0.1", "1.41", 1 },
	{ "cmp: sign accepted by Atoi", "1.+41", "1.41", 0 },
	{ "cmp: negative", "1.-1", "1.0", -1 },
	{ "cmp: lone sign is 0", "1.-", "1.0", 0 },
	/*
	 * Atoi clamps an out-of-range value and versions.compare ignores the
	 * error, so the component is huge, not 0: the daemon calls this
	 * version too new.
	 */
	{ "cmp: overflow clamps high", "1.99999999999999999999", "1.56", 1 },
	{ "cmp: overflow equals max", "1.99999999999999999999", "1.9223372036854775807", 0 },
	{ "cmp: int64 max fits", "1.9223372036854775807", "1.9223372036854775806", 1 },
	{ "cmp: negative overflow clamps low", "1.-99999999999999999999", "1.0", -1 },
	/* ParseUint stops at the digit that overflows uint64 ... */
	{ "cmp: uint64 overflow before junk", "1.18446744073709551616x", "1.56", 1 },
	/* ... but junk seen before that is a syntax error: 0. */
	{ "cmp: junk before uint64 overflow", "1.9223372036854775808x", "1.0", 0 },
	{ "cmp: above int64 fits uint64", "1.9223372036854775808", "1.9223372036854775807", 0 },
};

static void
test_canon_version_row(void **state)
{
	const struct vcmp_case *c = *state;
	struct sw_str a = sw_str_cstr(c->a), b = sw_str_cstr(c->b);
	int ab = pol_version_cmp(&a, &b), ba = pol_version_cmp(&b, &a);
	int sab = (ab > 0) - (ab < 0), sba = (ba > 0) - (ba < 0);

	if (sab != c->want || sba != -c->want)
		fail_msg("row \"%s\": cmp(%s, %s) = %d, reverse %d, want %d", c->name, c->a, c->b,
		    ab, ba, c->want);
}

int
main(void)
{
	static struct CMUnitTest
	    tests[nitems(canon_cases) + nitems(query_cases) + nitems(vcmp_cases) + 3];
	size_t i, n = 0;

	for (i = 0; i < nitems(canon_cases); i++)
		tests[n++] = (struct CMUnitTest){ canon_cases[i].name, test_canon_row, NULL, NULL,
			&canon_cases[i] };
	for (i = 0; i < nitems(query_cases); i++)
		tests[n++] = (struct CMUnitTest){ query_cases[i].name, test_canon_query_row, NULL,
			NULL, &query_cases[i] };
	for (i = 0; i < nitems(vcmp_cases); i++)
		tests[n++] = (struct CMUnitTest){ vcmp_cases[i].name, test_canon_version_row, NULL,
			NULL, &vcmp_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_canon_buffer_limits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_canon_reject_keeps_req);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_canon_plain_bytes);
	return _cmocka_run_group_tests("canon", tests, n, NULL, NULL);
}
