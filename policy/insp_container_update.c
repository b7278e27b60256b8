/*
 * ContainerUpdate: the body is an UpdateConfig (Resources and
 * RestartPolicy), read with ReadJSON: an empty body or a JSON null is the
 * zero value, which changes nothing.  The daemon copies only resource
 * limits and the restart policy from it (container.UpdateContainer):
 * device fields and the cgroup parent in the body are ignored, so only the
 * limits are checked.  A zero or absent limit leaves the container's as it
 * is; a negative one (or PidsLimit 0) removes it.
 */
#include "sockwarden/compat.h"

#include "insp_check.h"
#include "insp_container.h"

int
pol_insp_container_update(struct pol_insp_ctx *ctx)
{
	cJSON *root;

	if (pol_chk_root_struct(ctx, &pol_schema_update_config) == -1)
		return -1;
	if ((root = pol_chk_root(ctx)) != NULL)
		pol_cc_check_resources(ctx, root, "", true);
	return 0;
}
