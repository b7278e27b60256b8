/*
 * Audit lines are rendered by hand into a bounded buffer (cJSON would
 * allocate per line on the hot path), queued in an evbuffer and written once
 * per loop pass.  When the destination cannot keep up and the queue passes
 * AUDIT_BACKLOG_MAX, audit_backlogged() makes the proxy refuse requests: a
 * decision that cannot be recorded is not made (fail closed).
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "sockwarden/log.h"

#include "audit.h"

#define AUDIT_LINE_MAX    8192
#define AUDIT_BACKLOG_MAX (4u * 1024 * 1024)

static struct {
	int fd; /* -1: audit off */
	bool owns_fd;
	char path[256];
	struct evbuffer *queue;
	struct event *flush_ev;
	bool flush_pending;
} audit = { .fd = -1 };

uint64_t
audit_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	audit.flush_pending = false;
	while (audit.fd != -1 && evbuffer_get_length(audit.queue) > 0) {
		int n = evbuffer_write(audit.queue, audit.fd);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("audit write");
			break;
		}
	}
	if (evbuffer_get_length(audit.queue) > 0 && audit.fd != -1 && !audit.flush_pending) {
		/* Try again shortly rather than spin. */
		struct timeval tv = { 0, 10000 };

		audit.flush_pending = true;
		event_add(audit.flush_ev, &tv);
	}
}

static int
open_dest(const char *dest)
{
	int fd;

	if (strcmp(dest, "off") == 0) {
		audit.fd = -1;
		audit.owns_fd = false;
		return 0;
	}
	if (strcmp(dest, "stderr") == 0) {
		audit.fd = STDERR_FILENO;
		audit.owns_fd = false;
		return 0;
	}
	fd = open(dest, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd == -1)
		return -1;
	audit.fd = fd;
	audit.owns_fd = true;
	return 0;
}

int
audit_open(struct event_base *base, const char *dest)
{
	if (audit.queue == NULL) {
		if ((audit.queue = evbuffer_new()) == NULL)
			return -1;
		if ((audit.flush_ev = evtimer_new(base, flush_cb, NULL)) == NULL)
			return -1;
	}
	snprintf(audit.path, sizeof(audit.path), "%s", dest);
	return open_dest(dest);
}

void
audit_close(void)
{
	if (audit.queue != NULL)
		flush_cb(-1, 0, NULL);
	if (audit.owns_fd)
		close(audit.fd);
	audit.fd = -1;
	audit.owns_fd = false;
	if (audit.flush_ev != NULL)
		event_free(audit.flush_ev);
	audit.flush_ev = NULL;
	if (audit.queue != NULL)
		evbuffer_free(audit.queue);
	audit.queue = NULL;
}

int
audit_reopen(void)
{
	int old = audit.fd;
	bool owned = audit.owns_fd;

	if (!owned)
		return 0;
	flush_cb(-1, 0, NULL);
	if (open_dest(audit.path) == -1) {
		audit.fd = old; /* keep writing to the old file */
		return -1;
	}
	close(old);
	return 0;
}

bool
audit_backlogged(void)
{
	return audit.queue != NULL && evbuffer_get_length(audit.queue) > AUDIT_BACKLOG_MAX;
}

/* Append a JSON string (with quotes), escaping untrusted bytes; stops at "end". */
static char *
put_json_str(char *o, char *end, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (o >= end)
		return o;
	*o++ = '"';
	for (i = 0; i < n && o + 7 < end; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			*o++ = '\\';
			*o++ = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			/* Bytes, not code points: keep the line valid ASCII JSON. */
			memcpy(o, "\\u00", 4);
			o[4] = hex[ch >> 4];
			o[5] = hex[ch & 0xf];
			o += 6;
		} else {
			*o++ = (char)ch;
		}
	}
	if (o < end)
		*o++ = '"';
	return o;
}

static char *put_fmt(char *o, char *end, const char *fmt, ...) SW_PRINTF(3, 4);

static char *
put_fmt(char *o, char *end, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o >= end)
		return end;
	va_start(ap, fmt);
	n = vsnprintf(o, (size_t)(end - o), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= end - o)
		return end;
	return o + n;
}

static char *
put_field(char *o, char *end, const char *key, const char *s, size_t n)
{
	o = put_fmt(o, end, ",\"%s\":", key);
	return put_json_str(o, end, s, n);
}

static char *
put_cfield(char *o, char *end, const char *key, const char *s)
{
	if (s == NULL)
		return o;
	return put_field(o, end, key, s, strlen(s));
}

/* Who called: kernel identity, certificate, container; only what is known. */
static char *
put_client(char *o, char *end, const struct sw_ident *id)
{
	const char *sep = "";

	if (id == NULL || (!id->has_peercred && id->cert == NULL && id->ctr == NULL))
		return o;
	o = put_fmt(o, end, ",\"client\":{");
	if (id->has_peercred) {
		o = put_fmt(o, end, "\"uid\":%u,\"gid\":%u,\"pid\":%d", (unsigned)id->uid,
		    (unsigned)id->gid, (int)id->pid);
		sep = ",";
	}
	if (id->cert != NULL) {
		if (id->cert->cn != NULL) {
			o = put_fmt(o, end, "%s\"cert_cn\":", sep);
			o = put_json_str(o, end, id->cert->cn, strlen(id->cert->cn));
			sep = ",";
		}
		o = put_fmt(o, end, "%s\"cert_sha256\":\"%s\"", sep, id->cert->fingerprint);
		sep = ",";
	}
	if (id->ctr != NULL) {
		o = put_fmt(o, end, "%s\"container\":", sep);
		o = put_json_str(o, end, id->ctr->name, strlen(id->ctr->name));
		o = put_fmt(o, end, ",\"container_id\":\"%.12s\"", id->ctr->id);
	}
	return put_fmt(o, end, "}");
}

size_t
audit_format(const struct audit_rec *r, uint64_t now_ns, char *buf, size_t bufsz)
{
	char *o = buf, *end = buf + bufsz - 2; /* room for "}\n" */
	struct tm tm;
	uint64_t dur = now_ns > r->start_ns ? now_ns - r->start_ns : 0;

	if (bufsz < 64)
		return 0;
	gmtime_r(&r->start.tv_sec, &tm);
	o = put_fmt(o, end, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, r->start.tv_nsec / 1000);
	o = put_cfield(o, end, "listener", r->listener);
	o = put_fmt(o, end, ",\"conn\":%" PRIu64, r->conn);
	o = put_client(o, end, r->ident);
	o = put_field(o, end, "method", r->method.p, r->method.len);
	o = put_field(o, end, "target", r->target.p, r->target.len);
	o = put_field(o, end, "path", r->path.p, r->path.len);
	o = put_field(o, end, "api", r->api.p, r->api.len);
	o = put_cfield(o, end, "endpoint", r->endpoint);
	o = put_cfield(o, end, "verdict", r->verdict);
	o = put_cfield(o, end, "rule", r->rule[0] ? r->rule : NULL);
	o = put_cfield(o, end, "policy", r->policy);
	o = put_cfield(o, end, "client_rule", r->client_rule);
	o = put_cfield(o, end, "owner", r->owner != NULL && r->owner[0] ? r->owner : NULL);
	o = put_cfield(o, end, "note", r->note);
	o = put_cfield(o, end, "findings", r->findings);
	o = put_fmt(o, end,
	    ",\"status\":%d,\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64
	    ",\"duration_ms\":%.3f",
	    r->status, r->bytes_in, r->bytes_out, (double)dur / 1e6);
	if (o >= end)
		return 0; /* never emit a truncated, invalid line */
	*o++ = '}';
	*o++ = '\n';
	return (size_t)(o - buf);
}

void
audit_emit(const struct audit_rec *r, uint64_t now_ns)
{
	char line[AUDIT_LINE_MAX];
	size_t n;

	if (audit.fd == -1 || audit.queue == NULL)
		return;
	if ((n = audit_format(r, now_ns, line, sizeof(line))) == 0) {
		log_warnx("audit line too long for connection %" PRIu64, r->conn);
		return;
	}
	evbuffer_add(audit.queue, line, n);
	if (!audit.flush_pending) {
		audit.flush_pending = true;
		event_active(audit.flush_ev, EV_TIMEOUT, 0);
	}
}
