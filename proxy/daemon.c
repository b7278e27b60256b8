#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "daemon.h"
#include "server.h"

#define PROBE_RETRY_S   2   /* while the daemon cannot be reached */
#define PROBE_REFRESH_S 300 /* while it can */
#define PROBE_MAX_BYTES (64 * 1024)

struct daemon_probe {
	struct srv *srv;
	struct bufferevent *bev;
	struct event *timer;
	bool known; /* the last probe succeeded */
};

static void probe_schedule(struct daemon_probe *p, int seconds);

static void
copy_string(const cJSON *obj, const char *name, char *out, size_t outsz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	size_t i;

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= outsz)
		return;
	/* Digits, letters and punctuation only: this goes into logs and comparisons. */
	for (i = 0; v->valuestring[i] != '\0'; i++)
		if (v->valuestring[i] < 0x21 || v->valuestring[i] > 0x7e)
			return;
	snprintf(out, outsz, "%s", v->valuestring);
}

int
daemon_parse_version(const char *body, size_t len, struct pol_daemon *d)
{
	cJSON *j = cJSON_ParseWithLength(body, len);

	memset(d, 0, sizeof(*d));
	if (j == NULL)
		return -1;
	copy_string(j, "Version", d->version, sizeof(d->version));
	copy_string(j, "ApiVersion", d->api_version, sizeof(d->api_version));
	cJSON_Delete(j);
	return d->version[0] != '\0' ? 0 : -1;
}

static void
probe_done(struct daemon_probe *p, bool ok)
{
	bufferevent_free(p->bev);
	p->bev = NULL;
	p->known = ok;
	probe_schedule(p, ok ? PROBE_REFRESH_S : PROBE_RETRY_S);
}

static void
probe_finish(struct daemon_probe *p)
{
	struct evbuffer *in = bufferevent_get_input(p->bev);
	size_t len = evbuffer_get_length(in);
	struct evbuffer_ptr end;
	struct pol_daemon d;
	const char *raw, *head_end;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	raw = (const char *)evbuffer_pullup(in, -1);
	if (end.pos < 0 || raw == NULL || strncmp(raw, "HTTP/1.", 7) != 0 ||
	    strncmp(raw + 8, " 200", 4) != 0) {
		probe_done(p, false);
		return;
	}
	head_end = raw + end.pos + 4;
	if (daemon_parse_version(head_end, len - (size_t)end.pos - 4, &d) == -1) {
		probe_done(p, false);
		return;
	}
	if (strcmp(d.version, p->srv->daemon.version) != 0)
		log_info("Docker daemon %s (API %s)", d.version, d.api_version);
	p->srv->daemon = d;
	probe_done(p, true);
}

static void
probe_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct daemon_probe *p = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_EOF) {
		probe_finish(p);
		return;
	}
	probe_done(p, false);
}

static void
probe_readcb(struct bufferevent *bev, void *arg)
{
	struct daemon_probe *p = arg;

	if (evbuffer_get_length(bufferevent_get_input(bev)) > PROBE_MAX_BYTES)
		probe_done(p, false);
}

static void
probe_start(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_probe *p = arg;
	const struct sa_addr *a = &p->srv->upstream;
	struct timeval tv = { 5, 0 };

	(void)fd;
	(void)what;
	if (p->bev != NULL)
		return;
	p->bev = bufferevent_socket_new(p->srv->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (p->bev == NULL) {
		probe_schedule(p, PROBE_RETRY_S);
		return;
	}
	bufferevent_setcb(p->bev, probe_readcb, NULL, probe_eventcb, p);
	bufferevent_set_timeouts(p->bev, &tv, &tv);
	/* HTTP/1.0: the daemon closes after the response, which delimits it. */
	evbuffer_add_printf(bufferevent_get_output(p->bev),
	    "GET /version HTTP/1.0\r\nHost: docker\r\nUser-Agent: sockwarden\r\n\r\n");
	if (bufferevent_socket_connect(p->bev, (const struct sockaddr *)&a->ss, (int)a->len) ==
	    -1) {
		probe_done(p, false);
		return;
	}
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
}

static void
probe_schedule(struct daemon_probe *p, int seconds)
{
	struct timeval tv = { seconds, 0 };

	evtimer_add(p->timer, &tv);
}

struct daemon_probe *
daemon_probe_new(struct srv *s)
{
	struct daemon_probe *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("calloc");
	p->srv = s;
	if ((p->timer = evtimer_new(s->base, probe_start, p)) == NULL)
		fatalx("evtimer_new");
	probe_schedule(p, 0);
	return p;
}

void
daemon_probe_stale(struct daemon_probe *p)
{
	if (p == NULL || !p->known || p->bev != NULL)
		return;
	p->known = false;
	probe_schedule(p, PROBE_RETRY_S);
}

void
daemon_probe_free(struct daemon_probe *p)
{
	if (p == NULL)
		return;
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	event_free(p->timer);
	free(p);
}
