/*
 * The configuration file: libyaml events -> struct pol_set.
 *
 * The file is one YAML document, a mapping with these keys.  Every mapping is
 * strict: an unknown or repeated key is an error, and every error carries
 * file:line:col (1-based) of the node it is about.
 *
 *   upstream      optional, default unix:///var/run/docker.sock.  The Docker
 *                 daemon: unix:///absolute/path, or tcp://<IPv4>:<port> or
 *                 tcp://[<IPv6>]:<port> (literal addresses, no host names).
 *                 No listener may take the upstream's own address.
 *   upstream_tls  optional mapping, only with a tcp:// upstream (without it a
 *                 tcp:// upstream is plain TCP, which "check" warns about):
 *     ca            required; absolute path of the CA that signs the daemon.
 *     cert, key     both or neither; sockwarden's client certificate.
 *     server_name   default the URL's host; a DNS name or IP address.
 *   run_as        optional mapping; the user and group to drop to:
 *     user          required; user name or numeric uid.
 *     group         default the user's primary group; name or numeric gid.
 *   api           optional mapping:
 *     min_version   default "1.24".  Requests whose /vX.Y prefix compares
 *                   below it are denied; unversioned requests are not.
 *   listeners     required list of one or more mappings (at most 256):
 *     name          required, unique, [A-Za-z0-9_.-]{1,63}.
 *     listen        optional, default unix:///run/sockwarden/sockwarden.sock;
 *                   unique.  unix:///absolute/path (clean, at most 107 bytes),
 *                   or tcp://<IPv4>:<port> or tcp://[<IPv6>]:<port> (a
 *                   wildcard address takes its port on every address).
 *     tls           tcp:// only, required unless insecure: true:
 *       cert, key     required; absolute paths (server certificate and key).
 *       ca            required unless client_certs is none; verifies clients.
 *       crl           optional, needs ca.
 *       client_certs  default required; required, optional or none.
 *     insecure      tcp:// only; true serves plain TCP (check warns).
 *     socket        optional mapping, unix:// only:
 *       mode          default "0660"; octal, at most 0777.
 *       owner         default unchanged; user name or numeric uid.
 *       group         default unchanged; group name or numeric gid.
 *     policy        required; the name of a policy under "policies": the
 *                   listener's default.
 *     clients       optional list; the first entry whose match holds chooses
 *                   the policy (load_clients.c): { match: { KEYS }, policy:
 *                   NAME, owner: ID }.  Keys: uid | user, gid | group and
 *                   container_name, container_image, container_label on
 *                   unix:// listeners; cert_cn, cert_dns, cert_email,
 *                   cert_uri, cert_fingerprint on tls listeners.
 *   limits        optional mapping; sizes are bytes or take KiB/MiB ("64KiB"),
 *                 durations take ms, s, m or h ("500ms", "10s"):
 *     max_header_bytes          default 64KiB, 1KiB..1MiB
 *     max_headers               default 100, 8..1000
 *     max_body_bytes            default 1MiB, 1KiB..64MiB
 *     max_buffered_bytes        default 64MiB, 1MiB..1024MiB
 *     max_connections           default 4096, 1..1000000
 *     max_connections_per_client  default 256, 1..1000000
 *     head_timeout              default 10s, 1ms..24h
 *     idle_timeout              default 60s, 1ms..24h
 *     upstream_connect_timeout  default 5s, 1ms..24h
 *     shutdown_timeout          default 10s, 1ms..24h
 *   log           optional mapping:
 *     level         default info; error, warn, info or debug.
 *     audit         default stderr; stderr, off, or an absolute file path.
 *   policies      required mapping of one or more (at most 1024) policies,
 *                 name ([A-Za-z0-9_.-]{1,63}) -> mapping:
 *     allow         list of operation ids ("ContainerList") or globs over
 *                   them with '*' and '?' ("Network*").  Each entry must
 *                   match at least one known id.
 *     deny          same syntax; subtracted from what allow and groups grant.
 *     groups        list of built-in groups (see groups.c): read-only, ping,
 *                   events, containers-read-only, images-read-only,
 *                   networks-read-only, volumes-read-only.
 *     read_only     default false; true leaves only endpoints that do not
 *                   change daemon state.
 *
 * Refused outright: anchors, aliases, tags, %TAG directives, a second
 * document, nesting deeper than POL_YAML_MAX_DEPTH, files larger than
 * POL_YAML_MAX_BYTES, input that is not UTF-8, NUL bytes in values.
 *
 * The file is parsed twice.  The first pass checks only the YAML structure
 * (the rules above), so that a deep or aliased document is reported as such
 * wherever it sits; the second pass walks the same events against the key
 * tables and builds the set.
 */
#include "sockwarden/compat.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "load_int.h"

struct pol_pos
ld_pos(const yaml_mark_t *m)
{
	return (struct pol_pos){ (int)m->line + 1, (int)m->column + 1 };
}

yaml_mark_t
ld_mark(struct pol_pos pos)
{
	return (yaml_mark_t){ 0, (size_t)(pos.line - 1), (size_t)(pos.col - 1) };
}

/* Records the first error only; returns -1 so callers can "return ld_fail(...)". */
int
ld_fail(struct ld *ld, const yaml_mark_t *m, const char *fmt, ...)
{
	struct pol_pos at = { 0, 0 };
	va_list ap;

	if (ld->failed)
		return -1;
	ld->failed = true;
	if (m != NULL)
		at = ld_pos(m);
	ld->err->line = at.line;
	ld->err->col = at.col;
	va_start(ap, fmt);
	vsnprintf(ld->err->msg, sizeof(ld->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Text from the file, made safe to put in a message: at most 64 bytes,
 * control bytes, quotes and backslashes replaced with '?'.
 */
const char *
ld_show(struct ld *ld, int slot, const char *s)
{
	char *out = ld->show[slot];
	size_t i;

	for (i = 0; s[i] != '\0' && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	if (s[i] != '\0' && i + 4 < sizeof(ld->show[slot])) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* The position of a byte offset, for reader errors that carry only an offset. */
static yaml_mark_t
offset_mark(const struct ld *ld, size_t off)
{
	yaml_mark_t m = { 0, 0, 0 };
	size_t i;

	if (off > ld->len)
		off = ld->len;
	for (i = 0; i < off; i++) {
		if (ld->buf[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	m.index = off;
	return m;
}

static int
yaml_error(struct ld *ld)
{
	const yaml_parser_t *p = &ld->parser;
	const char *problem = p->problem != NULL ? p->problem : "unknown error";
	yaml_mark_t m;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return ld_fail(ld, NULL, "out of memory");
	case YAML_READER_ERROR:
		m = offset_mark(ld, p->problem_offset);
		return ld_fail(ld, &m, "invalid input (the file must be UTF-8 text): %s", problem);
	default:
		if (p->context != NULL)
			return ld_fail(ld, &p->problem_mark, "YAML syntax error: %s (%s)", problem,
			    p->context);
		return ld_fail(ld, &p->problem_mark, "YAML syntax error: %s", problem);
	}
}

int
ld_next(struct ld *ld)
{
	if (ld->have_ev) {
		yaml_event_delete(&ld->ev);
		ld->have_ev = false;
	}
	if (!yaml_parser_parse(&ld->parser, &ld->ev))
		return yaml_error(ld);
	ld->have_ev = true;
	return 0;
}

static void
parser_close(struct ld *ld)
{
	if (ld->have_ev) {
		yaml_event_delete(&ld->ev);
		ld->have_ev = false;
	}
	if (ld->have_parser) {
		yaml_parser_delete(&ld->parser);
		ld->have_parser = false;
	}
}

static int
parser_open(struct ld *ld)
{
	parser_close(ld);
	if (!yaml_parser_initialize(&ld->parser))
		return ld_fail(ld, NULL, "out of memory");
	ld->have_parser = true;
	yaml_parser_set_input_string(&ld->parser, (const unsigned char *)ld->buf, ld->len);
	yaml_parser_set_encoding(&ld->parser, YAML_UTF8_ENCODING);
	return 0;
}

const char *
ld_node_kind(yaml_event_type_t t)
{
	switch (t) {
	case YAML_MAPPING_START_EVENT:
		return "mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "list";
	case YAML_SCALAR_EVENT:
		return "single value";
	default:
		return "YAML node";
	}
}

/* ---- pass 1: structure ------------------------------------------------------ */

static int
check_props(struct ld *ld, const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL)
		return ld_fail(ld, &ld->ev.start_mark, "YAML anchors (&%s) are not allowed",
		    ld_show(ld, 0, (const char *)anchor));
	if (tag != NULL)
		return ld_fail(ld, &ld->ev.start_mark, "YAML tags (%s) are not allowed",
		    ld_show(ld, 0, (const char *)tag));
	return 0;
}

static int
check_structure(struct ld *ld)
{
	yaml_event_t *e = &ld->ev;
	int depth = 0, docs = 0;

	if (parser_open(ld) == -1)
		return -1;
	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		switch (e->type) {
		case YAML_STREAM_END_EVENT:
			if (docs == 0)
				return ld_fail(ld, &e->start_mark, "the configuration is empty");
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				return ld_fail(ld, &e->start_mark,
				    "more than one YAML document (a second \"---\")");
			if (e->data.document_start.tag_directives.start !=
			    e->data.document_start.tag_directives.end)
				return ld_fail(
				    ld, &e->start_mark, "%%TAG directives are not allowed");
			break;
		case YAML_ALIAS_EVENT:
			return ld_fail(ld, &e->start_mark, "YAML aliases (*%s) are not allowed",
			    ld_show(ld, 0, (const char *)e->data.alias.anchor));
		case YAML_SCALAR_EVENT:
			if (check_props(ld, e->data.scalar.anchor, e->data.scalar.tag) == -1)
				return -1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (e->type == YAML_SEQUENCE_START_EVENT &&
			    check_props(ld, e->data.sequence_start.anchor,
			        e->data.sequence_start.tag) == -1)
				return -1;
			if (e->type == YAML_MAPPING_START_EVENT &&
			    check_props(
			        ld, e->data.mapping_start.anchor, e->data.mapping_start.tag) == -1)
				return -1;
			if (++depth > POL_YAML_MAX_DEPTH)
				return ld_fail(ld, &e->start_mark,
				    "YAML nesting deeper than %d levels", POL_YAML_MAX_DEPTH);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
	}
}

/* ---- pass 2: schema --------------------------------------------------------- */

static int
key_cmp(const void *name, const void *row)
{
	return strcmp(name, ((const struct ld_key *)row)->name);
}

/*
 * Walks the mapping whose MAPPING_START is the current event, calling each
 * key's handler with the current event on the first event of the value.
 * "path" names the mapping in value errors ("limits"), "where" in key errors
 * ("in limits"); "where" is read only when an error is reported, so a
 * handler may still change the buffer it points to.
 */
int
ld_walk_mapping(struct ld *ld, const struct ld_key *keys, size_t n, void *obj, const char *path,
    const char *where)
{
	yaml_mark_t start = ld->ev.start_mark;
	char vpath[160];
	const struct ld_key *k;
	const char *name;
	uint64_t seen = 0;
	size_t i;

	for (;;) {
		if (ld_next(ld) == -1)
			return -1;
		if (ld->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (ld->ev.type != YAML_SCALAR_EVENT)
			return ld_fail(ld, &ld->ev.start_mark,
			    "a key %s must be a plain word, not a %s", where,
			    ld_node_kind(ld->ev.type));
		name = (const char *)ld->ev.data.scalar.value;
		k = bsearch(name, keys, n, sizeof(*keys), key_cmp);
		if (k == NULL || strlen(name) != ld->ev.data.scalar.length)
			return ld_fail(ld, &ld->ev.start_mark, "unknown key \"%s\" %s",
			    ld_show(ld, 0, name), where);
		if (seen & (UINT64_C(1) << (k - keys)))
			return ld_fail(
			    ld, &ld->ev.start_mark, "duplicate key \"%s\" %s", k->name, where);
		seen |= UINT64_C(1) << (k - keys);
		snprintf(vpath, sizeof(vpath), "%s%s%s", path, path[0] != '\0' ? "." : "", k->name);
		ld->key_mark =
		    ld->ev.start_mark; /* handlers see the value; positions name the key */
		if (ld_next(ld) == -1 || k->fn(ld, k, obj, vpath) == -1)
			return -1;
	}
	for (i = 0; i < n; i++)
		if (keys[i].required && !(seen & (UINT64_C(1) << i)))
			return ld_fail(
			    ld, &start, "missing required key \"%s\" %s", keys[i].name, where);
	return 0;
}

/* The current event as a string value of "path". */
int
ld_scalar(struct ld *ld, const char *path, const char **out)
{
	const yaml_event_t *e = &ld->ev;

	if (e->type != YAML_SCALAR_EVENT)
		return ld_fail(ld, &e->start_mark, "%s must be a single value, not a %s", path,
		    ld_node_kind(e->type));
	if (strlen((const char *)e->data.scalar.value) != e->data.scalar.length)
		return ld_fail(ld, &e->start_mark, "%s must not contain NUL bytes", path);
	*out = (const char *)e->data.scalar.value;
	return 0;
}

int
ld_bad_value(struct ld *ld, const char *path, const char *why, const char *value)
{
	return ld_fail(
	    ld, &ld->ev.start_mark, "%s %s, got \"%s\"", path, why, ld_show(ld, 0, value));
}

int
ld_expect(struct ld *ld, yaml_event_type_t type, const char *path, const char *hint)
{
	if (ld->ev.type != type)
		return ld_fail(ld, &ld->ev.start_mark, "%s must be a %s%s, not a %s", path,
		    ld_node_kind(type), hint, ld_node_kind(ld->ev.type));
	return 0;
}

int
ld_next_item(struct ld *ld, const char *path, const char **s)
{
	if (ld_next(ld) == -1)
		return -1;
	if (ld->ev.type == YAML_SEQUENCE_END_EVENT)
		return 0;
	return ld_scalar(ld, path, s) == -1 ? -1 : 1;
}

/* Copies a checked value into a fixed field; the checks keep it short enough. */
int
ld_copy(struct ld *ld, char *dst, size_t dstsz, const char *path, const char *s)
{
	if (strlen(s) >= dstsz)
		return ld_bad_value(ld, path, "is too long", s);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int
walk_document(struct ld *ld)
{
	if (parser_open(ld) == -1)
		return -1;
	do {
		if (ld_next(ld) == -1)
			return -1;
	} while (
	    ld->ev.type == YAML_STREAM_START_EVENT || ld->ev.type == YAML_DOCUMENT_START_EVENT);
	if (ld->ev.type != YAML_MAPPING_START_EVENT)
		return ld_fail(ld, &ld->ev.start_mark,
		    "the configuration must be a mapping with upstream, listeners and policies, not a %s",
		    ld_node_kind(ld->ev.type));
	if (ld_walk_mapping(ld, ld_top_keys, ld_n_top_keys, &ld->ps->cfg, "", "at the top level") ==
	    -1)
		return -1;
	if (ld_resolve_listeners(ld) == -1)
		return -1;
	if (pol_set_compile(ld->ps) == -1)
		return ld_fail(ld, NULL, "out of memory");
	return 0;
}

int
pol_load_buffer(
    const char *name, const char *buf, size_t len, struct pol_set **out, struct pol_err *err)
{
	struct ld ld;
	int rc = -1;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name != NULL ? name : "<config>");
	if (len > POL_YAML_MAX_BYTES) {
		snprintf(err->msg, sizeof(err->msg),
		    "the configuration is %zu bytes, larger than the limit of %d bytes", len,
		    POL_YAML_MAX_BYTES);
		return -1;
	}
	memset(&ld, 0, sizeof(ld));
	ld.buf = buf != NULL ? buf : "";
	ld.len = buf != NULL ? len : 0;
	/*
	 * The encoding is forced to UTF-8 (no UTF-16 configurations), and with a
	 * forced encoding libyaml counts a byte order mark as a column, which
	 * shifts every indentation; so a UTF-8 BOM is dropped here instead.
	 */
	if (ld.len >= 3 && memcmp(ld.buf, "\xEF\xBB\xBF", 3) == 0) {
		ld.buf += 3;
		ld.len -= 3;
	}
	ld.err = err;
	if ((ld.ps = pol_set_new()) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	ld_set_defaults(&ld.ps->cfg);
	if (check_structure(&ld) == 0 && walk_document(&ld) == 0)
		rc = 0;
	parser_close(&ld);
	free(ld.lsn);
	if (rc == -1) {
		pol_set_unref(ld.ps);
		return -1;
	}
	*out = ld.ps;
	return 0;
}
