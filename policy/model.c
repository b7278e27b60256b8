/*
 * The compiled configuration: pol_set lifecycle and accessors, and the
 * compiler that turns each policy's entries into a per-endpoint decision
 * table so that pol_eval() is one array lookup.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/* Returns an empty set with one reference, or NULL when out of memory. */
struct pol_set *
pol_set_new(void)
{
	struct pol_set *ps;

	ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return NULL;
	ps->refs = 1;
	return ps;
}

/* Appends a zeroed policy to the set; the pointer is valid until the next call. */
struct pol_policy *
pol_set_add_policy(struct pol_set *ps)
{
	struct pol_policy *np;

	if (ps->n_policies >= POL_MAX_POLICIES)
		return NULL;
	np = realloc(ps->policies, (ps->n_policies + 1) * sizeof(*np));
	if (np == NULL)
		return NULL;
	ps->policies = np;
	memset(&np[ps->n_policies], 0, sizeof(*np));
	return &np[ps->n_policies++];
}

/* Appends an entry (copying "text", which may be NULL); -1 when full or out of memory. */
int
pol_policy_add_entry(
    struct pol_policy *p, enum pol_entry_kind kind, const char *text, int index, int group)
{
	struct pol_entry *ne;
	char *copy = NULL;
	size_t cap;

	if (p->n_entries >= POL_MAX_ENTRIES + 1)
		return -1;
	if (p->n_entries == p->cap_entries) {
		cap = p->cap_entries ? p->cap_entries * 2 : 8;
		ne = realloc(p->entries, cap * sizeof(*ne));
		if (ne == NULL)
			return -1;
		p->entries = ne;
		p->cap_entries = cap;
	}
	if (text != NULL && (copy = strdup(text)) == NULL)
		return -1;
	memset(&p->entries[p->n_entries], 0, sizeof(p->entries[p->n_entries]));
	p->entries[p->n_entries].kind = kind;
	p->entries[p->n_entries].text = copy;
	p->entries[p->n_entries].index = index;
	p->entries[p->n_entries].group = group;
	p->n_entries++;
	return 0;
}

void
pol_policy_release(struct pol_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_entries; i++)
		free(p->entries[i].text);
	free(p->entries);
	free(p->allowed);
	free(p->table);
	pol_rules_free(&p->rules);
	pol_own_cfg_free(&p->own);
}

struct pol_set *
pol_set_ref(struct pol_set *ps)
{
	if (ps != NULL)
		ps->refs++;
	return ps;
}

/* Drops one reference; the last one frees the set and everything it owns. */
void
pol_set_unref(struct pol_set *ps)
{
	size_t i;

	if (ps == NULL || --ps->refs > 0)
		return;
	for (i = 0; i < ps->n_policies; i++)
		pol_policy_release(&ps->policies[i]);
	free(ps->policies);
	free(ps->cfg.listeners);
	free(ps->cfg.clients);
	free(ps);
}

const struct sw_config *
pol_set_config(const struct pol_set *ps)
{
	return &ps->cfg;
}

size_t
pol_set_policy_count(const struct pol_set *ps)
{
	return ps->n_policies;
}

int
pol_set_find_policy(const struct pol_set *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n_policies; i++)
		if (strcmp(ps->policies[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* NULL when "policy" is out of range. */
const char *
pol_set_policy_name(const struct pol_set *ps, int policy)
{
	if (policy < 0 || (size_t)policy >= ps->n_policies)
		return NULL;
	return ps->policies[policy].name;
}

const struct pol_ownership *
pol_set_ownership(const struct pol_set *ps, int policy)
{
	const struct pol_ownership *o;

	if (ps == NULL || policy < 0 || (size_t)policy >= ps->n_policies)
		return NULL;
	o = &ps->policies[policy].own.pub;
	if (!o->isolate && o->n_redact_env == 0 && o->n_redact_labels == 0)
		return NULL;
	return o;
}

/*
 * Shell-style glob, '*' and '?', over the first "slen" bytes of s, with
 * ASCII case folding when "fold".  Backtracks only to the last '*', so the
 * cost is at most O(strlen(p) * slen) even for hostile patterns such as
 * "*a*a*a*a*b", and it never recurses.
 */
bool
pol_glob_match_n(const char *p, const char *s, size_t slen, bool fold)
{
	const char *star = NULL, *end = s + slen, *resume = NULL;

	while (s < end) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p != '\0' && (*p == '?' || *p == *s ||
		                             (fold && sw_ascii_lower(*p) == sw_ascii_lower(*s)))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool
pol_glob_match(const char *p, const char *s)
{
	return pol_glob_match_n(p, s, strlen(s), false);
}

bool
pol_glob_has_magic(const char *pattern)
{
	return strpbrk(pattern, "*?") != NULL;
}

bool
pol_entry_matches(const struct pol_entry *e, int ep)
{
	const char *name;

	switch (e->kind) {
	case POL_ENTRY_DENY:
	case POL_ENTRY_ALLOW:
		name = pol_ep_name(ep);
		return name != NULL && pol_glob_match(e->text, name);
	case POL_ENTRY_GROUP:
		return pol_group_has(e->group, ep);
	case POL_ENTRY_READ_ONLY:
		return (pol_ep_flags(ep) & POL_EPF_READ) == 0;
	}
	return false;
}

/*
 * The decision for one endpoint, in this order:
 *   1. a deny entry matches              -> deny, rule = that entry
 *   2. read_only and the endpoint writes -> deny, rule = the read_only entry
 *   3. an allow entry or group matches   -> allow, rule = the first such entry
 *      (need body instead when the policy has body rules and the endpoint
 *      has an inspector: see policy_compile)
 *   4. nothing matched                   -> deny, rule -1 (default)
 * The read_only filter comes before the allow entries so that a writing
 * endpoint under read_only: true is always reported as "read_only", which is
 * the rule a person has to change to get it, whether or not it is listed.
 */
static struct pol_ep_rule
decide(const struct pol_policy *p, int ep)
{
	struct pol_ep_rule r = { POL_DENY, POL_R_DEFAULT_DENY, -1 };
	size_t i;

	for (i = 0; i < p->n_entries; i++) {
		if (p->entries[i].kind == POL_ENTRY_DENY && pol_entry_matches(&p->entries[i], ep))
			return (struct pol_ep_rule){ POL_DENY, POL_R_DENIED, (int)i };
	}
	for (i = 0; i < p->n_entries; i++) {
		if (p->entries[i].kind == POL_ENTRY_READ_ONLY &&
		    pol_entry_matches(&p->entries[i], ep))
			return (struct pol_ep_rule){ POL_DENY, POL_R_DENIED, (int)i };
	}
	for (i = 0; i < p->n_entries; i++) {
		if ((p->entries[i].kind == POL_ENTRY_ALLOW ||
		        p->entries[i].kind == POL_ENTRY_GROUP) &&
		    pol_entry_matches(&p->entries[i], ep))
			return (struct pol_ep_rule){ POL_ALLOW, POL_R_ALLOWED, (int)i };
	}
	return r;
}

static int
policy_compile(struct pol_policy *p, size_t n_ep)
{
	size_t ep, words = (n_ep + 63) / 64;

	if (p->read_only && pol_policy_add_entry(p, POL_ENTRY_READ_ONLY, NULL, 0, -1) == -1)
		return -1;
	p->allowed = calloc(words ? words : 1, sizeof(*p->allowed));
	p->table = calloc(n_ep ? n_ep : 1, sizeof(*p->table));
	if (p->allowed == NULL || p->table == NULL)
		return -1;
	/* Endpoint 0 is "no route": it keeps the zero row plus its reason, never allowed. */
	p->table[POL_EP_UNKNOWN].verdict = POL_DENY;
	p->table[POL_EP_UNKNOWN].reason = POL_R_UNKNOWN_ENDPOINT;
	p->table[POL_EP_UNKNOWN].rule = -1;
	for (ep = 1; ep < n_ep; ep++) {
		p->table[ep] = decide(p, (int)ep);
		if (p->table[ep].verdict != POL_ALLOW)
			continue;
		p->allowed[ep / 64] |= UINT64_C(1) << (ep % 64);
		/*
		 * A policy with body rules sees the body of every endpoint that
		 * has an inspector, whether or not one of its rules speaks about
		 * that endpoint: the inspector also refuses bodies the daemon
		 * could read two ways, and what is forwarded is then exactly what
		 * was checked.  A policy without rules keeps the plain allow.
		 */
		if (p->rules.enabled && pol_ep_inspected((int)ep))
			p->table[ep].verdict = POL_NEED_BODY;
	}
	return 0;
}

/* Builds every policy's decision table; -1 when out of memory. */
int
pol_set_compile(struct pol_set *ps)
{
	size_t i;

	ps->n_ep = pol_ep_count();
	ps->min_version = sw_str_cstr(ps->cfg.min_api_version);
	for (i = 0; i < ps->n_policies; i++)
		if (policy_compile(&ps->policies[i], ps->n_ep) == -1)
			return -1;
	return 0;
}
