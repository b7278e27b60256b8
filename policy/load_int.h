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
#include <stdint.h>

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

/* What kind of caller identity a client entry's match keys need. */
enum ld_ident_kind {
	LD_IDENT_CERT = 0, /* cert_*: a verified certificate (TLS listeners) */
	LD_IDENT_KERNEL,   /* uid, gid, user, group: SO_PEERCRED (unix listeners) */
	LD_IDENT_CTR,      /* container_*: the caller's container (unix listeners) */
	LD_IDENT__COUNT,
};

/*
 * A listener's first match key of each kind (the listener's kind is known
 * only after its whole mapping): enough to report the first key that kind
 * of listener cannot know.
 */
struct ld_client_src {
	bool has[LD_IDENT__COUNT];
	yaml_mark_t key[LD_IDENT__COUNT];
	const char *name[LD_IDENT__COUNT]; /* the key, a static string */
	size_t entry[LD_IDENT__COUNT];     /* index in the listener's clients list */
};

/*
 * A listener while its file is being read; "policy" is resolved at the end.
 * The keys whose meaning depends on the kind of "listen" (which may come
 * after them) keep their positions, for the checks made once the whole
 * mapping is read.
 */
struct ld_listener {
	struct sw_listener_cfg cfg;
	char where[96]; /* "in listener \"x\"", for key errors */
	char policy[SW_NAME_MAX];
	yaml_mark_t start, name_mark, listen_mark, policy_mark;
	yaml_mark_t socket_key, tls_key, insecure_key; /* of the key, when present */
	bool has_listen, has_socket, has_insecure;
	struct ld_client_src clients_src;
};

/* A literal TCP address from a tcp:// URL; IPv4 is kept as ::ffff:a.b.c.d. */
struct ld_tcp_addr {
	unsigned char addr[16];
	unsigned port;
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
	struct ld_client_src *client_src; /* the listener whose clients are being read */
	size_t client_entry;              /* and the entry's index in its list */
	yaml_mark_t upstream_mark, upstream_tls_key;
	bool has_upstream, has_upstream_tls;
	char show[2][80]; /* untrusted text quoted in an error message */
};

/* load_yaml.c: errors and the event walk */
int ld_fail(struct ld *ld, const yaml_mark_t *m, const char *fmt, ...) SW_PRINTF(3, 4);
const char *ld_show(struct ld *ld, int slot, const char *s);
int ld_next(struct ld *ld);
const char *ld_node_kind(yaml_event_type_t t);
int ld_walk_mapping(struct ld *ld, const struct ld_key *keys, size_t n, void *obj, const char *path,
    const char *where);
int ld_scalar(struct ld *ld, const char *path, const char **out);
int ld_bad_value(struct ld *ld, const char *path, const char *why, const char *value);
int ld_expect(struct ld *ld, yaml_event_type_t type, const char *path, const char *hint);
/*
 * The next item of a list of single values, the current event its start or
 * its previous item: 1 with the item in *s, 0 after its last item, -1 on error.
 */
int ld_next_item(struct ld *ld, const char *path, const char **s);
int ld_copy(struct ld *ld, char *dst, size_t dstsz, const char *path, const char *s);
/* A libyaml mark (0-based) as a position in the file (1-based, as messages give it), and back. */
struct pol_pos ld_pos(const yaml_mark_t *m);
yaml_mark_t ld_mark(struct pol_pos pos);

/* load_keys.c: the top level, api, limits, log and listeners */
extern const struct ld_key ld_top_keys[];
extern const size_t ld_n_top_keys;
void ld_set_defaults(struct sw_config *cfg);
int ld_resolve_listeners(struct ld *ld);

/* load_keys.c: TLS settings, of a listener ("tls") or of the upstream ("upstream_tls") */
int ld_listener_tls(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
int ld_upstream_tls(struct ld *ld, const struct ld_key *k, void *obj, const char *path);

/* load_clients.c: a listener's "clients" list, and user and group names */
int ld_clients(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
/* Are the listener's entries' keys ones its kind of listener can know? */
int ld_check_clients(struct ld *ld, const struct ld_listener *l);
int ld_resolve_clients(struct ld *ld, const struct sw_listener_cfg *lc);
/* "run_as": { user, group }, resolved to ids now. */
int ld_run_as(struct ld *ld, const struct ld_key *k, void *obj, const char *path);

/* load_values.c: values only the loader uses */
/* The leading decimal digits of s (no sign, no leading zeros); how many, 0 on error. */
size_t ld_leading_number(const char *s, uint64_t *out, const char **why);

/* One unit a number may carry ("" for none), and what one of it is worth. */
struct ld_unit {
	const char *suffix;
	uint64_t mult;
};

/*
 * A decimal number and then exactly one of the units' suffixes, no more
 * than "max" once multiplied: the product in *out.  -1 with *why set; "form"
 * is the reason for a spelling with no number first or no known unit.
 */
int ld_parse_with_unit(const char *s, const struct ld_unit *units, size_t n_units, uint64_t max,
    const char *form, uint64_t *out, const char **why);
/* tcp://<IPv4>:<port> or tcp://[<IPv6>]:<port>; the address and port in *out. */
int ld_parse_tcp_url(const char *s, struct ld_tcp_addr *out, const char **why);
/* Does "a" take the port of "b" (or the other way round) when both are bound? */
bool ld_tcp_addr_overlap(const struct ld_tcp_addr *a, const struct ld_tcp_addr *b);
/* Would a listener on "lsn" certainly receive what is sent to the upstream "ups"? */
bool ld_tcp_addr_loops(const struct ld_tcp_addr *lsn, const struct ld_tcp_addr *ups);
int ld_check_file_path(const char *s, const char **why);
int ld_check_host_name(const char *s, const char **why);
/*
 * A glob for a client match key ('*' and '?'): "extra" lists the characters
 * besides letters and digits the matched text can hold ("charset" is the
 * reason given for any other), or NULL for any printable text.
 */
int ld_check_glob(const char *s, const char *extra, const char *charset, const char **why);
int ld_check_label_match(const char *s, const char **why);
int ld_check_owner(const char *s, const char **why);

/* load_policies.c */
int ld_policies(struct ld *ld, const struct ld_key *k, void *obj, const char *path);
/*
 * Edit distance with adjacent swaps (optimal string alignment), for "did you
 * mean" hints; SIZE_MAX for names of POL_PATTERN_MAX bytes or more.
 */
size_t ld_edit_distance(const char *a, const char *b);

#endif
