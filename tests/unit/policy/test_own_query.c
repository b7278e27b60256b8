/*
 * Tests for policy/own_query.c: the owner filter merged into "filters" and
 * the owner label added to ImageBuild's "labels".  Each accepted row is
 * checked three ways: the decoded result is as written in the row; the
 * rewritten query parses back (Go's url.ParseQuery rules, query.c); and a
 * model of the daemon's filters.MatchKVList("label", ...) over the result
 * matches an object with the caller's label and no object without it,
 * whatever else the client put in the filters.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "query.h"
#include "query_decoded.h"

#define LABEL "io.sockwarden.owner"
#define OWNER "uid:1000"

/*
 * filters.MatchKVList("label", labels) over the filters in query "raw",
 * read as the daemon reads them (current form only: that is what we write).
 */
static bool
daemon_matches(const char *raw, const char *const *labels, size_t n)
{
	struct sw_str s = sw_str_cstr(raw);
	const cJSON *set, *v;
	struct pol_query q;
	const char *why, *text;
	cJSON *f;
	bool ok = true;
	size_t i;

	if (pol_query_parse(&s, &q, &why) == -1)
		return false;
	text = pol_query_get(&q, "filters");
	f = text != NULL ? cJSON_Parse(text) : NULL;
	pol_query_free(&q);
	if (f == NULL)
		return false;
	set = cJSON_GetObjectItemCaseSensitive(f, "label");
	for (v = set != NULL ? set->child : NULL; v != NULL && ok; v = v->next) {
		const char *eq = strchr(v->string, '=');
		size_t klen = eq != NULL ? (size_t)(eq - v->string) : strlen(v->string);

		ok = false;
		for (i = 0; i < n; i++) {
			const char *le = strchr(labels[i], '=');

			if ((size_t)(le - labels[i]) != klen || strncmp(labels[i], v->string, klen))
				continue;
			ok = eq == NULL || strcmp(le + 1, eq + 1) == 0;
			break;
		}
	}
	cJSON_Delete(f);
	return ok;
}

struct filter_case {
	const char *name;
	const char *query; /* raw, as received */
	const char *owner;
	const char *want; /* decoded result, or for refusals a piece of the reason */
	bool listed;      /* accepted rows: is the caller's own object ("mine") still listed? */
};

#define OWN "\"" LABEL "=" OWNER "\":true"

static const struct filter_case filter_cases[] = {
	{ "no query", "", OWNER, "filters={\"label\":{" OWN "}}", true },
	{ "other parameters kept", "all=1&size=0", OWNER,
	    "all=1&size=0&filters={\"label\":{" OWN "}}", true },
	{ "position kept", "a=1&filters=%7B%7D&b=2", OWNER, "a=1&filters={\"label\":{" OWN "}}&b=2",
	    true },
	{ "empty filters", "filters=", OWNER, "filters={\"label\":{" OWN "}}", true },
	{ "current form merged", "filters={\"status\":{\"running\":true}}", OWNER,
	    "filters={\"status\":{\"running\":true},\"label\":{" OWN "}}", true },
	{ "existing label kept, ANDed",
	    "filters=%7B%22label%22%3A%7B%22com.example.team%3Dweb%22%3Atrue%7D%7D", OWNER,
	    "filters={\"label\":{\"com.example.team=web\":true," OWN "}}", true },
	{ "legacy form converted", "filters={\"label\":[\"a=b\"],\"name\":[\"x\",\"x\"]}", OWNER,
	    "filters={\"label\":{\"a=b\":true," OWN "},\"name\":{\"x\":true}}", false },
	{ "another owner asked for, ANDed", "filters={\"label\":{\"" LABEL "=uid:1001\":true}}",
	    OWNER, "filters={\"label\":{\"" LABEL "=uid:1001\":true," OWN "}}", false },
	{ "our own filter repeated", "filters={\"label\":[\"" LABEL "=" OWNER "\"]}", OWNER,
	    "filters={\"label\":{" OWN "}}", true },
	{ "false values kept", "filters={\"dangling\":{\"true\":false},\"label\":{\"x\":false}}",
	    OWNER, "filters={\"dangling\":{\"true\":false},\"label\":{\"x\":false," OWN "}}",
	    false },
	{ "null values", "filters={\"label\":null,\"dangling\":null}", OWNER,
	    "filters={\"label\":{" OWN "},\"dangling\":{}}", true },
	{ "null inner value is false", "filters={\"dangling\":{\"1\":null}}", OWNER,
	    "filters={\"dangling\":{\"1\":false},\"label\":{" OWN "}}", true },
	{ "label key in another case is another filter",
	    "filters={\"Label\":{\"" LABEL "=uid:1001\":true}}", OWNER,
	    "filters={\"Label\":{\"" LABEL "=uid:1001\":true},\"label\":{" OWN "}}", true },
	{ "escaped filter name", "filters={\"l\\u0061bel\":{\"a=b\":true}}", OWNER,
	    "filters={\"label\":{\"a=b\":true," OWN "}}", false },
	{ "plus is a space", "filters={\"name\":{\"a+b\":true}}", OWNER,
	    "filters={\"name\":{\"a b\":true},\"label\":{" OWN "}}", true },
	{ "owner with equals sign", "", "cn:a=b", "filters={\"label\":{\"" LABEL "=cn:a=b\":true}}",
	    true },
	{ "owner with quotes and unicode", "", "cn:\"caf\xc3\xa9\"",
	    "filters={\"label\":{\"" LABEL "=cn:\\\"caf\xc3\xa9\\\"\":true}}", true },
};

/* Refused rows: "want" is a piece of the reason. */
static const struct filter_case filter_refusals[] = {
	{ "filters twice", "filters={}&filters={\"label\":{}}", OWNER, "more than once", false },
	{ "filters twice, one empty", "filters=&filters={}", OWNER, "more than once", false },
	{ "mixed forms", "filters={\"label\":[\"a\"],\"status\":{\"running\":true}}", OWNER,
	    "mixes", false },
	{ "filter named twice", "filters={\"label\":{},\"label\":{\"x\":true}}", OWNER, "twice",
	    false },
	{ "filter named twice by escape", "filters={\"label\":{},\"l\\u0061bel\":{}}", OWNER,
	    "twice", false },
	{ "value repeated", "filters={\"label\":{\"a\":true,\"a\":false}}", OWNER, "repeats",
	    false },
	{ "array", "filters=[]", OWNER, "JSON object", false },
	{ "null", "filters=null", OWNER, "JSON object", false },
	{ "string value", "filters={\"label\":\"a=b\"}", OWNER, "list or a set", false },
	{ "number in a set", "filters={\"label\":{\"a\":1}}", OWNER, "true or false", false },
	{ "number in a list", "filters={\"label\":[1]}", OWNER, "strings", false },
	{ "null in a list", "filters={\"label\":[null]}", OWNER, "strings", false },
	{ "not JSON", "filters={label}", OWNER, "not valid JSON", false },
	{ "trailing data", "filters={}x", OWNER, "not valid JSON", false },
	{ "escaped NUL", "filters={\"label\":[\"a\\u0000b\"]}", OWNER, "not valid JSON", false },
	{ "semicolon", "filters={}&a=1;b=2", OWNER, ";", false },
	{ "bad escape", "filters=%zz", OWNER, "percent", false },
	{ "no owner", "", "", "no owner", false },
	{ "owner with control byte", "", "uid:1\n", "control", false },
	{ "owner not UTF-8", "", "cn:\xff", "UTF-8", false },
};

static void
test_filter_rows(void **state)
{
	static const char *const mine[] = { LABEL "=" OWNER, "com.example.team=web" };
	static const char *const theirs[] = { LABEL "=uid:1001", "com.example.team=web" };
	static const char *const nolabel[] = { "com.example.team=web" };
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(filter_cases); i++) {
		const struct filter_case *t = &filter_cases[i];
		struct sw_str q = sw_str_cstr(t->query);
		const char *why = NULL;
		char buf[2048], got[2048];
		int n = pol_own_add_filter(&q, LABEL, t->owner, buf, sizeof(buf), &why);

		if (n < 0) {
			print_error("row \"%s\": refused (%s)\n", t->name, why);
			failed++;
			continue;
		}
		decoded(buf, got, sizeof(got));
		if (strcmp(got, t->want) != 0 || (size_t)n != strlen(buf)) {
			print_error("row \"%s\": got %s\n  want %s\n", t->name, got, t->want);
			failed++;
		}
		/* Everything that means something in a query is %-encoded. */
		if (strpbrk(buf, "{}\":[] ") != NULL) {
			print_error("row \"%s\": not encoded: %s\n", t->name, buf);
			failed++;
		}
		if (strcmp(t->owner, OWNER) != 0)
			continue;
		/* The daemon's reading: others' objects and unlabeled ones never match. */
		if (daemon_matches(buf, theirs, nitems(theirs)) ||
		    daemon_matches(buf, nolabel, nitems(nolabel))) {
			print_error("row \"%s\": the daemon would list others' objects\n", t->name);
			failed++;
		}
		/* And the caller's own object matches unless the client narrowed the list. */
		if (daemon_matches(buf, mine, nitems(mine)) != t->listed) {
			print_error("row \"%s\": the caller's own object %s listed\n", t->name,
			    t->listed ? "would not be" : "would be");
			failed++;
		}
	}
	for (i = 0; i < nitems(filter_refusals); i++) {
		const struct filter_case *t = &filter_refusals[i];
		struct sw_str q = sw_str_cstr(t->query);
		const char *why = NULL;
		char buf[2048];
		int n = pol_own_add_filter(&q, LABEL, t->owner, buf, sizeof(buf), &why);

		if (n != -1 || why == NULL || strstr(why, t->want) == NULL) {
			print_error("row \"%s\": %d (%s), want a refusal with \"%s\"\n", t->name, n,
			    n >= 0 ? buf : why, t->want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed,
		    nitems(filter_cases) + nitems(filter_refusals));
}

/* Bad owner labels are refused whatever the query. */
static void
test_filter_bad_label(void **state)
{
	static const char *const bad[] = { "", "name", "a=b", "io.x.owner!", "com.docker.owner",
		"with space.x" };
	struct sw_str q = SW_STR_NULL;
	const char *why;
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		if (pol_own_add_filter(&q, bad[i], OWNER, buf, sizeof(buf), &why) != -1)
			fail_msg("label \"%s\" accepted", bad[i]);
}

static void
test_filter_small_buffer(void **state)
{
	struct sw_str q = SW_STR_LIT("all=1");
	const char *why = NULL;
	char big[512], small[16];
	int n;

	(void)state;
	n = pol_own_add_filter(&q, LABEL, OWNER, big, sizeof(big), &why);
	if (n <= 0)
		fail_msg("refused: %s", why);
	if (pol_own_add_filter(&q, LABEL, OWNER, small, sizeof(small), &why) != -1 ||
	    strstr(why, "too long") == NULL)
		fail_msg("a small buffer was not refused");
	if (pol_own_add_filter(&q, LABEL, OWNER, big, (size_t)n, &why) != -1)
		fail_msg("a buffer without room for the NUL was accepted");
	if (pol_own_add_filter(&q, LABEL, OWNER, big, (size_t)n + 1, &why) != n)
		fail_msg("the exact size was refused");
}

struct build_case {
	const char *name;
	const char *query;
	const char *want; /* decoded result, or for refusals a piece of the reason */
	bool refused;
};

#define OWN_LABEL "\"" LABEL "\":\"" OWNER "\""

static const struct build_case build_cases[] = {
	{ "no query", "", "nocache=1&labels={" OWN_LABEL "}", false },
	{ "tags kept", "t=app:1&t=app:latest&rm=1",
	    "t=app:1&t=app:latest&rm=1&nocache=1&labels={" OWN_LABEL "}", false },
	{ "labels merged", "labels={\"com.example.team\":\"web\"}&t=x",
	    "labels={\"com.example.team\":\"web\"," OWN_LABEL "}&t=x&nocache=1", false },
	{ "empty labels", "labels=", "labels={" OWN_LABEL "}&nocache=1", false },
	{ "null labels", "labels=null", "labels={" OWN_LABEL "}&nocache=1", false },
	{ "empty object", "labels=%7B%7D", "labels={" OWN_LABEL "}&nocache=1", false },
	/* The shared build cache: only with cachefrom sources (checked later), else nocache=1. */
	{ "nocache 0 overridden", "nocache=0&t=x&nocache=false",
	    "nocache=1&t=x&nocache=1&labels={" OWN_LABEL "}", false },
	{ "cachefrom kept with the cache", "cachefrom=[\"app:1\"]",
	    "cachefrom=[\"app:1\"]&labels={" OWN_LABEL "}", false },
	{ "cachefrom kept, nocache as given", "cachefrom=[\"app:1\"]&nocache=0",
	    "cachefrom=[\"app:1\"]&nocache=0&labels={" OWN_LABEL "}", false },
	{ "empty cachefrom list", "cachefrom=[]", "cachefrom=[]&nocache=1&labels={" OWN_LABEL "}",
	    false },
	{ "cachefrom null", "cachefrom=null", "cachefrom=null&nocache=1&labels={" OWN_LABEL "}",
	    false },
	/* A cachefrom the build's check refuses keeps no cache on the way. */
	{ "cachefrom not JSON", "cachefrom=[", "cachefrom=[&nocache=1&labels={" OWN_LABEL "}",
	    false },
	{ "cachefrom a string", "cachefrom=\"a\"",
	    "cachefrom=\"a\"&nocache=1&labels={" OWN_LABEL "}", false },
	{ "cachefrom empty name", "cachefrom=[\"\"]",
	    "cachefrom=[\"\"]&nocache=1&labels={" OWN_LABEL "}", false },
	{ "cachefrom not a name", "cachefrom=[1]", "cachefrom=[1]&nocache=1&labels={" OWN_LABEL "}",
	    false },
	{ "cachefrom given twice differently", "cachefrom=[\"a\"]&cachefrom=[]",
	    "cachefrom=[\"a\"]&cachefrom=[]&nocache=1&labels={" OWN_LABEL "}", false },
	{ "owner label set", "labels={\"" LABEL "\":\"uid:1001\"}", "owner label", true },
	{ "owner label in another case", "labels={\"IO.Sockwarden.Owner\":\"uid:1001\"}",
	    "owner label", true },
	{ "owner label escaped", "labels={\"io.sockwarden.\\u006fwner\":\"uid:1001\"}",
	    "owner label", true },
	{ "owner label empty value", "labels={\"" LABEL "\":\"\"}", "owner label", true },
	{ "labels twice", "labels={}&labels={}", "more than once", true },
	{ "label twice", "labels={\"a\":\"1\",\"a\":\"2\"}", "twice", true },
	{ "not an object", "labels=[\"a\"]", "JSON object", true },
	{ "number value", "labels={\"a\":1}", "strings", true },
	{ "null value", "labels={\"a\":null}", "strings", true },
	{ "not JSON", "labels={a:b}", "not valid JSON", true },
	{ "network none", "networkmode=none", "networkmode=none&nocache=1&labels={" OWN_LABEL "}",
	    false },
	{ "network host", "networkmode=host", "networkmode=host&nocache=1&labels={" OWN_LABEL "}",
	    false },
	{ "network default", "networkmode=default",
	    "networkmode=default&nocache=1&labels={" OWN_LABEL "}", false },
	{ "network bridge", "networkmode=bridge",
	    "networkmode=bridge&nocache=1&labels={" OWN_LABEL "}", false },
	{ "empty network", "networkmode=", "networkmode=&nocache=1&labels={" OWN_LABEL "}", false },
	{ "user network", "networkmode=my-net", "not checked to be yours", true },
	{ "user network in a second value", "networkmode=none&networkmode=my-net",
	    "not checked to be yours", true },
	{ "network named like container without colon", "networkmode=container",
	    "not checked to be yours", true },
	{ "predefined name in another case is a user network", "networkmode=Host",
	    "not checked to be yours", true },
	{ "network joins a container", "networkmode=container:other", "network namespace", true },
	{ "network joins a container by id", "networkmode=container%3A0123456789ab",
	    "network namespace", true },
	{ "network joins nothing named", "networkmode=container:", "network namespace", true },
	{ "capitalised container: is a user network to the daemon", "networkmode=Container:other",
	    "not checked to be yours", true },
	{ "network joins a container in a second value", "networkmode=none&networkmode=container:x",
	    "network namespace", true },
	{ "network joins a container, labels fine", "labels={}&networkmode=container:x",
	    "network namespace", true },
};

static void
test_build_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(build_cases); i++) {
		const struct build_case *t = &build_cases[i];
		struct sw_str q = sw_str_cstr(t->query);
		const char *why = NULL;
		char buf[1024], got[1024];
		int n = pol_own_add_build_label(&q, LABEL, OWNER, buf, sizeof(buf), &why);

		if (t->refused) {
			if (n != -1 || why == NULL || strstr(why, t->want) == NULL) {
				print_error("row \"%s\": %d (%s), want a refusal with \"%s\"\n",
				    t->name, n, n >= 0 ? buf : why, t->want);
				failed++;
			}
			continue;
		}
		if (n < 0) {
			print_error("row \"%s\": refused (%s)\n", t->name, why);
			failed++;
			continue;
		}
		decoded(buf, got, sizeof(got));
		if (strcmp(got, t->want) != 0) {
			print_error("row \"%s\": got %s\n  want %s\n", t->name, got, t->want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(build_cases));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_rows),
		cmocka_unit_test(test_filter_bad_label),
		cmocka_unit_test(test_filter_small_buffer),
		cmocka_unit_test(test_build_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
