/*
 * Private to policy/: checks several inspectors share (exec, services,
 * volumes, plugins, images), each normalising a value the way the daemon
 * does before it is compared with a policy's lists.
 */
#ifndef SW_POLICY_INSP_CHECK_H
#define SW_POLICY_INSP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

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

/* ---- capabilities ---------------------------------------------------------------- */

/*
 * Normalise a capability as the daemon does: "ALL" in any case stays
 * "ALL"; otherwise strings.ToUpper (Unicode: U+0131 dotless i becomes I,
 * U+017F long s becomes S) and a "CAP_" prefix when missing.  Writes into
 * buf; returns 0, or -1 when the result is not plain ASCII (no capability
 * has such a name; the daemon refuses it) or does not fit.
 */
int pol_chk_cap_normalise(const char *in, char *buf, size_t bufsz);

/* May the normalised capability "cap" be added under the capabilities rule's cap_add list? */
bool pol_chk_cap_allowed(const struct pol_rules *r, const char *cap);

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

/* Is "path" (cleaned) the daemon socket or a directory holding it? */
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

/* ---- misc ------------------------------------------------------------------------------ */

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
