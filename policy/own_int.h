/*
 * Private to policy/own_*.c and their tests: helpers the ownership files
 * share.  The contract with the proxy is include/sockwarden/owner.h.
 */
#ifndef SW_POLICY_OWN_INT_H
#define SW_POLICY_OWN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sockwarden/owner.h"

/* Room for the owner label key, NUL included (struct pol_ownership.label). */
#define POL_OWN_LABEL_MAX sizeof(((struct pol_ownership *)0)->label)
#define POL_OWN_OWNER_MAX 255 /* bytes of an owner identity (pol_own_check_owner) */

/* What a redacted Env value or label value becomes. */
#define POL_OWN_REDACTED "<redacted>"

/* own_classify.c: was endpoint "ep" given an ownership meaning on purpose? */
bool pol_own_is_classified(int ep);

bool pol_own_key_caseeq(const char *a, const char *b); /* ASCII case-insensitive */
/* bridge, host, none, default: the daemon's own networks, which nobody owns (own_refs.c). */
bool pol_own_predefined_network(const char *s);

/*
 * The query "q" written into buf with "key" set to "value": replacing the
 * first value of that key, or, with "append" (or no such key), as one more
 * pair at the end.  Returns the length written, or -1 with *why (own_query.c).
 */
struct pol_query;
int pol_own_query_write(const struct pol_query *q, const char *key, const char *value, bool append,
    char *buf, size_t bufsz, const char **why);
/* The owner identity as a label value; 0, or -1 with a static reason. */
int pol_own_check_owner(const char *owner, const char **why);

/*
 * own_json.c: answers from the daemon, and the canonical bodies the
 * inspector wrote (own_refs.c).  Both come from an encoder that writes
 * every key once, so an exact lookup is the daemon's own reading.
 */
/* The answer's root (pol_json_parse: numbers kept as their text), or NULL. */
cJSON *pol_own_parse(const char *json, size_t len);
/* The same when the root is an object; NULL for any other. */
cJSON *pol_own_parse_object(const char *json, size_t len);
/*
 * A build's "cachefrom" images (policy/own_build.c), read as the daemon
 * reads them: 0 with *out filled (none for "", null or []), or -1 with
 * *why.  *out is the caller's to free (pol_build_refs_free) either way.
 */
struct pol_query;
int pol_own_build_cache_refs(
    const struct pol_query *q, struct pol_build_refs *out, const char **why);
/*
 * A tree edited in place by "changed" edits (-1: it was not the expected
 * shape): printed into *out (malloc'd, "len" a size hint) when changed > 0.
 * Frees "root".  Returns 1 printed, 0 unchanged (*out left NULL), -1 on a
 * bad answer or out of memory.
 */
int pol_own_print_changed(cJSON *root, int changed, size_t len, char **out, size_t *outlen);
/* obj[key], matched exactly; NULL when obj is not an object or has no such key. */
cJSON *pol_own_get(const cJSON *obj, const char *key);
/*
 * The owner recorded in a "Labels" value: 1 with *value set (a view into
 * the tree) when the label is there, 0 when Labels is absent, null or lacks
 * it, -1 when Labels or the label's value has the wrong JSON type.
 */
int pol_own_label_value(const cJSON *labels, const char *label, const char **value);
/* Does this object's Labels[label] equal owner?  Absent or malformed: no. */
bool pol_own_labels_match(const cJSON *obj, const char *label, const char *owner);

/*
 * own_redact.c: the values of "labels" (a Labels map, or an event's
 * Actor.Attributes) whose keys match o->redact_labels become
 * POL_OWN_REDACTED, in place.  Returns how many, 0 when absent or null, -1
 * when it is not an object of strings (or out of memory).
 */
int pol_own_redact_labels(cJSON *labels, const struct pol_ownership *o);

/*
 * own_refs.c: the other objects the parsed canonical body "root" of
 * endpoint "ep" names (pol_own_read_body), into refs.  Returns how many, or
 * -1 with *why when there are more than "max" or one names nothing to check
 * (an EndpointsConfig key "").
 */
int pol_own_collect_refs(
    int ep, cJSON *root, struct pol_own_ref *refs, size_t max, const char **why);

/*
 * own_df.c: a parsed GET /system/df answer, filtered in place for "owner"
 * (pol_own_filter_list).  Returns 0 or -1 (not the expected shape).
 */
int pol_own_df_filter_tree(cJSON *root, const char *label, const char *owner);

#endif
