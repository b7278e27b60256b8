/*
 * The identity a verified client certificate carries, as policy matchers see
 * it (include/sockwarden/ident.h).  Certificates come from clients, so every
 * name is checked before it can reach a glob, an audit line or a label: a
 * name with an embedded NUL ("alice\0.evil.test" would compare equal to
 * "alice" as a C string), invalid UTF-8 or control characters is left out,
 * and so is one that is too long.  Nothing is ever truncated: a cut name is
 * a different name, and it might match a pattern the real one does not.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_int.h"

/* A name found in the certificate, still in OpenSSL's memory. */
struct found_name {
	enum sw_san_type type;
	const unsigned char *p;
	size_t len;
};

/*
 * Code points that are not control characters but still hide or reorder
 * text in a log or a terminal: zero-width and bidirectional formatting
 * marks, the line and paragraph separators, and the byte-order mark.
 */
static bool
is_invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), printable. */
static bool
utf8_printable(const unsigned char *p, size_t len)
{
	size_t i = 0, k, n;
	uint32_t cp, min;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if ((cp >= 0x80 && cp <= 0x9f) || is_invisible(cp)) /* C1 controls */
			return false;
		i += n + 1;
	}
	return true;
}

/* SAN values are IA5Strings: printable ASCII only. */
static bool
ascii_printable(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* The last CN of the subject, as UTF-8 in *out (OPENSSL_free it); -1 when absent or unusable. */
static int
last_cn(X509 *x, unsigned char **out)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	int i, last = -1, len;

	*out = NULL;
	while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, last)) >= 0)
		last = i;
	if (last < 0)
		return -1;
	len = ASN1_STRING_to_UTF8(out, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, last)));
	if (len <= 0 || (size_t)len > TLS_IDENT_MAX_NAME || !utf8_printable(*out, (size_t)len)) {
		OPENSSL_free(*out);
		*out = NULL;
		return -1;
	}
	return len;
}

/* The DNS, email and URI names worth keeping, in certificate order; returns the count. */
static size_t
collect_sans(GENERAL_NAMES *gens, struct found_name *names, size_t max)
{
	size_t n = 0;
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(gens) && n < max; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_IA5STRING *s;
		enum sw_san_type type;

		switch (g->type) {
		case GEN_DNS:
			type = SW_SAN_DNS;
			s = g->d.dNSName;
			break;
		case GEN_EMAIL:
			type = SW_SAN_EMAIL;
			s = g->d.rfc822Name;
			break;
		case GEN_URI:
			type = SW_SAN_URI;
			s = g->d.uniformResourceIdentifier;
			break;
		default:
			continue; /* IP addresses, directory names, otherName: no matcher uses them
			           */
		}
		if (s == NULL || s->length <= 0 || (size_t)s->length > TLS_IDENT_MAX_NAME ||
		    !ascii_printable(s->data, (size_t)s->length))
			continue;
		names[n].type = type;
		names[n].p = s->data;
		names[n].len = (size_t)s->length;
		n++;
	}
	return n;
}

static bool
fingerprint(X509 *x, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		return false;
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[64] = '\0';
	return true;
}

/* Copy len bytes and a NUL at *dst; returns the copy. */
static const char *
pack(char **dst, const unsigned char *p, size_t len)
{
	char *s = *dst;

	memcpy(s, p, len);
	s[len] = '\0';
	*dst = s + len + 1;
	return s;
}

/*
 * Layout of the one allocation: the struct, the SAN array, then the strings
 * (CN first).  sizeof(struct sw_cert_ident) is a multiple of its alignment,
 * which is at least that of struct sw_san (both hold pointers).
 */
struct sw_cert_ident *
tlsm_cert_ident_new(X509 *peer)
{
	struct found_name names[TLS_IDENT_MAX_SANS];
	struct sw_cert_ident *ci = NULL;
	GENERAL_NAMES *gens;
	unsigned char *cn;
	struct sw_san *sans;
	size_t n = 0, i, size;
	char *strings;
	int cn_len;

	cn_len = last_cn(peer, &cn);
	gens = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
	if (gens != NULL)
		n = collect_sans(gens, names, nitems(names));
	size = sizeof(*ci) + n * sizeof(*sans) + (cn_len > 0 ? (size_t)cn_len + 1 : 0);
	for (i = 0; i < n; i++)
		size += names[i].len + 1;
	if ((ci = calloc(1, size)) == NULL)
		goto out;
	sans = (struct sw_san *)(ci + 1);
	strings = (char *)(sans + n);
	if (!fingerprint(peer, ci->fingerprint)) {
		free(ci);
		ci = NULL;
		goto out;
	}
	if (cn_len > 0)
		ci->cn = pack(&strings, cn, (size_t)cn_len);
	for (i = 0; i < n; i++) {
		sans[i].type = names[i].type;
		sans[i].value = pack(&strings, names[i].p, names[i].len);
	}
	ci->n_sans = n;
	ci->sans = n > 0 ? sans : NULL;
out:
	GENERAL_NAMES_free(gens);
	OPENSSL_free(cn);
	return ci;
}

void
tlsm_cert_ident_free(struct sw_cert_ident *ci)
{
	free(ci);
}
