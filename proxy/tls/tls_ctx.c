/*
 * TLS contexts: what a listener offers and demands (mutual TLS), and how we
 * check the daemon when the upstream is tcp:// with TLS.  Files are read
 * whole, once per (re)load, by the program's sw_file_read() (through
 * tlsm_host; sockwarden/file.h), which checks owner, mode and type on the
 * descriptor it reads from (no race between stat and open); errors name the
 * setting and the file.
 */
#include "sockwarden/compat.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sockwarden/file.h"

#include "tls_int.h"

/* Larger than any sane PEM bundle; a bigger "certificate" is a wrong path. */
#define TLS_FILE_MAX (4u * 1024 * 1024)

/*
 * TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only, AES-GCM first
 * (hardware support), ChaCha20 for clients without it.  TLS 1.3 suites are
 * all AEAD; we only pin the set so a system-wide config cannot add CCM.
 */
#define TLS12_CIPHERS                                                \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_SUITES "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
#define TLS_GROUPS   "X25519:P-256:P-384"

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	/* client: the daemon's DNS name, sent as SNI; "" for listeners and IP addresses */
	char sni[SW_NAME_MAX * 4];
};

/*
 * What each setting's file is.  sw_file_read() refuses any of them that
 * someone other than root or us could have written: certificates, CAs and
 * CRLs are public, but they decide whom we trust (a CA bundle anyone can
 * write lets them mint client identities).  A key is also a secret: others
 * who can read it can impersonate us.
 */
static const struct sw_file_rules cert_file = { "the certificate", TLS_FILE_MAX, false };
static const struct sw_file_rules key_file = { "the private key", TLS_FILE_MAX, true };
static const struct sw_file_rules ca_file = { "the CA bundle", TLS_FILE_MAX, false };
static const struct sw_file_rules crl_file = { "the CRL", TLS_FILE_MAX, false };

const char *
tlsm_ossl_reason(void)
{
	unsigned long e = ERR_peek_error();
	const char *r = NULL;

	if (e != 0 && ERR_SYSTEM_ERROR(e))
		r = strerror(ERR_GET_REASON(e));
	else if (e != 0)
		r = ERR_reason_error_string(e);
	return r != NULL ? r : "unknown OpenSSL error";
}

static void
ossl_fail(char *err, size_t errsz, const char *what, const char *path, const char *doing)
{
	snprintf(err, errsz, "%s %s: %s: %s", what, path, doing, tlsm_ossl_reason());
	ERR_clear_error();
}

/*
 * Read "path" whole into *f and open a memory BIO on it; "what" names the
 * setting in messages.  The caller frees the BIO, then releases f.  NULL
 * with err set and f released.
 */
static BIO *
file_bio(const char *what, const char *path, const struct sw_file_rules *rules, struct sw_file *f,
    char *err, size_t errsz)
{
	char why[256];
	BIO *b;

	if (tlsm_host->file_read(path, rules, f, why, sizeof(why)) == -1) {
		snprintf(err, errsz, "%s %s: %s", what, path, why);
		return NULL;
	}
	if (f->len == 0) {
		tlsm_host->file_release(f);
		snprintf(err, errsz, "%s %s: empty", what, path);
		return NULL;
	}
	/* TLS_FILE_MAX keeps the length well inside an int. */
	if ((b = BIO_new_mem_buf(f->buf, (int)f->len)) == NULL) {
		ossl_fail(err, errsz, what, path, "reading");
		tlsm_host->file_release(f);
	}
	return b;
}

/*
 * The reads stopped at the end of the data, not at a certificate that does
 * not decode.  OpenSSL skips text and PEM blocks of other types on the way,
 * so this is not a check of what else the file holds.
 */
static bool
pem_at_end(void)
{
	unsigned long e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		return true;
	}
	return false;
}

/* cfg->cert: the leaf first, then the intermediates the peer needs. */
static int
load_chain(SSL_CTX *sc, const char *path, char *err, size_t errsz)
{
	struct sw_file f;
	X509 *x;
	BIO *b;
	int rc = -1;

	if ((b = file_bio("cert", path, &cert_file, &f, err, errsz)) == NULL)
		return -1;
	if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		ossl_fail(err, errsz, "cert", path, "no certificate");
		goto out;
	}
	if (SSL_CTX_use_certificate(sc, x) != 1) {
		X509_free(x);
		ossl_fail(err, errsz, "cert", path, "certificate refused");
		goto out;
	}
	X509_free(x);
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add0_chain_cert(sc, x) != 1) {
			X509_free(x);
			ossl_fail(err, errsz, "cert", path, "chain certificate refused");
			goto out;
		}
	}
	if (!pem_at_end()) {
		ossl_fail(err, errsz, "cert", path, "bad chain certificate");
		goto out;
	}
	rc = 0;
out:
	BIO_free(b);
	tlsm_host->file_release(&f);
	return rc;
}

/* Never prompt on a terminal for a passphrase: note that one was wanted. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)arg = true;
	return -1;
}

static int
load_key(SSL_CTX *sc, const char *path, const char *cert, char *err, size_t errsz)
{
	struct sw_file f;
	EVP_PKEY *pk = NULL;
	bool encrypted = false;
	BIO *b;
	int rc = -1;

	if ((b = file_bio("key", path, &key_file, &f, err, errsz)) == NULL)
		return -1;
	if ((pk = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, &encrypted)) == NULL) {
		if (encrypted) {
			snprintf(err, errsz, "key %s: encrypted keys are not supported", path);
			ERR_clear_error();
		} else {
			ossl_fail(err, errsz, "key", path, "no private key");
		}
		goto out;
	}
	if (X509_check_private_key(SSL_CTX_get0_certificate(sc), pk) != 1) {
		snprintf(err, errsz, "key %s: does not match the certificate in %s", path, cert);
		ERR_clear_error();
		goto out;
	}
	if (SSL_CTX_use_PrivateKey(sc, pk) != 1) {
		ossl_fail(err, errsz, "key", path, "key refused");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(b);
	tlsm_host->file_release(&f);
	return rc;
}

/*
 * The certificates and CRLs of a PEM file (a CA bundle or a CRL file), for
 * the caller to free with sk_X509_INFO_pop_free(infos, X509_INFO_free); NULL
 * with err set.
 */
static STACK_OF(X509_INFO) *
load_pem_infos(
    const char *what, const char *path, const struct sw_file_rules *rules, char *err, size_t errsz)
{
	STACK_OF(X509_INFO) *infos = NULL;
	struct sw_file f;
	BIO *b;

	if ((b = file_bio(what, path, rules, &f, err, errsz)) == NULL)
		return NULL;
	if ((infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL)) == NULL)
		ossl_fail(err, errsz, what, path, "bad PEM");
	BIO_free(b);
	tlsm_host->file_release(&f);
	return infos;
}

/*
 * The CAs we trust for the peer's chain.  A server also sends their names
 * in its certificate request, so a client holding several certificates can
 * pick the right one.
 */
static int
load_ca(SSL_CTX *sc, const char *path, bool advertise, char *err, size_t errsz)
{
	X509_STORE *store = SSL_CTX_get_cert_store(sc);
	STACK_OF(X509_INFO) *infos = NULL;
	int i, n = 0, rc = -1;

	if ((infos = load_pem_infos("ca", path, &ca_file, err, errsz)) == NULL)
		return -1;
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509 *x = sk_X509_INFO_value(infos, i)->x509;

		if (x == NULL)
			continue;
		if (X509_STORE_add_cert(store, x) != 1 ||
		    (advertise && SSL_CTX_add_client_CA(sc, x) != 1)) {
			ossl_fail(err, errsz, "ca", path, "certificate refused");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errsz, "ca %s: no certificate found", path);
		goto out;
	}
	rc = 0;
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return rc;
}

/*
 * Revocation lists.  CRL_CHECK_ALL checks every certificate of the chain,
 * not only the leaf, so a revoked intermediate is caught too.  It needs a
 * CRL from every CA that issued a certificate in the chain: with a single
 * CA its one CRL covers both checks, and with intermediates a missing CRL
 * fails the handshake ("CRL unavailable") rather than passing unchecked.
 * An expired CRL would fail every handshake, so it is refused here, where
 * the running context can still be kept.
 */
static int
load_crl(SSL_CTX *sc, const char *path, char *err, size_t errsz)
{
	X509_STORE *store = SSL_CTX_get_cert_store(sc);
	STACK_OF(X509_INFO) *infos = NULL;
	int i, n = 0, rc = -1;

	if ((infos = load_pem_infos("crl", path, &crl_file, err, errsz)) == NULL)
		return -1;
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_CRL *crl = sk_X509_INFO_value(infos, i)->crl;
		const ASN1_TIME *next;

		if (crl == NULL)
			continue;
		/* Either would fail every handshake with a client certificate: refuse it now. */
		next = X509_CRL_get0_nextUpdate(crl);
		if (next != NULL && X509_cmp_current_time(next) < 0) {
			snprintf(err, errsz, "crl %s: a CRL in it has expired (nextUpdate passed)",
			    path);
			goto out;
		}
		if (X509_cmp_current_time(X509_CRL_get0_lastUpdate(crl)) > 0) {
			snprintf(err, errsz,
			    "crl %s: a CRL in it is not valid yet (lastUpdate is in the future: "
			    "check the clock)",
			    path);
			goto out;
		}
		if (X509_STORE_add_crl(store, crl) != 1) {
			ossl_fail(err, errsz, "crl", path, "CRL refused");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errsz, "crl %s: no CRL found", path);
		goto out;
	}
	X509_VERIFY_PARAM_set_flags(
	    SSL_CTX_get0_param(sc), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	rc = 0;
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return rc;
}

/*
 * What both roles share: versions, suites, no state kept across connections,
 * and how every connection made from the context does its I/O.
 */
static SSL_CTX *
ctx_base(const SSL_METHOD *method, char *err, size_t errsz)
{
	static char groups[] = TLS_GROUPS; /* the OpenSSL macro casts away const */
	SSL_CTX *sc;

	ERR_clear_error();
	if ((sc = SSL_CTX_new(method)) == NULL) {
		snprintf(err, errsz, "creating a TLS context: %s", tlsm_ossl_reason());
		ERR_clear_error();
		return NULL;
	}
	/*
	 * Level 2: RSA and DH keys of 2048 bits or more, ECC of 224 or more, no
	 * SHA-1 signatures, whatever the system-wide openssl.cnf says.
	 */
	SSL_CTX_set_security_level(sc, 2);
	/*
	 * No renegotiation (a client-triggered CPU sink, and a way to change
	 * identity mid-connection); no compression (CRIME); no session tickets
	 * or cache: resumption would skip the certificate checks of a reloaded
	 * CA or CRL, and Docker clients open few, long connections.
	 */
	SSL_CTX_set_options(sc, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
	                            SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(sc, 0);
	/*
	 * Partial writes: SSL_write returns after each record, so the output
	 * drains record by record.  Moving buffer: a refused write is offered
	 * again from wherever the evbuffer keeps those bytes by then.  Read
	 * ahead: one read(2) per record instead of two (header, then body).
	 */
	SSL_CTX_set_mode(sc, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_read_ahead(sc, 1);
	/*
	 * A TCP EOF without close_notify is an ordinary EOF here.  Docker
	 * clients half-close a hijacked stream with shutdown(SHUT_WR) and no
	 * alert, then wait for the rest of the output, which OpenSSL could not
	 * send any more if it treated that EOF as fatal.  Accepting it lets a
	 * network attacker cut a stream short, which a reset could do as well:
	 * it cannot add or change bytes.  HTTP bodies carry their own length,
	 * so a cut request or response is still seen as incomplete.
	 */
	SSL_CTX_set_options(sc, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_set_min_proto_version(sc, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(sc, 0) != 1 ||
	    SSL_CTX_set_cipher_list(sc, TLS12_CIPHERS) != 1 ||
	    SSL_CTX_set_ciphersuites(sc, TLS13_SUITES) != 1 ||
	    SSL_CTX_set1_groups_list(sc, groups) != 1) {
		snprintf(err, errsz, "setting TLS versions and ciphers: %s", tlsm_ossl_reason());
		ERR_clear_error();
		SSL_CTX_free(sc);
		return NULL;
	}
	return sc;
}

static struct tls_ctx *
ctx_wrap(SSL_CTX *sc)
{
	struct tls_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	ctx->ssl_ctx = sc;
	return ctx;
}

struct tls_ctx *
tlsm_server_ctx_new(const struct sw_tls_cfg *cfg, char *err, size_t errsz)
{
	static const unsigned char sid_ctx[] = "sockwarden";
	struct tls_ctx *ctx;
	SSL_CTX *sc;
	int mode;

	if (cfg->cert[0] == '\0' || cfg->key[0] == '\0') {
		snprintf(err, errsz, "a TLS listener needs both cert and key");
		return NULL;
	}
	if (cfg->client_certs != SW_CERTS_NONE && cfg->ca[0] == '\0') {
		snprintf(err, errsz,
		    "client certificates are asked for but no ca is set to verify them");
		return NULL;
	}
	if ((sc = ctx_base(TLS_server_method(), err, errsz)) == NULL)
		return NULL;
	if (load_chain(sc, cfg->cert, err, errsz) == -1 ||
	    load_key(sc, cfg->key, cfg->cert, err, errsz) == -1)
		goto err_free;
	if (cfg->ca[0] != '\0' &&
	    load_ca(sc, cfg->ca, cfg->client_certs != SW_CERTS_NONE, err, errsz) == -1)
		goto err_free;
	if (cfg->crl[0] != '\0' && load_crl(sc, cfg->crl, err, errsz) == -1)
		goto err_free;
	switch (cfg->client_certs) {
	case SW_CERTS_NONE:
		mode = SSL_VERIFY_NONE;
		break;
	case SW_CERTS_OPTIONAL:
		mode = SSL_VERIFY_PEER; /* a certificate that is sent must verify */
		break;
	case SW_CERTS_REQUIRED:
	default:
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		break;
	}
	SSL_CTX_set_verify(sc, mode, NULL);
	/* Required with client verification whenever a session could be resumed; harmless here. */
	SSL_CTX_set_session_id_context(sc, sid_ctx, sizeof(sid_ctx) - 1);
	if ((ctx = ctx_wrap(sc)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto err_free;
	}
	return ctx;

err_free:
	SSL_CTX_free(sc);
	return NULL;
}

/*
 * The name the daemon's certificate must carry, for every connection made
 * from ctx: "host" (without the brackets of an IPv6 literal) among its DNS
 * SANs, or among its IP SANs when it is an address.  A DNS name is also the
 * SNI (ctx->sni); an address is not (RFC 6066: SNI carries host names only).
 * 0, or -1 when the name is empty, too long or refused by OpenSSL.
 */
static int
set_peer_name(struct tls_ctx *ctx, const char *host)
{
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx->ssl_ctx);
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len = strlen(host);
	int rc;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(ctx->sni))
		return -1;
	memcpy(ctx->sni, host, len);
	ctx->sni[len] = '\0';
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (inet_pton(AF_INET, ctx->sni, addr) == 1 || inet_pton(AF_INET6, ctx->sni, addr) == 1) {
		rc = X509_VERIFY_PARAM_set1_ip_asc(vp, ctx->sni);
		ctx->sni[0] = '\0';
	} else {
		rc = X509_VERIFY_PARAM_set1_host(vp, ctx->sni, len);
	}
	return rc == 1 ? 0 : -1;
}

struct tls_ctx *
tlsm_client_ctx_new(const struct sw_tls_cfg *cfg, const char *host, char *err, size_t errsz)
{
	const char *name = cfg->server_name[0] != '\0' ? cfg->server_name : host;
	struct tls_ctx *ctx;
	SSL_CTX *sc;

	if (cfg->ca[0] == '\0') {
		snprintf(err, errsz, "upstream TLS needs a ca to verify the daemon's certificate");
		return NULL;
	}
	if ((cfg->cert[0] == '\0') != (cfg->key[0] == '\0')) {
		snprintf(err, errsz, "a client certificate needs both cert and key");
		return NULL;
	}
	if (name == NULL || name[0] == '\0') {
		snprintf(err, errsz, "no server name to check the daemon's certificate against");
		return NULL;
	}
	if ((sc = ctx_base(TLS_client_method(), err, errsz)) == NULL)
		return NULL;
	if ((ctx = ctx_wrap(sc)) == NULL) {
		snprintf(err, errsz, "out of memory");
		SSL_CTX_free(sc);
		return NULL;
	}
	if (set_peer_name(ctx, name) == -1) {
		snprintf(err, errsz, "server name \"%s\": empty, too long or unusable", name);
		ERR_clear_error();
		goto err_free;
	}
	if (cfg->cert[0] != '\0' && (load_chain(sc, cfg->cert, err, errsz) == -1 ||
	                                load_key(sc, cfg->key, cfg->cert, err, errsz) == -1))
		goto err_free;
	if (load_ca(sc, cfg->ca, false, err, errsz) == -1)
		goto err_free;
	SSL_CTX_set_verify(sc, SSL_VERIFY_PEER, NULL);
	return ctx;

err_free:
	tlsm_ctx_free(ctx);
	return NULL;
}

void
tlsm_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

SSL *
tlsm_new_ssl(struct tls_ctx *ctx)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx->ssl_ctx)) == NULL)
		goto err;
	if (ctx->sni[0] != '\0' && SSL_set_tlsext_host_name(ssl, ctx->sni) != 1)
		goto err_free;
	return ssl;

err_free:
	SSL_free(ssl);
err:
	ERR_clear_error();
	return NULL;
}
