/*
 * The reference an OBJECT endpoint's lookup must resolve: the object the
 * daemon will act on.  For most endpoints that is the path's reference as
 * routed.  Two image endpoints act on more than their path names (moby,
 * api/server/router/image):
 *
 *   ImagePush  postImagesPush: a "tag" parameter (r.Form.Get, the first
 *              value) replaces the name's tag (reference.WithTag,
 *              httputils.RepoTagReference); without one, a name-only
 *              reference pushes EVERY tag of the repository.
 *   ImageGet   getImagesGet, tarexporter.parseNames: a name-only reference
 *              saves every tag of the repository (ReferencesByName), and
 *              is read as an id prefix only when no tag has that name.
 *
 * Every tag of a repository cannot be checked with one lookup (another
 * client's image may hold one of them), so a name-only push or save is
 * refused; a save may name an image by its full id instead.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "image_ref.h"
#include "query.h"

static int
refuse(int *status, const char **why, int st, const char *reason)
{
	*status = st;
	*why = reason;
	return -1;
}

static int
copy_out(char *buf, size_t bufsz, const char *s, size_t len, int *status, const char **why)
{
	if (len >= bufsz)
		return refuse(status, why, 400, "the reference is too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* The repository with the query's "tag" in place of its own. */
static int
push_ref(const char *name, const struct pol_image_ref *r, const char *tag, char *buf, size_t bufsz,
    int *status, const char **why)
{
	struct pol_image_ref t = *r;
	int n;

	if (tag[0] == '\0') {
		if (r->is_id || r->tag[0] != '\0' || r->digest[0] != '\0')
			return copy_out(buf, bufsz, name, strlen(name), status, why);
		return refuse(status, why, 403,
		    "a name without a tag pushes every tag of the repository, which cannot be "
		    "checked first; push one tag");
	}
	if (r->is_id)
		return refuse(status, why, 400, "an image id is not a name to push");
	if (r->digest[0] != '\0')
		return refuse(status, why, 400, "the name has a digest and the query a tag");
	if (pol_image_ref_with_tag(&t, tag) == -1)
		return refuse(status, why, 400, "invalid tag");
	n = snprintf(buf, bufsz, "%s/%s:%s", t.domain, t.path, t.tag);
	if (n < 0 || (size_t)n >= bufsz)
		return refuse(status, why, 400, "the reference is too long");
	return 0;
}

static int
image_ref(const struct sw_req *req, char *buf, size_t bufsz, int *status, const char **why)
{
	char name[POL_IMAGE_REF_MAX];
	struct pol_image_ref r;
	struct pol_query q;
	const char *perr = NULL;
	int rc;

	if (copy_out(name, sizeof(name), req->ref.p, req->ref.len, status, why) == -1)
		return -1;
	/*
	 * The daemon refuses a reference it cannot parse (400).  Refused here
	 * too: what it acts on must be what was looked up, and without a
	 * reading of the name there is no telling what a "tag" would make of it.
	 */
	if (pol_image_ref_parse(name, &r, &perr) == -1)
		return refuse(status, why, 400, perr != NULL ? perr : "invalid image reference");
	if (req->endpoint == POL_EP_ImageGet) {
		if (r.is_id || r.tag[0] != '\0' || r.digest[0] != '\0')
			return copy_out(buf, bufsz, name, strlen(name), status, why);
		return refuse(status, why, 403,
		    "a name without a tag saves every tag of the repository, which cannot be "
		    "checked first; name a tag, or the image's full id");
	}
	if (pol_query_parse(&req->query, &q, why) == -1) {
		*status = 400;
		return -1;
	}
	rc = push_ref(name, &r, pol_query_value(&q, "tag"), buf, bufsz, status, why);
	pol_query_free(&q);
	return rc;
}

int
pol_own_object_ref(const struct sw_req *req, char *buf, size_t bufsz, int *status, const char **why)
{
	*status = 0;
	*why = NULL;
	if (bufsz == 0)
		return refuse(status, why, 400, "no room for the reference");
	buf[0] = '\0';
	if (req->endpoint == POL_EP_ImagePush || req->endpoint == POL_EP_ImageGet)
		return image_ref(req, buf, bufsz, status, why);
	return copy_out(buf, bufsz, req->ref.p, req->ref.len, status, why);
}
