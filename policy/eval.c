/*
 * The decision: a pure function of the compiled set and the request.  Every
 * verdict was computed at load time (model.c), so pol_eval() is a version
 * comparison and one table lookup.  This file must stay pure (checked by
 * tests/lint): no allocation, no stdio, no clock, no environment, no global
 * state; messages are assembled with the small bounded writer below.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "policy_int.h"

/* How many bytes of a client-supplied method, path or version a message quotes. */
#define UNTRUSTED_MAX 200

enum pol_verdict
pol_eval(const struct pol_set *ps, int policy, const struct sw_req *req, struct pol_decision *out)
{
	const struct pol_ep_rule *r;
	int ep;

	/*
	 * Body rules are applied by pol_inspect(), which the caller runs when
	 * this answers POL_NEED_BODY (a verdict precomputed per endpoint).
	 */
	out->verdict = POL_DENY;
	out->reason = POL_R_NO_POLICY;
	out->policy = -1;
	out->rule = -1;
	if (ps == NULL || policy < 0 || (size_t)policy >= ps->n_policies)
		return POL_DENY;
	out->policy = policy;
	out->reason = POL_R_UNKNOWN_ENDPOINT;
	if (req == NULL)
		return POL_DENY;
	/* An empty version means the daemon's newest API, which is never too old. */
	if (req->version.len > 0 && pol_version_cmp(&req->version, &ps->min_version) < 0) {
		out->reason = POL_R_API_TOO_OLD;
		return POL_DENY;
	}
	ep = req->endpoint;
	if (ep <= POL_EP_UNKNOWN || (size_t)ep >= ps->n_ep)
		return POL_DENY;
	r = &ps->policies[policy].table[ep];
	out->reason = (enum pol_reason)r->reason;
	out->rule = r->rule;
	/* Anything but the two granting verdicts in the table is a deny. */
	out->verdict = r->verdict == POL_ALLOW || r->verdict == POL_NEED_BODY ?
	                   (enum pol_verdict)r->verdict :
	                   POL_DENY;
	return out->verdict;
}

/* ---- text -------------------------------------------------------------------- */

/* Appends to a caller's buffer, truncating silently; always NUL-terminated. */
struct mbuf {
	char *p;
	size_t size;
	size_t len;
};

static void
put_n(struct mbuf *b, const char *s, size_t n)
{
	size_t room;

	if (b->size == 0)
		return;
	room = b->size - 1 - b->len;
	if (n > room)
		n = room;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
put(struct mbuf *b, const char *s)
{
	put_n(b, s, strlen(s));
}

/*
 * Bytes from the request, made safe for a JSON string and a terminal: at
 * most UNTRUSTED_MAX of them, every byte outside printable ASCII and every
 * '"' and '\\' replaced with '?', "..." when cut.
 */
static void
put_untrusted(struct mbuf *b, const struct sw_str *s)
{
	char c;
	size_t i;

	for (i = 0; i < s->len && i < UNTRUSTED_MAX; i++) {
		c = s->p[i];
		if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e || c == '"' || c == '\\')
			c = '?';
		put_n(b, &c, 1);
	}
	if (s->len > UNTRUSTED_MAX)
		put(b, "...");
}

static const struct pol_entry *
decision_entry(const struct pol_set *ps, const struct pol_decision *d)
{
	const struct pol_policy *p;

	if (ps == NULL || d->policy < 0 || (size_t)d->policy >= ps->n_policies || d->rule < 0)
		return NULL;
	p = &ps->policies[d->policy];
	if ((size_t)d->rule >= p->n_entries)
		return NULL;
	return &p->entries[d->rule];
}

static void
put_rule(struct mbuf *b, const struct pol_set *ps, const struct pol_decision *d)
{
	const struct pol_entry *e;

	switch (d->reason) {
	case POL_R_ALLOWED:
	case POL_R_DENIED:
		break;
	case POL_R_API_TOO_OLD:
		put(b, "min_version");
		return;
	case POL_R_UNKNOWN_ENDPOINT:
		put(b, "unknown endpoint");
		return;
	case POL_R_NO_POLICY:
		put(b, "no policy");
		return;
	default: /* POL_R_DEFAULT_DENY, and whatever a zeroed decision holds */
		put(b, "default");
		return;
	}
	if ((e = decision_entry(ps, d)) == NULL) {
		put(b, "default");
		return;
	}
	switch (e->kind) {
	case POL_ENTRY_DENY:
		put(b, "deny ");
		put(b, e->text);
		break;
	case POL_ENTRY_ALLOW:
		put(b, "allow ");
		put(b, e->text);
		if (e->from_profile) {
			put(b, " (profile ");
			put(b, ps->policies[d->policy].rules.profile);
			put(b, ")");
		}
		break;
	case POL_ENTRY_GROUP:
		put(b, "group ");
		put(b, e->text);
		break;
	case POL_ENTRY_READ_ONLY:
		put(b, "read_only");
		break;
	}
}

/* "allow Container*", "deny ContainerLogs", "group read-only", "read_only", "default", ... */
const char *
pol_decision_rule(const struct pol_set *ps, const struct pol_decision *d, char *buf, size_t bufsz)
{
	struct mbuf b = { buf, bufsz, 0 };

	if (buf == NULL || bufsz == 0)
		return "";
	buf[0] = '\0';
	put_rule(&b, ps, d);
	return buf;
}

static const char *
policy_name(const struct pol_set *ps, const struct pol_decision *d)
{
	if (ps == NULL || d->policy < 0 || (size_t)d->policy >= ps->n_policies)
		return "?";
	return ps->policies[d->policy].name;
}

static const char *
endpoint_name(const struct sw_req *req)
{
	const char *name;

	if (req == NULL || req->endpoint <= POL_EP_UNKNOWN ||
	    (size_t)req->endpoint >= pol_ep_count())
		return "Unknown";
	name = pol_ep_name(req->endpoint);
	return name != NULL ? name : "Unknown";
}

/* "ContainerLogs is denied (policy monitor, rule deny ContainerLogs)" and friends. */
static void
put_verdict(struct mbuf *b, const struct pol_set *ps, const struct sw_req *req,
    const struct pol_decision *d)
{
	const struct pol_entry *e = decision_entry(ps, d);
	const char *policy = policy_name(ps, d);
	bool allowed =
	    (d->verdict == POL_ALLOW || d->verdict == POL_NEED_BODY) && d->reason == POL_R_ALLOWED;

	put(b, endpoint_name(req));
	if (!allowed && (d->reason != POL_R_DENIED || e == NULL)) {
		put(b, " is not allowed (policy ");
		put(b, policy);
		put(b, ", default deny): add it to policies.");
		put(b, policy);
		put(b, ".allow");
		return;
	}
	put(b, allowed ? " is allowed (policy " : " is denied (policy ");
	put(b, policy);
	put(b, ", rule ");
	put_rule(b, ps, d);
	put(b, ")");
	if (allowed && d->verdict == POL_NEED_BODY)
		put(b, ", if its body passes the policy's rules");
	if (!allowed && e->kind == POL_ENTRY_READ_ONLY) {
		put(b, ": policies.");
		put(b, policy);
		put(b, ".read_only allows only endpoints that change nothing");
	} else if (!allowed) {
		put(b, ": remove that entry from policies.");
		put(b, policy);
		put(b, ".deny to allow it");
	}
}

/*
 * The message a client sees for decision "d" on "req", without JSON quoting:
 * everything taken from the request is sanitised by put_untrusted(), and
 * names from the configuration are restricted to [A-Za-z0-9_.*?-] by the
 * loader, so the result can be placed in a JSON string as it is.
 */
size_t
pol_decision_message(const struct pol_set *ps, const struct sw_req *req,
    const struct pol_decision *d, char *buf, size_t bufsz)
{
	struct mbuf b = { buf, bufsz, 0 };

	if (buf == NULL || bufsz == 0)
		return 0;
	buf[0] = '\0';
	put(&b, "sockwarden: ");
	switch (d->reason) {
	case POL_R_NO_POLICY:
		put(&b, "no policy applies to this client");
		break;
	case POL_R_API_TOO_OLD:
		put(&b, "API version ");
		if (req != NULL)
			put_untrusted(&b, &req->version);
		put(&b, " is below the minimum ");
		if (ps != NULL)
			put_n(&b, ps->min_version.p, ps->min_version.len);
		put(&b, " (api.min_version)");
		break;
	case POL_R_UNKNOWN_ENDPOINT:
		if (req != NULL) {
			put_untrusted(&b, &req->method);
			put(&b, " ");
			put_untrusted(&b, req->path.len > 0 ? &req->path : &req->target);
			put(&b, " is not a Docker API endpoint");
		} else {
			put(&b, "the request is not a Docker API endpoint");
		}
		break;
	default:
		put_verdict(&b, ps, req, d);
		break;
	}
	return b.len;
}
