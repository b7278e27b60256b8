/*
 * The contract between proxy/ and policy/: load a configuration, route and
 * canonicalise requests, decide.  Everything here is pure: no I/O except
 * pol_load_file() reading its file, no clock, no globals but const tables.
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockwarden/config.h"
#include "sockwarden/ident.h"
#include "sockwarden/req.h"
#include "sockwarden/str.h"

/* ---- errors ------------------------------------------------------------ */

struct pol_err {
	char file[256];
	int line; /* 1-based; 0 when not tied to a position */
	int col;  /* 1-based */
	char msg[256];
};

/* ---- loading ----------------------------------------------------------- */

/* Compiled, immutable configuration: settings plus named policies.  Refcounted. */
struct pol_set;

/* Largest configuration file accepted, and deepest YAML nesting. */
#define POL_YAML_MAX_BYTES (1024 * 1024)
#define POL_YAML_MAX_DEPTH 32

/*
 * Parse and validate a configuration.  On success stores a set with one
 * reference in *out and returns 0; on error fills "err" (file:line:col) and
 * returns -1, leaving *out untouched.  pol_load_buffer borrows "buf"; "name"
 * is what error messages call the file.
 */
int pol_load_file(const char *path, struct pol_set **out, struct pol_err *err);
int pol_load_buffer(
    const char *name, const char *buf, size_t len, struct pol_set **out, struct pol_err *err);

/* The configuration compiled in, used when no file is given. */
const char *pol_default_config(void);

struct pol_set *pol_set_ref(struct pol_set *ps);
void pol_set_unref(struct pol_set *ps); /* NULL is a no-op */

const struct sw_config *pol_set_config(const struct pol_set *ps);
size_t pol_set_policy_count(const struct pol_set *ps);
int pol_set_find_policy(const struct pol_set *ps, const char *name); /* -1 when absent */
const char *pol_set_policy_name(const struct pol_set *ps, int policy);

/* ---- endpoints (the route table, policy/endpoints.c) -------------------- */

#define POL_EP_UNKNOWN 0 /* no Docker API route matches: always denied */

/* Endpoint properties, from the route table. */
#define POL_EPF_READ      0x0001u /* does not change daemon state (GET/HEAD) */
#define POL_EPF_LEAK      0x0002u /* reveals file contents or secrets: not in "read-only" */
#define POL_EPF_HIJACK    0x0004u /* the daemon may hijack the connection (attach, exec) */
#define POL_EPF_STREAM    0x0008u /* long-lived streaming response */
#define POL_EPF_ROOT      0x0010u /* root on the host when allowed without inspection */
#define POL_EPF_JSON_BODY 0x0020u /* the request body is JSON the daemon decodes */
#define POL_EPF_UPLOAD    0x0040u /* the request body is a (tar) upload stream */

size_t pol_ep_count(void);       /* ids are 1 .. pol_ep_count() - 1 */
const char *pol_ep_name(int ep); /* operation id, "Unknown" for POL_EP_UNKNOWN */
unsigned pol_ep_flags(int ep);
const char *pol_ep_method(int ep);
const char *pol_ep_template(int ep); /* e.g. "/containers/{name:.*}/json" */
int pol_ep_lookup(const char *name); /* operation id -> id; POL_EP_UNKNOWN when absent */

/*
 * Route a canonical path the way the daemon's router does (routes tried in
 * the daemon's registration order, first match wins, method compared
 * exactly).  Returns the endpoint id or POL_EP_UNKNOWN.  When the route has a
 * variable, "ref" (may be NULL) receives a view of the first one.
 */
int pol_ep_match(const struct sw_str *method, const struct sw_str *path, struct sw_str *ref);

/* ---- canonicalisation (policy/canon.c) ------------------------------------ */

/*
 * Canonicalise a request-target: origin-form only, split off the query,
 * percent-decode the path once into "buf" (size "bufsz"), strip at most one
 * /v<version> prefix, and refuse everything the daemon could read another
 * way (see DESIGN invariant 2).  Fills req->path, req->query and
 * req->version (views into "buf" or "target").  Returns 0, or -1 with a
 * static reason in *why.
 */
int pol_canon_target(
    const struct sw_str *target, char *buf, size_t bufsz, struct sw_req *req, const char **why);

/*
 * Same rules for a bare path (no query); "out" is a view into "buf".
 * canon(canon(x)) == canon(x) for every accepted x.
 */
int pol_canon_path(const struct sw_str *in, char *buf, size_t bufsz, struct sw_str *out,
    struct sw_str *version, const char **why);

/*
 * Does a canonical path carry byte "c" as it is (RFC 3986 unreserved, the
 * sub-delimiters but ';', ':' and '@')?  '/' is the caller's to allow.
 * Every other byte is refused by canonicalisation, so a path made of these
 * needs no encoding upstream and the daemon decodes exactly what was checked.
 */
bool pol_path_byte_plain(unsigned char c);

/* Go's url.ParseQuery, stricter: refuses ';', bad %-escapes and control bytes. */
int pol_query_check(const struct sw_str *query, const char **why);

/*
 * Compare API versions as the daemon does (split on '.', each component
 * parsed like Go's strconv.Atoi with its error ignored: unparsable
 * components and missing ones count as 0, an overflowing one as the largest
 * int).  Returns <0, 0 or >0.
 */
int pol_version_cmp(const struct sw_str *a, const struct sw_str *b);

/* ---- decisions (policy/eval.c) ---------------------------------------------- */

enum pol_verdict {
	POL_DENY = 0, /* zero-filled memory must fail closed */
	POL_ALLOW,
	POL_NEED_BODY, /* a rule inspects the body: buffer it and call again */
};

enum pol_reason {
	POL_R_DEFAULT_DENY = 0, /* no rule allowed it */
	POL_R_ALLOWED,          /* an allow entry or group matched */
	POL_R_DENIED,           /* a deny entry matched */
	POL_R_UNKNOWN_ENDPOINT, /* no Docker API route */
	POL_R_API_TOO_OLD,      /* version prefix below the configured minimum */
	POL_R_NO_POLICY,        /* the client has no policy */
};

struct pol_decision {
	enum pol_verdict verdict;
	enum pol_reason reason;
	int policy; /* index of the policy applied, -1 when none */
	int rule;   /* index of the matching entry in that policy, -1 = default */
};

/*
 * Decide on one request under policy number "policy" (the caller's identity
 * chose it: pol_client_choose()).  Reads only its arguments.  Body rules are
 * not applied here: when the answer is POL_NEED_BODY the caller runs
 * pol_inspect().
 */
enum pol_verdict pol_eval(
    const struct pol_set *ps, int policy, const struct sw_req *req, struct pol_decision *out);

/* Name of the rule that decided, e.g. "allow Container*" or "default"; always NUL-terminated. */
const char *pol_decision_rule(
    const struct pol_set *ps, const struct pol_decision *d, char *buf, size_t bufsz);

/*
 * The message a denied client sees, without JSON quoting, e.g.
 * "sockwarden: ContainerCreate is not allowed (policy traefik, default deny):
 * add it to policies.traefik.allow".  Always NUL-terminated;
 * returns its length.
 */
size_t pol_decision_message(const struct pol_set *ps, const struct sw_req *req,
    const struct pol_decision *d, char *buf, size_t bufsz);

/* ---- body inspection (policy/inspect.c) ------------------------------------ */

/* What is known of the daemon behind the proxy (its semantics differ by version). */
struct pol_daemon {
	char version[32];     /* dockerd version from GET /version, "20.10.24"; "" = unknown */
	char api_version[16]; /* its maximum API version, "1.41"; "" = unknown */
};

#define POL_MAX_WARNINGS 8

struct pol_inspection {
	struct pol_decision decision;
	int status;        /* 0 allowed; 400 malformed body; 403 denied; 415 wrong media type */
	char message[768]; /* for the client when refused, "sockwarden: ..." */
	char *body;        /* canonical body to forward (malloc'd, free with
	                      pol_inspection_free); NULL: forward the body unchanged */
	size_t body_len;
	unsigned n_warnings; /* findings in warn mode, for create responses' Warnings */
	char warnings[POL_MAX_WARNINGS][256];
	char findings[1024]; /* every finding, for the audit line: "rule:mode field; ..." */
	/*
	 * An upload the daemon would decompress by its first bytes (PUT
	 * archive): the caller must look at the first POL_UPLOAD_PEEK bytes and
	 * refuse the request when pol_upload_is_compressed() says so.
	 */
	bool refuse_compressed;
};

#define POL_UPLOAD_PEEK 8
/* Do these first bytes of a body start a gzip, bzip2, xz or zstd stream? */
bool pol_upload_is_compressed(const unsigned char *p, size_t n);

/*
 * Could the daemon read a body with this Content-Type as form fields (Go's
 * r.Form, multipart included)?  r.Form puts a form body's fields before the
 * query's, so such a body could replace any query parameter the proxy
 * checked or rewrote.  An empty Content-Type is not a form.
 */
bool pol_content_type_is_form(const struct sw_str *content_type);

/* Does the endpoint have an inspector (of its body, or only of its query)? */
bool pol_ep_inspected(int ep);

/*
 * Inspect a request that pol_eval() answered POL_NEED_BODY.  "body" is the
 * complete request body for endpoints whose body is JSON, and empty for
 * upload endpoints (POL_EPF_UPLOAD), whose query alone is inspected.
 * "daemon" may be NULL (unknown: the widest legacy semantics are assumed).
 * Fills "out" and returns its verdict; never POL_NEED_BODY.
 */
enum pol_verdict pol_inspect(const struct pol_set *ps, int policy, const struct sw_req *req,
    const struct pol_daemon *daemon, const struct sw_str *content_type, const struct sw_str *body,
    struct pol_inspection *out);
void pol_inspection_free(struct pol_inspection *out);

/* ---- clients (policy/client_match.c) ----------------------------------------- */

/*
 * Does the caller satisfy every key that client entry "cl" sets?  uid/gid
 * need SO_PEERCRED, cert_* a verified certificate (who->cert), container_*
 * a known container (who->ctr); a key whose source is missing fails.  An
 * entry that sets no key matches everyone.
 */
bool pol_client_matches(const struct sw_client_cfg *cl, const struct sw_ident *who);

/*
 * Which client entry decides for caller "who" on listener number "listener":
 * the first whose match holds, else none (the listener's default).  A caller
 * who->unidentified names gets no entry, not even the default: the proxy
 * refuses its requests.  The entry (NULL: none) goes to *entry, and what
 * chose, "clients[N]", "default" or "unidentified", to "rule" for the audit
 * line and explain.  Returns the policy number, the entry's or else the
 * listener's; -1 for a listener out of range.  The proxy's connections and
 * `sockwarden explain` both choose through this.
 */
int pol_client_choose(const struct sw_config *cfg, size_t listener, const struct sw_ident *who,
    const struct sw_client_cfg **entry, char *rule, size_t rulesz);

/*
 * Client match values as the loader reads them, for whatever else takes
 * them (explain's --client); each returns 0, or -1 with a static reason in
 * *why that completes "<key> <why>".
 *   pol_parse_id: a uid or gid, plain decimal (no sign, space or leading
 *     zero) below 4294967295, which the kernel reserves for "none".
 *   pol_parse_fingerprint: a SHA-256, 64 hex digits bare or as 32
 *     ':'-separated pairs, any case, into 64 lowercase digits and a NUL.
 */
int pol_parse_id(const char *s, uint32_t *out, const char **why);
int pol_parse_fingerprint(const char *s, char out[65], const char **why);

/* Does some client entry of listener "listener" use container_* keys? */
bool pol_listener_wants_container(const struct sw_config *cfg, size_t listener);
/* Does some client entry of listener "listener" match on gid or group (supplementary groups)? */
bool pol_listener_wants_groups(const struct sw_config *cfg, size_t listener);

/*
 * The caller's owner identity for ownership isolation: the entry's "owner"
 * when set ("cl" may be NULL: the listener default), else derived from the
 * strongest identity: "container:<name>", "cn:<certificate CN>" (or
 * "sha256:<fingerprint>" without a CN), "uid:<uid>"; "" when there is none
 * and for an unidentified caller (who->unidentified set).
 * Always NUL-terminated; returns the length.
 */
size_t pol_owner_of(
    const struct sw_client_cfg *cl, const struct sw_ident *who, char *buf, size_t bufsz);

#endif
