/*
 * Private to the configuration loader (policy/load_*.c): the state of one
 * load, key tables, and the helpers that walk libyaml events.  Handlers are
 * called with the current event on the first event of their value and must
 * consume exactly that value.
 */
#ifndef SW_LOAD_INT_H
#define SW_LOAD_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "sockwarden/compat.h"

#include "policy_int.h"

struct ld;

/* One row of a mapping's key table; tables are sorted by name for bsearch. */
struct ld_key {
	const char *name;
	int (*fn)(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
	bool required;
	const void *arg;
};

/* A listener while its file is being read; "policy" is resolved at the end. */
struct ld_listener {
	struct sw_listener_cfg cfg;
	char where[96]; /* "in listener \"x\"", for key errors */
	char policy[SW_NAME_MAX];
	yaml_mark_t start, name_mark, listen_mark, policy_mark;
	bool has_listen;
};

struct ld {
	yaml_parser_t parser;
	bool have_parser;
	yaml_event_t ev;      /* the current event, owned when have_ev */
	yaml_mark_t key_mark; /* the key whose value a mapping handler is reading */
	bool have_ev;
	const char *buf;
	size_t len;
	struct pol_err *err;
	bool failed;
	struct pol_set *ps;
	struct ld_listener *lsn;
	size_t n_lsn;
	char show[2][80]; /* untrusted text quoted in an error message */
};

/* load_yaml.c: errors and the event walk */
int ld_fail(struct ld *ld, const yaml_mark_t *m, const char *fmt, ...) SW_PRINTF(3, 4);
/* Levenshtein distance, for "did you mean" hints (short names only). */
size_t ld_edit_distance(const char *a, const char *b);
const char *ld_show(struct ld *ld, int slot, const char *s);
int ld_next(struct ld *ld);
const char *ld_node_kind(yaml_event_type_t t);
int ld_walk_mapping(struct ld *ld, const struct ld_key *keys, size_t n, void *obj, const char *path,
    const char *where);
int ld_scalar(struct ld *ld, const char *path, const char **out);
int ld_bad_value(struct ld *ld, const char *path, const char *why, const char *value);
int ld_expect(struct ld *ld, yaml_event_type_t type, const char *path, const char *hint);
int ld_copy(struct ld *ld, char *dst, size_t dstsz, const char *path, const char *s);

/* load_keys.c: the top level, api, limits, log and listeners */
extern const struct ld_key ld_top_keys[];
extern const size_t ld_n_top_keys;
void ld_set_defaults(struct sw_config *cfg);
int ld_resolve_listeners(struct ld *ld);

/* load_clients.c: a listener's "clients" list */
int ld_clients(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
int ld_resolve_clients(struct ld *ld, const struct sw_listener_cfg *lc);

/* load_policies.c */
int ld_policies(struct ld *ld, const struct ld_key *k, void *obj, const char *path);

#endif
