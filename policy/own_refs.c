/*
 * Objects that a create names besides the one it creates.  Under ownership
 * isolation each must belong to the caller too, or one client could join
 * another's namespaces, mount its volumes or attach to its networks just by
 * naming them.  The body is the canonical one the inspector produced, so
 * keys are spelled as the daemon's fields and cJSON reads it faithfully.
 * Fields are looked for both inside HostConfig and at the top level, where
 * daemons up to 26 also read them.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

struct refs {
	struct pol_own_ref *v;
	size_t n, max;
	bool overflow;
};

static void
add(struct refs *r, enum pol_own_type type, const char *ref, size_t len, const char *field)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; i < r->n; i++)
		if (r->v[i].type == type && strlen(r->v[i].ref) == len &&
		    memcmp(r->v[i].ref, ref, len) == 0)
			return;
	if (r->n == r->max || len >= sizeof(r->v[0].ref)) {
		r->overflow = true;
		return;
	}
	r->v[r->n].type = type;
	memcpy(r->v[r->n].ref, ref, len);
	r->v[r->n].ref[len] = '\0';
	r->v[r->n].field = field;
	r->n++;
}

static bool
predefined_network(const char *s)
{
	return strcmp(s, "bridge") == 0 || strcmp(s, "host") == 0 || strcmp(s, "none") == 0 ||
	       strcmp(s, "default") == 0;
}

/* "container:<ref>" joins that container's namespace. */
static void
mode(struct refs *r, const cJSON *obj, const char *key, const char *field, bool network)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *s;

	if (!cJSON_IsString(v))
		return;
	s = v->valuestring;
	if (strncmp(s, "container:", 10) == 0)
		add(r, POL_OBJ_CONTAINER, s + 10, strlen(s + 10), field);
	else if (network && s[0] != '\0' && !predefined_network(s))
		add(r, POL_OBJ_NETWORK, s, strlen(s), field);
}

/* VolumesFrom "<ref>[:ro|:rw]"; Links "<ref>[:alias]". */
static void
prefixed_list(struct refs *r, const cJSON *obj, const char *key, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *e;

	cJSON_ArrayForEach (e, v) {
		const char *s, *colon;

		if (!cJSON_IsString(e))
			continue;
		s = e->valuestring;
		/* A link names the container by name, which may start with '/'. */
		if (s[0] == '/')
			s++;
		colon = strchr(s, ':');
		add(r, POL_OBJ_CONTAINER, s, colon != NULL ? (size_t)(colon - s) : strlen(s),
		    field);
	}
}

/* Binds "<source>:<target>[:opts]": a source without '/' is a named volume. */
static void
binds(struct refs *r, const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "Binds"), *e;

	cJSON_ArrayForEach (e, v) {
		const char *s, *colon;

		if (!cJSON_IsString(e))
			continue;
		s = e->valuestring;
		colon = strchr(s, ':');
		if (colon == NULL || s[0] == '/' || colon == s)
			continue;
		add(r, POL_OBJ_VOLUME, s, (size_t)(colon - s), field);
	}
}

static void
mounts(struct refs *r, const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "Mounts"), *e;

	cJSON_ArrayForEach (e, v) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "Type");
		const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "Source");

		if (cJSON_IsString(type) && strcmp(type->valuestring, "volume") == 0 &&
		    cJSON_IsString(src))
			add(r, POL_OBJ_VOLUME, src->valuestring, strlen(src->valuestring), field);
	}
}

static void
host_config(struct refs *r, const cJSON *hc, bool nested)
{
	if (!cJSON_IsObject(hc))
		return;
	mode(r, hc, "NetworkMode", nested ? "HostConfig.NetworkMode" : "NetworkMode", true);
	mode(r, hc, "PidMode", nested ? "HostConfig.PidMode" : "PidMode", false);
	mode(r, hc, "IpcMode", nested ? "HostConfig.IpcMode" : "IpcMode", false);
	prefixed_list(r, hc, "VolumesFrom", nested ? "HostConfig.VolumesFrom" : "VolumesFrom");
	prefixed_list(r, hc, "Links", nested ? "HostConfig.Links" : "Links");
	binds(r, hc, nested ? "HostConfig.Binds" : "Binds");
	mounts(r, hc, nested ? "HostConfig.Mounts" : "Mounts");
}

static void
endpoint(struct refs *r, const cJSON *es)
{
	if (cJSON_IsObject(es))
		prefixed_list(r, es, "Links", "EndpointConfig.Links");
}

/*
 * NetworkCreate's ConfigFrom {"Network": X}: the new network copies the
 * configuration of config-only network X.  The daemon finds X by name
 * among config-only networks (libnetwork getConfigNetwork); the lookup
 * resolves it like any network reference, where an exact name comes before
 * an id prefix, so a name that is someone else's network is never taken
 * for one of the caller's.  Predefined names are not skipped here: none is
 * config-only, so the daemon would refuse them anyway.
 */
static void
config_from(struct refs *r, const cJSON *cf)
{
	const cJSON *net = cJSON_GetObjectItemCaseSensitive(cf, "Network");

	if (cJSON_IsString(net))
		add(r, POL_OBJ_NETWORK, net->valuestring, strlen(net->valuestring),
		    "ConfigFrom.Network");
}

int
pol_own_body_refs(
    int ep, const char *body, size_t len, struct pol_own_ref *out, size_t max, const char **why)
{
	static int create = -1, connect = -1, net_create = -1;
	struct refs r = { out, 0, max, false };
	cJSON *j;

	if (create == -1) {
		create = pol_ep_lookup("ContainerCreate");
		connect = pol_ep_lookup("NetworkConnect");
		net_create = pol_ep_lookup("NetworkCreate");
	}
	if (ep != create && ep != connect && ep != net_create)
		return 0;
	if (len == 0)
		return 0;
	j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		*why = "the body is not a JSON object";
		return -1;
	}
	if (ep == create) {
		const cJSON *nc = cJSON_GetObjectItemCaseSensitive(j, "NetworkingConfig");
		const cJSON *eps = cJSON_GetObjectItemCaseSensitive(nc, "EndpointsConfig"), *e;

		host_config(&r, cJSON_GetObjectItemCaseSensitive(j, "HostConfig"), true);
		host_config(&r, j, false);
		cJSON_ArrayForEach (e, eps) {
			if (e->string != NULL && !predefined_network(e->string))
				add(&r, POL_OBJ_NETWORK, e->string, strlen(e->string),
				    "NetworkingConfig.EndpointsConfig");
			endpoint(&r, e);
		}
	} else if (ep == net_create) {
		config_from(&r, cJSON_GetObjectItemCaseSensitive(j, "ConfigFrom"));
	} else {
		const cJSON *ctr = cJSON_GetObjectItemCaseSensitive(j, "Container");

		if (cJSON_IsString(ctr))
			add(&r, POL_OBJ_CONTAINER, ctr->valuestring, strlen(ctr->valuestring),
			    "Container");
		endpoint(&r, cJSON_GetObjectItemCaseSensitive(j, "EndpointConfig"));
	}
	cJSON_Delete(j);
	if (r.overflow) {
		*why = "the body names too many other objects to check";
		return -1;
	}
	return (int)r.n;
}

bool
pol_own_labels_inherited(int ep, const char *body, size_t len)
{
	static int net_create = -1;
	const cJSON *cf, *net;
	bool inherited;
	cJSON *j;

	if (net_create == -1)
		net_create = pol_ep_lookup("NetworkCreate");
	if (ep != net_create || len == 0)
		return false;
	if ((j = cJSON_ParseWithLength(body, len)) == NULL)
		return false;
	cf = cJSON_GetObjectItemCaseSensitive(j, "ConfigFrom");
	net = cJSON_GetObjectItemCaseSensitive(cf, "Network");
	/* The daemon ignores ConfigFrom when its Network is "": then the request's labels count. */
	inherited = cJSON_IsString(net) && net->valuestring[0] != '\0';
	cJSON_Delete(j);
	return inherited;
}
