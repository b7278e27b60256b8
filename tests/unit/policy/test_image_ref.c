/*
 * Tests for policy/image_ref.c: references normalised as the daemon's
 * distribution/reference does, IDs and ID prefixes recognised, invalid
 * references refused, and policy patterns normalised the same way.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "image_ref.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

enum ref_kind { NAME, ID, MAYBE_ID, BAD };

struct ref_case {
	const char *name;
	const char *in;
	enum ref_kind kind;
	const char *want; /* normalized; for BAD a substring of the reason */
};

static struct ref_case ref_cases[] = {
	{ "ref: familiar name", "alpine", NAME, "docker.io/library/alpine:latest" },
	{ "ref: familiar with tag", "alpine:3.19", NAME, "docker.io/library/alpine:3.19" },
	{ "ref: docker.io without library", "docker.io/alpine", NAME,
	    "docker.io/library/alpine:latest" },
	{ "ref: full Hub name", "docker.io/library/alpine:edge", NAME,
	    "docker.io/library/alpine:edge" },
	{ "ref: legacy index domain", "index.docker.io/library/alpine", NAME,
	    "docker.io/library/alpine:latest" },
	{ "ref: legacy index, user repo", "index.docker.io/user/app:1", NAME,
	    "docker.io/user/app:1" },
	{ "ref: Hub user repo", "traefik/whoami", NAME, "docker.io/traefik/whoami:latest" },
	{ "ref: registry with dot", "ghcr.io/org/app:v1", NAME, "ghcr.io/org/app:v1" },
	{ "ref: registry with port", "registry.example.org:5000/team/app", NAME,
	    "registry.example.org:5000/team/app:latest" },
	{ "ref: localhost registry", "localhost/app", NAME, "localhost/app:latest" },
	{ "ref: localhost with port", "localhost:5000/app:dev", NAME, "localhost:5000/app:dev" },
	{ "ref: upper-case first part is a registry", "Registry/app", NAME, "Registry/app:latest" },
	{ "ref: IPv6 registry", "[::1]:5000/app", NAME, "[::1]:5000/app:latest" },
	{ "ref: host:port without slash is a tag", "localhost:5000", NAME,
	    "docker.io/library/localhost:5000" },
	{ "ref: digest", "alpine@sha256:" HEX64, NAME, "docker.io/library/alpine@sha256:" HEX64 },
	{ "ref: tag and digest", "alpine:3@sha256:" HEX64, NAME,
	    "docker.io/library/alpine:3@sha256:" HEX64 },
	{ "ref: separators", "a/b.c_d__e-f--g", NAME, "docker.io/a/b.c_d__e-f--g:latest" },
	{ "bad ref: separators in a registry", "a.b_c/g", BAD, "registry" },
	{ "ref: deep path", "r.io/a/b/c/d:t", NAME, "r.io/a/b/c/d:t" },
	{ "ref: full ID", HEX64, ID, HEX64 },
	{ "ref: full ID with algorithm", "sha256:" HEX64, ID, "sha256:" HEX64 },
	{ "ref: short ID", "4e8d", MAYBE_ID, "docker.io/library/4e8d:latest" },
	{ "ref: hex word is maybe an ID", "cafe", MAYBE_ID, "docker.io/library/cafe:latest" },
	{ "ref: short ID with algorithm", "sha256:4e8d", MAYBE_ID,
	    "docker.io/library/sha256:4e8d" },
	{ "ref: not hex is a name", "cafes", NAME, "docker.io/library/cafes:latest" },
	{ "bad ref: empty", "", BAD, "empty" },
	{ "bad ref: upper-case repository", "Alpine", BAD, "repository" },
	{ "bad ref: upper-case path", "ghcr.io/Org/app", BAD, "repository" },
	{ "bad ref: trailing slash", "alpine/", BAD, "repository" },
	{ "bad ref: double slash", "a//b", BAD, "repository" },
	{ "bad ref: leading separator", "-alpine", BAD, "repository" },
	{ "bad ref: trailing separator", "alpine-", BAD, "repository" },
	{ "bad ref: triple underscore", "a___b", BAD, "repository" },
	{ "bad ref: empty tag", "alpine:", BAD, "tag" },
	{ "bad ref: tag with a plus sign", "alpine:a+b", BAD, "tag" },
	{ "bad ref: tag too long", "alpine:" HEX64 HEX64 "x", BAD, "tag" },
	{ "bad ref: short digest", "alpine@sha256:abc", BAD, "digest" },
	{ "bad ref: digest without algorithm", "alpine@" HEX64, BAD, "digest" },
	{ "bad ref: bad registry", "-r.io/app", BAD, "registry" },
	{ "bad ref: registry bad port", "r.io:x/app", BAD, "registry" },
	{ "bad ref: space", "alpine latest", BAD, "" },
};

static void
test_ref_row(void **state)
{
	const struct ref_case *c = *state;
	struct pol_image_ref r;
	const char *why = NULL;
	int rc = pol_image_ref_parse(c->in, &r, &why);

	if (c->kind == BAD) {
		if (rc != -1 || why == NULL)
			fail_msg("row \"%s\": accepted as %s", c->name, r.normalized);
		if (strstr(why, c->want) == NULL)
			fail_msg("row \"%s\": reason \"%s\", want \"%s\"", c->name, why, c->want);
		return;
	}
	if (rc != 0)
		fail_msg("row \"%s\": refused: %s", c->name, why ? why : "?");
	if (strcmp(r.normalized, c->want) != 0)
		fail_msg("row \"%s\": %s, want %s", c->name, r.normalized, c->want);
	if (r.is_id != (c->kind == ID) || r.maybe_id != (c->kind == ID || c->kind == MAYBE_ID))
		fail_msg("row \"%s\": is_id %d maybe_id %d", c->name, r.is_id, r.maybe_id);
}

struct pat_case {
	const char *name;
	const char *in, *want;
};

static struct pat_case pat_cases[] = {
	{ "pattern: familiar", "alpine", "docker.io/library/alpine:latest" },
	{ "pattern: familiar any tag", "alpine:*", "docker.io/library/alpine:*" },
	{ "pattern: user repo", "traefik/whoami", "docker.io/traefik/whoami:latest" },
	{ "pattern: user glob", "myorg/*", "docker.io/myorg/*" },
	{ "pattern: registry tree", "ghcr.io/org/**", "ghcr.io/org/**" },
	{ "pattern: everything", "**", "**" },
	{ "pattern: docker.io short", "docker.io/alpine:3", "docker.io/library/alpine:3" },
	{ "pattern: legacy index", "index.docker.io/alpine", "docker.io/library/alpine:latest" },
	{ "pattern: digest kept", "alpine@sha256:*", "docker.io/library/alpine@sha256:*" },
	{ "pattern: registry port", "r.io:5000/a", "r.io:5000/a:latest" },
};

static void
test_pattern_row(void **state)
{
	const struct pat_case *c = *state;
	char out[POL_IMAGE_REF_MAX];

	if (pol_image_pattern_normalize(c->in, out, sizeof(out)) != 0)
		fail_msg("row \"%s\": refused", c->name);
	if (strcmp(out, c->want) != 0)
		fail_msg("row \"%s\": %s, want %s", c->name, out, c->want);
}

static void
test_pattern_too_long(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(pol_image_pattern_normalize("alpine", out, sizeof(out)), -1);
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(ref_cases) + nitems(pat_cases) + 1];
	size_t i, n = 0;

	for (i = 0; i < nitems(ref_cases); i++)
		tests[n++] = (struct CMUnitTest){ ref_cases[i].name, test_ref_row, NULL, NULL,
			&ref_cases[i] };
	for (i = 0; i < nitems(pat_cases); i++)
		tests[n++] = (struct CMUnitTest){ pat_cases[i].name, test_pattern_row, NULL, NULL,
			&pat_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_pattern_too_long);
	return _cmocka_run_group_tests("image_ref", tests, n, NULL, NULL);
}
