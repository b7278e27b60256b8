/*
 * In-process test certificates (see tls_testcerts.h).  Included by the test
 * files that use it, after "sockwarden/compat.h".
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls_testcerts.h"

EVP_PKEY *
tc_key_new(void)
{
	return EVP_EC_gen("P-256");
}

EVP_PKEY *
tc_rsa_key_new(unsigned bits)
{
	return EVP_RSA_gen(bits);
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* Built by hand, not from a config string, so a value may hold a NUL. */
static int
add_sans(X509 *x, const struct tc_san *sans, size_t n)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	unsigned char ip[4];
	size_t i;
	int ok = -1;

	if (gens == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_STRING *s;
		size_t len = sans[i].len != 0 ? sans[i].len : strlen(sans[i].value);

		if (g == NULL)
			goto out;
		if (sans[i].type == GEN_IPADD) {
			unsigned a, b, c, d;

			if (sscanf(sans[i].value, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
				goto out;
			ip[0] = (unsigned char)a;
			ip[1] = (unsigned char)b;
			ip[2] = (unsigned char)c;
			ip[3] = (unsigned char)d;
			s = ASN1_OCTET_STRING_new();
			if (s == NULL || ASN1_OCTET_STRING_set(s, ip, 4) != 1)
				goto out;
		} else {
			s = ASN1_IA5STRING_new();
			if (s == NULL || ASN1_STRING_set(s, sans[i].value, (int)len) != 1)
				goto out;
		}
		GENERAL_NAME_set0_value(g, sans[i].type, s);
		if (sk_GENERAL_NAME_push(gens, g) == 0)
			goto out;
	}
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
out:
	GENERAL_NAMES_free(gens);
	return ok;
}

X509 *
tc_cert_new(const struct tc_spec *spec, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *name;
	size_t i;

	if (x == NULL)
		return NULL;
	name = X509_get_subject_name(x);
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), spec->serial) != 1 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), (int)spec->not_before_days, 0, NULL) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)spec->not_after_days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, key) != 1)
		goto err;
	if (spec->org != NULL && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	                             (const unsigned char *)spec->org, -1, -1, 0) != 1)
		goto err;
	for (i = 0; i < 3 && spec->cn[i] != NULL; i++)
		if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		        (const unsigned char *)spec->cn[i], -1, -1, 0) != 1)
			goto err;
	if (X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name) != 1)
		goto err;
	switch (spec->usage) {
	case TC_USAGE_CA:
		if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") == -1 ||
		    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") == -1 ||
		    add_ext(x, x, NID_subject_key_identifier, "hash") == -1)
			goto err;
		break;
	case TC_USAGE_SERVER:
	case TC_USAGE_CLIENT:
		if (add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
		    add_ext(x, issuer, NID_ext_key_usage,
		        spec->usage == TC_USAGE_SERVER ? "serverAuth" : "clientAuth") == -1)
			goto err;
		break;
	case TC_USAGE_NONE:
		break;
	}
	if (spec->n_sans > 0 && add_sans(x, spec->sans, spec->n_sans) == -1)
		goto err;
	if (X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) == 0)
		goto err;
	return x;
err:
	X509_free(x);
	return NULL;
}

X509_CRL *
tc_crl_new(X509 *ca, EVP_PKEY *ca_key, const long *serials, size_t n, long last_update_days,
    long next_update_days)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = NULL, *next = NULL;
	size_t i;

	if (crl == NULL)
		return NULL;
	last = X509_time_adj_ex(NULL, (int)last_update_days, 0, NULL);
	next = X509_time_adj_ex(NULL, (int)next_update_days, 0, NULL);
	if (last == NULL || next == NULL || X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, last) != 1 || X509_CRL_set1_nextUpdate(crl, next) != 1)
		goto err;
	for (i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *serial = ASN1_INTEGER_new();
		bool ok = r != NULL && serial != NULL &&
		          ASN1_INTEGER_set(serial, serials[i]) == 1 &&
		          X509_REVOKED_set_serialNumber(r, serial) == 1 &&
		          X509_REVOKED_set_revocationDate(r, last) == 1 &&
		          X509_CRL_add0_revoked(crl, r) == 1;

		ASN1_INTEGER_free(serial);
		if (!ok) {
			X509_REVOKED_free(r);
			goto err;
		}
	}
	if (X509_CRL_sort(crl) != 1 || X509_CRL_sign(crl, ca_key, EVP_sha256()) == 0)
		goto err;
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	return crl;
err:
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	return NULL;
}

static FILE *
open_mode(const char *path, unsigned mode)
{
	FILE *f = fopen(path, "w");

	if (f != NULL && chmod(path, (mode_t)mode) == -1) {
		fclose(f);
		return NULL;
	}
	return f;
}

int
tc_write_certs(const char *path, X509 *const *certs, size_t n, unsigned mode)
{
	FILE *f = open_mode(path, mode);
	size_t i;
	int ok = 0;

	if (f == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (PEM_write_X509(f, certs[i]) != 1)
			ok = -1;
	return fclose(f) == 0 ? ok : -1;
}

int
tc_write_key(const char *path, EVP_PKEY *key, const char *pass, unsigned mode)
{
	const EVP_CIPHER *enc = pass != NULL ? EVP_aes_256_cbc() : NULL;
	int passlen = pass != NULL ? (int)strlen(pass) : 0;
	FILE *f = open_mode(path, mode);
	int ok;

	if (f == NULL)
		return -1;
	/* Given a passphrase and no callback, PEM_write_PrivateKey uses it as it is. */
	ok = PEM_write_PrivateKey(f, key, enc, (const unsigned char *)pass, passlen, NULL, NULL);
	ok = ok == 1 ? 0 : -1;
	return fclose(f) == 0 ? ok : -1;
}

int
tc_write_crls(const char *path, X509_CRL *const *crls, size_t n, unsigned mode)
{
	FILE *f = open_mode(path, mode);
	size_t i;
	int ok = 0;

	if (f == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (PEM_write_X509_CRL(f, crls[i]) != 1)
			ok = -1;
	return fclose(f) == 0 ? ok : -1;
}

static int
put_text(FILE *f, const char *text)
{
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0 ? 0 : -1;
	return fclose(f) == 0 ? ok : -1;
}

int
tc_write_text(const char *path, const char *text, unsigned mode)
{
	return put_text(open_mode(path, mode), text);
}

int
tc_append_text(const char *path, const char *text)
{
	return put_text(fopen(path, "a"), text);
}
