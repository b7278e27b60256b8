/*
 * SecretCreate (POST /secrets/create) and ConfigCreate (POST
 * /configs/create): swarm.SecretSpec and swarm.ConfigSpec, read with
 * ReadJSON.  Typed only: a secret or config holds data, and which services
 * may read it is decided where they are referenced (ServiceCreate).  Data
 * is []byte, a base64 string in JSON.
 */
#include "sockwarden/compat.h"

#include "insp_check.h"
#include "insp_endpoints.h"

static const struct pol_jfield driver_fields[] = {
	{ "Name", PJ_STRING, PJ_ANY, NULL },
	{ "Options", PJ_MAP, PJ_STRING, NULL },
};
static const struct pol_jschema driver = { "Driver", driver_fields, nitems(driver_fields) };

static const struct pol_jfield secret_fields[] = {
	{ "Name", PJ_STRING, PJ_ANY, NULL },
	{ "Labels", PJ_MAP, PJ_STRING, NULL },
	{ "Data", PJ_STRING, PJ_ANY, NULL },
	{ "Driver", PJ_STRUCT, PJ_ANY, &driver },
	{ "Templating", PJ_STRUCT, PJ_ANY, &driver },
};
const struct pol_jschema pol_schema_secret_spec = { "SecretSpec", secret_fields,
	nitems(secret_fields) };

static const struct pol_jfield config_fields[] = {
	{ "Name", PJ_STRING, PJ_ANY, NULL },
	{ "Labels", PJ_MAP, PJ_STRING, NULL },
	{ "Data", PJ_STRING, PJ_ANY, NULL },
	{ "Templating", PJ_STRUCT, PJ_ANY, &driver },
};
const struct pol_jschema pol_schema_config_spec = { "ConfigSpec", config_fields,
	nitems(config_fields) };

int
pol_insp_secret_create(struct pol_insp_ctx *ctx)
{
	return pol_chk_root_struct(ctx, &pol_schema_secret_spec);
}

int
pol_insp_config_create(struct pol_insp_ctx *ctx)
{
	return pol_chk_root_struct(ctx, &pol_schema_config_spec);
}
