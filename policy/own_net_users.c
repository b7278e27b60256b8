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
 *
 * A network prune removes every network of the caller's that no running
 * container is attached to, including those a stopped container still
 * names.  So under ownership it goes on only when no container that is
 * created, exited, dead or restarting (none of which holds an endpoint)
 * names any of the caller's networks; stricter than the prune, which
 * spares a network some running container also uses.
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

/* "/containers/json?all=1&filters=<filters>", malloc'd; NULL when out of memory. */
static char *
containers_path(cJSON *filters)
{
	static const char head[] = "/containers/json?";
	struct pol_qpair pairs[2];
	struct pol_query q = { pairs, 2, NULL };
	char *text = cJSON_PrintUnformatted(filters), *path = NULL;
	size_t need;

	if (text == NULL)
		return NULL;
	pairs[0].key = "all";
	pairs[0].value = "1";
	pairs[1].key = "filters";
	pairs[1].value = text;
	need = pol_query_encode(&q, NULL, 0);
	if ((path = malloc(sizeof(head) + need)) != NULL) {
		memcpy(path, head, sizeof(head) - 1);
		(void)pol_query_encode(&q, path + sizeof(head) - 1, need + 1);
	}
	free(text);
	return path;
}

/*
 * A network's name and id, as two "network" filter values (a container
 * keeps it by either); false when the entry lacks either one (an empty
 * value would match every container) or out of memory.
 */
static bool
add_network(cJSON *nets, const cJSON *network)
{
	const cJSON *name = pol_own_get(network, "Name"), *id = pol_own_get(network, "Id");

	return cJSON_IsString(name) && name->valuestring[0] != '\0' && cJSON_IsString(id) &&
	       id->valuestring[0] != '\0' &&
	       cJSON_AddItemToArray(nets, cJSON_CreateString(name->valuestring)) &&
	       cJSON_AddItemToArray(nets, cJSON_CreateString(id->valuestring));
}

int
pol_own_network_users_path(
    const char *json, size_t len, char *buf, size_t bufsz, char *name, size_t namesz)
{
	const cJSON *n;
	cJSON *root, *filters = NULL, *nets;
	char *path = NULL;
	size_t path_len;
	int rc = -1;

	if (bufsz > 0)
		buf[0] = '\0';
	if (namesz > 0)
		name[0] = '\0';
	if ((root = pol_own_parse_object(json, len)) == NULL)
		return -1;
	n = pol_own_get(root, "Name");
	if ((filters = cJSON_CreateObject()) == NULL ||
	    (nets = cJSON_AddArrayToObject(filters, "network")) == NULL ||
	    !add_network(nets, root) || strlen(n->valuestring) >= namesz ||
	    (path = containers_path(filters)) == NULL || (path_len = strlen(path)) >= bufsz)
		goto out;
	memcpy(name, n->valuestring, strlen(n->valuestring) + 1);
	memcpy(buf, path, path_len + 1);
	rc = (int)path_len;
out:
	free(path);
	cJSON_Delete(filters);
	cJSON_Delete(root);
	return rc;
}

bool
pol_own_prune_checks_users(int ep)
{
	return ep == POL_EP_NetworkPrune;
}

char *
pol_own_prune_users_path(const char *json, size_t len, int *n_networks)
{
	static const char *const idle[] = { "created", "exited", "dead", "restarting" };
	cJSON *list = pol_own_parse(json, len), *filters = cJSON_CreateObject();
	cJSON *nets = cJSON_AddArrayToObject(filters, "network");
	cJSON *status = cJSON_AddArrayToObject(filters, "status");
	const cJSON *n;
	char *path = NULL;
	size_t i;
	int count = 0;

	*n_networks = -1;
	if (!cJSON_IsArray(list) || nets == NULL || status == NULL)
		goto out;
	cJSON_ArrayForEach (n, list) {
		if (!add_network(nets, n))
			goto out;
		count++;
	}
	for (i = 0; i < nitems(idle); i++)
		if (!cJSON_AddItemToArray(status, cJSON_CreateString(idle[i])))
			goto out;
	if (count == 0 || (path = containers_path(filters)) != NULL)
		*n_networks = count;
out:
	cJSON_Delete(list);
	cJSON_Delete(filters);
	return path;
}

int
pol_own_list_count(const char *json, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	int n = cJSON_IsArray(root) ? cJSON_GetArraySize(root) : -1;

	cJSON_Delete(root);
	return n;
}
