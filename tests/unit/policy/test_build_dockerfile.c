/*
 * Tests for policy/build_dockerfile.c: the images a Dockerfile makes the
 * classic builder resolve.  Each row gives the Dockerfile and the buildargs
 * JSON, and either the images (joined by ',', in order) or a part of the
 * reason for the refusal.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/build_check.h"

struct row {
	const char *name;
	const char *text;
	const char *buildargs;
	const char *want;   /* the images joined by ','; NULL: refused */
	const char *reason; /* refused: part of the reason */
};

static const struct row rows[] = {
	/* FROM */
	{ "one image", "FROM alpine\n", "", "alpine", NULL },
	{ "registry, port, tag and digest",
	    "FROM reg.example:5000/team/app:1.0@sha256:0123456789abcdef\n", "",
	    "reg.example:5000/team/app:1.0@sha256:0123456789abcdef", NULL },
	{ "scratch names nothing", "FROM scratch\n", "", "", NULL },
	{ "SCRATCH is not scratch", "FROM SCRATCH\n", "", "SCRATCH", NULL },
	{ "no instructions", "# just a comment\n\n", "", "", NULL },
	{ "empty file", "", "", "", NULL },
	{ "lower-case keywords and indentation", "  from a\n\tcopy --from=b /x /y\n", "", "a,b",
	    NULL },
	{ "unicode space before the keyword",
	    "\xc2\xa0"
	    "FROM a\n",
	    "", "a", NULL },
	{ "platform flag", "FROM --platform=linux/amd64 alpine AS x\nFROM --platform=$P y\n", "",
	    "alpine,y", NULL },
	{ "duplicates once", "FROM a\nFROM a\nCOPY --from=a /x /y\n", "", "a", NULL },
	{ "FROM with two arguments", "FROM a b\n", "", NULL, "line 1: FROM needs" },
	{ "FROM with AS but no name", "FROM a AS\n", "", NULL, "FROM needs" },
	{ "FROM with four arguments", "FROM a AS b c\n", "", NULL, "FROM needs" },
	{ "FROM without an image", "FROM --platform=linux\n", "", NULL, "FROM needs" },
	{ "stage name starting with a digit", "FROM a AS 1x\n", "", NULL, "stage name" },
	{ "FROM with quotes", "FROM \"alpine\"\n", "", NULL, "quotes" },
	{ "FROM with an escape", "FROM alp\\ine\n", "", NULL, "escape character" },
	{ "FROM with a non-ASCII byte", "FROM alp\xc3\xa9ine\n", "", NULL, "characters outside" },
	{ "FROM with a semicolon", "FROM a;b\n", "", NULL, "characters outside" },

	/* Stages */
	{ "multi-stage build",
	    "FROM golang:1.22 AS build\nRUN make\nFROM alpine\n"
	    "COPY --from=build /out /bin/\n",
	    "", "golang:1.22,alpine", NULL },
	{ "stage names compare lower-cased",
	    "FROM golang AS Build\nFROM build\nCOPY --from=BUILD / /\n", "", "golang", NULL },
	{ "AS in any case", "FROM a As b\nFROM B\n", "", "a", NULL },
	{ "AS spelt with long s", "FROM a A\xc5\xbf b\nFROM b\n", "", "a", NULL },
	{ "stage name with dotted capital I", "FROM a AS \xc4\xb0mg\nFROM img\n", "", "a", NULL },
	{ "a stage is not one inside itself", "FROM a AS b\nCOPY --from=b / /\n", "", "a,b", NULL },
	{ "a later stage is an image earlier", "FROM a\nCOPY --from=later / /\nFROM b AS later\n",
	    "", "a,later,b", NULL },
	{ "FROM its own name is an image", "FROM x AS x\n", "", "x", NULL },
	{ "stage named like scratch", "FROM a AS base\nFROM base\nFROM scratch\n", "", "a", NULL },

	/* COPY and ADD --from */
	{ "stage index",
	    "FROM a\nFROM b\nCOPY --from=0 / /\nCOPY --from=-1 / /\nCOPY --from=+1 / /\n", "",
	    "a,b", NULL },
	{ "index beyond int64 is an image name", "FROM a\nCOPY --from=99999999999999999999 / /\n",
	    "", "a,99999999999999999999", NULL },
	{ "int64 bounds are indexes",
	    "FROM a\nCOPY --from=9223372036854775807 / /\nCOPY --from=-9223372036854775808 / /\n",
	    "", "a", NULL },
	{ "empty --from is no image", "FROM a\nCOPY --from= /x /y\n", "", "a", NULL },
	{ "ADD --from too", "FROM a\nADD --from=b /x /y\n", "", "a,b", NULL },
	{ "--FROM in any case", "FROM a\nCOPY --FROM=b /x /y\n", "", "a,b", NULL },
	{ "--from among the arguments", "FROM a\nCOPY x --from=b /y\n", "", "a,b", NULL },
	{ "--from after other flags", "FROM a\nCOPY --chown=1:1 --link --from=b /x /y\n", "", "a,b",
	    NULL },
	{ "--from after a NBSP byte", "FROM a\nCOPY --chown=\xa0--from=b /x /y\n", "", "a,b",
	    NULL },
	{ "--from in the JSON form is a path", "FROM a\nCOPY [\"--from=b\", \"/y\"]\n", "", "a",
	    NULL },
	{ "--from with $", "FROM a\nCOPY --from=$B /x /y\n", "", NULL, "does not expand" },
	{ "--from with quotes", "FROM a\nCOPY --from=\"b\" /x /y\n", "", NULL, "quotes" },
	{ "--from spelt with quotes", "FROM a\nCOPY --fr\"om\"=b /x /y\n", "", NULL,
	    "--from flag with quotes" },
	{ "--from spelt with an escape", "FROM a\nCOPY --\\from=b /x /y\n", "", NULL,
	    "--from flag with quotes" },
	{ "--from with a bad character", "FROM a\nCOPY --from=b;c /x /y\n", "", NULL,
	    "characters outside" },

	/* ONBUILD */
	{ "ONBUILD without --from", "FROM a\nONBUILD RUN make\n", "", "a", NULL },
	{ "ONBUILD COPY --from", "FROM a\nONBUILD COPY --from=b /x /y\n", "", NULL, "ONBUILD" },
	{ "ONBUILD --from spelt with quotes", "FROM a\nONBUILD COPY --f\"rom\"=b /x /y\n", "", NULL,
	    "ONBUILD" },
	{ "ONBUILD with dotted capital I", "FROM a\nONBU\xc4\xb0LD COPY --from=b /x /y\n", "", NULL,
	    "ONBUILD" },

	/* Meta ARGs and buildargs */
	{ "ARG $NAME and ${NAME}", "ARG BASE=alpine\nARG TAG=3\nFROM $BASE:${TAG}\n", "",
	    "alpine:3", NULL },
	{ "override and default both", "ARG BASE=alpine\nFROM $BASE\n", "{\"BASE\":\"debian\"}",
	    "debian,alpine", NULL },
	{ "override equal to the default", "ARG BASE=alpine\nFROM $BASE\n", "{\"BASE\":\"alpine\"}",
	    "alpine", NULL },
	{ "null override", "ARG BASE=alpine\nFROM $BASE\n", "{\"BASE\":null}", "alpine", NULL },
	{ "override without a default", "ARG BASE\nFROM $BASE\n", "{\"BASE\":\"x\"}", "x", NULL },
	{ "two variables, two ways each", "ARG A=a B=b\nFROM $A-$B\n", "{\"A\":\"x\",\"B\":\"y\"}",
	    "x-y,a-y,x-b,a-b", NULL },
	{ "one choice per variable", "ARG A=a\nFROM $A$A\n", "{\"A\":\"x\"}", "xx,aa", NULL },
	{ "undeclared ARG is unset", "FROM img${BASE}\n", "{\"BASE\":\"evil\"}", "img", NULL },
	{ "proxy ARG needs no declaration", "FROM a${HTTP_PROXY}\n", "{\"HTTP_PROXY\":\"b\"}", "ab",
	    NULL },
	{ "redeclaring without a default unsets", "ARG A=x\nARG A\nFROM b$A\n", "", "b", NULL },
	{ "the last declaration wins", "ARG A=x\nARG A=y\nFROM $A\n", "", "y", NULL },
	{ "ARG after FROM is no meta ARG", "FROM a\nARG B=x\nFROM c$B\n", "", "a,c", NULL },
	{ "flags on ARG are dropped", "ARG --x=1 A=v\nFROM $A\n", "", "v", NULL },
	{ "quoted span is one ARG word", "ARG A=\"x B=evil\"\nFROM b$B\n", "", "b", NULL },
	{ "unused default with $", "ARG A=$B\nFROM x\n", "", "x", NULL },
	{ "used default with $", "ARG A=$B\nFROM $A\n", "", NULL, "whose default" },
	{ "used default with quotes", "ARG A=\"x\"\nFROM $A\n", "", NULL, "whose default" },
	{ "used default with quotes overridden", "ARG A=\"x\"\nFROM $A\n", "{\"A\":\"y\"}", NULL,
	    "whose default" },
	{ "ARG name with $", "ARG $A=x\nFROM a\n", "", NULL, "ARG name" },
	{ "ARG name with quotes", "ARG \"A\"=x\nFROM a\n", "", NULL, "ARG name" },
	{ "ARG without a name", "ARG =x\nFROM a\n", "", NULL, "ARG without a name" },
	{ "${A:-x}", "ARG A\nFROM ${A:-x}\n", "", NULL, "$ forms" },
	{ "$1", "FROM a$1\n", "", NULL, "$ forms" },
	{ "$$", "FROM a$$\n", "", NULL, "$ forms" },
	{ "lone $", "FROM a$\n", "", NULL, "$ forms" },
	{ "${} unclosed", "ARG A\nFROM ${A\n", "", NULL, "$ forms" },
	{ "$NAME followed by a letter beyond ASCII", "ARG A=x\nFROM $A\xc3\xa9\n", "", NULL,
	    "characters outside" },
	{ "empty after expansion", "FROM $UNSET\n", "", NULL, "empty image" },
	{ "empty default", "ARG A=\nFROM $A\n", "", NULL, "empty image" },
	{ "override with a space", "ARG A\nFROM $A\n", "{\"A\":\"a b\"}", NULL,
	    "characters outside" },
	{ "expansion names a stage", "ARG S=build\nFROM a AS build\nFROM $S\n", "", "a", NULL },
	{ "expansion to scratch", "ARG S=scratch\nFROM $S\n", "", "", NULL },
	{ "buildargs null", "FROM a\n", "null", "a", NULL },
	{ "buildargs not JSON", "FROM a\n", "{", NULL, "buildargs: not valid JSON" },
	{ "buildargs an array", "FROM a\n", "[]", NULL, "buildargs: expected an object" },
	{ "buildargs a number value", "FROM a\n", "{\"A\":1}", NULL, "expected a string" },
	{ "buildargs twice the same key", "FROM a\n", "{\"A\":\"x\",\"A\":\"y\"}", NULL,
	    "buildargs: a key is repeated" },

	/* Lines as the parser joins them */
	{ "CRLF", "FROM a AS c\r\nFROM b\r\nCOPY --from=c / /\r\n", "", "a,b", NULL },
	{ "BOM",
	    "\xef\xbb\xbf"
	    "FROM a\n",
	    "", "a", NULL },
	{ "BOM and directive", "\xef\xbb\xbf# escape=\\\nFROM a\n", "", "a", NULL },
	{ "no newline at the end", "FROM a", "", "a", NULL },
	{ "continuation open at the end", "FROM a \\", "", "a", NULL },
	{ "keyword split over lines", "F\\\nROM evil\n", "", "evil", NULL },
	{ "image split over lines", "FROM ev\\\nil\n", "", "evil", NULL },
	{ "comment inside a continuation", "FROM \\\n# a comment\nevil\n", "", "evil", NULL },
	{ "indented comment inside a continuation", "FROM \\\n   # a comment\nevil\n", "", "evil",
	    NULL },
	{ "blank lines inside a continuation", "FROM \\\n\n  \t\nevil\n", "", "evil", NULL },
	{ "continuation keeps the next line's indentation", "FROM\\\n\talpine\n", "", "alpine",
	    NULL },
	{ "blanks after the escape", "FROM \\  \t\nevil\n", "", "evil", NULL },
	{ "CR after the escape", "FROM \\\r\nevil\r\n", "", "evil", NULL },
	{ "escape alone on a line", "FROM a\nRUN x \\\n\\\nFROM b\n", "", "a", NULL },
	{ "escaped escape ends the line", "FROM a\nRUN echo \\\\\nFROM b\n", "", "a,b", NULL },
	{ "FROM swallowed by a RUN continuation", "FROM a\nRUN x \\\n# c\nFROM b\n", "", "a",
	    NULL },
	{ "--from continued after a comment", "FROM a\nCOPY \\\n# x\n --from=evil / /\n", "",
	    "a,evil", NULL },
	{ "lone CR is no line break", "FROM a\rFROM b\n", "", NULL, "line 1: a carriage return" },
	{ "two CRs after the escape (20.10 ends the line there)",
	    "FROM a\nRUN true \\\r\r\nCOPY --from=evil / /\n", "", NULL,
	    "line 2: a carriage return not right before a line feed" },
	{ "CR CR LF at the end", "FROM a\r\r\n", "", NULL, "a carriage return" },
	{ "CR at the very end", "FROM a\r", "", NULL, "a carriage return" },
	{ "syntax directive", "# syntax=docker/dockerfile:1\nFROM a\n", "", "a", NULL },
	{ "escape directive backtick", "# escape=`\nFROM a\n", "", NULL, "line 1: an escape" },
	{ "escape directive later, any case", "FROM a\n  #  ESCAPE = `\n", "", NULL,
	    "line 2: an escape" },
	{ "escape directive empty", "#escape=\nFROM a\n", "", NULL, "escape directive" },

	/* Heredocs */
	{ "FROM after a heredoc", "FROM a\nRUN <<EOF\necho hi\nEOF\nFROM b\n", "", "a,b", NULL },
	{ "terminator # hides no FROM", "FROM a\nRUN <<'#'\nx \\\n#\nFROM evil\n", "", "a,evil",
	    NULL },
	{ "terminator ending in escape hides no FROM", "FROM a\nRUN <<'E\\'\nx\nE\\\nFROM evil\n",
	    "", "a,evil", NULL },
	{ "heredoc content read as instructions",
	    "FROM a\nCOPY <<EOF /Dockerfile\nFROM inner\nEOF\n", "", "a,inner", NULL },
	{ "stage named after a heredoc is not trusted",
	    "FROM a\nRUN <<EOF\nx\nEOF\nFROM b AS s\nFROM s\n", "", "a,b,s", NULL },
	{ "stage named before a heredoc is trusted",
	    "FROM a AS s\nFROM b\nRUN <<EOF\nEOF\nFROM s\n", "", "a,b", NULL },
	{ "current stage's name is not trusted after a heredoc",
	    "FROM a AS s\nRUN <<EOF\nEOF\nFROM b\nCOPY --from=s / /\n", "", "a,b,s", NULL },
	{ "python in a heredoc", "FROM a\nCOPY <<EOF /app.py\nfrom flask import Flask\nEOF\n", "",
	    "a", NULL },
	{ "lines inside a continuation after a heredoc",
	    "FROM a\nRUN <<EOF\nEOF\nRUN x \\\n  FROM hidden\n", "", "a,hidden", NULL },
	{ "heredoc before the first FROM", "RUN <<EOF\nEOF\nFROM a\n", "", NULL,
	    "heredoc before the first FROM" },
	{ "<< in a meta ARG is no heredoc", "ARG A=<<x\nFROM a\n", "", "a", NULL },
};

static void
test_rows(void **state)
{
	size_t i, k, failed = 0;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];
		struct pol_build_refs refs = { NULL, 0, false };
		char why[256] = "", got[4096] = "";
		int rc;

		rc = pol_build_dockerfile_refs(
		    r->text, strlen(r->text), r->buildargs, &refs, why, sizeof(why));
		if (r->want == NULL) {
			if (rc != -1 || refs.n != 0 || refs.ref != NULL)
				fail_msg(
				    "%s: got %d (%zu images), want a refusal", r->name, rc, refs.n);
			if (strstr(why, r->reason) == NULL)
				fail_msg("%s: reason \"%s\", want \"%s\" in it", r->name, why,
				    r->reason);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: refused: %s", r->name, why);
		for (k = 0; k < refs.n; k++) {
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, "%s%s", k ? "," : "", refs.ref[k]);
		}
		pol_build_refs_free(&refs);
		if (strcmp(got, r->want) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n", r->name, got, r->want);
			failed++;
		}
	}
	if (failed > 0)
		fail_msg("%zu of %zu rows failed", failed, nitems(rows));
}

/* A FROM's flag is reported: the image of that stage may be pulled again. */
static void
test_from_platform(void **state)
{
	static const struct {
		const char *text;
		bool platform;
	} plats[] = {
		{ "FROM alpine\n", false },
		{ "FROM --platform=linux/amd64 alpine\n", true },
		{ "FROM a\nFROM --platform=$BUILDPLATFORM b AS x\n", true },
		{ "from --PLATFORM=linux a\n", true },
		{ "FROM a\nCOPY --from=b / /\n", false },
		{ "FROM a\nRUN echo FROM --platform=x b\n", false },
		{ "FROM --platform=linux/amd64 scratch\n", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(plats); i++) {
		struct pol_build_refs refs = { NULL, 0, false };
		char why[256] = "";

		if (pol_build_dockerfile_refs(
		        plats[i].text, strlen(plats[i].text), "", &refs, why, sizeof(why)) != 0 ||
		    refs.from_platform != plats[i].platform)
			fail_msg(
			    "\"%s\": platform %d (%s)", plats[i].text, refs.from_platform, why);
		pol_build_refs_free(&refs);
	}
}

/* head, then n lines "<prefix><i><suffix>\n". */
static char *
lines(const char *head, const char *prefix, size_t n, const char *suffix)
{
	size_t cap = strlen(head) + n * (strlen(prefix) + strlen(suffix) + 24) + 1, len, i;
	char *s = malloc(cap);

	assert_non_null(s);
	len = (size_t)snprintf(s, cap, "%s", head);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%zu%s\n", prefix, i, suffix);
	return s;
}

static int
refs_of(const char *text, size_t len, const char *buildargs, struct pol_build_refs *refs, char *why,
    size_t whysz)
{
	return pol_build_dockerfile_refs(text, len, buildargs, refs, why, whysz);
}

/* 64 images are listed; the 65th refuses the file, never cuts the list short. */
static void
test_refs_bound(void **state)
{
	struct pol_build_refs refs;
	char why[256];
	char *s;

	(void)state;
	s = lines("", "FROM img", 64, "");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), 0);
	assert_int_equal(refs.n, 64);
	assert_string_equal(refs.ref[63], "img63");
	pol_build_refs_free(&refs);
	assert_null(refs.ref);
	free(s);
	s = lines("", "FROM img", 65, "");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "line 65: more than 64 images"));
	assert_null(refs.ref);
	free(s);
}

/* A reference of 4096 bytes is listed, one of 4097 refused. */
static void
test_ref_length(void **state)
{
	struct pol_build_refs refs;
	char text[5000], why[256];

	(void)state;
	memcpy(text, "FROM ", 5);
	memset(text + 5, 'a', 4097);
	assert_int_equal(refs_of(text, 5 + 4096, "", &refs, why, sizeof(why)), 0);
	assert_int_equal(refs.n, 1);
	assert_int_equal(strlen(refs.ref[0]), 4096);
	pol_build_refs_free(&refs);
	assert_int_equal(refs_of(text, 5 + 4097, "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than 4096 bytes"));
}

/* Too many ways to expand, too many meta ARGs, stages, or a file too large. */
static void
test_other_bounds(void **state)
{
	struct pol_build_refs refs;
	char why[256];
	char *s;

	(void)state;
	s = lines(
	    "ARG A0=a B0=b C0=c D0=d E0=e F0=f G0=g\nFROM $A0$B0$C0$D0$E0$F0$G0\n", "#", 1, "");
	assert_int_equal(refs_of(s, strlen(s),
	                     "{\"A0\":\"1\",\"B0\":\"1\",\"C0\":\"1\",\"D0\":\"1\",\"E0\":\"1\","
	                     "\"F0\":\"1\",\"G0\":\"1\"}",
	                     &refs, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "expands more than 64 ways"));
	free(s);
	s = lines("", "ARG A", 257, "");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ARG names before the first FROM"));
	free(s);
	s = lines("", "FROM scratch AS s", 258, "");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "named stages"));
	free(s);
	s = calloc(1, POL_BUILD_DOCKERFILE_MAX + 2);
	assert_non_null(s);
	assert_int_equal(refs_of(s, POL_BUILD_DOCKERFILE_MAX + 1, "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "larger than"));
	free(s);
}

/* After a heredoc every line is re-read: a long continuation is refused, not slow. */
static void
test_heredoc_work(void **state)
{
	struct pol_build_refs refs;
	char why[256];
	char *s;

	(void)state;
	s = lines("FROM a\nRUN <<EOF\n", "FROM b", 40000, " \\");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "after a heredoc"));
	free(s);
	s = lines("FROM a\nRUN <<EOF\n", "echo ", 40000, " \\");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), -1);
	free(s);
	s = lines("FROM a\nRUN <<EOF\n", "echo ", 40000, "");
	assert_int_equal(refs_of(s, strlen(s), "", &refs, why, sizeof(why)), 0);
	assert_int_equal(refs.n, 1);
	pol_build_refs_free(&refs);
	free(s);
}

/* A NUL byte is text like any other: a default holding one is no reference. */
static void
test_nul_in_default(void **state)
{
	static const char text[] = "ARG A=a\0b\nFROM $A\n";
	struct pol_build_refs refs;
	char why[256];

	(void)state;
	assert_int_equal(refs_of(text, sizeof(text) - 1, "", &refs, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "line 2: FROM names an image with characters outside"));
	assert_int_equal(
	    refs_of(text, sizeof(text) - 1, "{\"A\":\"x\"}", &refs, why, sizeof(why)), -1);
}

/* A reason that does not fit is cut, NUL-terminated; no room at all is fine too. */
static void
test_small_why(void **state)
{
	struct pol_build_refs refs;
	char why[8];

	(void)state;
	memset(why, 'x', sizeof(why));
	assert_int_equal(refs_of("FROM a b\n", 9, "", &refs, why, sizeof(why)), -1);
	assert_non_null(memchr(why, '\0', sizeof(why)));
	assert_int_equal(refs_of("FROM a b\n", 9, "", &refs, NULL, 0), -1);
	assert_null(refs.ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_from_platform),
		cmocka_unit_test(test_refs_bound),
		cmocka_unit_test(test_ref_length),
		cmocka_unit_test(test_other_bounds),
		cmocka_unit_test(test_heredoc_work),
		cmocka_unit_test(test_nul_in_default),
		cmocka_unit_test(test_small_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
