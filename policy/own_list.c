/*
 * List answers and the events stream under ownership and redaction.
 *
 * Inspect answers are not the only place labels show: every list carries
 * each object's Labels, /system/df does too, and an events message carries
 * a container's or image's labels in Actor.Attributes.  The shapes (moby
 * api/types):
 *   GET /containers/json  [ container.Summary{..., Labels} ]
 *   GET /images/json      [ image.Summary{..., Labels} ]
 *   GET /networks         [ network.Summary{..., Labels} ]
 *   GET /volumes          volume.ListResponse{ Volumes: [ volume.Volume{..., Labels} ], Warnings }
 *   GET /system/df        see own_df.c; items carry Labels
 *   GET /events           events.Message{ Type, Action, Actor{ ID, Attributes }, ... } per line
 * Labels maps may be null (a nil Go map), and so may a list (a nil slice).
 *
 * Under ownership the daemon already filters lists by the owner label the
 * proxy adds to the query, but not everywhere: on a swarm manager (API >=
 * 1.42) GET /volumes appends the cluster volumes, and those are listed
 * without the filters (daemon/cluster/volumes.go GetVolumes sends an empty
 * ListVolumesRequest).  So an answer is filtered here too: an entry
 * without the caller's owner label does not reach the caller.
 *
 * An events message's Attributes mix labels with the daemon's own keys
 * (name, image, exitCode, ...); a key matching a redact glob is redacted
 * whatever put it there, since the safe mistake is to hide too much.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"

#include "endpoints.h"
#include "own_int.h"

enum pol_list_kind
pol_own_list_kind(int ep)
{
	switch (ep) {
	case POL_EP_ContainerList:
		return POL_LIST_CONTAINERS;
	case POL_EP_ImageList:
		return POL_LIST_IMAGES;
	case POL_EP_NetworkList:
	case POL_EP_NetworkListSlash:
		return POL_LIST_NETWORKS;
	case POL_EP_VolumeList:
		return POL_LIST_VOLUMES;
	case POL_EP_SystemDataUsage:
		return POL_LIST_DF;
	case POL_EP_SystemEvents:
		return POL_LIST_EVENTS;
	default:
		return POL_LIST_NONE;
	}
}

/*
 * The entries of array "list": those not owned by "owner" (when set)
 * removed, the rest's Labels redacted.  Returns how many entries changed
 * or went, -1 when "list" is not an array of objects or a Labels map is
 * malformed.
 */
static int
filter_entries(cJSON *list, const struct pol_ownership *o, const char *owner)
{
	cJSON *item, *next;
	int n = 0, r;

	if (list == NULL || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return -1;
	for (item = list->child; item != NULL; item = next) {
		next = item->next;
		if (!cJSON_IsObject(item))
			return -1;
		if (owner != NULL && !pol_own_labels_match(item, o->label, owner)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, item));
			n++;
			continue;
		}
		if ((r = pol_own_redact_labels(pol_own_get(item, "Labels"), o)) == -1)
			return -1;
		n += r;
	}
	return n;
}

/*
 * /system/df: the item lists of both shapes (own_df.c), already filtered
 * for the owner if any; only their Labels are left to redact.
 */
static int
redact_df(cJSON *root, const struct pol_ownership *o)
{
	static const char *const legacy[] = { "Images", "Containers", "Volumes" };
	static const char *const current[] = { "ImageUsage", "ContainerUsage", "VolumeUsage" };
	cJSON *usage;
	size_t i;
	int n = 0, r;

	for (i = 0; i < nitems(legacy); i++) {
		if ((r = filter_entries(pol_own_get(root, legacy[i]), o, NULL)) == -1)
			return -1;
		n += r;
	}
	for (i = 0; i < nitems(current); i++) {
		usage = pol_own_get(root, current[i]);
		if (usage == NULL || cJSON_IsNull(usage))
			continue;
		if (!cJSON_IsObject(usage))
			return -1;
		if ((r = filter_entries(pol_own_get(usage, "Items"), o, NULL)) == -1)
			return -1;
		n += r;
	}
	return n;
}

/* Filters the parsed answer in place; returns how much changed, or -1. */
static int
filter_tree(enum pol_list_kind kind, cJSON *root, const struct pol_ownership *o, const char *owner)
{
	cJSON *vols;
	int n;

	switch (kind) {
	case POL_LIST_CONTAINERS:
	case POL_LIST_IMAGES:
	case POL_LIST_NETWORKS:
		return filter_entries(root, o, owner);
	case POL_LIST_VOLUMES:
		if (!cJSON_IsObject(root))
			return -1;
		vols = pol_own_get(root, "Volumes");
		return filter_entries(vols, o, owner);
	case POL_LIST_DF:
		if (!cJSON_IsObject(root))
			return -1;
		if (owner != NULL && pol_own_df_filter_tree(root, o->label, owner) == -1)
			return -1;
		if ((n = redact_df(root, o)) == -1)
			return -1;
		return owner != NULL ? n + 1 : n; /* a filtered answer always changed (totals) */
	default:
		return -1;
	}
}

int
pol_own_filter_list(enum pol_list_kind kind, const struct pol_ownership *o, const char *owner,
    const char *json, size_t len, char **out, size_t *outlen)
{
	cJSON *root;

	*out = NULL;
	*outlen = 0;
	if (o == NULL || kind == POL_LIST_NONE || kind == POL_LIST_EVENTS)
		return -1;
	if (owner != NULL && owner[0] == '\0')
		owner = NULL;
	if (owner != NULL && o->label[0] == '\0')
		return -1;
	if (owner == NULL && o->n_redact_labels == 0)
		return 0; /* nothing to do */
	if ((root = pol_own_parse(json, len)) == NULL)
		return -1;
	return pol_own_print_changed(root, filter_tree(kind, root, o, owner), len, out, outlen);
}

/* Whether an events message's Actor carries the owner label, as the daemon's filter reads it. */
static bool
event_owned(const cJSON *actor, const char *label, const char *owner)
{
	const char *value;

	return pol_own_label_value(pol_own_get(actor, "Attributes"), label, &value) == 1 &&
	       strcmp(value, owner) == 0;
}

int
pol_redact_event(const struct pol_ownership *o, const char *owner, const char *json, size_t len,
    char **out, size_t *outlen)
{
	cJSON *root, *actor;
	int n;

	*out = NULL;
	*outlen = 0;
	if (owner != NULL && owner[0] == '\0')
		owner = NULL;
	if (o == NULL || (owner != NULL && o->label[0] == '\0') ||
	    (root = pol_own_parse_object(json, len)) == NULL)
		return -1;
	actor = pol_own_get(root, "Actor");
	if (actor != NULL && !cJSON_IsNull(actor) && !cJSON_IsObject(actor)) {
		n = -1;
	} else if (owner != NULL && !event_owned(actor, o->label, owner)) {
		cJSON_Delete(root);
		return POL_EVENT_NOT_OWNED;
	} else {
		/* No actor, or a null one: pol_own_get() gives NULL, nothing to redact. */
		n = pol_own_redact_labels(pol_own_get(actor, "Attributes"), o);
	}
	return pol_own_print_changed(root, n, len, out, outlen);
}
