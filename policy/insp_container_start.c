/*
 * ContainerStart: the body must be empty.  dockerd <= 24 applies a body as a
 * HostConfig before starting (API < 1.24), which would bypass every check
 * made at create; newer daemons refuse any body, so no client needs one.
 * The legacy rule is always enforced (rules.h): nothing could inspect that
 * HostConfig later.
 */
#include "sockwarden/compat.h"

#include "schema_container.h"

int
pol_insp_container_start(struct pol_insp_ctx *ctx)
{
	if (ctx->doc == NULL || ctx->doc->root == NULL)
		return 0;
	pol_finding_add(ctx, POL_RULE_LEGACY, "body", "",
	    "is a HostConfig given at start, which old daemons apply without the create checks");
	return 0;
}
