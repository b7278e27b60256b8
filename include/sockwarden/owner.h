/*
 * Ownership isolation and response redaction: the pure part (policy/own_*.c).
 * A policy with "ownership" labels every object its clients create with the
 * caller's owner identity, and confines every later request to objects that
 * carry it.  The proxy does the daemon round trips; this file decides what
 * to ask, how to rewrite the request, and how to filter the response.
 */
#ifndef SW_OWNER_H
#define SW_OWNER_H

#include <stdbool.h>
#include <stddef.h>

#include "sockwarden/build_check.h"
#include "sockwarden/req.h"
#include "sockwarden/str.h"

struct pol_set;

/* A policy's "ownership" and "redact" settings; see pol_set_ownership(). */
struct pol_ownership {
	bool isolate;                  /* ownership: on */
	char label[128];               /* the owner label key, SW_DEF_OWNER_LABEL by default */
	size_t n_redact_env;           /* Config.Env entries whose NAME matches are redacted */
	const char *const *redact_env; /* globs over the variable name */
	size_t n_redact_labels;        /* labels whose key matches are redacted */
	const char *const *redact_labels;
};

/* NULL when the policy has neither ownership nor redaction. */
const struct pol_ownership *pol_set_ownership(const struct pol_set *ps, int policy);

/* What an endpoint means under ownership isolation. */
enum pol_own_kind {
	POL_OWN_NONE = 0,     /* not about owned objects: the policy alone decides */
	POL_OWN_CREATE_BODY,  /* creates an object from a JSON body with Labels */
	POL_OWN_CREATE_QUERY, /* ImageBuild: the owner label goes into the "labels" query */
	POL_OWN_LIST,         /* lists, events, prunes: an owner label filter goes into "filters" */
	POL_OWN_OBJECT,       /* names one object: resolved through the daemon, owner only */
	POL_OWN_FILTER_RESPONSE, /* SystemDataUsage: others' objects are removed from the answer */
	POL_OWN_REFUSE,          /* cannot be confined to the caller's objects */
};

enum pol_own_type {
	POL_OBJ_NONE = 0,
	POL_OBJ_CONTAINER,
	POL_OBJ_IMAGE,
	POL_OBJ_VOLUME,
	POL_OBJ_NETWORK,
	POL_OBJ_EXEC, /* owned through its container */
};

struct pol_own_plan {
	enum pol_own_kind kind;
	enum pol_own_type type; /* OBJECT: what "ref" names; CREATE_*: what is created */
	struct sw_str ref;      /* OBJECT: the reference as the request path names it (a view) */
	const char *why;        /* REFUSE: why, for the client's message */
};

/* Classify routed request "req" (endpoint "ep", req->ref set by pol_ep_match). */
void pol_own_classify(int ep, const struct sw_req *req, struct pol_own_plan *out);

/*
 * The reference an OBJECT plan's lookup resolves, into buf: the object the
 * daemon acts on.  That is the path's reference, except for ImagePush
 * (whose "tag" parameter replaces the name's tag) and ImageGet; a name-only
 * push or save, which acts on every tag of the repository, is refused
 * (policy/own_object_ref.c).  Returns 0, or -1 with a static reason in *why
 * and the answer's status (400 or 403) in *status.
 */
int pol_own_object_ref(
    const struct sw_req *req, char *buf, size_t bufsz, int *status, const char **why);

/*
 * The daemon path that inspects object "ref" of "type" (an OBJECT plan's,
 * or one a body names), e.g. "/containers/<ref>/json" (ref
 * percent-encoded).  Returns 0, -1 if it does not fit or would not route
 * to that inspect.
 */
int pol_own_inspect_path(enum pol_own_type type, const char *ref, char *buf, size_t bufsz);

/*
 * From the daemon's inspect answer for "type": the object's full id (for
 * volumes, the name), the owner label's value ("" when absent), and for an
 * exec instance the id of its container (then the owner is that
 * container's, found by a second lookup).  Returns 0, or -1 when the
 * answer is not the expected JSON.
 */
int pol_own_read_inspect(enum pol_own_type type, const char *json, size_t len, const char *label,
    char *id, size_t idsz, char *owner, size_t ownersz, char *ctr_id, size_t ctr_idsz);

/*
 * Rewrite a request target so the daemon acts on the resolved object:
 * "path" with its first occurrence of the reference (as routed) replaced by
 * "id", percent-encoded, the query kept.  Returns the length, -1 if it does
 * not fit.
 */
int pol_own_rewrite_target(const struct sw_req *req, const char *id, char *buf, size_t bufsz);

/*
 * LIST: "query" with an owner filter label=<label>=<owner> merged into its
 * "filters" parameter (both the current map-of-maps form,
 * {"label":{"k=v":true}}, and the legacy map-of-lists one; a missing parameter is created; a
 * repeated or unparsable one is refused).  Writes the new query (without '?') to buf. Returns its
 * length, or -1 with a static reason in *why.
 */
int pol_own_add_filter(const struct sw_str *query, const char *label, const char *owner, char *buf,
    size_t bufsz, const char **why);

/*
 * CREATE_QUERY: "query" with label=owner added to ImageBuild's "labels"
 * JSON parameter.  Refused (-1, *why) when the caller sets that label, or
 * when "networkmode" is "container:<x>" or a user network (the build's RUN
 * steps would join that namespace or network, not checked to be the
 * caller's): only default, bridge, host and none pass.
 */
int pol_own_add_build_label(const struct sw_str *query, const char *label, const char *owner,
    char *buf, size_t bufsz, const char **why);

/*
 * An import (endpoint "ep" ImageCreate without fromImage, the daemon's
 * import branch): "query" with one more "changes" value, the Dockerfile
 * line LABEL '<label>'='<owner>', appended last so that it wins
 * (policy/own_import.c).  Returns the new query's length (written to buf,
 * without '?'), 0 for a pull or another endpoint (nothing to rewrite), or
 * -1 with a static reason in *why: a changes value names the owner label
 * (any ASCII case), spans lines, ends in a line continuation or opens a
 * heredoc, or the query does not parse or fit.
 */
int pol_own_add_import_label(int ep, const struct sw_str *query, const char *label,
    const char *owner, char *buf, size_t bufsz, const char **why);

/*
 * Is endpoint "ep" the inspect of a container, image, volume or network,
 * whose answer pol_redact_inspect() reads?
 */
bool pol_own_is_inspect(int ep);

/*
 * An inspect answer (container or image: Config.Env and Config.Labels;
 * volume and network: Labels) with matching Env values and label values
 * replaced by "<redacted>".  *out is malloc'd.  Returns 1 when something
 * was redacted, 0 when nothing was (*out NULL), -1 on bad JSON.
 */
int pol_redact_inspect(enum pol_own_type type, const struct pol_ownership *o, const char *json,
    size_t len, char **out, size_t *outlen);

/* Answers that list objects with their labels (pol_own_list_kind()). */
enum pol_list_kind {
	POL_LIST_NONE = 0,
	POL_LIST_CONTAINERS, /* GET /containers/json: [ {..., "Labels": {}}, ... ] */
	POL_LIST_IMAGES,     /* GET /images/json: the same shape */
	POL_LIST_NETWORKS,   /* GET /networks: the same shape */
	POL_LIST_VOLUMES,    /* GET /volumes: { "Volumes": [ {..., "Labels": {}} ], "Warnings" } */
	POL_LIST_DF,         /* GET /system/df: see pol_own_filter_list() */
	POL_LIST_EVENTS,     /* GET /events: a stream, one message at a time (pol_redact_event()) */
};

/* Which of those endpoint "ep" answers with; POL_LIST_NONE for any other. */
enum pol_list_kind pol_own_list_kind(int ep);

/*
 * A list answer of "kind" (not EVENTS) for a client of "o".  With "owner"
 * (ownership; NULL or "" for none) the entries whose Labels lack
 * o->label=owner are removed (DF: their containers, images and volumes;
 * the build cache emptied and the totals recomputed); label values
 * whose keys match o->redact_labels become "<redacted>".  Returns 1 with
 * *out malloc'd when something changed, 0 when nothing did (*out NULL), -1
 * when the answer is not the expected JSON.
 */
int pol_own_filter_list(enum pol_list_kind kind, const struct pol_ownership *o, const char *owner,
    const char *json, size_t len, char **out, size_t *outlen);

/*
 * One message of the events stream (a JSON object, without its newline):
 * the values of Actor.Attributes (a container's or image's labels, among
 * others) whose keys match o->redact_labels become "<redacted>".  With
 * "owner" (ownership; NULL or "" for none), a message whose Attributes lack
 * o->label=owner is not the caller's: POL_EVENT_NOT_OWNED.  The daemon's own
 * label filter, which the proxy adds to the query, drops the same messages
 * (moby's events Filter.matchLabels reads Actor.Attributes); this is the
 * second lock.  Otherwise returns as pol_own_filter_list(); -1 also when the
 * message is not a JSON object.
 */
#define POL_EVENT_NOT_OWNED 2
int pol_redact_event(const struct pol_ownership *o, const char *owner, const char *json, size_t len,
    char **out, size_t *outlen);

/* An object a request body refers to, which must be the caller's too. */
struct pol_own_ref {
	enum pol_own_type type;
	char ref[256];
	const char *field; /* e.g. "HostConfig.VolumesFrom", for messages */
	char id[256];      /* the full id the daemon resolved "ref" to: see pol_own_pin_refs() */
	bool name_only;    /* the daemon reads "ref" as a name, never an id: pol_own_ref_is() */
	bool unowned_ok;   /* an object without an owner label may be used too (a pulled image) */
};

#define POL_OWN_MAX_REFS 32

/*
 * One reading of the canonical body of a create (ContainerCreate,
 * VolumeCreate, NetworkCreate: CREATE_BODY), a NetworkConnect or a
 * NetworkDisconnect:
 * - a create's body with Labels[label] = owner set goes into *out
 *   (malloc'd); refused (-1, *why) when the body sets that label itself, in
 *   any ASCII case.  A NetworkCreate with ConfigFrom is not labelled (*out
 *   NULL): libnetwork refuses labels on such a network and gives it those
 *   of the config-only network it copies (applyConfigurationTo), which is
 *   among the refs, so the owner label is inherited from there;
 * - the other objects the body names go into refs: containers joined
 *   (NetworkMode/PidMode/IpcMode "container:X", VolumesFrom, Links) or
 *   connected and disconnected (NetworkConnect's and NetworkDisconnect's
 *   Container), the image a container is made from (Image: unowned_ok, it
 *   is never pinned), named volumes (Binds, Mounts of type volume) and networks
 *   (NetworkMode, EndpointsConfig keys, an endpoint's NetworkID,
 *   NetworkCreate's ConfigFrom.Network), except the predefined networks
 *   (bridge, host, none, default).
 * Returns how many refs were stored, or -1 with *why when there are more
 * than "max", an EndpointsConfig key is "" (no network to check), the body
 * is not the expected JSON, or "ep" is none of these.
 */
int pol_own_read_body(int ep, const char *body, size_t len, const char *label, const char *owner,
    struct pol_own_ref *refs, size_t max, char **out, size_t *outlen, const char **why);

/*
 * Does the body of endpoint "ep" name other objects, which pol_own_read_body()
 * collects into its refs (ContainerCreate, NetworkConnect, NetworkDisconnect,
 * NetworkCreate)?  The proxy reads such a body before it forwards the
 * request, whatever else ownership does with it.
 */
bool pol_own_body_names_objects(int ep);

/*
 * The canonical body of a ContainerCreate, NetworkConnect or
 * NetworkDisconnect with every container and network it names, in the
 * fields pol_own_read_body() read, replaced by the full id that "refs" (its
 * answer, each id filled in once checked) give for it: the daemon then acts
 * on the object that was checked, not on whatever answers to the name or id
 * prefix by then (a network the caller deletes meanwhile leaves its name to
 * match a prefix of another's id).  Forms are kept: VolumesFrom
 * "id[:mode]", Links "id:alias" (the alias the name gave),
 * NetworkMode/PidMode/IpcMode "container:id", NetworkConnect's and
 * NetworkDisconnect's Container (the rest of the body, Force included, as
 * it was); a NetworkMode that names a network becomes its id, and so does
 * each EndpointsConfig key and endpoint NetworkID.
 * EndpointConfig Links stay by name: the daemon never looks them up as
 * containers, they are DNS aliases inside the network.  Volumes stay by
 * name (the daemon finds them by exact name only).  Returns 1 with *out
 * malloc'd, 0 when nothing needed rewriting (*out NULL), -1 with *why when
 * a container or network has no id in "refs", two EndpointsConfig keys
 * name one network, or the body is not a JSON object.
 */
int pol_own_pin_refs(int ep, const char *body, size_t len, const struct pol_own_ref *refs, size_t n,
    char **out, size_t *outlen, const char **why);

/*
 * Is the object whose inspect answer is "json" the one the daemon takes
 * reference "r" to be?  The lookup that found it takes an exact name first,
 * then an id or its prefix; a reference the daemon reads as a name only
 * (ConfigFrom.Network: libnetwork finds a config-only network by name,
 * never by id) must be that object's Name.  True for every other reference;
 * false when the answer has no Name string.
 */
bool pol_own_ref_is(const struct pol_own_ref *r, const char *json, size_t len);

/*
 * Does endpoint "ep" (re)connect the container's networks: ContainerStart,
 * ContainerRestart?  The proxy then checks them (pol_own_start_refs()).
 */
bool pol_own_start_joins_networks(int ep);

/*
 * The networks a container joins when it starts, from its inspect answer:
 * each user network it keeps by name (NetworkSettings.Networks), into refs
 * (POL_OBJ_NETWORK), to be looked up and owned by the caller like a
 * create's.  Returns how many, or -1 with *why when the answer cannot be
 * read or names more than "max" (policy/own_start_refs.c).
 */
int pol_own_start_refs(
    const char *json, size_t len, struct pol_own_ref *refs, size_t max, const char **why);

/*
 * Does deleting through endpoint "ep" (NetworkDelete) need the object to be
 * named by no container?  A container keeps its networks by name and joins
 * whatever network bears the name when it (re)starts (own_net_users.c).
 */
bool pol_own_delete_checks_users(int ep);

/*
 * From a network's inspect answer: the daemon path listing every container
 * that names it ("/containers/json?all=1&filters=..." by its Name and Id),
 * into buf, and its Name into "name".  Returns the path's length, or -1
 * when the answer lacks them or either does not fit.
 */
int pol_own_network_users_path(
    const char *json, size_t len, char *buf, size_t bufsz, char *name, size_t namesz);

/*
 * Is "ep" NetworkPrune, which under ownership goes on only when no container
 * without an endpoint (created, exited, dead, restarting) names any of the
 * caller's networks?  Such a container would join whatever network later
 * takes the name, when its restart policy starts it (policy/own_net_users.c).
 */
bool pol_own_prune_checks_users(int ep);

/*
 * From the daemon's list of the caller's networks (GET /networks with the
 * owner filter): the path of the list of containers that name any of them
 * and hold no endpoint, malloc'd, with *n_networks set to how many networks
 * it names.  NULL with *n_networks 0 when the caller has none; NULL with -1
 * when the answer is not the expected JSON or out of memory.
 */
char *pol_own_prune_users_path(const char *json, size_t len, int *n_networks);

/* How many entries a daemon list answer (a JSON array) has; -1 when it is not one. */
int pol_own_list_count(const char *json, size_t len);

/*
 * The image names an ImageTag (repo, tag), ImageBuild (every t) or
 * ImageCreate (pull: fromImage, tag; import: repo, tag) request writes,
 * read from its query as the daemon reads them (policy/own_tags.c), each
 * complete ("docker.io/library/busybox:latest", ":latest" added when there
 * is no tag) with type POL_OBJ_IMAGE and the parameters it came from in
 * "field" ("repo/tag", "t", "fromImage/tag").  A pull by digest writes
 * none.  Returns how many were stored in refs (0 for other endpoints), or
 * -1 with a static reason in *why and the answer in *status: 400 when the
 * daemon would refuse the name too, 403 when it cannot be checked (a pull
 * of every tag, more than "max" names, a name in BuildKit's "outputs").
 */
int pol_own_written_tags(int ep, const struct sw_str *query, struct pol_own_ref *refs, size_t max,
    int *status, const char **why);

/*
 * Does endpoint "ep" write image names from its query (ImageTag, ImageBuild,
 * ImageCreate), the ones pol_own_written_tags() reads?  The proxy checks
 * them before it forwards the request.
 */
bool pol_own_writes_tags(int ep);

/*
 * ImageBuild under ownership (policy/own_build.c): the classic builder
 * resolves every image its Dockerfile and "cachefrom" name, whoever owns
 * it, so the Dockerfile must be read out of the context in the body
 * (build_check.h) and each image checked.
 */
/* Is "ep" ImageBuild, whose context is read under ownership? */
bool pol_own_reads_build_context(int ep);

struct pol_own_build_params {
	char *dockerfile; /* the "dockerfile" value, "" when absent (malloc'd) */
	char *buildargs;  /* the "buildargs" JSON text, "" when absent (malloc'd) */
	bool pull;        /* "pull": the images it builds from are pulled again */
	/*
	 * A "platform": an image found locally for another platform counts as
	 * missing (daemon/images GetImage), and the builder pulls the name again.
	 */
	bool platform;
	struct pol_build_refs cache; /* the "cachefrom" images, each checked like a FROM */
};

/*
 * Reads the build's query: refused (-1, static *why) for BuildKit
 * (version 2) and a remote context, whose Dockerfile never passes the
 * proxy; for differing repeated dockerfile, buildargs or cachefrom values;
 * and for a cachefrom that is not a JSON list of at most POL_OWN_MAX_REFS
 * names.  Otherwise fills *out (free with pol_own_build_params_free) and
 * returns 0.
 */
int pol_own_build_query(
    const struct sw_str *query, struct pol_own_build_params *out, const char **why);
void pol_own_build_params_free(struct pol_own_build_params *p);

/*
 * From an image's inspect answer: do its ONBUILD triggers copy --from
 * another image (or is the answer unreadable)?  Such a trigger runs in a
 * build FROM the image, naming an image no Dockerfile the proxy reads names.
 */
bool pol_own_image_onbuild_copies(const char *json, size_t len);

/*
 * Could the daemon read "ref" as an image id prefix ("sha256:" optional,
 * fewer than 64 lower-case hex digits, no tag)?  The classic builder
 * resolves each stage's FROM only when the stage starts, after the check,
 * and a prefix is the one reference whose image the caller can change
 * meanwhile (by removing its own image that made it ambiguous): such
 * references are refused in builds.  A name or a full id is kept.
 */
bool pol_own_build_ref_is_id_prefix(const char *ref);

/*
 * Does an image's inspect answer show a name (RepoTags or RepoDigests)?  An
 * image without an owner label may be used only when it has one, as a
 * pulled image has: the images every classic build commits on the way
 * (each step's, each earlier stage's) carry no label and no name, and hold
 * whatever their builder's files were.
 */
bool pol_own_image_is_named(const char *json, size_t len);

#endif
