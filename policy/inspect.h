/*
 * Private to policy/: the inspector interface.  inspect.c picks the
 * inspector for an endpoint, parses and checks the body, runs the
 * inspector, turns its findings into a verdict and serialises the body to
 * forward.  Each insp_<endpoint>.c extracts what matters from its body (or
 * query), normalised as the daemon would normalise it, and reports every
 * rule it breaks with pol_finding_add().
 */
#ifndef SW_POLICY_INSPECT_H
#define SW_POLICY_INSPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "sockwarden/policy.h"

#include "json_strict.h"
#include "rules.h"

#define POL_MAX_FINDINGS 32

struct pol_finding {
	enum pol_rule_id rule;
	enum pol_mode mode;
	char field[96];  /* JSON path or query key: "HostConfig.Binds[0]", "networkmode" */
	char value[160]; /* the offending value, sanitised (printable ASCII, no '"' or '\\') */
	char what[200];  /* "mounts a host path outside the allowed paths (...)" */
};

struct pol_insp_ctx {
	const struct pol_rules *rules; /* the policy's rules (never NULL; may be disabled) */
	const char *policy;            /* policy name, for messages */
	const struct sw_req *req;
	const struct pol_daemon *daemon; /* never NULL: an empty one when unknown */
	struct pol_jdoc *doc;            /* parsed body; root NULL for query-only inspectors */
	size_t body_len;                 /* length of the body as received */
	struct pol_finding findings[POL_MAX_FINDINGS];
	size_t n_findings;
	bool overflow;       /* more findings than fit: the request is refused */
	struct pol_err *err; /* a malformed body: the request is refused with 400 */
	/* Set by the archive inspector: the proxy must refuse a compressed upload. */
	bool refuse_compressed;
};

/*
 * Inspect the request in ctx.  Returns 0 (findings, if any, were added), or
 * -1 when the body is malformed or not what the daemon would accept (err set).
 */
typedef int pol_insp_fn(struct pol_insp_ctx *ctx);

/* Record that the request breaks "rule"; the rule's mode comes from ctx->rules. */
void pol_finding_add(struct pol_insp_ctx *ctx, enum pol_rule_id rule, const char *field,
    const char *value, const char *fmt, ...) SW_PRINTF(5, 6);

/* Does "rule" apply in this policy? */
bool pol_rule_on(const struct pol_insp_ctx *ctx, enum pol_rule_id rule);

/* Glob matching for rule lists: host paths component-wise, names plainly. */
bool pol_path_glob_match(const char *glob, const char *path);
bool pol_strlist_match(const struct pol_strlist *l, const char *s);

/* Go's path.Clean. Writes into buf (size bufsz); returns buf, or NULL if it does not fit. */
char *pol_path_clean(const char *path, char *buf, size_t bufsz);

/* Daemon semantics by version: true when dockerd is older than major.minor (or unknown). */
bool pol_daemon_older_than(const struct pol_daemon *d, int major, int minor);

#endif
