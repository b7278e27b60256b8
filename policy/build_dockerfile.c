/*
 * The images a Dockerfile makes the daemon's classic builder resolve
 * (pol_build_dockerfile_refs, include/sockwarden/build_check.h), read the
 * way the daemon reads it: moby daemon/builder/dockerfile and the BuildKit
 * parser it vendors (frontend/dockerfile/parser, instructions, shell).
 *
 * Lines (parser.Parse): split at '\n' only; every trailing '\r' and '\n' is
 * dropped (trimNewline); a BOM is dropped from the first line.  Daemons
 * before BuildKit's trimNewline (20.10: bufio.ScanLines) drop one '\r' only,
 * and then "\\\r" does not continue the line: so any '\r' that is not
 * right before a '\n' is refused, where the two readings would part.  A line that
 * begins an instruction loses its leading white space (unicode.IsSpace) and
 * is skipped when it is a comment or blank.  A line whose last character
 * but blanks ([ \t]) is the escape token, not itself escaped, continues on
 * the next: the token and the blanks go, the next line is appended as it is,
 * and comment and blank lines met on the way are skipped.  A continuation
 * still open at the end of the file ends there.  The instruction is the
 * first word of the joined line (strings.TrimSpace, then [\t\v\f\r ]),
 * compared after strings.ToLower, which maps U+0130 to 'i' and the Kelvin
 * sign to 'k' as well as ASCII.
 *
 * Parser directives: a "# escape=" directive other than '\' moves where
 * lines continue, so any line that looks like one is refused, wherever it
 * is.  "# syntax=" means nothing to the classic builder (only BuildKit's
 * DetectSyntax reads it; the daemon's builder never calls it).
 *
 * Heredocs: after a RUN, COPY or ADD (or ONBUILD of one) line holding "<<",
 * the parser reads lines as the heredoc's content up to a terminator word
 * that only its shell lexer knows.  Reading on as if there were none is not
 * safe: a terminator such as "#" or one ending in '\' makes the two readings
 * join lines differently, and an instruction after it would go unseen.  So
 * from there on every physical line is read as a possible start of an
 * instruction (whatever the terminator, the daemon's next instruction begins
 * at one of them), stage names seen there are not trusted (they may be
 * content), and malformed FROM lines there are skipped (a real one fails the
 * whole parse).  A heredoc before the first FROM is refused: the daemon
 * fails such a file anyway (instructions.Parse, no build stage), and meta
 * ARGs must be settled before this reading starts.
 *
 * FROM [--platform=p] image [AS name] (instructions.parseFrom): flags as
 * parser.extractBuilderFlags reads them, then arguments split at
 * [\t\v\f\r ]; one argument, or three with the second equal to "as" under
 * strings.EqualFold ("aſ" too).  The image is expanded with the meta ARGs
 * (dispatchRequest.getExpandedString, BuildArgs.getBuildArg): a buildargs
 * value that is not null wins for a declared ARG and for the proxy ARGs
 * (HTTP_PROXY, ... builtinAllowedBuildArgs) even undeclared, else the
 * declared default, else the variable is unset (empty).  Only $NAME and
 * ${NAME} are followed.  It names no image when it is "scratch" (exactly)
 * or the name of a stage already built (stagesBuildResults.getByName,
 * lower-cased; a stage's name counts from the next FROM on, when the daemon
 * commits it).
 *
 * COPY and ADD --from (dispatchCopy, getImageMount): the value is used as
 * written; CopyCommand.Expand expands --chown, --chmod and the paths, never
 * --from, so a value with '$', quotes or escapes is refused rather than
 * guessed.  "" means no image; a stage name or an index
 * (strconv.ParseInt(v, 10, 0) succeeding) names a stage; anything else an
 * image.  ONBUILD with --from is refused: its trigger runs in a later stage
 * or build, where this file is not read.
 */
#include "sockwarden/compat.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "go_text.h"
#include "json_strict.h"
#include "sockwarden/build_check.h"

#define REFS_MAX         64   /* images listed for one Dockerfile */
#define REF_LEN_MAX      4096 /* bytes of one image reference */
#define META_MAX         256  /* ARG names declared before the first FROM */
#define STAGES_MAX       256  /* named stages */
#define VARS_MAX         16   /* distinct variables in one FROM value */
#define BUILDARGS_MAX    1024 /* members of the buildargs object */
/* Bytes re-read after a heredoc, where every line is a possible instruction. */
#define HEREDOC_WORK_MAX ((size_t)32 * 1024 * 1024)
/* The escape token: the only one accepted (a "# escape=" directive is refused). */
#define ESC              '\\'

/* An ARG declared before the first FROM: the last declaration of a name wins. */
struct meta_arg {
	char *name;
	char *def;      /* the default, NULL when declared without one */
	size_t def_len; /* it may hold a NUL byte, which strndup would cut at */
	bool tainted;   /* the default holds '$', a quote or ESC: the daemon would expand it */
};

struct df {
	const char *text; /* the Dockerfile, its BOM dropped */
	size_t len;
	char *line; /* the instruction being read, continuation lines joined */
	size_t n;
	char *scratch;      /* words taken out of the line */
	unsigned lineno;    /* where the instruction begins, 1-based (0: not a line) */
	const cJSON *bargs; /* the buildargs object, or NULL */
	struct meta_arg meta[META_MAX];
	size_t n_meta;
	char *stage[STAGES_MAX]; /* stages built before the current one, lower-cased */
	size_t n_stage;
	char *pending;   /* the current stage's name, a stage once the next FROM begins */
	bool seen_from;  /* meta ARGs are over */
	bool every_line; /* after a heredoc: every physical line may begin an instruction */
	size_t work;     /* bytes of lines read, to bound the re-reading after a heredoc */
	struct pol_build_refs *out;
	char *why;
	size_t whysz;
};

static const char *const proxy_args[] = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
	"FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy" };

static int fail(struct df *d, const char *fmt, ...) SW_PRINTF(2, 3);

static int
fail(struct df *d, const char *fmt, ...)
{
	va_list ap;
	int k = 0;

	if (d->why == NULL || d->whysz == 0)
		return -1;
	if (d->lineno > 0)
		k = snprintf(d->why, d->whysz, "line %u: ", d->lineno);
	if (k < 0 || (size_t)k >= d->whysz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(d->why + k, d->whysz - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- characters (Go's own text functions are in go_text.c) ---------------------------- */

/* The parser's reWhitespace, [\t\v\f\r ]. */
static bool
is_split_space(char c)
{
	return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ';
}

/* strings.EqualFold(s, "as"): 's' folds with 'S' and U+017F. */
static bool
is_as(const char *s, size_t n)
{
	if (n < 2 || (s[0] != 'a' && s[0] != 'A'))
		return false;
	if (n == 2)
		return s[1] == 's' || s[1] == 'S';
	return n == 3 && (unsigned char)s[1] == 0xc5 && (unsigned char)s[2] == 0xbf;
}

static bool
is_ref_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '/' || c == '@' || c == '-';
}

static bool
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Could a $NAME or ${NAME} this reading follows name it? */
static bool
is_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_name_start(s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

/* What the shell lexer would change: '$', quotes, the escape token. */
static bool
has_shell_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '$' || s[i] == '\'' || s[i] == '"' || s[i] == ESC)
			return true;
	return false;
}

/* strconv.ParseInt(s, 10, 0) succeeds (int is 64 bits): a stage index. */
static bool
is_int(const char *s, size_t n)
{
	uint64_t v = 0, lim = INT64_MAX;
	size_t i = 0;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		lim += s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (lim - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

/* ---- lines ----------------------------------------------------------------------------- */

/* The physical line at off without its line ending; *next: where the following one begins. */
static size_t
phys_line(struct df *d, size_t off, size_t *next)
{
	const char *nl = memchr(d->text + off, '\n', d->len - off);
	size_t end = nl != NULL ? (size_t)(nl - d->text) : d->len;

	*next = nl != NULL ? end + 1 : d->len;
	d->work += *next - off;
	while (end > off && d->text[end - 1] == '\r')
		end--;
	return end - off;
}

/*
 * The continuation regex for '\': ESC as the last character but [ \t], and
 * not preceded by another ESC.  Drops ESC and the blanks.
 */
static bool
trim_continuation(const char *s, size_t *n)
{
	size_t e = *n;

	while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e == 0 || s[e - 1] != ESC || (e >= 2 && s[e - 2] == ESC))
		return false;
	*n = e - 1;
	return true;
}

/*
 * Reads into d->line the instruction that begins at the physical line at
 * off, joined as parser.Parse joins it.  Returns false when that line begins
 * none (a comment or a blank line).  *next: the line after the last one
 * read; *nlines: how many were read.
 */
static bool
join_line(struct df *d, size_t off, size_t *next, unsigned *nlines)
{
	const char *p;
	size_t n, k;
	bool cont;

	d->n = 0;
	*nlines = 1;
	n = phys_line(d, off, next);
	p = d->text + off;
	k = pol_go_lead_space(p, n);
	p += k;
	n -= k;
	if (n > 0 && p[0] == '#')
		return false;
	cont = trim_continuation(p, &n);
	if (!cont && n == 0)
		return false;
	memcpy(d->line, p, n);
	d->n = n;
	while (cont && *next < d->len) {
		off = *next;
		n = phys_line(d, off, next);
		(*nlines)++;
		p = d->text + off;
		k = pol_go_lead_space(p, n);
		if (k == n || p[k] == '#')
			continue; /* blank and comment lines inside a continuation */
		cont = trim_continuation(p, &n);
		memcpy(d->line + d->n, p, n);
		d->n += n;
	}
	return true;
}

/*
 * Any line that looks like an escape directive (/^\s*#\s*escape\s*=/i) must
 * keep '\'; where it stands does not matter here.
 */
static int
check_escape_directives(struct df *d)
{
	const char *p;
	size_t off, next, n, k;

	for (off = 0; off < d->len; off = next) {
		n = phys_line(d, off, &next);
		p = d->text + off;
		k = pol_go_lead_space(p, n);
		if (k == n || p[k] != '#')
			continue;
		k += 1;
		k += pol_go_lead_space(p + k, n - k);
		if (n - k < 6 || strncasecmp(p + k, "escape", 6) != 0)
			continue;
		for (k += 6; k < n && pol_go_is_space_byte(p[k]); k++)
			;
		if (k == n || p[k] != '=')
			continue;
		p += k + 1;
		n -= k + 1;
		pol_go_trim_space(&p, &n);
		if (n != 1 || p[0] != ESC) {
			for (d->lineno = 1, k = 0; k < off; k++)
				d->lineno += d->text[k] == '\n';
			return fail(d, "an escape directive other than '\\' is not checked");
		}
	}
	d->work = 0;
	return 0;
}

/* A '\r' not right before '\n': daemon versions split such a file differently. */
static int
check_carriage_returns(struct df *d)
{
	const char *cr = d->text, *end = d->text + d->len;
	unsigned line = 1;
	size_t i;

	while ((cr = memchr(cr, '\r', (size_t)(end - cr))) != NULL) {
		if (cr + 1 < end && cr[1] == '\n') {
			cr++;
			continue;
		}
		for (i = 0; d->text + i < cr; i++)
			line += d->text[i] == '\n';
		d->lineno = line;
		return fail(d, "a carriage return not right before a line feed (daemon versions "
		               "read such a line differently)");
	}
	return 0;
}

/* ---- words ----------------------------------------------------------------------------- */

/*
 * parser.extractBuilderFlags: the words beginning with "--" that open the
 * arguments, read byte by byte (so 0x85 and 0xa0 separate words there),
 * quotes dropped and escapes applied, until "--" alone or another word.
 * Calls fn (may be NULL) for each, with whether it held a quote or ESC;
 * *rest: the arguments after them.
 */
static int
builder_flags(struct df *d, const char *s, size_t n,
    int (*fn)(struct df *, const char *, size_t, bool), const char **rest, size_t *restn)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	char *w = d->scratch, quote = 0;
	bool blank_ok = false, quoted = false;
	size_t wn = 0, pos;
	char ch = 0;

	*rest = s + n;
	*restn = 0;
	for (pos = 0; pos <= n; pos++) {
		if (pos != n)
			ch = s[pos];
		if (phase == SPACES) {
			if (pos == n)
				break;
			if (pol_go_is_space_byte(ch))
				continue;
			if (ch != '-' || pos + 1 == n || s[pos + 1] != '-') {
				*rest = s + pos;
				*restn = n - pos;
				return 0;
			}
			phase = WORD;
		}
		if (pos == n) {
			if (!(wn == 2 && w[0] == '-' && w[1] == '-') && (blank_ok || wn > 0) &&
			    fn != NULL && fn(d, w, wn, quoted) == -1)
				return -1;
			break;
		}
		if (phase == WORD) {
			if (pol_go_is_space_byte(ch)) {
				if (wn == 2 && w[0] == '-' && w[1] == '-') {
					*rest = s + pos;
					*restn = n - pos;
					return 0;
				}
				if ((blank_ok || wn > 0) && fn != NULL &&
				    fn(d, w, wn, quoted) == -1)
					return -1;
				wn = 0;
				blank_ok = quoted = false;
				phase = SPACES;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = quoted = true;
				phase = QUOTE;
				continue;
			}
			if (ch == ESC) {
				quoted = true;
				if (pos + 1 == n)
					continue;
				ch = s[++pos];
			}
			w[wn++] = ch; /* Go writes a byte >= 0x80 as two; it stays non-ASCII here */
			continue;
		}
		if (ch == quote) {
			phase = WORD;
			continue;
		}
		if (ch == ESC) {
			if (pos + 1 == n) {
				phase = WORD;
				continue;
			}
			ch = s[++pos];
		}
		w[wn++] = ch;
	}
	return 0;
}

static size_t
put_rune(char *w, uint32_t r, size_t width, const char *src)
{
	if (r == 0xfffd && width == 1) {
		memcpy(w, "\xef\xbf\xbd", 3); /* an invalid byte becomes U+FFFD */
		return 3;
	}
	memcpy(w, src, width);
	return width;
}

/*
 * parser.parseWords, as ARG's arguments are split: words at unicode white
 * space outside quotes; quotes and escapes are kept in the word (the shell
 * lexer reads them later), an escape ending the text is dropped.
 */
static int
shell_words(struct df *d, const char *s, size_t n, int (*fn)(struct df *, const char *, size_t))
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	char *w = d->scratch;
	uint32_t ch = 0, quote = 0;
	size_t wn = 0, pos, cw = 1;
	bool blank_ok = false;

	for (pos = 0; pos <= n; pos += cw) {
		if (pos != n)
			ch = pol_go_rune_at(s + pos, n - pos, &cw);
		if (phase == SPACES) {
			if (pos == n)
				break;
			if (pol_go_is_space_rune(ch))
				continue;
			phase = WORD;
		}
		if (pos == n) {
			if ((blank_ok || wn > 0) && fn(d, w, wn) == -1)
				return -1;
			break;
		}
		if (phase == WORD) {
			if (pol_go_is_space_rune(ch)) {
				phase = SPACES;
				if ((blank_ok || wn > 0) && fn(d, w, wn) == -1)
					return -1;
				wn = 0;
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = QUOTE;
			}
			if (ch == ESC) {
				if (pos + cw == n)
					continue;
				w[wn++] = ESC;
				pos += cw;
				ch = pol_go_rune_at(s + pos, n - pos, &cw);
			}
			wn += put_rune(w + wn, ch, cw, s + pos);
			continue;
		}
		if (ch == quote)
			phase = WORD;
		if (ch == ESC && quote != '\'') {
			if (pos + cw == n) {
				phase = WORD;
				continue;
			}
			w[wn++] = ESC;
			pos += cw;
			ch = pol_go_rune_at(s + pos, n - pos, &cw);
		}
		wn += put_rune(w + wn, ch, cw, s + pos);
	}
	return 0;
}

/* ---- what names an image --------------------------------------------------------------- */

/* Stage names are kept lower-cased (stage_name). */
static bool
is_stage(const struct df *d, const char *s, size_t n)
{
	struct sw_str name = sw_str_make(s, n);
	size_t i;

	for (i = 0; i < d->n_stage; i++)
		if (sw_str_caseeq_lit(&name, d->stage[i]))
			return true;
	return false;
}

static int
add_ref(struct df *d, const char *s, size_t n, const char *what)
{
	struct pol_build_refs *o = d->out;
	struct sw_str ref = sw_str_make(s, n);
	size_t i;

	if (n == 0)
		return fail(d, "%s names an empty image", what);
	if (n > REF_LEN_MAX)
		return fail(d, "%s names an image longer than %d bytes", what, REF_LEN_MAX);
	for (i = 0; i < n; i++)
		if (!is_ref_char(s[i]))
			return fail(
			    d, "%s names an image with characters outside [A-Za-z0-9._:/@-]", what);
	for (i = 0; i < o->n; i++)
		if (sw_str_eq_lit(&ref, o->ref[i]))
			return 0;
	if (o->n == REFS_MAX)
		return fail(d, "more than %d images to check", REFS_MAX);
	if ((o->ref[o->n] = strndup(s, n)) == NULL)
		return fail(d, "out of memory");
	o->n++;
	return 0;
}

/* A --from value: "" is no image, a stage name or index is a stage, the rest an image. */
static int
from_flag_value(struct df *d, const char *v, size_t n)
{
	if (has_shell_chars(v, n))
		return fail(d, "--from value with $, quotes or escapes is not checked "
		               "(the classic builder does not expand it)");
	if (n == 0 || is_int(v, n) || is_stage(d, v, n))
		return 0;
	return add_ref(d, v, n, "--from");
}

static int
copy_flag(struct df *d, const char *w, size_t n, bool quoted)
{
	if (n < 7 || strncasecmp(w, "--from=", 7) != 0)
		return 0;
	if (quoted)
		return fail(d, "--from flag with quotes or escapes is not checked");
	return from_flag_value(d, w + 7, n - 7);
}

/*
 * COPY and ADD: the --from flag as the daemon reads it, and (over-reading)
 * any other word that begins with --from=, in any case.
 */
static int
copy_line(struct df *d, const char *s, size_t n)
{
	const char *rest;
	size_t restn, i = 0, j;

	if (builder_flags(d, s, n, copy_flag, &rest, &restn) == -1)
		return -1;
	while (i < n) {
		while (i < n && pol_go_is_space_byte(s[i]))
			i++;
		for (j = i; j < n && !pol_go_is_space_byte(s[j]); j++)
			;
		if (j - i >= 7 && strncasecmp(s + i, "--from=", 7) == 0 &&
		    from_flag_value(d, s + i + 7, j - i - 7) == -1)
			return -1;
		i = j;
	}
	return 0;
}

/* ONBUILD: its trigger is parsed again later; --from spelt with quotes or escapes counts. */
static int
onbuild_line(struct df *d, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (s[i] != '\'' && s[i] != '"' && s[i] != ESC)
			d->scratch[k++] = sw_ascii_lower(s[i]);
	if (k >= 6 && memmem(d->scratch, k, "--from", 6) != NULL)
		return fail(d, "ONBUILD with --from is not checked (it runs in a later build)");
	return 0;
}

static int
meta_arg_word(struct df *d, const char *w, size_t n)
{
	const char *eq = memchr(w, '=', n);
	size_t kn = eq != NULL ? (size_t)(eq - w) : n;
	struct meta_arg *m;

	if (kn == 0)
		return fail(d, "ARG without a name");
	if (has_shell_chars(w, kn) || memchr(w, '<', kn) != NULL)
		return fail(d, "ARG name with $, quotes, escapes or < is not checked");
	if (!is_name(w, kn))
		return 0; /* no $NAME or ${NAME} can reach it */
	if (d->n_meta == META_MAX)
		return fail(d, "more than %d ARG names before the first FROM", META_MAX);
	m = &d->meta[d->n_meta];
	m->name = strndup(w, kn);
	m->def_len = eq != NULL ? n - kn - 1 : 0;
	if (eq != NULL && (m->def = malloc(m->def_len + 1)) != NULL) {
		memcpy(m->def, eq + 1, m->def_len);
		m->def[m->def_len] = '\0';
	}
	m->tainted = eq != NULL && has_shell_chars(eq + 1, n - kn - 1);
	d->n_meta++;
	if (m->name == NULL || (eq != NULL && m->def == NULL))
		return fail(d, "out of memory");
	return 0;
}

/* An ARG before the first FROM: flags are dropped (parseArg never reads them). */
static int
meta_arg_line(struct df *d, const char *s, size_t n)
{
	const char *rest;
	size_t restn;

	if (builder_flags(d, s, n, NULL, &rest, &restn) == -1)
		return -1;
	pol_go_trim_space(&rest, &restn);
	return shell_words(d, rest, restn, meta_arg_word);
}

/* ---- FROM ------------------------------------------------------------------------------ */

struct from_var {
	struct sw_str name;
	struct sw_str value[2];
	size_t n_value;
};

static const struct meta_arg *
meta_lookup(const struct df *d, const struct sw_str *name)
{
	size_t i;

	for (i = d->n_meta; i-- > 0;)
		if (sw_str_eq_lit(name, d->meta[i].name))
			return &d->meta[i];
	return NULL;
}

/* The buildargs value for name when a string (null is no value). */
static const char *
buildarg(const struct df *d, const struct sw_str *name)
{
	const cJSON *it;

	if (d->bargs == NULL)
		return NULL;
	for (it = d->bargs->child; it != NULL; it = it->next)
		if (sw_str_eq_lit(name, it->string))
			return cJSON_IsString(it) ? it->valuestring : NULL;
	return NULL;
}

static bool
is_proxy_arg(const struct sw_str *name)
{
	size_t i;

	for (i = 0; i < nitems(proxy_args); i++)
		if (sw_str_eq_lit(name, proxy_args[i]))
			return true;
	return false;
}

/* What $name may be in FROM: BuildArgs.getBuildArg over the meta ARGs. */
static int
var_values(struct df *d, struct from_var *v)
{
	const struct meta_arg *m = meta_lookup(d, &v->name);
	const char *o = buildarg(d, &v->name);

	v->n_value = 0;
	if (m != NULL && m->def != NULL && m->tainted)
		return fail(d,
		    "FROM uses ARG %.*s, whose default has $, quotes or escapes: "
		    "not checked",
		    (int)v->name.len, v->name.p);
	if (o != NULL && (m != NULL || is_proxy_arg(&v->name))) {
		v->value[v->n_value++] = sw_str_cstr(o);
		/* The build argument wins; the default is listed too, so either is checked. */
		if (m != NULL && m->def != NULL &&
		    !sw_str_eq(&v->value[0], &(struct sw_str){ m->def, m->def_len }))
			v->value[v->n_value++] = sw_str_make(m->def, m->def_len);
	} else if (m != NULL && m->def != NULL) {
		v->value[v->n_value++] = sw_str_make(m->def, m->def_len);
	} else {
		v->value[v->n_value++] = SW_STR_LIT(""); /* unset */
	}
	return 0;
}

/*
 * The next piece of a FROM value from *pos: 1 and a run of reference
 * characters, 2 and the name of a $NAME or ${NAME}, 0 at the end, -1 for
 * anything else.
 */
static int
value_piece(const char *v, size_t n, size_t *pos, struct sw_str *out)
{
	size_t i = *pos, j;

	if (i == n)
		return 0;
	if (v[i] != '$') {
		for (j = i; j < n && is_ref_char(v[j]); j++)
			;
		if (j == i)
			return -1;
		*out = sw_str_make(v + i, j - i);
		*pos = j;
		return 1;
	}
	if (i + 1 < n && v[i + 1] == '{') {
		for (j = i + 2; j < n && is_name_char(v[j]); j++)
			;
		if (j == n || v[j] != '}' || !is_name(v + i + 2, j - i - 2))
			return -1;
		*out = sw_str_make(v + i + 2, j - i - 2);
		*pos = j + 1;
		return 2;
	}
	if (i + 1 == n || !is_name_start(v[i + 1]))
		return -1;
	for (j = i + 1; j < n && is_name_char(v[j]); j++)
		;
	*out = sw_str_make(v + i + 1, j - i - 1);
	*pos = j;
	return 2;
}

/* Why a FROM value is not followed, from the character where reading it stopped. */
static int
bad_value(struct df *d, char c)
{
	if (c == '\'' || c == '"')
		return fail(d, "FROM value with quotes is not checked");
	if (c == ESC)
		return fail(d, "FROM value with the escape character is not checked");
	if (c == '$')
		return fail(
		    d, "FROM value with $ forms other than $NAME and ${NAME} is not checked");
	return fail(d, "FROM value has characters outside [A-Za-z0-9._:/@-]");
}

/* One way the value may expand, the variables' choices in pick[]. */
static int
from_expansion(struct df *d, const char *v, size_t n, const struct from_var *vars, size_t nv,
    const size_t *pick)
{
	char buf[REF_LEN_MAX + 1];
	struct sw_str piece;
	const struct sw_str *add;
	size_t pos = 0, len = 0, k;
	int t;

	while ((t = value_piece(v, n, &pos, &piece)) > 0) {
		add = &piece;
		if (t == 2) {
			for (k = 0; k < nv && !sw_str_eq(&vars[k].name, &piece); k++)
				;
			add = &vars[k].value[pick[k]];
		}
		if (add->len > REF_LEN_MAX - len)
			return fail(d, "FROM names an image longer than %d bytes", REF_LEN_MAX);
		if (add->len > 0)
			memcpy(buf + len, add->p, add->len);
		len += add->len;
	}
	if (len == 7 && memcmp(buf, "scratch", 7) == 0)
		return 0;
	if (len > 0 && is_stage(d, buf, len))
		return 0;
	return add_ref(d, buf, len, "FROM");
}

/* The image of a FROM: every way the meta ARGs may expand it. */
static int
from_image(struct df *d, const char *v, size_t n)
{
	struct from_var vars[VARS_MAX];
	size_t pick[VARS_MAX] = { 0 };
	size_t pos = 0, nv = 0, k, ways = 1;
	struct sw_str piece;
	int t;

	while ((t = value_piece(v, n, &pos, &piece)) > 0) {
		if (t != 2)
			continue;
		for (k = 0; k < nv && !sw_str_eq(&vars[k].name, &piece); k++)
			;
		if (k < nv)
			continue;
		if (nv == VARS_MAX)
			return fail(d, "FROM value with more than %d variables", VARS_MAX);
		vars[nv].name = piece;
		if (var_values(d, &vars[nv]) == -1)
			return -1;
		ways *= vars[nv].n_value;
		if (ways > REFS_MAX)
			return fail(d, "FROM value expands more than %d ways", REFS_MAX);
		nv++;
	}
	if (t == -1)
		return bad_value(d, v[pos]);
	for (;;) {
		if (from_expansion(d, v, n, vars, nv, pick) == -1)
			return -1;
		for (k = 0; k < nv && ++pick[k] == vars[k].n_value; k++)
			pick[k] = 0;
		if (k == nv)
			return 0;
	}
}

/* parseBuildStageName: lower-cased, ^[a-z][a-z0-9-_.]*$; NULL when invalid. */
static char *
stage_name(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n + 1);
	size_t i = 0, k = 0;

	if (out == NULL)
		return NULL;
	while (i < n) {
		if (p[i] < 0x80) {
			out[k] = sw_ascii_lower((char)p[i]);
			i += 1;
		} else if (n - i >= 2 && p[i] == 0xc4 && p[i + 1] == 0xb0) {
			out[k] = 'i';
			i += 2;
		} else if (n - i >= 3 && p[i] == 0xe2 && p[i + 1] == 0x84 && p[i + 2] == 0xaa) {
			out[k] = 'k';
			i += 3;
		} else {
			break;
		}
		if (!((out[k] >= 'a' && out[k] <= 'z') ||
		        (k > 0 && ((out[k] >= '0' && out[k] <= '9') || out[k] == '-' ||
		                      out[k] == '_' || out[k] == '.'))))
			break;
		k++;
	}
	if (i < n || k == 0) {
		free(out);
		return NULL;
	}
	out[k] = '\0';
	return out;
}

/* FROM's one flag is --platform (instructions.parseFrom fails on any other). */
static int
from_flag(struct df *d, const char *w, size_t wn, bool quoted)
{
	(void)w;
	(void)wn;
	(void)quoted;
	d->out->from_platform = true;
	return 0;
}

static int
from_line(struct df *d, const char *s, size_t n)
{
	struct sw_str arg[4];
	const char *rest;
	size_t restn, na = 0, i = 0, j;
	char *name = NULL;
	int r;

	if (builder_flags(d, s, n, from_flag, &rest, &restn) == -1)
		return -1;
	pol_go_trim_space(&rest, &restn);
	while (i < restn && na < nitems(arg)) {
		for (j = i; j < restn && !is_split_space(rest[j]); j++)
			;
		arg[na++] = sw_str_make(rest + i, j - i);
		for (i = j; i < restn && is_split_space(rest[i]); i++)
			;
	}
	if (na == 3 && is_as(arg[1].p, arg[1].len) &&
	    (name = stage_name(arg[2].p, arg[2].len)) == NULL)
		na = 0;
	if (na != 1 && name == NULL) {
		/* The daemon fails the whole parse on it; after a heredoc it may be content. */
		if (d->every_line)
			return 0;
		return fail(d, "FROM needs an image, then optionally AS and a valid stage name");
	}
	if (!d->every_line && d->pending != NULL) {
		if (d->n_stage == STAGES_MAX) {
			free(name);
			return fail(d, "more than %d named stages", STAGES_MAX);
		}
		d->stage[d->n_stage++] = d->pending;
		d->pending = NULL;
	}
	r = from_image(d, arg[0].p, arg[0].len);
	if (!d->every_line)
		d->pending = name; /* a stage for the FROMs and --from after the next FROM */
	else
		free(name); /* perhaps heredoc content: never trusted to hide an image */
	d->seen_from = true;
	return r;
}

/* ---- instructions ---------------------------------------------------------------------- */

static int
instruction(struct df *d)
{
	const char *p = d->line, *rest;
	size_t n = d->n, cn, rn;
	bool heredoc = memmem(d->line, d->n, "<<", 2) != NULL;
	int r = 0;

	pol_go_trim_space(&p, &n);
	for (cn = 0; cn < n && !is_split_space(p[cn]); cn++)
		;
	for (rest = p + cn, rn = n - cn; rn > 0 && is_split_space(*rest); rest++, rn--)
		;
	if (pol_go_lower_is(p, cn, "from")) {
		r = from_line(d, rest, rn);
		heredoc = false;
	} else if (pol_go_lower_is(p, cn, "copy") || pol_go_lower_is(p, cn, "add")) {
		r = copy_line(d, rest, rn);
	} else if (pol_go_lower_is(p, cn, "onbuild")) {
		r = onbuild_line(d, rest, rn);
	} else if (pol_go_lower_is(p, cn, "arg")) {
		if (!d->seen_from && !d->every_line)
			r = meta_arg_line(d, rest, rn);
		heredoc = false;
	}
	if (r == -1 || !heredoc || d->every_line)
		return r;
	if (!d->seen_from)
		return fail(d, "a heredoc before the first FROM is not checked");
	d->every_line = true;
	return 0;
}

/* After a heredoc: every physical line from off on, as the start of an instruction. */
static int
read_every_line(struct df *d, size_t off, unsigned lineno)
{
	const char *nl;
	size_t next;
	unsigned nlines;

	for (; off < d->len; lineno++) {
		d->lineno = lineno;
		if (join_line(d, off, &next, &nlines) && instruction(d) == -1)
			return -1;
		if (d->work > d->len + HEREDOC_WORK_MAX)
			return fail(d, "too many continuation lines after a heredoc to check");
		nl = memchr(d->text + off, '\n', d->len - off);
		off = nl != NULL ? (size_t)(nl - d->text) + 1 : d->len;
	}
	return 0;
}

static int
read_lines(struct df *d)
{
	size_t off = 0, next;
	unsigned lineno = 1, nlines;

	while (off < d->len) {
		if (d->every_line)
			return read_every_line(d, off, lineno);
		d->lineno = lineno;
		if (join_line(d, off, &next, &nlines) && instruction(d) == -1)
			return -1;
		off = next;
		lineno += nlines;
	}
	return 0;
}

/* The query's buildargs: a JSON object of strings and nulls (map[string]*string). */
static int
read_buildargs(struct df *d, const char *json, struct pol_jdoc *doc)
{
	static const struct pol_jfield buildargs = { "buildargs", PJ_MAP, PJ_STRING, NULL };
	struct sw_str s = sw_str_cstr(json != NULL ? json : "");
	struct pol_err err;

	if (s.len == 0)
		return 0;
	if (pol_json_parse(&s, doc, &err) == -1)
		return fail(d, "buildargs: not valid JSON");
	if (pol_json_check_value(doc->root, &buildargs, "buildargs", &err) == -1)
		return fail(d, "%s", err.msg);
	if (cJSON_IsNull(doc->root))
		return 0; /* Go decodes null into a nil map */
	if ((size_t)cJSON_GetArraySize(doc->root) > BUILDARGS_MAX)
		return fail(d, "buildargs: more than %d members", BUILDARGS_MAX);
	d->bargs = doc->root;
	return 0;
}

static void
df_free(struct df *d)
{
	size_t i;

	for (i = 0; i < d->n_meta; i++) {
		free(d->meta[i].name);
		free(d->meta[i].def);
	}
	for (i = 0; i < d->n_stage; i++)
		free(d->stage[i]);
	free(d->pending);
	free(d->line);
	free(d->scratch);
	free(d);
}

int
pol_build_dockerfile_refs(const char *text, size_t len, const char *buildargs,
    struct pol_build_refs *out, char *why, size_t whysz)
{
	struct pol_jdoc doc = { NULL };
	struct df *d;
	int r;

	out->ref = NULL;
	out->n = 0;
	out->from_platform = false;
	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if (len > POL_BUILD_DOCKERFILE_MAX) {
		if (why != NULL && whysz > 0)
			snprintf(why, whysz, "Dockerfile larger than %d bytes",
			    POL_BUILD_DOCKERFILE_MAX);
		return -1;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		if (why != NULL && whysz > 0)
			snprintf(why, whysz, "out of memory");
		return -1;
	}
	d->why = why;
	d->whysz = whysz;
	d->out = out;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	d->text = text;
	d->len = len;
	d->line = malloc(len + 1);
	d->scratch = malloc(3 * len + 4); /* shell_words may widen a byte to U+FFFD */
	out->ref = calloc(REFS_MAX, sizeof(*out->ref));
	if (d->line == NULL || d->scratch == NULL || out->ref == NULL)
		r = fail(d, "out of memory");
	else if ((r = read_buildargs(d, buildargs, &doc)) == 0 &&
	         (r = check_escape_directives(d)) == 0 && (r = check_carriage_returns(d)) == 0)
		r = read_lines(d);
	pol_json_free(&doc);
	df_free(d);
	if (r == -1 || out->n == 0)
		pol_build_refs_free(out);
	if (r == -1)
		out->from_platform = false;
	return r;
}

void
pol_build_refs_free(struct pol_build_refs *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->ref[i]);
	free(r->ref);
	r->ref = NULL;
	r->n = 0;
}
