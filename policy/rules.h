/*
 * Body rules: what a policy allows inside the requests it lets through.
 * Private to policy/.  The loader (load_rules.c) fills struct pol_rules from
 * the policy's YAML and its profile; the inspectors (insp_*.c) check the
 * facts they extract against it; inspect.c runs them and collects findings.
 *
 * Every rule has a stable name (the YAML key and the name in messages and
 * audit lines) and a mode.  A rule that is not configured does not apply.
 *
 * Each row is X(id, name, always): "always" is 1 for a rule whose findings
 * deny whatever the policy's modes say, because what it finds cannot be
 * checked by anything later (legacy: a HostConfig the daemon applies
 * without the create checks).  pol_finding_add() applies it; the loader
 * refuses any other mode for such a rule.
 */
#ifndef SW_POLICY_RULES_H
#define SW_POLICY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POL_RULES(X)                                                                              \
	X(PRIVILEGED, "privileged", 0)       /* HostConfig.Privileged */                          \
	X(BIND_MOUNTS, "bind_mounts", 0)     /* host paths: Binds, Mounts type bind */            \
	X(VOLUMES, "volumes", 0)             /* named/anonymous volumes, drivers, options */      \
	X(VOLUMES_FROM, "volumes_from", 0)   /* HostConfig.VolumesFrom */                         \
	X(DEVICES, "devices", 0)             /* Devices, DeviceRequests, DeviceCgroupRules */     \
	X(CAPABILITIES, "capabilities", 0)   /* CapAdd (normalised), CapDrop, Capabilities */     \
	X(SECURITY_OPT, "security_opt", 0)   /* seccomp/apparmor unconfined, label, ... */        \
	X(SYSTEM_PATHS, "system_paths", 0)   /* MaskedPaths/ReadonlyPaths cleared */              \
	X(NAMESPACES, "namespaces", 0)       /* host and container: namespace modes */            \
	X(SYSCTLS, "sysctls", 0)             /* HostConfig.Sysctls keys */                        \
	X(RUNTIMES, "runtimes", 0)           /* HostConfig.Runtime */                             \
	X(CGROUP_PARENT, "cgroup_parent", 0) /* HostConfig.CgroupParent */                        \
	X(ULIMITS, "ulimits", 0)             /* HostConfig.Ulimits names */                       \
	X(OOM_KILL_DISABLE, "oom_kill_disable", 0)   /* HostConfig.OomKillDisable */              \
	X(RESOURCES, "resources", 0)                 /* required and maximum limits */            \
	X(READ_ONLY_ROOTFS, "read_only_rootfs", 0)   /* HostConfig.ReadonlyRootfs required */     \
	X(PORTS, "ports", 0)                         /* PortBindings host ports and IPs */        \
	X(USER, "user", 0)                           /* Config.User must not be root */           \
	X(NO_NEW_PRIVILEGES, "no_new_privileges", 0) /* SecurityOpt no-new-privileges required */ \
	X(IMAGES, "images", 0)                       /* image references (create, pull) */        \
	X(LABELS, "labels", 0)                       /* required label keys */                    \
	X(LOG_DRIVERS, "log_drivers", 0)             /* HostConfig.LogConfig.Type */              \
	X(EXEC, "exec", 0)                           /* ExecCreate: privileged, user, commands */ \
	X(VOLUME_CREATE, "volume_create", 0)         /* VolumeCreate drivers and options */       \
	X(NETWORK_CREATE, "network_create", 0)       /* NetworkCreate drivers and parents */      \
	X(SERVICES, "services", 0)                   /* ServiceCreate/Update task specs */        \
	X(PLUGINS, "plugins", 0)                     /* plugin privileges */                      \
	X(BUILD, "build", 0)                         /* ImageBuild query options */               \
	X(IMAGE_CREATE, "image_create", 0)           /* ImageCreate fromSrc and registries */     \
	X(SWARM, "swarm", 0)                         /* SwarmInit/SwarmJoin */                    \
	X(ARCHIVE, "archive", 0)                     /* PutContainerArchive */                    \
	X(LEGACY, "legacy", 1)                       /* legacy HostConfig forms, always refused */

enum pol_rule_id {
#define POL_RULE_ENUM(id, name, always) POL_RULE_##id,
	POL_RULES(POL_RULE_ENUM)
#undef POL_RULE_ENUM
	    POL_RULE__COUNT
};

const char *pol_rule_name(enum pol_rule_id r);
int pol_rule_find(const char *name); /* -1 when unknown */
bool pol_rule_always_enforced(enum pol_rule_id r);

/* What a finding does.  Zero is the strict value. */
enum pol_mode {
	POL_MODE_ENFORCE = 0, /* deny the request */
	POL_MODE_WARN,        /* allow, audit, and tell the client (create Warnings) */
	POL_MODE_AUDIT,       /* allow and audit */
};

struct pol_strlist {
	char **v;
	size_t n;
};

struct pol_port_range {
	uint16_t lo, hi;
};

/*
 * Values injected into a ContainerCreate body before it is inspected and
 * forwarded.  "set" overwrites what the client sent; "default" fills only
 * what the client left empty.
 */
struct pol_mutations {
	bool cap_drop_all;      /* HostConfig.CapDrop gets "ALL" */
	bool no_new_privileges; /* HostConfig.SecurityOpt gets "no-new-privileges" */
	bool read_only_rootfs;  /* HostConfig.ReadonlyRootfs = true */
	bool has_pids_limit;
	int64_t pids_limit; /* HostConfig.PidsLimit */
	bool has_memory;
	int64_t memory;            /* HostConfig.Memory, bytes */
	char *user;                /* Config.User; NULL: untouched */
	struct pol_strlist labels; /* "key=value" pairs for Config.Labels */
};

/*
 * One policy's body rules.  Globs: '*' matches within one path component (or
 * one name segment), '**' any depth, '?' one character; host paths are
 * matched component-wise after path.Clean.
 */
struct pol_rules {
	bool enabled;                     /* any rule configured, or a profile set */
	char profile[32];                 /* "", baseline, restricted, cis, traefik, ... */
	enum pol_mode default_mode;       /* the policy's "mode:" */
	bool configured[POL_RULE__COUNT]; /* the rule applies */
	enum pol_mode mode[POL_RULE__COUNT];

	/* privileged: true allows it (configured + false = refuse Privileged) */
	bool allow_privileged;
	/* bind_mounts: host paths a container may mount read-write / read-only */
	struct pol_strlist bind_rw;
	struct pol_strlist bind_ro;
	bool allow_bind_propagation; /* shared/slave propagation on allowed binds */
	/* volumes: named volumes allowed at all, drivers allowed (default: local) */
	bool allow_named_volumes;
	struct pol_strlist volume_drivers;
	bool allow_volume_driver_opts; /* local driver type/o/device options (bind, device) */
	/* volumes_from */
	bool allow_volumes_from;
	/* devices: host device path globs; requests (GPUs, CDI); cgroup rules */
	struct pol_strlist devices;
	bool allow_device_requests;
	bool allow_device_cgroup_rules;
	/* capabilities: capabilities that may be added (normalised "NET_BIND_SERVICE") */
	struct pol_strlist cap_add;
	bool require_drop_all; /* CapDrop must contain ALL */
	/* security_opt: unconfined seccomp/apparmor, label disable/type, writable cgroups */
	bool allow_unconfined;
	/* system_paths: MaskedPaths / ReadonlyPaths set to [] */
	bool allow_system_paths;
	/* namespaces: which of network, pid, ipc, uts, userns, cgroupns may be "host" */
	struct pol_strlist host_namespaces;
	bool allow_container_namespaces; /* "container:<ref>" joins */
	/* sysctls: allowed key globs */
	struct pol_strlist sysctls;
	/* runtimes: allowed runtime names ("" = the daemon default) */
	struct pol_strlist runtimes;
	/* cgroup_parent */
	bool allow_cgroup_parent;
	/* ulimits: allowed ulimit names */
	struct pol_strlist ulimits;
	/* oom_kill_disable */
	bool allow_oom_kill_disable;
	/* resources: required limits and maxima (0 = no maximum) */
	bool require_memory;
	bool require_pids_limit;
	bool require_cpu;
	int64_t max_memory;
	int64_t max_pids_limit;
	int64_t max_nano_cpus;
	/* read_only_rootfs: required */
	bool require_read_only_rootfs;
	/* ports: allowed host port ranges and host IPs ("" = all interfaces) */
	struct pol_port_range *ports;
	size_t n_ports;
	struct pol_strlist port_host_ips;
	bool allow_publish_all;
	/* user: Config.User must name a non-root user */
	bool require_non_root;
	/* no_new_privileges: required */
	bool require_no_new_privileges;
	/* images: allowed references, normalised (docker.io/library/alpine:latest) */
	struct pol_strlist images;
	/* labels: keys that must be present */
	struct pol_strlist require_labels;
	/* log_drivers: allowed LogConfig.Type values ("" = the daemon default) */
	struct pol_strlist log_drivers;
	/* exec */
	bool exec_allow_privileged;
	bool exec_require_non_root;
	struct pol_strlist exec_commands; /* globs over the command line joined by spaces */
	/* volume_create */
	struct pol_strlist volume_create_drivers;
	bool volume_create_allow_host_opts;
	/* network_create */
	struct pol_strlist network_drivers;
	struct pol_strlist network_parents; /* macvlan/ipvlan parent interfaces */
	/* plugins: privileges a plugin may be granted ("network", "mount", ...) */
	struct pol_strlist plugin_privileges;
	/* build */
	bool build_allow_host_network;
	bool build_allow_extra_hosts;
	bool build_allow_remote; /* remote= (the daemon fetches a URL) */
	/* image_create: fromSrc URL imports */
	bool image_create_allow_from_src;
	/* swarm */
	bool allow_swarm_init;
	bool allow_swarm_join;
	/* archive: compressed uploads (CVE-2026-41567) */
	bool archive_allow_compressed;

	struct pol_mutations set;
	struct pol_mutations dflt;
};

void pol_rules_free(struct pol_rules *r);
void pol_strlist_free(struct pol_strlist *l);

#endif
