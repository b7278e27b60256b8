/*
 * One TLS connection, as the program's socket layer (sock.c) drives it: each
 * call is one OpenSSL operation, and its outcome is a tls_io, so that the
 * socket layer decides which readiness to wait for without seeing OpenSSL.
 * The thread's OpenSSL error queue is cleared before and after each call: a
 * stale error would be taken for the cause of the next failure.
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
	 * Partial writes: SSL_write returns after each record, so the output
	 * drains record by record.  Moving buffer: a refused write is offered
	 * again from wherever the evbuffer keeps those bytes by then.  Read
	 * ahead: one read(2) per record instead of two (header, then body).
	 */
	SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_read_ahead(ssl, 1);
	/*
	 * A TCP EOF without close_notify is an ordinary EOF here.  Docker
	 * clients half-close a hijacked stream with shutdown(SHUT_WR) and no
	 * alert, then wait for the rest of the output, which OpenSSL could not
	 * send any more if it treated that EOF as fatal.  Accepting it lets a
	 * network attacker cut a stream short, which a reset could do as well:
	 * it cannot add or change bytes.  HTTP bodies carry their own length,
	 * so a cut request or response is still seen as incomplete.
	 */
	SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* The role comes with the SSL (its method or tlsm_new_ssl()); SSL_do_handshake needs it
	 * set. */
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

/*
 * An SSL call returned rc <= 0 ("saved" is errno right after it): what to
 * wait for, or TLS_IO_FAILED with errno and the reason set.
 */
static enum tls_io
outcome(struct tls_conn *tc, int rc, int saved)
{
	int e = SSL_get_error(tc->ssl, rc);

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
		tlsm_failure_reason(tc->ssl, tc->err, sizeof(tc->err));
		errno = EPROTO;
	}
	ERR_clear_error();
	return TLS_IO_FAILED;
}

enum tls_io
tlsm_conn_handshake(struct tls_conn *tc)
{
	int rc;

	ERR_clear_error();
	rc = SSL_do_handshake(tc->ssl);
	if (rc != 1)
		return outcome(tc, rc, errno);
	tc->handshaking = false;
	return TLS_IO_DONE;
}

enum tls_io
tlsm_conn_read(struct tls_conn *tc, void *buf, size_t len, size_t *n)
{
	int rc, saved;

	*n = 0;
	ERR_clear_error();
	rc = SSL_read_ex(tc->ssl, buf, len, n);
	if (rc == 1)
		return TLS_IO_DONE;
	saved = errno;
	/* close_notify, or a bare TCP EOF (SSL_OP_IGNORE_UNEXPECTED_EOF) */
	if (SSL_get_error(tc->ssl, rc) == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		return TLS_IO_CLOSED;
	}
	return outcome(tc, rc, saved);
}

bool
tlsm_conn_pending(const struct tls_conn *tc)
{
	return SSL_has_pending(tc->ssl) == 1;
}

enum tls_io
tlsm_conn_write(struct tls_conn *tc, const void *buf, size_t len, size_t *n)
{
	int rc;

	*n = 0;
	ERR_clear_error();
	rc = SSL_write_ex(tc->ssl, buf, len, n);
	if (rc == 1)
		return TLS_IO_DONE;
	return outcome(tc, rc, errno);
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
