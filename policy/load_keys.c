/*
 * Key tables and handlers for the settings part of the configuration: the
 * top level, api, limits, log, TLS and listeners (the keys are documented at
 * the top of load_yaml.c).  Policies are in load_policies.c, client entries
 * and run_as in load_clients.c.
 *
 * A listener's keys depend on what it listens on: "socket" is for unix://
 * listeners; a tcp:// listener needs "tls" (mutual TLS) or "insecure: true"
 * (plain TCP, which "sockwarden check" warns about).  Keys may come in any
 * order, so these rules are checked once the listener's mapping is read.
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
	ld->upstream_mark = ld->ev.start_mark;
	ld->has_upstream = true;
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
	{ "max_buffered_bytes", h_limit, false,
	    LIMIT(LIM_SIZE, MIB, 1024 * MIB, max_buffered_bytes, true) },
	{ "max_connections", h_limit, false, LIMIT(LIM_COUNT, 1, 1000000, max_connections, false) },
	{ "max_connections_per_client", h_limit, false,
	    LIMIT(LIM_COUNT, 1, 1000000, max_client_connections, false) },
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

/* ---- TLS: a listener's "tls", the upstream's "upstream_tls" ------------------------- */

enum tls_file { TLS_CA = 0, TLS_CERT, TLS_KEY, TLS_CRL, TLS__COUNT };

/* A TLS mapping while it is read: where each file key was, for the checks after it. */
struct tls_read {
	struct sw_tls_cfg *tls;
	bool has[TLS__COUNT];
	yaml_mark_t key[TLS__COUNT];
};

static int
h_tls_file(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct tls_read *tr = obj;
	enum tls_file f = *(const enum tls_file *)k->arg;
	char *dst[TLS__COUNT] = { tr->tls->ca, tr->tls->cert, tr->tls->key, tr->tls->crl };
	const char *s, *why;

	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (ld_check_file_path(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	tr->has[f] = true;
	tr->key[f] = ld->key_mark;
	return ld_copy(ld, dst[f], SW_FILE_MAX, path, s);
}

static int
h_tls_client_certs(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	static const char *const names[] = {
		[SW_CERTS_REQUIRED] = "required",
		[SW_CERTS_OPTIONAL] = "optional",
		[SW_CERTS_NONE] = "none",
	};
	struct tls_read *tr = obj;
	const char *s;
	size_t i;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	for (i = 0; i < nitems(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			tr->tls->client_certs = (enum sw_client_certs)i;
			return 0;
		}
	}
	return ld_bad_value(ld, path, "must be required, optional or none", s);
}

static int
h_tls_server_name(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct tls_read *tr = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (ld_check_host_name(s, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	return ld_copy(ld, tr->tls->server_name, sizeof(tr->tls->server_name), path, s);
}

#define TLS_FILE(f) (&(const enum tls_file){ (f) })

static const struct ld_key listener_tls_keys[] = {
	{ "ca", h_tls_file, false, TLS_FILE(TLS_CA) },
	{ "cert", h_tls_file, true, TLS_FILE(TLS_CERT) },
	{ "client_certs", h_tls_client_certs, false, NULL },
	{ "crl", h_tls_file, false, TLS_FILE(TLS_CRL) },
	{ "key", h_tls_file, true, TLS_FILE(TLS_KEY) },
};

static const struct ld_key upstream_tls_keys[] = {
	{ "ca", h_tls_file, true, TLS_FILE(TLS_CA) },
	{ "cert", h_tls_file, false, TLS_FILE(TLS_CERT) },
	{ "key", h_tls_file, false, TLS_FILE(TLS_KEY) },
	{ "server_name", h_tls_server_name, false, NULL },
};

/* Client certificates are verified by "ca" and revoked by "crl": both or none go with "none". */
static int
check_listener_tls(
    struct ld *ld, const struct tls_read *tr, const yaml_mark_t *start, const char *path)
{
	bool none = tr->tls->client_certs == SW_CERTS_NONE;

	if (none && tr->has[TLS_CA])
		return ld_fail(ld, &tr->key[TLS_CA],
		    "%s.ca is not used with client_certs: none (no client certificate is asked for): "
		    "remove it, or set client_certs to required or optional",
		    path);
	if (none && tr->has[TLS_CRL])
		return ld_fail(ld, &tr->key[TLS_CRL],
		    "%s.crl is not used with client_certs: none (no client certificate is asked for): "
		    "remove it, or set client_certs to required or optional",
		    path);
	if (tr->has[TLS_CRL] && !tr->has[TLS_CA])
		return ld_fail(ld, &tr->key[TLS_CRL],
		    "%s.crl needs %s.ca: the CRL revokes client certificates that ca verifies",
		    path, path);
	if (!none && !tr->has[TLS_CA])
		return ld_fail(ld, start,
		    "%s needs ca, the CA file that verifies client certificates (or client_certs: "
		    "none to ask for none)",
		    path);
	return 0;
}

int
ld_listener_tls(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	struct tls_read tr = { &l->cfg.tls, { false }, { { 0, 0, 0 } } };
	yaml_mark_t start = ld->ev.start_mark;
	char where[192];

	(void)k;
	l->tls_key = ld->key_mark;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with cert, key and ca") == -1)
		return -1;
	snprintf(where, sizeof(where), "in tls of %s", l->where + 3);
	if (ld_walk_mapping(ld, listener_tls_keys, nitems(listener_tls_keys), &tr, path, where) ==
	    -1)
		return -1;
	l->cfg.tls.enabled = true;
	return check_listener_tls(ld, &tr, &start, path);
}

int
ld_upstream_tls(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct sw_config *cfg = obj;
	struct tls_read tr = { &cfg->upstream_tls, { false }, { { 0, 0, 0 } } };
	bool cert;

	(void)k;
	ld->upstream_tls_key = ld->key_mark;
	ld->has_upstream_tls = true;
	if (ld_expect(ld, YAML_MAPPING_START_EVENT, path, " with ca, cert and key") == -1 ||
	    ld_walk_mapping(ld, upstream_tls_keys, nitems(upstream_tls_keys), &tr, path,
	        "in upstream_tls") == -1)
		return -1;
	if (tr.has[TLS_CERT] != tr.has[TLS_KEY]) {
		cert = tr.has[TLS_CERT];
		return ld_fail(ld, &tr.key[cert ? TLS_CERT : TLS_KEY],
		    "%s.%s needs %s.%s: give both (sockwarden's client certificate for the daemon) "
		    "or neither",
		    path, cert ? "cert" : "key", path, cert ? "key" : "cert");
	}
	cfg->upstream_tls.enabled = true;
	return 0;
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
	if (pol_check_upstream(s, &why) == -1)
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
	l->has_socket = true;
	l->socket_key = ld->key_mark;
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

static int
h_lsn_insecure(struct ld *ld, const struct ld_key *k, void *obj, const char *path)
{
	struct ld_listener *l = obj;
	const char *s, *why;

	(void)k;
	if (ld_scalar(ld, path, &s) == -1)
		return -1;
	if (pol_parse_bool(s, &l->cfg.insecure, &why) == -1)
		return ld_bad_value(ld, path, why, s);
	l->has_insecure = true;
	l->insecure_key = ld->key_mark;
	return 0;
}

static const struct ld_key listener_keys[] = {
	{ "clients", ld_clients, false, NULL },
	{ "insecure", h_lsn_insecure, false, NULL },
	{ "listen", h_lsn_listen, false, NULL },
	{ "name", h_lsn_name, true, NULL },
	{ "policy", h_lsn_policy, true, NULL },
	{ "socket", h_lsn_socket, false, NULL },
	{ "tls", ld_listener_tls, false, NULL },
};

static bool
is_tcp(const char *url)
{
	return strncmp(url, "tcp://", 6) == 0;
}

static const yaml_mark_t *
listen_mark(const struct ld_listener *l)
{
	return l->has_listen ? &l->listen_mark : &l->start;
}

/* Keys that only one kind of listener understands. */
static int
check_listener_kind(struct ld *ld, const struct ld_listener *l, const char *path)
{
	if (!is_tcp(l->cfg.listen)) {
		if (l->cfg.tls.enabled)
			return ld_fail(ld, &l->tls_key,
			    "%s.tls is only for tcp:// listeners: a unix socket is guarded by its mode, "
			    "owner and group (socket:) instead",
			    path);
		if (l->has_insecure)
			return ld_fail(ld, &l->insecure_key,
			    "%s.insecure is only for tcp:// listeners: remove it", path);
		return 0;
	}
	if (l->has_socket)
		return ld_fail(ld, &l->socket_key,
		    "%s.socket is only for unix:// listeners (a TCP port has no file mode or owner): "
		    "remove it",
		    path);
	if (l->cfg.tls.enabled && l->cfg.insecure)
		return ld_fail(ld, &l->insecure_key,
		    "%s has both tls and insecure: true: remove insecure to serve TLS, or tls to "
		    "serve plain TCP",
		    path);
	if (!l->cfg.tls.enabled && !l->cfg.insecure)
		return ld_fail(ld, listen_mark(l),
		    "%s.listen is tcp:// without tls: add tls (cert, key and the ca of client "
		    "certificates), or insecure: true for plain TCP that trusts everyone who can "
		    "reach the port",
		    path);
	return 0;
}

/*
 * Do two tcp:// listen URLs written differently take the same port?  NULL
 * when not, else why.  (Unix paths are clean: equal text is the same file,
 * and the caller compares the text first.)
 */
static const char *
tcp_overlap(const char *a, const char *b)
{
	struct ld_tcp_addr ta, tb;
	const char *why;

	if (!is_tcp(a) || !is_tcp(b) || ld_parse_tcp_url(a, &ta, &why) == -1 ||
	    ld_parse_tcp_url(b, &tb, &why) == -1 || !ld_tcp_addr_overlap(&ta, &tb))
		return NULL;
	if (memcmp(ta.addr, tb.addr, sizeof(ta.addr)) == 0)
		return "one address written two ways";
	return "a wildcard address takes the port on every address it covers";
}

/* Names and listen addresses must be unique: two listeners on one socket would fight over it. */
static int
check_listener_unique(struct ld *ld, const struct ld_listener *l)
{
	const struct ld_listener *o;
	const char *why;

	for (o = ld->lsn; o < l; o++) {
		if (strcmp(o->cfg.name, l->cfg.name) == 0)
			return ld_fail(
			    ld, &l->name_mark, "duplicate listener name \"%s\"", l->cfg.name);
		if (strcmp(o->cfg.listen, l->cfg.listen) == 0)
			return ld_fail(ld, listen_mark(l),
			    "listeners \"%s\" and \"%s\" both listen on %s", o->cfg.name,
			    l->cfg.name, l->cfg.listen);
		if ((why = tcp_overlap(o->cfg.listen, l->cfg.listen)) != NULL)
			return ld_fail(ld, listen_mark(l),
			    "listeners \"%s\" and \"%s\" both listen on the same port (%s and %s: "
			    "%s)",
			    o->cfg.name, l->cfg.name, o->cfg.listen, l->cfg.listen, why);
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
	    ld_walk_mapping(ld, listener_keys, nitems(listener_keys), l, path, l->where) == -1 ||
	    check_listener_kind(ld, l, path) == -1 || ld_check_clients(ld, l) == -1)
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
	{ "run_as", ld_run_as, false, NULL },
	{ "upstream", h_upstream, false, NULL },
	{ "upstream_tls", ld_upstream_tls, false, NULL },
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
	cfg->limits.max_buffered_bytes = SW_DEF_MAX_BUFFERED_BYTES;
	cfg->limits.max_connections = SW_DEF_MAX_CONNECTIONS;
	cfg->limits.max_client_connections = SW_DEF_MAX_CLIENT_CONNS;
	cfg->limits.head_timeout_ms = SW_DEF_HEAD_TIMEOUT_MS;
	cfg->limits.idle_timeout_ms = SW_DEF_IDLE_TIMEOUT_MS;
	cfg->limits.upstream_connect_ms = SW_DEF_UPSTREAM_CONNECT_MS;
	cfg->limits.shutdown_timeout_ms = SW_DEF_SHUTDOWN_TIMEOUT_MS;
	cfg->log.level = LOG_LEVEL_INFO;
	memcpy(cfg->log.audit, "stderr", sizeof("stderr"));
}

/* Would a listener on "listen" be the upstream itself? */
static bool
is_upstream(const char *listen, const char *upstream)
{
	struct ld_tcp_addr tl, tu;
	const char *why;

	if (is_tcp(listen) != is_tcp(upstream))
		return false;
	if (!is_tcp(listen))
		return strcmp(listen, upstream) == 0;
	return ld_parse_tcp_url(listen, &tl, &why) == 0 &&
	       ld_parse_tcp_url(upstream, &tu, &why) == 0 && ld_tcp_addr_loops(&tl, &tu);
}

/*
 * upstream_tls goes with a tcp:// upstream only (a unix socket has no TLS),
 * and no listener may take the upstream's own address: sockwarden would
 * forward to itself, or replace the daemon's socket file with its own.
 */
static int
check_upstream(struct ld *ld)
{
	const struct sw_config *cfg = &ld->ps->cfg;
	size_t i;

	if (ld->has_upstream_tls && !is_tcp(cfg->upstream))
		return ld_fail(ld, &ld->upstream_tls_key,
		    "upstream_tls is only for a tcp:// upstream, and upstream is %s%s: remove "
		    "upstream_tls, or set upstream to the daemon's tcp://address:port",
		    cfg->upstream, ld->has_upstream ? "" : " (the default)");
	for (i = 0; i < ld->n_lsn; i++) {
		const struct ld_listener *l = &ld->lsn[i];

		if (is_upstream(l->cfg.listen, cfg->upstream))
			return ld_fail(ld, listen_mark(l),
			    "listener \"%s\" listens on %s, the upstream's own address: sockwarden "
			    "would %s",
			    l->cfg.name, l->cfg.listen,
			    is_tcp(cfg->upstream) ? "forward its requests to itself" :
			                            "replace the daemon's socket with its own");
	}
	return 0;
}

/* Listeners name policies that may come later in the file: resolve them last. */
int
ld_resolve_listeners(struct ld *ld)
{
	struct sw_config *cfg = &ld->ps->cfg;
	size_t i;

	if (check_upstream(ld) == -1)
		return -1;
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
