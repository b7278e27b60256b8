/*
 * Private to policy/: the Go types of the container endpoints as schemas
 * for pol_json_check() (moby api/types/container, mount, network,
 * blkiodev, go-units), and the container inspectors.
 *
 * Every field any supported daemon (20.10 .. master) decodes is listed, so
 * that nothing the daemon reads is dropped from the forwarded body; removed
 * fields that older daemons still honour (KernelMemory, Capabilities,
 * MacAddress) are kept.
 */
#ifndef SW_POLICY_SCHEMA_CONTAINER_H
#define SW_POLICY_SCHEMA_CONTAINER_H

#include "inspect.h"
#include "json_strict.h"

/* container.Config */
extern const struct pol_jschema pol_schema_config;
/* container.HostConfig with the embedded Resources flattened in */
extern const struct pol_jschema pol_schema_host_config;
/* network.NetworkingConfig */
extern const struct pol_jschema pol_schema_networking_config;
/* container.CreateRequest (dockerd >= 27): Config fields, HostConfig, NetworkingConfig */
extern const struct pol_jschema pol_schema_create_request;
/*
 * runconfig.ContainerConfigWrapper (dockerd <= 26): Config fields,
 * HostConfig, Cpuset, NetworkingConfig and every HostConfig field again at
 * the top level.
 */
extern const struct pol_jschema pol_schema_create_wrapper;
/* container.UpdateConfig: Resources fields and RestartPolicy */
extern const struct pol_jschema pol_schema_update_config;
/* network.EndpointSettings (also the body of NetworkConnect) */
extern const struct pol_jschema pol_schema_endpoint_settings;
/* go-units Ulimit (also the ulimits query parameter of ImageBuild) */
extern const struct pol_jschema pol_schema_ulimit;

/* Is "name" a field of HostConfig (exact spelling)? */
bool pol_schema_is_host_config_field(const char *name);

/* The container inspectors (insp_container_*.c). */
int pol_insp_container_create(struct pol_insp_ctx *ctx);
int pol_insp_container_update(struct pol_insp_ctx *ctx);
int pol_insp_container_start(struct pol_insp_ctx *ctx);

extern const struct pol_jschema pol_schema_mount;

#endif
