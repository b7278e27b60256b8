/*
 * What a listener's TLS context refuses once a connection is up
 * (proxy/tls/tls_ctx.c): a client's renegotiation, and the resumption of an
 * earlier session, which would skip the certificate checks of a reloaded CA
 * or CRL.  Each is shown against a control: a plain OpenSSL context with the
 * same certificates that allows both, and does renegotiate and resume here,
 * so that a refusal is the listener's settings and not the test's way of
 * asking.  The two ends talk through a BIO pair in one thread; certificates
 * are made in-process.
 */
#include "sockwarden/compat.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tls.h"
#include "tls_int.h"
#include "tls_testcerts.h"
#include "tmp_tree.h"

#include "tls_testcerts.c"

#define STEPS 64 /* rounds of both ends taking their turn: a handshake needs a handful */

static char dir[64];  /* the PKI of this run, removed at the end */
static X509 *ca_cert; /* kept for the control server and the client */
static X509 *server_cert, *alice_cert;
static EVP_PKEY *server_key, *alice_key;

/* One end: a listener connection of ours (tc), or a plain SSL. */
struct end {
	struct tls_conn *tc;
	SSL *ssl;
};

static void
pki_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static int
pki_setup(void **state)
{
	struct tc_spec ca_spec = { .cn = { "sockwarden session CA" },
		.usage = TC_USAGE_CA,
		.not_before_days = -1,
		.not_after_days = 365,
		.serial = 1 };
	static const struct tc_san server_sans[] = { { GEN_DNS, "localhost", 0 } };
	struct tc_spec server = { .cn = { "localhost" },
		.sans = server_sans,
		.n_sans = 1,
		.usage = TC_USAGE_SERVER,
		.not_before_days = -1,
		.not_after_days = 30,
		.serial = 2 };
	struct tc_spec alice = { .cn = { "alice" },
		.usage = TC_USAGE_CLIENT,
		.not_before_days = -1,
		.not_after_days = 30,
		.serial = 3 };
	EVP_PKEY *ca_key = tc_key_new();
	char p[128];
	bool ok;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	/* The module's objects are linked in: the program's loader hands out their table. */
	snprintf(dir, sizeof(dir), "/tmp/sw-tls-session.XXXXXX");
	if (tls_module_use(sw_tls_module_init) == -1 || mkdtemp(dir) == NULL || ca_key == NULL) {
		EVP_PKEY_free(ca_key);
		return -1;
	}
	server_key = tc_key_new();
	alice_key = tc_key_new();
	ca_cert = tc_cert_new(&ca_spec, ca_key, NULL, NULL);
	ok = server_key != NULL && alice_key != NULL && ca_cert != NULL;
	server_cert = ok ? tc_cert_new(&server, server_key, ca_cert, ca_key) : NULL;
	alice_cert = ok ? tc_cert_new(&alice, alice_key, ca_cert, ca_key) : NULL;
	ok = server_cert != NULL && alice_cert != NULL;
	pki_path(p, sizeof(p), "ca.pem");
	ok = ok && tc_write_certs(p, &ca_cert, 1, 0644) == 0;
	pki_path(p, sizeof(p), "server.pem");
	ok = ok && tc_write_certs(p, &server_cert, 1, 0644) == 0;
	pki_path(p, sizeof(p), "server-key.pem");
	ok = ok && tc_write_key(p, server_key, NULL, 0600) == 0;
	EVP_PKEY_free(ca_key);
	return ok ? 0 : -1;
}

static int
pki_teardown(void **state)
{
	(void)state;
	X509_free(ca_cert);
	X509_free(server_cert);
	X509_free(alice_cert);
	EVP_PKEY_free(server_key);
	EVP_PKEY_free(alice_key);
	return tmp_tree_remove(dir);
}

/* A listener's context from the loader, client certificates required. */
static struct tls_ctx *
our_server_ctx(void)
{
	struct sw_tls_cfg cfg = { .enabled = true, .client_certs = SW_CERTS_REQUIRED };
	struct tls_ctx *ctx;
	char err[512];

	pki_path(cfg.cert, sizeof(cfg.cert), "server.pem");
	pki_path(cfg.key, sizeof(cfg.key), "server-key.pem");
	pki_path(cfg.ca, sizeof(cfg.ca), "ca.pem");
	if ((ctx = tls_server_ctx_new(&cfg, err, sizeof(err))) == NULL)
		fail_msg("server context: %s", err);
	return ctx;
}

/*
 * The control: the same certificates and client certificate check, with
 * OpenSSL's server session cache and tickets on and client renegotiation
 * allowed (OpenSSL 3 refuses it unless asked).
 */
static SSL_CTX *
control_server_ctx(void)
{
	static const unsigned char sid_ctx[] = "sw-control";
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());

	assert_non_null(c);
	assert_int_equal(SSL_CTX_use_certificate(c, server_cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(c, server_key), 1);
	assert_int_equal(X509_STORE_add_cert(SSL_CTX_get_cert_store(c), ca_cert), 1);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* Sessions of a server that checks client certificates need an id context. */
	assert_int_equal(SSL_CTX_set_session_id_context(c, sid_ctx, sizeof(sid_ctx) - 1), 1);
	SSL_CTX_set_options(c, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
	return c;
}

/* A client presenting alice's certificate, at most TLS "max_version", keeping sessions. */
static SSL_CTX *
client_ctx(int max_version)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	assert_non_null(c);
	assert_int_equal(SSL_CTX_use_certificate(c, alice_cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(c, alice_key), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(c, max_version), 1);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL); /* the server's checks are under test */
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
	return c;
}

/* A server end: ours when "control" is NULL. */
static void
server_end(struct end *e, struct tls_ctx *ours, SSL_CTX *control)
{
	memset(e, 0, sizeof(*e));
	if (control == NULL) {
		e->tc = tls_conn_new(ours);
		assert_non_null(e->tc);
		e->ssl = tlsm_conn_ssl(e->tc);
	} else {
		e->ssl = SSL_new(control);
		assert_non_null(e->ssl);
	}
	SSL_set_accept_state(e->ssl); /* for ours, tlsm_conn_attach() would */
}

static SSL *
client_end(SSL_CTX *ctx, SSL_SESSION *resume)
{
	SSL *ssl = SSL_new(ctx);

	assert_non_null(ssl);
	SSL_set_connect_state(ssl);
	if (resume != NULL)
		assert_int_equal(SSL_set_session(ssl, resume), 1);
	return ssl;
}

/*
 * Frees a connection as closed cleanly: OpenSSL drops the session of one
 * freed without a shutdown from its caches.
 */
static void
ssl_close(SSL *ssl)
{
	SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
}

static void
end_free(struct end *e)
{
	if (e->tc == NULL) {
		ssl_close(e->ssl);
		return;
	}
	SSL_set_shutdown(e->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	tls_conn_free(e->tc); /* frees the SSL, closed as ssl_close() closes it */
}

/* The two ends joined by a BIO pair, each owning its half. */
static void
join(SSL *cli, SSL *srv)
{
	BIO *a, *b;

	assert_int_equal(BIO_new_bio_pair(&a, 0, &b, 0), 1);
	SSL_set_bio(cli, a, a);
	SSL_set_bio(srv, b, b);
}

/* One turn of one end: false when it failed (anything but "wants to read"). */
static bool
turn(SSL *ssl, bool handshake)
{
	char c;
	int rc = handshake ? SSL_do_handshake(ssl) : SSL_read(ssl, &c, 1);

	return rc > 0 || SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ;
}

/* Both initial handshakes: true when both ends finished them. */
static bool
handshake(SSL *cli, SSL *srv)
{
	int i;

	for (i = 0; i < STEPS && !(SSL_is_init_finished(cli) && SSL_is_init_finished(srv)); i++)
		if (!turn(cli, true) || !turn(srv, true))
			return false;
	return SSL_is_init_finished(cli) && SSL_is_init_finished(srv);
}

/*
 * After the handshake, each end reads until nothing moves: the server's
 * session tickets reach the client, and a renegotiation runs its course.
 * False when an end failed.
 */
static bool
settle(SSL *cli, SSL *srv)
{
	bool ok = true;
	int i;

	for (i = 0; i < STEPS && ok; i++)
		ok = turn(srv, false) && turn(cli, SSL_renegotiate_pending(cli));
	ERR_clear_error();
	return ok;
}

/*
 * A full handshake, then a second connection offering its session: "reused"
 * tells whether the server took it.  TLS 1.3 sessions come in tickets, 1.2's
 * from the server's cache or a ticket.
 */
static void
resume(struct tls_ctx *ours, SSL_CTX *control, int max_version, bool *resumable, bool *reused)
{
	SSL_CTX *cctx = client_ctx(max_version);
	SSL_SESSION *sess;
	struct end srv;
	SSL *cli;

	server_end(&srv, ours, control);
	cli = client_end(cctx, NULL);
	join(cli, srv.ssl);
	assert_true(handshake(cli, srv.ssl));
	(void)settle(cli, srv.ssl);
	sess = SSL_get1_session(cli);
	assert_non_null(sess);
	*resumable = SSL_SESSION_is_resumable(sess) == 1;
	ssl_close(cli);
	end_free(&srv);

	server_end(&srv, ours, control);
	cli = client_end(cctx, sess);
	join(cli, srv.ssl);
	assert_true(handshake(cli, srv.ssl));
	*reused = SSL_session_reused(cli) == 1 || SSL_session_reused(srv.ssl) == 1;
	ssl_close(cli);
	end_free(&srv);
	SSL_SESSION_free(sess);
	SSL_CTX_free(cctx);
}

static void
test_no_resumption(void **state)
{
	static const struct {
		int version;
		const char *name;
	} versions[] = { { TLS1_2_VERSION, "TLS 1.2" }, { TLS1_3_VERSION, "TLS 1.3" } };
	struct tls_ctx *ours = our_server_ctx();
	SSL_CTX *control = control_server_ctx();
	bool resumable, reused;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(versions); i++) {
		resume(NULL, control, versions[i].version, &resumable, &reused);
		if (!reused)
			fail_msg("control, %s: the session was not resumed", versions[i].name);
		resume(ours, NULL, versions[i].version, &resumable, &reused);
		if (reused)
			fail_msg("listener, %s: an earlier session was resumed", versions[i].name);
		/* 1.2 sessions may be offered again, by id: the listener keeps none. */
		if (versions[i].version == TLS1_3_VERSION && resumable)
			fail_msg("listener, %s: the client got a ticket to resume with",
			    versions[i].name);
	}
	SSL_CTX_free(control);
	tls_ctx_free(ours);
}

/*
 * TLS 1.2 (1.3 has no renegotiation): after the handshake the client asks
 * for a new one.  Returns how many handshakes the server completed after
 * the first, from its context's statistics (a fresh context each time);
 * *done tells whether the client's renegotiation completed.
 */
static long
renegotiations(struct tls_ctx *ours, SSL_CTX *control, bool *done)
{
	SSL_CTX *cctx = client_ctx(TLS1_2_VERSION);
	struct end srv;
	SSL *cli;
	long n;

	server_end(&srv, ours, control);
	cli = client_end(cctx, NULL);
	join(cli, srv.ssl);
	assert_true(handshake(cli, srv.ssl));
	assert_int_equal(SSL_renegotiate(cli), 1);
	/* Refused, the client fails on the server's no_renegotiation alert. */
	(void)settle(cli, srv.ssl);
	*done = SSL_renegotiate_pending(cli) == 0;
	n = SSL_CTX_sess_accept_good(SSL_get_SSL_CTX(srv.ssl)) - 1;
	ssl_close(cli);
	end_free(&srv);
	SSL_CTX_free(cctx);
	return n;
}

static void
test_no_renegotiation(void **state)
{
	struct tls_ctx *ours = our_server_ctx();
	SSL_CTX *control = control_server_ctx();
	bool done;
	long n;

	(void)state;
	if ((n = renegotiations(NULL, control, &done)) != 1 || !done)
		fail_msg("control: %ld renegotiations (client's done: %d), want 1", n, done);
	if ((n = renegotiations(ours, NULL, &done)) != 0 || done)
		fail_msg("listener: %ld renegotiations (client's done: %d), want 0", n, done);
	SSL_CTX_free(control);
	tls_ctx_free(ours);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_resumption),
		cmocka_unit_test(test_no_renegotiation),
	};

	return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
