/*
 * Built-in profiles, private to policy/.  A profile is the text of a policy
 * mapping in the configuration language itself (allow entries and rule
 * keys); the loader reads it with the same code, and the same checks, as a
 * policy written in a file.  docs/profiles.md shows each text verbatim, and
 * tests/unit/policy/test_profiles.c keeps the two identical.
 */
#ifndef SW_POLICY_PROFILES_H
#define SW_POLICY_PROFILES_H

#include <stddef.h>

size_t pol_profile_count(void);
const char *pol_profile_name(int profile); /* NULL when out of range */
const char *pol_profile_text(int profile); /* YAML: the keys of a policy */
/* One line: docs/profiles.md opens the profile's section with it (test_profiles.c checks). */
const char *pol_profile_summary(int profile);
int pol_profile_find(const char *name); /* -1 when unknown */

#endif
