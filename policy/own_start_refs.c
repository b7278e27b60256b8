/*
 * The networks a container joins when it starts.  A container keeps each
 * of its networks by NAME (the keys of NetworkSettings.Networks in its
 * inspect answer, whatever the create named them by), and the daemon looks
 * each name up again at every start and restart (FindNetwork: exact id,
 * exact name, then id prefix).  Once the caller's network of that name is
 * gone, another client's may bear it: a start would join that one.  So a
 * start is checked like a create that names those networks.  The
 * predefined networks (bridge, host, none, default) carry no owner.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "own_int.h"

bool
pol_own_start_joins_networks(int ep)
{
	return ep == POL_EP_ContainerStart || ep == POL_EP_ContainerRestart;
}

int
pol_own_start_refs(
    const char *json, size_t len, struct pol_own_ref *refs, size_t max, const char **why)
{
	const cJSON *nets, *n;
	cJSON *root;
	size_t count = 0;

	if ((root = pol_own_parse_object(json, len)) == NULL) {
		*why = "the container's inspect answer is not a JSON object";
		return -1;
	}
	nets = pol_own_get(pol_own_get(root, "NetworkSettings"), "Networks");
	for (n = cJSON_IsObject(nets) ? nets->child : NULL; n != NULL; n = n->next) {
		const char *name = n->string;

		if (name == NULL || pol_own_predefined_network(name))
			continue;
		if (count == max || name[0] == '\0' || strlen(name) >= sizeof(refs[0].ref)) {
			cJSON_Delete(root);
			*why = "the container's networks cannot be checked";
			return -1;
		}
		memset(&refs[count], 0, sizeof(refs[count]));
		refs[count].type = POL_OBJ_NETWORK;
		memcpy(refs[count].ref, name, strlen(name) + 1);
		refs[count].field = "NetworkSettings.Networks";
		count++;
	}
	cJSON_Delete(root);
	return (int)count;
}
