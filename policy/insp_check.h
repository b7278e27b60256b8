/*
 * Private to policy/: checks several inspectors share (containers, exec,
 * services, build, volumes, plugins, images), each normalising a value the
 * way the daemon does before it is compared with a policy's lists.  The
 * loader normalises the capabilities it stores with the same code, so the
 * inspectors compare them with plain strcmp.
 */
#ifndef SW_POLICY_INSP_CHECK_H
#define SW_POLICY_INSP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "inspect.h"

/* ---- users ------------------------------------------------------------------- */

enum pol_user_kind {
	POL_USER_DEFAULT = 0, /* "" or ":group": the image's (or the container's) user */
	POL_USER_ROOT,        /* "root", or a number strconv.Atoi reads as 0 ("0", "00", "+0") */
	POL_USER_OTHER,       /* any other name or number */
};

/* Classify "user[:group]" as runc's user lookup reads the user part. */
enum pol_user_kind pol_chk_user(const char *user);

/* ---- Go strings ---------------------------------------------------------------------- */

/*
 * strings.ToUpper as far as it can produce ASCII: a-z, and the two runes
 * whose upper case is ASCII, U+0131 (dotless i) -> 'I' and U+017F (long s)
 * -> 'S'.  Every other byte is copied, so a non-ASCII rune stays non-ASCII
 * and never equals an ASCII name.  Always NUL-terminates buf (bufsz > 0);
 * returns 0, or -1 when the result was cut to fit.
 */
int pol_chk_go_upper(const char *in, char *buf, size_t bufsz);

/* ---- capabilities ---------------------------------------------------------------- */

/*
 * Normalise a CapAdd/CapDrop entry as caps.NormalizeLegacyCapabilities
 * does: strings.ToUpper; "ALL" stays "ALL"; anything else gets a "CAP_"
 * prefix when it lacks one.  So "CAP_ALL" is the unknown capability
 * CAP_ALL, which the daemon refuses (not "ALL").  Writes "ALL" or
 * "CAP_<NAME>" into buf; returns 0, or -1 when the result is not plain
 * ASCII (no capability has such a name; the daemon refuses it) or does not
 * fit.
 */
int pol_chk_cap_normalise(const char *in, char *buf, size_t bufsz);

/*
 * The spelling the loader stores in the policy's lists for a normalised
 * capability: "ALL", or the name without "CAP_".  NULL for "CAP_ALL" (and
 * anything without the prefix), which names no capability.
 */
const char *pol_chk_cap_list_name(const char *norm);

/* Does "cap" (as a client sent it; NULL is no) normalise to "ALL"? */
bool pol_chk_cap_is_all(const char *cap);

/* May the normalised capability "norm" be added under the capabilities rule's cap_add list? */
bool pol_chk_cap_allowed(const struct pol_rules *r, const char *norm);

/* ---- image references ---------------------------------------------------------------- */

struct pol_image_ref;

/*
 * Check a normalised reference (image_ref.h) against the images rule; adds
 * a finding (field, value as given) when the rule applies and no pattern
 * matches.
 */
void pol_chk_image_rule(
    struct pol_insp_ctx *ctx, const char *field, const char *given, const char *normalised);

/*
 * Parse "given" with pol_image_ref_parse.  A reference the daemon refuses,
 * a full image ID, or (unless "id_ok": where the daemon reads only names,
 * as a pull does) one it may read as an ID prefix, gets an images finding
 * and -1.  Call only when the images rule is on.
 */
int pol_chk_image_parse(struct pol_insp_ctx *ctx, const char *field, const char *given, bool id_ok,
    struct pol_image_ref *ref);

/* Both: the whole images check of one reference (nothing when the rule is off). */
void pol_chk_image(struct pol_insp_ctx *ctx, const char *field, const char *given, bool id_ok);

/* ---- host paths ---------------------------------------------------------------------- */

/*
 * Is the host path "src" (already path.Clean'ed, absolute) allowed by the
 * bind_mounts lists?  Read-write needs bind_rw; read-only either list.
 * The daemon's socket and every directory above it are never allowed.
 */
bool pol_chk_bind_allowed(const struct pol_rules *r, const char *src, bool read_only);

/* The daemon's sockets and state, or a directory above them (never bindable). */
bool pol_chk_is_protected_path(const char *path);

/* ---- local volume driver options --------------------------------------------------------- */

enum pol_volopts_kind {
	POL_VOLOPTS_NONE = 0, /* no mount: no options, or "size" only */
	POL_VOLOPTS_TMPFS,    /* type=tmpfs without bind flags */
	POL_VOLOPTS_BIND,     /* o has bind/rbind: "device" is a host path bind-mounted */
	POL_VOLOPTS_FS,       /* any other type: a host device or kernel filesystem */
	POL_VOLOPTS_NETFS,    /* nfs, nfs4, cifs, smb3: mounted from the host's network */
	POL_VOLOPTS_BAD,      /* the local driver refuses these options */
};

struct pol_volopts {
	enum pol_volopts_kind kind;
	const char *type;   /* the "type" option, "" when absent */
	const char *device; /* the "device" option, "" when absent */
	const char *o;      /* the "o" option, "" when absent */
	bool read_only;     /* "ro" is the last of ro/rw in o */
	const char *why;    /* POL_VOLOPTS_BAD: the daemon's reason */
	char bad_key[64];   /* POL_VOLOPTS_BAD for an unknown key: the key */
};

/*
 * Classify the DriverOpts of a local-driver volume ("opts" a checked
 * map[string]string, or NULL) as daemon/volume/local reads them: exactly
 * the keys type, o, device and size; "o" split on ',' with flags matched
 * exactly as moby/sys/mount does.  Views point into "opts".
 */
void pol_chk_local_volume_opts(const cJSON *opts, struct pol_volopts *out);

/* A short description of a dangerous classification, for findings. */
const char *pol_chk_volopts_what(const struct pol_volopts *v);

/* ---- ports, labels, limits ----------------------------------------------------------- */

/* Is the host port range lo-hi inside one of the ports rule's ranges?  0-0 (any port) is. */
bool pol_chk_ports_allowed(const struct pol_rules *r, unsigned long lo, unsigned long hi);

/* A labels finding at "field" for each label the policy requires that "labels" lacks. */
void pol_chk_labels(struct pol_insp_ctx *ctx, const cJSON *labels, const char *field);

struct pol_limit {
	const char *name; /* the field, appended to the caller's prefix */
	const char *what; /* "memory" */
	bool require;
	int64_t max;
	int64_t value; /* the effective limit; <= 0 is none */
	bool present;  /* the body sets it (for update) */
};

/* The limit "key" of "obj" (a checked struct, or NULL): 0 and not present when absent or null. */
struct pol_limit pol_chk_limit_of(
    const cJSON *obj, const char *key, const char *what, bool require, int64_t max);

/*
 * A resources finding when the limit is missing although required (or
 * capped), or above the maximum.  On update an absent or zero value leaves
 * the current limit alone and is not checked.
 */
void pol_chk_limit(
    struct pol_insp_ctx *ctx, const struct pol_limit *l, const char *prefix, bool update);

/* ---- misc ------------------------------------------------------------------------------ */

/*
 * A fact that breaks isolation: a finding under "rule" when that rule is on
 * (the caller found it not allowed), else under "fallback" (services,
 * build) when that one is on.
 */
void pol_chk_deny(struct pol_insp_ctx *ctx, enum pol_rule_id rule, enum pol_rule_id fallback,
    const char *field, const char *value, const char *what);

/* Set ctx->err to a malformed-body message; returns -1. */
int pol_chk_malformed(struct pol_insp_ctx *ctx, const char *fmt, ...) SW_PRINTF(2, 3);

/* The body's root (NULL for an empty body: the zero value). */
cJSON *pol_chk_root(const struct pol_insp_ctx *ctx);

/*
 * Check the root against a struct schema, or accept an empty body or a
 * JSON null (ReadJSON decodes either to the zero value).  Returns 0 or -1
 * with ctx->err set.
 */
int pol_chk_root_struct(struct pol_insp_ctx *ctx, const struct pol_jschema *s);

/* The request's query parsed; -1 with ctx->err set when Go would see an error. */
struct pol_query;
int pol_chk_query(struct pol_insp_ctx *ctx, struct pol_query *q);

#endif
