/*
 * Image references read the way the daemon reads them (distribution/reference
 * ParseNormalizedNamed, then the image store's fallbacks): "alpine" is
 * docker.io/library/alpine:latest, "index.docker.io/x/y" is docker.io/x/y,
 * "host:5000/a/b@sha256:..." keeps its registry and port.
 *
 * Image IDs are not names: a 64-hex string or "sha256:<64 hex>" is an ID,
 * and any all-hex string (with or without "sha256:") may be resolved by the
 * daemon as an ID prefix when no image has that name.  Such references
 * cannot be matched against a list of names.
 */
#ifndef SW_POLICY_IMAGE_REF_H
#define SW_POLICY_IMAGE_REF_H

#include <stdbool.h>
#include <stddef.h>

#define POL_IMAGE_REF_MAX 512

struct pol_image_ref {
	char domain[256]; /* "docker.io", "registry.example.org:5000", "[::1]:5000" */
	char path[256];   /* "library/alpine" */
	char tag[130];    /* "" when none was given */
	char digest[160]; /* "sha256:..." or "" */
	bool is_id;       /* a full image ID: no name at all */
	bool maybe_id;    /* all hex: the daemon may read it as an ID prefix */
	/* "docker.io/library/alpine:latest", "docker.io/library/alpine@sha256:...";
	   for an ID, the ID as given */
	char normalized[POL_IMAGE_REF_MAX];
};

/* Returns 0, or -1 with a static reason in *why when the daemon would refuse the reference. */
int pol_image_ref_parse(const char *s, struct pol_image_ref *out, const char **why);

/*
 * reference.WithTag, as far as the name goes: "r" becomes domain/path:tag
 * (a digest is dropped).  Returns 0, or -1 when "tag" is not exactly a
 * valid tag (it would read differently back: '/', '@' or ':' in it).
 */
int pol_image_ref_with_tag(struct pol_image_ref *r, const char *tag);

/*
 * Normalise a pattern from a policy ("alpine", "alpine:*", "ghcr.io/org/" + "**",
 * "**") the way references are normalised, leaving glob characters alone:
 * a familiar name gets docker.io and library/, a name without tag or digest
 * gets ":latest" unless it ends in a glob.  Returns 0, or -1 if it does not fit.
 */
int pol_image_pattern_normalize(const char *pattern, char *out, size_t outsz);

#endif
