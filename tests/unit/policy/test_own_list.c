/*
 * Tests for list answers and events messages under ownership and redaction
 * (own_list.c): pol_own_list_kind(), pol_own_filter_list() over every list
 * shape, and pol_redact_event().  Answers are shaped like the daemon's
 * (moby api/types: container.Summary, image.Summary, network.Summary,
 * volume.ListResponse, events.Message), in Go's encoding.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#define LABEL  "io.sockwarden.owner"
#define MINE   "\"" LABEL "\":\"uid:1\""
#define THEIRS "\"" LABEL "\":\"uid:2\""
#define R      "\"<redacted>\""

static const char *const label_globs[] = { "secret.*", "*token" };
/* ownership and redaction */
static const struct pol_ownership both = { true, LABEL, 0, NULL, nitems(label_globs), label_globs };
/* redaction only: no owner filter */
static const struct pol_ownership redact_only = { false, LABEL, 0, NULL, nitems(label_globs),
	label_globs };
/* ownership only: nothing to redact */
static const struct pol_ownership own_only = { true, LABEL, 0, NULL, 0, NULL };

/* ---- pol_own_list_kind --------------------------------------------------------------- */

static void
test_list_kind(void **state)
{
	static const struct {
		const char *ep;
		enum pol_list_kind want;
	} rows[] = {
		{ "ContainerList", POL_LIST_CONTAINERS },
		{ "ImageList", POL_LIST_IMAGES },
		{ "NetworkList", POL_LIST_NETWORKS },
		{ "NetworkListSlash", POL_LIST_NETWORKS },
		{ "VolumeList", POL_LIST_VOLUMES },
		{ "SystemDataUsage", POL_LIST_DF },
		{ "SystemEvents", POL_LIST_EVENTS },
		{ "ContainerPrune", POL_LIST_NONE },
		{ "ContainerInspect", POL_LIST_NONE },
		{ "VolumeInspect", POL_LIST_NONE },
	};
	size_t i;
	int ep;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		if ((ep = pol_ep_lookup(rows[i].ep)) < 0)
			fail_msg("row \"%s\": no such endpoint", rows[i].ep);
		if (pol_own_list_kind(ep) != rows[i].want)
			fail_msg("row \"%s\": kind %d, want %d", rows[i].ep,
			    (int)pol_own_list_kind(ep), (int)rows[i].want);
	}
	if (pol_own_list_kind(-1) != POL_LIST_NONE)
		fail_msg("an unrouted request has a list kind");
}

/* ---- pol_own_filter_list -------------------------------------------------------------- */

struct list_case {
	const char *name;
	enum pol_list_kind kind;
	const struct pol_ownership *o;
	const char *owner;
	const char *json;
	int rc;
	const char *want; /* rc 1 */
};

static struct list_case list_cases[] = {
	/* containers: GET /containers/json */
	{ "containers: redacted, others removed", POL_LIST_CONTAINERS, &both, "uid:1",
	    "[{\"Id\":\"c1\",\"Names\":[\"/a\"],\"Labels\":{\"secret.db\":\"pw\",\"app\":\"x\"," MINE
	    "}},{\"Id\":\"c2\",\"Labels\":{" THEIRS ",\"secret.db\":\"theirs\"}}]",
	    1,
	    "[{\"Id\":\"c1\",\"Names\":[\"/a\"],\"Labels\":{\"secret.db\":" R ",\"app\":\"x\"," MINE
	    "}}]" },
	{ "containers: redact only keeps everyone's", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"Id\":\"c1\",\"Labels\":{\"SECRET.A\":\"1\"}},{\"Id\":\"c2\",\"Labels\":{"
	    "\"api_token\":\"2\",\"b\":\"3\"}}]",
	    1,
	    "[{\"Id\":\"c1\",\"Labels\":{\"SECRET.A\":" R "}},{\"Id\":\"c2\",\"Labels\":{"
	    "\"api_token\":" R ",\"b\":\"3\"}}]" },
	{ "containers: nothing matches", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"Id\":\"c1\",\"Labels\":{\"a\":\"secret.x\"}}]", 0, NULL },
	{ "containers: all mine, nothing to redact", POL_LIST_CONTAINERS, &both, "uid:1",
	    "[{\"Id\":\"c1\",\"Labels\":{" MINE "}}]", 0, NULL },
	{ "containers: already redacted", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"Labels\":{\"secret.a\":" R "}}]", 0, NULL },
	{ "containers: empty list", POL_LIST_CONTAINERS, &both, "uid:1", "[]", 0, NULL },
	{ "containers: null list", POL_LIST_CONTAINERS, &both, "uid:1", "null", 0, NULL },
	{ "containers: labels null, missing", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"Id\":\"c1\",\"Labels\":null},{\"Id\":\"c2\"}]", 0, NULL },
	{ "containers: unlabelled removed under ownership", POL_LIST_CONTAINERS, &both, "uid:1",
	    "[{\"Id\":\"c1\",\"Labels\":null},{\"Id\":\"c2\"},{\"Id\":\"c3\",\"Labels\":{" MINE
	    "}}]",
	    1, "[{\"Id\":\"c3\",\"Labels\":{" MINE "}}]" },
	{ "containers: ownership only, others removed", POL_LIST_CONTAINERS, &own_only, "uid:1",
	    "[{\"Id\":\"c1\",\"Labels\":{" THEIRS "}},{\"Id\":\"c2\",\"Labels\":{" MINE
	    ",\"secret.a\":\"kept\"}}]",
	    1, "[{\"Id\":\"c2\",\"Labels\":{" MINE ",\"secret.a\":\"kept\"}}]" },
	{ "containers: big numbers kept digit for digit", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"SizeRw\":9007199254740993,\"Labels\":{\"secret.a\":\"x\"}}]", 1,
	    "[{\"SizeRw\":9007199254740993,\"Labels\":{\"secret.a\":" R "}}]" },
	{ "containers: not an array", POL_LIST_CONTAINERS, &both, "uid:1", "{\"Id\":\"c\"}", -1,
	    NULL },
	{ "containers: entry not an object", POL_LIST_CONTAINERS, &redact_only, NULL, "[\"c1\"]",
	    -1, NULL },
	{ "containers: labels an array", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"Labels\":[\"secret.a=1\"]}]", -1, NULL },
	{ "containers: label value a number", POL_LIST_CONTAINERS, &redact_only, NULL,
	    "[{\"Labels\":{\"secret.a\":1}}]", -1, NULL },
	{ "containers: truncated", POL_LIST_CONTAINERS, &redact_only, NULL, "[{\"Labels\":{", -1,
	    NULL },
	{ "containers: not JSON", POL_LIST_CONTAINERS, &both, "uid:1", "<html>", -1, NULL },
	{ "containers: trailing data", POL_LIST_CONTAINERS, &redact_only, NULL, "[] []", -1, NULL },
	/* images: GET /images/json */
	{ "images: redacted, unowned pulled image removed", POL_LIST_IMAGES, &both, "uid:1",
	    "[{\"Id\":\"sha256:1\",\"RepoTags\":[\"alpine:3\"],\"Labels\":null},"
	    "{\"Id\":\"sha256:2\",\"Labels\":{" MINE ",\"secret.k\":\"v\"}}]",
	    1, "[{\"Id\":\"sha256:2\",\"Labels\":{" MINE ",\"secret.k\":" R "}}]" },
	{ "images: wrong type", POL_LIST_IMAGES, &redact_only, NULL, "\"images\"", -1, NULL },
	/* networks: GET /networks */
	{ "networks: predefined removed, mine redacted", POL_LIST_NETWORKS, &both, "uid:1",
	    "[{\"Name\":\"bridge\",\"Id\":\"n0\",\"Labels\":{}},{\"Name\":\"mine\",\"Id\":\"n1\","
	    "\"Labels\":{" MINE ",\"x.token\":\"t\"}}]",
	    1, "[{\"Name\":\"mine\",\"Id\":\"n1\",\"Labels\":{" MINE ",\"x.token\":" R "}}]" },
	{ "networks: redact only", POL_LIST_NETWORKS, &redact_only, NULL,
	    "[{\"Name\":\"n\",\"Labels\":{\"secret.a\":\"b\"},\"Options\":{\"secret.o\":\"c\"}}]",
	    1,
	    "[{\"Name\":\"n\",\"Labels\":{\"secret.a\":" R "},\"Options\":{\"secret.o\":\"c\"}}]" },
	{ "networks: empty", POL_LIST_NETWORKS, &redact_only, NULL, "[]", 0, NULL },
	/* volumes: GET /volumes */
	{ "volumes: cluster volume of another owner removed", POL_LIST_VOLUMES, &own_only, "uid:1",
	    "{\"Volumes\":[{\"Name\":\"v1\",\"Driver\":\"local\",\"Labels\":{" MINE "}},"
	    "{\"Name\":\"cv\",\"Driver\":\"csi\",\"Labels\":{" THEIRS "},"
	    "\"ClusterVolume\":{\"ID\":\"x\"}},{\"Name\":\"cv2\",\"Labels\":null}],"
	    "\"Warnings\":[\"w\"]}",
	    1,
	    "{\"Volumes\":[{\"Name\":\"v1\",\"Driver\":\"local\",\"Labels\":{" MINE "}}],"
	    "\"Warnings\":[\"w\"]}" },
	{ "volumes: redacted", POL_LIST_VOLUMES, &both, "uid:1",
	    "{\"Volumes\":[{\"Name\":\"v1\",\"Labels\":{" MINE ",\"secret.x\":\"1\"}}],"
	    "\"Warnings\":null}",
	    1,
	    "{\"Volumes\":[{\"Name\":\"v1\",\"Labels\":{" MINE ",\"secret.x\":" R "}}],"
	    "\"Warnings\":null}" },
	{ "volumes: all mine", POL_LIST_VOLUMES, &own_only, "uid:1",
	    "{\"Volumes\":[{\"Name\":\"v1\",\"Labels\":{" MINE "}}],\"Warnings\":null}", 0, NULL },
	{ "volumes: null list", POL_LIST_VOLUMES, &both, "uid:1",
	    "{\"Volumes\":null,\"Warnings\":null}", 0, NULL },
	{ "volumes: empty list", POL_LIST_VOLUMES, &both, "uid:1", "{\"Volumes\":[]}", 0, NULL },
	{ "volumes: Volumes missing", POL_LIST_VOLUMES, &both, "uid:1", "{\"Warnings\":[]}", 0,
	    NULL },
	{ "volumes: an array at the root", POL_LIST_VOLUMES, &both, "uid:1",
	    "[{\"Name\":\"v1\",\"Labels\":{" MINE "}}]", -1, NULL },
	{ "volumes: Volumes an object", POL_LIST_VOLUMES, &both, "uid:1",
	    "{\"Volumes\":{\"Name\":\"v1\"}}", -1, NULL },
	{ "volumes: entry a string", POL_LIST_VOLUMES, &own_only, "uid:1", "{\"Volumes\":[\"v1\"]}",
	    -1, NULL },
	{ "volumes: label in another case is not the label", POL_LIST_VOLUMES, &own_only, "uid:1",
	    "{\"Volumes\":[{\"Name\":\"v\",\"Labels\":{\"IO.SOCKWARDEN.OWNER\":\"uid:1\"}}]}", 1,
	    "{\"Volumes\":[]}" },
	/* /system/df */
	{ "df: owner filter and redaction, legacy shape", POL_LIST_DF, &both, "uid:1",
	    "{\"LayersSize\":10,\"Images\":[{\"Id\":\"i1\",\"Size\":4,\"Labels\":{" MINE
	    ",\"secret.i\":\"a\"}},{\"Id\":\"i2\",\"Size\":6,\"Labels\":{" THEIRS "}}],"
	    "\"Containers\":[{\"Id\":\"c1\",\"Labels\":{" MINE ",\"secret.c\":\"b\"}}],"
	    "\"Volumes\":null,\"BuildCache\":[]}",
	    1,
	    "{\"Images\":[{\"Id\":\"i1\",\"Size\":4,\"Labels\":{" MINE ",\"secret.i\":" R "}}],"
	    "\"Containers\":[{\"Id\":\"c1\",\"Labels\":{" MINE ",\"secret.c\":" R "}}],"
	    "\"Volumes\":null,\"BuildCache\":[],\"LayersSize\":4}" },
	{ "df: redaction only, current shape", POL_LIST_DF, &redact_only, NULL,
	    "{\"ContainerUsage\":{\"Items\":[{\"Id\":\"c\",\"Labels\":{\"secret.a\":\"1\"}}],"
	    "\"TotalCount\":7},\"VolumeUsage\":{\"Items\":[{\"Name\":\"v\",\"Labels\":{\"b\":\"2\"}}]},"
	    "\"ImageUsage\":null,\"BuildCacheUsage\":{\"TotalCount\":3}}",
	    1,
	    "{\"ContainerUsage\":{\"Items\":[{\"Id\":\"c\",\"Labels\":{\"secret.a\":" R "}}],"
	    "\"TotalCount\":7},\"VolumeUsage\":{\"Items\":[{\"Name\":\"v\",\"Labels\":{\"b\":\"2\"}}]},"
	    "\"ImageUsage\":null,\"BuildCacheUsage\":{\"TotalCount\":3}}" },
	{ "df: redaction only, nothing matches", POL_LIST_DF, &redact_only, NULL,
	    "{\"Images\":[{\"Labels\":{\"a\":\"b\"}}],\"LayersSize\":3}", 0, NULL },
	{ "df: ownership always rewrites (totals)", POL_LIST_DF, &own_only, "uid:1",
	    "{\"LayersSize\":3,\"Images\":[]}", 1, "{\"Images\":[],\"LayersSize\":0}" },
	{ "df: empty", POL_LIST_DF, &redact_only, NULL, "{}", 0, NULL },
	{ "df: items not an array", POL_LIST_DF, &redact_only, NULL,
	    "{\"ContainerUsage\":{\"Items\":{}}}", -1, NULL },
	{ "df: usage a string", POL_LIST_DF, &redact_only, NULL, "{\"ImageUsage\":\"x\"}", -1,
	    NULL },
	{ "df: images a number", POL_LIST_DF, &both, "uid:1", "{\"Images\":1}", -1, NULL },
	{ "df: an array", POL_LIST_DF, &redact_only, NULL, "[]", -1, NULL },
	/* refused calls */
	{ "events is not a list", POL_LIST_EVENTS, &both, "uid:1", "[]", -1, NULL },
	{ "no kind", POL_LIST_NONE, &both, "uid:1", "[]", -1, NULL },
	{ "no policy", POL_LIST_CONTAINERS, NULL, "uid:1", "[]", -1, NULL },
	{ "nothing to do is not parsed", POL_LIST_CONTAINERS, &own_only, NULL, "not json", 0,
	    NULL },
	{ "an empty owner is no owner", POL_LIST_CONTAINERS, &redact_only, "",
	    "[{\"Labels\":{\"secret.a\":\"1\"}}]", 1, "[{\"Labels\":{\"secret.a\":" R "}}]" },
};

/*
 * A call's result against its row: rc as wanted; rc 1 with exactly "want"
 * in out (freed here), any other rc with nothing left in out or outlen.
 */
static void
check_answer(const char *name, int rc, int want_rc, char *out, size_t outlen, const char *want)
{
	if (rc != want_rc)
		fail_msg("row \"%s\": rc %d, want %d (%s)", name, rc, want_rc,
		    rc == 1 && out ? out : "");
	if (rc != 1) {
		if (out != NULL || outlen != 0)
			fail_msg("row \"%s\": rc %d left an answer behind", name, rc);
		return;
	}
	if (out == NULL || strcmp(out, want) != 0 || outlen != strlen(want)) {
		print_error("row \"%s\":\n  got  %s\n  want %s\n", name, out ? out : "", want);
		free(out);
		fail_msg("row \"%s\": wrong answer", name);
	}
	free(out);
}

static void
test_list_row(void **state)
{
	const struct list_case *t = *state;
	char *out = (char *)1;
	size_t outlen = 7;
	int rc = pol_own_filter_list(
	    t->kind, t->o, t->owner, t->json, t->json != NULL ? strlen(t->json) : 0, &out, &outlen);

	check_answer(t->name, rc, t->rc, out, outlen, t->want);
}

/* ---- pol_redact_event ----------------------------------------------------------------- */

struct event_case {
	const char *name;
	const char *json;
	int rc;
	const char *want;
	const struct pol_ownership *o; /* NULL: redact_only */
	const char *owner;
};

/* A container event whose Actor.Attributes are "a". */
#define ATTRS(a) "{\"Type\":\"container\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":" a "}}"

static struct event_case event_cases[] = {
	{ "container create, legacy fields",
	    "{\"status\":\"create\",\"id\":\"c1\",\"from\":\"alpine\",\"Type\":\"container\","
	    "\"Action\":\"create\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"image\":\"alpine\","
	    "\"name\":\"web\",\"secret.db\":\"pw\",\"app_token\":\"t\"}},\"scope\":\"local\","
	    "\"time\":1700000000,\"timeNano\":1700000000123456789}",
	    1,
	    "{\"status\":\"create\",\"id\":\"c1\",\"from\":\"alpine\",\"Type\":\"container\","
	    "\"Action\":\"create\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"image\":\"alpine\","
	    "\"name\":\"web\",\"secret.db\":" R ",\"app_token\":" R "}},\"scope\":\"local\","
	    "\"time\":1700000000,\"timeNano\":1700000000123456789}",
	    NULL, NULL },
	{ "image event labels",
	    "{\"Type\":\"image\",\"Actor\":{\"Attributes\":{\"Secret.K\":\"v\"}}}", 1,
	    "{\"Type\":\"image\",\"Actor\":{\"Attributes\":{\"Secret.K\":" R "}}}", NULL, NULL },
	{ "nothing matches", "{\"Type\":\"network\",\"Actor\":{\"Attributes\":{\"name\":\"n\"}}}",
	    0, NULL, NULL, NULL },
	{ "attributes null", "{\"Type\":\"daemon\",\"Actor\":{\"ID\":\"d\",\"Attributes\":null}}",
	    0, NULL, NULL, NULL },
	{ "attributes missing", "{\"Type\":\"daemon\",\"Actor\":{\"ID\":\"d\"}}", 0, NULL, NULL,
	    NULL },
	{ "actor missing", "{\"Type\":\"daemon\"}", 0, NULL, NULL, NULL },
	{ "actor null", "{\"Actor\":null}", 0, NULL, NULL, NULL },
	{ "empty object", "{}", 0, NULL, NULL, NULL },
	{ "actor a string", "{\"Actor\":\"c1\"}", -1, NULL, NULL, NULL },
	{ "attributes an array", "{\"Actor\":{\"Attributes\":[\"secret.a\"]}}", -1, NULL, NULL,
	    NULL },
	{ "attribute value a number", "{\"Actor\":{\"Attributes\":{\"secret.a\":1}}}", -1, NULL,
	    NULL, NULL },
	{ "an array", "[{\"Actor\":{}}]", -1, NULL, NULL, NULL },
	{ "a string", "\"hello\"", -1, NULL, NULL, NULL },
	{ "truncated", "{\"Actor\":{\"Attributes\":{\"secret.a\":\"x", -1, NULL, NULL, NULL },
	{ "two messages on one line", "{} {}", -1, NULL, NULL, NULL },
	{ "empty", "", -1, NULL, NULL, NULL },
	/* Under ownership: only messages carrying the caller's label pass, as the daemon's filter.
	 */
	{ "mine, redacted", ATTRS("{" MINE ",\"secret.a\":\"x\"}"), 1,
	    ATTRS("{" MINE ",\"secret.a\":" R "}"), &both, "uid:1" },
	{ "mine, nothing to redact", ATTRS("{" MINE ",\"name\":\"web\"}"), 0, NULL, &own_only,
	    "uid:1" },
	{ "another owner's", ATTRS("{" THEIRS ",\"secret.a\":\"x\"}"), POL_EVENT_NOT_OWNED, NULL,
	    &both, "uid:1" },
	{ "no owner label", ATTRS("{\"name\":\"web\"}"), POL_EVENT_NOT_OWNED, NULL, &own_only,
	    "uid:1" },
	{ "owner a prefix of the label's", ATTRS("{\"" LABEL "\":\"uid:10\"}"), POL_EVENT_NOT_OWNED,
	    NULL, &own_only, "uid:1" },
	{ "label key in other case", ATTRS("{\"IO.sockwarden.owner\":\"uid:1\"}"),
	    POL_EVENT_NOT_OWNED, NULL, &own_only, "uid:1" },
	{ "owner label a number", ATTRS("{\"" LABEL "\":1}"), POL_EVENT_NOT_OWNED, NULL, &own_only,
	    "uid:1" },
	{ "attributes null, under ownership", ATTRS("null"), POL_EVENT_NOT_OWNED, NULL, &own_only,
	    "uid:1" },
	{ "a daemon event, no actor", "{\"Type\":\"daemon\",\"Action\":\"reload\"}",
	    POL_EVENT_NOT_OWNED, NULL, &own_only, "uid:1" },
	{ "actor a string, under ownership", "{\"Actor\":\"c1\"}", -1, NULL, &own_only, "uid:1" },
	{ "owner \"\" means none", ATTRS("{" THEIRS "}"), 0, NULL, &own_only, "" },
};

static void
test_event_row(void **state)
{
	const struct event_case *t = *state;
	char *out = (char *)1;
	size_t outlen = 7;
	int rc = pol_redact_event(
	    t->o != NULL ? t->o : &redact_only, t->owner, t->json, strlen(t->json), &out, &outlen);

	check_answer(t->name, rc, t->rc, out, outlen, t->want);
}

static void
test_event_no_policy(void **state)
{
	char *out = NULL;
	size_t outlen;

	(void)state;
	if (pol_redact_event(NULL, NULL, "{}", 2, &out, &outlen) != -1 || out != NULL)
		fail_msg("a message was passed without a policy");
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(list_cases) + nitems(event_cases) + 2];
	size_t i, n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_list_kind);
	for (i = 0; i < nitems(list_cases); i++)
		tests[n++] = (struct CMUnitTest){ list_cases[i].name, test_list_row, NULL, NULL,
			&list_cases[i] };
	for (i = 0; i < nitems(event_cases); i++)
		tests[n++] = (struct CMUnitTest){ event_cases[i].name, test_event_row, NULL, NULL,
			&event_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_event_no_policy);
	return _cmocka_run_group_tests("own_list", tests, n, NULL, NULL);
}
