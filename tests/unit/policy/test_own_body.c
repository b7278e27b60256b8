/*
 * Tests for policy/own_body.c: the owner label set in a create's canonical
 * body.  Accepted rows compare the exact bytes that go to the daemon (the
 * rest of the body, numbers included, unchanged); refused rows name a piece
 * of the reason.  Bypass rows: the owner label set by the client, in
 * another case, through an escape, and Labels spelled so that Go would
 * merge a second map into ours.
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

#define LABEL "io.sockwarden.owner"
#define OWNER "uid:1000"
#define OWN   "\"" LABEL "\":\"" OWNER "\""

struct body_case {
	const char *name;
	enum pol_own_type type;
	const char *body;
	const char *want; /* the body sent up, or for refusals a piece of the reason */
	bool refused;
};

static const struct body_case body_cases[] = {
	{ "container labels merged", POL_OBJ_CONTAINER,
	    "{\"Image\":\"alpine\",\"Labels\":{\"com.example.team\":\"web\"},\"Cmd\":[\"sh\"]}",
	    "{\"Image\":\"alpine\",\"Labels\":{\"com.example.team\":\"web\"," OWN
	    "},\"Cmd\":[\"sh\"]}",
	    false },
	{ "container without labels", POL_OBJ_CONTAINER, "{\"Image\":\"alpine\"}",
	    "{\"Image\":\"alpine\",\"Labels\":{" OWN "}}", false },
	{ "null labels", POL_OBJ_CONTAINER, "{\"Labels\":null,\"Image\":\"alpine\"}",
	    "{\"Labels\":{" OWN "},\"Image\":\"alpine\"}", false },
	{ "empty labels", POL_OBJ_VOLUME, "{\"Name\":\"data\",\"Labels\":{}}",
	    "{\"Name\":\"data\",\"Labels\":{" OWN "}}", false },
	{ "numbers kept digit for digit", POL_OBJ_CONTAINER,
	    "{\"Image\":\"a\",\"HostConfig\":{\"Memory\":9223372036854775807,"
	    "\"NanoCpus\":1500000000,\"CpuShares\":-0}}",
	    "{\"Image\":\"a\",\"HostConfig\":{\"Memory\":9223372036854775807,"
	    "\"NanoCpus\":1500000000,\"CpuShares\":-0},\"Labels\":{" OWN "}}",
	    false },
	{ "nested labels elsewhere untouched", POL_OBJ_NETWORK,
	    "{\"Name\":\"n\",\"IPAM\":{\"Driver\":\"default\"},\"Labels\":{\"a\":\"b\"}}",
	    "{\"Name\":\"n\",\"IPAM\":{\"Driver\":\"default\"},\"Labels\":{\"a\":\"b\"," OWN "}}",
	    false },
	{ "empty body", POL_OBJ_VOLUME, "", "{\"Labels\":{" OWN "}}", false },
	{ "strings re-escaped", POL_OBJ_CONTAINER,
	    "{\"Env\":[\"A=\\\"q\\\"\\n\\u00e9\"],\"Labels\":{\"x\":\"<&>\"}}",
	    "{\"Env\":[\"A=\\\"q\\\"\\n\xc3\xa9\"],\"Labels\":{\"x\":\"<&>\"," OWN "}}", false },
	/* refusals */
	{ "owner label set", POL_OBJ_CONTAINER, "{\"Labels\":{\"" LABEL "\":\"uid:1001\"}}",
	    "owner label", true },
	{ "owner label set empty", POL_OBJ_VOLUME, "{\"Labels\":{\"" LABEL "\":\"\"}}",
	    "owner label", true },
	{ "owner label in another case", POL_OBJ_NETWORK,
	    "{\"Labels\":{\"IO.SOCKWARDEN.OWNER\":\"uid:1001\"}}", "owner label", true },
	{ "owner label through an escape", POL_OBJ_CONTAINER,
	    "{\"Labels\":{\"io.sockwarden.\\u006fwner\":\"uid:1001\"}}", "owner label", true },
	{ "second labels map in lower case", POL_OBJ_CONTAINER,
	    "{\"Labels\":{},\"labels\":{\"" LABEL "\":\"uid:1001\"}}", "another case", true },
	{ "labels in lower case only", POL_OBJ_VOLUME, "{\"labels\":{\"a\":\"b\"}}", "another case",
	    true },
	{ "labels with a long s", POL_OBJ_CONTAINER, "{\"Label\xc5\xbf\":{}}", "another case",
	    true },
	{ "labels twice", POL_OBJ_CONTAINER, "{\"Labels\":{},\"Labels\":{}}", "twice", true },
	{ "labels not an object", POL_OBJ_CONTAINER, "{\"Labels\":[\"a=b\"]}", "JSON object",
	    true },
	{ "body an array", POL_OBJ_VOLUME, "[]", "JSON object", true },
	{ "not JSON", POL_OBJ_NETWORK, "{\"Name\":", "not valid JSON", true },
	{ "trailing data", POL_OBJ_NETWORK, "{}{}", "not valid JSON", true },
	{ "image is not created from a body", POL_OBJ_IMAGE, "{}", "only containers", true },
	{ "exec is not created here", POL_OBJ_EXEC, "{}", "only containers", true },
};

static void
test_body_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(body_cases); i++) {
		const struct body_case *t = &body_cases[i];
		const char *why = NULL;
		char *out = NULL;
		size_t outlen = 0;
		int rc = pol_own_label_body(
		    t->type, t->body, strlen(t->body), LABEL, OWNER, &out, &outlen, &why);

		if (t->refused) {
			if (rc != -1 || out != NULL || why == NULL ||
			    strstr(why, t->want) == NULL) {
				print_error("row \"%s\": rc %d (%s), want a refusal with \"%s\"\n",
				    t->name, rc, rc == 0 ? out : why, t->want);
				failed++;
			}
			free(out);
			continue;
		}
		if (rc != 0) {
			print_error("row \"%s\": refused (%s)\n", t->name, why);
			failed++;
			continue;
		}
		if (strcmp(out, t->want) != 0 || outlen != strlen(t->want)) {
			print_error("row \"%s\": got  %s\n  want %s\n", t->name, out, t->want);
			failed++;
		}
		free(out);
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(body_cases));
}

/* A body that is not NUL-terminated is read only up to its length. */
static void
test_body_length_honoured(void **state)
{
	static const char body[] = "{\"Name\":\"v\"}GARBAGE";
	const char *why = NULL;
	char *out = NULL;
	size_t outlen;

	(void)state;
	if (pol_own_label_body(POL_OBJ_VOLUME, body, strlen("{\"Name\":\"v\"}"), LABEL, OWNER, &out,
	        &outlen, &why) != 0)
		fail_msg("refused: %s", why);
	if (strcmp(out, "{\"Name\":\"v\",\"Labels\":{" OWN "}}") != 0)
		fail_msg("got %s", out);
	free(out);
}

/* The owner and the label are checked before anything is written. */
static void
test_body_bad_owner_or_label(void **state)
{
	static const struct {
		const char *name, *label, *owner;
	} bad[] = {
		{ "no owner", LABEL, "" },
		{ "owner not UTF-8", LABEL, "cn:\xc3" },
		{ "label with '='", "io.x=y", OWNER },
		{ "label a plain word", "owner", OWNER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		const char *why = NULL;
		char *out = NULL;
		size_t outlen;

		if (pol_own_label_body(POL_OBJ_CONTAINER, "{}", 2, bad[i].label, bad[i].owner, &out,
		        &outlen, &why) != -1 ||
		    out != NULL || why == NULL)
			fail_msg("row \"%s\": accepted", bad[i].name);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_rows),
		cmocka_unit_test(test_body_length_honoured),
		cmocka_unit_test(test_body_bad_owner_or_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
