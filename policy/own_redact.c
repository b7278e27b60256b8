/*
 * Redaction of inspect answers: the values of environment variables and
 * labels whose names match the policy's globs become "<redacted>"; names
 * stay, so a client still sees what is set.
 *
 * Where the values are (the daemon's inspect structs):
 *   container  Config.Env ("NAME=value"), Config.Labels
 *   image      Config.Env, Config.Labels, and ContainerConfig.Env/Labels,
 *              which image inspect still carried before API 1.45
 *   volume     Labels
 *   network    Labels
 * Exec inspect has neither; lists, /system/df and events messages are
 * redacted in own_list.c with pol_own_redact_labels().  Globs match ASCII
 * case-insensitively (pol_glob_match_n with folding): hiding too much is
 * the safe mistake.  An Env entry without '=' has no value to hide.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"

#include "own_int.h"
#include "policy_int.h"

static bool
matches_any(const char *const *globs, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pol_glob_match_n(globs[i], s, len, true))
			return true;
	return false;
}

/* Redacts Env entries in place; returns how many, or -1 when out of memory or not strings. */
static int
redact_env(cJSON *env, const struct pol_ownership *o)
{
	const char *eq;
	cJSON *e;
	size_t name;
	int n = 0;

	if (env == NULL || cJSON_IsNull(env) || o->n_redact_env == 0)
		return 0;
	if (!cJSON_IsArray(env))
		return -1;
	for (e = env->child; e != NULL; e = e->next) {
		char *v;

		if (!cJSON_IsString(e) || e->valuestring == NULL)
			return -1;
		if ((eq = strchr(e->valuestring, '=')) == NULL)
			continue;
		name = (size_t)(eq - e->valuestring);
		if (!matches_any(o->redact_env, o->n_redact_env, e->valuestring, name))
			continue;
		if (strcmp(eq + 1, POL_OWN_REDACTED) == 0)
			continue;
		if ((v = malloc(name + sizeof(POL_OWN_REDACTED) + 1)) == NULL)
			return -1;
		memcpy(v, e->valuestring, name + 1);
		memcpy(v + name + 1, POL_OWN_REDACTED, sizeof(POL_OWN_REDACTED));
		if (cJSON_SetValuestring(e, v) == NULL) {
			free(v);
			return -1;
		}
		free(v);
		n++;
	}
	return n;
}

int
pol_own_redact_labels(cJSON *labels, const struct pol_ownership *o)
{
	cJSON *l;
	int n = 0;

	if (labels == NULL || cJSON_IsNull(labels) || o->n_redact_labels == 0)
		return 0;
	if (!cJSON_IsObject(labels))
		return -1;
	for (l = labels->child; l != NULL; l = l->next) {
		if (!cJSON_IsString(l) || l->valuestring == NULL)
			return -1;
		if (!matches_any(
		        o->redact_labels, o->n_redact_labels, l->string, strlen(l->string)))
			continue;
		if (strcmp(l->valuestring, POL_OWN_REDACTED) == 0)
			continue;
		if (cJSON_SetValuestring(l, POL_OWN_REDACTED) == NULL)
			return -1;
		n++;
	}
	return n;
}

/* Config-like object (Config, ContainerConfig): its Env and Labels. */
static int
redact_config(cJSON *config, const struct pol_ownership *o)
{
	int a, b;

	if (config == NULL || cJSON_IsNull(config))
		return 0;
	if (!cJSON_IsObject(config))
		return -1;
	if ((a = redact_env(pol_own_get(config, "Env"), o)) == -1 ||
	    (b = pol_own_redact_labels(pol_own_get(config, "Labels"), o)) == -1)
		return -1;
	return a + b;
}

int
pol_redact_inspect(enum pol_own_type type, const struct pol_ownership *o, const char *json,
    size_t len, char **out, size_t *outlen)
{
	cJSON *root;
	int count, more;

	*out = NULL;
	*outlen = 0;
	if (o == NULL || (o->n_redact_env == 0 && o->n_redact_labels == 0))
		return 0;
	if (type != POL_OBJ_CONTAINER && type != POL_OBJ_IMAGE && type != POL_OBJ_VOLUME &&
	    type != POL_OBJ_NETWORK)
		return 0;
	if ((root = pol_own_parse_object(json, len)) == NULL)
		return -1;
	switch (type) {
	case POL_OBJ_CONTAINER:
		count = redact_config(pol_own_get(root, "Config"), o);
		break;
	case POL_OBJ_IMAGE:
		count = redact_config(pol_own_get(root, "Config"), o);
		if (count >= 0 &&
		    (more = redact_config(pol_own_get(root, "ContainerConfig"), o)) != 0)
			count = more == -1 ? -1 : count + more;
		break;
	default:
		count = pol_own_redact_labels(pol_own_get(root, "Labels"), o);
		break;
	}
	return pol_own_print_changed(root, count, len + 64, out, outlen);
}
