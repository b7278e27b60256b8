/*
 * Message by message rewriting of a streamed answer.  The daemon's events
 * encoder (encoding/json) writes one JSON object and a newline per message,
 * after an ASCII record separator (0x1e) when the client asked for
 * application/json-seq.  A message may arrive split across chunks and
 * reads, or several in one: the splitter keeps only the partial message at
 * the end of what it was given, never the stream, so memory stays bounded
 * by "max" however long the stream runs.
 *
 * A message that is too long, or that the rewrite refuses (not a JSON
 * object), ends the stream: a message is never passed on unrewritten.  The
 * client sees a well-framed end (the last chunk) and the caller closes the
 * connection.
 */
#include "sockwarden/compat.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "stream_lines.h"

#define JSON_SEQ_RS '\x1e'

/* Once the partial message has been this big, its room is given back after use. */
#define KEEP_ROOM (64u * 1024)

enum slines_state {
	SL_IDLE = 0, /* no answer yet, or not one to rewrite */
	SL_HEAD,     /* a 200 head: the body is ours once the head is out */
	SL_BODY,
	SL_DONE,
	SL_FAILED,
};

struct slines {
	enum slines_state state;
	bool chunked;
	size_t max;
	slines_rewrite_fn *fn;
	void *arg;
	char *buf; /* the partial message */
	size_t len, room;
	const char *error;
};

struct slines *
slines_new(size_t max, slines_rewrite_fn *fn, void *arg)
{
	struct slines *sl;

	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		return NULL;
	sl->max = max;
	sl->fn = fn;
	sl->arg = arg;
	return sl;
}

void
slines_free(struct slines *sl)
{
	if (sl == NULL)
		return;
	free(sl->buf);
	free(sl);
}

void
slines_start(struct slines *sl, bool chunked)
{
	sl->state = SL_HEAD;
	sl->chunked = chunked;
	sl->len = 0;
	sl->error = NULL;
}

bool
slines_begin_body(struct slines *sl)
{
	if (sl->state != SL_HEAD)
		return false;
	sl->state = SL_BODY;
	return true;
}

bool
slines_in_body(const struct slines *sl)
{
	return sl->state >= SL_BODY;
}

const char *
slines_error(const struct slines *sl)
{
	return sl->state == SL_FAILED ? sl->error : NULL;
}

static void
drop_partial(struct slines *sl)
{
	sl->len = 0;
	if (sl->room > KEEP_ROOM) {
		free(sl->buf);
		sl->buf = NULL;
		sl->room = 0;
	}
}

static void
end_stream(struct slines *sl, struct evbuffer *out)
{
	if (sl->chunked)
		evbuffer_add(out, "0\r\n\r\n", 5);
	drop_partial(sl);
}

static int
fail(struct slines *sl, const char *why, struct evbuffer *out)
{
	sl->state = SL_FAILED;
	sl->error = why;
	end_stream(sl, out);
	return -1;
}

/* One whole message (without its newline): rewritten, framed, appended to out. */
static int
emit(struct slines *sl, const char *msg, size_t len, struct evbuffer *out)
{
	size_t rs = len > 0 && msg[0] == JSON_SEQ_RS ? 1 : 0;
	char *rew = NULL;
	size_t rewlen = 0;
	const char *body;
	size_t blen;
	int rc = len == rs ? -1 : sl->fn(sl->arg, msg + rs, len - rs, &rew, &rewlen);

	if (rc == -1)
		return fail(sl, "a message that is not a JSON object", out);
	if (rc == SLINES_DROP) {
		free(rew);
		return 0;
	}
	body = rew != NULL ? rew : msg + rs;
	blen = rew != NULL ? rewlen : len - rs;
	if (sl->chunked)
		evbuffer_add_printf(out, "%zx\r\n", rs + blen + 1);
	if (rs)
		evbuffer_add(out, msg, 1);
	evbuffer_add(out, body, blen);
	evbuffer_add(out, sl->chunked ? "\n\r\n" : "\n", sl->chunked ? 3 : 1);
	free(rew);
	return 0;
}

/* Appends to the partial message; the caller checked the bound. */
static int
keep(struct slines *sl, const char *p, size_t n)
{
	size_t want = sl->len + n, room = sl->room > 0 ? sl->room : 4096;
	char *nb;

	if (want > sl->room) {
		while (room < want)
			room *= 2;
		if ((nb = realloc(sl->buf, room)) == NULL)
			return -1;
		sl->buf = nb;
		sl->room = room;
	}
	memcpy(sl->buf + sl->len, p, n);
	sl->len = want;
	return 0;
}

int
slines_feed(struct slines *sl, const char *p, size_t n, struct evbuffer *out)
{
	const char *nl;
	size_t take, msg;

	if (sl->state == SL_FAILED)
		return -1;
	if (sl->state != SL_BODY)
		return 0;
	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n; /* without the newline */
		msg = sl->len + take;
		if (msg > sl->max)
			return fail(sl, "a message longer than the limit", out);
		if (nl == NULL)
			return keep(sl, p, take) == -1 ? fail(sl, "out of memory", out) : 0;
		if (sl->len == 0) {
			/* The common case: a whole message in what was given, no copy. */
			if (emit(sl, p, take, out) == -1)
				return -1;
		} else {
			if (keep(sl, p, take) == -1)
				return fail(sl, "out of memory", out);
			if (emit(sl, sl->buf, sl->len, out) == -1)
				return -1;
			drop_partial(sl);
		}
		p += take + 1;
		n -= take + 1;
	}
	return 0;
}

int
slines_finish(struct slines *sl, struct evbuffer *out)
{
	if (sl->state == SL_FAILED)
		return -1;
	if (sl->state != SL_BODY)
		return 0;
	if (sl->len > 0 && emit(sl, sl->buf, sl->len, out) == -1)
		return -1;
	sl->state = SL_DONE;
	end_stream(sl, out);
	return 0;
}
