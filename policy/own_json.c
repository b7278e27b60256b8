/*
 * Reading the daemon's JSON answers, and the inspector's canonical bodies,
 * for ownership: parsed with the strict reader (numbers keep their text, so
 * what is forwarded again is digit for digit what was read) and looked up
 * by exact key.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/policy.h"
#include "sockwarden/str.h"

#include "json_strict.h"
#include "own_int.h"

cJSON *
pol_own_parse(const char *json, size_t len)
{
	struct sw_str body = sw_str_make(json, len);
	struct pol_jdoc doc = { NULL };
	struct pol_err err;

	if (json == NULL || pol_json_parse(&body, &doc, &err) == -1)
		return NULL;
	return doc.root;
}

cJSON *
pol_own_parse_object(const char *json, size_t len)
{
	cJSON *root = pol_own_parse(json, len);

	if (root != NULL && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int
pol_own_print_changed(cJSON *root, int changed, size_t len, char **out, size_t *outlen)
{
	size_t n = len;

	if (changed > 0 && (*out = pol_json_print(root, &n)) == NULL)
		changed = -1;
	cJSON_Delete(root);
	if (changed <= 0)
		return changed;
	*outlen = n;
	return 1;
}

cJSON *
pol_own_get(const cJSON *obj, const char *key)
{
	cJSON *c;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (c = obj->child; c != NULL; c = c->next)
		if (c->string != NULL && strcmp(c->string, key) == 0)
			return c;
	return NULL;
}

int
pol_own_label_value(const cJSON *labels, const char *label, const char **value)
{
	const cJSON *v;

	*value = NULL;
	if (labels == NULL || cJSON_IsNull(labels))
		return 0;
	if (!cJSON_IsObject(labels))
		return -1;
	if ((v = pol_own_get(labels, label)) == NULL)
		return 0;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return -1;
	*value = v->valuestring;
	return 1;
}

bool
pol_own_labels_match(const cJSON *obj, const char *label, const char *owner)
{
	const char *value;

	if (owner == NULL || owner[0] == '\0')
		return false;
	return pol_own_label_value(pol_own_get(obj, "Labels"), label, &value) == 1 &&
	       strcmp(value, owner) == 0;
}
