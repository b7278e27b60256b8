/*
 * The message splitter of a rewritten stream (stream_lines.c): messages
 * split across reads at every byte, several in one read, json-seq record
 * separators, chunk framing of the output, and the ways a stream ends
 * early (a message too long, not a JSON object, a blank line), where
 * nothing of the bad message may come out.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include <cmocka.h>

#include "stream_lines.h"

/*
 * The stand-in for the policy's rewrite: a message must look like an object
 * ({...}); one that starts {"drop" is left out (another owner's); every
 * "pw" in it becomes "<redacted>".
 */
static int calls;

static int
fake_rewrite(void *arg, const char *msg, size_t len, char **out, size_t *outlen)
{
	size_t i, o = 0, hits = 0;
	char *r;

	(void)arg;
	calls++;
	*out = NULL;
	if (len < 2 || msg[0] != '{' || msg[len - 1] != '}')
		return -1;
	if (len >= 7 && memcmp(msg, "{\"drop\"", 7) == 0)
		return SLINES_DROP;
	for (i = 0; i + 1 < len; i++)
		if (msg[i] == 'p' && msg[i + 1] == 'w')
			hits++;
	if (hits == 0)
		return 0;
	if ((r = malloc(len + hits * 8)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (i + 1 < len && msg[i] == 'p' && msg[i + 1] == 'w') {
			memcpy(r + o, "<redacted>", 10);
			o += 10;
			i++;
		} else {
			r[o++] = msg[i];
		}
	}
	*out = r;
	*outlen = o;
	return 0;
}

/* The output so far, as a NUL-terminated string (the caller frees it). */
static char *
drain(struct evbuffer *out)
{
	size_t n = evbuffer_get_length(out);
	char *s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_remove(out, s, n);
	s[n] = '\0';
	return s;
}

static struct slines *
started(size_t max, bool chunked)
{
	struct slines *sl = slines_new(max, fake_rewrite, NULL);

	assert_non_null(sl);
	slines_start(sl, chunked);
	assert_false(slines_in_body(sl));
	assert_true(slines_begin_body(sl));
	assert_false(slines_begin_body(sl));
	assert_true(slines_in_body(sl));
	return sl;
}

struct split_case {
	const char *name;
	bool chunked;
	size_t max;
	const char *in;   /* the decoded body */
	bool finish;      /* the body ends after "in" */
	int rc;           /* of the last feed (or finish) */
	const char *want; /* everything written to the client */
	const char *error;
};

#define M1  "{\"a\":\"pw\"}"
#define M2  "{\"b\":2}"
#define RM1 "{\"a\":\"<redacted>\"}"
#define MX  "{\"drop\":\"pw\"}"

static struct split_case split_cases[] = {
	{ "one message, chunked", true, 1024, M1 "\n", true, 0, "13\r\n" RM1 "\n\r\n0\r\n\r\n",
	    NULL },
	{ "two messages, chunked", true, 1024, M1 "\n" M2 "\n", true, 0,
	    "13\r\n" RM1 "\n\r\n8\r\n" M2 "\n\r\n0\r\n\r\n", NULL },
	{ "not chunked: lines as they are", false, 1024, M2 "\n" M1 "\n", true, 0, M2 "\n" RM1 "\n",
	    NULL },
	{ "json-seq separators kept", true, 1024, "\x1e" M1 "\n\x1e" M2 "\n", true, 0,
	    "14\r\n\x1e" RM1 "\n\r\n9\r\n\x1e" M2 "\n\r\n0\r\n\r\n", NULL },
	{ "a last message without its newline", true, 1024, M2 "\n" M1, true, 0,
	    "8\r\n" M2 "\n\r\n13\r\n" RM1 "\n\r\n0\r\n\r\n", NULL },
	{ "a partial message is held, not sent", true, 1024, M2 "\n{\"a\":", false, 0,
	    "8\r\n" M2 "\n\r\n", NULL },
	{ "empty body", true, 1024, "", true, 0, "0\r\n\r\n", NULL },
	{ "another owner's message left out, chunked", true, 1024, M1 "\n" MX "\n" M2 "\n", true, 0,
	    "13\r\n" RM1 "\n\r\n8\r\n" M2 "\n\r\n0\r\n\r\n", NULL },
	{ "another owner's message left out, not chunked", false, 1024, "\x1e" MX "\n" M2 "\n" MX,
	    true, 0, M2 "\n", NULL },
	{ "only others' messages: nothing but the end", true, 1024, MX "\n" MX "\n", true, 0,
	    "0\r\n\r\n", NULL },
	{ "a message of exactly the limit", true, 7, M2 "\n", true, 0, "8\r\n" M2 "\n\r\n0\r\n\r\n",
	    NULL },
	{ "a message over the limit", true, 6, M2 "\n", false, -1, "0\r\n\r\n",
	    "a message longer than the limit" },
	{ "a partial message over the limit", true, 6, M2, false, -1, "0\r\n\r\n",
	    "a message longer than the limit" },
	{ "over the limit after good ones", true, 8, M2 "\n{\"long\":\"xxxxxxxx\"}\n" M2 "\n",
	    false, -1, "8\r\n" M2 "\n\r\n0\r\n\r\n", "a message longer than the limit" },
	{ "not JSON ends the stream", true, 1024, M2 "\nhello pw\n" M1 "\n", false, -1,
	    "8\r\n" M2 "\n\r\n0\r\n\r\n", "a message that is not a JSON object" },
	{ "an array ends the stream", true, 1024, "[" M1 "]\n", false, -1, "0\r\n\r\n",
	    "a message that is not a JSON object" },
	{ "a blank line ends the stream", true, 1024, M2 "\n\n", false, -1,
	    "8\r\n" M2 "\n\r\n0\r\n\r\n", "a message that is not a JSON object" },
	{ "a lone separator ends the stream", true, 1024, "\x1e\n", false, -1, "0\r\n\r\n",
	    "a message that is not a JSON object" },
	{ "a bad last fragment ends it, unsent", true, 1024, M2 "\n{\"a\":\"pw\"", true, -1,
	    "8\r\n" M2 "\n\r\n0\r\n\r\n", "a message that is not a JSON object" },
	{ "not chunked: the end adds nothing", false, 6, M2 "\n", false, -1, "",
	    "a message longer than the limit" },
};

/* Feeds "in" whole, then byte by byte, then at every split point: the output is the same. */
static void
test_split_row(void **state)
{
	const struct split_case *t = *state;
	size_t len = strlen(t->in), cut;

	for (cut = 0; cut <= len + 1; cut++) {
		struct evbuffer *out = evbuffer_new();
		struct slines *sl = started(t->max, t->chunked);
		int rc = 0, r;
		size_t i;
		char *got;

		assert_non_null(out);
		if (cut == len + 1) {
			/* one byte at a time */
			for (i = 0; i < len; i++)
				if ((r = slines_feed(sl, t->in + i, 1, out)) != 0)
					rc = r;
		} else {
			if ((r = slines_feed(sl, t->in, cut, out)) != 0)
				rc = r;
			if ((r = slines_feed(sl, t->in + cut, len - cut, out)) != 0)
				rc = r;
		}
		if (t->finish && (r = slines_finish(sl, out)) != 0)
			rc = r;
		got = drain(out);
		if (rc != t->rc || strcmp(got, t->want) != 0)
			fail_msg(
			    "row \"%s\" (cut %zu): rc %d, want %d\n  got  \"%s\"\n  want \"%s\"",
			    t->name, cut, rc, t->rc, got, t->want);
		if ((t->error == NULL) != (slines_error(sl) == NULL) ||
		    (t->error != NULL && strcmp(t->error, slines_error(sl)) != 0))
			fail_msg("row \"%s\" (cut %zu): error \"%s\", want \"%s\"", t->name, cut,
			    slines_error(sl) ? slines_error(sl) : "(none)",
			    t->error ? t->error : "(none)");
		/* After an early end, more bytes are refused and write nothing. */
		if (rc == -1) {
			if (slines_feed(sl, M2 "\n", 8, out) != -1 ||
			    slines_finish(sl, out) != -1 || evbuffer_get_length(out) != 0)
				fail_msg("row \"%s\": the ended stream went on", t->name);
		}
		free(got);
		slines_free(sl);
		evbuffer_free(out);
	}
}

/* Before the head is out, body bytes are not the splitter's: nothing is written. */
static void
test_idle_until_begun(void **state)
{
	struct evbuffer *out = evbuffer_new();
	struct slines *sl = slines_new(1024, fake_rewrite, NULL);

	(void)state;
	assert_non_null(out);
	assert_non_null(sl);
	assert_false(slines_in_body(sl));
	assert_false(slines_begin_body(sl)); /* no head yet */
	calls = 0;
	assert_int_equal(slines_feed(sl, M1 "\n", strlen(M1) + 1, out), 0);
	assert_int_equal(slines_finish(sl, out), 0);
	assert_int_equal(evbuffer_get_length(out), 0);
	assert_int_equal(calls, 0);
	assert_null(slines_error(sl));
	slines_start(sl, true);
	assert_int_equal(slines_feed(sl, M1 "\n", strlen(M1) + 1, out), 0);
	assert_int_equal(evbuffer_get_length(out), 0); /* the head is not out yet */
	slines_free(sl);
	slines_free(NULL);
	evbuffer_free(out);
}

/* A long stream: memory held is the partial message only, and every message comes out. */
static void
test_long_stream(void **state)
{
	struct evbuffer *out = evbuffer_new();
	struct slines *sl = started(1u << 20, true);
	static char big[200 * 1024];
	size_t i, want = 0;

	(void)state;
	assert_non_null(out);
	/* A 200 KiB message split in 1000-byte reads, ten times over. */
	big[0] = '{';
	memset(big + 1, 'x', sizeof(big) - 3);
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\n';
	for (i = 0; i < 10; i++) {
		size_t off;

		for (off = 0; off < sizeof(big); off += 1000) {
			size_t n = sizeof(big) - off < 1000 ? sizeof(big) - off : 1000;

			assert_int_equal(slines_feed(sl, big + off, n, out), 0);
		}
		want += 7 + sizeof(big) + 2; /* "32000\r\n", the message, "\r\n" */
		assert_int_equal(evbuffer_get_length(out), want);
		evbuffer_drain(out, evbuffer_get_length(out));
		want = 0;
	}
	slines_free(sl);
	evbuffer_free(out);
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(split_cases) + 2];
	size_t i, n = 0;

	for (i = 0; i < nitems(split_cases); i++)
		tests[n++] = (struct CMUnitTest){ split_cases[i].name, test_split_row, NULL, NULL,
			&split_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_idle_until_begun);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_long_stream);
	return _cmocka_run_group_tests("stream_lines", tests, n, NULL, NULL);
}
