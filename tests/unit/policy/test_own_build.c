/*
 * own_build.c: a build's query under ownership (BuildKit and remote
 * contexts refused, the dockerfile, buildargs and pull read, cachefrom
 * images listed) and the ONBUILD triggers of an image built on.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

struct query_row {
	const char *name;
	const char *query;
	int refs;               /* -1: refused */
	const char *why;        /* refused: a piece of the reason */
	const char *dockerfile; /* accepted: what was read */
	const char *buildargs;
	bool pull;
	const char *first_ref; /* accepted with refs: the first cachefrom image */
};

static const struct query_row query_rows[] = {
	{ "plain", "t=app&dockerfile=Dockerfile", 0, NULL, "Dockerfile", "", false, NULL },
	{ "empty", "", 0, NULL, "", "", false, NULL },
	{ "version 1", "version=1", 0, NULL, "", "", false, NULL },
	{ "version empty", "version=", 0, NULL, "", "", false, NULL },
	{ "buildkit", "version=2&session=abc", -1, "BuildKit builds", NULL, NULL, false, NULL },
	{ "buildkit second value", "version=1&version=2", -1, "BuildKit", NULL, NULL, false, NULL },
	{ "unknown version", "version=3", -1, "BuildKit", NULL, NULL, false, NULL },
	{ "remote url", "remote=https%3A%2F%2Fexample.org%2Fc.tar", -1, "remote build context",
	    NULL, NULL, false, NULL },
	{ "remote client-session", "remote=client-session", -1, "remote", NULL, NULL, false, NULL },
	{ "remote empty", "remote=", 0, NULL, "", "", false, NULL },
	{ "dockerfile twice same", "dockerfile=a&dockerfile=a", 0, NULL, "a", "", false, NULL },
	{ "dockerfile twice different", "dockerfile=a&dockerfile=b", -1, "more than once", NULL,
	    NULL, false, NULL },
	{ "buildargs", "buildargs=%7B%22A%22%3A%22b%22%7D", 0, NULL, "", "{\"A\":\"b\"}", false,
	    NULL },
	{ "buildargs twice different", "buildargs=%7B%7D&buildargs=null", -1, "more than once",
	    NULL, NULL, false, NULL },
	{ "pull 1", "pull=1", 0, NULL, "", "", true, NULL },
	{ "pull true spaced", "pull=+True+", 0, NULL, "", "", true, NULL },
	{ "pull false", "pull=false", 0, NULL, "", "", false, NULL },
	{ "pull none", "pull=NONE", 0, NULL, "", "", false, NULL },
	{ "pull second value true", "pull=0&pull=yes", 0, NULL, "", "", true, NULL },
	{ "cachefrom", "cachefrom=%5B%22app%3Av1%22%2C%22base%22%5D", 2, NULL, "", "", false,
	    "app:v1" },
	{ "cachefrom null", "cachefrom=null", 0, NULL, "", "", false, NULL },
	{ "cachefrom not json", "cachefrom=%5B", -1, "not valid JSON", NULL, NULL, false, NULL },
	{ "cachefrom object", "cachefrom=%7B%7D", -1, "JSON list of image names", NULL, NULL, false,
	    NULL },
	{ "cachefrom number", "cachefrom=%5B1%5D", -1, "JSON list", NULL, NULL, false, NULL },
	{ "cachefrom empty name", "cachefrom=%5B%22%22%5D", -1, "JSON list", NULL, NULL, false,
	    NULL },
	{ "cachefrom twice different", "cachefrom=%5B%5D&cachefrom=null", -1, "more than once",
	    NULL, NULL, false, NULL },
	{ "bad query", "a=%zz", -1, "malformed percent-escape", NULL, NULL, false, NULL },
	{ "remote second value", "remote=&remote=x", -1, "remote build context", NULL, NULL, false,
	    NULL },
	{ "version empty then 2", "version=&version=2", -1, "BuildKit", NULL, NULL, false, NULL },
	{ "cachefrom empty", "cachefrom=", 0, NULL, "", "", false, NULL },
	{ "cachefrom empty list", "cachefrom=%5B%5D", 0, NULL, "", "", false, NULL },
	{ "cachefrom string", "cachefrom=%22a%22", -1, "JSON list", NULL, NULL, false, NULL },
	{ "cachefrom twice same", "cachefrom=%5B%22a%22%5D&cachefrom=%5B%22a%22%5D", 1, NULL, "",
	    "", false, "a" },
	{ "pull empty", "pull=", 0, NULL, "", "", false, NULL },
	{ "pull longer than any false word", "pull=falsefalse", 0, NULL, "", "", true, NULL },
};

static void
test_build_query(void **state)
{
	struct pol_own_build_params p;
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < nitems(query_rows); i++) {
		const struct query_row *r = &query_rows[i];
		struct sw_str q = sw_str_cstr(r->query);
		const char *why = NULL;
		int rc = pol_own_build_query(&q, &p, &why);
		bool ok;

		if (r->refs < 0) {
			ok = rc == -1 && why != NULL && strstr(why, r->why) != NULL &&
			     p.dockerfile == NULL && p.buildargs == NULL && p.cache.n == 0;
		} else {
			ok = rc == 0 && p.cache.n == (size_t)r->refs &&
			     strcmp(p.dockerfile, r->dockerfile) == 0 &&
			     strcmp(p.buildargs, r->buildargs) == 0 && p.pull == r->pull &&
			     (r->first_ref == NULL || strcmp(p.cache.ref[0], r->first_ref) == 0);
		}
		if (!ok) {
			fprintf(stderr, "row \"%s\": got %d, %zu images (%s)\n", r->name, rc,
			    p.cache.n, why ? why : "-");
			fails++;
		}
		pol_own_build_params_free(&p);
	}
	assert_int_equal(fails, 0);
}

/* More cachefrom images than a build's check looks up: refused, the limit itself taken. */
static void
test_build_query_too_many(void **state)
{
	struct pol_own_build_params p;
	char text[64 * (POL_OWN_MAX_REFS + 1)];
	const char *why = NULL;
	size_t len, n;

	(void)state;
	for (n = POL_OWN_MAX_REFS; n <= POL_OWN_MAX_REFS + 1; n++) {
		struct sw_str q;
		size_t i;

		len = (size_t)snprintf(text, sizeof(text), "cachefrom=%%5B");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%%22img%zu%%22",
			    i > 0 ? "%2C" : "", i);
		snprintf(text + len, sizeof(text) - len, "%%5D");
		q = sw_str_cstr(text);
		why = NULL;
		if (n == POL_OWN_MAX_REFS) {
			assert_int_equal(pol_own_build_query(&q, &p, &why), 0);
			assert_int_equal(p.cache.n, POL_OWN_MAX_REFS);
			snprintf(text, sizeof(text), "img%zu", n - 1);
			assert_string_equal(p.cache.ref[n - 1], text);
			pol_own_build_params_free(&p);
		} else {
			assert_int_equal(pol_own_build_query(&q, &p, &why), -1);
			assert_non_null(strstr(why, "too many images"));
		}
	}
}

/* Any platform that is not empty may make the daemon pull a base image again. */
static void
test_build_query_platform(void **state)
{
	static const struct {
		const char *query;
		bool platform;
	} plats[] = {
		{ "", false },
		{ "platform=", false },
		{ "platform=linux%2Farm64", true },
		{ "platform=&platform=linux%2Famd64", true },
		{ "platform=linux%2Famd64&pull=0", true },
	};
	struct pol_own_build_params p;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(plats); i++) {
		struct sw_str q = sw_str_cstr(plats[i].query);
		const char *why = NULL;

		assert_int_equal(pol_own_build_query(&q, &p, &why), 0);
		if (p.platform != plats[i].platform || p.pull)
			fail_msg(
			    "\"%s\": platform %d, pull %d", plats[i].query, p.platform, p.pull);
		pol_own_build_params_free(&p);
	}
}

struct onbuild_row {
	const char *name;
	const char *json;
	bool copies;
};

static const struct onbuild_row onbuild_rows[] = {
	{ "no triggers", "{\"Config\":{\"OnBuild\":null}}", false },
	{ "no config", "{\"Id\":\"sha256:ab\"}", false },
	{ "harmless triggers", "{\"Config\":{\"OnBuild\":[\"RUN make\",\"COPY . /src\"]}}", false },
	{ "copy from", "{\"Config\":{\"OnBuild\":[\"COPY --from=other /f /f\"]}}", true },
	{ "copy from upper case", "{\"Config\":{\"OnBuild\":[\"copy --FROM=other /f /f\"]}}",
	    true },
	{ "in container config", "{\"ContainerConfig\":{\"OnBuild\":[\"ADD --from=x / /\"]}}",
	    true },
	{ "flag name in quotes", "{\"Config\":{\"OnBuild\":[\"COPY --\\\"from\\\"=x / /\"]}}",
	    true },
	{ "flag name in single quotes", "{\"Config\":{\"OnBuild\":[\"COPY --fr'om'=x / /\"]}}",
	    true },
	{ "flag name escaped", "{\"Config\":{\"OnBuild\":[\"COPY --\\\\from=x / /\"]}}", true },
	{ "a path named from", "{\"Config\":{\"OnBuild\":[\"COPY from /from\"]}}", false },
	{ "not a string", "{\"Config\":{\"OnBuild\":[1]}}", true },
	{ "not json", "{", true },
	{ "not an object", "[]", true },
};

static void
test_onbuild(void **state)
{
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < nitems(onbuild_rows); i++) {
		const struct onbuild_row *r = &onbuild_rows[i];

		if (pol_own_image_onbuild_copies(r->json, strlen(r->json)) != r->copies) {
			fprintf(stderr, "row \"%s\": expected %s\n", r->name,
			    r->copies ? "copies" : "harmless");
			fails++;
		}
	}
	assert_int_equal(fails, 0);
}

static void
test_id_prefix(void **state)
{
	static const struct {
		const char *ref;
		bool prefix;
	} rows[] = {
		{ "d9", true },
		{ "0", true },
		{ "deadbeef", true },
		{ "sha256:d9", true },
		{ "sha256:", true },
		{ "d9:latest", false },
		{ "D9", false },
		{ "busybox", false },
		{ "app/d9", false },
		{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		    false },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", true },
		{ "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		    false },
	};
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		if (pol_own_build_ref_is_id_prefix(rows[i].ref) != rows[i].prefix) {
			fprintf(stderr, "row \"%s\": expected %s\n", rows[i].ref,
			    rows[i].prefix ? "a prefix" : "no prefix");
			fails++;
		}
	}
	assert_int_equal(fails, 0);
}

static void
test_image_is_named(void **state)
{
	static const struct {
		const char *name, *json;
		bool named;
	} rows[] = {
		{ "tagged", "{\"RepoTags\":[\"busybox:sw\"],\"RepoDigests\":[]}", true },
		{ "pulled by digest", "{\"RepoTags\":[],\"RepoDigests\":[\"b@sha256:ab\"]}", true },
		{ "intermediate", "{\"RepoTags\":[],\"RepoDigests\":[],\"Parent\":\"sha256:ab\"}",
		    false },
		{ "null lists", "{\"RepoTags\":null,\"RepoDigests\":null}", false },
		{ "no lists", "{\"Id\":\"sha256:ab\"}", false },
		{ "not an object", "[]", false },
		{ "not json", "{", false },
	};
	size_t i;
	int fails = 0;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		if (pol_own_image_is_named(rows[i].json, strlen(rows[i].json)) != rows[i].named) {
			fprintf(stderr, "row \"%s\": expected %s\n", rows[i].name,
			    rows[i].named ? "named" : "unnamed");
			fails++;
		}
	}
	assert_int_equal(fails, 0);
}

static void
test_reads_build_context(void **state)
{
	(void)state;
	assert_true(pol_own_reads_build_context(pol_ep_lookup("ImageBuild")));
	assert_false(pol_own_reads_build_context(pol_ep_lookup("ImageCreate")));
	assert_false(pol_own_reads_build_context(-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_query),
		cmocka_unit_test(test_build_query_too_many),
		cmocka_unit_test(test_build_query_platform),
		cmocka_unit_test(test_onbuild),
		cmocka_unit_test(test_id_prefix),
		cmocka_unit_test(test_image_is_named),
		cmocka_unit_test(test_reads_build_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
