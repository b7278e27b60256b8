/*
 * ContainerCreate checks that need no parser of their own: sysctls,
 * runtime, cgroup parent, ulimits, OOM killer, read-only rootfs, published
 * ports, user, image, labels, log driver; and the resource limits shared
 * with ContainerUpdate.  Image, user, labels and limits go through the
 * helpers every inspector shares (insp_check.c).
 */
#include "sockwarden/compat.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insp_check.h"
#include "insp_container.h"

/* ---- sysctls ------------------------------------------------------------------- */

static void
check_sysctl(struct pol_insp_ctx *ctx, const char *key, const char *field)
{
	char norm[256];
	size_t i;

	/* runc reads "net/ipv4/ip_forward" as "net.ipv4.ip_forward". */
	for (i = 0; key[i] != '\0' && i + 1 < sizeof(norm); i++)
		norm[i] = key[i] == '/' ? '.' : key[i];
	norm[i] = '\0';
	if (key[i] != '\0' || !pol_strlist_match(&ctx->rules->sysctls, norm))
		pol_finding_add(
		    ctx, POL_RULE_SYSCTLS, field, key, "sets a sysctl the policy does not allow");
}

/*
 * Per-endpoint sysctls: DriverOpts["com.docker.network.endpoint.sysctls"] =
 * "k=v,k=v", on a container's endpoints at create and on NetworkConnect.
 */
void
pol_cc_check_endpoint_sysctls(struct pol_insp_ctx *ctx, const cJSON *ep, const char *field)
{
	const char *list =
	    pol_json_string(pol_json_get(ep, "DriverOpts"), "com.docker.network.endpoint.sysctls");
	const char *p, *eq, *comma;
	char key[256];
	size_t n;

	if (list == NULL || !pol_rule_on(ctx, POL_RULE_SYSCTLS))
		return;
	for (p = list; *p != '\0'; p = comma != NULL ? comma + 1 : p + strlen(p)) {
		comma = strchr(p, ',');
		eq = strchr(p, '=');
		n = (eq != NULL && (comma == NULL || eq < comma)) ? (size_t)(eq - p) :
		    comma != NULL                                 ? (size_t)(comma - p) :
		                                                    strlen(p);
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, p, n);
		key[n] = '\0';
		check_sysctl(ctx, key, field);
	}
}

static void
check_sysctls(struct pol_cc *cc)
{
	const cJSON *m = pol_json_get(cc->hc, "Sysctls"), *e;
	char field[96];

	if (!pol_rule_on(cc->ctx, POL_RULE_SYSCTLS))
		return;
	cJSON_ArrayForEach (e, (cJSON_IsObject(m) ? m : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.Sysctls[%.40s]", e->string);
		check_sysctl(cc->ctx, e->string, field);
	}
	m = pol_json_get(cc->nc, "EndpointsConfig");
	cJSON_ArrayForEach (e, (cJSON_IsObject(m) ? m : NULL)) {
		snprintf(field, sizeof(field), "NetworkingConfig.EndpointsConfig[%.40s].DriverOpts",
		    e->string);
		pol_cc_check_endpoint_sysctls(cc->ctx, e, field);
	}
}

/* ---- simple allow-lists and flags --------------------------------------------------- */

/* An empty value is the daemon's default, which the list allows by naming "". */
static void
check_named(struct pol_cc *cc, enum pol_rule_id rule, const struct pol_strlist *allowed,
    const char *value, const char *field, const char *what)
{
	if (!pol_rule_on(cc->ctx, rule))
		return;
	if (value == NULL)
		value = "";
	if (!pol_strlist_match(allowed, value))
		pol_finding_add(
		    cc->ctx, rule, field, value[0] != '\0' ? value : "(default)", "%s", what);
}

static void
check_ulimits(struct pol_cc *cc)
{
	const cJSON *arr = pol_json_get(cc->hc, "Ulimits"), *e;
	const char *name;
	char field[48];
	size_t i = 0;

	if (!pol_rule_on(cc->ctx, POL_RULE_ULIMITS))
		return;
	cJSON_ArrayForEach (e, (cJSON_IsArray(arr) ? arr : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.Ulimits[%zu].Name", i++);
		name = pol_json_string(e, "Name");
		if (name == NULL || !pol_strlist_match(&cc->ctx->rules->ulimits, name))
			pol_finding_add(cc->ctx, POL_RULE_ULIMITS, field, name,
			    "sets a ulimit the policy does not allow");
	}
}

static void
check_flags(struct pol_cc *cc)
{
	const struct pol_rules *r = cc->ctx->rules;
	const char *parent = pol_json_string(cc->hc, "CgroupParent");

	if (pol_rule_on(cc->ctx, POL_RULE_CGROUP_PARENT) && !r->allow_cgroup_parent &&
	    parent != NULL && parent[0] != '\0')
		pol_finding_add(cc->ctx, POL_RULE_CGROUP_PARENT, "HostConfig.CgroupParent", parent,
		    "places the container in another cgroup, outside its limits");
	if (pol_rule_on(cc->ctx, POL_RULE_OOM_KILL_DISABLE) && !r->allow_oom_kill_disable &&
	    pol_json_bool(cc->hc, "OomKillDisable", false))
		pol_finding_add(cc->ctx, POL_RULE_OOM_KILL_DISABLE, "HostConfig.OomKillDisable",
		    "true", "disables the OOM killer for the container");
	if (pol_rule_on(cc->ctx, POL_RULE_READ_ONLY_ROOTFS) && r->require_read_only_rootfs &&
	    !pol_json_bool(cc->hc, "ReadonlyRootfs", false))
		pol_finding_add(cc->ctx, POL_RULE_READ_ONLY_ROOTFS, "HostConfig.ReadonlyRootfs", "",
		    "is not set, and the policy requires a read-only root filesystem");
	check_named(cc, POL_RULE_RUNTIMES, &r->runtimes, pol_json_string(cc->hc, "Runtime"),
	    "HostConfig.Runtime", "is a runtime the policy does not allow");
	check_named(cc, POL_RULE_LOG_DRIVERS, &r->log_drivers,
	    pol_json_string(pol_json_get(cc->hc, "LogConfig"), "Type"), "HostConfig.LogConfig.Type",
	    "is a log driver the policy does not allow");
}

/* ---- ports ------------------------------------------------------------------------- */

/* All interfaces ("", 0.0.0.0, ::) read as ""; other addresses in canonical text. */
static void
normalize_host_ip(const char *ip, char *out, size_t size)
{
	unsigned char a[16], zero[16] = { 0 };
	char text[INET6_ADDRSTRLEN];

	snprintf(out, size, "%s", ip);
	if (inet_pton(AF_INET, ip, a) == 1) {
		if (memcmp(a, zero, 4) == 0)
			out[0] = '\0';
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		if (memcmp(a, zero, 16) == 0)
			out[0] = '\0';
		else if (inet_ntop(AF_INET6, a, text, sizeof(text)) != NULL)
			snprintf(out, size, "%s", text);
	}
}

/* "8080" or "8000-8010"; "" (a port the daemon picks) gives 0-0. */
static int
parse_host_port(const char *s, unsigned long *lo, unsigned long *hi)
{
	char *end;

	*lo = *hi = 0;
	if (s[0] == '\0')
		return 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	*lo = *hi = strtoul(s, &end, 10);
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		*hi = strtoul(end + 1, &end, 10);
	}
	return *end == '\0' && *lo <= 65535 && *hi <= 65535 && *lo <= *hi ? 0 : -1;
}

static void
check_binding(struct pol_cc *cc, const cJSON *b, const char *field)
{
	const struct pol_rules *r = cc->ctx->rules;
	const char *ip = pol_json_string(b, "HostIp"), *port = pol_json_string(b, "HostPort");
	unsigned long lo, hi;
	char norm[64];

	normalize_host_ip(ip != NULL ? ip : "", norm, sizeof(norm));
	if (port == NULL)
		port = "";
	if (parse_host_port(port, &lo, &hi) == -1 || !pol_chk_ports_allowed(r, lo, hi))
		pol_finding_add(cc->ctx, POL_RULE_PORTS, field, port,
		    "publishes a host port outside the allowed ranges");
	else if (r->port_host_ips.n > 0 && !pol_strlist_match(&r->port_host_ips, norm))
		pol_finding_add(cc->ctx, POL_RULE_PORTS, field, norm[0] != '\0' ? norm : "0.0.0.0",
		    "publishes on a host address the policy does not allow");
}

static void
check_ports(struct pol_cc *cc)
{
	const cJSON *pb = pol_json_get(cc->hc, "PortBindings"), *k, *b;
	char field[96];
	size_t i;

	if (!pol_rule_on(cc->ctx, POL_RULE_PORTS))
		return;
	cJSON_ArrayForEach (k, (cJSON_IsObject(pb) ? pb : NULL)) {
		i = 0;
		cJSON_ArrayForEach (b, (cJSON_IsArray(k) ? k : NULL)) {
			snprintf(field, sizeof(field), "HostConfig.PortBindings[%.24s][%zu]",
			    k->string, i++);
			check_binding(cc, b, field);
		}
	}
	if (!cc->ctx->rules->allow_publish_all && pol_json_bool(cc->hc, "PublishAllPorts", false))
		pol_finding_add(cc->ctx, POL_RULE_PORTS, "HostConfig.PublishAllPorts", "true",
		    "publishes every exposed port on all host interfaces");
}

/* ---- user, image, labels -------------------------------------------------------------- */

static void
check_user(struct pol_cc *cc)
{
	const char *user = pol_json_string(cc->root, "User");

	if (!pol_rule_on(cc->ctx, POL_RULE_USER) || !cc->ctx->rules->require_non_root)
		return;
	if (user == NULL || user[0] == '\0')
		pol_finding_add(cc->ctx, POL_RULE_USER, "User", "",
		    "is empty, so the image's user runs, which may be root");
	else if (pol_chk_user(user) != POL_USER_OTHER) /* root, or ":group" (the image's) */
		pol_finding_add(cc->ctx, POL_RULE_USER, "User", user, "runs the container as root");
}

int
pol_cc_check_misc(struct pol_cc *cc)
{
	const char *image = pol_json_string(cc->root, "Image");

	check_sysctls(cc);
	check_ulimits(cc);
	check_flags(cc);
	check_ports(cc);
	check_user(cc);
	/* Found by name only: an ID or ID prefix is refused (id_ok false). */
	pol_chk_image(cc->ctx, "Image", image != NULL ? image : "", false);
	pol_chk_labels(cc->ctx, pol_json_get(cc->root, "Labels"), "Labels");
	return 0;
}

/* ---- resources ------------------------------------------------------------------------ */

/* NanoCpus, or CpuQuota over CpuPeriod (100ms by default) in the same unit. */
static int64_t
effective_nano_cpus(const cJSON *obj, bool *present, const char **name)
{
	int64_t nano = pol_json_int(obj, "NanoCpus", 0), quota = pol_json_int(obj, "CpuQuota", 0);
	int64_t period = pol_json_int(obj, "CpuPeriod", 0);

	*name = "NanoCpus";
	*present = nano != 0;
	if (nano != 0 || quota == 0)
		return nano;
	*name = "CpuQuota";
	*present = true;
	if (quota < 0)
		return quota;
	if (period <= 0)
		period = 100000;
	if (quota > INT64_MAX / 1000000000)
		return INT64_MAX;
	return quota * 1000000000 / period;
}

void
pol_cc_check_resources(struct pol_insp_ctx *ctx, const cJSON *obj, const char *prefix, bool update)
{
	const struct pol_rules *r = ctx->rules;
	struct pol_limit l;
	bool present;
	const char *name;

	if (!pol_rule_on(ctx, POL_RULE_RESOURCES))
		return;
	l = pol_chk_limit_of(obj, "Memory", "memory", r->require_memory, r->max_memory);
	pol_chk_limit(ctx, &l, prefix, update);
	l = pol_chk_limit_of(obj, "PidsLimit", "pids", r->require_pids_limit, r->max_pids_limit);
	/* On update too, a PidsLimit of 0 or less removes the limit. */
	if (update && l.present && l.value == 0)
		l.value = -1;
	pol_chk_limit(ctx, &l, prefix, update);
	l = (struct pol_limit){ NULL, "CPU", r->require_cpu, r->max_nano_cpus, 0, false };
	l.value = effective_nano_cpus(obj, &present, &name);
	l.name = name;
	l.present = present;
	pol_chk_limit(ctx, &l, prefix, update);
	/*
	 * An update merges each field into the container's current values: a
	 * CpuPeriod alone rescales the quota already set, a CpuQuota alone is
	 * divided by the period already set.  Neither can be checked against a
	 * maximum without the other, so under a CPU maximum only both together
	 * (or NanoCpus) may change them.
	 */
	if (update && r->max_nano_cpus > 0 && pol_json_int(obj, "NanoCpus", 0) == 0 &&
	    ((pol_json_int(obj, "CpuPeriod", 0) != 0 && pol_json_int(obj, "CpuQuota", 0) == 0) ||
	        (pol_json_int(obj, "CpuQuota", 0) > 0 && pol_json_int(obj, "CpuPeriod", 0) == 0)))
		pol_finding_add(ctx, POL_RULE_RESOURCES, "CpuPeriod/CpuQuota", "",
		    "changes CPU period or quota alone, which the policy's maximum CPU limit cannot be checked against; send both, or NanoCpus");
}
