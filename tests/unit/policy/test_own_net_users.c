/*
 * own_net_users.c: the daemon path that lists the containers naming a
 * network (by its Name and Id, stopped ones included), read back as the
 * daemon reads it; the count of a list answer; the endpoint it applies to.
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

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "query.h"
#include "query_decoded.h"

#define NET_ID "7413e53219a3aa0e9f0a5b5a53219a3aa0e9f0a5b5a53219a3aa0e9f0a5b5a5f"

static void
test_users_path(void **state)
{
	static const char json[] =
	    "{\"Name\":\"backend\",\"Id\":\"" NET_ID "\",\"Driver\":\"bridge\"}";
	char path[1024], name[64], got[1024];
	int n;

	(void)state;
	n = pol_own_network_users_path(json, strlen(json), path, sizeof(path), name, sizeof(name));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(path));
	assert_string_equal(name, "backend");
	assert_int_equal(strncmp(path, "/containers/json?", 17), 0);
	decoded(path + 17, got, sizeof(got));
	assert_string_equal(got, "all=1&filters={\"network\":[\"backend\",\"" NET_ID "\"]}");
}

/* A name that JSON must escape is written as JSON, and the query escaped once. */
static void
test_users_path_escapes(void **state)
{
	static const char json[] = "{\"Name\":\"a\\\"b&c d\",\"Id\":\"ab12\"}";
	char path[1024], name[64], got[1024];

	(void)state;
	assert_true(pol_own_network_users_path(
	                json, strlen(json), path, sizeof(path), name, sizeof(name)) > 0);
	assert_string_equal(name, "a\"b&c d");
	assert_null(strchr(path + 17, ' '));
	decoded(path + 17, got, sizeof(got));
	assert_string_equal(got, "all=1&filters={\"network\":[\"a\\\"b&c d\",\"ab12\"]}");
}

static void
test_users_path_refusals(void **state)
{
	static const struct {
		const char *name, *json;
		size_t pathsz, namesz;
	} rows[] = {
		{ "no name", "{\"Id\":\"ab\"}", 1024, 64 },
		{ "empty name", "{\"Name\":\"\",\"Id\":\"ab\"}", 1024, 64 },
		{ "no id", "{\"Name\":\"n\"}", 1024, 64 },
		{ "name not a string", "{\"Name\":7,\"Id\":\"ab\"}", 1024, 64 },
		{ "not an object", "[]", 1024, 64 },
		{ "not JSON", "{\"Name\":", 1024, 64 },
		{ "name does not fit", "{\"Name\":\"longer-than-eight\",\"Id\":\"ab\"}", 1024, 8 },
		{ "path does not fit", "{\"Name\":\"n\",\"Id\":\"" NET_ID "\"}", 40, 64 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		char path[1024] = "junk", name[64] = "junk";

		if (pol_own_network_users_path(rows[i].json, strlen(rows[i].json), path,
		        rows[i].pathsz, name, rows[i].namesz) != -1 ||
		    path[0] != '\0')
			fail_msg("row \"%s\": accepted (\"%s\")", rows[i].name, path);
	}
}

static void
test_list_count(void **state)
{
	(void)state;
	assert_int_equal(pol_own_list_count("[]", 2), 0);
	assert_int_equal(pol_own_list_count("[{\"Id\":\"a\"},{\"Id\":\"b\"}]", 25), 2);
	assert_int_equal(pol_own_list_count("{}", 2), -1);
	assert_int_equal(pol_own_list_count("[", 1), -1);
	assert_int_equal(pol_own_list_count("", 0), -1);
}

static void
test_delete_endpoints(void **state)
{
	(void)state;
	assert_true(pol_own_delete_checks_users(pol_ep_lookup("NetworkDelete")));
	assert_false(pol_own_delete_checks_users(pol_ep_lookup("VolumeDelete")));
	assert_false(pol_own_delete_checks_users(pol_ep_lookup("ContainerDelete")));
}

/* A prune's check: the containers without an endpoint naming any of the caller's networks. */
static void
test_prune_users_path(void **state)
{
	static const char json[] = "[{\"Name\":\"front\",\"Id\":\"" NET_ID "\"},"
	                           "{\"Name\":\"back\",\"Id\":\"ab12\",\"Driver\":\"bridge\"}]";
	char got[1024], *path;
	int n = 7;

	(void)state;
	path = pol_own_prune_users_path(json, strlen(json), &n);
	assert_non_null(path);
	assert_int_equal(n, 2);
	assert_int_equal(strncmp(path, "/containers/json?", 17), 0);
	assert_null(strchr(path, ' '));
	decoded(path + 17, got, sizeof(got));
	assert_string_equal(got,
	    "all=1&filters={\"network\":[\"front\",\"" NET_ID "\",\"back\",\"ab12\"],"
	    "\"status\":[\"created\",\"exited\",\"dead\",\"restarting\"]}");
	free(path);
}

static void
test_prune_users_path_rows(void **state)
{
	static const struct {
		const char *name, *json;
		int n;
	} rows[] = {
		{ "no networks", "[]", 0 },
		{ "not a list", "{}", -1 },
		{ "not JSON", "[", -1 },
		{ "entry without an id", "[{\"Name\":\"a\"}]", -1 },
		{ "entry with an empty id", "[{\"Name\":\"a\",\"Id\":\"\"}]", -1 },
		{ "entry with an empty name", "[{\"Name\":\"\",\"Id\":\"ab\"}]", -1 },
		{ "name not a string", "[{\"Name\":1,\"Id\":\"ab\"}]", -1 },
		{ "entry not an object", "[\"a\"]", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		int n = 7;
		char *path = pol_own_prune_users_path(rows[i].json, strlen(rows[i].json), &n);

		if (path != NULL || n != rows[i].n)
			fail_msg("row \"%s\": n %d, path %s", rows[i].name, n, path ? path : "-");
	}
	assert_true(pol_own_prune_checks_users(pol_ep_lookup("NetworkPrune")));
	assert_false(pol_own_prune_checks_users(pol_ep_lookup("NetworkDelete")));
	assert_false(pol_own_prune_checks_users(pol_ep_lookup("VolumePrune")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_users_path),
		cmocka_unit_test(test_users_path_escapes),
		cmocka_unit_test(test_users_path_refusals),
		cmocka_unit_test(test_list_count),
		cmocka_unit_test(test_delete_endpoints),
		cmocka_unit_test(test_prune_users_path),
		cmocka_unit_test(test_prune_users_path_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
