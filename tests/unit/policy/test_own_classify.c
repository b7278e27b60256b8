/*
 * Tests for policy/own_classify.c: every route has an ownership meaning
 * written on purpose, pinned here group by group, so a route added to
 * endpoints.h fails this test until both the table and this file say what
 * it means; and no route that names a container, exec instance, image,
 * volume or network can slip through as "nothing owned".
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

#include "endpoints.h"
#include "own_int.h"

struct own_group {
	const char *name;
	enum pol_own_kind kind;
	enum pol_own_type type;
	const char *const *ids; /* NULL-terminated operation ids */
};

static const char *const obj_container[] = { "CheckpointList", "CheckpointCreate",
	"CheckpointDelete", "ContainerArchiveInfo", "ContainerExport", "ContainerChanges",
	"ContainerInspect", "ContainerTop", "ContainerLogs", "ContainerStats",
	"ContainerAttachWebsocket", "ContainerArchive", "ContainerKill", "ContainerPause",
	"ContainerUnpause", "ContainerRestart", "ContainerStart", "ContainerStop", "ContainerWait",
	"ContainerResize", "ContainerAttach", "ContainerCopy", "ContainerExec", "ContainerRename",
	"ContainerUpdate", "PutContainerArchive", "ContainerDelete", NULL };
static const char *const obj_exec[] = { "ExecInspect", "ExecStart", "ExecResize", NULL };
static const char *const obj_image[] = { "ImageGet", "ImageHistory", "ImageInspect",
	"ImageAttestations", "ImagePush", "ImageTag", "ImageDelete", NULL };
static const char *const obj_volume[] = { "VolumeInspect", "VolumeUpdate", "VolumeDelete", NULL };
static const char *const obj_network[] = { "NetworkInspect", "NetworkConnect", "NetworkDisconnect",
	"NetworkDelete", NULL };
static const char *const create_container[] = { "ContainerCreate", NULL };
static const char *const create_volume[] = { "VolumeCreate", NULL };
static const char *const create_network[] = { "NetworkCreate", NULL };
static const char *const create_query[] = { "ImageBuild", NULL };
static const char *const list_container[] = { "ContainerList", "ContainerPrune", NULL };
static const char *const list_image[] = { "ImageList", "ImagePrune", NULL };
static const char *const list_volume[] = { "VolumeList", "VolumePrune", NULL };
static const char *const list_network[] = { "NetworkList", "NetworkListSlash", "NetworkPrune",
	NULL };
static const char *const list_events[] = { "SystemEvents", NULL };
static const char *const filter_response[] = { "SystemDataUsage", NULL };
/* The whole "nothing owned" list: anything else named here is a decision to review. */
static const char *const none[] = { "SystemOptions", "SystemPing", "SystemPingHead",
	"SystemVersion", "SystemInfo", "SystemAuth", "ImageSearch", "ImageCreate",
	"DistributionInspect", "Session", "PluginList", "PluginInspect", "GetPluginPrivileges",
	NULL };
static const char *const refuse[] = { "ImageCommit", "ImageGetAll", "ImageLoad", "BuildPrune",
	"BuildCancel", "Grpc", "SwarmInit", "SwarmJoin", "SwarmLeave", "SwarmInspect",
	"SwarmUnlockkey", "SwarmUpdate", "SwarmUnlock", "ServiceList", "ServiceInspect",
	"ServiceCreate", "ServiceUpdate", "ServiceDelete", "ServiceLogs", "NodeList", "NodeInspect",
	"NodeDelete", "NodeUpdate", "TaskList", "TaskInspect", "TaskLogs", "SecretList",
	"SecretCreate", "SecretDelete", "SecretInspect", "SecretUpdate", "ConfigList",
	"ConfigCreate", "ConfigDelete", "ConfigInspect", "ConfigUpdate", "PluginDelete",
	"PluginEnable", "PluginDisable", "PluginPull", "PluginPush", "PluginUpgrade", "PluginSet",
	"PluginCreate", "DebugVars", "DebugPprofIndex", "DebugPprofCmdline", "DebugPprofProfile",
	"DebugPprofSymbol", "DebugPprofTrace", "DebugPprofLookup", NULL };

static const struct own_group groups[] = {
	{ "object/container", POL_OWN_OBJECT, POL_OBJ_CONTAINER, obj_container },
	{ "object/exec", POL_OWN_OBJECT, POL_OBJ_EXEC, obj_exec },
	{ "object/image", POL_OWN_OBJECT, POL_OBJ_IMAGE, obj_image },
	{ "object/volume", POL_OWN_OBJECT, POL_OBJ_VOLUME, obj_volume },
	{ "object/network", POL_OWN_OBJECT, POL_OBJ_NETWORK, obj_network },
	{ "create-body/container", POL_OWN_CREATE_BODY, POL_OBJ_CONTAINER, create_container },
	{ "create-body/volume", POL_OWN_CREATE_BODY, POL_OBJ_VOLUME, create_volume },
	{ "create-body/network", POL_OWN_CREATE_BODY, POL_OBJ_NETWORK, create_network },
	{ "create-query/image", POL_OWN_CREATE_QUERY, POL_OBJ_IMAGE, create_query },
	{ "list/container", POL_OWN_LIST, POL_OBJ_CONTAINER, list_container },
	{ "list/image", POL_OWN_LIST, POL_OBJ_IMAGE, list_image },
	{ "list/volume", POL_OWN_LIST, POL_OBJ_VOLUME, list_volume },
	{ "list/network", POL_OWN_LIST, POL_OBJ_NETWORK, list_network },
	{ "list/events", POL_OWN_LIST, POL_OBJ_NONE, list_events },
	{ "filter-response", POL_OWN_FILTER_RESPONSE, POL_OBJ_NONE, filter_response },
	{ "none", POL_OWN_NONE, POL_OBJ_NONE, none },
	{ "refuse", POL_OWN_REFUSE, POL_OBJ_NONE, refuse },
};

/* A request for "ep" whose ref (when the template has one) is "x". */
static struct sw_req
req_for(int ep)
{
	struct sw_req r;

	memset(&r, 0, sizeof(r));
	r.endpoint = ep;
	r.ref = strchr(pol_ep_template(ep), '{') != NULL ? SW_STR_LIT("x") : SW_STR_NULL;
	return r;
}

/* Every route is classified, and as this file pins it; each pinned id is a real route. */
static void
test_every_route_pinned(void **state)
{
	size_t ep, g, i, seen[POL_EP_COUNT];
	int failed = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (g = 0; g < nitems(groups); g++) {
		for (i = 0; groups[g].ids[i] != NULL; i++) {
			int id = pol_ep_lookup(groups[g].ids[i]);
			struct pol_own_plan p;
			struct sw_req r;

			if (id == POL_EP_UNKNOWN) {
				print_error("group %s: %s is not a route\n", groups[g].name,
				    groups[g].ids[i]);
				failed++;
				continue;
			}
			seen[id]++;
			r = req_for(id);
			pol_own_classify(id, &r, &p);
			if (p.kind != groups[g].kind || p.type != groups[g].type) {
				print_error("group %s: %s classified %d/%d, want %d/%d\n",
				    groups[g].name, groups[g].ids[i], p.kind, p.type,
				    groups[g].kind, groups[g].type);
				failed++;
			}
		}
	}
	for (ep = 1; ep < pol_ep_count(); ep++) {
		if (!pol_own_is_classified((int)ep)) {
			print_error("%s has no row in own_classify.c\n", pol_ep_name((int)ep));
			failed++;
		}
		if (seen[ep] != 1) {
			print_error("%s is pinned %zu times in this test, want once\n",
			    pol_ep_name((int)ep), seen[ep]);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d classification problems", failed);
}

/*
 * The attacker's view: a route with a variable under /containers, /exec,
 * /images, /volumes or /networks acts on or reads one object; it must be
 * OBJECT (the owner is checked) or REFUSE, never NONE or a list.
 */
static void
test_named_objects_never_unchecked(void **state)
{
	static const char *const prefixes[] = { "/containers/{", "/exec/{", "/images/{",
		"/volumes/{", "/networks/{" };
	size_t ep, i;
	int failed = 0;

	(void)state;
	for (ep = 1; ep < pol_ep_count(); ep++) {
		const char *tpl = pol_ep_template((int)ep);
		struct pol_own_plan p;
		struct sw_req r = req_for((int)ep);

		for (i = 0; i < nitems(prefixes); i++)
			if (strncmp(tpl, prefixes[i], strlen(prefixes[i])) == 0)
				break;
		if (i == nitems(prefixes))
			continue;
		pol_own_classify((int)ep, &r, &p);
		if (p.kind != POL_OWN_OBJECT && p.kind != POL_OWN_REFUSE) {
			print_error("%s (%s) is kind %d\n", pol_ep_name((int)ep), tpl, p.kind);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d routes that name an object are not checked", failed);
}

/* Every refusal tells the client why; no other plan carries a reason. */
static void
test_refusals_have_reasons(void **state)
{
	size_t ep;
	int failed = 0;

	(void)state;
	for (ep = 1; ep < pol_ep_count(); ep++) {
		struct sw_req r = req_for((int)ep);
		struct pol_own_plan p;

		pol_own_classify((int)ep, &r, &p);
		if (p.kind == POL_OWN_REFUSE && (p.why == NULL || p.why[0] == '\0')) {
			print_error("%s refused without a reason\n", pol_ep_name((int)ep));
			failed++;
		}
		if (p.kind != POL_OWN_REFUSE && p.why != NULL) {
			print_error("%s has a reason but is not refused\n", pol_ep_name((int)ep));
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d rows with a wrong reason", failed);
}

struct ref_case {
	const char *name;
	const char *method;
	const char *path;
	enum pol_own_kind kind;
	enum pol_own_type type;
	const char *ref; /* OBJECT: the reference; else NULL */
};

static const struct ref_case ref_cases[] = {
	{ "container by name", "POST", "/containers/web/stop", POL_OWN_OBJECT, POL_OBJ_CONTAINER,
	    "web" },
	{ "link alias with slash", "DELETE", "/containers/web/db", POL_OWN_OBJECT,
	    POL_OBJ_CONTAINER, "web/db" },
	{ "container named create", "POST", "/containers/create/start", POL_OWN_OBJECT,
	    POL_OBJ_CONTAINER, "create" },
	{ "id prefix", "GET", "/containers/4f2a/logs", POL_OWN_OBJECT, POL_OBJ_CONTAINER, "4f2a" },
	{ "exec start", "POST", "/exec/0123abcd/start", POL_OWN_OBJECT, POL_OBJ_EXEC, "0123abcd" },
	{ "image with registry and tag", "GET", "/images/docker.io/library/alpine:3.19/json",
	    POL_OWN_OBJECT, POL_OBJ_IMAGE, "docker.io/library/alpine:3.19" },
	{ "image by digest", "DELETE", "/images/alpine@sha256:0123", POL_OWN_OBJECT, POL_OBJ_IMAGE,
	    "alpine@sha256:0123" },
	{ "volume", "DELETE", "/volumes/data", POL_OWN_OBJECT, POL_OBJ_VOLUME, "data" },
	{ "network connect", "POST", "/networks/backend/connect", POL_OWN_OBJECT, POL_OBJ_NETWORK,
	    "backend" },
	{ "checkpoint delete names the container", "DELETE", "/containers/c1/checkpoints/cp",
	    POL_OWN_OBJECT, POL_OBJ_CONTAINER, "c1" },
	{ "empty name refused", "DELETE", "/containers/", POL_OWN_REFUSE, POL_OBJ_NONE, NULL },
	{ "empty network id refused", "DELETE", "/networks/", POL_OWN_REFUSE, POL_OBJ_NONE, NULL },
	{ "list carries no ref", "GET", "/containers/json", POL_OWN_LIST, POL_OBJ_CONTAINER, NULL },
	{ "create carries no ref", "POST", "/containers/create", POL_OWN_CREATE_BODY,
	    POL_OBJ_CONTAINER, NULL },
	{ "unknown route refused", "GET", "/nowhere", POL_OWN_REFUSE, POL_OBJ_NONE, NULL },
};

static void
test_ref_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(ref_cases); i++) {
		const struct ref_case *t = &ref_cases[i];
		struct sw_str m = sw_str_cstr(t->method);
		struct pol_own_plan p;
		struct sw_req r;

		memset(&r, 0, sizeof(r));
		r.method = m;
		r.path = sw_str_cstr(t->path);
		r.endpoint = pol_ep_match(&r.method, &r.path, &r.ref);
		pol_own_classify(r.endpoint, &r, &p);
		if (p.kind != t->kind || p.type != t->type) {
			print_error("row \"%s\": kind %d type %d, want %d %d\n", t->name, p.kind,
			    p.type, t->kind, t->type);
			failed++;
			continue;
		}
		if (t->ref == NULL ? p.ref.len != 0 : !sw_str_eq_lit(&p.ref, t->ref)) {
			print_error("row \"%s\": ref \"%.*s\", want \"%s\"\n", t->name,
			    (int)p.ref.len, p.ref.p != NULL ? p.ref.p : "", t->ref ? t->ref : "");
			failed++;
		}
		/* The ref is a view of the request's own path, not a copy. */
		if (t->ref != NULL && (p.ref.p < r.path.p || p.ref.p >= r.path.p + r.path.len)) {
			print_error("row \"%s\": ref is not a view of the path\n", t->name);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(ref_cases));
}

/* Endpoint ids outside the table, and a NULL request for an OBJECT route, are refused. */
static void
test_out_of_range_refused(void **state)
{
	static const int eps[] = { POL_EP_UNKNOWN, -1, POL_EP_COUNT, POL_EP_COUNT + 7 };
	struct pol_own_plan p;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(eps); i++) {
		pol_own_classify(eps[i], NULL, &p);
		if (p.kind != POL_OWN_REFUSE || p.why == NULL)
			fail_msg("endpoint %d: kind %d, want REFUSE", eps[i], p.kind);
	}
	pol_own_classify(POL_EP_ContainerInspect, NULL, &p);
	if (p.kind != POL_OWN_REFUSE)
		fail_msg("ContainerInspect without a request: kind %d, want REFUSE", p.kind);
}

/* The inspects whose answers are redacted: exactly these four, by operation name. */
static void
test_inspect_endpoints(void **state)
{
	static const char *const inspects[] = { "ContainerInspect", "ImageInspect", "VolumeInspect",
		"NetworkInspect" };
	int ep, found = 0;
	size_t i;

	(void)state;
	for (ep = POL_EP_UNKNOWN - 1; ep <= POL_EP_COUNT; ep++) {
		bool want = false;

		for (i = 0; i < nitems(inspects); i++)
			if (ep > POL_EP_UNKNOWN && ep < POL_EP_COUNT &&
			    strcmp(pol_ep_name(ep), inspects[i]) == 0)
				want = true;
		if (pol_own_is_inspect(ep) != want)
			fail_msg("endpoint %d: pol_own_is_inspect %d, want %d", ep, !want, want);
		found += want;
	}
	if (found != (int)nitems(inspects))
		fail_msg("%d of the %zu inspect operations found", found, nitems(inspects));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_pinned),
		cmocka_unit_test(test_named_objects_never_unchecked),
		cmocka_unit_test(test_refusals_have_reasons),
		cmocka_unit_test(test_ref_rows),
		cmocka_unit_test(test_out_of_range_refused),
		cmocka_unit_test(test_inspect_endpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
