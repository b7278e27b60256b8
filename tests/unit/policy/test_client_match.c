/*
 * Tests for policy/client_match.c: pol_client_matches() for every key, with
 * the caller's identity source present, absent or partial (several SANs,
 * labels, globs, supplementary groups read or not); every key alone against
 * callers without its source, and the pol_client_wants_*() kind it belongs
 * to; pol_client_choose() (first entry wins, the default, an unidentified
 * caller); pol_listener_wants_container() and _groups(); pol_owner_of() and
 * its order of identities, including a buffer too small for the identity.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/policy.h"

#include "policy_int.h"

/* ---- callers ---------------------------------------------------------------------- */

#define FP_ALICE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP_BOB   "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static const struct sw_san alice_sans[] = {
	{ SW_SAN_DNS, "alice.example.org" },
	{ SW_SAN_DNS, "admin.example.org" },
	{ SW_SAN_EMAIL, "alice@example.org" },
	{ SW_SAN_URI, "spiffe://example.org/ci/runner-1" },
	{ SW_SAN_URI, "https://example.org/alice" },
};

static const struct sw_cert_ident cert_alice = { "alice", FP_ALICE, nitems(alice_sans),
	alice_sans };
/* No CN and no SAN: only the fingerprint identifies it. */
static const struct sw_cert_ident cert_bare = { NULL, FP_BOB, 0, NULL };

static const char *const traefik_keys[] = { "com.example.role", "com.docker.compose.project",
	"empty" };
static const char *const traefik_values[] = { "proxy", "edge", "" };

static const struct sw_ctr_ident ctr_traefik = { "0123456789abcdef0123456789abcdef0123456789ab"
	                                         "cdef0123456789abcdef",
	"traefik-1", "traefik:v3.0", nitems(traefik_keys), traefik_keys, traefik_values };
static const struct sw_ctr_ident ctr_plain = { "fedcba9876543210fedcba9876543210fedcba9876543"
	                                       "210fedcba9876543210",
	"ci-runner-7", "ghcr.io/acme/ci-runner:2024.1", 0, NULL, NULL };

#define UNIX_CALLER(u, g, p) .has_peercred = true, .uid = u, .gid = g, .pid = p

static const struct sw_ident nobody = { .has_peercred = false };
/* Groups not read (as from a kernel before SO_PEERGROUPS): only the primary gid counts. */
static const struct sw_ident unix_alice = { UNIX_CALLER(1000, 100, 42) };
static const struct sw_ident unix_root = { UNIX_CALLER(0, 0, 1) };
static const struct sw_ident tls_alice = { .cert = &cert_alice };
static const struct sw_ident tls_bare = { .cert = &cert_bare };
static const struct sw_ident in_traefik = { UNIX_CALLER(0, 0, 7), .ctr = &ctr_traefik };
static const struct sw_ident in_plain = { UNIX_CALLER(1000, 100, 8), .ctr = &ctr_plain };

/* Supplementary groups from SO_PEERGROUPS; bob's primary group is his own. */
static const gid_t bob_groups[] = { 100, 999, 4242 };
static const struct sw_ident unix_bob = { UNIX_CALLER(1001, 1001, 43), .has_groups = true,
	.n_groups = nitems(bob_groups), .groups = bob_groups };
/* The same groups, but has_groups false: they were not read and must not count. */
static const struct sw_ident unix_bob_unread = { UNIX_CALLER(1001, 1001, 43),
	.n_groups = nitems(bob_groups), .groups = bob_groups };
static const struct sw_ident unix_no_groups = { UNIX_CALLER(1002, 1002, 44), .has_groups = true };
/* Groups without SO_PEERCRED cannot be: nothing kernel-based may match. */
static const struct sw_ident tls_with_groups = { .cert = &cert_alice,
	.has_groups = true,
	.n_groups = nitems(bob_groups),
	.groups = bob_groups };
/* As many groups as the kernel allows (NGROUPS_MAX): 100000..165535, filled by main(). */
#define MANY_GROUPS 65536
static gid_t many_groups[MANY_GROUPS];
static const struct sw_ident unix_many = { UNIX_CALLER(1003, 1003, 45), .has_groups = true,
	.n_groups = MANY_GROUPS, .groups = many_groups };

/* Identified by the kernel, but its container could not be described: no entry applies. */
static const struct sw_ident unix_unidentified = { UNIX_CALLER(1000, 100, 46),
	.unidentified = "cannot identify the calling container: test" };

/* ---- pol_client_matches ------------------------------------------------------------ */

struct match_case {
	const char *name;
	struct sw_client_cfg cl;
	const struct sw_ident *who;
	bool want;
};

static struct match_case match_cases[] = {
	/* kernel identity */
	{ "uid matches", { .has_uid = true, .uid = 1000 }, &unix_alice, true },
	{ "uid differs", { .has_uid = true, .uid = 1001 }, &unix_alice, false },
	{ "uid 0 is not 'unset'", { .has_uid = true, .uid = 0 }, &unix_root, true },
	{ "uid 0 against uid 1000", { .has_uid = true, .uid = 0 }, &unix_alice, false },
	{ "gid matches", { .has_gid = true, .gid = 100 }, &unix_alice, true },
	{ "gid differs", { .has_gid = true, .gid = 0 }, &unix_alice, false },
	{ "uid and gid both hold", { .has_uid = true, .uid = 1000, .has_gid = true, .gid = 100 },
	    &unix_alice, true },
	{ "uid holds, gid does not", { .has_uid = true, .uid = 1000, .has_gid = true, .gid = 1 },
	    &unix_alice, false },
	{ "uid without SO_PEERCRED", { .has_uid = true, .uid = 0 }, &nobody, false },
	{ "gid 0 without SO_PEERCRED", { .has_gid = true, .gid = 0 }, &tls_alice, false },
	{ "uid with no caller at all", { .has_uid = true, .uid = 0 }, NULL, false },
	/* supplementary groups: gid and group match the primary gid or any of them */
	{ "gid matches the first supplementary group", { .has_gid = true, .gid = 100 }, &unix_bob,
	    true },
	{ "gid matches a middle supplementary group", { .has_gid = true, .gid = 999 }, &unix_bob,
	    true },
	{ "gid matches the last supplementary group", { .has_gid = true, .gid = 4242 }, &unix_bob,
	    true },
	{ "gid still matches the primary gid of a caller with groups",
	    { .has_gid = true, .gid = 1001 }, &unix_bob, true },
	{ "gid in neither the primary gid nor the groups", { .has_gid = true, .gid = 4243 },
	    &unix_bob, false },
	{ "gid 0 is not in an empty group list", { .has_gid = true, .gid = 0 }, &unix_no_groups,
	    false },
	{ "gid matches the primary gid with no groups", { .has_gid = true, .gid = 1002 },
	    &unix_no_groups, true },
	{ "groups that were not read do not count", { .has_gid = true, .gid = 999 },
	    &unix_bob_unread, false },
	{ "primary gid counts when the groups were not read", { .has_gid = true, .gid = 1001 },
	    &unix_bob_unread, true },
	{ "groups without SO_PEERCRED do not count", { .has_gid = true, .gid = 999 },
	    &tls_with_groups, false },
	{ "uid holds and gid matches a supplementary group",
	    { .has_uid = true, .uid = 1001, .has_gid = true, .gid = 4242 }, &unix_bob, true },
	{ "gid matches a supplementary group but uid does not",
	    { .has_uid = true, .uid = 0, .has_gid = true, .gid = 4242 }, &unix_bob, false },
	{ "gid is the last of 65536 groups", { .has_gid = true, .gid = 100000 + MANY_GROUPS - 1 },
	    &unix_many, true },
	{ "gid is the first of 65536 groups", { .has_gid = true, .gid = 100000 }, &unix_many,
	    true },
	{ "gid is in none of 65536 groups", { .has_gid = true, .gid = 100000 + MANY_GROUPS },
	    &unix_many, false },
	{ "a group does not satisfy uid", { .has_uid = true, .uid = 999 }, &unix_bob, false },
	/* certificate: CN */
	{ "cert_cn exact", { .cert_cn = "alice" }, &tls_alice, true },
	{ "cert_cn glob", { .cert_cn = "al*" }, &tls_alice, true },
	{ "cert_cn '?'", { .cert_cn = "alic?" }, &tls_alice, true },
	{ "cert_cn is case-sensitive", { .cert_cn = "Alice" }, &tls_alice, false },
	{ "cert_cn is not a prefix match", { .cert_cn = "ali" }, &tls_alice, false },
	{ "cert_cn on a certificate without CN", { .cert_cn = "*" }, &tls_bare, false },
	{ "cert_cn without a certificate", { .cert_cn = "*" }, &unix_alice, false },
	/* certificate: SANs, any of the type */
	{ "cert_dns first SAN", { .cert_dns = "alice.example.org" }, &tls_alice, true },
	{ "cert_dns second SAN", { .cert_dns = "admin.example.org" }, &tls_alice, true },
	{ "cert_dns glob over SANs", { .cert_dns = "*.example.org" }, &tls_alice, true },
	{ "cert_dns no SAN matches", { .cert_dns = "bob.example.org" }, &tls_alice, false },
	{ "cert_dns does not look at the email SAN", { .cert_dns = "alice@example.org" },
	    &tls_alice, false },
	{ "cert_dns does not look at the CN", { .cert_dns = "alice" }, &tls_alice, false },
	{ "cert_dns on a certificate without SANs", { .cert_dns = "*" }, &tls_bare, false },
	{ "cert_email", { .cert_email = "*@example.org" }, &tls_alice, true },
	{ "cert_email other domain", { .cert_email = "*@example.com" }, &tls_alice, false },
	{ "cert_email does not look at DNS SANs", { .cert_email = "alice.example.org" }, &tls_alice,
	    false },
	{ "cert_uri SPIFFE glob", { .cert_uri = "spiffe://example.org/ci/*" }, &tls_alice, true },
	{ "cert_uri second URI", { .cert_uri = "https://example.org/alice" }, &tls_alice, true },
	{ "cert_uri other trust domain", { .cert_uri = "spiffe://example.com/*" }, &tls_alice,
	    false },
	{ "cert_uri without a certificate", { .cert_uri = "*" }, &in_traefik, false },
	/* certificate: fingerprint, exact */
	{ "cert_fingerprint", { .cert_fingerprint = FP_ALICE }, &tls_alice, true },
	{ "cert_fingerprint of another certificate", { .cert_fingerprint = FP_BOB }, &tls_alice,
	    false },
	{ "cert_fingerprint alone identifies a bare certificate", { .cert_fingerprint = FP_BOB },
	    &tls_bare, true },
	{ "cert_fingerprint without a certificate", { .cert_fingerprint = FP_ALICE }, &nobody,
	    false },
	{ "cert_cn and cert_uri both hold",
	    { .cert_cn = "alice", .cert_uri = "spiffe://example.org/*" }, &tls_alice, true },
	{ "cert_cn holds, cert_fingerprint does not",
	    { .cert_cn = "alice", .cert_fingerprint = FP_BOB }, &tls_alice, false },
	/* container */
	{ "container_name exact", { .container_name = "traefik-1" }, &in_traefik, true },
	{ "container_name glob", { .container_name = "traefik*" }, &in_traefik, true },
	{ "container_name other", { .container_name = "ci-*" }, &in_traefik, false },
	{ "container_name outside any container", { .container_name = "*" }, &unix_root, false },
	{ "container_image glob", { .container_image = "ghcr.io/acme/ci-runner:*" }, &in_plain,
	    true },
	{ "container_image other tag", { .container_image = "traefik:v2*" }, &in_traefik, false },
	{ "container_label key present", { .container_label = "com.example.role" }, &in_traefik,
	    true },
	{ "container_label key absent", { .container_label = "com.example.tier" }, &in_traefik,
	    false },
	{ "container_label key is exact, not a prefix", { .container_label = "com.example" },
	    &in_traefik, false },
	{ "container_label key is not matched by a longer key",
	    { .container_label = "com.example.role.x" }, &in_traefik, false },
	{ "container_label key=value", { .container_label = "com.example.role=proxy" }, &in_traefik,
	    true },
	{ "container_label second label", { .container_label = "com.docker.compose.project=ed*" },
	    &in_traefik, true },
	{ "container_label value differs", { .container_label = "com.example.role=web" },
	    &in_traefik, false },
	{ "container_label value glob", { .container_label = "com.example.role=pro?y" },
	    &in_traefik, true },
	{ "container_label empty value matches key=", { .container_label = "empty=" }, &in_traefik,
	    true },
	{ "container_label key= does not match a value", { .container_label = "com.example.role=" },
	    &in_traefik, false },
	{ "container_label on a container without labels", { .container_label = "x" }, &in_plain,
	    false },
	{ "container_name and label both hold",
	    { .container_name = "traefik-*", .container_label = "com.example.role=proxy" },
	    &in_traefik, true },
	{ "container_name holds, label does not",
	    { .container_name = "traefik-*", .container_label = "com.example.role=db" },
	    &in_traefik, false },
	{ "uid and container both hold", { .has_uid = true, .uid = 1000, .container_name = "ci-*" },
	    &in_plain, true },
	{ "container holds, uid does not", { .has_uid = true, .uid = 0, .container_name = "ci-*" },
	    &in_plain, false },
	/* kinds the caller does not have */
	{ "certificate key for a container caller", { .cert_cn = "*" }, &in_traefik, false },
	{ "container key for a TLS caller", { .container_name = "*" }, &tls_alice, false },
	{ "an entry with no key matches everyone", { .policy = 0 }, &nobody, true },
};

static void
test_client_matches_row(void **state)
{
	const struct match_case *c = *state;
	bool got = pol_client_matches(&c->cl, c->who);

	if (got != c->want)
		fail_msg("%s: pol_client_matches is %s, want %s", c->name, got ? "true" : "false",
		    c->want ? "true" : "false");
}

/* ---- every key alone: its kind, and no match without its source ------------------- */

enum key_kind { KIND_KERNEL, KIND_CERT, KIND_CTR };

struct key_case {
	const char *name;
	struct sw_client_cfg cl; /* sets this one key */
	enum key_kind kind;
	const struct sw_ident *holds; /* a caller it matches */
};

/*
 * One row per match key of struct sw_client_cfg: a new key needs a row here,
 * and the row fails until pol_client_wants_*() names the key (else the
 * loader would take an entry setting only it for an empty match).
 */
static struct key_case key_cases[] = {
	{ "uid", { .has_uid = true, .uid = 1000 }, KIND_KERNEL, &unix_alice },
	{ "gid", { .has_gid = true, .gid = 100 }, KIND_KERNEL, &unix_alice },
	{ "cert_cn", { .cert_cn = "*" }, KIND_CERT, &tls_alice },
	{ "cert_dns", { .cert_dns = "*" }, KIND_CERT, &tls_alice },
	{ "cert_email", { .cert_email = "*" }, KIND_CERT, &tls_alice },
	{ "cert_uri", { .cert_uri = "*" }, KIND_CERT, &tls_alice },
	{ "cert_fingerprint", { .cert_fingerprint = FP_ALICE }, KIND_CERT, &tls_alice },
	{ "container_name", { .container_name = "*" }, KIND_CTR, &in_traefik },
	{ "container_image", { .container_image = "*" }, KIND_CTR, &in_traefik },
	{ "container_label", { .container_label = "com.example.role" }, KIND_CTR, &in_traefik },
};

static void
test_key_alone_row(void **state)
{
	const struct key_case *c = *state;
	/* Callers lacking each source in turn; the key's own source is one of them. */
	static const struct sw_ident *const lacking[] = { &nobody, &unix_alice, &tls_alice,
		&tls_bare, &in_plain };
	bool wants[3];
	size_t i;

	wants[KIND_KERNEL] = pol_client_wants_kernel(&c->cl);
	wants[KIND_CERT] = pol_client_wants_cert(&c->cl);
	wants[KIND_CTR] = pol_client_wants_ctr(&c->cl);
	for (i = 0; i < nitems(wants); i++)
		if (wants[i] != (i == (size_t)c->kind))
			fail_msg("%s: pol_client_wants_%s is %s", c->name,
			    i == KIND_KERNEL ? "kernel" :
			    i == KIND_CERT   ? "cert" :
			                       "ctr",
			    wants[i] ? "true" : "false");
	if (!pol_client_matches(&c->cl, c->holds))
		fail_msg("%s: does not match the caller it was written for", c->name);
	if (pol_client_matches(&c->cl, NULL))
		fail_msg("%s: matches a NULL caller", c->name);
	for (i = 0; i < nitems(lacking); i++) {
		const struct sw_ident *w = lacking[i];
		bool has = c->kind == KIND_KERNEL ? w->has_peercred :
		           c->kind == KIND_CERT   ? w->cert != NULL :
		                                    w->ctr != NULL;

		if (!has && pol_client_matches(&c->cl, w))
			fail_msg("%s: matches caller %zu, which has no %s", c->name, i,
			    c->kind == KIND_KERNEL ? "SO_PEERCRED" :
			    c->kind == KIND_CERT   ? "certificate" :
			                             "container");
	}
}

/* ---- pol_client_choose ---------------------------------------------------------------- */

/*
 * Listener 0 "tls": cert_cn alice -> policy 1, cert_uri spiffe ci -> 2.
 * Listener 1 "unix": uid 1000 -> 3, gid 100 -> 4 (a later entry alice also
 * satisfies), container_name traefik* -> 5; default 6.  Listener 2 "none"
 * has no entries; default 7.
 */
static struct sw_client_cfg choose_clients[] = {
	{ .cert_cn = "alice", .policy = 1 },
	{ .cert_uri = "spiffe://example.org/ci/*", .policy = 2 },
	{ .has_uid = true, .uid = 1000, .policy = 3 },
	{ .has_gid = true, .gid = 100, .policy = 4 },
	{ .container_name = "traefik*", .policy = 5, .owner = "proxies" },
};
static struct sw_listener_cfg choose_listeners[] = {
	{ .name = "tls", .policy = 0, .first_client = 0, .n_clients = 2 },
	{ .name = "unix", .policy = 6, .first_client = 2, .n_clients = 3 },
	{ .name = "none", .policy = 7, .first_client = 5, .n_clients = 0 },
};

struct choose_case {
	const char *name;
	size_t listener;
	const struct sw_ident *who;
	int policy;       /* -1: listener out of range */
	int entry;        /* index into choose_clients, -1: none */
	const char *rule; /* "" for an out-of-range listener */
};

static struct choose_case choose_cases[] = {
	{ "first entry", 0, &tls_alice, 1, 0, "clients[0]" },
	{ "a certificate neither entry takes: the default", 0, &tls_bare, 0, -1, "default" },
	{ "first of two that hold wins", 1, &unix_alice, 3, 2, "clients[0]" },
	{ "a later entry when the first fails", 1, &unix_bob, 4, 3, "clients[1]" },
	{ "container entry", 1, &in_traefik, 5, 4, "clients[2]" },
	{ "no entry holds: the default", 1, &unix_root, 6, -1, "default" },
	{ "NULL caller: the default", 1, NULL, 6, -1, "default" },
	{ "unidentified: no entry, though uid 1000 would hold", 1, &unix_unidentified, 6, -1,
	    "unidentified" },
	{ "a listener without entries", 2, &unix_alice, 7, -1, "default" },
	{ "listener out of range", 3, &unix_alice, -1, -1, "" },
};

/* A configuration of just these listeners and client entries. */
static void
config_of(struct sw_config *cfg, struct sw_listener_cfg *listeners, size_t n_listeners,
    struct sw_client_cfg *clients, size_t n_clients)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listeners = listeners;
	cfg->n_listeners = n_listeners;
	cfg->clients = clients;
	cfg->n_clients = n_clients;
}

static void
test_choose_row(void **state)
{
	const struct choose_case *c = *state;
	const struct sw_client_cfg *entry = &choose_clients[0];
	const struct sw_client_cfg *want = c->entry >= 0 ? &choose_clients[c->entry] : NULL;
	struct sw_config cfg;
	char rule[32];
	int got;

	config_of(&cfg, choose_listeners, nitems(choose_listeners), choose_clients,
	    nitems(choose_clients));
	memset(rule, 'x', sizeof(rule));
	got = pol_client_choose(&cfg, c->listener, c->who, &entry, rule, sizeof(rule));
	if (got != c->policy || entry != want || strcmp(rule, c->rule) != 0)
		fail_msg("%s: policy %d, entry %ld, rule \"%.*s\"; want %d, %d, \"%s\"", c->name,
		    got, entry != NULL ? (long)(entry - choose_clients) : -1L, (int)sizeof(rule),
		    rule, c->policy, c->entry, c->rule);
}

static void
test_choose_small_rule(void **state)
{
	const struct sw_client_cfg *entry;
	struct sw_config cfg;
	char rule[4];

	(void)state;
	config_of(&cfg, choose_listeners, nitems(choose_listeners), choose_clients,
	    nitems(choose_clients));
	/* The rule is only a name: cut short, the choice itself is the same. */
	assert_int_equal(pol_client_choose(&cfg, 1, &unix_bob, &entry, rule, sizeof(rule)), 4);
	assert_ptr_equal(entry, &choose_clients[3]);
	assert_string_equal(rule, "cli");
	assert_int_equal(pol_client_choose(NULL, 0, &unix_bob, &entry, rule, sizeof(rule)), -1);
	assert_null(entry);
}

/* ---- pol_listener_wants_container, pol_listener_wants_groups -------------------------- */

static void
test_listener_wants(void **state)
{
	static struct sw_client_cfg clients[] = {
		{ .has_uid = true, .uid = 1 },           /* listener 0 */
		{ .cert_cn = "alice" },                  /* listener 1 */
		{ .has_uid = true, .uid = 2 },           /* listener 2 */
		{ .container_label = "role=proxy" },     /* listener 2 */
		{ .container_image = "traefik:*" },      /* listener 3 */
		{ .container_name = "x", .has_gid = 1 }, /* listener 4 */
		{ .has_uid = true, .uid = 3 },           /* listener 5 */
		{ .has_gid = true, .gid = 100 },         /* listener 5 */
	};
	static struct sw_listener_cfg listeners[] = {
		{ .name = "uid-only", .first_client = 0, .n_clients = 1 },
		{ .name = "tls", .first_client = 1, .n_clients = 1 },
		{ .name = "second-entry", .first_client = 2, .n_clients = 2 },
		{ .name = "image", .first_client = 4, .n_clients = 1 },
		{ .name = "name-and-gid", .first_client = 5, .n_clients = 1 },
		{ .name = "gid-second", .first_client = 6, .n_clients = 2 },
		{ .name = "no-clients", .first_client = 8, .n_clients = 0 },
	};
	static const bool want_ctr[] = { false, false, true, true, true, false, false };
	static const bool want_groups[] = { false, false, false, false, true, true, false };
	struct sw_config cfg;
	size_t i;

	(void)state;
	config_of(&cfg, listeners, nitems(listeners), clients, nitems(clients));
	for (i = 0; i < nitems(listeners); i++) {
		if (pol_listener_wants_container(&cfg, i) != want_ctr[i])
			fail_msg("listener %s: wants_container is %d, want %d", listeners[i].name,
			    !want_ctr[i], want_ctr[i]);
		if (pol_listener_wants_groups(&cfg, i) != want_groups[i])
			fail_msg("listener %s: wants_groups is %d, want %d", listeners[i].name,
			    !want_groups[i], want_groups[i]);
	}
	if (pol_listener_wants_container(&cfg, nitems(listeners)) ||
	    pol_listener_wants_groups(&cfg, nitems(listeners)))
		fail_msg("a listener index out of range wants containers or groups");
	if (pol_listener_wants_container(NULL, 0) || pol_listener_wants_groups(NULL, 0))
		fail_msg("a NULL configuration wants containers or groups");
}

/* ---- pol_owner_of ------------------------------------------------------------------- */

struct owner_case {
	const char *name;
	const char *owner; /* the entry's "owner:"; NULL: no entry (the listener default) */
	const struct sw_ident *who;
	size_t bufsz;
	const char *want;
};

static struct owner_case owner_cases[] = {
	{ "entry owner wins over everything", "ci-runners", &in_traefik, 64, "ci-runners" },
	{ "entry owner without a caller identity", "team:a@b", &nobody, 64, "team:a@b" },
	{ "container name first", NULL, &in_traefik, 64, "container:traefik-1" },
	{ "container over uid", "", &in_plain, 64, "container:ci-runner-7" },
	{ "certificate CN", NULL, &tls_alice, 64, "cn:alice" },
	{ "fingerprint without a CN", NULL, &tls_bare, 128, "sha256:" FP_BOB },
	{ "uid last", NULL, &unix_alice, 64, "uid:1000" },
	{ "uid 0", NULL, &unix_root, 64, "uid:0" },
	{ "no identity at all", NULL, &nobody, 64, "" },
	{ "NULL caller", NULL, NULL, 64, "" },
	{ "exactly fits", NULL, &unix_alice, sizeof("uid:1000"), "uid:1000" },
	{ "one byte short: nothing, never a prefix", NULL, &unix_alice, sizeof("uid:1000") - 1,
	    "" },
	{ "fingerprint does not fit", NULL, &tls_bare, 64, "" },
	{ "entry owner does not fit", "ci-runners", &unix_alice, 4, "" },
	{ "unidentified caller: none from its uid", NULL, &unix_unidentified, 64, "" },
	{ "unidentified caller: none even with an entry owner", "ci-runners", &unix_unidentified,
	    64, "" },
};

static void
test_owner_of_row(void **state)
{
	const struct owner_case *c = *state;
	struct sw_client_cfg cl;
	char buf[160];
	size_t n;

	memset(&cl, 0, sizeof(cl));
	if (c->owner != NULL)
		snprintf(cl.owner, sizeof(cl.owner), "%s", c->owner);
	memset(buf, 'x', sizeof(buf));
	n = pol_owner_of(c->owner != NULL ? &cl : NULL, c->who, buf, c->bufsz);
	if (memchr(buf, '\0', c->bufsz) == NULL)
		fail_msg("%s: not NUL-terminated within %zu bytes", c->name, c->bufsz);
	if (strcmp(buf, c->want) != 0 || n != strlen(c->want))
		fail_msg("%s: \"%s\" (%zu), want \"%s\"", c->name, buf, n, c->want);
	if (buf[c->bufsz] != 'x')
		fail_msg("%s: wrote past %zu bytes", c->name, c->bufsz);
}

static void
test_owner_of_empty_buffer(void **state)
{
	char buf[1] = { 'x' };

	(void)state;
	assert_int_equal(pol_owner_of(NULL, &unix_alice, buf, 0), 0);
	assert_int_equal(buf[0], 'x');
}

int
main(void)
{
	struct CMUnitTest tests[nitems(match_cases) + nitems(owner_cases) + nitems(key_cases) +
	                        nitems(choose_cases) + 3];
	size_t i, n = 0;

	for (i = 0; i < MANY_GROUPS; i++)
		many_groups[i] = (gid_t)(100000 + i);
	for (i = 0; i < nitems(match_cases); i++)
		tests[n++] = (struct CMUnitTest){ match_cases[i].name, test_client_matches_row,
			NULL, NULL, &match_cases[i] };
	for (i = 0; i < nitems(owner_cases); i++)
		tests[n++] = (struct CMUnitTest){ owner_cases[i].name, test_owner_of_row, NULL,
			NULL, &owner_cases[i] };
	for (i = 0; i < nitems(key_cases); i++)
		tests[n++] = (struct CMUnitTest){ key_cases[i].name, test_key_alone_row, NULL, NULL,
			&key_cases[i] };
	for (i = 0; i < nitems(choose_cases); i++)
		tests[n++] = (struct CMUnitTest){ choose_cases[i].name, test_choose_row, NULL, NULL,
			&choose_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_choose_small_rule);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_listener_wants);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_owner_of_empty_buffer);
	return _cmocka_run_group_tests("client_match", tests, n, NULL, NULL);
}
