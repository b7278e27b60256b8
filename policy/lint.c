/*
 * pol_set_lint(): warnings about a configuration that loads but probably
 * does not do what its author thinks (include/sockwarden/lint.h).  Each
 * warning carries the position of the key or entry to change:
 *
 *   root        an allowed endpoint that is root on the host unless a rule
 *               restricts its body, and that rule is not configured (or no
 *               rule can restrict it);
 *   deny        a deny entry that removes nothing the policy grants;
 *   shadowed    an allow entry or group all of whose endpoints are removed
 *               by deny entries or read_only;
 *   unused      rules the policy writes for endpoints it does not allow;
 *   mode        rules in warn or audit mode on a policy that allows a root
 *               endpoint, where a finding would be a way to root;
 *
 * and about the settings ("upstream: ..." and "listener NAME: ..." in place
 * of "policy NAME: "):
 *
 *   upstream    a tcp:// upstream without upstream_tls;
 *   insecure    a plain TCP listener (insecure: true);
 *   certs       client_certs optional or none on a listener whose client
 *               entries match cert_* keys.
 */
#include "sockwarden/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sockwarden/lint.h"

#include "policy_int.h"

struct lint {
	const struct pol_set *ps;
	char *out;
	size_t size;
	size_t len;
	int count;
};

static void
append(struct lint *l, const char *s)
{
	size_t n = strlen(s);

	if (l->size == 0)
		return;
	if (n > l->size - 1 - l->len)
		n = l->size - 1 - l->len;
	memcpy(l->out + l->len, s, n);
	l->len += n;
	l->out[l->len] = '\0';
}

/* One warning about "subject" ("policy NAME", "listener NAME", "upstream"). */
static void SW_PRINTF(4, 0) vwarn_about(
    struct lint *l, struct pol_pos pos, const char *subject, const char *fmt, va_list ap)
{
	const char *file = l->ps->file[0] != '\0' ? l->ps->file : "<config>";
	char line[768];
	int off;

	if (pos.line > 0)
		off = snprintf(line, sizeof(line), "%s:%d:%d: warning: %s: ", file, pos.line,
		    pos.col, subject);
	else
		off = snprintf(line, sizeof(line), "%s: warning: %s: ", file, subject);
	if (off < 0 || (size_t)off >= sizeof(line))
		off = 0;
	vsnprintf(line + off, sizeof(line) - (size_t)off, fmt, ap);
	l->count++;
	/* Append the line and its newline, as much as fits: the output is a prefix. */
	append(l, line);
	append(l, "\n");
}

static void SW_PRINTF(4, 5)
    warn(struct lint *l, const struct pol_policy *p, struct pol_pos pos, const char *fmt, ...)
{
	char subject[80];
	va_list ap;

	snprintf(subject, sizeof(subject), "policy %s", p->name);
	va_start(ap, fmt);
	vwarn_about(l, pos, subject, fmt, ap);
	va_end(ap);
}

static void SW_PRINTF(4, 5)
    warn_about(struct lint *l, struct pol_pos pos, const char *subject, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_about(l, pos, subject, fmt, ap);
	va_end(ap);
}

static bool
allows(const struct pol_set *ps, const struct pol_policy *p, int ep)
{
	return ep > POL_EP_UNKNOWN && (size_t)ep < ps->n_ep && p->table[ep].verdict != POL_DENY;
}

static bool
allows_name(const struct pol_set *ps, const struct pol_policy *p, const char *name)
{
	return allows(ps, p, pol_ep_lookup(name));
}

/* Does any entry of "kind" (allow counts groups too) match ep? */
static bool
any_entry(const struct pol_policy *p, int ep, bool granting)
{
	const struct pol_entry *e;
	size_t i;

	for (i = 0; i < p->n_entries; i++) {
		e = &p->entries[i];
		if (granting != (e->kind == POL_ENTRY_ALLOW || e->kind == POL_ENTRY_GROUP))
			continue;
		if (pol_entry_matches(e, ep))
			return true;
	}
	return false;
}

static const char *
entry_text(const struct pol_entry *e)
{
	switch (e->kind) {
	case POL_ENTRY_DENY:
		return "deny";
	case POL_ENTRY_ALLOW:
		return "allow";
	case POL_ENTRY_GROUP:
		return "group";
	case POL_ENTRY_READ_ONLY:
		return "read_only";
	}
	return "?";
}

/* ---- entries: deny that removes nothing, allow that grants nothing -------------- */

static void
lint_entries(struct lint *l, const struct pol_policy *p)
{
	const struct pol_entry *e;
	size_t i, ep;
	bool useful;

	for (i = 0; i < p->n_entries; i++) {
		e = &p->entries[i];
		if (e->kind == POL_ENTRY_READ_ONLY || e->from_profile)
			continue;
		useful = false;
		for (ep = 1; ep < l->ps->n_ep && !useful; ep++) {
			if (!pol_entry_matches(e, (int)ep))
				continue;
			if (e->kind == POL_ENTRY_DENY)
				useful = any_entry(p, (int)ep, true);
			else
				useful = p->table[ep].verdict != POL_DENY;
		}
		if (useful)
			continue;
		if (e->kind == POL_ENTRY_DENY)
			warn(l, p, e->pos,
			    "deny %s removes nothing: no allow entry, group or profile grants what it "
			    "matches",
			    e->text);
		else
			warn(l, p, e->pos,
			    "%s %s grants nothing: every endpoint it matches is removed by deny "
			    "entries%s",
			    entry_text(e), e->text, p->read_only ? " or read_only" : "");
	}
}

/* ---- root endpoints without their rules --------------------------------------------- */

/* The container rules each of which, left open, is a way out of the container. */
static const enum pol_rule_id isolation_rules[] = { POL_RULE_PRIVILEGED, POL_RULE_BIND_MOUNTS,
	POL_RULE_VOLUMES, POL_RULE_VOLUMES_FROM, POL_RULE_DEVICES, POL_RULE_CAPABILITIES,
	POL_RULE_SECURITY_OPT, POL_RULE_NAMESPACES };

/* Names of the isolation rules not configured, ", "-separated; how many. */
static size_t
missing_isolation(const struct pol_rules *r, char *buf, size_t bufsz)
{
	size_t i, n = 0, off = 0;

	buf[0] = '\0';
	for (i = 0; i < nitems(isolation_rules); i++) {
		if (r->enabled && r->configured[isolation_rules[i]])
			continue;
		if (off < bufsz)
			off += (size_t)snprintf(buf + off, bufsz - off, "%s%s", n ? ", " : "",
			    pol_rule_name(isolation_rules[i]));
		n++;
	}
	return n;
}

#define NEED_CONTAINERS (-2) /* the isolation rules */
#define NEED_NONE       (-1) /* no rule can make it safe */

struct root_need {
	const char *ep;
	int rule; /* enum pol_rule_id, NEED_CONTAINERS or NEED_NONE */
	const char *why;
};

static const struct root_need root_needs[] = {
	{ "ContainerCreate", NEED_CONTAINERS, NULL },
	{ "ContainerExec", POL_RULE_EXEC, "a privileged exec gets every capability" },
	{ "VolumeCreate", POL_RULE_VOLUME_CREATE,
	    "the local driver mounts any host path (type=none, o=bind)" },
	{ "NetworkCreate", POL_RULE_NETWORK_CREATE,
	    "macvlan and ipvlan networks reach the host's own network" },
	{ "ImageBuild", POL_RULE_BUILD, "a build can run on the host's network" },
	{ "SwarmInit", POL_RULE_SWARM, "a swarm manager schedules containers on this host" },
	{ "SwarmJoin", POL_RULE_SWARM,
	    "the remote managers can then run any container on this host" },
	{ "ServiceCreate", POL_RULE_SERVICES, "service tasks are containers no rule looks at" },
	{ "ServiceUpdate", POL_RULE_SERVICES, "service tasks are containers no rule looks at" },
	{ "PluginPull", POL_RULE_PLUGINS, "plugins run as root with the privileges they ask for" },
	{ "PluginUpgrade", POL_RULE_PLUGINS,
	    "plugins run as root with the privileges they ask for" },
	{ "PluginEnable", POL_RULE_PLUGINS, "plugins run as root with the privileges they have" },
	{ "PluginSet", POL_RULE_PLUGINS, "settings re-point a plugin's mounts and devices" },
	{ "PluginCreate", POL_RULE_PLUGINS,
	    "a plugin installed from a tar gets whatever privileges its config declares" },
	{ "PutContainerArchive", POL_RULE_ARCHIVE,
	    "the daemon unpacks uploads as root, compressed ones with the container's tools" },
};

static const struct root_need *
root_need(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(root_needs); i++)
		if (strcmp(root_needs[i].ep, name) == 0)
			return &root_needs[i];
	return NULL;
}

/* "allow Container*", "group read-only", "allow * (profile portainer)". */
static void
granted_by(const struct pol_policy *p, int ep, char *buf, size_t bufsz, struct pol_pos *pos)
{
	const struct pol_entry *e;
	int rule = p->table[ep].rule;

	*pos = p->src.name;
	snprintf(buf, bufsz, "?");
	if (rule < 0 || (size_t)rule >= p->n_entries)
		return;
	e = &p->entries[rule];
	*pos = e->pos;
	snprintf(buf, bufsz, "%s %s%s%s%s", entry_text(e), e->text != NULL ? e->text : "",
	    e->from_profile ? " (profile " : "", e->from_profile ? p->rules.profile : "",
	    e->from_profile ? ")" : "");
}

static bool
rule_on(const struct pol_rules *r, int rule)
{
	return r->enabled && r->configured[rule];
}

static void
lint_root_one(struct lint *l, const struct pol_policy *p, int ep)
{
	const char *name = pol_ep_name(ep);
	const struct root_need *need = root_need(name);
	const struct pol_rules *r = &p->rules;
	char by[160], missing[256];
	struct pol_pos pos;
	size_t n;

	granted_by(p, ep, by, sizeof(by), &pos);
	if (strcmp(name, "ContainerStart") == 0) {
		struct sw_str v124 = SW_STR_LIT("1.24");

		/* Below API 1.24 old daemons apply a HostConfig sent with start. */
		if (pol_version_cmp(&l->ps->min_version, &v124) < 0 && !rule_on(r, POL_RULE_LEGACY))
			warn(l, p, pos,
			    "allows ContainerStart (%s) with api.min_version %s: daemons up to 24.0 "
			    "apply a HostConfig sent with start below API 1.24; add legacy: false "
			    "or raise api.min_version to 1.24",
			    by, l->ps->cfg.min_api_version);
		return;
	}
	if (need == NULL || need->rule == NEED_NONE) {
		warn(l, p, pos,
		    "allows %s (%s), which no rule restricts: anyone who can reach this listener "
		    "is root on the host",
		    name, by);
		return;
	}
	if (need->rule == NEED_CONTAINERS ||
	    (need->rule == POL_RULE_SERVICES && rule_on(r, POL_RULE_SERVICES))) {
		n = missing_isolation(r, missing, sizeof(missing));
		if (n == nitems(isolation_rules))
			warn(l, p, pos,
			    "allows %s (%s) with no container rules: anyone who can reach this "
			    "listener is root on the host; add a containers: block or a profile",
			    name, by);
		else if (n > 0)
			warn(l, p, pos,
			    "allows %s (%s) without the container rules %s: each one left open is a "
			    "way out of the container",
			    name, by, missing);
		return;
	}
	if (!rule_on(r, need->rule))
		warn(l, p, pos,
		    "allows %s (%s) with no %s rule: %s, so anyone who can reach this listener is "
		    "root on the host; add %s: or a profile",
		    name, by, pol_rule_name((enum pol_rule_id)need->rule), need->why,
		    pol_rule_name((enum pol_rule_id)need->rule));
}

static void
lint_root(struct lint *l, const struct pol_policy *p)
{
	size_t ep;

	for (ep = 1; ep < l->ps->n_ep; ep++)
		if ((pol_ep_flags((int)ep) & POL_EPF_ROOT) && allows(l->ps, p, (int)ep))
			lint_root_one(l, p, (int)ep);
}

/* ---- rules for endpoints the policy does not allow ------------------------------------ */

struct rule_eps {
	enum pol_rule_id rule;
	const char *eps[4];
};

static const struct rule_eps rule_eps[] = {
	{ POL_RULE_EXEC, { "ContainerExec" } },
	{ POL_RULE_VOLUME_CREATE, { "VolumeCreate" } },
	{ POL_RULE_NETWORK_CREATE, { "NetworkCreate" } },
	{ POL_RULE_SERVICES, { "ServiceCreate", "ServiceUpdate" } },
	{ POL_RULE_PLUGINS, { "PluginPull", "PluginUpgrade", "PluginSet" } },
	{ POL_RULE_BUILD, { "ImageBuild" } },
	{ POL_RULE_IMAGE_CREATE, { "ImageCreate" } },
	{ POL_RULE_SWARM, { "SwarmInit", "SwarmJoin" } },
	{ POL_RULE_ARCHIVE, { "PutContainerArchive" } },
	{ POL_RULE_LEGACY, { "ContainerCreate", "ContainerStart" } },
};

static void
lint_unused(struct lint *l, const struct pol_policy *p)
{
	const struct pol_set *ps = l->ps;
	const struct rule_eps *re;
	char names[128];
	size_t i, j, n, off;
	bool any;

	if (p->src.containers.line > 0 && !allows_name(ps, p, "ContainerCreate") &&
	    !allows_name(ps, p, "ContainerUpdate") &&
	    !(rule_on(&p->rules, POL_RULE_SERVICES) &&
	        (allows_name(ps, p, "ServiceCreate") || allows_name(ps, p, "ServiceUpdate"))) &&
	    !(rule_on(&p->rules, POL_RULE_IMAGES) && allows_name(ps, p, "ImageCreate")))
		warn(l, p, p->src.containers,
		    "containers: rules, but ContainerCreate is not allowed: they never apply");
	for (i = 0; i < nitems(rule_eps); i++) {
		re = &rule_eps[i];
		if (p->src.rule[re->rule].line == 0 || !rule_on(&p->rules, re->rule))
			continue;
		any = false;
		for (n = 0; n < nitems(re->eps) && re->eps[n] != NULL; n++)
			any |= allows_name(ps, p, re->eps[n]);
		if (any)
			continue;
		/* "A", "A or B", "A, B or C" */
		for (j = 0, off = 0; j < n && off < sizeof(names); j++)
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
			    j == 0     ? "" :
			    j + 1 == n ? " or " :
			                 ", ",
			    re->eps[j]);
		warn(l, p, p->src.rule[re->rule],
		    "%s: rules, but %s is not allowed: they never apply", pol_rule_name(re->rule),
		    names);
	}
}

/* ---- warn and audit modes where findings are root ------------------------------------- */

static void
lint_modes(struct lint *l, const struct pol_policy *p)
{
	const struct pol_rules *r = &p->rules;
	const char *root = NULL, *mode;
	bool rest = false;
	size_t ep, i;

	for (ep = 1; ep < l->ps->n_ep && root == NULL; ep++)
		if ((pol_ep_flags((int)ep) & POL_EPF_ROOT) && allows(l->ps, p, (int)ep))
			root = pol_ep_name((int)ep);
	if (root == NULL || !r->enabled)
		return;
	for (i = 0; i < POL_RULE__COUNT; i++) {
		if (!r->configured[i] || r->mode[i] == POL_MODE_ENFORCE)
			continue;
		mode = r->mode[i] == POL_MODE_WARN ? "warn" : "audit";
		if (p->src.modes[i].line > 0)
			warn(l, p, p->src.modes[i],
			    "modes.%s is %s while the policy allows %s: a finding is only logged and "
			    "the request goes through",
			    pol_rule_name((enum pol_rule_id)i), mode, root);
		else
			rest = true;
	}
	if (!rest)
		return;
	mode = r->default_mode == POL_MODE_AUDIT ? "audit" : "warn";
	if (p->src.mode.line > 0)
		warn(l, p, p->src.mode,
		    "mode: %s while the policy allows %s: findings are only logged and the requests "
		    "go through (anyone who can reach this listener is root on the host)",
		    mode, root);
	else
		warn(l, p, p->src.profile,
		    "profile %s leaves its rules in %s mode while the policy allows %s: findings are "
		    "only logged; add mode: enforce to refuse them",
		    r->profile, mode, root);
}

/* ---- settings: plain TCP, certificates that may be missing ---------------------------- */

/* The first client entry of the listener that matches on its certificate, or -1. */
static long
first_cert_entry(const struct sw_config *cfg, const struct sw_listener_cfg *lc)
{
	size_t i;

	for (i = 0; i < lc->n_clients; i++)
		if (pol_client_wants_cert(&cfg->clients[lc->first_client + i]))
			return (long)i;
	return -1;
}

/*
 * The positions of the upstream, insecure and client_certs keys are not
 * kept in the set: these warnings name the key instead.  Entries have the
 * position of their policy.
 */
static void
lint_listener(struct lint *l, const struct sw_listener_cfg *lc)
{
	const struct sw_config *cfg = &l->ps->cfg;
	const char *dflt = pol_set_policy_name(l->ps, lc->policy);
	const struct sw_client_cfg *c;
	struct pol_pos none = { 0, 0 }, at;
	char subject[80];
	long e;

	snprintf(subject, sizeof(subject), "listener %s", lc->name);
	if (lc->insecure)
		warn_about(l, none, subject,
		    "insecure: true serves plain TCP on %s: callers are not identified and requests "
		    "cross the network unencrypted, so anyone who can reach the port gets policy %s; "
		    "add tls",
		    lc->listen, dflt != NULL ? dflt : "?");
	if (!lc->tls.enabled || lc->tls.client_certs == SW_CERTS_REQUIRED ||
	    (e = first_cert_entry(cfg, lc)) == -1)
		return;
	c = &cfg->clients[lc->first_client + (size_t)e];
	at.line = c->line;
	at.col = c->col;
	if (lc->tls.client_certs == SW_CERTS_OPTIONAL)
		warn_about(l, at, subject,
		    "client_certs is optional, so clients[%ld] (cert_* keys) matches only callers who "
		    "send a certificate: the others get policy %s",
		    e, dflt != NULL ? dflt : "?");
	else
		warn_about(l, at, subject,
		    "client_certs is none, so no caller sends a certificate and clients[%ld] (cert_* "
		    "keys) never matches; set client_certs: required",
		    e);
}

static void
lint_settings(struct lint *l)
{
	const struct sw_config *cfg = &l->ps->cfg;
	struct pol_pos none = { 0, 0 };
	size_t i;

	if (strncmp(cfg->upstream, "tcp://", 6) == 0 && !cfg->upstream_tls.enabled)
		warn_about(l, none, "upstream",
		    "%s without upstream_tls: the daemon is not authenticated and requests cross the "
		    "network unencrypted (and anyone who can reach that port is root on the daemon's "
		    "host without sockwarden); add upstream_tls with the daemon's CA",
		    cfg->upstream);
	for (i = 0; i < cfg->n_listeners; i++)
		lint_listener(l, &cfg->listeners[i]);
}

int
pol_set_lint(const struct pol_set *ps, char *out, size_t outsz)
{
	struct lint l = { ps, out, outsz, 0, 0 };
	size_t i;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	else
		l.size = 0;
	if (ps == NULL)
		return 0;
	lint_settings(&l);
	for (i = 0; i < ps->n_policies; i++) {
		lint_root(&l, &ps->policies[i]);
		lint_entries(&l, &ps->policies[i]);
		lint_unused(&l, &ps->policies[i]);
		lint_modes(&l, &ps->policies[i]);
	}
	return l.count;
}
