/*
 * A streamed answer made of newline-ended JSON messages (GET /events),
 * rewritten one message at a time as it flows through (stream_lines.c).
 */
#ifndef SW_STREAM_LINES_H
#define SW_STREAM_LINES_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;
struct slines;

/*
 * Rewrites one message ("msg", without its newline or a json-seq record
 * separator).  Returns 0 with *out malloc'd (NULL: pass it unchanged),
 * SLINES_DROP when the message is left out and the stream goes on, or -1
 * when the message cannot be judged (the stream ends).
 */
#define SLINES_DROP 1
typedef int slines_rewrite_fn(void *arg, const char *msg, size_t len, char **out, size_t *outlen);

/*
 * A splitter for messages of at most "max" bytes, each rewritten by "fn"
 * (called with "arg", which it borrows).  NULL when out of memory.
 */
struct slines *slines_new(size_t max, slines_rewrite_fn *fn, void *arg);
void slines_free(struct slines *sl);

/*
 * The answer's head is in (a 200): its body is ours from the moment
 * slines_begin_body() is called.  "chunked": the output is framed as
 * chunks, one per message, else written as it is (a body delimited by the
 * close of the connection).
 */
void slines_start(struct slines *sl, bool chunked);
/* The head went out as it came: from here on body bytes go through slines_feed(). */
bool slines_begin_body(struct slines *sl);
/* Body bytes belong to the splitter (it may have ended the stream already). */
bool slines_in_body(const struct slines *sl);

/*
 * Decoded body bytes.  Every complete message is rewritten and appended
 * to "out"; a partial one is kept (up to "max").  Returns 0, or -1 when
 * the stream was ended: a message too long or refused by the rewrite; the
 * end of the stream (the last chunk) is then written to "out", nothing of
 * that message is, and later bytes are ignored.
 */
int slines_feed(struct slines *sl, const char *p, size_t n, struct evbuffer *out);

/*
 * The daemon's body is complete: a last message without its newline is
 * rewritten, and the stream's end written.  Returns 0, or -1 as
 * slines_feed().
 */
int slines_finish(struct slines *sl, struct evbuffer *out);

/* Why the stream was ended early; NULL when it was not. */
const char *slines_error(const struct slines *sl);

#endif
