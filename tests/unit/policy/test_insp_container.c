/*
 * Tests for the container inspectors (insp_container_*.c) and the verdict
 * built by inspect.c.  Each row runs one body through the inspector with
 * hand-built rules (so the rows do not depend on the YAML loader), and
 * states the rules broken, the first finding's field and, where it
 * matters, the canonical body that would be forwarded.  A second table runs
 * whole requests through pol_inspect() with a YAML configuration: media
 * types, empty bodies, messages, modes.  A third replays the bodies real
 * clients sent (tests/data/bodies), which must be allowed and forwarded
 * as a fixed point.
 */
#include "sockwarden/compat.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "inspect.h"
#include "json_strict.h"
#include "policy_int.h"
#include "schema_container.h"

#define J(...) #__VA_ARGS__
#define HEX64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- rule presets --------------------------------------------------------------- */

enum preset {
	R_NONE,   /* no rule configured: strict parsing and canonical forwarding only */
	R_STRICT, /* every isolation rule on, allow-lists small */
	R_HARD,   /* requirements: non-root, no-new-privileges, limits, labels, drop ALL */
	R_MUT,    /* R_HARD plus set/default mutations that satisfy it */
	R_LOOSE,  /* every rule on but allowing nearly everything */
	R__COUNT
};

static struct pol_rules presets[R__COUNT];

static void
list(struct pol_strlist *l, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, l);
	while ((s = va_arg(ap, const char *)) != NULL) {
		l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
		assert_non_null(l->v);
		l->v[l->n++] = strdup(s);
	}
	va_end(ap);
}

static void
configure(struct pol_rules *r, ...)
{
	va_list ap;
	int id;

	r->enabled = true;
	va_start(ap, r);
	while ((id = va_arg(ap, int)) != -1)
		r->configured[id] = true;
	va_end(ap);
}

static void
preset_strict(struct pol_rules *r)
{
	static struct pol_port_range ports[] = { { 8000, 8999 } };

	configure(r, POL_RULE_PRIVILEGED, POL_RULE_BIND_MOUNTS, POL_RULE_VOLUMES,
	    POL_RULE_VOLUMES_FROM, POL_RULE_DEVICES, POL_RULE_CAPABILITIES, POL_RULE_SECURITY_OPT,
	    POL_RULE_SYSTEM_PATHS, POL_RULE_NAMESPACES, POL_RULE_SYSCTLS, POL_RULE_RUNTIMES,
	    POL_RULE_CGROUP_PARENT, POL_RULE_ULIMITS, POL_RULE_OOM_KILL_DISABLE, POL_RULE_PORTS,
	    POL_RULE_IMAGES, POL_RULE_LOG_DRIVERS, POL_RULE_RESOURCES, -1);
	list(&r->bind_rw, "/srv/ci/**", NULL);
	list(&r->bind_ro, "/opt/ro/**", NULL);
	list(&r->volume_drivers, "local", NULL);
	list(&r->devices, "/dev/fuse", NULL);
	list(&r->cap_add, "NET_BIND_SERVICE", NULL);
	list(&r->sysctls, "net.ipv4.ping_group_range", NULL);
	list(&r->runtimes, "", "runc", NULL);
	list(&r->ulimits, "nofile", NULL);
	list(&r->port_host_ips, "127.0.0.1", "::1", NULL);
	list(&r->images, "docker.io/library/alpine:*", "registry.example.org/**", NULL);
	list(&r->log_drivers, "", "json-file", NULL);
	r->ports = malloc(sizeof(ports));
	memcpy(r->ports, ports, sizeof(ports));
	r->n_ports = 1;
}

static void
preset_hard(struct pol_rules *r)
{
	configure(r, POL_RULE_CAPABILITIES, POL_RULE_RESOURCES, POL_RULE_READ_ONLY_ROOTFS,
	    POL_RULE_USER, POL_RULE_NO_NEW_PRIVILEGES, POL_RULE_LABELS, -1);
	r->require_drop_all = true;
	r->require_memory = r->require_pids_limit = r->require_cpu = true;
	r->max_memory = 1024LL * 1024 * 1024;
	r->max_pids_limit = 1000;
	r->max_nano_cpus = 2000000000LL;
	r->require_read_only_rootfs = true;
	r->require_non_root = true;
	r->require_no_new_privileges = true;
	list(&r->require_labels, "team", NULL);
}

static void
preset_mut(struct pol_rules *r)
{
	preset_hard(r);
	r->set.cap_drop_all = true;
	r->set.no_new_privileges = true;
	r->set.has_pids_limit = true;
	r->set.pids_limit = 100;
	r->dflt.has_memory = true;
	r->dflt.memory = 256LL * 1024 * 1024;
	r->dflt.read_only_rootfs = true;
	r->dflt.user = strdup("1000");
	list(&r->set.labels, "team=ci", NULL);
	list(&r->dflt.labels, "owner=nobody", NULL);
	/* CPU is not a mutation: the body must bring it. */
	r->require_cpu = false;
	r->max_nano_cpus = 0;
}

static void
preset_loose(struct pol_rules *r)
{
	int i;

	for (i = 0; i < POL_RULE__COUNT; i++)
		r->configured[i] = true;
	r->enabled = true;
	r->allow_privileged = true;
	list(&r->bind_rw, "/**", NULL);
	r->allow_bind_propagation = r->allow_named_volumes = r->allow_volume_driver_opts = true;
	list(&r->volume_drivers, "*", NULL);
	r->allow_volumes_from = r->allow_device_requests = r->allow_device_cgroup_rules = true;
	list(&r->devices, "/dev/**", NULL);
	list(&r->cap_add, "ALL", NULL);
	r->allow_unconfined = r->allow_system_paths = r->allow_container_namespaces = true;
	list(&r->host_namespaces, "network", "pid", "ipc", "uts", "userns", "cgroupns", NULL);
	list(&r->sysctls, "**", NULL);
	list(&r->runtimes, "", "*", NULL);
	r->allow_cgroup_parent = r->allow_oom_kill_disable = r->allow_publish_all = true;
	list(&r->ulimits, "*", NULL);
	list(&r->images, "**", NULL);
	list(&r->log_drivers, "", "*", NULL);
	list(&r->port_host_ips, "", "*", NULL);
	r->ports = calloc(1, sizeof(*r->ports));
	r->ports[0].lo = 1;
	r->ports[0].hi = 65535;
	r->n_ports = 1;
}

static int
setup_presets(void **state)
{
	(void)state;
	memset(presets, 0, sizeof(presets));
	preset_strict(&presets[R_STRICT]);
	preset_hard(&presets[R_HARD]);
	preset_mut(&presets[R_MUT]);
	preset_loose(&presets[R_LOOSE]);
	return 0;
}

static int
teardown_presets(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < R__COUNT; i++)
		pol_rules_free(&presets[i]);
	return 0;
}

/* ---- the inspector table ------------------------------------------------------------ */

enum ep { CREATE, UPDATE, START };
enum want { W_ALLOW, W_FIND, W_BAD };

struct cc_case {
	const char *name;
	enum ep ep;
	enum preset rules;
	const char *daemon; /* dockerd version, "" unknown */
	const char *api;    /* its API version, "" unknown */
	const char *body;
	enum want want;
	const char *hit;   /* W_FIND: rules broken, in order, comma-separated; W_BAD: error text */
	const char *field; /* W_FIND: the first finding's field */
	const char *out;   /* the canonical body, NULL: not compared */
	const char *req;   /* the request's /vX.Y; NULL: unversioned (the daemon's API) */
};

/* Daemon versions: the ≤26 wrapper, the >=27 CreateRequest, and unknown. */
#define D26  "26.1.4", "1.45"
#define D27  "27.5.1", "1.47"
#define D20  "20.10.24", "1.41"
#define DUNK "", ""

#define C_STRICT(name, body, ...)                                          \
	{                                                                  \
		name, CREATE, R_STRICT, D27, body, __VA_ARGS__, NULL, NULL \
	}
#define ALLOWED          W_ALLOW, NULL, NULL
#define FIND(hit, field) W_FIND, hit, field
#define BAD(text)        W_BAD, text, NULL

/* Rows leave "req" (and sometimes "out") out: zero, i.e. NULL, is what they mean. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static struct cc_case cc_cases[] = {
	/* privileged, and where the daemon reads HostConfig from */
	C_STRICT("privileged", J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }),
	    FIND("privileged", "HostConfig.Privileged")),
	C_STRICT("privileged false",
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : false } }), ALLOWED),
	{ "privileged with no rule configured", CREATE, R_NONE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }), ALLOWED,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }) },
	{ "privileged allowed by the policy", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }), ALLOWED, NULL },
	C_STRICT("Privil\\u0065ged escape is Privileged",
	    J({ "Image" : "alpine", "HostConfig" : { "Privil\u0065ged" : true } }),
	    FIND("privileged", "HostConfig.Privileged")),
	C_STRICT("privileged lower-case key",
	    J({ "Image" : "alpine", "HostConfig" : { "privileged" : true } }),
	    BAD("must be spelled \"Privileged\"")),
	C_STRICT("PRIVILEGED upper-case key",
	    J({ "Image" : "alpine", "HostConfig" : { "PRIVILEGED" : true } }),
	    BAD("must be spelled")),
	C_STRICT("privileged twice",
	    J({ "HostConfig" : { "Privileged" : false, "Privileged" : true } }),
	    BAD("is repeated")),
	C_STRICT("privileged null then true",
	    J({ "HostConfig" : { "Privileged" : null, "Privileged" : true } }), BAD("is repeated")),
	C_STRICT("privileged case-variant duplicate",
	    J({ "HostConfig" : { "Privileged" : false, "privileged" : true } }),
	    BAD("must be spelled")),
	C_STRICT("hostconfig lower-case",
	    J({ "Image" : "alpine", "hostconfig" : { "Privileged" : true } }),
	    BAD("must be spelled \"HostConfig\"")),
	C_STRICT("Ho\\u017ftConfig (long s)", J({ "Image" : "alpine", "Ho\u017ftConfig" : {} }),
	    BAD("must be spelled \"HostConfig\"")),
	C_STRICT("HostConfig repeated (Go merges)",
	    J({ "HostConfig" : { "Privileged" : true }, "HostConfig" : { "Memory" : 1 } }),
	    BAD("is repeated")),
	C_STRICT("HostConfig an array", J({ "Image" : "alpine", "HostConfig" : [] }),
	    BAD("HostConfig: expected an object")),
	C_STRICT("Privileged as a string", J({ "HostConfig" : { "Privileged" : "true" } }),
	    BAD("HostConfig.Privileged: expected a boolean")),
	C_STRICT("Privileged as 1", J({ "HostConfig" : { "Privileged" : 1 } }),
	    BAD("HostConfig.Privileged: expected a boolean")),
	C_STRICT("body an array", J([]), BAD("expected an object")),
	C_STRICT("body null", J(null), BAD("expected an object")),
	/* <= 26: top-level HostConfig fields (getHostConfig) */
	{ "<=26: top-level Privileged", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "Privileged" : true }),
	    FIND("privileged", "HostConfig.Privileged"),
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }) },
	{ "<=26: top-level privileged misspelt", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "privileged" : true }), BAD("must be spelled \"Privileged\""),
	    NULL, NULL },
	{ "<=26: top-level Binds", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "Binds" : ["/:/host"] }),
	    FIND("bind_mounts", "HostConfig.Binds[0]"), NULL },
	{ "<=26: HostConfig null, top-level NetworkMode", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "HostConfig" : null, "NetworkMode" : "host" }),
	    FIND("namespaces", "HostConfig.NetworkMode"),
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "host" } }) },
	{ "<=26: inner HostConfig wins over top level", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "Privileged" : true, "HostConfig" : { "Privileged" : false } }),
	    ALLOWED, J({ "Image" : "alpine", "HostConfig" : { "Privileged" : false } }) },
	{ "<=26: top-level null still makes a HostConfig", CREATE, R_NONE, D26,
	    J({ "Image" : "alpine", "Binds" : null }), ALLOWED,
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : null } }) },
	{ "<=26: top-level Memory fills a zero inner Memory", CREATE, R_NONE, D26, J({
		 "Image" : "a",
		 "Memory" : 5,
		 "MemorySwap" : 6,
		 "CpuShares" : 7,
		 "CpusetCpus" : "1",
		 "VolumeDriver" : "d",
		 "HostConfig" : { "Memory" : 0 }
	 }),
	    ALLOWED,
	    "{\"Image\":\"a\",\"HostConfig\":{\"Memory\":5,\"MemorySwap\":6,\"CpuShares\":7,"
	    "\"CpusetCpus\":\"1\",\"VolumeDriver\":\"d\"}}" },
	{ "<=26: top-level Memory does not replace inner", CREATE, R_NONE, D26,
	    J({ "Image" : "a", "Memory" : 5, "HostConfig" : { "Memory" : 9 } }), ALLOWED,
	    J({ "Image" : "a", "HostConfig" : { "Memory" : 9 } }) },
	{ "<=26: only the five fields merge", CREATE, R_NONE, D26,
	    J({ "Image" : "a", "Privileged" : true, "PidsLimit" : 1, "HostConfig" : {} }), ALLOWED,
	    J({ "Image" : "a", "HostConfig" : {} }) },
	{ "<=26: top-level VolumeDriver merges", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "VolumeDriver" : "evil", "HostConfig" : {} }),
	    FIND("volumes", "HostConfig.VolumeDriver"),
	    J({ "Image" : "alpine", "HostConfig" : { "VolumeDriver" : "evil" } }) },
	{ "<=26: Cpuset fills CpusetCpus", CREATE, R_NONE, D26,
	    J({ "Image" : "a", "Cpuset" : "0-1", "HostConfig" : {} }), ALLOWED,
	    J({ "Image" : "a", "HostConfig" : { "CpusetCpus" : "0-1" } }) },
	{ "<=26: Cpuset does not replace CpusetCpus", CREATE, R_NONE, D26,
	    J({ "Image" : "a", "Cpuset" : "0-1", "HostConfig" : { "CpusetCpus" : "2" } }), ALLOWED,
	    J({ "Image" : "a", "HostConfig" : { "CpusetCpus" : "2" } }) },
	{ "<=26: Cpuset without any HostConfig is dropped", CREATE, R_NONE, D26,
	    J({ "Image" : "a", "Cpuset" : "0-1" }), ALLOWED, J({ "Image" : "a" }) },
	{ "unknown daemon: top-level read as <=26", CREATE, R_STRICT, DUNK,
	    J({ "Image" : "alpine", "Privileged" : true }),
	    FIND("privileged", "HostConfig.Privileged"), NULL },
	{ "20.10: top-level Privileged", CREATE, R_STRICT, D20,
	    J({ "Image" : "alpine", "Privileged" : true }),
	    FIND("privileged", "HostConfig.Privileged"), NULL },
	{ ">=27: top-level Privileged ignored and dropped", CREATE, R_STRICT, D27,
	    J({ "Image" : "alpine", "Privileged" : true, "Binds" : ["/:/h"], "Cpuset" : "1" }),
	    ALLOWED, J({ "Image" : "alpine" }) },
	{ ">=27: top-level privileged misspelt is just unknown", CREATE, R_STRICT, D27,
	    J({ "Image" : "alpine", "privileged" : true }), ALLOWED, J({ "Image" : "alpine" }) },
	{ "unknown keys dropped from the forwarded body", CREATE, R_NONE, D27, J({
		 "Image" : "a",
		 "Bogus" : 1,
		 "HostConfig" : { "Resources" : { "Memory" : 1 }, "Memory" : 2 }
	 }),
	    ALLOWED, J({ "Image" : "a", "HostConfig" : { "Memory" : 2 } }) },
	{ "numbers forwarded digit for digit", CREATE, R_NONE, D27, J({
		 "Image" : "a",
		 "StopTimeout" : 10,
		 "HostConfig" : { "Memory" : 268435456, "CpuShares" : -0 }
	 }),
	    ALLOWED, J({
		    "Image" : "a",
		    "StopTimeout" : 10,
		    "HostConfig" : { "Memory" : 268435456, "CpuShares" : -0 }
	    }) },
	C_STRICT("Memory 1.0", J({ "HostConfig" : { "Memory" : 1.0 } }),
	    BAD("HostConfig.Memory: expected an integer")),
	C_STRICT(
	    "Memory 1e3", J({ "HostConfig" : { "Memory" : 1e3 } }), BAD("expected an integer")),
	C_STRICT("Memory beyond int64", J({ "HostConfig" : { "Memory" : 9223372036854775808 } }),
	    BAD("out of range")),
	/* legacy Capabilities: always refused */
	{ "Capabilities (API 1.40) refused with no rules", CREATE, R_NONE, D27,
	    J({ "Image" : "a", "HostConfig" : { "Capabilities" : ["CAP_SYS_ADMIN"] } }),
	    FIND("legacy", "HostConfig.Capabilities"), NULL },
	{ "Capabilities empty list refused", CREATE, R_NONE, D27,
	    J({ "Image" : "a", "HostConfig" : { "Capabilities" : [] } }),
	    FIND("legacy", "HostConfig.Capabilities"), NULL },
	{ "Capabilities null allowed", CREATE, R_NONE, D27,
	    J({ "Image" : "a", "HostConfig" : { "Capabilities" : null } }), ALLOWED, NULL },
	/* Binds */
	C_STRICT("bind in the allowed tree",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/job1:/w"] } }), ALLOWED),
	C_STRICT("bind of the allowed root itself",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci:/w"] } }), ALLOWED),
	C_STRICT("bind next to the allowed tree",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/cix:/w"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind /etc",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/etc:/host"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind /", J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/:/host"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind .. out of the tree",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/../../etc:/x"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind .. staying in the tree",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/a/../b:/x"] } }), ALLOWED),
	C_STRICT("bind with // and .",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["//srv/./ci//a/:/x"] } }), ALLOWED),
	C_STRICT("bind .. above the root",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/../../srv/ci/a:/x"] } }),
	    ALLOWED),
	C_STRICT("bind the docker socket",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/var/run/docker.sock:/s"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind /run/docker.sock",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/run/docker.sock:/s"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind /var/run (holds the socket)",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/var/run:/r"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind containerd", J({
		"Image" : "alpine",
		"HostConfig" : { "Binds" : ["/run/containerd/containerd.sock:/c"] }
	}),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind docker state",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/var/lib/docker/volumes:/v"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	{ "socket refused even when / is allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/var/run/docker.sock:/s"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]"), NULL },
	{ "/ refused even when every path is allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/:/h:ro"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]"), NULL },
	{ "/etc allowed by /**", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/etc:/h"] } }), ALLOWED, NULL },
	C_STRICT("bind read-only tree read-only",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/opt/ro/x:/x:ro"] } }), ALLOWED),
	C_STRICT("bind read-only tree read-write",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/opt/ro/x:/x"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind read-only tree with rw",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/opt/ro/x:/x:rw"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind ro among modes",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/opt/ro/x:/x:z,ro"] } }), ALLOWED),
	C_STRICT("bind shared propagation",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/a:/a:rshared"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind slave propagation",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/a:/a:ro,slave"] } }),
	    FIND("bind_mounts", "HostConfig.Binds[0]")),
	C_STRICT("bind private propagation",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/a:/a:rprivate"] } }),
	    ALLOWED),
	C_STRICT("bind the second entry",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : [ "/srv/ci/a:/a", "/root:/r" ] } }),
	    FIND("bind_mounts", "HostConfig.Binds[1]")),
	C_STRICT("named volume",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["data:/data"] } }),
	    FIND("volumes", "HostConfig.Binds[0]")),
	C_STRICT("relative source is a named volume",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["./etc:/data"] } }),
	    FIND("volumes", "HostConfig.Binds[0]")),
	C_STRICT("anonymous volume",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/data"] } }), ALLOWED),
	{ "named volume allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["data:/data"] } }), ALLOWED, NULL },
	C_STRICT("bind destination with mode only",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/x:ro"] } }),
	    BAD("invalid volume specification")),
	C_STRICT("bind empty source",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : [":/x"] } }),
	    BAD("invalid volume specification")),
	C_STRICT("bind four parts",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/a:/b:ro:x"] } }),
	    BAD("invalid volume specification")),
	C_STRICT("bind null element",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : [null] } }),
	    BAD("invalid volume specification")),
	C_STRICT("bind empty mode",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/a:"] } }),
	    BAD("invalid volume specification")),
	/* Mounts */
	C_STRICT("mount bind /etc", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "bind", "Source" : "/etc", "Target" : "/e" } ] }
	}),
	    FIND("bind_mounts", "HostConfig.Mounts[0]")),
	C_STRICT("mount bind allowed", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "bind", "Source" : "/srv/ci/a", "Target" : "/a" } ] }
	}),
	    ALLOWED),
	C_STRICT("mount bind .. escape", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" :
			    [ { "Type" : "bind", "Source" : "/srv/ci/../../", "Target" : "/a" } ]
		}
	}),
	    FIND("bind_mounts", "HostConfig.Mounts[0]")),
	C_STRICT("mount bind read-only", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "bind",
				"Source" : "/opt/ro/a",
				"Target" : "/a",
				"ReadOnly" : true
			} ]
		}
	}),
	    ALLOWED),
	C_STRICT("mount bind read-only tree rw", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "bind", "Source" : "/opt/ro/a", "Target" : "/a" } ] }
	}),
	    FIND("bind_mounts", "HostConfig.Mounts[0]")),
	C_STRICT("mount bind ReadOnlyNonRecursive", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "bind",
				"Source" : "/opt/ro/a",
				"Target" : "/a",
				"ReadOnly" : true,
				"BindOptions" : { "ReadOnlyNonRecursive" : true }
			} ]
		}
	}),
	    FIND("bind_mounts", "HostConfig.Mounts[0]")),
	C_STRICT("mount bind shared propagation", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "bind",
				"Source" : "/srv/ci/a",
				"Target" : "/a",
				"BindOptions" : { "Propagation" : "shared" }
			} ]
		}
	}),
	    FIND("bind_mounts", "HostConfig.Mounts[0]")),
	C_STRICT("mount bind relative source", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "bind", "Source" : "etc", "Target" : "/a" } ] }
	}),
	    BAD("absolute Source")),
	C_STRICT("mount Type Bind (case)", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "Bind", "Source" : "/etc", "Target" : "/a" } ] }
	}),
	    BAD("mount type unknown")),
	C_STRICT("mount Type missing", J({
		"Image" : "alpine",
		"HostConfig" : { "Mounts" : [ { "Source" : "/etc", "Target" : "/a" } ] }
	}),
	    BAD("mount type unknown")),
	C_STRICT("mount npipe", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "npipe", "Source" : "/etc", "Target" : "/a" } ] }
	}),
	    BAD("mount type unknown")),
	C_STRICT("mount null", J({ "Image" : "alpine", "HostConfig" : { "Mounts" : [null] } }),
	    BAD("mount type unknown")),
	C_STRICT("mount lower-case type key", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "type" : "bind", "Source" : "/etc", "Target" : "/a" } ] }
	}),
	    BAD("must be spelled \"Type\"")),
	C_STRICT("mount lower-case source key", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "bind", "source" : "/etc", "Target" : "/a" } ] }
	}),
	    BAD("must be spelled \"Source\"")),
	C_STRICT("mount key with long s", J({
		"Image" : "alpine",
		"HostConfig" : { "Mounts" : [ { "Type" : "bind", "\u017fource" : "/etc" } ] }
	}),
	    BAD("must be spelled \"Source\"")),
	C_STRICT("Mount\\u017f key",
	    J({ "Image" : "alpine", "HostConfig" : { "Mount\u017f" : [] } }),
	    BAD("must be spelled \"Mounts\"")),
	C_STRICT("mount tmpfs", J({
		"Image" : "alpine",
		"HostConfig" : { "Mounts" : [ { "Type" : "tmpfs", "Target" : "/t" } ] }
	}),
	    ALLOWED),
	C_STRICT("mount anonymous volume", J({
		"Image" : "alpine",
		"HostConfig" : { "Mounts" : [ { "Type" : "volume", "Target" : "/v" } ] }
	}),
	    ALLOWED),
	C_STRICT("mount named volume", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "volume", "Source" : "v", "Target" : "/v" } ] }
	}),
	    FIND("volumes", "HostConfig.Mounts[0]")),
	C_STRICT("mount volume with local bind options", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "volume",
				"Target" : "/v",
				"VolumeOptions" : {
					"DriverConfig" : {
						"Name" : "local",
						"Options" : {
							"type" : "none",
							"o" : "bind",
							"device" : "/etc"
						}
					}
				}
			} ]
		}
	}),
	    FIND("volumes", "HostConfig.Mounts[0]")),
	C_STRICT("mount volume with device options", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "volume",
				"Target" : "/v",
				"VolumeOptions" : {
					"DriverConfig" : {
						"Options" :
						    { "type" : "ext4", "device" : "/dev/sda1" }
					}
				}
			} ]
		}
	}),
	    FIND("volumes", "HostConfig.Mounts[0]")),
	C_STRICT("mount volume with empty options", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "volume",
				"Target" : "/v",
				"VolumeOptions" :
				    { "DriverConfig" : { "Name" : "local", "Options" : {} } }
			} ]
		}
	}),
	    ALLOWED),
	C_STRICT("mount volume other driver", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "volume",
				"Target" : "/v",
				"VolumeOptions" : { "DriverConfig" : { "Name" : "sshfs" } }
			} ]
		}
	}),
	    FIND("volumes", "HostConfig.Mounts[0]")),
	C_STRICT("mount DriverConfig lower-case keys", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Mounts" : [ {
				"Type" : "volume",
				"VolumeOptions" :
				    { "DriverConfig" : { "options" : { "device" : "/etc" } } }
			} ]
		}
	}),
	    BAD("must be spelled \"Options\"")),
	C_STRICT("mount cluster volume", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "cluster", "Source" : "c", "Target" : "/c" } ] }
	}),
	    FIND("volumes,volumes", "HostConfig.Mounts[0]")),
	C_STRICT("mount image allowed", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "image", "Source" : "alpine:3", "Target" : "/i" } ] }
	}),
	    ALLOWED),
	C_STRICT("mount image not allowed", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Mounts" : [ { "Type" : "image", "Source" : "evil/img", "Target" : "/i" } ] }
	}),
	    FIND("images", "HostConfig.Mounts[0]")),
	C_STRICT("VolumeDriver other",
	    J({ "Image" : "alpine", "HostConfig" : { "VolumeDriver" : "convoy" } }),
	    FIND("volumes", "HostConfig.VolumeDriver")),
	C_STRICT("VolumeDriver local",
	    J({ "Image" : "alpine", "HostConfig" : { "VolumeDriver" : "local" } }), ALLOWED),
	C_STRICT("VolumesFrom",
	    J({ "Image" : "alpine", "HostConfig" : { "VolumesFrom" : ["other:ro"] } }),
	    FIND("volumes_from", "HostConfig.VolumesFrom[0]")),
	C_STRICT("VolumesFrom empty",
	    J({ "Image" : "alpine", "HostConfig" : { "VolumesFrom" : [] } }), ALLOWED),
	/* devices */
	C_STRICT("device allowed", J({
		"Image" : "alpine",
		"HostConfig" : {
			"Devices" : [ {
				"PathOnHost" : "/dev/fuse",
				"PathInContainer" : "/dev/fuse",
				"CgroupPermissions" : "rwm"
			} ]
		}
	}),
	    ALLOWED),
	C_STRICT("device cleaned", J({
		"Image" : "alpine",
		"HostConfig" : { "Devices" : [ { "PathOnHost" : "/dev/../dev/fuse" } ] }
	}),
	    ALLOWED),
	C_STRICT("device disk", J({
		"Image" : "alpine",
		"HostConfig" : { "Devices" : [ { "PathOnHost" : "/dev/sda" } ] }
	}),
	    FIND("devices", "HostConfig.Devices[0].PathOnHost")),
	C_STRICT("device directory",
	    J({ "Image" : "alpine", "HostConfig" : { "Devices" : [ { "PathOnHost" : "/dev" } ] } }),
	    FIND("devices", "HostConfig.Devices[0].PathOnHost")),
	C_STRICT("device lower-case key", J({
		"Image" : "alpine",
		"HostConfig" : { "Devices" : [ { "pathonhost" : "/dev/sda" } ] }
	}),
	    BAD("must be spelled \"PathOnHost\"")),
	C_STRICT("device requests", J({
		"Image" : "alpine",
		"HostConfig" : {
			"DeviceRequests" :
			    [ { "Driver" : "nvidia", "Count" : -1, "Capabilities" : [["gpu"]] } ]
		}
	}),
	    FIND("devices", "HostConfig.DeviceRequests[0]")),
	C_STRICT("device cgroup rules",
	    J({ "Image" : "alpine", "HostConfig" : { "DeviceCgroupRules" : ["b *:* rwm"] } }),
	    FIND("devices", "HostConfig.DeviceCgroupRules[0]")),
	/* capabilities */
	C_STRICT("cap NET_BIND_SERVICE",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["NET_BIND_SERVICE"] } }), ALLOWED),
	C_STRICT("cap net_bind_service",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["net_bind_service"] } }), ALLOWED),
	C_STRICT("cap CAP_NET_BIND_SERVICE",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["CAP_NET_BIND_SERVICE"] } }),
	    ALLOWED),
	C_STRICT("cap cap_net_bind_service",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["cap_net_bind_service"] } }),
	    ALLOWED),
	C_STRICT("cap SYS_ADMIN",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["SYS_ADMIN"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap cap_sys_admin",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["cap_sys_admin"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap CAP_SYS_ADMIN",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["CAP_SYS_ADMIN"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap sys_admin",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["sys_admin"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap \\u017fys_admin (long s)",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["\u017fys_admin"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap \\u0131pc_lock (dotless i)",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["\u0131pc_lock"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap n\\u0131t spelled with dotless i is allowed",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["net_b\u0131nd_service"] } }),
	    ALLOWED),
	C_STRICT("cap ALL", J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["ALL"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap all", J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["all"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap CAP_ALL",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["CAP_ALL"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	C_STRICT("cap cap_all (CAP_ALL in lower case)",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["cap_all"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]")),
	/* The daemon reads "ALL" in any case as every capability, and "CAP_ALL" as an unknown one.
	 */
	{ "cap all where ALL is allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["all"] } }), ALLOWED, NULL },
	{ "cap CAP_ALL refused even where ALL is allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["CAP_ALL"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]"), NULL },
	{ "cap Cap_All refused even where ALL is allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : ["Cap_All"] } }),
	    FIND("capabilities", "HostConfig.CapAdd[0]"), NULL },
	{ "cap CAP_ALL as a string refused even where ALL is allowed", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : "CAP_ALL" } }),
	    FIND("capabilities", "HostConfig.CapAdd"), NULL },
	C_STRICT("cap as a string (StrSlice)",
	    J({ "Image" : "alpine", "HostConfig" : { "CapAdd" : "SYS_ADMIN" } }),
	    FIND("capabilities", "HostConfig.CapAdd")),
	C_STRICT("cap second entry", J({
		"Image" : "alpine",
		"HostConfig" : { "CapAdd" : [ "NET_BIND_SERVICE", "SYS_PTRACE" ] }
	}),
	    FIND("capabilities", "HostConfig.CapAdd[1]")),
	C_STRICT("cap drop anything",
	    J({ "Image" : "alpine", "HostConfig" : { "CapDrop" : [ "NET_RAW", "MKNOD" ] } }),
	    ALLOWED),
	{ "cap drop ALL required and given", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["all"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    ALLOWED, NULL },
	{ "cap drop ALL as a string", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : "ALL",
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    ALLOWED, NULL },
	{ "cap drop CAP_ALL is not drop ALL", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["CAP_ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("capabilities", "HostConfig.CapDrop"), NULL },
	{ "cap drop ALL required, missing", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["NET_RAW"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("capabilities", "HostConfig.CapDrop"), NULL },
	/* SecurityOpt */
	C_STRICT("seccomp=unconfined",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["seccomp=unconfined"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("seccomp:unconfined",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["seccomp:unconfined"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("seccomp inline profile", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "SecurityOpt" : ["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"] }
	}),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("seccomp builtin",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["seccomp=builtin"] } }),
	    ALLOWED),
	C_STRICT("seccomp empty",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["seccomp="] } }), ALLOWED),
	C_STRICT("seccomp last wins (builtin)", J({
		"Image" : "alpine",
		"HostConfig" : { "SecurityOpt" : [ "seccomp=unconfined", "seccomp=builtin" ] }
	}),
	    ALLOWED),
	C_STRICT("seccomp last wins (unconfined)", J({
		"Image" : "alpine",
		"HostConfig" : { "SecurityOpt" : [ "seccomp=builtin", "seccomp:unconfined" ] }
	}),
	    FIND("security_opt", "HostConfig.SecurityOpt[1]")),
	C_STRICT("apparmor=unconfined",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["apparmor=unconfined"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("apparmor:unconfined",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["apparmor:unconfined"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("apparmor host profile",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["apparmor=my-profile"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("apparmor docker-default", J({
		"Image" : "alpine",
		"HostConfig" : { "SecurityOpt" : ["apparmor=docker-default"] }
	}),
	    ALLOWED),
	C_STRICT("label=disable",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["label=disable"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("label:disable",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["label:disable"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("bare disable",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["disable"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("label=type:spc_t",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["label=type:spc_t"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("label:type:spc_t",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["label:type:spc_t"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("writable-cgroups",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["writable-cgroups"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("writable-cgroups=true",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["writable-cgroups=true"] } }),
	    FIND("security_opt", "HostConfig.SecurityOpt[0]")),
	C_STRICT("writable-cgroups=false", J({
		"Image" : "alpine",
		"HostConfig" : { "SecurityOpt" : ["writable-cgroups=false"] }
	}),
	    ALLOWED),
	C_STRICT("no-new-privileges=false (not required here)", J({
		"Image" : "alpine",
		"HostConfig" : { "SecurityOpt" : ["no-new-privileges=false"] }
	}),
	    ALLOWED),
	C_STRICT("unknown option key",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["foo=bar"] } }),
	    BAD("unknown security option")),
	C_STRICT("Seccomp key is case-sensitive",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["Seccomp=unconfined"] } }),
	    BAD("unknown security option")),
	C_STRICT("option without separator",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["unconfined"] } }),
	    BAD("invalid security option")),
	C_STRICT("no-new-privileges=maybe", J({
		"Image" : "alpine",
		"HostConfig" : { "SecurityOpt" : ["no-new-privileges=maybe"] }
	}),
	    BAD("invalid boolean")),
	C_STRICT("label with '=' after ':' splits at '='",
	    J({ "Image" : "alpine", "HostConfig" : { "SecurityOpt" : ["label:type:x=y"] } }),
	    BAD("unknown security option")),
	{ "unconfined allowed by the policy", CREATE, R_LOOSE, D27, J({
		 "Image" : "alpine",
		 "HostConfig" : {
			 "SecurityOpt" :
			     [ "seccomp=unconfined", "apparmor=unconfined", "label=disable" ]
		 }
	 }),
	    ALLOWED, NULL },
	/* no-new-privileges required (R_HARD; the rest of the body satisfies it) */
	{ "nnp given", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges:true"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    ALLOWED, NULL },
	{ "nnp=1", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges=1"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    ALLOWED, NULL },
	{ "nnp turned off again", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : [ "no-new-privileges", "no-new-privileges=false" ],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("no_new_privileges", "HostConfig.SecurityOpt"), NULL },
	C_STRICT("crun annotation", J({
		"Image" : "alpine",
		"HostConfig" : { "Annotations" : { "run.oci.keep_original_groups" : "1" } }
	}),
	    FIND("security_opt", "HostConfig.Annotations[run.oci.keep_original_groups]")),
	C_STRICT("other annotation",
	    J({ "Image" : "alpine", "HostConfig" : { "Annotations" : { "com.example.x" : "1" } } }),
	    ALLOWED),
	/* MaskedPaths / ReadonlyPaths */
	C_STRICT("MaskedPaths []", J({ "Image" : "alpine", "HostConfig" : { "MaskedPaths" : [] } }),
	    FIND("system_paths", "HostConfig.MaskedPaths")),
	C_STRICT("ReadonlyPaths []",
	    J({ "Image" : "alpine", "HostConfig" : { "ReadonlyPaths" : [] } }),
	    FIND("system_paths", "HostConfig.ReadonlyPaths")),
	C_STRICT("MaskedPaths null", J({
		"Image" : "alpine",
		"HostConfig" : { "MaskedPaths" : null, "ReadonlyPaths" : null }
	}),
	    ALLOWED),
	C_STRICT("MaskedPaths a subset",
	    J({ "Image" : "alpine", "HostConfig" : { "MaskedPaths" : ["/proc/kcore"] } }),
	    FIND("system_paths", "HostConfig.MaskedPaths")),
	C_STRICT("ReadonlyPaths defaults plus one", J({
		"Image" : "alpine",
		"HostConfig" : {
			"ReadonlyPaths" : [
				"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
				"/proc/sysrq-trigger", "/x"
			]
		}
	}),
	    ALLOWED),
	/* namespaces */
	C_STRICT("NetworkMode host",
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "host" } }),
	    FIND("namespaces", "HostConfig.NetworkMode")),
	C_STRICT("NetworkMode ho\\u0073t escape",
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "ho\u0073t" } }),
	    FIND("namespaces", "HostConfig.NetworkMode")),
	C_STRICT("NetworkMode container:",
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "container:abc" } }),
	    FIND("namespaces", "HostConfig.NetworkMode")),
	C_STRICT("NetworkMode bridge",
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "bridge" } }), ALLOWED),
	C_STRICT("NetworkMode Host is a network name",
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "Host" } }), ALLOWED),
	C_STRICT("PidMode host", J({ "Image" : "alpine", "HostConfig" : { "PidMode" : "host" } }),
	    FIND("namespaces", "HostConfig.PidMode")),
	C_STRICT("PidMode container:",
	    J({ "Image" : "alpine", "HostConfig" : { "PidMode" : "container:db" } }),
	    FIND("namespaces", "HostConfig.PidMode")),
	C_STRICT("IpcMode host", J({ "Image" : "alpine", "HostConfig" : { "IpcMode" : "host" } }),
	    FIND("namespaces", "HostConfig.IpcMode")),
	C_STRICT("IpcMode shareable",
	    J({ "Image" : "alpine", "HostConfig" : { "IpcMode" : "shareable" } }), ALLOWED),
	C_STRICT("UTSMode host", J({ "Image" : "alpine", "HostConfig" : { "UTSMode" : "host" } }),
	    FIND("namespaces", "HostConfig.UTSMode")),
	C_STRICT("UsernsMode host",
	    J({ "Image" : "alpine", "HostConfig" : { "UsernsMode" : "host" } }),
	    FIND("namespaces", "HostConfig.UsernsMode")),
	C_STRICT("CgroupnsMode host",
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "host" } }),
	    FIND("namespaces", "HostConfig.CgroupnsMode")),
	C_STRICT("Cgroup container:",
	    J({ "Image" : "alpine", "HostConfig" : { "Cgroup" : "container:x" } }),
	    FIND("namespaces", "HostConfig.Cgroup")),
	{ "host namespaces allowed", CREATE, R_LOOSE, D27, J({
		 "Image" : "alpine",
		 "HostConfig" :
		     { "NetworkMode" : "host", "PidMode" : "container:x", "CgroupnsMode" : "host" }
	 }),
	    ALLOWED, NULL },
	{ "API 1.40 empty CgroupnsMode becomes private", CREATE, R_STRICT, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "NetworkMode" : "bridge" } }), ALLOWED, J({
		    "Image" : "alpine",
		    "HostConfig" : { "NetworkMode" : "bridge", "CgroupnsMode" : "private" }
	    }),
	    "1.40" },
	{ "API 1.40 no HostConfig gets one", CREATE, R_STRICT, D27, J({ "Image" : "alpine" }),
	    ALLOWED, J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "private" } }),
	    "1.40" },
	{ "API 1.39.99 below 1.41", CREATE, R_STRICT, D27, J({ "Image" : "alpine" }), ALLOWED,
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "private" } }), "1.39.99" },
	{ "API 1.41 empty CgroupnsMode left alone", CREATE, R_STRICT, D27,
	    J({ "Image" : "alpine" }), ALLOWED, J({ "Image" : "alpine" }), "1.41" },
	{ "API 01.041 equals 1.41", CREATE, R_STRICT, D27, J({ "Image" : "alpine" }), ALLOWED,
	    J({ "Image" : "alpine" }), "01.041" },
	{ "request 1.41 to a daemon unknown", CREATE, R_STRICT, DUNK, J({ "Image" : "alpine" }),
	    ALLOWED, J({ "Image" : "alpine" }), "1.41" },
	{ "unversioned, daemon API 1.40", CREATE, R_STRICT, "19.03.15", "1.40",
	    J({ "Image" : "alpine" }), ALLOWED,
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "private" } }) },
	{ "unversioned, daemon unknown", CREATE, R_STRICT, DUNK, J({ "Image" : "alpine" }), ALLOWED,
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "private" } }) },
	{ "API 1.40, explicit private kept", CREATE, R_STRICT, D27,
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "private" } }), ALLOWED,
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupnsMode" : "private" } }), "1.40" },
	{ "API 1.40, host cgroupns allowed: untouched", CREATE, R_LOOSE, D27,
	    J({ "Image" : "alpine" }), ALLOWED, J({ "Image" : "alpine" }), "1.40" },
	{ "API 1.40, no rules: untouched", CREATE, R_NONE, D27, J({ "Image" : "alpine" }), ALLOWED,
	    J({ "Image" : "alpine" }), "1.40" },
	/* sysctls, runtimes, cgroup parent, ulimits, OOM */
	C_STRICT("sysctl allowed", J({
		"Image" : "alpine",
		"HostConfig" : { "Sysctls" : { "net.ipv4.ping_group_range" : "0 1" } }
	}),
	    ALLOWED),
	C_STRICT("sysctl with slashes", J({
		"Image" : "alpine",
		"HostConfig" : { "Sysctls" : { "net/ipv4/ping_group_range" : "0 1" } }
	}),
	    ALLOWED),
	C_STRICT("sysctl not allowed", J({
		"Image" : "alpine",
		"HostConfig" : { "Sysctls" : { "kernel.shm_rmid_forced" : "1" } }
	}),
	    FIND("sysctls", "HostConfig.Sysctls[kernel.shm_rmid_forced]")),
	C_STRICT("endpoint sysctls in DriverOpts", J({
		"Image" : "alpine",
		"NetworkingConfig" : {
			"EndpointsConfig" : {
				"n" : {
					"DriverOpts" : {
						"com.docker.network.endpoint.sysctls" :
						    "net.ipv4.conf.IFNAME.forwarding=1"
					}
				}
			}
		}
	}),
	    FIND("sysctls", "NetworkingConfig.EndpointsConfig[n].DriverOpts")),
	C_STRICT("runtime runc", J({ "Image" : "alpine", "HostConfig" : { "Runtime" : "runc" } }),
	    ALLOWED),
	C_STRICT("runtime default", J({ "Image" : "alpine", "HostConfig" : { "Runtime" : "" } }),
	    ALLOWED),
	C_STRICT("runtime other",
	    J({ "Image" : "alpine", "HostConfig" : { "Runtime" : "io.containerd.kata.v2" } }),
	    FIND("runtimes", "HostConfig.Runtime")),
	C_STRICT("cgroup parent",
	    J({ "Image" : "alpine", "HostConfig" : { "CgroupParent" : "/" } }),
	    FIND("cgroup_parent", "HostConfig.CgroupParent")),
	C_STRICT("ulimit allowed", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "Ulimits" : [ { "Name" : "nofile", "Hard" : 1024, "Soft" : 1024 } ] }
	}),
	    ALLOWED),
	C_STRICT("ulimit other", J({
		"Image" : "alpine",
		"HostConfig" : { "Ulimits" : [ { "Name" : "memlock", "Hard" : -1, "Soft" : -1 } ] }
	}),
	    FIND("ulimits", "HostConfig.Ulimits[0].Name")),
	C_STRICT("OOM killer disabled",
	    J({ "Image" : "alpine", "HostConfig" : { "OomKillDisable" : true } }),
	    FIND("oom_kill_disable", "HostConfig.OomKillDisable")),
	C_STRICT("log driver syslog", J({
		"Image" : "alpine",
		"HostConfig" : { "LogConfig" : { "Type" : "syslog", "Config" : {} } }
	}),
	    FIND("log_drivers", "HostConfig.LogConfig.Type")),
	C_STRICT("log driver json-file", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "LogConfig" : { "Type" : "json-file", "Config" : { "max-size" : "1m" } } }
	}),
	    ALLOWED),
	/* ports */
	C_STRICT("port on loopback in range", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "127.0.0.1", "HostPort" : "8080" } ] }
		}
	}),
	    ALLOWED),
	C_STRICT("port on ::1", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "0:0::1", "HostPort" : "8080" } ] }
		}
	}),
	    ALLOWED),
	C_STRICT("port range in range", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "127.0.0.1", "HostPort" : "8000-8010" } ] }
		}
	}),
	    ALLOWED),
	C_STRICT("port ephemeral", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "127.0.0.1", "HostPort" : "" } ] }
		}
	}),
	    ALLOWED),
	C_STRICT("port 80", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "127.0.0.1", "HostPort" : "80" } ] }
		}
	}),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]")),
	C_STRICT("port range crossing", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "127.0.0.1", "HostPort" : "7999-8001" } ] }
		}
	}),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]")),
	C_STRICT("port not a number", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "127.0.0.1", "HostPort" : "80a" } ] }
		}
	}),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]")),
	C_STRICT("port on all interfaces (empty)", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "PortBindings" : { "80/tcp" : [ { "HostIp" : "", "HostPort" : "8080" } ] } }
	}),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]")),
	C_STRICT("port on 0.0.0.0", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" :
			    { "80/tcp" : [ { "HostIp" : "0.0.0.0", "HostPort" : "8080" } ] }
		}
	}),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]")),
	C_STRICT("port on ::", J({
		"Image" : "alpine",
		"HostConfig" :
		    { "PortBindings" : { "80/tcp" : [ { "HostIp" : "::", "HostPort" : "8080" } ] } }
	}),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]")),
	C_STRICT("port binding lower-case key", J({
		"Image" : "alpine",
		"HostConfig" : { "PortBindings" : { "80/tcp" : [ { "hostport" : "80" } ] } }
	}),
	    BAD("must be spelled \"HostPort\"")),
	C_STRICT("port bindings not an array", J({
		"Image" : "alpine",
		"HostConfig" : { "PortBindings" : { "80/tcp" : { "HostPort" : "80" } } }
	}),
	    BAD("expected an array")),
	C_STRICT("port binding HostPort a number", J({
		"Image" : "alpine",
		"HostConfig" : { "PortBindings" : { "80/tcp" : [ { "HostPort" : 80 } ] } }
	}),
	    BAD("PortBindings[\"80/tcp\"][0].HostPort: expected a string")),
	C_STRICT("port bindings key repeated", J({
		"Image" : "alpine",
		"HostConfig" : {
			"PortBindings" : {
				"80/tcp" : [ { "HostPort" : "8080" } ],
				"80/tcp" : [ { "HostPort" : "22" } ]
			}
		}
	}),
	    BAD("PortBindings: a key is repeated")),
	{ "<=26: top-level port binding typed", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "PortBindings" : { "80/tcp" : [ { "HostIp" : 0 } ] } }),
	    BAD("expected a string"), NULL, NULL },
	{ "<=26: top-level port binding checked", CREATE, R_STRICT, D26,
	    J({ "Image" : "alpine", "PortBindings" : { "80/tcp" : [ { "HostPort" : "22" } ] } }),
	    FIND("ports", "HostConfig.PortBindings[80/tcp][0]"), NULL },
	C_STRICT("publish all",
	    J({ "Image" : "alpine", "HostConfig" : { "PublishAllPorts" : true } }),
	    FIND("ports", "HostConfig.PublishAllPorts")),
	/* images */
	C_STRICT("image alpine", J({ "Image" : "alpine" }), ALLOWED),
	C_STRICT("image alpine:3.19", J({ "Image" : "alpine:3.19" }), ALLOWED),
	C_STRICT(
	    "image docker.io/library/alpine", J({ "Image" : "docker.io/library/alpine" }), ALLOWED),
	C_STRICT("image index.docker.io/library/alpine",
	    J({ "Image" : "index.docker.io/library/alpine:edge" }), ALLOWED),
	C_STRICT("image in the allowed registry",
	    J({ "Image" : "registry.example.org/team/app:v1" }), ALLOWED),
	C_STRICT("image ubuntu", J({ "Image" : "ubuntu" }), FIND("images", "Image")),
	C_STRICT("image same path, other registry", J({ "Image" : "evil.org/library/alpine" }),
	    FIND("images", "Image")),
	C_STRICT("image registry with a port",
	    J({ "Image" : "registry.example.org:5000/team/app" }), FIND("images", "Image")),
	C_STRICT(
	    "image by digest", "{\"Image\":\"alpine@sha256:" HEX64 "\"}", FIND("images", "Image")),
	C_STRICT("image by full ID", "{\"Image\":\"" HEX64 "\"}", FIND("images", "Image")),
	C_STRICT("image by sha256 ID", "{\"Image\":\"sha256:" HEX64 "\"}", FIND("images", "Image")),
	C_STRICT("image by short ID", J({ "Image" : "4e8d" }), FIND("images", "Image")),
	C_STRICT("image upper-case", J({ "Image" : "Alpine" }), FIND("images", "Image")),
	C_STRICT("image missing", J({ "Cmd" : ["sh"] }), FIND("images", "Image")),
	/* user, labels, read-only rootfs, limits (R_HARD) */
	{ "user root", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "root",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("user", "User"), NULL },
	{ "user 0:0", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "0:0",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("user", "User"), NULL },
	{ "user root:x", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "root:x",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("user", "User"), NULL },
	{ "user 00", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "00",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("user", "User"), NULL },
	{ "user +0", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "+0",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("user", "User"), NULL },
	{ "user empty", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("user", "User"), NULL },
	{ "user nobody", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "nobody",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    ALLOWED, NULL },
	{ "user 1000:0", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000:0",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    ALLOWED, NULL },
	{ "everything required missing", CREATE, R_HARD, D27, J({ "Image" : "a" }),
	    FIND(
	        "capabilities,no_new_privileges,read_only_rootfs,user,labels,resources,resources,resources",
	        "HostConfig.CapDrop"),
	    NULL },
	{ "limits above the maxima", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 2147483648,
			 "PidsLimit" : 5000,
			 "NanoCpus" : 4000000000
		 }
	 }),
	    FIND("resources,resources,resources", "HostConfig.Memory"), NULL },
	{ "PidsLimit -1 is no limit", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : -1,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("resources", "HostConfig.PidsLimit"), NULL },
	{ "CpuQuota in the limit", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "CpuQuota" : 50000
		 }
	 }),
	    ALLOWED, NULL },
	{ "CpuQuota above the maximum", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "CpuQuota" : 300000,
			 "CpuPeriod" : 100000
		 }
	 }),
	    FIND("resources", "HostConfig.CpuQuota"), NULL },
	{ "read-only rootfs false", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : false,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("read_only_rootfs", "HostConfig.ReadonlyRootfs"), NULL },
	{ "required label missing", CREATE, R_HARD, D27, J({
		 "Image" : "a",
		 "User" : "1000",
		 "Labels" : { "Team" : "x" },
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "ReadonlyRootfs" : true,
			 "Memory" : 1024,
			 "PidsLimit" : 10,
			 "NanoCpus" : 1000
		 }
	 }),
	    FIND("labels", "Labels"), NULL },
	/* mutations (R_MUT: set overwrites, default fills) */
	{ "mutations fill an empty body", CREATE, R_MUT, D27, J({ "Image" : "a" }), ALLOWED, J({
		 "Image" : "a",
		 "HostConfig" : {
			 "CapDrop" : ["ALL"],
			 "SecurityOpt" : ["no-new-privileges"],
			 "PidsLimit" : 100,
			 "ReadonlyRootfs" : true,
			 "Memory" : 268435456
		 },
		 "Labels" : { "team" : "ci", "owner" : "nobody" },
		 "User" : "1000"
	 }) },
	{ "mutations: set overwrites, default keeps", CREATE, R_MUT, D27, J({
		 "Image" : "a",
		 "User" : "2000",
		 "Labels" : { "team" : "x", "owner" : "me" },
		 "HostConfig" : {
			 "CapDrop" : ["NET_RAW"],
			 "SecurityOpt" : ["no-new-privileges=false"],
			 "PidsLimit" : -1,
			 "Memory" : 1024,
			 "ReadonlyRootfs" : false
		 }
	 }),
	    ALLOWED, J({
		    "Image" : "a",
		    "User" : "2000",
		    "Labels" : { "team" : "ci", "owner" : "me" },
		    "HostConfig" : {
			    "CapDrop" : [ "NET_RAW", "ALL" ],
			    "SecurityOpt" : [ "no-new-privileges=false", "no-new-privileges" ],
			    "PidsLimit" : 100,
			    "Memory" : 1024,
			    "ReadonlyRootfs" : true
		    }
	    }) },
	{ "mutations: CapDrop string becomes a list", CREATE, R_MUT, D27,
	    J({ "Image" : "a", "HostConfig" : { "CapDrop" : "NET_RAW" } }), ALLOWED, NULL },
	{ "mutations: root user kept and refused", CREATE, R_MUT, D27,
	    J({ "Image" : "a", "User" : "root" }), FIND("user", "User"), NULL },
	{ "mutations: HostConfig null replaced", CREATE, R_MUT, D27,
	    J({ "Image" : "a", "HostConfig" : null }), ALLOWED, NULL },
	{ "mutations: <=26 top-level fields then mutated", CREATE, R_MUT, D26,
	    J({ "Image" : "a", "PidsLimit" : -1 }), ALLOWED, J({
		    "Image" : "a",
		    "HostConfig" : {
			    "PidsLimit" : 100,
			    "CapDrop" : ["ALL"],
			    "SecurityOpt" : ["no-new-privileges"],
			    "ReadonlyRootfs" : true,
			    "Memory" : 268435456
		    },
		    "Labels" : { "team" : "ci", "owner" : "nobody" },
		    "User" : "1000"
	    }) },
	/* several findings are all reported, in check order */
	C_STRICT("several rules at once", J({
		"Image" : "ubuntu",
		"HostConfig" : {
			"Privileged" : true,
			"Binds" : ["/:/h"],
			"NetworkMode" : "host",
			"CapAdd" : ["ALL"]
		}
	}),
	    FIND("bind_mounts,privileged,capabilities,namespaces,images", "HostConfig.Binds[0]")),
	/* update */
	{ "update: nothing", UPDATE, R_HARD, D27, J({}), ALLOWED, J({}) },
	{ "update: zero leaves limits", UPDATE, R_HARD, D27, J({ "Memory" : 0, "NanoCpus" : 0 }),
	    ALLOWED, NULL },
	{ "update: memory -1 removes the limit", UPDATE, R_HARD, D27, J({ "Memory" : -1 }),
	    FIND("resources", "Memory"), NULL },
	{ "update: memory above the maximum", UPDATE, R_HARD, D27, J({ "Memory" : 2147483648 }),
	    FIND("resources", "Memory"), NULL },
	{ "update: memory within", UPDATE, R_HARD, D27,
	    J({ "Memory" : 1048576, "MemorySwap" : 2097152 }), ALLOWED, NULL },
	{ "update: PidsLimit 0 removes the limit", UPDATE, R_HARD, D27, J({ "PidsLimit" : 0 }),
	    FIND("resources", "PidsLimit"), NULL },
	{ "update: PidsLimit -1", UPDATE, R_HARD, D27, J({ "PidsLimit" : -1 }),
	    FIND("resources", "PidsLimit"), NULL },
	{ "update: PidsLimit null unchanged", UPDATE, R_HARD, D27, J({ "PidsLimit" : null }),
	    ALLOWED, NULL },
	{ "update: CpuQuota -1", UPDATE, R_HARD, D27, J({ "CpuQuota" : -1 }),
	    FIND("resources", "CpuQuota"), NULL },
	{ "update: NanoCpus above", UPDATE, R_HARD, D27, J({ "NanoCpus" : 4000000000 }),
	    FIND("resources", "NanoCpus"), NULL },
	/* The daemon merges each into the container's values: alone, neither can be checked. */
	{ "update: CpuPeriod alone rescales the existing quota", UPDATE, R_HARD, D27,
	    J({ "CpuPeriod" : 1000 }), FIND("resources", "CpuPeriod/CpuQuota"), NULL },
	{ "update: CpuQuota alone against an unknown period", UPDATE, R_HARD, D27,
	    J({ "CpuQuota" : 100000 }), FIND("resources", "CpuPeriod/CpuQuota"), NULL },
	{ "update: CpuQuota with CpuPeriod within", UPDATE, R_HARD, D27,
	    J({ "CpuQuota" : 100000, "CpuPeriod" : 100000 }), ALLOWED, NULL },
	{ "update: devices are ignored by the daemon", UPDATE, R_STRICT, D27, J({
		 "Devices" : [ { "PathOnHost" : "/dev/sda" } ],
		 "CgroupParent" : "/",
		 "RestartPolicy" : { "Name" : "always" }
	 }),
	    ALLOWED, NULL },
	{ "update: null is the zero value", UPDATE, R_HARD, D27, J(null), ALLOWED, J(null) },
	{ "update: empty body is the zero value", UPDATE, R_HARD, D27, "", ALLOWED, NULL },
	{ "update: an array refused", UPDATE, R_NONE, D27, J([]), BAD("UpdateConfig"), NULL },
	{ "update: a string refused", UPDATE, R_NONE, D27, J("x"), BAD("UpdateConfig"), NULL },
	{ "update: a misspelt key refused", UPDATE, R_NONE, D27, J({ "memory" : 1 }),
	    BAD("must be spelled \"Memory\""), NULL },
	{ "update: no rules", UPDATE, R_NONE, D27, J({ "Memory" : -1 }), ALLOWED,
	    J({ "Memory" : -1 }) },
	/* start */
	{ "start: no body", START, R_NONE, D27, "", ALLOWED, NULL },
	{ "start: a HostConfig body (legacy)", START, R_NONE, D27, J({ "Privileged" : true }),
	    FIND("legacy", "body"), NULL },
	{ "start: even an empty object", START, R_NONE, D27, J({}), FIND("legacy", "body"), NULL },
	{ "start: legacy refused in audit mode too", START, R_LOOSE, D27, J(null),
	    FIND("legacy", "body"), NULL },
};
#pragma GCC diagnostic pop

/*
 * The compact form of an expected body: rows are written with J(...),
 * which clang-format may space out, so compare canonical forms.
 */
static char *
compact(const char *json)
{
	struct sw_str s = sw_str_cstr(json);
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	char *out;

	if (pol_json_parse(&s, &doc, &err) != 0)
		fail_msg("expected body %s does not parse: %s", json, err.msg);
	out = pol_json_print(doc.root, NULL);
	pol_json_free(&doc);
	return out;
}

static bool
same_body(const char *got, size_t got_len, const char *want)
{
	char *w = compact(want);
	bool same =
	    got != NULL && w != NULL && strlen(w) == got_len && memcmp(got, w, got_len) == 0;

	free(w);
	return same;
}

/* Fill the daemon from a row ("26.1.4", "1.45"). */
static void
set_daemon(struct pol_daemon *d, const char *version, const char *api)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->version, sizeof(d->version), "%s", version);
	snprintf(d->api_version, sizeof(d->api_version), "%s", api);
}

static int
run_inspector(const struct cc_case *c, struct pol_insp_ctx *ctx)
{
	struct sw_str body = sw_str_cstr(c->body);

	if (body.len > 0 && pol_json_parse(&body, ctx->doc, ctx->err) != 0)
		return -1;
	switch (c->ep) {
	case CREATE:
		return pol_insp_container_create(ctx);
	case UPDATE:
		return pol_insp_container_update(ctx);
	case START:
		return pol_insp_container_start(ctx);
	}
	return -1;
}

static void
findings_text(const struct pol_insp_ctx *ctx, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ctx->n_findings && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "",
		    pol_rule_name(ctx->findings[i].rule));
}

static void
test_cc_row(void **state)
{
	const struct cc_case *c = *state;
	struct pol_insp_ctx *ctx = calloc(1, sizeof(*ctx));
	struct pol_jdoc doc = { NULL };
	struct pol_daemon daemon;
	struct pol_err err;
	struct sw_req req;
	char got[512], *out = NULL;
	int rc;

	assert_non_null(ctx);
	memset(&err, 0, sizeof(err));
	memset(&req, 0, sizeof(req));
	set_daemon(&daemon, c->daemon, c->api);
	req.version = c->req != NULL ? sw_str_cstr(c->req) : (struct sw_str)SW_STR_NULL;
	ctx->rules = &presets[c->rules];
	ctx->policy = "test";
	ctx->req = &req;
	ctx->daemon = &daemon;
	ctx->doc = &doc;
	ctx->err = &err;
	rc = run_inspector(c, ctx);
	findings_text(ctx, got, sizeof(got));
	if (rc == 0 && doc.root != NULL)
		out = pol_json_print(doc.root, NULL);
	switch (c->want) {
	case W_BAD:
		if (rc != -1)
			fail_msg("row \"%s\": accepted (findings \"%s\"), want error \"%s\"",
			    c->name, got, c->hit);
		if (strstr(err.msg, c->hit) == NULL)
			fail_msg("row \"%s\": error \"%s\", want \"%s\"", c->name, err.msg, c->hit);
		break;
	case W_ALLOW:
		if (rc != 0 || ctx->n_findings != 0)
			fail_msg("row \"%s\": rc %d error \"%s\" findings \"%s\" (first %s: %s)",
			    c->name, rc, err.msg, got,
			    ctx->n_findings ? ctx->findings[0].field : "",
			    ctx->n_findings ? ctx->findings[0].what : "");
		break;
	case W_FIND:
		if (rc != 0)
			fail_msg("row \"%s\": error \"%s\"", c->name, err.msg);
		if (strcmp(got, c->hit) != 0)
			fail_msg("row \"%s\": findings \"%s\", want \"%s\"", c->name, got, c->hit);
		if (strcmp(ctx->findings[0].field, c->field) != 0)
			fail_msg("row \"%s\": field \"%s\", want \"%s\"", c->name,
			    ctx->findings[0].field, c->field);
		if (ctx->findings[0].what[0] == '\0')
			fail_msg("row \"%s\": the finding does not say what", c->name);
		break;
	}
	if (c->out != NULL && !same_body(out, out ? strlen(out) : 0, c->out))
		fail_msg("row \"%s\": forwards %s, want %s", c->name, out ? out : "NULL", c->out);
	free(out);
	pol_json_free(&doc);
	free(ctx);
}

/* ---- whole requests through pol_inspect() ----------------------------------------------- */

static const char inspect_yaml[] =
    "listeners:\n"
    "  - name: default\n"
    "    policy: ci\n"
    "policies:\n"
    "  ci:\n"
    "    allow: [ContainerCreate, ContainerUpdate, ContainerStart, ContainerList,\n"
    "            PutContainerArchive]\n"
    "    archive: false\n"
    "    containers:\n"
    "      privileged: false\n"
    "      bind_mounts: { rw: [\"/srv/ci/**\"] }\n"
    "      namespaces: { host: [] }\n"
    "  watcher:\n"
    "    allow: [ContainerCreate]\n"
    "    mode: warn\n"
    "    containers:\n"
    "      privileged: false\n"
    "      bind_mounts: { rw: [\"/srv/ci/**\"] }\n"
    "  auditor:\n"
    "    allow: [ContainerCreate]\n"
    "    mode: audit\n"
    "    containers:\n"
    "      privileged: false\n"
    "  lenient:\n"
    "    allow: [ContainerCreate, ContainerStart, PutContainerArchive]\n"
    "    mode: audit\n"
    "    legacy: false\n"
    "    archive: false\n"
    "    containers:\n"
    "      privileged: false\n"
    "  open:\n"
    "    allow: [ContainerCreate, ContainerUpdate, PutContainerArchive]\n"
    "  uploads:\n"
    "    allow: [PutContainerArchive]\n"
    "    archive: { compressed: true }\n"
    "  closed:\n"
    "    allow: [ContainerList]\n";

static struct pol_set *inspect_set;

struct in_case {
	const char *name;
	const char *policy;
	const char *endpoint;
	const char *content_type; /* NULL: no header */
	const char *body;
	enum pol_verdict want;
	int status;
	const char *message; /* substring of the client message (or of warnings[0] if allowed) */
	const char *forward; /* the forwarded body when allowed, NULL: not compared */
};

/* in_case.forward: the client's body is forwarded as it came (out.body is NULL). */
static const char fwd_unchanged[] = "";
#define UNCHANGED fwd_unchanged

#define AJ "application/json"

static struct in_case in_cases[] = {
	{ "inspect: allowed create forwards the canonical body", "ci", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "Bogus" : 1, "HostConfig" : { "Binds" : ["/srv/ci/a:/a"] } }),
	    POL_ALLOW, 0, "",
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/srv/ci/a:/a"] } }) },
	{ "inspect: the message names field, value, rule and policy", "ci", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Binds" : ["/etc:/host"] } }), POL_DENY, 403,
	    "sockwarden: HostConfig.Binds[0] \"/etc:/host\" mounts a host path outside the allowed "
	    "paths (/srv/ci/**) (policy ci, rule bind_mounts)",
	    NULL },
	{ "inspect: privileged message", "ci", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }), POL_DENY, 403,
	    "sockwarden: HostConfig.Privileged \"true\" runs the container privileged", NULL },
	{ "inspect: warn mode allows and warns", "watcher", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }), POL_ALLOW, 0,
	    "(policy watcher, rule privileged)", NULL },
	{ "inspect: audit mode allows silently", "auditor", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }), POL_ALLOW, 0, "",
	    NULL },
	{ "inspect: rules off still parse strictly", "open", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "privileged" : true } }), POL_DENY, 400,
	    "sockwarden: malformed request body: HostConfig: key \"privileged\" must be spelled "
	    "\"Privileged\"",
	    NULL },
	{ "inspect: rules off forward canonically", "open", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "X" : 1 }), POL_ALLOW, 0, "", J({ "Image" : "alpine" }) },
	{ "inspect: legacy refused with rules off", "open", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Capabilities" : ["ALL"] } }), POL_DENY, 403,
	    "(policy open, rule legacy)", NULL },
	{ "inspect: empty create body", "ci", "ContainerCreate", AJ, "", POL_DENY, 400,
	    "malformed request body: the body is empty", NULL },
	{ "inspect: trailing data", "ci", "ContainerCreate", AJ, "{\"Image\":\"a\"}}", POL_DENY,
	    400, "data after the JSON value", NULL },
	{ "inspect: invalid UTF-8", "ci", "ContainerCreate", AJ, "{\"Image\":\"\xff\"}", POL_DENY,
	    400, "invalid UTF-8", NULL },
	{ "inspect: charset parameter", "ci", "ContainerCreate", "application/json; charset=utf-8",
	    J({ "Image" : "alpine" }), POL_ALLOW, 0, "", NULL },
	{ "inspect: media type case", "ci", "ContainerCreate", "APPLICATION/JSON",
	    J({ "Image" : "alpine" }), POL_ALLOW, 0, "", NULL },
	{ "inspect: media type whitespace", "ci", "ContainerCreate", " application/json\t",
	    J({ "Image" : "alpine" }), POL_ALLOW, 0, "", NULL },
	{ "inspect: quoted parameter", "ci", "ContainerCreate", "application/json;a=\"x;y\"",
	    J({ "Image" : "alpine" }), POL_ALLOW, 0, "", NULL },
	{ "inspect: trailing semicolon", "ci", "ContainerCreate", "application/json;",
	    J({ "Image" : "alpine" }), POL_ALLOW, 0, "", NULL },
	{ "inspect: two media types", "ci", "ContainerCreate", "application/json, text/plain",
	    J({ "Image" : "alpine" }), POL_DENY, 415, "application/json", NULL },
	{ "inspect: bad parameter", "ci", "ContainerCreate", "application/json; =x",
	    J({ "Image" : "alpine" }), POL_DENY, 415, "application/json", NULL },
	{ "inspect: text/plain", "ci", "ContainerCreate", "text/plain", J({ "Image" : "alpine" }),
	    POL_DENY, 415, "application/json", NULL },
	{ "inspect: application/jsonx", "ci", "ContainerCreate", "application/jsonx",
	    J({ "Image" : "alpine" }), POL_DENY, 415, "application/json", NULL },
	{ "inspect: no Content-Type with a body", "ci", "ContainerCreate", NULL,
	    J({ "Image" : "alpine" }), POL_DENY, 415, "application/json", NULL },
	{ "inspect: form body", "ci", "ContainerCreate", "application/x-www-form-urlencoded",
	    "Image=alpine", POL_DENY, 415, "form bodies", NULL },
	{ "inspect: form body, odd case and parameter", "ci", "ContainerCreate",
	    "Application/X-WWW-Form-Urlencoded; =x", "Image=alpine", POL_DENY, 415, "form bodies",
	    NULL },
	{ "inspect: multipart body", "ci", "ContainerCreate", "multipart/form-data; boundary=x",
	    "--x--", POL_DENY, 415, "form bodies", NULL },
	{ "inspect: update with no body is the zero value", "ci", "ContainerUpdate", NULL, "",
	    POL_ALLOW, 0, "", UNCHANGED },
	{ "inspect: update with a null body is the zero value", "ci", "ContainerUpdate", AJ,
	    J(null), POL_ALLOW, 0, "", J(null) },
	{ "inspect: update with an array body", "ci", "ContainerUpdate", AJ, J([ {} ]), POL_DENY,
	    400, "malformed request body", NULL },
	{ "inspect: audit mode does not soften legacy on start", "lenient", "ContainerStart", AJ,
	    J({ "Privileged" : true }), POL_DENY, 403, "(policy lenient, rule legacy)", NULL },
	{ "inspect: audit mode does not soften legacy on create", "lenient", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Capabilities" : ["ALL"] } }), POL_DENY, 403,
	    "(policy lenient, rule legacy)", NULL },
	{ "inspect: audit mode still audits other rules", "lenient", "ContainerCreate", AJ,
	    J({ "Image" : "alpine", "HostConfig" : { "Privileged" : true } }), POL_ALLOW, 0, "",
	    NULL },
	{ "inspect: update with a Content-Type but no body", "ci", "ContainerUpdate", "text/plain",
	    "", POL_DENY, 415, "application/json", NULL },
	{ "inspect: update body checked", "ci", "ContainerUpdate", AJ, J({ "memory" : 1 }),
	    POL_DENY, 400, "must be spelled \"Memory\"", NULL },
	{ "inspect: start without a body", "ci", "ContainerStart", NULL, "", POL_ALLOW, 0, "",
	    NULL },
	{ "inspect: start with a body", "ci", "ContainerStart", AJ, J({ "Binds" : ["/:/h"] }),
	    POL_DENY, 403, "rule legacy", NULL },
	{ "inspect: endpoint the policy does not allow", "closed", "ContainerCreate", AJ,
	    J({ "Image" : "alpine" }), POL_DENY, 403, "ContainerCreate is not allowed", NULL },
	{ "inspect: endpoint without an inspector", "ci", "ContainerList", NULL, "", POL_DENY, 403,
	    "has no inspector", NULL },
};

static int
load_inspect_set(void **state)
{
	struct pol_err err;

	(void)state;
	if (pol_load_buffer(
	        "inspect.yaml", inspect_yaml, strlen(inspect_yaml), &inspect_set, &err) != 0) {
		fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
		return -1;
	}
	return setup_presets(state);
}

static int
unload_inspect_set(void **state)
{
	pol_set_unref(inspect_set);
	inspect_set = NULL;
	return teardown_presets(state);
}

static void
test_in_row(void **state)
{
	const struct in_case *c = *state;
	struct pol_daemon daemon;
	struct pol_inspection out;
	struct sw_str ct = c->content_type ? sw_str_cstr(c->content_type) : SW_STR_NULL;
	struct sw_str body = sw_str_cstr(c->body);
	struct sw_req req;
	enum pol_verdict v;
	int policy = pol_set_find_policy(inspect_set, c->policy);
	const char *text;

	memset(&req, 0, sizeof(req));
	req.method = SW_STR_LIT("POST");
	req.endpoint = pol_ep_lookup(c->endpoint);
	set_daemon(&daemon, "27.5.1", "1.47");
	assert_true(policy >= 0);
	v = pol_inspect(
	    inspect_set, policy, &req, &daemon, c->content_type ? &ct : NULL, &body, &out);
	if (v != c->want || out.decision.verdict != v || out.status != c->status)
		fail_msg("row \"%s\": verdict %d status %d (%s), want %d %d", c->name, v,
		    out.status, out.message, c->want, c->status);
	text = v == POL_DENY ? out.message : out.n_warnings > 0 ? out.warnings[0] : "";
	if (strstr(text, c->message) == NULL)
		fail_msg("row \"%s\": message \"%s\", want \"%s\"", c->name, text, c->message);
	if (v == POL_ALLOW && c->forward == UNCHANGED && out.body != NULL)
		fail_msg(
		    "row \"%s\": forwards %s, want the client's body unchanged", c->name, out.body);
	else if (v == POL_ALLOW && c->forward != NULL && c->forward != UNCHANGED &&
	         !same_body(out.body, out.body_len, c->forward))
		fail_msg("row \"%s\": forwards %s, want %s", c->name, out.body ? out.body : "NULL",
		    c->forward);
	if (v == POL_DENY && out.body != NULL)
		fail_msg("row \"%s\": a refused request has a body to forward", c->name);
	pol_inspection_free(&out);
	assert_null(out.body);
}

/* Audit lines and warnings list every finding. */
static void
test_in_findings_text(void **state)
{
	struct sw_str ct = SW_STR_LIT(AJ), body = sw_str_cstr(J({
		"Image" : "a",
		"HostConfig" : { "Privileged" : true, "Binds" : [ "/etc:/e", "/root:/r" ] }
	}));
	struct pol_inspection out;
	struct sw_req req;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = SW_STR_LIT("POST");
	req.endpoint = pol_ep_lookup("ContainerCreate");
	assert_int_equal(pol_inspect(inspect_set, pol_set_find_policy(inspect_set, "watcher"), &req,
	                     NULL, &ct, &body, &out),
	    POL_ALLOW);
	assert_string_equal(out.findings, "bind_mounts:warn HostConfig.Binds[0]; bind_mounts:warn "
	                                  "HostConfig.Binds[1]; privileged:warn "
	                                  "HostConfig.Privileged");
	assert_int_equal(out.n_warnings, 3);
	assert_non_null(strstr(out.warnings[2], "HostConfig.Privileged \"true\""));
	pol_inspection_free(&out);
}

/*
 * An upload (POL_EPF_UPLOAD) streams upstream unread: pol_inspect() reads
 * its query only, whatever body or media type it is handed, and says
 * whether the proxy must refuse a compressed stream.
 */
struct upload_case {
	const char *name;
	const char *policy;
	const char *query;
	enum pol_verdict want;
	bool refuse_compressed;
};

static const struct upload_case upload_cases[] = {
	{ "archive rule enforced", "ci", "path=%2Ftmp", POL_ALLOW, true },
	{ "archive rule in audit mode", "lenient", "path=%2Ftmp", POL_ALLOW, false },
	{ "archive allows compressed", "uploads", "path=%2Ftmp", POL_ALLOW, false },
	{ "no archive rule", "open", "path=%2Ftmp", POL_ALLOW, false },
	{ "the query is still inspected", "ci", "path=", POL_DENY, false },
};

static void
test_in_upload(void **state)
{
	struct sw_str ct = SW_STR_LIT("text/plain"), body = SW_STR_LIT("{\"not\": \"read\"");
	const struct upload_case *c;
	struct pol_inspection out;
	struct sw_req req;
	enum pol_verdict v;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(upload_cases); i++) {
		c = &upload_cases[i];
		memset(&req, 0, sizeof(req));
		req.method = SW_STR_LIT("PUT");
		req.endpoint = pol_ep_lookup("PutContainerArchive");
		req.query = sw_str_cstr(c->query);
		v = pol_inspect(inspect_set, pol_set_find_policy(inspect_set, c->policy), &req,
		    NULL, &ct, &body, &out);
		if (v != c->want || out.refuse_compressed != c->refuse_compressed ||
		    out.body != NULL)
			fail_msg(
			    "row \"%s\": verdict %d (%s) refuse_compressed %d body %s, want %d %d",
			    c->name, v, out.message, out.refuse_compressed,
			    out.body ? "set" : "NULL", c->want, c->refuse_compressed);
		pol_inspection_free(&out);
	}
}

/* ---- fixtures: bodies captured from real clients ----------------------------------------- */

/*
 * tests/data/bodies holds what the docker CLI (28.2 and 20.10), compose
 * 1.29 and the Python SDK 7.1 sent through a recording relay.  create-* and
 * update-* are ordinary work: allowed under a policy with no body rules on
 * both daemon generations, and their canonical form is a fixed point.
 * deny-* combine --privileged, host binds, host namespaces and more: the ci
 * policy refuses them.
 */
enum fx_kind { FX_ALLOW_27, FX_ALLOW_20, FX_ROUND_TRIP, FX_DENY };

struct fx_case {
	char name[160];
	char file[128];
	enum fx_kind kind;
};

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static enum pol_verdict
inspect_fixture(const char *policy, const char *endpoint, const char *daemon_version,
    const struct sw_str *body, struct pol_inspection *out)
{
	struct sw_str ct = SW_STR_LIT(AJ);
	struct pol_daemon daemon;
	struct sw_req req;

	memset(&req, 0, sizeof(req));
	req.method = SW_STR_LIT("POST");
	req.version = SW_STR_LIT("1.41"); /* what every client negotiated */
	req.endpoint = pol_ep_lookup(endpoint);
	set_daemon(&daemon, daemon_version, "1.41");
	return pol_inspect(
	    inspect_set, pol_set_find_policy(inspect_set, policy), &req, &daemon, &ct, body, out);
}

static void
test_fx_row(void **state)
{
	const struct fx_case *c = *state;
	const char *endpoint =
	    strncmp(c->file, "update-", 7) == 0 ? "ContainerUpdate" : "ContainerCreate";
	struct pol_inspection out, out2;
	struct sw_str body, again;
	char path[512], *text;
	size_t len = 0;
	enum pol_verdict v;

	snprintf(path, sizeof(path), "%s/bodies/%s", SW_TEST_DATA_DIR, c->file);
	if ((text = read_file(path, &len)) == NULL)
		fail_msg("row \"%s\": cannot read %s", c->name, path);
	body = sw_str_make(text, len);
	v = inspect_fixture(c->kind == FX_DENY ? "ci" : "open", endpoint,
	    c->kind == FX_ALLOW_20 ? "20.10.24" : "27.5.1", &body, &out);
	if (c->kind == FX_DENY) {
		if (v != POL_DENY || out.status != 403)
			fail_msg("row \"%s\": verdict %d status %d", c->name, v, out.status);
	} else if (v != POL_ALLOW || out.body == NULL) {
		fail_msg("row \"%s\": refused: %s", c->name, out.message);
	} else if (c->kind == FX_ROUND_TRIP) {
		again = sw_str_make(out.body, out.body_len);
		if (inspect_fixture("open", endpoint, "27.5.1", &again, &out2) != POL_ALLOW)
			fail_msg("row \"%s\": canonical body refused: %s", c->name, out2.message);
		if (out2.body_len != out.body_len || memcmp(out2.body, out.body, out.body_len) != 0)
			fail_msg("row \"%s\": %s re-forwards as %s", c->name, out.body, out2.body);
		pol_inspection_free(&out2);
	}
	pol_inspection_free(&out);
	free(text);
}

static struct fx_case *fx_cases;
static size_t n_fx_cases;

static void
add_fx(const char *file, enum fx_kind kind)
{
	static const char *const what[] = { "allowed (dockerd 27)", "allowed (dockerd 20.10)",
		"forwarded as a fixed point", "refused by the ci policy" };
	struct fx_case *c;

	fx_cases = realloc(fx_cases, (n_fx_cases + 1) * sizeof(*fx_cases));
	assert_non_null(fx_cases);
	c = &fx_cases[n_fx_cases++];
	snprintf(c->name, sizeof(c->name), "fixture %s %s", file, what[kind]);
	snprintf(c->file, sizeof(c->file), "%s", file);
	c->kind = kind;
}

static int
cmp_fx(const void *a, const void *b)
{
	return strcmp(((const struct fx_case *)a)->name, ((const struct fx_case *)b)->name);
}

static void
scan_fixtures(void)
{
	DIR *d = opendir(SW_TEST_DATA_DIR "/bodies");
	struct dirent *de;
	const char *f;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		f = de->d_name;
		if (strlen(f) >= 128 || strstr(f, ".json") == NULL)
			continue;
		if (strncmp(f, "create-", 7) == 0 || strncmp(f, "update-", 7) == 0) {
			add_fx(f, FX_ALLOW_27);
			add_fx(f, FX_ALLOW_20);
			add_fx(f, FX_ROUND_TRIP);
		} else if (strncmp(f, "deny-", 5) == 0) {
			add_fx(f, FX_DENY);
		}
	}
	closedir(d);
	if (n_fx_cases > 0)
		qsort(fx_cases, n_fx_cases, sizeof(*fx_cases), cmp_fx);
}

/* ---- helpers: path.Clean, globs, lists, daemon versions, rule names ------------------------ */

enum util_kind { U_CLEAN, U_GLOB, U_LIST, U_OLDER, U_RULE };

struct util_case {
	const char *name;
	enum util_kind kind;
	const char *a, *b; /* clean: in, want; glob: glob, path; list: pattern, s; older: version */
	int want;          /* glob/list/older: bool; rule: index or -1 */
};

static struct util_case util_cases[] = {
	/* Go's path.Clean test vectors */
	{ "clean: empty", U_CLEAN, "", ".", 0 },
	{ "clean: root", U_CLEAN, "/", "/", 0 },
	{ "clean: already clean", U_CLEAN, "/a/b/c", "/a/b/c", 0 },
	{ "clean: relative", U_CLEAN, "abc/def", "abc/def", 0 },
	{ "clean: dot", U_CLEAN, ".", ".", 0 },
	{ "clean: dotdot", U_CLEAN, "..", "..", 0 },
	{ "clean: trailing slash", U_CLEAN, "/abc/", "/abc", 0 },
	{ "clean: double slashes", U_CLEAN, "//abc//def//", "/abc/def", 0 },
	{ "clean: dot segments", U_CLEAN, "/./abc/./def/.", "/abc/def", 0 },
	{ "clean: dotdot segment", U_CLEAN, "/abc/def/../ghi", "/abc/ghi", 0 },
	{ "clean: dotdot to root", U_CLEAN, "/abc/..", "/", 0 },
	{ "clean: dotdot above root", U_CLEAN, "/../../etc", "/etc", 0 },
	{ "clean: relative dotdot kept", U_CLEAN, "../../abc", "../../abc", 0 },
	{ "clean: relative dotdot cancels", U_CLEAN, "abc/../..", "..", 0 },
	{ "clean: relative to dot", U_CLEAN, "abc/..", ".", 0 },
	{ "clean: escape attempt", U_CLEAN, "/srv/ci/../../etc/shadow", "/etc/shadow", 0 },
	{ "clean: dots in names kept", U_CLEAN, "/a/..b/c./...", "/a/..b/c./...", 0 },
	/* host path globs, component-wise */
	{ "glob: ** below", U_GLOB, "/srv/ci/**", "/srv/ci/a/b", true },
	{ "glob: ** matches the directory itself", U_GLOB, "/srv/ci/**", "/srv/ci", true },
	{ "glob: ** is not a prefix match", U_GLOB, "/srv/ci/**", "/srv/cix", false },
	{ "glob: ** not above", U_GLOB, "/srv/ci/**", "/srv", false },
	{ "glob: * one component", U_GLOB, "/home/*/cache", "/home/bob/cache", true },
	{ "glob: * not two components", U_GLOB, "/home/*/cache", "/home/bob/x/cache", false },
	{ "glob: * inside a name", U_GLOB, "/data/job-*", "/data/job-17", true },
	{ "glob: ? one character", U_GLOB, "/dev/sd?", "/dev/sda", true },
	{ "glob: ? not two", U_GLOB, "/dev/sd?", "/dev/sda1", false },
	{ "glob: ** in the middle", U_GLOB, "/srv/**/logs", "/srv/a/b/logs", true },
	{ "glob: ** in the middle, zero deep", U_GLOB, "/srv/**/logs", "/srv/logs", true },
	{ "glob: exact", U_GLOB, "/dev/fuse", "/dev/fuse", true },
	{ "glob: exact is not a prefix", U_GLOB, "/dev/fuse", "/dev/fuse/x", false },
	{ "glob: /** matches /", U_GLOB, "/**", "/", true },
	{ "glob: /x/** does not match /", U_GLOB, "/x/**", "/", false },
	{ "glob: relative path never", U_GLOB, "/**", "etc", false },
	/* name lists */
	{ "list: plain", U_LIST, "nofile", "nofile", true },
	{ "list: plain mismatch", U_LIST, "nofile", "nproc", false },
	{ "list: * over dots", U_LIST, "net.ipv4.*", "net.ipv4.ip_forward", true },
	{ "list: image glob one segment", U_LIST, "docker.io/library/*", "docker.io/library/a:1",
	    true },
	{ "list: image glob not deeper", U_LIST, "docker.io/library/*", "docker.io/library/a/b:1",
	    false },
	{ "list: image **", U_LIST, "registry.example.org/**", "registry.example.org/t/app:v1",
	    true },
	{ "list: empty entry matches empty", U_LIST, "", "", true },
	/* daemon versions */
	{ "older: unknown is old", U_OLDER, "", NULL, true },
	{ "older: 26.1.4", U_OLDER, "26.1.4", NULL, true },
	{ "older: 27.0.0", U_OLDER, "27.0.0", NULL, false },
	{ "older: 27.0.0-rc.1", U_OLDER, "27.0.0-rc.1", NULL, false },
	{ "older: v28.5.2", U_OLDER, "v28.5.2", NULL, false },
	{ "older: 20.10.24+dfsg1", U_OLDER, "20.10.24+dfsg1", NULL, true },
	{ "older: 100.0", U_OLDER, "100.0", NULL, false },
	{ "older: garbage is old", U_OLDER, "master", NULL, true },
	/* rule names */
	{ "rule: privileged", U_RULE, "privileged", NULL, POL_RULE_PRIVILEGED },
	{ "rule: bind_mounts", U_RULE, "bind_mounts", NULL, POL_RULE_BIND_MOUNTS },
	{ "rule: legacy", U_RULE, "legacy", NULL, POL_RULE_LEGACY },
	{ "rule: unknown", U_RULE, "previleged", NULL, -1 },
	{ "rule: case matters", U_RULE, "Privileged", NULL, -1 },
};

static void
test_util_row(void **state)
{
	const struct util_case *c = *state;
	struct pol_daemon d;
	char buf[256], *lv[1];
	struct pol_strlist l = { lv, 1 };
	int got = 0;

	switch (c->kind) {
	case U_CLEAN:
		if (pol_path_clean(c->a, buf, sizeof(buf)) == NULL || strcmp(buf, c->b) != 0)
			fail_msg("row \"%s\": clean(%s) = %s, want %s", c->name, c->a, buf, c->b);
		return;
	case U_GLOB:
		got = pol_path_glob_match(c->a, c->b);
		break;
	case U_LIST:
		lv[0] = (char *)(uintptr_t)c->a;
		got = pol_strlist_match(&l, c->b);
		break;
	case U_OLDER:
		set_daemon(&d, c->a, "");
		got = pol_daemon_older_than(&d, 27, 0);
		break;
	case U_RULE:
		got = pol_rule_find(c->a);
		if (got >= 0 && strcmp(pol_rule_name((enum pol_rule_id)got), c->a) != 0)
			fail_msg("row \"%s\": name of %d is %s", c->name, got,
			    pol_rule_name((enum pol_rule_id)got));
		break;
	}
	if (got != c->want)
		fail_msg("row \"%s\": got %d, want %d", c->name, got, c->want);
}

static void
test_util_clean_small_buffer(void **state)
{
	char buf[4];

	(void)state;
	assert_null(pol_path_clean("/abcdef", buf, sizeof(buf)));
	assert_non_null(pol_path_clean("/ab", buf, sizeof(buf)));
	assert_string_equal(buf, "/ab");
	assert_string_equal(pol_rule_name(POL_RULE__COUNT), "unknown");
}

/* ---- always-enforced rules (rules.h) ------------------------------------------------ */

struct always_case {
	const char *name;
	enum pol_rule_id rule;
	bool configured;
	enum pol_mode mode; /* the mode the rules give it */
	enum pol_mode want; /* the finding's mode */
};

static const struct always_case always_cases[] = {
	{ "legacy in audit mode", POL_RULE_LEGACY, true, POL_MODE_AUDIT, POL_MODE_ENFORCE },
	{ "legacy in warn mode", POL_RULE_LEGACY, true, POL_MODE_WARN, POL_MODE_ENFORCE },
	{ "legacy not configured", POL_RULE_LEGACY, false, POL_MODE_AUDIT, POL_MODE_ENFORCE },
	{ "privileged in audit mode", POL_RULE_PRIVILEGED, true, POL_MODE_AUDIT, POL_MODE_AUDIT },
	{ "privileged in warn mode", POL_RULE_PRIVILEGED, true, POL_MODE_WARN, POL_MODE_WARN },
	{ "archive in audit mode", POL_RULE_ARCHIVE, true, POL_MODE_AUDIT, POL_MODE_AUDIT },
};

/* pol_finding_add() gives an always-enforced rule's finding enforce, whatever its mode. */
static void
test_always_enforced(void **state)
{
	const struct always_case *c;
	struct pol_insp_ctx *ctx = calloc(1, sizeof(*ctx));
	struct pol_rules rules;
	size_t i;

	(void)state;
	assert_non_null(ctx);
	for (i = 0; i < nitems(always_cases); i++) {
		c = &always_cases[i];
		memset(&rules, 0, sizeof(rules));
		memset(ctx, 0, sizeof(*ctx));
		rules.enabled = true;
		rules.configured[c->rule] = c->configured;
		rules.mode[c->rule] = c->mode;
		ctx->rules = &rules;
		pol_finding_add(ctx, c->rule, "f", "", "is %s", "x");
		if (ctx->n_findings != 1 || ctx->findings[0].mode != c->want)
			fail_msg("row \"%s\": %zu findings, mode %d, want mode %d", c->name,
			    ctx->n_findings, ctx->n_findings ? (int)ctx->findings[0].mode : -1,
			    (int)c->want);
	}
	/* legacy is the only such rule: the others follow the policy's modes. */
	for (i = 0; i < POL_RULE__COUNT; i++)
		if (pol_rule_always_enforced((enum pol_rule_id)i) != (i == POL_RULE_LEGACY))
			fail_msg("rule %s: always enforced is %d",
			    pol_rule_name((enum pol_rule_id)i),
			    pol_rule_always_enforced((enum pol_rule_id)i));
	assert_false(pol_rule_always_enforced(POL_RULE__COUNT));
	free(ctx);
}

int
main(void)
{
	struct CMUnitTest *tests;
	size_t i, n = 0;
	int rc;

	scan_fixtures();
	tests = calloc(nitems(cc_cases) + nitems(in_cases) + nitems(util_cases) + n_fx_cases + 4,
	    sizeof(*tests));
	if (tests == NULL || n_fx_cases == 0) {
		fprintf(stderr, "no fixtures in %s/bodies, or out of memory\n", SW_TEST_DATA_DIR);
		return 1;
	}

	for (i = 0; i < nitems(cc_cases); i++)
		tests[n++] =
		    (struct CMUnitTest){ cc_cases[i].name, test_cc_row, NULL, NULL, &cc_cases[i] };
	for (i = 0; i < nitems(in_cases); i++)
		tests[n++] =
		    (struct CMUnitTest){ in_cases[i].name, test_in_row, NULL, NULL, &in_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_in_findings_text);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_in_upload);
	for (i = 0; i < nitems(util_cases); i++)
		tests[n++] = (struct CMUnitTest){ util_cases[i].name, test_util_row, NULL, NULL,
			&util_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_clean_small_buffer);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_always_enforced);
	for (i = 0; i < n_fx_cases; i++)
		tests[n++] =
		    (struct CMUnitTest){ fx_cases[i].name, test_fx_row, NULL, NULL, &fx_cases[i] };
	rc = _cmocka_run_group_tests(
	    "insp_container", tests, n, load_inspect_set, unload_inspect_set);
	free(tests);
	free(fx_cases);
	return rc;
}
