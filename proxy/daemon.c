#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "daemon.h"
#include "daemon_call.h"
#include "server.h"

#define PROBE_RETRY_S    2   /* while the daemon cannot be reached */
#define PROBE_REFRESH_S  300 /* while it can */
#define PROBE_MAX_BYTES  (64 * 1024)
#define PROBE_TIMEOUT_MS 5000

struct daemon_probe {
	struct srv *srv;
	struct daemon_call *call; /* the GET /version under way */
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
	if (d->version[0] == '\0') {
		memset(d, 0, sizeof(*d)); /* no API version without the daemon's own */
		return -1;
	}
	return 0;
}

static void
probe_answered(int status, const char *body, size_t len, void *arg)
{
	struct daemon_probe *p = arg;
	struct pol_daemon d;
	bool ok = status == 200 && daemon_parse_version(body, len, &d) == 0;

	p->call = NULL;
	if (ok) {
		if (strcmp(d.version, p->srv->daemon.version) != 0)
			log_info("Docker daemon %s (API %s)", d.version, d.api_version);
		p->srv->daemon = d;
	}
	p->known = ok;
	probe_schedule(p, ok ? PROBE_REFRESH_S : PROBE_RETRY_S);
}

static void
probe_start(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_probe *p = arg;

	(void)fd;
	(void)what;
	if (p->call != NULL)
		return;
	p->call = daemon_call_start(p->srv->base, &p->srv->upstream, "/version", PROBE_MAX_BYTES,
	    PROBE_TIMEOUT_MS, probe_answered, p);
	if (p->call == NULL)
		probe_schedule(p, PROBE_RETRY_S);
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
	if (p == NULL || !p->known || p->call != NULL)
		return;
	p->known = false;
	probe_schedule(p, PROBE_RETRY_S);
}

void
daemon_probe_free(struct daemon_probe *p)
{
	if (p == NULL)
		return;
	if (p->call != NULL)
		daemon_call_cancel(p->call);
	event_free(p->timer);
	free(p);
}
