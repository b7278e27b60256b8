/*
 * A policy's ownership settings: which label keys may carry the owner, which
 * redaction globs are accepted, and the storage behind pol_set_ownership().
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "own_int.h"
#include "policy_int.h"

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/*
 * The owner label key.  The daemon compares label keys exactly, so what
 * matters is that no other text can stand in for the key where the daemon
 * matches it:
 * - '=' ends the key in a "label=key=value" filter (filters.MatchKVList
 *   cuts at the first '='), and a trailing '!' turns the containerd image
 *   store's label filter into a negation (daemon/containerd/image_list.go
 *   setupLabelFilter), so neither may appear;
 * - the events stream matches label filters against an event's attributes,
 *   which hold the container's labels and then words the daemon sets itself:
 *   "name" (the container's name, which the client chooses), "image",
 *   "type", "exitCode", ... and, for swarm events, "<field>.old" and
 *   "<field>.new" (daemon/events.go).  A key with a '.' that does not end
 *   in .old or .new can be none of those;
 * - Docker reserves the com.docker.*, io.docker.* and org.dockerproject.*
 *   namespaces for its own labels.
 * Printable ASCII only, so that no look-alike spelling can be confused with it.
 */
int
pol_own_check_label_key(const char *s, const char **why)
{
	static const char *const reserved[] = { "com.docker.", "io.docker.", "org.dockerproject." };
	const char *c;
	size_t i;

	if (s[0] == '\0')
		return fail(why, "must not be empty");
	if (strlen(s) >= POL_OWN_LABEL_MAX)
		return fail(why, "must be shorter than 128 bytes");
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return fail(why, "must be printable ASCII without spaces");
		if (*c == '=' || *c == '!')
			return fail(why, "must not contain '=' or '!'");
	}
	if (strchr(s, '.') == NULL)
		return fail(why,
		    "must be a dotted name such as io.example.owner (plain words such as \"name\" are event attributes the daemon sets itself)");
	if (has_suffix(s, ".old") || has_suffix(s, ".new"))
		return fail(why, "must not end in .old or .new (swarm event attributes)");
	for (i = 0; i < nitems(reserved); i++)
		if (strncmp(s, reserved[i], strlen(reserved[i])) == 0)
			return fail(why,
			    "must not be in a namespace Docker reserves (com.docker., io.docker., org.dockerproject.)");
	return 0;
}

/* A redaction glob over variable names or label keys: neither contains '='. */
int
pol_own_check_redact_glob(const char *s, const char **why)
{
	const char *c;

	if (s[0] == '\0')
		return fail(why, "must not be empty");
	if (strlen(s) >= POL_OWN_GLOB_MAX)
		return fail(why, "must be shorter than 128 bytes");
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return fail(why, "must be printable ASCII without spaces");
		if (*c == '=')
			return fail(
			    why, "must not contain '=' (it matches the name, not the value)");
	}
	return 0;
}

int
pol_own_add_redact(struct pol_own_cfg *c, bool label, const char *glob)
{
	char ***list = label ? &c->labels : &c->env;
	size_t *n = label ? &c->pub.n_redact_labels : &c->pub.n_redact_env;
	char **nl, *copy;

	if (*n >= POL_OWN_MAX_REDACT)
		return -1;
	if ((copy = strdup(glob)) == NULL)
		return -1;
	if ((nl = realloc(*list, (*n + 1) * sizeof(*nl))) == NULL) {
		free(copy);
		return -1;
	}
	nl[(*n)++] = copy;
	*list = nl;
	/* The public view follows the array, which realloc may have moved. */
	c->pub.redact_env = (const char *const *)c->env;
	c->pub.redact_labels = (const char *const *)c->labels;
	return 0;
}

void
pol_own_cfg_free(struct pol_own_cfg *c)
{
	size_t i;

	for (i = 0; i < c->pub.n_redact_env; i++)
		free(c->env[i]);
	for (i = 0; i < c->pub.n_redact_labels; i++)
		free(c->labels[i]);
	free(c->env);
	free(c->labels);
	memset(c, 0, sizeof(*c));
}

bool
pol_own_key_caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (sw_ascii_lower(*a) != sw_ascii_lower(*b))
			return false;
	return *a == *b;
}

/*
 * The owner identity as a label value: non-empty, at most 255 bytes (what
 * the proxy reads back from inspect answers), UTF-8 without control
 * characters.  Invalid UTF-8 would reach the daemon as U+FFFD, so two
 * different identities could end up with the same stored label.
 */
int
pol_own_check_owner(const char *s, const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, j, n, k;
	unsigned c, r, min;

	if (s == NULL || s[0] == '\0')
		return fail(why, "there is no owner identity for this caller");
	n = strlen(s);
	if (n > POL_OWN_OWNER_MAX)
		return fail(why, "the owner identity is longer than 255 bytes");
	for (i = 0; i < n; i += k + 1) {
		c = p[i];
		if (c < 0x20 || c == 0x7f)
			return fail(why, "the owner identity contains control characters");
		if (c < 0x80) {
			k = 0;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		else
			return fail(why, "the owner identity is not valid UTF-8");
		if (i + k >= n)
			return fail(why, "the owner identity is not valid UTF-8");
		r = c & (0x3fu >> k);
		for (j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return fail(why, "the owner identity is not valid UTF-8");
			r = r << 6 | (p[i + j] & 0x3f);
		}
		min = k == 1 ? 0x80 : k == 2 ? 0x800 : 0x10000;
		if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
			return fail(why, "the owner identity is not valid UTF-8");
	}
	return 0;
}
