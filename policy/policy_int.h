/*
 * Private to policy/: the compiled configuration behind struct pol_set, and
 * the helpers the loader, the compiler and the evaluator share.  Nothing
 * outside policy/ (and its unit tests) may include this file.
 */
#ifndef SW_POLICY_INT_H
#define SW_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "rules.h"

/*
 * Ceilings on what one configuration may declare.  The file size cap already
 * bounds them; these keep a hostile file from costing a table per endpoint
 * for a hundred thousand one-line policies.
 */
#define POL_MAX_LISTENERS 256
#define POL_MAX_POLICIES  1024
#define POL_MAX_ENTRIES   4096 /* allow + deny + groups entries in one policy */
#define POL_PATTERN_MAX   128  /* longest allow/deny pattern, NUL included */

enum pol_entry_kind {
	POL_ENTRY_DENY = 0,
	POL_ENTRY_ALLOW,
	POL_ENTRY_GROUP,
	POL_ENTRY_READ_ONLY, /* synthetic, last: the "read_only: true" filter */
};

/* A place in the configuration file, 1-based; line 0: none (built in, or absent). */
struct pol_pos {
	int line;
	int col;
};

/* One line of a policy, kept so a decision can name the entry that made it. */
struct pol_entry {
	enum pol_entry_kind kind;
	char *text;         /* glob over operation ids, or group name; NULL for READ_ONLY */
	int index;          /* position in its YAML list (allow/deny/groups), 0-based */
	int group;          /* group number for POL_ENTRY_GROUP, else -1 */
	bool from_profile;  /* granted by the policy's profile, not written in the policy */
	struct pol_pos pos; /* the entry in the file (the profile key for profile entries) */
};

/*
 * Where a policy's keys are in the file, for warnings (lint.c): a rule's
 * position is that of its value, line 0 when the policy does not write it
 * (absent, or set only by the profile).
 */
struct pol_policy_src {
	struct pol_pos name;
	struct pol_pos profile;
	struct pol_pos mode;
	struct pol_pos containers;
	struct pol_pos rule[POL_RULE__COUNT];
	struct pol_pos modes[POL_RULE__COUNT]; /* modes.<rule> */
	struct pol_pos mutations;              /* containers.set or containers.default */
};

/*
 * A policy's "ownership" and "redact" settings (own_config.c; read by
 * load_policies.c).  "pub" is what pol_set_ownership() hands out: its glob
 * lists are views of "env" and "labels", which the policy owns.
 */
#define POL_OWN_MAX_REDACT 64  /* globs per redact list */
#define POL_OWN_GLOB_MAX   128 /* longest redact glob, NUL included */

struct pol_own_cfg {
	struct pol_ownership pub;
	char **env;
	char **labels;
};

/* The decision for one endpoint id, computed at load time. */
struct pol_ep_rule {
	unsigned char verdict; /* enum pol_verdict */
	unsigned char reason;  /* enum pol_reason */
	int rule;              /* index into entries, -1 for the default */
};

struct pol_policy {
	char name[SW_NAME_MAX];
	bool read_only;
	struct pol_entry *entries; /* document order; READ_ONLY entry appended last */
	size_t n_entries;
	size_t cap_entries;
	uint64_t *allowed;         /* bitset over endpoint ids: the compiled allow set */
	struct pol_ep_rule *table; /* one row per endpoint id, n_ep rows */
	struct pol_rules rules;    /* body rules (load_rules.c); rules.enabled: inspect */
	struct pol_policy_src src;
	struct pol_own_cfg own; /* ownership and redaction; all zero when not written */
};

struct pol_set {
	int refs;
	struct sw_config cfg;      /* listeners array owned by the set */
	struct sw_str min_version; /* view of cfg.min_api_version */
	struct pol_policy *policies;
	size_t n_policies;
	size_t n_ep;    /* pol_ep_count() when the set was compiled */
	char file[256]; /* what errors and warnings call the configuration file */
};

/* model.c */
struct pol_set *pol_set_new(void);
struct pol_policy *pol_set_add_policy(struct pol_set *ps);
int pol_policy_add_entry(
    struct pol_policy *p, enum pol_entry_kind kind, const char *text, int index, int group);
/* Frees what the policy owns (entries, tables, rules, ownership), not the policy itself. */
void pol_policy_release(struct pol_policy *p);
int pol_set_compile(struct pol_set *ps);
bool pol_glob_match(const char *pattern, const char *s);
/* The same over s[0..slen), optionally ASCII case-insensitive. */
bool pol_glob_match_n(const char *pattern, const char *s, size_t slen, bool fold);
/* Does policy entry "e" apply to endpoint "ep"? (deny/allow globs, groups, read_only) */
bool pol_entry_matches(const struct pol_entry *e, int ep);
bool pol_glob_has_magic(const char *pattern);

/*
 * client_match.c: which kinds of identity a client entry's match keys need,
 * the one list of those keys for the loader (an empty match), the linter
 * and the proxy (whether to ask the daemon about containers).
 */
bool pol_client_wants_kernel(const struct sw_client_cfg *cl); /* uid, gid (user, group) */
bool pol_client_wants_cert(const struct sw_client_cfg *cl);   /* cert_* */
bool pol_client_wants_ctr(const struct sw_client_cfg *cl);    /* container_* */

/* own_config.c: ownership settings; each check returns 0, or -1 with a static reason */
int pol_own_check_label_key(const char *s, const char **why);
int pol_own_check_redact_glob(const char *s, const char **why);
/* Appends a copy of a checked glob to redact.labels ("label") or redact.env; -1: full or OOM. */
int pol_own_add_redact(struct pol_own_cfg *c, bool label, const char *glob);
void pol_own_cfg_free(struct pol_own_cfg *c);

/* groups.c: built-in endpoint groups */
size_t pol_group_count(void);
const char *pol_group_name(int group);
int pol_group_find(const char *name);
bool pol_group_has(int group, int ep);

/* load_values.c: scalar parsers; each returns 0, or -1 with a static reason in *why */
int pol_parse_count(const char *s, uint64_t *out, const char **why);
int pol_parse_size(const char *s, uint64_t *out, const char **why);
int pol_parse_duration_ms(const char *s, uint64_t *out, const char **why);
int pol_parse_mode(const char *s, unsigned *out, const char **why);
int pol_parse_bool(const char *s, bool *out, const char **why);
int pol_parse_log_level(const char *s, int *out, const char **why);
int pol_check_name(const char *s, const char **why);
int pol_check_account(const char *s, const char **why);
int pol_check_version(const char *s, size_t max, const char **why);
int pol_check_unix_url(const char *s, const char **why);
int pol_check_upstream(const char *s, const char **why);
int pol_check_audit(const char *s, const char **why);
int pol_check_pattern(const char *s, const char **why);
void pol_format_size(uint64_t bytes, char *buf, size_t bufsz);
void pol_format_duration(uint64_t ms, char *buf, size_t bufsz);

#endif
