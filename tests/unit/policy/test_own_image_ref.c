/*
 * The image a ContainerCreate is made from (Config.Image) is a reference
 * that ownership checks, as the daemon's create resolves it (GetImage: an
 * exact name, then an id prefix).  Unlike the other references, an image
 * nobody owns (pulled) may be used: unowned_ok is set on it and on nothing
 * else.  It is never pinned to its id: the container keeps its image name.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#define LABEL "io.sockwarden.owner"
#define OWNER "uid:1000"
#define ID64  "3f2a9c00112233445566778899aabbccddeeff00112233445566778899aabbcc"

struct row {
	const char *name;
	const char *ep;
	const char *body;
	int n;            /* expected count, -1 for a refusal */
	const char *want; /* "type:ref,..." in order: I image, c container, v volume, n network */
};

static const struct row rows[] = {
	{ "image by name", "ContainerCreate", "{\"Image\":\"busybox\"}", 1, "I:busybox" },
	{ "image name and tag", "ContainerCreate", "{\"Image\":\"busybox:sw\"}", 1,
	    "I:busybox:sw" },
	{ "image with a registry", "ContainerCreate", "{\"Image\":\"127.0.0.1:5000/team/app:v1\"}",
	    1, "I:127.0.0.1:5000/team/app:v1" },
	{ "image by id prefix", "ContainerCreate", "{\"Image\":\"3f2a9\"}", 1, "I:3f2a9" },
	{ "image by full id", "ContainerCreate", "{\"Image\":\"sha256:" ID64 "\"}", 1,
	    "I:sha256:" ID64 },
	{ "image by digest", "ContainerCreate", "{\"Image\":\"app@sha256:" ID64 "\"}", 1,
	    "I:app@sha256:" ID64 },
	{ "image first, then the others", "ContainerCreate",
	    "{\"HostConfig\":{\"VolumesFrom\":[\"data\"],\"Binds\":[\"v:/v\"],"
	    "\"NetworkMode\":\"back\"},\"Image\":\"app\"}",
	    4, "I:app,n:back,c:data,v:v" },
	{ "image named like a container is still checked", "ContainerCreate",
	    "{\"Image\":\"web\",\"HostConfig\":{\"NetworkMode\":\"container:web\"}}", 2,
	    "I:web,c:web" },
	/* Go's decoder matches the key case-insensitively. */
	{ "image key in lower case", "ContainerCreate", "{\"image\":\"app\"}", 1, "I:app" },
	{ "image key in upper case", "ContainerCreate", "{\"IMAGE\":\"app\"}", 1, "I:app" },
	{ "two spellings are both checked", "ContainerCreate",
	    "{\"Image\":\"mine\",\"image\":\"theirs\"}", 2, "I:mine,I:theirs" },
	{ "one image named twice once", "ContainerCreate", "{\"Image\":\"a\",\"iMage\":\"a\"}", 1,
	    "I:a" },
	/* Nothing to look up: the daemon refuses or ignores these itself. */
	{ "empty image is the daemon's", "ContainerCreate", "{\"Image\":\"\"}", 0, "" },
	{ "null image", "ContainerCreate", "{\"Image\":null}", 0, "" },
	{ "image a number", "ContainerCreate", "{\"Image\":1}", 0, "" },
	{ "image a list", "ContainerCreate", "{\"Image\":[\"app\"]}", 0, "" },
	{ "no image", "ContainerCreate", "{}", 0, "" },
	{ "no body", "ContainerCreate", "", 0, "" },
	{ "image inside HostConfig is not the image", "ContainerCreate",
	    "{\"HostConfig\":{\"Image\":\"app\"}}", 0, "" },
	{ "a key that only starts like it", "ContainerCreate", "{\"Images\":\"app\"}", 0, "" },
	{ "network connect has no image", "NetworkConnect",
	    "{\"Container\":\"web\",\"Image\":\"app\"}", 1, "c:web" },
	{ "network create has no image", "NetworkCreate", "{\"Name\":\"n\",\"Image\":\"app\"}", 0,
	    "" },
	/* Too long to hold whole: refused rather than checked cut short. */
	{ "image too long to check", "ContainerCreate", "{\"Image\":\"" ID64 ID64 ID64 ID64 "x\"}",
	    -1, "" },
	{ "not an object", "ContainerCreate", "[{\"Image\":\"app\"}]", -1, "" },
};

static char
type_letter(const struct pol_own_ref *r)
{
	switch (r->type) {
	case POL_OBJ_IMAGE:
		return 'I';
	case POL_OBJ_CONTAINER:
		return 'c';
	case POL_OBJ_VOLUME:
		return 'v';
	case POL_OBJ_NETWORK:
		return 'n';
	default:
		return '?';
	}
}

static int
read_refs(const char *ep, const char *body, struct pol_own_ref *refs, size_t max, const char **why)
{
	char *out = NULL;
	size_t outlen = 0;
	int n = pol_own_read_body(
	    pol_ep_lookup(ep), body, strlen(body), LABEL, OWNER, refs, max, &out, &outlen, why);

	free(out);
	return n;
}

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];
		struct pol_own_ref refs[POL_OWN_MAX_REFS];
		const char *why = NULL;
		char got[1024] = "";
		int n, k;

		n = read_refs(r->ep, r->body, refs, nitems(refs), &why);
		if (n != r->n)
			fail_msg(
			    "%s: %d references (%s), want %d", r->name, n, why ? why : "", r->n);
		if (n < 0) {
			if (why == NULL)
				fail_msg("%s: refused without a reason", r->name);
			continue;
		}
		for (k = 0; k < n; k++) {
			const struct pol_own_ref *ref = &refs[k];
			bool image = ref->type == POL_OBJ_IMAGE;
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, "%s%c:%s", k ? "," : "",
			    type_letter(ref), ref->ref);
			/* Only an image may be used without an owner; it is named "Image". */
			if (ref->unowned_ok != image)
				fail_msg("%s: reference %d (%s) unowned_ok %d", r->name, k,
				    ref->ref, ref->unowned_ok);
			if (image && (ref->field == NULL || strcmp(ref->field, "Image") != 0 ||
			                 ref->name_only || ref->id[0] != '\0'))
				fail_msg("%s: image reference %d (%s) field %s name_only %d",
				    r->name, k, ref->ref, ref->field ? ref->field : "(null)",
				    ref->name_only);
		}
		if (strcmp(got, r->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", r->name, got, r->want);
	}
}

/* One image more than the refs hold is refused, not left unchecked. */
static void
test_image_beyond_max(void **state)
{
	const char *body = "{\"Image\":\"app\",\"HostConfig\":{\"VolumesFrom\":[\"a\",\"b\"]}}";
	struct pol_own_ref refs[2];
	const char *why = NULL;

	(void)state;
	assert_int_equal(read_refs("ContainerCreate", body, refs, nitems(refs), &why), -1);
	assert_non_null(why);
}

/*
 * pol_own_pin_refs(): containers and networks go up by the id that was
 * checked; the image keeps its name, even when the lookup gave its id.
 */
static void
test_image_not_pinned(void **state)
{
	static const struct {
		const char *name, *body;
		int rc;
		const char *want;
	} pins[] = {
		{ "image alone is unchanged", "{\"Image\":\"busybox:sw\",\"Cmd\":[\"true\"]}", 0,
		    NULL },
		{ "image by id prefix is unchanged", "{\"Image\":\"3f2a9\"}", 0, NULL },
		{ "image kept, container pinned",
		    "{\"Image\":\"app\",\"HostConfig\":{\"VolumesFrom\":[\"data\"]}}", 1,
		    "{\"Image\":\"app\",\"HostConfig\":{\"VolumesFrom\":[\"f00data\"]}}" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(pins); i++) {
		struct pol_own_ref refs[POL_OWN_MAX_REFS];
		const char *why = NULL;
		char *out = NULL;
		size_t outlen = 0;
		int n, k, rc;

		n = read_refs("ContainerCreate", pins[i].body, refs, nitems(refs), &why);
		if (n < 1)
			fail_msg("%s: %d references (%s)", pins[i].name, n, why ? why : "");
		for (k = 0; k < n; k++)
			snprintf(refs[k].id, sizeof(refs[k].id), "%s%s",
			    refs[k].type == POL_OBJ_IMAGE ? "sha256:" ID64 : "f00",
			    refs[k].type == POL_OBJ_IMAGE ? "" : refs[k].ref);
		rc = pol_own_pin_refs(pol_ep_lookup("ContainerCreate"), pins[i].body,
		    strlen(pins[i].body), refs, (size_t)n, &out, &outlen, &why);
		if (rc != pins[i].rc)
			fail_msg("%s: rc %d, want %d (%s)", pins[i].name, rc, pins[i].rc,
			    why ? why : "");
		if (rc == 0 && out != NULL)
			fail_msg("%s: unchanged but a body came back", pins[i].name);
		if (rc == 1 &&
		    (outlen != strlen(pins[i].want) || memcmp(out, pins[i].want, outlen) != 0))
			fail_msg(
			    "%s: got %.*s, want %s", pins[i].name, (int)outlen, out, pins[i].want);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_image_beyond_max),
		cmocka_unit_test(test_image_not_pinned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
