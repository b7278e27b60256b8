/*
 * ContainerCreate checks of what a container mounts and which host devices
 * it reaches: Binds (split like the daemon's linuxParser.ParseMountRaw),
 * Mounts (Type compared exactly), named and anonymous volumes with their
 * drivers and driver options, VolumesFrom, Devices, DeviceRequests and
 * DeviceCgroupRules.
 *
 * Host paths are cleaned like Go's path.Clean, as the daemon does, and
 * matched component-wise against the policy's globs.  The daemon's socket,
 * its state and "/" (and every directory above them) are refused whatever
 * the globs say.  Symbolic links are not resolved (policy/ does no I/O): an
 * allowed tree must not be writable by whoever the policy constrains.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "insp_check.h"
#include "insp_container.h"
#include "insp_endpoints.h"

#define HOST_PATH_MAX 4096

struct bind {
	const char *field;  /* "HostConfig.Binds[0]" */
	const char *shown;  /* the value as the client wrote it */
	const char *source; /* cleaned host path */
	bool read_only;
	const char *propagation; /* "" when none */
	bool ro_non_recursive;
};

/* "a, b, c" from the allowed lists, cut to fit. */
static void
globs_text(const struct pol_rules *r, char *buf, size_t size)
{
	const struct pol_strlist *lists[] = { &r->bind_rw, &r->bind_ro };
	size_t i, j, len = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < nitems(lists); i++)
		for (j = 0; j < lists[i]->n && len + 1 < size; j++) {
			n = snprintf(buf + len, size - len, "%s%s%s", len > 0 ? ", " : "",
			    lists[i]->v[j], i == 1 ? " read-only" : "");
			if (n < 0)
				return;
			len += (size_t)n < size - len ? (size_t)n : size - len - 1;
		}
	if (len == 0)
		snprintf(buf, size, "none");
}

static void
check_bind(struct pol_cc *cc, const struct bind *b)
{
	const struct pol_rules *r = cc->ctx->rules;
	bool rw_ok, ro_ok;
	char globs[160];

	if (!pol_rule_on(cc->ctx, POL_RULE_BIND_MOUNTS))
		return;
	if (pol_chk_is_protected_path(b->source)) {
		pol_finding_add(cc->ctx, POL_RULE_BIND_MOUNTS, b->field, b->shown, "%s",
		    strcmp(b->source, "/") == 0 ?
		        "mounts the host's root filesystem (always refused)" :
		        "mounts the Docker daemon's socket or state (always refused)");
		return;
	}
	ro_ok = pol_chk_bind_allowed(r, b->source, true);
	rw_ok = ro_ok && pol_chk_bind_allowed(r, b->source, false);
	/* The allowed globs are listed only in a finding. */
	if (!ro_ok) {
		globs_text(r, globs, sizeof(globs));
		pol_finding_add(cc->ctx, POL_RULE_BIND_MOUNTS, b->field, b->shown,
		    "mounts a host path outside the allowed paths (%s)", globs);
	} else if (!b->read_only && !rw_ok) {
		globs_text(r, globs, sizeof(globs));
		pol_finding_add(cc->ctx, POL_RULE_BIND_MOUNTS, b->field, b->shown,
		    "mounts read-write a host path allowed only read-only (%s)", globs);
	} else if (b->read_only && !rw_ok && b->ro_non_recursive) {
		pol_finding_add(cc->ctx, POL_RULE_BIND_MOUNTS, b->field, b->shown,
		    "leaves mounts below a read-only host path writable (ReadOnlyNonRecursive)");
	} else if (b->propagation[0] != '\0' && strstr(b->propagation, "private") == NULL &&
	           !r->allow_bind_propagation) {
		pol_finding_add(cc->ctx, POL_RULE_BIND_MOUNTS, b->field, b->shown,
		    "uses %s mount propagation, which the policy does not allow", b->propagation);
	}
}

/* No driver: the container's VolumeDriver (checked on its own), or local. */
static bool
driver_allowed(const struct pol_rules *r, const char *driver)
{
	return driver == NULL || driver[0] == '\0' ||
	       pol_volume_driver_allowed(&r->volume_drivers, driver);
}

/* A named (or cluster) volume, with the driver and options a mount may give it. */
static void
check_volume(
    struct pol_cc *cc, const char *field, const char *name, const char *driver, const cJSON *opts)
{
	const struct pol_rules *r = cc->ctx->rules;

	if (!pol_rule_on(cc->ctx, POL_RULE_VOLUMES))
		return;
	if (name != NULL && name[0] != '\0' && !r->allow_named_volumes)
		pol_finding_add(cc->ctx, POL_RULE_VOLUMES, field, name,
		    "mounts a named volume, which may be bound to any host path");
	if (!driver_allowed(r, driver))
		pol_finding_add(cc->ctx, POL_RULE_VOLUMES, field, driver,
		    "uses a volume driver the policy does not allow");
	if (cJSON_IsObject(opts) && cJSON_GetArraySize(opts) > 0 && !r->allow_volume_driver_opts)
		pol_finding_add(cc->ctx, POL_RULE_VOLUMES, field, name,
		    "creates a volume with driver options (local type/o/device can mount any host "
		    "path or device)");
}

/* ---- Binds ------------------------------------------------------------------------- */

static bool
mode_has(const char *mode, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = mode;

	while ((p = strstr(p, opt)) != NULL) {
		if ((p == mode || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

static const char *
mode_propagation(const char *mode)
{
	static const char *const props[] = { "rshared", "shared", "rslave", "slave", "rprivate",
		"private" };
	size_t i;

	for (i = 0; i < nitems(props); i++)
		if (mode_has(mode, props[i]))
			return props[i];
	return "";
}

static bool
is_mode_list(const char *s)
{
	static const char *const modes[] = { "rw", "ro", "z", "Z", "shared", "rshared", "slave",
		"rslave", "private", "rprivate", "nocopy", "consistent", "cached", "delegated" };
	char opt[16];
	const char *comma;
	size_t i, n;

	if (*s == '\0')
		return true; /* the empty mode is valid */
	for (;;) {
		comma = strchr(s, ',');
		n = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (n >= sizeof(opt))
			return false;
		memcpy(opt, s, n);
		opt[n] = '\0';
		for (i = 0; i < nitems(modes) && strcmp(opt, modes[i]) != 0; i++)
			;
		if (i == nitems(modes))
			return false;
		if (comma == NULL)
			return true;
		s = comma + 1;
	}
}

/* One "src:dst[:mode]" entry, split with SplitN(":", 4) as the Linux parser does. */
static int
check_bind_spec(struct pol_cc *cc, const char *spec, const char *field)
{
	char buf[HOST_PATH_MAX], clean[HOST_PATH_MAX];
	const char *parts[4] = { NULL };
	const char *driver = pol_json_string(cc->hc, "VolumeDriver");
	size_t n = 0;
	char *p;

	if (strlen(spec) >= sizeof(buf))
		return pol_chk_malformed(cc->ctx, "%s: too long", field);
	memcpy(buf, spec, strlen(spec) + 1);
	for (p = buf, parts[n++] = p; n < 4 && (p = strchr(p, ':')) != NULL; parts[n++] = p)
		*p++ = '\0';
	if (buf[0] == '\0' || n == 4 || (n == 2 && is_mode_list(parts[1])))
		return pol_chk_malformed(cc->ctx, "%s: invalid volume specification", field);
	if (n == 1)
		return 0; /* an anonymous volume at that path: only VolumeDriver matters */
	if (parts[0][0] != '/') {
		check_volume(cc, field, parts[0], driver, NULL);
		return 0;
	}
	if (pol_path_clean(parts[0], clean, sizeof(clean)) == NULL)
		return pol_chk_malformed(cc->ctx, "%s: host path too long", field);
	check_bind(cc, &(struct bind){ field, spec, clean, n == 3 && mode_has(parts[2], "ro"),
	                   n == 3 ? mode_propagation(parts[2]) : "", false });
	return 0;
}

static int
check_binds(struct pol_cc *cc)
{
	const cJSON *arr = pol_json_get(cc->hc, "Binds"), *e;
	const char *s;
	char field[48];
	size_t i = 0;

	cJSON_ArrayForEach (e, (cJSON_IsArray(arr) ? arr : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.Binds[%zu]", i++);
		if ((s = pol_cc_elem_string(e)) == NULL)
			return pol_chk_malformed(cc->ctx, "%s: expected a string", field);
		if (check_bind_spec(cc, s, field) == -1)
			return -1;
	}
	return 0;
}

/* ---- Mounts ---------------------------------------------------------------------- */

static int
check_mount_bind(struct pol_cc *cc, const cJSON *m, const char *field)
{
	const cJSON *bo = pol_json_get(m, "BindOptions");
	const char *src = pol_json_string(m, "Source"), *prop = pol_json_string(bo, "Propagation");
	char clean[HOST_PATH_MAX];

	if (src == NULL || src[0] != '/')
		return pol_chk_malformed(
		    cc->ctx, "%s: a bind mount needs an absolute Source", field);
	if (pol_path_clean(src, clean, sizeof(clean)) == NULL)
		return pol_chk_malformed(cc->ctx, "%s: host path too long", field);
	check_bind(
	    cc, &(struct bind){ field, src, clean, pol_json_bool(m, "ReadOnly", false),
	            prop != NULL ? prop : "", pol_json_bool(bo, "ReadOnlyNonRecursive", false) });
	return 0;
}

static void
check_mount_volume(struct pol_cc *cc, const cJSON *m, const char *field)
{
	const cJSON *dc = pol_json_get(pol_json_get(m, "VolumeOptions"), "DriverConfig");

	check_volume(cc, field, pol_json_string(m, "Source"), pol_json_string(dc, "Name"),
	    pol_json_get(dc, "Options"));
}

static void
check_mount_image(struct pol_cc *cc, const cJSON *m, const char *field)
{
	const char *src = pol_json_string(m, "Source");

	/* The daemon looks the image up by name, ID or ID prefix: only names are checked. */
	pol_chk_image(cc->ctx, field, src != NULL ? src : "", false);
}

static int
check_mount(struct pol_cc *cc, const cJSON *m, const char *field)
{
	const char *type = pol_json_string(m, "Type");

	if (pol_json_is_null(m))
		return pol_chk_malformed(cc->ctx, "%s: mount type unknown", field);
	if (type != NULL && strcmp(type, "bind") == 0)
		return check_mount_bind(cc, m, field);
	if (type != NULL && strcmp(type, "volume") == 0)
		check_mount_volume(cc, m, field);
	else if (type != NULL && strcmp(type, "cluster") == 0)
		check_volume(cc, field, pol_json_string(m, "Source"), "cluster", NULL);
	else if (type != NULL && strcmp(type, "image") == 0)
		check_mount_image(cc, m, field);
	else if (type == NULL || strcmp(type, "tmpfs") != 0)
		/* The daemon compares Type exactly; anything else (npipe on Linux) is a 400. */
		return pol_chk_malformed(cc->ctx, "%s.Type: mount type unknown", field);
	return 0;
}

static int
check_mounts(struct pol_cc *cc)
{
	const cJSON *arr = pol_json_get(cc->hc, "Mounts"), *e;
	char field[48];
	size_t i = 0;

	cJSON_ArrayForEach (e, (cJSON_IsArray(arr) ? arr : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.Mounts[%zu]", i++);
		if (check_mount(cc, e, field) == -1)
			return -1;
	}
	return 0;
}

int
pol_cc_check_mounts(struct pol_cc *cc)
{
	const struct pol_rules *r = cc->ctx->rules;
	const char *driver = pol_json_string(cc->hc, "VolumeDriver");
	const cJSON *from = pol_json_get(cc->hc, "VolumesFrom");

	if (check_binds(cc) == -1 || check_mounts(cc) == -1)
		return -1;
	if (pol_rule_on(cc->ctx, POL_RULE_VOLUMES) && !driver_allowed(r, driver))
		pol_finding_add(cc->ctx, POL_RULE_VOLUMES, "HostConfig.VolumeDriver", driver,
		    "is a volume driver the policy does not allow");
	if (pol_rule_on(cc->ctx, POL_RULE_VOLUMES_FROM) && !r->allow_volumes_from &&
	    cJSON_IsArray(from) && cJSON_GetArraySize(from) > 0)
		pol_finding_add(cc->ctx, POL_RULE_VOLUMES_FROM, "HostConfig.VolumesFrom[0]",
		    pol_cc_elem_string(cJSON_GetArrayItem(from, 0)),
		    "inherits every mount of another container, host paths included");
	return 0;
}

/* ---- devices ------------------------------------------------------------------------ */

static void
check_device(struct pol_cc *cc, const cJSON *d, const char *field)
{
	const char *host = pol_json_string(d, "PathOnHost");
	char clean[HOST_PATH_MAX];
	size_t i;

	if (host != NULL && host[0] == '/' && pol_path_clean(host, clean, sizeof(clean)) != NULL) {
		for (i = 0; i < cc->ctx->rules->devices.n; i++)
			if (pol_path_glob_match(cc->ctx->rules->devices.v[i], clean))
				return;
	}
	pol_finding_add(cc->ctx, POL_RULE_DEVICES, field, host,
	    "gives the container a host device the policy does not allow");
}

int
pol_cc_check_devices(struct pol_cc *cc)
{
	const struct pol_rules *r = cc->ctx->rules;
	const cJSON *arr, *e;
	char field[48];
	size_t i = 0;

	if (!pol_rule_on(cc->ctx, POL_RULE_DEVICES))
		return 0;
	arr = pol_json_get(cc->hc, "Devices");
	cJSON_ArrayForEach (e, (cJSON_IsArray(arr) ? arr : NULL)) {
		snprintf(field, sizeof(field), "HostConfig.Devices[%zu].PathOnHost", i++);
		check_device(cc, e, field);
	}
	arr = pol_json_get(cc->hc, "DeviceRequests");
	if (!r->allow_device_requests && cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0)
		pol_finding_add(cc->ctx, POL_RULE_DEVICES, "HostConfig.DeviceRequests[0]",
		    pol_json_string(cJSON_GetArrayItem(arr, 0), "Driver"),
		    "requests host devices from a device driver (GPUs, CDI)");
	arr = pol_json_get(cc->hc, "DeviceCgroupRules");
	if (!r->allow_device_cgroup_rules && cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0)
		pol_finding_add(cc->ctx, POL_RULE_DEVICES, "HostConfig.DeviceCgroupRules[0]",
		    pol_cc_elem_string(cJSON_GetArrayItem(arr, 0)),
		    "opens the device cgroup to host devices");
	return 0;
}
