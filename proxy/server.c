#include "sockwarden/compat.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "audit.h"
#include "daemon.h"
#include "listener.h"
#include "server.h"

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
	struct timeval tv = { (time_t)(lim->shutdown_timeout_ms / 1000),
		(suseconds_t)((lim->shutdown_timeout_ms % 1000) * 1000) };
	struct conn *c, *tmp;
	size_t i;

	if (s->stopping)
		return;
	s->stopping = true;
	log_info("stopping: %u connections open", s->n_conns);
	for (i = 0; i < s->n_lsns; i++) {
		lsn_close(s->lsns[i]);
		s->lsns[i] = NULL;
	}
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

/* A reload may change policies, limits and logging; sockets and upstream need a restart. */
static const char *
incompatible(const struct sw_config *old, const struct sw_config *new)
{
	size_t i;

	if (strcmp(old->upstream, new->upstream) != 0)
		return "upstream changed";
	if (old->n_listeners != new->n_listeners)
		return "listeners changed";
	for (i = 0; i < old->n_listeners; i++) {
		const struct sw_listener_cfg *a = &old->listeners[i], *b = &new->listeners[i];

		if (strcmp(a->name, b->name) != 0 || strcmp(a->listen, b->listen) != 0 ||
		    memcmp(&a->socket, &b->socket, sizeof(a->socket)) != 0)
			return "listeners changed";
	}
	if (strcmp(old->log.audit, new->log.audit) != 0)
		return "log.audit changed";
	return NULL;
}

void
srv_reload(struct srv *s)
{
	struct pol_set *ps = NULL;
	struct pol_err err;
	const char *why;

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
	pol_set_unref(s->ps);
	s->ps = ps; /* connections switch at their next request */
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
	const char *why;
	char err[512];
	size_t i;

	memset(s, 0, sizeof(*s));
	s->base = base;
	s->ps = ps;
	s->config_path = config_path;
	TAILQ_INIT(&s->conns);
	if (sa_parse_url(cfg->upstream, &s->upstream, &why) == -1)
		fatalx("upstream %s: %s", cfg->upstream, why);
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
		log_info("listener %s on %s, policy %s, %zu client entries", cfg->listeners[i].name,
		    cfg->listeners[i].listen, pol_set_policy_name(ps, cfg->listeners[i].policy),
		    cfg->listeners[i].n_clients);
	}
	for (i = 0; i < nitems(sigs); i++) {
		s->sig_ev[i] = evsignal_new(base, sigs[i], signal_cb, s);
		if (s->sig_ev[i] == NULL || evsignal_add(s->sig_ev[i], NULL) == -1)
			fatalx("cannot install signal handlers");
	}
	log_info("forwarding to %s", cfg->upstream);
	s->probe = daemon_probe_new(s);
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
	audit_close();
	pol_set_unref(s->ps);
	s->ps = NULL;
}
