/*
 * Tests for policy/load_rules.c and load_rules_values.c: every rule key and
 * option, good (the value it stores, normalised) and bad (the error and its
 * file:line:col), the mutations, mode and modes, and how a policy's keys
 * replace a profile's.  Each row is the body of a policy "p" in a small
 * configuration; positions in the rows are relative to that body (line 1,
 * column 1 is its first character) and the harness adds the offset.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "policy_int.h"

#define DATA_DIR SW_TEST_DATA_DIR "/policy/rules"

/* The configuration around a row's body; the body starts at line 5, column 5. */
#define HEAD                                                           \
	"listeners:\n"                                                 \
	"  - { name: a, listen: \"unix:///run/a.sock\", policy: p }\n" \
	"policies:\n"                                                  \
	"  p:\n"
#define BODY_LINE 4
#define BODY_COL  4

enum chk {
	C_LOADS,   /* only that it loads */
	C_LIST,    /* a struct pol_strlist, items joined with '|' */
	C_BOOL,    /* a bool field */
	C_I64,     /* an int64_t field */
	C_CONF,    /* configured[rule] */
	C_MODE,    /* mode[rule] */
	C_PORTS,   /* port ranges, "lo-hi" joined with '|' */
	C_ENABLED, /* rules.enabled */
	C_ENTRIES, /* allow/deny/groups entries, "kind text" joined with '|' */
	C_SETLIST, /* set.labels */
	C_DFLTSTR, /* dflt.user */
};

struct rule_case {
	const char *name;
	const char *body;
	int line, col;   /* error position in the body; 0: must load */
	const char *err; /* substring of the error message */
	enum chk chk;
	size_t off;       /* field offset in struct pol_rules (C_LIST, C_BOOL, C_I64) */
	int rule;         /* C_CONF, C_MODE */
	const char *want; /* C_LIST, C_PORTS, C_ENTRIES, C_SETLIST, C_DFLTSTR */
	int64_t num;      /* C_BOOL, C_I64, C_CONF, C_MODE, C_ENABLED */
};

#define OFF(f) offsetof(struct pol_rules, f)
#define BAD(name, body, line, col, err)                            \
	{                                                          \
		name, body, line, col, err, C_LOADS, 0, 0, NULL, 0 \
	}
#define LOADS(name, body)                                      \
	{                                                      \
		name, body, 0, 0, NULL, C_LOADS, 0, 0, NULL, 0 \
	}
#define LIST(name, body, f, want)                                  \
	{                                                          \
		name, body, 0, 0, NULL, C_LIST, OFF(f), 0, want, 0 \
	}
#define BOOL(name, body, f, v)                                     \
	{                                                          \
		name, body, 0, 0, NULL, C_BOOL, OFF(f), 0, NULL, v \
	}
#define I64(name, body, f, v)                                     \
	{                                                         \
		name, body, 0, 0, NULL, C_I64, OFF(f), 0, NULL, v \
	}
#define CONF(name, body, r, v)                                           \
	{                                                                \
		name, body, 0, 0, NULL, C_CONF, 0, POL_RULE_##r, NULL, v \
	}
#define MODE(name, body, r, m)                                           \
	{                                                                \
		name, body, 0, 0, NULL, C_MODE, 0, POL_RULE_##r, NULL, m \
	}
#define PORTS(name, body, want)                                \
	{                                                      \
		name, body, 0, 0, NULL, C_PORTS, 0, 0, want, 0 \
	}
#define ENABLED(name, body, v)                                   \
	{                                                        \
		name, body, 0, 0, NULL, C_ENABLED, 0, 0, NULL, v \
	}
#define ENTRIES(name, body, want)                                \
	{                                                        \
		name, body, 0, 0, NULL, C_ENTRIES, 0, 0, want, 0 \
	}
#define SETLIST(name, body, want)                                \
	{                                                        \
		name, body, 0, 0, NULL, C_SETLIST, 0, 0, want, 0 \
	}
#define DFLTSTR(name, body, want)                                \
	{                                                        \
		name, body, 0, 0, NULL, C_DFLTSTR, 0, 0, want, 0 \
	}

static struct rule_case cases[] = {
	/* privileged and the other boolean rules */
	CONF("privileged false configures the rule", "containers: { privileged: false }",
	    PRIVILEGED, true),
	BOOL("privileged false refuses", "containers: { privileged: false }", allow_privileged,
	    false),
	CONF("privileged true still configures the rule", "containers: { privileged: true }",
	    PRIVILEGED, true),
	BOOL("privileged true allows", "containers: { privileged: true }", allow_privileged, true),
	BAD("privileged yes is not a boolean", "containers: { privileged: yes }", 1, 27,
	    "policies.p.containers.privileged must be true or false, got \"yes\""),
	BAD("privileged as a list", "containers: { privileged: [false] }", 1, 27,
	    "policies.p.containers.privileged must be a single value, not a list"),
	BOOL("volumes_from true", "containers: { volumes_from: true }", allow_volumes_from, true),
	BOOL("system_paths true", "containers: { system_paths: true }", allow_system_paths, true),
	BOOL(
	    "cgroup_parent true", "containers: { cgroup_parent: true }", allow_cgroup_parent, true),
	BOOL("oom_kill_disable true", "containers: { oom_kill_disable: true }",
	    allow_oom_kill_disable, true),
	BOOL("read_only_rootfs true requires it", "containers: { read_only_rootfs: true }",
	    require_read_only_rootfs, true),
	CONF("read_only_rootfs false is configured", "containers: { read_only_rootfs: false }",
	    READ_ONLY_ROOTFS, true),
	BOOL("no_new_privileges true requires it", "containers: { no_new_privileges: true }",
	    require_no_new_privileges, true),
	BAD("no_new_privileges 1", "containers: { no_new_privileges: 1 }", 1, 34,
	    "must be true or false, got \"1\""),
	/* the containers block itself */
	BAD("unknown container rule", "containers: { privilegd: false }", 1, 15,
	    "unknown key \"privilegd\" in policies.p.containers"),
	BAD("containers as a list", "containers: [privileged]", 1, 13,
	    "policies.p.containers must be a mapping of container rules"),
	BAD("duplicate container rule", "containers: { privileged: false, privileged: true }", 1,
	    34, "duplicate key \"privileged\" in policies.p.containers"),
	/* bind_mounts */
	LIST("bind_mounts rw", "containers: { bind_mounts: { rw: [\"/srv/ci/**\", /data] } }",
	    bind_rw, "/srv/ci/**|/data"),
	LIST("bind_mounts ro", "containers: { bind_mounts: { ro: [\"/etc/ssl/certs/**\"] } }",
	    bind_ro, "/etc/ssl/certs/**"),
	LIST("bind_mounts false: no host paths", "containers: { bind_mounts: false }", bind_rw, ""),
	CONF("bind_mounts false is configured", "containers: { bind_mounts: false }", BIND_MOUNTS,
	    true),
	LIST(
	    "bind_mounts {} is the strict default", "containers: { bind_mounts: {} }", bind_ro, ""),
	BOOL("bind_mounts propagation", "containers: { bind_mounts: { propagation: true } }",
	    allow_bind_propagation, true),
	LIST("bind_mounts the root itself", "containers: { bind_mounts: { ro: [/] } }", bind_ro,
	    "/"),
	BAD("bind_mounts true", "containers: { bind_mounts: true }", 1, 28,
	    "containers.bind_mounts must be a mapping such as { rw: [...], ro: [...], propagation: "
	    "false }, or false for none, got \"true\""),
	BAD("bind_mounts as a list", "containers: { bind_mounts: [/srv] }", 1, 28,
	    "must be a mapping such as { rw: [...], ro: [...], propagation: false } (or false for "
	    "none), not a list"),
	BAD("bind_mounts relative path", "containers: { bind_mounts: { rw: [srv/ci] } }", 1, 35,
	    "policies.p.containers.bind_mounts.rw item \"srv/ci\" must be an absolute path"),
	BAD("bind_mounts dot-dot", "containers: { bind_mounts: { rw: [/srv/../etc] } }", 1, 35,
	    "must be a clean path"),
	BAD("bind_mounts double slash", "containers: { bind_mounts: { rw: [\"/srv//ci\"] } }", 1,
	    35, "must be a clean path"),
	BAD("bind_mounts trailing slash", "containers: { bind_mounts: { rw: [/srv/] } }", 1, 35,
	    "must be a clean path"),
	BAD("bind_mounts ** inside a component",
	    "containers: { bind_mounts: { rw: [\"/srv/a**b\"] } }", 1, 35,
	    "may use \"**\" only as a whole path component"),
	BAD("bind_mounts duplicate", "containers: { bind_mounts: { rw: [/srv, /srv] } }", 1, 41,
	    "lists \"/srv\" twice"),
	BAD("bind_mounts rw not a list", "containers: { bind_mounts: { rw: /srv } }", 1, 34,
	    "policies.p.containers.bind_mounts.rw must be a list, e.g. [\"/srv/data/**\"], not a "
	    "single value"),
	BAD("bind_mounts unknown option", "containers: { bind_mounts: { rx: [] } }", 1, 30,
	    "unknown key \"rx\" in policies.p.containers.bind_mounts"),
	/* volumes */
	LIST("volumes default driver is local", "containers: { volumes: {} }", volume_drivers,
	    "local"),
	BOOL("volumes named by default", "containers: { volumes: {} }", allow_named_volumes, true),
	BOOL("volumes named false", "containers: { volumes: { named: false } }",
	    allow_named_volumes, false),
	BOOL("volumes driver_opts", "containers: { volumes: { driver_opts: true } }",
	    allow_volume_driver_opts, true),
	LIST("volumes plugin driver",
	    "containers: { volumes: { drivers: [local, \"rexray/ebs:latest\"] } }", volume_drivers,
	    "local|rexray/ebs:latest"),
	BAD("volumes false is not a shorthand", "containers: { volumes: false }", 1, 24,
	    "policies.p.containers.volumes must be a mapping such as { named: true"),
	BAD("volumes driver with a space", "containers: { volumes: { drivers: [\"my driver\"] } }",
	    1, 36, "must be a driver name"),
	/* devices */
	LIST("devices allow", "containers: { devices: { allow: [/dev/fuse, \"/dev/nvidia*\"] } }",
	    devices, "/dev/fuse|/dev/nvidia*"),
	BOOL("devices requests", "containers: { devices: { requests: true } }",
	    allow_device_requests, true),
	BOOL("devices cgroup_rules", "containers: { devices: { cgroup_rules: true } }",
	    allow_device_cgroup_rules, true),
	LIST("devices false", "containers: { devices: false }", devices, ""),
	BAD("devices relative", "containers: { devices: { allow: [fuse] } }", 1, 34,
	    "must be an absolute path"),
	/* capabilities */
	LIST("capabilities normalised like the daemon",
	    "containers: { capabilities: { add: [net_bind_service, CAP_CHOWN, Sys_Admin] } }",
	    cap_add, "NET_BIND_SERVICE|CHOWN|SYS_ADMIN"),
	LIST("capabilities ALL", "containers: { capabilities: { add: [all] } }", cap_add, "ALL"),
	LIST("capabilities false adds none", "containers: { capabilities: false }", cap_add, ""),
	BOOL("capabilities require_drop_all",
	    "containers: { capabilities: { require_drop_all: true } }", require_drop_all, true),
	BAD("capability unknown", "containers: { capabilities: { add: [SYS_ADMINN] } }", 1, 37,
	    "item \"SYS_ADMINN\" is not a Linux capability"),
	LIST("capabilities cap_ prefix in lower case",
	    "containers: { capabilities: { add: [cap_net_raw, Cap_Chown, ALL] } }", cap_add,
	    "NET_RAW|CHOWN|ALL"),
	BAD("capability CAP_ALL (the daemon refuses it)",
	    "containers: { capabilities: { add: [CAP_ALL] } }", 1, 37,
	    "item \"CAP_ALL\" is not a Linux capability"),
	BAD("capability cap_all", "containers: { capabilities: { add: [cap_all] } }", 1, 37,
	    "item \"cap_all\" is not a Linux capability"),
	BAD("capability non-ASCII (dotless i)",
	    "containers: { capabilities: { add: [\"\xc4\xb1pc_lock\"] } }", 1, 37,
	    "must be an ASCII capability name"),
	BAD("capability CAP_ALL is not ALL", "containers: { capabilities: { add: [CAP_ALL] } }", 1,
	    37, "is not a Linux capability"),
	BAD("capability twice under two spellings",
	    "containers: { capabilities: { add: [CHOWN, cap_chown] } }", 1, 44,
	    "lists \"cap_chown\" twice (after normalising it to \"CHOWN\")"),
	BAD("capability with a dotless i",
	    "containers: { capabilities: { add: [\"SYS_ADM\xc4\xb1N\"] } }", 1, 37,
	    "must be an ASCII capability name"),
	/* security_opt, namespaces */
	BOOL("security_opt unconfined", "containers: { security_opt: { unconfined: true } }",
	    allow_unconfined, true),
	BOOL("security_opt false", "containers: { security_opt: false }", allow_unconfined, false),
	LIST("namespaces host", "containers: { namespaces: { host: [network, pid, cgroupns] } }",
	    host_namespaces, "network|pid|cgroupns"),
	BOOL("namespaces container_joins", "containers: { namespaces: { container_joins: true } }",
	    allow_container_namespaces, true),
	BAD("namespace unknown", "containers: { namespaces: { host: [net] } }", 1, 36,
	    "must be one of network, pid, ipc, uts, userns, cgroupns"),
	/* sysctls, runtimes, ulimits */
	LIST("sysctls globs",
	    "containers: { sysctls: { allow: [\"net.ipv4.*\", kernel.shm_rmid_forced] } }", sysctls,
	    "net.ipv4.*|kernel.shm_rmid_forced"),
	BAD("sysctl with slashes", "containers: { sysctls: { allow: [net/ipv4/ip_forward] } }", 1,
	    34, "must be a sysctl name or glob"),
	LIST("runtimes default", "containers: { runtimes: {} }", runtimes, "|runc"),
	LIST("runtimes shim name",
	    "containers: { runtimes: { allow: [\"\", io.containerd.runc.v2] } }", runtimes,
	    "|io.containerd.runc.v2"),
	BAD("runtime path", "containers: { runtimes: { allow: [/usr/bin/runc] } }", 1, 35,
	    "must be a runtime name"),
	LIST("ulimits", "containers: { ulimits: { allow: [nofile, nproc] } }", ulimits,
	    "nofile|nproc"),
	BAD("ulimit unknown", "containers: { ulimits: { allow: [nofiles] } }", 1, 34,
	    "must be a ulimit name"),
	/* resources */
	BOOL("resources {} requires memory", "containers: { resources: {} }", require_memory, true),
	BOOL("resources {} requires cpu", "containers: { resources: {} }", require_cpu, true),
	BOOL("resources require a subset", "containers: { resources: { require: [pids_limit] } }",
	    require_memory, false),
	BOOL("resources require pids_limit", "containers: { resources: { require: [pids_limit] } }",
	    require_pids_limit, true),
	I64("resources max_memory GiB", "containers: { resources: { max_memory: 4GiB } }",
	    max_memory, INT64_C(4294967296)),
	I64("resources max_memory bytes", "containers: { resources: { max_memory: 1000 } }",
	    max_memory, 1000),
	I64("resources max_pids_limit", "containers: { resources: { max_pids_limit: 4096 } }",
	    max_pids_limit, 4096),
	I64("resources max_cpus fraction", "containers: { resources: { max_cpus: 1.5 } }",
	    max_nano_cpus, INT64_C(1500000000)),
	I64("resources max_cpus one nano", "containers: { resources: { max_cpus: 0.000000001 } }",
	    max_nano_cpus, 1),
	BAD("resources require unknown", "containers: { resources: { require: [disk] } }", 1, 38,
	    "must be memory, cpu or pids_limit"),
	BAD("resources max_memory GB", "containers: { resources: { max_memory: 4GB } }", 1, 40,
	    "max_memory must be a size in bytes or with KiB, MiB, GiB or TiB"),
	BAD("resources max_memory zero", "containers: { resources: { max_memory: 0 } }", 1, 40,
	    "must be at least 1 byte"),
	BAD("resources max_memory overflow",
	    "containers: { resources: { max_memory: 9000000000TiB } }", 1, 40, "is too large"),
	BAD("resources max_pids_limit zero", "containers: { resources: { max_pids_limit: 0 } }", 1,
	    44, "must be between 1 and 4194304"),
	/* 1e19: past INT64_MAX, within 64 bits; refused, never wrapped negative. */
	BAD("resources max_memory 1e19",
	    "containers: { resources: { max_memory: 10000000000000000000 } }", 1, 40,
	    "is too large"),
	BAD("resources max_pids_limit 1e19",
	    "containers: { resources: { max_pids_limit: 10000000000000000000 } }", 1, 44,
	    "must be between 1 and 4194304"),
	BAD("resources max_cpus 1e19",
	    "containers: { resources: { max_cpus: 10000000000000000000 } }", 1, 38,
	    "must be a number of CPUs"),
	BAD("resources max_pids_limit negative",
	    "containers: { resources: { max_pids_limit: -1 } }", 1, 44, "must be a whole number"),
	BAD("resources max_cpus zero", "containers: { resources: { max_cpus: 0 } }", 1, 38,
	    "must be more than 0"),
	BAD("resources max_cpus ten decimals",
	    "containers: { resources: { max_cpus: 1.0000000001 } }", 1, 38,
	    "has more than 9 decimal places"),
	BAD("resources max_cpus trailing dot", "containers: { resources: { max_cpus: \"1.\" } }", 1,
	    38, "must be a number of CPUs"),
	/* ports */
	PORTS("ports ranges", "containers: { ports: { host_ports: [\"8000-8999\", 443] } }",
	    "8000-8999|443-443"),
	LIST("ports host_ips default loopback", "containers: { ports: {} }", port_host_ips,
	    "127.0.0.1|::1"),
	LIST("ports host_ips canonical",
	    "containers: { ports: { host_ips: [\"0.0.0.0\", \"0:0::1\", \"*\", 10.0.0.1] } }",
	    port_host_ips, "|::1|*|10.0.0.1"),
	BOOL("ports publish_all", "containers: { ports: { publish_all: true } }", allow_publish_all,
	    true),
	PORTS("ports false publishes nothing", "containers: { ports: false }", ""),
	BAD("port too large", "containers: { ports: { host_ports: [70000] } }", 1, 37,
	    "item \"70000\" must be a port (1-65535)"),
	BAD("port range backwards", "containers: { ports: { host_ports: [\"9000-8000\"] } }", 1, 37,
	    "must give the lower port first"),
	BAD("port zero", "containers: { ports: { host_ports: [0] } }", 1, 37, "must be a port"),
	BAD("port range open", "containers: { ports: { host_ports: [\"80-\"] } }", 1, 37,
	    "must be a port"),
	BAD("port twice", "containers: { ports: { host_ports: [80, 80] } }", 1, 41,
	    "lists \"80\" twice"),
	BAD("host ip name", "containers: { ports: { host_ips: [localhost] } }", 1, 35,
	    "must be an IP address"),
	/* user, images, labels, log_drivers */
	BOOL("user {} requires non-root", "containers: { user: {} }", require_non_root, true),
	BOOL("user non_root false", "containers: { user: { non_root: false } }", require_non_root,
	    false),
	BAD("user false is not a shorthand", "containers: { user: false }", 1, 21,
	    "policies.p.containers.user must be a mapping such as { non_root: true }, not a "
	    "single value"),
	LIST("images normalised like references",
	    "containers: { images: { allow: [alpine, \"alpine:*\", \"ghcr.io/org/**\", \"**\"] } }",
	    images, "docker.io/library/alpine:latest|docker.io/library/alpine:*|ghcr.io/org/**|**"),
	LIST("images index.docker.io",
	    "containers: { images: { allow: [\"index.docker.io/x/y\"] } }", images,
	    "docker.io/x/y:latest"),
	LIST("images false allows none", "containers: { images: false }", images, ""),
	BAD("image in upper case", "containers: { images: { allow: [Alpine] } }", 1, 33,
	    "must spell the repository in lower case"),
	BAD("image with a space", "containers: { images: { allow: [\"alp ine\"] } }", 1, 33,
	    "must be an image reference or glob"),
	BAD("image with an empty component", "containers: { images: { allow: [\"a//b\"] } }", 1, 33,
	    "must not start or end with '/' or contain \"//\""),
	LIST("labels require", "containers: { labels: { require: [team, com.example.owner] } }",
	    require_labels, "team|com.example.owner"),
	BAD("label key with a space", "containers: { labels: { require: [\"my team\"] } }", 1, 35,
	    "must be a label key"),
	LIST("log_drivers default", "containers: { log_drivers: {} }", log_drivers,
	    "|json-file|local"),
	BAD("log driver with a space", "containers: { log_drivers: { allow: [\"json file\"] } }", 1,
	    38, "must be a log driver name"),
	/* exec and the other endpoint rules */
	LIST("exec commands", "exec: { commands: [\"sh -c *\", \"ls\"] }", exec_commands,
	    "sh -c *|ls"),
	BOOL("exec non_root", "exec: { non_root: true }", exec_require_non_root, true),
	BOOL("exec privileged by default refused", "exec: {}", exec_allow_privileged, false),
	BAD("exec empty command", "exec: { commands: [\"\"] }", 1, 20, "must not be empty"),
	BAD("exec unknown option", "exec: { privilege: false }", 1, 9,
	    "unknown key \"privilege\" in policies.p.exec"),
	BAD("exec false is not a shorthand", "exec: false", 1, 7,
	    "policies.p.exec must be a mapping such as"),
	LIST("volume_create default", "volume_create: {}", volume_create_drivers, "local"),
	BOOL("volume_create host_options", "volume_create: { host_options: true }",
	    volume_create_allow_host_opts, true),
	LIST("network_create default", "network_create: {}", network_drivers, "bridge"),
	LIST("network_create parents", "network_create: { parents: [eth1, \"eth*\"] }",
	    network_parents, "eth1|eth*"),
	BAD("network_create long interface",
	    "network_create: { parents: [averyveryverylongiface] }", 1, 29,
	    "at most 15 characters"),
	CONF("services {}", "services: {}", SERVICES, true),
	BAD("services takes no options", "services: { containers: true }", 1, 13,
	    "unknown key \"containers\" in policies.p.services (it takes no options)"),
	BAD("services false", "services: false", 1, 11, "policies.p.services must be a mapping"),
	LIST("plugins privileges", "plugins: { privileges: [network, \"host pid namespace\"] }",
	    plugin_privileges, "network|host pid namespace"),
	BAD("plugin privilege unknown", "plugins: { privileges: [root] }", 1, 25,
	    "must be a plugin privilege"),
	BOOL("build remote", "build: { remote: true }", build_allow_remote, true),
	BOOL("build host_network", "build: { host_network: true }", build_allow_host_network, true),
	BOOL("build false", "build: false", build_allow_extra_hosts, false),
	BAD("build unknown option", "build: { network: host }", 1, 10,
	    "unknown key \"network\" in policies.p.build"),
	BOOL("image_create from_src", "image_create: { from_src: true }",
	    image_create_allow_from_src, true),
	BOOL("swarm join", "swarm: { join: true }", allow_swarm_join, true),
	BAD("swarm yes", "swarm: yes", 1, 8,
	    "policies.p.swarm must be a mapping such as { init: false, join: false }, or false for "
	    "none, got \"yes\""),
	BOOL("archive compressed", "archive: { compressed: true }", archive_allow_compressed, true),
	BAD("archive compressed 1", "archive: { compressed: 1 }", 1, 24, "must be true or false"),
	CONF("legacy false refuses legacy forms", "legacy: false", LEGACY, true),
	BAD("legacy true refused: the rule is always enforced", "legacy: true", 1, 9,
	    "policies.p.legacy cannot be true; write false: the legacy forms (a HostConfig sent "
	    "with start, HostConfig.Capabilities) are always refused"),
	BAD("legacy maybe", "legacy: maybe", 1, 9, "policies.p.legacy must be true or false"),
	/* mode and modes */
	MODE("rules enforce by default", "containers: { privileged: false }", PRIVILEGED,
	    POL_MODE_ENFORCE),
	MODE("mode warn", "mode: warn\ncontainers: { privileged: false }", PRIVILEGED,
	    POL_MODE_WARN),
	MODE("modes per rule", "containers: { privileged: false }\nmodes: { privileged: audit }",
	    PRIVILEGED, POL_MODE_AUDIT),
	MODE("modes beat mode",
	    "mode: warn\nmodes: { privileged: enforce }\ncontainers: { privileged: false }",
	    PRIVILEGED, POL_MODE_ENFORCE),
	BAD("mode unknown", "mode: strict\ncontainers: { privileged: false }", 1, 7,
	    "policies.p.mode must be enforce, warn or audit, got \"strict\""),
	BAD("modes unknown rule", "containers: { privileged: false }\nmodes: { privileges: warn }",
	    2, 10,
	    "unknown rule \"privileges\" in policies.p.modes (did you mean \"privileged\"?)"),
	BAD("modes duplicate rule",
	    "containers: { privileged: false }\nmodes: { privileged: warn, privileged: audit }", 2,
	    28, "duplicate rule \"privileged\" in policies.p.modes"),
	BAD("modes bad value", "containers: { privileged: false }\nmodes: { privileged: loud }", 2,
	    22, "policies.p.modes must be enforce, warn or audit, got \"loud\""),
	BAD("modes for a rule that is not configured",
	    "containers: { privileged: false }\nmodes: { bind_mounts: warn }", 2, 10,
	    "modes.bind_mounts: the rule bind_mounts is not configured in policy \"p\""),
	BAD("mode without rules", "allow: [SystemPing]\nmode: warn", 2, 7,
	    "mode applies to body rules, but policy \"p\" has none"),
	BAD("modes legacy warn refused", "legacy: false\nmodes: { legacy: warn }", 2, 18,
	    "policies.p.modes.legacy: the rule is always enforced"),
	BAD("modes legacy audit refused", "legacy: false\nmodes: { legacy: audit }", 2, 18,
	    "policies.p.modes.legacy: the rule is always enforced"),
	MODE("modes legacy enforce accepted", "legacy: false\nmodes: { legacy: enforce }", LEGACY,
	    POL_MODE_ENFORCE),
	MODE("mode warn leaves legacy enforced", "mode: warn\nlegacy: false", LEGACY,
	    POL_MODE_ENFORCE),
	MODE("mode audit leaves legacy enforced", "mode: audit\nlegacy: false", LEGACY,
	    POL_MODE_ENFORCE),
	/* mutations */
	BOOL("set cap_drop_all", "containers: { set: { cap_drop_all: true } }", set.cap_drop_all,
	    true),
	I64("set pids_limit", "containers: { set: { pids_limit: 512 } }", set.pids_limit, 512),
	BOOL("set pids_limit marks it set", "containers: { set: { pids_limit: 512 } }",
	    set.has_pids_limit, true),
	SETLIST("set labels", "containers: { set: { labels: { owner: ci, team: \"a b\" } } }",
	    "owner=ci|team=a b"),
	I64("default memory", "containers: { default: { memory: 1GiB } }", dflt.memory,
	    INT64_C(1073741824)),
	DFLTSTR("default user", "containers: { default: { user: \"1000:1000\" } }", "1000:1000"),
	BOOL("default read_only_rootfs", "containers: { default: { read_only_rootfs: true } }",
	    dflt.read_only_rootfs, true),
	ENABLED("set alone enables the rules", "containers: { set: { no_new_privileges: true } }",
	    true),
	ENABLED("no rules, no inspection", "allow: [ContainerCreate]", false),
	ENABLED("legacy false alone turns inspection on", "legacy: false", true),
	BAD("set unknown key", "containers: { set: { privileged: false } }", 1, 22,
	    "unknown key \"privileged\" in policies.p.containers.set"),
	BAD("set memory below the daemon's minimum", "containers: { set: { memory: 1MiB } }", 1, 30,
	    "must be at least 6MiB"),
	BAD("set pids_limit zero", "containers: { set: { pids_limit: 0 } }", 1, 34,
	    "must be between 1 and 4194304"),
	BAD("set user with a space", "containers: { set: { user: \"a b\" } }", 1, 28,
	    "must be a user, or user:group"),
	BAD("set labels twice", "containers: { set: { labels: { a: x, a: y } } }", 1, 38,
	    "duplicate label \"a\""),
	BAD("set label value with a tab", "containers: { set: { labels: { a: \"x\\ty\" } } }", 1,
	    35, "containers.set.labels.a must not contain control characters"),
	BAD("default as a list", "containers: { default: [] }", 1, 24,
	    "policies.p.containers.default must be a mapping"),
	/* profiles */
	BAD("profile unknown", "profile: hardened", 1, 10,
	    "unknown profile \"hardened\" in policies.p.profile (profiles: baseline, restricted"),
	BAD("profile as a list", "profile: [baseline]", 1, 10,
	    "policies.p.profile must be a single value, not a list"),
	LIST("profile values without keys", "profile: baseline", cap_add,
	    "AUDIT_WRITE|CHOWN|DAC_OVERRIDE|FOWNER|FSETID|KILL|MKNOD|NET_BIND_SERVICE|SETFCAP|"
	    "SETGID|SETPCAP|SETUID|SYS_CHROOT"),
	LIST("a rule key replaces the profile's whole rule",
	    "profile: baseline\ncontainers: { bind_mounts: { ro: [\"/etc/ssl/**\"] } }", bind_ro,
	    "/etc/ssl/**"),
	LIST("options not written take strict defaults, not the profile's",
	    "profile: cis\ncontainers: { bind_mounts: { ro: [/etc/ssl] } }", bind_rw, ""),
	LIST("other rules keep the profile's values",
	    "profile: baseline\ncontainers: { bind_mounts: { ro: [/x] } }", cap_add,
	    "AUDIT_WRITE|CHOWN|DAC_OVERRIDE|FOWNER|FSETID|KILL|MKNOD|NET_BIND_SERVICE|SETFCAP|"
	    "SETGID|SETPCAP|SETUID|SYS_CHROOT"),
	LIST("the profile key may come last",
	    "containers: { bind_mounts: { ro: [/x] } }\nprofile: baseline", bind_ro, "/x"),
	BOOL("a policy key can open what the profile closes",
	    "profile: restricted\ncontainers: { privileged: true }", allow_privileged, true),
	MODE("policy mode beats the profile's", "profile: portainer\nmode: enforce", PRIVILEGED,
	    POL_MODE_ENFORCE),
	MODE("the profile's mode stays otherwise", "profile: portainer", PRIVILEGED, POL_MODE_WARN),
	MODE("modes on a profile's rule", "profile: baseline\nmodes: { devices: audit }", DEVICES,
	    POL_MODE_AUDIT),
	BAD("legacy true cannot remove the profile's legacy rule",
	    "profile: baseline\nlegacy: true", 2, 9, "policies.p.legacy cannot be true"),
	MODE("a warn profile leaves legacy enforced", "profile: portainer", LEGACY,
	    POL_MODE_ENFORCE),
	ENTRIES("profile entries come after the policy's",
	    "profile: diun\nallow: [SystemInfo]\ndeny: [ImageInspect]",
	    "allow SystemInfo|deny ImageInspect|allow SystemPing|allow SystemPingHead|allow "
	    "SystemVersion|allow ContainerList|allow ImageInspect"),
	/* the whole language at once */
	LOADS("every key of the brief's example", "profile: restricted\nmode: enforce\n"
	                                          "allow: [ContainerCreate, \"Container*\"]\n"
	                                          "containers: { privileged: false }\n"
	                                          "exec: { privileged: false }\n"
	                                          "modes: { privileged: warn }"),
};

/* ---- the harness ---------------------------------------------------------------- */

/* HEAD, then the body indented by BODY_COL spaces on every line. */
static char *
make_config(const char *body)
{
	size_t cap = strlen(HEAD) + strlen(body) * 2 + 64, off;
	char *buf = malloc(cap);
	const char *p;

	assert_non_null(buf);
	off = (size_t)snprintf(buf, cap, "%s    ", HEAD);
	for (p = body; *p != '\0'; p++) {
		buf[off++] = *p;
		if (*p == '\n') {
			memcpy(buf + off, "    ", 4);
			off += 4;
		}
	}
	buf[off++] = '\n';
	buf[off] = '\0';
	return buf;
}

static void
join_list(const struct pol_strlist *l, char *out, size_t outsz)
{
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && off < outsz; i++)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s", i ? "|" : "", l->v[i]);
}

static void
join_entries(const struct pol_policy *p, char *out, size_t outsz)
{
	static const char *const kinds[] = { "deny", "allow", "group", "read_only" };
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < p->n_entries && off < outsz; i++)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s %s", i ? "|" : "",
		    kinds[p->entries[i].kind], p->entries[i].text ? p->entries[i].text : "");
}

static void
check_loaded(const struct rule_case *c, const struct pol_policy *p)
{
	const struct pol_rules *r = &p->rules;
	const char *base = (const char *)r;
	char got[1024];
	size_t i, off = 0;
	int64_t num = 0;

	switch (c->chk) {
	case C_LOADS:
		return;
	case C_LIST:
		join_list(
		    (const struct pol_strlist *)(const void *)(base + c->off), got, sizeof(got));
		break;
	case C_SETLIST:
		join_list(&r->set.labels, got, sizeof(got));
		break;
	case C_DFLTSTR:
		snprintf(got, sizeof(got), "%s", r->dflt.user != NULL ? r->dflt.user : "(null)");
		break;
	case C_PORTS:
		got[0] = '\0';
		for (i = 0; i < r->n_ports; i++)
			off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%u-%u",
			    i ? "|" : "", r->ports[i].lo, r->ports[i].hi);
		break;
	case C_ENTRIES:
		join_entries(p, got, sizeof(got));
		break;
	case C_BOOL:
		num = *(const bool *)(const void *)(base + c->off);
		break;
	case C_I64:
		num = *(const int64_t *)(const void *)(base + c->off);
		break;
	case C_CONF:
		num = r->configured[c->rule];
		break;
	case C_MODE:
		num = r->configured[c->rule] ? (int64_t)r->mode[c->rule] : -1;
		break;
	case C_ENABLED:
		num = r->enabled;
		break;
	}
	if (c->chk == C_LIST || c->chk == C_SETLIST || c->chk == C_DFLTSTR || c->chk == C_PORTS ||
	    c->chk == C_ENTRIES) {
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", c->name, got, c->want);
	} else if (num != c->num) {
		fail_msg("%s: got %lld, want %lld", c->name, (long long)num, (long long)c->num);
	}
}

static void
test_load_rules_row(void **state)
{
	const struct rule_case *c = *state;
	char *text = make_config(c->body);
	struct pol_set *ps = NULL;
	struct pol_err err;
	int rc = pol_load_buffer("rules.yaml", text, strlen(text), &ps, &err);

	free(text);
	if (c->err == NULL) {
		if (rc != 0)
			fail_msg("%s: %d:%d: %s", c->name, err.line, err.col, err.msg);
		check_loaded(c, &ps->policies[0]);
		pol_set_unref(ps);
		return;
	}
	if (rc == 0) {
		pol_set_unref(ps);
		fail_msg("%s: loaded, want %d:%d: %s", c->name, c->line, c->col, c->err);
	}
	if (err.line != c->line + BODY_LINE || err.col != c->col + BODY_COL ||
	    strstr(err.msg, c->err) == NULL)
		fail_msg("%s: got %d:%d: %s\n  want %d:%d: %s", c->name, err.line - BODY_LINE,
		    err.col - BODY_COL, err.msg, c->line, c->col, c->err);
}

/* ---- fixtures -------------------------------------------------------------------- */

static struct pol_set *
load_fixture(const char *file)
{
	char path[512];
	struct pol_set *ps = NULL;
	struct pol_err err;

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, file);
	if (pol_load_file(path, &ps, &err) != 0)
		fail_msg("%s:%d:%d: %s", file, err.line, err.col, err.msg);
	return ps;
}

/* The language as the issue proposed it loads, with every value where it belongs. */
static void
test_load_rules_full_fixture(void **state)
{
	struct pol_set *ps = load_fixture("full.yaml");
	const struct pol_policy *p = &ps->policies[pol_set_find_policy(ps, "ci")];
	const struct pol_rules *r = &p->rules;
	char got[512];
	size_t i;

	(void)state;
	assert_true(r->enabled);
	assert_string_equal(r->profile, "restricted");
	for (i = 0; i < POL_RULE__COUNT; i++)
		if (!r->configured[i])
			fail_msg("full.yaml: rule %s is not configured",
			    pol_rule_name((enum pol_rule_id)i));
	join_list(&r->bind_rw, got, sizeof(got));
	assert_string_equal(got, "/srv/ci/**");
	join_list(&r->images, got, sizeof(got));
	assert_string_equal(got, "registry.example.org/**|docker.io/library/alpine:*");
	assert_int_equal(r->max_memory, INT64_C(4) << 30);
	assert_int_equal(r->max_nano_cpus, INT64_C(4000000000));
	assert_int_equal(r->mode[POL_RULE_BIND_MOUNTS], POL_MODE_WARN);
	assert_int_equal(r->mode[POL_RULE_IMAGES], POL_MODE_AUDIT);
	assert_int_equal(r->mode[POL_RULE_PRIVILEGED], POL_MODE_ENFORCE);
	assert_true(r->set.cap_drop_all);
	assert_int_equal(r->set.pids_limit, 512);
	join_list(&r->set.labels, got, sizeof(got));
	assert_string_equal(got, "owner=ci");
	assert_int_equal(r->dflt.memory, INT64_C(1) << 30);
	assert_string_equal(r->dflt.user, "1000:1000");
	assert_int_equal(r->n_ports, 1);
	assert_int_equal(r->ports[0].lo, 8000);
	assert_int_equal(r->ports[0].hi, 8999);
	/* the YAML positions warnings use: the key of a rule or block, a modes key */
	assert_int_equal(p->src.containers.line, 10);
	assert_int_equal(p->src.containers.col, 5);
	assert_int_equal(p->src.rule[POL_RULE_EXEC].line, 39);
	assert_int_equal(p->src.rule[POL_RULE_EXEC].col, 5);
	assert_int_equal(p->src.modes[POL_RULE_IMAGES].line, 49);
	assert_int_equal(p->src.modes[POL_RULE_IMAGES].col, 33);
	pol_set_unref(ps);
}

/* Every file in tests/data/policy/rules loads (the lint tests use them too). */
static void
test_load_rules_fixtures_load(void **state)
{
	static const char *const files[] = { "full.yaml", "eval-rules.yaml", "lint.yaml",
		"lint-clean.yaml" };
	size_t i;

	(void)state;
	for (i = 0; i < nitems(files); i++)
		pol_set_unref(load_fixture(files[i]));
}

/* A policy without any rule key compiles exactly as before: no rules, no inspection. */
static void
test_load_rules_none_by_default(void **state)
{
	static const char text[] = HEAD "    allow: [\"*\"]\n";
	struct pol_set *ps = NULL;
	struct pol_err err;
	size_t i;

	(void)state;
	assert_int_equal(pol_load_buffer("x.yaml", text, strlen(text), &ps, &err), 0);
	assert_false(ps->policies[0].rules.enabled);
	for (i = 0; i < POL_RULE__COUNT; i++)
		assert_false(ps->policies[0].rules.configured[i]);
	assert_string_equal(ps->policies[0].rules.profile, "");
	assert_string_equal(ps->file, "x.yaml");
	pol_set_unref(ps);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(cases) + 3];
	size_t i, n = 0;

	for (i = 0; i < nitems(cases); i++)
		tests[n++] = (struct CMUnitTest){ cases[i].name, test_load_rules_row, NULL, NULL,
			&cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_rules_full_fixture);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_rules_fixtures_load);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_load_rules_none_by_default);
	return _cmocka_run_group_tests("load_rules", tests, n, NULL, NULL);
}
