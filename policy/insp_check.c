/*
 * Checks shared by the inspectors (see insp_check.h).  Each mirrors the
 * daemon code it names.
 */
#include "sockwarden/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "image_ref.h"
#include "insp_check.h"
#include "query.h"

/* ---- users ------------------------------------------------------------------- */

/*
 * moby/sys/user GetExecUser: the part before ':' is matched by name in the
 * image's /etc/passwd, or read with strconv.Atoi as a uid (sign and leading
 * zeros allowed).  Only "root" and uid 0 are known to be root here; another
 * name could map to uid 0 in a hostile image, which only the image decides.
 */
enum pol_user_kind
pol_chk_user(const char *user)
{
	const char *colon = strchr(user, ':');
	size_t n = colon != NULL ? (size_t)(colon - user) : strlen(user), i = 0;

	if (n == 0)
		return POL_USER_DEFAULT;
	if (n == 4 && memcmp(user, "root", 4) == 0)
		return POL_USER_ROOT;
	if (user[0] == '+' || user[0] == '-')
		i = 1;
	if (i == n)
		return POL_USER_OTHER;
	for (; i < n; i++)
		if (user[i] != '0')
			return POL_USER_OTHER;
	return POL_USER_ROOT;
}

/* ---- Go strings ---------------------------------------------------------------------- */

int
pol_chk_go_upper(const char *in, char *buf, size_t bufsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t w = 0;
	char c;

	if (bufsz == 0)
		return -1;
	while (*p != '\0') {
		if (w + 1 >= bufsz) {
			buf[w] = '\0';
			return -1;
		}
		/* 0xc4 and 0xc5 are lead bytes: never inside another rune's sequence. */
		if (p[0] == 0xc4 && p[1] == 0xb1) { /* U+0131 dotless i */
			c = 'I';
			p += 2;
		} else if (p[0] == 0xc5 && p[1] == 0xbf) { /* U+017F long s */
			c = 'S';
			p += 2;
		} else {
			c = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : (char)*p;
			p++;
		}
		buf[w++] = c;
	}
	buf[w] = '\0';
	return 0;
}

/* ---- capabilities ---------------------------------------------------------------- */

int
pol_chk_cap_normalise(const char *in, char *buf, size_t bufsz)
{
	const char *p;

	/* Upper-cased at buf + 4, leaving room for a "CAP_" prefix. */
	if (bufsz < 5 || pol_chk_go_upper(in, buf + 4, bufsz - 4) == -1)
		return -1;
	for (p = buf + 4; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return -1;
	if (strcmp(buf + 4, "ALL") == 0 || strncmp(buf + 4, "CAP_", 4) == 0)
		memmove(buf, buf + 4, strlen(buf + 4) + 1);
	else
		memcpy(buf, "CAP_", 4);
	return 0;
}

const char *
pol_chk_cap_list_name(const char *norm)
{
	if (strcmp(norm, "ALL") == 0)
		return norm;
	if (strncmp(norm, "CAP_", 4) != 0 || strcmp(norm + 4, "ALL") == 0)
		return NULL;
	return norm + 4;
}

bool
pol_chk_cap_is_all(const char *cap)
{
	char norm[64];

	return cap != NULL && pol_chk_cap_normalise(cap, norm, sizeof(norm)) == 0 &&
	       strcmp(norm, "ALL") == 0;
}

/* The loader stored the list normalised (load_rules_values.c): compared exactly, no globs. */
bool
pol_chk_cap_allowed(const struct pol_rules *r, const char *norm)
{
	const char *name = pol_chk_cap_list_name(norm);
	size_t i;

	if (name == NULL)
		return false;
	for (i = 0; i < r->cap_add.n; i++)
		if (r->cap_add.v[i] != NULL && strcmp(r->cap_add.v[i], name) == 0)
			return true;
	return false;
}

/* ---- image references ---------------------------------------------------------------- */

void
pol_chk_image_rule(
    struct pol_insp_ctx *ctx, const char *field, const char *given, const char *normalised)
{
	if (!pol_rule_on(ctx, POL_RULE_IMAGES))
		return;
	if (pol_strlist_match(&ctx->rules->images, normalised))
		return;
	pol_finding_add(
	    ctx, POL_RULE_IMAGES, field, given, "is not an allowed image (%s)", normalised);
}

int
pol_chk_image_parse(struct pol_insp_ctx *ctx, const char *field, const char *given, bool id_ok,
    struct pol_image_ref *ref)
{
	const char *why = NULL;

	if (pol_image_ref_parse(given, ref, &why) == -1) {
		pol_finding_add(ctx, POL_RULE_IMAGES, field, given,
		    "is not a valid image reference (%s)", why != NULL ? why : "empty");
		return -1;
	}
	if (ref->is_id || (ref->maybe_id && !id_ok)) {
		pol_finding_add(ctx, POL_RULE_IMAGES, field, given,
		    "may name an image by ID, which the policy cannot check: use its full name");
		return -1;
	}
	return 0;
}

void
pol_chk_image(struct pol_insp_ctx *ctx, const char *field, const char *given, bool id_ok)
{
	struct pol_image_ref ref;

	if (!pol_rule_on(ctx, POL_RULE_IMAGES))
		return;
	if (pol_chk_image_parse(ctx, field, given, id_ok, &ref) == 0)
		pol_chk_image_rule(ctx, field, given, ref.normalized);
}

/* ---- host paths ---------------------------------------------------------------------- */

/*
 * Host paths whose mount gives control of the daemon (its sockets, its
 * state), and every directory above them: never a bind source, whatever
 * the globs allow.  One list for containers, services and volumes.
 */
static const char *const protected_paths[] = { "/var/run/docker.sock", "/run/docker.sock",
	"/run/containerd", "/var/run/containerd", "/var/lib/docker", "/run/docker",
	"/var/run/docker" };

/* Is "a" equal to "b" or a directory above it? */
static bool
is_ancestor_or_self(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, "/") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

bool
pol_chk_is_protected_path(const char *path)
{
	size_t i;

	for (i = 0; i < nitems(protected_paths); i++)
		if (is_ancestor_or_self(path, protected_paths[i]) ||
		    is_ancestor_or_self(protected_paths[i], path))
			return true;
	return false;
}

bool
pol_chk_bind_allowed(const struct pol_rules *r, const char *src, bool read_only)
{
	size_t i;

	if (src[0] != '/' || pol_chk_is_protected_path(src))
		return false;
	for (i = 0; i < r->bind_rw.n; i++)
		if (pol_path_glob_match(r->bind_rw.v[i], src))
			return true;
	if (!read_only)
		return false;
	for (i = 0; i < r->bind_ro.n; i++)
		if (pol_path_glob_match(r->bind_ro.v[i], src))
			return true;
	return false;
}

/* ---- local volume driver options --------------------------------------------------------- */

static const char *
opt_string(const cJSON *opts, const char *key)
{
	const char *s = opts != NULL ? pol_json_string(opts, key) : NULL;

	return s != NULL ? s : "";
}

/* "o" split on ',' as moby/sys/mount parseOptions does: flags match exactly. */
static void
scan_mount_flags(const char *o, bool *bind, bool *read_only)
{
	const char *p = o, *e;
	size_t n;

	*bind = false;
	*read_only = false;
	for (;;) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if ((n == 4 && memcmp(p, "bind", 4) == 0) || (n == 5 && memcmp(p, "rbind", 5) == 0))
			*bind = true;
		else if (n == 2 && memcmp(p, "ro", 2) == 0)
			*read_only = true;
		else if (n == 2 && memcmp(p, "rw", 2) == 0)
			*read_only = false;
		if (e == NULL)
			break;
		p = e + 1;
	}
}

void
pol_chk_local_volume_opts(const cJSON *opts, struct pol_volopts *out)
{
	static const char *const valid[] = { "type", "o", "device", "size" };
	const cJSON *it;
	bool bind;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->type = opt_string(opts, "type");
	out->device = opt_string(opts, "device");
	out->o = opt_string(opts, "o");
	if (opts == NULL || !cJSON_IsObject(opts))
		return;
	cJSON_ArrayForEach (it, opts) {
		for (i = 0; i < nitems(valid); i++)
			if (it->string != NULL && strcmp(it->string, valid[i]) == 0)
				break;
		if (i == nitems(valid)) {
			out->kind = POL_VOLOPTS_BAD;
			out->why = "invalid option";
			snprintf(out->bad_key, sizeof(out->bad_key), "%s",
			    it->string != NULL ? it->string : "");
			return;
		}
	}
	/* mandatoryOpts: device needs type, type needs device, o needs both. */
	if ((pol_json_get(opts, "device") != NULL) != (pol_json_get(opts, "type") != NULL) ||
	    (pol_json_get(opts, "o") != NULL && pol_json_get(opts, "device") == NULL)) {
		out->kind = POL_VOLOPTS_BAD;
		out->why = "missing required option (type, device and o go together)";
		return;
	}
	if (pol_json_get(opts, "type") == NULL && pol_json_get(opts, "device") == NULL)
		return; /* "size" alone: a quota, no mount */
	scan_mount_flags(out->o, &bind, &out->read_only);
	if (bind)
		out->kind = POL_VOLOPTS_BIND;
	else if (strcmp(out->type, "tmpfs") == 0)
		out->kind = POL_VOLOPTS_TMPFS;
	else if (strcmp(out->type, "nfs") == 0 || strcmp(out->type, "nfs4") == 0 ||
	         strcmp(out->type, "cifs") == 0 || strcmp(out->type, "smb3") == 0)
		out->kind = POL_VOLOPTS_NETFS;
	else
		out->kind = POL_VOLOPTS_FS;
}

const char *
pol_chk_volopts_what(const struct pol_volopts *v)
{
	switch (v->kind) {
	case POL_VOLOPTS_BIND:
		return "bind-mounts a host path through the local volume driver";
	case POL_VOLOPTS_FS:
		return "mounts a host device or kernel filesystem through the local volume driver";
	case POL_VOLOPTS_NETFS:
		return "mounts a network filesystem from the host through the local volume driver";
	case POL_VOLOPTS_BAD:
		return "has options the local volume driver refuses";
	case POL_VOLOPTS_NONE:
	case POL_VOLOPTS_TMPFS:
		break;
	}
	return "mounts nothing from the host";
}

/* ---- ports, labels, limits ----------------------------------------------------------- */

bool
pol_chk_ports_allowed(const struct pol_rules *r, unsigned long lo, unsigned long hi)
{
	size_t i;

	if (lo == 0 && hi == 0)
		return true;
	for (i = 0; i < r->n_ports; i++)
		if (lo >= r->ports[i].lo && hi <= r->ports[i].hi)
			return true;
	return false;
}

void
pol_chk_labels(struct pol_insp_ctx *ctx, const cJSON *labels, const char *field)
{
	const struct pol_strlist *req = &ctx->rules->require_labels;
	size_t i;

	if (!pol_rule_on(ctx, POL_RULE_LABELS))
		return;
	for (i = 0; i < req->n; i++)
		if (pol_json_get(labels, req->v[i]) == NULL)
			pol_finding_add(ctx, POL_RULE_LABELS, field, req->v[i],
			    "is a label the policy requires");
}

struct pol_limit
pol_chk_limit_of(const cJSON *obj, const char *key, const char *what, bool require, int64_t max)
{
	return (struct pol_limit){ key, what, require, max, pol_json_int(obj, key, 0),
		!pol_json_is_null(pol_json_get(obj, key)) };
}

void
pol_chk_limit(struct pol_insp_ctx *ctx, const struct pol_limit *l, const char *prefix, bool update)
{
	char field[64], shown[24];
	bool missing, above;

	if (update && (!l->present || l->value == 0))
		return; /* zero or absent leaves the container's limit as it is */
	missing = l->value <= 0 && (l->require || l->max > 0);
	above = !missing && l->max > 0 && l->value > l->max;
	if (!missing && !above)
		return; /* the names are formatted only for a finding */
	snprintf(field, sizeof(field), "%s%s%s", prefix, prefix[0] ? "." : "", l->name);
	snprintf(shown, sizeof(shown), "%lld", (long long)l->value);
	if (missing)
		pol_finding_add(ctx, POL_RULE_RESOURCES, field, l->present ? shown : "",
		    "sets no %s limit, which the policy requires", l->what);
	else
		pol_finding_add(ctx, POL_RULE_RESOURCES, field, shown,
		    "is above the policy's maximum %s limit (%lld)", l->what, (long long)l->max);
}

/* ---- misc ------------------------------------------------------------------------------ */

void
pol_chk_deny(struct pol_insp_ctx *ctx, enum pol_rule_id rule, enum pol_rule_id fallback,
    const char *field, const char *value, const char *what)
{
	if (pol_rule_on(ctx, rule))
		pol_finding_add(ctx, rule, field, value, "%s", what);
	else if (pol_rule_on(ctx, fallback))
		pol_finding_add(ctx, fallback, field, value, "%s", what);
}

int
pol_chk_malformed(struct pol_insp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err == NULL)
		return -1;
	memset(ctx->err, 0, sizeof(*ctx->err));
	va_start(ap, fmt);
	vsnprintf(ctx->err->msg, sizeof(ctx->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

cJSON *
pol_chk_root(const struct pol_insp_ctx *ctx)
{
	if (ctx->doc == NULL || pol_json_is_null(ctx->doc->root))
		return NULL;
	return ctx->doc->root;
}

int
pol_chk_root_struct(struct pol_insp_ctx *ctx, const struct pol_jschema *s)
{
	cJSON *root = pol_chk_root(ctx);

	if (root == NULL)
		return 0;
	return pol_json_check(root, s, "", ctx->err);
}

int
pol_chk_query(struct pol_insp_ctx *ctx, struct pol_query *q)
{
	const char *why = NULL;

	if (pol_query_parse(&ctx->req->query, q, &why) == -1)
		return pol_chk_malformed(ctx, "query: %s", why);
	return 0;
}
