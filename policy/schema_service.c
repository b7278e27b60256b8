/*
 * The ServiceCreate / ServiceUpdate body as a schema: the daemon's
 * serviceWithLegacy, which embeds swarm.ServiceSpec and adds the legacy
 * top-level Networks (moby api/types/swarm, mount, container).
 *
 * Kinds follow the Go types: time.Duration, int and int64 are PJ_INT;
 * uint32, uint64 and os.FileMode PJ_UINT; float32 PJ_FLOAT; []byte a
 * base64 PJ_STRING; netip values strings.  [][]string (tmpfs options) is
 * PJ_ANY.  Fields removed from the types that older daemons still read are
 * kept so that nothing the daemon reads is dropped.
 */
#include "sockwarden/compat.h"

#include "insp_endpoints.h"
#include "schema_container.h"

#define FIELD(n, k, e, s)         { n, k, e, s },
#define BOOL(n)                   FIELD(n, PJ_BOOL, PJ_ANY, NULL)
#define STR(n)                    FIELD(n, PJ_STRING, PJ_ANY, NULL)
#define INT(n)                    FIELD(n, PJ_INT, PJ_ANY, NULL)
#define UINT(n)                   FIELD(n, PJ_UINT, PJ_ANY, NULL)
#define FLOAT(n)                  FIELD(n, PJ_FLOAT, PJ_ANY, NULL)
#define ANY(n)                    FIELD(n, PJ_ANY, PJ_ANY, NULL)
#define STRS(n)                   FIELD(n, PJ_ARRAY, PJ_STRING, NULL)
#define STRMAP(n)                 FIELD(n, PJ_MAP, PJ_STRING, NULL)
#define STRUCT(n, s)              FIELD(n, PJ_STRUCT, PJ_ANY, &s)
#define STRUCTS(n, s)             FIELD(n, PJ_ARRAY, PJ_STRUCT, &s)
#define SCHEMA(var, name, fields) const struct pol_jschema var = { name, fields, nitems(fields) }
/* A struct with no fields: every key is unknown and removed. */
#define EMPTY(var, name)          static const struct pol_jschema var = { name, empty_fields, 0 }

static const struct pol_jfield empty_fields[] = { ANY("") };

/* mount.Mount is pol_schema_mount (schema_container.c); the daemon upper-cases Type and
 * Propagation for swarm, which the inspector accounts for. */

/* swarm.Driver (log drivers, network and IPAM drivers, volume driver config). */
static const struct pol_jfield driver_fields[] = { STR("Name") STRMAP("Options") };
static SCHEMA(driver, "Driver", driver_fields);

/* ---- swarm.ContainerSpec -------------------------------------------------------- */

static const struct pol_jfield credential_spec_fields[] = { STR("Config") STR("File")
	    STR("Registry") };
static SCHEMA(credential_spec, "CredentialSpec", credential_spec_fields);
static const struct pol_jfield selinux_fields[] = { BOOL("Disable") STR("User") STR("Role")
	    STR("Type") STR("Level") };
static SCHEMA(selinux, "SELinuxContext", selinux_fields);
static const struct pol_jfield seccomp_fields[] = { STR("Mode") STR("Profile") };
static SCHEMA(seccomp, "SeccompOpts", seccomp_fields);
static const struct pol_jfield apparmor_fields[] = { STR("Mode") };
static SCHEMA(apparmor, "AppArmorOpts", apparmor_fields);
static const struct pol_jfield privileges_fields[] = { STRUCT("CredentialSpec", credential_spec)
	    STRUCT("SELinuxContext", selinux) STRUCT("Seccomp", seccomp)
	        STRUCT("AppArmor", apparmor) BOOL("NoNewPrivileges") };
static SCHEMA(privileges, "Privileges", privileges_fields);

static const struct pol_jfield health_fields[] = { STRS("Test") INT("Interval") INT("Timeout")
	    INT("StartPeriod") INT("StartInterval") INT("Retries") };
static SCHEMA(health, "HealthConfig", health_fields);
static const struct pol_jfield dns_fields[] = { STRS("Nameservers") STRS("Search")
	    STRS("Options") };
static SCHEMA(dns_config, "DNSConfig", dns_fields);
static const struct pol_jfield file_target_fields[] = { STR("Name") STR("UID") STR("GID")
	    UINT("Mode") };
static SCHEMA(file_target, "FileTarget", file_target_fields);
static const struct pol_jfield secret_ref_fields[] = { STRUCT("File", file_target) STR("SecretID")
	    STR("SecretName") };
static SCHEMA(secret_ref, "SecretReference", secret_ref_fields);
EMPTY(runtime_target, "ConfigReferenceRuntimeTarget");
static const struct pol_jfield config_ref_fields[] = { STRUCT("File", file_target)
	    STRUCT("Runtime", runtime_target) STR("ConfigID") STR("ConfigName") };
static SCHEMA(config_ref, "ConfigReference", config_ref_fields);
static const struct pol_jfield ulimit_fields[] = { STR("Name") INT("Hard") INT("Soft") };
static SCHEMA(ulimit, "Ulimit", ulimit_fields);

static const struct pol_jfield container_spec_fields[] = { STR("Image") STRMAP("Labels") STRS(
    "Command") STRS("Args") STR("Hostname") STRS("Env") STR("Dir") STR("User") STRS("Groups")
	    STRUCT("Privileges", privileges) BOOL("Init") STR("StopSignal") BOOL("TTY")
	        BOOL("OpenStdin") BOOL("ReadOnly") STRUCTS("Mounts", pol_schema_mount)
	            INT("StopGracePeriod") STRUCT("Healthcheck", health) STRS("Hosts")
	                STRUCT("DNSConfig", dns_config) STRUCTS("Secrets", secret_ref)
	                    STRUCTS("Configs", config_ref) STR("Isolation") STRMAP("Sysctls")
	                        STRS("CapabilityAdd") STRS("CapabilityDrop")
	                            STRUCTS("Ulimits", ulimit) INT("OomScoreAdj") };
static SCHEMA(container_spec, "ContainerSpec", container_spec_fields);

/* ---- swarm.RuntimeSpec (PluginSpec): lower-case JSON names -------------------------- */

static const struct pol_jfield runtime_priv_fields[] = { STR("name") STR("description")
	    STRS("value") };
static SCHEMA(runtime_priv, "RuntimePrivilege", runtime_priv_fields);
static const struct pol_jfield runtime_spec_fields[] = { STR("name") STR("remote")
	    STRUCTS("privileges", runtime_priv) BOOL("disabled") STRS("env") };
static SCHEMA(runtime_spec, "RuntimeSpec", runtime_spec_fields);

/* ---- swarm.TaskSpec --------------------------------------------------------------- */

static const struct pol_jfield net_attach_spec_fields[] = { STR("ContainerID") };
static SCHEMA(net_attach_spec, "NetworkAttachmentSpec", net_attach_spec_fields);
static const struct pol_jfield named_res_fields[] = { STR("Kind") STR("Value") };
static SCHEMA(named_res, "NamedGenericResource", named_res_fields);
static const struct pol_jfield discrete_res_fields[] = { STR("Kind") INT("Value") };
static SCHEMA(discrete_res, "DiscreteGenericResource", discrete_res_fields);
static const struct pol_jfield generic_res_fields[] = { STRUCT("NamedResourceSpec", named_res)
	    STRUCT("DiscreteResourceSpec", discrete_res) };
static SCHEMA(generic_res, "GenericResource", generic_res_fields);
static const struct pol_jfield limit_fields[] = { INT("NanoCPUs") INT("MemoryBytes") INT("Pids") };
static SCHEMA(limit, "Limit", limit_fields);
static const struct pol_jfield resources_fields[] = { INT("NanoCPUs") INT("MemoryBytes")
	    STRUCTS("GenericResources", generic_res) };
static SCHEMA(resources, "Resources", resources_fields);
static const struct pol_jfield res_req_fields[] = { STRUCT("Limits", limit)
	    STRUCT("Reservations", resources) INT("SwapBytes") INT("MemorySwappiness") };
static SCHEMA(res_req, "ResourceRequirements", res_req_fields);
static const struct pol_jfield restart_fields[] = { STR("Condition") INT("Delay")
	    UINT("MaxAttempts") INT("Window") };
static SCHEMA(restart_policy, "RestartPolicy", restart_fields);
static const struct pol_jfield spread_fields[] = { STR("SpreadDescriptor") };
static SCHEMA(spread, "SpreadOver", spread_fields);
static const struct pol_jfield pref_fields[] = { STRUCT("Spread", spread) };
static SCHEMA(preference, "PlacementPreference", pref_fields);
static const struct pol_jfield platform_fields[] = { STR("Architecture") STR("OS") };
static SCHEMA(platform, "Platform", platform_fields);
static const struct pol_jfield placement_fields[] = { STRS("Constraints")
	    STRUCTS("Preferences", preference) UINT("MaxReplicas") STRUCTS("Platforms", platform) };
static SCHEMA(placement, "Placement", placement_fields);
static const struct pol_jfield net_attach_fields[] = { STR("Target") STRS("Aliases")
	    STRMAP("DriverOpts") };
static SCHEMA(net_attach, "NetworkAttachmentConfig", net_attach_fields);

static const struct pol_jfield task_spec_fields[] = { STRUCT("ContainerSpec", container_spec)
	    STRUCT("PluginSpec", runtime_spec) STRUCT("NetworkAttachmentSpec", net_attach_spec)
	        STRUCT("Resources", res_req) STRUCT("RestartPolicy", restart_policy)
	            STRUCT("Placement", placement) STRUCTS("Networks", net_attach)
	                STRUCT("LogDriver", driver) UINT("ForceUpdate") STR("Runtime") };
static SCHEMA(task_spec, "TaskSpec", task_spec_fields);

/* ---- swarm.ServiceSpec ------------------------------------------------------------- */

static const struct pol_jfield replicated_fields[] = { UINT("Replicas") };
static SCHEMA(replicated, "ReplicatedService", replicated_fields);
static const struct pol_jfield replicated_job_fields[] = { UINT("MaxConcurrent")
	    UINT("TotalCompletions") };
static SCHEMA(replicated_job, "ReplicatedJob", replicated_job_fields);
EMPTY(global, "GlobalService");
EMPTY(global_job, "GlobalJob");
static const struct pol_jfield mode_fields[] = { STRUCT("Replicated", replicated) STRUCT(
    "Global", global) STRUCT("ReplicatedJob", replicated_job) STRUCT("GlobalJob", global_job) };
static SCHEMA(service_mode, "ServiceMode", mode_fields);
static const struct pol_jfield update_config_fields[] = { UINT("Parallelism") INT("Delay")
	    STR("FailureAction") INT("Monitor") FLOAT("MaxFailureRatio") STR("Order") };
static SCHEMA(update_config, "UpdateConfig", update_config_fields);
static const struct pol_jfield port_config_fields[] = { STR("Name") STR("Protocol")
	    UINT("TargetPort") UINT("PublishedPort") STR("PublishMode") };
static SCHEMA(port_config, "PortConfig", port_config_fields);
static const struct pol_jfield endpoint_spec_fields[] = { STR("Mode")
	    STRUCTS("Ports", port_config) };
static SCHEMA(endpoint_spec, "EndpointSpec", endpoint_spec_fields);

static const struct pol_jfield service_spec_fields[] = { STR("Name") STRMAP("Labels")
	    STRUCT("TaskTemplate", task_spec) STRUCT("Mode", service_mode)
	        STRUCT("UpdateConfig", update_config) STRUCT("RollbackConfig", update_config)
	            STRUCT("EndpointSpec", endpoint_spec) STRUCTS("Networks", net_attach) };
SCHEMA(pol_schema_service_spec, "ServiceSpec", service_spec_fields);
