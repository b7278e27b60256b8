/*
 * What the daemon behind us is: its version decides which legacy semantics
 * apply to a request body (top-level HostConfig up to dockerd 26, ...).
 * Asked with GET /version at start, again soon after the daemon was
 * unreachable (it may have been upgraded), and every few minutes.  Until it
 * answers, srv->daemon stays empty and inspection assumes the oldest daemon.
 */
#ifndef SW_DAEMON_H
#define SW_DAEMON_H

struct srv;
struct daemon_probe;

struct daemon_probe *daemon_probe_new(struct srv *s);
/* The daemon could not be reached: ask again once it can. */
void daemon_probe_stale(struct daemon_probe *p);
void daemon_probe_free(struct daemon_probe *p);

/*
 * Parse a GET /version response body into d: 0 with a version (and the API
 * version when it is clean too), or -1 with d zeroed (the daemon is unknown).
 */
struct pol_daemon;
int daemon_parse_version(const char *body, size_t len, struct pol_daemon *d);

#endif
