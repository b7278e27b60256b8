/*
 * GET /system/df under ownership: the daemon has no filter for it, so its
 * answer is filtered here.  Containers, images and volumes whose
 * Labels[owner label] is not the caller's are removed; the build cache,
 * which has no owner, is emptied; every total is recomputed from what is
 * left, since a total over everyone's objects tells about them too.
 *
 * The answer has two shapes (daemon/server/router/system/system_routes.go
 * getDiskUsage), both handled, alone or together (API 1.52 sends both
 * unless "verbose" is set):
 * - legacy (API < 1.52): LayersSize, Images[], Containers[], Volumes[],
 *   BuildCache[];
 * - current: ImageUsage, ContainerUsage, VolumeUsage, BuildCacheUsage, each
 *   { ActiveCount, Items[], Reclaimable, TotalCount, TotalSize }, all
 *   omitempty.  Without Items (a future non-verbose answer) nothing can be
 *   attributed, so the totals become zero.
 * The totals follow the daemon's own rules (daemon/disk_usage.go), except
 * the images' TotalSize and LayersSize: the daemon measures the layer
 * store, shared layers once; here it is the sum of the caller's images'
 * sizes, an upper bound.  Top-level keys not listed above are dropped:
 * whatever a newer daemon adds there, it is not known to be the caller's.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_strict.h"
#include "own_int.h"
#include "query.h"

enum df_kind {
	DF_IMAGES,
	DF_CONTAINERS,
	DF_VOLUMES,
};

struct df_totals {
	int64_t active, reclaimable, count, size;
};

/* An int64 member of "obj"; "dflt" when absent or not an integer. */
static int64_t
int_member(const cJSON *obj, const char *key, int64_t dflt)
{
	const char *text = pol_json_number_text(pol_own_get(obj, key));
	int64_t v;

	if (text == NULL || pol_go_parse_int64(text, &v) == -1)
		return dflt;
	return v;
}

static int64_t
add_sat(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* One kept item's share of the totals, by the daemon's rules. */
static void
account(enum df_kind kind, const cJSON *item, struct df_totals *t)
{
	const cJSON *usage, *state;
	int64_t size, shared, n;

	t->count++;
	switch (kind) {
	case DF_IMAGES:
		size = int_member(item, "Size", -1);
		shared = int_member(item, "SharedSize", -1);
		n = int_member(item, "Containers", -1);
		if (size > 0)
			t->size = add_sat(t->size, size);
		if (n > 0)
			t->active++;
		else if (n == 0 && size != -1 && shared != -1)
			t->reclaimable = add_sat(t->reclaimable, size - shared);
		break;
	case DF_CONTAINERS:
		size = int_member(item, "SizeRw", 0);
		t->size = add_sat(t->size, size);
		state = pol_own_get(item, "State");
		if (cJSON_IsString(state) && (strcmp(state->valuestring, "running") == 0 ||
		                                 strcmp(state->valuestring, "paused") == 0 ||
		                                 strcmp(state->valuestring, "restarting") == 0))
			t->active++;
		else
			t->reclaimable = add_sat(t->reclaimable, size);
		break;
	case DF_VOLUMES:
		usage = pol_own_get(item, "UsageData");
		size = int_member(usage, "Size", -1);
		t->active++;
		if (size != -1) {
			t->size = add_sat(t->size, size);
			if (int_member(usage, "RefCount", 0) == 0) {
				t->reclaimable = add_sat(t->reclaimable, size);
				t->active--;
			}
		}
		break;
	}
}

/* Removes from array "list" the items not owned by "owner"; -1 when it is not an array. */
static int
filter_items(
    cJSON *list, enum df_kind kind, const char *label, const char *owner, struct df_totals *t)
{
	cJSON *item, *next;

	if (list == NULL || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return -1;
	for (item = list->child; item != NULL; item = next) {
		next = item->next;
		if (cJSON_IsObject(item) && pol_own_labels_match(item, label, owner)) {
			account(kind, item, t);
			continue;
		}
		cJSON_Delete(cJSON_DetachItemViaPointer(list, item));
	}
	return 0;
}

/* Sets obj[key] to the integer n, as Go's omitempty would: absent when zero. */
static int
put_total(cJSON *obj, const char *key, int64_t n)
{
	cJSON *v;

	if (n == 0)
		return 0;
	if ((v = pol_json_new_int(n)) == NULL)
		return -1;
	return cJSON_AddItemToObject(obj, key, v) ? 0 : -1;
}

/* A current-shape usage object: only Items (filtered) and recomputed totals remain. */
static int
filter_usage(cJSON *usage, enum df_kind kind, const char *label, const char *owner)
{
	struct df_totals t = { 0, 0, 0, 0 };
	cJSON *m, *next, *items = NULL;

	if (cJSON_IsNull(usage))
		return 0;
	if (!cJSON_IsObject(usage))
		return -1;
	for (m = usage->child; m != NULL; m = next) {
		next = m->next;
		if (strcmp(m->string, "Items") == 0 && items == NULL)
			items = m;
		else
			cJSON_Delete(cJSON_DetachItemViaPointer(usage, m));
	}
	if (filter_items(items, kind, label, owner, &t) == -1)
		return -1;
	if (items != NULL && cJSON_GetArraySize(items) == 0)
		cJSON_Delete(cJSON_DetachItemViaPointer(usage, items));
	if (put_total(usage, "ActiveCount", t.active) == -1 ||
	    put_total(usage, "Reclaimable", t.reclaimable) == -1 ||
	    put_total(usage, "TotalCount", t.count) == -1 ||
	    put_total(usage, "TotalSize", t.size) == -1)
		return -1;
	return 0;
}

/* Empties a member in place: an array becomes [], an object {}. */
static void
empty(cJSON *v)
{
	cJSON *c, *next;

	for (c = v->child; c != NULL; c = next) {
		next = c->next;
		cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
	}
}

static int
filter_member(cJSON *m, const char *label, const char *owner, int64_t *layers)
{
	static const struct {
		const char *key;
		enum df_kind kind;
		bool current;
	} shapes[] = {
		{ "Images", DF_IMAGES, false },
		{ "Containers", DF_CONTAINERS, false },
		{ "Volumes", DF_VOLUMES, false },
		{ "ImageUsage", DF_IMAGES, true },
		{ "ContainerUsage", DF_CONTAINERS, true },
		{ "VolumeUsage", DF_VOLUMES, true },
	};
	struct df_totals t = { 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < nitems(shapes); i++) {
		if (strcmp(m->string, shapes[i].key) != 0)
			continue;
		if (shapes[i].current)
			return filter_usage(m, shapes[i].kind, label, owner);
		if (filter_items(m, shapes[i].kind, label, owner, &t) == -1)
			return -1;
		if (shapes[i].kind == DF_IMAGES)
			*layers = t.size;
		return 0;
	}
	return 1; /* not one of these */
}

int
pol_own_df_filter_tree(cJSON *root, const char *label, const char *owner)
{
	cJSON *m, *next, *layers = NULL;
	int64_t layers_size = 0;
	int r;

	if (label == NULL || label[0] == '\0' || owner == NULL || owner[0] == '\0' ||
	    !cJSON_IsObject(root))
		return -1;
	for (m = root->child; m != NULL; m = next) {
		next = m->next;
		if (strcmp(m->string, "LayersSize") == 0 && layers == NULL) {
			layers = m;
			continue;
		}
		if (strcmp(m->string, "BuildCache") == 0 ||
		    strcmp(m->string, "BuildCacheUsage") == 0) {
			if (!cJSON_IsArray(m) && !cJSON_IsObject(m) && !cJSON_IsNull(m))
				return -1;
			empty(m);
			continue;
		}
		if ((r = filter_member(m, label, owner, &layers_size)) == -1)
			return -1;
		if (r == 1)
			cJSON_Delete(cJSON_DetachItemViaPointer(root, m));
	}
	if (layers != NULL) {
		cJSON *v = pol_json_new_int(layers_size);

		cJSON_Delete(cJSON_DetachItemViaPointer(root, layers));
		if (v == NULL || !cJSON_AddItemToObject(root, "LayersSize", v)) {
			cJSON_Delete(v);
			return -1;
		}
	}
	return 0;
}
