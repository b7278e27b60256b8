/*
 * Image references: distribution/reference's grammar and normalisation
 * (splitDockerDomain, ParseNormalizedNamed, TagNameOnly), written out by
 * hand from the regular expressions:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] component ( "/" component )*
 *   domain     := host [ ":" port ]; host := dns-name | "[" ipv6 "]"
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *   digest     := alg ":" [0-9A-Fa-f]{32,}; alg := [A-Za-z][A-Za-z0-9]* ([-_+.] ...)*
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "image_ref.h"

#define PATH_MAX_LEN 255 /* reference.RepositoryNameTotalLengthMax */

static int
refuse(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
all_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return n > 0;
}

/* One path component: alphanumerics joined by '.', '_', "__" or runs of '-'. */
static bool
valid_component(const char *s, size_t n)
{
	size_t i = 0, run;

	while (i < n) {
		if (!is_lower_alnum(s[i]))
			return false;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else if (s[i] == '.' || s[i] == '_') {
			run = (s[i] == '_' && i + 1 < n && s[i + 1] == '_') ? 2 : 1;
			i += run;
		} else {
			return false;
		}
		if (i == n)
			return false; /* a separator must be followed by an alphanumeric */
	}
	return n > 0;
}

static bool
valid_path(const char *s, size_t n)
{
	const char *slash;
	size_t len;

	if (n == 0 || n > PATH_MAX_LEN)
		return false;
	while (n > 0) {
		slash = memchr(s, '/', n);
		len = slash != NULL ? (size_t)(slash - s) : n;
		if (!valid_component(s, len))
			return false;
		if (slash == NULL)
			return true;
		s += len + 1;
		n -= len + 1;
		if (n == 0)
			return false;
	}
	return true;
}

/* host [":" port], host a dotted DNS name (components of [A-Za-z0-9-]) or "[ipv6]". */
static bool
valid_domain(const char *s, size_t n)
{
	size_t i = 0, start;

	if (n > 0 && s[0] == '[') {
		for (i = 1; i < n && (is_hex(s[i]) || s[i] == ':'); i++)
			;
		if (i == 1 || i >= n || s[i] != ']')
			return false;
		i++;
	} else {
		for (;;) {
			start = i;
			while (i < n && (is_alnum(s[i]) || s[i] == '-'))
				i++;
			if (i == start || s[start] == '-' || s[i - 1] == '-')
				return false;
			if (i < n && s[i] == '.') {
				i++;
				continue;
			}
			break;
		}
	}
	if (i == n)
		return true;
	if (s[i] != ':' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool
valid_tag(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128 || !(is_alnum(s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

static bool
valid_digest(const char *s)
{
	const char *colon = strchr(s, ':'), *p;
	size_t hex = 0;

	if (colon == NULL || colon == s ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (p = s; p < colon; p++) {
		if (is_alnum(*p))
			continue;
		if (strchr("-_+.", *p) == NULL || p + 1 == colon ||
		    !((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')))
			return false;
	}
	for (p = colon + 1; *p != '\0'; p++, hex++)
		if (!is_hex(*p))
			return false;
	return hex >= 32;
}

static int
copy_part(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* splitDockerDomain: which part of "name" (no tag or digest) is the registry. */
static void
split_domain(const char *name, size_t n, const char **dom, size_t *dom_len, const char **rest)
{
	const char *slash = memchr(name, '/', n);
	size_t i, dl;
	bool upper = false;

	*dom = "docker.io";
	*dom_len = strlen("docker.io");
	*rest = name;
	if (slash == NULL)
		return;
	dl = (size_t)(slash - name);
	for (i = 0; i < dl; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			upper = true;
	if ((dl == 9 && memcmp(name, "localhost", 9) == 0) || memchr(name, '.', dl) != NULL ||
	    memchr(name, ':', dl) != NULL || upper) {
		*rest = slash + 1;
		if (!(dl == 15 && memcmp(name, "index.docker.io", 15) == 0)) {
			*dom = name;
			*dom_len = dl;
		}
	}
}

static int
parse_named(const char *s, struct pol_image_ref *out, const char **why)
{
	const char *at = strchr(s, '@'), *dom, *rest, *colon, *slash, *tail;
	size_t name_len = at != NULL ? (size_t)(at - s) : strlen(s), dom_len, path_len, tag_len;
	bool lib;

	if (at != NULL) {
		if (copy_part(out->digest, sizeof(out->digest), at + 1, strlen(at + 1)) == -1 ||
		    !valid_digest(out->digest))
			return refuse(why, "invalid digest");
	}
	split_domain(s, name_len, &dom, &dom_len, &rest);
	path_len = name_len - (size_t)(rest - s);
	/* The tag is after the last ':' that follows the last '/'. */
	slash = memrchr(rest, '/', path_len);
	tail = slash != NULL ? slash + 1 : rest;
	colon = memchr(tail, ':', path_len - (size_t)(tail - rest));
	if (colon != NULL) {
		tag_len = path_len - (size_t)(colon + 1 - rest);
		if (copy_part(out->tag, sizeof(out->tag), colon + 1, tag_len) == -1 ||
		    !valid_tag(out->tag))
			return refuse(why, "invalid tag");
		path_len = (size_t)(colon - rest);
	}
	if (!valid_domain(dom, dom_len) ||
	    copy_part(out->domain, sizeof(out->domain), dom, dom_len) == -1)
		return refuse(why, "invalid registry");
	/* Docker Hub names without a namespace are official images: library/. */
	lib = strcmp(out->domain, "docker.io") == 0 && memchr(rest, '/', path_len) == NULL;
	if (path_len + (lib ? 8 : 0) >= sizeof(out->path))
		return refuse(why, "name too long");
	snprintf(
	    out->path, sizeof(out->path), "%s%.*s", lib ? "library/" : "", (int)path_len, rest);
	if (!valid_path(out->path, strlen(out->path)))
		return refuse(
		    why, "invalid repository name (lowercase letters, digits, separators)");
	return 0;
}

int
pol_image_ref_parse(const char *s, struct pol_image_ref *out, const char **why)
{
	size_t n = s != NULL ? strlen(s) : 0;
	const char *hex;
	int len;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (n == 0)
		return refuse(why, "empty image reference");
	if (n >= POL_IMAGE_REF_MAX)
		return refuse(why, "image reference too long");
	hex = strncmp(s, "sha256:", 7) == 0 ? s + 7 : s;
	out->maybe_id = all_lower_hex(hex, strlen(hex));
	if (out->maybe_id && strlen(hex) == 64) {
		out->is_id = true;
		memcpy(out->normalized, s, n + 1);
		return 0;
	}
	if (parse_named(s, out, why) == -1) {
		/* "sha256:abc" is no name, but the daemon still tries it as an ID prefix. */
		if (out->maybe_id) {
			memset(out, 0, sizeof(*out));
			out->maybe_id = true;
			memcpy(out->normalized, s, n + 1);
			*why = NULL;
			return 0;
		}
		return -1;
	}
	len = snprintf(out->normalized, sizeof(out->normalized), "%s/%s%s%s%s%s", out->domain,
	    out->path, out->tag[0] != '\0' || out->digest[0] == '\0' ? ":" : "",
	    out->tag[0] != '\0'    ? out->tag :
	    out->digest[0] == '\0' ? "latest" :
	                             "",
	    out->digest[0] != '\0' ? "@" : "", out->digest);
	if (len < 0 || (size_t)len >= sizeof(out->normalized))
		return refuse(why, "image reference too long");
	return 0;
}

static bool
has_glob(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?')
			return true;
	return false;
}

int
pol_image_pattern_normalize(const char *pattern, char *out, size_t outsz)
{
	const char *slash = strchr(pattern, '/'), *last = strrchr(pattern, '/');
	size_t dl = slash != NULL ? (size_t)(slash - pattern) : strlen(pattern),
	       n = strlen(pattern);
	const char *prefix = "", *suffix = "";
	bool domain = false;
	int len;

	last = last != NULL ? last + 1 : pattern;
	if (slash != NULL)
		domain = (dl == 9 && strncmp(pattern, "localhost", 9) == 0) ||
		         memchr(pattern, '.', dl) != NULL || memchr(pattern, ':', dl) != NULL;
	if (strcmp(pattern, "**") == 0 || (!domain && slash != NULL && has_glob(pattern, dl))) {
		prefix = "";
	} else if (strncmp(pattern, "index.docker.io/", 16) == 0) {
		prefix = "docker.io/";
		pattern += 16;
		n -= 16;
		if (strchr(pattern, '/') == NULL)
			prefix = "docker.io/library/";
	} else if (!domain) {
		prefix = slash == NULL ? "docker.io/library/" : "docker.io/";
	} else if (strncmp(pattern, "docker.io/", 10) == 0 && strchr(pattern + 10, '/') == NULL) {
		prefix = "docker.io/library/";
		pattern += 10;
		n -= 10;
	}
	if (strcmp(pattern, "**") != 0 && strchr(last, ':') == NULL && strchr(last, '@') == NULL &&
	    (n == 0 || (pattern[n - 1] != '*' && pattern[n - 1] != '?')))
		suffix = ":latest";
	len = snprintf(out, outsz, "%s%s%s", prefix, pattern, suffix);
	return len < 0 || (size_t)len >= outsz ? -1 : 0;
}

int
pol_image_ref_with_tag(struct pol_image_ref *r, const char *tag)
{
	struct pol_image_ref t;
	char s[POL_IMAGE_REF_MAX + 8];
	const char *why = NULL;
	int n;

	/* Read "domain/path:tag" back: anything but exactly a tag reads differently. */
	n = snprintf(s, sizeof(s), "%s/%s:%s", r->domain, r->path, tag);
	if (n < 0 || (size_t)n >= sizeof(s) || pol_image_ref_parse(s, &t, &why) == -1 ||
	    strcmp(t.tag, tag) != 0 || t.digest[0] != '\0' || strcmp(t.domain, r->domain) != 0 ||
	    strcmp(t.path, r->path) != 0)
		return -1;
	*r = t;
	return 0;
}
