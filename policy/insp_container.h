/*
 * Private to policy/insp_container_*.c: the checks of a container's
 * configuration, shared by ContainerCreate (Config + HostConfig +
 * NetworkingConfig) and ContainerUpdate (Resources + RestartPolicy).
 *
 * Every check reads the body in its canonical form (after the ≤26
 * top-level HostConfig merge and the policy's mutations), normalises each
 * value as the daemon does, and calls pol_finding_add() for each rule it
 * breaks.  A check returns -1 (ctx->err set) only when the daemon itself
 * would refuse the value in a way we cannot inspect further.
 */
#ifndef SW_POLICY_INSP_CONTAINER_H
#define SW_POLICY_INSP_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "insp_check.h"
#include "inspect.h"
#include "schema_container.h"

struct pol_cc {
	struct pol_insp_ctx *ctx;
	cJSON *root;        /* the body: Config fields at the top level */
	cJSON *hc;          /* the HostConfig the daemon will use; NULL when there is none */
	cJSON *nc;          /* NetworkingConfig; NULL when absent */
	bool api_below_141; /* empty CgroupnsMode may mean "host" (cgroup v1) */
};

/* A string element of an array: "" for null (Go's zero value), NULL when not a string. */
const char *pol_cc_elem_string(const cJSON *e);

/* insp_container_mounts.c: Binds, Mounts, Volumes, VolumeDriver, VolumesFrom, Devices */
int pol_cc_check_mounts(struct pol_cc *cc);
int pol_cc_check_devices(struct pol_cc *cc);

/* insp_container_security.c: Privileged, capabilities, SecurityOpt, system paths, namespaces */
int pol_cc_check_security(struct pol_cc *cc);
int pol_cc_check_namespaces(struct pol_cc *cc);
/* Does a CapDrop value (StrSlice: a string or an array) drop ALL, as the daemon reads it? */
bool pol_cc_drops_all(const cJSON *cap_drop);
/* The no-new-privileges setting of a SecurityOpt array: -1 not set, 0 false, 1 true. */
int pol_secopt_no_new_privileges(const cJSON *arr);

/* insp_container_checks.c: everything else on create */
int pol_cc_check_misc(struct pol_cc *cc);

/*
 * Resource limits in "obj" (HostConfig, or an UpdateConfig).  On update an
 * absent or zero field leaves the limit unchanged, and a negative one
 * removes it; on create zero and negative both mean "no limit".
 */
void pol_cc_check_resources(
    struct pol_insp_ctx *ctx, const cJSON *obj, const char *prefix, bool update);

/* Sysctls an endpoint's driver options set (create's endpoints, NetworkConnect). */
void pol_cc_check_endpoint_sysctls(struct pol_insp_ctx *ctx, const cJSON *ep, const char *field);

#endif
