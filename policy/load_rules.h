/*
 * Private to the configuration loader: a policy's body rules while its
 * mapping is being read (load_rules.c), the values they take
 * (load_rules_values.c), and the hooks load_policies.c calls.
 *
 * A policy's own rule keys are read into a struct ld_rules of their own;
 * when the policy's mapping ends, ld_rules_finish() starts from the
 * profile's rules (read the same way from the profile's text) and replaces,
 * rule by rule, those the policy writes.  So the order of the keys in the
 * file does not matter, and a key always wins over the profile.
 */
#ifndef SW_LOAD_RULES_H
#define SW_LOAD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load_int.h"
#include "rules.h"

struct ld_rules {
	struct pol_rules r;             /* the values the keys gave */
	bool touched[POL_RULE__COUNT];  /* the key of this rule was written */
	bool mode_set[POL_RULE__COUNT]; /* modes.<rule> was written */
	enum pol_mode modes[POL_RULE__COUNT];
	bool has_mode; /* "mode:" was written */
	enum pol_mode mode;
	bool has_set, has_dflt; /* containers.set / containers.default written */
	int profile;            /* profile number, -1: none */
};

/* A policy while its mapping is read: the handlers' "obj". */
struct ld_policy {
	struct pol_policy *p;
	struct ld_rules rl;
	bool in_profile; /* reading a built-in profile's text: no "profile:" key */
};

/* load_policies.c: walks a policy mapping (the current event) into lp. */
int ld_policy_body(struct ld *ld, struct ld_policy *lp, const char *path, const char *where);

/*
 * load_rules.c: handlers for the policy keys it owns (rows of policy_keys[]
 * in load_policies.c).  ld_h_rule's row carries its rule: LD_RULE(EXEC).
 */
#define LD_RULE(id) ((const void *)(intptr_t)POL_RULE_##id)
int ld_h_profile(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
int ld_h_mode(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
int ld_h_modes(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
int ld_h_containers(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
int ld_h_rule(struct ld *ld, const struct ld_key *k, void *obj, const char *path);

void ld_rules_init(struct ld_rules *rl);
void ld_rules_release(struct ld_rules *rl);
/* After the policy's mapping: merge with the profile into lp->p->rules; 0 or -1. */
int ld_rules_finish(struct ld *ld, struct ld_policy *lp, const yaml_mark_t *end);

/* load_rules_values.c: list items and numbers; 0, or -1 with a static reason in *why */
enum ld_item {
	LDI_HOST_PATH_GLOB, /* "/srv/ci/" followed by "**" */
	LDI_CAPABILITY,     /* "net_bind_service", "CAP_SYS_ADMIN" -> "SYS_ADMIN", "ALL" */
	LDI_SYSCTL,         /* "net.ipv4.ping_group_range", "net.ipv4.*" */
	LDI_RUNTIME,        /* "", "runc", "io.containerd.runc.v2" */
	LDI_ULIMIT,         /* "nofile" */
	LDI_HOST_IP,        /* "", "*", "127.0.0.1", "::1" (stored in canonical form) */
	LDI_IMAGE,          /* "alpine:*" -> "docker.io/library/alpine:*" */
	LDI_LABEL_KEY,      /* "com.example.team" */
	LDI_LOG_DRIVER,     /* "", "json-file" */
	LDI_NAMESPACE,      /* network, pid, ipc, uts, userns, cgroupns */
	LDI_COMMAND,        /* "sh -c *" */
	LDI_DRIVER,         /* volume or network driver: "local", "org/plugin:tag" */
	LDI_INTERFACE,      /* "eth0", "eth*" */
	LDI_PLUGIN_PRIV,    /* "*", "network", "mount=<path glob>", "host pid namespace" */
	LDI_RESOURCE,       /* memory, cpu, pids_limit */
};

#define LD_ITEM_MAX 256 /* longest list item, NUL included */

int ld_item_check(enum ld_item kind, const char *s, char *norm, size_t normsz, const char **why);
const char *ld_item_example(enum ld_item kind);
int ld_parse_rule_size(const char *s, int64_t *out, const char **why);  /* "4GiB" */
int ld_parse_rule_count(const char *s, int64_t *out, const char **why); /* 1 .. 2^31 */
int ld_parse_cpus(const char *s, int64_t *nano, const char **why);      /* "1.5" */
int ld_parse_port_range(const char *s, struct pol_port_range *out, const char **why);
int ld_check_user(const char *s, const char **why); /* "1000:1000" */
int ld_check_label_value(const char *s, const char **why);

#endif
