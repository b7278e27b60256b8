/*
 * Private to policy/json_*.c: the raw pre-scan that validates a body against
 * the JSON grammar with the daemon's stricter reading (UTF-8, no "\u0000",
 * no lone surrogates, bounded depth, nothing after the value) before cJSON
 * sees it, and records where every number token is.
 */
#ifndef SW_POLICY_JSON_SCAN_H
#define SW_POLICY_JSON_SCAN_H

#include <stddef.h>

#include "sockwarden/policy.h"

struct pol_jnum {
	size_t off; /* offset of the token in the body */
	size_t len;
};

struct pol_jscan {
	struct pol_jnum *nums; /* every number token, in document order */
	size_t n_nums;
	size_t cap_nums;
};

/* Returns 0, or -1 with err naming the problem and its offset. */
int pol_json_scan(const char *p, size_t len, struct pol_jscan *sc, struct pol_err *err);
void pol_json_scan_free(struct pol_jscan *sc);

#endif
