/*
 * Fuzz harness for policy/json_strict.c and json_scan.c.  The input is a
 * request body, checked against the HostConfig schema (the richest: every
 * kind, nested structs, maps and arrays of structs).  Invariants, checked
 * with abort():
 *
 * - a refused body has a non-empty, NUL-terminated message;
 * - ambiguity is always refused: when two members of the root object fold
 *   to the same HostConfig field (exact duplicates, case variants, 'ſ' or
 *   the Kelvin sign), the check fails;
 * - an accepted body's root members are each spelled exactly as a field;
 * - the canonical output is a fixed point: it parses and checks again, and
 *   prints to the same bytes;
 * - nothing leaks (the sanitizer's leak check).
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "schema_container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAIR_LIMIT 64 /* members compared pairwise (the rest are still checked) */

static const struct pol_jschema *const schema = &pol_schema_host_config;

static void
check_error(const struct pol_err *err)
{
	if (err->msg[0] == '\0' || memchr(err->msg, '\0', sizeof(err->msg)) == NULL)
		abort();
}

/* The field of the schema "key" folds to, or NULL. */
static const char *
folded_field(const char *key)
{
	size_t i;

	for (i = 0; i < schema->n_fields; i++)
		if (pol_json_key_folds_to(key, schema->fields[i].name))
			return schema->fields[i].name;
	return NULL;
}

/* Do two members of the root fold to the same field? */
static bool
has_folded_duplicate(const cJSON *root)
{
	const cJSON *a, *b;
	const char *fa;
	size_t i = 0, j;

	if (!cJSON_IsObject(root))
		return false;
	for (a = root->child; a != NULL && i < PAIR_LIMIT; a = a->next, i++) {
		if ((fa = folded_field(a->string)) == NULL)
			continue;
		for (b = a->next, j = i + 1; b != NULL && j < PAIR_LIMIT; b = b->next, j++)
			if (pol_json_key_folds_to(b->string, fa))
				return true;
	}
	return false;
}

static void
check_exact_members(const cJSON *root)
{
	const cJSON *c;
	const char *f;

	for (c = root->child; c != NULL; c = c->next)
		if ((f = folded_field(c->string)) == NULL || strcmp(f, c->string) != 0)
			abort();
}

static void
check_fixed_point(const cJSON *root)
{
	struct pol_jdoc again = { NULL };
	struct pol_err err;
	struct sw_str s;
	char *o1, *o2;
	size_t l1 = 0, l2 = 0;

	if ((o1 = pol_json_print(root, &l1)) == NULL)
		return; /* out of memory */
	s = sw_str_make(o1, l1);
	if (pol_json_parse(&s, &again, &err) != 0 ||
	    pol_json_check(again.root, schema, "", &err) != 0)
		abort();
	o2 = pol_json_print(again.root, &l2);
	if (o2 == NULL || l1 != l2 || memcmp(o1, o2, l1) != 0)
		abort();
	free(o1);
	free(o2);
	pol_json_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_str body = sw_str_make((const char *)data, size);
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	bool ambiguous;

	memset(&err, 0, sizeof(err));
	if (pol_json_parse(&body, &doc, &err) != 0) {
		check_error(&err);
		if (doc.root != NULL)
			abort();
		return 0;
	}
	ambiguous = has_folded_duplicate(doc.root);
	if (pol_json_check(doc.root, schema, "", &err) != 0) {
		check_error(&err);
	} else {
		if (ambiguous)
			abort();
		check_exact_members(doc.root);
		check_fixed_point(doc.root);
	}
	pol_json_free(&doc);
	return 0;
}
