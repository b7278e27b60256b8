/*
 * Query rewrites for ownership: an owner filter merged into the "filters"
 * parameter of lists, events and prunes, and the owner label added to
 * ImageBuild's "labels" parameter.
 *
 * The daemon reads "filters" as filters.FromJSON(r.Form.Get("filters"))
 * (daemon/internal/filters/parse.go; api/types/filters before v29):
 * - first as map[string]map[string]bool, the form ToJSON writes
 *   ({"label":{"a=b":true}}), then, if that fails, as the legacy
 *   map[string][]string ({"label":["a=b"]}); an object mixing the two fails
 *   both and is an error.  Only the inner keys matter to the label filter:
 *   MatchKVList ranges over them whatever their bool;
 * - MatchKVList("label", labels) requires EVERY value of the label filter:
 *   it returns false as soon as one "key=value" (cut at the first '=')
 *   is missing or differs.  So label filters are ANDed, and one more value
 *   can only narrow what the client asked for.  The list, prune and events
 *   paths that honour "label" all go through it: daemon/list.go
 *   (containers), daemon/images/image_list.go and image_prune.go,
 *   daemon/prune.go (containers and networks), daemon/network/filter.go,
 *   daemon/volume/service/by.go byLabelFilter (volume list and prune),
 *   daemon/events/filter.go matchLabels; the containerd image store's
 *   setupLabelFilter (daemon/containerd/image_list.go) ANDs its checks too.
 * Handlers read the FIRST "filters" value; a repeated parameter is refused
 * rather than guessed at, and so is any filters text that Go could read in
 * a way we do not reproduce exactly (duplicate keys, where Go keeps the
 * last; values that are neither maps of booleans nor lists of strings).
 * The rewritten parameter is always in the current form.
 */
#include "sockwarden/compat.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "json_strict.h"
#include "own_int.h"
#include "policy_int.h"
#include "query.h"

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* Does "obj" have two members with the same key (exactly, as Go's maps compare)? */
static bool
has_duplicate_key(const cJSON *obj)
{
	const cJSON *a, *b;

	for (a = obj->child; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return true;
	return false;
}

/* Sets out[key] = value (a bool), replacing an earlier value of that key. */
static int
set_bool(cJSON *out, const char *key, bool value)
{
	cJSON *item = cJSON_CreateBool(value);

	if (item == NULL)
		return -1;
	if (pol_own_get(out, key) != NULL)
		return cJSON_ReplaceItemInObjectCaseSensitive(out, key, item) ? 0 : -1;
	return cJSON_AddItemToObject(out, key, item) ? 0 : -1;
}

/* One filter's values, either form, into a current-form set. */
static int
copy_values(const cJSON *in, cJSON *set, const char **why)
{
	const cJSON *v;

	if (cJSON_IsNull(in))
		return 0; /* Go: a nil set, the filter present with no values */
	if (cJSON_IsObject(in)) {
		if (has_duplicate_key(in))
			return fail(why, "the filters parameter repeats a value");
		for (v = in->child; v != NULL; v = v->next) {
			if (!cJSON_IsBool(v) && !cJSON_IsNull(v))
				return fail(why, "a filter's values must be true or false");
			/* Go stores null as false; the bool only matters to boolean filters. */
			if (set_bool(set, v->string, cJSON_IsTrue(v)) == -1)
				return fail(why, "out of memory");
		}
		return 0;
	}
	for (v = in->child; v != NULL; v = v->next) {
		if (!cJSON_IsString(v))
			return fail(why, "a filter's values must be strings");
		if (set_bool(set, v->valuestring, true) == -1)
			return fail(why, "out of memory");
	}
	return 0;
}

/* The client's filters text as a current-form object; NULL with *why when refused. */
static cJSON *
read_filters(const char *text, const char **why)
{
	const cJSON *m;
	cJSON *in, *out, *set;
	bool maps = false, lists = false;

	if (text == NULL || text[0] == '\0')
		return cJSON_CreateObject();
	if ((in = pol_own_parse(text, strlen(text))) == NULL) {
		*why = "the filters parameter is not valid JSON";
		return NULL;
	}
	out = NULL;
	if (!cJSON_IsObject(in)) {
		fail(why, "the filters parameter must be a JSON object");
		goto done;
	}
	if (has_duplicate_key(in)) {
		fail(why, "the filters parameter names a filter twice");
		goto done;
	}
	for (m = in->child; m != NULL; m = m->next) {
		maps |= cJSON_IsObject(m);
		lists |= cJSON_IsArray(m);
		if (!cJSON_IsObject(m) && !cJSON_IsArray(m) && !cJSON_IsNull(m)) {
			fail(why, "each filter must map to a list or a set of values");
			goto done;
		}
	}
	if (maps && lists) {
		fail(why, "the filters parameter mixes the list and the map forms");
		goto done;
	}
	if ((out = cJSON_CreateObject()) == NULL) {
		fail(why, "out of memory");
		goto done;
	}
	for (m = in->child; m != NULL; m = m->next) {
		if ((set = cJSON_AddObjectToObject(out, m->string)) == NULL) {
			fail(why, "out of memory");
			goto bad;
		}
		if (copy_values(m, set, why) == -1)
			goto bad;
	}
	goto done;
bad:
	cJSON_Delete(out);
	out = NULL;
done:
	cJSON_Delete(in);
	return out;
}

int
pol_own_query_write(const struct pol_query *q, const char *key, const char *value, bool append,
    char *buf, size_t bufsz, const char **why)
{
	struct pol_query nq;
	bool replaced = false;
	size_t i, need;

	memset(&nq, 0, sizeof(nq));
	if ((nq.pairs = calloc(q->n + 1, sizeof(*nq.pairs))) == NULL)
		return fail(why, "out of memory");
	for (i = 0; i < q->n; i++) {
		nq.pairs[nq.n] = q->pairs[i];
		if (!append && !replaced && strcmp(q->pairs[i].key, key) == 0) {
			nq.pairs[nq.n].value = value;
			replaced = true;
		}
		nq.n++;
	}
	if (!replaced) {
		nq.pairs[nq.n].key = key;
		nq.pairs[nq.n].value = value;
		nq.n++;
	}
	need = pol_query_encode(&nq, buf, bufsz);
	free(nq.pairs);
	if (need >= bufsz || need > INT_MAX) {
		if (bufsz > 0)
			buf[0] = '\0';
		return fail(why, "the rewritten query is too long");
	}
	return (int)need;
}

/* Common checks; parses the query into *q.  0, or -1 with *why. */
static int
begin(const struct sw_str *query, const char *label, const char *owner, const char *param,
    struct pol_query *q, const char **why)
{
	struct sw_str none = SW_STR_NULL;

	if (label == NULL || pol_own_check_label_key(label, why) == -1)
		return fail(why, "the owner label is not valid");
	if (pol_own_check_owner(owner, why) == -1)
		return -1;
	if (pol_query_parse(query != NULL ? query : &none, q, why) == -1)
		return -1;
	if (pol_query_count(q, param) > 1) {
		pol_query_free(q);
		return fail(why, strcmp(param, "filters") == 0 ?
		                     "the filters parameter is given more than once" :
		                     "the labels parameter is given more than once");
	}
	return 0;
}

/* Serialises "obj" and writes the query with it as parameter "param". */
static int
finish(
    struct pol_query *q, const char *param, cJSON *obj, char *buf, size_t bufsz, const char **why)
{
	size_t len = 0;
	char *text = pol_json_print(obj, &len);
	int n;

	if (text == NULL) {
		pol_query_free(q);
		return fail(why, "out of memory");
	}
	n = pol_own_query_write(q, param, text, false, buf, bufsz, why);
	free(text);
	pol_query_free(q);
	return n;
}

int
pol_own_add_filter(const struct sw_str *query, const char *label, const char *owner, char *buf,
    size_t bufsz, const char **why)
{
	struct pol_query q;
	char want[POL_OWN_LABEL_MAX + POL_OWN_OWNER_MAX + 2];
	cJSON *filters, *set;
	int n;

	if (buf != NULL && bufsz > 0)
		buf[0] = '\0';
	if (begin(query, label, owner, "filters", &q, why) == -1)
		return -1;
	if ((filters = read_filters(pol_query_get(&q, "filters"), why)) == NULL) {
		pol_query_free(&q);
		return -1;
	}
	snprintf(want, sizeof(want), "%s=%s", label, owner);
	set = pol_own_get(filters, "label");
	if (set == NULL)
		set = cJSON_AddObjectToObject(filters, "label");
	if (set == NULL || set_bool(set, want, true) == -1) {
		cJSON_Delete(filters);
		pol_query_free(&q);
		return fail(why, "out of memory");
	}
	n = finish(&q, "filters", filters, buf, bufsz, why);
	cJSON_Delete(filters);
	return n;
}

/*
 * ImageBuild's "networkmode" (r.FormValue, the first value) becomes the
 * NetworkMode of the containers the classic builder runs its RUN steps in
 * (daemon/builder/dockerfile/internals.go): "container:<x>" joins x's
 * network namespace (api/types/container/hostconfig.go containerID), and
 * any name but default, bridge, host and none is a user network, joined by
 * name.  Neither is checked to be the caller's, so both are refused, in
 * every value: stricter than the daemon, which reads only the first.
 * Returns the reason, or NULL.
 */
static const char *
build_network_refused(const struct pol_query *q)
{
	const char *v;
	size_t i;

	for (i = 0; (v = pol_query_nth(q, "networkmode", i)) != NULL; i++) {
		if (strncmp(v, "container:", 10) == 0)
			return "networkmode container:<name> is refused: the build's RUN steps "
			       "would join that container's network namespace";
		if (v[0] != '\0' && !pol_own_predefined_network(v))
			return "networkmode <network> is refused: the build's RUN steps would join "
			       "that network, which is not checked to be yours; build on the default "
			       "network";
	}
	return NULL;
}

/*
 * The classic builder's cache spans every client's images: a step whose
 * text matches a step another client built reuses that client's layer (its
 * files), and a step run with options the cache key leaves out (extrahosts)
 * plants a layer that others' builds reuse.  With cachefrom, only the
 * ancestors of the images named there are candidates (daemon/images/cache.go
 * MakeImageCache; image/cache ImageCache.GetCache keeps a hit only when
 * isParent of a source), and those images are checked like a FROM; without
 * it the build goes up with nocache=1, in every value (the daemon reads the
 * first, httputils.BoolValue).  Returns 0, or -1 (out of memory) with
 * *why; *q stays the caller's to free.
 */
static int
no_shared_cache(struct pol_query *q, const char **why)
{
	struct pol_build_refs sources = { NULL, 0, false };
	struct pol_qpair *more;
	const char *unread;
	bool found = false;
	size_t i;

	/* One reading of cachefrom with the check's (which refuses a bad one). */
	if (pol_own_build_cache_refs(q, &sources, &unread) == 0 && sources.n > 0) {
		pol_build_refs_free(&sources);
		return 0;
	}
	pol_build_refs_free(&sources);
	for (i = 0; i < q->n; i++) {
		if (strcmp(q->pairs[i].key, "nocache") == 0) {
			q->pairs[i].value = "1";
			found = true;
		}
	}
	if (found)
		return 0;
	if ((more = realloc(q->pairs, (q->n + 1) * sizeof(*more))) == NULL)
		return fail(why, "out of memory");
	q->pairs = more;
	q->pairs[q->n].key = "nocache";
	q->pairs[q->n].value = "1";
	q->n++;
	return 0;
}

/*
 * ImageBuild's "labels": json.Unmarshal into map[string]string
 * (daemon/server/router/build/build_routes.go), keys exact as in any Go
 * map; null or "" means no labels.  The daemon applies these after the
 * Dockerfile's own LABEL lines, so they win over them.  The caller may not
 * set the owner label; a key that differs from it only in ASCII case is
 * refused as well: the daemon would keep it as a separate label that
 * grants nothing, but it could only be meant to mislead whoever reads the
 * labels.
 */
int
pol_own_add_build_label(const struct sw_str *query, const char *label, const char *owner, char *buf,
    size_t bufsz, const char **why)
{
	const char *text;
	struct pol_query q;
	const cJSON *m;
	cJSON *labels = NULL;
	int n = -1;

	if (buf != NULL && bufsz > 0)
		buf[0] = '\0';
	if (begin(query, label, owner, "labels", &q, why) == -1)
		return -1;
	if ((*why = build_network_refused(&q)) != NULL)
		goto out;
	if (no_shared_cache(&q, why) == -1)
		goto out;
	text = pol_query_get(&q, "labels");
	if (text != NULL && text[0] != '\0') {
		if ((labels = pol_own_parse(text, strlen(text))) == NULL) {
			fail(why, "the labels parameter is not valid JSON");
			goto out;
		}
		if (cJSON_IsNull(labels)) {
			cJSON_Delete(labels);
			labels = NULL;
		} else if (!cJSON_IsObject(labels)) {
			fail(why, "the labels parameter must be a JSON object");
			goto out;
		} else if (has_duplicate_key(labels)) {
			fail(why, "the labels parameter sets a label twice");
			goto out;
		}
	}
	if (labels == NULL && (labels = cJSON_CreateObject()) == NULL) {
		fail(why, "out of memory");
		goto out;
	}
	for (m = labels->child; m != NULL; m = m->next) {
		if (pol_own_key_caseeq(m->string, label)) {
			fail(why, "the request sets the owner label itself");
			goto out;
		}
		if (!cJSON_IsString(m)) {
			fail(why, "the labels parameter's values must be strings");
			goto out;
		}
	}
	if (cJSON_AddStringToObject(labels, label, owner) == NULL) {
		fail(why, "out of memory");
		goto out;
	}
	n = finish(&q, "labels", labels, buf, bufsz, why);
	cJSON_Delete(labels);
	return n;
out:
	cJSON_Delete(labels);
	pol_query_free(&q);
	return -1;
}
