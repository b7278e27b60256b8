/*
 * Who is calling, resolved once per connection before its first request is
 * read: the kernel's SO_PEERCRED on Unix listeners, the verified client
 * certificate on TLS listeners, and on Unix listeners whose client entries
 * name containers, the container the caller runs in (its cgroup, then the
 * daemon's description of it, cached).  Nothing here comes from bytes the
 * client sends.
 */
#include "sockwarden/compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "conn.h"
#include "ctr_cache.h"
#include "identity.h"
#include "listener.h"
#include "peer_ctr.h"
#include "server.h"
#include "tls.h"

static void
maybe_done(struct conn *c)
{
	if (!c->c_tls_pending && c->c_ctr_wait == NULL)
		conn_identified(c);
}

/*
 * A caller that must be identified and cannot be: no client entry will be
 * chosen, and conn.c refuses every request of the connection with "why".
 */
static void
unidentified(struct conn *c, const char *what, const char *why)
{
	snprintf(c->c_ident.unidentified, sizeof(c->c_ident.unidentified), "%s: %s", what, why);
	log_warnx("listener %s: conn %" PRIu64 ": %s", c->c_lsn->l_name, c->c_id,
	    c->c_ident.unidentified);
}

/* The container lookup's answer; "ctr" is the reference the cache gave us, or NULL. */
static void
use_container(struct conn *c, enum ctr_status st, const struct sw_ctr_ident *ctr, const char *why)
{
	c->c_ident.ctr = ctr;
	switch (st) {
	case CTR_FOUND:
		break;
	case CTR_NOT_FOUND:
		/* Another daemon's, or gone already: it is treated as being in none. */
		log_info("listener %s: conn %" PRIu64 ": the caller's container is unknown to "
		         "the Docker daemon",
		    c->c_lsn->l_name, c->c_id);
		break;
	case CTR_UNKNOWN:
	case CTR_PENDING:
		unidentified(
		    c, "cannot identify the calling container", why != NULL ? why : "no answer");
		break;
	}
}

static void
ctr_found(enum ctr_status st, const struct sw_ctr_ident *ctr, const char *why, void *arg)
{
	struct conn *c = arg;

	c->c_ctr_wait = NULL;
	use_container(c, st, ctr, why);
	maybe_done(c);
}

/*
 * Unix callers: the container, when some client entry of the listener can
 * use it.  There, a caller whose container cannot be told is refused, not
 * taken for a host process: its uid could match an entry meant for the host.
 */
static void
start_container_lookup(struct conn *c, int fd)
{
	const struct sw_config *cfg = pol_set_config(c->c_ps);
	const struct sw_ctr_ident *ctr;
	enum ctr_status st;
	const char *why = NULL;
	char id[65];

	if (!pol_listener_wants_container(cfg, c->c_lsn->l_index))
		return;
	c->c_ctr_looked_up = true;
	if (!c->c_ident.has_peercred) {
		unidentified(c, "cannot identify the calling container",
		    "the kernel did not give its credentials (SO_PEERCRED)");
		return;
	}
	if (c->c_srv->ctrs == NULL) {
		unidentified(c, "cannot identify the calling container",
		    "the container cache is not running");
		return;
	}
	switch (peer_container_id(fd, c->c_ident.pid, id, &why)) {
	case PEER_CTR_UNKNOWN:
		unidentified(c, "cannot identify the calling container",
		    why != NULL ? why : "its cgroup cannot be told");
		return;
	case PEER_CTR_NONE:
		return; /* a live caller in a host cgroup */
	case PEER_CTR_FOUND:
		break;
	}
	st = ctr_cache_get(c->c_srv->ctrs, id, &ctr, &why, ctr_found, c, &c->c_ctr_wait);
	if (st != CTR_PENDING)
		use_container(c, st, ctr, why);
}

/*
 * Without the supplementary groups a gid entry could miss the caller and a
 * later, broader entry match it instead, so such a caller is not identified
 * at all where gid entries exist.  Returns false when it was left so.
 */
static bool
groups_enough(struct conn *c)
{
	if (!c->c_ident.has_peercred || c->c_ident.has_groups ||
	    !pol_listener_wants_groups(pol_set_config(c->c_ps), c->c_lsn->l_index))
		return true;
	unidentified(c, "cannot identify the caller",
	    "the kernel did not give its supplementary groups (SO_PEERGROUPS)");
	return false;
}

/* The kernel's identity, then the container. */
static void
identify_unix(struct conn *c, int fd)
{
	ident_from_socket(fd, &c->c_ident);
	if (groups_enough(c))
		start_container_lookup(c, fd);
}

int
conn_identify_start(struct conn *c, int fd)
{
	struct tls_ctx *tls = c->c_lsn->l_tls;
	struct tls_conn *tc;

	if (!c->c_lsn->l_tcp)
		identify_unix(c, fd);
	if (tls != NULL) {
		if ((tc = tls_conn_new(tls)) == NULL)
			return -1;
		if (sock_start_tls(c->c_bev, tc) == -1)
			return -1;
		c->c_tls_pending = true;
	}
	maybe_done(c);
	return 0;
}

void
conn_identify_tls_done(struct conn *c)
{
	struct tls_conn *tc = sock_tls_conn(c->c_bev);

	c->c_tls_pending = false;
	/* A certificate counts only when its chain verified (optional mode lets others in). */
	if (tc != NULL && tls_conn_peer_ident(tc, &c->c_cert) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	c->c_ident.cert = c->c_cert;
	log_debug("conn %" PRIu64 ": TLS %s, client certificate %s", c->c_id,
	    tc != NULL ? tls_conn_version(tc) : "?",
	    c->c_cert != NULL && c->c_cert->cn != NULL ? c->c_cert->cn :
	    c->c_cert != NULL                          ? "(no CN)" :
	                                                 "none");
	maybe_done(c);
}

bool
conn_identify_timeout(struct conn *c)
{
	if (c->c_tls_pending || c->c_ctr_wait == NULL)
		return false;
	/* A slow daemon is no reason to take the caller for a host process. */
	ctr_wait_cancel(c->c_ctr_wait);
	c->c_ctr_wait = NULL;
	unidentified(
	    c, "cannot identify the calling container", "the Docker daemon did not answer in time");
	conn_identified(c);
	return true;
}

/*
 * What was not resolved when the caller connected is not guessed now: a
 * container not asked for (no entry named one then) would make the caller
 * a host process, and its uid could match an entry meant for the host.
 * The client reconnects to be identified afresh.
 */
void
conn_identify_recheck(struct conn *c)
{
	if (c->c_lsn->l_tcp || c->c_ident.unidentified[0] != '\0' || !groups_enough(c))
		return;
	if (!c->c_ctr_looked_up &&
	    pol_listener_wants_container(pol_set_config(c->c_ps), c->c_lsn->l_index))
		unidentified(c, "the configuration was reloaded",
		    "its client entries now name containers, and this connection's caller was not "
		    "looked up: reconnect");
}

void
conn_identify_release(struct conn *c)
{
	if (c->c_ctr_wait != NULL) {
		ctr_wait_cancel(c->c_ctr_wait);
		c->c_ctr_wait = NULL;
	}
	if (c->c_ident.ctr != NULL) {
		ctr_ident_unref(c->c_ident.ctr);
		c->c_ident.ctr = NULL;
	}
	ident_release(&c->c_ident);
	if (c->c_cert != NULL) {
		tls_cert_ident_free(c->c_cert);
		c->c_cert = NULL;
		c->c_ident.cert = NULL;
	}
}
