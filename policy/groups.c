/*
 * Built-in endpoint groups, usable in a policy as "groups: [name, ...]".
 * Membership is computed from the route table's flags and operation ids, so
 * a new endpoint joins the right groups without touching this file.
 *
 *   read-only             every endpoint flagged READ (does not change daemon
 *                         state) and not LEAK.  LEAK marks reads that hand out
 *                         file contents or secrets: container archive and
 *                         export, image save (images/get), the attach
 *                         websocket, the swarm unlock key, secrets, configs
 *                         and the debug endpoints.  Container logs and
 *                         inspect (which shows Env) are READ and stay in.
 *   ping                  SystemPing, SystemPingHead, SystemVersion: what every
 *                         client needs to negotiate an API version.
 *   events                SystemEvents.
 *   containers-read-only  read-only, restricted to ids starting "Container".
 *   images-read-only      read-only, restricted to ids starting "Image".
 *   networks-read-only    read-only, restricted to ids starting "Network".
 *   volumes-read-only     read-only, restricted to ids starting "Volume".
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "policy_int.h"

struct pol_group {
	const char *name;
	const char *prefix;     /* operation id prefix, NULL: any */
	const char *const *ids; /* explicit members, NULL: by flags */
	bool read_only;         /* members need READ and not LEAK */
};

static const char *const ping_ids[] = { "SystemPing", "SystemPingHead", "SystemVersion", NULL };
static const char *const events_ids[] = { "SystemEvents", NULL };

/* Sorted by name: the error for an unknown group lists them in this order. */
static const struct pol_group groups[] = {
	{ "containers-read-only", "Container", NULL, true },
	{ "events", NULL, events_ids, false },
	{ "images-read-only", "Image", NULL, true },
	{ "networks-read-only", "Network", NULL, true },
	{ "ping", NULL, ping_ids, false },
	{ "read-only", NULL, NULL, true },
	{ "volumes-read-only", "Volume", NULL, true },
};

size_t
pol_group_count(void)
{
	return nitems(groups);
}

const char *
pol_group_name(int group)
{
	if (group < 0 || (size_t)group >= nitems(groups))
		return NULL;
	return groups[group].name;
}

/* Group number for "name", or -1. */
int
pol_group_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(groups); i++)
		if (strcmp(groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Whether endpoint "ep" belongs to "group"; POL_EP_UNKNOWN belongs to none. */
bool
pol_group_has(int group, int ep)
{
	const struct pol_group *g;
	const char *name;
	unsigned flags;
	size_t i;

	if (group < 0 || (size_t)group >= nitems(groups) || ep <= POL_EP_UNKNOWN ||
	    (size_t)ep >= pol_ep_count())
		return false;
	g = &groups[group];
	name = pol_ep_name(ep);
	if (name == NULL)
		return false;
	if (g->ids != NULL) {
		for (i = 0; g->ids[i] != NULL; i++)
			if (strcmp(g->ids[i], name) == 0)
				return true;
		return false;
	}
	if (g->prefix != NULL && strncmp(name, g->prefix, strlen(g->prefix)) != 0)
		return false;
	flags = pol_ep_flags(ep);
	return !g->read_only || ((flags & POL_EPF_READ) != 0 && (flags & POL_EPF_LEAK) == 0);
}
