/*
 * What each endpoint means under ownership isolation: one row per operation
 * id of endpoints.h, each written on purpose.  A route added to endpoints.h
 * without a row here is refused for ownership policies (and the unit test
 * test_own_classify.c fails), because the zero row would say "nothing
 * owned", which is exactly the mistake to avoid.
 *
 * How the rows were chosen: an endpoint is NONE only when neither its path,
 * its query nor its answer can reach another client's container, exec
 * instance, image, volume or network.  Whatever names one object is OBJECT
 * (the proxy resolves the name through the daemon and checks the owner
 * label); lists, events and prunes get an owner filter the daemon applies
 * (LIST); what cannot be confined is REFUSE, with the reason the client
 * sees.
 *
 * Left to the proxy on purpose (they are in bodies or second query
 * parameters, which this table does not see): the container in a
 * NetworkConnect/Disconnect body; the containers, volumes and networks a
 * ContainerCreate body joins or mounts; a NetworkCreate's ConfigFrom
 * network (own_refs.c); the tag names ImageTag (repo, tag), ImageBuild (t)
 * and ImageCreate (fromImage, repo, tag) write, which can move a name off
 * another client's image (own_tags.c: each must be new or the caller's).
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stddef.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "own_int.h"

struct own_row {
	unsigned char kind; /* enum pol_own_kind */
	unsigned char type; /* enum pol_own_type */
	bool set;           /* written on purpose: false only for a row nobody wrote */
	const char *why;    /* REFUSE: the reason, completing "cannot be confined ...: " */
};

#define NONE                                           \
	{                                              \
		POL_OWN_NONE, POL_OBJ_NONE, true, NULL \
	}
#define OBJ(t)                                          \
	{                                               \
		POL_OWN_OBJECT, POL_OBJ_##t, true, NULL \
	}
#define LIST(t)                                       \
	{                                             \
		POL_OWN_LIST, POL_OBJ_##t, true, NULL \
	}
#define CREATE_BODY(t)                                       \
	{                                                    \
		POL_OWN_CREATE_BODY, POL_OBJ_##t, true, NULL \
	}
#define REFUSE(w)                                       \
	{                                               \
		POL_OWN_REFUSE, POL_OBJ_NONE, true, (w) \
	}

#define WHY_SWARM \
	"swarm objects (the cluster, services, tasks, nodes, secrets, configs) carry no owner"
#define WHY_PLUGIN "plugins are shared by every client of the daemon and carry no owner"
#define WHY_DEBUG  "the daemon's own profiles and variables are not confined to one client"
#define WHY_CACHE  "the build cache is shared by every client and carries no owner"
#define WHY_COMMIT \
	"a commit names its container in the query and writes an image with labels the request chooses"
#define WHY_SAVEALL "it exports the images its query names, several at once"
#define WHY_LOAD \
	"a loaded image carries the labels and tags inside the archive, owner label included"
#define WHY_GRPC "BuildKit's control API reaches the build cache and images of every client"

static const struct own_row own_rows[POL_EP_COUNT] = {
	/*
	 * Checkpoints (experimental) and every route under /containers/{name}:
	 * the container is the object, whatever the action.  Exec create is
	 * the container's too: the new exec instance is owned through it.
	 */
	[POL_EP_CheckpointList] = OBJ(CONTAINER),
	[POL_EP_CheckpointCreate] = OBJ(CONTAINER),
	[POL_EP_CheckpointDelete] = OBJ(CONTAINER),
	[POL_EP_ContainerArchiveInfo] = OBJ(CONTAINER),
	[POL_EP_ContainerExport] = OBJ(CONTAINER),
	[POL_EP_ContainerChanges] = OBJ(CONTAINER),
	[POL_EP_ContainerInspect] = OBJ(CONTAINER),
	[POL_EP_ContainerTop] = OBJ(CONTAINER),
	[POL_EP_ContainerLogs] = OBJ(CONTAINER),
	[POL_EP_ContainerStats] = OBJ(CONTAINER),
	[POL_EP_ContainerAttachWebsocket] = OBJ(CONTAINER),
	[POL_EP_ContainerArchive] = OBJ(CONTAINER),
	[POL_EP_ContainerKill] = OBJ(CONTAINER),
	[POL_EP_ContainerPause] = OBJ(CONTAINER),
	[POL_EP_ContainerUnpause] = OBJ(CONTAINER),
	[POL_EP_ContainerRestart] = OBJ(CONTAINER),
	[POL_EP_ContainerStart] = OBJ(CONTAINER),
	[POL_EP_ContainerStop] = OBJ(CONTAINER),
	[POL_EP_ContainerWait] = OBJ(CONTAINER),
	[POL_EP_ContainerResize] = OBJ(CONTAINER),
	[POL_EP_ContainerAttach] = OBJ(CONTAINER),
	[POL_EP_ContainerCopy] = OBJ(CONTAINER),
	[POL_EP_ContainerExec] = OBJ(CONTAINER),
	[POL_EP_ContainerRename] = OBJ(CONTAINER),
	[POL_EP_ContainerUpdate] = OBJ(CONTAINER),
	[POL_EP_PutContainerArchive] = OBJ(CONTAINER),
	[POL_EP_ContainerDelete] = OBJ(CONTAINER),
	[POL_EP_ContainerCreate] = CREATE_BODY(CONTAINER),
	[POL_EP_ContainerList] = LIST(CONTAINER),
	[POL_EP_ContainerPrune] = LIST(CONTAINER),
	[POL_EP_ImageCommit] = REFUSE(WHY_COMMIT),

	/* Exec instances by id: owned through their container. */
	[POL_EP_ExecInspect] = OBJ(EXEC),
	[POL_EP_ExecStart] = OBJ(EXEC),
	[POL_EP_ExecResize] = OBJ(EXEC),

	/*
	 * Images by name.  Pulled images are shared and unlabeled, so they
	 * leave the caller's lists and cannot be inspected by name; what the
	 * caller builds carries its label.  A pull (ImageCreate) reads no
	 * owned object and is NONE here, like search (the registry's index)
	 * and DistributionInspect (the registry's manifest); the name a pull
	 * writes is checked like a tag's (own_tags.c).  An import (no
	 * fromImage) gets the owner label in its "changes" (own_import.c,
	 * whose pol_own_add_import_label() leaves every other request alone).  Saving several
	 * images at once and loading an archive cannot be confined
	 * (WHY_SAVEALL, WHY_LOAD).
	 */
	[POL_EP_ImageList] = LIST(IMAGE),
	[POL_EP_ImagePrune] = LIST(IMAGE),
	[POL_EP_ImageSearch] = NONE,
	[POL_EP_ImageGetAll] = REFUSE(WHY_SAVEALL),
	[POL_EP_ImageGet] = OBJ(IMAGE),
	[POL_EP_ImageHistory] = OBJ(IMAGE),
	[POL_EP_ImageInspect] = OBJ(IMAGE),
	[POL_EP_ImageAttestations] = OBJ(IMAGE),
	[POL_EP_ImageLoad] = REFUSE(WHY_LOAD),
	[POL_EP_ImageCreate] = NONE,
	[POL_EP_ImagePush] = OBJ(IMAGE),
	[POL_EP_ImageTag] = OBJ(IMAGE),
	[POL_EP_ImageDelete] = OBJ(IMAGE),
	[POL_EP_DistributionInspect] = NONE,

	/*
	 * System.  OPTIONS, ping, version and auth (a registry login check)
	 * touch nothing owned.  /info is NONE too although its counters
	 * (Containers, Images, ...) count every client's objects: counts only,
	 * no names.  /events is filtered by the daemon like a list; /system/df
	 * lists objects with no filter parameter, so its answer is filtered.
	 */
	[POL_EP_SystemOptions] = NONE,
	[POL_EP_SystemPing] = NONE,
	[POL_EP_SystemPingHead] = NONE,
	[POL_EP_SystemVersion] = NONE,
	[POL_EP_SystemInfo] = NONE,
	[POL_EP_SystemAuth] = NONE,
	[POL_EP_SystemEvents] = LIST(NONE),
	[POL_EP_SystemDataUsage] = { POL_OWN_FILTER_RESPONSE, POL_OBJ_NONE, true, NULL },

	/* Volumes by name; VolumeUpdate is for cluster volumes, still by name. */
	[POL_EP_VolumeList] = LIST(VOLUME),
	[POL_EP_VolumeInspect] = OBJ(VOLUME),
	[POL_EP_VolumeCreate] = CREATE_BODY(VOLUME),
	[POL_EP_VolumePrune] = LIST(VOLUME),
	[POL_EP_VolumeUpdate] = OBJ(VOLUME),
	[POL_EP_VolumeDelete] = OBJ(VOLUME),

	/*
	 * Builds: the owner label goes into the "labels" query.  The build
	 * cache has no owner, so pruning it and cancelling builds by id (ids
	 * are not owned either) are refused.  A BuildKit session only carries
	 * the caller's own files and secrets to the daemon: NONE.  The gRPC
	 * control API is refused.
	 */
	[POL_EP_ImageBuild] = { POL_OWN_CREATE_QUERY, POL_OBJ_IMAGE, true, NULL },
	[POL_EP_BuildPrune] = REFUSE(WHY_CACHE),
	[POL_EP_BuildCancel] = REFUSE("builds are cancelled by an id no owner is recorded for"),
	[POL_EP_Session] = NONE,
	[POL_EP_Grpc] = REFUSE(WHY_GRPC),

	/* Swarm: cluster-wide, and services start containers that never pass a create here. */
	[POL_EP_SwarmInit] = REFUSE(WHY_SWARM),
	[POL_EP_SwarmJoin] = REFUSE(WHY_SWARM),
	[POL_EP_SwarmLeave] = REFUSE(WHY_SWARM),
	[POL_EP_SwarmInspect] = REFUSE(WHY_SWARM),
	[POL_EP_SwarmUnlockkey] = REFUSE(WHY_SWARM),
	[POL_EP_SwarmUpdate] = REFUSE(WHY_SWARM),
	[POL_EP_SwarmUnlock] = REFUSE(WHY_SWARM),
	[POL_EP_ServiceList] = REFUSE(WHY_SWARM),
	[POL_EP_ServiceInspect] = REFUSE(WHY_SWARM),
	[POL_EP_ServiceCreate] = REFUSE(WHY_SWARM),
	[POL_EP_ServiceUpdate] = REFUSE(WHY_SWARM),
	[POL_EP_ServiceDelete] = REFUSE(WHY_SWARM),
	[POL_EP_ServiceLogs] = REFUSE(WHY_SWARM),
	[POL_EP_NodeList] = REFUSE(WHY_SWARM),
	[POL_EP_NodeInspect] = REFUSE(WHY_SWARM),
	[POL_EP_NodeDelete] = REFUSE(WHY_SWARM),
	[POL_EP_NodeUpdate] = REFUSE(WHY_SWARM),
	[POL_EP_TaskList] = REFUSE(WHY_SWARM),
	[POL_EP_TaskInspect] = REFUSE(WHY_SWARM),
	[POL_EP_TaskLogs] = REFUSE(WHY_SWARM),
	[POL_EP_SecretList] = REFUSE(WHY_SWARM),
	[POL_EP_SecretCreate] = REFUSE(WHY_SWARM),
	[POL_EP_SecretDelete] = REFUSE(WHY_SWARM),
	[POL_EP_SecretInspect] = REFUSE(WHY_SWARM),
	[POL_EP_SecretUpdate] = REFUSE(WHY_SWARM),
	[POL_EP_ConfigList] = REFUSE(WHY_SWARM),
	[POL_EP_ConfigCreate] = REFUSE(WHY_SWARM),
	[POL_EP_ConfigDelete] = REFUSE(WHY_SWARM),
	[POL_EP_ConfigInspect] = REFUSE(WHY_SWARM),
	[POL_EP_ConfigUpdate] = REFUSE(WHY_SWARM),

	/*
	 * Plugins serve every client (a volume or network plugin holds every
	 * client's data): reading what is installed, or what a registry
	 * plugin asks for, touches nothing owned; changing them is refused.
	 */
	[POL_EP_PluginList] = NONE,
	[POL_EP_PluginInspect] = NONE,
	[POL_EP_GetPluginPrivileges] = NONE,
	[POL_EP_PluginDelete] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginEnable] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginDisable] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginPull] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginPush] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginUpgrade] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginSet] = REFUSE(WHY_PLUGIN),
	[POL_EP_PluginCreate] = REFUSE(WHY_PLUGIN),

	/*
	 * Networks by id or name.  For connect and disconnect the network in
	 * the path is the object here; the container in the body must be the
	 * caller's too (own_refs.c), or a client could cut another's container
	 * off one of its own networks.  The predefined networks (bridge, host,
	 * none) carry no owner, so inspecting them, which lists every client's
	 * containers on them, is refused like any other network not the
	 * caller's.
	 */
	[POL_EP_NetworkList] = LIST(NETWORK),
	[POL_EP_NetworkListSlash] = LIST(NETWORK),
	[POL_EP_NetworkInspect] = OBJ(NETWORK),
	[POL_EP_NetworkCreate] = CREATE_BODY(NETWORK),
	[POL_EP_NetworkConnect] = OBJ(NETWORK),
	[POL_EP_NetworkDisconnect] = OBJ(NETWORK),
	[POL_EP_NetworkPrune] = LIST(NETWORK),
	[POL_EP_NetworkDelete] = OBJ(NETWORK),

	/*
	 * Debug: heap and goroutine profiles and traces of the daemon hold
	 * whatever it was doing for every client.
	 */
	[POL_EP_DebugVars] = REFUSE(WHY_DEBUG),
	[POL_EP_DebugPprofIndex] = REFUSE(WHY_DEBUG),
	[POL_EP_DebugPprofCmdline] = REFUSE(WHY_DEBUG),
	[POL_EP_DebugPprofProfile] = REFUSE(WHY_DEBUG),
	[POL_EP_DebugPprofSymbol] = REFUSE(WHY_DEBUG),
	[POL_EP_DebugPprofTrace] = REFUSE(WHY_DEBUG),
	[POL_EP_DebugPprofLookup] = REFUSE(WHY_DEBUG),
};

bool
pol_own_is_classified(int ep)
{
	return ep > POL_EP_UNKNOWN && ep < POL_EP_COUNT && own_rows[ep].set;
}

bool
pol_own_is_inspect(int ep)
{
	return ep == POL_EP_ContainerInspect || ep == POL_EP_ImageInspect ||
	       ep == POL_EP_VolumeInspect || ep == POL_EP_NetworkInspect;
}

void
pol_own_classify(int ep, const struct sw_req *req, struct pol_own_plan *out)
{
	const struct own_row *r;

	out->kind = POL_OWN_REFUSE;
	out->type = POL_OBJ_NONE;
	out->ref = SW_STR_NULL;
	out->why = "sockwarden has no ownership rule for this endpoint";
	if (!pol_own_is_classified(ep))
		return;
	r = &own_rows[ep];
	out->kind = (enum pol_own_kind)r->kind;
	out->type = (enum pol_own_type)r->type;
	out->why = r->why;
	if (out->kind != POL_OWN_OBJECT)
		return;
	/*
	 * "{name:.*}" may be empty ("DELETE /containers/"): the daemon would
	 * answer 404, but there is nothing to resolve, so say no at once.
	 */
	if (req == NULL || req->ref.len == 0) {
		out->kind = POL_OWN_REFUSE;
		out->type = POL_OBJ_NONE;
		out->why = "the request names no object";
		return;
	}
	out->ref = req->ref;
}
