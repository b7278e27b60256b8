/*
 * pol_own_start_refs(): the networks a container joins at start, read from
 * its inspect answer (NetworkSettings.Networks, kept by name), the
 * predefined ones left out; and which endpoints start a container.
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

struct start_case {
	const char *name;
	const char *json;
	int n;            /* -1: refused */
	const char *want; /* the refs' names, comma-separated */
};

static const struct start_case cases[] = {
	{ "one user network",
	    "{\"NetworkSettings\":{\"Networks\":{\"backend\":{\"NetworkID\":\"n1\"}}}}", 1,
	    "backend" },
	{ "predefined networks left out",
	    "{\"NetworkSettings\":{\"Networks\":{\"bridge\":{},\"host\":{},\"none\":{},"
	    "\"default\":{},\"db\":{}}}}",
	    1, "db" },
	{ "several, in order", "{\"NetworkSettings\":{\"Networks\":{\"a\":{},\"7413e532\":{}}}}", 2,
	    "a,7413e532" },
	{ "no networks", "{\"NetworkSettings\":{\"Networks\":{}}}", 0, "" },
	{ "networks null", "{\"NetworkSettings\":{\"Networks\":null}}", 0, "" },
	{ "no network settings", "{\"Id\":\"c1\"}", 0, "" },
	{ "empty name refused", "{\"NetworkSettings\":{\"Networks\":{\"\":{}}}}", -1, NULL },
	{ "not an object", "[]", -1, NULL },
	{ "not JSON", "{\"NetworkSettings\":", -1, NULL },
};

static void
test_start_ref_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		struct pol_own_ref refs[POL_OWN_MAX_REFS];
		char got[512] = "";
		const char *why = NULL;
		int n = pol_own_start_refs(
		    cases[i].json, strlen(cases[i].json), refs, nitems(refs), &why);
		int k;

		if (n != cases[i].n || (n < 0 && why == NULL)) {
			print_error("row \"%s\": %d refs (%s), want %d\n", cases[i].name, n,
			    why ? why : "", cases[i].n);
			failed++;
			continue;
		}
		for (k = 0; k < n; k++) {
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, "%s%s", k ? "," : "", refs[k].ref);
			if (refs[k].type != POL_OBJ_NETWORK || refs[k].field == NULL ||
			    refs[k].name_only || refs[k].unowned_ok) {
				print_error("row \"%s\": ref %d is not a plain network\n",
				    cases[i].name, k);
				failed++;
			}
		}
		if (n >= 0 && strcmp(got, cases[i].want) != 0) {
			print_error(
			    "row \"%s\": \"%s\", want \"%s\"\n", cases[i].name, got, cases[i].want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d rows failed", failed);
}

/* A network name too long to hold whole is refused, never checked cut short. */
static void
test_start_refs_long_name(void **state)
{
	char json[512], name[300];
	struct pol_own_ref refs[4];
	const char *why = NULL;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(json, sizeof(json), "{\"NetworkSettings\":{\"Networks\":{\"%s\":{}}}}", name);
	assert_int_equal(pol_own_start_refs(json, strlen(json), refs, nitems(refs), &why), -1);
	assert_non_null(why);
}

/* More networks than fit are refused, never checked in part. */
static void
test_start_refs_overflow(void **state)
{
	static const char json[] =
	    "{\"NetworkSettings\":{\"Networks\":{\"a\":{},\"b\":{},\"c\":{}}}}";
	struct pol_own_ref refs[2];
	const char *why = NULL;

	(void)state;
	assert_int_equal(pol_own_start_refs(json, strlen(json), refs, nitems(refs), &why), -1);
	assert_non_null(why);
}

static void
test_start_endpoints(void **state)
{
	(void)state;
	assert_true(pol_own_start_joins_networks(pol_ep_lookup("ContainerStart")));
	assert_true(pol_own_start_joins_networks(pol_ep_lookup("ContainerRestart")));
	assert_false(pol_own_start_joins_networks(pol_ep_lookup("ContainerStop")));
	assert_false(pol_own_start_joins_networks(pol_ep_lookup("ContainerUnpause")));
	assert_false(pol_own_start_joins_networks(pol_ep_lookup("NetworkConnect")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_ref_rows),
		cmocka_unit_test(test_start_refs_overflow),
		cmocka_unit_test(test_start_refs_long_name),
		cmocka_unit_test(test_start_endpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
