/*
 * Every inspector through pol_inspect(): the first input byte picks one of
 * the inspected endpoints (and the daemon generation), the rest is its body.
 * Invariants: the verdict is allow or deny, a denial carries a status and a
 * message, and the canonical body of an allowed request is a fixed point:
 * inspecting it again allows it and forwards the same bytes.  No crash, no
 * leak.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] = "listeners:\n"
                             "  - { name: f, listen: \"unix:///run/sw-fuzz.sock\", policy: f }\n"
                             "policies:\n"
                             "  f:\n"
                             "    allow: [\"*\"]\n"
                             "    containers:\n"
                             "      bind_mounts: { rw: [\"/srv/**\"] }\n"
                             "      capabilities: { add: [NET_BIND_SERVICE] }\n"
                             "      set: { no_new_privileges: true, labels: { owner: fuzz } }\n"
                             "      default: { pids_limit: 100 }\n"
                             "    exec: { privileged: false }\n"
                             "    volume_create: { drivers: [local], host_options: false }\n"
                             "    network_create: { drivers: [bridge] }\n"
                             "    plugins: { privileges: [] }\n";

static struct pol_set *ps;
static int inspected[256];
static int n_inspected;

static void
setup(void)
{
	struct pol_err err;
	size_t ep;

	if (pol_load_buffer("fuzz", config, sizeof(config) - 1, &ps, &err) == -1)
		abort();
	for (ep = 1; ep < pol_ep_count() && n_inspected < 256; ep++)
		if (pol_ep_inspected((int)ep) && !(pol_ep_flags((int)ep) & POL_EPF_UPLOAD))
			inspected[n_inspected++] = (int)ep;
	if (n_inspected == 0)
		abort();
}

static enum pol_verdict
inspect(int ep, bool old_daemon, const char *body, size_t len, struct pol_inspection *out)
{
	struct pol_daemon daemon = { "20.10.24", "1.41" }, modern = { "28.2.2", "1.50" };
	struct sw_str ctype = SW_STR_LIT("application/json"), b = sw_str_make(body, len);
	struct sw_req req;

	memset(&req, 0, sizeof(req));
	req.method = sw_str_cstr(pol_ep_method(ep));
	req.path = SW_STR_LIT("/containers/create");
	req.version = SW_STR_LIT("1.41");
	req.ref = SW_STR_LIT("abc");
	req.endpoint = ep;
	memset(out, 0, sizeof(*out));
	return pol_inspect(ps, 0, &req, old_daemon ? &daemon : &modern, &ctype, &b, out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pol_inspection first, again;
	enum pol_verdict v;
	int ep;

	if (ps == NULL)
		setup();
	if (size < 1)
		return 0;
	ep = inspected[data[0] % n_inspected];
	v = inspect(ep, data[0] & 0x80, (const char *)data + 1, size - 1, &first);
	if (v != POL_ALLOW && v != POL_DENY)
		abort();
	if (v == POL_DENY && (first.status < 400 || first.message[0] == '\0'))
		abort();
	if (v == POL_ALLOW && first.body != NULL) {
		if (inspect(ep, data[0] & 0x80, first.body, first.body_len, &again) != POL_ALLOW)
			abort();
		if (again.body == NULL || again.body_len != first.body_len ||
		    memcmp(again.body, first.body, first.body_len) != 0)
			abort();
		pol_inspection_free(&again);
	}
	pol_inspection_free(&first);
	return 0;
}
