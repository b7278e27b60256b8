/*
 * Fuzz harness for the ContainerCreate inspector through pol_inspect().
 * The first input byte picks the policy (no rules, strict rules, rules
 * with set/default mutations) and the daemon (26.x with the top-level
 * HostConfig wrapper, 27.x, unknown); the rest is the body.  Invariants,
 * checked with abort():
 *
 * - the result is a verdict, never POL_NEED_BODY, with a status and a
 *   message that agree with it (allowed: status 0 and a body to forward;
 *   refused: 400, 403, 415 or 500, a "sockwarden: " message, no body);
 * - a body whose root has two members folding to the same field of the type
 *   the daemon decodes is refused;
 * - what is forwarded is a fixed point: inspecting the forwarded body again
 *   allows it and forwards the same bytes (mutations and the ≤26 rewrite
 *   have nothing left to do);
 * - nothing leaks (the sanitizer's leak check).
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

#include "json_strict.h"
#include "schema_container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] =
    "listeners:\n"
    "  - name: default\n"
    "    policy: open\n"
    "policies:\n"
    "  open:\n"
    "    allow: [ContainerCreate]\n"
    "  strict:\n"
    "    allow: [ContainerCreate]\n"
    "    containers:\n"
    "      privileged: false\n"
    "      bind_mounts: { rw: [\"/srv/ci/**\"], ro: [\"/opt/**\"] }\n"
    "      capabilities: { add: [NET_BIND_SERVICE] }\n"
    "      namespaces: { host: [] }\n"
    "      images: { allow: [\"alpine:*\"] }\n"
    "  mutating:\n"
    "    allow: [ContainerCreate]\n"
    "    containers:\n"
    "      privileged: false\n"
    "      namespaces: { host: [] }\n"
    "      set: { cap_drop_all: true, no_new_privileges: true, pids_limit: 100,\n"
    "             labels: { team: ci } }\n"
    "      default: { memory: 256MiB, user: \"1000\", read_only_rootfs: true }\n";

static const char *const policies[] = { "open", "strict", "mutating" };
static const struct pol_daemon daemons[] = { { "26.1.4", "1.45" }, { "27.5.1", "1.47" },
	{ "", "" } };

static struct pol_set *
policy_set(void)
{
	static struct pol_set *ps;
	struct pol_err err;

	if (ps == NULL && pol_load_buffer("fuzz", config, strlen(config), &ps, &err) != 0)
		abort(); /* the harness's own configuration must load */
	return ps;
}

static void
check_result(enum pol_verdict v, const struct pol_inspection *out)
{
	if (v != out->decision.verdict)
		abort();
	if (v == POL_ALLOW) {
		if (out->status != 0 || out->body == NULL || out->body_len != strlen(out->body))
			abort();
	} else if (v == POL_DENY) {
		if (out->status != 400 && out->status != 403 && out->status != 415 &&
		    out->status != 500)
			abort();
		if (strncmp(out->message, "sockwarden: ", 12) != 0 || out->body != NULL)
			abort();
	} else {
		abort();
	}
	if (memchr(out->message, '\0', sizeof(out->message)) == NULL ||
	    memchr(out->findings, '\0', sizeof(out->findings)) == NULL)
		abort();
}

/*
 * Two root members folding to one field of the body type this daemon
 * decodes (a >= 27 daemon ignores top-level HostConfig fields, so
 * duplicates of those are dropped, not ambiguous).
 */
static bool
ambiguous(const struct sw_str *body, const struct pol_daemon *daemon)
{
	const struct pol_jschema *s = strncmp(daemon->version, "27.", 3) == 0 ?
	                                  &pol_schema_create_request :
	                                  &pol_schema_create_wrapper;
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	const cJSON *a, *b;
	bool dup = false;
	size_t i, n = 0;

	if (pol_json_parse(body, &doc, &err) != 0)
		return false;
	for (a = cJSON_IsObject(doc.root) ? doc.root->child : NULL; a && !dup && n < 64;
	     a = a->next, n++)
		for (i = 0; i < s->n_fields && !dup; i++) {
			if (!pol_json_key_folds_to(a->string, s->fields[i].name))
				continue;
			for (b = a->next; b != NULL && !dup; b = b->next)
				dup = pol_json_key_folds_to(b->string, s->fields[i].name);
		}
	pol_json_free(&doc);
	return dup;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pol_set *ps = policy_set();
	struct sw_str ct = SW_STR_LIT("application/json"), body, again;
	struct pol_inspection out, out2;
	const struct pol_daemon *daemon;
	struct sw_req req;
	enum pol_verdict v;
	int policy;

	if (size < 1)
		return 0;
	policy = pol_set_find_policy(ps, policies[data[0] % nitems(policies)]);
	daemon = &daemons[(data[0] / nitems(policies)) % nitems(daemons)];
	body = sw_str_make((const char *)data + 1, size - 1);
	memset(&req, 0, sizeof(req));
	req.method = SW_STR_LIT("POST");
	req.endpoint = pol_ep_lookup("ContainerCreate");
	v = pol_inspect(ps, policy, &req, daemon, &ct, &body, &out);
	check_result(v, &out);
	if (v == POL_ALLOW && ambiguous(&body, daemon))
		abort();
	if (v == POL_ALLOW) {
		again = sw_str_make(out.body, out.body_len);
		if (pol_inspect(ps, policy, &req, daemon, &ct, &again, &out2) != POL_ALLOW)
			abort();
		check_result(POL_ALLOW, &out2);
		if (out2.body_len != out.body_len || memcmp(out2.body, out.body, out.body_len) != 0)
			abort();
		pol_inspection_free(&out2);
	}
	pol_inspection_free(&out);
	return 0;
}
