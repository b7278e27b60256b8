/*
 * Fuzz harness for policy/build_dockerfile.c.  The input is a Dockerfile;
 * when it begins with '{', its first line is the buildargs JSON instead.
 * Invariants, checked with abort():
 *
 * - a refusal has a non-empty, NUL-terminated reason and no images;
 * - an accepted file lists at most 64 images, each once, each 1 to 4096
 *   characters of [A-Za-z0-9._:/@-];
 * - line endings do not matter: a file without '\r', with every "\n" made
 *   "\r\n", gives the same answer and the same images, in the same order
 *   (any other '\r' is refused: daemon versions read it differently);
 * - nothing leaks (the sanitizer's leak check).
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/build_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CRLF_MAX 2048 /* inputs re-read with CRLF (larger ones only cost time) */

static bool
is_ref_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '/' || c == '@' || c == '-';
}

static void
check_answer(int rc, const struct pol_build_refs *refs, const char *why, size_t whysz)
{
	size_t i, k, n;

	if (rc == -1) {
		if (why[0] == '\0' || memchr(why, '\0', whysz) == NULL)
			abort();
		if (refs->n != 0 || refs->ref != NULL)
			abort();
		return;
	}
	if (rc != 0 || refs->n > 64 || (refs->n > 0 && refs->ref == NULL))
		abort();
	for (i = 0; i < refs->n; i++) {
		n = strlen(refs->ref[i]);
		if (n == 0 || n > 4096)
			abort();
		for (k = 0; k < n; k++)
			if (!is_ref_char(refs->ref[i][k]))
				abort();
		for (k = 0; k < i; k++)
			if (strcmp(refs->ref[i], refs->ref[k]) == 0)
				abort();
	}
}

static void
check_crlf(
    const char *text, size_t len, const char *buildargs, int rc, const struct pol_build_refs *refs)
{
	struct pol_build_refs again = { NULL, 0, false };
	char why[256];
	size_t i, n = 0;
	char *crlf;
	int rc2;

	if (len > CRLF_MAX || memchr(text, '\r', len) != NULL ||
	    (crlf = malloc(2 * len + 1)) == NULL)
		return;
	for (i = 0; i < len; i++) {
		if (text[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = text[i];
	}
	rc2 = pol_build_dockerfile_refs(crlf, n, buildargs, &again, why, sizeof(why));
	if (rc2 != rc || again.n != refs->n)
		abort();
	for (i = 0; i < refs->n; i++)
		if (strcmp(again.ref[i], refs->ref[i]) != 0)
			abort();
	pol_build_refs_free(&again);
	free(crlf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl;
	struct pol_build_refs refs = { NULL, 0, false };
	char why[256], *buildargs;
	size_t len = size, blen = 0;
	int rc;

	if (size > 0 && text[0] == '{' && (nl = memchr(text, '\n', size)) != NULL) {
		blen = (size_t)(nl - text);
		text = nl + 1;
		len = size - blen - 1;
	}
	if ((buildargs = malloc(blen + 1)) == NULL)
		return 0;
	memcpy(buildargs, data, blen);
	buildargs[blen] = '\0';
	memset(why, 'x', sizeof(why));
	rc = pol_build_dockerfile_refs(text, len, buildargs, &refs, why, sizeof(why));
	check_answer(rc, &refs, why, sizeof(why));
	check_crlf(text, len, buildargs, rc, &refs);
	pol_build_refs_free(&refs);
	free(buildargs);
	return 0;
}
