/*
 * Warnings about a configuration that loads but probably does not mean what
 * it says: endpoints that are root on the host without the rules that make
 * them safe, deny entries that remove nothing, allow entries that grant
 * nothing, rules for endpoints the policy does not allow, and rules in warn
 * or audit mode where a finding is a way to root.  "sockwarden check" prints
 * them; "sockwarden check --strict" fails on them.  Pure: no I/O.
 */
#ifndef SW_LINT_H
#define SW_LINT_H

#include <stddef.h>

#include "sockwarden/policy.h"

/*
 * Writes one line per warning into "out" ("file:line:col: warning: policy
 * NAME: ...\n", the position of the key or entry at fault), truncated to
 * "outsz" and always NUL-terminated when outsz > 0.  Returns the number of
 * warnings, including any that did not fit.
 */
int pol_set_lint(const struct pol_set *ps, char *out, size_t outsz);

#endif
