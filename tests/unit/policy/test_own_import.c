/*
 * Tests for policy/own_import.c: the owner label added to an import's
 * "changes" as a last LABEL line.  Each accepted row is checked three ways:
 * the decoded query is as written in the row; the last "changes" value is
 * the LAST pair of the query (the daemon applies r.Form["changes"] in
 * order, so it wins); and a model of the Dockerfile shell lexer's quote
 * handling reads the key and value of that LABEL back as the label and the
 * owner, whatever characters the owner holds.  Refused rows name a piece
 * of the reason.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "endpoints.h"
#include "query.h"
#include "query_decoded.h"

#define LABEL    "io.sockwarden.owner"
#define OWNER    "uid:1000"
#define OWN_LINE "LABEL '" LABEL "'='" OWNER "'"

/*
 * One word as the Dockerfile lexer reads it when it holds only quoted
 * parts: '...' literal, "..." literal (none of $ ` \ inside, which we never
 * write there).  Returns 0 with the text in out, -1 on anything else.
 */
static int
unquote_word(const char **sp, char *out, size_t outsz)
{
	const char *s = *sp;
	size_t o = 0;
	char quote;

	if (*s != '\'' && *s != '"')
		return -1;
	while (*s == '\'' || *s == '"') {
		quote = *s++;
		for (; *s != quote; s++) {
			if (*s == '\0' || o + 1 >= outsz)
				return -1;
			if (quote == '"' && (*s == '$' || *s == '`' || *s == '\\'))
				return -1;
			out[o++] = *s;
		}
		s++;
	}
	out[o] = '\0';
	*sp = s;
	return 0;
}

/* The last "changes" value of raw query "q", if it is the query's last pair, as key and value. */
static int
read_label_line(const char *raw, char *key, char *value, size_t sz)
{
	struct sw_str s = sw_str_cstr(raw);
	struct pol_query q;
	const char *why, *line;
	int rc = -1;

	if (pol_query_parse(&s, &q, &why) == -1)
		return -1;
	if (q.n == 0 || strcmp(q.pairs[q.n - 1].key, "changes") != 0)
		goto out;
	line = q.pairs[q.n - 1].value;
	if (strncmp(line, "LABEL ", 6) != 0)
		goto out;
	line += 6;
	if (unquote_word(&line, key, sz) == -1 || *line++ != '=' ||
	    unquote_word(&line, value, sz) == -1 || *line != '\0')
		goto out;
	rc = 0;
out:
	pol_query_free(&q);
	return rc;
}

struct import_case {
	const char *name;
	const char *query; /* raw, as received */
	const char *owner;
	const char *want; /* decoded result, or for refusals a piece of the reason */
	bool refused;
};

static const struct import_case import_cases[] = {
	{ "tarball from stdin", "fromSrc=-&repo=app&tag=v1", OWNER,
	    "fromSrc=-&repo=app&tag=v1&changes=" OWN_LINE, false },
	{ "no query at all (the daemon's import branch)", "", OWNER, "changes=" OWN_LINE, false },
	{ "empty fromImage is an import", "fromImage=&fromSrc=-", OWNER,
	    "fromImage=&fromSrc=-&changes=" OWN_LINE, false },
	{ "client's changes kept, ours last",
	    "fromSrc=-&changes=ENV+A%3Db&changes=CMD+%5B%22sh%22%5D", OWNER,
	    "fromSrc=-&changes=ENV A=b&changes=CMD [\"sh\"]&changes=" OWN_LINE, false },
	{ "changes before other parameters", "changes=USER+1&fromSrc=-&message=m", OWNER,
	    "changes=USER 1&fromSrc=-&message=m&changes=" OWN_LINE, false },
	{ "another label set", "fromSrc=-&changes=LABEL+com.example.team%3Dweb", OWNER,
	    "fromSrc=-&changes=LABEL com.example.team=web&changes=" OWN_LINE, false },
	{ "escape inside a value", "fromSrc=-&changes=ENV+A%3Da%5C+b", OWNER,
	    "fromSrc=-&changes=ENV A=a\\ b&changes=" OWN_LINE, false },
	{ "empty changes value", "fromSrc=-&changes=", OWNER,
	    "fromSrc=-&changes=&changes=" OWN_LINE, false },
	{ "owner with a single quote", "fromSrc=-", "cn:O'Brien",
	    "fromSrc=-&changes=LABEL '" LABEL "'='cn:O'\"'\"'Brien'", false },
	{ "owner with shell characters", "fromSrc=-", "cn:$HOME `x` \\ \"q\"",
	    "fromSrc=-&changes=LABEL '" LABEL "'='cn:$HOME `x` \\ \"q\"'", false },
	{ "owner with unicode space", "fromSrc=-",
	    "cn:a\xc2\xa0"
	    "b",
	    "fromSrc=-&changes=LABEL '" LABEL "'='cn:a\xc2\xa0"
	    "b'",
	    false },
	{ "owner ending in a backslash", "fromSrc=-", "cn:a\\",
	    "fromSrc=-&changes=LABEL '" LABEL "'='cn:a\\'", false },
};

/* Refused rows: "want" is a piece of the reason. */
static const struct import_case import_refusals[] = {
	{ "owner label set", "fromSrc=-&changes=LABEL+" LABEL "%3Duid:65534", OWNER,
	    "names the owner label", true },
	{ "owner label in another case", "fromSrc=-&changes=LABEL+IO.Sockwarden.OWNER%3Dx", OWNER,
	    "names the owner label", true },
	{ "owner label quoted", "fromSrc=-&changes=LABEL+%22" LABEL "%22%3Dx", OWNER,
	    "names the owner label", true },
	{ "owner label in a second value",
	    "fromSrc=-&changes=USER+1&changes=LABEL+a%3D1+" LABEL "%3Dx", OWNER,
	    "names the owner label", true },
	{ "owner label in ONBUILD", "fromSrc=-&changes=ONBUILD+LABEL+" LABEL "%3Dx", OWNER,
	    "names the owner label", true },
	{ "owner label only mentioned", "fromSrc=-&changes=ENV+X%3D" LABEL, OWNER,
	    "names the owner label", true },
	{ "line feed", "fromSrc=-&changes=ENV+A%3Db%0ALABEL+x%3Dy", OWNER, "more than one line",
	    true },
	{ "carriage return", "fromSrc=-&changes=ENV+A%3Db%0D", OWNER, "more than one line", true },
	{ "trailing backslash", "fromSrc=-&changes=ENV+A%3D%5C", OWNER, "line continuation", true },
	{ "trailing backslash and blanks", "fromSrc=-&changes=ENV+A%3D%5C+%09+", OWNER,
	    "line continuation", true },
	{ "trailing backtick (escape directive)",
	    "fromSrc=-&changes=%23+escape%3D%60&changes=ENV+A%3D%60", OWNER, "line continuation",
	    true },
	{ "escape alone", "fromSrc=-&changes=%5C", OWNER, "line continuation", true },
	{ "continuation in an earlier value", "fromSrc=-&changes=ENV+A%3D%5C&changes=USER+1", OWNER,
	    "line continuation", true },
	{ "heredoc", "fromSrc=-&changes=ONBUILD+RUN+%3C%3CEOF", OWNER, "heredoc", true },
	{ "heredoc with a dash", "fromSrc=-&changes=ONBUILD+RUN+%3C%3C-X+cat", OWNER, "heredoc",
	    true },
	{ "query with a semicolon", "fromSrc=-;changes=x", OWNER, "in query", true },
	{ "no owner", "fromSrc=-", "", "owner", true },
	{ "owner with a control character", "fromSrc=-", "cn:a\x01", "control", true },
};

static int
check_accepted(const struct import_case *t)
{
	struct sw_str q = sw_str_cstr(t->query);
	char buf[4096], got[4096], key[512], value[512];
	const char *why = NULL;
	int n = pol_own_add_import_label(
	    POL_EP_ImageCreate, &q, LABEL, t->owner, buf, sizeof(buf), &why);

	if (n <= 0) {
		print_error("row \"%s\": %d (%s)\n", t->name, n, n < 0 ? why : "not rewritten");
		return 1;
	}
	if ((size_t)n != strlen(buf)) {
		print_error("row \"%s\": length %d for %zu bytes\n", t->name, n, strlen(buf));
		return 1;
	}
	decoded(buf, got, sizeof(got));
	if (strcmp(got, t->want) != 0) {
		print_error("row \"%s\": got %s\n  want %s\n", t->name, got, t->want);
		return 1;
	}
	if (read_label_line(buf, key, value, sizeof(key)) == -1 || strcmp(key, LABEL) != 0 ||
	    strcmp(value, t->owner) != 0) {
		print_error("row \"%s\": the last changes value does not read back as %s=%s\n",
		    t->name, LABEL, t->owner);
		return 1;
	}
	return 0;
}

static void
test_import_rows(void **state)
{
	int failed = 0;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(import_cases); i++)
		failed += check_accepted(&import_cases[i]);
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(import_cases));
}

static void
test_import_refusals(void **state)
{
	int failed = 0;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(import_refusals); i++) {
		const struct import_case *t = &import_refusals[i];
		struct sw_str q = sw_str_cstr(t->query);
		const char *why = NULL;
		char buf[4096] = "unset";
		int n = pol_own_add_import_label(
		    POL_EP_ImageCreate, &q, LABEL, t->owner, buf, sizeof(buf), &why);

		if (n != -1 || why == NULL || strstr(why, t->want) == NULL || buf[0] != '\0') {
			print_error("row \"%s\": %d (%s), want a refusal with \"%s\"\n", t->name, n,
			    n >= 0 ? buf : why, t->want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(import_refusals));
}

/* Pulls and other endpoints: nothing to rewrite, even with changes the import would refuse. */
static void
test_not_an_import(void **state)
{
	static const struct {
		const char *name;
		int ep;
		const char *query;
	} rows[] = {
		{ "pull", POL_EP_ImageCreate, "fromImage=busybox&tag=latest" },
		{ "pull with changes", POL_EP_ImageCreate,
		    "fromImage=busybox&tag=1&changes=LABEL+" LABEL "%3Dx" },
		{ "pull named first", POL_EP_ImageCreate,
		    "fromImage=busybox&fromImage=&fromSrc=-" },
		{ "build", POL_EP_ImageBuild, "changes=LABEL+" LABEL "%3Dx" },
		{ "tag", POL_EP_ImageTag, "repo=x" },
	};
	int failed = 0;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		struct sw_str q = sw_str_cstr(rows[i].query);
		const char *why = NULL;
		char buf[256] = "unset";
		int n =
		    pol_own_add_import_label(rows[i].ep, &q, LABEL, OWNER, buf, sizeof(buf), &why);

		if (n != 0 || buf[0] != '\0') {
			print_error("row \"%s\": %d (%s), want 0 and no query\n", rows[i].name, n,
			    n < 0 ? why : buf);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(rows));
}

/* The rewritten query fits exactly, or is refused whole. */
static void
test_import_small_buffer(void **state)
{
	struct sw_str q = SW_STR_LIT("fromSrc=-");
	const char *why = NULL;
	char buf[512];
	int n;

	(void)state;
	n = pol_own_add_import_label(POL_EP_ImageCreate, &q, LABEL, OWNER, buf, sizeof(buf), &why);
	assert_true(n > 0);
	assert_int_equal(pol_own_add_import_label(
	                     POL_EP_ImageCreate, &q, LABEL, OWNER, buf, (size_t)n + 1, &why),
	    n);
	assert_int_equal(strlen(buf), (size_t)n);
	n = pol_own_add_import_label(POL_EP_ImageCreate, &q, LABEL, OWNER, buf, (size_t)n, &why);
	assert_int_equal(n, -1);
	assert_string_equal(buf, "");
	assert_non_null(strstr(why, "too long"));
}

/* An owner label the loader would refuse is refused here too, never written. */
static void
test_import_bad_label(void **state)
{
	static const char *const labels[] = { "", "nodots", "has space.x", NULL };
	struct sw_str q = SW_STR_LIT("fromSrc=-");
	size_t i;

	(void)state;
	for (i = 0; i < nitems(labels); i++) {
		const char *why = NULL;
		char buf[512] = "unset";

		if (pol_own_add_import_label(
		        POL_EP_ImageCreate, &q, labels[i], OWNER, buf, sizeof(buf), &why) != -1 ||
		    why == NULL || buf[0] != '\0')
			fail_msg("label \"%s\" accepted", labels[i] ? labels[i] : "(null)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_rows),
		cmocka_unit_test(test_import_refusals),
		cmocka_unit_test(test_not_an_import),
		cmocka_unit_test(test_import_small_buffer),
		cmocka_unit_test(test_import_bad_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
