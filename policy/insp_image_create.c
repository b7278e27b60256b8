/*
 * ImageCreate (POST /images/create): query only; the body is an image
 * tarball when fromSrc=-, streamed and never buffered.  The daemon reads
 * the query with ParseForm and r.Form.Get (first value):
 *
 *   fromImage (+ tag)  a pull.  fromImage loses one trailing ':', is
 *                      normalised (alpine -> docker.io/library/alpine); a
 *                      non-empty tag replaces its tag, or its tag and
 *                      digest when the tag parses as a digest.  With neither
 *                      tag nor digest every tag of the repository is pulled,
 *                      checked as "<name>:*".  Rule images.
 *   fromSrc            an import (when fromImage is empty): "-" reads the
 *                      body; anything else is a URL the daemon fetches
 *                      (SSRF), refused unless image_create.allow_from_src.
 *                      repo (+ tag) names the imported image: rule images,
 *                      so an import cannot replace an allowed image's name.
 *   message, changes, platform  only shape the image's metadata.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "image_ref.h"
#include "insp_check.h"
#include "insp_endpoints.h"
#include "query.h"

#define REF_MAX 1100

/* Is "tag" a digest (digest.Parse: algorithm ':' lower-case hex)? */
static bool
tag_is_digest(const char *tag)
{
	const char *colon = strchr(tag, ':');
	size_t i, n;

	if (colon == NULL || colon == tag)
		return false;
	for (i = 0; tag + i < colon; i++)
		if (!((tag[i] >= 'a' && tag[i] <= 'z') || (tag[i] >= '0' && tag[i] <= '9') ||
		        strchr("+._-", tag[i]) != NULL))
			return false;
	n = strlen(colon + 1);
	if (n == 0)
		return false;
	for (i = 1; i <= n; i++)
		if (!((colon[i] >= '0' && colon[i] <= '9') || (colon[i] >= 'a' && colon[i] <= 'f')))
			return false;
	return true;
}

/*
 * The reference a pull of fromImage + tag resolves to, as postImagesCreate
 * builds it: "<name>:*" when it pulls every tag.
 */
static void
check_pull(struct pol_insp_ctx *ctx, const char *img, const char *tag)
{
	struct pol_image_ref ref;
	char trimmed[REF_MAX], out[REF_MAX];
	size_t n = strlen(img);
	int w;

	if (!pol_rule_on(ctx, POL_RULE_IMAGES))
		return;
	if (n >= sizeof(trimmed)) {
		pol_finding_add(ctx, POL_RULE_IMAGES, "fromImage", img, "is too long");
		return;
	}
	memcpy(trimmed, img, n + 1);
	if (n > 0 && trimmed[n - 1] == ':')
		trimmed[n - 1] = '\0';
	if (pol_chk_image_parse(ctx, "fromImage", trimmed, true, &ref) == -1)
		return;
	if (tag[0] != '\0' && tag_is_digest(tag))
		w = snprintf(out, sizeof(out), "%s/%s@%s", ref.domain, ref.path, tag);
	else if (tag[0] != '\0') /* reference.WithTag keeps a digest the name had */
		w = snprintf(out, sizeof(out), "%s/%s:%s%s%s", ref.domain, ref.path, tag,
		    ref.digest[0] != '\0' ? "@" : "", ref.digest);
	else if (ref.tag[0] == '\0' && ref.digest[0] == '\0')
		w = snprintf(out, sizeof(out), "%s/%s:*", ref.domain, ref.path);
	else
		w = snprintf(out, sizeof(out), "%s", ref.normalized);
	if (w < 0 || (size_t)w >= sizeof(out)) {
		pol_finding_add(ctx, POL_RULE_IMAGES, "fromImage", img, "is too long");
		return;
	}
	pol_chk_image_rule(ctx, "fromImage", img, out);
}

static void
check_import(struct pol_insp_ctx *ctx, const struct pol_query *q)
{
	const char *src = pol_query_value(q, "fromSrc"), *repo = pol_query_value(q, "repo");
	const char *tag = pol_query_value(q, "tag");
	char given[REF_MAX];

	if (pol_rule_on(ctx, POL_RULE_IMAGE_CREATE) && !ctx->rules->image_create_allow_from_src &&
	    src[0] != '\0' && strcmp(src, "-") != 0)
		pol_finding_add(ctx, POL_RULE_IMAGE_CREATE, "fromSrc", src,
		    "makes the daemon download an image from a URL");
	if (repo[0] == '\0')
		return;
	snprintf(given, sizeof(given), "%s%s%s", repo, tag[0] != '\0' ? ":" : "", tag);
	pol_chk_image(ctx, "repo", given, true);
}

int
pol_insp_image_create(struct pol_insp_ctx *ctx)
{
	struct pol_query q;
	const char *img;

	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	img = pol_query_value(&q, "fromImage");
	if (img[0] != '\0')
		check_pull(ctx, img, pol_query_value(&q, "tag"));
	else
		check_import(ctx, &q);
	pol_query_free(&q);
	return 0;
}
