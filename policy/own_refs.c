/*
 * Objects that a create names besides the one it creates, and the container
 * a network connect or disconnect acts on.  Under ownership isolation each
 * must belong to the caller too, or one client could join another's
 * namespaces, mount its volumes, attach to its networks or cut its
 * containers off a network just by naming them.  The body is the canonical
 * one the inspector produced, so keys are spelled as the daemon's fields
 * and cJSON reads it faithfully.  Fields are looked for both inside
 * HostConfig and at the top level, where daemons up to 26 also read them.
 * Once checked, containers and networks are pinned: the body that goes up
 * names each by the full id that was checked (pol_own_pin_refs).  The
 * daemon's GetContainer and FindNetwork try a full id, then an exact name,
 * then an id prefix: a container's name may change hands meanwhile, and a
 * network the caller deletes meanwhile leaves its name to be read as a
 * prefix of someone else's network id.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "json_strict.h"
#include "own_int.h"

/* How a string names a container: where its name is, and how it is pinned to an id. */
enum ctr_form {
	FORM_MODE,         /* "container:<ref>" (NetworkMode, PidMode, IpcMode) */
	FORM_VOLUMES_FROM, /* "[/]<ref>[:mode]": ParseVolumesFrom cuts at the first ':' */
	FORM_LINK,         /* "[/]<ref>[:alias]": opts.ParseLink, then GetContainer */
	FORM_DNS_LINK,     /* EndpointConfig Links: read like a link, never a container lookup */
	FORM_WHOLE,        /* "<ref>" (NetworkConnect's and NetworkDisconnect's Container) */
};

/*
 * One walk over the fields that name objects, for both entry points:
 * pol_own_collect_refs() collects into "v"; pol_own_pin_refs() ("pin" set)
 * rewrites each container and network reference in place, so the two can
 * never disagree about which fields name one.
 */
struct refs {
	struct pol_own_ref *v;
	size_t n, max;
	bool overflow;
	const struct pol_own_ref *pin;
	size_t n_pin;
	int pinned;        /* references rewritten */
	const char *error; /* a reference not fit to check or pin: the body must not go up */
};

/* The reference stored, or NULL: none to store, already there, or no room (overflow). */
static struct pol_own_ref *
add(struct refs *r, enum pol_own_type type, const char *ref, size_t len, const char *field)
{
	size_t i;

	if (len == 0 || r->pin != NULL)
		return NULL;
	for (i = 0; i < r->n; i++)
		if (r->v[i].type == type && strlen(r->v[i].ref) == len &&
		    memcmp(r->v[i].ref, ref, len) == 0)
			return NULL;
	if (r->n == r->max || len >= sizeof(r->v[0].ref)) {
		r->overflow = true;
		return NULL;
	}
	r->v[r->n].type = type;
	memcpy(r->v[r->n].ref, ref, len);
	r->v[r->n].ref[len] = '\0';
	r->v[r->n].field = field;
	r->v[r->n].id[0] = '\0';
	r->v[r->n].name_only = false;
	r->v[r->n].unowned_ok = false;
	return &r->v[r->n++];
}

/* The container's name inside "s" as the daemon cuts it; false when s names none. */
static bool
ctr_name(const char *s, enum ctr_form form, const char **name, size_t *len)
{
	const char *colon;

	switch (form) {
	case FORM_MODE:
		if (strncmp(s, "container:", 10) != 0)
			return false;
		*name = s + 10;
		*len = strlen(*name);
		break;
	case FORM_WHOLE:
		*name = s;
		*len = strlen(s);
		break;
	default:
		/* A name may start with '/', as the daemon shows names. */
		if (s[0] == '/')
			s++;
		colon = strchr(s, ':');
		*name = s;
		*len = colon != NULL ? (size_t)(colon - s) : strlen(s);
		break;
	}
	return *len > 0;
}

/* The id the proxy resolved "name" (a "type") to; NULL when it has none fit to pin. */
static const char *
pinned_id(const struct refs *r, enum pol_own_type type, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->n_pin; i++) {
		const struct pol_own_ref *p = &r->pin[i];

		if (p->type != type || strlen(p->ref) != len || memcmp(p->ref, name, len) != 0)
			continue;
		/* An id is hex; a ':' or '/' would change how the forms below are cut. */
		if (p->id[0] == '\0' || strpbrk(p->id, ":/") != NULL)
			return NULL;
		return p->id;
	}
	return NULL;
}

/*
 * HostConfig.Links as opts.ParseLink reads "s": no ':' is the name as its own
 * alias; one ':' gives the alias, of which a leading-'/' name ("/web:/app/db",
 * the form inspect shows) keeps only the last path element; more than one
 * ':' is refused by the daemon, and stays so.  The pinned entry gives the
 * daemon the same alias.
 */
static void
link_parts(const char *s, const char **sep, const char **rest)
{
	const char *colon = strchr(s, ':'), *slash;

	if (colon == NULL) {
		*sep = ":";
		*rest = s;
	} else if (strchr(colon + 1, ':') != NULL) {
		*sep = "";
		*rest = colon;
	} else {
		*sep = ":";
		*rest = colon + 1;
		if (s[0] == '/' && (slash = strrchr(*rest, '/')) != NULL)
			*rest = slash + 1;
	}
}

static void
pin(struct refs *r, cJSON *node, enum ctr_form form, const char *name, size_t len)
{
	const char *s = node->valuestring, *id = pinned_id(r, POL_OBJ_CONTAINER, name, len);
	const char *head = "", *sep = "", *rest = "", *colon;
	size_t n;
	char *v;

	if (id == NULL) {
		r->error = "a container the body names was not resolved to an id";
		return;
	}
	switch (form) {
	case FORM_MODE:
		head = "container:";
		break;
	case FORM_VOLUMES_FROM:
		colon = strchr(s, ':');
		rest = colon != NULL ? colon : "";
		break;
	case FORM_LINK:
		link_parts(s, &sep, &rest);
		break;
	default:
		break;
	}
	n = strlen(head) + strlen(id) + strlen(sep) + strlen(rest) + 1;
	if ((v = malloc(n)) == NULL) {
		r->error = "out of memory";
		return;
	}
	snprintf(v, n, "%s%s%s%s", head, id, sep, rest);
	if (strcmp(v, s) != 0) {
		if (cJSON_SetValuestring(node, v) == NULL)
			r->error = "out of memory";
		r->pinned++;
	}
	free(v);
}

static void
container(struct refs *r, cJSON *node, enum ctr_form form, const char *field)
{
	const char *name;
	size_t len;

	if (!cJSON_IsString(node) || !ctr_name(node->valuestring, form, &name, &len))
		return;
	if (r->pin == NULL)
		add(r, POL_OBJ_CONTAINER, name, len, field);
	else if (form != FORM_DNS_LINK)
		pin(r, node, form, name, len);
}

bool
pol_own_predefined_network(const char *s)
{
	return strcmp(s, "bridge") == 0 || strcmp(s, "host") == 0 || strcmp(s, "none") == 0 ||
	       strcmp(s, "default") == 0;
}

/* The id of the network "name" names, for pinning; NULL (and the body refused) when none. */
static const char *
network_id(struct refs *r, const char *name)
{
	const char *id = pinned_id(r, POL_OBJ_NETWORK, name, strlen(name));

	if (id == NULL)
		r->error = "a network the body names was not resolved to an id";
	return id;
}

/* A string that names a user-defined network ("field" for messages). */
static void
network_value(struct refs *r, cJSON *node, const char *field)
{
	const char *s = node->valuestring, *id;

	if (r->pin == NULL) {
		add(r, POL_OBJ_NETWORK, s, strlen(s), field);
		return;
	}
	if ((id = network_id(r, s)) == NULL || strcmp(id, s) == 0)
		return;
	if (cJSON_SetValuestring(node, id) == NULL)
		r->error = "out of memory";
	r->pinned++;
}

/* An EndpointsConfig key, which names a network: pinned, the key becomes its id. */
static void
network_key(struct refs *r, cJSON *e)
{
	const char *id;
	char *key;
	size_t n;

	if (e->string == NULL || pol_own_predefined_network(e->string))
		return;
	/* "" names no network to check: the daemon would read it as a prefix of every id. */
	if (e->string[0] == '\0') {
		r->error = "NetworkingConfig.EndpointsConfig names a network without a name";
		return;
	}
	if (r->pin == NULL) {
		add(r, POL_OBJ_NETWORK, e->string, strlen(e->string),
		    "NetworkingConfig.EndpointsConfig");
		return;
	}
	if ((id = network_id(r, e->string)) == NULL || strcmp(id, e->string) == 0)
		return;
	n = strlen(id) + 1;
	if ((key = cJSON_malloc(n)) == NULL) {
		r->error = "out of memory";
		return;
	}
	memcpy(key, id, n);
	if (!(e->type & cJSON_StringIsConst))
		cJSON_free(e->string);
	e->type &= ~cJSON_StringIsConst;
	e->string = key;
	r->pinned++;
}

/*
 * Two keys that name one network (its name and its id) would be one key
 * twice once pinned, which each JSON reader takes its own way: refused.
 */
static void
network_keys_distinct(struct refs *r, const cJSON *endpoints)
{
	const cJSON *e, *f;

	cJSON_ArrayForEach (e, endpoints)
		for (f = e->next; f != NULL && e->string != NULL; f = f->next)
			if (f->string != NULL && strcmp(e->string, f->string) == 0)
				r->error = "EndpointsConfig names one network twice";
}

/* "container:<ref>" joins that container's namespace. */
static void
mode(struct refs *r, cJSON *obj, const char *key, const char *field, bool network)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *s;

	if (!cJSON_IsString(v))
		return;
	s = v->valuestring;
	if (strncmp(s, "container:", 10) == 0)
		container(r, v, FORM_MODE, field);
	else if (network && s[0] != '\0' && !pol_own_predefined_network(s))
		network_value(r, v, field);
}

/* VolumesFrom, Links: lists of strings that name containers. */
static void
ctr_list(struct refs *r, cJSON *obj, const char *key, enum ctr_form form, const char *field)
{
	cJSON *e;

	cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(obj, key))
		container(r, e, form, field);
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
host_config(struct refs *r, cJSON *hc, bool nested)
{
	if (!cJSON_IsObject(hc))
		return;
	mode(r, hc, "NetworkMode", nested ? "HostConfig.NetworkMode" : "NetworkMode", true);
	mode(r, hc, "PidMode", nested ? "HostConfig.PidMode" : "PidMode", false);
	mode(r, hc, "IpcMode", nested ? "HostConfig.IpcMode" : "IpcMode", false);
	ctr_list(r, hc, "VolumesFrom", FORM_VOLUMES_FROM,
	    nested ? "HostConfig.VolumesFrom" : "VolumesFrom");
	ctr_list(r, hc, "Links", FORM_LINK, nested ? "HostConfig.Links" : "Links");
	binds(r, hc, nested ? "HostConfig.Binds" : "Binds");
	mounts(r, hc, nested ? "HostConfig.Mounts" : "Mounts");
}

/*
 * An EndpointSettings object.  Its Links become DNS aliases inside the
 * network (libnetwork CreateOptionAlias): checked like any container
 * reference, but the daemon resolves them by name there, so they are not
 * pinned to ids.  Its NetworkID, when set on an endpoint of a user-defined
 * network ("user_net"), is the network the daemon attaches to instead of
 * the one named by the key or the path (daemon getNetworkID, at connect or
 * start): a network reference like them.
 */
static void
endpoint(struct refs *r, cJSON *es, bool user_net)
{
	cJSON *id = cJSON_GetObjectItemCaseSensitive(es, "NetworkID");

	if (!cJSON_IsObject(es))
		return;
	ctr_list(r, es, "Links", FORM_DNS_LINK, "EndpointConfig.Links");
	if (user_net && cJSON_IsString(id) && id->valuestring[0] != '\0')
		network_value(r, id, "EndpointConfig.NetworkID");
}

/*
 * NetworkCreate's ConfigFrom {"Network": X}: the new network copies the
 * configuration of config-only network X.  The daemon finds X by name
 * only, among config-only networks (libnetwork getConfigNetwork), while the
 * ownership lookup takes an exact name first, then an id prefix.  So the
 * reference is name_only: one the lookup resolves as an id is refused
 * (pol_own_ref_is()) rather than taken for whatever network bears that name
 * when the daemon reads it.  Predefined names are not skipped here: none is
 * config-only, so the daemon would refuse them anyway.  It is the only
 * reference of its body.
 */
static void
config_from(struct refs *r, const cJSON *cf)
{
	const cJSON *net = cJSON_GetObjectItemCaseSensitive(cf, "Network");
	struct pol_own_ref *e;

	if (cJSON_IsString(net) && (e = add(r, POL_OBJ_NETWORK, net->valuestring,
	                                strlen(net->valuestring), "ConfigFrom.Network")) != NULL)
		e->name_only = true;
}

/*
 * Config.Image, the image the container is made from.  The daemon's create
 * finds it with GetImage, as ImageInspect does (an exact name, ":latest"
 * when it has no tag, then an id or id prefix), so the ownership lookup
 * resolves it as the daemon will.  An image without an owner label (pulled,
 * or imported on the daemon) may be used by anyone: unowned_ok.  Go matches
 * the key case-insensitively; the canonical body spells it "Image" once,
 * but every member that folds to it is taken, so that none goes unchecked.
 * It is never pinned: the container keeps the name it was created from
 * (docker ps shows it).  "" is the daemon's to refuse.
 */
static void
image(struct refs *r, const cJSON *root)
{
	const cJSON *m;

	struct pol_own_ref *e;

	cJSON_ArrayForEach (m, root) {
		if (m->string == NULL || !pol_json_key_folds_to(m->string, "Image") ||
		    !cJSON_IsString(m))
			continue;
		e = add(r, POL_OBJ_IMAGE, m->valuestring, strlen(m->valuestring), "Image");
		if (e != NULL)
			e->unowned_ok = true;
	}
}

/* Every reference in the parsed body "j" of endpoint "ep", into "r". */
static void
walk(struct refs *r, int ep, cJSON *j)
{
	if (ep == POL_EP_ContainerCreate) {
		cJSON *nc = cJSON_GetObjectItemCaseSensitive(j, "NetworkingConfig");
		cJSON *endpoints = cJSON_GetObjectItemCaseSensitive(nc, "EndpointsConfig");
		cJSON *e;

		image(r, j);
		host_config(r, cJSON_GetObjectItemCaseSensitive(j, "HostConfig"), true);
		host_config(r, j, false);
		cJSON_ArrayForEach (e, endpoints) {
			bool user_net = e->string != NULL && !pol_own_predefined_network(e->string);

			network_key(r, e);
			endpoint(r, e, user_net);
		}
		if (r->pin != NULL)
			network_keys_distinct(r, endpoints);
	} else if (ep == POL_EP_NetworkCreate) {
		config_from(r, cJSON_GetObjectItemCaseSensitive(j, "ConfigFrom"));
	} else if (ep == POL_EP_NetworkConnect || ep == POL_EP_NetworkDisconnect) {
		/*
		 * Container, as the daemon's GetContainer reads it.  With Force,
		 * a disconnect whose Container names no container deletes the
		 * network's endpoint of that name instead (ForceEndpointDelete):
		 * the lookup answers 404 for it, so it is refused like another's.
		 * "" names nothing to check, and the daemon refuses it.
		 */
		container(
		    r, cJSON_GetObjectItemCaseSensitive(j, "Container"), FORM_WHOLE, "Container");
		/*
		 * The daemon ignores NetworkID when the path names a predefined
		 * network; checking it anyway only refuses more.
		 */
		if (ep == POL_EP_NetworkConnect)
			endpoint(r, cJSON_GetObjectItemCaseSensitive(j, "EndpointConfig"), true);
	}
}

bool
pol_own_body_names_objects(int ep)
{
	return ep == POL_EP_ContainerCreate || ep == POL_EP_NetworkConnect ||
	       ep == POL_EP_NetworkDisconnect || ep == POL_EP_NetworkCreate;
}

/*
 * The bodies with references to pin.  A NetworkCreate's only one,
 * ConfigFrom.Network, goes up by name: the daemon finds a config-only
 * network by exact name only, never by id.
 */
static bool
pins_refs(int ep)
{
	return pol_own_body_names_objects(ep) && ep != POL_EP_NetworkCreate;
}

int
pol_own_collect_refs(int ep, cJSON *root, struct pol_own_ref *out, size_t max, const char **why)
{
	struct refs r = { .v = out, .max = max };

	walk(&r, ep, root);
	if (r.error != NULL) {
		*why = r.error;
		return -1;
	}
	if (r.overflow) {
		*why = "the body names too many other objects to check";
		return -1;
	}
	return (int)r.n;
}

int
pol_own_pin_refs(int ep, const char *body, size_t len, const struct pol_own_ref *refs, size_t n,
    char **out, size_t *outlen, const char **why)
{
	struct refs r = { .pin = refs, .n_pin = n };
	cJSON *root;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (!pins_refs(ep) || len == 0)
		return 0;
	/* Numbers keep their text: the rest of the body goes up as it was checked. */
	if ((root = pol_own_parse_object(body, len)) == NULL) {
		*why = "the body is not a JSON object";
		return -1;
	}
	walk(&r, ep, root);
	if (r.error != NULL) {
		cJSON_Delete(root);
		*why = r.error;
		return -1;
	}
	if ((rc = pol_own_print_changed(root, r.pinned, len + 64 * n + 64, out, outlen)) == -1)
		*why = "out of memory";
	return rc;
}
