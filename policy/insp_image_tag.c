/*
 * ImageTag (POST /images/{name}/tag?repo=&tag=): the image the path names
 * gets one more name.  Under the images rule both must be allowed: the
 * name written (repo, tag), as for a commit's repo or a build's t, and the
 * image tagged, as for a create's Image, so that an image the rule keeps
 * out cannot be run under an allowed name (`docker tag evil busybox:x`,
 * then `docker run busybox:x`).  The image tagged is matched by name: one
 * named by an id, or by all-hex text the daemon may read as an id prefix,
 * is refused.  The daemon reads repo and tag with r.Form.Get (first values).
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "query.h"

int
pol_insp_image_tag(struct pol_insp_ctx *ctx)
{
	const struct sw_str *ref = &ctx->req->ref;
	char source[1100], given[1100];
	const char *repo, *tag;
	struct pol_query q;

	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	if (pol_rule_on(ctx, POL_RULE_IMAGES)) {
		repo = pol_query_value(&q, "repo");
		tag = pol_query_value(&q, "tag");
		/* Never a name cut short: one too long to hold is refused. */
		if (ref->len >= sizeof(source))
			pol_finding_add(ctx, POL_RULE_IMAGES, "name", "", "is too long");
		else {
			snprintf(source, sizeof(source), "%.*s", (int)ref->len,
			    ref->p != NULL ? ref->p : "");
			pol_chk_image(ctx, "name", source, false);
		}
		if (repo[0] != '\0' && strlen(repo) + strlen(tag) + 2 > sizeof(given))
			pol_finding_add(ctx, POL_RULE_IMAGES, "repo", "", "is too long");
		else if (repo[0] != '\0') {
			size_t n = strlen(repo);

			memcpy(given, repo, n + 1);
			if (tag[0] != '\0') {
				given[n] = ':';
				memcpy(given + n + 1, tag, strlen(tag) + 1);
			}
			pol_chk_image(ctx, "repo", given, true);
		}
	}
	pol_query_free(&q);
	return 0;
}
