/*
 * ContainerCreate: the body is checked against the Go type the daemon
 * decodes it into, rewritten into the one form every daemon reads the same
 * way, mutated by the policy, then checked rule by rule.
 *
 * dockerd <= 26 decodes runconfig.ContainerConfigWrapper, which embeds a
 * second HostConfig at the top level; getHostConfig() picks the effective
 * one (facts 2.4).  We compute it exactly, put it under "HostConfig" and
 * drop the top-level copies and "Cpuset", so the forwarded body holds only
 * what was inspected.  dockerd >= 27 ignores top-level HostConfig fields:
 * they are unknown keys and pol_json_check() drops them.  An unknown daemon
 * version gets the ≤26 reading, the wider one.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "insp_container.h"

const char *
pol_cc_elem_string(const cJSON *e)
{
	if (pol_json_is_null(e))
		return "";
	return cJSON_IsString(e) ? e->valuestring : NULL;
}

/* Replace the member "name" of obj (exact key) with "item", or append it. */
static int
set_member(cJSON *obj, const char *name, cJSON *item)
{
	cJSON *old = pol_json_get(obj, name);

	if (item == NULL)
		return -1;
	/* After pol_json_check() the exact name matches at most one member. */
	if (old != NULL ? cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item) :
	                  cJSON_AddItemToObject(obj, name, item))
		return 0;
	cJSON_Delete(item);
	return -1;
}

static bool
is_zero(const cJSON *obj, const char *name)
{
	const cJSON *v = pol_json_get(obj, name);

	if (pol_json_is_null(v))
		return true;
	if (cJSON_IsString(v))
		return v->valuestring[0] == '\0';
	if (cJSON_IsBool(v))
		return !cJSON_IsTrue(v);
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return cJSON_GetArraySize(v) == 0;
	return pol_json_int(obj, name, 0) == 0;
}

/* ---- the ≤26 wrapper ----------------------------------------------------------- */

/* getHostConfig() step 3: these top-level values fill zero values of the inner HostConfig. */
static const char *const merged_fields[] = { "Memory", "MemorySwap", "CpuShares", "CpusetCpus",
	"VolumeDriver" };

static int
merge_top_into_inner(cJSON *top, cJSON *inner)
{
	const cJSON *v;
	size_t i;

	for (i = 0; i < nitems(merged_fields); i++) {
		v = pol_json_get(top, merged_fields[i]);
		if (is_zero(top, merged_fields[i]) || !is_zero(inner, merged_fields[i]))
			continue;
		if (set_member(inner, merged_fields[i], cJSON_Duplicate(v, 1)) == -1)
			return -1;
	}
	return 0;
}

/* Move every top-level HostConfig field into a new object; NULL when there was none. */
static cJSON *
detach_top_level(cJSON *root, bool *oom)
{
	cJSON *top = NULL, *c, *next;

	*oom = false;
	for (c = root->child; c != NULL; c = next) {
		next = c->next;
		if (!pol_schema_is_host_config_field(c->string))
			continue;
		if (top == NULL && (top = cJSON_CreateObject()) == NULL) {
			*oom = true;
			return NULL;
		}
		cJSON_AddItemToObject(top, c->string, cJSON_DetachItemViaPointer(root, c));
	}
	return top;
}

static int
canonicalize_wrapper(struct pol_insp_ctx *ctx, cJSON *root)
{
	cJSON *top, *inner, *cpuset, *hc;
	bool oom;

	top = detach_top_level(root, &oom);
	cpuset = pol_json_get(root, "Cpuset");
	if (cpuset != NULL)
		cpuset = cJSON_DetachItemViaPointer(root, cpuset);
	inner = pol_json_get(root, "HostConfig");
	if (oom)
		goto oom;
	hc = inner;
	if (top != NULL && pol_json_is_null(inner)) {
		/* Step 4: no inner HostConfig (absent or null): the top-level fields are it. */
		if (set_member(root, "HostConfig", top) == -1) {
			top = NULL; /* freed by set_member() */
			goto oom;
		}
		hc = top;
		top = NULL;
	} else if (top != NULL && merge_top_into_inner(top, inner) == -1) {
		goto oom;
	}
	if (!pol_json_is_null(hc) && cJSON_IsString(cpuset) && cpuset->valuestring[0] != '\0' &&
	    is_zero(hc, "CpusetCpus") &&
	    set_member(hc, "CpusetCpus", cJSON_CreateString(cpuset->valuestring)) == -1)
		goto oom;
	cJSON_Delete(top);
	cJSON_Delete(cpuset);
	return 0;
oom:
	cJSON_Delete(top);
	cJSON_Delete(cpuset);
	return pol_chk_malformed(ctx, "out of memory");
}

/* ---- mutations -------------------------------------------------------------------- */

static cJSON *
ensure_host_config(struct pol_cc *cc)
{
	cJSON *obj;

	if (cc->hc != NULL && cJSON_IsObject(cc->hc))
		return cc->hc;
	if ((obj = cJSON_CreateObject()) == NULL || set_member(cc->root, "HostConfig", obj) == -1)
		return NULL;
	return cc->hc = obj;
}

/* CapDrop as an array (strslice.StrSlice also takes one string). */
static cJSON *
cap_drop_array(cJSON *hc)
{
	cJSON *v = pol_json_get(hc, "CapDrop"), *arr;

	if (v != NULL && cJSON_IsArray(v))
		return v;
	if ((arr = cJSON_CreateArray()) == NULL)
		return NULL;
	if (cJSON_IsString(v))
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->valuestring));
	return set_member(hc, "CapDrop", arr) == 0 ? arr : NULL;
}

static int
mutate_cap_drop(struct pol_cc *cc, bool set)
{
	cJSON *hc = ensure_host_config(cc), *arr;

	if (hc == NULL)
		return -1;
	if (!set && !is_zero(hc, "CapDrop"))
		return 0;
	if ((arr = cap_drop_array(hc)) == NULL)
		return -1;
	if (pol_cc_drops_all(arr))
		return 0;
	cJSON_AddItemToArray(arr, cJSON_CreateString("ALL"));
	return 0;
}

static int
mutate_security_opt(struct pol_cc *cc, bool set)
{
	cJSON *hc = ensure_host_config(cc), *arr;
	int nnp;

	if (hc == NULL)
		return -1;
	arr = pol_json_get(hc, "SecurityOpt");
	nnp = pol_secopt_no_new_privileges(arr);
	if (nnp == 1 || (!set && nnp == 0))
		return 0;
	if (!cJSON_IsArray(arr)) {
		if ((arr = cJSON_CreateArray()) == NULL || set_member(hc, "SecurityOpt", arr) == -1)
			return -1;
	}
	/* Appended last: the daemon applies entries in order, the last one wins. */
	cJSON_AddItemToArray(arr, cJSON_CreateString("no-new-privileges"));
	return 0;
}

static int
mutate_labels(struct pol_cc *cc, const struct pol_strlist *labels, bool set)
{
	cJSON *obj = pol_json_get(cc->root, "Labels");
	const char *eq;
	char key[256];
	size_t i, kl;

	if (labels->n == 0)
		return 0;
	if (!cJSON_IsObject(obj)) {
		if ((obj = cJSON_CreateObject()) == NULL ||
		    set_member(cc->root, "Labels", obj) == -1)
			return -1;
	}
	for (i = 0; i < labels->n; i++) {
		eq = strchr(labels->v[i], '=');
		kl = eq != NULL ? (size_t)(eq - labels->v[i]) : strlen(labels->v[i]);
		if (kl >= sizeof(key))
			continue;
		memcpy(key, labels->v[i], kl);
		key[kl] = '\0';
		if (!set && pol_json_get(obj, key) != NULL)
			continue;
		if (set_member(obj, key, cJSON_CreateString(eq != NULL ? eq + 1 : "")) == -1)
			return -1;
	}
	return 0;
}

static int
mutate_one(struct pol_cc *cc, const struct pol_mutations *m, bool set)
{
	cJSON *hc;

	if (m->cap_drop_all && mutate_cap_drop(cc, set) == -1)
		return -1;
	if (m->no_new_privileges && mutate_security_opt(cc, set) == -1)
		return -1;
	if (m->read_only_rootfs || m->has_pids_limit || m->has_memory) {
		if ((hc = ensure_host_config(cc)) == NULL)
			return -1;
		if (m->read_only_rootfs && (set || is_zero(hc, "ReadonlyRootfs")) &&
		    set_member(hc, "ReadonlyRootfs", cJSON_CreateTrue()) == -1)
			return -1;
		if (m->has_pids_limit && (set || is_zero(hc, "PidsLimit")) &&
		    set_member(hc, "PidsLimit", pol_json_new_int(m->pids_limit)) == -1)
			return -1;
		if (m->has_memory && (set || is_zero(hc, "Memory")) &&
		    set_member(hc, "Memory", pol_json_new_int(m->memory)) == -1)
			return -1;
	}
	if (m->user != NULL && (set || is_zero(cc->root, "User")) &&
	    set_member(cc->root, "User", cJSON_CreateString(m->user)) == -1)
		return -1;
	return mutate_labels(cc, &m->labels, set);
}

/* "set" overwrites what the client sent, then "default" fills what is still empty. */
static int
apply_mutations(struct pol_cc *cc)
{
	const struct pol_rules *r = cc->ctx->rules;

	if (mutate_one(cc, &r->set, true) == -1 || mutate_one(cc, &r->dflt, false) == -1)
		return pol_chk_malformed(cc->ctx, "out of memory");
	return 0;
}

/* ---- version-dependent defaults ------------------------------------------------------ */

static bool
api_below(const struct pol_insp_ctx *ctx, const char *version)
{
	struct sw_str v = ctx->req != NULL ? ctx->req->version : (struct sw_str)SW_STR_NULL;
	struct sw_str min = sw_str_cstr(version);

	if (v.len == 0)
		v = sw_str_cstr(ctx->daemon->api_version);
	if (v.len == 0)
		return true; /* unknown: assume the oldest semantics */
	return pol_version_cmp(&v, &min) < 0;
}

/*
 * Below API 1.41 an empty CgroupnsMode becomes "host" on cgroup v1 hosts.
 * When the policy does not allow the host cgroup namespace, ask for a
 * private one explicitly: the daemon honours the field at every version.
 */
static int
default_cgroupns(struct pol_cc *cc)
{
	const struct pol_rules *r = cc->ctx->rules;
	cJSON *hc;

	if (!cc->api_below_141 || !pol_rule_on(cc->ctx, POL_RULE_NAMESPACES) ||
	    pol_strlist_match(&r->host_namespaces, "cgroupns"))
		return 0;
	if (cc->hc != NULL && !is_zero(cc->hc, "CgroupnsMode"))
		return 0;
	if ((hc = ensure_host_config(cc)) == NULL ||
	    set_member(hc, "CgroupnsMode", cJSON_CreateString("private")) == -1)
		return pol_chk_malformed(cc->ctx, "out of memory");
	return 0;
}

/* HostConfig.Capabilities (API 1.40, dockerd 19.03) sets the exact capability set. */
static void
refuse_legacy_capabilities(struct pol_cc *cc)
{
	struct pol_insp_ctx *ctx = cc->ctx;

	if (pol_json_is_null(pol_json_get(cc->hc, "Capabilities")))
		return;
	pol_finding_add(ctx, POL_RULE_LEGACY, "HostConfig.Capabilities", "",
	    "is the API 1.40 capability set, which bypasses CapAdd checks: use CapAdd and CapDrop");
}

int
pol_insp_container_create(struct pol_insp_ctx *ctx)
{
	struct pol_cc cc = { ctx, ctx->doc->root, NULL, NULL, false };
	bool legacy = pol_daemon_older_than(ctx->daemon, 27, 0);

	if (pol_json_check(cc.root,
	        legacy ? &pol_schema_create_wrapper : &pol_schema_create_request, "",
	        ctx->err) == -1)
		return -1;
	if (legacy && canonicalize_wrapper(ctx, cc.root) == -1)
		return -1;
	cc.hc = pol_json_get(cc.root, "HostConfig");
	if (pol_json_is_null(cc.hc))
		cc.hc = NULL;
	cc.nc = pol_json_get(cc.root, "NetworkingConfig");
	cc.api_below_141 = api_below(ctx, "1.41");
	refuse_legacy_capabilities(&cc);
	if (apply_mutations(&cc) == -1 || default_cgroupns(&cc) == -1)
		return -1;
	if (pol_cc_check_mounts(&cc) == -1 || pol_cc_check_devices(&cc) == -1 ||
	    pol_cc_check_security(&cc) == -1 || pol_cc_check_namespaces(&cc) == -1 ||
	    pol_cc_check_misc(&cc) == -1)
		return -1;
	pol_cc_check_resources(ctx, cc.hc, "HostConfig", false);
	return 0;
}
