/*
 * Tests for the non-container inspectors (insp_exec_*, insp_volume_create,
 * insp_network_create, insp_service, insp_plugin, insp_build,
 * insp_image_create, insp_archive, insp_commit, insp_swarm,
 * insp_secret_config).  One cmocka test per row, named after the row.
 *
 * Each row runs one inspector the way pol_inspect does: the body (inline,
 * or "@name" for tests/data/bodies/name.json, captured from the docker CLI
 * 28 and 20.10, docker-compose 1.29 and docker-py 5 against a private
 * dockerd 20.10) is parsed with pol_json_parse, the query put in the
 * request, and the inspector called with one of the rule fixtures below.
 *
 * OK: no finding.  DENY: a finding of the given rule (and field, when the
 * row names one).  BAD: the inspector (or the JSON layer) refuses the body
 * or query as malformed.  Rows reported as bypasses are never deleted.
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

#include "insp_endpoints.h"
#include "json_strict.h"

enum want { OK, DENY, BAD };

enum fixture {
	F_NONE,
	F_STRICT,
	F_EXEC,
	F_PERMISSIVE,
	F_SERVICES_ONLY,
	F_LIMITS,
	F_WIDE,
	F_OPEN_PORTS_ALL_CAPS,
	F_PLUGINS_ALL
};

struct insp_case {
	const char *name;
	pol_insp_fn *fn;
	enum fixture fx;
	const char *query;
	const char *body; /* NULL: no body; "@x": tests/data/bodies/x.json */
	enum want want;
	enum pol_rule_id rule; /* DENY */
	const char *field;     /* DENY: the finding's field, NULL: any */
};

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- rule fixtures ----------------------------------------------------------------- */

#define LIST(a) mklist(a, nitems(a))

/* Lists own writable copies (struct pol_strlist holds char *); kept for the whole run. */
static struct pol_strlist
mklist(const char *const *v, size_t n)
{
	struct pol_strlist l = { calloc(n, sizeof(char *)), n };
	size_t i;

	assert_non_null(l.v);
	for (i = 0; i < n; i++)
		assert_non_null(l.v[i] = strdup(v[i]));
	return l;
}

static const char *const images_v[] = { "docker.io/library/**", "docker.io/localtest/**",
	"docker.io/vieux/**" };
static const char *const bind_rw_v[] = { "/srv/ci/**" };
static const char *const bind_ro_v[] = { "/opt/ro/**" };
static const char *const wide_v[] = { "/**" };
static const char *const caps_v[] = { "NET_BIND_SERVICE" };
static const char *const caps_all_v[] = { "ALL" };
static const char *const sysctls_v[] = { "net.ipv4.ip_unprivileged_port_start" };
static const char *const ulimits_v[] = { "nofile" };
static const char *const host_ips_v[] = { "" };
static const char *const log_v[] = { "json-file", "local" };
static const char *const cmds_v[] = { "id", "/usr/bin/php artisan *" };
static const char *const parents_v[] = { "eth0", "eth0.*" };
static const char *const net_drivers_v[] = { "bridge", "overlay", "macvlan", "ipvlan" };
static const char *const plugin_v[] = { "network=host", "mount=/srv/**",
	"capabilities=CAP_SYS_ADMIN", "device=/dev/fuse" };
static const char *const plugin_all_v[] = { "*" };
static const char *const labels_v[] = { "owner" };
static struct pol_port_range port_ranges[] = { { 8000, 8999 } };

static struct pol_rules fixtures[F_PLUGINS_ALL + 1];

static void
on(struct pol_rules *r, enum pol_rule_id id)
{
	r->enabled = true;
	r->configured[id] = true;
	r->mode[id] = POL_MODE_ENFORCE;
}

static void
setup_strict(struct pol_rules *r)
{
	static const enum pol_rule_id ids[] = { POL_RULE_EXEC, POL_RULE_VOLUME_CREATE,
		POL_RULE_NETWORK_CREATE, POL_RULE_SERVICES, POL_RULE_PLUGINS, POL_RULE_BUILD,
		POL_RULE_IMAGE_CREATE, POL_RULE_SWARM, POL_RULE_ARCHIVE, POL_RULE_IMAGES,
		POL_RULE_BIND_MOUNTS, POL_RULE_CAPABILITIES, POL_RULE_SECURITY_OPT,
		POL_RULE_NAMESPACES, POL_RULE_SYSCTLS, POL_RULE_ULIMITS, POL_RULE_PORTS,
		POL_RULE_VOLUMES, POL_RULE_CGROUP_PARENT, POL_RULE_LOG_DRIVERS };
	size_t i;

	for (i = 0; i < nitems(ids); i++)
		on(r, ids[i]);
	r->images = LIST(images_v);
	r->bind_rw = LIST(bind_rw_v);
	r->bind_ro = LIST(bind_ro_v);
	r->cap_add = LIST(caps_v);
	r->sysctls = LIST(sysctls_v);
	r->ulimits = LIST(ulimits_v);
	r->ports = port_ranges;
	r->n_ports = nitems(port_ranges);
	r->port_host_ips = LIST(host_ips_v);
	r->log_drivers = LIST(log_v);
}

static void
setup_fixtures(void)
{
	struct pol_rules *r;

	fixtures[F_NONE].enabled = true;
	setup_strict(&fixtures[F_STRICT]);

	r = &fixtures[F_EXEC];
	on(r, POL_RULE_EXEC);
	r->exec_require_non_root = true;
	r->exec_commands = LIST(cmds_v);

	r = &fixtures[F_PERMISSIVE];
	setup_strict(r);
	r->exec_allow_privileged = true;
	r->volume_create_allow_host_opts = true;
	r->network_drivers = LIST(net_drivers_v);
	r->network_parents = LIST(parents_v);
	r->plugin_privileges = LIST(plugin_v);
	r->build_allow_host_network = true;
	r->build_allow_extra_hosts = true;
	r->build_allow_remote = true;
	r->image_create_allow_from_src = true;
	r->allow_swarm_init = true;
	r->allow_swarm_join = true;

	on(&fixtures[F_SERVICES_ONLY], POL_RULE_SERVICES);

	r = &fixtures[F_LIMITS];
	on(r, POL_RULE_RESOURCES);
	on(r, POL_RULE_READ_ONLY_ROOTFS);
	on(r, POL_RULE_NO_NEW_PRIVILEGES);
	on(r, POL_RULE_LABELS);
	on(r, POL_RULE_CAPABILITIES);
	on(r, POL_RULE_USER);
	r->require_non_root = true;
	r->require_memory = true;
	r->require_pids_limit = true;
	r->max_memory = 1024 * 1024 * 1024;
	r->require_read_only_rootfs = true;
	r->require_no_new_privileges = true;
	r->require_labels = LIST(labels_v);
	r->require_drop_all = true;

	r = &fixtures[F_WIDE];
	on(r, POL_RULE_VOLUME_CREATE);
	on(r, POL_RULE_BIND_MOUNTS);
	on(r, POL_RULE_SERVICES);
	r->bind_rw = LIST(wide_v);

	/* Every interface allowed but no host port range: no port may be published. */
	r = &fixtures[F_OPEN_PORTS_ALL_CAPS];
	on(r, POL_RULE_PORTS);
	on(r, POL_RULE_CAPABILITIES);
	r->port_host_ips = LIST(host_ips_v);
	r->cap_add = LIST(caps_all_v);

	r = &fixtures[F_PLUGINS_ALL];
	on(r, POL_RULE_PLUGINS);
	r->plugin_privileges = LIST(plugin_all_v);
}

/* ---- rows ------------------------------------------------------------------------------ */

#define EXEC  pol_insp_exec_create
#define XSTA  pol_insp_exec_start
#define VOL   pol_insp_volume_create
#define NET   pol_insp_network_create
#define NCON  pol_insp_network_connect
#define NDIS  pol_insp_network_disconnect
#define SVC   pol_insp_service
#define PPULL pol_insp_plugin_pull
#define PSET  pol_insp_plugin_set
#define PCRE  pol_insp_plugin_create
#define BUILD pol_insp_build
#define IMG   pol_insp_image_create
#define ARCH  pol_insp_archive
#define COMM  pol_insp_commit
#define TAG   pol_insp_image_tag
#define SINIT pol_insp_swarm_init
#define SJOIN pol_insp_swarm_join
#define SUPD  pol_insp_swarm_update
#define SUNL  pol_insp_swarm_unlock
#define SEC   pol_insp_secret_create
#define CFG   pol_insp_config_create

#define R(r) POL_RULE_##r

/* A service body around one ContainerSpec (and extra TaskTemplate members). */
#define SVC_CS(cs)                                                                              \
	"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\"," cs \
	"}}}"
#define SVC_TT(cs, tt)                                                                          \
	"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\"," cs \
	"}," tt "}}"
#define LIMITS_OK_CS                                                                                      \
	"\"User\":\"1000\",\"ReadOnly\":true,\"Labels\":{\"owner\":\"ci\"},\"CapabilityDrop\":[\"ALL\"]," \
	"\"Privileges\":{\"NoNewPrivileges\":true}"
#define LIMITS_OK_TT "\"Resources\":{\"Limits\":{\"MemoryBytes\":67108864,\"Pids\":100}}"

static struct insp_case cases[] = {
	/* ---- ContainerExec: what clients send ---- */
	{ "exec: cli default", EXEC, F_STRICT, "", "@exec-create-cli-default", OK, 0, NULL },
	{ "exec: cli user env workdir", EXEC, F_STRICT, "", "@exec-create-cli-user-env-workdir", OK,
	    0, NULL },
	{ "exec: cli detached", EXEC, F_STRICT, "", "@exec-create-cli-detach", OK, 0, NULL },
	{ "exec: cli interactive", EXEC, F_STRICT, "", "@exec-create-cli-interactive", OK, 0,
	    NULL },
	{ "exec: cli 20.10", EXEC, F_STRICT, "", "@exec-create-cli2010", OK, 0, NULL },
	{ "exec: docker-py (extra Container key)", EXEC, F_STRICT, "", "@exec-create-sdk", OK, 0,
	    NULL },
	{ "exec: compose", EXEC, F_STRICT, "", "@exec-create-compose", OK, 0, NULL },
	{ "exec: root user allowed without require_non_root", EXEC, F_STRICT, "",
	    "@exec-create-cli-root", OK, 0, NULL },
	{ "exec: privileged allowed by exec.allow_privileged", EXEC, F_PERMISSIVE, "",
	    "@exec-create-cli-privileged", OK, 0, NULL },
	{ "exec: rule off allows privileged", EXEC, F_NONE, "", "@exec-create-cli-privileged", OK,
	    0, NULL },
	/* ---- ContainerExec: bypass classes ---- */
	{ "exec: cli --privileged", EXEC, F_STRICT, "", "@exec-create-cli-privileged", DENY,
	    R(EXEC), "Privileged" },
	{ "exec: privileged via \\u escape in key", EXEC, F_STRICT, "",
	    "{\"Privil\\u0065ged\":true,\"Cmd\":[\"id\"]}", DENY, R(EXEC), "Privileged" },
	{ "exec: privileged via escaped first letter", EXEC, F_STRICT, "",
	    "{\"\\u0050rivileged\":true,\"Cmd\":[\"id\"]}", DENY, R(EXEC), "Privileged" },
	{ "exec: lower-case privileged key refused", EXEC, F_STRICT, "",
	    "{\"privileged\":true,\"Cmd\":[\"id\"]}", BAD, 0, NULL },
	{ "exec: duplicate Privileged refused", EXEC, F_STRICT, "",
	    "{\"Privileged\":true,\"Privileged\":false,\"Cmd\":[\"id\"]}", BAD, 0, NULL },
	{ "exec: long-s User key refused", EXEC, F_EXEC, "", "{\"Uſer\":\"root\",\"Cmd\":[\"id\"]}",
	    BAD, 0, NULL },
	{ "exec: Privileged as a string refused", EXEC, F_STRICT, "",
	    "{\"Privileged\":\"true\",\"Cmd\":[\"id\"]}", BAD, 0, NULL },
	{ "exec: empty Cmd refused", EXEC, F_STRICT, "", "{\"Cmd\":[]}", BAD, 0, NULL },
	{ "exec: no Cmd refused", EXEC, F_STRICT, "", "{\"User\":\"1000\"}", BAD, 0, NULL },
	{ "exec: empty body refused (no command)", EXEC, F_STRICT, "", NULL, BAD, 0, NULL },
	{ "exec: null body refused (no command)", EXEC, F_STRICT, "", "null", BAD, 0, NULL },
	{ "exec: Cmd as a string refused ([]string)", EXEC, F_STRICT, "", "{\"Cmd\":\"id\"}", BAD,
	    0, NULL },
	{ "exec: trailing document refused", EXEC, F_STRICT, "",
	    "{\"Cmd\":[\"id\"]} {\"Privileged\":true}", BAD, 0, NULL },
	{ "exec: -u root with require_non_root", EXEC, F_EXEC, "", "@exec-create-cli-root", DENY,
	    R(EXEC), "User" },
	{ "exec: uid 0", EXEC, F_EXEC, "", "{\"User\":\"0\",\"Cmd\":[\"id\"]}", DENY, R(EXEC),
	    "User" },
	{ "exec: uid 00 with group 0", EXEC, F_EXEC, "", "{\"User\":\"00:0\",\"Cmd\":[\"id\"]}",
	    DENY, R(EXEC), "User" },
	{ "exec: uid +0", EXEC, F_EXEC, "", "{\"User\":\"+0\",\"Cmd\":[\"id\"]}", DENY, R(EXEC),
	    "User" },
	{ "exec: uid -0 (verified root on dockerd 20.10)", EXEC, F_EXEC, "",
	    "{\"User\":\"-0\",\"Cmd\":[\"id\"]}", DENY, R(EXEC), "User" },
	{ "exec: 0x0 is a name, not uid 0", EXEC, F_EXEC, "", "{\"User\":\"0x0\",\"Cmd\":[\"id\"]}",
	    OK, 0, NULL },
	{ "exec: root:root", EXEC, F_EXEC, "", "{\"User\":\"root:root\",\"Cmd\":[\"id\"]}", DENY,
	    R(EXEC), "User" },
	{ "exec: empty user is the container's, refused", EXEC, F_EXEC, "",
	    "@exec-create-cli-default", DENY, R(EXEC), "User" },
	{ "exec: group only is the container's user, refused", EXEC, F_EXEC, "",
	    "{\"User\":\":1000\",\"Cmd\":[\"id\"]}", DENY, R(EXEC), "User" },
	{ "exec: uid 1000 group 0 allowed", EXEC, F_EXEC, "",
	    "{\"User\":\"1000:0\",\"Cmd\":[\"id\"]}", OK, 0, NULL },
	{ "exec: command not in the list", EXEC, F_EXEC, "",
	    "{\"User\":\"1000\",\"Cmd\":[\"sh\",\"-c\",\"id\"]}", DENY, R(EXEC), "Cmd" },
	{ "exec: command glob matches", EXEC, F_EXEC, "",
	    "{\"User\":\"www-data\",\"Cmd\":[\"/usr/bin/php\",\"artisan\",\"migrate\"]}", OK, 0,
	    NULL },
	{ "exec: null argument is an empty string", EXEC, F_EXEC, "",
	    "{\"User\":\"1000\",\"Cmd\":[\"id\",null]}", DENY, R(EXEC), "Cmd" },
	{ "exec: command prefix only does not match", EXEC, F_EXEC, "",
	    "{\"User\":\"1000\",\"Cmd\":[\"/usr/bin/php\"]}", DENY, R(EXEC), "Cmd" },
	/* ---- ExecStart ---- */
	{ "exec start: cli", XSTA, F_STRICT, "", "@exec-start-cli", OK, 0, NULL },
	{ "exec start: cli detached", XSTA, F_STRICT, "", "@exec-start-cli-detach", OK, 0, NULL },
	{ "exec start: empty body", XSTA, F_STRICT, "", NULL, OK, 0, NULL },
	{ "exec start: Detach as a string refused", XSTA, F_STRICT, "", "{\"Detach\":\"yes\"}", BAD,
	    0, NULL },
	/* ---- VolumeCreate: what clients send ---- */
	{ "volume: cli plain", VOL, F_STRICT, "", "@volume-create-cli-plain", OK, 0, NULL },
	{ "volume: cli tmpfs", VOL, F_STRICT, "", "@volume-create-cli-tmpfs", OK, 0, NULL },
	{ "volume: cli labels", VOL, F_STRICT, "", "@volume-create-cli-labels", OK, 0, NULL },
	{ "volume: cli 20.10 tmpfs", VOL, F_STRICT, "", "@volume-create-cli2010", OK, 0, NULL },
	{ "volume: compose tmpfs", VOL, F_STRICT, "", "@volume-create-compose", OK, 0, NULL },
	{ "volume: docker-py tmpfs", VOL, F_STRICT, "", "@volume-create-sdk", OK, 0, NULL },
	{ "volume: size quota only", VOL, F_STRICT, "",
	    "{\"Name\":\"q\",\"DriverOpts\":{\"size\":\"10G\"}}", OK, 0, NULL },
	{ "volume: empty body", VOL, F_STRICT, "", NULL, OK, 0, NULL },
	{ "volume: bind of an allowed path", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/srv/ci/cache\"}}", OK,
	    0, NULL },
	{ "volume: read-only bind of a read-only path", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind,ro\",\"device\":\"/opt/ro/x\"}}", OK,
	    0, NULL },
	{ "volume: host options allowed", VOL, F_PERMISSIVE, "", "@volume-create-cli-bind", OK, 0,
	    NULL },
	{ "volume: rule off allows a bind", VOL, F_NONE, "", "@volume-create-cli-bind", OK, 0,
	    NULL },
	/* ---- VolumeCreate: bypass classes ---- */
	{ "volume: cli bind-backed volume", VOL, F_STRICT, "", "@volume-create-cli-bind", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: bind escaping with ..", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/srv/ci/../../etc\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: read-write bind of a read-only path", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/opt/ro/x\"}}", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: ro then rw is read-write", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"ro,bind,rw\",\"device\":\"/opt/ro/x\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: rbind", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"rbind,ro\",\"device\":\"/etc\"}}", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: bind hidden behind another type", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"ext4\",\"o\":\"nosuid,bind\",\"device\":\"/etc\"}}", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: relative bind device", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"srv/ci\"}}", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: host block device", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"ext4\",\"device\":\"/dev/sda1\"}}", DENY, R(VOLUME_CREATE),
	    "DriverOpts.type" },
	{ "volume: proc filesystem", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"proc\",\"device\":\"proc\"}}", DENY, R(VOLUME_CREATE),
	    "DriverOpts.type" },
	{ "volume: overlay of host dirs", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"overlay\",\"device\":\"overlay\",\"o\":\"lowerdir=/,upperdir=/tmp/u,workdir=/tmp/w\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.type" },
	{ "volume: nfs share", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"nfs\",\"o\":\"addr=10.0.0.1,rw\",\"device\":\":/export\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.type" },
	{ "volume: driver name case variant is a plugin", VOL, F_STRICT, "",
	    "{\"Driver\":\"Local\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}",
	    DENY, R(VOLUME_CREATE), "Driver" },
	{ "volume: plugin driver", VOL, F_STRICT, "", "{\"Driver\":\"rexray/ebs\",\"Name\":\"x\"}",
	    DENY, R(VOLUME_CREATE), "Driver" },
	{ "volume: cluster volume with a CSI driver", VOL, F_STRICT, "",
	    "{\"Driver\":\"csi-x\",\"ClusterVolumeSpec\":{\"Group\":\"g\",\"AccessMode\":{\"Scope\":\"single\",\"MountVolume\":{}}}}",
	    DENY, R(VOLUME_CREATE), "Driver" },
	{ "volume: option key case variant refused (map keys exact)", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"Type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}", BAD, 0,
	    NULL },
	{ "volume: unknown option refused", VOL, F_NONE, "",
	    "{\"DriverOpts\":{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"uid\":\"0\"}}", BAD, 0,
	    NULL },
	{ "volume: device without type refused", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"device\":\"/etc\"}}", BAD, 0, NULL },
	{ "volume: duplicate option key refused", VOL, F_STRICT, "",
	    "{\"DriverOpts\":{\"type\":\"tmpfs\",\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}",
	    BAD, 0, NULL },
	{ "volume: folded DriverOpts key refused", VOL, F_STRICT, "",
	    "{\"driveropts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}", BAD, 0,
	    NULL },
	{ "volume: daemon socket dir never allowed", VOL, F_WIDE, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/var/run\"}}", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: daemon socket never allowed", VOL, F_WIDE, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/run/docker.sock\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.device" },
	/* The daemon's state is protected like its socket, for volumes as for containers. */
	{ "volume: daemon state dir never allowed", VOL, F_WIDE, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/var/lib/docker\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: containerd dir never allowed", VOL, F_WIDE, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/run/containerd\"}}",
	    DENY, R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: root never allowed", VOL, F_WIDE, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}", DENY,
	    R(VOLUME_CREATE), "DriverOpts.device" },
	{ "volume: wide glob allows another path", VOL, F_WIDE, "",
	    "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/srv/x\"}}", OK, 0,
	    NULL },
	/* ---- NetworkCreate / Connect / Disconnect ---- */
	{ "network: cli plain", NET, F_STRICT, "", "@network-create-cli-plain", OK, 0, NULL },
	{ "network: cli internal with subnet", NET, F_STRICT, "",
	    "@network-create-cli-internal-subnet", OK, 0, NULL },
	{ "network: cli 20.10", NET, F_STRICT, "", "@network-create-cli2010", OK, 0, NULL },
	{ "network: compose with mtu", NET, F_STRICT, "", "@network-create-compose", OK, 0, NULL },
	{ "network: docker-py with icc", NET, F_STRICT, "", "@network-create-sdk", OK, 0, NULL },
	{ "network: empty body is a bridge", NET, F_STRICT, "", NULL, OK, 0, NULL },
	{ "network: gateway mode nat", NET, F_STRICT, "",
	    "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.gateway_mode_ipv4\":\"nat\"}}",
	    OK, 0, NULL },
	{ "network: macvlan on an allowed parent", NET, F_PERMISSIVE, "",
	    "{\"Name\":\"m\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0.10\"}}", OK, 0,
	    NULL },
	{ "network: macvlan without parent (dummy link)", NET, F_PERMISSIVE, "",
	    "{\"Name\":\"m\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"\"}}", OK, 0, NULL },
	{ "network: cli macvlan", NET, F_STRICT, "", "@network-create-cli-macvlan", DENY,
	    R(NETWORK_CREATE), "Driver" },
	{ "network: macvlan on an unlisted parent", NET, F_PERMISSIVE, "",
	    "{\"Name\":\"m\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"wlan0\"}}", DENY,
	    R(NETWORK_CREATE), "Options[parent]" },
	{ "network: config-only network holding a parent", NET, F_PERMISSIVE, "",
	    "{\"Name\":\"c\",\"ConfigOnly\":true,\"Options\":{\"parent\":\"eth1\"}}", DENY,
	    R(NETWORK_CREATE), "Options[parent]" },
	{ "network: cli bridge on a host bridge name", NET, F_STRICT, "",
	    "@network-create-cli-bridge-name", DENY, R(NETWORK_CREATE),
	    "Options[com.docker.network.bridge.name]" },
	{ "network: routed gateway mode", NET, F_STRICT, "",
	    "{\"Options\":{\"com.docker.network.bridge.gateway_mode_ipv4\":\"routed\"}}", DENY,
	    R(NETWORK_CREATE), NULL },
	{ "network: nat-unprotected ipv6", NET, F_STRICT, "",
	    "{\"Options\":{\"com.docker.network.bridge.gateway_mode_ipv6\":\"nat-unprotected\"}}",
	    DENY, R(NETWORK_CREATE), NULL },
	{ "network: trusted host interfaces", NET, F_STRICT, "",
	    "{\"Options\":{\"com.docker.network.bridge.trusted_host_interfaces\":\"eth0\"}}", DENY,
	    R(NETWORK_CREATE), NULL },
	{ "network: config-from hides its options", NET, F_PERMISSIVE, "",
	    "{\"Name\":\"m\",\"Driver\":\"macvlan\",\"ConfigFrom\":{\"Network\":\"cfg\"}}", DENY,
	    R(NETWORK_CREATE), "ConfigFrom.Network" },
	{ "network: IPAM plugin", NET, F_STRICT, "", "{\"IPAM\":{\"Driver\":\"infoblox\"}}", DENY,
	    R(NETWORK_CREATE), "IPAM.Driver" },
	{ "network: host driver", NET, F_STRICT, "", "{\"Name\":\"h\",\"Driver\":\"host\"}", DENY,
	    R(NETWORK_CREATE), "Driver" },
	{ "network: folded Options key refused", NET, F_STRICT, "",
	    "{\"options\":{\"parent\":\"eth0\"}}", BAD, 0, NULL },
	{ "network: Options as a list refused", NET, F_STRICT, "",
	    "{\"Options\":[\"parent=eth0\"]}", BAD, 0, NULL },
	{ "network connect: cli", NCON, F_STRICT, "", "@network-connect-cli", OK, 0, NULL },
	{ "network connect: cli static ip", NCON, F_STRICT, "", "@network-connect-cli-ip", OK, 0,
	    NULL },
	{ "network connect: compose", NCON, F_STRICT, "", "@network-connect-compose", OK, 0, NULL },
	{ "network connect: EndpointConfig as a list refused", NCON, F_STRICT, "",
	    "{\"Container\":\"c\",\"EndpointConfig\":[]}", BAD, 0, NULL },
	{ "network connect: folded endpoint key refused", NCON, F_STRICT, "",
	    "{\"Container\":\"c\",\"EndpointConfig\":{\"aliases\":[\"a\"]}}", BAD, 0, NULL },
	{ "network connect: IPAMConfig address typed", NCON, F_STRICT, "",
	    "{\"Container\":\"c\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":1}}}", BAD, 0,
	    NULL },
	/* Joining a network sets endpoint sysctls as create does: the same rule applies. */
	{ "network connect: endpoint sysctl not allowed", NCON, F_STRICT, "",
	    "{\"Container\":\"c\",\"EndpointConfig\":{\"DriverOpts\":{"
	    "\"com.docker.network.endpoint.sysctls\":\"net.ipv4.conf.IFNAME.forwarding=1\"}}}",
	    DENY, R(SYSCTLS), "EndpointConfig.DriverOpts" },
	{ "network connect: endpoint sysctl allowed", NCON, F_STRICT, "",
	    "{\"Container\":\"c\",\"EndpointConfig\":{\"DriverOpts\":{"
	    "\"com.docker.network.endpoint.sysctls\":\"net.ipv4.ip_unprivileged_port_start=80\"}}}",
	    OK, 0, NULL },
	{ "network disconnect: cli", NDIS, F_STRICT, "", "@network-disconnect-cli", OK, 0, NULL },
	/* ---- ServiceCreate / ServiceUpdate: what clients send ---- */
	{ "service: cli plain", SVC, F_STRICT, "", "@service-create-cli-plain", OK, 0, NULL },
	{ "service: cli secrets, configs, global", SVC, F_STRICT, "",
	    "@service-create-cli-secrets-global", OK, 0, NULL },
	{ "service: cli update", SVC, F_STRICT, "registryAuthFrom=spec&version=11",
	    "@service-update-cli", OK, 0, NULL },
	{ "service: bind of an allowed path", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ci/data\",\"Target\":\"/d\"}]"),
	    OK, 0, NULL },
	{ "service: allowed capability, lower case", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"CapabilityAdd\":[\"net_bind_service\"]"), OK, 0, NULL },
	{ "service: allowed capability with prefix", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"CapabilityAdd\":[\"CAP_NET_BIND_SERVICE\"]"), OK, 0, NULL },
	{ "service: seccomp mode in another case is the default", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"Privileges\":{\"Seccomp\":{\"Mode\":\"Unconfined\"}}"), OK,
	    0, NULL },
	{ "service: tmpfs and named volume mounts", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t\"},{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\"}]"),
	    OK, 0, NULL },
	{ "service: rules off allow the cli's host options", SVC, F_NONE, "",
	    "@service-create-cli-host-options", OK, 0, NULL },
	{ "service: all limits set", SVC, F_LIMITS, "", SVC_TT(LIMITS_OK_CS, LIMITS_OK_TT), OK, 0,
	    NULL },
	{ "service: services rule alone, plain", SVC, F_SERVICES_ONLY, "",
	    "@service-create-cli-plain", OK, 0, NULL },
	/* ---- ServiceCreate / ServiceUpdate: bypass classes ---- */
	{ "service: cli bind mount outside", SVC, F_STRICT, "", "@service-create-cli-host-options",
	    DENY, R(BIND_MOUNTS), "ContainerSpec.Mounts[0].Source" },
	{ "service: cli capability", SVC, F_STRICT, "", "@service-create-cli-host-options", DENY,
	    R(CAPABILITIES), "ContainerSpec.CapabilityAdd[0]" },
	{ "service: cli sysctl", SVC, F_STRICT, "", "@service-create-cli-host-options", DENY,
	    R(SYSCTLS), NULL },
	{ "service: cli bind-backed volume", SVC, F_STRICT, "", "@service-create-cli-volume-bind",
	    DENY, R(VOLUMES), "ContainerSpec.Mounts[0].VolumeOptions.DriverConfig" },
	{ "service: mount without Type is a bind", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"Mounts\":[{\"Source\":\"/etc\",\"Target\":\"/x\"}]"), DENY,
	    R(BIND_MOUNTS), "ContainerSpec.Mounts[0].Source" },
	{ "service: Type BIND upper case", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"BIND\",\"Source\":\"/etc\",\"Target\":\"/x\"}]"),
	    DENY, R(BIND_MOUNTS), NULL },
	{ "service: Type with dotless i", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"b\xc4\xb1nd\",\"Source\":\"/\",\"Target\":\"/x\"}]"),
	    DENY, R(BIND_MOUNTS), NULL },
	{ "service: bind escaping with ..", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ci/../../etc\",\"Target\":\"/x\"}]"),
	    DENY, R(BIND_MOUNTS), NULL },
	{ "service: read-write bind of a read-only path", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/opt/ro/x\",\"Target\":\"/x\"}]"),
	    DENY, R(BIND_MOUNTS), NULL },
	{ "service: shared propagation", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ci/d\",\"Target\":\"/x\",\"BindOptions\":{\"Propagation\":\"RShared\"}}]"),
	    DENY, R(BIND_MOUNTS), "ContainerSpec.Mounts[0].BindOptions.Propagation" },
	{ "service: unknown mount type refused", SVC, F_STRICT, "",
	    SVC_CS("\"Mounts\":[{\"Type\":\"image\",\"Source\":\"x\",\"Target\":\"/x\"}]"), BAD, 0,
	    NULL },
	{ "service: volume with a plugin driver", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"rexray\"}}}]"),
	    DENY, R(VOLUMES), NULL },
	{ "service: volume with a block device", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"type\":\"ext4\",\"device\":\"/dev/sda\"}}}}]"),
	    DENY, R(VOLUMES), NULL },
	{ "service: host network by name", SVC, F_STRICT, "",
	    SVC_TT("\"User\":\"1000\"", "\"Networks\":[{\"Target\":\"host\"}]"), DENY,
	    R(NAMESPACES), "TaskTemplate.Networks[0].Target" },
	{ "service: cli --network host sends the host network's ID", SVC, F_STRICT, "",
	    "@service-create-cli-host-options", DENY, R(NAMESPACES),
	    "TaskTemplate.Networks[0].Target" },
	{ "service: network ID prefix", SVC, F_STRICT, "",
	    SVC_TT("\"User\":\"1\"", "\"Networks\":[{\"Target\":\"3b\"}]"), DENY, R(NAMESPACES),
	    "TaskTemplate.Networks[0].Target" },
	{ "service: stack network name", SVC, F_STRICT, "",
	    SVC_TT("\"User\":\"1\"",
	        "\"Networks\":[{\"Target\":\"proj_front\",\"Aliases\":[\"web\"]}]"),
	    OK, 0, NULL },
	{ "service: host network in the legacy top-level list", SVC, F_STRICT, "",
	    "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\",\"User\":\"1\"}},\"Networks\":[{\"Target\":\"host\"}]}",
	    DENY, R(NAMESPACES), "Networks[0].Target" },
	{ "service: seccomp unconfined", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"Privileges\":{\"Seccomp\":{\"Mode\":\"unconfined\"}}"),
	    DENY, R(SECURITY_OPT), "ContainerSpec.Privileges.Seccomp.Mode" },
	{ "service: seccomp custom profile", SVC, F_STRICT, "",
	    SVC_CS(
	        "\"User\":\"1000\",\"Privileges\":{\"Seccomp\":{\"Mode\":\"custom\",\"Profile\":\"e30=\"}}"),
	    DENY, R(SECURITY_OPT), NULL },
	{ "service: apparmor disabled", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"Privileges\":{\"AppArmor\":{\"Mode\":\"disabled\"}}"), DENY,
	    R(SECURITY_OPT), "ContainerSpec.Privileges.AppArmor.Mode" },
	{ "service: selinux disabled", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"Privileges\":{\"SELinuxContext\":{\"Disable\":true}}"),
	    DENY, R(SECURITY_OPT), NULL },
	{ "service: selinux spc_t", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"Privileges\":{\"SELinuxContext\":{\"Type\":\"spc_t\"}}"),
	    DENY, R(SECURITY_OPT), NULL },
	{ "service: capability ALL", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"CapabilityAdd\":[\"all\"]"), DENY, R(CAPABILITIES), NULL },
	{ "service: capability CAP_ALL", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"CapabilityAdd\":[\"CAP_ALL\"]"), DENY, R(CAPABILITIES),
	    "ContainerSpec.CapabilityAdd[0]" },
	{ "service: capability all where ALL is allowed", SVC, F_OPEN_PORTS_ALL_CAPS, "",
	    SVC_CS("\"CapabilityAdd\":[\"all\"]"), OK, 0, NULL },
	{ "service: capability CAP_ALL refused where ALL is allowed", SVC, F_OPEN_PORTS_ALL_CAPS,
	    "", SVC_CS("\"CapabilityAdd\":[\"CAP_ALL\"]"), DENY, R(CAPABILITIES),
	    "ContainerSpec.CapabilityAdd[0]" },
	{ "service: capability cap_all refused where ALL is allowed", SVC, F_OPEN_PORTS_ALL_CAPS,
	    "", SVC_CS("\"CapabilityAdd\":[\"cap_all\"]"), DENY, R(CAPABILITIES),
	    "ContainerSpec.CapabilityAdd[0]" },
	{ "service: drop CAP_ALL is not drop ALL", SVC, F_LIMITS, "",
	    SVC_TT(
	        "\"ReadOnly\":true,\"Labels\":{\"owner\":\"ci\"},\"CapabilityDrop\":[\"CAP_ALL\"],\"Privileges\":{\"NoNewPrivileges\":true}",
	        LIMITS_OK_TT),
	    DENY, R(CAPABILITIES), "ContainerSpec.CapabilityDrop" },
	{ "service: drop all (lower case) is drop ALL", SVC, F_LIMITS, "",
	    SVC_TT(
	        "\"User\":\"1000\",\"ReadOnly\":true,\"Labels\":{\"owner\":\"ci\"},\"CapabilityDrop\":[\"all\"],\"Privileges\":{\"NoNewPrivileges\":true}",
	        LIMITS_OK_TT),
	    OK, 0, NULL },
	{ "service: published port with no host_ports range", SVC, F_OPEN_PORTS_ALL_CAPS, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\"}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":8080}]}}",
	    DENY, R(PORTS), "EndpointSpec.Ports[0].PublishedPort" },
	{ "service: second published port refused, first is daemon-chosen", SVC,
	    F_OPEN_PORTS_ALL_CAPS, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\"}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":81},{\"TargetPort\":80,\"PublishedPort\":8080}]}}",
	    DENY, R(PORTS), "EndpointSpec.Ports[1].PublishedPort" },
	{ "service: daemon-chosen published port with no host_ports range", SVC,
	    F_OPEN_PORTS_ALL_CAPS, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\"}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80}]}}",
	    OK, 0, NULL },
	{ "service: memory limit missing, field names the limit", SVC, F_LIMITS, "",
	    SVC_TT(LIMITS_OK_CS, "\"Resources\":{\"Limits\":{\"Pids\":100}}"), DENY, R(RESOURCES),
	    "TaskTemplate.Resources.Limits.MemoryBytes" },
	{ "service: capability with long s", SVC, F_STRICT, "",
	    SVC_CS("\"User\":\"1000\",\"CapabilityAdd\":[\"\xc5\xbfys_admin\"]"), DENY,
	    R(CAPABILITIES), NULL },
	{ "service: plugin runtime", SVC, F_STRICT, "",
	    "{\"Name\":\"p\",\"TaskTemplate\":{\"Runtime\":\"plugin\",\"PluginSpec\":{\"name\":\"x\",\"remote\":\"vieux/sshfs\",\"privileges\":[{\"name\":\"network\",\"value\":[\"host\"]}]}}}",
	    DENY, R(PLUGINS), "TaskTemplate.PluginSpec.privileges[0]" },
	{ "service: root user", SVC, F_LIMITS, "", SVC_CS("\"User\":\"0:0\""), DENY, R(USER),
	    "ContainerSpec.User" },
	{ "service: image's user, which may be root", SVC, F_LIMITS, "",
	    "@service-create-cli-plain", DENY, R(USER), "ContainerSpec.User" },
	{ "service: image outside the list", SVC, F_STRICT, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"evil.example.com/x:1\",\"User\":\"1\"}}}",
	    DENY, R(IMAGES), "ContainerSpec.Image" },
	{ "service: image by ID", SVC, F_STRICT, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" HEX64 "\",\"User\":\"1\"}}}", DENY,
	    R(IMAGES), "ContainerSpec.Image" },
	{ "service: rollback to a previous spec", SVC, F_STRICT,
	    "registryAuthFrom=spec&rollback=previous&version=22", "@service-update-cli", DENY,
	    R(SERVICES), "rollback" },
	{ "service: published port outside the ranges", SVC, F_STRICT, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\",\"User\":\"1\"}},\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":22,\"PublishedPort\":22,\"PublishMode\":\"host\"}]}}",
	    DENY, R(PORTS), "EndpointSpec.Ports[0].PublishedPort" },
	{ "service: log driver outside the list", SVC, F_STRICT, "",
	    SVC_TT("\"User\":\"1\"",
	        "\"LogDriver\":{\"Name\":\"syslog\",\"Options\":{\"syslog-address\":\"udp://1.2.3.4:514\"}}"),
	    DENY, R(LOG_DRIVERS), NULL },
	{ "service: services rule refuses an unchecked bind", SVC, F_SERVICES_ONLY, "",
	    SVC_CS("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ci/d\",\"Target\":\"/x\"}]"),
	    DENY, R(SERVICES), "ContainerSpec.Mounts[0].Source" },
	{ "service: services rule refuses an added capability", SVC, F_SERVICES_ONLY, "",
	    SVC_CS("\"CapabilityAdd\":[\"NET_BIND_SERVICE\"]"), DENY, R(SERVICES), NULL },
	{ "service: services rule refuses the host network", SVC, F_SERVICES_ONLY, "",
	    SVC_TT("\"User\":\"1\"", "\"Networks\":[{\"Target\":\"HOST\"}]"), DENY, R(SERVICES),
	    NULL },
	{ "service: services rule refuses a plugin runtime", SVC, F_SERVICES_ONLY, "",
	    "{\"TaskTemplate\":{\"Runtime\":\"plugin\",\"PluginSpec\":{\"remote\":\"x/y\"}}}", DENY,
	    R(SERVICES), NULL },
	{ "service: daemon socket bind under a wide glob", SVC, F_WIDE, "",
	    SVC_CS("\"Mounts\":[{\"Source\":\"/var/run/docker.sock\",\"Target\":\"/s\"}]"), DENY,
	    R(BIND_MOUNTS), NULL },
	{ "service: daemon state bind under a wide glob", SVC, F_WIDE, "",
	    SVC_CS("\"Mounts\":[{\"Source\":\"/var/lib/docker/volumes\",\"Target\":\"/s\"}]"), DENY,
	    R(BIND_MOUNTS), NULL },
	{ "service: no memory limit", SVC, F_LIMITS, "", SVC_CS(LIMITS_OK_CS), DENY, R(RESOURCES),
	    NULL },
	{ "service: memory over the maximum", SVC, F_LIMITS, "",
	    SVC_TT(LIMITS_OK_CS,
	        "\"Resources\":{\"Limits\":{\"MemoryBytes\":4294967296,\"Pids\":100}}"),
	    DENY, R(RESOURCES), NULL },
	{ "service: writable root filesystem", SVC, F_LIMITS, "",
	    SVC_TT(
	        "\"Labels\":{\"owner\":\"ci\"},\"CapabilityDrop\":[\"ALL\"],\"Privileges\":{\"NoNewPrivileges\":true}",
	        LIMITS_OK_TT),
	    DENY, R(READ_ONLY_ROOTFS), NULL },
	{ "service: no-new-privileges missing", SVC, F_LIMITS, "",
	    SVC_TT("\"ReadOnly\":true,\"Labels\":{\"owner\":\"ci\"},\"CapabilityDrop\":[\"ALL\"]",
	        LIMITS_OK_TT),
	    DENY, R(NO_NEW_PRIVILEGES), NULL },
	{ "service: required label missing", SVC, F_LIMITS, "",
	    SVC_TT(
	        "\"ReadOnly\":true,\"CapabilityDrop\":[\"ALL\"],\"Privileges\":{\"NoNewPrivileges\":true}",
	        LIMITS_OK_TT),
	    DENY, R(LABELS), NULL },
	{ "service: capabilities not dropped", SVC, F_LIMITS, "",
	    SVC_TT(
	        "\"ReadOnly\":true,\"Labels\":{\"owner\":\"ci\"},\"Privileges\":{\"NoNewPrivileges\":true}",
	        LIMITS_OK_TT),
	    DENY, R(CAPABILITIES), "ContainerSpec.CapabilityDrop" },
	{ "service: duplicate TaskTemplate refused (no merge)", SVC, F_STRICT, "",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"localtest/bb:1\"}},\"TaskTemplate\":{\"ContainerSpec\":{\"Mounts\":[{\"Source\":\"/\",\"Target\":\"/h\"}]}}}",
	    BAD, 0, NULL },
	{ "service: folded TaskTemplate key refused", SVC, F_STRICT, "",
	    "{\"taskTemplate\":{\"ContainerSpec\":{\"Image\":\"x\"}}}", BAD, 0, NULL },
	{ "service: Mounts as an object refused", SVC, F_STRICT, "",
	    SVC_CS("\"Mounts\":{\"Source\":\"/\"}"), BAD, 0, NULL },
	{ "service: ';' in the query refused", SVC, F_STRICT, "version=1;rollback=previous",
	    "@service-update-cli", BAD, 0, NULL },
	/* ---- plugins ---- */
	{ "plugin pull: cli, no privileges", PPULL, F_STRICT,
	    "name=&remote=docker.io%2Fvieux%2Fsshfs", "@plugin-pull-cli-none", OK, 0, NULL },
	{ "plugin pull: allowed privileges", PPULL, F_PERMISSIVE, "remote=vieux/sshfs",
	    "[{\"Name\":\"network\",\"Description\":\"\",\"Value\":[\"host\"]},{\"Name\":\"mount\",\"Value\":[\"/srv/data\"]},{\"Name\":\"device\",\"Value\":[\"/dev/fuse\"]},{\"Name\":\"capabilities\",\"Value\":[\"CAP_SYS_ADMIN\"]}]",
	    OK, 0, NULL },
	{ "plugin pull: host network privilege", PPULL, F_STRICT, "remote=vieux/sshfs",
	    "[{\"Name\":\"network\",\"Description\":\"permissions to access a network\",\"Value\":[\"host\"]}]",
	    DENY, R(PLUGINS), "privileges[0]" },
	{ "plugin pull: mount outside the allowed paths", PPULL, F_PERMISSIVE, "remote=vieux/sshfs",
	    "[{\"Name\":\"mount\",\"Value\":[\"/var/lib/docker/plugins/\"]}]", DENY, R(PLUGINS),
	    "privileges[0]" },
	{ "plugin pull: one capability too many", PPULL, F_PERMISSIVE, "remote=vieux/sshfs",
	    "[{\"Name\":\"capabilities\",\"Value\":[\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\"]}]", DENY,
	    R(PLUGINS), "privileges[0]" },
	{ "plugin pull: host pid namespace", PPULL, F_PERMISSIVE, "remote=vieux/sshfs",
	    "[{\"Name\":\"host pid namespace\",\"Value\":[\"true\"]}]", DENY, R(PLUGINS), NULL },
	{ "plugin pull: remote outside the images list", PPULL, F_STRICT,
	    "remote=evil.example.com%2Fp", "[]", DENY, R(IMAGES), "remote" },
	{ "plugin pull: folded Value key refused", PPULL, F_STRICT, "remote=vieux/sshfs",
	    "[{\"Name\":\"network\",\"value\":[\"host\"]}]", BAD, 0, NULL },
	{ "plugin pull: object body refused", PPULL, F_STRICT, "remote=vieux/sshfs",
	    "{\"Name\":\"network\"}", BAD, 0, NULL },
	{ "plugin pull: bad query escape refused", PPULL, F_STRICT, "remote=%zz", "[]", BAD, 0,
	    NULL },
	{ "plugin set: environment", PSET, F_STRICT, "", "[\"DEBUG=1\",\"args=-v\"]", OK, 0, NULL },
	{ "plugin set: allowed mount source", PSET, F_PERMISSIVE, "",
	    "[\"state.source=/srv/data\"]", OK, 0, NULL },
	{ "plugin set: mount source re-pointed", PSET, F_STRICT, "", "[\"state.source=/etc\"]",
	    DENY, R(PLUGINS), "[0]" },
	{ "plugin set: field left out", PSET, F_STRICT, "", "[\"DEBUG=1\",\"state=/etc\"]", DENY,
	    R(PLUGINS), "[1]" },
	{ "plugin set: device path", PSET, F_PERMISSIVE, "", "[\"dev.path=/dev/sda\"]", DENY,
	    R(PLUGINS), "[0]" },
	{ "plugin set: dotted name, last dot is the field", PSET, F_STRICT, "",
	    "[\"my.mount.source=/\"]", DENY, R(PLUGINS), "[0]" },
	{ "plugin set: relative path without a field", PSET, F_STRICT, "",
	    "[\"state=../../../../etc\"]", DENY, R(PLUGINS), "[0]" },
	{ "plugin set: object body refused", PSET, F_STRICT, "", "{\"a\":\"b\"}", BAD, 0, NULL },
	{ "plugin create: no acknowledgement", PCRE, F_STRICT, "name=p", NULL, DENY, R(PLUGINS),
	    NULL },
	{ "plugin create: every privilege allowed", PCRE, F_PLUGINS_ALL, "name=p", NULL, OK, 0,
	    NULL },
	/* ---- ImageBuild (query) ---- */
	{ "build: cli plain", BUILD, F_STRICT,
	    "dockerfile=Dockerfile&q=1&t=localtest%2Fbuilt%3A1&version=1", NULL, OK, 0, NULL },
	{ "build: cli no network", BUILD, F_STRICT,
	    "buildargs=%7B%22X%22%3A%221%22%7D&dockerfile=Dockerfile&labels=%7B%22l%22%3A%221%22%7D&networkmode=none&q=1&t=localtest%2Fbuilt%3A1&version=1",
	    NULL, OK, 0, NULL },
	{ "build: buildkit client session", BUILD, F_STRICT,
	    "remote=client-session&session=abc&version=2", NULL, OK, 0, NULL },
	{ "build: first networkmode wins", BUILD, F_STRICT, "networkmode=bridge&networkmode=host",
	    NULL, OK, 0, NULL },
	{ "build: key case differs is ignored", BUILD, F_STRICT, "NetworkMode=host", NULL, OK, 0,
	    NULL },
	{ "build: allowed ulimit", BUILD, F_STRICT,
	    "ulimits=%5B%7B%22Name%22%3A%22nofile%22%2C%22Hard%22%3A1024%2C%22Soft%22%3A1024%7D%5D",
	    NULL, OK, 0, NULL },
	{ "build: host network allowed", BUILD, F_PERMISSIVE,
	    "networkmode=host&extrahosts=a%3A1.2.3.4&remote=https%3A%2F%2Fgit.example.org%2Fr.git",
	    NULL, OK, 0, NULL },
	{ "build: cli --network host", BUILD, F_STRICT,
	    "dockerfile=Dockerfile&networkmode=host&q=1&t=localtest%2Fbuilt%3A2&version=1", NULL,
	    DENY, R(BUILD), "networkmode" },
	{ "build: cli --add-host", BUILD, F_STRICT,
	    "dockerfile=Dockerfile&extrahosts=a%3A1.2.3.4&networkmode=none&q=1&version=1", NULL,
	    DENY, R(BUILD), "extrahosts" },
	{ "build: escaped networkmode", BUILD, F_STRICT, "network%6Dode=ho%73t", NULL, DENY,
	    R(BUILD), "networkmode" },
	{ "build: host first, bridge second", BUILD, F_STRICT,
	    "networkmode=host&networkmode=bridge", NULL, DENY, R(BUILD), "networkmode" },
	{ "build: container namespace", BUILD, F_STRICT, "networkmode=container%3Aabc", NULL, DENY,
	    R(BUILD), "networkmode" },
	{ "build: remote context", BUILD, F_STRICT, "remote=https%3A%2F%2F169.254.169.254%2F", NULL,
	    DENY, R(BUILD), "remote" },
	{ "build: cgroup parent", BUILD, F_STRICT, "cgroupparent=%2F", NULL, DENY, R(CGROUP_PARENT),
	    "cgroupparent" },
	{ "build: ulimit outside the list", BUILD, F_STRICT,
	    "ulimits=%5B%7B%22Name%22%3A%22memlock%22%2C%22Hard%22%3A-1%2C%22Soft%22%3A-1%7D%5D",
	    NULL, DENY, R(ULIMITS), "ulimits[0]" },
	{ "build: security options", BUILD, F_STRICT, "securityopt=seccomp%3Dunconfined", NULL,
	    DENY, R(SECURITY_OPT), "securityopt" },
	{ "build: tag outside the images list", BUILD, F_STRICT,
	    "t=localtest%2Fa%3A1&t=evil.example.com%2Fx%3A1", NULL, DENY, R(IMAGES), "t[1]" },
	{ "build: folded ulimit key refused", BUILD, F_STRICT,
	    "ulimits=%5B%7B%22name%22%3A%22memlock%22%7D%5D", NULL, BAD, 0, NULL },
	{ "build: ulimit Hard as a string refused", BUILD, F_STRICT,
	    "ulimits=%5B%7B%22Name%22%3A%22nofile%22%2C%22Hard%22%3A%221%22%7D%5D", NULL, BAD, 0,
	    NULL },
	{ "build: malformed ulimits refused", BUILD, F_STRICT, "ulimits=%5B%7B", NULL, BAD, 0,
	    NULL },
	{ "build: ';' refused", BUILD, F_STRICT, "q=1;networkmode=host", NULL, BAD, 0, NULL },
	{ "build: bad escape refused", BUILD, F_STRICT, "networkmode=ho%zzst", NULL, BAD, 0, NULL },
	/* ---- ImageCreate (query) ---- */
	{ "image create: cli pull", IMG, F_STRICT, "fromImage=docker.io%2Flibrary%2Falpine&tag=3",
	    NULL, OK, 0, NULL },
	{ "image create: docker-py pull", IMG, F_STRICT, "tag=3.20&fromImage=alpine", NULL, OK, 0,
	    NULL },
	{ "image create: cli import from stdin", IMG, F_STRICT, "fromSrc=-&repo=localtest%2Fbb%3A1",
	    NULL, OK, 0, NULL },
	{ "image create: trailing colon trimmed", IMG, F_STRICT, "fromImage=alpine%3A", NULL, OK, 0,
	    NULL },
	{ "image create: URL import allowed", IMG, F_PERMISSIVE,
	    "fromSrc=https%3A%2F%2Fexample.org%2Fi.tar", NULL, OK, 0, NULL },
	{ "image create: pull outside the list", IMG, F_STRICT,
	    "fromImage=evil.example.com%2Fx&tag=1", NULL, DENY, R(IMAGES), "fromImage" },
	{ "image create: tag swaps in a digest", IMG, F_STRICT,
	    "fromImage=evil.example.com%2Fx&tag=sha256%3A" HEX64, NULL, DENY, R(IMAGES),
	    "fromImage" },
	{ "image create: upper case repository", IMG, F_STRICT, "fromImage=Alpine", NULL, DENY,
	    R(IMAGES), "fromImage" },
	{ "image create: first fromImage wins", IMG, F_STRICT,
	    "fromImage=evil.example.com%2Fx&fromImage=alpine", NULL, DENY, R(IMAGES), "fromImage" },
	{ "image create: URL import", IMG, F_STRICT,
	    "fromSrc=http%3A%2F%2F169.254.169.254%2Flatest", NULL, DENY, R(IMAGE_CREATE),
	    "fromSrc" },
	{ "image create: import over an unlisted name", IMG, F_STRICT,
	    "fromSrc=-&repo=evil.example.com%2Fx&tag=1", NULL, DENY, R(IMAGES), "repo" },
	{ "image create: ';' refused", IMG, F_STRICT, "fromImage=alpine;x", NULL, BAD, 0, NULL },
	/* ---- PutContainerArchive (query) ---- */
	{ "archive: cli cp", ARCH, F_STRICT, "noOverwriteDirNonDir=true&path=%2F", NULL, OK, 0,
	    NULL },
	{ "archive: copyUIDGID", ARCH, F_STRICT, "copyUIDGID=1&path=%2Ftmp", NULL, OK, 0, NULL },
	{ "archive: no path refused", ARCH, F_STRICT, "noOverwriteDirNonDir=true", NULL, BAD, 0,
	    NULL },
	{ "archive: bad escape refused", ARCH, F_STRICT, "path=%2", NULL, BAD, 0, NULL },
	/* ---- ImageCommit ---- */
	{ "commit: cli", COMM, F_STRICT,
	    "author=&changes=ENV+A%3D1&comment=msg&container=c1&repo=docker.io%2Flocaltest%2Fcommitted&tag=1",
	    NULL, OK, 0, NULL },
	{ "commit: config body", COMM, F_STRICT, "container=c1&repo=localtest%2Fx",
	    "{\"User\":\"1000\",\"Cmd\":[\"sh\"],\"Env\":[\"A=1\"]}", OK, 0, NULL },
	{ "commit: name outside the list", COMM, F_STRICT,
	    "container=c1&repo=evil.example.com%2Fx&tag=1", NULL, DENY, R(IMAGES), "repo" },
	{ "commit: folded key refused", COMM, F_STRICT, "container=c1", "{\"user\":\"root\"}", BAD,
	    0, NULL },
	/* ---- swarm ---- */
	{ "swarm init: cli", SINIT, F_STRICT, "", "@swarm-init-cli", DENY, R(SWARM), NULL },
	{ "swarm init: allowed", SINIT, F_PERMISSIVE, "", "@swarm-init-cli", OK, 0, NULL },
	{ "swarm join: external manager", SJOIN, F_STRICT, "",
	    "{\"ListenAddr\":\"0.0.0.0:2377\",\"RemoteAddrs\":[\"203.0.113.7:2377\"],\"JoinToken\":\"SWMTKN-1-x\"}",
	    DENY, R(SWARM), "RemoteAddrs" },
	{ "swarm join: allowed", SJOIN, F_PERMISSIVE, "",
	    "{\"RemoteAddrs\":[\"10.0.0.2:2377\"],\"JoinToken\":\"SWMTKN-1-x\"}", OK, 0, NULL },
	{ "swarm join: RemoteAddrs as a string refused", SJOIN, F_PERMISSIVE, "",
	    "{\"RemoteAddrs\":\"10.0.0.2\"}", BAD, 0, NULL },
	{ "swarm update: spec", SUPD, F_STRICT, "version=10",
	    "{\"Name\":\"default\",\"CAConfig\":{\"NodeCertExpiry\":7776000000000000},\"Raft\":{\"ElectionTick\":10,\"HeartbeatTick\":1}}",
	    OK, 0, NULL },
	{ "swarm unlock: key", SUNL, F_STRICT, "", "{\"UnlockKey\":\"SWMKEY-1-x\"}", OK, 0, NULL },
	{ "swarm unlock: key as a number refused", SUNL, F_STRICT, "", "{\"UnlockKey\":1}", BAD, 0,
	    NULL },
	/* ---- secrets and configs ---- */
	{ "secret create: cli", SEC, F_STRICT, "", "@secret-create-cli", OK, 0, NULL },
	{ "config create: cli", CFG, F_STRICT, "", "@config-create-cli", OK, 0, NULL },
	{ "secret create: Data as a number refused", SEC, F_STRICT, "",
	    "{\"Name\":\"s\",\"Data\":1}", BAD, 0, NULL },
};

/* ---- running one row ------------------------------------------------------------------ */

static char *
load_body(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/bodies/%s.json", SW_TEST_DATA_DIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

struct run {
	struct pol_insp_ctx ctx;
	struct pol_jdoc doc;
	struct pol_err err;
	struct sw_req req;
	int rc;
};

/* "ref": the object the path names (ImageTag's image), NULL for none. */
static void
run_row(const struct insp_case *c, const char *ref, struct run *r)
{
	static const struct pol_daemon daemon;
	struct sw_str body;
	char *owned = NULL;
	size_t len = 0;

	memset(r, 0, sizeof(*r));
	r->req.query = sw_str_cstr(c->query);
	if (ref != NULL)
		r->req.ref = sw_str_cstr(ref);
	r->ctx.rules = &fixtures[c->fx];
	r->ctx.policy = "test";
	r->ctx.req = &r->req;
	r->ctx.daemon = &daemon;
	r->ctx.doc = &r->doc;
	r->ctx.err = &r->err;
	if (c->body != NULL) {
		if (c->body[0] == '@') {
			if ((owned = load_body(c->body + 1, &len)) == NULL)
				fail_msg("row \"%s\": cannot read body %s", c->name, c->body + 1);
			body = sw_str_make(owned, len);
		} else {
			body = sw_str_cstr(c->body);
		}
		if (pol_json_parse(&body, &r->doc, &r->err) == -1) {
			r->rc = -1;
			free(owned);
			return;
		}
	}
	r->rc = c->fn(&r->ctx);
	free(owned);
}

static void
describe(const struct run *r, char *buf, size_t size)
{
	size_t i, n = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < r->ctx.n_findings && n < size; i++) {
		w = snprintf(buf + n, size - n, "[%s %s \"%s\": %s] ",
		    pol_rule_name(r->ctx.findings[i].rule), r->ctx.findings[i].field,
		    r->ctx.findings[i].value, r->ctx.findings[i].what);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static void
check_row(const struct insp_case *c, const char *ref)
{
	struct run r;
	char found[1024];
	size_t i;

	run_row(c, ref, &r);
	describe(&r, found, sizeof(found));
	switch (c->want) {
	case BAD:
		if (r.rc != -1)
			fail_msg(
			    "row \"%s\": accepted, want malformed; findings %s", c->name, found);
		if (r.err.msg[0] == '\0')
			fail_msg("row \"%s\": malformed without a message", c->name);
		break;
	case OK:
		if (r.rc != 0)
			fail_msg("row \"%s\": malformed (%s), want accepted", c->name, r.err.msg);
		if (r.ctx.n_findings != 0)
			fail_msg("row \"%s\": findings %s, want none", c->name, found);
		break;
	case DENY:
		if (r.rc != 0)
			fail_msg("row \"%s\": malformed (%s), want a %s finding", c->name,
			    r.err.msg, pol_rule_name(c->rule));
		for (i = 0; i < r.ctx.n_findings; i++)
			if (r.ctx.findings[i].rule == c->rule &&
			    (c->field == NULL || strcmp(r.ctx.findings[i].field, c->field) == 0))
				break;
		if (i == r.ctx.n_findings)
			fail_msg("row \"%s\": findings %s, want %s on %s", c->name, found,
			    pol_rule_name(c->rule), c->field != NULL ? c->field : "any field");
		break;
	}
	pol_json_free(&r.doc);
}

static void
test_insp_row(void **state)
{
	check_row(*state, NULL);
}

/*
 * ImageTag names the image it tags in the path: the rows carry it.  Under
 * the images rule the image tagged and the name written must both be
 * allowed (policy/insp_image_tag.c).
 */
static void
test_image_tag_rows(void **state)
{
	static const struct {
		struct insp_case c;
		const char *ref;
	} rows[] = {
		{ { "tag: cli", TAG, F_STRICT, "repo=localtest%2Fx&tag=1", NULL, OK, 0, NULL },
		    "busybox:1" },
		{ { "tag: image outside the list refused", TAG, F_STRICT, "repo=busybox&tag=evil",
		      NULL, DENY, R(IMAGES), "name" },
		    "evil.example.com/rootkit:1" },
		{ { "tag: name outside the list refused", TAG, F_STRICT,
		      "repo=evil.example.com%2Fx", NULL, DENY, R(IMAGES), "repo" },
		    "busybox" },
		{ { "tag: image by an id prefix refused", TAG, F_STRICT, "repo=busybox&tag=x", NULL,
		      DENY, R(IMAGES), "name" },
		    "6a9a0c" },
		{ { "tag: image by its full id refused", TAG, F_STRICT, "repo=busybox&tag=x", NULL,
		      DENY, R(IMAGES), "name" },
		    "sha256:" HEX64 },
		{ { "tag: first repo value is the daemon's", TAG, F_STRICT,
		      "repo=evil.example.com%2Fx&repo=busybox", NULL, DENY, R(IMAGES), "repo" },
		    "busybox" },
		{ { "tag: rule off", TAG, F_NONE, "repo=x", NULL, OK, 0, NULL },
		    "evil.example.com/x" },
		{ { "tag: bad query refused", TAG, F_STRICT, "repo=%zz", NULL, BAD, 0, NULL },
		    "busybox" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		check_row(&rows[i].c, rows[i].ref);
}

/* ---- archive compression sniffing ----------------------------------------------------- */

struct magic_case {
	const char *name;
	const char *bytes;
	size_t len;
	bool compressed;
};

static struct magic_case magic_cases[] = {
	{ "magic: gzip", "\x1f\x8b\x08\x00", 4, true },
	{ "magic: bzip2", "BZh91AY", 7, true },
	{ "magic: xz",
	    "\xfd"
	    "7zXZ\x00\x00",
	    7, true },
	{ "magic: zstd frame", "\x28\xb5\x2f\xfd\x00", 5, true },
	{ "magic: zstd skippable frame", "\x5e\x2a\x4d\x18\x00\x00\x00\x00", 8, true },
	{ "magic: zstd skippable, short", "\x5e\x2a\x4d\x18\x00", 5, false },
	{ "magic: plain tar", "f.txt\0\0\0\0\0\0\0", 12, false },
	{ "magic: gzip without deflate method", "\x1f\x8b\x07", 3, false },
	{ "magic: empty", "", 0, false },
};

static void
test_magic_row(void **state)
{
	const struct magic_case *c = *state;

	if (pol_upload_is_compressed((const unsigned char *)c->bytes, c->len) != c->compressed)
		fail_msg(
		    "row \"%s\": compressed %d, want %d", c->name, !c->compressed, c->compressed);
}

/* Every finding of a cli body names a rule and says what it does. */
static void
test_findings_are_described(void **state)
{
	static const struct insp_case c = { "x", SVC, F_STRICT, "",
		"@service-create-cli-host-options", DENY, 0, NULL };
	struct run r;
	size_t i;

	(void)state;
	run_row(&c, NULL, &r);
	assert_int_equal(r.rc, 0);
	assert_true(r.ctx.n_findings >= 3);
	for (i = 0; i < r.ctx.n_findings; i++) {
		assert_true(r.ctx.findings[i].field[0] != '\0');
		assert_true(r.ctx.findings[i].what[0] != '\0');
	}
	pol_json_free(&r.doc);
}

/*
 * The proxy streams a POL_EPF_UPLOAD body and buffers every other inspected
 * one, and pol_inspect() reads the body by the same flag.  Each inspected
 * endpoint must be exactly one of JSON body or upload in the route table:
 * an inspected endpoint marked both or neither is a table error.
 */
static void
test_inspected_body_kinds(void **state)
{
	static const char *const uploads[] = { "PutContainerArchive", "ImageBuild", "ImageCreate",
		"PluginCreate" };
	unsigned flags;
	size_t ep, i, n = 0;
	bool json, upload;

	(void)state;
	for (ep = 1; ep < pol_ep_count(); ep++) {
		if (!pol_ep_inspected((int)ep))
			continue;
		n++;
		flags = pol_ep_flags((int)ep);
		json = (flags & POL_EPF_JSON_BODY) != 0;
		upload = (flags & POL_EPF_UPLOAD) != 0;
		if (json == upload)
			fail_msg("%s: inspected, json body %d, upload %d: want exactly one",
			    pol_ep_name((int)ep), json, upload);
	}
	assert_int_equal(n, 26);
	for (i = 0; i < nitems(uploads); i++)
		if (!(pol_ep_flags(pol_ep_lookup(uploads[i])) & POL_EPF_UPLOAD) ||
		    !pol_ep_inspected(pol_ep_lookup(uploads[i])))
			fail_msg("%s: not an inspected upload", uploads[i]);
	assert_false(pol_ep_inspected(POL_EP_UNKNOWN));
	assert_false(pol_ep_inspected((int)pol_ep_count()));
	assert_false(pol_ep_inspected(-1));
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(cases) + nitems(magic_cases) + 3];
	size_t i, n = 0;

	setup_fixtures();
	for (i = 0; i < nitems(cases); i++)
		tests[n++] =
		    (struct CMUnitTest){ cases[i].name, test_insp_row, NULL, NULL, &cases[i] };
	for (i = 0; i < nitems(magic_cases); i++)
		tests[n++] = (struct CMUnitTest){ magic_cases[i].name, test_magic_row, NULL, NULL,
			&magic_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_findings_are_described);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_image_tag_rows);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_inspected_body_kinds);
	return _cmocka_run_group_tests("insp_endpoints", tests, n, NULL, NULL);
}
