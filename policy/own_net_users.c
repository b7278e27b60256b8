/*
 * Who still names a network about to be deleted.  A container keeps its
 * networks by name (NetworkSettings.Networks), and the daemon looks each
 * name up again whenever it starts the container, including the restarts
 * its restart policy makes without any request the proxy sees.  Once the
 * caller's network is gone, another client's network may take the name,
 * and the container would join it.  So under ownership a network is
 * deleted only when no container names it: the proxy asks the daemon's
 * container list with a "network" filter, which matches a container whose
 * networks include that name, or a NetworkID starting with that value
 * (daemon/list.go), stopped containers included (all=1).
 */
#include "sockwarden/compat.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "own_int.h"
#include "query.h"

bool
pol_own_delete_checks_users(int ep)
{
	return ep == POL_EP_NetworkDelete;
}

/* {"network":[name, id]} for the list's filters parameter; NULL when out of memory. */
static char *
network_filter(const char *name, const char *id)
{
	cJSON *f = cJSON_CreateObject(), *v = cJSON_AddArrayToObject(f, "network");
	char *text = NULL;

	if (v != NULL && cJSON_AddItemToArray(v, cJSON_CreateString(name)) &&
	    cJSON_AddItemToArray(v, cJSON_CreateString(id)))
		text = cJSON_PrintUnformatted(f);
	cJSON_Delete(f);
	return text;
}

int
pol_own_network_users_path(
    const char *json, size_t len, char *buf, size_t bufsz, char *name, size_t namesz)
{
	static const char head[] = "/containers/json?";
	const cJSON *n, *id;
	struct pol_qpair pairs[2];
	struct pol_query q = { pairs, 2, NULL };
	cJSON *root;
	char *filter;
	size_t need;
	int rc = -1;

	if (bufsz > 0)
		buf[0] = '\0';
	if (namesz > 0)
		name[0] = '\0';
	if ((root = pol_own_parse_object(json, len)) == NULL)
		return -1;
	n = pol_own_get(root, "Name");
	id = pol_own_get(root, "Id");
	if (!cJSON_IsString(n) || n->valuestring[0] == '\0' || !cJSON_IsString(id) ||
	    id->valuestring[0] == '\0' || strlen(n->valuestring) >= namesz ||
	    bufsz < sizeof(head) ||
	    (filter = network_filter(n->valuestring, id->valuestring)) == NULL)
		goto out;
	memcpy(name, n->valuestring, strlen(n->valuestring) + 1);
	pairs[0].key = "all";
	pairs[0].value = "1";
	pairs[1].key = "filters";
	pairs[1].value = filter;
	memcpy(buf, head, sizeof(head));
	need = pol_query_encode(&q, buf + sizeof(head) - 1, bufsz - (sizeof(head) - 1));
	free(filter);
	if (need >= bufsz - (sizeof(head) - 1)) {
		buf[0] = '\0';
		goto out;
	}
	rc = (int)(sizeof(head) - 1 + need);
out:
	cJSON_Delete(root);
	return rc;
}

int
pol_own_list_count(const char *json, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	int n = cJSON_IsArray(root) ? cJSON_GetArraySize(root) : -1;

	cJSON_Delete(root);
	return n;
}
