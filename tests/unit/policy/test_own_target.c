/*
 * Tests for policy/own_target.c: the daemon path that inspects an object,
 * and the request target rewritten to the resolved id.  Refs with '/',
 * bytes that need %-encoding, and refs that would make a path gorilla/mux
 * redirects instead of routing.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

struct path_case {
	const char *name;
	enum pol_own_type type;
	const char *ref;
	const char *want; /* NULL: refused */
};

static const struct path_case path_cases[] = {
	{ "container", POL_OBJ_CONTAINER, "web", "/containers/web/json" },
	{ "container link alias", POL_OBJ_CONTAINER, "web/db", "/containers/web/db/json" },
	{ "container named json", POL_OBJ_CONTAINER, "json", "/containers/json/json" },
	{ "image with registry", POL_OBJ_IMAGE, "registry.example.org:5000/team/app:1.0",
	    "/images/registry.example.org:5000/team/app:1.0/json" },
	{ "image by digest", POL_OBJ_IMAGE, "alpine@sha256:00ff",
	    "/images/alpine@sha256:00ff/json" },
	{ "image id", POL_OBJ_IMAGE, "sha256:00ff", "/images/sha256:00ff/json" },
	{ "volume", POL_OBJ_VOLUME, "data_1", "/volumes/data_1" },
	{ "volume named create", POL_OBJ_VOLUME, "create", "/volumes/create" },
	{ "network", POL_OBJ_NETWORK, "back-end", "/networks/back-end" },
	{ "exec", POL_OBJ_EXEC, "0123abcd", "/exec/0123abcd/json" },
	{ "space encoded", POL_OBJ_CONTAINER, "a b", "/containers/a%20b/json" },
	{ "question mark encoded", POL_OBJ_CONTAINER, "a?b", "/containers/a%3Fb/json" },
	{ "hash encoded", POL_OBJ_VOLUME, "a#b", "/volumes/a%23b" },
	{ "percent encoded", POL_OBJ_NETWORK, "a%2Fb", "/networks/a%252Fb" },
	{ "semicolon encoded", POL_OBJ_IMAGE, "a;b", "/images/a%3Bb/json" },
	{ "utf-8 encoded", POL_OBJ_VOLUME, "caf\xc3\xa9", "/volumes/caf%C3%A9" },
	{ "empty ref", POL_OBJ_CONTAINER, "", NULL },
	{ "double slash", POL_OBJ_CONTAINER, "a//b", NULL },
	{ "dot-dot segment", POL_OBJ_IMAGE, "../containers/x", NULL },
	{ "dot segment", POL_OBJ_CONTAINER, "a/./b", NULL },
	{ "only dot-dot", POL_OBJ_VOLUME, "..", NULL },
	{ "leading slash", POL_OBJ_CONTAINER, "/web", NULL },
	{ "trailing slash", POL_OBJ_NETWORK, "n/", NULL },
	{ "newline", POL_OBJ_CONTAINER, "a\nb", NULL },
	{ "no type", POL_OBJ_NONE, "x", NULL },
};

static void
test_inspect_path_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(path_cases); i++) {
		const struct path_case *t = &path_cases[i];
		char buf[256];
		int rc = pol_own_inspect_path(t->type, t->ref, buf, sizeof(buf));

		if (t->want == NULL ? rc != -1 : (rc != 0 || strcmp(buf, t->want) != 0)) {
			print_error("row \"%s\": rc %d \"%s\", want %s\n", t->name, rc,
			    rc == 0 ? buf : "", t->want ? t->want : "refusal");
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(path_cases));
}

/* A buffer one byte short is refused, not cut. */
static void
test_inspect_path_small_buffer(void **state)
{
	char buf[64];

	(void)state;
	if (pol_own_inspect_path(POL_OBJ_CONTAINER, "web", buf, strlen("/containers/web/json")) !=
	    -1)
		fail_msg("a buffer without room for the NUL was accepted");
	if (pol_own_inspect_path(
	        POL_OBJ_CONTAINER, "web", buf, strlen("/containers/web/json") + 1) != 0 ||
	    strcmp(buf, "/containers/web/json") != 0)
		fail_msg("the exact size was refused");
}

struct rewrite_case {
	const char *name;
	const char *method;
	const char *path;  /* canonical, no version prefix */
	const char *query; /* raw, without '?' */
	const char *id;
	const char *want; /* NULL: refused */
};

#define ID "4f2a9c0d1e3b"

static const struct rewrite_case rewrite_cases[] = {
	{ "stop by name", "POST", "/containers/web/stop", "t=5", ID,
	    "/containers/" ID "/stop?t=5" },
	{ "link alias", "POST", "/containers/web/db/exec", "", ID, "/containers/" ID "/exec" },
	{ "prefix replaced whole", "DELETE", "/containers/4f", "force=1&v=1", ID,
	    "/containers/" ID "?force=1&v=1" },
	{ "container named like a route word", "POST", "/containers/create/start", "", ID,
	    "/containers/" ID "/start" },
	{ "query kept raw", "GET", "/containers/web/logs", "since=1%2B2&tail=all", ID,
	    "/containers/" ID "/logs?since=1%2B2&tail=all" },
	{ "checkpoint: first variable only", "DELETE", "/containers/web/checkpoints/web", "", ID,
	    "/containers/" ID "/checkpoints/web" },
	{ "exec start", "POST", "/exec/abc/start", "", "abcdef0123", "/exec/abcdef0123/start" },
	{ "volume", "DELETE", "/volumes/data", "", "data", "/volumes/data" },
	{ "network connect", "POST", "/networks/front/connect", "", "9a8b7c",
	    "/networks/9a8b7c/connect" },
	{ "image tag by id", "POST", "/images/app:1/tag", "repo=app&tag=2", "sha256:00ff",
	    "/images/sha256:00ff/tag?repo=app&tag=2" },
	{ "image inspect by id", "GET", "/images/library/app:1/json", "", "sha256:00ff",
	    "/images/sha256:00ff/json" },
	/* These keep the name: by id they would mean something else. */
	{ "image push keeps its name", "POST", "/images/registry.example.org/app:1/push", "tag=1",
	    "sha256:00ff", "/images/registry.example.org/app:1/push?tag=1" },
	{ "image delete keeps its name", "DELETE", "/images/app:1", "", "sha256:00ff",
	    "/images/app:1" },
	{ "image save keeps its name", "GET", "/images/app:1/get", "", "sha256:00ff",
	    "/images/app:1/get" },
	{ "id with slash refused", "POST", "/containers/web/stop", "", "a/b", NULL },
	{ "empty id refused", "POST", "/containers/web/stop", "", "", NULL },
	{ "dot-dot id refused", "POST", "/containers/web/stop", "", "..", NULL },
	{ "id with space refused", "POST", "/containers/web/stop", "", "a b", NULL },
	{ "no ref refused", "GET", "/containers/json", "", ID, NULL },
};

static void
test_rewrite_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(rewrite_cases); i++) {
		const struct rewrite_case *t = &rewrite_cases[i];
		struct sw_req r;
		char buf[512];
		int n;

		memset(&r, 0, sizeof(r));
		r.method = sw_str_cstr(t->method);
		r.path = sw_str_cstr(t->path);
		r.query = sw_str_cstr(t->query);
		r.version = SW_STR_LIT("1.44");
		r.endpoint = pol_ep_match(&r.method, &r.path, &r.ref);
		n = pol_own_rewrite_target(&r, t->id, buf, sizeof(buf));
		if (t->want == NULL) {
			if (n != -1) {
				print_error(
				    "row \"%s\": got \"%s\", want a refusal\n", t->name, buf);
				failed++;
			}
			continue;
		}
		if (n < 0 || strcmp(buf, t->want) != 0 || (size_t)n != strlen(t->want)) {
			print_error("row \"%s\": %d \"%s\", want \"%s\"\n", t->name, n,
			    n >= 0 ? buf : "", t->want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(rewrite_cases));
}

/* A ref that is not a view of the path is found by its first occurrence. */
static void
test_rewrite_ref_copy(void **state)
{
	static const char path[] = "/containers/web/stop";
	char ref[] = "web", buf[128];
	struct sw_req r;
	int n;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = SW_STR_LIT("POST");
	r.path = sw_str_cstr(path);
	r.endpoint = pol_ep_match(&r.method, &r.path, NULL);
	r.ref = sw_str_cstr(ref);
	n = pol_own_rewrite_target(&r, ID, buf, sizeof(buf));
	if (n < 0 || strcmp(buf, "/containers/" ID "/stop") != 0)
		fail_msg("copied ref: %d \"%s\"", n, n >= 0 ? buf : "");
	r.ref = SW_STR_LIT("nothere");
	if (pol_own_rewrite_target(&r, ID, buf, sizeof(buf)) != -1)
		fail_msg("a ref absent from the path was accepted");
}

static void
test_rewrite_small_buffer(void **state)
{
	static const char want[] = "/containers/" ID "/stop?t=5";
	struct sw_req r;
	char buf[128];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = SW_STR_LIT("POST");
	r.path = SW_STR_LIT("/containers/web/stop");
	r.query = SW_STR_LIT("t=5");
	r.endpoint = pol_ep_match(&r.method, &r.path, &r.ref);
	if (pol_own_rewrite_target(&r, ID, buf, strlen(want)) != -1)
		fail_msg("a buffer without room for the NUL was accepted");
	if (pol_own_rewrite_target(&r, ID, buf, strlen(want) + 1) != (int)strlen(want))
		fail_msg("the exact size was refused");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect_path_rows),
		cmocka_unit_test(test_inspect_path_small_buffer),
		cmocka_unit_test(test_rewrite_rows),
		cmocka_unit_test(test_rewrite_ref_copy),
		cmocka_unit_test(test_rewrite_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
