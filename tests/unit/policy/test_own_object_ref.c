/*
 * pol_own_object_ref(): the reference an OBJECT lookup resolves is the
 * object the daemon acts on.  A push's "tag" parameter replaces the name's
 * tag; a name-only push or save (every tag of the repository) is refused;
 * every other endpoint looks up its path's reference as routed.
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

struct ref_case {
	const char *name;
	const char *method, *path, *query; /* canonical path, no version prefix */
	const char *want;                  /* NULL: refused with want_status */
	int want_status;
};

static const struct ref_case cases[] = {
	/* push: the docker CLI sends the name in the path and the tag in the query */
	{ "push, tag in the query", "POST", "/images/reg:5000/app/push", "tag=v1",
	    "reg:5000/app:v1", 0 },
	{ "push, the query's tag replaces the path's", "POST", "/images/reg:5000/app:latest/push",
	    "tag=v1", "reg:5000/app:v1", 0 },
	{ "push, familiar name normalised", "POST", "/images/app/push", "tag=v1",
	    "docker.io/library/app:v1", 0 },
	{ "push, first tag value is Go's", "POST", "/images/app/push", "tag=v1&tag=v2",
	    "docker.io/library/app:v1", 0 },
	{ "push, tag in the path only", "POST", "/images/reg:5000/app:v1/push", "",
	    "reg:5000/app:v1", 0 },
	{ "push, empty tag is no tag", "POST", "/images/reg:5000/app:v1/push",
	    "tag=", "reg:5000/app:v1", 0 },
	{ "push, by digest", "POST",
	    "/images/app@sha256:"
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef"
	    "/push",
	    "",
	    "app@sha256:"
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef",
	    0 },
	{ "push, name only: every tag", "POST", "/images/reg:5000/app/push", "", NULL, 403 },
	{ "push, name only with other parameters", "POST", "/images/app/push", "platform=x", NULL,
	    403 },
	{ "push, tag with a slash", "POST", "/images/app/push", "tag=a/b", NULL, 400 },
	{ "push, tag with a colon", "POST", "/images/app/push", "tag=a:b", NULL, 400 },
	{ "push, digest and tag", "POST",
	    "/images/app@sha256:"
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef"
	    "/push",
	    "tag=v1", NULL, 400 },
	{ "push, malformed query", "POST", "/images/app:v1/push", "tag=%zz", NULL, 400 },
	{ "push, ';' in the query", "POST", "/images/app/push", "x=1;tag=v1", NULL, 400 },
	{ "push, a name the daemon cannot parse", "POST", "/images/App/push", "tag=v1", NULL, 400 },
	/* save of one image */
	{ "save, name and tag", "GET", "/images/app:v1/get", "", "app:v1", 0 },
	{ "save, full id", "GET",
	    "/images/sha256:"
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef"
	    "/get",
	    "",
	    "sha256:"
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef",
	    0 },
	{ "save, name only: every tag", "GET", "/images/app/get", "", NULL, 403 },
	{ "save, id prefix reads as a name first", "GET", "/images/6a9a/get", "", NULL, 403 },
	{ "save, a name the daemon cannot parse", "GET", "/images/App:v1/get", "", NULL, 400 },
	/* everything else: the path's reference as routed */
	{ "inspect keeps its reference", "GET", "/images/app/json", "", "app", 0 },
	{ "image delete by name only", "DELETE", "/images/app", "", "app", 0 },
	{ "container by name", "POST", "/containers/web/start", "", "web", 0 },
	{ "tag parameter elsewhere is not read", "POST", "/images/app/tag", "repo=x&tag=y", "app",
	    0 },
};

static void
test_object_ref_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		const struct ref_case *t = &cases[i];
		struct sw_req r;
		char buf[256] = "junk";
		const char *why = NULL;
		int status = -7, rc;

		memset(&r, 0, sizeof(r));
		r.method = sw_str_cstr(t->method);
		r.path = sw_str_cstr(t->path);
		r.query = sw_str_cstr(t->query);
		r.version = SW_STR_LIT("1.44");
		r.endpoint = pol_ep_match(&r.method, &r.path, &r.ref);
		if (r.endpoint == POL_EP_UNKNOWN) {
			print_error("row \"%s\": the path does not route\n", t->name);
			failed++;
			continue;
		}
		rc = pol_own_object_ref(&r, buf, sizeof(buf), &status, &why);
		if (t->want == NULL) {
			if (rc != -1 || status != t->want_status || why == NULL) {
				print_error(
				    "row \"%s\": rc %d status %d \"%s\", want a %d refusal\n",
				    t->name, rc, status, rc == 0 ? buf : (why ? why : "?"),
				    t->want_status);
				failed++;
			}
			continue;
		}
		if (rc != 0 || strcmp(buf, t->want) != 0) {
			print_error("row \"%s\": rc %d \"%s\" (%s), want \"%s\"\n", t->name, rc,
			    buf, why ? why : "", t->want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(cases));
}

/* A reference that does not fit is refused, never cut short. */
static void
test_object_ref_too_long(void **state)
{
	struct sw_req r;
	char buf[8];
	const char *why = NULL;
	int status = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = SW_STR_LIT("GET");
	r.path = SW_STR_LIT("/containers/a-long-name/json");
	r.version = SW_STR_LIT("1.44");
	r.endpoint = pol_ep_match(&r.method, &r.path, &r.ref);
	assert_int_equal(pol_own_object_ref(&r, buf, sizeof(buf), &status, &why), -1);
	assert_int_equal(status, 400);
	assert_non_null(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_ref_rows),
		cmocka_unit_test(test_object_ref_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
