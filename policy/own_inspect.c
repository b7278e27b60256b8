/*
 * The daemon's inspect answer for an object whose owner is being checked:
 * its full id and the owner label's value.
 *
 * Where each type keeps them (the daemon's Go structs):
 *   container  Id, Config.Labels             (container.InspectResponse)
 *   image      Id, Config.Labels             (image.InspectResponse; Config may be absent)
 *   volume     Name, Labels                  (volume.Volume: the name is its id)
 *   network    Id, Labels                    (network.Inspect)
 *   exec       ID, ContainerID               (container.ExecInspectResponse: no labels,
 *                                             the owner is its container's)
 * A null or absent Labels, or a label that is not there, is "no owner": the
 * caller then treats the object as someone else's.  A network's Name is read
 * too, for a reference the daemon takes by name only (pol_own_ref_is()).
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"

#include "own_int.h"

/* Copies a printable-ASCII id without '/' (it goes back into a path). */
static int
copy_id(const cJSON *v, char *buf, size_t bufsz)
{
	const char *s, *c;

	if (!cJSON_IsString(v) || (s = v->valuestring) == NULL || s[0] == '\0')
		return -1;
	for (c = s; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '/')
			return -1;
	if (buf == NULL || strlen(s) >= bufsz)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static void
clear(char *buf, size_t bufsz)
{
	if (buf != NULL && bufsz > 0)
		buf[0] = '\0';
}

static int
read_owner(const cJSON *labels, const char *label, char *owner, size_t ownersz)
{
	const char *value;
	int rc = pol_own_label_value(labels, label, &value);

	if (rc == -1)
		return -1;
	if (rc == 0)
		return 0;
	/* A value we cannot hold whole must not be compared cut short. */
	if (strlen(value) >= ownersz)
		return -1;
	memcpy(owner, value, strlen(value) + 1);
	return 0;
}

int
pol_own_read_inspect(enum pol_own_type type, const char *json, size_t len, const char *label,
    char *id, size_t idsz, char *owner, size_t ownersz, char *ctr_id, size_t ctr_idsz)
{
	const cJSON *labels = NULL, *config;
	const char *id_key = "Id";
	cJSON *root;
	int rc = -1;

	clear(id, idsz);
	clear(owner, ownersz);
	clear(ctr_id, ctr_idsz);
	if (label == NULL || label[0] == '\0' || owner == NULL || ownersz == 0)
		return -1;
	if ((root = pol_own_parse_object(json, len)) == NULL)
		return -1;
	switch (type) {
	case POL_OBJ_CONTAINER:
	case POL_OBJ_IMAGE:
		config = pol_own_get(root, "Config");
		if (config != NULL && !cJSON_IsNull(config) && !cJSON_IsObject(config))
			goto out;
		labels = pol_own_get(config, "Labels");
		break;
	case POL_OBJ_VOLUME:
		id_key = "Name";
		labels = pol_own_get(root, "Labels");
		break;
	case POL_OBJ_NETWORK:
		labels = pol_own_get(root, "Labels");
		break;
	case POL_OBJ_EXEC:
		id_key = "ID";
		if (copy_id(pol_own_get(root, "ContainerID"), ctr_id, ctr_idsz) == -1)
			goto out;
		break;
	default:
		goto out;
	}
	if (copy_id(pol_own_get(root, id_key), id, idsz) == -1)
		goto out;
	if (type != POL_OBJ_EXEC && read_owner(labels, label, owner, ownersz) == -1)
		goto out;
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc == -1) {
		clear(id, idsz);
		clear(owner, ownersz);
		clear(ctr_id, ctr_idsz);
	}
	return rc;
}

bool
pol_own_ref_is(const struct pol_own_ref *r, const char *json, size_t len)
{
	const cJSON *name;
	cJSON *root;
	bool is;

	if (!r->name_only)
		return true;
	if ((root = pol_own_parse_object(json, len)) == NULL)
		return false;
	name = pol_own_get(root, "Name");
	is = cJSON_IsString(name) && strcmp(name->valuestring, r->ref) == 0;
	cJSON_Delete(root);
	return is;
}
