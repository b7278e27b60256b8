/*
 * One reading of a body ownership changes or checks: the owner label put
 * into a create's body (ContainerCreate: container.Config's Labels, at the
 * top level of the body; VolumeCreate: volume.CreateOptions Labels;
 * NetworkCreate: network.CreateRequest Labels), and the other objects a
 * create, a NetworkConnect or a NetworkDisconnect names (own_refs.c), from
 * one parse.
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

#include "endpoints.h"
#include "json_strict.h"
#include "own_int.h"
#include "policy_int.h"

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* The creates whose body gets the owner label. */
static bool
creates(int ep)
{
	return ep == POL_EP_ContainerCreate || ep == POL_EP_VolumeCreate ||
	       ep == POL_EP_NetworkCreate;
}

/*
 * Does this create take its labels from another object rather than from
 * the request?  A NetworkCreate with ConfigFrom: libnetwork refuses labels
 * on such a network and gives it the labels of the config-only network it
 * copies (applyConfigurationTo), so the owner label is inherited from
 * there, which own_refs.c names for the owner check, and must not be added.
 * The daemon ignores ConfigFrom when its Network is "": then the request's
 * labels count.
 */
static bool
labels_inherited(int ep, const cJSON *root)
{
	const cJSON *net = pol_own_get(pol_own_get(root, "ConfigFrom"), "Network");

	return ep == POL_EP_NetworkCreate && cJSON_IsString(net) && net->valuestring[0] != '\0';
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

/*
 * Labels[label] = owner in the parsed create body "root"; when "inherited",
 * only the checks (the client may not set the owner label there either).
 */
static int
label_tree(cJSON *root, const char *label, const char *owner, bool inherited, const char **why)
{
	cJSON *labels, *m;

	if (find_labels(root, &labels, why) == -1)
		return -1;
	if (labels != NULL && !cJSON_IsNull(labels) && !cJSON_IsObject(labels))
		return fail(why, "Labels must be a JSON object");
	for (m = labels != NULL ? labels->child : NULL; m != NULL; m = m->next)
		if (pol_own_key_caseeq(m->string, label))
			return fail(why, "the request sets the owner label itself");
	if (inherited)
		return 0;
	if (labels == NULL && (labels = cJSON_AddObjectToObject(root, "Labels")) == NULL)
		return fail(why, "out of memory");
	/* "Labels": null is no labels; the node becomes an empty object in place. */
	labels->type = cJSON_Object;
	if (cJSON_AddStringToObject(labels, label, owner) == NULL)
		return fail(why, "out of memory");
	return 0;
}

/*
 * The volumes a ContainerCreate's mounts create take the labels of
 * Mounts[].VolumeOptions.Labels (HostConfig's, and the legacy top-level
 * HostConfig fields' as own_refs.c reads them): one that sets the owner
 * label would make a volume another client takes for its own.
 */
static int
check_mount_labels(const cJSON *root, const char *label, const char **why)
{
	const cJSON *lists[2] = { pol_own_get(pol_own_get(root, "HostConfig"), "Mounts"),
		pol_own_get(root, "Mounts") };
	const cJSON *m, *l;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (!cJSON_IsArray(lists[i]))
			continue;
		cJSON_ArrayForEach (m, lists[i]) {
			l = pol_own_get(pol_own_get(m, "VolumeOptions"), "Labels");
			for (l = cJSON_IsObject(l) ? l->child : NULL; l != NULL; l = l->next)
				if (pol_own_key_caseeq(l->string, label))
					return fail(why,
					    "a mount's VolumeOptions.Labels sets the owner label");
		}
	}
	return 0;
}

/*
 * A network name of lower-case hex digits only is refused: a container
 * keeps its networks by name and the daemon looks each up again at every
 * start (FindNetwork: exact id, exact name, then id prefix), so once this
 * network is gone the name would be read as a prefix of another client's
 * network id, and the container joined to that network.
 */
static int
check_network_name(const cJSON *root, const char **why)
{
	const cJSON *name = pol_own_get(root, "Name");
	const char *c;

	if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
		return 0;
	for (c = name->valuestring; *c != '\0'; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return 0;
	return fail(why, "a network name of hex digits only could later be read as another "
	                 "network's id; add a letter past f, or a '-'");
}

/*
 * CheckDuplicate false (honoured by daemons before API 1.44) makes a second
 * network of a name that exists: another client's network then answers its
 * own name ambiguously, and the daemon's warning quotes that network's id.
 */
static int
check_network_duplicate(const cJSON *root, const char **why)
{
	if (cJSON_IsFalse(pol_own_get(root, "CheckDuplicate")))
		return fail(why, "CheckDuplicate false would make a second network of a name "
		                 "that may be someone else's");
	return 0;
}

int
pol_own_read_body(int ep, const char *body, size_t len, const char *label, const char *owner,
    struct pol_own_ref *refs, size_t max, char **out, size_t *outlen, const char **why)
{
	struct sw_str text = sw_str_make(body, len);
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	size_t size = len + POL_OWN_LABEL_MAX + 300;
	bool labelled = false;
	int n = -1;

	*out = NULL;
	*outlen = 0;
	if (!creates(ep) && !pol_own_body_names_objects(ep))
		return fail(why,
		    "only container, volume and network creates and network connects and disconnects are read for ownership");
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
	if (ep == POL_EP_ContainerCreate && check_mount_labels(doc.root, label, why) == -1)
		goto out;
	if (ep == POL_EP_NetworkCreate && (check_network_name(doc.root, why) == -1 ||
	                                      check_network_duplicate(doc.root, why) == -1))
		goto out;
	if (creates(ep)) {
		labelled = !labels_inherited(ep, doc.root);
		if (label_tree(doc.root, label, owner, !labelled, why) == -1)
			goto out;
	}
	if ((n = pol_own_collect_refs(ep, doc.root, refs, max, why)) == -1)
		goto out;
	if (labelled) {
		if ((*out = pol_json_print(doc.root, &size)) == NULL) {
			n = fail(why, "out of memory");
			goto out;
		}
		*outlen = size;
	}
out:
	pol_json_free(&doc);
	return n;
}
