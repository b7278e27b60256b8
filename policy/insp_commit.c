/*
 * ImageCommit (POST /commit?container=&repo=&tag=&comment=&author=&pause=
 * &changes=): the body is an optional container.Config (dockerd <= 26 read
 * the create wrapper and kept only its Config), read with ReadJSON; it
 * becomes the new image's configuration (User, Entrypoint, ...), which
 * only matters when a container is later created from the image, and that
 * create is checked on its own.  What the commit itself decides is the
 * image's name: repo and tag are checked under the images rule, so a commit
 * cannot put other content under an allowed image's name.
 */
#include "sockwarden/compat.h"

#include <stdio.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "query.h"
#include "schema_container.h"

static void
check_name(struct pol_insp_ctx *ctx, const struct pol_query *q)
{
	const char *repo = pol_query_value(q, "repo"), *tag = pol_query_value(q, "tag");
	char given[1100];

	if (repo[0] == '\0')
		return;
	snprintf(given, sizeof(given), "%s%s%s", repo, tag[0] != '\0' ? ":" : "", tag);
	pol_chk_image(ctx, "repo", given, true);
}

int
pol_insp_commit(struct pol_insp_ctx *ctx)
{
	struct pol_query q;

	if (pol_chk_root_struct(ctx, &pol_schema_config) == -1)
		return -1;
	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	check_name(ctx, &q);
	pol_query_free(&q);
	return 0;
}
