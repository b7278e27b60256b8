/*
 * Helpers shared by the inspectors and the loader: rule names, findings,
 * rule lists, host path globs, Go's path.Clean and daemon versions.
 */
#include "sockwarden/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoints.h"
#include "insp_endpoints.h"
#include "inspect.h"
#include "policy_int.h"
#include "schema_container.h"

static const char *const rule_names[POL_RULE__COUNT] = {
#define POL_RULE_NAME(id, name, always) name,
	POL_RULES(POL_RULE_NAME)
#undef POL_RULE_NAME
};

static const bool rule_always[POL_RULE__COUNT] = {
#define POL_RULE_ALWAYS(id, name, always) (always) != 0,
	POL_RULES(POL_RULE_ALWAYS)
#undef POL_RULE_ALWAYS
};

const char *
pol_rule_name(enum pol_rule_id r)
{
	if ((int)r < 0 || r >= POL_RULE__COUNT)
		return "unknown";
	return rule_names[r];
}

bool
pol_rule_always_enforced(enum pol_rule_id r)
{
	return (int)r >= 0 && r < POL_RULE__COUNT && rule_always[r];
}

int
pol_rule_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < nitems(rule_names); i++)
		if (strcmp(rule_names[i], name) == 0)
			return (int)i;
	return -1;
}

void
pol_strlist_free(struct pol_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
mutations_free(struct pol_mutations *m)
{
	free(m->user);
	m->user = NULL;
	pol_strlist_free(&m->labels);
}

void
pol_rules_free(struct pol_rules *r)
{
	struct pol_strlist *lists[] = { &r->bind_rw, &r->bind_ro, &r->volume_drivers, &r->devices,
		&r->cap_add, &r->host_namespaces, &r->sysctls, &r->runtimes, &r->ulimits,
		&r->port_host_ips, &r->images, &r->require_labels, &r->log_drivers,
		&r->exec_commands, &r->volume_create_drivers, &r->network_drivers,
		&r->network_parents, &r->plugin_privileges };
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < nitems(lists); i++)
		pol_strlist_free(lists[i]);
	free(r->ports);
	r->ports = NULL;
	r->n_ports = 0;
	mutations_free(&r->set);
	mutations_free(&r->dflt);
}

/* ---- findings ---------------------------------------------------------------- */

/*
 * Copy untrusted text into a finding: printable ASCII only, '"' and '\\'
 * replaced, so a message can be put in JSON and on a terminal as it is.
 */
static void
copy_sanitised(char *dst, size_t size, const char *src)
{
	size_t i, n = 0, len = src != NULL ? strlen(src) : 0;
	unsigned char c;

	for (i = 0; i < len && n + 1 < size; i++) {
		c = (unsigned char)src[i];
		dst[n++] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ? '?' : (char)c;
	}
	/* Mark a cut value so it is not read as the whole value. */
	if (i < len && size > 4)
		memcpy(dst + size - 4, "...", 4);
	else
		dst[n] = '\0';
}

bool
pol_rule_on(const struct pol_insp_ctx *ctx, enum pol_rule_id rule)
{
	if (ctx->rules == NULL || (int)rule < 0 || rule >= POL_RULE__COUNT)
		return false;
	return ctx->rules->enabled && ctx->rules->configured[rule];
}

void
pol_finding_add(struct pol_insp_ctx *ctx, enum pol_rule_id rule, const char *field,
    const char *value, const char *fmt, ...)
{
	struct pol_finding *f;
	char what[sizeof(f->what)];
	va_list ap;

	if (ctx->n_findings >= POL_MAX_FINDINGS) {
		ctx->overflow = true;
		return;
	}
	f = &ctx->findings[ctx->n_findings++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->mode = POL_MODE_ENFORCE;
	if (ctx->rules != NULL && (int)rule >= 0 && rule < POL_RULE__COUNT &&
	    ctx->rules->configured[rule] && !rule_always[rule])
		f->mode = ctx->rules->mode[rule];
	copy_sanitised(f->field, sizeof(f->field), field);
	copy_sanitised(f->value, sizeof(f->value), value);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	copy_sanitised(f->what, sizeof(f->what), what);
}

/* ---- lists and globs ----------------------------------------------------------- */

/* Glob over one segment: '*' matches any run of characters, '?' one character. */
static bool
seg_match(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < plen && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

static size_t
seg_len(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash != NULL ? (size_t)(slash - s) : strlen(s);
}

/*
 * Component-wise match of '/'-separated "glob" against "s": "**" as a whole
 * component matches zero or more components; otherwise components match
 * one to one with seg_match().  Recursion depth is bounded by the number of
 * "**" components in the glob (a configuration value).
 */
static bool
components_match(const char *g, const char *s)
{
	size_t gl, sl;

	for (;;) {
		gl = seg_len(g);
		if (gl == 2 && g[0] == '*' && g[1] == '*') {
			if (g[2] == '\0')
				return true;
			for (;;) {
				if (components_match(g + 3, s))
					return true;
				sl = seg_len(s);
				if (s[sl] == '\0')
					return false;
				s += sl + 1;
			}
		}
		sl = seg_len(s);
		if (!seg_match(g, gl, s, sl))
			return false;
		/* A trailing "**" component also matches nothing: "a" is under "a" + "**". */
		if (s[sl] == '\0' && g[gl] == '/' && strcmp(g + gl + 1, "**") == 0)
			return true;
		if (g[gl] == '\0' || s[sl] == '\0')
			return g[gl] == '\0' && s[sl] == '\0';
		g += gl + 1;
		s += sl + 1;
	}
}

bool
pol_path_glob_match(const char *glob, const char *path)
{
	if (glob == NULL || path == NULL || glob[0] != '/' || path[0] != '/')
		return false;
	/* "/" has no component: only the globs "/" and "/" + "**" match it. */
	if (path[1] == '\0')
		return glob[1] == '\0' || strcmp(glob, "/**") == 0;
	return components_match(glob + 1, path + 1);
}

bool
pol_strlist_match(const struct pol_strlist *l, const char *s)
{
	size_t i;

	if (l == NULL || s == NULL)
		return false;
	for (i = 0; i < l->n; i++) {
		if (l->v[i] == NULL)
			continue;
		if (strchr(l->v[i], '/') != NULL || strchr(s, '/') != NULL) {
			if (components_match(l->v[i], s))
				return true;
		} else if (seg_match(l->v[i], strlen(l->v[i]), s, strlen(s))) {
			return true;
		}
	}
	return false;
}

/* ---- path.Clean -------------------------------------------------------------- */

/*
 * Go's path.Clean: collapse "//", drop ".", resolve ".." lexically (".."
 * at the root of an absolute path stays at the root), strip a trailing
 * '/', and return "." for an empty result.
 */
char *
pol_path_clean(const char *path, char *buf, size_t bufsz)
{
	size_t r = 0, w = 0, n, dotdot = 0;
	bool rooted;

	if (path == NULL || buf == NULL || bufsz < 2)
		return NULL;
	n = strlen(path);
	if (n == 0) {
		memcpy(buf, ".", 2);
		return buf;
	}
	rooted = path[0] == '/';
	if (rooted) {
		buf[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' &&
		           (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && buf[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0) {
					if (w + 1 >= bufsz)
						return NULL;
					buf[w++] = '/';
				}
				if (w + 2 >= bufsz)
					return NULL;
				buf[w++] = '.';
				buf[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0)) {
				if (w + 1 >= bufsz)
					return NULL;
				buf[w++] = '/';
			}
			for (; r < n && path[r] != '/'; r++) {
				if (w + 1 >= bufsz)
					return NULL;
				buf[w++] = path[r];
			}
		}
	}
	if (w == 0)
		buf[w++] = '.';
	buf[w] = '\0';
	return buf;
}

/* ---- daemon versions ----------------------------------------------------------- */

/* Leading decimal number of "*s", advancing past it; -1 when there is none. */
static long
version_part(const char **s)
{
	long v = 0;

	if (**s < '0' || **s > '9')
		return -1;
	while (**s >= '0' && **s <= '9') {
		if (v < 100000)
			v = v * 10 + (**s - '0');
		(*s)++;
	}
	return v;
}

bool
pol_daemon_older_than(const struct pol_daemon *d, int major, int minor)
{
	const char *s;
	long ma, mi;

	if (d == NULL || d->version[0] == '\0')
		return true;
	s = d->version;
	if (*s == 'v')
		s++;
	if ((ma = version_part(&s)) < 0 || *s++ != '.' || (mi = version_part(&s)) < 0)
		return true; /* unparsable: assume the widest (oldest) semantics */
	return ma < major || (ma == major && mi < minor);
}

/* ---- the inspectors -------------------------------------------------------------- */

/*
 * How an endpoint's JSON body is read when it is empty.  Whether the body
 * is JSON at all is not a property of the inspector but of the route
 * (POL_EPF_UPLOAD), because that is what the proxy streams or buffers by:
 * an upload body is never seen here, and only its query is inspected.
 */
enum insp_body {
	INSP_BODY_OPTIONAL = 0, /* ReadJSON: an empty body is the zero value */
	INSP_BODY_REQUIRED,     /* the daemon refuses an empty body (ContainerCreate) */
	INSP_BODY_UNWANTED,     /* none is expected; one is parsed so the inspector can refuse it */
};

struct insp_row {
	pol_insp_fn *fn;     /* NULL: the endpoint has no inspector */
	enum insp_body body; /* unused for uploads */
};

/*
 * The inspector of each endpoint, indexed by endpoint id.  Each inspector
 * checks its own body's type (its schema may depend on the daemon's
 * version, or it is not an object) and sees a NULL root for an empty body.
 */
static const struct insp_row insp_table[POL_EP_COUNT] = {
	/* containers (insp_container_*.c) */
	[POL_EP_ContainerCreate] = { pol_insp_container_create, INSP_BODY_REQUIRED },
	[POL_EP_ContainerUpdate] = { pol_insp_container_update, INSP_BODY_OPTIONAL },
	[POL_EP_ContainerStart] = { pol_insp_container_start, INSP_BODY_UNWANTED },
	/* exec */
	[POL_EP_ContainerExec] = { pol_insp_exec_create, INSP_BODY_OPTIONAL },
	[POL_EP_ExecStart] = { pol_insp_exec_start, INSP_BODY_OPTIONAL },
	/* volumes and networks */
	[POL_EP_VolumeCreate] = { pol_insp_volume_create, INSP_BODY_OPTIONAL },
	[POL_EP_NetworkCreate] = { pol_insp_network_create, INSP_BODY_OPTIONAL },
	[POL_EP_NetworkConnect] = { pol_insp_network_connect, INSP_BODY_OPTIONAL },
	[POL_EP_NetworkDisconnect] = { pol_insp_network_disconnect, INSP_BODY_OPTIONAL },
	/* swarm services, secrets, configs, membership */
	[POL_EP_ServiceCreate] = { pol_insp_service, INSP_BODY_OPTIONAL },
	[POL_EP_ServiceUpdate] = { pol_insp_service, INSP_BODY_OPTIONAL },
	[POL_EP_SecretCreate] = { pol_insp_secret_create, INSP_BODY_OPTIONAL },
	[POL_EP_ConfigCreate] = { pol_insp_config_create, INSP_BODY_OPTIONAL },
	[POL_EP_SwarmInit] = { pol_insp_swarm_init, INSP_BODY_OPTIONAL },
	[POL_EP_SwarmJoin] = { pol_insp_swarm_join, INSP_BODY_OPTIONAL },
	[POL_EP_SwarmUpdate] = { pol_insp_swarm_update, INSP_BODY_OPTIONAL },
	[POL_EP_SwarmUnlock] = { pol_insp_swarm_unlock, INSP_BODY_OPTIONAL },
	/* plugins */
	[POL_EP_PluginPull] = { pol_insp_plugin_pull, INSP_BODY_OPTIONAL },
	[POL_EP_PluginUpgrade] = { pol_insp_plugin_pull, INSP_BODY_OPTIONAL },
	[POL_EP_PluginSet] = { pol_insp_plugin_set, INSP_BODY_OPTIONAL },
	[POL_EP_PluginCreate] = { pol_insp_plugin_create, INSP_BODY_OPTIONAL },
	/* images */
	[POL_EP_ImageCommit] = { pol_insp_commit, INSP_BODY_OPTIONAL },
	[POL_EP_ImageBuild] = { pol_insp_build, INSP_BODY_OPTIONAL },
	[POL_EP_ImageCreate] = { pol_insp_image_create, INSP_BODY_OPTIONAL },
	[POL_EP_ImageTag] = { pol_insp_image_tag, INSP_BODY_OPTIONAL },
	/* uploads into containers */
	[POL_EP_PutContainerArchive] = { pol_insp_archive, INSP_BODY_OPTIONAL },
};

static const struct insp_row *
insp_find(int ep)
{
	if (ep <= POL_EP_UNKNOWN || ep >= POL_EP_COUNT || insp_table[ep].fn == NULL)
		return NULL;
	return &insp_table[ep];
}

bool
pol_ep_inspected(int ep)
{
	return insp_find(ep) != NULL;
}

/* The body streams upstream unread (the proxy's test too): only the query is inspected. */
static bool
is_upload(int ep)
{
	return (pol_ep_flags(ep) & POL_EPF_UPLOAD) != 0;
}

/* ---- media types -------------------------------------------------------------------- */

static bool
is_token_char(char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static void
trim(struct sw_str *s)
{
	while (s->len > 0 && (s->p[0] == ' ' || s->p[0] == '\t')) {
		s->p++;
		s->len--;
	}
	while (s->len > 0 && (s->p[s->len - 1] == ' ' || s->p[s->len - 1] == '\t'))
		s->len--;
}

/* The media type before any ';', trimmed: what Go's form parsing keys on. */
static struct sw_str
media_type(const struct sw_str *ct)
{
	struct sw_str t = *ct;
	const char *semi = t.len > 0 ? memchr(t.p, ';', t.len) : NULL;

	if (semi != NULL)
		t.len = (size_t)(semi - t.p);
	trim(&t);
	return t;
}

/* One "; attr=value" parameter (value a token or a quoted string); advances *i. */
static int
media_param(const struct sw_str *ct, size_t *i)
{
	size_t j = *i;

	while (j < ct->len && is_token_char(ct->p[j]))
		j++;
	if (j == *i || j >= ct->len || ct->p[j] != '=')
		return -1;
	*i = ++j;
	if (j < ct->len && ct->p[j] == '"') {
		for (j++; j < ct->len && ct->p[j] != '"'; j++)
			if (ct->p[j] == '\\' && ++j >= ct->len)
				return -1;
		if (j >= ct->len)
			return -1;
		*i = j + 1;
		return 0;
	}
	while (j < ct->len && is_token_char(ct->p[j]))
		j++;
	if (j == *i)
		return -1;
	*i = j;
	return 0;
}

/*
 * Is "ct" application/json as Go's mime.ParseMediaType reads it (type
 * case-insensitive, parameters ignored)?  Stricter than Go where Go is
 * lenient: any parameter that is not attr=token or attr="quoted" refuses.
 */
static bool
is_json_media_type(const struct sw_str *ct)
{
	struct sw_str t = media_type(ct);
	size_t i;

	if (!sw_str_caseeq_lit(&t, "application/json"))
		return false;
	i = (size_t)(t.p + t.len - ct->p);
	for (;;) {
		while (i < ct->len && (ct->p[i] == ' ' || ct->p[i] == '\t'))
			i++;
		if (i == ct->len)
			return true;
		if (ct->p[i++] != ';')
			return false;
		while (i < ct->len && (ct->p[i] == ' ' || ct->p[i] == '\t'))
			i++;
		if (i == ct->len)
			return true; /* Go ignores a trailing ';' */
		if (media_param(ct, &i) == -1)
			return false;
	}
}

/* ---- pol_inspect ------------------------------------------------------------------- */

/* The policy's body rules (pol_eval() has checked the index). */
static const struct pol_rules *
policy_rules(const struct pol_set *ps, int policy)
{
	return &ps->policies[policy].rules;
}

struct msgbuf {
	char *p;
	size_t size, len;
};

static void SW_PRINTF(2, 3) mb_printf(struct msgbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->size - b->len ? (size_t)n : b->size - b->len - 1;
}

static const char *
mode_name(enum pol_mode m)
{
	return m == POL_MODE_WARN ? "warn" : m == POL_MODE_AUDIT ? "audit" : "enforce";
}

/* `sockwarden: HostConfig.Binds[0] "/etc:/host" mounts ... (policy ci, rule bind_mounts)` */
static void
finding_message(const struct pol_finding *f, const char *policy, char *buf, size_t size)
{
	struct msgbuf b = { buf, size, 0 };

	buf[0] = '\0';
	mb_printf(&b, "sockwarden: %s", f->field);
	if (f->value[0] != '\0')
		mb_printf(&b, " \"%s\"", f->value);
	mb_printf(&b, " %s (policy %s, rule %s)", f->what, policy, pol_rule_name(f->rule));
}

static void set_refusal(struct pol_inspection *out, int status, const char *fmt, ...)
    SW_PRINTF(3, 4);

static void
set_refusal(struct pol_inspection *out, int status, const char *fmt, ...)
{
	va_list ap;

	out->decision.verdict = POL_DENY;
	out->decision.reason = POL_R_DENIED;
	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

/* Every finding for the audit line, "rule:mode field; ...", and the warnings. */
static void
collect_findings(const struct pol_insp_ctx *ctx, struct pol_inspection *out)
{
	struct msgbuf b = { out->findings, sizeof(out->findings), 0 };
	const struct pol_finding *f;
	size_t i;

	out->findings[0] = '\0';
	for (i = 0; i < ctx->n_findings; i++) {
		f = &ctx->findings[i];
		mb_printf(&b, "%s%s:%s %s", i > 0 ? "; " : "", pol_rule_name(f->rule),
		    mode_name(f->mode), f->field);
		if (f->mode == POL_MODE_WARN && out->n_warnings < POL_MAX_WARNINGS)
			finding_message(f, ctx->policy, out->warnings[out->n_warnings++],
			    sizeof(out->warnings[0]));
	}
	if (ctx->overflow)
		mb_printf(&b, "%smore findings than fit", i > 0 ? "; " : "");
}

/*
 * A size for the canonical body's buffer.  Parsing drops whitespace,
 * unknown fields and repeated keys, and printing writes no escape longer
 * than the one it read, so the canonical body is never longer than the
 * body received but for what the create inspector adds: a HostConfig
 * object, CpusetCpus for Cpuset, CgroupnsMode and the policy's mutations.
 * Those are short members (under 256 bytes together) except the user and
 * the labels, counted here; pol_json_print() grows the buffer should
 * escapes in them not fit.
 */
static size_t
print_size_hint(const struct pol_insp_ctx *ctx)
{
	const struct pol_mutations *m[] = { &ctx->rules->set, &ctx->rules->dflt };
	size_t n = ctx->body_len + 256, i, j;

	for (i = 0; i < nitems(m); i++) {
		if (m[i]->user != NULL)
			n += strlen(m[i]->user) + 16; /* ,"User":"..." */
		for (j = 0; j < m[i]->labels.n; j++)
			n += strlen(m[i]->labels.v[j]) + 8; /* "k=v" as ,"k":"v" */
	}
	return n;
}

/* Turn the inspector's findings into the verdict; returns it. */
static enum pol_verdict
verdict(const struct pol_insp_ctx *ctx, struct pol_inspection *out)
{
	size_t i;

	collect_findings(ctx, out);
	if (ctx->overflow) {
		set_refusal(out, 403,
		    "sockwarden: the request breaks more than %d rules of policy %s",
		    POL_MAX_FINDINGS, ctx->policy);
		return POL_DENY;
	}
	for (i = 0; i < ctx->n_findings; i++) {
		if (ctx->findings[i].mode != POL_MODE_ENFORCE)
			continue;
		set_refusal(out, 403, "%s", "");
		finding_message(&ctx->findings[i], ctx->policy, out->message, sizeof(out->message));
		return POL_DENY;
	}
	if (ctx->doc->root != NULL) {
		out->body_len = print_size_hint(ctx);
		out->body = pol_json_print(ctx->doc->root, &out->body_len);
		if (out->body == NULL) {
			out->body_len = 0;
			set_refusal(out, 500, "sockwarden: out of memory");
			return POL_DENY;
		}
	}
	out->decision.verdict = POL_ALLOW;
	out->decision.reason = POL_R_ALLOWED;
	out->status = 0;
	out->refuse_compressed = ctx->refuse_compressed;
	return POL_ALLOW;
}

/* Content-Type as the daemon's CheckForJSON reads it, and no form bodies anywhere. */
static int
check_media(const struct insp_row *row, bool upload, const struct sw_str *ct,
    const struct sw_str *body, struct pol_inspection *out)
{
	struct sw_str none = SW_STR_NULL;

	if (ct == NULL)
		ct = &none;
	if (pol_content_type_is_form(ct)) {
		set_refusal(out, 415, "sockwarden: form bodies are not accepted (Content-Type)");
		return -1;
	}
	if (upload || (row->body == INSP_BODY_UNWANTED && body->len == 0))
		return 0;
	if (ct->len == 0 && body->len == 0)
		return 0;
	if (!is_json_media_type(ct)) {
		set_refusal(out, 415, "sockwarden: the request body must be application/json");
		return -1;
	}
	return 0;
}

/* Parse the body into ctx->doc (root NULL when empty); -1 with ctx->err set when malformed. */
static int
read_body(
    const struct insp_row *row, bool upload, const struct sw_str *body, struct pol_insp_ctx *ctx)
{
	if (upload)
		return 0;
	if (body->len == 0) {
		if (row->body == INSP_BODY_REQUIRED) {
			memset(ctx->err, 0, sizeof(*ctx->err));
			snprintf(ctx->err->msg, sizeof(ctx->err->msg), "the body is empty");
			return -1;
		}
		return 0; /* ReadJSON: no body is the zero value */
	}
	return pol_json_parse(body, ctx->doc, ctx->err);
}

static void
inspection_init(struct pol_inspection *out, int policy)
{
	memset(out, 0, sizeof(*out));
	out->decision.verdict = POL_DENY;
	out->decision.reason = POL_R_DENIED;
	out->decision.policy = policy;
	out->decision.rule = -1;
	out->status = 403;
}

enum pol_verdict
pol_inspect(const struct pol_set *ps, int policy, const struct sw_req *req,
    const struct pol_daemon *daemon, const struct sw_str *content_type, const struct sw_str *body,
    struct pol_inspection *out)
{
	static const struct pol_daemon unknown_daemon;
	struct sw_str empty = SW_STR_NULL;
	struct pol_insp_ctx ctx_on_stack, *ctx = &ctx_on_stack;
	const struct insp_row *row;
	struct pol_jdoc doc = { NULL };
	struct pol_decision d;
	struct pol_err err;
	enum pol_verdict v;
	bool upload;

	inspection_init(out, policy);
	if (pol_eval(ps, policy, req, &d) == POL_DENY) {
		out->decision = d;
		pol_decision_message(ps, req, &d, out->message, sizeof(out->message));
		return POL_DENY;
	}
	out->decision.rule = d.rule;
	if ((row = insp_find(req->endpoint)) == NULL) {
		set_refusal(
		    out, 403, "sockwarden: %s has no inspector", pol_ep_name(req->endpoint));
		return POL_DENY;
	}
	if (body == NULL)
		body = &empty;
	upload = is_upload(req->endpoint);
	if (check_media(row, upload, content_type, body, out) == -1)
		return POL_DENY;
	/* About 15 KiB on the stack: a heap block that size costs more than the inspection. */
	memset(ctx, 0, offsetof(struct pol_insp_ctx, findings));
	ctx->n_findings = 0;
	ctx->overflow = false;
	ctx->refuse_compressed = false;
	memset(&err, 0, sizeof(err));
	ctx->rules = policy_rules(ps, policy);
	if ((ctx->policy = pol_set_policy_name(ps, policy)) == NULL)
		ctx->policy = "?";
	ctx->req = req;
	ctx->daemon = daemon != NULL ? daemon : &unknown_daemon;
	ctx->doc = &doc;
	ctx->body_len = body->len;
	ctx->err = &err;
	pol_json_arena_begin();
	if (read_body(row, upload, body, ctx) == -1 || row->fn(ctx) == -1) {
		set_refusal(out, 400, "sockwarden: malformed request body: %s",
		    err.msg[0] != '\0' ? err.msg : "refused by its inspector");
		v = POL_DENY;
	} else {
		v = verdict(ctx, out);
	}
	pol_json_arena_free(&doc);
	pol_json_arena_end();
	return v;
}

void
pol_inspection_free(struct pol_inspection *out)
{
	if (out == NULL)
		return;
	free(out->body);
	out->body = NULL;
	out->body_len = 0;
}
