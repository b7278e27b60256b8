/*
 * ContainerUpdate: the body is an UpdateConfig (Resources and
 * RestartPolicy), type-checked by inspect.c.  The daemon copies only
 * resource limits and the restart policy from it (container.UpdateContainer):
 * device fields and the cgroup parent in the body are ignored, so only the
 * limits are checked.  A zero or absent limit leaves the container's as it
 * is; a negative one (or PidsLimit 0) removes it.
 */
#include "sockwarden/compat.h"

#include "insp_container.h"

int
pol_insp_container_update(struct pol_insp_ctx *ctx)
{
	if (ctx->doc == NULL || ctx->doc->root == NULL)
		return 0;
	pol_cc_check_resources(ctx, ctx->doc->root, "", true);
	return 0;
}
