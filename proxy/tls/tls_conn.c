/*
 * One TLS connection, as the program's socket layer (sock.c) drives it: each
 * call is one OpenSSL operation, and its outcome is a tls_io, so that the
 * socket layer decides which readiness to wait for without seeing OpenSSL;
 * a failure also leaves its reason in words an operator recognises.  The
 * thread's OpenSSL error queue is cleared before each call and after a
 * failure: a stale error would be taken for the cause of the next one.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_int.h"

struct tls_conn {
	SSL *ssl;
	bool handshaking; /* a transport failure now is "... during handshake" */
	char err[96];     /* tlsm_conn_error(); "" = none */
};

struct tls_conn *
tlsm_conn_wrap(SSL *ssl)
{
	struct tls_conn *tc;

	if (ssl == NULL)
		return NULL;
	if ((tc = calloc(1, sizeof(*tc))) == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	tc->ssl = ssl;
	tc->handshaking = true;
	return tc;
}

struct tls_conn *
tlsm_conn_new(struct tls_ctx *ctx)
{
	return tlsm_conn_wrap(tlsm_new_ssl(ctx));
}

SSL *
tlsm_conn_ssl(const struct tls_conn *tc)
{
	return tc->ssl;
}

void
tlsm_conn_free(struct tls_conn *tc)
{
	if (tc == NULL)
		return;
	SSL_free(tc->ssl);
	free(tc);
}

int
tlsm_conn_attach(struct tls_conn *tc, int fd)
{
	SSL *ssl = tc->ssl;

	if (SSL_set_fd(ssl, fd) != 1) {
		ERR_clear_error();
		return -1;
	}
	/*
	 * Its I/O modes come with its context (ctx_base() in tls_ctx.c), its role
	 * with the context's method; SSL_do_handshake() needs the role set.
	 */
	if (SSL_is_server(ssl) == 1)
		SSL_set_accept_state(ssl);
	else
		SSL_set_connect_state(ssl);
	return 0;
}

bool
tlsm_conn_is_server(const struct tls_conn *tc)
{
	return SSL_is_server(tc->ssl) == 1;
}

/* An OpenSSL code with a name an operator recognises; the rest use OpenSSL's words. */
struct reason_name {
	long code;
	const char *text;
};

/* Certificate verification results. */
static const struct reason_name verify_reasons[] = {
	{ X509_V_ERR_CERT_HAS_EXPIRED, "certificate expired" },
	{ X509_V_ERR_CERT_NOT_YET_VALID, "certificate not yet valid" },
	{ X509_V_ERR_CERT_REVOKED, "certificate revoked" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unknown CA" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "unknown CA" },
	{ X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, "unknown CA" },
	{ X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "unknown CA" },
	{ X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "unknown CA" },
	{ X509_V_ERR_CERT_UNTRUSTED, "unknown CA" },
	{ X509_V_ERR_HOSTNAME_MISMATCH, "certificate name mismatch" },
	{ X509_V_ERR_IP_ADDRESS_MISMATCH, "certificate name mismatch" },
	{ X509_V_ERR_UNABLE_TO_GET_CRL, "CRL unavailable" },
	{ X509_V_ERR_CRL_HAS_EXPIRED, "CRL expired" },
	{ X509_V_ERR_CRL_NOT_YET_VALID, "CRL not yet valid" },
	{ X509_V_ERR_INVALID_PURPOSE, "certificate not valid for this use" },
	{ X509_V_ERR_EE_KEY_TOO_SMALL, "certificate key too weak" },
	{ X509_V_ERR_CA_KEY_TOO_SMALL, "CA key too weak" },
	{ X509_V_ERR_CA_MD_TOO_WEAK, "certificate signature too weak" },
};

/* Handshake failures of our own side (alerts from the peer are handled apart). */
static const struct reason_name ssl_reasons[] = {
	{ SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, "no client certificate" },
	{ SSL_R_UNSUPPORTED_PROTOCOL, "protocol version" },
	{ SSL_R_VERSION_TOO_LOW, "protocol version" },
	{ SSL_R_WRONG_VERSION_NUMBER, "protocol version" },
	{ SSL_R_NO_PROTOCOLS_AVAILABLE, "protocol version" },
	{ SSL_R_UNKNOWN_PROTOCOL, "protocol version" },
	{ SSL_R_HTTP_REQUEST, "plain HTTP sent to a TLS port" },
	{ SSL_R_HTTPS_PROXY_REQUEST, "plain HTTP sent to a TLS port" },
	{ SSL_R_NO_SHARED_CIPHER, "no shared cipher" },
	{ SSL_R_NO_SHARED_GROUPS, "no shared group" },
	{ SSL_R_NO_SUITABLE_KEY_SHARE, "no shared group" },
	{ SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS, "no shared signature algorithm" },
	{ SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM, "no shared signature algorithm" },
	{ SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC, "bad record MAC" },
};

/* The name of "code" in names[n], or "otherwise". */
static const char *
reason_text(const struct reason_name *names, size_t n, long code, const char *otherwise)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i].code == code)
			return names[i].text;
	return otherwise;
}

/*
 * Why an SSL call on "ssl" just failed, in a few words for the log, from the
 * thread's OpenSSL error queue and the certificate verification result:
 * "certificate expired", "unknown CA", "no client certificate", "protocol
 * version", "peer alert: <description>", or OpenSSL's own reason.  Writes
 * at most bufsz bytes (NUL-terminated); leaves the error queue as it is.
 */
static void
failure_reason(const SSL *ssl, char *buf, size_t bufsz)
{
	unsigned long e = ERR_peek_error();
	int reason = ERR_GET_REASON(e);
	long v;

	if (e == 0 || ERR_GET_LIB(e) != ERR_LIB_SSL) {
		snprintf(buf, bufsz, "%s", e == 0 ? "TLS failure" : tlsm_ossl_reason());
		return;
	}
	if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
		v = SSL_get_verify_result(ssl);
		snprintf(buf, bufsz, "%s",
		    reason_text(verify_reasons, nitems(verify_reasons), v,
		        X509_verify_cert_error_string(v)));
		return;
	}
	/* An alert the peer sent us: its reason code is the alert's plus an offset. */
	if (reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
		int alert = reason - SSL_AD_REASON_OFFSET;

		/* OpenSSL 3.0 names no TLS 1.3 alert: "unknown" for a missing certificate. */
		snprintf(buf, bufsz, "peer alert: %s",
		    alert == TLS13_AD_CERTIFICATE_REQUIRED ? "certificate required" :
		    alert == TLS13_AD_MISSING_EXTENSION    ? "missing extension" :
		                                             SSL_alert_desc_string_long(alert));
		return;
	}
	snprintf(buf, bufsz, "%s",
	    reason_text(ssl_reasons, nitems(ssl_reasons), reason, tlsm_ossl_reason()));
}

/*
 * An SSL call failed with SSL_get_error() "e" ("saved" is errno right after
 * the call): what to wait for, or TLS_IO_FAILED with errno and the reason set.
 */
static enum tls_io
outcome(struct tls_conn *tc, int e, int saved)
{
	if (e == SSL_ERROR_WANT_READ)
		return TLS_IO_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return TLS_IO_WANT_WRITE;
	if ((e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) || e == SSL_ERROR_ZERO_RETURN) {
		/* The transport failed or ended; after the handshake that is not TLS's doing. */
		if (tc->handshaking)
			snprintf(tc->err, sizeof(tc->err), "%s during handshake",
			    saved == 0 ? "connection closed" : strerror(saved));
		errno = saved != 0 ? saved : ECONNRESET;
	} else {
		failure_reason(tc->ssl, tc->err, sizeof(tc->err));
		errno = EPROTO;
	}
	ERR_clear_error();
	return TLS_IO_FAILED;
}

enum tls_io
tlsm_conn_handshake(struct tls_conn *tc)
{
	int rc, saved;

	ERR_clear_error();
	rc = SSL_do_handshake(tc->ssl);
	if (rc != 1) {
		saved = errno;
		return outcome(tc, SSL_get_error(tc->ssl, rc), saved);
	}
	tc->handshaking = false;
	return TLS_IO_DONE;
}

enum tls_io
tlsm_conn_read(struct tls_conn *tc, void *buf, size_t len, size_t *n)
{
	int rc, saved, e;

	*n = 0;
	ERR_clear_error();
	rc = SSL_read_ex(tc->ssl, buf, len, n);
	if (rc == 1)
		return TLS_IO_DONE;
	saved = errno;
	e = SSL_get_error(tc->ssl, rc);
	/* close_notify, or a bare TCP EOF (SSL_OP_IGNORE_UNEXPECTED_EOF) */
	if (e == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		return TLS_IO_CLOSED;
	}
	return outcome(tc, e, saved);
}

bool
tlsm_conn_pending(const struct tls_conn *tc)
{
	return SSL_has_pending(tc->ssl) == 1;
}

enum tls_io
tlsm_conn_write(struct tls_conn *tc, const void *buf, size_t len, size_t *n)
{
	int rc, saved;

	*n = 0;
	ERR_clear_error();
	rc = SSL_write_ex(tc->ssl, buf, len, n);
	if (rc == 1)
		return TLS_IO_DONE;
	saved = errno;
	return outcome(tc, SSL_get_error(tc->ssl, rc), saved);
}

/*
 * Send close_notify: TLS_IO_WANT_WRITE when the socket took none of it yet;
 * TLS_IO_DONE when sent, and also when the connection is failing anyway (the
 * caller's half-close follows either way).
 */
enum tls_io
tlsm_conn_shutdown(struct tls_conn *tc)
{
	int rc;

	ERR_clear_error();
	rc = SSL_shutdown(tc->ssl);
	if (rc < 0 && SSL_get_error(tc->ssl, rc) == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return TLS_IO_WANT_WRITE;
	}
	ERR_clear_error();
	return TLS_IO_DONE;
}

const char *
tlsm_conn_error(const struct tls_conn *tc)
{
	return tc->err[0] != '\0' ? tc->err : NULL;
}

const char *
tlsm_conn_version(const struct tls_conn *tc)
{
	return SSL_get_version(tc->ssl);
}

int
tlsm_conn_peer_ident(const struct tls_conn *tc, struct sw_cert_ident **out)
{
	X509 *peer = SSL_get0_peer_certificate(tc->ssl);

	*out = NULL;
	/* A certificate counts only when the chain verified (optional mode lets others in). */
	if (peer == NULL || SSL_get_verify_result(tc->ssl) != X509_V_OK)
		return 0;
	*out = tlsm_cert_ident_new(peer);
	return *out != NULL ? 0 : -1;
}
