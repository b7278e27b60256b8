/*
 * JSON read the way the daemon's encoding/json reads it, or refused.
 *
 * pol_json_parse() takes the raw body and refuses what Go would read
 * differently from cJSON or from us: invalid UTF-8, "\u0000", trailing
 * data, nesting deeper than the limit.  Numbers keep their source text (they
 * become cJSON raw nodes whose valuestring is the literal), so they are
 * forwarded digit for digit and type-checked by their syntax.
 *
 * pol_json_check() walks a value against a schema mirroring the Go type it
 * is decoded into.  For a struct, keys match like Go (case-insensitive with
 * Unicode simple folding: 'ſ' U+017F folds to s, 'K' U+212A to k), and the
 * check refuses an object with two keys equal under folding, and a key that
 * folds to a field but is spelled differently.  Unknown keys, which Go
 * ignores, are removed, so what is forwarded holds only what was inspected.
 * Map keys (Labels, Sysctls, ...) are exact, as in Go; an exact duplicate is
 * refused.  A value of the wrong JSON type is refused (the daemon would 400).
 * After the check, lookups by exact name are unambiguous: pol_json_get().
 *
 * cJSON_GetObjectItem* are banned in inspectors: they match the first key,
 * ASCII case-insensitively, which is not what the daemon does.
 */
#ifndef SW_POLICY_JSON_STRICT_H
#define SW_POLICY_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sockwarden/policy.h"
#include "sockwarden/str.h"

/* Deepest nesting accepted (Go allows 10000; no Docker body needs more than ~12). */
#define POL_JSON_MAX_DEPTH 64

enum pol_jkind {
	PJ_ANY = 0, /* any value, passed through as it is (not inspected) */
	PJ_BOOL,
	PJ_STRING,
	PJ_INT,      /* integer syntax only (no '.', 'e'), fits int64 */
	PJ_UINT,     /* integer syntax, no '-', fits uint64 */
	PJ_FLOAT,    /* any JSON number */
	PJ_STRUCT,   /* object decoded into a Go struct: folded keys, "sub" lists the fields */
	PJ_MAP,      /* object decoded into a Go map: exact keys, values of kind "elem" */
	PJ_ARRAY,    /* array of "elem" */
	PJ_STRSLICE, /* strslice.StrSlice: a string, or an array of strings */
};

struct pol_jschema;

struct pol_jfield {
	const char *name; /* the Go JSON name, exact */
	enum pol_jkind kind;
	enum pol_jkind elem; /* PJ_ARRAY / PJ_MAP element kind */
	/* PJ_STRUCT, PJ_ARRAY/PJ_MAP of PJ_STRUCT, or PJ_MAP of PJ_ARRAY of PJ_STRUCT */
	const struct pol_jschema *sub;
};

struct pol_jschema {
	const char *type; /* Go type name, for messages */
	const struct pol_jfield *fields;
	size_t n_fields;
};

struct pol_jdoc {
	cJSON *root; /* owned; NULL after pol_json_free */
};

/*
 * Parse "body" (not NUL-terminated) into doc.  Returns 0, or -1 with a
 * message in err (line/col 0; the message names the problem and offset).
 */
int pol_json_parse(const struct sw_str *body, struct pol_jdoc *doc, struct pol_err *err);
void pol_json_free(struct pol_jdoc *doc);

/*
 * Check "v" against a schema'd struct type.  "path" names v in messages
 * ("HostConfig", "" for the root).  Removes unknown keys.  Returns 0 or -1
 * with err naming the JSON path ("HostConfig.Binds[2]").
 */
int pol_json_check(cJSON *v, const struct pol_jschema *s, const char *path, struct pol_err *err);
/* The same for one field value of any kind. */
int pol_json_check_value(
    cJSON *v, const struct pol_jfield *f, const char *path, struct pol_err *err);

/* Go's simple case folding for matching a key against an ASCII field name. */
bool pol_json_key_folds_to(const char *key, const char *field);

/* Lookups in a checked object: exact names, at most one match guaranteed. */
cJSON *pol_json_get(const cJSON *obj, const char *name);
/* Typed reads; return "dflt" when absent or null. */
bool pol_json_bool(const cJSON *obj, const char *name, bool dflt);
const char *pol_json_string(const cJSON *obj, const char *name); /* NULL when absent/null */
int64_t pol_json_int(const cJSON *obj, const char *name, int64_t dflt);
bool pol_json_is_null(const cJSON *v); /* NULL pointer or JSON null */

/* Numbers: the literal of a number node (checked by pol_json_parse). */
const char *pol_json_number_text(const cJSON *v);
/* A new number node holding "n" (for mutations). */
cJSON *pol_json_new_int(int64_t n);

/*
 * Inspections allocate their cJSON trees from a bump arena (json_arena.c):
 * everything parsed between begin and end must be freed (or no longer used)
 * by end.  Nesting is not supported.
 */
void pol_json_arena_begin(void);
void pol_json_arena_end(void);
/*
 * pol_json_free() for a tree made since pol_json_arena_begin(), before
 * pol_json_arena_end(): skips the walk when the arena holds all of it.
 */
void pol_json_arena_free(struct pol_jdoc *doc);

/*
 * Serialise (compact).  Returns a malloc'd buffer and stores its length in
 * *len, or NULL.  A non-zero *len on entry is a size hint for the buffer (a
 * wrong hint costs only a second attempt).
 */
char *pol_json_print(const cJSON *v, size_t *len);

#endif
