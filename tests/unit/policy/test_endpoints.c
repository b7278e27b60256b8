/*
 * Tests for policy/endpoints.c: routing (method, canonical path) to the
 * daemon's endpoint, first match wins, and the table's own consistency.
 * One cmocka test per routing row, named after the row.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "endpoints.h"
#include "sockwarden/policy.h"

struct route_case {
	const char *name;
	const char *method;
	const char *path; /* canonical: no version prefix */
	const char *want; /* operation id, "Unknown" when no route */
	const char *ref;  /* first variable; "" when none */
};

static struct route_case route_cases[] = {
	/* containers, including the greedy {name:.*} */
	{ "container list", "GET", "/containers/json", "ContainerList", "" },
	{ "container inspect", "GET", "/containers/web/json", "ContainerInspect", "web" },
	{ "container named json", "GET", "/containers/json/json", "ContainerInspect", "json" },
	{ "link alias with slash", "GET", "/containers/web/db/json", "ContainerInspect", "web/db" },
	{ "greedy name eats json", "GET", "/containers/a/json/json", "ContainerInspect", "a/json" },
	{ "create", "POST", "/containers/create", "ContainerCreate", "" },
	{ "start a container named create", "POST", "/containers/create/start", "ContainerStart",
	    "create" },
	{ "exec on linked name", "POST", "/containers/a/b/exec", "ContainerExec", "a/b" },
	{ "delete nested name", "DELETE", "/containers/x/y/z", "ContainerDelete", "x/y/z" },
	{ "delete with trailing slash", "DELETE", "/containers/x/", "ContainerDelete", "x/" },
	{ "delete empty name", "DELETE", "/containers/", "ContainerDelete", "" },
	{ "archive head", "HEAD", "/containers/c/archive", "ContainerArchiveInfo", "c" },
	{ "archive get", "GET", "/containers/c/archive", "ContainerArchive", "c" },
	{ "archive put", "PUT", "/containers/c/archive", "PutContainerArchive", "c" },
	{ "export", "GET", "/containers/c/export", "ContainerExport", "c" },
	{ "changes", "GET", "/containers/c/changes", "ContainerChanges", "c" },
	{ "top", "GET", "/containers/c/top", "ContainerTop", "c" },
	{ "logs", "GET", "/containers/c/logs", "ContainerLogs", "c" },
	{ "stats", "GET", "/containers/c/stats", "ContainerStats", "c" },
	{ "attach websocket", "GET", "/containers/c/attach/ws", "ContainerAttachWebsocket", "c" },
	{ "attach", "POST", "/containers/c/attach", "ContainerAttach", "c" },
	{ "kill", "POST", "/containers/c/kill", "ContainerKill", "c" },
	{ "pause", "POST", "/containers/c/pause", "ContainerPause", "c" },
	{ "unpause", "POST", "/containers/c/unpause", "ContainerUnpause", "c" },
	{ "restart", "POST", "/containers/c/restart", "ContainerRestart", "c" },
	{ "stop", "POST", "/containers/c/stop", "ContainerStop", "c" },
	{ "wait", "POST", "/containers/c/wait", "ContainerWait", "c" },
	{ "resize", "POST", "/containers/c/resize", "ContainerResize", "c" },
	{ "legacy copy", "POST", "/containers/c/copy", "ContainerCopy", "c" },
	{ "rename", "POST", "/containers/c/rename", "ContainerRename", "c" },
	{ "update", "POST", "/containers/c/update", "ContainerUpdate", "c" },
	{ "container prune", "POST", "/containers/prune", "ContainerPrune", "" },
	{ "prune of a container named prune", "POST", "/containers/prune/start", "ContainerStart",
	    "prune" },
	{ "commit", "POST", "/commit", "ImageCommit", "" },
	{ "container named attach/ws", "POST", "/containers/x/attach/ws/start", "ContainerStart",
	    "x/attach/ws" },

	/* exec */
	{ "exec inspect", "GET", "/exec/abc/json", "ExecInspect", "abc" },
	{ "exec start", "POST", "/exec/abc/start", "ExecStart", "abc" },
	{ "exec resize", "POST", "/exec/abc/resize", "ExecResize", "abc" },

	/* checkpoints come first: their DELETE would be masked by ContainerDelete */
	{ "checkpoint list", "GET", "/containers/c/checkpoints", "CheckpointList", "c" },
	{ "checkpoint create", "POST", "/containers/c/checkpoints", "CheckpointCreate", "c" },
	{ "checkpoint delete", "DELETE", "/containers/c/checkpoints/cp1", "CheckpointDelete", "c" },
	{ "checkpoint delete, nested name", "DELETE", "/containers/a/b/checkpoints/cp1",
	    "ContainerDelete", "a/b/checkpoints/cp1" },

	/* images */
	{ "image list", "GET", "/images/json", "ImageList", "" },
	{ "image search", "GET", "/images/search", "ImageSearch", "" },
	{ "image save all", "GET", "/images/get", "ImageGetAll", "" },
	{ "image save one", "GET", "/images/alpine/get", "ImageGet", "alpine" },
	{ "image history", "GET", "/images/alpine/history", "ImageHistory", "alpine" },
	{ "image inspect full ref", "GET", "/images/docker.io/library/alpine:3.20/json",
	    "ImageInspect", "docker.io/library/alpine:3.20" },
	{ "image attestations", "GET", "/images/alpine/attestations", "ImageAttestations",
	    "alpine" },
	{ "image load", "POST", "/images/load", "ImageLoad", "" },
	{ "image pull", "POST", "/images/create", "ImageCreate", "" },
	{ "image push", "POST", "/images/reg.example/app/push", "ImagePush", "reg.example/app" },
	{ "image tag", "POST", "/images/alpine/tag", "ImageTag", "alpine" },
	{ "image prune", "POST", "/images/prune", "ImagePrune", "" },
	{ "image delete digest", "DELETE", "/images/alpine@sha256:00ff", "ImageDelete",
	    "alpine@sha256:00ff" },

	/* system */
	{ "ping", "GET", "/_ping", "SystemPing", "" },
	{ "ping head", "HEAD", "/_ping", "SystemPingHead", "" },
	{ "events", "GET", "/events", "SystemEvents", "" },
	{ "info", "GET", "/info", "SystemInfo", "" },
	{ "version", "GET", "/version", "SystemVersion", "" },
	{ "disk usage", "GET", "/system/df", "SystemDataUsage", "" },
	{ "auth", "POST", "/auth", "SystemAuth", "" },
	{ "options anything", "OPTIONS", "/containers/create", "SystemOptions",
	    "containers/create" },
	{ "options root", "OPTIONS", "/", "SystemOptions", "" },
	/* the index lists rows by the byte after '/': one no template starts with */
	{ "options high byte", "OPTIONS", "/\xff/x", "SystemOptions", "\xff/x" },
	{ "get high byte", "GET", "/\xff", "Unknown", "" },
	{ "head lowest high byte", "HEAD", "/\x80", "Unknown", "" },
	{ "options lowest high byte", "OPTIONS", "/\x80", "SystemOptions", "\x80" },
	{ "delete root", "DELETE", "/", "Unknown", "" },

	/* volumes */
	{ "volume list", "GET", "/volumes", "VolumeList", "" },
	{ "volume inspect", "GET", "/volumes/data", "VolumeInspect", "data" },
	{ "volume named create", "GET", "/volumes/create", "VolumeInspect", "create" },
	{ "volume create", "POST", "/volumes/create", "VolumeCreate", "" },
	{ "volume prune", "POST", "/volumes/prune", "VolumePrune", "" },
	{ "volume update", "PUT", "/volumes/data", "VolumeUpdate", "data" },
	{ "volume delete", "DELETE", "/volumes/data", "VolumeDelete", "data" },

	/* build and session */
	{ "build", "POST", "/build", "ImageBuild", "" },
	{ "build prune", "POST", "/build/prune", "BuildPrune", "" },
	{ "build cancel", "POST", "/build/cancel", "BuildCancel", "" },
	{ "session", "POST", "/session", "Session", "" },
	{ "grpc", "POST", "/grpc", "Grpc", "" },

	/* swarm: plain {id} is one segment */
	{ "swarm init", "POST", "/swarm/init", "SwarmInit", "" },
	{ "swarm join", "POST", "/swarm/join", "SwarmJoin", "" },
	{ "swarm leave", "POST", "/swarm/leave", "SwarmLeave", "" },
	{ "swarm inspect", "GET", "/swarm", "SwarmInspect", "" },
	{ "swarm unlock key", "GET", "/swarm/unlockkey", "SwarmUnlockkey", "" },
	{ "swarm update", "POST", "/swarm/update", "SwarmUpdate", "" },
	{ "swarm unlock", "POST", "/swarm/unlock", "SwarmUnlock", "" },
	{ "service list", "GET", "/services", "ServiceList", "" },
	{ "service inspect", "GET", "/services/web", "ServiceInspect", "web" },
	{ "service id has no slash", "GET", "/services/a/b", "Unknown", "" },
	{ "service create", "POST", "/services/create", "ServiceCreate", "" },
	{ "service update", "POST", "/services/web/update", "ServiceUpdate", "web" },
	{ "service delete", "DELETE", "/services/web", "ServiceDelete", "web" },
	{ "service logs", "GET", "/services/web/logs", "ServiceLogs", "web" },
	{ "node list", "GET", "/nodes", "NodeList", "" },
	{ "node inspect", "GET", "/nodes/n1", "NodeInspect", "n1" },
	{ "node delete", "DELETE", "/nodes/n1", "NodeDelete", "n1" },
	{ "node update", "POST", "/nodes/n1/update", "NodeUpdate", "n1" },
	{ "task list", "GET", "/tasks", "TaskList", "" },
	{ "task inspect", "GET", "/tasks/t1", "TaskInspect", "t1" },
	{ "task logs", "GET", "/tasks/t1/logs", "TaskLogs", "t1" },
	{ "secret list", "GET", "/secrets", "SecretList", "" },
	{ "secret create", "POST", "/secrets/create", "SecretCreate", "" },
	{ "secret delete", "DELETE", "/secrets/s1", "SecretDelete", "s1" },
	{ "secret inspect", "GET", "/secrets/s1", "SecretInspect", "s1" },
	{ "secret update", "POST", "/secrets/s1/update", "SecretUpdate", "s1" },
	{ "config list", "GET", "/configs", "ConfigList", "" },
	{ "config create", "POST", "/configs/create", "ConfigCreate", "" },
	{ "config delete", "DELETE", "/configs/c1", "ConfigDelete", "c1" },
	{ "config inspect", "GET", "/configs/c1", "ConfigInspect", "c1" },
	{ "config update", "POST", "/configs/c1/update", "ConfigUpdate", "c1" },

	/* plugins */
	{ "plugin list", "GET", "/plugins", "PluginList", "" },
	{ "plugin inspect", "GET", "/plugins/vieux/sshfs:latest/json", "PluginInspect",
	    "vieux/sshfs:latest" },
	{ "plugin privileges", "GET", "/plugins/privileges", "GetPluginPrivileges", "" },
	{ "plugin delete", "DELETE", "/plugins/p", "PluginDelete", "p" },
	{ "plugin enable", "POST", "/plugins/p/enable", "PluginEnable", "p" },
	{ "plugin disable", "POST", "/plugins/p/disable", "PluginDisable", "p" },
	{ "plugin pull", "POST", "/plugins/pull", "PluginPull", "" },
	{ "plugin push", "POST", "/plugins/p/push", "PluginPush", "p" },
	{ "plugin upgrade", "POST", "/plugins/p/upgrade", "PluginUpgrade", "p" },
	{ "plugin set", "POST", "/plugins/p/set", "PluginSet", "p" },
	{ "plugin create", "POST", "/plugins/create", "PluginCreate", "" },

	/* distribution and networks */
	{ "distribution", "GET", "/distribution/alpine:3/json", "DistributionInspect", "alpine:3" },
	{ "network list", "GET", "/networks", "NetworkList", "" },
	{ "network list slash", "GET", "/networks/", "NetworkListSlash", "" },
	{ "network inspect", "GET", "/networks/n1", "NetworkInspect", "n1" },
	{ "network inspect with slash", "GET", "/networks/a/b", "NetworkInspect", "a/b" },
	{ "network create", "POST", "/networks/create", "NetworkCreate", "" },
	{ "network connect", "POST", "/networks/n1/connect", "NetworkConnect", "n1" },
	{ "network disconnect", "POST", "/networks/n1/disconnect", "NetworkDisconnect", "n1" },
	{ "network prune", "POST", "/networks/prune", "NetworkPrune", "" },
	{ "network delete", "DELETE", "/networks/n1", "NetworkDelete", "n1" },
	{ "network delete empty", "DELETE", "/networks/", "NetworkDelete", "" },

	/* debug */
	{ "debug vars", "GET", "/debug/vars", "DebugVars", "" },
	{ "pprof index", "GET", "/debug/pprof/", "DebugPprofIndex", "" },
	{ "pprof cmdline", "GET", "/debug/pprof/cmdline", "DebugPprofCmdline", "" },
	{ "pprof profile", "GET", "/debug/pprof/profile", "DebugPprofProfile", "" },
	{ "pprof symbol", "GET", "/debug/pprof/symbol", "DebugPprofSymbol", "" },
	{ "pprof trace", "GET", "/debug/pprof/trace", "DebugPprofTrace", "" },
	{ "pprof heap", "GET", "/debug/pprof/heap", "DebugPprofLookup", "heap" },
	{ "pprof index without slash", "GET", "/debug/pprof", "Unknown", "" },

	/* what routes nowhere */
	{ "unknown path", "GET", "/nope", "Unknown", "" },
	{ "root", "GET", "/", "Unknown", "" },
	{ "trailing slash", "POST", "/containers/create/", "Unknown", "" },
	{ "list with trailing slash", "GET", "/containers/json/", "Unknown", "" },
	{ "path case matters", "GET", "/Containers/json", "Unknown", "" },
	{ "lower-case method", "post", "/containers/create", "Unknown", "" },
	{ "mixed-case method", "Get", "/containers/json", "Unknown", "" },
	{ "unregistered method", "PATCH", "/containers/c/update", "Unknown", "" },
	{ "empty method", "", "/containers/json", "Unknown", "" },
	{ "no implicit HEAD", "HEAD", "/containers/json", "Unknown", "" },
	{ "no implicit HEAD on inspect", "HEAD", "/containers/c/json", "Unknown", "" },
	{ "GET on a POST route", "GET", "/containers/create", "Unknown", "" },
	{ "POST on a GET-only path", "POST", "/containers/json", "Unknown", "" },
	{ "empty container name is a bad path", "GET", "/containers//json", "ContainerInspect",
	    "" },
	{ "version segment is not stripped here", "GET", "/v1.41/containers/json", "Unknown", "" },
	{ "newline stops a greedy name", "GET", "/containers/a\nb/json", "Unknown", "" },
	{ "empty path", "GET", "", "Unknown", "" },
	{ "relative path", "GET", "containers/json", "Unknown", "" },
};

static void
test_endpoints_route_row(void **state)
{
	const struct route_case *c = *state;
	struct sw_str method = sw_str_cstr(c->method), path = sw_str_cstr(c->path);
	struct sw_str ref = SW_STR_LIT("sentinel");
	int ep = pol_ep_match(&method, &path, &ref);

	if (strcmp(pol_ep_name(ep), c->want) != 0 || !sw_str_eq_lit(&ref, c->ref))
		fail_msg("row \"%s\": %s %s -> %s ref \"%.*s\", want %s ref \"%s\"", c->name,
		    c->method, c->path, pol_ep_name(ep), (int)ref.len, ref.p ? ref.p : "", c->want,
		    c->ref);
	if (ep != POL_EP_UNKNOWN && ref.len > 0 &&
	    (ref.p < path.p || ref.p + ref.len > path.p + path.len))
		fail_msg("row \"%s\": ref is not a view into the path", c->name);
	/* A NULL ref is allowed and changes nothing. */
	if (pol_ep_match(&method, &path, NULL) != ep)
		fail_msg("row \"%s\": result depends on ref", c->name);
}

/* Names are unique, lookup round-trips, and the accessors agree with the table. */
static void
test_endpoints_table(void **state)
{
	size_t i, j, n = pol_ep_count();

	(void)state;
	assert_int_equal(n, POL_EP_COUNT);
	assert_int_equal(n, 124); /* "Unknown", 122 routes at master, ContainerCopy (<= 25) */
	assert_string_equal(pol_ep_name(POL_EP_UNKNOWN), "Unknown");
	assert_string_equal(pol_ep_name(-1), "Unknown");
	assert_string_equal(pol_ep_name((int)n), "Unknown");
	assert_int_equal(pol_ep_flags(POL_EP_UNKNOWN), 0);
	assert_string_equal(pol_ep_method(POL_EP_UNKNOWN), "");
	assert_string_equal(pol_ep_template(POL_EP_UNKNOWN), "");
	assert_int_equal(pol_ep_lookup(NULL), POL_EP_UNKNOWN);
	assert_int_equal(pol_ep_lookup("NoSuchEndpoint"), POL_EP_UNKNOWN);
	assert_int_equal(pol_ep_lookup("containerlist"), POL_EP_UNKNOWN);
	assert_int_equal(pol_ep_lookup("ContainerList"), POL_EP_ContainerList);

	for (i = 1; i < n; i++) {
		const char *name = pol_ep_name((int)i);

		if (pol_ep_lookup(name) != (int)i)
			fail_msg(
			    "endpoint %zu (%s): lookup gives %d", i, name, pol_ep_lookup(name));
		for (j = i + 1; j < n; j++)
			if (strcmp(name, pol_ep_name((int)j)) == 0)
				fail_msg("endpoints %zu and %zu share the name %s", i, j, name);
		if (pol_ep_template((int)i)[0] != '/')
			fail_msg("endpoint %s: template does not start with '/'", name);
		for (j = i + 1; j < n; j++)
			if (strcmp(pol_ep_method((int)i), pol_ep_method((int)j)) == 0 &&
			    strcmp(pol_ep_template((int)i), pol_ep_template((int)j)) == 0)
				fail_msg("endpoints %s and %s are the same route", name,
				    pol_ep_name((int)j));
	}
}

/*
 * Every route is reachable: its template with each variable replaced by
 * "x" routes to that row (no earlier row masks it) with ref "x".
 */
static void
test_endpoints_reachable(void **state)
{
	size_t i, n = pol_ep_count();

	(void)state;
	for (i = 1; i < n; i++) {
		const char *t = pol_ep_template((int)i);
		char path[256];
		size_t o = 0;
		struct sw_str method = sw_str_cstr(pol_ep_method((int)i)), p, ref;
		bool has_var = strchr(t, '{') != NULL;

		while (*t != '\0' && o + 2 < sizeof(path)) {
			if (*t == '{') {
				const char *close = strchr(t, '}');

				assert_non_null(close);
				path[o++] = 'x';
				t = close + 1;
			} else {
				path[o++] = *t++;
			}
		}
		p = sw_str_make(path, o);
		if (pol_ep_match(&method, &p, &ref) != (int)i)
			fail_msg("endpoint %s: %s %.*s routes to %s", pol_ep_name((int)i),
			    pol_ep_method((int)i), (int)o, path,
			    pol_ep_name(pol_ep_match(&method, &p, &ref)));
		if (has_var && !sw_str_eq_lit(&ref, "x"))
			fail_msg("endpoint %s: ref \"%.*s\"", pol_ep_name((int)i), (int)ref.len,
			    ref.p ? ref.p : "");
	}
}

/*
 * The routing index files a template that starts with a variable under
 * every byte that may follow the leading '/': OPTIONS (the one such route)
 * routes "/<byte>" for each byte but a newline, where its ".*" stops, and
 * no other method finds a route there.
 */
static void
test_endpoints_every_second_byte(void **state)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS" };
	char path[2] = { '/', '\0' };
	struct sw_str p = sw_str_make(path, sizeof(path)), m, ref;
	size_t i;
	int c, ep, want;

	(void)state;
	for (c = 0; c < 256; c++) {
		path[1] = (char)c;
		for (i = 0; i < nitems(methods); i++) {
			m = sw_str_cstr(methods[i]);
			want = strcmp(methods[i], "OPTIONS") == 0 && c != '\n' ?
			           POL_EP_SystemOptions :
			           POL_EP_UNKNOWN;
			ep = pol_ep_match(&m, &p, &ref);
			if (ep != want)
				fail_msg("%s \"/\\x%02x\" routes to %s, want %s", methods[i],
				    (unsigned)c, pol_ep_name(ep), pol_ep_name(want));
			if (ep != POL_EP_UNKNOWN && (ref.p != path + 1 || ref.len != 1))
				fail_msg("%s \"/\\x%02x\": ref is not the byte", methods[i],
				    (unsigned)c);
		}
	}
}

struct flag_case {
	const char *name; /* operation id */
	unsigned set;     /* flags that must be set */
	unsigned clear;   /* flags that must be clear */
};

static struct flag_case flag_cases[] = {
	{ "ContainerArchive", POL_EPF_LEAK | POL_EPF_STREAM, 0 },
	{ "ContainerArchiveInfo", POL_EPF_LEAK, 0 },
	{ "ContainerExport", POL_EPF_LEAK | POL_EPF_STREAM, 0 },
	{ "ImageGet", POL_EPF_LEAK | POL_EPF_STREAM, 0 },
	{ "ImageGetAll", POL_EPF_LEAK | POL_EPF_STREAM, 0 },
	{ "ContainerAttachWebsocket", POL_EPF_LEAK | POL_EPF_HIJACK, POL_EPF_READ },
	{ "SwarmUnlockkey", POL_EPF_LEAK, 0 },
	{ "SecretList", POL_EPF_LEAK, 0 },
	{ "SecretInspect", POL_EPF_LEAK, 0 },
	{ "ConfigList", POL_EPF_LEAK, 0 },
	{ "ConfigInspect", POL_EPF_LEAK, 0 },
	{ "DebugVars", POL_EPF_LEAK, 0 },
	{ "DebugPprofLookup", POL_EPF_LEAK, 0 },
	{ "ContainerAttach", POL_EPF_HIJACK | POL_EPF_STREAM, POL_EPF_READ },
	{ "ExecStart", POL_EPF_HIJACK | POL_EPF_STREAM | POL_EPF_JSON_BODY, POL_EPF_ROOT },
	{ "Session", POL_EPF_HIJACK, POL_EPF_ROOT },
	{ "Grpc", POL_EPF_HIJACK | POL_EPF_ROOT, 0 },
	{ "SystemEvents", POL_EPF_READ | POL_EPF_STREAM, POL_EPF_LEAK },
	{ "ContainerLogs", POL_EPF_READ | POL_EPF_STREAM, 0 },
	{ "ContainerWait", POL_EPF_STREAM, 0 },
	{ "ImageBuild", POL_EPF_ROOT | POL_EPF_STREAM | POL_EPF_UPLOAD, 0 },
	{ "ImageLoad", POL_EPF_STREAM | POL_EPF_UPLOAD, POL_EPF_ROOT },
	{ "ImageCreate", POL_EPF_STREAM | POL_EPF_UPLOAD, 0 },
	{ "PutContainerArchive", POL_EPF_ROOT | POL_EPF_UPLOAD, 0 },
	{ "PluginCreate", POL_EPF_ROOT | POL_EPF_UPLOAD, 0 },
	{ "ContainerCreate", POL_EPF_ROOT | POL_EPF_JSON_BODY, POL_EPF_READ },
	{ "ContainerStart", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "ContainerUpdate", POL_EPF_JSON_BODY, POL_EPF_ROOT },
	{ "ContainerExec", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "ServiceCreate", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "ServiceUpdate", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "PluginPull", POL_EPF_ROOT | POL_EPF_JSON_BODY | POL_EPF_STREAM, 0 },
	{ "PluginUpgrade", POL_EPF_ROOT | POL_EPF_JSON_BODY | POL_EPF_STREAM, 0 },
	{ "PluginSet", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "PluginEnable", POL_EPF_ROOT, 0 },
	{ "SwarmInit", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "SwarmJoin", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "SwarmUpdate", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "NodeUpdate", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "VolumeCreate", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "NetworkCreate", POL_EPF_ROOT | POL_EPF_JSON_BODY, 0 },
	{ "NetworkConnect", POL_EPF_JSON_BODY, POL_EPF_ROOT },
	{ "SystemAuth", POL_EPF_JSON_BODY, POL_EPF_READ },
	{ "ImageCommit", POL_EPF_JSON_BODY, 0 },
	{ "ContainerList", POL_EPF_READ, POL_EPF_LEAK | POL_EPF_ROOT },
	{ "ContainerInspect", POL_EPF_READ, POL_EPF_LEAK },
	{ "SystemPing", POL_EPF_READ, ~POL_EPF_READ },
	{ "SystemPingHead", POL_EPF_READ, ~POL_EPF_READ },
};

static void
test_endpoints_flag_row(void **state)
{
	const struct flag_case *c = *state;
	int ep = pol_ep_lookup(c->name);
	unsigned f = pol_ep_flags(ep);

	if (ep == POL_EP_UNKNOWN)
		fail_msg("flags \"%s\": no such endpoint", c->name);
	if ((f & c->set) != c->set || (f & c->clear) != 0)
		fail_msg(
		    "flags \"%s\": %#x, want %#x set and %#x clear", c->name, f, c->set, c->clear);
}

/* READ only on methods that cannot change state; bodies only where the method carries one. */
static void
test_endpoints_flag_rules(void **state)
{
	size_t i, n = pol_ep_count();

	(void)state;
	for (i = 1; i < n; i++) {
		const char *m = pol_ep_method((int)i);
		unsigned f = pol_ep_flags((int)i);
		bool safe =
		    strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;

		if ((f & POL_EPF_READ) && !safe)
			fail_msg("%s: READ on %s", pol_ep_name((int)i), m);
		if ((f & (POL_EPF_JSON_BODY | POL_EPF_UPLOAD)) && safe)
			fail_msg("%s: request body on %s", pol_ep_name((int)i), m);
		if ((f & POL_EPF_JSON_BODY) && (f & POL_EPF_UPLOAD))
			fail_msg("%s: both JSON and upload body", pol_ep_name((int)i));
		if ((f & POL_EPF_ROOT) && (f & POL_EPF_READ))
			fail_msg("%s: ROOT and READ", pol_ep_name((int)i));
	}
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(route_cases) + nitems(flag_cases) + 4];
	size_t i, n = 0;

	for (i = 0; i < nitems(route_cases); i++)
		tests[n++] = (struct CMUnitTest){ route_cases[i].name, test_endpoints_route_row,
			NULL, NULL, &route_cases[i] };
	for (i = 0; i < nitems(flag_cases); i++)
		tests[n++] = (struct CMUnitTest){ flag_cases[i].name, test_endpoints_flag_row, NULL,
			NULL, &flag_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_endpoints_table);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_endpoints_reachable);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_endpoints_every_second_byte);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_endpoints_flag_rules);
	return _cmocka_run_group_tests("endpoints", tests, n, NULL, NULL);
}
