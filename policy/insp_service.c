/*
 * ServiceCreate (POST /services/create) and ServiceUpdate (POST
 * /services/{id}/update?version=&rollback=): the body is the daemon's
 * serviceWithLegacy, read with ReadJSON.  Every task of the service becomes
 * a container on some node, through the same create path as
 * ContainerCreate, so the container rules apply with the same names where
 * the meaning is the same:
 *
 *   ContainerSpec.Image                      images
 *   ContainerSpec.User                       user (require_non_root)
 *   ContainerSpec.Mounts[] bind              bind_mounts (Type "" is bind)
 *   ContainerSpec.Mounts[] volume driver     volumes (drivers, driver options)
 *   ContainerSpec.Privileges                 security_opt (Seccomp unconfined or
 *                                            custom, AppArmor disabled, SELinux
 *                                            Disable or any label), no_new_privileges
 *   ContainerSpec.CapabilityAdd / Drop       capabilities
 *   ContainerSpec.Sysctls                    sysctls
 *   ContainerSpec.Ulimits                    ulimits
 *   ContainerSpec.ReadOnly                   read_only_rootfs
 *   ContainerSpec.Labels                     labels (required keys)
 *   TaskTemplate.Networks[].Target "host"    namespaces (network), also the legacy
 *                                            top-level Networks
 *   TaskTemplate.Resources.Limits            resources
 *   TaskTemplate.LogDriver.Name              log_drivers
 *   EndpointSpec.Ports[].PublishedPort       ports (ingress and host mode both bind
 *                                            on every interface)
 *   TaskTemplate.PluginSpec.privileges       plugins
 *
 * The services rule is the safety net: when it is on, each of the
 * isolation-breaking facts above (host binds, volume driver options,
 * unconfined profiles, added capabilities, the host network, plugin
 * runtimes) is refused under "services" unless its own container rule is on
 * and allows it.  It also refuses ServiceUpdate's rollback=previous, which
 * restores a spec this request does not carry.
 *
 * Normalised as the daemon does for swarm: mount Type and Propagation are
 * upper-cased (strings.ToUpper) before lookup, so "BIND" and "bınd" are
 * bind mounts and an empty Type is a bind mount; capabilities like CapAdd.
 * Network Targets: the daemon resolves a Target as a full ID, then a name,
 * then an ID prefix, and the docker CLI sends IDs (its --network host
 * becomes the host network's swarm ID).  Only the daemon can tell which
 * network an ID names, so unless the host network is allowed, a Target that
 * could be an ID or ID prefix (only a-z and 0-9) is refused along with
 * "host" itself; names holding '-', '_', '.' or upper case pass (stack
 * deploy's "<stack>_<net>" names do).  Not covered: Secrets/Configs
 * references.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "query.h"

#define PATH_BUF 4096

/* Swarm object IDs are base 36; the daemon resolves a Target as ID, name, then ID prefix. */
#define SWARM_ID_CHARS "0123456789abcdefghijklmnopqrstuvwxyz"

static const char *
str_or_empty(const cJSON *obj, const char *name)
{
	const char *s = obj != NULL ? pol_json_string(obj, name) : NULL;

	return s != NULL ? s : "";
}

/* ---- mounts ----------------------------------------------------------------------- */

static void
check_bind(struct pol_insp_ctx *ctx, const cJSON *m, const char *field)
{
	const struct pol_rules *r = ctx->rules;
	const char *src = str_or_empty(m, "Source");
	const cJSON *bo = pol_json_get(m, "BindOptions");
	bool ro = pol_json_bool(m, "ReadOnly", false);
	char clean[PATH_BUF], prop[32], f[96];

	snprintf(f, sizeof(f), "%s.Source", field);
	if (!(pol_rule_on(ctx, POL_RULE_BIND_MOUNTS) && src[0] == '/' &&
	        pol_path_clean(src, clean, sizeof(clean)) != NULL &&
	        pol_chk_bind_allowed(r, clean, ro)))
		pol_chk_deny(ctx, POL_RULE_BIND_MOUNTS, POL_RULE_SERVICES, f, src,
		    ro ? "mounts a host path outside the allowed paths" :
		         "mounts a host path read-write outside the allowed paths");
	pol_chk_go_upper(str_or_empty(bo, "Propagation"), prop, sizeof(prop));
	if (strcmp(prop, "SHARED") != 0 && strcmp(prop, "RSHARED") != 0 &&
	    strcmp(prop, "SLAVE") != 0 && strcmp(prop, "RSLAVE") != 0)
		return;
	if (pol_rule_on(ctx, POL_RULE_BIND_MOUNTS) && r->allow_bind_propagation)
		return;
	snprintf(f, sizeof(f), "%s.BindOptions.Propagation", field);
	pol_chk_deny(ctx, POL_RULE_BIND_MOUNTS, POL_RULE_SERVICES, f,
	    str_or_empty(bo, "Propagation"),
	    "shares mount events between the host and the container");
}

static void
check_volume(struct pol_insp_ctx *ctx, const cJSON *m, const char *field)
{
	const struct pol_rules *r = ctx->rules;
	const cJSON *vo = pol_json_get(m, "VolumeOptions");
	const cJSON *dc = vo != NULL ? pol_json_get(vo, "DriverConfig") : NULL;
	const char *driver = str_or_empty(dc, "Name");
	bool on = pol_rule_on(ctx, POL_RULE_VOLUMES);
	struct pol_volopts v;
	char clean[PATH_BUF], f[96];

	if (driver[0] == '\0')
		driver = "local";
	snprintf(f, sizeof(f), "%s.VolumeOptions.DriverConfig", field);
	if (strcmp(driver, "local") != 0) {
		if (!(on && pol_volume_driver_allowed(&r->volume_drivers, driver)))
			pol_chk_deny(ctx, POL_RULE_VOLUMES, POL_RULE_SERVICES, f, driver,
			    "creates a volume with a driver the policy does not allow");
		return;
	}
	pol_chk_local_volume_opts(dc != NULL ? pol_json_get(dc, "Options") : NULL, &v);
	if (v.kind == POL_VOLOPTS_NONE || v.kind == POL_VOLOPTS_TMPFS)
		return;
	if (on && r->allow_volume_driver_opts && v.kind != POL_VOLOPTS_BAD)
		return;
	if (v.kind == POL_VOLOPTS_BIND && pol_rule_on(ctx, POL_RULE_BIND_MOUNTS) &&
	    v.device[0] == '/' && pol_path_clean(v.device, clean, sizeof(clean)) != NULL &&
	    pol_chk_bind_allowed(r, clean, v.read_only || pol_json_bool(m, "ReadOnly", false)))
		return;
	pol_chk_deny(ctx, POL_RULE_VOLUMES, POL_RULE_SERVICES, f,
	    v.device[0] != '\0' ? v.device : v.type, pol_chk_volopts_what(&v));
}

static int
check_mounts(struct pol_insp_ctx *ctx, const cJSON *mounts)
{
	const cJSON *m;
	char type[32], field[64];
	int i = 0;

	cJSON_ArrayForEach (m, mounts) {
		snprintf(field, sizeof(field), "ContainerSpec.Mounts[%d]", i++);
		if (!cJSON_IsObject(m))
			continue;
		pol_chk_go_upper(str_or_empty(m, "Type"), type, sizeof(type));
		if (type[0] == '\0' || strcmp(type, "BIND") == 0)
			check_bind(ctx, m, field);
		else if (strcmp(type, "VOLUME") == 0)
			check_volume(ctx, m, field);
		else if (strcmp(type, "TMPFS") != 0 && strcmp(type, "NPIPE") != 0 &&
		         strcmp(type, "CLUSTER") != 0)
			return pol_chk_malformed(ctx, "%s.Type: invalid MountType \"%s\"", field,
			    str_or_empty(m, "Type"));
	}
	return 0;
}

/* ---- privileges, capabilities, kernel settings --------------------------------------- */

static void
check_privileges(struct pol_insp_ctx *ctx, const cJSON *p)
{
	const cJSON *sc, *aa, *se;
	bool ok = pol_rule_on(ctx, POL_RULE_SECURITY_OPT) && ctx->rules->allow_unconfined;
	const char *mode;

	if (p == NULL || !cJSON_IsObject(p)) {
		if (pol_rule_on(ctx, POL_RULE_NO_NEW_PRIVILEGES) &&
		    ctx->rules->require_no_new_privileges)
			pol_finding_add(ctx, POL_RULE_NO_NEW_PRIVILEGES,
			    "ContainerSpec.Privileges.NoNewPrivileges", "",
			    "is not set; the policy requires no-new-privileges");
		return;
	}
	sc = pol_json_get(p, "Seccomp");
	mode = str_or_empty(sc, "Mode");
	if (!ok && (strcmp(mode, "unconfined") == 0 || strcmp(mode, "custom") == 0))
		pol_chk_deny(ctx, POL_RULE_SECURITY_OPT, POL_RULE_SERVICES,
		    "ContainerSpec.Privileges.Seccomp.Mode", mode,
		    strcmp(mode, "custom") == 0 ? "replaces the seccomp profile" :
		                                  "turns seccomp off");
	aa = pol_json_get(p, "AppArmor");
	if (!ok && strcmp(str_or_empty(aa, "Mode"), "disabled") == 0)
		pol_chk_deny(ctx, POL_RULE_SECURITY_OPT, POL_RULE_SERVICES,
		    "ContainerSpec.Privileges.AppArmor.Mode", "disabled", "turns AppArmor off");
	se = pol_json_get(p, "SELinuxContext");
	if (!ok && se != NULL && cJSON_IsObject(se)) {
		if (pol_json_bool(se, "Disable", false))
			pol_chk_deny(ctx, POL_RULE_SECURITY_OPT, POL_RULE_SERVICES,
			    "ContainerSpec.Privileges.SELinuxContext", "Disable",
			    "turns SELinux labelling off");
		else if (str_or_empty(se, "Type")[0] != '\0' ||
		         str_or_empty(se, "User")[0] != '\0' ||
		         str_or_empty(se, "Role")[0] != '\0' ||
		         str_or_empty(se, "Level")[0] != '\0')
			pol_chk_deny(ctx, POL_RULE_SECURITY_OPT, POL_RULE_SERVICES,
			    "ContainerSpec.Privileges.SELinuxContext", str_or_empty(se, "Type"),
			    "sets its own SELinux label");
	}
	if (pol_rule_on(ctx, POL_RULE_NO_NEW_PRIVILEGES) && ctx->rules->require_no_new_privileges &&
	    !pol_json_bool(p, "NoNewPrivileges", false))
		pol_finding_add(ctx, POL_RULE_NO_NEW_PRIVILEGES,
		    "ContainerSpec.Privileges.NoNewPrivileges", "false",
		    "is not set; the policy requires no-new-privileges");
}

static void
check_caps(struct pol_insp_ctx *ctx, const cJSON *cs)
{
	const cJSON *add = pol_json_get(cs, "CapabilityAdd"), *drop, *it;
	bool on = pol_rule_on(ctx, POL_RULE_CAPABILITIES), drop_all = false;
	char cap[64], field[64];
	int i = 0;

	cJSON_ArrayForEach (it, add) {
		snprintf(field, sizeof(field), "ContainerSpec.CapabilityAdd[%d]", i++);
		if (!cJSON_IsString(it))
			continue;
		if (pol_chk_cap_normalise(it->valuestring, cap, sizeof(cap)) == -1)
			pol_chk_deny(ctx, POL_RULE_CAPABILITIES, POL_RULE_SERVICES, field,
			    it->valuestring, "is not a capability name");
		else if (!(on && pol_chk_cap_allowed(ctx->rules, cap)))
			pol_chk_deny(ctx, POL_RULE_CAPABILITIES, POL_RULE_SERVICES, field,
			    it->valuestring,
			    strcmp(cap, "ALL") == 0 ?
			        "adds every capability" :
			        "adds a capability the policy does not allow");
	}
	if (!on || !ctx->rules->require_drop_all)
		return;
	drop = pol_json_get(cs, "CapabilityDrop");
	cJSON_ArrayForEach (it, drop) {
		if (cJSON_IsString(it) && pol_chk_cap_is_all(it->valuestring))
			drop_all = true;
	}
	if (!drop_all)
		pol_finding_add(ctx, POL_RULE_CAPABILITIES, "ContainerSpec.CapabilityDrop", "",
		    "does not drop ALL capabilities; the policy requires it");
}

static void
check_name_list(struct pol_insp_ctx *ctx, enum pol_rule_id rule, const cJSON *arr,
    const char *field, const char *name_key, const struct pol_strlist *allowed, const char *what)
{
	const cJSON *it;
	const char *name;
	char f[96];
	int i = 0;

	if (!pol_rule_on(ctx, rule))
		return;
	cJSON_ArrayForEach (it, arr) {
		snprintf(f, sizeof(f), "%s[%d]", field, i++);
		if (name_key != NULL && !cJSON_IsObject(it))
			continue;
		name = name_key != NULL ? str_or_empty(it, name_key) : it->string;
		if (name != NULL && !pol_strlist_match(allowed, name))
			pol_finding_add(ctx, rule, f, name, "%s", what);
	}
}

/* ---- container spec as a whole ----------------------------------------------------------- */

static void
check_user(struct pol_insp_ctx *ctx, const char *user)
{
	if (!pol_rule_on(ctx, POL_RULE_USER) || !ctx->rules->require_non_root)
		return;
	if (pol_chk_user(user) == POL_USER_ROOT)
		pol_finding_add(
		    ctx, POL_RULE_USER, "ContainerSpec.User", user, "runs the service as root");
	else if (pol_chk_user(user) == POL_USER_DEFAULT)
		pol_finding_add(ctx, POL_RULE_USER, "ContainerSpec.User", user,
		    "leaves the user to the image, which may be root; name a non-root user");
}

static int
check_container_spec(struct pol_insp_ctx *ctx, const cJSON *cs)
{
	const struct pol_rules *r = ctx->rules;

	pol_chk_image(ctx, "ContainerSpec.Image", str_or_empty(cs, "Image"), false);
	check_user(ctx, str_or_empty(cs, "User"));
	check_privileges(ctx, pol_json_get(cs, "Privileges"));
	check_caps(ctx, cs);
	check_name_list(ctx, POL_RULE_SYSCTLS, pol_json_get(cs, "Sysctls"), "ContainerSpec.Sysctls",
	    NULL, &r->sysctls, "is a sysctl the policy does not allow");
	check_name_list(ctx, POL_RULE_ULIMITS, pol_json_get(cs, "Ulimits"), "ContainerSpec.Ulimits",
	    "Name", &r->ulimits, "is a ulimit the policy does not allow");
	if (pol_rule_on(ctx, POL_RULE_READ_ONLY_ROOTFS) && r->require_read_only_rootfs &&
	    !pol_json_bool(cs, "ReadOnly", false))
		pol_finding_add(ctx, POL_RULE_READ_ONLY_ROOTFS, "ContainerSpec.ReadOnly", "false",
		    "leaves the root filesystem writable; the policy requires it read-only");
	pol_chk_labels(ctx, pol_json_get(cs, "Labels"), "ContainerSpec.Labels");
	return check_mounts(ctx, pol_json_get(cs, "Mounts"));
}

/* ---- task and service level ------------------------------------------------------------- */

static void
check_networks(struct pol_insp_ctx *ctx, const cJSON *nets, const char *field)
{
	bool ok = pol_rule_on(ctx, POL_RULE_NAMESPACES) &&
	          pol_strlist_match(&ctx->rules->host_namespaces, "network");
	const cJSON *it;
	const char *t;
	char f[96];
	int i = 0;

	cJSON_ArrayForEach (it, nets) {
		snprintf(f, sizeof(f), "%s[%d].Target", field, i++);
		t = str_or_empty(it, "Target");
		if (ok)
			continue;
		if (strcasecmp(t, "host") == 0)
			pol_chk_deny(ctx, POL_RULE_NAMESPACES, POL_RULE_SERVICES, f, t,
			    "puts the tasks in the host network");
		else if (t[0] != '\0' && strspn(t, SWARM_ID_CHARS) == strlen(t))
			pol_chk_deny(ctx, POL_RULE_NAMESPACES, POL_RULE_SERVICES, f, t,
			    "may name the host network by its ID or an ID prefix; name the network, "
			    "with a character other than a-z and 0-9 in its name");
	}
}

/* Swarm's Limits, checked as a container's limits are on create. */
static void
check_resources(struct pol_insp_ctx *ctx, const cJSON *res)
{
	const struct pol_rules *r = ctx->rules;
	const cJSON *lim = res != NULL ? pol_json_get(res, "Limits") : NULL;
	const char *f = "TaskTemplate.Resources.Limits";
	struct pol_limit l;

	if (!pol_rule_on(ctx, POL_RULE_RESOURCES))
		return;
	l = pol_chk_limit_of(lim, "MemoryBytes", "memory", r->require_memory, r->max_memory);
	pol_chk_limit(ctx, &l, f, false);
	l = pol_chk_limit_of(lim, "Pids", "pids", r->require_pids_limit, r->max_pids_limit);
	pol_chk_limit(ctx, &l, f, false);
	l = pol_chk_limit_of(lim, "NanoCPUs", "CPU", r->require_cpu, r->max_nano_cpus);
	pol_chk_limit(ctx, &l, f, false);
}

static void
check_ports(struct pol_insp_ctx *ctx, const cJSON *ep)
{
	const struct pol_rules *r = ctx->rules;
	const cJSON *it;
	const char *what;
	char f[96], v[32];
	int64_t port;
	int i = -1;

	if (!pol_rule_on(ctx, POL_RULE_PORTS) || ep == NULL)
		return;
	cJSON_ArrayForEach (it, pol_json_get(ep, "Ports")) {
		i++;
		port = pol_json_int(it, "PublishedPort", 0);
		/* Swarm publishes on every interface of every node (host mode: of each node). */
		if (r->port_host_ips.n > 0 && !pol_strlist_match(&r->port_host_ips, ""))
			what = "publishes on every host interface; the policy allows only some";
		else if (!pol_chk_ports_allowed(r, (unsigned long)port, (unsigned long)port))
			what = "publishes a host port outside the allowed ranges";
		else
			continue;
		snprintf(f, sizeof(f), "EndpointSpec.Ports[%d].PublishedPort", i);
		snprintf(v, sizeof(v), "%lld", (long long)port);
		pol_finding_add(ctx, POL_RULE_PORTS, f, v, "%s", what);
	}
}

static void
check_plugin_runtime(struct pol_insp_ctx *ctx, const cJSON *task)
{
	const cJSON *ps = pol_json_get(task, "PluginSpec");
	const char *runtime = str_or_empty(task, "Runtime");

	if (strcmp(runtime, "plugin") != 0 && pol_json_is_null(ps))
		return;
	if (!pol_rule_on(ctx, POL_RULE_PLUGINS)) {
		pol_chk_deny(ctx, POL_RULE_PLUGINS, POL_RULE_SERVICES, "TaskTemplate.Runtime",
		    runtime, "installs a managed plugin, which runs as root, on every node");
		return;
	}
	if (pol_json_is_null(ps))
		return;
	pol_plugin_check_privileges(ctx, pol_json_get(ps, "privileges"),
	    "TaskTemplate.PluginSpec.privileges", "name", "value");
	pol_chk_image(ctx, "TaskTemplate.PluginSpec.remote", str_or_empty(ps, "remote"), true);
}

static void
check_log_driver(struct pol_insp_ctx *ctx, const cJSON *task)
{
	const char *name = str_or_empty(pol_json_get(task, "LogDriver"), "Name");

	if (!pol_rule_on(ctx, POL_RULE_LOG_DRIVERS) || name[0] == '\0')
		return;
	if (!pol_strlist_match(&ctx->rules->log_drivers, name))
		pol_finding_add(ctx, POL_RULE_LOG_DRIVERS, "TaskTemplate.LogDriver.Name", name,
		    "is a log driver the policy does not allow");
}

static int
check_query(struct pol_insp_ctx *ctx)
{
	struct pol_query q;
	const char *rb;

	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	rb = pol_query_value(&q, "rollback");
	if (rb[0] != '\0' && pol_rule_on(ctx, POL_RULE_SERVICES))
		pol_finding_add(ctx, POL_RULE_SERVICES, "rollback", rb,
		    "restores a previous spec this request does not show");
	pol_query_free(&q);
	return 0;
}

int
pol_insp_service(struct pol_insp_ctx *ctx)
{
	const cJSON *root, *task, *cs;

	if (pol_chk_root_struct(ctx, &pol_schema_service_spec) == -1)
		return -1;
	if (check_query(ctx) == -1)
		return -1;
	root = pol_chk_root(ctx);
	if (root == NULL)
		return 0; /* the zero spec: the daemon refuses it (no image, no runtime) */
	task = pol_json_get(root, "TaskTemplate");
	cs = task != NULL ? pol_json_get(task, "ContainerSpec") : NULL;
	if (cs != NULL && cJSON_IsObject(cs) && check_container_spec(ctx, cs) == -1)
		return -1;
	if (task != NULL && cJSON_IsObject(task)) {
		check_networks(ctx, pol_json_get(task, "Networks"), "TaskTemplate.Networks");
		check_resources(ctx, pol_json_get(task, "Resources"));
		check_plugin_runtime(ctx, task);
		check_log_driver(ctx, task);
	} else {
		check_resources(ctx, NULL);
	}
	/* Legacy top-level Networks: used on API < 1.44 (older daemons: always). */
	check_networks(ctx, pol_json_get(root, "Networks"), "Networks");
	check_ports(ctx, pol_json_get(root, "EndpointSpec"));
	return 0;
}
