/*
 * Tests for policy/own_body.c: the owner label set in a create's canonical
 * body (pol_own_read_body; its refs are test_body_refs.c's).  Accepted rows
 * compare the exact bytes that go to the daemon (the rest of the body,
 * numbers included, unchanged); refused rows name a piece of the reason.
 * Bypass rows: the owner label set by the client, in another case, through
 * an escape, and Labels spelled so that Go would merge a second map into
 * ours.
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
	const char *ep;
	const char *body;
	const char *want; /* the body sent up (NULL: not labelled), or a piece of the reason */
	bool refused;
};

static const struct body_case body_cases[] = {
	{ "container labels merged", "ContainerCreate",
	    "{\"Image\":\"alpine\",\"Labels\":{\"com.example.team\":\"web\"},\"Cmd\":[\"sh\"]}",
	    "{\"Image\":\"alpine\",\"Labels\":{\"com.example.team\":\"web\"," OWN
	    "},\"Cmd\":[\"sh\"]}",
	    false },
	{ "container without labels", "ContainerCreate", "{\"Image\":\"alpine\"}",
	    "{\"Image\":\"alpine\",\"Labels\":{" OWN "}}", false },
	{ "null labels", "ContainerCreate", "{\"Labels\":null,\"Image\":\"alpine\"}",
	    "{\"Labels\":{" OWN "},\"Image\":\"alpine\"}", false },
	{ "empty labels", "VolumeCreate", "{\"Name\":\"data\",\"Labels\":{}}",
	    "{\"Name\":\"data\",\"Labels\":{" OWN "}}", false },
	{ "numbers kept digit for digit", "ContainerCreate",
	    "{\"Image\":\"a\",\"HostConfig\":{\"Memory\":9223372036854775807,"
	    "\"NanoCpus\":1500000000,\"CpuShares\":-0}}",
	    "{\"Image\":\"a\",\"HostConfig\":{\"Memory\":9223372036854775807,"
	    "\"NanoCpus\":1500000000,\"CpuShares\":-0},\"Labels\":{" OWN "}}",
	    false },
	{ "nested labels elsewhere untouched", "NetworkCreate",
	    "{\"Name\":\"n\",\"IPAM\":{\"Driver\":\"default\"},\"Labels\":{\"a\":\"b\"}}",
	    "{\"Name\":\"n\",\"IPAM\":{\"Driver\":\"default\"},\"Labels\":{\"a\":\"b\"," OWN "}}",
	    false },
	{ "empty body", "VolumeCreate", "", "{\"Labels\":{" OWN "}}", false },
	{ "strings re-escaped", "ContainerCreate",
	    "{\"Env\":[\"A=\\\"q\\\"\\n\\u00e9\"],\"Labels\":{\"x\":\"<&>\"}}",
	    "{\"Env\":[\"A=\\\"q\\\"\\n\xc3\xa9\"],\"Labels\":{\"x\":\"<&>\"," OWN "}}", false },
	/* refusals */
	{ "owner label set", "ContainerCreate", "{\"Labels\":{\"" LABEL "\":\"uid:1001\"}}",
	    "owner label", true },
	{ "owner label set empty", "VolumeCreate", "{\"Labels\":{\"" LABEL "\":\"\"}}",
	    "owner label", true },
	{ "owner label in another case", "NetworkCreate",
	    "{\"Labels\":{\"IO.SOCKWARDEN.OWNER\":\"uid:1001\"}}", "owner label", true },
	{ "owner label through an escape", "ContainerCreate",
	    "{\"Labels\":{\"io.sockwarden.\\u006fwner\":\"uid:1001\"}}", "owner label", true },
	{ "second labels map in lower case", "ContainerCreate",
	    "{\"Labels\":{},\"labels\":{\"" LABEL "\":\"uid:1001\"}}", "another case", true },
	{ "labels in lower case only", "VolumeCreate", "{\"labels\":{\"a\":\"b\"}}", "another case",
	    true },
	{ "labels with a long s", "ContainerCreate", "{\"Label\xc5\xbf\":{}}", "another case",
	    true },
	{ "labels twice", "ContainerCreate", "{\"Labels\":{},\"Labels\":{}}", "twice", true },
	{ "labels not an object", "ContainerCreate", "{\"Labels\":[\"a=b\"]}", "JSON object",
	    true },
	{ "body an array", "VolumeCreate", "[]", "JSON object", true },
	{ "not JSON", "NetworkCreate", "{\"Name\":", "not valid JSON", true },
	{ "trailing data", "NetworkCreate", "{}{}", "not valid JSON", true },
	{ "image is not created from a body", "ImageCreate", "{}", "only container", true },
	{ "exec is not created here", "ExecStart", "{}", "only container", true },
	/* A network made --config-from inherits its labels, owner label included. */
	{ "config from inherits", "NetworkCreate",
	    "{\"Name\":\"n\",\"ConfigFrom\":{\"Network\":\"c\"}}", NULL, false },
	{ "empty config from is labelled", "NetworkCreate", "{\"ConfigFrom\":{\"Network\":\"\"}}",
	    "{\"ConfigFrom\":{\"Network\":\"\"},\"Labels\":{" OWN "}}", false },
	{ "config from with the owner label", "NetworkCreate",
	    "{\"ConfigFrom\":{\"Network\":\"c\"},\"Labels\":{\"" LABEL "\":\"uid:1001\"}}",
	    "owner label", true },
	{ "config from with labels in lower case", "NetworkCreate",
	    "{\"ConfigFrom\":{\"Network\":\"c\"},\"labels\":{}}", "another case", true },
	{ "a network connect is not labelled", "NetworkConnect", "{\"Container\":\"web\"}", NULL,
	    false },
	/* A mount's volume may not be given the owner label either. */
	{ "mount volume labels with the owner label", "ContainerCreate",
	    "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\","
	    "\"VolumeOptions\":{\"Labels\":{\"" LABEL "\":\"uid:1001\"}}}]}}",
	    "VolumeOptions.Labels", true },
	{ "mount volume labels, owner label in another case", "ContainerCreate",
	    "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\"},"
	    "{\"Type\":\"volume\",\"Target\":\"/y\",\"VolumeOptions\":{\"Labels\":"
	    "{\"a\":\"b\",\"IO.Sockwarden.Owner\":\"x\"}}}]}}",
	    "VolumeOptions.Labels", true },
	{ "legacy top-level mounts with the owner label", "ContainerCreate",
	    "{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":"
	    "{\"Labels\":{\"" LABEL "\":\"uid:1001\"}}}]}",
	    "VolumeOptions.Labels", true },
	{ "mount volume with other labels", "ContainerCreate",
	    "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\","
	    "\"VolumeOptions\":{\"Labels\":{\"a\":\"b\"}}}]}}",
	    "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\","
	    "\"VolumeOptions\":{\"Labels\":{\"a\":\"b\"}}}]},\"Labels\":{" OWN "}}",
	    false },
	/* A network name the daemon could later read as an id prefix. */
	{ "hex-only network name", "NetworkCreate", "{\"Name\":\"7413e532\"}", "hex digits", true },
	{ "one-digit network name", "NetworkCreate", "{\"Name\":\"6\"}", "hex digits", true },
	{ "network name with a letter past f", "NetworkCreate", "{\"Name\":\"7413e53g\"}",
	    "{\"Name\":\"7413e53g\",\"Labels\":{" OWN "}}", false },
	{ "upper-case hex is no id", "NetworkCreate", "{\"Name\":\"ABC\"}",
	    "{\"Name\":\"ABC\",\"Labels\":{" OWN "}}", false },
	{ "check duplicate false", "NetworkCreate", "{\"Name\":\"net\",\"CheckDuplicate\":false}",
	    "CheckDuplicate", true },
	{ "check duplicate true", "NetworkCreate", "{\"Name\":\"net\",\"CheckDuplicate\":true}",
	    "{\"Name\":\"net\",\"CheckDuplicate\":true,\"Labels\":{" OWN "}}", false },
	{ "hex name under config from", "NetworkCreate",
	    "{\"Name\":\"abc\",\"ConfigFrom\":{\"Network\":\"c\"}}", "hex digits", true },
};

static void
test_body_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(body_cases); i++) {
		const struct body_case *t = &body_cases[i];
		struct pol_own_ref refs[POL_OWN_MAX_REFS];
		const char *why = NULL;
		char *out = NULL;
		size_t outlen = 0;
		int rc = pol_own_read_body(pol_ep_lookup(t->ep), t->body, strlen(t->body), LABEL,
		    OWNER, refs, nitems(refs), &out, &outlen, &why);

		if (t->refused) {
			if (rc != -1 || out != NULL || why == NULL ||
			    strstr(why, t->want) == NULL) {
				print_error("row \"%s\": rc %d (%s), want a refusal with \"%s\"\n",
				    t->name, rc, rc >= 0 && out != NULL ? out : why, t->want);
				failed++;
			}
			free(out);
			continue;
		}
		if (rc < 0) {
			print_error("row \"%s\": refused (%s)\n", t->name, why);
			failed++;
			continue;
		}
		if (t->want == NULL) {
			if (out != NULL || outlen != 0) {
				print_error("row \"%s\": labelled %s\n", t->name, out);
				failed++;
			}
			free(out);
			continue;
		}
		if (out == NULL || strcmp(out, t->want) != 0 || outlen != strlen(t->want)) {
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
	struct pol_own_ref refs[1];
	const char *why = NULL;
	char *out = NULL;
	size_t outlen;

	(void)state;
	if (pol_own_read_body(pol_ep_lookup("VolumeCreate"), body, strlen("{\"Name\":\"v\"}"),
	        LABEL, OWNER, refs, nitems(refs), &out, &outlen, &why) != 0)
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
		struct pol_own_ref refs[1];
		const char *why = NULL;
		char *out = NULL;
		size_t outlen;

		if (pol_own_read_body(pol_ep_lookup("ContainerCreate"), "{}", 2, bad[i].label,
		        bad[i].owner, refs, nitems(refs), &out, &outlen, &why) != -1 ||
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
