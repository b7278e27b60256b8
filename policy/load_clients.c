/*
 * A listener's "clients" list: which policy a caller gets, chosen by the
 * first entry whose match holds (policy/client_match.c decides that).
 *
 *   clients:
 *     - { match: { uid: 1000 }, policy: alice }
 *     - { match: { user: bob, group: ci }, policy: bob }   # every key must hold
 *     - { match: { container_name: "traefik*" }, policy: traefik, owner: proxies }
 *     - { match: { cert_cn: "ci-*" }, policy: ci }
 *
 * match keys, by where the caller's identity comes from:
 *   kernel (unix:// listeners): uid, user (resolved to a uid here), gid,
 *     group (resolved to a gid here).  The gid is compared with the caller's
 *     primary gid and its supplementary groups, both from the kernel at
 *     connect time (SO_PEERCRED, SO_PEERGROUPS), never from /proc, which
 *     would race with pid reuse.
 *   container (unix:// listeners): container_name (without the leading
 *     '/'), container_image (as created), container_label ("key" or
 *     "key=value-glob"); globs with '*' and '?'.
 *   certificate (tls listeners): cert_cn, cert_dns, cert_email, cert_uri
 *     (globs; a SAN key holds when any SAN of its type matches) and
 *     cert_fingerprint (SHA-256, exact; colons and case are normalised).
 * An entry must set at least one key: an empty match would take everyone.
 * "owner" (optional) names the caller for ownership isolation.
 *
 * User and group names, here and in "run_as", are resolved with
 * getpwnam_r/getgrnam_r at every load (so a reload picks up a changed
 * /etc/passwd); an unknown name is a load error at its position, never a
 * rule that silently matches no one.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_int.h"

/* Client entries in one file, all listeners together; the file size bounds it too. */
#define LD_MAX_CLIENTS 4096

/* Room for one passwd or group record; glibc's sysconf hint is 1 KiB. */
#define LD_PW_BUF 16384

static int
set_uid(struct ld *ld, struct sw_client_cfg *c, uint32_t uid, const char *path)
{
	if (c->has_uid)
		return ld_fail(ld, &ld->ev.start_mark,
		    "%s: uid and user both set the uid; write one of them", path);
	c->has_uid = true;
	c->uid = (uid_t)uid;
	return 0;
}

static int
set_gid(struct ld *ld, struct sw_client_cfg *c, uint32_t gid, const char *path)
{
	if (c->has_gid)
		return ld_fail(ld, &ld->ev.start_mark,
		    "%s: gid and group both set the gid; write one of them", path);
	c->has_gid = true;
	c->gid = (gid_t)gid;
	return 0;
}

/* Remembers the listener's first key of a kind, for ld_check_clients(). */
static void
note_key(struct ld *ld, enum ld_ident_kind kind, const char *name)
{
	struct ld_client_src *src = ld->client_src;

	if (src == NULL || src->has[kind])
		return;
	src->has[kind] = true;
	src->key[kind] = ld->key_mark;
	src->name[kind] = name;
	src->entry[kind] = ld->client_entry;
}

static int
h_match_id(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	const char *s, *why;
	uint32_t id = 0;

	note_key(ld, LD_IDENT_KERNEL, k->name);
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_id(s, &id, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return k->arg != NULL ? set_gid(ld, obj, id, path) : set_uid(ld, obj, id, path);
}

/*
 * Checks the name's spelling, then looks it up (the current event is its
 * value); a user's primary gid goes to *pgid when not NULL.  -1 with the
 * error recorded.
 */
static int
lookup_name(
    struct ld *ld, const char *path, const char *s, bool group, uint32_t *id, uint32_t *pgid)
{
	char *buf;
	const char *why;
	int rc;
	bool found;

	if (pol_check_name(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	if ((buf = malloc(LD_PW_BUF)) == NULL)
		return ld_fail(ld, NULL, "out of memory");
	if (group) {
		struct group gr, *res = NULL;

		rc = getgrnam_r(s, &gr, buf, LD_PW_BUF, &res);
		found = res != NULL;
		if (found)
			*id = (uint32_t)gr.gr_gid;
	} else {
		struct passwd pw, *res = NULL;

		rc = getpwnam_r(s, &pw, buf, LD_PW_BUF, &res);
		found = res != NULL;
		if (found)
			*id = (uint32_t)pw.pw_uid;
		if (found && pgid != NULL)
			*pgid = (uint32_t)pw.pw_gid;
	}
	free(buf);
	if (found)
		return 0;
	/* Not found is rc 0; glibc documents ENOENT, ESRCH, EBADF and EPERM as the same. */
	if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
		return ld_fail(ld, &ld->ev.start_mark, "%s: no %s named \"%s\" on this host", path,
		    group ? "group" : "user", ld_show(ld, 0, s));
	return ld_fail(ld, &ld->ev.start_mark, "%s: cannot look up %s \"%s\": %s", path,
	    group ? "group" : "user", ld_show(ld, 0, s), strerror(rc));
}

static int
h_match_name(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	const char *s;
	uint32_t id = 0;
	bool group = k->arg != NULL;

	note_key(ld, LD_IDENT_KERNEL, k->name);
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (lookup_name(ld, path, s, group, &id, NULL) == -1)
		return -1;
	return group ? set_gid(ld, obj, id, path) : set_uid(ld, obj, id, path);
}

/* A glob key: where it goes, what identity it needs, which characters it may hold. */
struct match_glob {
	size_t offset; /* of the char[SW_PATTERN_MAX] in struct sw_client_cfg */
	enum ld_ident_kind kind;
	const char *extra;   /* characters besides letters and digits; NULL: any printable */
	const char *charset; /* the reason when another character appears */
};

#define MATCH_GLOB(field, kind, extra, charset) \
	(&(const struct match_glob){            \
	    offsetof(struct sw_client_cfg, field), (kind), (extra), (charset) })

static int
h_match_glob(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	const struct match_glob *g = k->arg;
	const char *s, *why;

	note_key(ld, g->kind, k->name);
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	/* The daemon's inspect writes "/name"; docker ps, and this key, do not. */
	if (g->offset == offsetof(struct sw_client_cfg, container_name) && s[0] == '/')
		return ld_bad_value(
		    ld, path, "is the name without its leading '/' (as docker ps shows it)", s);
	if (ld_check_glob(s, g->extra, g->charset, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, (char *)obj + g->offset, SW_PATTERN_MAX, path, s);
}

static int
h_match_label(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_client_cfg *c = obj;
	const char *s, *why;

	note_key(ld, LD_IDENT_CTR, k->name);
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (ld_check_label_match(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, c->container_label, sizeof(c->container_label), path, s);
}

static int
h_match_fingerprint(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_client_cfg *c = obj;
	const char *s, *why;

	note_key(ld, LD_IDENT_CERT, k->name);
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_fingerprint(s, c->cert_fingerprint, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return 0;
}

#define NAME_CHARS "may contain only letters, digits, '_', '.', '-' and the wildcards '*' and '?'"
#define IMAGE_CHARS \
	"may contain only letters, digits, '.', '_', '/', ':', '@', '-' and the wildcards '*' and '?'"
#define DNS_CHARS "may contain only letters, digits, '.', '-', '_' and the wildcards '*' and '?'"

/* Sorted by name: the table is searched with bsearch. */
static const struct ld_key match_keys[] = {
	{ "cert_cn", h_match_glob, false, MATCH_GLOB(cert_cn, LD_IDENT_CERT, NULL, NULL) },
	{ "cert_dns", h_match_glob, false, MATCH_GLOB(cert_dns, LD_IDENT_CERT, ".-_", DNS_CHARS) },
	{ "cert_email", h_match_glob, false, MATCH_GLOB(cert_email, LD_IDENT_CERT, NULL, NULL) },
	{ "cert_fingerprint", h_match_fingerprint, false, NULL },
	{ "cert_uri", h_match_glob, false, MATCH_GLOB(cert_uri, LD_IDENT_CERT, NULL, NULL) },
	{ "container_image", h_match_glob, false,
	    MATCH_GLOB(container_image, LD_IDENT_CTR, "._/:@-", IMAGE_CHARS) },
	{ "container_label", h_match_label, false, NULL },
	{ "container_name", h_match_glob, false,
	    MATCH_GLOB(container_name, LD_IDENT_CTR, "_.-", NAME_CHARS) },
	{ "gid", h_match_id, false, "gid" },
	{ "group", h_match_name, false, "group" },
	{ "uid", h_match_id, false, NULL },
	{ "user", h_match_name, false, NULL },
};

static int
h_client_match(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_client_cfg *c = obj;
	yaml_mark_t start = ld->ev.start_mark;

	(void)k;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path,
	        " with uid, user, gid, group, cert_* or container_* keys") == -1 ||
	    ld_walk_mapping(ld, match_keys, nitems(match_keys), c, path, "in match") == -1)
		return -1;
	/* An empty match would take every caller: say so with the listener's policy instead. */
	if (!pol_client_wants_kernel(c) && !pol_client_wants_cert(c) && !pol_client_wants_ctr(c))
		return ld_fail(ld, &start,
		    "%s must set at least one of uid, user, gid or group, or a cert_* or container_* "
		    "key: an empty match matches everyone, so use the listener's policy instead",
		    path);
	return 0;
}

static int
h_client_owner(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_client_cfg *c = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (ld_check_owner(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, c->owner, sizeof(c->owner), path, s);
}

static int
h_client_policy(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_client_cfg *c = obj;
	const char *s, *why;
	struct pol_pos at;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_name(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	at = ld_pos(&ld->ev.start_mark);
	c->line = at.line;
	c->col = at.col;
	return ld_copy(ld, c->policy_name, sizeof(c->policy_name), path, s);
}

static const struct ld_key client_keys[] = {
	{ "match", h_client_match, true, NULL },
	{ "owner", h_client_owner, false, NULL },
	{ "policy", h_client_policy, true, NULL },
};

/* Room for one more entry: capacity is 8, then the next power of two. */
static struct sw_client_cfg *
client_append(struct sw_config *cfg)
{
	size_t n = cfg->n_clients, cap;
	struct sw_client_cfg *nc;

	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		cap = n == 0 ? 8 : n * 2;
		if ((nc = realloc(cfg->clients, cap * sizeof(*nc))) == NULL)
			return NULL;
		cfg->clients = nc;
	}
	nc = &cfg->clients[n];
	memset(nc, 0, sizeof(*nc));
	nc->policy = -1;
	cfg->n_clients++;
	return nc;
}

int
ld_clients(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	struct sw_config *cfg = &ld->ps->cfg;
	struct sw_client_cfg *c;
	char epath[128], where[192];

	(void)k;
	if (ld_expect(ld, YAML_SEQUENCE_START_EVENT, path, " of client entries") == -1)
		return -1;
	l->cfg.first_client = cfg->n_clients;
	l->cfg.n_clients = 0;
	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		if (ld->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (cfg->n_clients >= LD_MAX_CLIENTS)
			return ld_fail(
			    ld, &ld->ev.start_mark, "more than %d client entries", LD_MAX_CLIENTS);
		if ((c = client_append(cfg)) == NULL)
			return ld_fail(ld, NULL, "out of memory");
		snprintf(epath, sizeof(epath), "%s[%zu]", path, l->cfg.n_clients);
		snprintf(where, sizeof(where), "in %s", epath);
		ld->client_src = &l->clients_src;
		ld->client_entry = l->cfg.n_clients;
		l->cfg.n_clients++;
		if (ld_expect(ld, YAML_MAPPING_START_EVENT, epath, " with match and policy") ==
		        -1 ||
		    ld_walk_mapping(ld, client_keys, nitems(client_keys), c, epath, where) == -1)
			return -1;
	}
	ld->client_src = NULL;
	return 0;
}

/*
 * Identity a listener cannot know is an error, not an entry that never
 * matches: a TLS handshake carries no uid or container, a unix socket no
 * certificate, plain TCP neither.
 */
int
ld_check_clients(struct ld *ld, const struct ld_listener *l)
{
	const struct ld_client_src *src = &l->clients_src;
	size_t li = (size_t)(l - ld->lsn);
	enum ld_ident_kind bad;
	char what[160];

	if (strncmp(l->cfg.listen, "tcp://", 6) != 0) {
		if (!src->has[LD_IDENT_CERT])
			return 0;
		snprintf(what, sizeof(what), "listeners[%zu].clients[%zu].match.%s", li,
		    src->entry[LD_IDENT_CERT], src->name[LD_IDENT_CERT]);
		return ld_fail(ld, &src->key[LD_IDENT_CERT],
		    "%s: cert_* keys need a TLS listener, and listener \"%s\" is a unix socket: "
		    "match its callers with uid, user, gid, group or container_* keys",
		    what, l->cfg.name);
	}
	if (src->has[LD_IDENT_KERNEL] || src->has[LD_IDENT_CTR]) {
		/* Report whichever of the two came first in the file. */
		bad = !src->has[LD_IDENT_CTR] ||
		              (src->has[LD_IDENT_KERNEL] &&
		                  src->key[LD_IDENT_KERNEL].index < src->key[LD_IDENT_CTR].index) ?
		          LD_IDENT_KERNEL :
		          LD_IDENT_CTR;
		snprintf(what, sizeof(what), "listeners[%zu].clients[%zu].match.%s", li,
		    src->entry[bad], src->name[bad]);
		return ld_fail(ld, &src->key[bad],
		    "%s: uid, user, gid, group and container_* keys need a unix:// listener (TCP "
		    "carries no kernel identity), and listener \"%s\" is TCP: %s",
		    what, l->cfg.name,
		    l->cfg.tls.enabled ? "match its callers with cert_* keys" :
		                         "add tls and match its callers with cert_* keys");
	}
	if (src->has[LD_IDENT_CERT] && !l->cfg.tls.enabled) {
		snprintf(what, sizeof(what), "listeners[%zu].clients[%zu].match.%s", li,
		    src->entry[LD_IDENT_CERT], src->name[LD_IDENT_CERT]);
		return ld_fail(ld, &src->key[LD_IDENT_CERT],
		    "%s: cert_* keys need a TLS listener, and listener \"%s\" is plain TCP "
		    "(insecure: true), so its callers send no certificate: add tls",
		    what, l->cfg.name);
	}
	return 0;
}

int
ld_resolve_clients(struct ld *ld, const struct sw_listener_cfg *lc)
{
	struct sw_config *cfg = &ld->ps->cfg;
	size_t i;

	for (i = lc->first_client; i < lc->first_client + lc->n_clients; i++) {
		struct sw_client_cfg *c = &cfg->clients[i];
		yaml_mark_t m;

		c->policy = pol_set_find_policy(ld->ps, c->policy_name);
		if (c->policy != -1)
			continue;
		m = ld_mark((struct pol_pos){ c->line, c->col });
		return ld_fail(ld, &m,
		    "listener \"%s\" gives clients[%zu] policy \"%s\", which is not defined under policies",
		    lc->name, i - lc->first_client, c->policy_name);
	}
	return 0;
}

/* ---- run_as ---------------------------------------------------------------------- */

struct run_as_read {
	struct sw_run_as *ra;
	bool has_group, user_has_pgid;
	uint32_t user_pgid; /* the user's primary group, from its passwd entry */
	yaml_mark_t user_mark;
};

/* A numeric uid: its passwd entry gives the primary group, when there is one. */
static int
uid_primary_gid(struct ld *ld, uint32_t uid, bool *found, uint32_t *gid)
{
	struct passwd pw, *res = NULL;
	char *buf;

	if ((buf = malloc(LD_PW_BUF)) == NULL)
		return ld_fail(ld, NULL, "out of memory");
	(void)getpwuid_r((uid_t)uid, &pw, buf, LD_PW_BUF, &res);
	*found = res != NULL;
	if (*found)
		*gid = (uint32_t)pw.pw_gid;
	free(buf);
	return 0;
}

static int
h_run_as_account(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct run_as_read *rr = obj;
	bool group = k->arg != NULL;
	char *dst = group ? rr->ra->group : rr->ra->user;
	const char *s, *why;
	uint32_t id = 0;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_account(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	if (s[0] >= '0' && s[0] <= '9') {
		if (pol_parse_id(s, &id, &why) == -1)
			return ld_bad_value(ld, path, why, s);
		if (!group && uid_primary_gid(ld, id, &rr->user_has_pgid, &rr->user_pgid) == -1)
			return -1;
	} else if (lookup_name(ld, path, s, group, &id, group ? NULL : &rr->user_pgid) == -1) {
		return -1;
	} else if (!group) {
		rr->user_has_pgid = true;
	}
	if (group) {
		rr->ra->gid = (gid_t)id;
		rr->has_group = true;
	} else {
		rr->ra->uid = (uid_t)id;
		rr->user_mark = ld->ev.start_mark;
	}
	return ld_copy(ld, dst, SW_NAME_MAX, path, s);
}

static const struct ld_key run_as_keys[] = {
	{ "group", h_run_as_account, false, "group" },
	{ "user", h_run_as_account, true, NULL },
};

int
ld_run_as(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_config *cfg = obj;
	struct run_as_read rr;

	(void)k;
	memset(&rr, 0, sizeof(rr));
	rr.ra = &cfg->run_as;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with user and group") == -1 ||
	    ld_walk_mapping(ld, run_as_keys, nitems(run_as_keys), &rr, path, "in run_as") == -1)
		return -1;
	if (!rr.has_group) {
		if (!rr.user_has_pgid)
			return ld_fail(ld, &rr.user_mark,
			    "%s.user %s has no passwd entry to take a primary group from: set "
			    "%s.group",
			    path, ld_show(ld, 0, cfg->run_as.user), path);
		cfg->run_as.gid = (gid_t)rr.user_pgid;
	}
	cfg->run_as.enabled = true;
	return 0;
}
