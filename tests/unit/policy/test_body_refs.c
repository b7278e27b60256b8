/*
 * pol_own_read_body(): the other objects a create, a network connect or a
 * network disconnect names, which ownership isolation must check belong to
 * the caller too, and pol_own_pin_refs(): the body that goes up names each
 * container and network by its id.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#define LABEL "io.sockwarden.owner"
#define OWNER "uid:1000"

struct row {
	const char *name;
	const char *ep;
	const char *body;
	int n;            /* expected count, -1 for a refusal */
	const char *want; /* "type:ref,type:ref" in order (c, v, n for the types) */
};

static const struct row rows[] = {
	/* Image is a reference too: test_own_image_ref.c. */
	{ "no references", "ContainerCreate", "{\"Cmd\":[\"true\"]}", 0, "" },
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
	/* getNetworkID: on a user-defined network's endpoint, the network attached to. */
	{ "endpoint network id", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"front\":{\"NetworkID\":\"other\"}}}}", 2,
	    "n:front,n:other" },
	{ "endpoint network id of a predefined network is not read", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"NetworkID\":\"other\"}}}}",
	    0, "" },
	{ "empty endpoint network id", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"front\":{\"NetworkID\":\"\"}}}}", 1,
	    "n:front" },
	{ "endpoint network id naming its key once", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"front\":{\"NetworkID\":\"front\"}}}}", 1,
	    "n:front" },
	{ "legacy top-level fields", "ContainerCreate",
	    "{\"VolumesFrom\":[\"old\"],\"Binds\":[\"v2:/v\"]}", 2, "c:old,v:v2" },
	{ "duplicates once", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"],\"PidMode\":\"container:a\"}}", 1, "c:a" },
	{ "network connect container", "NetworkConnect",
	    "{\"Container\":\"web\",\"EndpointConfig\":{\"Links\":[\"db\"]}}", 2, "c:web,c:db" },
	{ "network connect endpoint network id", "NetworkConnect",
	    "{\"Container\":\"web\",\"EndpointConfig\":{\"NetworkID\":\"other\"}}", 2,
	    "c:web,n:other" },
	/*
	 * NetworkDisconnect: Container, by name or id prefix, Force or not.
	 * Nothing is collected where the daemon acts on no container: it
	 * refuses "" (and a missing Container, which reads as ""), and a value
	 * that is not a string fails its decoding (the inspector refused it
	 * first).  EndpointConfig means nothing to a disconnect.
	 */
	{ "network disconnect container by name", "NetworkDisconnect",
	    "{\"Container\":\"web\",\"Force\":false}", 1, "c:web" },
	{ "network disconnect container by id prefix", "NetworkDisconnect",
	    "{\"Container\":\"3f2a9c\"}", 1, "c:3f2a9c" },
	{ "network disconnect with force", "NetworkDisconnect",
	    "{\"Container\":\"web\",\"Force\":true}", 1, "c:web" },
	{ "network disconnect without container", "NetworkDisconnect", "{\"Force\":true}", 0, "" },
	{ "network disconnect empty container", "NetworkDisconnect",
	    "{\"Container\":\"\",\"Force\":true}", 0, "" },
	{ "network disconnect null container", "NetworkDisconnect", "{\"Container\":null}", 0, "" },
	{ "network disconnect container a number", "NetworkDisconnect", "{\"Container\":1}", 0,
	    "" },
	{ "network disconnect container a list", "NetworkDisconnect", "{\"Container\":[\"web\"]}",
	    0, "" },
	{ "network disconnect endpoint config not read", "NetworkDisconnect",
	    "{\"Container\":\"web\",\"EndpointConfig\":{\"NetworkID\":\"o\"}}", 1, "c:web" },
	{ "network disconnect no body", "NetworkDisconnect", "", 0, "" },
	{ "network disconnect not an object", "NetworkDisconnect", "[\"web\"]", -1, "" },
	{ "network disconnect not JSON", "NetworkDisconnect", "{\"Container\":", -1, "" },
	/* "" names no network: refused at once, never left to the daemon's prefix match. */
	{ "endpoints config key empty", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"\":{}}}}", -1, "" },
	{ "endpoints config key empty beside others", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"]},\"NetworkingConfig\":{\"EndpointsConfig\":"
	    "{\"front\":{},\"\":{\"Aliases\":[\"x\"]}}}}",
	    -1, "" },
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
	{ "not JSON", "NetworkConnect", "{\"Container\":", -1, "" },
	{ "trailing data", "NetworkConnect", "{\"Container\":\"a\"}{}", -1, "" },
	{ "an endpoint whose body is not read", "ContainerUpdate", "{}", -1, "" },
};

/* pol_own_read_body() for its refs; the labelled body of a create is dropped. */
static int
read_refs(const char *ep, const char *body, size_t len, struct pol_own_ref *refs, size_t max,
    const char **why)
{
	char *out = NULL;
	size_t outlen = 0;
	int n = pol_own_read_body(
	    pol_ep_lookup(ep), body, len, LABEL, OWNER, refs, max, &out, &outlen, why);

	free(out);
	return n;
}

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

		n = read_refs(r->ep, r->body, strlen(r->body), refs, nitems(refs), &why);
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
			/* The daemon takes only ConfigFrom.Network by name alone. */
			else if (refs[k].name_only !=
			         (strcmp(refs[k].field, "ConfigFrom.Network") == 0))
				fail_msg("%s: reference %d (%s) name_only %d", r->name, k,
				    refs[k].field, refs[k].name_only);
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
	assert_int_equal(
	    read_refs("ContainerCreate", body, strlen(body), refs, nitems(refs), &why), -1);
	assert_non_null(why);
}

/*
 * pol_own_body_names_objects(): the proxy reads these bodies before it
 * forwards, so every endpoint pol_own_read_body() collects references from
 * must be one, and no other.
 */
static void
test_body_names_objects(void **state)
{
	static const struct {
		const char *ep;
		bool want;
	} eps[] = {
		{ "ContainerCreate", true },
		{ "NetworkConnect", true },
		{ "NetworkCreate", true },
		{ "VolumeCreate", false },
		{ "ContainerUpdate", false },
		{ "ContainerStart", false },
		{ "NetworkDisconnect", true },
	};
	/* A body each of them names an object in: Container, VolumesFrom, ConfigFrom. */
	static const char any[] = "{\"Container\":\"web\",\"HostConfig\":{\"VolumesFrom\":"
	                          "[\"a\"]},\"ConfigFrom\":{\"Network\":\"cfg\"}}";
	struct pol_own_ref refs[POL_OWN_MAX_REFS];
	const char *why;
	char *out;
	size_t outlen;
	int ep, n;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(eps); i++) {
		if ((ep = pol_ep_lookup(eps[i].ep)) == POL_EP_UNKNOWN)
			fail_msg("%s: no such endpoint", eps[i].ep);
		if (pol_own_body_names_objects(ep) != eps[i].want)
			fail_msg(
			    "%s: names objects %d, want %d", eps[i].ep, !eps[i].want, eps[i].want);
	}
	for (ep = POL_EP_UNKNOWN + 1; ep < (int)pol_ep_count(); ep++) {
		why = NULL;
		out = NULL;
		n = pol_own_read_body(
		    ep, any, strlen(any), LABEL, OWNER, refs, nitems(refs), &out, &outlen, &why);
		free(out);
		if ((n > 0) != pol_own_body_names_objects(ep))
			fail_msg("%s: %d references read (%s), names objects %d", pol_ep_name(ep),
			    n, why ? why : "", pol_own_body_names_objects(ep));
	}
	if (pol_own_body_names_objects(POL_EP_UNKNOWN) || pol_own_body_names_objects(-1) ||
	    pol_own_body_names_objects((int)pol_ep_count()))
		fail_msg("an unrouted request names objects");
	for (i = 0; i < nitems(rows); i++)
		if (rows[i].n > 0 && !pol_own_body_names_objects(pol_ep_lookup(rows[i].ep)))
			fail_msg("%s: %s names objects the proxy would not read", rows[i].name,
			    rows[i].ep);
}

/*
 * A network made --config-from takes the config network's labels, owner
 * label included: its body is not labelled, and that network is among the
 * refs, in the same reading.
 */
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
		struct pol_own_ref refs[4];
		const char *why = NULL;
		char *out = NULL;
		size_t outlen = 0;
		int n = pol_own_read_body(pol_ep_lookup(inh[i].ep), inh[i].body,
		    strlen(inh[i].body), LABEL, OWNER, refs, nitems(refs), &out, &outlen, &why);
		bool got = n >= 0 && out == NULL;

		free(out);
		if (n < 0)
			fail_msg("%s: refused (%s)", inh[i].name, why ? why : "?");
		if (got != inh[i].want)
			fail_msg("%s: inherited %d, want %d", inh[i].name, got, inh[i].want);
		/* Whenever the owner comes from the config network, that network is checked. */
		if (got && (n != 1 || strcmp(refs[0].field, "ConfigFrom.Network") != 0))
			fail_msg("%s: the config network is not among the refs", inh[i].name);
	}
}

/*
 * pol_own_pin_refs(): the body that goes up names every container it joins
 * and every network it attaches to by the id that was checked.  Each
 * container named "x" resolves to "f00x" here, each network "x" to "ne7x".
 */
struct pin_row {
	const char *name;
	const char *ep;
	const char *body;
	int rc;           /* 1 rewritten, 0 unchanged */
	const char *want; /* the rewritten body (rc 1) */
};

static const struct pin_row pin_rows[] = {
	{ "network mode container", "ContainerCreate",
	    "{\"HostConfig\":{\"NetworkMode\":\"container:web\"}}", 1,
	    "{\"HostConfig\":{\"NetworkMode\":\"container:f00web\"}}" },
	{ "pid and ipc joins", "ContainerCreate",
	    "{\"HostConfig\":{\"PidMode\":\"container:a\",\"IpcMode\":\"container:b\"}}", 1,
	    "{\"HostConfig\":{\"PidMode\":\"container:f00a\",\"IpcMode\":\"container:f00b\"}}" },
	{ "volumes from keeps the mode", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"data:ro\",\"logs\",\"/old:rw\",\"x:\"]}}", 1,
	    "{\"HostConfig\":{\"VolumesFrom\":[\"f00data:ro\",\"f00logs\",\"f00old:rw\","
	    "\"f00x:\"]}}" },
	{ "volumes from bad mode stays bad", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"d:ro:z\"]}}", 1,
	    "{\"HostConfig\":{\"VolumesFrom\":[\"f00d:ro:z\"]}}" },
	/* opts.ParseLink: "db" is db aliased db; "/db:/app/database" is db aliased database. */
	{ "link without alias keeps the name as alias", "ContainerCreate",
	    "{\"HostConfig\":{\"Links\":[\"db\"]}}", 1,
	    "{\"HostConfig\":{\"Links\":[\"f00db:db\"]}}" },
	{ "link with alias", "ContainerCreate", "{\"HostConfig\":{\"Links\":[\"db:database\"]}}", 1,
	    "{\"HostConfig\":{\"Links\":[\"f00db:database\"]}}" },
	{ "link in inspect form keeps the last element", "ContainerCreate",
	    "{\"HostConfig\":{\"Links\":[\"/db:/app/database\"]}}", 1,
	    "{\"HostConfig\":{\"Links\":[\"f00db:database\"]}}" },
	{ "link slash name without alias", "ContainerCreate",
	    "{\"HostConfig\":{\"Links\":[\"/db\"]}}", 1,
	    "{\"HostConfig\":{\"Links\":[\"f00db:/db\"]}}" },
	{ "link alias with a slash, name without", "ContainerCreate",
	    "{\"HostConfig\":{\"Links\":[\"db:a/b\"]}}", 1,
	    "{\"HostConfig\":{\"Links\":[\"f00db:a/b\"]}}" },
	{ "link with two colons stays refused by the daemon", "ContainerCreate",
	    "{\"HostConfig\":{\"Links\":[\"db:a:b\"]}}", 1,
	    "{\"HostConfig\":{\"Links\":[\"f00db:a:b\"]}}" },
	{ "legacy top-level fields", "ContainerCreate",
	    "{\"VolumesFrom\":[\"old\"],\"NetworkMode\":\"container:n\"}", 1,
	    "{\"VolumesFrom\":[\"f00old\"],\"NetworkMode\":\"container:f00n\"}" },
	{ "one container named twice", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"],\"PidMode\":\"container:a\"}}", 1,
	    "{\"HostConfig\":{\"VolumesFrom\":[\"f00a\"],\"PidMode\":\"container:f00a\"}}" },
	{ "numbers keep their text", "ContainerCreate",
	    "{\"HostConfig\":{\"Memory\":1e9,\"CpuShares\":512.0,\"VolumesFrom\":[\"x\"]}}", 1,
	    "{\"HostConfig\":{\"Memory\":1e9,\"CpuShares\":512.0,\"VolumesFrom\":[\"f00x\"]}}" },
	{ "network connect container", "NetworkConnect",
	    "{\"Container\":\"web\",\"EndpointConfig\":{\"Links\":[\"db\"]}}", 1,
	    "{\"Container\":\"f00web\",\"EndpointConfig\":{\"Links\":[\"db\"]}}" },
	{ "network disconnect container by name, force kept", "NetworkDisconnect",
	    "{\"Container\":\"web\",\"Force\":true}", 1,
	    "{\"Container\":\"f00web\",\"Force\":true}" },
	{ "network disconnect container by id prefix", "NetworkDisconnect",
	    "{\"Container\":\"3f2a9c\"}", 1, "{\"Container\":\"f003f2a9c\"}" },
	{ "network disconnect without container", "NetworkDisconnect", "{\"Force\":true}", 0,
	    NULL },
	{ "network disconnect empty container", "NetworkDisconnect", "{\"Container\":\"\"}", 0,
	    NULL },
	{ "network disconnect container not a string", "NetworkDisconnect",
	    "{\"Container\":1,\"Force\":true}", 0, NULL },
	{ "network disconnect no body", "NetworkDisconnect", "", 0, NULL },
	{ "endpoint links are dns aliases, kept; the network is pinned", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"front\":{\"Links\":[\"api:api\"]}}}}", 1,
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"ne7front\":{\"Links\":[\"api:api\"]}}}}" },
	/* A network the caller deletes meanwhile leaves its name to match another's id prefix. */
	{ "network mode and endpoint keys name the network by id", "ContainerCreate",
	    "{\"HostConfig\":{\"NetworkMode\":\"backend\"},\"NetworkingConfig\":"
	    "{\"EndpointsConfig\":{\"backend\":{\"Aliases\":[\"db\"]}}}}",
	    1,
	    "{\"HostConfig\":{\"NetworkMode\":\"ne7backend\"},\"NetworkingConfig\":"
	    "{\"EndpointsConfig\":{\"ne7backend\":{\"Aliases\":[\"db\"]}}}}" },
	{ "endpoint network id by id", "ContainerCreate",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"front\":{\"NetworkID\":\"o\"}}}}", 1,
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"ne7front\":{\"NetworkID\":\"ne7o\"}}}}" },
	{ "network connect endpoint network id by id", "NetworkConnect",
	    "{\"Container\":\"web\",\"EndpointConfig\":{\"NetworkID\":\"o\"}}", 1,
	    "{\"Container\":\"f00web\",\"EndpointConfig\":{\"NetworkID\":\"ne7o\"}}" },
	{ "legacy top-level network mode", "ContainerCreate", "{\"NetworkMode\":\"b\"}", 1,
	    "{\"NetworkMode\":\"ne7b\"}" },
	{ "predefined networks are not references", "ContainerCreate",
	    "{\"HostConfig\":{\"NetworkMode\":\"bridge\"},\"NetworkingConfig\":"
	    "{\"EndpointsConfig\":{\"bridge\":{\"NetworkID\":\"x\"},\"host\":{},\"none\":{},"
	    "\"default\":{}}}}",
	    0, NULL },
	{ "volumes stay by name", "ContainerCreate",
	    "{\"HostConfig\":{\"Binds\":[\"cache:/c\"],"
	    "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\"}]}}",
	    0, NULL },
	{ "host modes are not references", "ContainerCreate",
	    "{\"HostConfig\":{\"PidMode\":\"host\",\"IpcMode\":\"shareable\"}}", 0, NULL },
	{ "empty container mode", "ContainerCreate",
	    "{\"HostConfig\":{\"NetworkMode\":\"container:\"}}", 0, NULL },
	{ "network create config from is a network", "NetworkCreate",
	    "{\"Name\":\"n\",\"ConfigFrom\":{\"Network\":\"cfg\"}}", 0, NULL },
	{ "other endpoint", "VolumeCreate", "{\"Name\":\"x\"}", 0, NULL },
	{ "no body", "ContainerCreate", "", 0, NULL },
};

/* The refs of "body" as the proxy has them once checked: containers x to f00x, networks to ne7x. */
static int
resolved_refs(const char *ep, const char *body, struct pol_own_ref *refs, size_t max)
{
	const char *why = NULL;
	int n, k;

	n = read_refs(ep, body, strlen(body), refs, max, &why);
	for (k = 0; k < n; k++)
		if (refs[k].type == POL_OBJ_CONTAINER)
			snprintf(refs[k].id, sizeof(refs[k].id), "f00%s", refs[k].ref);
		else if (refs[k].type == POL_OBJ_NETWORK)
			snprintf(refs[k].id, sizeof(refs[k].id), "ne7%s", refs[k].ref);
	return n;
}

static void
test_pin_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(pin_rows); i++) {
		const struct pin_row *r = &pin_rows[i];
		struct pol_own_ref refs[POL_OWN_MAX_REFS], again[POL_OWN_MAX_REFS];
		const char *why = NULL;
		char *out = NULL;
		size_t outlen = 0;
		int n, rc, k;

		if ((n = resolved_refs(r->ep, r->body, refs, nitems(refs))) < 0)
			fail_msg("%s: the body's references were refused", r->name);
		rc = pol_own_pin_refs(pol_ep_lookup(r->ep), r->body, strlen(r->body), refs,
		    (size_t)n, &out, &outlen, &why);
		if (rc != r->rc)
			fail_msg("%s: rc %d, want %d (%s)", r->name, rc, r->rc, why ? why : "");
		if (rc == 0) {
			if (out != NULL)
				fail_msg("%s: unchanged but a body came back", r->name);
			continue;
		}
		if (outlen != strlen(r->want) || memcmp(out, r->want, outlen) != 0)
			fail_msg("%s: got %.*s, want %s", r->name, (int)outlen, out, r->want);
		/* Read again, the pinned body names every container and network by an id. */
		if ((n = read_refs(r->ep, out, outlen, again, nitems(again), &why)) < 0)
			fail_msg("%s: the pinned body is refused (%s)", r->name, why ? why : "");
		for (k = 0; k < n; k++)
			if ((again[k].type == POL_OBJ_CONTAINER &&
			        strcmp(again[k].field, "EndpointConfig.Links") != 0 &&
			        strncmp(again[k].ref, "f00", 3) != 0) ||
			    (again[k].type == POL_OBJ_NETWORK &&
			        strncmp(again[k].ref, "ne7", 3) != 0))
				fail_msg(
				    "%s: %s still names %s", r->name, again[k].field, again[k].ref);
		free(out);
	}
}

/* A container or network without a usable id must not go up by name. */
static void
test_pin_refusals(void **state)
{
	static const struct {
		const char *name, *ep, *body, *ref, *id;
		enum pol_own_type type;
	} bad[] = {
		{ "container not resolved", "ContainerCreate",
		    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"]}}", "a", "", POL_OBJ_CONTAINER },
		{ "container missing from the refs", "ContainerCreate",
		    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"]}}", "b", "f00b", POL_OBJ_CONTAINER },
		{ "id with a colon would change the mode", "ContainerCreate",
		    "{\"HostConfig\":{\"VolumesFrom\":[\"a\"]}}", "a", "f00:rw",
		    POL_OBJ_CONTAINER },
		{ "id with a slash", "NetworkConnect", "{\"Container\":\"a\"}", "a", "x/y",
		    POL_OBJ_CONTAINER },
		/* Another's container is never given an id: it must not go up by name. */
		{ "disconnect container not resolved", "NetworkDisconnect",
		    "{\"Container\":\"a\",\"Force\":true}", "a", "", POL_OBJ_CONTAINER },
		{ "disconnect container missing from the refs", "NetworkDisconnect",
		    "{\"Container\":\"a\"}", "b", "f00b", POL_OBJ_CONTAINER },
		{ "disconnect id with a colon", "NetworkDisconnect", "{\"Container\":\"a\"}", "a",
		    "f00:a", POL_OBJ_CONTAINER },
		{ "disconnect only a network of that name", "NetworkDisconnect",
		    "{\"Container\":\"a\"}", "a", "ne7a", POL_OBJ_NETWORK },
		{ "disconnect not an object", "NetworkDisconnect", "[\"a\"]", "a", "f00a",
		    POL_OBJ_CONTAINER },
		{ "only a volume of that name", "ContainerCreate",
		    "{\"HostConfig\":{\"Links\":[\"a\"]}}", "a", "f00a", POL_OBJ_VOLUME },
		{ "network not resolved", "ContainerCreate",
		    "{\"HostConfig\":{\"NetworkMode\":\"n\"}}", "n", "", POL_OBJ_NETWORK },
		{ "endpoint network missing from the refs", "ContainerCreate",
		    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{}}}}", "m", "ne7m",
		    POL_OBJ_NETWORK },
		{ "endpoint network without a name, even given an id", "ContainerCreate",
		    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"\":{}}}}", "", "ne7",
		    POL_OBJ_NETWORK },
		{ "endpoint network id not resolved", "NetworkConnect",
		    "{\"EndpointConfig\":{\"NetworkID\":\"n\"}}", "n", "", POL_OBJ_NETWORK },
		{ "network id with a colon", "ContainerCreate",
		    "{\"HostConfig\":{\"NetworkMode\":\"n\"}}", "n", "ne7:n", POL_OBJ_NETWORK },
		{ "only a container of that name", "ContainerCreate",
		    "{\"HostConfig\":{\"NetworkMode\":\"n\"}}", "n", "f00n", POL_OBJ_CONTAINER },
		{ "not an object", "NetworkConnect", "[\"a\"]", "a", "f00a", POL_OBJ_CONTAINER },
		{ "not json", "ContainerCreate", "{\"HostConfig\":", "a", "f00a",
		    POL_OBJ_CONTAINER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		struct pol_own_ref ref = { .type = bad[i].type };
		const char *why = NULL;
		char *out = NULL;
		size_t outlen = 0;

		snprintf(ref.ref, sizeof(ref.ref), "%s", bad[i].ref);
		snprintf(ref.id, sizeof(ref.id), "%s", bad[i].id);
		if (pol_own_pin_refs(pol_ep_lookup(bad[i].ep), bad[i].body, strlen(bad[i].body),
		        &ref, 1, &out, &outlen, &why) != -1)
			fail_msg("%s: not refused", bad[i].name);
		if (why == NULL || out != NULL)
			fail_msg("%s: refused without a reason, or with a body", bad[i].name);
	}
}

/* A network named by its name and by its id: once pinned, one key twice. */
static void
test_pin_refuses_one_network_twice(void **state)
{
	static const char body[] = "{\"NetworkingConfig\":{\"EndpointsConfig\":"
	                           "{\"n\":{\"Aliases\":[\"a\"]},\"ne7n\":{\"Aliases\":[\"b\"]}}}}";
	struct pol_own_ref refs[2] = { { .type = POL_OBJ_NETWORK, .ref = "n", .id = "ne7n" },
		{ .type = POL_OBJ_NETWORK, .ref = "ne7n", .id = "ne7n" } };
	const char *why = NULL;
	char *out = NULL;
	size_t outlen = 0;

	(void)state;
	assert_int_equal(pol_own_pin_refs(pol_ep_lookup("ContainerCreate"), body, strlen(body),
	                     refs, 2, &out, &outlen, &why),
	    -1);
	assert_null(out);
	assert_non_null(why);
	assert_non_null(strstr(why, "twice"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_body_names_objects),
		cmocka_unit_test(test_labels_inherited),
		cmocka_unit_test(test_pin_rows),
		cmocka_unit_test(test_pin_refusals),
		cmocka_unit_test(test_pin_refuses_one_network_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
