#include "sockwarden/compat.h"

#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "audit.h"
#include "client_limit.h"
#include "ctr_cache.h"
#include "daemon.h"
#include "listener.h"
#include "mem_trim.h"
#include "mono_clock.h"
#include "queue_budget.h"
#include "server.h"
#include "tls.h"
#include "upstream.h"

const struct sw_limits *
srv_limits(const struct srv *s)
{
	return &pol_set_config(s->ps)->limits;
}

static void
stop_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct srv *s = arg;
	struct conn *c, *tmp;

	(void)fd;
	(void)what;
	log_info("shutdown timeout: closing %u remaining connections", s->n_conns);
	/* glibc's sys/queue.h has no TAILQ_FOREACH_SAFE. */
	for (c = TAILQ_FIRST(&s->conns); c != NULL; c = tmp) {
		tmp = TAILQ_NEXT(c, c_entry);
		conn_close(c, "shutdown timeout");
	}
	if (s->n_conns == 0)
		event_base_loopexit(s->base, NULL);
}

void
srv_stop(struct srv *s)
{
	const struct sw_limits *lim = srv_limits(s);
	struct timeval tv = timeval_of_ms(lim->shutdown_timeout_ms);
	struct conn *c, *tmp;
	size_t i;

	if (s->stopping)
		return;
	s->stopping = true;
	log_info("stopping: %u connections open", s->n_conns);
	/* Freed by srv_free(): the connections still open name their listener. */
	for (i = 0; i < s->n_lsns; i++)
		lsn_stop(s->lsns[i]);
	for (c = TAILQ_FIRST(&s->conns); c != NULL; c = tmp) {
		tmp = TAILQ_NEXT(c, c_entry);
		conn_drain(c);
	}
	if (s->n_conns == 0) {
		event_base_loopexit(s->base, NULL);
		return;
	}
	s->stop_timer = evtimer_new(s->base, stop_timer_cb, s);
	evtimer_add(s->stop_timer, &tv);
}

void
srv_conn_gone(struct srv *s)
{
	if (s->stopping && s->n_conns == 0)
		event_base_loopexit(s->base, NULL);
}

/*
 * A reload may change policies, clients, limits, logging and TLS files;
 * sockets, the upstream address and the user we run as need a restart.
 */
static const char *
incompatible(const struct sw_config *old, const struct sw_config *new)
{
	size_t i;

	if (strcmp(old->upstream, new->upstream) != 0 ||
	    old->upstream_tls.enabled != new->upstream_tls.enabled)
		return "upstream changed";
	if (old->n_listeners != new->n_listeners)
		return "listeners changed";
	for (i = 0; i < old->n_listeners; i++) {
		const struct sw_listener_cfg *a = &old->listeners[i], *b = &new->listeners[i];

		if (strcmp(a->name, b->name) != 0 || strcmp(a->listen, b->listen) != 0 ||
		    memcmp(&a->socket, &b->socket, sizeof(a->socket)) != 0 ||
		    a->tls.enabled != b->tls.enabled || a->insecure != b->insecure)
			return "listeners changed";
	}
	if (strcmp(old->log.audit, new->log.audit) != 0)
		return "log.audit changed";
	if (old->run_as.enabled != new->run_as.enabled || old->run_as.uid != new->run_as.uid ||
	    old->run_as.gid != new->run_as.gid)
		return "run_as changed";
	return NULL;
}

/*
 * Every TLS context a configuration asks for, read from its files: all of
 * them or none, so a bad certificate, key or CRL keeps the running ones.
 */
struct tls_set {
	struct tls_ctx **lsn; /* per listener, NULL for plain ones */
	size_t n_lsn;
	struct tls_ctx *ups;
};

static void
tls_set_free(struct tls_set *t)
{
	size_t i;

	for (i = 0; i < t->n_lsn; i++)
		tls_ctx_free(t->lsn[i]);
	free(t->lsn);
	tls_ctx_free(t->ups);
	memset(t, 0, sizeof(*t));
}

static int
tls_set_load(const struct sw_config *cfg, struct tls_set *t, char *err, size_t errsz)
{
	char why[640]; /* a context error: setting, path (up to 255 bytes) and reason */
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((t->lsn = calloc(cfg->n_listeners + 1, sizeof(*t->lsn))) == NULL)
		fatal("calloc");
	t->n_lsn = cfg->n_listeners;
	for (i = 0; i < cfg->n_listeners; i++) {
		const struct sw_listener_cfg *lc = &cfg->listeners[i];

		if (!lc->tls.enabled)
			continue;
		if ((t->lsn[i] = tls_server_ctx_new(&lc->tls, why, sizeof(why))) == NULL) {
			snprintf(err, errsz, "listener %s: %s", lc->name, why);
			tls_set_free(t);
			return -1;
		}
	}
	if (cfg->upstream_tls.enabled) {
		struct sa_addr ups;
		const char *bad;

		if (sa_parse_url(cfg->upstream, &ups, &bad) == -1) {
			snprintf(err, errsz, "upstream %s: %s", cfg->upstream, bad);
			tls_set_free(t);
			return -1;
		}
		t->ups = tls_client_ctx_new(&cfg->upstream_tls, ups.host, why, sizeof(why));
		if (t->ups == NULL) {
			snprintf(err, errsz, "upstream %s: %s", cfg->upstream, why);
			tls_set_free(t);
			return -1;
		}
	}
	return 0;
}

int
srv_check_tls(const struct sw_config *cfg, char *err, size_t errsz)
{
	struct tls_set t;

	if (tls_set_load(cfg, &t, err, errsz) == -1)
		return -1;
	tls_set_free(&t);
	return 0;
}

/* New connections get the new contexts; open ones keep theirs. */
static void
tls_set_apply(struct srv *s, struct tls_set *t)
{
	size_t i;

	for (i = 0; i < s->n_lsns && i < t->n_lsn; i++) {
		if (s->lsns[i] != NULL) {
			lsn_set_tls(s->lsns[i], t->lsn[i]);
			t->lsn[i] = NULL;
		}
	}
	tls_ctx_free(s->ups_tls);
	s->ups_tls = t->ups;
	upstream_set_tls(s->ups_tls);
	t->ups = NULL;
	tls_set_free(t);
}

/*
 * run_as: once the sockets are bound and the keys read, nothing needs root.
 * Supplementary groups go first (setgroups needs the privilege setuid
 * drops), and getting root back must then fail.
 */
static void
drop_privileges(const struct sw_run_as *ra)
{
	if (!ra->enabled)
		return;
	if (setgroups(1, &ra->gid) == -1)
		fatal("run_as: setgroups");
	if (setgid(ra->gid) == -1)
		fatal("run_as: setgid %u", (unsigned)ra->gid);
	if (setuid(ra->uid) == -1)
		fatal("run_as: setuid %u", (unsigned)ra->uid);
	if (ra->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		fatalx(
		    "run_as: root could be regained after dropping to uid %u", (unsigned)ra->uid);
	log_info("running as user %s (uid %u), group %s (gid %u)", ra->user, (unsigned)ra->uid,
	    ra->group[0] != '\0' ? ra->group : "(primary)", (unsigned)ra->gid);
}

/* The container cache (and its events stream) runs only while some listener matches containers. */
static void
want_containers(struct srv *s)
{
	const struct sw_config *cfg = pol_set_config(s->ps);
	size_t i;

	for (i = 0; i < cfg->n_listeners; i++)
		if (pol_listener_wants_container(cfg, i))
			break;
	if (i == cfg->n_listeners || s->ctrs != NULL)
		return;
	if ((s->ctrs = ctr_cache_new(s->base, &s->upstream)) == NULL)
		fatalx("cannot set up the container cache");
}

void
srv_reload(struct srv *s)
{
	struct pol_set *ps = NULL;
	struct pol_err err;
	struct tls_set tls;
	const char *why;
	char tls_err[1024];

	if (s->config_path == NULL) {
		log_info(
		    "reload: running on the embedded default configuration; nothing to reload");
		return;
	}
	memset(&err, 0, sizeof(err));
	if (pol_load_file(s->config_path, &ps, &err) == -1) {
		log_warnx("reload failed, keeping the running configuration: %s:%d:%d: %s",
		    err.file, err.line, err.col, err.msg);
		return;
	}
	if ((why = incompatible(pol_set_config(s->ps), pol_set_config(ps))) != NULL) {
		log_warnx(
		    "reload refused, keeping the running configuration: %s (restart to apply)",
		    why);
		pol_set_unref(ps);
		return;
	}
	if (tls_set_load(pol_set_config(ps), &tls, tls_err, sizeof(tls_err)) == -1) {
		log_warnx("reload failed, keeping the running configuration and certificates: %s",
		    tls_err);
		pol_set_unref(ps);
		return;
	}
	tls_set_apply(s, &tls);
	pol_set_unref(s->ps);
	s->ps = ps; /* connections switch at their next request */
	want_containers(s);
	queue_budget_set(pol_set_config(ps)->limits.max_buffered_bytes);
	log_set_level((enum log_level)pol_set_config(ps)->log.level);
	log_info("configuration reloaded from %s", s->config_path);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct srv *s = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		srv_stop(s);
		break;
	case SIGHUP:
		srv_reload(s);
		break;
	case SIGUSR1:
		if (audit_reopen() == -1)
			log_warn("audit: reopen");
		break;
	}
}

int
srv_init(struct srv *s, struct event_base *base, struct pol_set *ps, const char *config_path)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	const struct sw_config *cfg = pol_set_config(ps);
	struct tls_set tls;
	const char *why;
	char err[1024];
	size_t i;

	memset(s, 0, sizeof(*s));
	s->base = base;
	s->ps = ps;
	s->config_path = config_path;
	queue_budget_set(cfg->limits.max_buffered_bytes);
	TAILQ_INIT(&s->conns);
	if ((s->clients = client_limit_new()) == NULL)
		fatal("calloc");
	if (sa_parse_url(cfg->upstream, &s->upstream, &why) == -1)
		fatalx("upstream %s: %s", cfg->upstream, why);
	if (tls_set_load(cfg, &tls, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (audit_open(base, cfg->log.audit) == -1)
		fatal("audit log %s", cfg->log.audit);
	if ((s->lsns = calloc(cfg->n_listeners, sizeof(*s->lsns))) == NULL)
		fatal("calloc");
	for (i = 0; i < cfg->n_listeners; i++) {
		if ((s->lsns[i] = lsn_open(s, &cfg->listeners[i], err, sizeof(err))) == NULL) {
			while (i-- > 0)
				lsn_close(s->lsns[i]);
			fatalx("%s", err);
		}
		s->lsns[i]->l_index = i;
		s->n_lsns++;
		log_info("listener %s on %s%s, policy %s, %zu client entries",
		    cfg->listeners[i].name, cfg->listeners[i].listen,
		    cfg->listeners[i].tls.enabled ? " (TLS)" :
		    cfg->listeners[i].insecure    ? " (plain TCP: insecure)" :
		                                    "",
		    pol_set_policy_name(ps, cfg->listeners[i].policy), cfg->listeners[i].n_clients);
		if (cfg->listeners[i].insecure)
			log_warnx("listener %s: plain TCP; anyone who can reach %s gets policy %s",
			    cfg->listeners[i].name, cfg->listeners[i].listen,
			    pol_set_policy_name(ps, cfg->listeners[i].policy));
	}
	tls_set_apply(s, &tls);
	drop_privileges(&cfg->run_as);
	for (i = 0; i < nitems(sigs); i++) {
		s->sig_ev[i] = evsignal_new(base, sigs[i], signal_cb, s);
		if (s->sig_ev[i] == NULL || evsignal_add(s->sig_ev[i], NULL) == -1)
			fatalx("cannot install signal handlers");
	}
	log_info("forwarding to %s", cfg->upstream);
	s->probe = daemon_probe_new(s);
	s->trim = mem_trim_start(base);
	want_containers(s);
	return 0;
}

void
srv_free(struct srv *s)
{
	size_t i;

	for (i = 0; i < s->n_lsns; i++)
		lsn_close(s->lsns[i]);
	free(s->lsns);
	for (i = 0; i < nitems(s->sig_ev); i++)
		if (s->sig_ev[i] != NULL)
			event_free(s->sig_ev[i]);
	if (s->stop_timer != NULL)
		event_free(s->stop_timer);
	daemon_probe_free(s->probe);
	mem_trim_stop(s->trim);
	s->trim = NULL;
	ctr_cache_free(s->ctrs); /* connections, and so their waits, are gone by now */
	s->ctrs = NULL;
	client_limit_free(s->clients);
	s->clients = NULL;
	upstream_set_tls(NULL);
	tls_ctx_free(s->ups_tls);
	s->ups_tls = NULL;
	audit_close();
	pol_set_unref(s->ps);
	s->ps = NULL;
}
