/*
 * The Docker Engine API route table, private to policy/.  The public view
 * (pol_ep_*) is in include/sockwarden/policy.h.
 *
 * One X-macro list gives the enum, the names and the table, so they cannot
 * drift apart.  Each row is X(operation id, method, template, flags):
 *
 * - operation id: swagger's operationId (api/swagger.yaml); routes swagger
 *   does not describe get a CamelCase name in the same style.  The enum
 *   constant is POL_EP_<operation id>.
 * - method and template: exactly as the daemon registers them
 *   (router.New<Method>Route("<template>", ...)).  "{name:.*}" and
 *   "{id:.*}" are greedy and may contain '/'; "{id:.+}" likewise but not
 *   empty; a plain "{id}" is one path segment.
 * - flags: POL_EPF_* from policy.h, through the EP_* shorthands below.
 *   EP_ROOT marks what gives root on the host when allowed without looking
 *   at the body or query: privileged or host-mounting containers, host
 *   networks, plugins (they run as root with the privileges they ask for),
 *   builds with host networking, swarm membership (a manager can schedule
 *   anything on this node), writes into containers (they reach bind mounts),
 *   and experimental checkpoints (they read and write any host directory).
 *   Resource updates, image loads and exec start are not ROOT: they cannot
 *   grant more than an earlier, inspected request allowed.
 *
 * Order is the daemon's registration order, because gorilla/mux tries routes
 * in order and the first route whose path and method match wins:
 * checkpoint, container, image, system, volume, build, session, swarm,
 * plugin, distribution, network, debug, grpc (daemon/command/daemon.go
 * buildRouters at master; cmd/dockerd/daemon.go initRouter before v29), and
 * within a router the order of its initRoutes list.  Up to v27 network and
 * grpc swap places and the debug routes are added last, without a version
 * prefix and for any method; none of those routes overlap, so one order
 * serves every daemon from 20.10 (API 1.41) to master (API 1.56).
 */
#ifndef SW_POLICY_ENDPOINTS_H
#define SW_POLICY_ENDPOINTS_H

#include "sockwarden/policy.h"

#define EP_NONE   0u
#define EP_READ   POL_EPF_READ
#define EP_LEAK   POL_EPF_LEAK
#define EP_HIJACK POL_EPF_HIJACK
#define EP_STREAM POL_EPF_STREAM
#define EP_ROOT   POL_EPF_ROOT
#define EP_JSON   POL_EPF_JSON_BODY
#define EP_UPLOAD POL_EPF_UPLOAD

#define POL_ENDPOINTS(X)                                                                         \
	/* checkpoint router (experimental), first so its DELETE is not masked */                \
	X(CheckpointList, GET, "/containers/{name:.*}/checkpoints", EP_READ | EP_LEAK)           \
	X(CheckpointCreate, POST, "/containers/{name:.*}/checkpoints", EP_ROOT | EP_JSON)        \
	X(CheckpointDelete, DELETE, "/containers/{name}/checkpoints/{checkpoint}", EP_ROOT)      \
	/* container router */                                                                   \
	X(ContainerArchiveInfo, HEAD, "/containers/{name:.*}/archive", EP_READ | EP_LEAK)        \
	X(ContainerList, GET, "/containers/json", EP_READ)                                       \
	X(ContainerExport, GET, "/containers/{name:.*}/export", EP_READ | EP_LEAK | EP_STREAM)   \
	X(ContainerChanges, GET, "/containers/{name:.*}/changes", EP_READ)                       \
	X(ContainerInspect, GET, "/containers/{name:.*}/json", EP_READ)                          \
	X(ContainerTop, GET, "/containers/{name:.*}/top", EP_READ)                               \
	X(ContainerLogs, GET, "/containers/{name:.*}/logs", EP_READ | EP_STREAM)                 \
	X(ContainerStats, GET, "/containers/{name:.*}/stats", EP_READ | EP_STREAM)               \
	X(ContainerAttachWebsocket, GET, "/containers/{name:.*}/attach/ws",                      \
	    EP_LEAK | EP_HIJACK | EP_STREAM)                                                     \
	X(ExecInspect, GET, "/exec/{id:.*}/json", EP_READ)                                       \
	X(ContainerArchive, GET, "/containers/{name:.*}/archive", EP_READ | EP_LEAK | EP_STREAM) \
	X(ContainerCreate, POST, "/containers/create", EP_ROOT | EP_JSON)                        \
	X(ContainerKill, POST, "/containers/{name:.*}/kill", EP_NONE)                            \
	X(ContainerPause, POST, "/containers/{name:.*}/pause", EP_NONE)                          \
	X(ContainerUnpause, POST, "/containers/{name:.*}/unpause", EP_NONE)                      \
	X(ContainerRestart, POST, "/containers/{name:.*}/restart", EP_NONE)                      \
	/* a HostConfig body is applied before start (API < 1.24 on dockerd <= 24) */            \
	X(ContainerStart, POST, "/containers/{name:.*}/start", EP_ROOT | EP_JSON)                \
	X(ContainerStop, POST, "/containers/{name:.*}/stop", EP_NONE)                            \
	X(ContainerWait, POST, "/containers/{name:.*}/wait", EP_STREAM)                          \
	X(ContainerResize, POST, "/containers/{name:.*}/resize", EP_NONE)                        \
	X(ContainerAttach, POST, "/containers/{name:.*}/attach", EP_HIJACK | EP_STREAM)          \
	/* dockerd <= 25 only; reads files out of the container for API < 1.24 */                \
	X(ContainerCopy, POST, "/containers/{name:.*}/copy", EP_LEAK | EP_STREAM | EP_JSON)      \
	X(ContainerExec, POST, "/containers/{name:.*}/exec", EP_ROOT | EP_JSON)                  \
	X(ExecStart, POST, "/exec/{name:.*}/start", EP_HIJACK | EP_STREAM | EP_JSON)             \
	X(ExecResize, POST, "/exec/{name:.*}/resize", EP_NONE)                                   \
	X(ContainerRename, POST, "/containers/{name:.*}/rename", EP_NONE)                        \
	X(ContainerUpdate, POST, "/containers/{name:.*}/update", EP_JSON)                        \
	X(ContainerPrune, POST, "/containers/prune", EP_NONE)                                    \
	X(ImageCommit, POST, "/commit", EP_JSON)                                                 \
	X(PutContainerArchive, PUT, "/containers/{name:.*}/archive", EP_ROOT | EP_UPLOAD)        \
	X(ContainerDelete, DELETE, "/containers/{name:.*}", EP_NONE)                             \
	/* image router */                                                                       \
	X(ImageList, GET, "/images/json", EP_READ)                                               \
	X(ImageSearch, GET, "/images/search", EP_READ)                                           \
	X(ImageGetAll, GET, "/images/get", EP_READ | EP_LEAK | EP_STREAM)                        \
	X(ImageGet, GET, "/images/{name:.*}/get", EP_READ | EP_LEAK | EP_STREAM)                 \
	X(ImageHistory, GET, "/images/{name:.*}/history", EP_READ)                               \
	X(ImageInspect, GET, "/images/{name:.*}/json", EP_READ)                                  \
	X(ImageAttestations, GET, "/images/{name:.*}/attestations", EP_READ)                     \
	X(ImageLoad, POST, "/images/load", EP_STREAM | EP_UPLOAD)                                \
	X(ImageCreate, POST, "/images/create", EP_STREAM | EP_UPLOAD)                            \
	X(ImagePush, POST, "/images/{name:.*}/push", EP_STREAM)                                  \
	X(ImageTag, POST, "/images/{name:.*}/tag", EP_JSON)                                      \
	X(ImagePrune, POST, "/images/prune", EP_NONE)                                            \
	X(ImageDelete, DELETE, "/images/{name:.*}", EP_NONE)                                     \
	/* system router; OPTIONS only answers 200 */                                            \
	X(SystemOptions, OPTIONS, "/{anyroute:.*}", EP_READ)                                     \
	X(SystemPing, GET, "/_ping", EP_READ)                                                    \
	X(SystemPingHead, HEAD, "/_ping", EP_READ)                                               \
	X(SystemEvents, GET, "/events", EP_READ | EP_STREAM)                                     \
	X(SystemInfo, GET, "/info", EP_READ)                                                     \
	X(SystemVersion, GET, "/version", EP_READ)                                               \
	X(SystemDataUsage, GET, "/system/df", EP_READ)                                           \
	X(SystemAuth, POST, "/auth", EP_JSON)                                                    \
	/* volume router */                                                                      \
	X(VolumeList, GET, "/volumes", EP_READ)                                                  \
	X(VolumeInspect, GET, "/volumes/{name:.*}", EP_READ)                                     \
	X(VolumeCreate, POST, "/volumes/create", EP_ROOT | EP_JSON)                              \
	X(VolumePrune, POST, "/volumes/prune", EP_NONE)                                          \
	X(VolumeUpdate, PUT, "/volumes/{name:.*}", EP_JSON)                                      \
	X(VolumeDelete, DELETE, "/volumes/{name:.*}", EP_NONE)                                   \
	/* build router */                                                                       \
	X(ImageBuild, POST, "/build", EP_ROOT | EP_STREAM | EP_UPLOAD)                           \
	X(BuildPrune, POST, "/build/prune", EP_NONE)                                             \
	X(BuildCancel, POST, "/build/cancel", EP_NONE)                                           \
	/* session router: h2c upgrade, the client serves files and secrets to BuildKit */       \
	X(Session, POST, "/session", EP_HIJACK)                                                  \
	/* swarm router; GET /swarm carries the join tokens */                                   \
	X(SwarmInit, POST, "/swarm/init", EP_ROOT | EP_JSON)                                     \
	X(SwarmJoin, POST, "/swarm/join", EP_ROOT | EP_JSON)                                     \
	X(SwarmLeave, POST, "/swarm/leave", EP_NONE)                                             \
	X(SwarmInspect, GET, "/swarm", EP_READ | EP_LEAK)                                        \
	X(SwarmUnlockkey, GET, "/swarm/unlockkey", EP_READ | EP_LEAK)                            \
	X(SwarmUpdate, POST, "/swarm/update", EP_ROOT | EP_JSON)                                 \
	X(SwarmUnlock, POST, "/swarm/unlock", EP_JSON)                                           \
	X(ServiceList, GET, "/services", EP_READ)                                                \
	X(ServiceInspect, GET, "/services/{id}", EP_READ)                                        \
	X(ServiceCreate, POST, "/services/create", EP_ROOT | EP_JSON)                            \
	X(ServiceUpdate, POST, "/services/{id}/update", EP_ROOT | EP_JSON)                       \
	X(ServiceDelete, DELETE, "/services/{id}", EP_NONE)                                      \
	X(ServiceLogs, GET, "/services/{id}/logs", EP_READ | EP_STREAM)                          \
	X(NodeList, GET, "/nodes", EP_READ)                                                      \
	X(NodeInspect, GET, "/nodes/{id}", EP_READ)                                              \
	X(NodeDelete, DELETE, "/nodes/{id}", EP_NONE)                                            \
	X(NodeUpdate, POST, "/nodes/{id}/update", EP_ROOT | EP_JSON)                             \
	X(TaskList, GET, "/tasks", EP_READ)                                                      \
	X(TaskInspect, GET, "/tasks/{id}", EP_READ)                                              \
	X(TaskLogs, GET, "/tasks/{id}/logs", EP_READ | EP_STREAM)                                \
	X(SecretList, GET, "/secrets", EP_READ | EP_LEAK)                                        \
	X(SecretCreate, POST, "/secrets/create", EP_JSON)                                        \
	X(SecretDelete, DELETE, "/secrets/{id}", EP_NONE)                                        \
	X(SecretInspect, GET, "/secrets/{id}", EP_READ | EP_LEAK)                                \
	X(SecretUpdate, POST, "/secrets/{id}/update", EP_JSON)                                   \
	X(ConfigList, GET, "/configs", EP_READ | EP_LEAK)                                        \
	X(ConfigCreate, POST, "/configs/create", EP_JSON)                                        \
	X(ConfigDelete, DELETE, "/configs/{id}", EP_NONE)                                        \
	X(ConfigInspect, GET, "/configs/{id}", EP_READ | EP_LEAK)                                \
	X(ConfigUpdate, POST, "/configs/{id}/update", EP_JSON)                                   \
	/* plugin router: managed plugins run as root with the privileges they declare */        \
	X(PluginList, GET, "/plugins", EP_READ)                                                  \
	X(PluginInspect, GET, "/plugins/{name:.*}/json", EP_READ)                                \
	X(GetPluginPrivileges, GET, "/plugins/privileges", EP_READ)                              \
	X(PluginDelete, DELETE, "/plugins/{name:.*}", EP_NONE)                                   \
	X(PluginEnable, POST, "/plugins/{name:.*}/enable", EP_ROOT)                              \
	X(PluginDisable, POST, "/plugins/{name:.*}/disable", EP_NONE)                            \
	X(PluginPull, POST, "/plugins/pull", EP_ROOT | EP_STREAM | EP_JSON)                      \
	X(PluginPush, POST, "/plugins/{name:.*}/push", EP_STREAM)                                \
	X(PluginUpgrade, POST, "/plugins/{name:.*}/upgrade", EP_ROOT | EP_STREAM | EP_JSON)      \
	X(PluginSet, POST, "/plugins/{name:.*}/set", EP_ROOT | EP_JSON)                          \
	X(PluginCreate, POST, "/plugins/create", EP_ROOT | EP_UPLOAD)                            \
	/* distribution router */                                                                \
	X(DistributionInspect, GET, "/distribution/{name:.*}/json", EP_READ)                     \
	/* network router; "/networks/" is registered as a second list route */                  \
	X(NetworkList, GET, "/networks", EP_READ)                                                \
	X(NetworkListSlash, GET, "/networks/", EP_READ)                                          \
	X(NetworkInspect, GET, "/networks/{id:.+}", EP_READ)                                     \
	X(NetworkCreate, POST, "/networks/create", EP_ROOT | EP_JSON)                            \
	X(NetworkConnect, POST, "/networks/{id:.*}/connect", EP_JSON)                            \
	X(NetworkDisconnect, POST, "/networks/{id:.*}/disconnect", EP_JSON)                      \
	X(NetworkPrune, POST, "/networks/prune", EP_NONE)                                        \
	X(NetworkDelete, DELETE, "/networks/{id:.*}", EP_NONE)                                   \
	/* debug router: expvar and pprof (profiles block for ?seconds=) */                      \
	X(DebugVars, GET, "/debug/vars", EP_READ | EP_LEAK)                                      \
	X(DebugPprofIndex, GET, "/debug/pprof/", EP_READ | EP_LEAK)                              \
	X(DebugPprofCmdline, GET, "/debug/pprof/cmdline", EP_READ | EP_LEAK)                     \
	X(DebugPprofProfile, GET, "/debug/pprof/profile", EP_READ | EP_LEAK | EP_STREAM)         \
	X(DebugPprofSymbol, GET, "/debug/pprof/symbol", EP_READ | EP_LEAK)                       \
	X(DebugPprofTrace, GET, "/debug/pprof/trace", EP_READ | EP_LEAK | EP_STREAM)             \
	X(DebugPprofLookup, GET, "/debug/pprof/{name}", EP_READ | EP_LEAK | EP_STREAM)           \
	/* grpc router (BuildKit enabled): h2c upgrade to BuildKit's control API */              \
	X(Grpc, POST, "/grpc", EP_ROOT | EP_HIJACK)

/* Endpoint ids: POL_EP_UNKNOWN (0), then one per row in table order. */
enum pol_ep_id {
	POL_EP_NONE_ = POL_EP_UNKNOWN,
#define X(name, method, tpl, flags) POL_EP_##name,
	POL_ENDPOINTS(X)
#undef X
	    POL_EP_COUNT
};

/* Methods the daemon registers; anything else routes nowhere. */
enum ep_method {
	EPM_NONE = 0,
	EPM_GET,
	EPM_HEAD,
	EPM_POST,
	EPM_PUT,
	EPM_DELETE,
	EPM_OPTIONS,
	EPM_COUNT
};

/*
 * The routing index that endpoints.c searches, a constant table computed
 * from the list above at build time (gen/gen_ep_index.c): for each method
 * and each byte that may follow the leading '/' ('\0' for "/"), the rows
 * that may match such a path, in table order (the first row that matches
 * wins): those whose template has that byte there, and those whose
 * template starts with a variable, which may match whatever follows.  List
 * l holds ep_index_row[ep_index_start[l] .. ep_index_start[l + 1]).
 */
#define EP_KEYS 256

static inline size_t
ep_index_list(enum ep_method m, unsigned char key)
{
	return (size_t)m * EP_KEYS + key;
}

#endif
