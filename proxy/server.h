/*
 * Process-wide state: the event base, the running policy set, listeners,
 * open connections, and the signal-driven lifecycle (reload, stop).
 */
#ifndef SW_SERVER_H
#define SW_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "sockaddr.h"

struct event_base;
struct event;
struct daemon_probe;
struct tls_ctx;
struct ctr_cache;
struct mem_trim;

struct srv {
	struct event_base *base;
	struct pol_set *ps;      /* running set; connections hold their own references */
	const char *config_path; /* NULL: the embedded default */
	struct sa_addr upstream;
	struct lsn **lsns;
	size_t n_lsns;
	struct conn_list conns;
	unsigned n_conns;
	uint64_t next_conn_id;
	bool stopping;
	struct event *stop_timer;
	struct event *sig_ev[4];
	struct pol_daemon daemon; /* what GET /version said; empty until known */
	struct daemon_probe *probe;
	struct tls_ctx *ups_tls;      /* TLS to a tcp:// daemon; NULL: plain */
	struct ctr_cache *ctrs;       /* callers' containers, kept by the daemon's events */
	struct client_limit *clients; /* open connections per client (limits) */
	struct mem_trim *trim;        /* freed memory back to the system */
};

/* Takes the reference in "ps".  Opens listeners and the audit log; exits on failure. */
int srv_init(struct srv *s, struct event_base *base, struct pol_set *ps, const char *config_path);
/* Stop accepting, let in-flight requests finish up to the shutdown timeout, then return. */
void srv_stop(struct srv *s);
/*
 * Read every TLS context the configuration asks for, then let them go: what
 * "sockwarden check" must prove before a start or a reload would.  -1 with
 * the listener (or upstream), the file and the reason in "err".
 */
int srv_check_tls(const struct sw_config *cfg, char *err, size_t errsz);
/* Load the configuration again; a bad file keeps the running one (logged). */
void srv_reload(struct srv *s);
/* A connection went away; ends the loop when stopping and none are left. */
void srv_conn_gone(struct srv *s);
void srv_free(struct srv *s);

const struct sw_limits *srv_limits(const struct srv *s);

#endif
