/*
 * Callers' containers as the daemon describes them, cached.
 *
 * Truth comes from the events stream (GET /events, container create,
 * destroy and rename: nothing else changes a name, labels or the image as
 * created).  The cache answers only while that stream is live; when it
 * breaks, everything is dropped, every lookup asks the daemon, and the
 * stream reconnects with back-off; when it is back, the cache starts empty.
 * An answer is cached only if the stream was live, without a break, from
 * before the question was asked until the answer came ("epoch"), and no
 * event about that container arrived meanwhile (then it is asked again).
 * Entries also expire, as a backstop: the daemon drops events for a
 * subscriber that does not keep up.
 */
#include "sockwarden/compat.h"

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "sockwarden/log.h"

#include "cgroup.h"
#include "ctr_cache.h"
#include "daemon_call.h"
#include "mono_clock.h"

#define CTR_CACHE_MAX      1024              /* entries; the least recently used goes */
#define CTR_FETCH_MAX      256               /* different containers asked at once */
#define CTR_FETCH_TRIES    3                 /* asked again after an event, at most */
#define CTR_TTL_MS         (60 * 1000)       /* a known container */
#define CTR_NEG_TTL_MS     (10 * 1000)       /* an id the daemon does not know */
#define CTR_INSPECT_MAX    (4 * 1024 * 1024) /* GET /containers/<id>/json body */
#define CTR_INSPECT_MS     5000
#define CTR_IDENT_MAX      (64 * 1024) /* name, image and labels together */
#define CTR_LABELS_MAX     1024
#define CTR_EVENT_LINE_MAX (256 * 1024)
#define CTR_EVENTS_HEAD_MS 5000
#define CTR_RETRY_MIN_MS   500
#define CTR_RETRY_MAX_MS   30000
#define CTR_BUCKETS        256

/* type=container, event=create|destroy|rename */
#define EVENTS_PATH                                                                          \
	"/events?filters=%7B%22type%22%3A%5B%22container%22%5D%2C%22event%22%3A%5B%22create" \
	"%22%2C%22destroy%22%2C%22rename%22%5D%7D"

/* ---- identities: one allocation, refcounted ------------------------------ */

struct ctr_ident_box {
	unsigned refs;
	struct sw_ctr_ident ci;
	/* label key and value pointers, then the strings */
};

static struct ctr_ident_box *
box_of(const struct sw_ctr_ident *ci)
{
	/* The count beside the description is mutable even where the description is not. */
	return (struct ctr_ident_box *)((uintptr_t)ci - offsetof(struct ctr_ident_box, ci));
}

const struct sw_ctr_ident *
ctr_ident_ref(const struct sw_ctr_ident *ci)
{
	if (ci != NULL)
		box_of(ci)->refs++;
	return ci;
}

void
ctr_ident_unref(const struct sw_ctr_ident *ci)
{
	struct ctr_ident_box *b;

	if (ci == NULL)
		return;
	b = box_of(ci);
	if (--b->refs == 0)
		free(b);
}

/*
 * The member named "key" in *out, NULL when absent.  -1 when it is
 * repeated: which one would the daemon have meant?  Keys are compared
 * exactly, as the daemon writes them.
 */
static int
get_one(const cJSON *obj, const char *key, const cJSON **out)
{
	const cJSON *it;

	*out = NULL;
	cJSON_ArrayForEach (it, obj) {
		if (it->string == NULL || strcmp(it->string, key) != 0)
			continue;
		if (*out != NULL) {
			*out = NULL;
			return -1;
		}
		*out = it;
	}
	return 0;
}

/*
 * A "\u0000" escape: cJSON would end the C string there, and "team\u0000x"
 * would look like "team".  Raw NUL bytes are refused by the caller.
 */
static bool
has_nul_escape(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (p[i] != '\\') {
			i++;
			continue;
		}
		if (i + 5 < n && p[i + 1] == 'u' && memcmp(p + i + 2, "0000", 4) == 0)
			return true;
		i += 2; /* the backslash and the character it escapes */
	}
	return false;
}

/* One JSON value and nothing after it but white space. */
static cJSON *
parse_whole(const char *p, size_t n)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(p, n, &end, 0);

	if (root == NULL)
		return NULL;
	while (end < p + n && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end != p + n) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static char *
put_string(char **at, const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = *at;

	memcpy(dst, s, n);
	*at += n;
	return dst;
}

/* Name without its '/', Config.Image, Config.Labels: what a policy may match on. */
static const struct sw_ctr_ident *
build_ident(const char *id, const char *name, const char *image, const cJSON *labels)
{
	size_t n = 0, bytes, i = 0;
	struct ctr_ident_box *b;
	const char **keys, **values;
	const cJSON *it;
	char *at;

	bytes = strlen(id) + strlen(name) + strlen(image) + 3;
	if (labels != NULL && cJSON_GetArraySize(labels) > CTR_LABELS_MAX)
		return NULL;
	cJSON_ArrayForEach (it, labels) {
		const cJSON *same;

		if (!cJSON_IsString(it) || it->string == NULL ||
		    get_one(labels, it->string, &same) == -1)
			return NULL;
		n++;
		bytes += strlen(it->string) + strlen(it->valuestring) + 2;
		if (bytes > CTR_IDENT_MAX)
			return NULL;
	}
	if (bytes > CTR_IDENT_MAX)
		return NULL;
	b = malloc(sizeof(*b) + 2 * n * sizeof(char *) + bytes);
	if (b == NULL)
		return NULL;
	keys = (const char **)(b + 1);
	values = keys + n;
	at = (char *)(values + n);
	b->refs = 1;
	b->ci.id = put_string(&at, id);
	b->ci.name = put_string(&at, name);
	b->ci.image = put_string(&at, image);
	cJSON_ArrayForEach (it, labels) {
		keys[i] = put_string(&at, it->string);
		values[i] = put_string(&at, it->valuestring);
		i++;
	}
	b->ci.n_labels = n;
	b->ci.label_keys = keys;
	b->ci.label_values = values;
	return &b->ci;
}

const struct sw_ctr_ident *
ctr_ident_parse(const char *id, const char *json, size_t len)
{
	const struct sw_ctr_ident *ci = NULL;
	const cJSON *v_id, *name, *config, *image, *labels;
	cJSON *root;

	if (!cgroup_is_id(id, strlen(id)) || memchr(json, '\0', len) != NULL ||
	    has_nul_escape(json, len))
		return NULL;
	if ((root = parse_whole(json, len)) == NULL)
		return NULL;
	if (!cJSON_IsObject(root))
		goto out;
	if (get_one(root, "Id", &v_id) == -1 || get_one(root, "Name", &name) == -1 ||
	    get_one(root, "Config", &config) == -1)
		goto out;
	if (!cJSON_IsString(v_id) || strcmp(v_id->valuestring, id) != 0)
		goto out; /* an answer about some other container (a name that looks like an id) */
	if (!cJSON_IsString(name) || name->valuestring[0] != '/' || name->valuestring[1] == '\0')
		goto out;
	if (!cJSON_IsObject(config) || get_one(config, "Image", &image) == -1 ||
	    get_one(config, "Labels", &labels) == -1)
		goto out;
	if (!cJSON_IsString(image))
		goto out;
	if (labels != NULL && !cJSON_IsNull(labels) && !cJSON_IsObject(labels))
		goto out;
	ci = build_ident(
	    id, name->valuestring + 1, image->valuestring, cJSON_IsObject(labels) ? labels : NULL);
out:
	cJSON_Delete(root);
	return ci;
}

enum ctr_event
ctr_event_parse(const char *line, size_t len, char id[65])
{
	enum ctr_event ev = CTR_EVENT_UNREADABLE;
	const cJSON *type, *actor, *legacy_id, *v = NULL;
	cJSON *root;

	if (len == 0)
		return CTR_EVENT_NONE;
	if (memchr(line, '\0', len) != NULL || (root = parse_whole(line, len)) == NULL)
		return CTR_EVENT_UNREADABLE;
	if (!cJSON_IsObject(root))
		goto out;
	if (get_one(root, "Type", &type) == -1 || get_one(root, "Actor", &actor) == -1 ||
	    get_one(root, "id", &legacy_id) == -1)
		goto out;
	if (type != NULL && !cJSON_IsString(type))
		goto out;
	if (type != NULL && strcmp(type->valuestring, "container") != 0) {
		ev = CTR_EVENT_NONE;
		goto out;
	}
	/* Actor.ID since API 1.22; "id" before, and still sent by daemons of this era. */
	if (cJSON_IsObject(actor) && get_one(actor, "ID", &v) == -1)
		goto out;
	if (v == NULL)
		v = legacy_id;
	if (!cJSON_IsString(v) || !cgroup_is_id(v->valuestring, strlen(v->valuestring)))
		goto out; /* about a container, but which one? */
	memcpy(id, v->valuestring, 65);
	ev = CTR_EVENT_CONTAINER;
out:
	cJSON_Delete(root);
	return ev;
}

/* ---- the cache -------------------------------------------------------------- */

struct ctr_node {
	char id[65];
	const struct sw_ctr_ident *ci; /* a reference; NULL: the daemon does not know this id */
	uint64_t expires_ms;
	TAILQ_ENTRY(ctr_node) lru; /* most recently used first */
	struct ctr_node *hnext;
};

struct ctr_fetch {
	struct ctr_cache *cc;
	char id[65];
	struct daemon_call *call;
	TAILQ_HEAD(, ctr_wait) waiters;
	TAILQ_ENTRY(ctr_fetch) link;
	uint64_t epoch;  /* cc->epoch when this question was asked */
	bool stale;      /* an event about this container came while it was asked */
	bool delivering; /* waiters are being answered: cancelling one frees only it */
	int tries;
};

struct ctr_wait {
	struct ctr_fetch *fetch;
	ctr_cache_done_fn *done;
	void *arg;
	TAILQ_ENTRY(ctr_wait) link;
};

struct ctr_cache {
	struct event_base *base;
	struct sa_addr ups;
	struct ctr_node *buckets[CTR_BUCKETS];
	TAILQ_HEAD(ctr_lru, ctr_node) lru;
	size_t n_nodes;
	TAILQ_HEAD(, ctr_fetch) fetches;
	size_t n_fetches;
	struct daemon_call *events;
	struct event *retry;
	unsigned backoff_ms;
	bool live;      /* the events stream is up: cached answers may be used */
	uint64_t epoch; /* changes whenever "live" does */
};

static struct ctr_node **
bucket(struct ctr_cache *cc, const char *id)
{
	unsigned h = 0;
	int i;

	/* Ids are random hex chosen by the daemon: their first digits spread well. */
	for (i = 0; i < 4; i++)
		h = h * 16 + (unsigned)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
	return &cc->buckets[h % CTR_BUCKETS];
}

static struct ctr_node *
node_find(struct ctr_cache *cc, const char *id)
{
	struct ctr_node *n;

	for (n = *bucket(cc, id); n != NULL; n = n->hnext)
		if (memcmp(n->id, id, 64) == 0)
			return n;
	return NULL;
}

static void
node_drop(struct ctr_cache *cc, struct ctr_node *n)
{
	struct ctr_node **pp;

	for (pp = bucket(cc, n->id); *pp != n; pp = &(*pp)->hnext)
		;
	*pp = n->hnext;
	TAILQ_REMOVE(&cc->lru, n, lru);
	cc->n_nodes--;
	ctr_ident_unref(n->ci);
	free(n);
}

static void
node_put(struct ctr_cache *cc, const char *id, const struct sw_ctr_ident *ci)
{
	struct ctr_node *n, **b;

	if ((n = node_find(cc, id)) != NULL)
		node_drop(cc, n);
	if (cc->n_nodes >= CTR_CACHE_MAX)
		node_drop(cc, TAILQ_LAST(&cc->lru, ctr_lru));
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return; /* not cached: asked again next time */
	memcpy(n->id, id, 65);
	n->ci = ctr_ident_ref(ci);
	n->expires_ms = mono_ms() + (ci != NULL ? CTR_TTL_MS : CTR_NEG_TTL_MS);
	b = bucket(cc, id);
	n->hnext = *b;
	*b = n;
	TAILQ_INSERT_HEAD(&cc->lru, n, lru);
	cc->n_nodes++;
}

static void
flush(struct ctr_cache *cc)
{
	struct ctr_node *n;

	while ((n = TAILQ_FIRST(&cc->lru)) != NULL)
		node_drop(cc, n);
}

static struct ctr_fetch *
fetch_find(struct ctr_cache *cc, const char *id)
{
	struct ctr_fetch *f;

	TAILQ_FOREACH (f, &cc->fetches, link)
		if (memcmp(f->id, id, 64) == 0)
			return f;
	return NULL;
}

/* Detach from the cache, end the request, free; the waiters must be gone. */
static void
fetch_free(struct ctr_fetch *f)
{
	TAILQ_REMOVE(&f->cc->fetches, f, link);
	f->cc->n_fetches--;
	daemon_call_cancel(f->call);
	free(f);
}

static void fetch_done(int status, const char *body, size_t len, void *arg);

static int
fetch_ask(struct ctr_fetch *f)
{
	char path[96];

	snprintf(path, sizeof(path), "/containers/%s/json", f->id);
	f->call = daemon_call_start(
	    f->cc->base, &f->cc->ups, path, CTR_INSPECT_MAX, CTR_INSPECT_MS, fetch_done, f);
	if (f->call == NULL)
		return -1;
	f->epoch = f->cc->epoch;
	f->stale = false;
	f->tries++;
	return 0;
}

/* What went wrong with an answer that identifies nothing (not a 404): for the caller. */
static const char *
answer_problem(int status)
{
	if (status == -1)
		return "the Docker daemon did not answer (unreachable, too slow, or a malformed "
		       "response)";
	if (status == 200)
		return "the Docker daemon's description of it is unreadable";
	if (status >= 500 && status <= 599)
		return "the Docker daemon answered with a server error";
	return "the Docker daemon answered with an unexpected status";
}

static void
fetch_done(int status, const char *body, size_t len, void *arg)
{
	struct ctr_fetch *f = arg;
	struct ctr_cache *cc = f->cc;
	const struct sw_ctr_ident *ci = NULL;
	enum ctr_status st = CTR_UNKNOWN;
	const char *why = NULL;
	struct ctr_wait *w;

	f->call = NULL;
	/* The container changed while we asked: this answer may predate it. */
	if (f->stale && f->tries < CTR_FETCH_TRIES && fetch_ask(f) == 0)
		return;
	if (status == 200 && (ci = ctr_ident_parse(f->id, body, len)) != NULL) {
		st = CTR_FOUND;
	} else if (status == 404) {
		st = CTR_NOT_FOUND;
	} else {
		why = answer_problem(status);
		log_warnx("container %.12s: %s (status %d)", f->id, why, status);
	}
	/* Failures are not remembered: the next caller asks again. */
	if (cc->live && f->epoch == cc->epoch && !f->stale && st != CTR_UNKNOWN)
		node_put(cc, f->id, ci);
	/* New lookups from the callbacks below start afresh or find the cache. */
	TAILQ_REMOVE(&cc->fetches, f, link);
	cc->n_fetches--;
	f->delivering = true;
	while ((w = TAILQ_FIRST(&f->waiters)) != NULL) {
		ctr_cache_done_fn *done = w->done;
		void *warg = w->arg;

		TAILQ_REMOVE(&f->waiters, w, link);
		free(w);
		done(st, ctr_ident_ref(ci), why, warg);
	}
	ctr_ident_unref(ci);
	free(f);
}

enum ctr_status
ctr_cache_get(struct ctr_cache *cc, const char *id, const struct sw_ctr_ident **out,
    const char **why, ctr_cache_done_fn *done, void *arg, struct ctr_wait **wait)
{
	struct ctr_node *n;
	struct ctr_fetch *f;
	struct ctr_wait *w;

	*out = NULL;
	*why = NULL;
	*wait = NULL;
	if (!cgroup_is_id(id, strnlen(id, 65))) {
		*why = "not a container id";
		return CTR_UNKNOWN;
	}
	if (cc->live && (n = node_find(cc, id)) != NULL) {
		if (n->expires_ms > mono_ms()) {
			TAILQ_REMOVE(&cc->lru, n, lru);
			TAILQ_INSERT_HEAD(&cc->lru, n, lru);
			*out = ctr_ident_ref(n->ci);
			return n->ci != NULL ? CTR_FOUND : CTR_NOT_FOUND;
		}
		node_drop(cc, n);
	}
	if ((f = fetch_find(cc, id)) == NULL) {
		if (cc->n_fetches >= CTR_FETCH_MAX) {
			*why = "too many containers are being looked up at once";
			return CTR_UNKNOWN;
		}
		if ((f = calloc(1, sizeof(*f))) == NULL)
			goto err_nomem;
		f->cc = cc;
		memcpy(f->id, id, 65);
		TAILQ_INIT(&f->waiters);
		TAILQ_INSERT_TAIL(&cc->fetches, f, link);
		cc->n_fetches++;
		if (fetch_ask(f) == -1) {
			fetch_free(f);
			goto err_nomem;
		}
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		if (TAILQ_EMPTY(&f->waiters))
			fetch_free(f);
		goto err_nomem;
	}
	w->fetch = f;
	w->done = done;
	w->arg = arg;
	TAILQ_INSERT_TAIL(&f->waiters, w, link);
	*wait = w;
	return CTR_PENDING;

err_nomem:
	*why = "out of memory";
	return CTR_UNKNOWN;
}

void
ctr_wait_cancel(struct ctr_wait *w)
{
	struct ctr_fetch *f;

	if (w == NULL)
		return;
	f = w->fetch;
	TAILQ_REMOVE(&f->waiters, w, link);
	free(w);
	if (!f->delivering && TAILQ_EMPTY(&f->waiters))
		fetch_free(f); /* nobody wants the answer any more */
}

/* ---- the events stream ------------------------------------------------------------ */

static void events_start(struct ctr_cache *cc);

/* What is known of one container may be out of date. */
static void
forget(struct ctr_cache *cc, const char *id)
{
	struct ctr_node *n;
	struct ctr_fetch *f;

	if ((n = node_find(cc, id)) != NULL)
		node_drop(cc, n);
	if ((f = fetch_find(cc, id)) != NULL)
		f->stale = true;
}

static void
forget_all(struct ctr_cache *cc)
{
	struct ctr_fetch *f;

	flush(cc);
	TAILQ_FOREACH (f, &cc->fetches, link)
		f->stale = true;
}

static void
set_live(struct ctr_cache *cc, bool live)
{
	flush(cc); /* going down: nothing may be served; coming up: events were missed */
	cc->live = live;
	cc->epoch++;
}

static void
events_line(const char *line, size_t len, void *arg)
{
	struct ctr_cache *cc = arg;
	char id[65];

	if (line == NULL) {
		set_live(cc, true);
		cc->backoff_ms = 0;
		log_debug("container events: following the Docker daemon's events");
		return;
	}
	switch (ctr_event_parse(line, len, id)) {
	case CTR_EVENT_NONE:
		break;
	case CTR_EVENT_CONTAINER:
		forget(cc, id);
		break;
	case CTR_EVENT_UNREADABLE:
		log_warnx("container events: unreadable event, forgetting every container");
		forget_all(cc);
		break;
	}
}

static void
events_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	events_start(arg);
}

static void
events_later(struct ctr_cache *cc)
{
	struct timeval tv;

	cc->backoff_ms = cc->backoff_ms == 0 ? CTR_RETRY_MIN_MS : cc->backoff_ms * 2;
	if (cc->backoff_ms > CTR_RETRY_MAX_MS)
		cc->backoff_ms = CTR_RETRY_MAX_MS;
	tv = timeval_of_ms(cc->backoff_ms);
	evtimer_add(cc->retry, &tv);
}

static void
events_end(int status, const char *body, size_t len, void *arg)
{
	struct ctr_cache *cc = arg;

	(void)body;
	(void)len;
	cc->events = NULL;
	if (cc->live)
		log_warnx("container events: the stream from the Docker daemon ended (status %d); "
		          "asking about each container until it is back",
		    status);
	set_live(cc, false);
	events_later(cc);
}

static void
events_start(struct ctr_cache *cc)
{
	cc->events = daemon_stream_start(cc->base, &cc->ups, EVENTS_PATH, CTR_EVENT_LINE_MAX,
	    CTR_EVENTS_HEAD_MS, events_line, events_end, cc);
	if (cc->events == NULL)
		events_later(cc);
}

struct ctr_cache *
ctr_cache_new(struct event_base *base, const struct sa_addr *ups)
{
	struct ctr_cache *cc;

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return NULL;
	cc->base = base;
	cc->ups = *ups;
	TAILQ_INIT(&cc->lru);
	TAILQ_INIT(&cc->fetches);
	if ((cc->retry = evtimer_new(base, events_retry, cc)) == NULL) {
		free(cc);
		return NULL;
	}
	events_start(cc);
	return cc;
}

bool
ctr_cache_live(const struct ctr_cache *cc)
{
	return cc->live;
}

void
ctr_cache_free(struct ctr_cache *cc)
{
	struct ctr_fetch *f;
	struct ctr_wait *w;

	if (cc == NULL)
		return;
	daemon_call_cancel(cc->events);
	event_free(cc->retry);
	while ((f = TAILQ_FIRST(&cc->fetches)) != NULL) {
		while ((w = TAILQ_FIRST(&f->waiters)) != NULL) {
			TAILQ_REMOVE(&f->waiters, w, link);
			free(w);
		}
		fetch_free(f);
	}
	flush(cc);
	free(cc);
}
