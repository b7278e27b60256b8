/*
 * sockwarden explain CONFIG [--listener NAME [--client KEY=VALUE ...] | --policy NAME]
 *                          [--daemon VERSION]
 *                    (REQUEST.http | METHOD PATH [BODY.json])
 *
 * Runs one request through exactly what a connection runs on it (the client
 * entry pol_client_choose() picks for the --client caller, http_req.c for
 * framing and limits, the canonical target, the route table, pol_eval, then
 * pol_inspect when the policy reads bodies) and prints every step: the
 * policy, the canonical path, the endpoint, each step's verdict, the
 * findings with their modes, the final verdict with the message the client
 * would get, and the body that would be forwarded.  Ownership isolation
 * needs the daemon, so it is not run: explain prints the owner identity the
 * connection would have.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"

#include "explain.h"
#include "explain_client.h"
#include "http_req.h"

/* Largest request file read: a head and a body well past the inspection limit. */
#define EXPLAIN_MAX_FILE (64u * 1024 * 1024)

enum { XP_ALLOWED = 0, XP_DENIED = 1, XP_USAGE = 2 };

struct xp_args {
	const char *config;
	const char *listener;
	const char *policy;
	const char *daemon;
	const char *file;   /* REQUEST.http */
	const char *method; /* or METHOD PATH [BODY.json] */
	const char *path;
	const char *body;
	struct xp_client client; /* --client: who calls, for the listener's client entries */
};

/* The body as the parser hands it over, up to the inspection limit plus one byte. */
struct xp_body {
	char *p;
	size_t len;
	size_t cap;
	size_t limit;
	bool over;
	bool oom;
};

void
explain_usage(FILE *f)
{
	fprintf(f, "usage: sockwarden explain CONFIG [--listener NAME [--client KEY=VALUE ...] |\n"
	           "                          --policy NAME] [--daemon VERSION]\n"
	           "                          (REQUEST.http | METHOD PATH [BODY.json])\n"
	           "  CONFIG           the configuration file\n"
	           "  --listener NAME  decide with that listener's policy\n"
	           "  --client K=V     the caller, to choose among the listener's client entries:\n"
	           "                   uid, gid, cert_cn, cert_dns, cert_email, cert_uri,\n"
	           "                   cert_fingerprint, container_name, container_image,\n"
	           "                   container_label=KEY=VALUE (repeat --client for each;\n"
	           "                   the first gid is the primary one, more are groups)\n"
	           "  --policy NAME    decide with that policy (default: the only listener's)\n"
	           "  --daemon VERSION the daemon's version, for its legacy semantics (default:\n"
	           "                   unknown, which assumes the widest)\n"
	           "  REQUEST.http     a raw HTTP request as a client sends it\n"
	           "  METHOD PATH      a request built from a method and a path (with its query),\n"
	           "  [BODY.json]      and a JSON body file\n"
	           "exit status: 0 allowed, 1 denied, 2 usage or configuration error\n");
}

static int
parse_args(int argc, char **argv, struct xp_args *a, FILE *err)
{
	const char *pos[4];
	int i, n = 0;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--client") == 0) {
			if (i + 1 >= argc) {
				fprintf(err, "explain: --client needs KEY=VALUE\n");
				return -1;
			}
			if (xp_client_add(&a->client, argv[++i], err) == -1)
				return -1;
		} else if (strcmp(argv[i], "--listener") == 0 || strcmp(argv[i], "--policy") == 0 ||
		           strcmp(argv[i], "--daemon") == 0) {
			if (i + 1 >= argc) {
				fprintf(err, "explain: %s needs a value\n", argv[i]);
				return -1;
			}
			if (argv[i][2] == 'l')
				a->listener = argv[++i];
			else if (argv[i][2] == 'p')
				a->policy = argv[++i];
			else
				a->daemon = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			return -1;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(err, "explain: unknown option %s\n", argv[i]);
			return -1;
		} else if (n < (int)nitems(pos)) {
			pos[n++] = argv[i];
		} else {
			fprintf(err, "explain: too many arguments\n");
			return -1;
		}
	}
	if (a->listener != NULL && a->policy != NULL) {
		fprintf(err, "explain: give --listener or --policy, not both\n");
		return -1;
	}
	if (a->client.given && a->policy != NULL) {
		fprintf(err,
		    "explain: --client chooses among a listener's clients, not with --policy\n");
		return -1;
	}
	if (n < 2) {
		fprintf(err, "explain: give a configuration and a request\n");
		return -1;
	}
	a->config = pos[0];
	if (n == 2) {
		a->file = pos[1];
	} else {
		a->method = pos[1];
		a->path = pos[2];
		a->body = n == 4 ? pos[3] : NULL;
	}
	return 0;
}

/* Reads a whole file (at most "max" bytes); NULL with a message on err. */
static char *
slurp(const char *path, size_t max, size_t *len, FILE *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nbuf;
	size_t cap = 0, n = 0, got;

	if (f == NULL) {
		fprintf(err, "explain: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64 * 1024;
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				fprintf(err, "explain: %s: out of memory\n", path);
				goto fail;
			}
			buf = nbuf;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			fprintf(err, "explain: %s: larger than %zu bytes\n", path, max);
			goto fail;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(err, "explain: %s: read error\n", path);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/*
 * A hand-written request file usually has bare LF line ends, which the proxy
 * refuses (Go reads them one way, other parsers another).  When the head has
 * no CR at all, its LFs become CRLF; the body is left alone.  Returns a new
 * buffer (the old one freed), or the old one unchanged.
 */
static char *
crlf_head(char *buf, size_t *len, bool *converted)
{
	char *end = strstr(buf, "\n\n"), *nbuf;
	size_t head, i, lfs = 0, o = 0;

	*converted = false;
	if (end == NULL || memchr(buf, '\r', (size_t)(end - buf)) != NULL)
		return buf;
	head = (size_t)(end - buf) + 2;
	for (i = 0; i < head; i++)
		lfs += buf[i] == '\n';
	if ((nbuf = malloc(*len + lfs + 1)) == NULL)
		return buf;
	for (i = 0; i < head; i++) {
		if (buf[i] == '\n')
			nbuf[o++] = '\r';
		nbuf[o++] = buf[i];
	}
	memcpy(nbuf + o, buf + head, *len - head);
	o += *len - head;
	nbuf[o] = '\0';
	free(buf);
	*len = o;
	*converted = true;
	return nbuf;
}

/* "METHOD PATH HTTP/1.1" plus Host, and the body file as a JSON body. */
static char *
build_request(const struct xp_args *a, size_t *len, FILE *err)
{
	char *body = NULL, *buf;
	size_t blen = 0, cap;
	int n;

	if (a->body != NULL && (body = slurp(a->body, EXPLAIN_MAX_FILE, &blen, err)) == NULL)
		return NULL;
	cap = strlen(a->method) + strlen(a->path) + blen + 256;
	if ((buf = malloc(cap)) == NULL) {
		free(body);
		fprintf(err, "explain: out of memory\n");
		return NULL;
	}
	n = snprintf(buf, cap,
	    "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: sockwarden-explain\r\n", a->method,
	    a->path);
	if (body != NULL)
		n += snprintf(buf + n, cap - (size_t)n,
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n", blen);
	n += snprintf(buf + n, cap - (size_t)n, "\r\n");
	if (body != NULL)
		memcpy(buf + n, body, blen);
	*len = (size_t)n + blen;
	free(body);
	return buf;
}

static void
on_body(void *owner, const char *p, size_t n)
{
	struct xp_body *b = owner;
	char *nb;
	size_t want;

	if (b->over || b->oom)
		return;
	if (b->len + n > b->limit) {
		b->over = true;
		return;
	}
	want = b->len + n;
	if (want > b->cap) {
		if ((nb = realloc(b->p, want)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = nb;
		b->cap = want;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

struct xp_run {
	const struct pol_set *ps;
	int policy;
	const char *listener;
	struct sw_ident who;
	bool client_given;           /* --client described the caller */
	char client_rule[32];        /* what chose the policy, as the audit line names it */
	char owner[SW_NAME_MAX * 2]; /* the caller's owner identity, as a connection's */
	struct pol_daemon daemon;
	bool have_daemon;
	struct hreq h;
	struct xp_body body;
	struct sw_req req;
	FILE *out;
};

/*
 * Under ownership isolation, whose objects the chosen caller is confined to
 * (the ownership step itself is the proxy's: explain does not run it).
 */
static void
print_owner(const struct xp_run *x)
{
	const struct pol_ownership *o = pol_set_ownership(x->ps, x->policy);

	if (o == NULL || !o->isolate || x->listener == NULL)
		return;
	if (!x->client_given)
		fprintf(x->out, "%-10s  unknown: describe the caller with --client (ownership)\n",
		    "owner");
	else if (x->owner[0] != '\0')
		fprintf(x->out, "%-10s  %s (ownership: the objects labelled %s=%s)\n", "owner",
		    x->owner, o->label, x->owner);
	else
		fprintf(x->out,
		    "%-10s  none: requests that create, list or name objects are refused "
		    "(ownership)\n",
		    "owner");
}

/*
 * Picks the policy: --policy, or the one the proxy would choose on
 * --listener (or the only listener) for the --client caller, with that
 * caller's owner identity.
 */
static int
pick_policy(const struct pol_set *ps, const struct xp_args *a, struct xp_run *x, FILE *err)
{
	const struct sw_config *cfg = pol_set_config(ps);
	const struct sw_client_cfg *entry;
	size_t i;
	int p;

	if (a->policy != NULL) {
		if ((p = pol_set_find_policy(ps, a->policy)) == -1)
			fprintf(err, "explain: no policy \"%s\" in %s\n", a->policy, a->config);
		return p;
	}
	if (a->listener == NULL && cfg->n_listeners != 1) {
		fprintf(err,
		    "explain: %s has %zu listeners: choose one with --listener or a policy "
		    "with --policy\n",
		    a->config, cfg->n_listeners);
		return -1;
	}
	for (i = 0; i < cfg->n_listeners; i++) {
		if (a->listener != NULL && strcmp(cfg->listeners[i].name, a->listener) != 0)
			continue;
		x->listener = cfg->listeners[i].name;
		p = pol_client_choose(
		    cfg, i, &x->who, &entry, x->client_rule, sizeof(x->client_rule));
		pol_owner_of(entry, &x->who, x->owner, sizeof(x->owner));
		return p;
	}
	fprintf(err, "explain: no listener \"%s\" in %s\n", a->listener, a->config);
	return -1;
}

static void
print_flags(FILE *out, unsigned f)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { POL_EPF_READ, "read" }, { POL_EPF_LEAK, "leak" },
		{ POL_EPF_HIJACK, "hijack" }, { POL_EPF_STREAM, "stream" },
		{ POL_EPF_ROOT, "root" }, { POL_EPF_JSON_BODY, "json-body" },
		{ POL_EPF_UPLOAD, "upload" } };
	size_t i;
	bool first = true;

	fputs(" [", out);
	for (i = 0; i < nitems(names); i++) {
		if (f & names[i].bit) {
			fprintf(out, "%s%s", first ? "" : ", ", names[i].name);
			first = false;
		}
	}
	fputs(first ? "no flags]" : "]", out);
}

static const char *
verdict_name(enum pol_verdict v)
{
	switch (v) {
	case POL_ALLOW:
		return "allow";
	case POL_NEED_BODY:
		return "need body";
	case POL_DENY:
		break;
	}
	return "deny";
}

/* Prints a view with every byte outside printable ASCII escaped. */
static void
print_view(FILE *out, const struct sw_str *s)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->p[i];

		if (c < 0x20 || c > 0x7e || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static int
refuse(FILE *out, int status, const char *step, const char *msg)
{
	fprintf(out, "%-10s  %s: refused\n", "step", step);
	fprintf(out, "%-10s  deny (%d)\n", "verdict", status);
	fprintf(out, "%-10s  %s\n", "message", msg);
	return XP_DENIED;
}

/* findings: "rule:mode field value: what; ..." one per line. */
static void
print_findings(FILE *out, const struct pol_inspection *in)
{
	const char *p = in->findings, *sep;
	unsigned i;

	if (p[0] == '\0') {
		fprintf(out, "%-10s  none\n", "findings");
		return;
	}
	for (i = 0; *p != '\0'; i++) {
		sep = strstr(p, "; ");
		fprintf(out, "%-10s  %.*s\n", i == 0 ? "findings" : "",
		    sep != NULL ? (int)(sep - p) : (int)strlen(p), p);
		if (sep == NULL)
			break;
		p = sep + 2;
	}
	for (i = 0; i < in->n_warnings && i < POL_MAX_WARNINGS; i++)
		fprintf(out, "%-10s  %s\n", i == 0 ? "warnings" : "", in->warnings[i]);
}

/* The inspection step: the body (for uploads, only the query) against the rules. */
static int
inspect_step(struct xp_run *x, const char *rest, size_t rest_len)
{
	struct sw_str ctype = hreq_forwarded_header(&x->h, "content-type"), body = SW_STR_NULL;
	struct pol_inspection in;
	enum hreq_event ev = HREQ_EV_NEED_MORE;
	size_t used;
	char rule[128];
	int rc;

	if (!(pol_ep_flags(x->req.endpoint) & POL_EPF_UPLOAD)) {
		if (x->h.has_cl && x->h.content_length > x->body.limit)
			return refuse(x->out, 413, "body",
			    "sockwarden: request body larger than limits.max_body_bytes");
		while (rest_len > 0 || x->h.need_kick) {
			ev = hreq_feed(&x->h, rest, rest_len, &used);
			rest += used;
			rest_len -= used;
			if (ev != HREQ_EV_NEED_MORE)
				break;
		}
		if (ev == HREQ_EV_ERROR)
			return refuse(x->out, x->h.err_status, "http",
			    x->h.err_msg != NULL ? x->h.err_msg : "malformed request");
		if (ev != HREQ_EV_DONE && ev != HREQ_EV_UPGRADE_DONE) {
			fprintf(x->out, "%-10s  the request ends before its body does\n", "note");
			return refuse(x->out, 400, "body", "sockwarden: incomplete request body");
		}
		if (x->body.over)
			return refuse(x->out, 413, "body",
			    "sockwarden: request body larger than limits.max_body_bytes");
		if (x->body.oom)
			return refuse(x->out, 503, "body", "sockwarden: out of memory");
		body = sw_str_make(x->body.p != NULL ? x->body.p : "", x->body.len);
		fprintf(x->out, "%-10s  %zu bytes%s\n", "body", x->body.len,
		    x->body.len > 0 ? "" : " (empty)");
	} else {
		fprintf(x->out, "%-10s  an upload: only the query is inspected\n", "body");
	}
	memset(&in, 0, sizeof(in));
	pol_inspect(
	    x->ps, x->policy, &x->req, x->have_daemon ? &x->daemon : NULL, &ctype, &body, &in);
	pol_decision_rule(x->ps, &in.decision, rule, sizeof(rule));
	fprintf(x->out, "%-10s  body inspection: %s", "step 2", verdict_name(in.decision.verdict));
	if (in.status != 0)
		fprintf(x->out, " (%d)", in.status);
	fprintf(x->out, ", rule %s\n", rule);
	print_findings(x->out, &in);
	if (in.decision.verdict != POL_ALLOW) {
		fprintf(x->out, "%-10s  deny (%d)\n", "verdict", in.status ? in.status : 403);
		fprintf(x->out, "%-10s  %s\n", "message",
		    in.message[0] ? in.message : "sockwarden: request refused");
		rc = XP_DENIED;
	} else {
		fprintf(x->out, "%-10s  allow\n", "verdict");
		if (in.body != NULL)
			fprintf(x->out, "%-10s  %.*s\n", "forwarded", (int)in.body_len, in.body);
		else
			fprintf(x->out, "%-10s  the client's body, unchanged\n", "forwarded");
		rc = XP_ALLOWED;
	}
	pol_inspection_free(&in);
	return rc;
}

/* Parses the head, routes, decides; then inspects when the decision needs the body. */
static int
explain_request(struct xp_run *x, const char *buf, size_t len)
{
	struct pol_decision d;
	enum hreq_event ev = HREQ_EV_NEED_MORE;
	const char *why;
	char rule[128], msg[768];
	size_t used;

	while (len > 0) {
		ev = hreq_feed(&x->h, buf, len, &used);
		buf += used;
		len -= used;
		if (ev != HREQ_EV_NEED_MORE)
			break;
	}
	if (ev == HREQ_EV_ERROR)
		return refuse(x->out, x->h.err_status, "http",
		    x->h.err_msg != NULL ? x->h.err_msg : "malformed request");
	if (ev != HREQ_EV_HEAD) {
		fprintf(x->out, "%-10s  the input ends before the request head does\n", "note");
		return refuse(x->out, 400, "http", "incomplete request head");
	}
	x->req.method = hreq_method(&x->h);
	x->req.target = hreq_target(&x->h);
	fprintf(x->out, "%-10s  ", "request");
	print_view(x->out, &x->req.method);
	fputc(' ', x->out);
	print_view(x->out, &x->req.target);
	fputc('\n', x->out);
	if (hreq_build_req(&x->h, &x->req, &why) == -1 ||
	    pol_query_check(&x->req.query, &why) == -1) {
		snprintf(msg, sizeof(msg), "sockwarden: refused request target: %s", why);
		return refuse(x->out, 400, "canonical path", msg);
	}
	x->req.endpoint = pol_ep_match(&x->req.method, &x->req.path, &x->req.ref);
	fprintf(x->out, "%-10s  ", "canonical");
	print_view(x->out, &x->req.path);
	if (x->req.version.len > 0) {
		fputs(" (API ", x->out);
		print_view(x->out, &x->req.version);
		fputs(")", x->out);
	} else {
		fputs(" (no version prefix: the daemon's newest API)", x->out);
	}
	fputc('\n', x->out);
	fprintf(x->out, "%-10s  %s", "endpoint", pol_ep_name(x->req.endpoint));
	if (x->req.endpoint != POL_EP_UNKNOWN)
		print_flags(x->out, pol_ep_flags(x->req.endpoint));
	fputc('\n', x->out);
	pol_eval(x->ps, x->policy, &x->req, &d);
	pol_decision_rule(x->ps, &d, rule, sizeof(rule));
	fprintf(
	    x->out, "%-10s  endpoint list: %s, rule %s\n", "step 1", verdict_name(d.verdict), rule);
	if (d.verdict == POL_NEED_BODY)
		return inspect_step(x, buf, len);
	pol_decision_message(x->ps, &x->req, &d, msg, sizeof(msg));
	if (d.verdict != POL_ALLOW) {
		fprintf(x->out, "%-10s  deny (403)\n", "verdict");
		fprintf(x->out, "%-10s  %s\n", "message", msg);
		return XP_DENIED;
	}
	fprintf(x->out, "%-10s  allow\n", "verdict");
	fprintf(x->out, "%-10s  as sent (%s)\n", "forwarded",
	    pol_ep_inspected(x->req.endpoint) ? "the policy has no body rules" :
	                                        "the endpoint has no body to inspect");
	return XP_ALLOWED;
}

int
explain_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct xp_args a;
	struct xp_run x;
	struct pol_set *ps = NULL;
	struct pol_err perr;
	char *buf;
	size_t len;
	bool converted = false;
	int rc;

	if (parse_args(argc, argv, &a, err) == -1) {
		explain_usage(err);
		return XP_USAGE;
	}
	if (pol_load_file(a.config, &ps, &perr) == -1) {
		if (perr.line > 0)
			fprintf(err, "%s:%d:%d: %s\n", perr.file, perr.line, perr.col, perr.msg);
		else
			fprintf(err, "%s: %s\n", perr.file, perr.msg);
		return XP_USAGE;
	}
	memset(&x, 0, sizeof(x));
	x.ps = ps;
	x.out = out;
	x.who = a.client.who;
	x.client_given = a.client.given;
	x.policy = pick_policy(ps, &a, &x, err);
	if (x.policy == -1) {
		pol_set_unref(ps);
		return XP_USAGE;
	}
	if (a.daemon != NULL) {
		snprintf(x.daemon.version, sizeof(x.daemon.version), "%s", a.daemon);
		x.have_daemon = true;
	}
	buf = a.file != NULL ? slurp(a.file, EXPLAIN_MAX_FILE, &len, err) :
	                       build_request(&a, &len, err);
	if (buf == NULL) {
		pol_set_unref(ps);
		return XP_USAGE;
	}
	if (a.file != NULL)
		buf = crlf_head(buf, &len, &converted);
	fprintf(out, "%-10s  %s", "policy", pol_set_policy_name(ps, x.policy));
	if (x.listener != NULL)
		fprintf(out, " (listener %s", x.listener);
	if (x.listener != NULL && a.client.given)
		fprintf(out, ", %s", x.client_rule);
	if (x.listener != NULL)
		fputc(')', out);
	fputc('\n', out);
	print_owner(&x);
	if (converted)
		fprintf(out,
		    "%-10s  bare LF line ends in the head read as CRLF (a client must "
		    "send CRLF)\n",
		    "note");
	x.body.limit = pol_set_config(ps)->limits.max_body_bytes;
	hreq_init(&x.h, &pol_set_config(ps)->limits, on_body, &x.body);
	rc = explain_request(&x, buf, len);
	hreq_release(&x.h);
	free(x.body.p);
	free(buf);
	pol_set_unref(ps);
	return rc;
}

int
explain_main(int argc, char **argv)
{
	return explain_run(argc, argv, stdout, stderr);
}
