/*
 * Certificates made in-process for the TLS unit tests (OpenSSL API only, no
 * files from the tree, no openssl CLI).  Keys are P-256 (fast to generate)
 * unless a test asks for RSA.
 * tests/CMakeLists.txt builds one binary per test_*.c, so a test using these
 * includes tls_testcerts.c after this header.
 */
#ifndef SW_TLS_TESTCERTS_H
#define SW_TLS_TESTCERTS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* One subject alternative name; len 0 means strlen(value) (set it to embed a NUL). */
struct tc_san {
	int type; /* GEN_DNS, GEN_EMAIL, GEN_URI or GEN_IPADD (value: dotted quad) */
	const char *value;
	size_t len;
};

enum tc_usage {
	TC_USAGE_NONE = 0,
	TC_USAGE_CA,
	TC_USAGE_SERVER,
	TC_USAGE_CLIENT,
};

struct tc_spec {
	const char *cn[3]; /* subject CNs in order; NULL ends (cn[0] NULL: no CN at all) */
	const char *org;   /* O= before the CNs; NULL: none */
	const struct tc_san *sans;
	size_t n_sans;
	enum tc_usage usage;
	long not_before_days; /* relative to now; may be negative */
	long not_after_days;
	long serial;
};

EVP_PKEY *tc_key_new(void);
/* An RSA key of "bits" bits (slow: keep to a few); below 2048 is what security level 2 refuses. */
EVP_PKEY *tc_rsa_key_new(unsigned bits);
/* A certificate for "key" signed by issuer/issuer_key (both NULL: self-signed). */
X509 *tc_cert_new(const struct tc_spec *spec, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key);
/*
 * A CRL of "ca" revoking the serials given, issued (lastUpdate) and due
 * (nextUpdate) that many days from now: negative is the past.
 */
X509_CRL *tc_crl_new(X509 *ca, EVP_PKEY *ca_key, const long *serials, size_t n,
    long last_update_days, long next_update_days);

/*
 * PEM files; "mode" is applied with chmod.  0 on success.  A key with a
 * "pass" (not NULL) is encrypted with it (PKCS#8, AES-256-CBC).
 */
int tc_write_certs(const char *path, X509 *const *certs, size_t n, unsigned mode);
int tc_write_key(const char *path, EVP_PKEY *key, const char *pass, unsigned mode);
int tc_write_crls(const char *path, X509_CRL *const *crls, size_t n, unsigned mode);
int tc_write_text(const char *path, const char *text, unsigned mode);
/* Appends "text" as it is (no newline added); the file keeps its mode. */
int tc_append_text(const char *path, const char *text);

#endif
