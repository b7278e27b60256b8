/*
 * Fuzz harness for the configuration loader (policy/load_*.c) and the
 * compiled model.  The input is a configuration file.  Invariants, checked
 * with abort():
 *
 * - a refused input leaves *out untouched and reports a position that is
 *   not negative and a non-empty, NUL-terminated message;
 * - a loaded set has at least one listener and one policy, every listener
 *   names a policy that exists, and every limit is inside its range;
 * - under every policy, no route (POL_EP_UNKNOWN) is never allowed, every
 *   decision names that policy, and its rule and message are NUL-terminated
 *   strings of the length they claim;
 * - pol_set_unref frees everything (the sanitizer's leak check).
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_failure(const struct pol_err *err)
{
	if (err->line < 0 || err->col < 0 || err->msg[0] == '\0')
		abort();
	if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL ||
	    memchr(err->file, '\0', sizeof(err->file)) == NULL)
		abort();
}

static void
check_limits(const struct sw_limits *l)
{
	if (l->max_header_bytes < 1024 || l->max_header_bytes > 1024 * 1024 || l->max_headers < 8 ||
	    l->max_headers > 1000 || l->max_body_bytes < 1024 ||
	    l->max_body_bytes > 64 * 1024 * 1024 || l->max_connections < 1 ||
	    l->max_connections > 1000000 || l->max_buffered_bytes < 1024 * 1024 ||
	    l->max_buffered_bytes > (size_t)1024 * 1024 * 1024)
		abort();
	if (l->head_timeout_ms < 1 || l->idle_timeout_ms < 1 || l->upstream_connect_ms < 1 ||
	    l->shutdown_timeout_ms < 1 || l->head_timeout_ms > 86400000 ||
	    l->idle_timeout_ms > 86400000 || l->upstream_connect_ms > 86400000 ||
	    l->shutdown_timeout_ms > 86400000)
		abort();
}

static void
check_decisions(const struct pol_set *ps, int policy)
{
	struct pol_decision d;
	struct sw_req req;
	char rule[160], msg[512];
	size_t ep, n;

	memset(&req, 0, sizeof(req));
	req.method = SW_STR_LIT("GET");
	req.path = SW_STR_LIT("/fuzz");
	for (ep = 0; ep < pol_ep_count(); ep++) {
		req.endpoint = (int)ep;
		pol_eval(ps, policy, &req, &d);
		if (d.policy != policy || (ep == POL_EP_UNKNOWN && d.verdict != POL_DENY))
			abort();
		if (d.verdict != POL_ALLOW && d.verdict != POL_DENY && d.verdict != POL_NEED_BODY)
			abort();
		/* Only an endpoint with an inspector may ask for its body. */
		if (d.verdict == POL_NEED_BODY && !pol_ep_inspected((int)ep))
			abort();
		pol_decision_rule(ps, &d, rule, sizeof(rule));
		if (memchr(rule, '\0', sizeof(rule)) == NULL || rule[0] == '\0')
			abort();
		n = pol_decision_message(ps, &req, &d, msg, sizeof(msg));
		if (n >= sizeof(msg) || strlen(msg) != n)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sentinel;
	struct pol_set *ps = (struct pol_set *)(void *)&sentinel;
	const struct sw_config *cfg;
	struct pol_err err;
	size_t i, n_policies;

	if (pol_load_buffer("fuzz.yaml", (const char *)data, size, &ps, &err) == -1) {
		if (ps != (struct pol_set *)(void *)&sentinel)
			abort();
		check_failure(&err);
		return 0;
	}
	cfg = pol_set_config(ps);
	n_policies = pol_set_policy_count(ps);
	if (cfg->n_listeners == 0 || n_policies == 0)
		abort();
	for (i = 0; i < cfg->n_listeners; i++)
		if (cfg->listeners[i].policy < 0 || (size_t)cfg->listeners[i].policy >= n_policies)
			abort();
	check_limits(&cfg->limits);
	for (i = 0; i < n_policies; i++) {
		if (pol_set_find_policy(ps, pol_set_policy_name(ps, (int)i)) != (int)i)
			abort();
		check_decisions(ps, (int)i);
	}
	pol_set_unref(ps);
	return 0;
}
