/*
 * VolumeCreate (POST /volumes/create): the body is volume.CreateRequest
 * {Name, Driver, DriverOpts, Labels, ClusterVolumeSpec}, read with
 * ReadJSON.  The built-in local driver (Driver "" or exactly "local")
 * calls mount(device, <volume dir>, type, o) in the daemon's mount
 * namespace when the volume is first used, so its options are host access:
 *
 *   type=none,o=bind,device=/etc    a bind mount of a host path (any type
 *                                   with bind/rbind in o: MS_BIND ignores it)
 *   type=ext4,device=/dev/sda1      a host block device
 *   type=proc|sysfs|overlay|...     a kernel filesystem (overlay can stack
 *                                   any host directory)
 *   type=nfs|cifs,o=addr=...        a network share reached from the host
 *
 * Rule volume_create: the driver must be in volume_create.drivers (default:
 * local only); the options above are refused unless
 * volume_create.allow_host_opts, except a bind whose device is a host path
 * the bind_mounts rule allows (read-only binds: "ro" in o).  tmpfs and
 * "size" are always fine.  Options the local driver would refuse (a key
 * other than type, o, device, size; type without device) are refused as
 * malformed whatever the policy, as the daemon would.  Plugin drivers get
 * their options opaque: allowing such a driver allows its options.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "insp_check.h"
#include "insp_endpoints.h"

#define FIELD(n, k, e, s)         { n, k, e, s },
#define STR(n)                    FIELD(n, PJ_STRING, PJ_ANY, NULL)
#define INT(n)                    FIELD(n, PJ_INT, PJ_ANY, NULL)
#define STRS(n)                   FIELD(n, PJ_ARRAY, PJ_STRING, NULL)
#define STRMAP(n)                 FIELD(n, PJ_MAP, PJ_STRING, NULL)
#define STRUCT(n, s)              FIELD(n, PJ_STRUCT, PJ_ANY, &s)
#define STRUCTS(n, s)             FIELD(n, PJ_ARRAY, PJ_STRUCT, &s)
#define SCHEMA(var, name, fields) const struct pol_jschema var = { name, fields, nitems(fields) }

/* volume.ClusterVolumeSpec and its parts (API 1.42) */
static const struct pol_jfield type_mount_fields[] = { STR("FsType") STRS("MountFlags") };
static SCHEMA(type_mount, "TypeMount", type_mount_fields);
static const struct pol_jfield type_block_fields[] = { FIELD("", PJ_ANY, PJ_ANY, NULL) };
static const struct pol_jschema type_block = { "TypeBlock", type_block_fields, 0 };
static const struct pol_jfield access_mode_fields[] = { STR("Scope") STR("Sharing")
	    STRUCT("MountVolume", type_mount) STRUCT("BlockVolume", type_block) };
static SCHEMA(access_mode, "AccessMode", access_mode_fields);
static const struct pol_jfield topology_fields[] = { STRMAP("Segments") };
static SCHEMA(topology, "Topology", topology_fields);
static const struct pol_jfield topology_req_fields[] = { STRUCTS("Requisite", topology)
	    STRUCTS("Preferred", topology) };
static SCHEMA(topology_req, "TopologyRequirement", topology_req_fields);
static const struct pol_jfield capacity_fields[] = { INT("RequiredBytes") INT("LimitBytes") };
static SCHEMA(capacity, "CapacityRange", capacity_fields);
static const struct pol_jfield secret_fields[] = { STR("Key") STR("Secret") };
static SCHEMA(cv_secret, "Secret", secret_fields);
static const struct pol_jfield cluster_spec_fields[] = { STR("Group") STRUCT(
    "AccessMode", access_mode) STRUCT("AccessibilityRequirements", topology_req)
	    STRUCT("CapacityRange", capacity) STRUCTS("Secrets", cv_secret) STR("Availability") };
static SCHEMA(cluster_spec, "ClusterVolumeSpec", cluster_spec_fields);

static const struct pol_jfield volume_create_fields[] = { STRUCT("ClusterVolumeSpec", cluster_spec)
	    STR("Driver") STRMAP("DriverOpts") STRMAP("Labels") STR("Name") };
SCHEMA(pol_schema_volume_create, "VolumeCreateRequest", volume_create_fields);

bool
pol_volume_driver_allowed(const struct pol_strlist *drivers, const char *driver)
{
	if (drivers->n == 0)
		return strcmp(driver, "local") == 0;
	return pol_strlist_match(drivers, driver);
}

static void
check_local_opts(struct pol_insp_ctx *ctx, const struct pol_volopts *v)
{
	const struct pol_rules *r = ctx->rules;
	char clean[4096];

	switch (v->kind) {
	case POL_VOLOPTS_NONE:
	case POL_VOLOPTS_TMPFS:
	case POL_VOLOPTS_BAD:
		return;
	case POL_VOLOPTS_BIND:
		if (r->volume_create_allow_host_opts)
			return;
		if (pol_rule_on(ctx, POL_RULE_BIND_MOUNTS) && v->device[0] == '/' &&
		    pol_path_clean(v->device, clean, sizeof(clean)) != NULL &&
		    pol_chk_bind_allowed(r, clean, v->read_only))
			return;
		pol_finding_add(ctx, POL_RULE_VOLUME_CREATE, "DriverOpts.device", v->device,
		    "%s; allow host paths in bind_mounts or set volume_create.host_options",
		    pol_chk_volopts_what(v));
		return;
	case POL_VOLOPTS_FS:
	case POL_VOLOPTS_NETFS:
		if (r->volume_create_allow_host_opts)
			return;
		pol_finding_add(ctx, POL_RULE_VOLUME_CREATE, "DriverOpts.type", v->type, "%s",
		    pol_chk_volopts_what(v));
		return;
	}
}

int
pol_insp_volume_create(struct pol_insp_ctx *ctx)
{
	const char *driver;
	struct pol_volopts v;
	const cJSON *root;

	if (pol_chk_root_struct(ctx, &pol_schema_volume_create) == -1)
		return -1;
	root = pol_chk_root(ctx);
	driver = root != NULL ? pol_json_string(root, "Driver") : NULL;
	if (driver == NULL || driver[0] == '\0')
		driver = "local";
	if (strcmp(driver, "local") == 0) {
		pol_chk_local_volume_opts(
		    root != NULL ? pol_json_get(root, "DriverOpts") : NULL, &v);
		if (v.kind == POL_VOLOPTS_BAD)
			return pol_chk_malformed(ctx, "DriverOpts: %s%s%s%s", v.why,
			    v.bad_key[0] != '\0' ? " \"" : "", v.bad_key,
			    v.bad_key[0] != '\0' ? "\"" : "");
	}
	if (!pol_rule_on(ctx, POL_RULE_VOLUME_CREATE))
		return 0;
	if (!pol_volume_driver_allowed(&ctx->rules->volume_create_drivers, driver))
		pol_finding_add(ctx, POL_RULE_VOLUME_CREATE, "Driver", driver,
		    "is a volume driver the policy does not allow");
	else if (strcmp(driver, "local") == 0)
		check_local_opts(ctx, &v);
	return 0;
}
