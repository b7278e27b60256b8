/*
 * Ownership isolation, the proxy's half: it asks the daemon what a request
 * names (the daemon resolves ids, prefixes and names its own way, so we
 * never guess), checks the owner label, and rewrites the request so the
 * daemon acts on exactly the object that was checked (its full id): a
 * rename between the check and the request cannot swap the object.  The
 * decisions themselves are pure functions in policy/own_*.c.
 */
#include "sockwarden/compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "sockwarden/log.h"
#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "conn.h"
#include "conn_own.h"
#include "conn_own_build.h"
#include "daemon_call.h"
#include "server.h"
#include "stream_lines.h"

/* Inspect answers are small; a container with a huge environment is still far below this. */
#define OWN_INSPECT_MAX (4u * 1024 * 1024)

/*
 * A held list answer (lists, /system/df) may be this big.  An entry of
 * GET /containers/json is 1 to 3 KiB (labels, mounts, networks), so a host
 * with a thousand containers passes SW_REWRITE_MAX; 16 MiB holds several
 * thousand.  Beyond it the answer is withheld (502), never sent unfiltered.
 */
#define OWN_LIST_MAX (16u * 1024 * 1024)

/* An events message longer than this ends the stream (they are well under 64 KiB). */
#define OWN_EVENT_MAX (1024u * 1024)

enum own_stage {
	STAGE_OBJECT,         /* the object the path names */
	STAGE_EXEC_CONTAINER, /* the container of an exec instance */
	STAGE_BODY_REFS,      /* the objects a create's body names */
	STAGE_TAGS,           /* the image names a tag, build or pull writes */
	STAGE_START_NETS,     /* the networks a container (re)started joins, kept by name */
	STAGE_BUILD_REFS,     /* the images a build's Dockerfile and cachefrom name */
};

struct own_req {
	const struct pol_ownership *o;
	struct pol_own_plan plan;
	bool need_body;
	enum own_stage stage;
	struct daemon_call *call;
	/*
	 * The stages that look up a list of references, one at a time (a build's
	 * tags at its head, its images once its Dockerfile is read).
	 */
	struct pol_own_ref refs[POL_OWN_MAX_REFS];
	size_t n_refs, next_ref;
	char ref[256];      /* the object as the request names it */
	char exec_id[256];  /* STAGE_EXEC_CONTAINER: the exec instance's full id, for the path */
	char net_name[256]; /* NetworkDelete: the network's name, for the refusal */
	char *path;         /* rewritten, percent-encoded path */
	char *query;        /* rewritten query */
	char *body;         /* labelled body */
	size_t body_len;
	enum own_filter filter;
	enum pol_list_kind list; /* OWN_FILTER_LIST: the answer's shape */
	struct slines *lines;    /* OWN_FILTER_EVENTS */
	const char *owner;       /* under ownership: whose objects and messages pass; else NULL */
	struct own_build *build; /* ImageBuild: its context read as it streams */
};

static const char *
type_noun(enum pol_own_type t)
{
	switch (t) {
	case POL_OBJ_CONTAINER:
		return "container";
	case POL_OBJ_IMAGE:
		return "image";
	case POL_OBJ_VOLUME:
		return "volume";
	case POL_OBJ_NETWORK:
		return "network";
	case POL_OBJ_EXEC:
		return "exec instance";
	default:
		return "object";
	}
}

static const char *
policy_name(const struct conn *c)
{
	return pol_set_policy_name(c->c_ps, c->c_policy);
}

static void
refuse(struct conn *c, int status, const char *msg)
{
	/* A build's context was held while it was checked: the rest is discarded now. */
	(void)own_build_drop(c->c_own != NULL ? c->c_own->build : NULL);
	snprintf(c->c_audit.rule, sizeof(c->c_audit.rule), "ownership");
	conn_deny(c, status, msg);
}

/* A refusal a policy/own_*.c function explained: "sockwarden: <endpoint>: <why> (...)". */
static void
refuse_why(struct conn *c, int status, const char *why)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "sockwarden: %s: %s (policy %s, ownership)",
	    pol_ep_name(c->c_req.endpoint), why != NULL ? why : "refused", policy_name(c));
	refuse(c, status, msg);
}

/*
 * Someone else's object answers like a missing one, in the daemon's words,
 * so a client learns nothing about objects it does not own.
 */
static void
not_found(struct conn *c, enum pol_own_type t, const char *ref)
{
	char msg[512];

	switch (t) {
	case POL_OBJ_VOLUME:
		snprintf(msg, sizeof(msg), "get %s: no such volume", ref);
		break;
	case POL_OBJ_NETWORK:
		snprintf(msg, sizeof(msg), "network %s not found", ref);
		break;
	case POL_OBJ_EXEC:
		snprintf(msg, sizeof(msg), "No such exec instance: %s", ref);
		break;
	case POL_OBJ_IMAGE:
		snprintf(msg, sizeof(msg), "No such image: %s", ref);
		break;
	default:
		snprintf(msg, sizeof(msg), "No such container: %s", ref);
		break;
	}
	c->c_audit.note = "not owned or not found";
	refuse(c, 404, msg);
}

static void lookup_next(struct conn *c);

static void
unreachable(struct conn *c)
{
	c->c_audit.note = "ownership lookup failed";
	refuse(c, 502, "sockwarden: cannot check the object's owner with the Docker daemon");
}

/* "docker.io/library/busybox:sw" as the docker CLI shows it: "busybox:sw". */
static const char *
familiar_name(const char *name)
{
	if (strncmp(name, "docker.io/library/", 18) == 0 && strchr(name + 18, '/') == NULL)
		return name + 18;
	if (strncmp(name, "docker.io/", 10) == 0)
		return name + 10;
	return name;
}

static void
tag_not_yours(struct conn *c, const struct pol_own_ref *r)
{
	char msg[600];

	snprintf(msg, sizeof(msg),
	    "sockwarden: %s would move tag %s (%s) off an image that is not yours (policy %s, ownership)",
	    pol_ep_name(c->c_req.endpoint), familiar_name(r->ref), r->field, policy_name(c));
	c->c_audit.note = "tag on another owner's image";
	refuse(c, 403, msg);
}

/* Ask the daemon about "ref" (borrowed: the path is built at once); lookup_done() goes on. */
static void lookup_done(int status, const char *body, size_t len, void *arg);
static void refuse_ref(struct conn *c, bool missing);
static void start_tags(struct conn *c);

/* GET "path" from the daemon on the request's behalf; done() gets the answer. */
static void
ask_daemon(struct conn *c, const char *path, daemon_call_done_fn *done)
{
	unsigned ms = pol_set_config(c->c_ps)->limits.upstream_connect_ms * 2;

	c->c_own->call = daemon_call_start(
	    c->c_srv->base, &c->c_srv->upstream, path, OWN_INSPECT_MAX, ms, done, c);
	if (c->c_own->call == NULL)
		unreachable(c);
}

static void
lookup(struct conn *c, enum pol_own_type type, const char *ref)
{
	struct own_req *w = c->c_own;
	char path[1024];

	if (pol_own_inspect_path(type, ref, path, sizeof(path)) == -1) {
		/* A complete image name always fits; other forms ("/name") are never checked. */
		if (w->stage == STAGE_TAGS)
			unreachable(c);
		else
			refuse_ref(c, true);
		return;
	}
	ask_daemon(c, path, lookup_done);
}

static bool
owned_by_caller(const char *owner, const struct conn *c)
{
	return owner[0] != '\0' && strcmp(owner, c->c_owner) == 0;
}

/*
 * A body reference anyone may use while nobody owns it: a pulled image, say
 * (named: an unnamed one may be what another client's build committed on
 * the way, pol_own_image_is_named()).
 */
static bool
unowned_usable(const struct own_req *w, const char *owner, const char *json, size_t len)
{
	const struct pol_own_ref *r = &w->refs[w->next_ref];

	return (w->stage == STAGE_BODY_REFS || w->stage == STAGE_BUILD_REFS) && r->unowned_ok &&
	       owner[0] == '\0' && (r->type != POL_OBJ_IMAGE || pol_own_image_is_named(json, len));
}

/* An object a create's body names is not the caller's, or ("missing") does not exist. */
static void
body_ref_refused(struct conn *c, const struct pol_own_ref *r, bool missing)
{
	const char *more = "";
	char msg[600];

	if (missing && r->type == POL_OBJ_VOLUME)
		more = " or does not exist; create it first with `docker volume create`";
	else if (missing)
		more = " or does not exist";
	snprintf(msg, sizeof(msg),
	    "sockwarden: %s names %s %s, which is not yours%s (policy %s, ownership)", r->field,
	    type_noun(r->type), r->ref, more, policy_name(c));
	refuse(c, 403, msg);
}

/*
 * The caller's own object, found by id or id prefix where the daemon reads
 * only a name: it would find none, or someone else's of that name.
 */
static void
ref_not_name(struct conn *c, const struct pol_own_ref *r)
{
	char msg[600];

	snprintf(msg, sizeof(msg),
	    "sockwarden: %s names %s %s by id; the daemon takes it by name only (policy %s, "
	    "ownership)",
	    r->field, type_noun(r->type), r->ref, policy_name(c));
	c->c_audit.note = "reference by id where a name is read";
	refuse(c, 404, msg); /* as the daemon answers a name no config-only network bears */
}

/*
 * The object being looked up is not the caller's, or ("missing") does not
 * exist or cannot be looked up as the request names it.  The object a path
 * names gets one answer for all of these (the exec instance for its
 * container, never the container's id); a reference in the request says
 * where it came from.
 */
static void
refuse_ref(struct conn *c, bool missing)
{
	struct own_req *w = c->c_own;

	if (w->stage == STAGE_OBJECT || w->stage == STAGE_EXEC_CONTAINER)
		not_found(c, w->plan.type, w->ref);
	else
		body_ref_refused(c, &w->refs[w->next_ref], missing);
}

/*
 * The list of the containers that name the network about to be deleted,
 * or (a prune) that name any of the caller's networks without an endpoint.
 */
static void
users_done(int status, const char *body, size_t len, void *arg)
{
	struct conn *c = arg;
	struct own_req *w = c->c_own;
	char msg[600];
	int n;

	w->call = NULL;
	if (status != 200 || (n = pol_own_list_count(body, len)) < 0) {
		unreachable(c);
		return;
	}
	if (n == 0) {
		conn_proceed(c, w->need_body);
		return;
	}
	if (pol_own_prune_checks_users(c->c_req.endpoint))
		snprintf(msg, sizeof(msg),
		    "sockwarden: a network prune would remove networks that %d stopped "
		    "container(s) still name, which would join any network that takes the name "
		    "when they start; remove them first (policy %s, ownership)",
		    n, policy_name(c));
	else
		snprintf(msg, sizeof(msg),
		    "sockwarden: network %s is still named by %d container(s), which would join "
		    "any network that takes the name when they start; remove them first (policy "
		    "%s, ownership)",
		    w->net_name, n, policy_name(c));
	c->c_audit.note = "network still named by containers";
	refuse(c, 409, msg);
}

/* Ask the daemon which containers name the network "json" (its inspect answer). */
static void
check_users(struct conn *c, const char *json, size_t len)
{
	struct own_req *w = c->c_own;
	char path[1024];

	if (pol_own_network_users_path(
	        json, len, path, sizeof(path), w->net_name, sizeof(w->net_name)) < 0) {
		unreachable(c);
		return;
	}
	ask_daemon(c, path, users_done);
}

/* NetworkPrune: the caller's networks (the owner filter alone), then who names them. */
static void
prune_networks_done(int status, const char *body, size_t len, void *arg)
{
	struct conn *c = arg;
	struct own_req *w = c->c_own;
	char *path;
	int n;

	w->call = NULL;
	if (status != 200) {
		unreachable(c);
		return;
	}
	path = pol_own_prune_users_path(body, len, &n);
	if (n < 0) {
		unreachable(c);
		return;
	}
	if (n == 0) {
		conn_proceed(c, w->need_body);
		return;
	}
	ask_daemon(c, path, users_done);
	free(path);
}

/*
 * A network prune goes on only when no stopped container names one of the
 * caller's networks (pol_own_prune_checks_users): the daemon's restart
 * policy would start it on whatever network takes the name later, unseen
 * by the start check.
 */
static void
check_prune(struct conn *c)
{
	static const char head[] = "/networks?";
	struct sw_str none = SW_STR_NULL;
	char path[sizeof(head) + 1024];
	const char *why = NULL;

	memcpy(path, head, sizeof(head));
	if (pol_own_add_filter(&none, c->c_own->o->label, c->c_owner, path + sizeof(head) - 1,
	        sizeof(path) - (sizeof(head) - 1), &why) < 0) {
		refuse_why(c, 500, why);
		return;
	}
	conn_set_state(c, CONN_RESOLVE);
	ask_daemon(c, path, prune_networks_done);
}

/* The networks the container "json" (its inspect answer) joins at start, each looked up. */
static void
start_networks(struct conn *c, const char *json, size_t len)
{
	struct own_req *w = c->c_own;
	const char *why = NULL;
	int n;

	if ((n = pol_own_start_refs(json, len, w->refs, nitems(w->refs), &why)) < 0) {
		refuse_why(c, 502, why);
		return;
	}
	w->n_refs = (size_t)n;
	w->next_ref = 0;
	w->stage = STAGE_START_NETS;
	lookup_next(c);
}

/*
 * An image a build names may be used (the caller's, or nobody's): unless
 * its ONBUILD triggers copy from other images, or the build pulls it again
 * and so writes a name that is not the caller's (as a pull would).
 */
static void
build_image_checked(struct conn *c, const char *owner, const char *json, size_t len)
{
	struct own_req *w = c->c_own;
	const struct pol_own_ref *r = &w->refs[w->next_ref];
	const char *pulls;
	char msg[600];

	if (pol_own_image_onbuild_copies(json, len)) {
		snprintf(msg, sizeof(msg),
		    "sockwarden: %s names image %s, whose ONBUILD triggers copy from other images, "
		    "which cannot be checked (policy %s, ownership)",
		    r->field, r->ref, policy_name(c));
		c->c_audit.note = "build on an image with ONBUILD --from";
		refuse(c, 403, msg);
		return;
	}
	pulls = own_build_pulls(w->build);
	if (pulls != NULL && strcmp(r->field, "Dockerfile") == 0 && !owned_by_caller(owner, c)) {
		snprintf(msg, sizeof(msg),
		    "sockwarden: the build pulls image %s again (%s), which would move its name "
		    "off an image that is not yours (policy %s, ownership)",
		    r->ref, pulls, policy_name(c));
		c->c_audit.note = "tag on another owner's image";
		refuse(c, 403, msg);
		return;
	}
	w->next_ref++;
	lookup_next(c);
}

static void
lookup_done(int status, const char *body, size_t len, void *arg)
{
	struct conn *c = arg;
	struct own_req *w = c->c_own;
	enum pol_own_type type;
	char id[256], owner[256], ctr[256];

	w->call = NULL;
	switch (w->stage) {
	case STAGE_OBJECT:
		type = w->plan.type;
		break;
	case STAGE_EXEC_CONTAINER:
		type = POL_OBJ_CONTAINER;
		break;
	default:
		type = w->refs[w->next_ref].type;
		break;
	}
	if (status == 404 && (w->stage == STAGE_TAGS || w->stage == STAGE_BUILD_REFS)) {
		/* A new name moves nothing; a build's missing image is pulled or fails the build.
		 */
		w->next_ref++;
		lookup_next(c);
		return;
	}
	/*
	 * A create's image that does not exist gets the daemon's own 404 "No
	 * such image": on it the docker CLI pulls the image, then creates again.
	 */
	if (status == 404 && w->stage == STAGE_BODY_REFS && type == POL_OBJ_IMAGE) {
		not_found(c, type, w->refs[w->next_ref].ref);
		return;
	}
	if (status == 404) {
		refuse_ref(c, true);
		return;
	}
	if (status != 200 || pol_own_read_inspect(type, body, len, w->o->label, id, sizeof(id),
	                         owner, sizeof(owner), ctr, sizeof(ctr)) == -1) {
		unreachable(c);
		return;
	}
	if (w->stage == STAGE_OBJECT && type == POL_OBJ_EXEC) {
		/* An exec instance belongs to whoever owns its container. */
		snprintf(w->exec_id, sizeof(w->exec_id), "%s", id); /* the path keeps it */
		w->stage = STAGE_EXEC_CONTAINER;
		lookup(c, POL_OBJ_CONTAINER, ctr);
		return;
	}
	if (!owned_by_caller(owner, c) && !unowned_usable(w, owner, body, len)) {
		if (w->stage == STAGE_TAGS)
			tag_not_yours(c, &w->refs[w->next_ref]);
		else
			refuse_ref(c, false);
		return;
	}
	switch (w->stage) {
	case STAGE_OBJECT:
	case STAGE_EXEC_CONTAINER: {
		char target[SW_PATH_MAX * 3 + 8];
		const char *resolved = w->stage == STAGE_OBJECT ? id : w->exec_id;
		char *q;
		int n;

		n = pol_own_rewrite_target(&c->c_req, resolved, target, sizeof(target));
		if (n < 0) {
			unreachable(c);
			return;
		}
		free(w->path);
		free(w->query);
		w->path = w->query = NULL;
		if ((q = strchr(target, '?')) != NULL) {
			*q++ = '\0';
			w->query = strdup(q);
		}
		w->path = strdup(target);
		if (w->path == NULL || (q != NULL && w->query == NULL)) {
			conn_close(c, "out of memory");
			return;
		}
		/* ImageTag: its source image is the caller's; now the name it writes. */
		if (w->n_refs > 0) {
			start_tags(c);
			return;
		}
		/* A network still named by a container may not go (pol_own_delete_checks_users). */
		if (w->stage == STAGE_OBJECT && pol_own_delete_checks_users(c->c_req.endpoint)) {
			check_users(c, body, len);
			return;
		}
		/* A start joins the container's networks by name: each must be the caller's. */
		if (w->stage == STAGE_OBJECT && pol_own_start_joins_networks(c->c_req.endpoint)) {
			start_networks(c, body, len);
			return;
		}
		conn_proceed(c, w->need_body);
		return;
	}
	case STAGE_BODY_REFS:
		if (!pol_own_ref_is(&w->refs[w->next_ref], body, len)) {
			ref_not_name(c, &w->refs[w->next_ref]);
			return;
		}
		/* The body will name it by this id: pin_body(). */
		snprintf(w->refs[w->next_ref].id, sizeof(w->refs[0].id), "%s", id);
		w->next_ref++;
		lookup_next(c);
		return;
	case STAGE_TAGS:
	case STAGE_START_NETS:
		w->next_ref++;
		lookup_next(c);
		return;
	case STAGE_BUILD_REFS:
		build_image_checked(c, owner, body, len);
		return;
	}
}

/*
 * Every object the body names is the caller's: the body that goes up names
 * each container and network by the full id that was checked
 * (pol_own_pin_refs), so that no object renamed or deleted meanwhile, or
 * named after another's id prefix, can take its place.  Returns 0, or -1
 * when the request was answered.
 */
static int
pin_body(struct conn *c)
{
	struct own_req *w = c->c_own;
	struct sw_str body;
	const char *why = NULL;
	char *out;
	size_t len;
	int rc;

	/* The labelled create when there is one, else the body as inspected. */
	if (!conn_own_body(c, &body) && !conn_inspected_body(c, &body))
		body = sw_str_make("", 0);
	rc = pol_own_pin_refs(
	    c->c_req.endpoint, body.p, body.len, w->refs, w->n_refs, &out, &len, &why);
	if (rc < 0) {
		c->c_audit.note = "body references not pinned";
		refuse_why(c, 500, why);
		return -1;
	}
	if (rc == 1) {
		free(w->body);
		w->body = out;
		w->body_len = len;
	}
	return 0;
}

/*
 * The next object a create's body names or image name a request writes; once
 * all are checked, forward the create (its body is in hand, pinned) or go on
 * with the request whose head the tags came from.
 */
static void
lookup_next(struct conn *c)
{
	struct own_req *w = c->c_own;

	if (w->next_ref >= w->n_refs) {
		if (w->stage == STAGE_BUILD_REFS)
			own_build_passed(c);
		else if (w->stage == STAGE_TAGS || w->stage == STAGE_START_NETS)
			conn_proceed(c, w->need_body);
		else if (pin_body(c) == 0)
			conn_forward(c);
		return;
	}
	lookup(c, w->refs[w->next_ref].type, w->refs[w->next_ref].ref);
}

/*
 * Check the image names the request writes (pol_own_written_tags), before
 * anything is forwarded: a name that is new (404) or on one of the
 * caller's images may be written, any other would move it off an image that
 * is not the caller's.  A small race is accepted: a name may still change
 * hands between our lookup and the daemon's write (another client tags,
 * builds or pulls it meanwhile), and the API has no way to make the daemon
 * check and write in one step.
 */
static void
start_tags(struct conn *c)
{
	struct own_req *w = c->c_own;

	w->next_ref = 0;
	w->stage = STAGE_TAGS;
	conn_set_state(c, CONN_RESOLVE);
	lookup_next(c);
}

/*
 * Is the body read for ownership (pol_own_read_body)?  A create's gets the
 * label; a create's, a network connect's or disconnect's names other
 * objects (pol_own_body_names_objects).
 */
static bool
reads_body(const struct own_req *w, int ep)
{
	return w->plan.kind == POL_OWN_CREATE_BODY || pol_own_body_names_objects(ep);
}

/*
 * How the answer must be filtered: inspect answers redacted (Env and
 * labels), lists filtered by owner and their labels redacted, the events
 * stream redacted message by message.
 */
static enum own_filter
answer_filter(const struct pol_ownership *o, int ep, enum pol_list_kind list)
{
	bool labels = o->n_redact_labels > 0;

	if (pol_own_is_inspect(ep))
		return o->n_redact_env > 0 || labels ? OWN_FILTER_REDACT : OWN_FILTER_NONE;
	switch (list) {
	case POL_LIST_NONE:
		return OWN_FILTER_NONE;
	case POL_LIST_EVENTS:
		return o->isolate || labels ? OWN_FILTER_EVENTS : OWN_FILTER_NONE;
	default:
		return o->isolate || labels ? OWN_FILTER_LIST : OWN_FILTER_NONE;
	}
}

/* One events message: redacted, left out when another owner's, or the stream ends. */
static int
redact_event(void *arg, const char *msg, size_t len, char **out, size_t *outlen)
{
	const struct own_req *w = arg;

	switch (pol_redact_event(w->o, w->owner, msg, len, out, outlen)) {
	case -1:
		return -1;
	case POL_EVENT_NOT_OWNED:
		return SLINES_DROP;
	default:
		return 0;
	}
}

/*
 * Requests whose query ownership checked or rewrote ("what": the owner
 * filter, the image names) are refused with a body the daemon would read
 * as a form: Go's r.Form puts the body's fields before the query's, so a
 * "filters", "labels", "repo" or "t" sent that way would replace ours.
 * pol_content_type_is_form() reads Content-Type as Go does (Unicode space
 * and case folding included).  Returns true when the request was answered.
 */
static bool
form_body_refused(struct conn *c, const char *what)
{
	struct sw_str ct = hreq_forwarded_header(&c->c_hreq, "content-type");
	char msg[600];

	if (!pol_content_type_is_form(&ct))
		return false;
	snprintf(msg, sizeof(msg),
	    "sockwarden: %s with a form body is refused: its fields would override %s (policy %s, ownership)",
	    pol_ep_name(c->c_req.endpoint), what, policy_name(c));
	refuse(c, 400, msg);
	return true;
}

/*
 * The image names the request's query writes, into w->refs for
 * start_tags().  Returns 0, or -1 when the request was answered.
 */
static int
head_tags(struct conn *c)
{
	struct own_req *w = c->c_own;
	const char *why = NULL;
	int n, status = 400;

	if (form_body_refused(c, "the image names checked"))
		return -1;
	n = pol_own_written_tags(
	    c->c_req.endpoint, &c->c_req.query, w->refs, nitems(w->refs), &status, &why);
	if (n < 0) {
		refuse_why(c, status == 400 ? 400 : 403, why);
		return -1;
	}
	w->n_refs = (size_t)n;
	return 0;
}

/*
 * An import (ImageCreate without fromImage) gets the owner label as its
 * last "changes" value (pol_own_add_import_label), into w->query.  Returns
 * 0, or -1 when the request was answered.
 */
static int
head_import(struct conn *c)
{
	struct own_req *w = c->c_own;
	char q[SW_PATH_MAX * 2];
	const char *why = NULL;
	int n;

	n = pol_own_add_import_label(
	    c->c_req.endpoint, &c->c_req.query, w->o->label, c->c_owner, q, sizeof(q), &why);
	if (n == 0)
		return 0;
	if (form_body_refused(c, "the owner label"))
		return -1;
	if (n < 0) {
		refuse_why(c, 400, why);
		return -1;
	}
	if ((w->query = strdup(q)) == NULL) {
		conn_close(c, "out of memory");
		return -1;
	}
	return 0;
}

bool
conn_own_head(struct conn *c, bool need_body)
{
	const struct pol_ownership *o = pol_set_ownership(c->c_ps, c->c_policy);
	struct own_req *w;
	char q[SW_PATH_MAX * 2], msg[600];
	const char *why = NULL;
	enum pol_list_kind list;
	enum own_filter filter;
	int n, status;

	if (o == NULL)
		return false;
	list = pol_own_list_kind(c->c_req.endpoint);
	filter = answer_filter(o, c->c_req.endpoint, list);
	if (!o->isolate && filter == OWN_FILTER_NONE)
		return false;
	if ((w = c->c_own = calloc(1, sizeof(*w))) == NULL) {
		conn_close(c, "out of memory");
		return true;
	}
	w->o = o;
	w->need_body = need_body;
	w->filter = filter;
	w->list = list;
	w->owner = o->isolate ? c->c_owner : NULL;
	if (filter == OWN_FILTER_EVENTS &&
	    (w->lines = slines_new(OWN_EVENT_MAX, redact_event, w)) == NULL) {
		conn_close(c, "out of memory");
		return true;
	}
	/* One classification per request: the answer filter needs the object type too. */
	pol_own_classify(c->c_req.endpoint, &c->c_req, &w->plan);
	if (!o->isolate) {
		conn_proceed(c, need_body);
		return true;
	}
	c->c_audit.owner = c->c_owner;
	if (c->c_owner[0] == '\0' && w->plan.kind != POL_OWN_NONE) {
		snprintf(msg, sizeof(msg),
		    "sockwarden: %s needs an owner identity and this connection has none (policy %s, ownership)",
		    pol_ep_name(c->c_req.endpoint), policy_name(c));
		refuse(c, 403, msg);
		return true;
	}
	if (pol_own_writes_tags(c->c_req.endpoint) && head_tags(c) == -1)
		return true;
	if (head_import(c) == -1)
		return true;
	if (reads_body(w, c->c_req.endpoint))
		need_body = w->need_body = true;
	switch (w->plan.kind) {
	case POL_OWN_NONE:
		break;
	case POL_OWN_REFUSE:
		snprintf(msg, sizeof(msg),
		    "sockwarden: %s cannot be confined to your own objects: %s (policy %s, ownership)",
		    pol_ep_name(c->c_req.endpoint), w->plan.why ? w->plan.why : "refused",
		    policy_name(c));
		refuse(c, 403, msg);
		return true;
	case POL_OWN_LIST:
	case POL_OWN_CREATE_QUERY:
		if (form_body_refused(c, "the owner filter"))
			return true;
		n = w->plan.kind == POL_OWN_LIST ? pol_own_add_filter(&c->c_req.query, o->label,
		                                       c->c_owner, q, sizeof(q), &why) :
		                                   pol_own_add_build_label(&c->c_req.query,
		                                       o->label, c->c_owner, q, sizeof(q), &why);
		if (n < 0) {
			refuse_why(c, 400, why);
			return true;
		}
		if ((w->query = strdup(q)) == NULL) {
			conn_close(c, "out of memory");
			return true;
		}
		if (pol_own_prune_checks_users(c->c_req.endpoint)) {
			check_prune(c);
			return true;
		}
		/* A build's context is read as it streams: conn_own_build.c. */
		if (pol_own_reads_build_context(c->c_req.endpoint) &&
		    own_build_start(c, &w->build) == -1)
			return true;
		break;
	case POL_OWN_CREATE_BODY:
		/* Creating a volume whose name exists answers with that volume, whoever owns it. */
		if (w->plan.type == POL_OBJ_VOLUME)
			w->filter = OWN_FILTER_VOLUME;
		break;
	case POL_OWN_FILTER_RESPONSE:
		break; /* answer_filter() chose OWN_FILTER_LIST */
	case POL_OWN_OBJECT:
		if (pol_own_object_ref(&c->c_req, w->ref, sizeof(w->ref), &status, &why) == -1) {
			refuse_why(c, status, why);
			return true;
		}
		w->stage = STAGE_OBJECT;
		conn_set_state(c, CONN_RESOLVE);
		lookup(c, w->plan.type, w->ref);
		return true;
	}
	if (w->n_refs > 0) {
		start_tags(c);
		return true;
	}
	conn_proceed(c, need_body);
	return true;
}

bool
conn_own_after_body(struct conn *c)
{
	struct own_req *w = c->c_own;
	struct sw_str body;
	const char *why = NULL;
	int n;

	if (w == NULL || !w->o->isolate || !reads_body(w, c->c_req.endpoint))
		return false;
	if (!conn_inspected_body(c, &body))
		body = sw_str_make("", 0);
	/* One reading: the create labelled (a network made --config-from inherits), refs named. */
	n = pol_own_read_body(c->c_req.endpoint, body.p, body.len, w->o->label, c->c_owner, w->refs,
	    nitems(w->refs), &w->body, &w->body_len, &why);
	if (n < 0) {
		refuse_why(c, 403, why);
		return true;
	}
	if (n == 0)
		return false;
	w->n_refs = (size_t)n;
	w->next_ref = 0;
	w->stage = STAGE_BODY_REFS;
	conn_set_state(c, CONN_RESOLVE);
	lookup_next(c);
	return true;
}

const char *
conn_own_path(const struct conn *c)
{
	return c->c_own != NULL ? c->c_own->path : NULL;
}

const char *
conn_own_query(const struct conn *c)
{
	return c->c_own != NULL ? c->c_own->query : NULL;
}

bool
conn_own_body(const struct conn *c, struct sw_str *body)
{
	if (c->c_own == NULL || c->c_own->body == NULL)
		return false;
	*body = sw_str_make(c->c_own->body, c->c_own->body_len);
	return true;
}

enum own_filter
conn_own_filter(const struct conn *c)
{
	return c->c_own != NULL ? c->c_own->filter : OWN_FILTER_NONE;
}

int
conn_own_filter_body(struct conn *c, const char *json, size_t len, char **out, size_t *outlen)
{
	struct own_req *w = c->c_own;
	int rc;

	*out = NULL;
	if (w == NULL)
		return 0;
	switch (w->filter) {
	case OWN_FILTER_LIST:
		rc = pol_own_filter_list(w->list, w->o, w->owner, json, len, out, outlen);
		return rc < 0 ? -1 : 0;
	case OWN_FILTER_REDACT:
		rc = pol_redact_inspect(w->plan.type, w->o, json, len, out, outlen);
		return rc < 0 ? -1 : 0;
	case OWN_FILTER_VOLUME: {
		char id[256], owner[256], ctr[8];

		if (pol_own_read_inspect(POL_OBJ_VOLUME, json, len, w->o->label, id, sizeof(id),
		        owner, sizeof(owner), ctr, sizeof(ctr)) == -1)
			return -1;
		return owned_by_caller(owner, c) ? 0 : -2;
	}
	default:
		return 0;
	}
}

size_t
conn_own_answer_max(const struct conn *c)
{
	return c->c_own != NULL && c->c_own->filter == OWN_FILTER_LIST ? OWN_LIST_MAX :
	                                                                 SW_REWRITE_MAX;
}

struct slines *
conn_own_lines(const struct conn *c)
{
	return c->c_own != NULL ? c->c_own->lines : NULL;
}

void
conn_own_release(struct conn *c)
{
	struct own_req *w = c->c_own;

	if (w == NULL)
		return;
	if (w->call != NULL)
		daemon_call_cancel(w->call);
	free(w->path);
	free(w->query);
	free(w->body);
	slines_free(w->lines);
	own_build_free(w->build);
	free(w);
	c->c_own = NULL;
}

void
conn_own_cancel(struct conn *c)
{
	struct own_req *w = c->c_own;

	if (w == NULL)
		return;
	if (w->call != NULL) {
		daemon_call_cancel(w->call);
		w->call = NULL;
	}
	if (own_build_drop(w->build) && c->c_audit.note == NULL)
		c->c_audit.note = "build context not checked";
}

struct own_build *
conn_own_build(const struct conn *c)
{
	return c->c_own != NULL ? c->c_own->build : NULL;
}

void
conn_own_refuse_build(struct conn *c, const char *why)
{
	c->c_audit.note = "build not checkable";
	refuse_why(c, 403, why);
}

/*
 * Adds "refs" (named by "field") to the images a build's check looks up.
 * Refused (answered; -1) when they do not fit, or when one may be an id
 * prefix, which the daemon resolves only when the stage starts.
 */
static int
add_build_refs(struct conn *c, const struct pol_build_refs *refs, const char *field)
{
	struct own_req *w = c->c_own;
	size_t i;

	if (refs->n > nitems(w->refs) - w->n_refs) {
		conn_own_refuse_build(c, "the build names more images than can be checked");
		return -1;
	}
	for (i = 0; i < refs->n; i++) {
		struct pol_own_ref *r = &w->refs[w->n_refs];
		size_t len = strlen(refs->ref[i]);
		char why[400];

		if (len >= sizeof(r->ref)) {
			snprintf(
			    why, sizeof(why), "%s names an image name too long to check", field);
			conn_own_refuse_build(c, why);
			return -1;
		}
		if (pol_own_build_ref_is_id_prefix(refs->ref[i])) {
			snprintf(why, sizeof(why),
			    "%s names image %s by what may be an id prefix, which the daemon "
			    "resolves only when the stage starts; give the image's name or its "
			    "full id",
			    field, refs->ref[i]);
			conn_own_refuse_build(c, why);
			return -1;
		}
		memset(r, 0, sizeof(*r));
		memcpy(r->ref, refs->ref[i], len + 1);
		r->type = POL_OBJ_IMAGE;
		r->unowned_ok = true;
		r->field = field;
		w->n_refs++;
	}
	return 0;
}

/*
 * The images a build names: its cachefrom images and the Dockerfile's
 * "refs", each the caller's or nobody's (a pulled image), or missing (the
 * daemon pulls it, or fails the build).
 */
void
conn_own_check_build(struct conn *c, const struct pol_build_refs *refs)
{
	struct own_req *w = c->c_own;

	w->n_refs = 0;
	if (add_build_refs(c, own_build_cache_refs(w->build), "cachefrom") == -1 ||
	    add_build_refs(c, refs, "Dockerfile") == -1)
		return;
	w->next_ref = 0;
	w->stage = STAGE_BUILD_REFS;
	lookup_next(c);
}
