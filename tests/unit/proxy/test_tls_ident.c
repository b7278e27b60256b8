/*
 * tlsm_cert_ident_new(): what a client certificate contributes to the
 * caller's identity.  Certificates are made in-process, one per row.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tls_int.h"
#include "tls_testcerts.h"

#include "tls_testcerts.c"

#define MAX_WANT 8

struct want_san {
	enum sw_san_type type;
	const char *value;
};

struct ident_case {
	const char *name;
	const char *cn[3];
	struct tc_san sans[8];
	size_t n_sans;
	size_t gen_dns;      /* then this many generated DNS SANs n0.gen.test, n1.gen.test, ... */
	size_t gen_uri_len;  /* then one URI SAN of exactly this many bytes; 0: none */
	const char *want_cn; /* NULL: no CN expected */
	struct want_san want[MAX_WANT];
	size_t n_want;  /* SANs checked one by one, in order */
	size_t n_total; /* expected n_sans; 0: n_want */
};

static struct ident_case cases[] = {
	{
	    .name = "CN and every SAN type, in certificate order",
	    .cn = { "alice" },
	    .sans = { { GEN_DNS, "a.example.test", 0 }, { GEN_EMAIL, "alice@example.test", 0 },
	        { GEN_URI, "spiffe://example.test/team-a/alice", 0 }, { GEN_IPADD, "127.0.0.1", 0 },
	        { GEN_DNS, "b.example.test", 0 } },
	    .n_sans = 5,
	    .want_cn = "alice",
	    .want = { { SW_SAN_DNS, "a.example.test" }, { SW_SAN_EMAIL, "alice@example.test" },
	        { SW_SAN_URI, "spiffe://example.test/team-a/alice" },
	        { SW_SAN_DNS, "b.example.test" } },
	    .n_want = 4,
	},
	{
	    .name = "SAN with an embedded NUL is dropped",
	    .cn = { "mallory" },
	    .sans = { { GEN_DNS, "good.test\0.evil.test", 20 }, { GEN_DNS, "ok.test", 0 },
	        { GEN_URI, "spiffe://example.test/a\0b", 25 }, { GEN_EMAIL, "m@x.test", 0 } },
	    .n_sans = 4,
	    .want_cn = "mallory",
	    .want = { { SW_SAN_DNS, "ok.test" }, { SW_SAN_EMAIL, "m@x.test" } },
	    .n_want = 2,
	},
	{
	    .name = "no CN: SANs only",
	    .sans = { { GEN_URI, "spiffe://example.test/ci/runner", 0 } },
	    .n_sans = 1,
	    .want_cn = NULL,
	    .want = { { SW_SAN_URI, "spiffe://example.test/ci/runner" } },
	    .n_want = 1,
	},
	{
	    .name = "no CN and no SAN extension",
	    .want_cn = NULL,
	},
	{
	    .name = "the last of several CNs",
	    .cn = { "first", "second", "third" },
	    .want_cn = "third",
	},
	{
	    .name = "UTF-8 CN kept as UTF-8",
	    .cn = { "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac" },
	    .want_cn = "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac",
	},
	{
	    .name = "CN with a control character is dropped",
	    .cn = { "bad\x01name" },
	    .sans = { { GEN_DNS, "fine.test", 0 } },
	    .n_sans = 1,
	    .want_cn = NULL,
	    .want = { { SW_SAN_DNS, "fine.test" } },
	    .n_want = 1,
	},
	{
	    .name = "CN with a bidi override is dropped",
	    .cn = { "alice\xe2\x80\xae"
	            "ecila" },
	    .want_cn = NULL,
	},
	{
	    .name = "CN with a newline is dropped",
	    .cn = { "alice\nadmin" },
	    .want_cn = NULL,
	},
	{
	    .name = "non-ASCII and control bytes in SANs are dropped",
	    .cn = { "carol" },
	    .sans = { { GEN_DNS, "caf\xc3\xa9.test", 0 }, { GEN_EMAIL, "c\tarol@x.test", 0 },
	        { GEN_URI, "spiffe://example.test/\x7f", 0 }, { GEN_DNS, "", 0 },
	        { GEN_DNS, "carol.test", 0 } },
	    .n_sans = 5,
	    .want_cn = "carol",
	    .want = { { SW_SAN_DNS, "carol.test" } },
	    .n_want = 1,
	},
	{
	    .name = "SAN count is capped, first ones kept",
	    .cn = { "many" },
	    .sans = { { GEN_URI, "spiffe://example.test/first", 0 } },
	    .n_sans = 1,
	    .gen_dns = TLS_IDENT_MAX_SANS + 10,
	    .want_cn = "many",
	    .want = { { SW_SAN_URI, "spiffe://example.test/first" }, { SW_SAN_DNS, "n0.gen.test" },
	        { SW_SAN_DNS, "n1.gen.test" } },
	    .n_want = 3,
	    .n_total = TLS_IDENT_MAX_SANS,
	},
	{
	    .name = "URI of the maximum length is kept",
	    .cn = { "long" },
	    .gen_uri_len = TLS_IDENT_MAX_NAME,
	    .want_cn = "long",
	    .n_total = 1,
	},
	{
	    .name = "URI one byte too long is dropped, not truncated",
	    .cn = { "long" },
	    .gen_uri_len = TLS_IDENT_MAX_NAME + 1,
	    .want_cn = "long",
	    .n_total = 0,
	},
};

static EVP_PKEY *key; /* one key for every row: only the names differ */

static int
group_setup(void **state)
{
	(void)state;
	key = tc_key_new();
	return key == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

/* The row's SANs plus the generated ones, in a heap array (names are leaked into *names). */
static struct tc_san *
row_sans(const struct ident_case *c, size_t *n, char **names)
{
	size_t total = c->n_sans + c->gen_dns + (c->gen_uri_len > 0), i, k;
	struct tc_san *sans = calloc(total + 1, sizeof(*sans));
	char *p;

	*names = calloc(c->gen_dns * 24 + c->gen_uri_len + 1, 1);
	assert_non_null(sans);
	assert_non_null(*names);
	p = *names;
	memcpy(sans, c->sans, c->n_sans * sizeof(*sans));
	k = c->n_sans;
	for (i = 0; i < c->gen_dns; i++, k++) {
		int len = snprintf(p, 24, "n%zu.gen.test", i);

		sans[k].type = GEN_DNS;
		sans[k].value = p;
		p += len + 1;
	}
	if (c->gen_uri_len > 0) {
		memcpy(p, "spiffe://example.test/", 22);
		memset(p + 22, 'x', c->gen_uri_len - 22);
		sans[k].type = GEN_URI;
		sans[k].value = p;
		sans[k].len = c->gen_uri_len;
		k++;
	}
	*n = k;
	return sans;
}

/* SHA-256 of the DER encoding, computed apart from tls_ident.c's X509_digest(). */
static void
expected_fingerprint(X509 *x, char hex[65])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0, i;
	int len = i2d_X509(x, &der);

	assert_true(len > 0);
	assert_int_equal(EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL), 1);
	OPENSSL_free(der);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void
test_tls_ident_row(void **state)
{
	const struct ident_case *c = *state;
	struct tc_spec spec = {
		.usage = TC_USAGE_CLIENT, .not_before_days = -1, .not_after_days = 30, .serial = 7
	};
	struct sw_cert_ident *ci;
	struct tc_san *sans;
	char *names, fp[65];
	size_t n, i, want_total = c->n_total != 0 || c->gen_uri_len > 0 ? c->n_total : c->n_want;
	X509 *x;

	memcpy(spec.cn, c->cn, sizeof(spec.cn));
	sans = row_sans(c, &n, &names);
	spec.sans = sans;
	spec.n_sans = n;
	x = tc_cert_new(&spec, key, NULL, NULL);
	if (x == NULL)
		fail_msg("case \"%s\": could not make the certificate", c->name);
	ci = tlsm_cert_ident_new(x);
	if (ci == NULL)
		fail_msg("case \"%s\": tlsm_cert_ident_new returned NULL", c->name);

	if (c->want_cn == NULL && ci->cn != NULL)
		fail_msg("case \"%s\": cn \"%s\", want none", c->name, ci->cn);
	if (c->want_cn != NULL && (ci->cn == NULL || strcmp(ci->cn, c->want_cn) != 0))
		fail_msg("case \"%s\": cn \"%s\", want \"%s\"", c->name,
		    ci->cn != NULL ? ci->cn : "(none)", c->want_cn);
	if (ci->n_sans != want_total)
		fail_msg("case \"%s\": %zu SANs, want %zu", c->name, ci->n_sans, want_total);
	if ((ci->n_sans == 0) != (ci->sans == NULL))
		fail_msg("case \"%s\": sans pointer and count disagree", c->name);
	for (i = 0; i < c->n_want; i++) {
		if (ci->sans[i].type != c->want[i].type ||
		    strcmp(ci->sans[i].value, c->want[i].value) != 0)
			fail_msg("case \"%s\": SAN %zu is (%d, \"%s\"), want (%d, \"%s\")", c->name,
			    i, ci->sans[i].type, ci->sans[i].value, c->want[i].type,
			    c->want[i].value);
	}
	if (c->gen_uri_len > 0 && want_total == 1 &&
	    (ci->sans[0].type != SW_SAN_URI || strlen(ci->sans[0].value) != c->gen_uri_len))
		fail_msg("case \"%s\": long URI came back changed (%zu bytes)", c->name,
		    strlen(ci->sans[0].value));
	for (i = 0; i < ci->n_sans; i++)
		if (strlen(ci->sans[i].value) == 0 ||
		    strlen(ci->sans[i].value) > TLS_IDENT_MAX_NAME)
			fail_msg("case \"%s\": SAN %zu has length %zu", c->name, i,
			    strlen(ci->sans[i].value));

	expected_fingerprint(x, fp);
	if (strcmp(ci->fingerprint, fp) != 0)
		fail_msg("case \"%s\": fingerprint %s, want %s", c->name, ci->fingerprint, fp);
	for (i = 0; i < 64; i++)
		if (!((fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'a' && fp[i] <= 'f')))
			fail_msg("case \"%s\": fingerprint is not lowercase hex", c->name);

	tlsm_cert_ident_free(ci);
	X509_free(x);
	free(sans);
	free(names);
}

/* Everything lives in the one allocation: strings point inside it. */
static void
test_tls_ident_one_allocation(void **state)
{
	struct tc_san sans[] = { { GEN_DNS, "a.test", 0 }, { GEN_URI, "spiffe://t/x", 0 } };
	struct tc_spec spec = { .cn = { "alice" },
		.sans = sans,
		.n_sans = 2,
		.usage = TC_USAGE_CLIENT,
		.not_before_days = -1,
		.not_after_days = 1,
		.serial = 1 };
	struct sw_cert_ident *ci;
	const char *lo, *hi;
	X509 *x;
	size_t i;

	(void)state;
	x = tc_cert_new(&spec, key, NULL, NULL);
	assert_non_null(x);
	ci = tlsm_cert_ident_new(x);
	assert_non_null(ci);
	X509_free(x); /* nothing may point into the certificate */
	lo = (const char *)ci;
	hi = lo + sizeof(*ci) + ci->n_sans * sizeof(struct sw_san) + 64;
	if (ci->cn < lo || ci->cn >= hi || (const char *)ci->sans < lo ||
	    (const char *)ci->sans >= hi)
		fail_msg("cn or sans point outside the allocation");
	for (i = 0; i < ci->n_sans; i++)
		if (ci->sans[i].value < lo || ci->sans[i].value >= hi)
			fail_msg("SAN %zu points outside the allocation", i);
	assert_string_equal(ci->cn, "alice");
	assert_string_equal(ci->sans[1].value, "spiffe://t/x");
	tlsm_cert_ident_free(ci);
	tlsm_cert_ident_free(NULL);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(cases) + 1];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(test_tls_ident_row, &cases[i]);

		t.name = cases[i].name;
		tests[i] = t;
	}
	tests[i] = (struct CMUnitTest)cmocka_unit_test(test_tls_ident_one_allocation);
	return _cmocka_run_group_tests(
	    "tls_ident", tests, nitems(tests), group_setup, group_teardown);
}
