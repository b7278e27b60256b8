/*
 * Tests for policy/query.c: Go's url.ParseQuery semantics, the first-value
 * reads handlers use, httputils.BoolValue, strconv.ParseInt, QueryEscape and
 * the form media-type check.  One cmocka test per row, named after the row.
 * Expected values are what Go 1.22 gives for the same input (url.ParseQuery,
 * Values.Get, httputils.BoolValue), except where the row says "stricter".
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

#include "query.h"

/* ---- parsing ------------------------------------------------------------- */

struct parse_case {
	const char *name;
	const char *raw;
	const char *why;       /* NULL: accepted; else the reason */
	const char *pairs[13]; /* key, value, ..., NULL */
};

static struct parse_case parse_cases[] = {
	{ "parse: empty query", "", NULL, { NULL } },
	{ "parse: one pair", "name=web", NULL, { "name", "web", NULL } },
	{ "parse: two pairs in order", "fromImage=alpine&tag=3.20", NULL,
	    { "fromImage", "alpine", "tag", "3.20", NULL } },
	{ "parse: key without '=' has empty value", "stream", NULL, { "stream", "", NULL } },
	{ "parse: empty value", "stream=", NULL, { "stream", "", NULL } },
	{ "parse: empty key kept", "=x", NULL, { "", "x", NULL } },
	{ "parse: bare '=' is empty key and value", "=", NULL, { "", "", NULL } },
	{ "parse: empty pieces skipped", "&&a=1&&", NULL, { "a", "1", NULL } },
	{ "parse: only '&'", "&", NULL, { NULL } },
	{ "parse: value keeps later '='", "a=b=c", NULL, { "a", "b=c", NULL } },
	{ "parse: '+' is a space", "changes=USER+root", NULL, { "changes", "USER root", NULL } },
	{ "parse: '+' in key is a space", "a+b=1", NULL, { "a b", "1", NULL } },
	{ "parse: %2B is a plus", "tag=1%2B2", NULL, { "tag", "1+2", NULL } },
	{ "parse: %20 is a space", "a=x%20y", NULL, { "a", "x y", NULL } },
	{ "parse: lower-case hex escape", "network%6dode=ho%73t", NULL,
	    { "networkmode", "host", NULL } },
	{ "parse: upper-case hex escape", "network%6Dode=ho%73T", NULL,
	    { "networkmode", "hosT", NULL } },
	{ "parse: encoded '&' stays in the value", "a=x%26b%3D1", NULL, { "a", "x&b=1", NULL } },
	{ "parse: encoded '=' in key", "a%3Db=1", NULL, { "a=b", "1", NULL } },
	{ "parse: encoded ';' is data", "a=x%3By", NULL, { "a", "x;y", NULL } },
	{ "parse: duplicates kept in order", "t=a&t=b&t=c", NULL,
	    { "t", "a", "t", "b", "t", "c", NULL } },
	{ "parse: keys are case-sensitive", "NetworkMode=host&networkmode=none", NULL,
	    { "NetworkMode", "host", "networkmode", "none", NULL } },
	{ "parse: raw UTF-8 passes through", "a=\xc3\xa9", NULL, { "a", "\xc3\xa9", NULL } },
	{ "parse: encoded UTF-8 decodes", "a=%C3%A9", NULL, { "a", "\xc3\xa9", NULL } },
	{ "parse: invalid UTF-8 escape kept as bytes", "a=%FF", NULL, { "a", "\xff", NULL } },
	{ "parse: control byte escape decodes", "a=%01", NULL, { "a", "\x01", NULL } },
	{ "parse: json value", "ulimits=%5B%7B%22Name%22%3A%22nofile%22%7D%5D", NULL,
	    { "ulimits", "[{\"Name\":\"nofile\"}]", NULL } },
	{ "reject: ';' separator", "a=1;b=2", "';' in query (Go drops the pair)", { NULL } },
	{ "reject: ';' in a later pair", "a=1&b=2;c", "';' in query (Go drops the pair)",
	    { NULL } },
	{ "reject: ';' alone", ";", "';' in query (Go drops the pair)", { NULL } },
	{ "reject: ';' in key", "net;workmode=host", "';' in query (Go drops the pair)", { NULL } },
	{ "reject: '%' at end", "a=100%", "malformed percent-escape in query", { NULL } },
	{ "reject: '%' one digit at end", "a=%4", "malformed percent-escape in query", { NULL } },
	{ "reject: '%' non-hex", "a=%zz", "malformed percent-escape in query", { NULL } },
	{ "reject: '%' half hex", "a=%4g", "malformed percent-escape in query", { NULL } },
	{ "reject: bad escape in key", "a%=1", "malformed percent-escape in query", { NULL } },
	{ "reject: bad escape in a later pair", "a=1&networkmode=%hh",
	    "malformed percent-escape in query", { NULL } },
	{ "reject: '%%'", "a=%%41", "malformed percent-escape in query", { NULL } },
	{ "reject (stricter): encoded NUL", "a=x%00y", "encoded NUL (%00) in query", { NULL } },
};

static void
test_parse_row(void **state)
{
	const struct parse_case *c = *state;
	struct sw_str raw = sw_str_cstr(c->raw);
	struct pol_query q;
	const char *why = NULL;
	size_t i, want = 0;
	int rc;

	while (c->pairs[want * 2] != NULL)
		want++;
	rc = pol_query_parse(&raw, &q, &why);
	if (c->why != NULL) {
		if (rc != -1 || why == NULL || strcmp(why, c->why) != 0)
			fail_msg("row \"%s\": rc %d why \"%s\", want -1 \"%s\"", c->name, rc,
			    why != NULL ? why : "(null)", c->why);
		if (q.n != 0 || q.pairs != NULL || q.buf != NULL)
			fail_msg("row \"%s\": refused query left state behind", c->name);
		return;
	}
	if (rc != 0)
		fail_msg("row \"%s\": refused (%s), want accepted", c->name, why);
	if (q.n != want)
		fail_msg("row \"%s\": %zu pairs, want %zu", c->name, q.n, want);
	for (i = 0; i < want; i++) {
		if (strcmp(q.pairs[i].key, c->pairs[2 * i]) != 0 ||
		    strcmp(q.pairs[i].value, c->pairs[2 * i + 1]) != 0)
			fail_msg("row \"%s\": pair %zu is \"%s\"=\"%s\", want \"%s\"=\"%s\"",
			    c->name, i, q.pairs[i].key, q.pairs[i].value, c->pairs[2 * i],
			    c->pairs[2 * i + 1]);
	}
	pol_query_free(&q);
}

/* ---- reads: first value wins, counts, presence --------------------------- */

struct get_case {
	const char *name;
	const char *raw;
	const char *key;
	const char *first; /* NULL: absent */
	size_t count;
	const char *second; /* value 1, NULL when count < 2 */
};

static struct get_case get_cases[] = {
	{ "get: first of duplicates wins", "networkmode=bridge&networkmode=host", "networkmode",
	    "bridge", 2, "host" },
	{ "get: empty first value still wins", "networkmode=&networkmode=host", "networkmode", "",
	    2, "host" },
	{ "get: absent key", "a=1", "b", NULL, 0, NULL },
	{ "get: case differs is absent", "NetworkMode=host", "networkmode", NULL, 0, NULL },
	{ "get: decoded key matches", "%66romSrc=-", "fromSrc", "-", 1, NULL },
	{ "get: present without '='", "rm", "rm", "", 1, NULL },
	{ "get: multi-valued extrahosts", "extrahosts=a%3A1.2.3.4&x=1&extrahosts=b%3A5.6.7.8",
	    "extrahosts", "a:1.2.3.4", 2, "b:5.6.7.8" },
	{ "get: empty key", "=v", "", "v", 1, NULL },
};

static void
test_get_row(void **state)
{
	const struct get_case *c = *state;
	struct sw_str raw = sw_str_cstr(c->raw);
	struct pol_query q;
	const char *why = NULL, *v, *v2;
	size_t n;

	if (pol_query_parse(&raw, &q, &why) != 0)
		fail_msg("row \"%s\": refused (%s)", c->name, why);
	v = pol_query_get(&q, c->key);
	n = pol_query_count(&q, c->key);
	v2 = pol_query_nth(&q, c->key, 1);
	if ((v == NULL) != (c->first == NULL) || (v != NULL && strcmp(v, c->first) != 0))
		fail_msg("row \"%s\": get \"%s\", want \"%s\"", c->name, v ? v : "(absent)",
		    c->first ? c->first : "(absent)");
	if (strcmp(pol_query_value(&q, c->key), c->first != NULL ? c->first : "") != 0)
		fail_msg("row \"%s\": value() differs from Go's Get", c->name);
	if (pol_query_has(&q, c->key) != (c->first != NULL))
		fail_msg("row \"%s\": has() wrong", c->name);
	if (n != c->count)
		fail_msg("row \"%s\": count %zu, want %zu", c->name, n, c->count);
	if ((v2 == NULL) != (c->second == NULL) || (v2 != NULL && strcmp(v2, c->second) != 0))
		fail_msg("row \"%s\": second value \"%s\", want \"%s\"", c->name,
		    v2 ? v2 : "(none)", c->second ? c->second : "(none)");
	if (pol_query_nth(&q, c->key, c->count) != NULL)
		fail_msg("row \"%s\": nth past the end is not NULL", c->name);
	pol_query_free(&q);
}

/* ---- strconv.ParseInt(s, 10, 64) ------------------------------------------ */

struct int_case {
	const char *name;
	const char *s;
	int rc;
	int64_t want;
};

static struct int_case int_cases[] = {
	{ "int: zero", "0", 0, 0 },
	{ "int: plain", "67108864", 0, 67108864 },
	{ "int: plus sign", "+5", 0, 5 },
	{ "int: negative", "-1", 0, -1 },
	{ "int: leading zeros", "007", 0, 7 },
	{ "int: max", "9223372036854775807", 0, INT64_MAX },
	{ "int: min", "-9223372036854775808", 0, INT64_MIN },
	{ "int: overflow", "9223372036854775808", -1, 0 },
	{ "int: underflow", "-9223372036854775809", -1, 0 },
	{ "int: empty", "", -1, 0 },
	{ "int: sign only", "-", -1, 0 },
	{ "int: space", " 1", -1, 0 },
	{ "int: underscore (base 10 refuses)", "1_000", -1, 0 },
	{ "int: hex prefix", "0x10", -1, 0 },
	{ "int: unit suffix", "64m", -1, 0 },
};

static void
test_int_row(void **state)
{
	const struct int_case *c = *state;
	int64_t v = 42;
	int rc = pol_go_parse_int64(c->s, &v);

	if (rc != c->rc || (rc == 0 && v != c->want))
		fail_msg("row \"%s\": rc %d value %lld, want %d %lld", c->name, rc, (long long)v,
		    c->rc, (long long)c->want);
}

/* ---- QueryEscape and re-encoding ----------------------------------------- */

struct escape_case {
	const char *name;
	const char *in;
	const char *want;
};

static struct escape_case escape_cases[] = {
	{ "escape: unreserved kept", "aZ09-_.~", "aZ09-_.~" },
	{ "escape: space is plus", "a b", "a+b" },
	{ "escape: plus is %2B", "a+b", "a%2Bb" },
	{ "escape: reserved bytes", "&=;%/:?@$,", "%26%3D%3B%25%2F%3A%3F%40%24%2C" },
	{ "escape: UTF-8 bytes", "\xc3\xa9", "%C3%A9" },
	{ "escape: empty", "", "" },
};

static void
test_escape_row(void **state)
{
	const struct escape_case *c = *state;
	char buf[128];
	size_t n = pol_query_escape(c->in, strlen(c->in), buf, sizeof(buf));

	if (n != strlen(c->want) || strcmp(buf, c->want) != 0)
		fail_msg("row \"%s\": \"%s\" (%zu), want \"%s\"", c->name, buf, n, c->want);
}

struct encode_case {
	const char *name;
	const char *raw;
	const char *want;
};

static struct encode_case encode_cases[] = {
	{ "encode: canonical form", "a=1&b", "a=1&b=" },
	{ "encode: escapes normalised", "network%6dode=ho%73t&x=a+b%2B",
	    "networkmode=host&x=a+b%2B" },
	{ "encode: duplicates kept in order", "t=b&t=a", "t=b&t=a" },
	{ "encode: empty pieces dropped", "&&a=%26&&", "a=%26" },
};

static void
test_encode_row(void **state)
{
	const struct encode_case *c = *state;
	struct sw_str raw = sw_str_cstr(c->raw), again;
	struct pol_query q, q2;
	const char *why = NULL;
	char buf[256], small[4];
	size_t n, i;

	if (pol_query_parse(&raw, &q, &why) != 0)
		fail_msg("row \"%s\": refused (%s)", c->name, why);
	n = pol_query_encode(&q, buf, sizeof(buf));
	if (n != strlen(c->want) || strcmp(buf, c->want) != 0)
		fail_msg("row \"%s\": \"%s\", want \"%s\"", c->name, buf, c->want);
	/* A buffer too small still reports the full length and stays terminated. */
	if (pol_query_encode(&q, small, sizeof(small)) != n || strlen(small) >= sizeof(small))
		fail_msg("row \"%s\": short buffer mishandled", c->name);
	again = sw_str_make(buf, n);
	if (pol_query_parse(&again, &q2, &why) != 0 || q2.n != q.n)
		fail_msg("row \"%s\": re-encoded query does not parse back", c->name);
	for (i = 0; i < q.n; i++)
		if (strcmp(q.pairs[i].key, q2.pairs[i].key) != 0 ||
		    strcmp(q.pairs[i].value, q2.pairs[i].value) != 0)
			fail_msg("row \"%s\": pair %zu changed on the round trip", c->name, i);
	pol_query_free(&q);
	pol_query_free(&q2);
}

/* ---- Content-Type: would Go read form fields from the body? -------------- */

struct media_case {
	const char *name;
	const char *ct;
	bool form;
};

static struct media_case media_cases[] = {
	{ "media: none", "", false },
	{ "media: tar", "application/x-tar", false },
	{ "media: json", "application/json", false },
	{ "media: octet-stream", "application/octet-stream", false },
	{ "media: urlencoded", "application/x-www-form-urlencoded", true },
	{ "media: urlencoded mixed case", "Application/X-WWW-FORM-urlencoded", true },
	{ "media: urlencoded bad parameter", "application/x-www-form-urlencoded; =x", true },
	{ "media: urlencoded leading space", " \tapplication/x-www-form-urlencoded", true },
	{ "media: multipart form-data", "multipart/form-data; boundary=x", true },
	{ "media: multipart mixed", "MULTIPART/mixed", true },
	{ "media: multipart with U+0130 for I (Go lower-cases it to i)",
	    "MULT\xc4\xb0PART/FORM-DATA", true },
	{ "media: urlencoded with U+0130",
	    "appl\xc4\xb0"
	    "cation/x-www-form-urlencoded",
	    true },
	{ "media: plain text", "text/plain", false },
	{ "media: urlencoded after NBSP",
	    "\xc2\xa0"
	    "application/x-www-form-urlencoded",
	    true },
	{ "media: json with a non-ASCII parameter", "application/json; charset=\xc3\xa9", true },
	{ "media: json with a Kelvin sign", "application/json; \xe2\x84\xaa=1", true },
};

static void
test_media_row(void **state)
{
	const struct media_case *c = *state;
	struct sw_str ct = sw_str_cstr(c->ct);

	if (pol_content_type_is_form(&ct) != c->form)
		fail_msg("row \"%s\": form %d, want %d", c->name, !c->form, c->form);
}

/* A Content-Type longer than any real one (1 KiB) is refused as a form; one byte less is read. */
static void
test_media_too_long(void **state)
{
	char buf[1024];
	struct sw_str ct;

	(void)state;
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "application/json;", 17);
	ct = sw_str_make(buf, sizeof(buf) - 1);
	assert_false(pol_content_type_is_form(&ct));
	ct = sw_str_make(buf, sizeof(buf));
	assert_true(pol_content_type_is_form(&ct));
}

/* ---- limits ---------------------------------------------------------------- */

static void
test_query_pair_limit(void **state)
{
	static char big[POL_QUERY_MAX_PAIRS * 4 + 8];
	struct sw_str raw;
	struct pol_query q;
	const char *why = NULL;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < POL_QUERY_MAX_PAIRS; i++) {
		memcpy(big + n, "a=1&", 4);
		n += 4;
	}
	raw = sw_str_make(big, n - 1);
	assert_int_equal(pol_query_parse(&raw, &q, &why), 0);
	assert_int_equal(q.n, POL_QUERY_MAX_PAIRS);
	pol_query_free(&q);
	memcpy(big + n, "b=2", 3);
	raw = sw_str_make(big, n + 3);
	assert_int_equal(pol_query_parse(&raw, &q, &why), -1);
	assert_string_equal(why, "too many query parameters");
}

#define ADD_ROWS(arr, fn)                                    \
	for (i = 0; i < nitems(arr); i++)                    \
		tests[n++] = (struct CMUnitTest)             \
		{                                            \
			arr[i].name, fn, NULL, NULL, &arr[i] \
		}

int
main(void)
{
	static struct CMUnitTest tests[nitems(parse_cases) + nitems(get_cases) + nitems(int_cases) +
	                               nitems(escape_cases) + nitems(encode_cases) +
	                               nitems(media_cases) + 2];
	size_t i, n = 0;

	ADD_ROWS(parse_cases, test_parse_row);
	ADD_ROWS(get_cases, test_get_row);
	ADD_ROWS(int_cases, test_int_row);
	ADD_ROWS(escape_cases, test_escape_row);
	ADD_ROWS(encode_cases, test_encode_row);
	ADD_ROWS(media_cases, test_media_row);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_media_too_long);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_query_pair_limit);
	return _cmocka_run_group_tests("query", tests, n, NULL, NULL);
}
