/*
 * Tests for policy/eval.c over tests/data/policy/eval.yaml: one table row per
 * decision (verdict, reason and rule name), exact client messages for each
 * kind of decision, sanitising of request bytes in messages, and properties
 * that must hold for every endpoint of the route table.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "policy_int.h"

#define FIXTURE       SW_TEST_DATA_DIR "/policy/eval.yaml"
#define RULES_FIXTURE SW_TEST_DATA_DIR "/policy/rules/eval-rules.yaml"

static struct pol_set *fixture;
static struct pol_set *rules_fixture; /* policies with body rules: POL_NEED_BODY */

static int
load_one(const char *path, const char *name, struct pol_set **out)
{
	struct pol_err err;
	FILE *f = fopen(path, "rb");
	static char buf[64 * 1024];
	size_t len;

	if (f == NULL)
		return -1;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (pol_load_buffer(name, buf, len, out, &err) != 0) {
		fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
		return -1;
	}
	return 0;
}

static int
load_fixture(void **state)
{
	(void)state;
	if (load_one(FIXTURE, "eval.yaml", &fixture) == -1)
		return -1;
	return load_one(RULES_FIXTURE, "eval-rules.yaml", &rules_fixture);
}

static int
unload_fixture(void **state)
{
	(void)state;
	pol_set_unref(fixture);
	pol_set_unref(rules_fixture);
	fixture = rules_fixture = NULL;
	return 0;
}

static int
policy_index(const char *name)
{
	int p = pol_set_find_policy(fixture, name);

	if (p == -1)
		fail_msg("policy \"%s\" is not in %s", name, FIXTURE);
	return p;
}

/* A request as the proxy hands it over: routed, canonical. */
static struct sw_req
make_req(const char *row, const char *method, const char *endpoint, const char *version)
{
	struct sw_req req;

	memset(&req, 0, sizeof(req));
	req.method = sw_str_cstr(method);
	req.path = SW_STR_LIT("/test");
	req.version = sw_str_cstr(version);
	if (endpoint != NULL) {
		req.endpoint = pol_ep_lookup(endpoint);
		if (req.endpoint == POL_EP_UNKNOWN)
			fail_msg("%s: endpoint %s is not in the route table", row, endpoint);
	}
	return req;
}

/* ---- the decision table --------------------------------------------------------- */

#define NO_POLICY_BELOW (-1000) /* policy_shift: an index below zero */
#define NO_POLICY_ABOVE 1000    /* policy_shift: an index past the last policy */

struct eval_case {
	const char *name;
	const char *policy;   /* policy in eval.yaml */
	int policy_shift;     /* added to its index, to test out-of-range indexes */
	const char *endpoint; /* operation id; NULL: no route (POL_EP_UNKNOWN) */
	const char *version;  /* "" when the request had no /vX.Y prefix */
	enum pol_verdict want;
	enum pol_reason reason;
	const char *rule; /* pol_decision_rule() */
};

#define ALLOW(rule)  POL_ALLOW, POL_R_ALLOWED, (rule)
#define DENIED(rule) POL_DENY, POL_R_DENIED, (rule)
#define DEFAULT      POL_DENY, POL_R_DEFAULT_DENY, "default"
#define TOO_OLD      POL_DENY, POL_R_API_TOO_OLD, "min_version"
#define UNKNOWN      POL_DENY, POL_R_UNKNOWN_ENDPOINT, "unknown endpoint"
#define NOPOLICY     POL_DENY, POL_R_NO_POLICY, "no policy"

static struct eval_case eval_cases[] = {
	/* allow by id and by glob */
	{ "traefik: SystemPing by id", "traefik", 0, "SystemPing", "", ALLOW("allow SystemPing") },
	{ "traefik: HEAD _ping by id", "traefik", 0, "SystemPingHead", "",
	    ALLOW("allow SystemPingHead") },
	{ "traefik: ContainerInspect by id", "traefik", 0, "ContainerInspect", "1.41",
	    ALLOW("allow ContainerInspect") },
	{ "traefik: NetworkInspect by glob", "traefik", 0, "NetworkInspect", "",
	    ALLOW("allow Network*") },
	{ "traefik: the glob also grants NetworkCreate", "traefik", 0, "NetworkCreate", "",
	    ALLOW("allow Network*") },
	{ "traefik: ContainerCreate by default", "traefik", 0, "ContainerCreate", "", DEFAULT },
	{ "traefik: ContainerLogs by default", "traefik", 0, "ContainerLogs", "", DEFAULT },
	{ "traefik: ImageList by default", "traefik", 0, "ImageList", "", DEFAULT },
	/* a group minus a deny entry */
	{ "monitor: ContainerList by group", "monitor", 0, "ContainerList", "",
	    ALLOW("group read-only") },
	{ "monitor: ContainerInspect by group", "monitor", 0, "ContainerInspect", "",
	    ALLOW("group read-only") },
	{ "monitor: deny entry beats the group", "monitor", 0, "ContainerLogs", "",
	    DENIED("deny ContainerLogs") },
	{ "monitor: group leaves out ContainerArchive", "monitor", 0, "ContainerArchive", "",
	    DEFAULT },
	{ "monitor: group leaves out ContainerExport", "monitor", 0, "ContainerExport", "",
	    DEFAULT },
	{ "monitor: group leaves out ImageGet", "monitor", 0, "ImageGet", "", DEFAULT },
	{ "monitor: group leaves out the attach websocket", "monitor", 0,
	    "ContainerAttachWebsocket", "", DEFAULT },
	{ "monitor: group leaves out SwarmUnlockkey", "monitor", 0, "SwarmUnlockkey", "", DEFAULT },
	{ "monitor: group leaves out SecretList", "monitor", 0, "SecretList", "", DEFAULT },
	{ "monitor: group leaves out ConfigInspect", "monitor", 0, "ConfigInspect", "", DEFAULT },
	{ "monitor: group leaves out DebugVars", "monitor", 0, "DebugVars", "", DEFAULT },
	{ "monitor: group leaves out ContainerCreate", "monitor", 0, "ContainerCreate", "",
	    DEFAULT },
	/* deny entries first, wherever they are written */
	{ "ci: ContainerCreate by glob", "ci", 0, "ContainerCreate", "",
	    ALLOW("allow Container*") },
	{ "ci: deny written before allow still wins", "ci", 0, "ContainerExport", "",
	    DENIED("deny ContainerExport") },
	{ "ci: '?' matches one character", "ci", 0, "ImageList", "", ALLOW("allow Image?ist") },
	{ "ci: '?' matches exactly one", "ci", 0, "ImageInspect", "", DEFAULT },
	{ "ci: Container* does not reach ExecStart", "ci", 0, "ExecStart", "", DEFAULT },
	/* read_only */
	{ "ro: ContainerList through '*'", "ro", 0, "ContainerList", "", ALLOW("allow *") },
	{ "ro: ContainerCreate filtered", "ro", 0, "ContainerCreate", "", DENIED("read_only") },
	{ "ro: ContainerDelete filtered", "ro", 0, "ContainerDelete", "", DENIED("read_only") },
	{ "ro: ContainerAttachWebsocket filtered (not READ)", "ro", 0, "ContainerAttachWebsocket",
	    "", DENIED("read_only") },
	{ "ro: '*' keeps leaky reads such as ContainerArchive", "ro", 0, "ContainerArchive", "",
	    ALLOW("allow *") },
	/* "*" and the unknown endpoint */
	{ "everything: ContainerCreate", "everything", 0, "ContainerCreate", "", ALLOW("allow *") },
	{ "everything: no route is never allowed", "everything", 0, NULL, "", UNKNOWN },
	{ "nothing: SystemPing", "nothing", 0, "SystemPing", "", DEFAULT },
	{ "nothing: no route", "nothing", 0, NULL, "", UNKNOWN },
	/* document order between groups and allow entries */
	{ "grouped: group ping is written first", "grouped", 0, "SystemPing", "",
	    ALLOW("group ping") },
	{ "grouped: group events", "grouped", 0, "SystemEvents", "", ALLOW("group events") },
	{ "grouped: allow entry after the groups", "grouped", 0, "ImageList", "",
	    ALLOW("allow ImageList") },
	{ "grouped: SystemInfo is in no group", "grouped", 0, "SystemInfo", "", DEFAULT },
	/* api.min_version 1.24 */
	{ "version 1.12 is below", "traefik", 0, "SystemPing", "1.12", TOO_OLD },
	{ "version 1.23.99 is below", "traefik", 0, "SystemPing", "1.23.99", TOO_OLD },
	{ "version 1.9 is below (per component, not as text)", "traefik", 0, "SystemPing", "1.9",
	    TOO_OLD },
	{ "version 1 is below", "traefik", 0, "SystemPing", "1", TOO_OLD },
	{ "version 1.24 equals", "traefik", 0, "SystemPing", "1.24", ALLOW("allow SystemPing") },
	{ "version 1.24.0 equals", "traefik", 0, "SystemPing", "1.24.0",
	    ALLOW("allow SystemPing") },
	{ "version 01.024 equals", "traefik", 0, "SystemPing", "01.024",
	    ALLOW("allow SystemPing") },
	{ "version 1.100 is above", "traefik", 0, "SystemPing", "1.100",
	    ALLOW("allow SystemPing") },
	{ "version 2 is above", "traefik", 0, "SystemPing", "2", ALLOW("allow SystemPing") },
	{ "unversioned is the daemon's newest", "traefik", 0, "SystemPing", "",
	    ALLOW("allow SystemPing") },
	{ "the version is checked before the route", "traefik", 0, NULL, "1.0", TOO_OLD },
	{ "the version is checked before '*'", "everything", 0, "ContainerCreate", "1.0", TOO_OLD },
	/* policy index out of range */
	{ "policy -1", "traefik", NO_POLICY_BELOW, "SystemPing", "", NOPOLICY },
	{ "policy past the last", "grouped", 1, "SystemPing", "", NOPOLICY },
	{ "policy far past the last", "traefik", NO_POLICY_ABOVE, "SystemPing", "", NOPOLICY },
};

static void
test_eval_row(void **state)
{
	const struct eval_case *c = *state;
	int policy = policy_index(c->policy) + c->policy_shift;
	struct sw_req req = make_req(c->name, "GET", c->endpoint, c->version);
	struct pol_decision d;
	enum pol_verdict v;
	char rule[128];

	if (c->policy_shift == NO_POLICY_BELOW)
		policy = -1;
	memset(&d, 0xa5, sizeof(d)); /* pol_eval must set every field */
	v = pol_eval(fixture, policy, &req, &d);
	pol_decision_rule(fixture, &d, rule, sizeof(rule));
	if (v != c->want || d.verdict != c->want || d.reason != c->reason ||
	    strcmp(rule, c->rule) != 0)
		fail_msg("%s: verdict %d/%d reason %d rule \"%s\", want verdict %d reason %d rule "
		         "\"%s\"",
		    c->name, v, d.verdict, d.reason, rule, c->want, c->reason, c->rule);
	if (c->reason == POL_R_NO_POLICY ? d.policy != -1 : d.policy != policy)
		fail_msg("%s: decision names policy %d, want %d", c->name, d.policy,
		    c->reason == POL_R_NO_POLICY ? -1 : policy);
	if ((c->reason == POL_R_ALLOWED || c->reason == POL_R_DENIED) != (d.rule >= 0))
		fail_msg("%s: rule index %d for reason %d", c->name, d.rule, d.reason);
}

/* ---- body rules: POL_NEED_BODY ------------------------------------------------------ */

#define NEED(rule) POL_NEED_BODY, POL_R_ALLOWED, (rule)

/* Rows over eval-rules.yaml; the "policy" column names a policy of that file. */
static struct eval_case need_body_cases[] = {
	{ "rules: ContainerCreate needs its body", "rules", 0, "ContainerCreate", "",
	    NEED("allow ContainerCreate") },
	{ "rules: ContainerStart needs its body (legacy HostConfig)", "rules", 0, "ContainerStart",
	    "1.41", NEED("allow ContainerStart") },
	{ "rules: ContainerExec needs its body", "rules", 0, "ContainerExec", "",
	    NEED("allow ContainerExec") },
	{ "rules: ExecStart needs its body", "rules", 0, "ExecStart", "", NEED("allow ExecStart") },
	{ "rules: ImageCreate needs its query", "rules", 0, "ImageCreate", "",
	    NEED("allow ImageCreate") },
	{ "rules: ImageBuild needs its query", "rules", 0, "ImageBuild", "",
	    NEED("allow ImageBuild") },
	{ "rules: VolumeCreate needs its body", "rules", 0, "VolumeCreate", "",
	    NEED("allow VolumeCreate") },
	{ "rules: PutContainerArchive needs its query", "rules", 0, "PutContainerArchive", "",
	    NEED("allow PutContainerArchive") },
	{ "rules: ContainerList has no inspector", "rules", 0, "ContainerList", "",
	    ALLOW("allow ContainerList") },
	{ "rules: ContainerKill has no inspector", "rules", 0, "ContainerKill", "",
	    ALLOW("allow ContainerKill") },
	{ "rules: an endpoint not allowed is denied before its body", "rules", 0, "NetworkCreate",
	    "", DEFAULT },
	{ "rules: the version is checked before the body", "rules", 0, "ContainerCreate", "1.12",
	    TOO_OLD },
	{ "plain: no rules, no inspection", "plain", 0, "ContainerCreate", "",
	    ALLOW("allow ContainerCreate") },
	{ "plain: exec without rules is a plain allow", "plain", 0, "ContainerExec", "",
	    ALLOW("allow ContainerExec") },
	{ "profiled: a profile alone switches inspection on", "profiled", 0, "ContainerCreate", "",
	    NEED("allow ContainerCreate") },
	{ "profiled: the profile's entries name the profile", "profiled", 0, "SystemPing", "",
	    ALLOW("allow SystemPing (profile traefik)") },
	{ "denied: a deny entry wins before the body", "denied", 0, "ContainerCreate", "",
	    DENIED("deny ContainerCreate") },
	{ "denied: the glob still needs the body of start", "denied", 0, "ContainerStart", "",
	    NEED("allow Container*") },
	{ "ro: read_only wins before the body", "ro", 0, "ContainerCreate", "",
	    DENIED("read_only") },
	{ "ro: reads stay plain allows", "ro", 0, "ContainerList", "", ALLOW("allow *") },
};

static void
test_eval_need_body_row(void **state)
{
	const struct eval_case *c = *state;
	int policy = pol_set_find_policy(rules_fixture, c->policy);
	struct sw_req req = make_req(c->name, "POST", c->endpoint, c->version);
	struct pol_decision d;
	enum pol_verdict v;
	char rule[128];

	if (policy == -1)
		fail_msg("%s: policy %s is not in %s", c->name, c->policy, RULES_FIXTURE);
	memset(&d, 0xa5, sizeof(d));
	v = pol_eval(rules_fixture, policy, &req, &d);
	pol_decision_rule(rules_fixture, &d, rule, sizeof(rule));
	if (v != c->want || d.verdict != c->want || d.reason != c->reason ||
	    strcmp(rule, c->rule) != 0 || d.policy != policy)
		fail_msg(
		    "%s: verdict %d/%d reason %d rule \"%s\" policy %d, want verdict %d reason "
		    "%d rule \"%s\" policy %d",
		    c->name, v, d.verdict, d.reason, rule, d.policy, c->want, c->reason, c->rule,
		    policy);
}

/*
 * Over the whole route table: under body rules, an endpoint needs its body
 * exactly when the entries allow it and it has an inspector; without rules,
 * never.  The compiled bitset holds every endpoint the entries allow.
 */
static void
test_eval_need_body_every_endpoint(void **state)
{
	int rules = pol_set_find_policy(rules_fixture, "rules"),
	    plain = pol_set_find_policy(rules_fixture, "plain"),
	    ro = pol_set_find_policy(rules_fixture, "ro");
	struct sw_req req = make_req("every endpoint", "GET", NULL, "");
	struct pol_decision d;
	size_t ep, p;
	bool bit, allowed;

	(void)state;
	for (ep = 1; ep < pol_ep_count(); ep++) {
		req.endpoint = (int)ep;
		for (p = 0; p < pol_set_policy_count(rules_fixture); p++) {
			pol_eval(rules_fixture, (int)p, &req, &d);
			bit = (rules_fixture->policies[p].allowed[ep / 64] >> (ep % 64)) & 1;
			allowed = d.verdict != POL_DENY;
			if (bit != allowed)
				fail_msg("%s under %s: bitset %d, verdict %d", pol_ep_name((int)ep),
				    pol_set_policy_name(rules_fixture, (int)p), bit, d.verdict);
			if (d.verdict == POL_NEED_BODY && !pol_ep_inspected((int)ep))
				fail_msg("%s under %s: needs a body but has no inspector",
				    pol_ep_name((int)ep),
				    pol_set_policy_name(rules_fixture, (int)p));
			if ((int)p == plain && d.verdict == POL_NEED_BODY)
				fail_msg("%s: needs a body under a policy without rules",
				    pol_ep_name((int)ep));
			if (((int)p == rules || (int)p == ro) && allowed &&
			    (d.verdict == POL_NEED_BODY) != pol_ep_inspected((int)ep))
				fail_msg("%s under %s: verdict %d, inspected %d",
				    pol_ep_name((int)ep),
				    pol_set_policy_name(rules_fixture, (int)p), d.verdict,
				    pol_ep_inspected((int)ep));
		}
	}
}

static void
test_eval_need_body_message(void **state)
{
	struct sw_req req = make_req("need body message", "POST", "ContainerCreate", "");
	struct pol_decision d;
	char msg[512];

	(void)state;
	req.path = SW_STR_LIT("/containers/create");
	pol_eval(rules_fixture, pol_set_find_policy(rules_fixture, "rules"), &req, &d);
	pol_decision_message(rules_fixture, &req, &d, msg, sizeof(msg));
	assert_string_equal(msg, "sockwarden: ContainerCreate is allowed (policy rules, rule allow "
	                         "ContainerCreate), if its body passes the policy's rules");
}

/* ---- messages --------------------------------------------------------------------- */

struct msg_case {
	const char *name;
	const char *policy;
	const char *method;
	const char *endpoint; /* NULL: no route */
	const char *path;
	const char *version;
	const char *want;
};

static struct msg_case msg_cases[] = {
	{ "default deny", "traefik", "POST", "ContainerCreate", "/containers/create", "",
	    "sockwarden: ContainerCreate is not allowed (policy traefik, default deny): add it to "
	    "policies.traefik.allow" },
	{ "deny entry", "monitor", "GET", "ContainerLogs", "/containers/x/logs", "1.41",
	    "sockwarden: ContainerLogs is denied (policy monitor, rule deny ContainerLogs): "
	    "remove that entry from policies.monitor.deny to allow it" },
	{ "read_only", "ro", "POST", "ContainerCreate", "/containers/create", "",
	    "sockwarden: ContainerCreate is denied (policy ro, rule read_only): policies.ro.read_only "
	    "allows only endpoints that change nothing" },
	{ "unknown endpoint", "everything", "POST", NULL, "/containers/x/frobnicate", "",
	    "sockwarden: POST /containers/x/frobnicate is not a Docker API endpoint" },
	{ "version too old", "traefik", "GET", "SystemPing", "/_ping", "1.12",
	    "sockwarden: API version 1.12 is below the minimum 1.24 (api.min_version)" },
	{ "allowed", "traefik", "GET", "ContainerList", "/containers/json", "",
	    "sockwarden: ContainerList is allowed (policy traefik, rule allow ContainerList)" },
	{ "allowed by group", "monitor", "GET", "ContainerList", "/containers/json", "",
	    "sockwarden: ContainerList is allowed (policy monitor, rule group read-only)" },
};

static void
test_eval_message(void **state)
{
	const struct msg_case *c = *state;
	struct sw_req req = make_req(c->name, c->method, c->endpoint, c->version);
	struct pol_decision d;
	char msg[512];
	size_t n;

	req.path = sw_str_cstr(c->path);
	pol_eval(fixture, policy_index(c->policy), &req, &d);
	n = pol_decision_message(fixture, &req, &d, msg, sizeof(msg));
	if (strcmp(msg, c->want) != 0)
		fail_msg("%s:\n  got  \"%s\"\n  want \"%s\"", c->name, msg, c->want);
	assert_int_equal(n, strlen(msg));
}

static void
test_eval_message_no_policy(void **state)
{
	struct sw_req req = make_req("no policy", "GET", "SystemPing", "");
	struct pol_decision d;
	char msg[128];

	(void)state;
	pol_eval(fixture, -1, &req, &d);
	pol_decision_message(fixture, &req, &d, msg, sizeof(msg));
	assert_string_equal(msg, "sockwarden: no policy applies to this client");
	pol_eval(NULL, 0, &req, &d);
	assert_int_equal(d.reason, POL_R_NO_POLICY);
	pol_decision_message(NULL, &req, &d, msg, sizeof(msg));
	assert_string_equal(msg, "sockwarden: no policy applies to this client");
}

/* Bytes a client controls never reach the message raw: no controls, quotes, backslashes. */
static void
test_eval_message_sanitised(void **state)
{
	char path[400], method[] = "P\"O\\S\x01T", version[] = "1.\x7f\"\xff";
	struct sw_req req = make_req("sanitised", "GET", NULL, "");
	struct pol_decision d;
	char msg[1024];
	const char *tail = " is not a Docker API endpoint";
	size_t i, n;

	(void)state;
	memset(path, 'a', sizeof(path));
	memcpy(path, "/x\"y\\z\r\n\t\x1b[31m\xc3\xa9", 16);
	req.method = sw_str_make(method, strlen(method));
	req.path = sw_str_make(path, sizeof(path));
	pol_eval(fixture, policy_index("everything"), &req, &d);
	n = pol_decision_message(fixture, &req, &d, msg, sizeof(msg));
	assert_int_equal(n, strlen(msg));
	for (i = 0; i < n; i++)
		if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] > 0x7e || msg[i] == '"' ||
		    msg[i] == '\\')
			fail_msg("byte 0x%02x at %zu of \"%s\"", (unsigned char)msg[i], i, msg);
	assert_non_null(strstr(msg, "sockwarden: P?O?S?T /x?y?z????[31m??aaa"));
	/* 200 bytes of the path are quoted, then "..." */
	assert_int_equal(n, strlen("sockwarden: P?O?S?T ") + 200 + 3 + strlen(tail));
	assert_string_equal(msg + n - strlen(tail) - 3, "... is not a Docker API endpoint");

	req = make_req("sanitised version", "GET", "SystemPing", "");
	req.version = sw_str_make(version, strlen(version));
	pol_eval(fixture, policy_index("traefik"), &req, &d);
	assert_int_equal(d.reason, POL_R_API_TOO_OLD);
	pol_decision_message(fixture, &req, &d, msg, sizeof(msg));
	assert_string_equal(msg, "sockwarden: API version 1.??? is below the minimum 1.24 "
	                         "(api.min_version)");
}

static void
test_eval_message_truncated(void **state)
{
	struct sw_req req = make_req("truncated", "POST", "ContainerCreate", "");
	struct pol_decision d;
	char msg[16], rule[6];

	(void)state;
	pol_eval(fixture, policy_index("traefik"), &req, &d);
	memset(msg, 'x', sizeof(msg));
	assert_int_equal(pol_decision_message(fixture, &req, &d, msg, sizeof(msg)), 15);
	assert_string_equal(msg, "sockwarden: Con");
	assert_int_equal(pol_decision_message(fixture, &req, &d, msg, 0), 0);
	assert_int_equal(msg[0], 's'); /* bufsz 0: nothing written */
	req.endpoint = pol_ep_lookup("SystemPing");
	pol_eval(fixture, policy_index("traefik"), &req, &d);
	assert_string_equal(pol_decision_rule(fixture, &d, rule, sizeof(rule)), "allow");
	assert_string_equal(pol_decision_rule(fixture, &d, rule, 0), "");
}

/* ---- properties ---------------------------------------------------------------------- */

/* The zero value of a decision is a deny, and it names no rule. */
static void
test_eval_zero_decision(void **state)
{
	struct pol_decision z;
	char rule[64];

	(void)state;
	memset(&z, 0, sizeof(z));
	assert_int_equal(z.verdict, POL_DENY);
	assert_int_equal(z.reason, POL_R_DEFAULT_DENY);
	assert_string_equal(pol_decision_rule(fixture, &z, rule, sizeof(rule)), "default");
}

/*
 * Over the whole route table: "*" allows every routed endpoint and nothing
 * else, read_only keeps exactly the READ ones, the read-only group keeps READ
 * and not LEAK, an empty policy allows nothing, and the compiled bitset agrees
 * with every verdict.
 */
static void
test_eval_every_endpoint(void **state)
{
	int everything = policy_index("everything"), ro = policy_index("ro"),
	    monitor = policy_index("monitor"), nothing = policy_index("nothing");
	struct sw_req req = make_req("every endpoint", "GET", NULL, "");
	struct pol_decision d;
	size_t ep, p;
	unsigned f;
	bool bit, want;

	(void)state;
	assert_true(pol_ep_count() > 100);
	for (ep = 0; ep < pol_ep_count(); ep++) {
		const char *name = pol_ep_name((int)ep);

		req.endpoint = (int)ep;
		f = pol_ep_flags((int)ep);
		for (p = 0; p < pol_set_policy_count(fixture); p++) {
			pol_eval(fixture, (int)p, &req, &d);
			bit = (fixture->policies[p].allowed[ep / 64] >> (ep % 64)) & 1;
			if (bit != (d.verdict == POL_ALLOW))
				fail_msg("%s under %s: bitset %d, verdict %d", name,
				    pol_set_policy_name(fixture, (int)p), bit, d.verdict);
			if (ep == POL_EP_UNKNOWN &&
			    (d.verdict != POL_DENY || d.reason != POL_R_UNKNOWN_ENDPOINT))
				fail_msg("no route under %s: verdict %d reason %d",
				    pol_set_policy_name(fixture, (int)p), d.verdict, d.reason);
		}
		if (ep == POL_EP_UNKNOWN)
			continue;
		pol_eval(fixture, everything, &req, &d);
		if (d.verdict != POL_ALLOW)
			fail_msg("%s is not allowed by \"*\"", name);
		pol_eval(fixture, ro, &req, &d);
		if ((d.verdict == POL_ALLOW) != ((f & POL_EPF_READ) != 0))
			fail_msg("%s (flags %#x): read_only verdict %d", name, f, d.verdict);
		pol_eval(fixture, monitor, &req, &d);
		want =
		    (f & POL_EPF_READ) && !(f & POL_EPF_LEAK) && strcmp(name, "ContainerLogs") != 0;
		if ((d.verdict == POL_ALLOW) != want)
			fail_msg("%s (flags %#x): monitor verdict %d", name, f, d.verdict);
		pol_eval(fixture, nothing, &req, &d);
		if (d.verdict != POL_DENY || d.reason != POL_R_DEFAULT_DENY)
			fail_msg("%s allowed by an empty policy", name);
	}
	req.endpoint = (int)pol_ep_count(); /* one past the table */
	pol_eval(fixture, everything, &req, &d);
	assert_int_equal(d.reason, POL_R_UNKNOWN_ENDPOINT);
	req.endpoint = -1;
	pol_eval(fixture, everything, &req, &d);
	assert_int_equal(d.reason, POL_R_UNKNOWN_ENDPOINT);
	assert_int_equal(pol_eval(fixture, everything, NULL, &d), POL_DENY);
}

/* The family groups stay inside their family and inside read-only. */
static void
test_eval_family_groups(void **state)
{
	static const struct {
		const char *group, *prefix;
	} fam[] = { { "containers-read-only", "Container" }, { "images-read-only", "Image" },
		{ "networks-read-only", "Network" }, { "volumes-read-only", "Volume" } };
	int g, ro = pol_group_find("read-only");
	size_t i, ep, members;

	(void)state;
	for (i = 0; i < nitems(fam); i++) {
		g = pol_group_find(fam[i].group);
		assert_true(g >= 0);
		members = 0;
		for (ep = 0; ep < pol_ep_count(); ep++) {
			const char *name = pol_ep_name((int)ep);
			bool in_family = ep != POL_EP_UNKNOWN &&
			                 strncmp(name, fam[i].prefix, strlen(fam[i].prefix)) == 0;

			if (pol_group_has(g, (int)ep) != (in_family && pol_group_has(ro, (int)ep)))
				fail_msg(
				    "%s and %s disagree on %s", fam[i].group, "read-only", name);
			members += pol_group_has(g, (int)ep);
		}
		if (members < 2)
			fail_msg("%s has %zu members", fam[i].group, members);
	}
	assert_int_equal(pol_group_find("nope"), -1);
	assert_false(pol_group_has(-1, 1));
	assert_false(pol_group_has(ro, POL_EP_UNKNOWN));
}

int
main(void)
{
	struct CMUnitTest
	    tests[nitems(eval_cases) + nitems(need_body_cases) + nitems(msg_cases) + 10];
	size_t i, n = 0;

	for (i = 0; i < nitems(eval_cases); i++)
		tests[n++] = (struct CMUnitTest){ eval_cases[i].name, test_eval_row, NULL, NULL,
			&eval_cases[i] };
	for (i = 0; i < nitems(need_body_cases); i++)
		tests[n++] = (struct CMUnitTest){ need_body_cases[i].name, test_eval_need_body_row,
			NULL, NULL, &need_body_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_need_body_every_endpoint);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_need_body_message);
	for (i = 0; i < nitems(msg_cases); i++)
		tests[n++] = (struct CMUnitTest){ msg_cases[i].name, test_eval_message, NULL, NULL,
			&msg_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_message_no_policy);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_message_sanitised);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_message_truncated);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_zero_decision);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_every_endpoint);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_eval_family_groups);
	return _cmocka_run_group_tests("eval", tests, n, load_fixture, unload_fixture);
}
