/*
 * The built-in profiles (see profiles.h and docs/profiles.md).
 *
 * Hardening levels:
 *   baseline    Kubernetes Pod Security Standards "baseline" mapped onto
 *               Docker's fields: no privileged, no host paths (hostPath),
 *               no host namespaces and no container: joins, no added
 *               capabilities beyond the PSS list, nothing unconfined, system
 *               paths kept masked, only the PSS safe sysctls, no devices,
 *               no published host ports (hostPort), no cgroup parent, no
 *               volumes_from (it inherits another container's host paths);
 *               plus the same walls on every other way to the same power:
 *               exec, volume and network creation, services, plugins,
 *               builds, image imports, swarm, archive uploads, legacy forms.
 *   restricted  baseline, plus non-root user, no_new_privileges, all
 *               capabilities dropped with only NET_BIND_SERVICE added back,
 *               exec as non-root.
 *   cis         CIS Docker Benchmark v1.6.0 section 5, the checks a proxy
 *               can enforce when a container is created.
 * Application profiles: the endpoints each application calls (read from its
 * source) and, for those that create containers, rules that keep them from
 * creating more than they need.
 *
 * A profile fills a policy first; every key the policy writes replaces the
 * profile's value for that key (the allow, deny and groups entries are added
 * to the profile's).
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "profiles.h"

struct profile {
	const char *name;
	const char *summary;
	const char *text;
};

/*
 * Two lists of the Pod Security Standards "baseline" that several profiles
 * share, as lines under "containers:": the capabilities a container may add,
 * and the "safe" sysctls it may set.
 */
#define PSS_BASELINE_CAPS                                                            \
	"  capabilities:\n"                                                          \
	"    add: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,\n" \
	"          NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]\n"
#define PSS_SAFE_SYSCTLS                                                              \
	"  sysctls:\n"                                                                \
	"    allow: [kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,\n"         \
	"            net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies,\n" \
	"            net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports,\n"  \
	"            net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout,\n"        \
	"            net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes,\n"  \
	"            net.ipv4.tcp_rmem, net.ipv4.tcp_wmem]\n"

/* One line per line of YAML: clang-format would pack the lines around a macro together. */
/* clang-format off */
static const char baseline_text[] =
    "containers:\n"
    "  privileged: false\n"
    "  bind_mounts: false\n"
    "  volumes: { named: true, drivers: [local], driver_opts: false }\n"
    "  volumes_from: false\n"
    "  devices: false\n"
    PSS_BASELINE_CAPS
    "  security_opt: { unconfined: false }\n"
    "  system_paths: false\n"
    "  namespaces: { host: [], container_joins: false }\n"
    PSS_SAFE_SYSCTLS
    "  cgroup_parent: false\n"
    "  ports: { host_ports: [], publish_all: false }\n"
    "exec: { privileged: false }\n"
    "volume_create: { drivers: [local], host_options: false }\n"
    "network_create: { drivers: [bridge, overlay], parents: [] }\n"
    "services: {}\n"
    "plugins: { privileges: [] }\n"
    "build: { host_network: false, extra_hosts: true, remote: false }\n"
    "image_create: { from_src: false }\n"
    "swarm: { init: false, join: false }\n"
    "archive: { compressed: false }\n"
    "legacy: false\n";

static const char restricted_text[] =
    "containers:\n"
    "  privileged: false\n"
    "  bind_mounts: false\n"
    "  volumes: { named: true, drivers: [local], driver_opts: false }\n"
    "  volumes_from: false\n"
    "  devices: false\n"
    "  capabilities: { add: [NET_BIND_SERVICE], require_drop_all: true }\n"
    "  security_opt: { unconfined: false }\n"
    "  system_paths: false\n"
    "  namespaces: { host: [], container_joins: false }\n"
    PSS_SAFE_SYSCTLS
    "  cgroup_parent: false\n"
    "  ports: { host_ports: [], publish_all: false }\n"
    "  user: { non_root: true }\n"
    "  no_new_privileges: true\n"
    "exec: { privileged: false, non_root: true }\n"
    "volume_create: { drivers: [local], host_options: false }\n"
    "network_create: { drivers: [bridge, overlay], parents: [] }\n"
    "services: {}\n"
    "plugins: { privileges: [] }\n"
    "build: { host_network: false, extra_hosts: true, remote: false }\n"
    "image_create: { from_src: false }\n"
    "swarm: { init: false, join: false }\n"
    "archive: { compressed: false }\n"
    "legacy: false\n";

static const char cis_text[] =
    "containers:\n"
    "  privileged: false                                  # 5.5\n"
    "  bind_mounts:                                       # 5.6, 5.20, 5.32\n"
    "    rw: [\"/srv/**\", \"/opt/**\", \"/home/**\", \"/mnt/**\", \"/media/**\",\n"
    "         \"/tmp/**\"]\n"
    "    propagation: false\n"
    "  volumes: { named: true, drivers: [local], driver_opts: false }  # 5.6\n"
    "  volumes_from: false                                # 5.6\n"
    "  devices: false                                     # 5.18\n"
    "  capabilities:                                      # 5.4\n"
    "    add: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,\n"
    "          NET_BIND_SERVICE, NET_RAW, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]\n"
    "  security_opt: { unconfined: false }                # 5.2, 5.3, 5.22\n"
    "  namespaces: { host: [], container_joins: false }   # 5.10, 5.16, 5.17, 5.21, 5.31\n"
    "  cgroup_parent: false                               # 5.25\n"
    "  ulimits: { allow: [nofile, nproc] }                # 5.19\n"
    "  resources: { require: [memory, cpu, pids_limit] }  # 5.11, 5.12, 5.29\n"
    "  read_only_rootfs: true                             # 5.13\n"
    "  ports:                                             # 5.8, 5.9, 5.14\n"
    "    host_ports: [\"1024-65535\"]\n"
    "    host_ips: [127.0.0.1, \"::1\"]\n"
    "    publish_all: false\n"
    "  no_new_privileges: true                            # 5.26\n"
    "exec: { privileged: false, non_root: true }          # 5.23, 5.24\n"
    "volume_create: { drivers: [local], host_options: false }  # 5.6\n"
    "services: {}                                         # every check, for service tasks\n"
    "swarm: { init: false, join: false }                  # 5.1\n"
    "legacy: false                                        # every check, on old daemons\n";

static const char traefik_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, SystemEvents, ContainerList,\n"
    "        ContainerInspect]\n";

static const char traefik_swarm_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, ServiceList, TaskList, NetworkList,\n"
    "        NodeInspect]\n";

static const char homepage_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, ContainerList, ContainerInspect,\n"
    "        ContainerStats]\n";

static const char dozzle_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, SystemInfo, SystemEvents,\n"
    "        ContainerList, ContainerInspect, ContainerLogs, ContainerStats]\n";

static const char diun_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, ContainerList, ImageInspect]\n";

static const char watchtower_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, ContainerList,\n"
    "        ContainerInspect, ImageInspect, ImageCreate, ImageDelete, ContainerCreate,\n"
    "        ContainerStart, ContainerKill, ContainerDelete, ContainerRename,\n"
    "        NetworkConnect, NetworkDisconnect]\n"
    "containers:\n"
    "  privileged: false\n"
    "  bind_mounts: false\n"
    "  volumes: { named: true, drivers: [local], driver_opts: false }\n"
    "  volumes_from: false\n"
    "  devices: false\n"
    PSS_BASELINE_CAPS
    "  security_opt: { unconfined: false }\n"
    "  system_paths: false\n"
    "  namespaces: { host: [], container_joins: false }\n"
    PSS_SAFE_SYSCTLS
    "  cgroup_parent: false\n"
    "  ports: { host_ports: [\"1-65535\"], host_ips: [\"*\"], publish_all: true }\n"
    "exec: { privileged: false }\n"
    "image_create: { from_src: false }\n"
    "legacy: false\n";

static const char portainer_text[] =
    "mode: warn\n"
    "allow: [\"*\"]\n"
    "deny: [\"Debug*\", \"Checkpoint*\", Grpc, PluginCreate, PluginSet]\n"
    "containers:\n"
    "  privileged: false\n"
    "  bind_mounts: false\n"
    "  volumes: { named: true, drivers: [local], driver_opts: false }\n"
    "  volumes_from: false\n"
    "  devices: false\n"
    PSS_BASELINE_CAPS
    "  security_opt: { unconfined: false }\n"
    "  system_paths: false\n"
    "  namespaces: { host: [], container_joins: false }\n"
    PSS_SAFE_SYSCTLS
    "  cgroup_parent: false\n"
    "exec: { privileged: false }\n"
    "volume_create: { drivers: [local], host_options: false }\n"
    "network_create: { drivers: [bridge, overlay], parents: [] }\n"
    "services: {}\n"
    "plugins: { privileges: [] }\n"
    "build: { host_network: false, extra_hosts: true, remote: false }\n"
    "image_create: { from_src: false }\n"
    "swarm: { init: false, join: false }\n"
    "archive: { compressed: false }\n"
    "legacy: false\n";

static const char ci_runner_text[] =
    "allow: [SystemPing, SystemPingHead, SystemVersion, SystemInfo, SystemEvents,\n"
    "        ContainerList, ContainerInspect, ContainerCreate, ContainerStart,\n"
    "        ContainerWait, ContainerAttach, ContainerLogs, ContainerResize,\n"
    "        ContainerKill, ContainerStop, ContainerDelete, ContainerArchive,\n"
    "        ContainerArchiveInfo, PutContainerArchive,\n"
    "        ContainerExec, ExecStart, ExecInspect, ExecResize,\n"
    "        ImageList, ImageInspect, ImageCreate, ImageTag, ImagePush, ImageDelete,\n"
    "        ImageBuild, Session, BuildPrune,\n"
    "        VolumeList, VolumeInspect, VolumeCreate, VolumeDelete,\n"
    "        NetworkList, NetworkInspect, NetworkCreate, NetworkConnect,\n"
    "        NetworkDisconnect, NetworkDelete]\n"
    "containers:\n"
    "  privileged: false\n"
    "  bind_mounts: false\n"
    "  volumes: { named: true, drivers: [local], driver_opts: false }\n"
    "  volumes_from: false\n"
    "  devices: false\n"
    "  capabilities: { add: [] }\n"
    "  security_opt: { unconfined: false }\n"
    "  system_paths: false\n"
    "  namespaces: { host: [], container_joins: false }\n"
    PSS_SAFE_SYSCTLS
    "  cgroup_parent: false\n"
    "  oom_kill_disable: false\n"
    "  ulimits: { allow: [nofile, nproc, core] }\n"
    "  resources: { require: [pids_limit] }\n"
    "  ports: { host_ports: [], publish_all: false }\n"
    "  no_new_privileges: true\n"
    "  set: { no_new_privileges: true }\n"
    "  default: { pids_limit: 4096 }\n"
    "exec: { privileged: false }\n"
    "volume_create: { drivers: [local], host_options: false }\n"
    "network_create: { drivers: [bridge], parents: [] }\n"
    "build: { host_network: false, extra_hosts: true, remote: false }\n"
    "image_create: { from_src: false }\n"
    "archive: { compressed: false }\n"
    "legacy: false\n";

/* clang-format on */

static const struct profile profiles[] = {
	{ "baseline", "Kubernetes Pod Security Standards baseline, mapped to Docker",
	    baseline_text },
	{ "restricted", "Kubernetes Pod Security Standards restricted, mapped to Docker",
	    restricted_text },
	{ "cis", "CIS Docker Benchmark v1.6.0 section 5, the checks a proxy can enforce",
	    cis_text },
	{ "traefik", "Traefik's docker provider: read containers, follow events", traefik_text },
	{ "traefik-swarm", "Traefik's swarm provider: read services, their tasks and networks",
	    traefik_swarm_text },
	{ "homepage", "Homepage's docker widgets: container state, health and one stats sample",
	    homepage_text },
	{ "dozzle", "Dozzle, the log viewer: containers, their logs and stats, events",
	    dozzle_text },
	{ "diun", "Diun's docker provider: running containers and their images", diun_text },
	{ "watchtower", "Watchtower: pull images and recreate containers, under baseline rules",
	    watchtower_text },
	{ "portainer", "Portainer, an admin UI: nearly everything, baseline rules in warn mode",
	    portainer_text },
	{ "ci-runner",
	    "A CI runner's docker executor: build, pull, run jobs, under restricted-like rules",
	    ci_runner_text },
};

size_t
pol_profile_count(void)
{
	return nitems(profiles);
}

const char *
pol_profile_name(int profile)
{
	if (profile < 0 || (size_t)profile >= nitems(profiles))
		return NULL;
	return profiles[profile].name;
}

const char *
pol_profile_text(int profile)
{
	if (profile < 0 || (size_t)profile >= nitems(profiles))
		return NULL;
	return profiles[profile].text;
}

const char *
pol_profile_summary(int profile)
{
	if (profile < 0 || (size_t)profile >= nitems(profiles))
		return NULL;
	return profiles[profile].summary;
}

int
pol_profile_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(profiles); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return (int)i;
	return -1;
}
