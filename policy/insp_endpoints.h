/*
 * Private to policy/: the inspectors of the non-container endpoints and the
 * schemas of their bodies (moby's Go types as pol_json_check tables).
 *
 * Every JSON inspector checks its own body against its schema first (an
 * empty body or a JSON null is the zero value, as ReadJSON reads it).  The
 * query-only inspectors parse ctx->req->query with Go's url.ParseQuery
 * rules (query.h) and ignore the body (an upload stream, not buffered).
 */
#ifndef SW_POLICY_INSP_ENDPOINTS_H
#define SW_POLICY_INSP_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "inspect.h"
#include "json_strict.h"

/* ---- JSON bodies ----------------------------------------------------------- */

/* ContainerExec: container.ExecCreateRequest */
extern const struct pol_jschema pol_schema_exec_create;
int pol_insp_exec_create(struct pol_insp_ctx *ctx);

/* ExecStart: container.ExecStartRequest */
extern const struct pol_jschema pol_schema_exec_start;
int pol_insp_exec_start(struct pol_insp_ctx *ctx);

/* VolumeCreate: volume.CreateRequest */
extern const struct pol_jschema pol_schema_volume_create;
int pol_insp_volume_create(struct pol_insp_ctx *ctx);

/* NetworkCreate, NetworkConnect, NetworkDisconnect */
extern const struct pol_jschema pol_schema_network_create;
extern const struct pol_jschema pol_schema_network_connect;
extern const struct pol_jschema pol_schema_network_disconnect;
int pol_insp_network_create(struct pol_insp_ctx *ctx);
int pol_insp_network_connect(struct pol_insp_ctx *ctx);
int pol_insp_network_disconnect(struct pol_insp_ctx *ctx);

/* ServiceCreate, ServiceUpdate: serviceWithLegacy (swarm.ServiceSpec + top-level Networks) */
extern const struct pol_jschema pol_schema_service_spec;
int pol_insp_service(struct pol_insp_ctx *ctx);

/* PluginPull, PluginUpgrade ([]PluginPrivilege body + query), PluginSet ([]string body) */
extern const struct pol_jfield pol_field_plugin_privileges;
int pol_insp_plugin_pull(struct pol_insp_ctx *ctx);
int pol_insp_plugin_set(struct pol_insp_ctx *ctx);

/* SwarmInit, SwarmJoin, SwarmUpdate, SwarmUnlock */
extern const struct pol_jschema pol_schema_swarm_init;
extern const struct pol_jschema pol_schema_swarm_join;
extern const struct pol_jschema pol_schema_swarm_spec;
extern const struct pol_jschema pol_schema_swarm_unlock;
int pol_insp_swarm_init(struct pol_insp_ctx *ctx);
int pol_insp_swarm_join(struct pol_insp_ctx *ctx);
int pol_insp_swarm_update(struct pol_insp_ctx *ctx);
int pol_insp_swarm_unlock(struct pol_insp_ctx *ctx);

/* ImageCommit: container.Config body + query */
int pol_insp_commit(struct pol_insp_ctx *ctx);

/* SecretCreate, ConfigCreate: swarm.SecretSpec, swarm.ConfigSpec */
extern const struct pol_jschema pol_schema_secret_spec;
extern const struct pol_jschema pol_schema_config_spec;
int pol_insp_secret_create(struct pol_insp_ctx *ctx);
int pol_insp_config_create(struct pol_insp_ctx *ctx);

/* ---- query only (the body is an upload stream) ------------------------------- */

int pol_insp_build(struct pol_insp_ctx *ctx);         /* ImageBuild */
int pol_insp_image_create(struct pol_insp_ctx *ctx);  /* ImageCreate */
int pol_insp_image_tag(struct pol_insp_ctx *ctx);     /* ImageTag */
int pol_insp_archive(struct pol_insp_ctx *ctx);       /* PutContainerArchive */
int pol_insp_plugin_create(struct pol_insp_ctx *ctx); /* PluginCreate */

/* ---- shared between inspectors ------------------------------------------------ */

/* Is "driver" an allowed volume driver (an empty list allows "local" only)? */
bool pol_volume_driver_allowed(const struct pol_strlist *drivers, const char *driver);

/*
 * Check plugin privileges (an array of {name, value[]} objects, key names
 * given: "Name"/"Value" in the plugin API, "name"/"value" in a swarm
 * PluginSpec) against the plugins rule; "field" names the array.
 */
void pol_plugin_check_privileges(struct pol_insp_ctx *ctx, const cJSON *privs, const char *field,
    const char *name_key, const char *value_key);

#endif
