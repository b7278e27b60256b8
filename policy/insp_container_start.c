/*
 * ContainerStart: the body must be empty.  dockerd <= 24 applies a body as a
 * HostConfig before starting (API < 1.24), which would bypass every check
 * made at create; newer daemons refuse any body, so no client needs one.
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
	/* Refused whatever the policy's mode: nothing could inspect it later. */
	if (ctx->n_findings > 0)
		ctx->findings[ctx->n_findings - 1].mode = POL_MODE_ENFORCE;
	return 0;
}
