/*
 * Schemas of the container endpoints' bodies, mirroring moby's Go types.
 * Field lists are X-macros so that the ≤26 create wrapper, which embeds
 * Config and HostConfig (and HostConfig embeds Resources), is built from
 * the same lists as the types themselves.
 *
 * Kinds follow the Go field types: string-like named types (NetworkMode,
 * IpcMode, ...) are PJ_STRING; int, int64, *int64 and time.Duration are
 * PJ_INT; uint, uint16, uint64 and os.FileMode are PJ_UINT; strslice
 * .StrSlice (Cmd, Entrypoint, Shell, CapAdd, CapDrop up to 26) is
 * PJ_STRSLICE; map[string]struct{} values and [][]string are PJ_ANY
 * (not inspected, forwarded as sent).
 */
#include "sockwarden/compat.h"

#include <stdlib.h>
#include <string.h>

#include "schema_container.h"

#define FIELD(n, k, e, s) { n, k, e, s },
#define BOOL(n)           FIELD(n, PJ_BOOL, PJ_ANY, NULL)
#define STR(n)            FIELD(n, PJ_STRING, PJ_ANY, NULL)
#define INT(n)            FIELD(n, PJ_INT, PJ_ANY, NULL)
#define UINT(n)           FIELD(n, PJ_UINT, PJ_ANY, NULL)
#define ANY(n)            FIELD(n, PJ_ANY, PJ_ANY, NULL)
#define STRS(n)           FIELD(n, PJ_ARRAY, PJ_STRING, NULL)
#define STRSLICE(n)       FIELD(n, PJ_STRSLICE, PJ_ANY, NULL)
#define STRMAP(n)         FIELD(n, PJ_MAP, PJ_STRING, NULL)
#define STRUCT(n, s)      FIELD(n, PJ_STRUCT, PJ_ANY, &s)
#define STRUCTS(n, s)     FIELD(n, PJ_ARRAY, PJ_STRUCT, &s)

#define SCHEMA(var, name, fields) const struct pol_jschema var = { name, fields, nitems(fields) }

/* ---- small types ------------------------------------------------------------- */

/* container.HealthConfig (dockerspec.HealthcheckConfig); durations are int64 nanoseconds */
static const struct pol_jfield health_fields[] = { STRS("Test") INT("Interval") INT("Timeout")
	    INT("StartPeriod") INT("StartInterval") INT("Retries") };
static SCHEMA(health_config, "HealthConfig", health_fields);

static const struct pol_jfield log_config_fields[] = { STR("Type") STRMAP("Config") };
static SCHEMA(log_config, "LogConfig", log_config_fields);

static const struct pol_jfield restart_policy_fields[] = { STR("Name") INT("MaximumRetryCount") };
static SCHEMA(restart_policy, "RestartPolicy", restart_policy_fields);

static const struct pol_jfield device_mapping_fields[] = { STR("PathOnHost") STR("PathInContainer")
	    STR("CgroupPermissions") };
static SCHEMA(device_mapping, "DeviceMapping", device_mapping_fields);

static const struct pol_jfield device_request_fields[] = { STR("Driver") INT("Count")
	    STRS("DeviceIDs") FIELD("Capabilities", PJ_ARRAY, PJ_ANY, NULL) STRMAP("Options") };
static SCHEMA(device_request, "DeviceRequest", device_request_fields);

/* go-units Ulimit */
static const struct pol_jfield ulimit_fields[] = { STR("Name") INT("Hard") INT("Soft") };
SCHEMA(pol_schema_ulimit, "Ulimit", ulimit_fields);

/* blkiodev.WeightDevice and ThrottleDevice */
static const struct pol_jfield weight_device_fields[] = { STR("Path") UINT("Weight") };
static SCHEMA(weight_device, "WeightDevice", weight_device_fields);
static const struct pol_jfield throttle_device_fields[] = { STR("Path") UINT("Rate") };
static SCHEMA(throttle_device, "ThrottleDevice", throttle_device_fields);

/* network.PortBinding */
static const struct pol_jfield port_binding_fields[] = { STR("HostIp") STR("HostPort") };
static SCHEMA(port_binding, "PortBinding", port_binding_fields);
/* nat.PortMap: map[string][]PortBinding */
#define PORT_MAP(n) FIELD(n, PJ_MAP, PJ_ARRAY, &port_binding)

/* ---- mount.Mount ----------------------------------------------------------------- */

static const struct pol_jfield bind_options_fields[] = { STR("Propagation") BOOL("NonRecursive")
	    BOOL("CreateMountpoint") BOOL("ReadOnlyNonRecursive") BOOL("ReadOnlyForceRecursive") };
static SCHEMA(bind_options, "BindOptions", bind_options_fields);

static const struct pol_jfield driver_fields[] = { STR("Name") STRMAP("Options") };
static SCHEMA(driver, "Driver", driver_fields);

static const struct pol_jfield volume_options_fields[] = { BOOL("NoCopy") STRMAP("Labels")
	    STR("Subpath") STRUCT("DriverConfig", driver) };
static SCHEMA(volume_options, "VolumeOptions", volume_options_fields);

static const struct pol_jfield image_options_fields[] = { STR("Subpath") };
static SCHEMA(image_options, "ImageOptions", image_options_fields);

static const struct pol_jfield tmpfs_options_fields[] = { INT("SizeBytes") UINT("Mode")
	    FIELD("Options", PJ_ARRAY, PJ_ANY, NULL) };
static SCHEMA(tmpfs_options, "TmpfsOptions", tmpfs_options_fields);

/* mount.ClusterOptions has no fields (yet): any key is unknown and removed. */
static const struct pol_jfield cluster_options_fields[] = { ANY("") };
static const struct pol_jschema cluster_options = { "ClusterOptions", cluster_options_fields, 0 };

static const struct pol_jfield mount_fields[] = { STR("Type") STR("Source") STR("Target")
	    BOOL("ReadOnly") STR("Consistency") STRUCT("BindOptions", bind_options) STRUCT(
	        "VolumeOptions", volume_options) STRUCT("ImageOptions", image_options)
	        STRUCT("TmpfsOptions", tmpfs_options) STRUCT("ClusterOptions", cluster_options) };
/* Shared with swarm service task specs (schema_service.c): the same Go type. */
SCHEMA(pol_schema_mount, "Mount", mount_fields);

/* ---- network.NetworkingConfig -------------------------------------------------- */

static const struct pol_jfield ipam_config_fields[] = { STR("IPv4Address") STR("IPv6Address")
	    STRS("LinkLocalIPs") };
static SCHEMA(ipam_config, "EndpointIPAMConfig", ipam_config_fields);

static const struct pol_jfield endpoint_fields[] = { STRUCT("IPAMConfig", ipam_config) STRS("Links")
	    STRS("Aliases") STRMAP("DriverOpts") INT("GwPriority") STR("NetworkID")
	        STR("EndpointID") STR("Gateway") STR("IPAddress") INT("IPPrefixLen")
	            STR("IPv6Gateway") STR("GlobalIPv6Address") INT("GlobalIPv6PrefixLen")
	                STR("MacAddress") STRS("DNSNames") };
SCHEMA(pol_schema_endpoint_settings, "EndpointSettings", endpoint_fields);

static const struct pol_jfield networking_fields[] = { FIELD(
    "EndpointsConfig", PJ_MAP, PJ_STRUCT, &pol_schema_endpoint_settings) };
SCHEMA(pol_schema_networking_config, "NetworkingConfig", networking_fields);

/* ---- Config, Resources, HostConfig ------------------------------------------------ */

#define CONFIG_FIELDS                               \
	STR("Hostname")                             \
	STR("Domainname")                           \
	STR("User")                                 \
	BOOL("AttachStdin")                         \
	BOOL("AttachStdout")                        \
	BOOL("AttachStderr")                        \
	FIELD("ExposedPorts", PJ_MAP, PJ_ANY, NULL) \
	BOOL("Tty")                                 \
	BOOL("OpenStdin")                           \
	BOOL("StdinOnce")                           \
	STRS("Env")                                 \
	STRSLICE("Cmd")                             \
	STRUCT("Healthcheck", health_config)        \
	BOOL("ArgsEscaped")                         \
	STR("Image")                                \
	FIELD("Volumes", PJ_MAP, PJ_ANY, NULL)      \
	STR("WorkingDir")                           \
	STRSLICE("Entrypoint")                      \
	BOOL("NetworkDisabled")                     \
	STR("MacAddress") /* up to API 1.51 */      \
	STRS("OnBuild")                             \
	STRMAP("Labels")                            \
	STR("StopSignal")                           \
	INT("StopTimeout")                          \
	STRSLICE("Shell")

#define RESOURCES_FIELDS                                 \
	INT("CpuShares")                                 \
	INT("Memory")                                    \
	INT("NanoCpus")                                  \
	STR("CgroupParent")                              \
	UINT("BlkioWeight")                              \
	STRUCTS("BlkioWeightDevice", weight_device)      \
	STRUCTS("BlkioDeviceReadBps", throttle_device)   \
	STRUCTS("BlkioDeviceWriteBps", throttle_device)  \
	STRUCTS("BlkioDeviceReadIOps", throttle_device)  \
	STRUCTS("BlkioDeviceWriteIOps", throttle_device) \
	INT("CpuPeriod")                                 \
	INT("CpuQuota")                                  \
	INT("CpuRealtimePeriod")                         \
	INT("CpuRealtimeRuntime")                        \
	STR("CpusetCpus")                                \
	STR("CpusetMems")                                \
	STRUCTS("Devices", device_mapping)               \
	STRS("DeviceCgroupRules")                        \
	STRUCTS("DeviceRequests", device_request)        \
	INT("KernelMemory")    /* up to dockerd 25 */    \
	INT("KernelMemoryTCP") /* up to dockerd 25 */    \
	INT("MemoryReservation")                         \
	INT("MemorySwap")                                \
	INT("MemorySwappiness")                          \
	BOOL("OomKillDisable")                           \
	INT("PidsLimit")                                 \
	STRUCTS("Ulimits", pol_schema_ulimit)            \
	INT("CpuCount")                                  \
	INT("CpuPercent")                                \
	UINT("IOMaximumIOps")                            \
	UINT("IOMaximumBandwidth")

#define HOST_CONFIG_FIELDS                            \
	STRS("Binds")                                 \
	STR("ContainerIDFile")                        \
	STRUCT("LogConfig", log_config)               \
	STR("NetworkMode")                            \
	PORT_MAP("PortBindings")                      \
	STRUCT("RestartPolicy", restart_policy)       \
	BOOL("AutoRemove")                            \
	STR("VolumeDriver")                           \
	STRS("VolumesFrom")                           \
	FIELD("ConsoleSize", PJ_ARRAY, PJ_UINT, NULL) \
	STRMAP("Annotations")                         \
	STRSLICE("CapAdd")                            \
	STRSLICE("CapDrop")                           \
	STRS("Capabilities") /* API 1.40 only */      \
	STR("CgroupnsMode")                           \
	STRS("Dns")                                   \
	STRS("DnsOptions")                            \
	STRS("DnsSearch")                             \
	STRS("ExtraHosts")                            \
	STRS("GroupAdd")                              \
	STR("IpcMode")                                \
	STR("Cgroup")                                 \
	STRS("Links")                                 \
	INT("OomScoreAdj")                            \
	STR("PidMode")                                \
	BOOL("Privileged")                            \
	BOOL("PublishAllPorts")                       \
	BOOL("ReadonlyRootfs")                        \
	STRS("SecurityOpt")                           \
	STRMAP("StorageOpt")                          \
	STRMAP("Tmpfs")                               \
	STR("UTSMode")                                \
	STR("UsernsMode")                             \
	INT("ShmSize")                                \
	STRMAP("Sysctls")                             \
	STR("Runtime")                                \
	STR("Isolation")                              \
	RESOURCES_FIELDS                              \
	STRUCTS("Mounts", pol_schema_mount)           \
	STRS("MaskedPaths")                           \
	STRS("ReadonlyPaths")                         \
	BOOL("Init")

static const struct pol_jfield config_fields[] = { CONFIG_FIELDS };
SCHEMA(pol_schema_config, "Config", config_fields);

static const struct pol_jfield host_config_fields[] = { HOST_CONFIG_FIELDS };
SCHEMA(pol_schema_host_config, "HostConfig", host_config_fields);

static const struct pol_jfield create_request_fields[] = { CONFIG_FIELDS STRUCT("HostConfig",
    pol_schema_host_config) STRUCT("NetworkingConfig", pol_schema_networking_config) };
SCHEMA(pol_schema_create_request, "CreateRequest", create_request_fields);

static const struct pol_jfield create_wrapper_fields[] = { CONFIG_FIELDS STRUCT(
    "HostConfig", pol_schema_host_config) STR("Cpuset")
	    STRUCT("NetworkingConfig", pol_schema_networking_config) HOST_CONFIG_FIELDS };
SCHEMA(pol_schema_create_wrapper, "ContainerConfigWrapper", create_wrapper_fields);

static const struct pol_jfield update_config_fields[] = { RESOURCES_FIELDS STRUCT(
    "RestartPolicy", restart_policy) };
SCHEMA(pol_schema_update_config, "UpdateConfig", update_config_fields);

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Called for every top-level key of a create body on daemons <= 26: a
 * sorted index (built once; the table is constant) instead of a linear scan.
 */
bool
pol_schema_is_host_config_field(const char *name)
{
	static const char *sorted[nitems(host_config_fields)];
	static bool ready;
	size_t i;

	if (!ready) {
		for (i = 0; i < nitems(host_config_fields); i++)
			sorted[i] = host_config_fields[i].name;
		qsort(sorted, nitems(sorted), sizeof(sorted[0]), cmp_name);
		ready = true;
	}
	return bsearch(&name, sorted, nitems(sorted), sizeof(sorted[0]), cmp_name) != NULL;
}
