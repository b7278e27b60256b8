/*
 * ImageBuild under ownership: what the query decides before the context
 * streams, and what an image the Dockerfile names may carry.
 *
 * The daemon's classic builder resolves each FROM, COPY --from and
 * "cachefrom" image from its own store by name or id, whoever owns it
 * (daemon/images/image_builder.go GetImageAndReleasableLayer, and the
 * cache sources of builder/dockerfile/imageprobe.go).  So the proxy reads
 * the Dockerfile out of the context (build_check.h) and has each image
 * checked.  That is only possible when the Dockerfile is in the body:
 * - version "2" is BuildKit: the Dockerfile and context come over a
 *   session the proxy cannot read, and BuildKit resolves local images too
 *   (builder-next's containerimage source prefers local);
 * - "remote" (a URL, a git repository, or 20.10's "client-session") makes
 *   the daemon fetch the context itself.
 * The daemon reads the first value of each (r.FormValue); every value is
 * checked here, stricter than the daemon.
 */
#include "sockwarden/compat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"

#include "endpoints.h"
#include "own_int.h"
#include "query.h"

bool
pol_own_reads_build_context(int ep)
{
	return ep == POL_EP_ImageBuild;
}

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/*
 * httputils.BoolValue: true unless, trimmed and lower-cased, it is "", "0",
 * "no", "false" or "none".  Every value is read: any true one counts.
 */
static bool
go_bool_value(const char *v)
{
	static const char *const no[] = { "", "0", "no", "false", "none" };
	char s[8];
	size_t i, len;

	while (*v == ' ' || (*v >= '\t' && *v <= '\r'))
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || (v[len - 1] >= '\t' && v[len - 1] <= '\r')))
		len--;
	if (len >= sizeof(s))
		return true;
	for (i = 0; i < len; i++)
		s[i] = (char)tolower((unsigned char)v[i]);
	s[len] = '\0';
	for (i = 0; i < nitems(no); i++)
		if (strcmp(s, no[i]) == 0)
			return false;
	return true;
}

/* Every value of "key" is the same: the daemon reads the first, we read that one. */
static int
single_value(const struct pol_query *q, const char *key, const char **out)
{
	const char *first = pol_query_value(q, key), *v;
	size_t i;

	for (i = 1; (v = pol_query_nth(q, key, i)) != NULL; i++)
		if (strcmp(v, first) != 0)
			return -1;
	*out = first;
	return 0;
}

/*
 * "cachefrom": json.Unmarshal into []string (null and "" mean none), read
 * as strictly as Go reads it.  Each image is checked like a FROM.
 */
int
pol_own_build_cache_refs(const struct pol_query *q, struct pol_build_refs *out, const char **why)
{
	static const char not_names[] =
	    "the cachefrom parameter must be a JSON list of image names";
	const char *text = NULL;
	const cJSON *v;
	cJSON *list;
	int rc = -1;

	if (single_value(q, "cachefrom", &text) == -1)
		return fail(
		    why, "the cachefrom parameter is given more than once with different values");
	if (text[0] == '\0')
		return 0;
	if ((list = pol_own_parse(text, strlen(text))) == NULL)
		return fail(why, "the cachefrom parameter is not valid JSON");
	if (cJSON_IsNull(list)) {
		cJSON_Delete(list);
		return 0;
	}
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > POL_OWN_MAX_REFS ||
	    (out->ref = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*out->ref))) == NULL) {
		fail(why, !cJSON_IsArray(list) ? not_names :
		          cJSON_GetArraySize(list) > POL_OWN_MAX_REFS ?
		                                 "the build names too many images to check" :
		                                 "out of memory");
		goto out;
	}
	cJSON_ArrayForEach (v, list) {
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
			fail(why, not_names);
			goto out;
		}
		if ((out->ref[out->n] = strdup(v->valuestring)) == NULL) {
			fail(why, "out of memory");
			goto out;
		}
		out->n++;
	}
	rc = 0;
out:
	cJSON_Delete(list);
	return rc;
}

int
pol_own_build_query(const struct sw_str *query, struct pol_own_build_params *out, const char **why)
{
	struct sw_str none = SW_STR_NULL;
	const char *v, *dockerfile = NULL, *buildargs = NULL;
	struct pol_query q;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (pol_query_parse(query != NULL ? query : &none, &q, why) == -1)
		return -1;
	for (i = 0; (v = pol_query_nth(&q, "version", i)) != NULL; i++) {
		if (v[0] != '\0' && strcmp(v, "1") != 0) {
			fail(why,
			    "BuildKit builds (version 2) read their Dockerfile over a session the "
			    "proxy cannot check; build with the classic builder "
			    "(DOCKER_BUILDKIT=0)");
			goto out;
		}
	}
	for (i = 0; (v = pol_query_nth(&q, "remote", i)) != NULL; i++) {
		if (v[0] != '\0') {
			fail(why,
			    "a remote build context is fetched by the daemon, so its Dockerfile "
			    "cannot be checked; send the context in the request");
			goto out;
		}
	}
	if (single_value(&q, "dockerfile", &dockerfile) == -1 ||
	    single_value(&q, "buildargs", &buildargs) == -1) {
		fail(why, "the dockerfile or buildargs parameter is given more than once with "
		          "different values");
		goto out;
	}
	if (pol_own_build_cache_refs(&q, &out->cache, why) == -1) {
		pol_own_build_params_free(out);
		goto out;
	}
	for (i = 0; (v = pol_query_nth(&q, "pull", i)) != NULL; i++)
		out->pull = out->pull || go_bool_value(v);
	/* Read from API 1.32 on; any value that is not empty counts, whatever the version. */
	for (i = 0; (v = pol_query_nth(&q, "platform", i)) != NULL; i++)
		out->platform = out->platform || v[0] != '\0';
	out->dockerfile = strdup(dockerfile);
	out->buildargs = strdup(buildargs);
	if (out->dockerfile == NULL || out->buildargs == NULL) {
		pol_own_build_params_free(out);
		fail(why, "out of memory");
		goto out;
	}
	rc = 0;
out:
	pol_query_free(&q);
	return rc;
}

void
pol_own_build_params_free(struct pol_own_build_params *p)
{
	free(p->dockerfile);
	free(p->buildargs);
	p->dockerfile = p->buildargs = NULL;
	pol_build_refs_free(&p->cache);
}

/*
 * Does "s" contain "--from" in any ASCII case, once quotes and escapes are
 * taken out?  The daemon's flag parser reads --"from"= and --fr\\om= as
 * --from= (BuildKit's shell lexer removes them), so they are taken out
 * here before the search, whatever they quote.
 */
static bool
mentions_from_flag(const char *s)
{
	static const char flag[] = "--from";
	char *bare = malloc(strlen(s) + 1);
	size_t i, k, n = 0;
	bool found = false;

	if (bare == NULL)
		return true;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] != '"' && s[i] != '\'' && s[i] != '\\' && s[i] != '`')
			bare[n++] = (char)tolower((unsigned char)s[i]);
	bare[n] = '\0';
	for (i = 0; i < n && !found; i++) {
		for (k = 0; flag[k] != '\0' && bare[i + k] == flag[k]; k++)
			;
		found = flag[k] == '\0';
	}
	free(bare);
	return found;
}

static bool
onbuild_copies(const cJSON *config)
{
	const cJSON *t, *list = pol_own_get(config, "OnBuild");

	cJSON_ArrayForEach (t, list) {
		if (!cJSON_IsString(t) || mentions_from_flag(t->valuestring))
			return true;
	}
	return false;
}

bool
pol_own_build_ref_is_id_prefix(const char *ref)
{
	size_t n;

	if (strncmp(ref, "sha256:", 7) == 0)
		ref += 7;
	n = strspn(ref, "0123456789abcdef");
	return ref[n] == '\0' && n < 64;
}

/*
 * An image's ONBUILD triggers run in any build FROM it
 * (builder/dockerfile/dispatchers.go dispatchTriggeredOnBuild), where no
 * Dockerfile the proxy reads names what they copy from.  One that copies
 * --from another image would read it unchecked, so such an image may not
 * be built on.  Both configs are read (ContainerConfig is the older
 * place); over-reading refuses more, never less.
 */
bool
pol_own_image_onbuild_copies(const char *json, size_t len)
{
	cJSON *root = pol_own_parse_object(json, len);
	bool copies;

	if (root == NULL)
		return true;
	copies = onbuild_copies(pol_own_get(root, "Config")) ||
	         onbuild_copies(pol_own_get(root, "ContainerConfig"));
	cJSON_Delete(root);
	return copies;
}

static bool
non_empty_list(const cJSON *v)
{
	return cJSON_IsArray(v) && v->child != NULL;
}

bool
pol_own_image_is_named(const char *json, size_t len)
{
	cJSON *root = pol_own_parse_object(json, len);
	bool named = root != NULL && (non_empty_list(pol_own_get(root, "RepoTags")) ||
	                                 non_empty_list(pol_own_get(root, "RepoDigests")));

	cJSON_Delete(root);
	return named;
}
