/*
 * A policy's body rules: the profile, mode and modes keys, the containers
 * block, the other rule keys (exec, volume_create, ...), and the merge with
 * the profile.  The language is documented in docs/profiles.md; in short:
 *
 *   profile: NAME          built-in profile filling the policy first
 *   mode: enforce|warn|audit   the default mode of the policy's rules
 *   modes: { RULE: MODE }  per-rule modes; RULE must be configured
 *   containers:            rules for container bodies (create, update, and
 *     privileged: BOOL     service task specs when "services" is set)
 *     bind_mounts: { rw: [GLOB], ro: [GLOB], propagation: BOOL } | false
 *     ...                  (one key per rule of rules.h, see rule_defs[])
 *     set: { ... }         values forced into every create body
 *     default: { ... }     values filled in when the client sent none
 *   exec: { ... }          and the other endpoint rules
 *
 * A rule is configured when its key is present: a mapping starts from the
 * rule's strict defaults and changes the options it names; "false" is the
 * strict defaults for rules where that means "none of it"; a boolean rule
 * ("privileged: true") is configured either way and true allows the thing.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_rules.h"
#include "profiles.h"

#define LIST_MAX 1024 /* items in one rule list */

/* ---- the rule table ------------------------------------------------------------ */

enum opt_kind {
	OPT_BOOL,    /* true/false into a bool */
	OPT_LIST,    /* a list of items into a struct pol_strlist */
	OPT_SIZE,    /* bytes ("4GiB") into an int64_t */
	OPT_COUNT,   /* a count into an int64_t */
	OPT_CPUS,    /* CPUs ("1.5") into nano CPUs, an int64_t */
	OPT_PORTS,   /* port ranges into ports and n_ports */
	OPT_REQUIRE, /* resources.require: memory, cpu, pids_limit into require_* */
};

/* One option of a rule: what its value is and where it goes. */
struct rule_opt {
	enum opt_kind kind;
	size_t off;                   /* the field in struct pol_rules */
	enum ld_item item;            /* OPT_LIST: what its items are */
	bool dflt;                    /* OPT_BOOL: the strict default */
	const char *const *dflt_list; /* OPT_LIST: the strict default, NULL: empty */
};

enum rule_shape {
	RS_BOOL, /* "privileged: false": one bool, the rule configured either way */
	RS_MAP,  /* a mapping of options (or false for the strict defaults) */
	RS_FLAG, /* "legacy: false" configures it; true is refused (an always-enforced rule) */
};

struct rule_def {
	enum rule_shape shape;
	size_t bool_off;           /* RS_BOOL */
	const struct ld_key *opts; /* RS_MAP: option keys, sorted by name */
	size_t n_opts;
	bool false_ok; /* RS_MAP: "false" means the strict defaults (none of it) */
	const char *hint;
};

static int h_opt(struct ld *ld, const struct ld_key *k, void *obj, const char *path);

#define OPT(kind, field, item, dflt, list) \
	(&(const struct rule_opt){         \
	    (kind), offsetof(struct pol_rules, field), (item), (dflt), (list) })
#define O_BOOL(field, dflt)       OPT(OPT_BOOL, field, LDI_RESOURCE, dflt, NULL)
#define O_LIST(field, item, list) OPT(OPT_LIST, field, item, false, list)
#define O_NUM(kind, field)        OPT(kind, field, LDI_RESOURCE, false, NULL)

static const char *const dflt_local[] = { "local", NULL };
static const char *const dflt_bridge[] = { "bridge", NULL };
static const char *const dflt_runtimes[] = { "", "runc", NULL };
static const char *const dflt_loopback[] = { "127.0.0.1", "::1", NULL };
static const char *const dflt_log_drivers[] = { "", "json-file", "local", NULL };

/* Option tables, each sorted by name for bsearch. */
static const struct ld_key bind_opts[] = {
	{ "propagation", h_opt, false, O_BOOL(allow_bind_propagation, false) },
	{ "ro", h_opt, false, O_LIST(bind_ro, LDI_HOST_PATH_GLOB, NULL) },
	{ "rw", h_opt, false, O_LIST(bind_rw, LDI_HOST_PATH_GLOB, NULL) },
};
static const struct ld_key volumes_opts[] = {
	{ "driver_opts", h_opt, false, O_BOOL(allow_volume_driver_opts, false) },
	{ "drivers", h_opt, false, O_LIST(volume_drivers, LDI_DRIVER, dflt_local) },
	{ "named", h_opt, false, O_BOOL(allow_named_volumes, true) },
};
static const struct ld_key devices_opts[] = {
	{ "allow", h_opt, false, O_LIST(devices, LDI_HOST_PATH_GLOB, NULL) },
	{ "cgroup_rules", h_opt, false, O_BOOL(allow_device_cgroup_rules, false) },
	{ "requests", h_opt, false, O_BOOL(allow_device_requests, false) },
};
static const struct ld_key caps_opts[] = {
	{ "add", h_opt, false, O_LIST(cap_add, LDI_CAPABILITY, NULL) },
	{ "require_drop_all", h_opt, false, O_BOOL(require_drop_all, false) },
};
static const struct ld_key secopt_opts[] = {
	{ "unconfined", h_opt, false, O_BOOL(allow_unconfined, false) },
};
static const struct ld_key ns_opts[] = {
	{ "container_joins", h_opt, false, O_BOOL(allow_container_namespaces, false) },
	{ "host", h_opt, false, O_LIST(host_namespaces, LDI_NAMESPACE, NULL) },
};
static const struct ld_key sysctls_opts[] = {
	{ "allow", h_opt, false, O_LIST(sysctls, LDI_SYSCTL, NULL) },
};
static const struct ld_key runtimes_opts[] = {
	{ "allow", h_opt, false, O_LIST(runtimes, LDI_RUNTIME, dflt_runtimes) },
};
static const struct ld_key ulimits_opts[] = {
	{ "allow", h_opt, false, O_LIST(ulimits, LDI_ULIMIT, NULL) },
};
static const struct ld_key resources_opts[] = {
	{ "max_cpus", h_opt, false, O_NUM(OPT_CPUS, max_nano_cpus) },
	{ "max_memory", h_opt, false, O_NUM(OPT_SIZE, max_memory) },
	{ "max_pids_limit", h_opt, false, O_NUM(OPT_COUNT, max_pids_limit) },
	{ "require", h_opt, false, O_NUM(OPT_REQUIRE, require_memory) },
};
static const struct ld_key ports_opts[] = {
	{ "host_ips", h_opt, false, O_LIST(port_host_ips, LDI_HOST_IP, dflt_loopback) },
	{ "host_ports", h_opt, false, O_NUM(OPT_PORTS, ports) },
	{ "publish_all", h_opt, false, O_BOOL(allow_publish_all, false) },
};
static const struct ld_key user_opts[] = {
	{ "non_root", h_opt, false, O_BOOL(require_non_root, true) },
};
static const struct ld_key images_opts[] = {
	{ "allow", h_opt, false, O_LIST(images, LDI_IMAGE, NULL) },
};
static const struct ld_key labels_opts[] = {
	{ "require", h_opt, false, O_LIST(require_labels, LDI_LABEL_KEY, NULL) },
};
static const struct ld_key log_opts[] = {
	{ "allow", h_opt, false, O_LIST(log_drivers, LDI_LOG_DRIVER, dflt_log_drivers) },
};
static const struct ld_key exec_opts[] = {
	{ "commands", h_opt, false, O_LIST(exec_commands, LDI_COMMAND, NULL) },
	{ "non_root", h_opt, false, O_BOOL(exec_require_non_root, false) },
	{ "privileged", h_opt, false, O_BOOL(exec_allow_privileged, false) },
};
static const struct ld_key volume_create_opts[] = {
	{ "drivers", h_opt, false, O_LIST(volume_create_drivers, LDI_DRIVER, dflt_local) },
	{ "host_options", h_opt, false, O_BOOL(volume_create_allow_host_opts, false) },
};
static const struct ld_key network_create_opts[] = {
	{ "drivers", h_opt, false, O_LIST(network_drivers, LDI_DRIVER, dflt_bridge) },
	{ "parents", h_opt, false, O_LIST(network_parents, LDI_INTERFACE, NULL) },
};
static const struct ld_key plugins_opts[] = {
	{ "privileges", h_opt, false, O_LIST(plugin_privileges, LDI_PLUGIN_PRIV, NULL) },
};
static const struct ld_key build_opts[] = {
	{ "extra_hosts", h_opt, false, O_BOOL(build_allow_extra_hosts, false) },
	{ "host_network", h_opt, false, O_BOOL(build_allow_host_network, false) },
	{ "remote", h_opt, false, O_BOOL(build_allow_remote, false) },
};
static const struct ld_key image_create_opts[] = {
	{ "from_src", h_opt, false, O_BOOL(image_create_allow_from_src, false) },
};
static const struct ld_key swarm_opts[] = {
	{ "init", h_opt, false, O_BOOL(allow_swarm_init, false) },
	{ "join", h_opt, false, O_BOOL(allow_swarm_join, false) },
};
static const struct ld_key archive_opts[] = {
	{ "compressed", h_opt, false, O_BOOL(archive_allow_compressed, false) },
};

#define R_BOOL(field, hint)                                                      \
	{                                                                        \
		RS_BOOL, offsetof(struct pol_rules, field), NULL, 0, false, hint \
	}
#define R_MAP(opts, false_ok, hint)                           \
	{                                                     \
		RS_MAP, 0, opts, nitems(opts), false_ok, hint \
	}

static const struct rule_def rule_defs[POL_RULE__COUNT] = {
	[POL_RULE_PRIVILEGED] = R_BOOL(allow_privileged, "false (true allows it)"),
	[POL_RULE_BIND_MOUNTS] =
	    R_MAP(bind_opts, true, "{ rw: [...], ro: [...], propagation: false }"),
	[POL_RULE_VOLUMES] =
	    R_MAP(volumes_opts, false, "{ named: true, drivers: [local], driver_opts: false }"),
	[POL_RULE_VOLUMES_FROM] = R_BOOL(allow_volumes_from, "false (true allows it)"),
	[POL_RULE_DEVICES] =
	    R_MAP(devices_opts, true, "{ allow: [...], requests: false, cgroup_rules: false }"),
	[POL_RULE_CAPABILITIES] = R_MAP(caps_opts, true, "{ add: [...], require_drop_all: false }"),
	[POL_RULE_SECURITY_OPT] = R_MAP(secopt_opts, true, "{ unconfined: false }"),
	[POL_RULE_SYSTEM_PATHS] = R_BOOL(allow_system_paths, "false (true allows clearing them)"),
	[POL_RULE_NAMESPACES] = R_MAP(ns_opts, true, "{ host: [...], container_joins: false }"),
	[POL_RULE_SYSCTLS] = R_MAP(sysctls_opts, true, "{ allow: [...] }"),
	[POL_RULE_RUNTIMES] = R_MAP(runtimes_opts, false, "{ allow: [\"\", runc] }"),
	[POL_RULE_CGROUP_PARENT] = R_BOOL(allow_cgroup_parent, "false (true allows it)"),
	[POL_RULE_ULIMITS] = R_MAP(ulimits_opts, true, "{ allow: [...] }"),
	[POL_RULE_OOM_KILL_DISABLE] = R_BOOL(allow_oom_kill_disable, "false (true allows it)"),
	[POL_RULE_RESOURCES] = R_MAP(
	    resources_opts, false, "{ require: [memory, cpu, pids_limit], max_memory: 4GiB }"),
	[POL_RULE_READ_ONLY_ROOTFS] = R_BOOL(require_read_only_rootfs, "true (required) or false"),
	[POL_RULE_PORTS] =
	    R_MAP(ports_opts, true, "{ host_ports: [\"8000-8999\"], host_ips: [127.0.0.1] }"),
	[POL_RULE_USER] = R_MAP(user_opts, false, "{ non_root: true }"),
	[POL_RULE_NO_NEW_PRIVILEGES] =
	    R_BOOL(require_no_new_privileges, "true (required) or false"),
	[POL_RULE_IMAGES] = R_MAP(images_opts, true, "{ allow: [\"registry.example.org/**\"] }"),
	[POL_RULE_LABELS] = R_MAP(labels_opts, false, "{ require: [...] }"),
	[POL_RULE_LOG_DRIVERS] = R_MAP(log_opts, false, "{ allow: [\"\", json-file, local] }"),
	[POL_RULE_EXEC] =
	    R_MAP(exec_opts, false, "{ privileged: false, non_root: true, commands: [...] }"),
	[POL_RULE_VOLUME_CREATE] =
	    R_MAP(volume_create_opts, false, "{ drivers: [local], host_options: false }"),
	[POL_RULE_NETWORK_CREATE] =
	    R_MAP(network_create_opts, false, "{ drivers: [bridge], parents: [] }"),
	[POL_RULE_SERVICES] = { RS_MAP, 0, NULL, 0, false, "{}" },
	[POL_RULE_PLUGINS] = R_MAP(plugins_opts, true, "{ privileges: [...] }"),
	[POL_RULE_BUILD] =
	    R_MAP(build_opts, true, "{ host_network: false, extra_hosts: false, remote: false }"),
	[POL_RULE_IMAGE_CREATE] = R_MAP(image_create_opts, true, "{ from_src: false }"),
	[POL_RULE_SWARM] = R_MAP(swarm_opts, true, "{ init: false, join: false }"),
	[POL_RULE_ARCHIVE] = R_MAP(archive_opts, true, "{ compressed: false }"),
	[POL_RULE_LEGACY] = { RS_FLAG, 0, NULL, 0, false,
	    "false: the legacy forms (a HostConfig sent with start, HostConfig.Capabilities) are "
	    "always refused, because old daemons apply them without the create checks" },
};

/* ---- string lists ---------------------------------------------------------------- */

static bool
strlist_has(const struct pol_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static int
strlist_add(struct pol_strlist *l, const char *s)
{
	char **nv, *copy;

	if ((copy = strdup(s)) == NULL)
		return -1;
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL) {
		free(copy);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = copy;
	return 0;
}

static void *
field(struct pol_rules *r, size_t off)
{
	return (char *)r + off;
}

/* ---- defaults and moves ------------------------------------------------------------- */

static const struct rule_opt *
opt_of(const struct ld_key *k)
{
	return k->arg;
}

/* Sets one option to its strict default; -1 when out of memory. */
static int
opt_default(struct pol_rules *r, const struct rule_opt *o)
{
	struct pol_strlist *l;
	size_t i;

	switch (o->kind) {
	case OPT_BOOL:
		*(bool *)field(r, o->off) = o->dflt;
		break;
	case OPT_LIST:
		l = field(r, o->off);
		pol_strlist_free(l);
		for (i = 0; o->dflt_list != NULL && o->dflt_list[i] != NULL; i++)
			if (strlist_add(l, o->dflt_list[i]) == -1)
				return -1;
		break;
	case OPT_SIZE:
	case OPT_COUNT:
	case OPT_CPUS:
		*(int64_t *)field(r, o->off) = 0;
		break;
	case OPT_PORTS:
		free(r->ports);
		r->ports = NULL;
		r->n_ports = 0;
		break;
	case OPT_REQUIRE:
		r->require_memory = r->require_cpu = r->require_pids_limit = true;
		break;
	}
	return 0;
}

/* Moves one option's value from src to dst, leaving src empty. */
static void
opt_move(struct pol_rules *dst, struct pol_rules *src, const struct rule_opt *o)
{
	struct pol_strlist *dl, *sl;

	switch (o->kind) {
	case OPT_BOOL:
		*(bool *)field(dst, o->off) = *(bool *)field(src, o->off);
		break;
	case OPT_LIST:
		dl = field(dst, o->off);
		sl = field(src, o->off);
		pol_strlist_free(dl);
		*dl = *sl;
		sl->v = NULL;
		sl->n = 0;
		break;
	case OPT_SIZE:
	case OPT_COUNT:
	case OPT_CPUS:
		*(int64_t *)field(dst, o->off) = *(int64_t *)field(src, o->off);
		break;
	case OPT_PORTS:
		free(dst->ports);
		dst->ports = src->ports;
		dst->n_ports = src->n_ports;
		src->ports = NULL;
		src->n_ports = 0;
		break;
	case OPT_REQUIRE:
		dst->require_memory = src->require_memory;
		dst->require_cpu = src->require_cpu;
		dst->require_pids_limit = src->require_pids_limit;
		break;
	}
}

/* Replaces rule r's values in dst with those in src (and its configured flag). */
static void
rule_move(struct pol_rules *dst, struct pol_rules *src, enum pol_rule_id r)
{
	const struct rule_def *d = &rule_defs[r];
	size_t i;

	if (d->shape == RS_BOOL)
		*(bool *)field(dst, d->bool_off) = *(bool *)field(src, d->bool_off);
	for (i = 0; i < d->n_opts; i++)
		opt_move(dst, src, opt_of(&d->opts[i]));
	dst->configured[r] = src->configured[r];
}

static void
mutations_free(struct pol_mutations *m)
{
	free(m->user);
	pol_strlist_free(&m->labels);
	memset(m, 0, sizeof(*m));
}

static bool
mutations_empty(const struct pol_mutations *m)
{
	return !m->cap_drop_all && !m->no_new_privileges && !m->read_only_rootfs &&
	       !m->has_pids_limit && !m->has_memory && m->user == NULL && m->labels.n == 0;
}

void
ld_rules_init(struct ld_rules *rl)
{
	memset(rl, 0, sizeof(*rl));
	rl->profile = -1;
}

void
ld_rules_release(struct ld_rules *rl)
{
	pol_rules_free(&rl->r);
}

/* ---- handlers ------------------------------------------------------------------------ */

static int
scalar_bool(struct ld *ld, const char *path, bool *out)
{
	const char *s, *why;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_bool(s, out, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return 0;
}

static int
opt_list(struct ld *ld, struct pol_strlist *l, enum ld_item item, const char *path)
{
	char norm[LD_ITEM_MAX], hint[64];
	const char *s, *why;
	int rc;

	snprintf(hint, sizeof(hint), ", e.g. %s", ld_item_example(item));
	if (ld_expect(ld, YAML_SEQUENCE_START_EVENT, path, hint) == -1)
		return -1;
	pol_strlist_free(l);
	while ((rc = ld_next_item(ld, path, &s)) == 1) {
		if (ld_item_check(item, s, norm, sizeof(norm), &why) == -1)
			return ld_fail(ld, &ld->ev.start_mark, "%s item \"%s\" %s", path,
			    ld_show(ld, 0, s), why);
		if (strlist_has(l, norm))
			return ld_fail(ld, &ld->ev.start_mark,
			    "%s lists \"%s\" twice (after normalising it to \"%s\")", path,
			    ld_show(ld, 0, s), ld_show(ld, 1, norm));
		if (l->n >= LIST_MAX)
			return ld_fail(
			    ld, &ld->ev.start_mark, "%s has more than %d items", path, LIST_MAX);
		if (strlist_add(l, norm) == -1)
			return ld_fail(ld, NULL, "out of memory");
	}
	return rc;
}

static int
opt_ports(struct ld *ld, struct pol_rules *r, const char *path)
{
	struct pol_port_range pr, *np;
	const char *s, *why;
	size_t i;
	int rc;

	if (ld_expect(ld, YAML_SEQUENCE_START_EVENT, path, ", e.g. [\"8000-8999\", 443]") == -1)
		return -1;
	while ((rc = ld_next_item(ld, path, &s)) == 1) {
		if (ld_parse_port_range(s, &pr, &why) == -1)
			return ld_fail(ld, &ld->ev.start_mark, "%s item \"%s\" %s", path,
			    ld_show(ld, 0, s), why);
		for (i = 0; i < r->n_ports; i++)
			if (r->ports[i].lo == pr.lo && r->ports[i].hi == pr.hi)
				return ld_fail(ld, &ld->ev.start_mark, "%s lists \"%s\" twice",
				    path, ld_show(ld, 0, s));
		if (r->n_ports >= LIST_MAX)
			return ld_fail(
			    ld, &ld->ev.start_mark, "%s has more than %d items", path, LIST_MAX);
		if ((np = realloc(r->ports, (r->n_ports + 1) * sizeof(*np))) == NULL)
			return ld_fail(ld, NULL, "out of memory");
		r->ports = np;
		r->ports[r->n_ports++] = pr;
	}
	return rc;
}

/* resources.require: which limits a container must set. */
static int
opt_require(struct ld *ld, struct pol_rules *r, const char *path)
{
	struct pol_strlist seen = { NULL, 0 };
	int rc;

	r->require_memory = r->require_cpu = r->require_pids_limit = false;
	rc = opt_list(ld, &seen, LDI_RESOURCE, path);
	if (rc == 0) {
		r->require_memory = strlist_has(&seen, "memory");
		r->require_cpu = strlist_has(&seen, "cpu");
		r->require_pids_limit = strlist_has(&seen, "pids_limit");
	}
	pol_strlist_free(&seen);
	return rc;
}

static int
h_opt(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct pol_rules *r = &((struct ld_policy *)obj)->rl.r;
	const struct rule_opt *o = opt_of(k);
	const char *s, *why;
	int rc;

	switch (o->kind) {
	case OPT_BOOL:
		return scalar_bool(ld, path, field(r, o->off));
	case OPT_LIST:
		return opt_list(ld, field(r, o->off), o->item, path);
	case OPT_PORTS:
		return opt_ports(ld, r, path);
	case OPT_REQUIRE:
		return opt_require(ld, r, path);
	case OPT_SIZE:
	case OPT_COUNT:
	case OPT_CPUS:
		break;
	}
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (o->kind == OPT_SIZE)
		rc = ld_parse_rule_size(s, field(r, o->off), &why);
	else if (o->kind == OPT_COUNT)
		rc = ld_parse_rule_count(s, field(r, o->off), &why);
	else
		rc = ld_parse_cpus(s, field(r, o->off), &why);
	return rc == -1 ? ld_bad_value(ld, path, why, s) : 0;
}

/* A rule key: "privileged: false", "bind_mounts: {...}", "exec: {...}", "legacy: false". */
int
ld_h_rule(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	enum pol_rule_id id = (enum pol_rule_id)(intptr_t)k->arg;
	const struct rule_def *d = &rule_defs[id];
	struct pol_rules *r = &lp->rl.r;
	char where[200];
	const char *s;
	size_t i;
	bool v;

	lp->rl.touched[id] = true;
	if (!lp->in_profile)
		lp->p->src.rule[id] = ld_pos(&ld->key_mark);
	switch (d->shape) {
	case RS_BOOL:
		r->configured[id] = true;
		return scalar_bool(ld, path, field(r, d->bool_off));
	case RS_FLAG:
		if (scalar_bool(ld, path, &v) == -1)
			return -1;
		/* The rule cannot be turned off: what it finds nothing could check later. */
		if (v)
			return ld_fail(
			    ld, &ld->ev.start_mark, "%s cannot be true; write %s", path, d->hint);
		r->configured[id] = true;
		return 0;
	case RS_MAP:
		break;
	}
	r->configured[id] = true;
	for (i = 0; i < d->n_opts; i++)
		if (opt_default(r, opt_of(&d->opts[i])) == -1)
			return ld_fail(ld, NULL, "out of memory");
	if (ld->ev.type == YAML_SCALAR_EVENT && d->false_ok) {
		if (ld_scalar(ld, path, &s) == -1)
			return -1;
		if (strcmp(s, "false") == 0)
			return 0;
		return ld_fail(ld, &ld->ev.start_mark,
		    "%s must be a mapping such as %s, or false for none, got \"%s\"", path, d->hint,
		    ld_show(ld, 0, s));
	}
	if (ld->ev.type != YAML_MAPPING_START_EVENT)
		return ld_fail(ld, &ld->ev.start_mark,
		    "%s must be a mapping such as %s%s, not a %s", path, d->hint,
		    d->false_ok ? " (or false for none)" : "", ld_node_kind(ld->ev.type));
	snprintf(where, sizeof(where), "in %s", path);
	if (d->n_opts > 0)
		return ld_walk_mapping(ld, d->opts, d->n_opts, lp, path, where);
	/* A rule without options ("services: {}"): its key alone configures it. */
	if (ld_next(ld) == -1)
		return -1;
	if (ld->ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	if (ld->ev.type == YAML_SCALAR_EVENT)
		return ld_fail(ld, &ld->ev.start_mark,
		    "unknown key \"%s\" %s (it takes no options)",
		    ld_show(ld, 0, (const char *)ld->ev.data.scalar.value), where);
	return ld_fail(ld, &ld->ev.start_mark, "a key %s must be a plain word, not a %s", where,
	    ld_node_kind(ld->ev.type));
}

/* ---- mutations: containers.set and containers.default ------------------------------ */

static struct pol_mutations *
mut_target(struct ld_policy *lp, const struct ld_key *k)
{
	return k->arg != NULL ? &lp->rl.r.dflt : &lp->rl.r.set;
}

static int h_mut(struct ld *ld, const struct ld_key *k, void *obj, const char *path);

enum mut_field { MF_CAP_DROP_ALL, MF_NNP, MF_RO_ROOTFS, MF_PIDS, MF_MEMORY, MF_USER, MF_LABELS };

#define MF(f) ((const void *)(intptr_t)(f))
static const struct ld_key mut_keys[] = {
	{ "cap_drop_all", h_mut, false, MF(MF_CAP_DROP_ALL) },
	{ "labels", h_mut, false, MF(MF_LABELS) },
	{ "memory", h_mut, false, MF(MF_MEMORY) },
	{ "no_new_privileges", h_mut, false, MF(MF_NNP) },
	{ "pids_limit", h_mut, false, MF(MF_PIDS) },
	{ "read_only_rootfs", h_mut, false, MF(MF_RO_ROOTFS) },
	{ "user", h_mut, false, MF(MF_USER) },
};

/* labels: { key: value }, stored as "key=value". */
static int
mut_labels(struct ld *ld, struct pol_mutations *m, const char *path)
{
	char norm[LD_ITEM_MAX], kv[LD_ITEM_MAX * 2 + 2];
	const char *s, *why;
	size_t i, klen;

	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, ", e.g. { owner: ci }") == -1)
		return -1;
	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		if (ld->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (ld_scalar(ld, path, &s) == -1)
			return -1;
		if (ld_item_check(LDI_LABEL_KEY, s, norm, sizeof(norm), &why) == -1)
			return ld_fail(ld, &ld->ev.start_mark, "%s key \"%s\" %s", path,
			    ld_show(ld, 0, s), why);
		klen = strlen(norm);
		for (i = 0; i < m->labels.n; i++)
			if (strncmp(m->labels.v[i], norm, klen) == 0 && m->labels.v[i][klen] == '=')
				return ld_fail(ld, &ld->ev.start_mark,
				    "duplicate label \"%s\" in %s", norm, path);
		if (ld_next(ld) == -1 || ld_scalar(ld, path, &s) == -1)
			return -1;
		if (ld_check_label_value(s, &why) == -1)
			return ld_fail(ld, &ld->ev.start_mark, "%s.%s %s", path, norm, why);
		snprintf(kv, sizeof(kv), "%s=%s", norm, s);
		if (m->labels.n >= LIST_MAX)
			return ld_fail(
			    ld, &ld->ev.start_mark, "%s has more than %d labels", path, LIST_MAX);
		if (strlist_add(&m->labels, kv) == -1)
			return ld_fail(ld, NULL, "out of memory");
	}
}

static int
h_mut(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct pol_mutations *m = obj;
	const char *s, *why;
	int64_t v;

	switch ((enum mut_field)(intptr_t)k->arg) {
	case MF_CAP_DROP_ALL:
		return scalar_bool(ld, path, &m->cap_drop_all);
	case MF_NNP:
		return scalar_bool(ld, path, &m->no_new_privileges);
	case MF_RO_ROOTFS:
		return scalar_bool(ld, path, &m->read_only_rootfs);
	case MF_LABELS:
		return mut_labels(ld, m, path);
	case MF_PIDS:
		if (ld_scalar(ld, path, &s) == -1)
			return -1;
		if (ld_parse_rule_count(s, &m->pids_limit, &why) == -1)
			return ld_bad_value(ld, path, why, s);
		m->has_pids_limit = true;
		return 0;
	case MF_MEMORY:
		if (ld_scalar(ld, path, &s) == -1)
			return -1;
		if (ld_parse_rule_size(s, &v, &why) == -1)
			return ld_bad_value(ld, path, why, s);
		/* The daemon refuses less than 6 MiB; do not inject what it refuses. */
		if (v < 6 * 1024 * 1024)
			return ld_bad_value(
			    ld, path, "must be at least 6MiB (the daemon's minimum)", s);
		m->memory = v;
		m->has_memory = true;
		return 0;
	case MF_USER:
		if (ld_scalar(ld, path, &s) == -1)
			return -1;
		if (ld_check_user(s, &why) == -1)
			return ld_bad_value(ld, path, why, s);
		if ((m->user = strdup(s)) == NULL)
			return ld_fail(ld, NULL, "out of memory");
		return 0;
	}
	return ld_fail(ld, NULL, "internal error: mutation key");
}

static int
h_mutations(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	struct pol_mutations *m = mut_target(lp, k);
	char where[200];

	if (k->arg != NULL)
		lp->rl.has_dflt = true;
	else
		lp->rl.has_set = true;
	if (!lp->in_profile && lp->p->src.mutations.line == 0)
		lp->p->src.mutations = ld_pos(&ld->key_mark);
	mutations_free(m);
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path,
	        " such as { cap_drop_all: true, pids_limit: 512 }") == -1)
		return -1;
	snprintf(where, sizeof(where), "in %s", path);
	return ld_walk_mapping(ld, mut_keys, nitems(mut_keys), m, path, where);
}

/* ---- the containers block -------------------------------------------------------- */

#define RULE_KEY(name, id)                          \
	{                                           \
		name, ld_h_rule, false, LD_RULE(id) \
	}

static const struct ld_key container_keys[] = {
	RULE_KEY("bind_mounts", BIND_MOUNTS),
	RULE_KEY("capabilities", CAPABILITIES),
	RULE_KEY("cgroup_parent", CGROUP_PARENT),
	{ "default", h_mutations, false, (const void *)1 },
	RULE_KEY("devices", DEVICES),
	RULE_KEY("images", IMAGES),
	RULE_KEY("labels", LABELS),
	RULE_KEY("log_drivers", LOG_DRIVERS),
	RULE_KEY("namespaces", NAMESPACES),
	RULE_KEY("no_new_privileges", NO_NEW_PRIVILEGES),
	RULE_KEY("oom_kill_disable", OOM_KILL_DISABLE),
	RULE_KEY("ports", PORTS),
	RULE_KEY("privileged", PRIVILEGED),
	RULE_KEY("read_only_rootfs", READ_ONLY_ROOTFS),
	RULE_KEY("resources", RESOURCES),
	RULE_KEY("runtimes", RUNTIMES),
	RULE_KEY("security_opt", SECURITY_OPT),
	{ "set", h_mutations, false, NULL },
	RULE_KEY("sysctls", SYSCTLS),
	RULE_KEY("system_paths", SYSTEM_PATHS),
	RULE_KEY("ulimits", ULIMITS),
	RULE_KEY("user", USER),
	RULE_KEY("volumes", VOLUMES),
	RULE_KEY("volumes_from", VOLUMES_FROM),
};

int
ld_h_containers(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	char where[200];

	(void)k;
	if (!lp->in_profile)
		lp->p->src.containers = ld_pos(&ld->key_mark);
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path,
	        " of container rules such as { privileged: false }") == -1)
		return -1;
	snprintf(where, sizeof(where), "in %s", path);
	return ld_walk_mapping(ld, container_keys, nitems(container_keys), lp, path, where);
}

/* ---- profile, mode, modes ------------------------------------------------------------ */

static int
parse_mode(struct ld *ld, const char *path, enum pol_mode *out)
{
	const char *s;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (strcmp(s, "enforce") == 0)
		*out = POL_MODE_ENFORCE;
	else if (strcmp(s, "warn") == 0)
		*out = POL_MODE_WARN;
	else if (strcmp(s, "audit") == 0)
		*out = POL_MODE_AUDIT;
	else
		return ld_bad_value(ld, path, "must be enforce, warn or audit", s);
	return 0;
}

int
ld_h_mode(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;

	(void)k;
	if (!lp->in_profile)
		lp->p->src.mode = ld_pos(&ld->ev.start_mark);
	lp->rl.has_mode = true;
	return parse_mode(ld, path, &lp->rl.mode);
}

static int
unknown_rule(struct ld *ld, const char *path, const char *s)
{
	size_t i, d, best_d = 4;
	const char *best = NULL;

	/* All 31 names do not fit an error message: suggest the nearest one. */
	for (i = 0; i < POL_RULE__COUNT && strlen(s) < POL_PATTERN_MAX; i++) {
		d = ld_edit_distance(s, pol_rule_name((enum pol_rule_id)i));
		if (d < best_d) {
			best_d = d;
			best = pol_rule_name((enum pol_rule_id)i);
		}
	}
	if (best != NULL)
		return ld_fail(ld, &ld->ev.start_mark,
		    "unknown rule \"%s\" in %s (did you mean \"%s\"?)", ld_show(ld, 0, s), path,
		    best);
	return ld_fail(ld, &ld->ev.start_mark,
	    "unknown rule \"%s\" in %s (rules: docs/profiles.md)", ld_show(ld, 0, s), path);
}

/* modes: { rule: mode, ... } */
int
ld_h_modes(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	yaml_mark_t key_mark;
	const char *s;
	int r;

	(void)k;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " of rule names to modes") == -1)
		return -1;
	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		if (ld->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (ld->ev.type != YAML_SCALAR_EVENT)
			return ld_fail(ld, &ld->ev.start_mark,
			    "a key in %s must be a rule name, not a %s", path,
			    ld_node_kind(ld->ev.type));
		if (ld_scalar(ld, path, &s) == -1)
			return -1;
		if ((r = pol_rule_find(s)) == -1)
			return unknown_rule(ld, path, s);
		if (lp->rl.mode_set[r])
			return ld_fail(
			    ld, &ld->ev.start_mark, "duplicate rule \"%s\" in %s", s, path);
		key_mark = ld->ev.start_mark;
		if (ld_next(ld) == -1 || parse_mode(ld, path, &lp->rl.modes[r]) == -1)
			return -1;
		if (lp->rl.modes[r] != POL_MODE_ENFORCE &&
		    pol_rule_always_enforced((enum pol_rule_id)r))
			return ld_fail(ld, &ld->ev.start_mark,
			    "%s.%s: the rule is always enforced (what it finds cannot be checked "
			    "later); remove it from %s",
			    path, pol_rule_name((enum pol_rule_id)r), path);
		lp->rl.mode_set[r] = true;
		if (!lp->in_profile)
			lp->p->src.modes[r] = ld_pos(&key_mark);
	}
}

int
ld_h_profile(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_policy *lp = obj;
	char known[200];
	const char *s;
	size_t i, off = 0;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (lp->in_profile)
		return ld_fail(ld, &ld->ev.start_mark, "a profile cannot use another profile");
	if ((lp->rl.profile = pol_profile_find(s)) != -1) {
		lp->p->src.profile = ld_pos(&ld->ev.start_mark);
		return 0;
	}
	known[0] = '\0';
	for (i = 0; i < pol_profile_count() && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
		    pol_profile_name((int)i));
	return ld_fail(ld, &ld->ev.start_mark, "unknown profile \"%s\" in %s (profiles: %s)",
	    ld_show(ld, 0, s), path, known);
}

/* ---- the merge ------------------------------------------------------------------------- */

/*
 * Reads a built-in profile's text into "plp" with a loader of its own.  The
 * texts are part of the program and tests load every one of them, so an
 * error here is a bug; it is still reported, at the policy's profile key.
 */
static int
load_profile(struct ld *outer, int profile, struct ld_policy *plp, const yaml_mark_t *at)
{
	const char *name = pol_profile_name(profile), *text = pol_profile_text(profile);
	char path[96], where[96];
	struct pol_err err;
	struct ld sub;
	int rc = -1;

	memset(&sub, 0, sizeof(sub));
	memset(&err, 0, sizeof(err));
	sub.buf = text;
	sub.len = strlen(text);
	sub.err = &err;
	sub.ps = outer->ps;
	if (!yaml_parser_initialize(&sub.parser))
		return ld_fail(outer, NULL, "out of memory");
	sub.have_parser = true;
	yaml_parser_set_input_string(&sub.parser, (const unsigned char *)text, sub.len);
	yaml_parser_set_encoding(&sub.parser, YAML_UTF8_ENCODING);
	snprintf(path, sizeof(path), "profiles.%s", name);
	snprintf(where, sizeof(where), "in profile \"%s\"", name);
	do {
		if (ld_next(&sub) == -1)
			goto out;
	} while (
	    sub.ev.type == YAML_STREAM_START_EVENT || sub.ev.type == YAML_DOCUMENT_START_EVENT);
	if (ld_expect(&sub, YAML_MAPPING_START_EVENT, path, "") == 0)
		rc = ld_policy_body(&sub, plp, path, where);
out:
	if (sub.have_ev)
		yaml_event_delete(&sub.ev);
	yaml_parser_delete(&sub.parser);
	if (rc == -1)
		return ld_fail(outer, at, "built-in profile \"%s\" does not load (%d:%d: %s)", name,
		    err.line, err.col, err.msg);
	return 0;
}

/* The profile's allow, deny and groups entries go after the policy's own. */
static int
add_profile_entries(struct ld *ld, struct pol_policy *p, const struct pol_policy *prof)
{
	const struct pol_entry *e;
	size_t i;

	for (i = 0; i < prof->n_entries; i++) {
		e = &prof->entries[i];
		if (p->n_entries >= POL_MAX_ENTRIES)
			return ld_fail(ld, NULL, "policy \"%s\" has more than %d entries", p->name,
			    POL_MAX_ENTRIES);
		if (pol_policy_add_entry(p, e->kind, e->text, e->index, e->group) == -1)
			return ld_fail(ld, NULL, "out of memory");
		p->entries[p->n_entries - 1].from_profile = true;
		p->entries[p->n_entries - 1].pos = p->src.profile;
	}
	return 0;
}

static enum pol_mode
resolve_mode(const struct ld_rules *own, const struct ld_rules *prof, enum pol_rule_id r)
{
	if (pol_rule_always_enforced(r))
		return POL_MODE_ENFORCE;
	if (own->mode_set[r])
		return own->modes[r];
	if (own->has_mode)
		return own->mode;
	if (prof != NULL && prof->mode_set[r])
		return prof->modes[r];
	if (prof != NULL && prof->has_mode)
		return prof->mode;
	return POL_MODE_ENFORCE;
}

/* Checks that need the merged rules: a mode for a rule that does not apply is a typo. */
static int
check_merged(struct ld *ld, const struct ld_policy *lp)
{
	const struct pol_policy *p = lp->p;
	const struct pol_rules *r = &p->rules;
	yaml_mark_t m;
	size_t i;

	for (i = 0; i < POL_RULE__COUNT; i++) {
		if (!lp->rl.mode_set[i] || r->configured[i])
			continue;
		m = ld_mark(p->src.modes[i]);
		return ld_fail(ld, &m,
		    "modes.%s: the rule %s is not configured in policy \"%s\" (write its key, or "
		    "use a profile that sets it)",
		    pol_rule_name((enum pol_rule_id)i), pol_rule_name((enum pol_rule_id)i),
		    p->name);
	}
	if (lp->rl.has_mode && !r->enabled) {
		m = ld_mark(p->src.mode);
		return ld_fail(ld, &m,
		    "mode applies to body rules, but policy \"%s\" has none (add a profile or rule "
		    "keys)",
		    p->name);
	}
	return 0;
}

int
ld_rules_finish(struct ld *ld, struct ld_policy *lp, const yaml_mark_t *end)
{
	struct pol_policy *p = lp->p, tmp;
	struct pol_rules *out = &p->rules;
	struct ld_policy prof;
	yaml_mark_t at = *end;
	bool have_prof = lp->rl.profile != -1, any = false;
	size_t i;
	int rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	memset(&prof, 0, sizeof(prof));
	ld_rules_init(&prof.rl);
	prof.p = &tmp;
	prof.in_profile = true;
	memcpy(tmp.name, p->name, sizeof(tmp.name));
	if (have_prof) {
		at = ld_mark(p->src.profile);
		if (load_profile(ld, lp->rl.profile, &prof, &at) == -1)
			goto out;
	}
	pol_rules_free(out);
	*out = prof.rl.r; /* the profile's values first (all zero without one) */
	memset(&prof.rl.r, 0, sizeof(prof.rl.r));
	for (i = 0; i < POL_RULE__COUNT; i++)
		if (lp->rl.touched[i])
			rule_move(out, &lp->rl.r, (enum pol_rule_id)i);
	if (lp->rl.has_set) {
		mutations_free(&out->set);
		out->set = lp->rl.r.set;
		memset(&lp->rl.r.set, 0, sizeof(lp->rl.r.set));
	}
	if (lp->rl.has_dflt) {
		mutations_free(&out->dflt);
		out->dflt = lp->rl.r.dflt;
		memset(&lp->rl.r.dflt, 0, sizeof(lp->rl.r.dflt));
	}
	for (i = 0; i < POL_RULE__COUNT; i++) {
		out->mode[i] =
		    resolve_mode(&lp->rl, have_prof ? &prof.rl : NULL, (enum pol_rule_id)i);
		any |= out->configured[i];
	}
	out->default_mode = lp->rl.has_mode  ? lp->rl.mode :
	                    prof.rl.has_mode ? prof.rl.mode :
	                                       POL_MODE_ENFORCE;
	if (have_prof)
		snprintf(
		    out->profile, sizeof(out->profile), "%s", pol_profile_name(lp->rl.profile));
	out->enabled =
	    have_prof || any || !mutations_empty(&out->set) || !mutations_empty(&out->dflt);
	if (add_profile_entries(ld, p, &tmp) == -1 || check_merged(ld, lp) == -1)
		goto out;
	rc = 0;
out:
	ld_rules_release(&prof.rl);
	pol_policy_release(&tmp); /* the profile's entries, copied to p */
	return rc;
}
