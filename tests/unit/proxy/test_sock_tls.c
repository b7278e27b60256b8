/*
 * The TLS mode of proxy/sock.c with the contexts of proxy/tls/, on a real
 * libevent loop: a sock on each end of a socketpair (one test over TCP
 * loopback), certificates made in-process.  Handshakes that must pass or
 * fail with a given reason, 4 MiB echoed both ways through small reads under
 * a read ceiling (bytes left inside OpenSSL must still arrive), half-close
 * in both directions, the context loader's refusals, and the module's
 * entry point refusing a program built from other sources.  Also the splice
 * pipe between two plain socks (sock_pipe_start): n bytes or until EOF,
 * bytes read before first, a slow reader, and what src does afterwards;
 * and the gated pipe, whose gate is shown each record before it moves.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "queue_budget.h"
#include "sock.h"
#include "tls.h"
#include "tls_int.h"
#include "tls_testcerts.h"
#include "tmp_tree.h"

#include "tls_testcerts.c"

#define ECHO_BYTES   (4u * 1024 * 1024)
#define ECHO_HIWAT   (128u * 1024) /* the echo server stops taking input above this */
#define FEED_AHEAD   (512u * 1024) /* the client keeps at most this much queued */
#define WATCHDOG_SEC 20

static char dir[64]; /* the PKI of this run, removed at the end */

/* ---- the PKI ------------------------------------------------------------------------- */

static void
pki_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* The server certificate of the files the loader must refuse: no handshake uses it. */
static const struct tc_spec refused_leaf = { .cn = { "localhost" },
	.usage = TC_USAGE_SERVER,
	.not_before_days = -1,
	.not_after_days = 30,
	.serial = 7 };

static int
leaf(const char *stem, const struct tc_spec *spec, X509 *ca, EVP_PKEY *ca_key, unsigned key_mode)
{
	char cert_path[128], key_path[128];
	EVP_PKEY *k = tc_key_new();
	X509 *x = k != NULL ? tc_cert_new(spec, k, ca, ca_key) : NULL;
	int rc = -1;

	snprintf(cert_path, sizeof(cert_path), "%s/%s.pem", dir, stem);
	snprintf(key_path, sizeof(key_path), "%s/%s-key.pem", dir, stem);
	if (x != NULL && tc_write_certs(cert_path, &x, 1, 0644) == 0 &&
	    tc_write_key(key_path, k, NULL, key_mode) == 0)
		rc = 0;
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/*
 * Certificates, CAs and CRLs others could have written, and files that are no
 * PEM file at all: what the loader must refuse besides a key others can read.
 * The files owned by another user are made only as root (their rows skip).
 */
static int
trust_files(X509 *ca, X509_CRL *crl, EVP_PKEY *ca_key)
{
	char p[128], q[128];
	bool ok = true;
	int fd;

	pki_path(p, sizeof(p), "ca-groupw.pem");
	ok = ok && tc_write_certs(p, &ca, 1, 0664) == 0;
	pki_path(q, sizeof(q), "ca-groupw-link.pem");
	ok = ok && symlink(p, q) == 0;
	pki_path(p, sizeof(p), "ca-otherw.pem");
	ok = ok && tc_write_certs(p, &ca, 1, 0646) == 0;
	pki_path(p, sizeof(p), "crl-worldw.pem");
	ok = ok && tc_write_crls(p, &crl, 1, 0666) == 0;
	ok = ok && leaf("certw", &refused_leaf, ca, ca_key, 0600) == 0;
	pki_path(p, sizeof(p), "certw.pem");
	ok = ok && chmod(p, 0664) == 0;
	pki_path(p, sizeof(p), "fifo");
	ok = ok && mkfifo(p, 0600) == 0;
	pki_path(q, sizeof(q), "ca-fifo-link.pem");
	ok = ok && symlink(p, q) == 0;
	pki_path(p, sizeof(p), "ca-empty.pem");
	ok = ok && tc_write_text(p, "", 0644) == 0;
	/* One byte over the 4 MiB cap, sparse: refused on its size before any read. */
	pki_path(p, sizeof(p), "ca-huge.pem");
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ok = ok && fd != -1 && ftruncate(fd, 4 * 1024 * 1024 + 1) == 0;
	if (fd != -1)
		close(fd);
	pki_path(p, sizeof(p), "ca-nobody.pem");
	ok = ok && tc_write_certs(p, &ca, 1, 0644) == 0;
	ok = ok && (geteuid() != 0 || chown(p, 65534, 65534) == 0);
	ok = ok && leaf("nobody", &refused_leaf, ca, ca_key, 0600) == 0;
	pki_path(p, sizeof(p), "nobody-key.pem");
	ok = ok && (geteuid() != 0 || chown(p, 65534, 65534) == 0);
	return ok ? 0 : -1;
}

/*
 * Certificate, key and CRL files the loader must refuse for what is in them:
 * a key that needs a passphrase, a certificate block after the leaf (or a
 * CRL) that does not decode, keys security level 2 refuses (an RSA-1024
 * leaf; an RSA-1024 CA in the chain sent with a good leaf), and empty files.
 */
static int
content_files(X509 *ca, X509_CRL *crl, EVP_PKEY *ca_key)
{
	static const char junk[] =
	    "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
	static const struct tc_spec weak_ca_spec = { .cn = { "sockwarden weak CA" },
		.usage = TC_USAGE_CA,
		.not_before_days = -1,
		.not_after_days = 365,
		.serial = 9 };
	EVP_PKEY *k = tc_key_new(), *weak = tc_rsa_key_new(1024);
	X509 *x = NULL, *weak_leaf = NULL, *weak_ca = NULL, *chain[2] = { NULL, NULL };
	char p[128];
	bool ok = k != NULL && weak != NULL;

	if (ok) {
		x = tc_cert_new(&refused_leaf, k, ca, ca_key);
		weak_leaf = tc_cert_new(&refused_leaf, weak, ca, ca_key);
		weak_ca = tc_cert_new(&weak_ca_spec, weak, ca, ca_key);
		chain[0] = weak_ca != NULL ? tc_cert_new(&refused_leaf, k, weak_ca, weak) : NULL;
		chain[1] = weak_ca;
	}
	ok = ok && x != NULL && weak_leaf != NULL && chain[0] != NULL;
	pki_path(p, sizeof(p), "encrypted.pem");
	ok = ok && tc_write_certs(p, &x, 1, 0644) == 0;
	pki_path(p, sizeof(p), "encrypted-key.pem");
	ok = ok && tc_write_key(p, k, "passphrase", 0600) == 0;
	pki_path(p, sizeof(p), "junk-after-leaf.pem");
	ok = ok && tc_write_certs(p, &x, 1, 0644) == 0 && tc_append_text(p, junk) == 0;
	pki_path(p, sizeof(p), "crl-junk.pem");
	ok = ok && tc_write_crls(p, &crl, 1, 0644) == 0 && tc_append_text(p, junk) == 0;
	pki_path(p, sizeof(p), "truncated-after-leaf.pem");
	ok = ok && tc_write_certs(p, &x, 1, 0644) == 0 &&
	     tc_append_text(p, "-----BEGIN CERTIFICATE-----\nMIIB\n") == 0;
	pki_path(p, sizeof(p), "weak-leaf.pem");
	ok = ok && tc_write_certs(p, &weak_leaf, 1, 0644) == 0;
	pki_path(p, sizeof(p), "weak-chain.pem");
	ok = ok && tc_write_certs(p, chain, 2, 0644) == 0;
	pki_path(p, sizeof(p), "cert-empty.pem");
	ok = ok && tc_write_text(p, "", 0644) == 0;
	pki_path(p, sizeof(p), "key-empty.pem");
	ok = ok && tc_write_text(p, "", 0600) == 0;
	X509_free(x);
	X509_free(weak_leaf);
	X509_free(weak_ca);
	X509_free(chain[0]);
	EVP_PKEY_free(k);
	EVP_PKEY_free(weak);
	return ok ? 0 : -1;
}

/*
 * A client certificate under an intermediate CA that the root's CRL revokes
 * (serial 10), the leaf itself not revoked: only a check of the whole chain
 * (CRL_CHECK_ALL) refuses it.  crl.pem holds the root's CRL and the
 * intermediate's, as that check needs one from every issuer in the chain;
 * crl-no-root.pem only the intermediate's, which must fail closed.
 */
static int
intermediate_files(X509 *ca, EVP_PKEY *ca_key, X509_CRL *ca_crl)
{
	static const struct tc_spec inter_spec = { .cn = { "sockwarden revoked intermediate" },
		.usage = TC_USAGE_CA,
		.not_before_days = -1,
		.not_after_days = 365,
		.serial = 10 };
	static const struct tc_spec leaf_spec = { .cn = { "under-revoked" },
		.usage = TC_USAGE_CLIENT,
		.not_before_days = -1,
		.not_after_days = 30,
		.serial = 11 };
	EVP_PKEY *inter_key = tc_key_new(), *k = tc_key_new();
	X509 *chain[2] = { NULL, NULL }; /* the leaf, then the intermediate */
	X509_CRL *crls[2] = { ca_crl, NULL };
	char p[128];
	bool ok = inter_key != NULL && k != NULL;

	if (ok) {
		chain[1] = tc_cert_new(&inter_spec, inter_key, ca, ca_key);
		chain[0] =
		    chain[1] != NULL ? tc_cert_new(&leaf_spec, k, chain[1], inter_key) : NULL;
		crls[1] =
		    chain[1] != NULL ? tc_crl_new(chain[1], inter_key, NULL, 0, -1, 30) : NULL;
	}
	ok = ok && chain[0] != NULL && crls[1] != NULL;
	pki_path(p, sizeof(p), "crl.pem");
	ok = ok && tc_write_crls(p, crls, 2, 0644) == 0;
	pki_path(p, sizeof(p), "crl-no-root.pem");
	ok = ok && tc_write_crls(p, &crls[1], 1, 0644) == 0;
	pki_path(p, sizeof(p), "under-revoked.pem");
	ok = ok && tc_write_certs(p, chain, 2, 0644) == 0;
	pki_path(p, sizeof(p), "under-revoked-key.pem");
	ok = ok && tc_write_key(p, k, NULL, 0600) == 0;
	X509_free(chain[0]);
	X509_free(chain[1]);
	X509_CRL_free(crls[1]);
	EVP_PKEY_free(k);
	EVP_PKEY_free(inter_key);
	return ok ? 0 : -1;
}

static int
pki_setup(void **state)
{
	/* A partial wildcard: no daemon name may match it. */
	static const struct tc_san server_sans[] = { { GEN_DNS, "localhost", 0 },
		{ GEN_IPADD, "127.0.0.1", 0 }, { GEN_DNS, "dock*.example.test", 0 } };
	static const struct tc_san alice_sans[] = { { GEN_URI, "spiffe://example.test/team-a/alice",
	    0 } };
	struct tc_spec ca_spec = { .cn = { "sockwarden unit CA" },
		.usage = TC_USAGE_CA,
		.not_before_days = -1,
		.not_after_days = 365,
		.serial = 1 };
	struct tc_spec other_spec = ca_spec;
	struct tc_spec server = { .cn = { "localhost" },
		.sans = server_sans,
		.n_sans = nitems(server_sans),
		.usage = TC_USAGE_SERVER,
		.not_before_days = -1,
		.not_after_days = 30,
		.serial = 2 };
	struct tc_spec alice = { .cn = { "alice" },
		.sans = alice_sans,
		.n_sans = 1,
		.usage = TC_USAGE_CLIENT,
		.not_before_days = -1,
		.not_after_days = 30,
		.serial = 3 };
	struct tc_spec expired = { .cn = { "expired" },
		.usage = TC_USAGE_CLIENT,
		.not_before_days = -60,
		.not_after_days = -30,
		.serial = 4 };
	struct tc_spec stranger = alice;
	struct tc_spec revoked = { .cn = { "revoked" },
		.usage = TC_USAGE_CLIENT,
		.not_before_days = -1,
		.not_after_days = 30,
		.serial = 6 };
	static const long revoked_serials[] = { 6, 10 }; /* "revoked"; the intermediate */
	EVP_PKEY *ca_key = tc_key_new(), *other_key = tc_key_new();
	X509 *ca, *other;
	X509_CRL *crl, *old_crl, *future_crl;
	char p[128];
	bool ok;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	/* The module's objects are linked in: the program's loader hands out their table. */
	if (tls_module_use(sw_tls_module_init) == -1)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/sw-sock-tls.XXXXXX");
	if (mkdtemp(dir) == NULL || ca_key == NULL || other_key == NULL)
		return -1;
	other_spec.cn[0] = "sockwarden other CA";
	stranger.serial = 5;
	ca = tc_cert_new(&ca_spec, ca_key, NULL, NULL);
	other = tc_cert_new(&other_spec, other_key, NULL, NULL);
	crl = tc_crl_new(ca, ca_key, revoked_serials, nitems(revoked_serials), -1, 30);
	old_crl = tc_crl_new(ca, ca_key, revoked_serials, nitems(revoked_serials), -3, -1);
	future_crl = tc_crl_new(ca, ca_key, revoked_serials, nitems(revoked_serials), 2, 30);
	ok = ca != NULL && other != NULL && crl != NULL && old_crl != NULL && future_crl != NULL;
	pki_path(p, sizeof(p), "ca.pem");
	ok = ok && tc_write_certs(p, &ca, 1, 0644) == 0;
	pki_path(p, sizeof(p), "other-ca.pem");
	ok = ok && tc_write_certs(p, &other, 1, 0644) == 0;
	pki_path(p, sizeof(p), "crl-expired.pem");
	ok = ok && tc_write_crls(p, &old_crl, 1, 0644) == 0;
	pki_path(p, sizeof(p), "crl-future.pem");
	ok = ok && tc_write_crls(p, &future_crl, 1, 0644) == 0;
	ok = ok && leaf("server", &server, ca, ca_key, 0600) == 0;
	ok = ok && leaf("alice", &alice, ca, ca_key, 0600) == 0;
	ok = ok && leaf("expired", &expired, ca, ca_key, 0600) == 0;
	ok = ok && leaf("stranger", &stranger, other, other_key, 0600) == 0;
	ok = ok && leaf("revoked", &revoked, ca, ca_key, 0600) == 0;
	/* The same server key under looser modes, and things that are no key at all. */
	ok = ok && leaf("open", &server, ca, ca_key, 0644) == 0;
	ok = ok && leaf("group", &server, ca, ca_key, 0640) == 0;
	ok = ok && leaf("mismatch", &server, ca, ca_key, 0600) == 0;
	pki_path(p, sizeof(p), "garbage.pem");
	ok = ok && tc_write_text(p, "this is not PEM\n", 0644) == 0;
	pki_path(p, sizeof(p), "garbage-key.pem");
	ok = ok && tc_write_text(p, "this is not PEM either\n", 0600) == 0;
	pki_path(p, sizeof(p), "keydir");
	ok = ok && mkdir(p, 0700) == 0;
	ok = ok && trust_files(ca, crl, ca_key) == 0;
	ok = ok && content_files(ca, crl, ca_key) == 0;
	ok = ok && intermediate_files(ca, ca_key, crl) == 0;
	X509_free(ca);
	X509_free(other);
	X509_CRL_free(crl);
	X509_CRL_free(old_crl);
	X509_CRL_free(future_crl);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	return ok ? 0 : -1;
}

static int
pki_teardown(void **state)
{
	(void)state;
	return tmp_tree_remove(dir);
}

/* An upstream's settings: trust "ca" (a stem), present "cert" (a stem, or NULL). */
static void
client_cfg(struct sw_tls_cfg *cfg, const char *ca, const char *cert)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = true;
	snprintf(cfg->ca, sizeof(cfg->ca), "%s/%s.pem", dir, ca);
	if (cert != NULL) {
		snprintf(cfg->cert, sizeof(cfg->cert), "%s/%s.pem", dir, cert);
		snprintf(cfg->key, sizeof(cfg->key), "%s/%s-key.pem", dir, cert);
	}
}

/*
 * One listener connection of server.pem trusting ca.pem, client
 * certificates per "mode", revoked per the file "crl" (NULL: none).  The
 * context is released at once: the connection holds what it needs.
 */
static struct tls_conn *
server_ssl(const char *name, enum sw_client_certs mode, const char *crl)
{
	struct sw_tls_cfg cfg = { .enabled = true, .client_certs = mode };
	struct tls_ctx *ctx;
	char err[512];
	struct tls_conn *tc;

	pki_path(cfg.cert, sizeof(cfg.cert), "server.pem");
	pki_path(cfg.key, sizeof(cfg.key), "server-key.pem");
	pki_path(cfg.ca, sizeof(cfg.ca), "ca.pem");
	if (crl != NULL)
		pki_path(cfg.crl, sizeof(cfg.crl), crl);
	if ((ctx = tls_server_ctx_new(&cfg, err, sizeof(err))) == NULL)
		fail_msg("case \"%s\": server context: %s", name, err);
	tc = tls_conn_new(ctx);
	tls_ctx_free(ctx);
	assert_non_null(tc);
	return tc;
}

/*
 * One upstream connection trusting "ca", presenting "cert" (stems; NULL:
 * none), checking the daemon name "host", at most TLS "max_version" (0: 1.3).
 */
static struct tls_conn *
client_ssl(const char *name, const char *ca, const char *cert, const char *host, int max_version)
{
	struct sw_tls_cfg cfg;
	struct tls_ctx *ctx;
	char err[512];
	struct tls_conn *tc;

	client_cfg(&cfg, ca, cert);
	if ((ctx = tls_client_ctx_new(&cfg, host, err, sizeof(err))) == NULL)
		fail_msg("case \"%s\": client context: %s", name, err);
	tc = tls_conn_new(ctx);
	tls_ctx_free(ctx);
	assert_non_null(tc);
	if (max_version != 0)
		assert_int_equal(SSL_set_max_proto_version(tlsm_conn_ssl(tc), max_version), 1);
	return tc;
}

/* ---- two socks on one loop ----------------------------------------------------------- */

struct pair;

struct end {
	const char *role;
	struct pair *pair;
	struct sock *s;
	int events;        /* every SOCK_* flag seen */
	int first_event;   /* the first eventcb's flags */
	char tls_err[128]; /* sock_tls_error() when SOCK_ERROR came */
	/* echo traffic */
	bool echo;       /* server: send back what arrives */
	size_t read_max; /* server: its sock's read ceiling; 0: none (it pauses reads itself) */
	bool paused;     /* server: reading disabled by us */
	bool raw_half_close;
	bool shut;         /* we half-closed */
	size_t to_send;    /* client: pattern bytes to send */
	size_t lockstep;   /* client: send this much, wait for all of it back, repeat; 0: stream */
	size_t queued;     /* client: pattern bytes queued so far */
	size_t received;   /* bytes read (client: checked against the pattern; server: echoed) */
	size_t bad_at;     /* first wrong byte + 1; 0: none */
	size_t at_ceiling; /* server: reads that filled the input to its ceiling */
	size_t at_ceiling_pending; /* server: those of them that left bytes inside OpenSSL */
};

struct pair {
	struct event_base *base;
	struct event *watchdog;
	struct end srv, cli;
	bool (*done)(const struct pair *p);
	bool timed_out;
};

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i % 251); /* a prime period: no alignment hides a shifted byte */
}

static void
check_stop(struct pair *p)
{
	if (p->done(p))
		event_base_loopbreak(p->base);
}

static void
watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct pair *p = arg;

	(void)fd;
	(void)what;
	p->timed_out = true;
	event_base_loopbreak(p->base);
}

/* The client keeps up to FEED_AHEAD bytes queued, in chunks of changing sizes. */
static void
feed(struct end *e)
{
	static const size_t sizes[] = { 1, 700, 5000, 16384, 40000, 3, 16383, 100000 };
	struct evbuffer *out = sock_output(e->s);
	unsigned char chunk[100000];
	size_t n, i;

	while (e->queued < e->to_send && evbuffer_get_length(out) < FEED_AHEAD) {
		/*
		 * Lockstep: the peer has nothing more to read from the kernel until
		 * it answered, so whatever it left inside OpenSSL must come out
		 * without a wake-up from epoll.
		 */
		if (e->lockstep != 0 && e->received < e->queued)
			return;
		n = e->lockstep != 0 ? e->lockstep : sizes[(e->queued / 7) % nitems(sizes)];
		if (n > e->to_send - e->queued)
			n = e->to_send - e->queued;
		for (i = 0; i < n; i++)
			chunk[i] = pattern(e->queued + i);
		evbuffer_add(out, chunk, n);
		e->queued += n;
	}
}

static void
half_close(struct end *e)
{
	if (e->shut)
		return;
	e->shut = true;
	if (e->raw_half_close)
		shutdown(sock_fd(e->s), SHUT_WR); /* what some Docker clients do: no close_notify */
	else
		sock_shutdown_write(e->s);
}

/*
 * Server: echo, stopping above ECHO_HIWAT until the output drains.  Under a
 * ceiling, input is also left below it while the client has more on its
 * way, so that every stretch of reads runs into the ceiling and resumes.
 */
static void
echo_move(struct end *e)
{
	struct evbuffer *in = sock_input(e->s), *out = sock_output(e->s);
	size_t len = evbuffer_get_length(in);

	if (evbuffer_get_length(out) > ECHO_HIWAT) {
		if (e->read_max == 0 && !e->paused) {
			sock_read_disable(e->s);
			e->paused = true;
		}
		return; /* with the ceiling, input piles up until reads pause by themselves */
	}
	if (e->read_max != 0 && len < e->read_max && !(e->events & SOCK_EOF) &&
	    e->received + len < e->pair->cli.queued)
		return;
	e->received += len;
	evbuffer_add_buffer(out, in);
	if (e->paused) {
		e->paused = false;
		sock_read_enable(e->s);
	}
}

static void
readcb(struct sock *s, void *arg)
{
	struct end *e = arg;
	struct evbuffer *in = sock_input(s);
	unsigned char buf[8192];
	size_t n, i;

	if (e->echo) {
		/* Reads stop here until the input shrinks: OpenSSL's bytes wait for that. */
		if (e->read_max != 0 && evbuffer_get_length(in) >= e->read_max) {
			e->at_ceiling++;
			if (tls_conn_pending(sock_tls_conn(s)))
				e->at_ceiling_pending++;
		}
		echo_move(e);
	} else {
		while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0 && n != (size_t)-1) {
			for (i = 0; i < n && e->bad_at == 0; i++)
				if (buf[i] != pattern(e->received + i))
					e->bad_at = e->received + i + 1;
			e->received += n;
		}
		if (e->lockstep != 0)
			feed(e);
	}
	check_stop(e->pair);
}

static void
writecb(struct sock *s, void *arg)
{
	struct end *e = arg;

	if (e->echo) {
		echo_move(e);
		if ((e->events & SOCK_EOF) && evbuffer_get_length(sock_input(s)) == 0 &&
		    evbuffer_get_length(sock_output(s)) == 0)
			half_close(e);
	} else if (e->to_send > 0) {
		feed(e);
		if (e->queued == e->to_send && evbuffer_get_length(sock_output(s)) == 0)
			half_close(e);
	}
	check_stop(e->pair);
}

static void
eventcb(struct sock *s, int what, void *arg)
{
	struct end *e = arg;

	if (e->events == 0)
		e->first_event = what;
	e->events |= what;
	if ((what & SOCK_ERROR) && sock_tls_error(s) != NULL)
		snprintf(e->tls_err, sizeof(e->tls_err), "%s", sock_tls_error(s));
	if ((what & SOCK_TLS_DONE) && e->to_send > 0)
		feed(e);
	if ((what & SOCK_EOF) && e->echo) {
		size_t before = evbuffer_get_length(sock_input(s));

		echo_move(e);
		if (evbuffer_get_length(sock_output(s)) == 0 && before == 0)
			half_close(e);
	}
	check_stop(e->pair);
}

static void
pair_init(struct pair *p, bool (*done)(const struct pair *))
{
	struct timeval tv = { WATCHDOG_SEC, 0 };

	struct event_config *cfg = event_config_new();

	memset(p, 0, sizeof(*p));
	/*
	 * A few callbacks per pass, then timers: an event that re-activates
	 * itself (a read spinning on bytes OpenSSL holds) then shows as CPU
	 * time and a timeout instead of a hang.
	 */
	assert_non_null(cfg);
	assert_int_equal(event_config_set_max_dispatch_interval(cfg, NULL, 16, 0), 0);
	p->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	assert_non_null(p->base);
	p->watchdog = evtimer_new(p->base, watchdog, p);
	assert_non_null(p->watchdog);
	evtimer_add(p->watchdog, &tv);
	p->done = done;
	p->srv.role = "server";
	p->cli.role = "client";
	p->srv.pair = p->cli.pair = p;
}

/* Both ends as socks on a socketpair, TLS started on both. */
static void
pair_connect(struct pair *p, struct tls_conn *srv_ssl, struct tls_conn *cli_ssl)
{
	int fds[2];

	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
	p->srv.s = sock_new(p->base, fds[0], readcb, writecb, eventcb, &p->srv);
	p->cli.s = sock_new(p->base, fds[1], readcb, writecb, eventcb, &p->cli);
	assert_non_null(p->srv.s);
	assert_non_null(p->cli.s);
	assert_int_equal(sock_start_tls(p->srv.s, srv_ssl), 0);
	assert_int_equal(sock_start_tls(p->cli.s, cli_ssl), 0);
}

static void
pair_free(struct pair *p)
{
	sock_free(p->srv.s);
	sock_free(p->cli.s);
	event_free(p->watchdog);
	event_base_free(p->base);
}

/*
 * A client made without our contexts, offering what a listener must refuse.
 * Each offer is one that OpenSSL's defaults would accept, so the row fails
 * if the listener's own setting is lost.
 */
struct foreign_client {
	int security_level;
	int min_version, max_version;
	const char *ciphers; /* TLS 1.2 and below */
	const char *groups;  /* NULL: OpenSSL's default */
};

/* TLS 1.0 and 1.1 only (allowed by lowering its security level). */
static const struct foreign_client old_client = { 0, TLS1_VERSION, TLS1_1_VERSION,
	"DEFAULT:@SECLEVEL=0", NULL };
/* TLS 1.2 with CBC suites only: no AEAD (TLS12_CIPHERS). */
static const struct foreign_client cbc_client = { 1, TLS1_2_VERSION, TLS1_2_VERSION,
	"ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384", NULL };
/* TLS 1.3 with key shares only on groups outside TLS_GROUPS. */
static const struct foreign_client p521_client = { 1, TLS1_3_VERSION, TLS1_3_VERSION, "DEFAULT",
	"P-521:ffdhe2048" };

static struct tls_conn *
foreign_client_ssl(const struct foreign_client *f)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	char groups[64]; /* the OpenSSL macro casts away const */
	SSL *ssl;

	assert_non_null(c);
	SSL_CTX_set_security_level(c, f->security_level);
	assert_int_equal(SSL_CTX_set_min_proto_version(c, f->min_version), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(c, f->max_version), 1);
	assert_int_equal(SSL_CTX_set_cipher_list(c, f->ciphers), 1);
	if (f->groups != NULL) {
		snprintf(groups, sizeof(groups), "%s", f->groups);
		assert_int_equal(SSL_CTX_set1_groups_list(c, groups), 1);
	}
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(c);
	SSL_CTX_free(c); /* the SSL holds its own reference */
	assert_non_null(ssl);
	return tlsm_conn_wrap(ssl);
}

/* ---- handshakes ---------------------------------------------------------------------- */

struct hs_case {
	const char *name;
	enum sw_client_certs mode;
	const char *client_cert; /* stem, NULL: the client has none */
	const char *client_ca;   /* what the client trusts ("ca" or "other-ca") */
	const char *verify_name; /* the daemon name the client checks */
	const char *crl;         /* the listener's CRL file in the PKI dir; NULL: none */
	const struct foreign_client *foreign; /* a client made without our contexts; NULL: ours */
	int max_version;                      /* pin the client's highest version; 0: TLS 1.3 */
	const char *want_srv; /* NULL: handshake completes; else the server's reason */
	const char *want_cli; /* NULL: completes; else the client's reason ("" any) */
	const char *want_cn;  /* server side after success: verified peer CN; NULL none */
};

static struct hs_case hs_cases[] = {
	{ "required: valid client certificate", SW_CERTS_REQUIRED, "alice", "ca", "localhost", NULL,
	    NULL, 0, NULL, NULL, "alice" },
	{ "required: valid client certificate, TLS 1.2", SW_CERTS_REQUIRED, "alice", "ca",
	    "localhost", NULL, NULL, TLS1_2_VERSION, NULL, NULL, "alice" },
	{ "optional: no certificate", SW_CERTS_OPTIONAL, NULL, "ca", "localhost", NULL, NULL, 0,
	    NULL, NULL, NULL },
	{ "optional: valid certificate", SW_CERTS_OPTIONAL, "alice", "ca", "localhost", NULL, NULL,
	    0, NULL, NULL, "alice" },
	{ "optional: certificate from another CA is refused", SW_CERTS_OPTIONAL, "stranger", "ca",
	    "localhost", NULL, NULL, 0, "unknown CA", "peer alert: unknown CA", NULL },
	{ "none: certificate not asked for", SW_CERTS_NONE, "alice", "ca", "localhost", NULL, NULL,
	    0, NULL, NULL, NULL },
	{ "required: no client certificate", SW_CERTS_REQUIRED, NULL, "ca", "localhost", NULL, NULL,
	    0, "no client certificate", "peer alert: certificate required", NULL },
	{ "required: no client certificate, TLS 1.2", SW_CERTS_REQUIRED, NULL, "ca", "localhost",
	    NULL, NULL, TLS1_2_VERSION, "no client certificate", "peer alert: ", NULL },
	{ "required: certificate from another CA", SW_CERTS_REQUIRED, "stranger", "ca", "localhost",
	    NULL, NULL, 0, "unknown CA", "peer alert: unknown CA", NULL },
	{ "required: expired certificate", SW_CERTS_REQUIRED, "expired", "ca", "localhost", NULL,
	    NULL, 0, "certificate expired", "peer alert: certificate expired", NULL },
	{ "required: expired certificate, TLS 1.2", SW_CERTS_REQUIRED, "expired", "ca", "localhost",
	    NULL, NULL, TLS1_2_VERSION, "certificate expired", "peer alert: certificate expired",
	    NULL },
	{ "CRL: revoked certificate", SW_CERTS_REQUIRED, "revoked", "ca", "localhost", "crl.pem",
	    NULL, 0, "certificate revoked", "peer alert: certificate revoked", NULL },
	{ "CRL: certificate under a revoked intermediate", SW_CERTS_REQUIRED, "under-revoked", "ca",
	    "localhost", "crl.pem", NULL, 0, "certificate revoked",
	    "peer alert: certificate revoked", NULL },
	{ "CRL: no CRL from the intermediate's issuer fails closed", SW_CERTS_REQUIRED,
	    "under-revoked", "ca", "localhost", "crl-no-root.pem", NULL, 0, "CRL unavailable",
	    "peer alert: ", NULL },
	{ "no CRL: the same certificate under an intermediate passes", SW_CERTS_REQUIRED,
	    "under-revoked", "ca", "localhost", NULL, NULL, 0, NULL, NULL, "under-revoked" },
	{ "CRL: valid certificate passes", SW_CERTS_REQUIRED, "alice", "ca", "localhost", "crl.pem",
	    NULL, 0, NULL, NULL, "alice" },
	{ "TLS 1.1 client", SW_CERTS_REQUIRED, NULL, NULL, NULL, NULL, &old_client, 0,
	    "protocol version", "peer alert: protocol version", NULL },
	{ "TLS 1.2 client with CBC suites only", SW_CERTS_REQUIRED, NULL, NULL, NULL, NULL,
	    &cbc_client, 0, "no shared cipher", "peer alert: ", NULL },
	{ "TLS 1.3 client with groups we do not offer", SW_CERTS_REQUIRED, NULL, NULL, NULL, NULL,
	    &p521_client, 0, "no shared group", "peer alert: ", NULL },
	{ "client: server from an unknown CA", SW_CERTS_REQUIRED, "alice", "other-ca", "localhost",
	    NULL, NULL, 0, "peer alert: unknown CA", "unknown CA", NULL },
	{ "client: server name mismatch", SW_CERTS_REQUIRED, "alice", "ca", "daemon.example.test",
	    NULL, NULL, 0, "", "certificate name mismatch", NULL },
	{ "client: partial wildcard SAN does not match", SW_CERTS_REQUIRED, "alice", "ca",
	    "docker.example.test", NULL, NULL, 0, "", "certificate name mismatch", NULL },
	{ "client: IP address SAN", SW_CERTS_REQUIRED, "alice", "ca", "127.0.0.1", NULL, NULL, 0,
	    NULL, NULL, "alice" },
	{ "client: IP address not in the SANs", SW_CERTS_REQUIRED, "alice", "ca", "127.0.0.2", NULL,
	    NULL, 0, "", "certificate name mismatch", NULL },
};

static const struct hs_case *hs_current;

static bool
end_settled(const struct end *e, const char *want)
{
	if (e->events & SOCK_ERROR)
		return true;
	return want == NULL && (e->events & SOCK_TLS_DONE);
}

/*
 * Settled as the row wants, or both handshakes done: then a refusal the row
 * wants will not come (no row refuses after both ends finished), so
 * check_end() fails at once instead of at the watchdog.
 */
static bool
hs_done(const struct pair *p)
{
	if ((p->srv.events & SOCK_TLS_DONE) && (p->cli.events & SOCK_TLS_DONE))
		return true;
	return end_settled(&p->srv, hs_current->want_srv) &&
	       end_settled(&p->cli, hs_current->want_cli);
}

static void
check_end(const struct hs_case *c, const struct end *e, const char *want)
{
	if (want == NULL) {
		if (!(e->events & SOCK_TLS_DONE) || (e->events & SOCK_ERROR))
			fail_msg("case \"%s\": %s: events 0x%x (%s), want the handshake done",
			    c->name, e->role, (unsigned)e->events, e->tls_err);
		return;
	}
	if (!(e->events & SOCK_ERROR))
		fail_msg("case \"%s\": %s: events 0x%x, want SOCK_ERROR \"%s\"", c->name, e->role,
		    (unsigned)e->events, want);
	if (strncmp(e->tls_err, want, strlen(want)) != 0)
		fail_msg("case \"%s\": %s: reason \"%s\", want \"%s\"", c->name, e->role,
		    e->tls_err, want);
}

static void
test_sock_tls_handshake(void **state)
{
	const struct hs_case *c = *state;
	struct pair p;
	struct tls_conn *srv_ssl, *cli_ssl;

	hs_current = c;
	srv_ssl = server_ssl(c->name, c->mode, c->crl);
	cli_ssl = c->foreign != NULL ? foreign_client_ssl(c->foreign) :
	                               client_ssl(c->name, c->client_ca, c->client_cert,
	                                   c->verify_name, c->max_version);
	pair_init(&p, hs_done);
	pair_connect(&p, srv_ssl, cli_ssl);
	event_base_dispatch(p.base);
	if (p.timed_out)
		fail_msg("case \"%s\": timed out (server events 0x%x, client 0x%x)", c->name,
		    (unsigned)p.srv.events, (unsigned)p.cli.events);
	check_end(c, &p.srv, c->want_srv);
	check_end(c, &p.cli, c->want_cli);
	if (c->want_srv == NULL) {
		SSL *ssl = tlsm_conn_ssl(sock_tls_conn(p.srv.s));
		X509 *peer = SSL_get0_peer_certificate(ssl);
		const char *cipher = SSL_get_cipher_name(ssl);
		int version = SSL_version(ssl);

		if (version != (c->max_version != 0 ? c->max_version : TLS1_3_VERSION))
			fail_msg("case \"%s\": negotiated %s", c->name, SSL_get_version(ssl));
		if (version == TLS1_2_VERSION &&
		    (strncmp(cipher, "ECDHE-", 6) != 0 ||
		        (strstr(cipher, "GCM") == NULL && strstr(cipher, "CHACHA20") == NULL)))
			fail_msg("case \"%s\": TLS 1.2 cipher %s is not ECDHE with AEAD", c->name,
			    cipher);
		if (c->want_cn == NULL && peer != NULL)
			fail_msg("case \"%s\": a peer certificate, want none", c->name);
		if (c->want_cn != NULL) {
			struct sw_cert_ident *ci;

			if (peer == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
				fail_msg("case \"%s\": no verified peer certificate", c->name);
			ci = tlsm_cert_ident_new(peer);
			assert_non_null(ci);
			if (ci->cn == NULL || strcmp(ci->cn, c->want_cn) != 0)
				fail_msg("case \"%s\": peer CN %s, want %s", c->name,
				    ci->cn != NULL ? ci->cn : "(none)", c->want_cn);
			tlsm_cert_ident_free(ci);
		}
	}
	pair_free(&p);
}

/* ---- a peer that does not speak TLS ---------------------------------------------------- */

struct raw_case {
	const char *name;
	const char *bytes; /* sent by a plain client, then it closes; NULL: closes at once */
	size_t len;
	const char *want_srv;
};

#define RAW(lit) lit, sizeof(lit) - 1

static struct raw_case raw_cases[] = {
	{ "peer closes before its ClientHello", NULL, 0, "connection closed during handshake" },
	{ "peer closes in the middle of its ClientHello",
	    RAW("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03"), "connection closed during handshake" },
	{ "plain HTTP request to a TLS listener", RAW("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "plain HTTP sent to a TLS port" },
	{ "bytes that are not TLS", RAW("SSH-2.0-OpenSSH_9.2\r\n"), "protocol version" },
};

static bool
raw_done(const struct pair *p)
{
	return (p->srv.events & (SOCK_ERROR | SOCK_TLS_DONE | SOCK_EOF)) != 0;
}

static void
test_sock_tls_raw_peer(void **state)
{
	const struct raw_case *c = *state;
	struct pair p;
	int fds[2];

	pair_init(&p, raw_done);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
	p.srv.s = sock_new(p.base, fds[0], readcb, writecb, eventcb, &p.srv);
	assert_non_null(p.srv.s);
	assert_int_equal(sock_start_tls(p.srv.s, server_ssl(c->name, SW_CERTS_REQUIRED, NULL)), 0);
	if (c->bytes != NULL)
		assert_int_equal(write(fds[1], c->bytes, c->len), (ssize_t)c->len);
	close(fds[1]);
	event_base_dispatch(p.base);
	if (p.timed_out || !(p.srv.events & SOCK_ERROR))
		fail_msg("case \"%s\": server events 0x%x, want SOCK_ERROR", c->name,
		    (unsigned)p.srv.events);
	if (strcmp(p.srv.tls_err, c->want_srv) != 0)
		fail_msg(
		    "case \"%s\": reason \"%s\", want \"%s\"", c->name, p.srv.tls_err, c->want_srv);
	pair_free(&p);
}

/* ---- 4 MiB each way ------------------------------------------------------------------ */

struct echo_case {
	const char *name;
	int max_version;     /* 0: TLS 1.3 */
	size_t read_size;    /* both ends */
	size_t read_max;     /* both ends' read ceiling; 0: none (the server pauses reading) */
	bool raw_half_close; /* the client half-closes with shutdown(2), no close_notify */
	bool queue_early;    /* the client queues its first bytes before the handshake ends */
	size_t lockstep;     /* the client waits for each chunk's echo; 0: it streams */
};

static struct echo_case echo_cases[] = {
	{ "TLS 1.3, 1000-byte reads under a 4 KiB ceiling", 0, 1000, 4096, false, false, 0 },
	{ "TLS 1.2, 1000-byte reads under a 4 KiB ceiling", TLS1_2_VERSION, 1000, 4096, false,
	    false, 0 },
	{ "TLS 1.3, 16 KiB reads, reads paused by the owner", 0, 16384, 0, false, false, 0 },
	{ "TLS 1.3, 100-byte reads, 1 KiB ceiling", 0, 100, 1024, false, false, 0 },
	{ "client half-closes without close_notify", 0, 1000, 4096, true, false, 0 },
	{ "client half-closes without close_notify, TLS 1.2", TLS1_2_VERSION, 1000, 4096, true,
	    false, 0 },
	{ "bytes queued during the handshake", 0, 4096, 8192, false, true, 0 },
	{ "lockstep 40000-byte chunks, 1000-byte reads, 4 KiB ceiling", 0, 1000, 4096, false, false,
	    40000 },
	{ "lockstep 16 KiB chunks, 1000-byte reads, reads paused by the owner", 0, 1000, 0, false,
	    false, 16384 },
	{ "lockstep 40000-byte chunks, TLS 1.2, 1000-byte reads, 4 KiB ceiling", TLS1_2_VERSION,
	    1000, 4096, false, false, 40000 },
	{ "lockstep 5000-byte chunks, 16 KiB reads", 0, 16384, 0, false, false, 5000 },
};

static bool
echo_done(const struct pair *p)
{
	if ((p->srv.events | p->cli.events) & SOCK_ERROR)
		return true;
	return (p->cli.events & SOCK_EOF) && p->srv.shut && p->cli.shut;
}

static void
test_sock_tls_echo(void **state)
{
	const struct echo_case *c = *state;
	struct pair p;

	pair_init(&p, echo_done);
	pair_connect(&p, server_ssl(c->name, SW_CERTS_REQUIRED, NULL),
	    client_ssl(c->name, "ca", "alice", "localhost", c->max_version));
	p.srv.echo = true;
	p.srv.read_max = c->read_max;
	p.cli.to_send = ECHO_BYTES;
	p.cli.lockstep = c->lockstep;
	p.cli.raw_half_close = c->raw_half_close;
	sock_set_read_size(p.srv.s, c->read_size);
	sock_set_read_size(p.cli.s, c->read_size);
	assert_int_equal(sock_set_read_max(p.srv.s, c->read_max), 0);
	assert_int_equal(sock_set_read_max(p.cli.s, c->read_max), 0);
	sock_set_write_lowat(p.srv.s, 32 * 1024);
	sock_set_write_lowat(p.cli.s, 64 * 1024);
	if (c->queue_early)
		feed(&p.cli);
	event_base_dispatch(p.base);

	if (p.timed_out)
		fail_msg("case \"%s\": timed out: server got %zu, client queued %zu and got %zu, "
		         "events 0x%x/0x%x",
		    c->name, p.srv.received, p.cli.queued, p.cli.received, (unsigned)p.srv.events,
		    (unsigned)p.cli.events);
	if ((p.srv.events | p.cli.events) & SOCK_ERROR)
		fail_msg("case \"%s\": error: server \"%s\" (0x%x), client \"%s\" (0x%x)", c->name,
		    p.srv.tls_err, (unsigned)p.srv.events, p.cli.tls_err, (unsigned)p.cli.events);
	if (c->queue_early && (p.cli.first_event & SOCK_TLS_DONE) == 0)
		fail_msg(
		    "case \"%s\": first client event 0x%x", c->name, (unsigned)p.cli.first_event);
	if (p.srv.received != ECHO_BYTES || p.cli.received != ECHO_BYTES)
		fail_msg("case \"%s\": server got %zu, client got %zu, want %u each", c->name,
		    p.srv.received, p.cli.received, ECHO_BYTES);
	if (p.cli.bad_at != 0)
		fail_msg("case \"%s\": echoed byte %zu differs", c->name, p.cli.bad_at - 1);
	/* All arrived (above), so what OpenSSL held when the ceiling stopped reads came out. */
	if (c->read_max != 0 && p.srv.at_ceiling_pending == 0)
		fail_msg("case \"%s\": the server reached its ceiling %zu times, never with bytes "
		         "left inside OpenSSL",
		    c->name, p.srv.at_ceiling);
	if (!(p.srv.events & SOCK_EOF) || !(p.cli.events & SOCK_EOF))
		fail_msg("case \"%s\": EOF server %d client %d", c->name,
		    (p.srv.events & SOCK_EOF) != 0, (p.cli.events & SOCK_EOF) != 0);
	/* A close_notify after all data: the server's side ended cleanly, not by a cut. */
	if ((SSL_get_shutdown(tlsm_conn_ssl(sock_tls_conn(p.cli.s))) & SSL_RECEIVED_SHUTDOWN) == 0)
		fail_msg("case \"%s\": the client saw no close_notify", c->name);
	pair_free(&p);
}

/* ---- over TCP: TLS started while the connect is in progress --------------------------- */

static bool
tcp_done(const struct pair *p)
{
	return ((p->srv.events | p->cli.events) & SOCK_ERROR) || p->cli.received >= 4;
}

static void
tcp_readcb(struct sock *s, void *arg)
{
	struct end *e = arg;
	struct evbuffer *in = sock_input(s);

	if (e->echo) {
		e->received += evbuffer_get_length(in);
		evbuffer_add_buffer(sock_output(s), in);
	} else if (evbuffer_get_length(in) >= 4) {
		char buf[4];

		evbuffer_remove(in, buf, 4);
		e->received = memcmp(buf, "ping", 4) == 0 ? 4 : 999;
	}
	check_stop(e->pair);
}

static void
test_sock_tls_tcp_connect(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct pair p;
	int lfd, fd, rc, one = 1;

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd != -1);
	assert_int_equal(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);

	pair_init(&p, tcp_done);
	p.cli.s = sock_new(p.base, -1, tcp_readcb, NULL, eventcb, &p.cli);
	assert_non_null(p.cli.s);
	rc = sock_connect(p.cli.s, (struct sockaddr *)&sin, sizeof(sin));
	assert_true(rc == 0 || rc == 1);
	assert_int_equal(
	    sock_start_tls(p.cli.s, client_ssl("tcp", "ca", "alice", "[127.0.0.1]", 0)), 0);
	evbuffer_add(sock_output(p.cli.s), "ping", 4); /* waits for the handshake */
	/* The kernel completes the TCP handshake on its own: accept now. */
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(fd != -1);
	p.srv.echo = true;
	p.srv.s = sock_new(p.base, fd, tcp_readcb, NULL, eventcb, &p.srv);
	assert_non_null(p.srv.s);
	assert_int_equal(sock_start_tls(p.srv.s, server_ssl("tcp", SW_CERTS_REQUIRED, NULL)), 0);
	event_base_dispatch(p.base);

	if (p.timed_out || ((p.srv.events | p.cli.events) & SOCK_ERROR))
		fail_msg("timed out %d, server \"%s\" 0x%x, client \"%s\" 0x%x", p.timed_out,
		    p.srv.tls_err, (unsigned)p.srv.events, p.cli.tls_err, (unsigned)p.cli.events);
	assert_int_equal(p.cli.received, 4);
	/* The connect completion is held back and reported with the handshake's end. */
	if (rc == 0 && p.cli.first_event != (SOCK_CONNECTED | SOCK_TLS_DONE))
		fail_msg("first client event 0x%x, want SOCK_CONNECTED|SOCK_TLS_DONE",
		    (unsigned)p.cli.first_event);
	if (rc == 1 && p.cli.first_event != SOCK_TLS_DONE)
		fail_msg(
		    "first client event 0x%x, want SOCK_TLS_DONE", (unsigned)p.cli.first_event);
	/* TLS bytes cannot be spliced: callers get -1 and copy. */
	assert_int_equal(sock_pipe_start(p.cli.s, p.srv.s, SOCK_PIPE_ALL, NULL, NULL), -1);
	assert_non_null(sock_tls_conn(p.cli.s));
	assert_null(sock_tls_error(p.cli.s));
	pair_free(&p);
	close(lfd);
}

/* ---- a record that arrives in two parts ---------------------------------------------- */

/*
 * A relay between the client's socketpair and the server's holds back the
 * last bytes of the client's data for a while, so the server has part of a
 * record inside OpenSSL and nothing to read from the kernel.  It must wait
 * for epoll then, not spin on the bytes OpenSSL holds.
 */
#define HOLD_BYTES 100
#define HOLD_MS    300

struct relay {
	int c_fd, s_fd;            /* our ends of the client's and the server's socketpairs */
	struct event *c_ev, *s_ev; /* readable */
	struct event *timer;
	struct evbuffer *c2s; /* from the client, not yet forwarded */
	size_t boundary;      /* bytes of c2s that are handshake: never held */
	bool holding, released;
	bool c_eof; /* the client half-closed: pass it on once all is forwarded */
	struct timespec cpu0;
	double cpu_ms; /* CPU this process used while the bytes were held */
};

static void
relay_flush(struct relay *r)
{
	size_t len = evbuffer_get_length(r->c2s), n = len;

	if (r->holding && !r->released && len > r->boundary)
		n = len - r->boundary > HOLD_BYTES ? len - HOLD_BYTES : r->boundary;
	if (n > 0) {
		unsigned char *b = evbuffer_pullup(r->c2s, (ev_ssize_t)n);

		assert_int_equal(write(r->s_fd, b, n), (ssize_t)n);
		evbuffer_drain(r->c2s, n);
		r->boundary = r->boundary > n ? r->boundary - n : 0;
	}
	if (r->c_eof && evbuffer_get_length(r->c2s) == 0)
		shutdown(r->s_fd, SHUT_WR);
}

static void
relay_c(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct timeval tv = { 0, HOLD_MS * 1000 };

	(void)what;
	switch (evbuffer_read(r->c2s, fd, 65536)) {
	case -1:
		return;
	case 0:
		r->c_eof = true;
		event_del(r->c_ev);
		break;
	default:
		break;
	}
	if (r->holding && !r->released && evbuffer_get_length(r->c2s) > r->boundary &&
	    !evtimer_pending(r->timer, NULL)) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &r->cpu0);
		evtimer_add(r->timer, &tv);
	}
	relay_flush(r);
}

static void
relay_s(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	unsigned char buf[65536];
	ssize_t n;

	(void)what;
	if ((n = read(fd, buf, sizeof(buf))) > 0)
		assert_int_equal(write(r->c_fd, buf, (size_t)n), n);
}

static void
relay_release(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct timespec now;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	r->cpu_ms = (double)(now.tv_sec - r->cpu0.tv_sec) * 1e3 +
	            (double)(now.tv_nsec - r->cpu0.tv_nsec) / 1e6;
	r->released = true;
	relay_flush(r);
}

static struct relay *the_relay;

/* The client's handshake bytes are all written when it reports SOCK_TLS_DONE. */
static void
held_cli_eventcb(struct sock *s, int what, void *arg)
{
	struct relay *r = the_relay;

	if (what & SOCK_TLS_DONE) {
		while (evbuffer_read(r->c2s, r->c_fd, 65536) > 0)
			;
		r->boundary = evbuffer_get_length(r->c2s);
		r->holding = true;
		relay_flush(r);
	}
	eventcb(s, what, arg);
}

static bool
held_done(const struct pair *p)
{
	return ((p->srv.events | p->cli.events) & SOCK_ERROR) || p->cli.received >= 20000;
}

static void
test_sock_tls_partial_record_waits(void **state)
{
	struct relay r = { 0 };
	int cfds[2], sfds[2];
	struct pair p;

	(void)state;
	pair_init(&p, held_done);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, cfds), 0);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sfds), 0);
	r.c_fd = cfds[1];
	r.s_fd = sfds[1];
	r.c2s = evbuffer_new();
	r.c_ev = event_new(p.base, r.c_fd, EV_READ | EV_PERSIST, relay_c, &r);
	r.s_ev = event_new(p.base, r.s_fd, EV_READ | EV_PERSIST, relay_s, &r);
	r.timer = evtimer_new(p.base, relay_release, &r);
	assert_non_null(r.c2s);
	assert_non_null(r.c_ev);
	assert_non_null(r.s_ev);
	assert_non_null(r.timer);
	event_add(r.c_ev, NULL);
	event_add(r.s_ev, NULL);
	the_relay = &r;

	p.srv.echo = true;
	p.cli.to_send = 20000; /* one full record and a part of the next */
	p.srv.s = sock_new(p.base, sfds[0], readcb, writecb, eventcb, &p.srv);
	p.cli.s = sock_new(p.base, cfds[0], readcb, writecb, held_cli_eventcb, &p.cli);
	assert_non_null(p.srv.s);
	assert_non_null(p.cli.s);
	assert_int_equal(sock_start_tls(p.srv.s, server_ssl("held", SW_CERTS_REQUIRED, NULL)), 0);
	assert_int_equal(
	    sock_start_tls(p.cli.s, client_ssl("held", "ca", "alice", "localhost", 0)), 0);
	event_base_dispatch(p.base);

	if (p.timed_out || ((p.srv.events | p.cli.events) & SOCK_ERROR))
		fail_msg("timed out %d, server \"%s\" 0x%x, client \"%s\" 0x%x", p.timed_out,
		    p.srv.tls_err, (unsigned)p.srv.events, p.cli.tls_err, (unsigned)p.cli.events);
	if (!r.released)
		fail_msg("the relay never held anything back");
	assert_int_equal(p.cli.received, 20000);
	assert_int_equal(p.cli.bad_at, 0);
	/* Spinning would use most of the hold time; waiting uses next to none. */
	if (r.cpu_ms > HOLD_MS / 3.0)
		fail_msg(
		    "%.1f ms of CPU while a record waited %d ms for its end", r.cpu_ms, HOLD_MS);
	event_free(r.c_ev);
	event_free(r.s_ev);
	event_free(r.timer);
	evbuffer_free(r.c2s);
	close(r.c_fd);
	close(r.s_fd);
	pair_free(&p);
}

/* A plain sock stays plain: no TLS connection, no TLS reason. */
static void
test_sock_tls_plain_untouched(void **state)
{
	struct event_base *base = event_base_new();
	struct sock *a, *b;
	int fds[2];

	(void)state;
	assert_non_null(base);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
	a = sock_new(base, fds[0], NULL, NULL, NULL, NULL);
	b = sock_new(base, fds[1], NULL, NULL, NULL, NULL);
	assert_null(sock_tls_conn(a));
	assert_null(sock_tls_error(a));
	/* Starting TLS twice, or on a socket with no descriptor, is refused (and frees the conn).
	 */
	{
		struct sock *none = sock_new(base, -1, NULL, NULL, NULL, NULL);

		assert_int_equal(sock_start_tls(b, server_ssl("plain", SW_CERTS_NONE, NULL)), 0);
		assert_int_equal(sock_start_tls(b, server_ssl("plain", SW_CERTS_NONE, NULL)), -1);
		assert_int_equal(
		    sock_start_tls(none, server_ssl("plain", SW_CERTS_NONE, NULL)), -1);
		sock_free(none);
	}
	sock_free(a);
	sock_free(b);
	event_base_free(base);
}

/* ---- plain sockets: splicing ------------------------------------------------------------ */

/*
 * src reads a socketpair whose far end ("feed") the test writes; dst writes
 * one whose far end ("sink") the test reads, slowly when asked, so that dst
 * fills up and the pipe must wait on both sides.  After the pipe's done
 * callback the loop runs on a little, to catch what src does next.
 */
#define PIPE_BIG (3u * 1024 * 1024 + 17)

struct pipe_case {
	const char *name;
	const char *before; /* read by src before the pipe starts ("": nothing) */
	const char *during; /* sent once the pipe runs; NULL: PIPE_BIG pattern bytes */
	bool close_feed;    /* the feed half-closes after "during" */
	bool slow_sink;     /* the sink takes 64 KiB per millisecond */
	uint64_t n;         /* bytes to move (SOCK_PIPE_ALL: until src's EOF) */
	int want_status;
	size_t want_moved; /* the first bytes sent; src's input then holds the rest */
	bool gated;        /* sock_pipe_start_gated() with record_gate() */
	size_t records;    /* "during" is PIPE_BIG bytes in records of this size, then "0;" */
};

static struct pipe_case pipe_cases[] = {
	{ "splice: until EOF", "", "hello world", true, false, SOCK_PIPE_ALL, SOCK_EOF, 11, false,
	    0 },
	{ "splice: bytes read before go first", "abc", "def", true, false, SOCK_PIPE_ALL, SOCK_EOF,
	    6, false, 0 },
	{ "splice: n bytes, then src reads again", "", "hello world", false, false, 5, 0, 5, false,
	    0 },
	{ "splice: n bytes from what was read before", "hello world", "", false, false, 5, 0, 5,
	    false, 0 },
	{ "splice: 3 MiB to a slow reader, until EOF", "", NULL, true, true, SOCK_PIPE_ALL,
	    SOCK_EOF, PIPE_BIG, false, 0 },
	{ "splice: 3 MiB to a slow reader, n bytes", "", NULL, false, true, PIPE_BIG - 1000, 0,
	    PIPE_BIG - 1000, false, 0 },
	/* The gate reads records "<length>;<bytes>"; "0;" is the last one. */
	{ "gated: records up to the last, then src reads again", "", "5;hello3;abc0;tail", false,
	    false, 0, 0, 14, true, 0 },
	{ "gated: n bytes first, then the gate", "", "xy2;ab0;", false, false, 2, 0, 8, true, 0 },
	{ "gated: the n bytes come from what was read before", "xy", "2;ab0;", false, false, 2, 0,
	    8, true, 0 },
	{ "gated: a record the gate refuses is not moved", "", "3;abcZZ;", false, false, 0, 0, 5,
	    true, 0 },
	{ "gated: src ends inside a record", "", "9;abc", true, false, 0, SOCK_EOF, 5, true, 0 },
	{ "gated: src ends before the gate is asked", "", "", true, false, 0, SOCK_EOF, 0, true,
	    0 },
	{ "gated: 3 MiB in 32 KiB records to a slow reader", "", NULL, false, true, 0, 0, 0, true,
	    32 * 1024 },
	{ "gated: 3 MiB in 40-byte records", "", NULL, false, false, 0, 0, 0, true, 40 },
};

/* The records of a "records" row: pattern bytes, each record behind its length. */
static unsigned char *
make_records(size_t size, size_t *len)
{
	size_t cap = PIPE_BIG + PIPE_BIG / size * 16 + 64, at = 0, body = 0, n, i;
	unsigned char *d = malloc(cap);

	assert_non_null(d);
	while (body < PIPE_BIG) {
		n = PIPE_BIG - body < size ? PIPE_BIG - body : size;
		at += (size_t)snprintf((char *)d + at, cap - at, "%zu;", n);
		for (i = 0; i < n; i++)
			d[at + i] = pattern(body + i);
		at += n;
		body += n;
	}
	memcpy(d + at, "0;", 2);
	*len = at + 2;
	return d;
}

struct splice_run {
	struct event_base *base;
	int feed, sink;
	const unsigned char *data; /* before, then during */
	size_t len, fed;
	struct evbuffer *sunk;
	struct event *feed_ev, *sink_ev, *tick, *stop;
	bool slow_sink, close_feed, started, done;
	int status;
	uint64_t moved;
	int src_reads_piping; /* src readcb while the pipe ran: must be none */
	int dst_fd;
	size_t held_max;    /* queue_budget_held() seen by the sink */
	int sndbuf_max;     /* dst's SO_SNDBUF seen by the sink */
	int src_eofs;       /* SOCK_EOF to src's eventcb */
	size_t gated_at;    /* bytes the gate has granted or seen granted so far */
	bool gate_bad_peek; /* the gate was shown bytes other than those due next */
};

/*
 * A gate over records "<length>;<bytes>": each record is granted whole,
 * "0;" as the last, anything else refused.  It also checks that what it is
 * shown is what was sent at that offset: peeking must not consume.
 */
static uint64_t
record_gate(const char *peek, size_t len, bool *last, void *arg)
{
	struct splice_run *r = arg;
	size_t at = 0, size = 0;

	if (len > r->len - r->gated_at || memcmp(peek, r->data + r->gated_at, len) != 0)
		r->gate_bad_peek = true;
	while (at < len && peek[at] >= '0' && peek[at] <= '9')
		size = size * 10 + (size_t)(peek[at++] - '0');
	if (at == 0 || at == len || peek[at] != ';') {
		*last = true;
		return 0;
	}
	at++;
	*last = size == 0;
	r->gated_at += at + size;
	return at + size;
}

static void
sink_take(struct splice_run *r, size_t most)
{
	unsigned char buf[65536];
	ssize_t n;

	while (most > 0 && (n = read(r->sink, buf, most < sizeof(buf) ? most : sizeof(buf))) > 0) {
		evbuffer_add(r->sunk, buf, (size_t)n);
		most -= (size_t)n;
	}
}

static void
sink_cb(evutil_socket_t fd, short what, void *arg)
{
	struct splice_run *r = arg;
	int sndbuf = 0;
	socklen_t len = sizeof(sndbuf);

	(void)fd;
	(void)what;
	if (queue_budget_held() > r->held_max)
		r->held_max = queue_budget_held();
	if (getsockopt(r->dst_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 &&
	    sndbuf > r->sndbuf_max)
		r->sndbuf_max = sndbuf;
	sink_take(r, r->slow_sink ? 65536 : SIZE_MAX);
}

static void
feed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct splice_run *r = arg;
	ssize_t n;

	(void)what;
	while (r->fed < r->len && (n = write(fd, r->data + r->fed, r->len - r->fed)) > 0)
		r->fed += (size_t)n;
	if (r->fed < r->len)
		return;
	event_del(r->feed_ev);
	if (r->close_feed)
		shutdown(fd, SHUT_WR);
}

static void
break_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void
splice_src_readcb(struct sock *s, void *arg)
{
	struct splice_run *r = arg;

	(void)s;
	if (!r->started)
		event_base_loopbreak(r->base); /* "before" has been read */
	else if (!r->done)
		r->src_reads_piping++;
}

static void
splice_src_eventcb(struct sock *s, int what, void *arg)
{
	struct splice_run *r = arg;

	(void)s;
	if (what & SOCK_EOF)
		r->src_eofs++;
}

static void
splice_done(struct sock *src, int status, uint64_t moved, void *arg)
{
	struct splice_run *r = arg;
	struct timeval settle = { 0, 100000 };

	(void)src;
	r->done = true;
	r->status = status;
	r->moved = moved;
	evtimer_add(r->stop, &settle);
}

/*
 * One pipe case; with "spent", other connections already hold more than
 * the budget for queued bytes (queue_budget.h) when the pipe starts.
 * Either way, all that the pipe counted is given back once both ends are
 * freed, and dst's send buffer is back to what it was once the pipe is done.
 */
#define OTHERS_HOLD (1024u * 1024)

static void
run_splice(const struct pipe_case *c, bool spent)
{
	struct timeval watchdog = { WATCHDOG_SEC, 0 }, ms = { 0, 1000 };
	struct splice_run r = { 0 };
	size_t blen = strlen(c->before), want_moved, i;
	unsigned char *data, *sunk;
	struct sock *src, *dst;
	struct event *wd;
	int a[2], b[2], sndbuf_was = 0, sndbuf_after = 0;
	socklen_t optlen = sizeof(int);

	assert_int_equal(queue_budget_held(), 0);
	if (spent) {
		queue_budget_set(OTHERS_HOLD - 1);
		queue_budget_add(OTHERS_HOLD);
	}
	r.base = event_base_new();
	assert_non_null(r.base);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, b), 0);
	if (c->records > 0) {
		data = make_records(c->records, &r.len);
	} else {
		r.len = blen + (c->during != NULL ? strlen(c->during) : PIPE_BIG);
		data = malloc(r.len);
		assert_non_null(data);
		memcpy(data, c->before, blen);
		for (i = blen; i < r.len; i++)
			data[i] =
			    c->during != NULL ? (unsigned char)c->during[i - blen] : pattern(i);
	}
	want_moved = c->records > 0 ? r.len : c->want_moved;
	r.data = data;
	r.gated_at = c->n;
	r.feed = a[1];
	r.sink = b[1];
	r.dst_fd = b[0];
	assert_int_equal(getsockopt(b[0], SOL_SOCKET, SO_SNDBUF, &sndbuf_was, &optlen), 0);
	r.slow_sink = c->slow_sink;
	r.close_feed = c->close_feed;
	r.sunk = evbuffer_new();
	r.feed_ev = event_new(r.base, r.feed, EV_WRITE | EV_PERSIST, feed_cb, &r);
	r.sink_ev = event_new(r.base, r.sink, EV_READ | EV_PERSIST, sink_cb, &r);
	r.tick = event_new(r.base, -1, EV_PERSIST, sink_cb, &r);
	r.stop = evtimer_new(r.base, break_cb, r.base);
	wd = evtimer_new(r.base, break_cb, r.base);
	assert_non_null(r.sunk);
	assert_non_null(r.feed_ev);
	assert_non_null(r.sink_ev);
	assert_non_null(r.tick);
	assert_non_null(r.stop);
	assert_non_null(wd);
	evtimer_add(wd, &watchdog);
	src = sock_new(r.base, a[0], splice_src_readcb, NULL, splice_src_eventcb, &r);
	dst = sock_new(r.base, b[0], NULL, NULL, NULL, NULL);
	assert_non_null(src);
	assert_non_null(dst);

	if (blen > 0) {
		assert_int_equal(write(r.feed, c->before, blen), (ssize_t)blen);
		r.fed = blen;
		event_base_dispatch(r.base);
		assert_int_equal(evbuffer_get_length(sock_input(src)), blen);
	}
	r.started = true;
	if (c->gated)
		assert_int_equal(
		    sock_pipe_start_gated(src, dst, c->n, record_gate, splice_done, &r), 0);
	else
		assert_int_equal(sock_pipe_start(src, dst, c->n, splice_done, &r), 0);
	event_add(r.feed_ev, NULL);
	if (c->slow_sink)
		event_add(r.tick, &ms);
	else
		event_add(r.sink_ev, NULL);
	event_base_dispatch(r.base);
	sink_take(&r, SIZE_MAX);

	if (!r.done)
		fail_msg("case \"%s\": no done callback (fed %zu, sunk %zu)", c->name, r.fed,
		    evbuffer_get_length(r.sunk));
	if (r.status != c->want_status || r.moved != want_moved)
		fail_msg("case \"%s\": status %d moved %llu, want %d and %zu", c->name, r.status,
		    (unsigned long long)r.moved, c->want_status, want_moved);
	sunk = evbuffer_pullup(r.sunk, -1);
	/* memcmp() only over bytes there are: an empty evbuffer pulls up to NULL. */
	if (evbuffer_get_length(r.sunk) != want_moved ||
	    (want_moved > 0 && memcmp(sunk, data, want_moved) != 0))
		fail_msg("case \"%s\": the sink got %zu bytes, want the first %zu sent", c->name,
		    evbuffer_get_length(r.sunk), want_moved);
	if (r.gate_bad_peek)
		fail_msg("case \"%s\": the gate was shown bytes out of order", c->name);
	if (r.src_reads_piping != 0)
		fail_msg("case \"%s\": src readcb ran %d times during the pipe", c->name,
		    r.src_reads_piping);
	/* The pipe's done(SOCK_EOF) was the report: src must not read its EOF again. */
	if (r.src_eofs != 0)
		fail_msg("case \"%s\": src reported SOCK_EOF %d times after the pipe", c->name,
		    r.src_eofs);
	if (evbuffer_get_length(sock_input(src)) != r.len - want_moved ||
	    (r.len > want_moved && memcmp(evbuffer_pullup(sock_input(src), -1), data + want_moved,
	                               r.len - want_moved) != 0))
		fail_msg("case \"%s\": src input holds %zu bytes, want the %zu not moved", c->name,
		    evbuffer_get_length(sock_input(src)), r.len - want_moved);
	optlen = sizeof(int);
	assert_int_equal(getsockopt(b[0], SOL_SOCKET, SO_SNDBUF, &sndbuf_after, &optlen), 0);
	if (sndbuf_after != sndbuf_was)
		fail_msg("case \"%s\": dst's SO_SNDBUF is %d after the pipe, %d before", c->name,
		    sndbuf_after, sndbuf_was);
	/* A spent budget: the pipe holds 64 KiB at most, and no buffer is raised. */
	if (spent && (r.held_max > OTHERS_HOLD + QUEUE_BUDGET_PRESSED || r.sndbuf_max > sndbuf_was))
		fail_msg("case \"%s\" on a spent budget: %zu bytes held, SO_SNDBUF %d (was %d)",
		    c->name, r.held_max - OTHERS_HOLD, r.sndbuf_max, sndbuf_was);

	sock_free(src);
	sock_free(dst);
	if (spent)
		queue_budget_sub(OTHERS_HOLD);
	if (queue_budget_held() != 0)
		fail_msg("case \"%s\": %zu bytes still counted as held once both ends are freed",
		    c->name, queue_budget_held());
	event_free(r.feed_ev);
	event_free(r.sink_ev);
	event_free(r.tick);
	event_free(r.stop);
	event_free(wd);
	evbuffer_free(r.sunk);
	free(data);
	close(r.feed);
	close(r.sink);
	event_base_free(r.base);
	queue_budget_set(SIZE_MAX);
}

static void
test_sock_splice(void **state)
{
	run_splice(*state, false);
}

static void
test_sock_splice_spent_budget(void **state)
{
	run_splice(*state, true);
}

/*
 * Both ends freed while the pipe still holds bytes (a client gone while
 * its sink had stopped reading): what the pipe and dst's raised send buffer
 * counted is given back.
 */
static void
test_sock_pipe_freed_holding(void **state)
{
	struct timeval run_for = { 0, 300000 };
	struct splice_run r = { 0 };
	unsigned char *data;
	struct sock *src, *dst;
	int a[2], b[2];
	size_t i;

	(void)state;
	assert_int_equal(queue_budget_held(), 0);
	r.base = event_base_new();
	assert_non_null(r.base);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, b), 0);
	r.len = 3 * PIPE_BIG; /* more than dst's raised buffer and the pipe take */
	data = malloc(r.len);
	assert_non_null(data);
	for (i = 0; i < r.len; i++)
		data[i] = pattern(i);
	r.data = data;
	r.feed = a[1];
	r.feed_ev = event_new(r.base, r.feed, EV_WRITE | EV_PERSIST, feed_cb, &r);
	r.stop = evtimer_new(r.base, break_cb, r.base);
	assert_non_null(r.feed_ev);
	assert_non_null(r.stop);
	src = sock_new(r.base, a[0], NULL, NULL, NULL, NULL);
	dst = sock_new(r.base, b[0], NULL, NULL, NULL, NULL);
	assert_non_null(src);
	assert_non_null(dst);
	assert_int_equal(sock_pipe_start(src, dst, SOCK_PIPE_ALL, NULL, NULL), 0);
	event_add(r.feed_ev, NULL);
	evtimer_add(r.stop, &run_for);
	event_base_dispatch(r.base); /* nothing reads b[1] */

	/* Past the raised buffer's 1 MiB (sock.c SOCK_PIPE_SNDBUF): bytes in the pipe. */
	if (queue_budget_held() <= 1024u * 1024)
		fail_msg("the pipe holds nothing: %zu bytes counted", queue_budget_held());
	sock_free(src);
	sock_free(dst);
	if (queue_budget_held() != 0)
		fail_msg("%zu bytes still counted as held once both ends are freed",
		    queue_budget_held());
	event_free(r.feed_ev);
	event_free(r.stop);
	free(data);
	close(a[1]);
	close(b[1]);
	event_base_free(r.base);
}

/* ---- contexts: what the loader refuses ----------------------------------------------- */

struct ctx_case {
	const char *name;
	bool client;      /* tls_client_ctx_new, with host "localhost" */
	const char *cert; /* file names in the PKI dir; NULL: setting left empty */
	const char *key;
	const char *ca;
	const char *crl;
	enum sw_client_certs mode;
	const char *want_err; /* NULL: a context; else words the error must contain */
	const char *path_of;  /* the offending file, which the error must name (full path) */
	bool needs_root;      /* a file chowned to another user: skipped unless root */
};

static struct ctx_case ctx_cases[] = {
	{ "valid listener", false, "server.pem", "server-key.pem", "ca.pem", "crl.pem",
	    SW_CERTS_REQUIRED, NULL, NULL, false },
	{ "key mode 0644 refused", false, "open.pem", "open-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "mode 0644", "open-key.pem", false },
	{ "key mode 0640 refused", false, "group.pem", "group-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "mode 0640", "group-key.pem", false },
	{ "key that is a directory", false, "server.pem", "keydir", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "not a regular file", "keydir", false },
	{ "key of another certificate", false, "server.pem", "mismatch-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "does not match", "mismatch-key.pem", false },
	{ "missing certificate file", false, "nonexistent.pem", "server-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "No such file", "nonexistent.pem", false },
	{ "certificate file without PEM", false, "garbage.pem", "server-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "no certificate", "garbage.pem", false },
	{ "key file without PEM", false, "server.pem", "garbage-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "no private key", "garbage-key.pem", false },
	{ "ca file without certificates", false, "server.pem", "server-key.pem", "crl.pem", NULL,
	    SW_CERTS_REQUIRED, "no certificate", "crl.pem", false },
	{ "crl file without CRLs", false, "server.pem", "server-key.pem", "ca.pem", "ca.pem",
	    SW_CERTS_REQUIRED, "no CRL", "ca.pem", false },
	{ "expired CRL refused", false, "server.pem", "server-key.pem", "ca.pem", "crl-expired.pem",
	    SW_CERTS_REQUIRED, "expired", "crl-expired.pem", false },
	{ "CRL from the future refused", false, "server.pem", "server-key.pem", "ca.pem",
	    "crl-future.pem", SW_CERTS_REQUIRED, "not valid yet", "crl-future.pem", false },
	{ "client certificates without a ca", false, "server.pem", "server-key.pem", NULL, NULL,
	    SW_CERTS_OPTIONAL, "no ca", NULL, false },
	{ "no client certificates, no ca", false, "server.pem", "server-key.pem", NULL, NULL,
	    SW_CERTS_NONE, NULL, NULL, false },
	{ "listener without a key", false, "server.pem", NULL, "ca.pem", NULL, SW_CERTS_REQUIRED,
	    "cert and key", NULL, false },
	{ "upstream, no client certificate", true, NULL, NULL, "ca.pem", NULL, SW_CERTS_REQUIRED,
	    NULL, NULL, false },
	{ "upstream with client certificate", true, "alice.pem", "alice-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, NULL, NULL, false },
	{ "upstream without a ca", true, NULL, NULL, NULL, NULL, SW_CERTS_REQUIRED, "needs a ca",
	    NULL, false },
	{ "upstream cert without key", true, "alice.pem", NULL, "ca.pem", NULL, SW_CERTS_REQUIRED,
	    "cert and key", NULL, false },
	{ "upstream key mode 0644 refused", true, "open.pem", "open-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "mode 0644", "open-key.pem", false },
	{ "group-writable ca refused", false, "server.pem", "server-key.pem", "ca-groupw.pem", NULL,
	    SW_CERTS_REQUIRED, "ca %s: writable by its group or by others (mode 0664)",
	    "ca-groupw.pem", false },
	{ "other-writable ca refused", false, "server.pem", "server-key.pem", "ca-otherw.pem", NULL,
	    SW_CERTS_REQUIRED, "writable by its group or by others (mode 0646)", "ca-otherw.pem",
	    false },
	{ "ca owned by another user refused", false, "server.pem", "server-key.pem",
	    "ca-nobody.pem", NULL, SW_CERTS_REQUIRED,
	    "ca %s: owned by uid 65534, but only root or uid 0", "ca-nobody.pem", true },
	{ "symlink to a group-writable ca refused", false, "server.pem", "server-key.pem",
	    "ca-groupw-link.pem", NULL, SW_CERTS_REQUIRED, "(mode 0664)", "ca-groupw-link.pem",
	    false },
	{ "symlink to a FIFO as ca refused", false, "server.pem", "server-key.pem",
	    "ca-fifo-link.pem", NULL, SW_CERTS_REQUIRED, "not a regular file", "ca-fifo-link.pem",
	    false },
	{ "ca over 4 MiB refused", false, "server.pem", "server-key.pem", "ca-huge.pem", NULL,
	    SW_CERTS_REQUIRED, "larger than the limit of 4194304 bytes for the CA bundle",
	    "ca-huge.pem", false },
	{ "empty ca refused", false, "server.pem", "server-key.pem", "ca-empty.pem", NULL,
	    SW_CERTS_REQUIRED, "ca %s: empty", "ca-empty.pem", false },
	{ "world-writable crl refused", false, "server.pem", "server-key.pem", "ca.pem",
	    "crl-worldw.pem", SW_CERTS_REQUIRED, "crl %s: writable by its group or by others",
	    "crl-worldw.pem", false },
	{ "group-writable certificate refused", false, "certw.pem", "certw-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "cert %s: writable by its group or by others", "certw.pem", false },
	{ "key owned by another user refused", false, "nobody.pem", "nobody-key.pem", "ca.pem",
	    NULL, SW_CERTS_REQUIRED, "key %s: owned by uid 65534", "nobody-key.pem", true },
	{ "upstream group-writable ca refused", true, NULL, NULL, "ca-groupw.pem", NULL,
	    SW_CERTS_REQUIRED, "ca %s: writable by its group or by others", "ca-groupw.pem",
	    false },
	{ "upstream group-writable client certificate refused", true, "certw.pem", "certw-key.pem",
	    "ca.pem", NULL, SW_CERTS_REQUIRED, "cert %s: writable by its group or by others",
	    "certw.pem", false },
	{ "encrypted key refused", false, "encrypted.pem", "encrypted-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "key %s: encrypted keys are not supported", "encrypted-key.pem",
	    false },
	{ "upstream encrypted key refused", true, "encrypted.pem", "encrypted-key.pem", "ca.pem",
	    NULL, SW_CERTS_REQUIRED, "key %s: encrypted keys are not supported",
	    "encrypted-key.pem", false },
	{ "undecodable certificate after the leaf refused", false, "junk-after-leaf.pem",
	    "server-key.pem", "ca.pem", NULL, SW_CERTS_REQUIRED, "cert %s: bad chain certificate",
	    "junk-after-leaf.pem", false },
	{ "unterminated certificate after the leaf refused", false, "truncated-after-leaf.pem",
	    "server-key.pem", "ca.pem", NULL, SW_CERTS_REQUIRED, "cert %s: bad chain certificate",
	    "truncated-after-leaf.pem", false },
	{ "RSA-1024 leaf refused", false, "weak-leaf.pem", "server-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "cert %s: certificate refused: ee key too small", "weak-leaf.pem",
	    false },
	{ "RSA-1024 CA in the chain refused", false, "weak-chain.pem", "server-key.pem", "ca.pem",
	    NULL, SW_CERTS_REQUIRED, "cert %s: chain certificate refused: ca key too small",
	    "weak-chain.pem", false },
	{ "upstream RSA-1024 client certificate refused", true, "weak-leaf.pem", "server-key.pem",
	    "ca.pem", NULL, SW_CERTS_REQUIRED, "cert %s: certificate refused: ee key too small",
	    "weak-leaf.pem", false },
	{ "empty certificate file refused", false, "cert-empty.pem", "server-key.pem", "ca.pem",
	    NULL, SW_CERTS_REQUIRED, "cert %s: empty", "cert-empty.pem", false },
	{ "empty key file refused", false, "server.pem", "key-empty.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "key %s: empty", "key-empty.pem", false },
	{ "listener without a cert", false, NULL, "server-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "cert and key", NULL, false },
	{ "upstream key without cert", true, NULL, "alice-key.pem", "ca.pem", NULL,
	    SW_CERTS_REQUIRED, "cert and key", NULL, false },
	{ "undecodable certificate in the ca refused", false, "server.pem", "server-key.pem",
	    "junk-after-leaf.pem", NULL, SW_CERTS_REQUIRED, "ca %s: bad PEM", "junk-after-leaf.pem",
	    false },
	{ "undecodable block after the CRL refused", false, "server.pem", "server-key.pem",
	    "ca.pem", "crl-junk.pem", SW_CERTS_REQUIRED, "crl %s: bad PEM", "crl-junk.pem", false },
};

/* "pat" with its "%s", if any, replaced by "path". */
static void
expand_path(char *out, size_t outsz, const char *pat, const char *path)
{
	const char *at = strstr(pat, "%s");

	if (at == NULL)
		snprintf(out, outsz, "%s", pat);
	else
		snprintf(out, outsz, "%.*s%s%s", (int)(at - pat), pat, path, at + 2);
}

/*
 * Case "name" made "ctx", or refused with "err": a context when "want_err"
 * is NULL; else a refusal of one line saying "want_err" (its "%s" standing
 * for "path") and naming "path" (NULL: no file), with no OpenSSL error left
 * queued.  Frees ctx.
 */
static void
check_ctx(
    const char *name, struct tls_ctx *ctx, const char *err, const char *want_err, const char *path)
{
	char want[512];

	if (want_err == NULL) {
		if (ctx == NULL)
			fail_msg("case \"%s\": refused: %s", name, err);
		tls_ctx_free(ctx);
		return;
	}
	expand_path(want, sizeof(want), want_err, path != NULL ? path : "");
	if (ctx != NULL) {
		tls_ctx_free(ctx);
		fail_msg("case \"%s\": accepted, want \"%s\"", name, want);
	}
	if (strstr(err, want) == NULL)
		fail_msg("case \"%s\": error \"%s\", want \"%s\" in it", name, err, want);
	if (strchr(err, '\n') != NULL)
		fail_msg("case \"%s\": error is more than one line: \"%s\"", name, err);
	if (path != NULL && strstr(err, path) == NULL)
		fail_msg("case \"%s\": error \"%s\" does not name %s", name, err, path);
	if (ERR_peek_error() != 0)
		fail_msg("case \"%s\": OpenSSL errors left queued", name);
}

static void
test_sock_tls_ctx(void **state)
{
	const struct ctx_case *c = *state;
	struct sw_tls_cfg cfg;
	struct tls_ctx *ctx;
	char err[512] = "", path[128] = "";

	if (c->needs_root && geteuid() != 0)
		skip(); /* reported as skipped, not passed */
	if (c->path_of != NULL)
		pki_path(path, sizeof(path), c->path_of);
	memset(&cfg, 0, sizeof(cfg));
	cfg.enabled = true;
	cfg.client_certs = c->mode;
	if (c->cert != NULL)
		pki_path(cfg.cert, sizeof(cfg.cert), c->cert);
	if (c->key != NULL)
		pki_path(cfg.key, sizeof(cfg.key), c->key);
	if (c->ca != NULL)
		pki_path(cfg.ca, sizeof(cfg.ca), c->ca);
	if (c->crl != NULL)
		pki_path(cfg.crl, sizeof(cfg.crl), c->crl);
	ctx = c->client ? tls_client_ctx_new(&cfg, "localhost", err, sizeof(err)) :
	                  tls_server_ctx_new(&cfg, err, sizeof(err));
	check_ctx(c->name, ctx, err, c->want_err, c->path_of != NULL ? path : NULL);
}

/*
 * The daemon's name, which an upstream context settles before it reads any
 * file, and what each of its connections then checks and sends.
 */
struct name_case {
	const char *name;
	const char *host;        /* what the upstream URL gave ("" for a unix:// one) */
	const char *server_name; /* upstream_tls.server_name: "" means the host */
	const char *want_err;    /* NULL: a context; else words the error must contain */
	const char *want_dns;    /* a DNS name the daemon's certificate must carry, sent as SNI */
	const char *want_ip;     /* or an address it must carry, with no SNI (RFC 6066) */
};

static struct name_case name_cases[] = {
	{ "upstream with no server name refused", "", "",
	    "no server name to check the daemon's certificate against", NULL, NULL },
	{ "upstream server_name stands in for an empty host", "", "localhost", NULL, "localhost",
	    NULL },
	{ "upstream server_name of empty brackets refused", "localhost", "[]",
	    "server name \"[]\": empty, too long or unusable", NULL, NULL },
	{ "upstream server_name wins over the host", "127.0.0.1", "localhost", NULL, "localhost",
	    NULL },
	{ "upstream DNS host", "localhost", "", NULL, "localhost", NULL },
	{ "upstream IPv4 host", "127.0.0.1", "", NULL, NULL, "127.0.0.1" },
	/* OpenSSL spells the address out in full. */
	{ "upstream IPv6 host without its brackets", "[::1]", "", NULL, NULL, "0:0:0:0:0:0:0:1" },
};

/* Case "name": "got" is "want", both NULL or the same string. */
static void
check_name(const char *name, const char *what, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) || (got != NULL && strcmp(got, want) != 0))
		fail_msg("case \"%s\": %s \"%s\", want \"%s\"", name, what,
		    got != NULL ? got : "(none)", want != NULL ? want : "(none)");
}

static void
test_sock_tls_ctx_name(void **state)
{
	const struct name_case *c = *state;
	struct sw_tls_cfg cfg;
	struct tls_ctx *ctx;
	char err[512] = "";

	client_cfg(&cfg, "ca", NULL);
	snprintf(cfg.server_name, sizeof(cfg.server_name), "%s", c->server_name);
	ctx = tls_client_ctx_new(&cfg, c->host, err, sizeof(err));
	if (ctx != NULL && c->want_err == NULL) {
		struct tls_conn *tc = tls_conn_new(ctx);
		SSL *ssl;
		char *ip;

		assert_non_null(tc);
		ssl = tlsm_conn_ssl(tc);
		ip = X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(ssl));
		check_name(c->name, "checks the name",
		    X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl), 0), c->want_dns);
		check_name(c->name, "checks the address", ip, c->want_ip);
		check_name(c->name, "sends SNI", SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name),
		    c->want_dns);
		OPENSSL_free(ip);
		tls_conn_free(tc);
	}
	check_ctx(c->name, ctx, err, c->want_err, NULL);
}

/* ---- the module's entry point ------------------------------------------------------ */

struct init_case {
	const char *name;
	const char *abi;
	size_t ops_size;
	bool no_host;
};

/* What a program built from other sources would offer: each is refused. */
static const struct init_case init_cases[] = {
	{ "another ABI string", "sockwarden-tls 0", sizeof(struct tls_ops), false },
	{ "a shorter table", SW_TLS_MODULE_ABI, sizeof(struct tls_ops) - sizeof(void (*)(void)),
	    false },
	{ "a longer table", SW_TLS_MODULE_ABI, sizeof(struct tls_ops) + sizeof(void (*)(void)),
	    false },
	{ "no host functions", SW_TLS_MODULE_ABI, sizeof(struct tls_ops), true },
};

static void
test_tls_module_init_refuses(void **state)
{
	const struct tls_host *host = tlsm_host; /* the program's, set by pki_setup() */
	size_t i;

	(void)state;
	assert_non_null(host);
	for (i = 0; i < nitems(init_cases); i++) {
		const struct init_case *c = &init_cases[i];

		if (sw_tls_module_init(c->abi, c->ops_size, c->no_host ? NULL : host) != NULL)
			fail_msg("case \"%s\": a table, want none", c->name);
		if (tlsm_host != host)
			fail_msg("case \"%s\": the module's host functions changed", c->name);
	}
	assert_non_null(sw_tls_module_init(SW_TLS_MODULE_ABI, sizeof(struct tls_ops), host));
}

/* One test per row of "rows" (count of them, size bytes each), named by the row's first field. */
static void
add_rows(struct CMUnitTest *tests, size_t *n, CMUnitTestFunction fn, void *rows, size_t size,
    size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		void *row = (char *)rows + i * size;
		struct CMUnitTest t = cmocka_unit_test_prestate(fn, row);

		t.name = *(const char **)row; /* every row starts with its name */
		tests[(*n)++] = t;
	}
}

#define ADD_ROWS(fn, rows) add_rows(tests, &n, fn, rows, sizeof(rows[0]), nitems(rows))

int
main(void)
{
	struct CMUnitTest tests[nitems(hs_cases) + nitems(raw_cases) + nitems(echo_cases) +
	                        nitems(ctx_cases) + nitems(name_cases) + 2 * nitems(pipe_cases) +
	                        5];
	static char spent_names[nitems(pipe_cases)][128];
	size_t n = 0, i;

	ADD_ROWS(test_sock_tls_ctx, ctx_cases);
	ADD_ROWS(test_sock_tls_ctx_name, name_cases);
	ADD_ROWS(test_sock_tls_handshake, hs_cases);
	ADD_ROWS(test_sock_tls_raw_peer, raw_cases);
	ADD_ROWS(test_sock_tls_echo, echo_cases);
	ADD_ROWS(test_sock_splice, pipe_cases);
	ADD_ROWS(test_sock_splice_spent_budget, pipe_cases);
	for (i = 0; i < nitems(pipe_cases); i++) {
		struct CMUnitTest *t = &tests[n - nitems(pipe_cases) + i];

		snprintf(spent_names[i], sizeof(spent_names[i]), "spent budget, %s", t->name);
		t->name = spent_names[i];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sock_pipe_freed_holding);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sock_tls_tcp_connect);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sock_tls_partial_record_waits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sock_tls_plain_untouched);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_tls_module_init_refuses);
	return _cmocka_run_group_tests("sock_tls", tests, n, pki_setup, pki_teardown);
}
