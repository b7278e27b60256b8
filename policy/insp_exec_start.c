/*
 * ExecStart (POST /exec/{id}/start): the body is container.ExecStartRequest
 * {Detach, Tty, ConsoleSize}, read with ReadJSON.  Nothing in it widens
 * what the exec instance was created with (that was decided at
 * ContainerExec), so the inspector only types the body so that what is
 * forwarded is what the daemon reads.  Detach decides whether the daemon
 * hijacks the connection; the proxy learns that from the response.
 */
#include "sockwarden/compat.h"

#include "insp_check.h"
#include "insp_endpoints.h"

static const struct pol_jfield exec_start_fields[] = {
	{ "Detach", PJ_BOOL, PJ_ANY, NULL },
	{ "Tty", PJ_BOOL, PJ_ANY, NULL },
	{ "ConsoleSize", PJ_ARRAY, PJ_UINT, NULL },
};
const struct pol_jschema pol_schema_exec_start = { "ExecStartRequest", exec_start_fields,
	nitems(exec_start_fields) };

int
pol_insp_exec_start(struct pol_insp_ctx *ctx)
{
	return pol_chk_root_struct(ctx, &pol_schema_exec_start);
}
