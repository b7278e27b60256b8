/*
 * pol_own_body_refs(): the other objects a create or a network connect names,
 * which ownership isolation must check belong to the caller too.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

struct row {
	const char *name;
	const char *ep;
	const char *body;
	int n;            /* expected count, -1 for a refusal */
	const char *want; /* "type:ref,type:ref" in order (c, v, n for the types) */
};

static const struct row rows[] = {
	{ "no references", "ContainerCreate", "{\"Image\":\"bb\"}", 0, "" },
	{ "network mode container", "ContainerCreate",
	    "{\"HostConfig\":{\"NetworkMode\":\"container:web\"}}", 1, "c:web" },
	{ "pid and ipc joins", "ContainerCreate",
	    "{\"HostConfig\":{\"PidMode\":\"container:a\",\"IpcMode\":\"container:b\"}}", 2,
	    "c:a,c:b" },
	{ "host pid is not a reference", "ContainerCreate",
	    "{\"HostConfig\":{\"PidMode\":\"host\"}}", 0, "" },
	{ "volumes from with mode", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"data:ro\",\"logs\"]}}", 2, "c:data,c:logs" },
	{ "links with alias and slash", "ContainerCreate",
	    "{\"HostConfig\":{\"Links\":[\"/db:database\"]}}", 1, "c:db" },
	{ "named volume bind", "ContainerCreate",
	    "{\"HostConfig\":{\"Binds\":[\"cache:/cache:rw\",\"/srv:/srv\"]}}", 1, "v:cache" },
	{ "volume mount", "ContainerCreate",
	    "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vol1\",\"Target\":\"/d\"},"
	    "{\"Type\":\"bind\",\"Source\":\"/x\",\"Target\":\"/x\"}]}}",
	    1, "v:vol1" },
	{ "user network mode", "ContainerCreate", "{\"HostConfig\":{\"NetworkMode\":\"backend\"}}",
	    1, "n:backend" },
	{ "predefined networks skipped", "ContainerCreate",
	    "{\"HostConfig\":{\"NetworkMode\":\"bridge\"},\"NetworkingConfig\":{\"EndpointsConfig\":"
	    "{\"none\":{},\"host\":{}}}}",
	    0, "" },
	{ "endpoints config network and links", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"front\":{\"Links\":[\"api:api\"]}}}}", 2,
	    "n:front,c:api" },
	{ "legacy top-level fields", "ContainerCreate",
	    "{\"VolumesFrom\":[\"old\"],\"Binds\":[\"v2:/v\"]}", 2, "c:old,v:v2" },
	{ "duplicates once", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"],\"PidMode\":\"container:a\"}}", 1, "c:a" },
	{ "network connect container", "NetworkConnect",
	    "{\"Container\":\"web\",\"EndpointConfig\":{\"Links\":[\"db\"]}}", 2, "c:web,c:db" },
	{ "network create config from", "NetworkCreate",
	    "{\"Name\":\"n\",\"ConfigFrom\":{\"Network\":\"cfg\"}}", 1, "n:cfg" },
	{ "network create config from predefined name still checked", "NetworkCreate",
	    "{\"Name\":\"n\",\"ConfigFrom\":{\"Network\":\"bridge\"}}", 1, "n:bridge" },
	{ "network create without config from", "NetworkCreate",
	    "{\"Name\":\"n\",\"Driver\":\"bridge\",\"ConfigOnly\":true}", 0, "" },
	{ "network create empty config from", "NetworkCreate",
	    "{\"Name\":\"n\",\"ConfigFrom\":{\"Network\":\"\"}}", 0, "" },
	{ "network create null config from", "NetworkCreate",
	    "{\"Name\":\"n\",\"ConfigFrom\":null}", 0, "" },
	{ "network create not an object", "NetworkCreate", "\"n\"", -1, "" },
	{ "other endpoint has none", "VolumeCreate", "{\"Name\":\"x\"}", 0, "" },
	{ "not an object", "ContainerCreate", "[1]", -1, "" },
};

static char
type_letter(enum pol_own_type t)
{
	return t == POL_OBJ_CONTAINER ? 'c' :
	       t == POL_OBJ_VOLUME    ? 'v' :
	       t == POL_OBJ_NETWORK   ? 'n' :
	                                '?';
}

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];
		struct pol_own_ref refs[POL_OWN_MAX_REFS];
		const char *why = NULL;
		char got[512] = "";
		int n, k;

		n = pol_own_body_refs(
		    pol_ep_lookup(r->ep), r->body, strlen(r->body), refs, nitems(refs), &why);
		if (n != r->n)
			fail_msg("%s: %d references, want %d", r->name, n, r->n);
		if (n < 0) {
			if (why == NULL)
				fail_msg("%s: refused without a reason", r->name);
			continue;
		}
		for (k = 0; k < n; k++) {
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, "%s%c:%s", k ? "," : "",
			    type_letter(refs[k].type), refs[k].ref);
			if (refs[k].field == NULL)
				fail_msg("%s: reference %d has no field name", r->name, k);
		}
		if (strcmp(got, r->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", r->name, got, r->want);
	}
}

static void
test_too_many(void **state)
{
	struct pol_own_ref refs[2];
	const char *why = NULL;
	const char *body = "{\"HostConfig\":{\"VolumesFrom\":[\"a\",\"b\",\"c\"]}}";

	(void)state;
	assert_int_equal(pol_own_body_refs(pol_ep_lookup("ContainerCreate"), body, strlen(body),
	                     refs, nitems(refs), &why),
	    -1);
	assert_non_null(why);
}

/* A network made --config-from takes the config network's labels, owner label included. */
static void
test_labels_inherited(void **state)
{
	static const struct {
		const char *name, *ep, *body;
		bool want;
	} inh[] = {
		{ "config from", "NetworkCreate", "{\"ConfigFrom\":{\"Network\":\"cfg\"}}", true },
		{ "no config from", "NetworkCreate", "{\"Name\":\"n\"}", false },
		{ "empty config from is ignored", "NetworkCreate",
		    "{\"ConfigFrom\":{\"Network\":\"\"}}", false },
		{ "null config from", "NetworkCreate", "{\"ConfigFrom\":null}", false },
		{ "config only network labels itself", "NetworkCreate", "{\"ConfigOnly\":true}",
		    false },
		{ "not a network create", "VolumeCreate", "{\"ConfigFrom\":{\"Network\":\"cfg\"}}",
		    false },
		{ "no body", "NetworkCreate", "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(inh); i++) {
		bool got = pol_own_labels_inherited(
		    pol_ep_lookup(inh[i].ep), inh[i].body, strlen(inh[i].body));

		if (got != inh[i].want)
			fail_msg("%s: inherited %d, want %d", inh[i].name, got, inh[i].want);
		/* Whenever the owner comes from the config network, that network is checked. */
		if (got) {
			struct pol_own_ref refs[4];
			const char *why = NULL;

			if (pol_own_body_refs(pol_ep_lookup(inh[i].ep), inh[i].body,
			        strlen(inh[i].body), refs, nitems(refs), &why) != 1 ||
			    strcmp(refs[0].field, "ConfigFrom.Network") != 0)
				fail_msg(
				    "%s: the config network is not among the refs", inh[i].name);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_labels_inherited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
