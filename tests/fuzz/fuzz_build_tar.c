/*
 * Fuzz harness for policy/build_tar.c.  The first input byte picks the
 * "dockerfile" query value from a small table; the rest is the body.
 * Invariants, checked with abort():
 *
 * - fed whole, byte by byte, or in pieces of sizes drawn from the input,
 *   the walker ends the same way: status, error, safe offset, Dockerfile;
 * - the safe offset never decreases and never passes the bytes fed; a
 *   BAD walker says why, an END one stopped on a block boundary;
 * - at END, the bytes before the safe offset are a whole context by
 *   themselves: fed alone and finished, they give END and the same
 *   Dockerfile (what the daemon may have seen is all that was checked);
 * - a Dockerfile is never larger than POL_BUILD_DOCKERFILE_MAX.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/build_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const args[] = { "", "Dockerfile", "sub/Dockerfile", "a/b/c.df",
	".dockerfile.x" };

struct outcome {
	enum pol_tar_status status;
	const char *error;
	uint64_t safe;
	size_t ndf;
	struct sw_str df[1];
};

enum mode {
	WHOLE,
	BYTES,
	PIECES,
};

/* Runs one walker over body; the caller frees it (the views point into it). */
static struct pol_build_tar *
run(const char *arg, const uint8_t *body, size_t len, enum mode m, struct outcome *o)
{
	struct pol_build_tar *t = pol_build_tar_new(arg);
	uint64_t last = 0, safe;
	uint32_t rnd = (uint32_t)len * 2654435761u + 1;
	size_t off = 0, n;

	if (t == NULL)
		abort();
	while (off < len) {
		if (m == WHOLE) {
			n = len - off;
		} else if (m == BYTES) {
			n = 1;
		} else {
			rnd = rnd * 1103515245u + 12345u;
			n = 1 + (rnd >> 16) % 1100;
		}
		if (n > len - off)
			n = len - off;
		pol_build_tar_feed(t, body + off, n);
		off += n;
		safe = pol_build_tar_safe(t);
		if (safe < last || safe > off)
			abort();
		last = safe;
	}
	o->status = pol_build_tar_finish(t);
	o->error = pol_build_tar_error(t);
	o->safe = pol_build_tar_safe(t);
	o->ndf = pol_build_tar_dockerfile(t, &o->df[0]) ? 1 : 0;
	if (o->safe < last || o->ndf > 1 ||
	    (o->ndf == 1 && o->df[0].len > POL_BUILD_DOCKERFILE_MAX))
		abort();
	if (o->status == POL_TAR_BAD && (o->error == NULL || o->error[0] == '\0' || o->ndf != 0))
		abort();
	if (o->status == POL_TAR_END && (o->error[0] != '\0' || o->safe % 512 != 0))
		abort();
	return t;
}

static void
same(const struct outcome *a, const struct outcome *b)
{
	if (a->status != b->status || strcmp(a->error, b->error) != 0 || a->safe != b->safe ||
	    a->ndf != b->ndf)
		abort();
	if (a->ndf == 1 && !sw_str_eq(&a->df[0], &b->df[0]))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pol_build_tar *t[4];
	struct outcome o[4];
	const char *arg;
	size_t i;

	if (size == 0)
		return 0;
	arg = args[data[0] % nitems(args)];
	data++;
	size--;

	t[0] = run(arg, data, size, WHOLE, &o[0]);
	t[1] = run(arg, data, size, BYTES, &o[1]);
	t[2] = run(arg, data, size, PIECES, &o[2]);
	same(&o[0], &o[1]);
	same(&o[0], &o[2]);
	if (o[0].status == POL_TAR_END) {
		t[3] = run(arg, data, (size_t)o[0].safe, WHOLE, &o[3]);
		same(&o[0], &o[3]);
		pol_build_tar_free(t[3]);
	}
	for (i = 0; i < 3; i++)
		pol_build_tar_free(t[i]);
	return 0;
}
