/*
 * A listener's "clients" list: which policy a caller gets, chosen from its
 * kernel identity (SO_PEERCRED) by the first entry that matches.
 *
 *   clients:
 *     - { match: { uid: 1000 }, policy: alice }
 *     - { match: { user: bob, group: ci }, policy: bob }   # every key must hold
 *
 * match keys: uid, user (resolved to a uid here), gid, group (resolved to a
 * gid here).  The gid is compared with the caller's primary gid only:
 * SO_PEERCRED carries no supplementary groups, and reading them from
 * /proc/<pid>/status would race with the pid being reused.
 *
 * Names are resolved with getpwnam_r/getgrnam_r at every load (so a reload
 * picks up a changed /etc/passwd); an unknown name is a load error at its
 * position, never a rule that silently matches no one.
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

/* A numeric id: a decimal below (uid_t)-1, which the kernel reserves for "none". */
static int
parse_id(const char *s, uint32_t *out, const char **why)
{
	uint64_t v;

	if (pol_parse_count(s, &v, why) == -1 || v > UINT32_MAX - 1) {
		*why = "must be a numeric id below 4294967295";
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

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

static int
h_match_id(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	const char *s, *why;
	uint32_t id = 0;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (parse_id(s, &id, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return k->arg != NULL ? set_gid(ld, obj, id, path) : set_uid(ld, obj, id, path);
}

/* Checks the name's spelling, then looks it up; -1 with the error recorded. */
static int
lookup_name(struct ld *ld, const char *path, const char *s, bool group, uint32_t *id)
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

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (lookup_name(ld, path, s, group, &id) == -1)
		return -1;
	return group ? set_gid(ld, obj, id, path) : set_uid(ld, obj, id, path);
}

static const struct ld_key match_keys[] = {
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
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with uid, user, gid or group") == -1 ||
	    ld_walk_mapping(ld, match_keys, nitems(match_keys), c, path, "in match") == -1)
		return -1;
	/* An empty match would take every caller: say so with the listener's policy instead. */
	if (!c->has_uid && !c->has_gid)
		return ld_fail(
		    ld, &start, "%s must set at least one of uid, user, gid or group", path);
	return 0;
}

static int
h_client_policy(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_client_cfg *c = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_name(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	c->line = (int)ld->ev.start_mark.line + 1;
	c->col = (int)ld->ev.start_mark.column + 1;
	return ld_copy(ld, c->policy_name, sizeof(c->policy_name), path, s);
}

static const struct ld_key client_keys[] = {
	{ "match", h_client_match, true, NULL },
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
		l->cfg.n_clients++;
		if (ld_expect(ld, YAML_MAPPING_START_EVENT, epath, " with match and policy") ==
		        -1 ||
		    ld_walk_mapping(ld, client_keys, nitems(client_keys), c, epath, where) == -1)
			return -1;
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
		memset(&m, 0, sizeof(m));
		m.line = (size_t)(c->line - 1);
		m.column = (size_t)(c->col - 1);
		return ld_fail(ld, &m,
		    "listener \"%s\" gives clients[%zu] policy \"%s\", which is not defined under policies",
		    lc->name, i - lc->first_client, c->policy_name);
	}
	return 0;
}
