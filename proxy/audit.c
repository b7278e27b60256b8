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
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "sockwarden/log.h"

#include "audit.h"
#include "fmt.h"

#define AUDIT_BACKLOG_MAX (4u * 1024 * 1024)

static struct {
	int fd; /* -1: audit off */
	bool owns_fd;
	char path[256];
	struct evbuffer *queue;
	struct event *flush_ev;
	bool flush_pending;
} audit = { .fd = -1 };

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
audit_enabled(void)
{
	return audit.fd != -1;
}

bool
audit_backlogged(void)
{
	return audit.queue != NULL && evbuffer_get_length(audit.queue) > AUDIT_BACKLOG_MAX;
}

/*
 * Every string field has a budget: the most bytes it may take between its
 * quotes once escaped.  The budgets and the fixed part (keys, numbers,
 * punctuation) add up to less than AUDIT_LINE_MAX, so every request leaves
 * a line whatever it carried: an allowed request was forwarded before its
 * line is written, and a decision that cannot be recorded is not made.  A
 * field over its budget is cut and the line says "truncated":true.
 */
#define BUDGET_TARGET   2048
#define BUDGET_PATH     2048
#define BUDGET_FINDINGS 1024
#define BUDGET_NAME     256 /* cert_cn, container, owner, note */
#define BUDGET_RULE     192
#define BUDGET_CONFIG   128  /* listener, endpoint, policy, client_rule */
#define BUDGET_SHORT    32   /* method, api, verdict */
#define BUDGET_HEX      64   /* cert_sha256 */
#define BUDGET_CTR_ID   72   /* container_id: 12 bytes, each escaped at worst */
#define FIXED_MAX       1024 /* keys, numbers, time: about 550 bytes at most */

#define BUDGETS_ALL                                                                      \
	(BUDGET_TARGET + BUDGET_PATH + BUDGET_FINDINGS + 4 * BUDGET_NAME + BUDGET_RULE + \
	    4 * BUDGET_CONFIG + 3 * BUDGET_SHORT + BUDGET_HEX + BUDGET_CTR_ID)
_Static_assert(BUDGETS_ALL + FIXED_MAX <= AUDIT_LINE_MAX, "audit budgets exceed AUDIT_LINE_MAX");

/* The line being written.  Every put_* stops at "end" and marks "overflow". */
struct line {
	char *o;
	char *end;      /* excludes the room kept for "}\n" */
	bool overflow;  /* the buffer is smaller than AUDIT_LINE_MAX needs: no line */
	bool truncated; /* a field was cut to its budget */
};

static void
put_bytes(struct line *l, const void *p, size_t n)
{
	if (n > (size_t)(l->end - l->o)) {
		l->overflow = true;
		return;
	}
	memcpy(l->o, p, n);
	l->o += n;
}

/* A string literal, its length known at compile time. */
#define PUT_LIT(l, lit) put_bytes((l), (lit), sizeof(lit) - 1)

static void
put_u64(struct line *l, uint64_t v)
{
	char digits[FMT_U64_MAX];

	put_bytes(l, digits, fmt_u64(digits, v));
}

static void
put_int(struct line *l, long long v)
{
	if (v < 0) {
		PUT_LIT(l, "-");
		put_u64(l, 0 - (uint64_t)v);
	} else {
		put_u64(l, (uint64_t)v);
	}
}

/* The low "width" decimal digits of v, zero-padded (fractions of a second). */
static void
put_digits(struct line *l, uint64_t v, size_t width)
{
	char digits[FMT_U64_MAX];
	size_t i = width;

	while (i > 0) {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	}
	put_bytes(l, digits, width);
}

/*
 * How many bytes before s[i] begin a UTF-8 sequence that s[i] continues:
 * a cut at i would split that character.  0 when s[i] starts a character.
 */
static size_t
utf8_split(const unsigned char *s, size_t i)
{
	size_t lead = i, need;

	while (lead > 0 && i - lead < 3 && (s[lead] & 0xc0) == 0x80)
		lead--;
	if ((s[i] & 0xc0) != 0x80 || s[lead] < 0xc0)
		return 0; /* not inside a sequence (or a stray continuation byte) */
	need = s[lead] >= 0xf0 ? 4 : s[lead] >= 0xe0 ? 3 : 2;
	return i - lead < need ? i - lead : 0;
}

/*
 * Append s (n untrusted bytes) as a JSON string of at most "budget" bytes
 * between its quotes.  Bytes outside printable ASCII become \u00XX (bytes,
 * not code points: the line stays ASCII).  Over budget, the string is cut
 * before the first byte that does not fit whole: never inside an escape,
 * and never inside a UTF-8 sequence.
 */
static void
put_str(struct line *l, const char *s, size_t n, size_t budget)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t room = (size_t)(l->end - l->o), cap, i;
	char *o = l->o, *lim;

	if (room < 2) {
		l->overflow = true;
		return;
	}
	cap = room - 2 < budget ? room - 2 : budget;
	lim = o + 1 + cap;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char ch = u[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
			if (o == lim)
				break;
			*o++ = (char)ch;
		} else if (ch == '"' || ch == '\\') {
			if (lim - o < 2)
				break;
			*o++ = '\\';
			*o++ = (char)ch;
		} else {
			if (lim - o < 6)
				break;
			memcpy(o, "\\u00", 4);
			o[4] = hex[ch >> 4];
			o[5] = hex[ch & 0xf];
			o += 6;
		}
	}
	if (i < n) {
		o -= 6 * utf8_split(u, i); /* each byte of a sequence took 6 */
		if (cap < budget)
			l->overflow = true;
		else
			l->truncated = true;
	}
	*o++ = '"';
	l->o = o;
}

/* A NUL-terminated string: escaping never shrinks a byte, so budget + 1 bytes show a cut. */
static void
put_cstr(struct line *l, const char *s, size_t budget)
{
	put_str(l, s, strnlen(s, budget + 1), budget);
}

/* An optional field, left out when NULL; "key" is a literal with its comma and colon. */
static void
put_cfield(struct line *l, const char *key, size_t keylen, const char *s, size_t budget)
{
	if (s == NULL)
		return;
	put_bytes(l, key, keylen);
	put_cstr(l, s, budget);
}

#define PUT_CFIELD(l, key, s, budget) put_cfield((l), (key), sizeof(key) - 1, (s), (budget))

/*
 * {"time":"YYYY-MM-DDTHH:MM:SS. for the last second formatted: gmtime_r and
 * the date's digits once a second, not once a line.
 */
static struct {
	bool valid;
	time_t sec;
	size_t len;
	char text[64];
} time_prefix;

static void
put_time(struct line *l, const struct timespec *ts)
{
	if (!time_prefix.valid || time_prefix.sec != ts->tv_sec) {
		struct tm tm;
		int n;

		if (gmtime_r(&ts->tv_sec, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		n = snprintf(time_prefix.text, sizeof(time_prefix.text),
		    "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (n < 0 || (size_t)n >= sizeof(time_prefix.text)) /* 36 bytes at most */
			n = snprintf(time_prefix.text, sizeof(time_prefix.text), "%s",
			    "{\"time\":\"0000-00-00T00:00:00.");
		time_prefix.len = (size_t)n;
		time_prefix.sec = ts->tv_sec;
		time_prefix.valid = true;
	}
	put_bytes(l, time_prefix.text, time_prefix.len);
	put_digits(l, (uint64_t)ts->tv_nsec / 1000, 6);
	PUT_LIT(l, "Z\"");
}

/* Milliseconds with three decimals, rounded to the microsecond. */
static void
put_duration_ms(struct line *l, uint64_t ns)
{
	uint64_t us = ns / 1000 + (ns % 1000 >= 500);

	put_u64(l, us / 1000);
	PUT_LIT(l, ".");
	put_digits(l, us % 1000, 3);
}

/* Who called: kernel identity, certificate, container; only what is known. */
static void
put_client(struct line *l, const struct sw_ident *id)
{
	if (id == NULL || (!id->has_peercred && id->cert == NULL && id->ctr == NULL))
		return;
	PUT_LIT(l, ",\"client\":{");
	if (id->has_peercred) {
		PUT_LIT(l, "\"uid\":");
		put_u64(l, (uint64_t)id->uid);
		PUT_LIT(l, ",\"gid\":");
		put_u64(l, (uint64_t)id->gid);
		PUT_LIT(l, ",\"pid\":");
		put_int(l, (long long)id->pid);
	}
	if (id->cert != NULL) {
		if (id->has_peercred)
			PUT_LIT(l, ",");
		if (id->cert->cn != NULL) {
			PUT_LIT(l, "\"cert_cn\":");
			put_cstr(l, id->cert->cn, BUDGET_NAME);
			PUT_LIT(l, ",");
		}
		PUT_LIT(l, "\"cert_sha256\":");
		put_str(l, id->cert->fingerprint,
		    strnlen(id->cert->fingerprint, sizeof(id->cert->fingerprint)), BUDGET_HEX);
	}
	if (id->ctr != NULL) {
		if (id->has_peercred || id->cert != NULL)
			PUT_LIT(l, ",");
		PUT_LIT(l, "\"container\":");
		put_cstr(l, id->ctr->name, BUDGET_NAME);
		PUT_LIT(l, ",\"container_id\":");
		put_str(l, id->ctr->id, strnlen(id->ctr->id, 12), BUDGET_CTR_ID);
	}
	PUT_LIT(l, "}");
}

size_t
audit_format(const struct audit_rec *r, uint64_t now_ns, char *buf, size_t bufsz)
{
	struct line l;

	if (bufsz < 64)
		return 0;
	l.o = buf;
	l.end = buf + bufsz - 2; /* room for "}\n" */
	l.overflow = false;
	l.truncated = false;
	put_time(&l, &r->start);
	PUT_CFIELD(&l, ",\"listener\":", r->listener, BUDGET_CONFIG);
	PUT_LIT(&l, ",\"conn\":");
	put_u64(&l, r->conn);
	put_client(&l, r->ident);
	PUT_LIT(&l, ",\"method\":");
	put_str(&l, r->method.p, r->method.len, BUDGET_SHORT);
	PUT_LIT(&l, ",\"target\":");
	put_str(&l, r->target.p, r->target.len, BUDGET_TARGET);
	PUT_LIT(&l, ",\"path\":");
	put_str(&l, r->path.p, r->path.len, BUDGET_PATH);
	PUT_LIT(&l, ",\"api\":");
	put_str(&l, r->api.p, r->api.len, BUDGET_SHORT);
	PUT_CFIELD(&l, ",\"endpoint\":", r->endpoint, BUDGET_CONFIG);
	PUT_CFIELD(&l, ",\"verdict\":", r->verdict, BUDGET_SHORT);
	if (r->rule[0] != '\0') {
		PUT_LIT(&l, ",\"rule\":");
		put_str(&l, r->rule, strnlen(r->rule, sizeof(r->rule)), BUDGET_RULE);
	}
	PUT_CFIELD(&l, ",\"policy\":", r->policy, BUDGET_CONFIG);
	PUT_CFIELD(&l, ",\"client_rule\":", r->client_rule, BUDGET_CONFIG);
	PUT_CFIELD(
	    &l, ",\"owner\":", r->owner != NULL && r->owner[0] ? r->owner : NULL, BUDGET_NAME);
	PUT_CFIELD(&l, ",\"note\":", r->note, BUDGET_NAME);
	PUT_CFIELD(&l, ",\"findings\":", r->findings, BUDGET_FINDINGS);
	PUT_LIT(&l, ",\"status\":");
	put_int(&l, r->status);
	PUT_LIT(&l, ",\"bytes_in\":");
	put_u64(&l, r->bytes_in);
	PUT_LIT(&l, ",\"bytes_out\":");
	put_u64(&l, r->bytes_out);
	PUT_LIT(&l, ",\"duration_ms\":");
	put_duration_ms(&l, now_ns > r->start_ns ? now_ns - r->start_ns : 0);
	if (l.truncated)
		PUT_LIT(&l, ",\"truncated\":true");
	if (l.overflow)
		return 0; /* never emit a broken line */
	*l.o++ = '}';
	*l.o++ = '\n';
	return (size_t)(l.o - buf);
}

void
audit_emit(const struct audit_rec *r, uint64_t now_ns)
{
	char line[AUDIT_LINE_MAX];
	size_t n;

	if (audit.fd == -1 || audit.queue == NULL)
		return;
	if ((n = audit_format(r, now_ns, line, sizeof(line))) == 0) {
		/* Cannot happen while every field has a budget (the static assertion above). */
		log_warnx("audit line over AUDIT_LINE_MAX for connection %" PRIu64, r->conn);
		return;
	}
	evbuffer_add(audit.queue, line, n);
	if (!audit.flush_pending) {
		audit.flush_pending = true;
		event_active(audit.flush_ev, EV_TIMEOUT, 0);
	}
}
