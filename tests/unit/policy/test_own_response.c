/*
 * Tests for the daemon's answers under ownership: pol_own_read_inspect()
 * (own_inspect.c), /system/df through pol_own_filter_list() (own_df.c) and pol_redact_inspect()
 * (own_redact.c).  Answers are shaped like the daemon's (the fields that
 * matter, in Go's encoding).
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

#include "own_int.h"

#define LABEL "io.sockwarden.owner"

/* ---- pol_own_read_inspect ----------------------------------------------------------- */

struct inspect_case {
	const char *name;
	enum pol_own_type type;
	const char *json;
	int rc;
	const char *id, *owner, *ctr;
};

#define CID "4f2a9c0d1e3b5a6f"

static const struct inspect_case inspect_cases[] = {
	{ "container owned", POL_OBJ_CONTAINER,
	    "{\"Id\":\"" CID "\",\"Name\":\"/web\",\"Config\":{\"Image\":\"alpine\","
	    "\"Labels\":{\"a\":\"b\",\"" LABEL "\":\"uid:1000\"}}}",
	    0, CID, "uid:1000", "" },
	{ "container without the label", POL_OBJ_CONTAINER,
	    "{\"Id\":\"" CID "\",\"Config\":{\"Labels\":{\"a\":\"b\"}}}", 0, CID, "", "" },
	{ "container labels null", POL_OBJ_CONTAINER,
	    "{\"Id\":\"" CID "\",\"Config\":{\"Labels\":null}}", 0, CID, "", "" },
	{ "label in another case is not the label", POL_OBJ_CONTAINER,
	    "{\"Id\":\"" CID "\",\"Config\":{\"Labels\":{\"IO.SOCKWARDEN.OWNER\":\"uid:1000\"}}}",
	    0, CID, "", "" },
	{ "top-level Labels of a container do not count", POL_OBJ_CONTAINER,
	    "{\"Id\":\"" CID "\",\"Labels\":{\"" LABEL "\":\"uid:1000\"},\"Config\":{}}", 0, CID,
	    "", "" },
	{ "owner value with '='", POL_OBJ_CONTAINER,
	    "{\"Id\":\"" CID "\",\"Config\":{\"Labels\":{\"" LABEL "\":\"cn:a=b\"}}}", 0, CID,
	    "cn:a=b", "" },
	{ "image owned", POL_OBJ_IMAGE,
	    "{\"Id\":\"sha256:00ff\",\"RepoTags\":[\"app:1\"],\"Config\":{\"Labels\":{\"" LABEL
	    "\":\"uid:7\"}}}",
	    0, "sha256:00ff", "uid:7", "" },
	{ "image without config", POL_OBJ_IMAGE, "{\"Id\":\"sha256:00ff\"}", 0, "sha256:00ff", "",
	    "" },
	{ "volume by name", POL_OBJ_VOLUME,
	    "{\"Name\":\"data\",\"Driver\":\"local\",\"Labels\":{\"" LABEL "\":\"uid:7\"}}", 0,
	    "data", "uid:7", "" },
	{ "volume labels null", POL_OBJ_VOLUME, "{\"Name\":\"data\",\"Labels\":null}", 0, "data",
	    "", "" },
	{ "network", POL_OBJ_NETWORK,
	    "{\"Name\":\"n\",\"Id\":\"9a8b\",\"Labels\":{\"" LABEL "\":\"uid:7\"}}", 0, "9a8b",
	    "uid:7", "" },
	{ "network labels in Config are not its labels", POL_OBJ_NETWORK,
	    "{\"Id\":\"9a8b\",\"Config\":{\"Labels\":{\"" LABEL "\":\"uid:7\"}}}", 0, "9a8b", "",
	    "" },
	{ "exec", POL_OBJ_EXEC, "{\"ID\":\"e1\",\"Running\":false,\"ContainerID\":\"" CID "\"}", 0,
	    "e1", "", CID },
	/* refused */
	{ "exec without container", POL_OBJ_EXEC, "{\"ID\":\"e1\"}", -1, "", "", "" },
	{ "exec id spelled Id", POL_OBJ_EXEC, "{\"Id\":\"e1\",\"ContainerID\":\"" CID "\"}", -1, "",
	    "", "" },
	{ "no id", POL_OBJ_CONTAINER, "{\"Config\":{}}", -1, "", "", "" },
	{ "empty id", POL_OBJ_CONTAINER, "{\"Id\":\"\"}", -1, "", "", "" },
	{ "id with slash", POL_OBJ_CONTAINER, "{\"Id\":\"a/b\"}", -1, "", "", "" },
	{ "id not a string", POL_OBJ_NETWORK, "{\"Id\":7}", -1, "", "", "" },
	{ "label value not a string", POL_OBJ_VOLUME,
	    "{\"Name\":\"v\",\"Labels\":{\"" LABEL "\":1}}", -1, "", "", "" },
	{ "labels an array", POL_OBJ_VOLUME, "{\"Name\":\"v\",\"Labels\":[]}", -1, "", "", "" },
	{ "config a string", POL_OBJ_CONTAINER, "{\"Id\":\"" CID "\",\"Config\":\"x\"}", -1, "", "",
	    "" },
	{ "not an object", POL_OBJ_CONTAINER, "[]", -1, "", "", "" },
	{ "not JSON", POL_OBJ_CONTAINER, "{\"Id\":", -1, "", "", "" },
	{ "no type", POL_OBJ_NONE, "{\"Id\":\"x\"}", -1, "", "", "" },
};

static void
test_inspect_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(inspect_cases); i++) {
		const struct inspect_case *t = &inspect_cases[i];
		char id[128] = "junk", owner[64] = "junk", ctr[128] = "junk";
		int rc = pol_own_read_inspect(t->type, t->json, strlen(t->json), LABEL, id,
		    sizeof(id), owner, sizeof(owner), ctr, sizeof(ctr));

		if (rc != t->rc || strcmp(id, t->id) != 0 || strcmp(owner, t->owner) != 0 ||
		    strcmp(ctr, t->ctr) != 0) {
			print_error("row \"%s\": rc %d id \"%s\" owner \"%s\" ctr \"%s\"; "
			            "want %d \"%s\" \"%s\" \"%s\"\n",
			    t->name, rc, id, owner, ctr, t->rc, t->id, t->owner, t->ctr);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(inspect_cases));
}

/* Values that do not fit are refused, never compared cut short. */
static void
test_inspect_small_buffers(void **state)
{
	static const char json[] =
	    "{\"Id\":\"" CID "\",\"Config\":{\"Labels\":{\"" LABEL "\":\"uid:1000\"}}}";
	char id[64], owner[64];

	(void)state;
	if (pol_own_read_inspect(POL_OBJ_CONTAINER, json, strlen(json), LABEL, id, sizeof(id),
	        owner, strlen("uid:1000"), NULL, 0) != -1)
		fail_msg("an owner one byte too long for its buffer was accepted");
	if (owner[0] != '\0')
		fail_msg("a refused read left an owner behind: \"%s\"", owner);
	if (pol_own_read_inspect(POL_OBJ_CONTAINER, json, strlen(json), LABEL, id, strlen(CID),
	        owner, sizeof(owner), NULL, 0) != -1)
		fail_msg("an id too long for its buffer was accepted");
	if (pol_own_read_inspect(POL_OBJ_CONTAINER, json, strlen(json), LABEL, id, sizeof(id),
	        owner, sizeof(owner), NULL, 0) != 0 ||
	    strcmp(owner, "uid:1000") != 0)
		fail_msg("the exact sizes were refused");
	if (pol_own_read_inspect(POL_OBJ_CONTAINER, json, strlen(json), "", id, sizeof(id), owner,
	        sizeof(owner), NULL, 0) != -1)
		fail_msg("an empty label was accepted");
}

/* ---- pol_own_ref_is ----------------------------------------------------------------- */

static void
test_ref_is_rows(void **state)
{
	static const struct {
		const char *name, *ref;
		bool name_only;
		const char *json;
		bool want;
	} rows[] = {
		{ "by its name", "cfg", true, "{\"Name\":\"cfg\",\"Id\":\"9a8b7c\"}", true },
		{ "by its id", "9a8b7c", true, "{\"Name\":\"cfg\",\"Id\":\"9a8b7c\"}", false },
		{ "by an id prefix", "9a8b", true, "{\"Name\":\"cfg\",\"Id\":\"9a8b7c\"}", false },
		{ "name in another case", "CFG", true, "{\"Name\":\"cfg\"}", false },
		{ "no Name", "cfg", true, "{\"Id\":\"9a8b7c\"}", false },
		{ "Name not a string", "cfg", true, "{\"Name\":7}", false },
		{ "not JSON", "cfg", true, "{\"Name\":", false },
		{ "any other reference by id", "9a8b", false, "{\"Name\":\"cfg\"}", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		struct pol_own_ref r = { .type = POL_OBJ_NETWORK, .field = "ConfigFrom.Network" };

		snprintf(r.ref, sizeof(r.ref), "%s", rows[i].ref);
		r.name_only = rows[i].name_only;
		if (pol_own_ref_is(&r, rows[i].json, strlen(rows[i].json)) != rows[i].want)
			fail_msg("row \"%s\": got %d", rows[i].name, !rows[i].want);
	}
}

/* ---- /system/df: pol_own_filter_list(POL_LIST_DF), own_df.c ---------------------------- */

#define MINE   "\"Labels\":{\"" LABEL "\":\"uid:1\"}"
#define THEIRS "\"Labels\":{\"" LABEL "\":\"uid:2\"}"

static const struct pol_ownership own_only = { true, LABEL, 0, NULL, 0, NULL };

struct df_case {
	const char *name;
	const char *json;
	const char *want; /* NULL: refused */
};

static const struct df_case df_cases[] = {
	{ "legacy shape",
	    "{\"LayersSize\":9000,"
	    "\"Images\":[{\"Id\":\"i1\",\"Size\":100,\"SharedSize\":0,\"Containers\":1," MINE "},"
	    "{\"Id\":\"i2\",\"Size\":200," THEIRS "},{\"Id\":\"i3\",\"Size\":300,\"Labels\":null}],"
	    "\"Containers\":[{\"Id\":\"c1\"," THEIRS "},{\"Id\":\"c2\",\"SizeRw\":5," MINE "}],"
	    "\"Volumes\":[{\"Name\":\"v1\"," MINE "},{\"Name\":\"v2\",\"Labels\":{}}],"
	    "\"BuildCache\":[{\"ID\":\"b1\",\"Size\":70}]}",
	    "{\"Images\":[{\"Id\":\"i1\",\"Size\":100,\"SharedSize\":0,\"Containers\":1," MINE "}],"
	    "\"Containers\":[{\"Id\":\"c2\",\"SizeRw\":5," MINE "}],"
	    "\"Volumes\":[{\"Name\":\"v1\"," MINE "}],\"BuildCache\":[],\"LayersSize\":100}" },
	{ "current shape totals recomputed",
	    "{\"ImageUsage\":{\"ActiveCount\":3,\"Items\":["
	    "{\"Id\":\"i1\",\"Size\":100,\"SharedSize\":40,\"Containers\":0," MINE "},"
	    "{\"Id\":\"i2\",\"Size\":50,\"SharedSize\":0,\"Containers\":2," MINE "},"
	    "{\"Id\":\"i3\",\"Size\":999,\"Containers\":5," THEIRS "}],"
	    "\"Reclaimable\":77,\"TotalCount\":3,\"TotalSize\":1149},"
	    "\"ContainerUsage\":{\"Items\":["
	    "{\"Id\":\"c1\",\"SizeRw\":10,\"State\":\"running\"," MINE "},"
	    "{\"Id\":\"c2\",\"SizeRw\":20,\"State\":\"exited\"," MINE "},"
	    "{\"Id\":\"c3\",\"SizeRw\":40,\"State\":\"running\"," THEIRS "}],"
	    "\"TotalCount\":3,\"TotalSize\":70},"
	    "\"VolumeUsage\":{\"Items\":["
	    "{\"Name\":\"v1\",\"UsageData\":{\"Size\":8,\"RefCount\":0}," MINE "},"
	    "{\"Name\":\"v2\",\"UsageData\":{\"Size\":4,\"RefCount\":1}," MINE "},"
	    "{\"Name\":\"v3\",\"UsageData\":{\"Size\":-1,\"RefCount\":0}," MINE "},"
	    "{\"Name\":\"v4\",\"UsageData\":{\"Size\":16,\"RefCount\":0}," THEIRS "}],"
	    "\"TotalCount\":4},"
	    "\"BuildCacheUsage\":{\"Items\":[{\"ID\":\"b\"}],\"TotalCount\":1,\"TotalSize\":5}}",
	    "{\"ImageUsage\":{\"Items\":["
	    "{\"Id\":\"i1\",\"Size\":100,\"SharedSize\":40,\"Containers\":0," MINE "},"
	    "{\"Id\":\"i2\",\"Size\":50,\"SharedSize\":0,\"Containers\":2," MINE "}],"
	    "\"ActiveCount\":1,\"Reclaimable\":60,\"TotalCount\":2,\"TotalSize\":150},"
	    "\"ContainerUsage\":{\"Items\":["
	    "{\"Id\":\"c1\",\"SizeRw\":10,\"State\":\"running\"," MINE "},"
	    "{\"Id\":\"c2\",\"SizeRw\":20,\"State\":\"exited\"," MINE "}],"
	    "\"ActiveCount\":1,\"Reclaimable\":20,\"TotalCount\":2,\"TotalSize\":30},"
	    "\"VolumeUsage\":{\"Items\":["
	    "{\"Name\":\"v1\",\"UsageData\":{\"Size\":8,\"RefCount\":0}," MINE "},"
	    "{\"Name\":\"v2\",\"UsageData\":{\"Size\":4,\"RefCount\":1}," MINE "},"
	    "{\"Name\":\"v3\",\"UsageData\":{\"Size\":-1,\"RefCount\":0}," MINE "}],"
	    "\"ActiveCount\":2,\"Reclaimable\":8,\"TotalCount\":3,\"TotalSize\":12},"
	    "\"BuildCacheUsage\":{}}" },
	{ "totals without items become zero",
	    "{\"ImageUsage\":{\"ActiveCount\":3,\"TotalCount\":9,\"TotalSize\":1000}}",
	    "{\"ImageUsage\":{}}" },
	{ "nothing owned",
	    "{\"Images\":[{\"Id\":\"i2\"," THEIRS "}],\"Containers\":[],\"Volumes\":null}",
	    "{\"Images\":[],\"Containers\":[],\"Volumes\":null}" },
	{ "unknown top-level keys dropped", "{\"Future\":[{\"Id\":\"x\"}],\"Images\":[]}",
	    "{\"Images\":[]}" },
	{ "label in another case does not own",
	    "{\"Images\":[{\"Labels\":{\"IO.SOCKWARDEN.OWNER\":\"uid:1\"}}]}", "{\"Images\":[]}" },
	{ "big numbers kept", "{\"Containers\":[{\"SizeRw\":9007199254740993," MINE "}]}",
	    "{\"Containers\":[{\"SizeRw\":9007199254740993," MINE "}]}" },
	{ "images not a list", "{\"Images\":{}}", NULL },
	{ "usage not an object", "{\"ImageUsage\":[]}", NULL },
	{ "build cache a number", "{\"BuildCache\":1}", NULL },
	{ "not an object", "[]", NULL },
	{ "not JSON", "{", NULL },
};

static void
test_df_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(df_cases); i++) {
		const struct df_case *t = &df_cases[i];
		char *out = NULL;
		size_t outlen = 0;
		int rc = pol_own_filter_list(
		    POL_LIST_DF, &own_only, "uid:1", t->json, strlen(t->json), &out, &outlen);

		if (t->want == NULL) {
			if (rc != -1 || out != NULL) {
				print_error("row \"%s\": accepted: %s\n", t->name, out);
				failed++;
			}
			free(out);
			continue;
		}
		/* A filtered answer always changed: its totals are recomputed. */
		if (rc != 1 || out == NULL || strcmp(out, t->want) != 0 ||
		    outlen != strlen(t->want)) {
			print_error("row \"%s\": rc %d\n  got  %s\n  want %s\n", t->name, rc,
			    out ? out : "", t->want);
			failed++;
		}
		free(out);
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(df_cases));
}

/* The tree filter itself refuses to run without an owner or a label. */
static void
test_df_needs_an_owner(void **state)
{
	cJSON *root = cJSON_CreateObject();

	(void)state;
	assert_non_null(root);
	if (pol_own_df_filter_tree(root, LABEL, "") != -1 ||
	    pol_own_df_filter_tree(root, "", "uid:1") != -1)
		fail_msg("an empty owner or label was accepted");
	cJSON_Delete(root);
}

/* ---- pol_redact_inspect ------------------------------------------------------------- */

static const char *const env_globs[] = { "*PASSWORD*", "AWS_*" };
static const char *const label_globs[] = { "secret.*" };
static const struct pol_ownership redact = { false, LABEL, nitems(env_globs), env_globs,
	nitems(label_globs), label_globs };
static const struct pol_ownership redact_env_only = { true, LABEL, nitems(env_globs), env_globs, 0,
	NULL };

struct redact_case {
	const char *name;
	enum pol_own_type type;
	const struct pol_ownership *o;
	const char *json;
	int rc;
	const char *want; /* rc 1 */
};

static const struct redact_case redact_cases[] = {
	{ "container env and labels", POL_OBJ_CONTAINER, &redact,
	    "{\"Id\":\"c\",\"Config\":{\"Env\":[\"PATH=/bin\",\"DB_PASSWORD=hunter2\","
	    "\"aws_secret_key=k=v\",\"AWS_\"],\"Labels\":{\"secret.token\":\"t\",\"app\":\"x\"}}}",
	    1,
	    "{\"Id\":\"c\",\"Config\":{\"Env\":[\"PATH=/bin\",\"DB_PASSWORD=<redacted>\","
	    "\"aws_secret_key=<redacted>\",\"AWS_\"],\"Labels\":{\"secret.token\":\"<redacted>\","
	    "\"app\":\"x\"}}}" },
	{ "case-insensitive names", POL_OBJ_CONTAINER, &redact,
	    "{\"Config\":{\"Env\":[\"db_password=x\"],\"Labels\":{\"SECRET.A\":\"y\"}}}", 1,
	    "{\"Config\":{\"Env\":[\"db_password=<redacted>\"],\"Labels\":{\"SECRET.A\":\"<redacted>\"}}}" },
	{ "values are not matched, names are", POL_OBJ_CONTAINER, &redact,
	    "{\"Config\":{\"Env\":[\"X=PASSWORD\"],\"Labels\":{\"a\":\"secret.x\"}}}", 0, NULL },
	{ "image config and legacy container config", POL_OBJ_IMAGE, &redact,
	    "{\"Id\":\"sha256:1\",\"Config\":{\"Env\":[\"AWS_KEY=a\"]},"
	    "\"ContainerConfig\":{\"Env\":[\"AWS_KEY=a\"],\"Labels\":{\"secret.b\":\"c\"}}}",
	    1,
	    "{\"Id\":\"sha256:1\",\"Config\":{\"Env\":[\"AWS_KEY=<redacted>\"]},"
	    "\"ContainerConfig\":{\"Env\":[\"AWS_KEY=<redacted>\"],\"Labels\":{\"secret.b\":\"<redacted>\"}}}" },
	{ "volume labels", POL_OBJ_VOLUME, &redact,
	    "{\"Name\":\"v\",\"Labels\":{\"secret.x\":\"1\"},\"Options\":{\"secret.y\":\"2\"}}", 1,
	    "{\"Name\":\"v\",\"Labels\":{\"secret.x\":\"<redacted>\"},\"Options\":{\"secret.y\":\"2\"}}" },
	{ "network labels", POL_OBJ_NETWORK, &redact,
	    "{\"Id\":\"n\",\"Labels\":{\"secret.x\":\"1\"}}", 1,
	    "{\"Id\":\"n\",\"Labels\":{\"secret.x\":\"<redacted>\"}}" },
	{ "label globs off", POL_OBJ_NETWORK, &redact_env_only,
	    "{\"Id\":\"n\",\"Labels\":{\"secret.x\":\"1\"}}", 0, NULL },
	{ "null env and labels", POL_OBJ_CONTAINER, &redact,
	    "{\"Config\":{\"Env\":null,\"Labels\":null}}", 0, NULL },
	{ "numbers kept", POL_OBJ_CONTAINER, &redact,
	    "{\"State\":{\"Pid\":12345678901234567},\"Config\":{\"Env\":[\"AWS_A=1\"]}}", 1,
	    "{\"State\":{\"Pid\":12345678901234567},\"Config\":{\"Env\":[\"AWS_A=<redacted>\"]}}" },
	{ "exec has nothing to redact", POL_OBJ_EXEC, &redact, "{\"ID\":\"e\"}", 0, NULL },
	{ "no settings", POL_OBJ_CONTAINER, NULL, "{\"Config\":{\"Env\":[\"AWS_A=1\"]}}", 0, NULL },
	{ "env not a list", POL_OBJ_CONTAINER, &redact, "{\"Config\":{\"Env\":\"AWS_A=1\"}}", -1,
	    NULL },
	{ "env entry not a string", POL_OBJ_CONTAINER, &redact, "{\"Config\":{\"Env\":[1]}}", -1,
	    NULL },
	{ "not JSON", POL_OBJ_VOLUME, &redact, "{\"Labels\":", -1, NULL },
};

static void
test_redact_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(redact_cases); i++) {
		const struct redact_case *t = &redact_cases[i];
		char *out = (char *)1;
		size_t outlen = 7;
		int rc = pol_redact_inspect(t->type, t->o, t->json, strlen(t->json), &out, &outlen);

		if (rc != t->rc || (rc != 1 && out != NULL) ||
		    (rc == 1 &&
		        (out == NULL || strcmp(out, t->want) != 0 || outlen != strlen(t->want)))) {
			print_error("row \"%s\": rc %d %s\n  want %d %s\n", t->name, rc,
			    rc == 1 && out ? out : "", t->rc, t->want ? t->want : "");
			failed++;
		}
		if (rc == 1)
			free(out);
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(redact_cases));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect_rows),
		cmocka_unit_test(test_inspect_small_buffers),
		cmocka_unit_test(test_ref_is_rows),
		cmocka_unit_test(test_df_rows),
		cmocka_unit_test(test_df_needs_an_owner),
		cmocka_unit_test(test_redact_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
