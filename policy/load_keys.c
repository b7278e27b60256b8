/*
 * Key tables and handlers for the settings part of the configuration: the
 * top level, api, limits, log and listeners (the keys are documented at the
 * top of load_yaml.c).  Policies are in load_policies.c.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/log.h"

#include "load_int.h"

/* ---- top level: upstream, api, log -------------------------------------------- */

static int
h_upstream(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_config *cfg = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_upstream(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, cfg->upstream, sizeof(cfg->upstream), path, s);
}

static int
h_min_version(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_config *cfg = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_version(s, sizeof(cfg->min_api_version), &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, cfg->min_api_version, sizeof(cfg->min_api_version), path, s);
}

static const struct ld_key api_keys[] = {
	{ "min_version", h_min_version, false, NULL },
};

static int
h_api(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	(void)k;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with min_version") == -1)
		return -1;
	return ld_walk_mapping(ld, api_keys, nitems(api_keys), obj, path, "in api");
}

static int
h_log_level(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_log_cfg *log = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_log_level(s, &log->level, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return 0;
}

static int
h_log_audit(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_log_cfg *log = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_audit(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, log->audit, sizeof(log->audit), path, s);
}

static const struct ld_key log_keys[] = {
	{ "audit", h_log_audit, false, NULL },
	{ "level", h_log_level, false, NULL },
};

static int
h_log(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_config *cfg = obj;

	(void)k;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with level and audit") == -1)
		return -1;
	return ld_walk_mapping(ld, log_keys, nitems(log_keys), &cfg->log, path, "in log");
}

/* ---- limits ------------------------------------------------------------------ */

enum limit_kind { LIM_SIZE, LIM_COUNT, LIM_DURATION };

struct limit_def {
	enum limit_kind kind;
	uint64_t min, max;
	size_t offset;  /* into struct sw_limits */
	bool is_size_t; /* the field is a size_t, else an unsigned */
};

/* "wide": the field is a size_t (byte counts), else an unsigned. */
#define LIMIT(kind, min, max, field, wide) \
	(&(const struct limit_def){        \
	    (kind), (min), (max), offsetof(struct sw_limits, field), (wide) })

#define KIB    UINT64_C(1024)
#define MIB    (UINT64_C(1024) * 1024)
#define DAY_MS (UINT64_C(24) * 3600 * 1000)

static int
h_limit(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	const struct limit_def *d = k->arg;
	char lo[32], hi[32];
	const char *s, *why;
	uint64_t v;
	int rc;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	switch (d->kind) {
	case LIM_SIZE:
		rc = pol_parse_size(s, &v, &why);
		pol_format_size(d->min, lo, sizeof(lo));
		pol_format_size(d->max, hi, sizeof(hi));
		break;
	case LIM_DURATION:
		rc = pol_parse_duration_ms(s, &v, &why);
		pol_format_duration(d->min, lo, sizeof(lo));
		pol_format_duration(d->max, hi, sizeof(hi));
		break;
	default:
		rc = pol_parse_count(s, &v, &why);
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)d->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)d->max);
		break;
	}
	if (rc == -1)
		return ld_bad_value(ld, path, why, s);
	if (v < d->min || v > d->max)
		return ld_fail(ld, &ld->ev.start_mark, "%s must be between %s and %s, got \"%s\"",
		    path, lo, hi, ld_show(ld, 0, s));
	if (d->is_size_t)
		*(size_t *)(void *)((char *)obj + d->offset) = (size_t)v;
	else
		*(unsigned *)(void *)((char *)obj + d->offset) = (unsigned)v;
	return 0;
}

static const struct ld_key limit_keys[] = {
	{ "head_timeout", h_limit, false, LIMIT(LIM_DURATION, 1, DAY_MS, head_timeout_ms, false) },
	{ "idle_timeout", h_limit, false, LIMIT(LIM_DURATION, 1, DAY_MS, idle_timeout_ms, false) },
	{ "max_body_bytes", h_limit, false, LIMIT(LIM_SIZE, KIB, 64 * MIB, max_body_bytes, true) },
	{ "max_connections", h_limit, false, LIMIT(LIM_COUNT, 1, 1000000, max_connections, false) },
	{ "max_header_bytes", h_limit, false, LIMIT(LIM_SIZE, KIB, MIB, max_header_bytes, true) },
	{ "max_headers", h_limit, false, LIMIT(LIM_COUNT, 8, 1000, max_headers, false) },
	{ "shutdown_timeout", h_limit, false,
	    LIMIT(LIM_DURATION, 1, DAY_MS, shutdown_timeout_ms, false) },
	{ "upstream_connect_timeout", h_limit, false,
	    LIMIT(LIM_DURATION, 1, DAY_MS, upstream_connect_ms, false) },
};

static int
h_limits(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_config *cfg = obj;

	(void)k;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, "") == -1)
		return -1;
	return ld_walk_mapping(ld, limit_keys, nitems(limit_keys), &cfg->limits, path, "in limits");
}

/* ---- listeners --------------------------------------------------------------- */

static int
h_lsn_name(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_name(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	l->name_mark = ld->ev.start_mark;
	snprintf(l->where, sizeof(l->where), "in listener \"%s\"", s);
	return ld_copy(ld, l->cfg.name, sizeof(l->cfg.name), path, s);
}

static int
h_lsn_listen(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_unix_url(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	l->listen_mark = ld->ev.start_mark;
	l->has_listen = true;
	return ld_copy(ld, l->cfg.listen, sizeof(l->cfg.listen), path, s);
}

static int
h_sock_mode(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_socket_opts *so = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_mode(s, &so->mode, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return 0;
}

static int
h_sock_account(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_socket_opts *so = obj;
	const char *s, *why;
	char *dst = k->arg != NULL ? so->group : so->owner;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_account(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, dst, SW_NAME_MAX, path, s);
}

static const struct ld_key socket_keys[] = {
	{ "group", h_sock_account, false, "group" },
	{ "mode", h_sock_mode, false, NULL },
	{ "owner", h_sock_account, false, NULL },
};

static int
h_lsn_socket(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	char where[192];

	(void)k;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with mode, owner and group") == -1)
		return -1;
	snprintf(where, sizeof(where), "in socket of %s", l->where + 3);
	return ld_walk_mapping(ld, socket_keys, nitems(socket_keys), &l->cfg.socket, path, where);
}

static int
h_lsn_policy(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_check_name(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	l->policy_mark = ld->ev.start_mark;
	return ld_copy(ld, l->policy, sizeof(l->policy), path, s);
}

static const struct ld_key listener_keys[] = {
	{ "clients", ld_clients, false, NULL },
	{ "listen", h_lsn_listen, false, NULL },
	{ "name", h_lsn_name, true, NULL },
	{ "policy", h_lsn_policy, true, NULL },
	{ "socket", h_lsn_socket, false, NULL },
};

/* Names and socket paths must be unique: two listeners on one path would fight over it. */
static int
check_listener_unique(struct ld *ld, const struct ld_listener *l)
{
	const struct ld_listener *o;

	for (o = ld->lsn; o < l; o++) {
		if (strcmp(o->cfg.name, l->cfg.name) == 0)
			return ld_fail(
			    ld, &l->name_mark, "duplicate listener name \"%s\"", l->cfg.name);
		if (strcmp(o->cfg.listen, l->cfg.listen) == 0)
			return ld_fail(ld, l->has_listen ? &l->listen_mark : &l->start,
			    "listeners \"%s\" and \"%s\" both listen on %s", o->cfg.name,
			    l->cfg.name, l->cfg.listen);
	}
	return 0;
}

static int
listener_one(struct ld *ld)
{
	struct ld_listener *l, *nl;
	char path[32];

	if (ld->n_lsn >= POL_MAX_LISTENERS)
		return ld_fail(ld, &ld->ev.start_mark, "more than %d listeners", POL_MAX_LISTENERS);
	nl = realloc(ld->lsn, (ld->n_lsn + 1) * sizeof(*nl));
	if (nl == NULL)
		return ld_fail(ld, NULL, "out of memory");
	ld->lsn = nl;
	l = &nl[ld->n_lsn];
	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "listeners[%zu]", ld->n_lsn);
	snprintf(l->where, sizeof(l->where), "in %s", path);
	memcpy(l->cfg.listen, SW_DEF_LISTEN, sizeof(SW_DEF_LISTEN));
	l->cfg.socket.mode = SW_DEF_SOCKET_MODE;
	l->cfg.policy = -1;
	l->start = ld->ev.start_mark;
	ld->n_lsn++;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with name, listen and policy") == -1 ||
	    ld_walk_mapping(ld, listener_keys, nitems(listener_keys), l, path, l->where) == -1)
		return -1;
	return check_listener_unique(ld, l);
}

static int
h_listeners(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	yaml_mark_t start = ld->ev.start_mark;

	(void)k;
	(void)obj;
	if (ld_expect(ld, YAML_SEQUENCE_START_EVENT, path, " of listeners") == -1)
		return -1;
	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		if (ld->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (listener_one(ld) == -1)
			return -1;
	}
	if (ld->n_lsn == 0)
		return ld_fail(ld, &start, "listeners must name at least one listener");
	return 0;
}

/* ---- the top level ------------------------------------------------------------ */

const struct ld_key ld_top_keys[] = {
	{ "api", h_api, false, NULL },
	{ "limits", h_limits, false, NULL },
	{ "listeners", h_listeners, true, NULL },
	{ "log", h_log, false, NULL },
	{ "policies", ld_policies, true, NULL },
	{ "upstream", h_upstream, false, NULL },
};

const size_t ld_n_top_keys = nitems(ld_top_keys);

void
ld_set_defaults(struct sw_config *cfg)
{
	memcpy(cfg->upstream, SW_DEF_UPSTREAM, sizeof(SW_DEF_UPSTREAM));
	memcpy(cfg->min_api_version, SW_DEF_MIN_API_VERSION, sizeof(SW_DEF_MIN_API_VERSION));
	cfg->limits.max_header_bytes = SW_DEF_MAX_HEADER_BYTES;
	cfg->limits.max_headers = SW_DEF_MAX_HEADERS;
	cfg->limits.max_body_bytes = SW_DEF_MAX_BODY_BYTES;
	cfg->limits.max_connections = SW_DEF_MAX_CONNECTIONS;
	cfg->limits.head_timeout_ms = SW_DEF_HEAD_TIMEOUT_MS;
	cfg->limits.idle_timeout_ms = SW_DEF_IDLE_TIMEOUT_MS;
	cfg->limits.upstream_connect_ms = SW_DEF_UPSTREAM_CONNECT_MS;
	cfg->limits.shutdown_timeout_ms = SW_DEF_SHUTDOWN_TIMEOUT_MS;
	cfg->log.level = LOG_LEVEL_INFO;
	memcpy(cfg->log.audit, "stderr", sizeof("stderr"));
}

/* Listeners name policies that may come later in the file: resolve them last. */
int
ld_resolve_listeners(struct ld *ld)
{
	struct sw_config *cfg = &ld->ps->cfg;
	size_t i;

	cfg->listeners = calloc(ld->n_lsn, sizeof(*cfg->listeners));
	if (cfg->listeners == NULL)
		return ld_fail(ld, NULL, "out of memory");
	for (i = 0; i < ld->n_lsn; i++) {
		struct ld_listener *l = &ld->lsn[i];

		l->cfg.policy = pol_set_find_policy(ld->ps, l->policy);
		if (l->cfg.policy == -1)
			return ld_fail(ld, &l->policy_mark,
			    "listener \"%s\" uses policy \"%s\", which is not defined under policies",
			    l->cfg.name, l->policy);
		if (ld_resolve_clients(ld, &l->cfg) == -1)
			return -1;
		cfg->listeners[i] = l->cfg;
	}
	cfg->n_listeners = ld->n_lsn;
	return 0;
}
