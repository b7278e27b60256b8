/*
 * Swarm membership.  A node that joins a swarm runs whatever the managers
 * schedule on it (binds, host network, capabilities), and a node that
 * initialises one opens the cluster ports and becomes a manager, so:
 *
 *   SwarmInit   (POST /swarm/init)    refused unless swarm.allow_init
 *   SwarmJoin   (POST /swarm/join)    refused unless swarm.allow_join
 *   SwarmUpdate (POST /swarm/update)  typed only (the endpoint allow-list decides)
 *   SwarmUnlock (POST /swarm/unlock)  typed only
 *
 * All four are read with ReadJSON (dockerd 20.10: without a Content-Type
 * check, which the proxy applies anyway).
 */
#include "sockwarden/compat.h"

#include "insp_check.h"
#include "insp_endpoints.h"

#define FIELD(n, k, e, s)         { n, k, e, s },
#define BOOL(n)                   FIELD(n, PJ_BOOL, PJ_ANY, NULL)
#define STR(n)                    FIELD(n, PJ_STRING, PJ_ANY, NULL)
#define INT(n)                    FIELD(n, PJ_INT, PJ_ANY, NULL)
#define UINT(n)                   FIELD(n, PJ_UINT, PJ_ANY, NULL)
#define STRS(n)                   FIELD(n, PJ_ARRAY, PJ_STRING, NULL)
#define STRMAP(n)                 FIELD(n, PJ_MAP, PJ_STRING, NULL)
#define STRUCT(n, s)              FIELD(n, PJ_STRUCT, PJ_ANY, &s)
#define STRUCTS(n, s)             FIELD(n, PJ_ARRAY, PJ_STRUCT, &s)
#define SCHEMA(var, name, fields) const struct pol_jschema var = { name, fields, nitems(fields) }

static const struct pol_jfield orchestration_fields[] = { INT("TaskHistoryRetentionLimit") };
static SCHEMA(orchestration, "OrchestrationConfig", orchestration_fields);
static const struct pol_jfield raft_fields[] = { UINT("SnapshotInterval") UINT("KeepOldSnapshots")
	    UINT("LogEntriesForSlowFollowers") INT("ElectionTick") INT("HeartbeatTick") };
static SCHEMA(raft, "RaftConfig", raft_fields);
static const struct pol_jfield dispatcher_fields[] = { INT("HeartbeatPeriod") };
static SCHEMA(dispatcher, "DispatcherConfig", dispatcher_fields);
static const struct pol_jfield external_ca_fields[] = { STR("Protocol") STR("URL") STRMAP("Options")
	    STR("CACert") };
static SCHEMA(external_ca, "ExternalCA", external_ca_fields);
static const struct pol_jfield ca_config_fields[] = { INT("NodeCertExpiry") STRUCTS(
    "ExternalCAs", external_ca) STR("SigningCACert") STR("SigningCAKey") UINT("ForceRotate") };
static SCHEMA(ca_config, "CAConfig", ca_config_fields);
static const struct pol_jfield driver_fields[] = { STR("Name") STRMAP("Options") };
static SCHEMA(driver, "Driver", driver_fields);
static const struct pol_jfield task_defaults_fields[] = { STRUCT("LogDriver", driver) };
static SCHEMA(task_defaults, "TaskDefaults", task_defaults_fields);
static const struct pol_jfield encryption_fields[] = { BOOL("AutoLockManagers") };
static SCHEMA(encryption, "EncryptionConfig", encryption_fields);

/* swarm.Spec (with the embedded Annotations) */
static const struct pol_jfield spec_fields[] = { STR("Name") STRMAP("Labels")
	    STRUCT("Orchestration", orchestration) STRUCT("Raft", raft)
	        STRUCT("Dispatcher", dispatcher) STRUCT("CAConfig", ca_config)
	            STRUCT("TaskDefaults", task_defaults) STRUCT("EncryptionConfig", encryption) };
SCHEMA(pol_schema_swarm_spec, "Spec", spec_fields);

static const struct pol_jfield init_fields[] = { STR("ListenAddr") STR("AdvertiseAddr")
	    STR("DataPathAddr") UINT("DataPathPort") BOOL("ForceNewCluster")
	        STRUCT("Spec", pol_schema_swarm_spec) BOOL("AutoLockManagers") STR("Availability")
	            STRS("DefaultAddrPool") UINT("SubnetSize") };
SCHEMA(pol_schema_swarm_init, "InitRequest", init_fields);

static const struct pol_jfield join_fields[] = { STR("ListenAddr") STR("AdvertiseAddr")
	    STR("DataPathAddr") STRS("RemoteAddrs") STR("JoinToken") STR("Availability") };
SCHEMA(pol_schema_swarm_join, "JoinRequest", join_fields);

static const struct pol_jfield unlock_fields[] = { STR("UnlockKey") };
SCHEMA(pol_schema_swarm_unlock, "UnlockRequest", unlock_fields);

int
pol_insp_swarm_init(struct pol_insp_ctx *ctx)
{
	if (pol_chk_root_struct(ctx, &pol_schema_swarm_init) == -1)
		return -1;
	if (pol_rule_on(ctx, POL_RULE_SWARM) && !ctx->rules->allow_swarm_init)
		pol_finding_add(ctx, POL_RULE_SWARM, "ListenAddr",
		    pol_chk_root(ctx) != NULL ? pol_json_string(pol_chk_root(ctx), "ListenAddr") :
		                                "",
		    "makes this node a swarm manager");
	return 0;
}

int
pol_insp_swarm_join(struct pol_insp_ctx *ctx)
{
	const cJSON *root, *addrs;

	if (pol_chk_root_struct(ctx, &pol_schema_swarm_join) == -1)
		return -1;
	if (!pol_rule_on(ctx, POL_RULE_SWARM) || ctx->rules->allow_swarm_join)
		return 0;
	root = pol_chk_root(ctx);
	addrs = root != NULL ? pol_json_get(root, "RemoteAddrs") : NULL;
	pol_finding_add(ctx, POL_RULE_SWARM, "RemoteAddrs",
	    addrs != NULL && cJSON_IsString(cJSON_GetArrayItem(addrs, 0)) ?
	        cJSON_GetArrayItem(addrs, 0)->valuestring :
	        "",
	    "lets the swarm's managers run anything on this node");
	return 0;
}

int
pol_insp_swarm_update(struct pol_insp_ctx *ctx)
{
	return pol_chk_root_struct(ctx, &pol_schema_swarm_spec);
}

int
pol_insp_swarm_unlock(struct pol_insp_ctx *ctx)
{
	return pol_chk_root_struct(ctx, &pol_schema_swarm_unlock);
}
