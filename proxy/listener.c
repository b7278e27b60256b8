#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "sockwarden/log.h"

#include "listener.h"
#include "server.h"
#include "sockaddr.h"
#include "tls.h"

static const char too_many[] = "HTTP/1.1 503 Service Unavailable\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 57\r\n"
                               "Connection: close\r\n"
                               "\r\n"
                               "{\"message\":\"sockwarden: too many connections, try later\"}";

static void
accept_cb(struct evconnlistener *el, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct lsn *l = arg;
	struct srv *s = l->l_srv;

	(void)el;
	(void)sa;
	(void)salen;
	if (s->stopping) {
		close(fd);
		return;
	}
	if (s->n_conns >= srv_limits(s)->max_connections) {
		/*
		 * Best effort on a fresh socket: a short write can only lose the
		 * message.  A TLS client would take plain bytes for a broken
		 * handshake: it gets the close alone.
		 */
		if (!l->l_tls) {
			ssize_t w = write(fd, too_many, sizeof(too_many) - 1);

			(void)w;
		}
		log_debug("listener %s: connection refused, %u open", l->l_name, s->n_conns);
		close(fd);
		return;
	}
	if (l->l_tcp) {
		int one = 1;

		/* Requests and answers are small writes: never hold one back for the next. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (conn_new(s, l, fd) == NULL)
		log_warnx("listener %s: cannot set up a connection", l->l_name);
}

static void
backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lsn *l = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(l->l_el);
}

static void
accept_error_cb(struct evconnlistener *el, void *arg)
{
	struct lsn *l = arg;
	struct timeval one_second = { 1, 0 };

	/*
	 * Out of descriptors: pause accepting for a second, or libevent calls
	 * us again at once for the same pending connection.
	 */
	if (errno == EMFILE || errno == ENFILE) {
		log_debug("listener %s: out of file descriptors, pausing accept", l->l_name);
		evconnlistener_disable(el);
		evtimer_add(l->l_backoff, &one_second);
		return;
	}
	log_warn("listener %s: accept", l->l_name);
}

static int
resolve_owner(const struct sw_socket_opts *o, uid_t *uid, gid_t *gid, char *err, size_t errsz)
{
	char *end;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (o->owner[0] != '\0') {
		unsigned long v = strtoul(o->owner, &end, 10);

		if (*end == '\0' && end != o->owner) {
			*uid = (uid_t)v;
		} else {
			struct passwd *pw = getpwnam(o->owner);

			if (pw == NULL) {
				snprintf(err, errsz, "unknown user \"%s\"", o->owner);
				return -1;
			}
			*uid = pw->pw_uid;
		}
	}
	if (o->group[0] != '\0') {
		unsigned long v = strtoul(o->group, &end, 10);

		if (*end == '\0' && end != o->group) {
			*gid = (gid_t)v;
		} else {
			struct group *gr = getgrnam(o->group);

			if (gr == NULL) {
				snprintf(err, errsz, "unknown group \"%s\"", o->group);
				return -1;
			}
			*gid = gr->gr_gid;
		}
	}
	return 0;
}

/*
 * Make sure nothing is in the way of binding "path": a live listener is
 * never displaced, something that is not a socket is never removed, and a
 * socket nobody listens on any more (a previous run that crashed) is.
 */
static int
clear_stale_socket(const struct sa_addr *a, char *err, size_t errsz)
{
	struct stat st;
	int fd;

	if (lstat(a->path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", a->path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(
		    err, errsz, "%s exists and is not a socket; refusing to replace it", a->path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0) {
		close(fd);
		snprintf(err, errsz, "another process is listening on %s", a->path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, errsz, "%s: cannot tell whether it is in use: %s", a->path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (unlink(a->path) == -1 && errno != ENOENT) {
		snprintf(
		    err, errsz, "%s: cannot remove stale socket: %s", a->path, strerror(errno));
		return -1;
	}
	log_info("removed stale socket %s", a->path);
	return 0;
}

/* Create the socket's directory when it is missing (only the last level, e.g. /run/sockwarden). */
static void
ensure_parent_dir(const char *path)
{
	char dir[108];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0)
		log_info("created directory %s", dir);
}

static int
bind_socket(struct lsn *l, const struct sw_listener_cfg *cfg, const struct sa_addr *a, char *err,
    size_t errsz)
{
	struct stat st;
	uid_t uid;
	gid_t gid;
	mode_t old;
	int fd;

	if (resolve_owner(&cfg->socket, &uid, &gid, err, errsz) == -1)
		return -1;
	ensure_parent_dir(a->path);
	if (clear_stale_socket(a, err, errsz) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	/* Born private; opened up only once owner and group are right. */
	old = umask(0177);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		umask(old);
		snprintf(err, errsz, "bind %s: %s", a->path, strerror(errno));
		goto err_close_fd;
	}
	umask(old);
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(a->path, uid, gid) == -1) {
		snprintf(err, errsz, "chown %s: %s", a->path, strerror(errno));
		goto err_unlink;
	}
	if (chmod(a->path, (mode_t)cfg->socket.mode) == -1) {
		snprintf(err, errsz, "chmod %s: %s", a->path, strerror(errno));
		goto err_unlink;
	}
	if (listen(fd, SOMAXCONN) == -1 || stat(a->path, &st) == -1) {
		snprintf(err, errsz, "listen %s: %s", a->path, strerror(errno));
		goto err_unlink;
	}
	l->l_dev = st.st_dev;
	l->l_ino = st.st_ino;
	return fd;

err_unlink:
	unlink(a->path);
err_close_fd:
	close(fd);
	return -1;
}

static int
bind_tcp(const struct sa_addr *a, const char *url, char *err, size_t errsz)
{
	int fd, one = 1;

	if ((fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	/* A restart must not wait out TIME_WAIT connections of the previous run. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		snprintf(err, errsz, "bind %s: %s", url, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		snprintf(err, errsz, "listen %s: %s", url, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct lsn *
lsn_open(struct srv *srv, const struct sw_listener_cfg *cfg, char *err, size_t errsz)
{
	struct sa_addr a;
	const char *why;
	struct lsn *l;
	int fd;

	if (sa_parse_url(cfg->listen, &a, &why) == -1) {
		snprintf(err, errsz, "listener %s: %s: %s", cfg->name, cfg->listen, why);
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("calloc");
	l->l_srv = srv;
	snprintf(l->l_name, sizeof(l->l_name), "%s", cfg->name);
	if (a.family == AF_UNIX) {
		snprintf(l->l_path, sizeof(l->l_path), "%s", a.path);
		fd = bind_socket(l, cfg, &a, err, errsz);
	} else {
		l->l_tcp = true;
		fd = bind_tcp(&a, cfg->listen, err, errsz);
	}
	if (fd == -1) {
		free(l);
		return NULL;
	}
	l->l_el = evconnlistener_new(
	    srv->base, accept_cb, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (l->l_el == NULL)
		fatalx("evconnlistener_new");
	evconnlistener_set_error_cb(l->l_el, accept_error_cb);
	if ((l->l_backoff = evtimer_new(srv->base, backoff_cb, l)) == NULL)
		fatalx("evtimer_new");
	return l;
}

void
lsn_set_tls(struct lsn *l, struct tls_ctx *ctx)
{
	tls_ctx_free(l->l_tls);
	l->l_tls = ctx;
}

void
lsn_stop(struct lsn *l)
{
	struct stat st;

	if (l == NULL || l->l_stopped)
		return;
	l->l_stopped = true;
	if (l->l_el != NULL)
		evconnlistener_free(l->l_el);
	if (l->l_backoff != NULL)
		event_free(l->l_backoff);
	l->l_el = NULL;
	l->l_backoff = NULL;
	if (!l->l_tcp && lstat(l->l_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == l->l_dev && st.st_ino == l->l_ino)
		unlink(l->l_path);
}

void
lsn_close(struct lsn *l)
{
	if (l == NULL)
		return;
	lsn_stop(l);
	tls_ctx_free(l->l_tls);
	free(l);
}
