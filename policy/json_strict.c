/*
 * JSON read the way the daemon's encoding/json reads it, or refused (see
 * json_strict.h).  Parsing: pol_json_scan() validates the raw bytes and
 * builds the tree in one pass, numbers as raw nodes holding their source
 * text.  Checking: pol_json_check() walks the tree against a schema.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "json_strict.h"

/* Longest JSON path kept for messages ("HostConfig.Mounts[3].BindOptions..."). */
#define PATH_MAX_LEN 200
/* Longest key that can fold to a field name; longer keys are unknown. */
#define FOLD_MAX     64

static int SW_PRINTF(2, 3) jerr(struct pol_err *err, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- parsing ------------------------------------------------------------------ */

int
pol_json_parse(const struct sw_str *body, struct pol_jdoc *doc, struct pol_err *err)
{
	return pol_json_scan(body->p, body->len, &doc->root, err);
}

void
pol_json_free(struct pol_jdoc *doc)
{
	if (doc == NULL)
		return;
	cJSON_Delete(doc->root);
	doc->root = NULL;
}

/*
 * strcmp() == 0, inline: lookups compare a name with every member of an
 * object, and almost every comparison ends at the first or second byte.
 */
static inline bool
key_eq(const char *a, const char *b)
{
	while (*a == *b && *a != '\0') {
		a++;
		b++;
	}
	return *a == *b;
}

/* ---- key folding ---------------------------------------------------------------- */

/*
 * Go's foldName() for the keys that can match an ASCII field name: ASCII
 * letters upper-cased, U+017F (long s) to 'S', U+212A (Kelvin) to 'K'.
 * Any other non-ASCII rune folds to something non-ASCII, so such a key
 * matches no field: returns -1 for it, and for keys too long to be a field.
 */
static int
fold_key(const char *key, char *out, size_t outsz)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t n = 0;

	while (*k != '\0') {
		if (n + 1 >= outsz)
			return -1;
		if (*k < 0x80) {
			out[n++] = (char)((*k >= 'a' && *k <= 'z') ? *k - 'a' + 'A' : *k);
			k++;
		} else if (k[0] == 0xc5 && k[1] == 0xbf) {
			out[n++] = 'S';
			k += 2;
		} else if (k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {
			out[n++] = 'K';
			k += 3;
		} else {
			return -1;
		}
	}
	out[n] = '\0';
	return 0;
}

static bool
folded_eq_field(const char *folded, const char *field)
{
	for (; *folded != '\0' && *field != '\0'; folded++, field++) {
		char f = *field;

		if (f >= 'a' && f <= 'z')
			f = (char)(f - 'a' + 'A');
		if (*folded != f)
			return false;
	}
	return *folded == '\0' && *field == '\0';
}

bool
pol_json_key_folds_to(const char *key, const char *field)
{
	char folded[FOLD_MAX];

	if (key == NULL || field == NULL)
		return false;
	if (strcmp(key, field) == 0)
		return true;
	if (fold_key(key, folded, sizeof(folded)) == -1)
		return false;
	return folded_eq_field(folded, field);
}

/* ---- checking --------------------------------------------------------------------- */

/*
 * Where a value is, as a chain of segments on the stack: the text
 * ("HostConfig.Mounts[2].Type") is only built for an error message.
 */
enum seg_kind { SEG_ROOT, SEG_FIELD, SEG_INDEX, SEG_KEY };

struct seg {
	const struct seg *up;
	enum seg_kind kind;
	const char *name; /* root prefix, field name or map key */
	size_t index;
};

struct pathbuf {
	char buf[PATH_MAX_LEN];
	size_t len;
};

static void
pb_put(struct pathbuf *pb, const char *s, size_t n)
{
	size_t room = sizeof(pb->buf) - 1 - pb->len;

	if (n > room)
		n = room; /* never more than asked for: gcc can see that this way */
	memcpy(pb->buf + pb->len, s, n);
	pb->len += n;
	pb->buf[pb->len] = '\0';
}

/* Untrusted text in a path: printable ASCII only, '"' and '\\' replaced, cut short. */
static void
pb_put_safe(struct pathbuf *pb, const char *s, size_t max)
{
	char c;
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		c = (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\') ? '?' : s[i];
		pb_put(pb, &c, 1);
	}
}

static void
pb_render(struct pathbuf *pb, const struct seg *sg)
{
	char num[24];

	if (sg == NULL)
		return;
	pb_render(pb, sg->up);
	switch (sg->kind) {
	case SEG_ROOT:
		pb_put(pb, sg->name, strlen(sg->name));
		break;
	case SEG_FIELD:
		if (pb->len > 0)
			pb_put(pb, ".", 1);
		pb_put(pb, sg->name, strlen(sg->name));
		break;
	case SEG_INDEX:
		snprintf(num, sizeof(num), "[%zu]", sg->index);
		pb_put(pb, num, strlen(num));
		break;
	case SEG_KEY:
		pb_put(pb, "[\"", 2);
		pb_put_safe(pb, sg->name, 40);
		pb_put(pb, "\"]", 2);
		break;
	}
}

/* The path of "sg" for a message; "body" for the document itself. */
static const char *
path_text(struct pathbuf *pb, const struct seg *sg)
{
	pb->len = 0;
	pb->buf[0] = '\0';
	pb_render(pb, sg);
	if (pb->len == 0)
		pb_put(pb, "body", 4);
	return pb->buf;
}

static const char *
kind_name(enum pol_jkind k)
{
	switch (k) {
	case PJ_BOOL:
		return "a boolean";
	case PJ_STRING:
		return "a string";
	case PJ_INT:
		return "an integer";
	case PJ_UINT:
		return "a non-negative integer";
	case PJ_FLOAT:
		return "a number";
	case PJ_STRUCT:
	case PJ_MAP:
		return "an object";
	case PJ_ARRAY:
		return "an array";
	case PJ_STRSLICE:
		return "a string or an array of strings";
	case PJ_ANY:
		break;
	}
	return "a value";
}

static int
type_error(const struct seg *sg, enum pol_jkind k, struct pol_err *err)
{
	struct pathbuf pb;

	return jerr(err, "%s: expected %s", path_text(&pb, sg), kind_name(k));
}

/* Integer syntax: -?digits, no fraction or exponent (Go's strconv.ParseInt/ParseUint). */
static int
check_integer(const cJSON *v, bool is_unsigned, const struct seg *sg, struct pol_err *err)
{
	const char *t = pol_json_number_text(v), *d;
	struct pathbuf pb;
	char *end = NULL;

	if (t == NULL)
		return type_error(sg, is_unsigned ? PJ_UINT : PJ_INT, err);
	d = t[0] == '-' ? t + 1 : t;
	if ((is_unsigned && t[0] == '-') || d[0] == '\0' || strspn(d, "0123456789") != strlen(d))
		return type_error(sg, is_unsigned ? PJ_UINT : PJ_INT, err);
	errno = 0;
	if (is_unsigned)
		(void)strtoumax(t, &end, 10);
	else
		(void)strtoimax(t, &end, 10);
	if (errno == ERANGE || end == NULL || *end != '\0')
		return jerr(err, "%s: %.40s is out of range", path_text(&pb, sg), t);
	return 0;
}

static int check_value(
    cJSON *v, const struct pol_jfield *f, const struct seg *sg, struct pol_err *err);
static int check_struct(
    cJSON *v, const struct pol_jschema *s, const struct seg *sg, struct pol_err *err);

static int
check_array(cJSON *v, const struct pol_jfield *f, enum pol_jkind elem_kind, const struct seg *sg,
    struct pol_err *err)
{
	struct pol_jfield elem = { f->name, elem_kind, PJ_ANY, f->sub };
	struct seg at = { sg, SEG_INDEX, NULL, 0 };
	cJSON *c;

	if (!cJSON_IsArray(v))
		return type_error(sg, PJ_ARRAY, err);
	for (c = v->child; c != NULL; c = c->next, at.index++)
		if (check_value(c, &elem, &at, err) == -1)
			return -1;
	return 0;
}

/* ---- exact-key duplicate detection for maps (hash set of keys) ---------------------- */

static uint32_t
hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t
count_children(const cJSON *v)
{
	const cJSON *c;
	size_t n = 0;

	for (c = v->child; c != NULL; c = c->next)
		n++;
	return n;
}

/* Returns 1 when two members of "v" have the same key, 0 when none do, -1 on ENOMEM. */
static int
has_exact_duplicate(const cJSON *v)
{
	const cJSON *c, *small[16], **slots = small;
	size_t n = count_children(v), size = 16, i;
	int dup = 0;

	while (size < n * 2)
		size *= 2;
	if (size > nitems(small) && (slots = calloc(size, sizeof(*slots))) == NULL)
		return -1;
	if (slots == small)
		memset(small, 0, sizeof(small));
	for (c = v->child; c != NULL && !dup; c = c->next) {
		for (i = hash_key(c->string) & (size - 1); slots[i] != NULL;
		     i = (i + 1) & (size - 1))
			if (strcmp(slots[i]->string, c->string) == 0) {
				dup = 1;
				break;
			}
		slots[i] = c;
	}
	if (slots != small)
		free(slots);
	return dup;
}

static int
check_map(cJSON *v, const struct pol_jfield *f, const struct seg *sg, struct pol_err *err)
{
	/* With "sub" set, a map of arrays holds arrays of that struct ([]PortBinding). */
	struct pol_jfield elem = { f->name, f->elem, f->sub != NULL ? PJ_STRUCT : PJ_ANY, f->sub };
	struct seg at = { sg, SEG_KEY, NULL, 0 };
	struct pathbuf pb;
	cJSON *c;
	int dup;

	if (!cJSON_IsObject(v))
		return type_error(sg, PJ_MAP, err);
	if ((dup = has_exact_duplicate(v)) != 0)
		return dup == -1 ? jerr(err, "out of memory") :
		                   jerr(err, "%s: a key is repeated", path_text(&pb, sg));
	for (c = v->child; c != NULL; c = c->next) {
		at.name = c->string;
		if (check_value(c, &elem, &at, err) == -1)
			return -1;
	}
	return 0;
}

static int
check_value(cJSON *v, const struct pol_jfield *f, const struct seg *sg, struct pol_err *err)
{
	/* null is accepted for every kind: nil for pointers, slices and maps, a no-op otherwise. */
	if (v == NULL || cJSON_IsNull(v) || f->kind == PJ_ANY)
		return 0;
	switch (f->kind) {
	case PJ_BOOL:
		return cJSON_IsBool(v) ? 0 : type_error(sg, f->kind, err);
	case PJ_STRING:
		return cJSON_IsString(v) ? 0 : type_error(sg, f->kind, err);
	case PJ_INT:
	case PJ_UINT:
		return check_integer(v, f->kind == PJ_UINT, sg, err);
	case PJ_FLOAT:
		return cJSON_IsRaw(v) ? 0 : type_error(sg, f->kind, err);
	case PJ_STRUCT:
		if (!cJSON_IsObject(v))
			return type_error(sg, f->kind, err);
		return f->sub != NULL ? check_struct(v, f->sub, sg, err) : 0;
	case PJ_MAP:
		return check_map(v, f, sg, err);
	case PJ_ARRAY:
		return check_array(v, f, f->elem, sg, err);
	case PJ_STRSLICE:
		if (cJSON_IsString(v))
			return 0;
		if (!cJSON_IsArray(v))
			return type_error(sg, f->kind, err);
		return check_array(v, f, PJ_STRING, sg, err);
	case PJ_ANY:
		break;
	}
	return 0;
}

/* ---- structs -------------------------------------------------------------------------- */

/*
 * The field "key" names: exact match first, then Go's folding; -1 when
 * unknown.  The exact search starts at "hint", the field after the last
 * one found: Go clients write fields in struct order, so it usually hits
 * at once.
 */
static int
find_field(const struct pol_jschema *s, const char *key, size_t hint, bool *exact)
{
	char folded[FOLD_MAX];
	size_t i, k;

	for (k = 0; k < s->n_fields; k++) {
		i = (hint + k) % s->n_fields;
		if (key_eq(s->fields[i].name, key)) {
			*exact = true;
			return (int)i;
		}
	}
	*exact = false;
	if (fold_key(key, folded, sizeof(folded)) == -1)
		return -1;
	for (i = 0; i < s->n_fields; i++)
		if (folded_eq_field(folded, s->fields[i].name))
			return (int)i;
	return -1;
}

static void
safe_key(char *out, size_t outsz, const char *key)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (key[i] < 0x20 || key[i] > 0x7e || key[i] == '"' || key[i] == '\\') ?
		             '?' :
		             key[i];
	out[i] = '\0';
}

/*
 * Each known field may appear once, spelled exactly as the field; unknown
 * members, which Go ignores, are removed.  "seen" has one slot per field.
 */
static int
check_member(cJSON *v, cJSON *c, const struct pol_jschema *s, const struct seg *sg,
    unsigned char *seen, size_t *hint, struct pol_err *err)
{
	struct seg at = { sg, SEG_FIELD, NULL, 0 };
	struct pathbuf pb;
	char shown[48];
	bool exact;
	int fi;

	fi = find_field(s, c->string, *hint, &exact);
	if (fi == -1) {
		cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
		return 0;
	}
	*hint = (size_t)fi + 1;
	if (!exact || seen[fi]++ != 0) {
		safe_key(shown, sizeof(shown), c->string);
		if (!exact)
			return jerr(err, "%s: key \"%s\" must be spelled \"%s\"",
			    path_text(&pb, sg), shown, s->fields[fi].name);
		return jerr(err, "%s: key \"%s\" is repeated", path_text(&pb, sg), shown);
	}
	at.name = s->fields[fi].name;
	return check_value(c, &s->fields[fi], &at, err);
}

static int
check_struct(cJSON *v, const struct pol_jschema *s, const struct seg *sg, struct pol_err *err)
{
	unsigned char seen_small[256], *seen = seen_small;
	struct pathbuf pb;
	cJSON *c, *next;
	size_t hint = 0;
	int rc = 0;

	if (v == NULL || !cJSON_IsObject(v))
		return jerr(err, "%s: expected an object (%s)", path_text(&pb, sg), s->type);
	if (s->n_fields > sizeof(seen_small)) {
		if ((seen = calloc(s->n_fields, 1)) == NULL)
			return jerr(err, "out of memory");
	} else {
		memset(seen_small, 0, s->n_fields);
	}
	for (c = v->child; c != NULL && rc == 0; c = next) {
		next = c->next;
		rc = check_member(v, c, s, sg, seen, &hint, err);
	}
	if (seen != seen_small)
		free(seen);
	return rc;
}

int
pol_json_check(cJSON *v, const struct pol_jschema *s, const char *path, struct pol_err *err)
{
	struct seg root = { NULL, SEG_ROOT, path != NULL ? path : "", 0 };

	return check_struct(v, s, &root, err);
}

int
pol_json_check_value(cJSON *v, const struct pol_jfield *f, const char *path, struct pol_err *err)
{
	struct seg root = { NULL, SEG_ROOT, path != NULL ? path : "", 0 };

	return check_value(v, f, &root, err);
}

/* ---- lookups ------------------------------------------------------------------------ */

cJSON *
pol_json_get(const cJSON *obj, const char *name)
{
	cJSON *c;

	if (obj == NULL || !cJSON_IsObject(obj) || name == NULL)
		return NULL;
	for (c = obj->child; c != NULL; c = c->next)
		if (c->string != NULL && key_eq(c->string, name))
			return c;
	return NULL;
}

bool
pol_json_is_null(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

bool
pol_json_bool(const cJSON *obj, const char *name, bool dflt)
{
	const cJSON *v = pol_json_get(obj, name);

	if (v == NULL || !cJSON_IsBool(v))
		return dflt;
	return cJSON_IsTrue(v);
}

const char *
pol_json_string(const cJSON *obj, const char *name)
{
	const cJSON *v = pol_json_get(obj, name);

	return v != NULL && cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t
pol_json_int(const cJSON *obj, const char *name, int64_t dflt)
{
	const char *t = pol_json_number_text(pol_json_get(obj, name));
	char *end = NULL;
	intmax_t n;

	if (t == NULL)
		return dflt;
	errno = 0;
	n = strtoimax(t, &end, 10);
	if (errno != 0 || end == NULL || *end != '\0')
		return dflt;
	return (int64_t)n;
}

const char *
pol_json_number_text(const cJSON *v)
{
	if (v == NULL || !cJSON_IsRaw(v))
		return NULL;
	return v->valuestring;
}

cJSON *
pol_json_new_int(int64_t n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, n);
	return cJSON_CreateRaw(buf);
}
