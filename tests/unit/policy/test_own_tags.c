/*
 * Tests for policy/own_tags.c: the image names an ImageTag, ImageBuild or
 * ImageCreate request writes, complete so the daemon's inspect resolves
 * each as a name.  Each row gives the query as a client sends it and either
 * the names ("field=name" joined by ',', in order) or the status of the
 * refusal.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#define HEX64    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST   "sha256:" HEX64
/* DIGEST percent-encoded for a query value */
#define DIGEST_Q "sha256%3A" HEX64

struct row {
	const char *name;
	const char *ep;
	const char *query;
	int status;       /* 0: names expected; 400 or 403: refused */
	const char *want; /* "field=name,..." */
};

static const struct row rows[] = {
	/* ImageTag: repo and tag, first values, "latest" by default. */
	{ "tag repo and tag", "ImageTag", "repo=busybox&tag=sw", 0,
	    "repo/tag=docker.io/library/busybox:sw" },
	{ "tag default latest", "ImageTag", "repo=busybox", 0,
	    "repo/tag=docker.io/library/busybox:latest" },
	{ "tag inside repo", "ImageTag", "repo=busybox:v1", 0,
	    "repo/tag=docker.io/library/busybox:v1" },
	{ "tag parameter replaces repo's", "ImageTag", "repo=busybox:v1&tag=v2", 0,
	    "repo/tag=docker.io/library/busybox:v2" },
	{ "tag encoded colon", "ImageTag", "repo=busybox%3Asw", 0,
	    "repo/tag=docker.io/library/busybox:sw" },
	{ "tag registry port is not a tag", "ImageTag", "repo=host:5000/x", 0,
	    "repo/tag=host:5000/x:latest" },
	{ "tag registry port and tag", "ImageTag", "repo=host:5000/x:t", 0,
	    "repo/tag=host:5000/x:t" },
	{ "tag localhost port", "ImageTag", "repo=localhost:5000/a/b&tag=1.0", 0,
	    "repo/tag=localhost:5000/a/b:1.0" },
	{ "tag namespace", "ImageTag", "repo=me/app&tag=1", 0, "repo/tag=docker.io/me/app:1" },
	{ "tag index.docker.io", "ImageTag", "repo=index.docker.io/me/app", 0,
	    "repo/tag=docker.io/me/app:latest" },
	{ "tag hex name is a name", "ImageTag", "repo=abcdef", 0,
	    "repo/tag=docker.io/library/abcdef:latest" },
	{ "tag repeated takes first", "ImageTag", "repo=a&repo=b&tag=x&tag=y", 0,
	    "repo/tag=docker.io/library/a:x" },
	{ "tag without repo tags nothing", "ImageTag", "tag=x", 0, "" },
	{ "tag empty repo tags nothing", "ImageTag", "repo=&tag=x", 0, "" },
	{ "tag repo with digest", "ImageTag", "repo=busybox@" DIGEST_Q, 400, NULL },
	{ "tag with slash", "ImageTag", "repo=busybox&tag=a/b", 400, NULL },
	{ "tag with colon", "ImageTag", "repo=busybox&tag=a:b", 400, NULL },
	{ "tag with digest", "ImageTag", "repo=busybox&tag=a@" DIGEST_Q, 400, NULL },
	{ "tag starting with dash", "ImageTag", "repo=busybox&tag=-x", 400, NULL },
	{ "tag too long", "ImageTag", "repo=busybox&tag=" HEX64 HEX64 "x", 400, NULL },
	{ "tag upper-case repo", "ImageTag", "repo=BusyBox", 400, NULL },
	{ "tag image id", "ImageTag", "repo=" HEX64, 400, NULL },
	{ "tag prefixed image id", "ImageTag", "repo=" DIGEST_Q, 400, NULL },
	{ "tag bad escape", "ImageTag", "repo=%zz", 400, NULL },
	/* A valid name whose complete form does not fit a struct pol_own_ref. */
	{ "tag name too long to check", "ImageTag",
	    "repo=me/" HEX64 HEX64 HEX64 "&tag=" HEX64 HEX64, 403, NULL },

	/* ImageBuild: every t, "" skipped, duplicates once. */
	{ "build one t", "ImageBuild", "t=app", 0, "t=docker.io/library/app:latest" },
	{ "build several t", "ImageBuild", "t=app:1&dockerfile=D&t=me/app&t=", 0,
	    "t=docker.io/library/app:1,t=docker.io/me/app:latest" },
	{ "build duplicates once", "ImageBuild", "t=app&t=app:latest&t=docker.io/library/app", 0,
	    "t=docker.io/library/app:latest" },
	{ "build registry port", "ImageBuild", "t=host:5000/app", 0, "t=host:5000/app:latest" },
	{ "build without t", "ImageBuild", "dockerfile=Dockerfile&rm=1", 0, "" },
	{ "build digest refused", "ImageBuild", "t=app@" DIGEST_Q, 400, NULL },
	{ "build bad name refused", "ImageBuild", "t=ok&t=Bad", 400, NULL },
	{ "build outputs naming the image", "ImageBuild",
	    "outputs=%5B%7B%22type%22%3A%22moby%22%2C%22attrs%22%3A%7B%22name%22%3A%22x%22%7D%7D%5D",
	    403, NULL },
	{ "build outputs attrs spelled otherwise", "ImageBuild",
	    "t=a&outputs=%5B%7B%22ATTRS%22%3A%7B%22name%22%3A%22x%22%7D%7D%5D", 403, NULL },
	{ "build outputs without a name", "ImageBuild",
	    "t=a&outputs=%5B%7B%22type%22%3A%22tar%22%2C%22attrs%22%3A%7B%22dest%22%3A%22o%22%7D%7D%5D",
	    0, "t=docker.io/library/a:latest" },
	{ "build outputs null", "ImageBuild", "outputs=null", 0, "" },
	{ "build outputs not a list", "ImageBuild", "outputs=%7B%7D", 400, NULL },

	/* ImageCreate, pull: fromImage and tag; a digest writes no tag. */
	{ "pull as the CLI sends it", "ImageCreate",
	    "fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest", 0,
	    "fromImage/tag=docker.io/library/busybox:latest" },
	{ "pull tag parameter", "ImageCreate", "fromImage=busybox&tag=1.36", 0,
	    "fromImage/tag=docker.io/library/busybox:1.36" },
	{ "pull tag in fromImage", "ImageCreate", "fromImage=busybox:1.36", 0,
	    "fromImage/tag=docker.io/library/busybox:1.36" },
	{ "pull tag parameter replaces", "ImageCreate", "fromImage=busybox:1.36&tag=1.37", 0,
	    "fromImage/tag=docker.io/library/busybox:1.37" },
	{ "pull registry port", "ImageCreate", "fromImage=host:5000/x&tag=t", 0,
	    "fromImage/tag=host:5000/x:t" },
	{ "pull repeated takes first", "ImageCreate", "fromImage=a&fromImage=b&tag=1&tag=2", 0,
	    "fromImage/tag=docker.io/library/a:1" },
	{ "pull digest as tag", "ImageCreate", "fromImage=busybox&tag=" DIGEST_Q, 0, "" },
	{ "pull digest in fromImage", "ImageCreate", "fromImage=busybox@" DIGEST_Q, 0, "" },
	{ "pull tag and digest checks the tag", "ImageCreate", "fromImage=busybox:1@" DIGEST_Q, 0,
	    "fromImage/tag=docker.io/library/busybox:1" },
	{ "pull every tag", "ImageCreate", "fromImage=busybox", 403, NULL },
	{ "pull every tag trailing colon", "ImageCreate", "fromImage=busybox:&tag=", 403, NULL },
	{ "pull every tag with a port", "ImageCreate", "fromImage=host:5000/x", 403, NULL },
	{ "pull bad name", "ImageCreate", "fromImage=Busybox&tag=x", 400, NULL },
	{ "pull bad tag", "ImageCreate", "fromImage=busybox&tag=a/b", 400, NULL },
	{ "pull reference too long", "ImageCreate",
	    "fromImage=a" HEX64 HEX64 HEX64 HEX64 HEX64 HEX64 HEX64 HEX64 "&tag=x", 400, NULL },

	/* ImageCreate, import: repo and tag as for ImageTag. */
	{ "import repo and tag", "ImageCreate", "fromSrc=-&repo=imp&tag=v", 0,
	    "repo/tag=docker.io/library/imp:v" },
	{ "import default latest", "ImageCreate", "fromSrc=-&repo=me/imp", 0,
	    "repo/tag=docker.io/me/imp:latest" },
	{ "import without repo", "ImageCreate", "fromSrc=-", 0, "" },
	{ "import repo with digest", "ImageCreate", "fromSrc=-&repo=imp@" DIGEST_Q, 400, NULL },

	/* Nothing for other endpoints, whatever their query. */
	{ "other endpoint", "ImageList", "repo=busybox&t=x", 0, "" },
	{ "push writes no local name", "ImagePush", "tag=x", 0, "" },
};

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];
		struct pol_own_ref refs[POL_OWN_MAX_REFS];
		struct sw_str q = sw_str_cstr(r->query);
		const char *why = NULL;
		char got[2048] = "";
		int n, k, status = -1;

		n = pol_own_written_tags(
		    pol_ep_lookup(r->ep), &q, refs, nitems(refs), &status, &why);
		if (r->status != 0) {
			if (n != -1 || status != r->status || why == NULL)
				fail_msg("%s: got %d (status %d), want a %d refusal with a reason",
				    r->name, n, status, r->status);
			continue;
		}
		if (n < 0)
			fail_msg("%s: refused (%d: %s)", r->name, status, why ? why : "?");
		for (k = 0; k < n; k++) {
			size_t len = strlen(got);

			if (refs[k].type != POL_OBJ_IMAGE || refs[k].field == NULL)
				fail_msg("%s: name %d has type %d, field %s", r->name, k,
				    refs[k].type, refs[k].field ? refs[k].field : "(none)");
			snprintf(got + len, sizeof(got) - len, "%s%s=%s", k ? "," : "",
			    refs[k].field, refs[k].ref);
		}
		if (strcmp(got, r->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", r->name, got, r->want);
	}
}

/* More names than the caller has room to check: refused, never cut short. */
static void
test_too_many(void **state)
{
	struct pol_own_ref refs[2];
	struct sw_str q = sw_str_cstr("t=a&t=b&t=c");
	const char *why = NULL;
	int status = 0;

	(void)state;
	assert_int_equal(pol_own_written_tags(
	                     pol_ep_lookup("ImageBuild"), &q, refs, nitems(refs), &status, &why),
	    -1);
	assert_int_equal(status, 403);
	assert_non_null(why);
	q = sw_str_cstr("t=a&t=b&t=a:latest");
	assert_int_equal(pol_own_written_tags(
	                     pol_ep_lookup("ImageBuild"), &q, refs, nitems(refs), &status, &why),
	    2);
}

/*
 * pol_own_writes_tags(): the proxy checks the names of these requests before
 * it forwards them, so every endpoint pol_own_written_tags() finds a name in
 * (or refuses) must be one, and no other.
 */
static void
test_writes_tags(void **state)
{
	static const struct {
		const char *ep;
		bool want;
	} eps[] = {
		{ "ImageTag", true },
		{ "ImageBuild", true },
		{ "ImageCreate", true },
		{ "ImagePush", false },
		{ "ImageList", false },
		{ "ImageCommit", false },
		{ "ImageLoad", false },
		{ "ContainerCreate", false },
	};
	/* A query each of them writes a name from: repo/tag, t, fromImage/tag. */
	struct sw_str q = sw_str_cstr("repo=busybox&tag=sw&t=app&fromImage=busybox");
	struct pol_own_ref refs[POL_OWN_MAX_REFS];
	const char *why;
	size_t i;
	int ep, n, status;

	(void)state;
	for (i = 0; i < nitems(eps); i++) {
		if ((ep = pol_ep_lookup(eps[i].ep)) <= 0)
			fail_msg("%s: no such endpoint", eps[i].ep);
		if (pol_own_writes_tags(ep) != eps[i].want)
			fail_msg(
			    "%s: writes tags %d, want %d", eps[i].ep, !eps[i].want, eps[i].want);
	}
	for (ep = 1; ep < (int)pol_ep_count(); ep++) {
		n = pol_own_written_tags(ep, &q, refs, nitems(refs), &status, &why);
		if ((n != 0) != pol_own_writes_tags(ep))
			fail_msg("%s: %d names written, writes tags %d", pol_ep_name(ep), n,
			    pol_own_writes_tags(ep));
	}
	for (i = 0; i < nitems(rows); i++)
		if ((rows[i].status != 0 || rows[i].want[0] != '\0') &&
		    !pol_own_writes_tags(pol_ep_lookup(rows[i].ep)))
			fail_msg("%s: %s writes names the proxy would not check", rows[i].name,
			    rows[i].ep);
	if (pol_own_writes_tags(-1) || pol_own_writes_tags((int)pol_ep_count()))
		fail_msg("an unrouted request writes tags");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_writes_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
