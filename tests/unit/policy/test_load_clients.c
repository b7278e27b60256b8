/*
 * Tests for policy/load_clients.c: a listener's "clients" list, good rows
 * (the entries it stores, names resolved to ids) and bad rows (the error and
 * its file:line:col).  Each row is the list under listener "a" in a small
 * configuration; a second listener "b" with one entry of its own checks that
 * the listeners' entries sit side by side in sw_config.clients.  Rows
 * marked TLS put listener "a" on TCP with tls, for the cert_* keys (their
 * lines start at 7).  Names used: "root" (uid 0, group gid 0), present on
 * every host.  Then the two value parsers explain's --client shares with the
 * loader (pol_parse_id, pol_parse_fingerprint), and the limit on client
 * entries in one file, crossed by one.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "policy_int.h"

/* The row's lines start at line 6; they carry their own indentation (6 spaces). */
#define HEAD                               \
	"listeners:\n"                     \
	"  - name: a\n"                    \
	"    listen: unix:///run/a.sock\n" \
	"    policy: p\n"                  \
	"    clients:\n"
/* The same listener on TCP with TLS; the row's lines start at line 7. */
#define HEAD_TLS                                                                               \
	"listeners:\n"                                                                         \
	"  - name: a\n"                                                                        \
	"    listen: tcp://127.0.0.1:2376\n"                                                   \
	"    tls: { cert: /etc/sw/server.pem, key: /etc/sw/server.key, ca: /etc/sw/ca.pem }\n" \
	"    policy: p\n"                                                                      \
	"    clients:\n"
#define TAIL                                         \
	"  - name: b\n"                              \
	"    listen: unix:///run/b.sock\n"           \
	"    policy: q\n"                            \
	"    clients:\n"                             \
	"      - { match: { uid: 7 }, policy: q }\n" \
	"policies:\n"                                \
	"  p: { allow: [SystemPing] }\n"             \
	"  q: { groups: [read-only] }\n"

enum client_head { UNIX = 0, TLS };

struct client_case {
	const char *name;
	const char *rows;
	int line, col; /* error position; 0: must load */
	/*
	 * Loads: a's entries, "uid/gid:policy" and " key=value" for each other
	 * key set, joined by '|'; else a substring of the error.
	 */
	const char *want;
	enum client_head head;
};

#define FP_LOWER "ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01"
#define FP_PAIRS                                                                               \
	"AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:" \
	"EF:45:AB:01"

static const struct client_case cases[] = {
	/* ---- good ---- */
	{ "uid", "      - { match: { uid: 1000 }, policy: q }\n", 0, 0, "1000/-:q", UNIX },
	{ "uid-zero", "      - { match: { uid: 0 }, policy: q }\n", 0, 0, "0/-:q", UNIX },
	{ "gid", "      - { match: { gid: 998 }, policy: p }\n", 0, 0, "-/998:p", UNIX },
	{ "user-root", "      - { match: { user: root }, policy: q }\n", 0, 0, "0/-:q", UNIX },
	{ "group-root", "      - { match: { group: root }, policy: q }\n", 0, 0, "-/0:q", UNIX },
	{ "combined", "      - { match: { uid: 5, group: root }, policy: q }\n", 0, 0, "5/0:q",
	    UNIX },
	{ "order-kept",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - match:\n"
	    "          gid: 2\n"
	    "        policy: p\n"
	    "      - { match: { uid: 3, gid: 4 }, policy: q }\n",
	    0, 0, "1/-:q|-/2:p|3/4:q", UNIX },
	{ "empty-list", "      []\n", 0, 0, "", UNIX },
	{ "largest-uid", "      - { match: { uid: 4294967294 }, policy: q }\n", 0, 0,
	    "4294967294/-:q", UNIX },
	/* ---- bad ---- */
	{ "not-a-list", "      { uid: 1 }\n", 6, 7, "clients must be a list of client entries",
	    UNIX },
	{ "entry-scalar", "      - alice\n", 6, 9,
	    "clients[0] must be a mapping with match and policy", UNIX },
	{ "no-policy", "      - { match: { uid: 1 } }\n", 6, 9, "policy", UNIX },
	{ "no-match", "      - { policy: q }\n", 6, 9, "match", UNIX },
	{ "empty-match", "      - { match: {}, policy: q }\n", 6, 18,
	    "match must set at least one of uid, user, gid or group", UNIX },
	{ "unknown-match-key", "      - { match: { pid: 1 }, policy: q }\n", 6, 20, "pid", UNIX },
	{ "unknown-entry-key", "      - { match: { uid: 1 }, policy: q, note: x }\n", 6, 41,
	    "unknown key \"note\" in listeners[0].clients[0]", UNIX },
	{ "uid-negative", "      - { match: { uid: -1 }, policy: q }\n", 6, 25,
	    "clients[0].match.uid must be a numeric id below 4294967295", UNIX },
	{ "uid-none", "      - { match: { uid: 4294967295 }, policy: q }\n", 6, 25,
	    "must be a numeric id below 4294967295", UNIX },
	{ "uid-name", "      - { match: { uid: bob }, policy: q }\n", 6, 25, "must be a numeric id",
	    UNIX },
	{ "gid-float", "      - { match: { gid: 1.5 }, policy: q }\n", 6, 25,
	    "must be a numeric id", UNIX },
	{ "uid-and-user", "      - { match: { uid: 0, user: root }, policy: q }\n", 6, 34,
	    "uid and user both set the uid", UNIX },
	{ "group-and-gid", "      - { match: { group: root, gid: 0 }, policy: q }\n", 6, 38,
	    "gid and group both set the gid", UNIX },
	{ "unknown-user",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - { match: { user: no-such-user-sw }, policy: q }\n",
	    7, 26, "clients[1].match.user: no user named \"no-such-user-sw\" on this host", UNIX },
	{ "unknown-group", "      - { match: { group: no-such-group-sw }, policy: q }\n", 6, 27,
	    "no group named \"no-such-group-sw\"", UNIX },
	{ "user-bad-chars", "      - { match: { user: \"a b\" }, policy: q }\n", 6, 26, "user",
	    UNIX },
	{ "undefined-policy",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - { match: { uid: 2 }, policy: nope }\n",
	    7, 38,
	    "listener \"a\" gives clients[1] policy \"nope\", which is not defined under policies",
	    UNIX },
	{ "policy-not-scalar", "      - { match: { uid: 1 }, policy: [q] }\n", 6, 38, "policy",
	    UNIX },
	/* ---- container keys (unix listener): good ---- */
	{ "container_name glob", "      - { match: { container_name: \"traefik*\" }, policy: q }\n",
	    0, 0, "-/-:q container_name=traefik*", UNIX },
	{ "container_image",
	    "      - { match: { container_image: \"ghcr.io/acme/ci-runner:*\" }, policy: q }\n", 0,
	    0, "-/-:q container_image=ghcr.io/acme/ci-runner:*", UNIX },
	{ "container_image digest",
	    "      - { match: { container_image: \"alpine@sha256:*\" }, policy: q }\n", 0, 0,
	    "-/-:q container_image=alpine@sha256:*", UNIX },
	{ "container_label key",
	    "      - { match: { container_label: com.example.role }, policy: q }\n", 0, 0,
	    "-/-:q container_label=com.example.role", UNIX },
	{ "container_label key=value glob",
	    "      - { match: { container_label: \"com.example.role=proxy*\" }, policy: q }\n", 0,
	    0, "-/-:q container_label=com.example.role=proxy*", UNIX },
	{ "container_label key= (empty value)",
	    "      - { match: { container_label: \"io.x/y_z-1=\" }, policy: q }\n", 0, 0,
	    "-/-:q container_label=io.x/y_z-1=", UNIX },
	{ "container_label value with '=' and spaces",
	    "      - { match: { container_label: \"rule=Host(`a b`)=x*\" }, policy: q }\n", 0, 0,
	    "-/-:q container_label=rule=Host(`a b`)=x*", UNIX },
	{ "container keys with uid",
	    "      - match: { uid: 0, container_name: \"ci-*\", container_label: ci }\n"
	    "        policy: p\n",
	    0, 0, "0/-:p container_name=ci-* container_label=ci", UNIX },
	{ "owner", "      - { match: { uid: 1 }, policy: q, owner: ci-runners }\n", 0, 0,
	    "1/-:q owner=ci-runners", UNIX },
	{ "owner every character",
	    "      - { match: { uid: 1 }, owner: \"Team_1.a:b@c-d\", policy: q }\n", 0, 0,
	    "1/-:q owner=Team_1.a:b@c-d", UNIX },
	{ "owner 63 characters",
	    "      - { match: { uid: 1 }, policy: q, owner: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123 }\n",
	    0, 0, "1/-:q owner=abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123",
	    UNIX },
	/* ---- container keys (unix listener): bad ---- */
	{ "empty match names every kind of key", "      - { match: {}, policy: q }\n", 6, 18,
	    "or a cert_* or container_* key: an empty match matches everyone, so use the "
	    "listener's policy instead",
	    UNIX },
	{ "cert_cn on a unix listener",
	    "      - { match: { uid: 1 } , policy: q }\n"
	    "      - { match: { cert_cn: alice }, policy: q }\n",
	    7, 20,
	    "listeners[0].clients[1].match.cert_cn: cert_* keys need a TLS listener, and listener "
	    "\"a\" is a unix socket",
	    UNIX },
	{ "container_name with the leading slash",
	    "      - { match: { container_name: /traefik }, policy: q }\n", 6, 36,
	    "container_name is the name without its leading '/'", UNIX },
	{ "container_name with a space",
	    "      - { match: { container_name: \"a b\" }, policy: q }\n", 6, 36,
	    "container_name may contain only letters, digits, '_', '.', '-' and the wildcards",
	    UNIX },
	{ "container_name empty", "      - { match: { container_name: \"\" }, policy: q }\n", 6, 36,
	    "container_name must be 1 to 255 characters long", UNIX },
	{ "container_name bracket class",
	    "      - { match: { container_name: \"web[12]\" }, policy: q }\n", 6, 36,
	    "'[', ']' and '\\' are not pattern syntax here", UNIX },
	{ "container_name too long",
	    "      - { match: { container_name: "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa }, "
	    "policy: q }\n",
	    6, 36, "container_name must be 1 to 255 characters long", UNIX },
	{ "container_image with a space",
	    "      - { match: { container_image: \"a b\" }, policy: q }\n", 6, 37,
	    "container_image may contain only letters, digits, '.', '_', '/', ':', '@', '-'",
	    UNIX },
	{ "container_label empty key",
	    "      - { match: { container_label: \"=x\" }, policy: q }\n", 6, 37,
	    "container_label must be \"key\" or \"key=value-glob\" with a key that starts", UNIX },
	{ "container_label glob in the key",
	    "      - { match: { container_label: \"com.*=x\" }, policy: q }\n", 6, 37,
	    "keys are compared exactly", UNIX },
	{ "container_label key with a space",
	    "      - { match: { container_label: \"a b=x\" }, policy: q }\n", 6, 37,
	    "a label key holds only letters, digits", UNIX },
	{ "container_label key starting with '.'",
	    "      - { match: { container_label: .hidden }, policy: q }\n", 6, 37,
	    "with a key that starts and ends with a letter or digit", UNIX },
	{ "container_label value control character",
	    "      - { match: { container_label: \"k=a\\tb\" }, policy: q }\n", 6, 37,
	    "container_label must not contain control characters", UNIX },
	{ "container_label not a scalar",
	    "      - { match: { container_label: [a] }, policy: q }\n", 6, 37,
	    "container_label must be a single value, not a list", UNIX },
	{ "owner with a space", "      - { match: { uid: 1 }, policy: q, owner: \"a b\" }\n", 6, 48,
	    "clients[0].owner may contain only letters, digits, '_', '.', ':', '@' and '-'", UNIX },
	{ "owner empty", "      - { match: { uid: 1 }, policy: q, owner: \"\" }\n", 6, 48,
	    "owner must be 1 to 63 characters long", UNIX },
	{ "owner 64 characters",
	    "      - { match: { uid: 1 }, policy: q, owner: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234 }\n",
	    6, 48, "owner must be 1 to 63 characters long", UNIX },
	{ "owner '/'", "      - { match: { uid: 1 }, policy: q, owner: a/b }\n", 6, 48,
	    "owner may contain only", UNIX },
	{ "the old cert_san_uri spelling", "      - { match: { cert_san_uri: x }, policy: q }\n", 6,
	    20, "unknown key \"cert_san_uri\" in match", UNIX },
	/* ---- certificate keys (TLS listener): good ---- */
	{ "cert_cn", "      - { match: { cert_cn: alice }, policy: q }\n", 0, 0,
	    "-/-:q cert_cn=alice", TLS },
	{ "cert_cn with spaces and UTF-8",
	    "      - { match: { cert_cn: \"Jos\u00e9 *\" }, policy: q }\n", 0, 0,
	    "-/-:q cert_cn=Jos\xc3\xa9 *", TLS },
	{ "cert_dns glob", "      - { match: { cert_dns: \"*.example.org\" }, policy: q }\n", 0, 0,
	    "-/-:q cert_dns=*.example.org", TLS },
	{ "cert_email", "      - { match: { cert_email: \"*@example.org\" }, policy: q }\n", 0, 0,
	    "-/-:q cert_email=*@example.org", TLS },
	{ "cert_uri SPIFFE",
	    "      - { match: { cert_uri: \"spiffe://example.org/ci/*\" }, policy: q }\n", 0, 0,
	    "-/-:q cert_uri=spiffe://example.org/ci/*", TLS },
	{ "cert_fingerprint pairs, upper case",
	    "      - { match: { cert_fingerprint: \"" FP_PAIRS "\" }, policy: q }\n", 0, 0,
	    "-/-:q cert_fingerprint=" FP_LOWER, TLS },
	{ "cert_fingerprint bare, mixed case",
	    "      - { match: { cert_fingerprint: "
	    "AB01cd23EF45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45aB01 }, policy: q }\n",
	    0, 0, "-/-:q cert_fingerprint=" FP_LOWER, TLS },
	{ "cert keys combined, two entries",
	    "      - { match: { cert_cn: alice, cert_uri: \"spiffe://x/*\" }, policy: p }\n"
	    "      - { match: { cert_email: bob@example.org }, policy: q, owner: bob }\n",
	    0, 0,
	    "-/-:p cert_cn=alice cert_uri=spiffe://x/*|-/-:q cert_email=bob@example.org owner=bob",
	    TLS },
	/* ---- certificate keys (TLS listener): bad ---- */
	{ "uid on a TLS listener", "      - { match: { uid: 1 }, policy: q }\n", 7, 20,
	    "listeners[0].clients[0].match.uid: uid, user, gid, group and container_* keys need a "
	    "unix:// listener (TCP carries no kernel identity), and listener \"a\" is TCP: match "
	    "its callers with cert_* keys",
	    TLS },
	{ "group on a TLS listener after a good entry",
	    "      - { match: { cert_cn: a }, policy: q }\n"
	    "      - { match: { cert_cn: b, group: root }, policy: q }\n",
	    8, 32, "clients[1].match.group: uid, user, gid, group and container_* keys need", TLS },
	{ "container_label on a TLS listener",
	    "      - { match: { container_label: x }, policy: q }\n", 7, 20,
	    "clients[0].match.container_label: uid, user, gid, group and container_* keys", TLS },
	{ "the first wrong key is reported: container before uid",
	    "      - { match: { container_name: x }, policy: q }\n"
	    "      - { match: { uid: 1 }, policy: q }\n",
	    7, 20, "clients[0].match.container_name", TLS },
	{ "the first wrong key is reported: uid before container",
	    "      - { match: { uid: 1 }, policy: q }\n"
	    "      - { match: { container_name: x }, policy: q }\n",
	    7, 20, "clients[0].match.uid", TLS },
	{ "cert_fingerprint short", "      - { match: { cert_fingerprint: abcd }, policy: q }\n", 7,
	    38, "cert_fingerprint must be a SHA-256 fingerprint: 64 hex digits", TLS },
	{ "cert_fingerprint 65 digits",
	    "      - { match: { cert_fingerprint: " FP_LOWER "0 }, policy: q }\n", 7, 38,
	    "must be a SHA-256 fingerprint", TLS },
	{ "cert_fingerprint not hex",
	    "      - { match: { cert_fingerprint: "
	    "gb01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01 }, policy: q }\n",
	    7, 38, "must be a SHA-256 fingerprint", TLS },
	{ "cert_fingerprint trailing colon",
	    "      - { match: { cert_fingerprint: \"" FP_PAIRS ":\" }, policy: q }\n", 7, 38,
	    "must be a SHA-256 fingerprint", TLS },
	{ "cert_fingerprint colons misplaced",
	    "      - { match: { cert_fingerprint: \"A:B01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:"
	    "EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01\" }, policy: q }\n",
	    7, 38, "must be a SHA-256 fingerprint", TLS },
	{ "cert_fingerprint glob", "      - { match: { cert_fingerprint: \"ab*\" }, policy: q }\n",
	    7, 38, "must be a SHA-256 fingerprint", TLS },
	{ "cert_dns with '/'", "      - { match: { cert_dns: \"a/b\" }, policy: q }\n", 7, 30,
	    "cert_dns may contain only letters, digits, '.', '-', '_' and the wildcards", TLS },
	{ "cert_cn control character", "      - { match: { cert_cn: \"a\\x01\" }, policy: q }\n", 7,
	    29, "cert_cn must not contain control characters", TLS },
	{ "cert_uri backslash", "      - { match: { cert_uri: \"a\\\\b\" }, policy: q }\n", 7, 30,
	    "cert_uri may use only '*' (any run of characters) and '?' (one character)", TLS },
	{ "empty match on a TLS listener", "      - { match: {}, policy: q }\n", 7, 18,
	    "match must set at least one of uid", TLS },
};

static void
describe(const struct pol_set *ps, const struct sw_listener_cfg *lc, char *buf, size_t bufsz)
{
	const struct sw_config *cfg = pol_set_config(ps);
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < lc->n_clients && o < bufsz; i++) {
		const struct sw_client_cfg *c = &cfg->clients[lc->first_client + i];
		const struct {
			const char *key, *value;
		} strs[] = {
			{ "cert_cn", c->cert_cn },
			{ "cert_dns", c->cert_dns },
			{ "cert_email", c->cert_email },
			{ "cert_uri", c->cert_uri },
			{ "cert_fingerprint", c->cert_fingerprint },
			{ "container_name", c->container_name },
			{ "container_image", c->container_image },
			{ "container_label", c->container_label },
			{ "owner", c->owner },
		};
		char u[16] = "-", g[16] = "-";
		size_t k;

		if (c->has_uid)
			snprintf(u, sizeof(u), "%u", (unsigned)c->uid);
		if (c->has_gid)
			snprintf(g, sizeof(g), "%u", (unsigned)c->gid);
		o += (size_t)snprintf(buf + o, bufsz - o, "%s%s/%s:%s", i > 0 ? "|" : "", u, g,
		    pol_set_policy_name(ps, c->policy));
		for (k = 0; k < nitems(strs) && o < bufsz; k++)
			if (strs[k].value[0] != '\0')
				o += (size_t)snprintf(
				    buf + o, bufsz - o, " %s=%s", strs[k].key, strs[k].value);
	}
}

/* Reports a failing row and goes on, so one run names every broken row. */
#define FAIL_ROW(...)                     \
	do {                              \
		print_error(__VA_ARGS__); \
		print_error("\n");        \
		failed++;                 \
	} while (0)

static void
test_load_clients_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		const struct client_case *t = &cases[i];
		char text[2048], got[512];
		struct pol_set *ps = NULL;
		struct pol_err err;
		int rc;

		snprintf(
		    text, sizeof(text), "%s%s%s", t->head == TLS ? HEAD_TLS : HEAD, t->rows, TAIL);
		rc = pol_load_buffer("test.yaml", text, strlen(text), &ps, &err);
		if (t->line == 0) {
			const struct sw_config *cfg;

			if (rc != 0) {
				FAIL_ROW("%s: did not load: %d:%d: %s", t->name, err.line, err.col,
				    err.msg);
				continue;
			}
			cfg = pol_set_config(ps);
			describe(ps, &cfg->listeners[0], got, sizeof(got));
			if (strcmp(got, t->want) != 0)
				FAIL_ROW("%s: entries \"%s\", want \"%s\"", t->name, got, t->want);
			/* Listener b's own entry follows a's in the shared array. */
			describe(ps, &cfg->listeners[1], got, sizeof(got));
			if (strcmp(got, "7/-:q") != 0 ||
			    cfg->listeners[1].first_client != cfg->listeners[0].n_clients ||
			    cfg->n_clients != cfg->listeners[0].n_clients + 1)
				FAIL_ROW("%s: listener b entries \"%s\" at %zu", t->name, got,
				    cfg->listeners[1].first_client);
			pol_set_unref(ps);
			continue;
		}
		if (rc == 0) {
			pol_set_unref(ps);
			FAIL_ROW("%s: loaded, want an error at %d:%d", t->name, t->line, t->col);
			continue;
		}
		if (err.line != t->line || err.col != t->col || strstr(err.msg, t->want) == NULL)
			FAIL_ROW("%s: got %d:%d: %s; want %d:%d: ...%s...", t->name, err.line,
			    err.col, err.msg, t->line, t->col, t->want);
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(cases));
}

/* A listener without "clients" has none, and its default policy stands. */
static void
test_load_clients_absent(void **state)
{
	static const char text[] = "listeners:\n"
	                           "  - { name: a, listen: \"unix:///run/a.sock\", policy: p }\n"
	                           "policies:\n"
	                           "  p: { allow: [SystemPing] }\n";
	struct pol_set *ps = NULL;
	struct pol_err err;
	const struct sw_config *cfg;

	(void)state;
	if (pol_load_buffer("test.yaml", text, strlen(text), &ps, &err) != 0)
		fail_msg("absent: did not load: %d:%d: %s", err.line, err.col, err.msg);
	cfg = pol_set_config(ps);
	assert_int_equal(cfg->listeners[0].n_clients, 0);
	assert_int_equal(cfg->n_clients, 0);
	assert_string_equal(pol_set_policy_name(ps, cfg->listeners[0].policy), "p");
	pol_set_unref(ps);
}

/* ---- pol_parse_id, pol_parse_fingerprint ------------------------------------------ */

struct parse_case {
	const char *name;
	const char *in;
	const char *want; /* the value read ("%u", or the 64 digits); NULL: refused */
};

static const struct parse_case id_cases[] = {
	{ "id zero", "0", "0" },
	{ "id 1000", "1000", "1000" },
	{ "id largest", "4294967294", "4294967294" },
	{ "id the kernel's 'none'", "4294967295", NULL },
	{ "id past 32 bits", "4294967296", NULL },
	{ "id far too large", "99999999999999999999999", NULL },
	{ "id leading space", " 5", NULL },
	{ "id trailing space", "5 ", NULL },
	{ "id plus sign", "+5", NULL },
	{ "id minus sign", "-1", NULL },
	{ "id leading zero", "05", NULL },
	{ "id hex", "0x10", NULL },
	{ "id empty", "", NULL },
	{ "id name", "root", NULL },
};

static const struct parse_case fp_cases[] = {
	{ "fingerprint bare lower", FP_LOWER, FP_LOWER },
	{ "fingerprint pairs upper", FP_PAIRS, FP_LOWER },
	{ "fingerprint pairs mixed case",
	    "ab:01:Cd:23:eF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:"
	    "EF:45:AB:01",
	    FP_LOWER },
	{ "fingerprint 63 digits",
	    "ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab0", NULL },
	{ "fingerprint 65 digits", FP_LOWER "0", NULL },
	{ "fingerprint not hex", "gb01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01",
	    NULL },
	{ "fingerprint trailing colon", FP_PAIRS ":", NULL },
	{ "fingerprint leading colon", ":" FP_PAIRS, NULL },
	{ "fingerprint colon moved by one",
	    "A:B01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:"
	    "EF:45:AB:01",
	    NULL },
	{ "fingerprint a pair without its colon",
	    "AB01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:"
	    "EF:45:AB:01",
	    NULL },
	{ "fingerprint doubled colon",
	    "AB::01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:"
	    "EF:45:AB:01",
	    NULL },
	{ "fingerprint colons only at the end", FP_LOWER "::", NULL },
	{ "fingerprint empty", "", NULL },
	{ "fingerprint SHA-1 pairs", "AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01",
	    NULL },
};

static void
test_parse_id_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(id_cases); i++) {
		const struct parse_case *t = &id_cases[i];
		const char *why = NULL;
		uint32_t id = 7;
		char got[16];
		int rc = pol_parse_id(t->in, &id, &why);

		snprintf(got, sizeof(got), "%u", (unsigned)id);
		if (t->want != NULL && (rc != 0 || strcmp(got, t->want) != 0))
			FAIL_ROW("%s: rc %d, id %s; want %s", t->name, rc, got, t->want);
		if (t->want == NULL &&
		    (rc != -1 || why == NULL ||
		        strcmp(why, "must be a numeric id below 4294967295") != 0))
			FAIL_ROW("%s: rc %d (%s), want refused as not a numeric id", t->name, rc,
			    why != NULL ? why : "no reason");
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(id_cases));
}

static void
test_parse_fingerprint_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(fp_cases); i++) {
		const struct parse_case *t = &fp_cases[i];
		const char *why = NULL;
		char out[65];
		int rc = pol_parse_fingerprint(t->in, out, &why);

		if (t->want != NULL && (rc != 0 || strcmp(out, t->want) != 0))
			FAIL_ROW("%s: rc %d, \"%.64s\"; want %s", t->name, rc, rc == 0 ? out : "",
			    t->want);
		if (t->want == NULL && (rc != -1 || why == NULL ||
		                           strstr(why, "must be a SHA-256 fingerprint") == NULL))
			FAIL_ROW("%s: rc %d (%s), want refused", t->name, rc,
			    why != NULL ? why : "no reason");
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(fp_cases));
}

/* ---- LD_MAX_CLIENTS: 4096 entries in one file, every listener's together ------------- */

#define MAX_CLIENTS 4096

/* HEAD, "n" entries for listener a, then TAIL (whose listener b adds one more). */
static char *
many_clients(size_t n)
{
	static const char entry[] = "      - { match: { uid: 1000 }, policy: q }\n";
	size_t cap = sizeof(HEAD) + n * (sizeof(entry) - 1) + sizeof(TAIL), off;
	char *buf = malloc(cap);
	size_t i;

	assert_non_null(buf);
	off = (size_t)snprintf(buf, cap, "%s", HEAD);
	for (i = 0; i < n; i++) {
		memcpy(buf + off, entry, sizeof(entry) - 1);
		off += sizeof(entry) - 1;
	}
	snprintf(buf + off, cap - off, "%s", TAIL);
	return buf;
}

static void
test_load_clients_limit(void **state)
{
	static const struct {
		const char *name;
		size_t in_a; /* listener b's entry comes after these */
		int line;    /* 0: loads; else the entry refused (rows start at line 6) */
	} rows[] = {
		{ "4096 entries with b's", MAX_CLIENTS - 1, 0 },
		{ "4097th entry is b's", MAX_CLIENTS, 6 + MAX_CLIENTS + 4 },
		{ "4097th entry is a's", MAX_CLIENTS + 1, 6 + MAX_CLIENTS },
	};
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		char *text = many_clients(rows[i].in_a);
		struct pol_set *ps = NULL;
		struct pol_err err;
		int rc = pol_load_buffer("test.yaml", text, strlen(text), &ps, &err);

		free(text);
		if (rows[i].line == 0) {
			if (rc != 0)
				FAIL_ROW("%s: did not load: %d:%d: %s", rows[i].name, err.line,
				    err.col, err.msg);
			else if (pol_set_config(ps)->n_clients != MAX_CLIENTS)
				FAIL_ROW(
				    "%s: %zu entries", rows[i].name, pol_set_config(ps)->n_clients);
			pol_set_unref(ps);
			continue;
		}
		if (rc == 0) {
			pol_set_unref(ps);
			FAIL_ROW("%s: loaded", rows[i].name);
			continue;
		}
		if (err.line != rows[i].line || err.col != 9 ||
		    strstr(err.msg, "more than 4096 client entries") == NULL)
			FAIL_ROW("%s: %d:%d: %s; want %d:9: more than 4096 client entries",
			    rows[i].name, err.line, err.col, err.msg, rows[i].line);
	}
	if (failed > 0)
		fail_msg("%d of %zu rows failed", failed, nitems(rows));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_clients_rows),
		cmocka_unit_test(test_load_clients_absent),
		cmocka_unit_test(test_parse_id_rows),
		cmocka_unit_test(test_parse_fingerprint_rows),
		cmocka_unit_test(test_load_clients_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
