/*
 * Managed plugins run as root with the privileges they declare.  The
 * daemon grants a plugin at install exactly the privileges the client
 * sends back (the body must equal what GET /plugins/privileges computed,
 * compared by Name and Value, Description ignored), so those privileges are
 * what the plugins rule checks.
 *
 * plugins.privileges entries: "<name>" allows that privilege with any
 * value; "<name>=<glob>" allows values matching the glob (host paths
 * component-wise, other values plainly).  Every value of every privilege
 * in the body must be allowed.  The daemon's privilege names: "network"
 * (host, ...), "mount" (a host path), "device" (a host device),
 * "allow-all-devices", "capabilities" (CAP_...), "host pid namespace",
 * "host ipc namespace".  An empty list allows none.
 *
 * PluginPull  (POST /plugins/pull?remote=&name=, body []PluginPrivilege)
 * PluginUpgrade (POST /plugins/{name}/upgrade?remote=, same body)
 *   privileges as above; the remote reference under the images rule.
 * PluginSet (POST /plugins/{name}/set, body []string "<name>[.<field>]=<value>")
 *   re-points a mount source ("<mount>.source=/x") or a device path
 *   ("<dev>.path=/dev/x") after the install was acknowledged.  Which names
 *   are mounts is in the plugin's config, not the request, and a setting
 *   without a field takes the only settable field, so every .source/.path
 *   setting, and every field-less value that looks like a path (holds a
 *   '/' or starts with '.'), must be allowed as "mount" or "device";
 *   other environment and args settings are free.
 * PluginCreate (POST /plugins/create?name=, a tar of config.json and rootfs)
 *   installs with no acknowledgement at all, whatever the config declares:
 *   under the plugins rule it is allowed only when the list holds "*"
 *   (every privilege), which is what it grants.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "policy_int.h"
#include "query.h"

static const struct pol_jfield privilege_fields[] = {
	{ "Name", PJ_STRING, PJ_ANY, NULL },
	{ "Description", PJ_STRING, PJ_ANY, NULL },
	{ "Value", PJ_ARRAY, PJ_STRING, NULL },
};
static const struct pol_jschema privilege = { "PluginPrivilege", privilege_fields,
	nitems(privilege_fields) };
const struct pol_jfield pol_field_plugin_privileges = { "", PJ_ARRAY, PJ_STRUCT, &privilege };
static const struct pol_jfield plugin_settings = { "", PJ_ARRAY, PJ_STRING, NULL };

/* Does one "name" or "name=glob" entry allow value "v" of privilege "name"? */
static bool
entry_allows(const char *entry, const char *name, const char *v)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq != NULL ? (size_t)(eq - entry) : strlen(entry);

	if (n != strlen(name) || memcmp(entry, name, n) != 0)
		return false;
	if (eq == NULL)
		return true;
	if (eq[1] == '/')
		return pol_path_glob_match(eq + 1, v);
	return pol_glob_match(eq + 1, v);
}

static bool
privilege_allowed(const struct pol_strlist *l, const char *name, const char *v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] != NULL && entry_allows(l->v[i], name, v))
			return true;
	return false;
}

void
pol_plugin_check_privileges(struct pol_insp_ctx *ctx, const cJSON *privs, const char *field,
    const char *name_key, const char *value_key)
{
	const struct pol_strlist *l = &ctx->rules->plugin_privileges;
	const cJSON *p, *vals, *v;
	const char *name;
	char f[128];
	int i = 0;

	if (!pol_rule_on(ctx, POL_RULE_PLUGINS))
		return;
	cJSON_ArrayForEach (p, privs) {
		snprintf(f, sizeof(f), "%s[%d]", field, i++);
		name = cJSON_IsObject(p) ? pol_json_string(p, name_key) : NULL;
		if (name == NULL)
			name = "";
		vals = cJSON_IsObject(p) ? pol_json_get(p, value_key) : NULL;
		/* A privilege with no value is granted as a whole. */
		if (cJSON_GetArraySize(vals) == 0 && !privilege_allowed(l, name, "")) {
			pol_finding_add(ctx, POL_RULE_PLUGINS, f, name,
			    "grants the plugin a privilege the policy does not allow");
			continue;
		}
		cJSON_ArrayForEach (v, vals) {
			if (!cJSON_IsString(v) || privilege_allowed(l, name, v->valuestring))
				continue;
			pol_finding_add(ctx, POL_RULE_PLUGINS, f, v->valuestring,
			    "grants the plugin %s access the policy does not allow", name);
		}
	}
}

static void
check_remote(struct pol_insp_ctx *ctx, const struct pol_query *q)
{
	pol_chk_image(ctx, "remote", pol_query_value(q, "remote"), true);
}

int
pol_insp_plugin_pull(struct pol_insp_ctx *ctx)
{
	cJSON *root = pol_chk_root(ctx);
	struct pol_query q;

	if (root != NULL &&
	    pol_json_check_value(root, &pol_field_plugin_privileges, "", ctx->err) == -1)
		return -1;
	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	check_remote(ctx, &q);
	pol_query_free(&q);
	pol_plugin_check_privileges(ctx, root, "privileges", "Name", "Value");
	return 0;
}

/* "<name>[.<field>]=<value>" as newSettable splits it (field after the LAST '.'). */
static void
check_setting(struct pol_insp_ctx *ctx, const char *s, const char *field)
{
	const struct pol_strlist *l = &ctx->rules->plugin_privileges;
	const char *eq = strchr(s, '='), *dot = NULL, *p, *value;

	if (eq == NULL || eq == s)
		return; /* no value, or the daemon refuses the format */
	value = eq + 1;
	for (p = s; p < eq; p++)
		if (*p == '.')
			dot = p;
	if (dot != NULL && dot > s) {
		if ((size_t)(eq - dot - 1) == 6 && memcmp(dot + 1, "source", 6) == 0) {
			if (!privilege_allowed(l, "mount", value))
				pol_finding_add(ctx, POL_RULE_PLUGINS, field, s,
				    "points a plugin mount at a host path the policy does not allow");
			return;
		}
		if ((size_t)(eq - dot - 1) == 4 && memcmp(dot + 1, "path", 4) == 0) {
			if (!privilege_allowed(l, "device", value))
				pol_finding_add(ctx, POL_RULE_PLUGINS, field, s,
				    "points a plugin device at a host device the policy does not "
				    "allow");
			return;
		}
	}
	/*
	 * No field: the only settable one, which may be a mount source or a
	 * device path.  A value with no '/' that does not start with '.' names
	 * nothing outside the plugin's own directory, so plain environment
	 * values pass.
	 */
	if ((strchr(value, '/') != NULL || value[0] == '.') &&
	    !privilege_allowed(l, "mount", value) && !privilege_allowed(l, "device", value))
		pol_finding_add(ctx, POL_RULE_PLUGINS, field, s,
		    "may point a plugin mount or device at a host path the policy does not allow");
}

int
pol_insp_plugin_set(struct pol_insp_ctx *ctx)
{
	cJSON *root = pol_chk_root(ctx);
	const cJSON *it;
	char field[32];
	int i = 0;

	if (root != NULL && pol_json_check_value(root, &plugin_settings, "", ctx->err) == -1)
		return -1;
	if (root == NULL || !pol_rule_on(ctx, POL_RULE_PLUGINS))
		return 0;
	cJSON_ArrayForEach (it, root) {
		snprintf(field, sizeof(field), "[%d]", i++);
		if (cJSON_IsString(it))
			check_setting(ctx, it->valuestring, field);
	}
	return 0;
}

int
pol_insp_plugin_create(struct pol_insp_ctx *ctx)
{
	const struct pol_strlist *l = &ctx->rules->plugin_privileges;
	struct pol_query q;
	size_t i;

	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	pol_query_free(&q);
	if (!pol_rule_on(ctx, POL_RULE_PLUGINS))
		return 0;
	for (i = 0; i < l->n; i++)
		if (l->v[i] != NULL && strcmp(l->v[i], "*") == 0)
			return 0;
	pol_finding_add(ctx, POL_RULE_PLUGINS, "body", "",
	    "installs a plugin from a tar with whatever privileges its config declares; "
	    "allow it with plugins.privileges \"*\"");
	return 0;
}
