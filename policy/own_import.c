/*
 * The owner label on an image import (POST /images/create without
 * fromImage), the way a build gets it (own_query.c): one more "changes"
 * value, LABEL <label>=<owner>, after the client's own.
 *
 * How the daemon reads them (daemon/server/router/image/image_routes.go,
 * postImagesCreate): fromImage (r.Form.Get, first value) set is a pull,
 * otherwise an import, whatever fromSrc says; the import hands
 * r.Form["changes"], every value in order, to ImportImage, which calls
 * dockerfile.BuildFromConfig (daemon/builder/dockerfile/builder.go, both
 * image stores).  That joins the values with "\n", parses the text as a
 * Dockerfile (buildkit's parser.Parse) and dispatches the instructions in
 * order; a LABEL sets runConfig.Labels[key] = value, so a later LABEL of
 * the same key wins.  Ours is the last value, and reaches the parser as a
 * line of its own only if nothing before it can swallow it; refused, so:
 * - a value that spells the owner label key, in any ASCII case, as a
 *   build's labels may not: a plain attempt gets a plain answer.  That is
 *   not what keeps the label ours (a key built from an ENV variable would
 *   not spell it); our LABEL, last, is;
 * - a value with a line break: one value is one instruction, as
 *   `docker import -c` sends it;
 * - a value ending in an escape character ('\\' or '`', the two the
 *   "escape" parser directive allows) and blanks: a line continuation
 *   (lineContinuationRegex) would join our line onto it;
 * - a value with "<<": a heredoc (ONBUILD RUN <<EOF) takes the lines after
 *   it, ours included, as its content.
 * Our line quotes key and value so that neither the parser's word split
 * (parseWords) nor the shell lexer the LABEL is expanded with changes them:
 * single quotes keep every character as it is (no '$' expansion, no
 * escape, whichever escape character the client chose); a "'" inside is
 * written "'\"'\"'" (close, a double-quoted quote, reopen), one word still.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"
#include "sockwarden/str.h"

#include "endpoints.h"
#include "own_int.h"
#include "policy_int.h"
#include "query.h"

/* "LABEL " + key and owner quoted (each byte at most 5) + '=' + NUL. */
#define IMPORT_LINE_MAX (6 + (POL_OWN_LABEL_MAX * 5 + 2) + 1 + (POL_OWN_OWNER_MAX * 5 + 2) + 1)

static int
fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* Does "s" contain "key", ASCII case-insensitively? */
static bool
mentions(const char *s, const char *key)
{
	size_t n = strlen(key), i;

	for (; *s != '\0'; s++) {
		for (i = 0; i < n && s[i] != '\0'; i++)
			if (sw_ascii_lower(s[i]) != sw_ascii_lower(key[i]))
				break;
		if (i == n)
			return true;
	}
	return false;
}

/* Does "s" end in an escape character followed only by blanks? */
static bool
continues(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n > 0 && (s[n - 1] == '\\' || s[n - 1] == '`');
}

/* One "changes" value of the client's; 0, or -1 with *why. */
static int
check_change(const char *v, const char *label, const char **why)
{
	if (mentions(v, label))
		return fail(why, "a changes value names the owner label");
	if (strpbrk(v, "\r\n") != NULL)
		return fail(why, "a changes value spans more than one line");
	if (continues(v))
		return fail(why, "a changes value ends in a line continuation");
	if (strstr(v, "<<") != NULL)
		return fail(why, "a changes value opens a heredoc");
	return 0;
}

/* Appends "s" single-quoted at buf[*o]; the caller sized buf for the worst case. */
static void
put_quoted(char *buf, size_t *o, const char *s)
{
	buf[(*o)++] = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			memcpy(buf + *o, "'\"'\"'", 5);
			*o += 5;
		} else {
			buf[(*o)++] = *s;
		}
	}
	buf[(*o)++] = '\'';
	buf[*o] = '\0';
}

/* Our LABEL line into line[IMPORT_LINE_MAX]: key and owner are checked, so they fit. */
static void
label_line(char *line, const char *label, const char *owner)
{
	size_t o = 6;

	memcpy(line, "LABEL ", 6);
	put_quoted(line, &o, label);
	line[o++] = '=';
	put_quoted(line, &o, owner);
}

int
pol_own_add_import_label(int ep, const struct sw_str *query, const char *label, const char *owner,
    char *buf, size_t bufsz, const char **why)
{
	struct sw_str none = SW_STR_NULL;
	char line[IMPORT_LINE_MAX];
	struct pol_query q;
	size_t i;
	int n = -1;

	if (buf != NULL && bufsz > 0)
		buf[0] = '\0';
	if (ep != POL_EP_ImageCreate)
		return 0;
	if (pol_query_parse(query != NULL ? query : &none, &q, why) == -1)
		return -1;
	if (pol_query_value(&q, "fromImage")[0] != '\0') {
		pol_query_free(&q); /* a pull: nothing it makes is labelled by its query */
		return 0;
	}
	if (label == NULL || pol_own_check_label_key(label, why) == -1) {
		fail(why, "the owner label is not valid");
		goto out;
	}
	if (pol_own_check_owner(owner, why) == -1)
		goto out;
	for (i = 0; i < q.n; i++)
		if (strcmp(q.pairs[i].key, "changes") == 0 &&
		    check_change(q.pairs[i].value, label, why) == -1)
			goto out;
	label_line(line, label, owner);
	n = pol_own_query_write(&q, "changes", line, true, buf, bufsz, why);
out:
	pol_query_free(&q);
	return n;
}
