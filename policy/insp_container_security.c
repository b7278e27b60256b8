/*
 * ContainerCreate checks of the container's confinement: Privileged,
 * capabilities (normalised like caps.NormalizeLegacyCapabilities, in
 * insp_check.c),
 * SecurityOpt (parsed like daemon_unix.go parseSecurityOpt), MaskedPaths
 * and ReadonlyPaths, and the namespace modes.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "insp_check.h"
#include "insp_container.h"

/* Paths the daemon masks or makes read-only by default (oci/defaults.go). */
static const char *const default_masked[] = { "/proc/asound", "/proc/acpi", "/proc/kcore",
	"/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap" };
static const char *const default_readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger" };

static void
check_privileged(struct pol_cc *cc)
{
	if (!pol_rule_on(cc->ctx, POL_RULE_PRIVILEGED) || cc->ctx->rules->allow_privileged)
		return;
	if (pol_json_bool(cc->hc, "Privileged", false))
		pol_finding_add(cc->ctx, POL_RULE_PRIVILEGED, "HostConfig.Privileged", "true",
		    "runs the container privileged (every capability and device, no seccomp or "
		    "AppArmor)");
}

/* ---- capabilities ------------------------------------------------------------ */

/*
 * Normalised like the daemon (pol_chk_cap_normalise) and compared with the
 * list the loader stored normalised.  An entry outside plain ASCII names no
 * capability: the daemon refuses it.
 */
static void
check_cap_add_one(struct pol_cc *cc, const char *cap, const char *field)
{
	char norm[64];

	if (pol_chk_cap_normalise(cap, norm, sizeof(norm)) == -1) {
		pol_finding_add(cc->ctx, POL_RULE_CAPABILITIES, field, cap,
		    "is not a capability the policy allows");
		return;
	}
	if (pol_chk_cap_allowed(cc->ctx->rules, norm))
		return;
	if (strcmp(norm, "ALL") == 0)
		pol_finding_add(
		    cc->ctx, POL_RULE_CAPABILITIES, field, cap, "adds every capability");
	else if (pol_chk_cap_list_name(norm) == NULL)
		pol_finding_add(cc->ctx, POL_RULE_CAPABILITIES, field, cap,
		    "names no capability (%s; the daemon refuses it, ALL adds every one)", norm);
	else
		pol_finding_add(cc->ctx, POL_RULE_CAPABILITIES, field, cap,
		    "adds capability %s, which the policy does not allow", norm);
}

bool
pol_cc_drops_all(const cJSON *cap_drop)
{
	const cJSON *e;

	if (cJSON_IsString(cap_drop))
		return pol_chk_cap_is_all(cap_drop->valuestring);
	cJSON_ArrayForEach (e, (cJSON_IsArray(cap_drop) ? cap_drop : NULL))
		if (pol_chk_cap_is_all(pol_cc_elem_string(e)))
			return true;
	return false;
}

static void
check_capabilities(struct pol_cc *cc)
{
	const cJSON *add = pol_json_get(cc->hc, "CapAdd"), *e;
	const char *s;
	char field[64];
	size_t i = 0;

	if (!pol_rule_on(cc->ctx, POL_RULE_CAPABILITIES))
		return;
	if (cJSON_IsString(add))
		check_cap_add_one(cc, add->valuestring, "HostConfig.CapAdd");
	cJSON_ArrayForEach (e, (cJSON_IsArray(add) ? add : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.CapAdd[%zu]", i++);
		if ((s = pol_cc_elem_string(e)) != NULL && s[0] != '\0')
			check_cap_add_one(cc, s, field);
	}
	if (cc->ctx->rules->require_drop_all && !pol_cc_drops_all(pol_json_get(cc->hc, "CapDrop")))
		pol_finding_add(cc->ctx, POL_RULE_CAPABILITIES, "HostConfig.CapDrop", "",
		    "does not drop ALL capabilities, which the policy requires");
}

/* ---- SecurityOpt ---------------------------------------------------------------- */

struct secopt {
	int nnp;              /* -1 unset, 0, 1 */
	int writable_cgroups; /* -1 unset, 0, 1 */
	const char *seccomp;  /* last value, NULL when unset */
	const char *apparmor;
	size_t seccomp_at, apparmor_at, wc_at;
};

/* strconv.ParseBool */
static int
parse_go_bool(const char *s)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < nitems(t); i++) {
		if (strcmp(s, t[i]) == 0)
			return 1;
		if (strcmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* Split like parseSecurityOpt: at the first '=', else at the first ':'. */
static bool
split_opt(const char *opt, char *key, size_t keysz, const char **val)
{
	const char *sep = strchr(opt, '=');

	if (sep == NULL)
		sep = strchr(opt, ':');
	if (sep == NULL || (size_t)(sep - opt) >= keysz)
		return false;
	memcpy(key, opt, (size_t)(sep - opt));
	key[sep - opt] = '\0';
	*val = sep + 1;
	return true;
}

static void
label_finding(struct pol_cc *cc, const char *field, const char *opt, const char *val)
{
	if (!pol_rule_on(cc->ctx, POL_RULE_SECURITY_OPT) || cc->ctx->rules->allow_unconfined)
		return;
	pol_finding_add(cc->ctx, POL_RULE_SECURITY_OPT, field, opt, "%s",
	    strcmp(val, "disable") == 0 ? "disables SELinux separation" :
	                                  "sets the container's SELinux label");
}

/* One entry; -1 when the daemon would refuse it (ctx->err set). */
static int
parse_secopt(struct pol_cc *cc, const char *opt, size_t i, const char *field, struct secopt *st)
{
	char key[32];
	const char *val;
	int b;

	if (strcmp(opt, "no-new-privileges") == 0) {
		st->nnp = 1;
		return 0;
	}
	if (strcmp(opt, "writable-cgroups") == 0) {
		st->writable_cgroups = 1;
		st->wc_at = i;
		return 0;
	}
	if (strcmp(opt, "disable") == 0) {
		label_finding(cc, field, opt, "disable");
		return 0;
	}
	if (!split_opt(opt, key, sizeof(key), &val))
		return pol_chk_malformed(cc->ctx, "%s: invalid security option", field);
	if (strcmp(key, "label") == 0) {
		label_finding(cc, field, opt, val);
	} else if (strcmp(key, "apparmor") == 0) {
		st->apparmor = val;
		st->apparmor_at = i;
	} else if (strcmp(key, "seccomp") == 0) {
		st->seccomp = val;
		st->seccomp_at = i;
	} else if (strcmp(key, "no-new-privileges") == 0 || strcmp(key, "writable-cgroups") == 0) {
		if ((b = parse_go_bool(val)) == -1)
			return pol_chk_malformed(cc->ctx, "%s: invalid boolean", field);
		if (key[0] == 'n') {
			st->nnp = b;
		} else {
			st->writable_cgroups = b;
			st->wc_at = i;
		}
	} else {
		return pol_chk_malformed(cc->ctx, "%s: unknown security option", field);
	}
	return 0;
}

int
pol_secopt_no_new_privileges(const cJSON *arr)
{
	const cJSON *e;
	const char *s, *val;
	char key[32];
	int nnp = -1, b;

	cJSON_ArrayForEach (e, (cJSON_IsArray(arr) ? arr : NULL)) {
		if ((s = pol_cc_elem_string(e)) == NULL)
			continue;
		if (strcmp(s, "no-new-privileges") == 0)
			nnp = 1;
		else if (split_opt(s, key, sizeof(key), &val) &&
		         strcmp(key, "no-new-privileges") == 0 && (b = parse_go_bool(val)) != -1)
			nnp = b;
	}
	return nnp;
}

static void
secopt_findings(struct pol_cc *cc, const struct secopt *st)
{
	char field[64];

	if (!pol_rule_on(cc->ctx, POL_RULE_SECURITY_OPT) || cc->ctx->rules->allow_unconfined)
		return;
	if (st->seccomp != NULL && st->seccomp[0] != '\0' && strcmp(st->seccomp, "builtin") != 0) {
		snprintf(field, sizeof(field), "HostConfig.SecurityOpt[%zu]", st->seccomp_at);
		pol_finding_add(cc->ctx, POL_RULE_SECURITY_OPT, field, st->seccomp, "%s",
		    strcmp(st->seccomp, "unconfined") == 0 ? "disables seccomp" :
		                                             "replaces the seccomp profile");
	}
	if (st->apparmor != NULL && st->apparmor[0] != '\0' &&
	    strcmp(st->apparmor, "docker-default") != 0) {
		snprintf(field, sizeof(field), "HostConfig.SecurityOpt[%zu]", st->apparmor_at);
		pol_finding_add(cc->ctx, POL_RULE_SECURITY_OPT, field, st->apparmor, "%s",
		    strcmp(st->apparmor, "unconfined") == 0 ? "disables AppArmor" :
		                                              "replaces the AppArmor profile");
	}
	if (st->writable_cgroups == 1) {
		snprintf(field, sizeof(field), "HostConfig.SecurityOpt[%zu]", st->wc_at);
		pol_finding_add(cc->ctx, POL_RULE_SECURITY_OPT, field, "writable-cgroups",
		    "makes the cgroup filesystem writable");
	}
}

static int
check_security_opt(struct pol_cc *cc)
{
	struct secopt st = { -1, -1, NULL, NULL, 0, 0, 0 };
	const cJSON *arr = pol_json_get(cc->hc, "SecurityOpt"), *e;
	const char *s;
	char field[64];
	size_t i = 0;

	cJSON_ArrayForEach (e, (cJSON_IsArray(arr) ? arr : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.SecurityOpt[%zu]", i);
		if ((s = pol_cc_elem_string(e)) == NULL || parse_secopt(cc, s, i, field, &st) == -1)
			return -1;
		i++;
	}
	secopt_findings(cc, &st);
	if (pol_rule_on(cc->ctx, POL_RULE_NO_NEW_PRIVILEGES) &&
	    cc->ctx->rules->require_no_new_privileges && st.nnp != 1)
		pol_finding_add(cc->ctx, POL_RULE_NO_NEW_PRIVILEGES, "HostConfig.SecurityOpt", "",
		    "does not set no-new-privileges, which the policy requires");
	return 0;
}

/* ---- MaskedPaths, ReadonlyPaths ---------------------------------------------------- */

static bool
list_has_path(const cJSON *arr, const char *want)
{
	const cJSON *e;
	const char *s;
	char clean[256];

	cJSON_ArrayForEach (e, arr) {
		s = pol_cc_elem_string(e);
		if (s != NULL && pol_path_clean(s, clean, sizeof(clean)) != NULL &&
		    strcmp(clean, want) == 0)
			return true;
	}
	return false;
}

/* A non-null list replaces the daemon's defaults: every default must still be there. */
static void
check_path_list(struct pol_cc *cc, const char *name, const char *const *defaults, size_t n)
{
	const cJSON *arr = pol_json_get(cc->hc, name);
	char field[48];
	size_t i;

	if (!cJSON_IsArray(arr))
		return;
	for (i = 0; i < n; i++) {
		if (list_has_path(arr, defaults[i]))
			continue;
		snprintf(field, sizeof(field), "HostConfig.%s", name);
		pol_finding_add(cc->ctx, POL_RULE_SYSTEM_PATHS, field, defaults[i],
		    "is left out, so the container sees it unprotected");
		return;
	}
}

/*
 * OCI annotations reach the runtime (API 1.43+); crun acts on "run.oci.*"
 * ones (seccomp receivers, hooks, keeping the host's groups).
 */
static void
check_annotations(struct pol_cc *cc)
{
	const cJSON *m = pol_json_get(cc->hc, "Annotations"), *e;
	char field[96];

	if (!pol_rule_on(cc->ctx, POL_RULE_SECURITY_OPT) || cc->ctx->rules->allow_unconfined)
		return;
	cJSON_ArrayForEach (e, (cJSON_IsObject(m) ? m : NULL)) {
		if (strncmp(e->string, "run.oci.", 8) != 0)
			continue;
		snprintf(field, sizeof(field), "HostConfig.Annotations[%.40s]", e->string);
		pol_finding_add(cc->ctx, POL_RULE_SECURITY_OPT, field, e->valuestring,
		    "passes an annotation the runtime acts on");
	}
}

int
pol_cc_check_security(struct pol_cc *cc)
{
	check_privileged(cc);
	check_annotations(cc);
	check_capabilities(cc);
	if (check_security_opt(cc) == -1)
		return -1;
	if (pol_rule_on(cc->ctx, POL_RULE_SYSTEM_PATHS) && !cc->ctx->rules->allow_system_paths) {
		check_path_list(cc, "MaskedPaths", default_masked, nitems(default_masked));
		check_path_list(cc, "ReadonlyPaths", default_readonly, nitems(default_readonly));
	}
	return 0;
}

/* ---- namespaces ------------------------------------------------------------------------ */

static const struct {
	const char *field;
	const char *ns; /* the name in namespaces.host */
	const char *what;
} ns_fields[] = {
	{ "NetworkMode", "network", "network" },
	{ "PidMode", "pid", "PID" },
	{ "IpcMode", "ipc", "IPC" },
	{ "UTSMode", "uts", "UTS" },
	{ "UsernsMode", "userns", "user" },
	{ "CgroupnsMode", "cgroupns", "cgroup" },
	{ "Cgroup", "cgroup", "cgroup" },
};

int
pol_cc_check_namespaces(struct pol_cc *cc)
{
	const struct pol_rules *r = cc->ctx->rules;
	const char *v;
	char field[48];
	size_t i;

	if (!pol_rule_on(cc->ctx, POL_RULE_NAMESPACES))
		return 0;
	for (i = 0; i < nitems(ns_fields); i++) {
		if ((v = pol_json_string(cc->hc, ns_fields[i].field)) == NULL)
			continue;
		/* The field's name is formatted only for a finding. */
		if (strcmp(v, "host") == 0 &&
		    !pol_strlist_match(&r->host_namespaces, ns_fields[i].ns)) {
			snprintf(field, sizeof(field), "HostConfig.%s", ns_fields[i].field);
			pol_finding_add(cc->ctx, POL_RULE_NAMESPACES, field, v,
			    "uses the host's %s namespace", ns_fields[i].what);
		} else if (strncmp(v, "container:", 10) == 0 && !r->allow_container_namespaces) {
			snprintf(field, sizeof(field), "HostConfig.%s", ns_fields[i].field);
			pol_finding_add(cc->ctx, POL_RULE_NAMESPACES, field, v,
			    "joins the %s namespace of another container", ns_fields[i].what);
		}
	}
	/* Below API 1.41 an empty CgroupnsMode is "host" on cgroup v1 (set to private if refused).
	 */
	v = pol_json_string(cc->hc, "CgroupnsMode");
	if (cc->api_below_141 && (v == NULL || v[0] == '\0') &&
	    !pol_strlist_match(&r->host_namespaces, "cgroupns"))
		pol_finding_add(cc->ctx, POL_RULE_NAMESPACES, "HostConfig.CgroupnsMode", "",
		    "is empty, which below API 1.41 means the host's cgroup namespace");
	return 0;
}
