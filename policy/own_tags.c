/*
 * The image names (repository:tag) a request writes.  Writing a name moves
 * it off whatever image held it, which may be another client's: under
 * ownership isolation the proxy looks each one up first (own_tags' caller,
 * proxy/conn_own.c) and lets the request through only when the name is new
 * or already on one of the caller's images.
 *
 * Read the way the daemon reads them (distribution/reference through
 * pol_image_ref_parse(), which normalises "busybox" to
 * "docker.io/library/busybox" and knows that the ':' of "host:5000/x" is
 * a port, not a tag):
 *
 *   ImageTag     repo, tag (r.Form.Get: first values): httputils.RepoTagReference;
 *                no repo tags nothing (the daemon answers 200 and does
 *                nothing); a digest in repo is refused; "tag" replaces
 *                repo's own tag; neither gives "latest".
 *   ImageBuild   every "t" (r.Form["t"]): sanitizeRepoAndTags; "" skipped,
 *                a digest refused, "latest" by default.  BuildKit's exporter
 *                also takes names from an "outputs" entry's attrs.name
 *                (when no t is given); such a request is refused: name the
 *                image with t.
 *   ImageCreate  pull, when fromImage is set (first values): one trailing
 *                ':' dropped ("pull -a" sends one), then a "tag" that
 *                parses as a digest makes it a pull by digest (no tag
 *                written), any other "tag" replaces fromImage's.  Without
 *                any tag, a name-only reference pulls EVERY tag of the
 *                repository, which we cannot list: refused.  fromImage
 *                "x@sha256:..." writes no tag; "x:t@sha256:..." is checked
 *                as x:t (the graphdriver store then records only the digest,
 *                but checking costs a lookup, not a wrong answer).
 *                Import, otherwise: repo and tag as for ImageTag.
 *
 * Each name comes out complete ("docker.io/library/busybox:latest"), so the
 * daemon's inspect resolves that NAME and never falls back to reading it
 * as an image id prefix.  A name the daemon would refuse is refused here
 * too (400), except that an image id ("sha256:" + 64 hex, which the daemon
 * would take as repository "sha256") is refused as ambiguous.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "image_ref.h"
#include "query.h"

struct names {
	struct pol_own_ref *v;
	size_t n, max;
	int status; /* of the refusal: 400 (the daemon would refuse too) or 403 */
	const char *why;
};

static int
bad(struct names *ns, int status, const char *why)
{
	ns->status = status;
	ns->why = why;
	return -1;
}

/* A name as reference.ParseNormalizedNamed reads it; an image id is no name. */
static int
parse_name(struct names *ns, const char *s, struct pol_image_ref *r)
{
	const char *why = NULL;

	if (pol_image_ref_parse(s, r, &why) == -1)
		return bad(ns, 400, why != NULL ? why : "invalid image name");
	if (r->is_id || r->path[0] == '\0')
		return bad(ns, 400, "an image id is not a name to tag");
	return 0;
}

static int
with_tag(struct names *ns, struct pol_image_ref *r, const char *tag)
{
	return pol_image_ref_with_tag(r, tag) == -1 ? bad(ns, 400, "invalid tag") : 0;
}

/* "domain/path:tag" ("latest" by default) as one more name, once. */
static int
add(struct names *ns, const struct pol_image_ref *r, const char *field)
{
	char name[sizeof(ns->v[0].ref)];
	size_t i;
	int n;

	n = snprintf(name, sizeof(name), "%s/%s:%s", r->domain, r->path,
	    r->tag[0] != '\0' ? r->tag : "latest");
	if (n < 0 || (size_t)n >= sizeof(name))
		return bad(ns, 403, "an image name is too long to check");
	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i].ref, name) == 0)
			return 0;
	if (ns->n == ns->max)
		return bad(ns, 403, "the request writes too many image names to check");
	ns->v[ns->n].type = POL_OBJ_IMAGE;
	memcpy(ns->v[ns->n].ref, name, (size_t)n + 1);
	ns->v[ns->n].field = field;
	ns->n++;
	return 0;
}

/* httputils.RepoTagReference(repo, tag): ImageTag and import. */
static int
repo_tag(struct names *ns, const struct pol_query *q)
{
	const char *repo = pol_query_value(q, "repo"), *tag = pol_query_value(q, "tag");
	struct pol_image_ref r;

	if (repo[0] == '\0')
		return 0;
	if (parse_name(ns, repo, &r) == -1)
		return -1;
	if (r.digest[0] != '\0')
		return bad(ns, 400, "repo names a digest, not a tag");
	if (tag[0] != '\0' && with_tag(ns, &r, tag) == -1)
		return -1;
	return add(ns, &r, "repo/tag");
}

static int
pull(struct names *ns, const struct pol_query *q)
{
	const char *tag = pol_query_value(q, "tag");
	char img[POL_IMAGE_REF_MAX];
	struct pol_image_ref r;
	size_t len;

	len = strlen(pol_query_value(q, "fromImage"));
	if (len >= sizeof(img))
		return bad(ns, 400, "image reference too long");
	memcpy(img, pol_query_value(q, "fromImage"), len + 1);
	if (img[len - 1] == ':')
		img[len - 1] = '\0'; /* strings.TrimSuffix(img, ":") */
	if (parse_name(ns, img, &r) == -1)
		return -1;
	/* A "tag" with a ':' is a digest (digest.Parse) or one the daemon refuses: no tag written.
	 */
	if (strchr(tag, ':') != NULL)
		return 0;
	if (tag[0] != '\0' && with_tag(ns, &r, tag) == -1)
		return -1;
	if (r.tag[0] == '\0') {
		if (r.digest[0] != '\0')
			return 0;
		return bad(ns, 403,
		    "pulling every tag of a repository writes names that cannot be checked first; pull one tag");
	}
	return add(ns, &r, "fromImage/tag");
}

/* Is any member of "obj" an object with a "name" key (BuildOutput.Attrs, however spelled)? */
static bool
names_output(const cJSON *obj)
{
	const cJSON *m;

	cJSON_ArrayForEach (m, obj)
		if (cJSON_IsObject(m) && cJSON_GetObjectItemCaseSensitive(m, "name") != NULL)
			return true;
	return false;
}

/*
 * The "outputs" parameter (JSON []BuildOutput{Type, Attrs}): an image
 * exporter takes its names from Attrs["name"] when no t is given.  Go
 * matches the field name "attrs" case-insensitively, with Unicode folding,
 * so every object-valued member is looked at, not only "attrs".
 */
static int
build_outputs(struct names *ns, const struct pol_query *q)
{
	const char *text = pol_query_value(q, "outputs");
	const cJSON *e;
	cJSON *j;
	bool named = false;

	if (text[0] == '\0')
		return 0;
	j = cJSON_Parse(text);
	if (j == NULL || !(cJSON_IsArray(j) || cJSON_IsNull(j))) {
		cJSON_Delete(j);
		return bad(ns, 400, "the outputs parameter is not a JSON list");
	}
	cJSON_ArrayForEach (e, j)
		named |= cJSON_IsObject(e) && names_output(e);
	cJSON_Delete(j);
	if (named)
		return bad(
		    ns, 403, "an outputs entry names the image (attrs name); name it with t");
	return 0;
}

static int
build(struct names *ns, const struct pol_query *q)
{
	struct pol_image_ref r;
	const char *t;
	size_t i;

	for (i = 0; (t = pol_query_nth(q, "t", i)) != NULL; i++) {
		if (t[0] == '\0')
			continue;
		if (parse_name(ns, t, &r) == -1)
			return -1;
		if (r.digest[0] != '\0')
			return bad(ns, 400, "a build tag cannot contain a digest");
		if (add(ns, &r, "t") == -1)
			return -1;
	}
	return build_outputs(ns, q);
}

bool
pol_own_writes_tags(int ep)
{
	return ep == POL_EP_ImageTag || ep == POL_EP_ImageBuild || ep == POL_EP_ImageCreate;
}

int
pol_own_written_tags(int ep, const struct sw_str *query, struct pol_own_ref *refs, size_t max,
    int *status, const char **why)
{
	struct names ns = { refs, 0, max, 0, NULL };
	struct sw_str none = SW_STR_NULL;
	struct pol_query q;
	int rc;

	*status = 0;
	*why = NULL;
	if (!pol_own_writes_tags(ep))
		return 0;
	if (pol_query_parse(query != NULL ? query : &none, &q, why) == -1) {
		*status = 400;
		return -1;
	}
	if (ep == POL_EP_ImageBuild)
		rc = build(&ns, &q);
	else if (ep == POL_EP_ImageCreate && pol_query_value(&q, "fromImage")[0] != '\0')
		rc = pull(&ns, &q);
	else
		rc = repo_tag(&ns, &q);
	pol_query_free(&q);
	if (rc == -1) {
		*status = ns.status;
		*why = ns.why;
		return -1;
	}
	return (int)ns.n;
}
