/*
 * The "policies" mapping: each policy's allow, deny and groups entries, in
 * document order, checked against the route table and the built-in groups so
 * that a typo is an error instead of a silently dead rule; its body
 * rules (profile, mode, modes, containers, exec, ...), read by load_rules.c;
 * and its ownership settings:
 *
 *   ownership   true, false (the default), or a mapping { label: KEY }
 *               (on, with that owner label key instead of
 *               SW_DEF_OWNER_LABEL; see pol_own_check_label_key() for
 *               which keys are accepted and why).
 *   redact      mapping with optional lists of globs ('*', '?', matched
 *               ASCII case-insensitively, at most 64 per list):
 *     env         over Config.Env variable NAMES ("*PASSWORD*", "AWS_*")
 *     labels      over label keys ("secret.*")
 *               Redaction works with or without ownership.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "load_int.h"
#include "load_rules.h"

/* ---- policies ------------------------------------------------------------------ */

/* Optimal string alignment distance, for "did you mean"; strings are short. */
size_t
ld_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[3][POL_PATTERN_MAX + 1];
	size_t *prev2 = d[0], *prev = d[1], *cur = d[2], *t;

	if (la >= POL_PATTERN_MAX || lb >= POL_PATTERN_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1, v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* The operation id closest to a mistyped one, or NULL when none is close. */
static const char *
suggest_endpoint(const char *s)
{
	const char *best = NULL, *name;
	size_t ep, d, best_d = 3;

	for (ep = 1; ep < pol_ep_count(); ep++) {
		name = pol_ep_name((int)ep);
		if (name == NULL)
			continue;
		if (strcasecmp(name, s) == 0)
			return name;
		d = ld_edit_distance(s, name);
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	return best;
}

static int
unknown_endpoint(struct ld *ld, const char *path, const char *s)
{
	const char *hint = pol_glob_has_magic(s) ? NULL : suggest_endpoint(s);

	if (hint != NULL)
		return ld_fail(ld, &ld->ev.start_mark,
		    "unknown endpoint \"%s\" in %s (did you mean \"%s\"?)", ld_show(ld, 0, s), path,
		    hint);
	return ld_fail(ld, &ld->ev.start_mark,
	    "unknown endpoint \"%s\" in %s: it matches no Docker API operation id",
	    ld_show(ld, 0, s), path);
}

static int
unknown_group(struct ld *ld, const char *path, const char *s)
{
	char known[160];
	size_t i, off = 0;

	known[0] = '\0';
	for (i = 0; i < pol_group_count() && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
		    pol_group_name((int)i));
	return ld_fail(ld, &ld->ev.start_mark, "unknown group \"%s\" in %s (known groups: %s)",
	    ld_show(ld, 0, s), path, known);
}

static bool
pattern_matches_any(const char *s)
{
	size_t ep;

	for (ep = 1; ep < pol_ep_count(); ep++) {
		const char *name = pol_ep_name((int)ep);

		if (name != NULL && pol_glob_match(s, name))
			return true;
	}
	return false;
}

/* allow, deny and groups: lists whose entries go to the policy in document order. */
static int
h_entries(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	enum pol_entry_kind kind = (enum pol_entry_kind)(intptr_t)k->arg;
	struct pol_policy *p = ((struct ld_policy *)obj)->p;
	const char *s, *why;
	int index, group = -1, rc;

	if (ld_expect(ld, YAML_SEQUENCE_START_EVENT, path,
	        kind == POL_ENTRY_GROUP ? ", e.g. [read-only]" :
	                                  ", e.g. [ContainerList, \"Network*\"]") == -1)
		return -1;
	for (index = 0; (rc = ld_next_item(ld, path, &s)) == 1; index++) {
		if (kind == POL_ENTRY_GROUP) {
			if ((group = pol_group_find(s)) == -1)
				return unknown_group(ld, path, s);
		} else {
			if (pol_check_pattern(s, &why) == -1)
				return ld_bad_value(ld, path, why, s);
			if (!pattern_matches_any(s))
				return unknown_endpoint(ld, path, s);
		}
		if (p->n_entries >= POL_MAX_ENTRIES)
			return ld_fail(ld, &ld->ev.start_mark,
			    "policy \"%s\" has more than %d entries", p->name, POL_MAX_ENTRIES);
		if (pol_policy_add_entry(p, kind, s, index, group) == -1)
			return ld_fail(ld, NULL, "out of memory");
		p->entries[p->n_entries - 1].pos = ld_pos(&ld->ev.start_mark);
	}
	return rc;
}

static int
h_read_only(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct pol_policy *p = ((struct ld_policy *)obj)->p;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_bool(s, &p->read_only, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return 0;
}

/* ---- ownership and redaction ------------------------------------------------ */

static int
h_owner_label(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct pol_ownership *o = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_own_check_label_key(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, o->label, sizeof(o->label), path, s);
}

static const struct ld_key ownership_keys[] = {
	{ "label", h_owner_label, false, NULL },
};

/* Built-in profiles grant endpoints and rules; who owns what is the policy's own choice. */
static int
not_in_profile(struct ld *ld, const struct ld_policy *lp, const char *path)
{
	if (!lp->in_profile)
		return 0;
	return ld_fail(ld, &ld->key_mark, "%s cannot be set by a profile", path);
}

/* ownership: true | false | { label: KEY } */
static int
h_ownership(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	struct pol_ownership *o = &lp->p->own.pub;
	char where[160];
	const char *s, *why;

	(void)k;
	if (not_in_profile(ld, lp, path) == -1)
		return -1;
	snprintf(o->label, sizeof(o->label), "%s", SW_DEF_OWNER_LABEL);
	if (ld->ev.type == YAML_MAPPING_START_EVENT) {
		o->isolate = true;
		snprintf(where, sizeof(where), "in %s", path);
		return ld_walk_mapping(ld, ownership_keys, nitems(ownership_keys), o, path, where);
	}
	if (ld->ev.type != YAML_SCALAR_EVENT)
		return ld_fail(ld, &ld->ev.start_mark,
		    "%s must be true, false or a mapping with label, not a %s", path,
		    ld_node_kind(ld->ev.type));
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_bool(s, &o->isolate, &why) == -1)
		return ld_bad_value(ld, path, "must be true, false or a mapping with label", s);
	return 0;
}

/* redact.env and redact.labels: lists of globs. */
static int
h_redact_list(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct pol_own_cfg *c = obj;
	bool label = k->arg != NULL;
	const char *s, *why;
	int rc;

	if (ld_expect(ld, YAML_SEQUENCE_START_EVENT, path,
	        label ? " of label key globs, e.g. [\"secret.*\"]" :
	                " of variable name globs, e.g. [\"*PASSWORD*\", \"AWS_*\"]") == -1)
		return -1;
	while ((rc = ld_next_item(ld, path, &s)) == 1) {
		if (pol_own_check_redact_glob(s, &why) == -1)
			return ld_bad_value(ld, path, why, s);
		if ((label ? c->pub.n_redact_labels : c->pub.n_redact_env) >= POL_OWN_MAX_REDACT)
			return ld_fail(ld, &ld->ev.start_mark, "%s has more than %d globs", path,
			    POL_OWN_MAX_REDACT);
		if (pol_own_add_redact(c, label, s) == -1)
			return ld_fail(ld, NULL, "out of memory");
	}
	return rc;
}

static const struct ld_key redact_keys[] = {
	{ "env", h_redact_list, false, NULL },
	{ "labels", h_redact_list, false, (const void *)(intptr_t)1 },
};

static int
h_redact(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	char where[160];

	(void)k;
	if (not_in_profile(ld, lp, path) == -1)
		return -1;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with env and/or labels") == -1)
		return -1;
	snprintf(where, sizeof(where), "in %s", path);
	return ld_walk_mapping(ld, redact_keys, nitems(redact_keys), &lp->p->own, path, where);
}

/* Sorted by name for bsearch. */
static const struct ld_key policy_keys[] = {
	{ "allow", h_entries, false, (const void *)(intptr_t)POL_ENTRY_ALLOW },
	{ "archive", ld_h_rule, false, LD_RULE(ARCHIVE) },
	{ "build", ld_h_rule, false, LD_RULE(BUILD) },
	{ "containers", ld_h_containers, false, NULL },
	{ "deny", h_entries, false, (const void *)(intptr_t)POL_ENTRY_DENY },
	{ "exec", ld_h_rule, false, LD_RULE(EXEC) },
	{ "groups", h_entries, false, (const void *)(intptr_t)POL_ENTRY_GROUP },
	{ "image_create", ld_h_rule, false, LD_RULE(IMAGE_CREATE) },
	{ "legacy", ld_h_rule, false, LD_RULE(LEGACY) },
	{ "mode", ld_h_mode, false, NULL },
	{ "modes", ld_h_modes, false, NULL },
	{ "network_create", ld_h_rule, false, LD_RULE(NETWORK_CREATE) },
	{ "ownership", h_ownership, false, NULL },
	{ "plugins", ld_h_rule, false, LD_RULE(PLUGINS) },
	{ "profile", ld_h_profile, false, NULL },
	{ "read_only", h_read_only, false, NULL },
	{ "redact", h_redact, false, NULL },
	{ "services", ld_h_rule, false, LD_RULE(SERVICES) },
	{ "swarm", ld_h_rule, false, LD_RULE(SWARM) },
	{ "volume_create", ld_h_rule, false, LD_RULE(VOLUME_CREATE) },
};

/* The keys of one policy (or of a built-in profile's text), the current event its mapping. */
int
ld_policy_body(struct ld *ld, struct ld_policy *lp, const char *path, const char *where)
{
	return ld_walk_mapping(ld, policy_keys, nitems(policy_keys), lp, path, where);
}

static int
policy_one(struct ld *ld, const char *path)
{
	struct ld_policy lp;
	struct pol_policy *p;
	char vpath[96], where[96];
	const char *name, *why;
	int rc;

	if (ld->ev.type != YAML_SCALAR_EVENT)
		return ld_fail(ld, &ld->ev.start_mark,
		    "a policy name must be a plain word, not a %s", ld_node_kind(ld->ev.type));
	if (ld_scalar(ld, path, &name) == -1)
		return -1;
	if (pol_check_name(name, &why) == -1)
		return ld_fail(ld, &ld->ev.start_mark, "policy name %s, got \"%s\"", why,
		    ld_show(ld, 0, name));
	if (pol_set_find_policy(ld->ps, name) != -1)
		return ld_fail(ld, &ld->ev.start_mark, "duplicate policy \"%s\"", name);
	if (ld->ps->n_policies >= POL_MAX_POLICIES)
		return ld_fail(ld, &ld->ev.start_mark, "more than %d policies", POL_MAX_POLICIES);
	if ((p = pol_set_add_policy(ld->ps)) == NULL)
		return ld_fail(ld, NULL, "out of memory");
	memcpy(p->name, name, strlen(name) + 1);
	p->src.name = ld_pos(&ld->ev.start_mark);
	snprintf(vpath, sizeof(vpath), "policies.%s", p->name);
	snprintf(where, sizeof(where), "in policy \"%s\"", p->name);
	if (ld_next(ld) == -1 || ld_expect(ld, YAML_MAPPING_START_EVENT, vpath,
	                             " with allow, deny, groups or read_only") == -1)
		return -1;
	memset(&lp, 0, sizeof(lp));
	lp.p = p;
	ld_rules_init(&lp.rl);
	rc = ld_policy_body(ld, &lp, vpath, where);
	if (rc == 0)
		rc = ld_rules_finish(ld, &lp, &ld->ev.start_mark);
	ld_rules_release(&lp.rl);
	return rc;
}

int
ld_policies(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	yaml_mark_t start = ld->ev.start_mark;

	(void)k;
	(void)obj;
	snprintf(ld->ps->file, sizeof(ld->ps->file), "%s", ld->err->file);
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " of policy names to policies") == -1)
		return -1;
	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		if (ld->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (policy_one(ld, path) == -1)
			return -1;
	}
	if (ld->ps->n_policies == 0)
		return ld_fail(ld, &start, "policies must define at least one policy");
	return 0;
}
