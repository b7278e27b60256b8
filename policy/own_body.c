/*
 * The owner label put into a create's body: ContainerCreate (container.Config's
 * Labels, at the top level of the body), VolumeCreate (volume.CreateOptions
 * Labels) and NetworkCreate (network.CreateRequest Labels).
 *
 * The body is the canonical one the inspector wrote, so "Labels" is spelled
 * exactly and appears once.  That is still checked here, because Go matches
 * struct keys case-insensitively and decodes a second "labels" into the same
 * map, merging it: a stray spelling next to ours could set the owner label
 * after we did.  A body that already sets the owner label, or a key that
 * differs from it only in ASCII case, is refused (see own_query.c for why
 * the case variant too).  Numbers keep their text (pol_json_parse), so the
 * rest of the body goes up byte for byte as it was checked.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "json_strict.h"
#include "own_int.h"
#include "policy_int.h"

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* The one "Labels" member of a create body; -1 when Go could read another spelling too. */
static int
find_labels(cJSON *root, cJSON **labels, const char **why)
{
	cJSON *m;

	*labels = NULL;
	for (m = root->child; m != NULL; m = m->next) {
		if (!pol_json_key_folds_to(m->string, "Labels"))
			continue;
		if (strcmp(m->string, "Labels") != 0)
			return fail(why, "the body spells Labels in another case");
		if (*labels != NULL)
			return fail(why, "the body sets Labels twice");
		*labels = m;
	}
	return 0;
}

int
pol_own_label_body(enum pol_own_type type, const char *body, size_t len, const char *label,
    const char *owner, char **out, size_t *outlen, const char **why)
{
	struct sw_str text = sw_str_make(body, len);
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	cJSON *labels, *m;
	size_t n = len + POL_OWN_LABEL_MAX + 300;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (type != POL_OBJ_CONTAINER && type != POL_OBJ_VOLUME && type != POL_OBJ_NETWORK)
		return fail(why, "only containers, volumes and networks are created from a body");
	if (label == NULL || pol_own_check_label_key(label, why) == -1)
		return fail(why, "the owner label is not valid");
	if (pol_own_check_owner(owner, why) == -1)
		return -1;
	/* No body is the zero value to the daemon (httputils.ReadJSON): an empty object. */
	if (len == 0 || body == NULL)
		text = SW_STR_LIT("{}");
	if (pol_json_parse(&text, &doc, &err) == -1)
		return fail(why, "the body is not valid JSON");
	if (!cJSON_IsObject(doc.root)) {
		fail(why, "the body must be a JSON object");
		goto out;
	}
	if (find_labels(doc.root, &labels, why) == -1)
		goto out;
	if (labels != NULL && cJSON_IsNull(labels)) {
		/* "Labels": null is no labels; the node becomes an empty object in place. */
		labels->type = cJSON_Object;
	} else if (labels == NULL) {
		if ((labels = cJSON_AddObjectToObject(doc.root, "Labels")) == NULL) {
			fail(why, "out of memory");
			goto out;
		}
	} else if (!cJSON_IsObject(labels)) {
		fail(why, "Labels must be a JSON object");
		goto out;
	}
	for (m = labels->child; m != NULL; m = m->next) {
		if (pol_own_key_caseeq(m->string, label)) {
			fail(why, "the request sets the owner label itself");
			goto out;
		}
	}
	if (cJSON_AddStringToObject(labels, label, owner) == NULL) {
		fail(why, "out of memory");
		goto out;
	}
	if ((*out = pol_json_print(doc.root, &n)) == NULL) {
		fail(why, "out of memory");
		goto out;
	}
	*outlen = n;
	rc = 0;
out:
	pol_json_free(&doc);
	return rc;
}
