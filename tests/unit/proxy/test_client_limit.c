/*
 * Per-client connection counting: keys from each kind of identity, the
 * limit itself, slots freed with their last connection, and a table that
 * grows past its first size without losing counts.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_limit.h"

struct key_case {
	const char *name;
	struct sw_ident id;
	const char *expect; /* NULL: no key */
};

static const struct sw_cert_ident alice = { "alice",
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 0, NULL };
static const struct sw_ctr_ident web = {
	"e754ab7b2695fbb46bb5f1dd49a4079449dc9a8eb706a21eb02956f59c56d85a", "web", "nginx", 0, NULL,
	NULL
};

static void
test_keys(void **state)
{
	static const struct key_case cases[] = {
		{ "certificate wins over everything",
		    { .has_peercred = true, .pid = 1, .cert = &alice, .ctr = &web },
		    "cert:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
		{ "container before uid", { .has_peercred = true, .pid = 1, .ctr = &web },
		    "ctr:e754ab7b2695fbb46bb5f1dd49a4079449dc9a8eb706a21eb02956f59c56d85a" },
		{ "uid of a host process",
		    { .has_peercred = true, .uid = 1000, .gid = 1000, .pid = 1 }, "uid:1000" },
		{ "root", { .has_peercred = true, .pid = 1 }, "uid:0" },
		{ "nothing, and not a socket", { .has_peercred = false }, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char key[CLIENT_KEY_MAX];
		int rc = client_limit_key(&cases[i].id, -1, key, sizeof(key));

		if (cases[i].expect == NULL) {
			if (rc != -1)
				fail_msg("%s: got key %s, want none", cases[i].name, key);
			continue;
		}
		if (rc != 0 || strcmp(key, cases[i].expect) != 0)
			fail_msg("%s: got %s (rc %d), want %s", cases[i].name, rc == 0 ? key : "-",
			    rc, cases[i].expect);
	}
}

/* A TCP caller without a certificate counts by its address. */
static void
test_key_tcp_address(void **state)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	struct sw_ident id = { .has_peercred = false };
	char key[CLIENT_KEY_MAX];
	int lfd, cfd, afd;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(client_limit_key(&id, afd, key, sizeof(key)), 0);
	assert_string_equal(key, "addr:127.0.0.1");
	close(afd);
	close(cfd);
	close(lfd);
}

static void
test_limit(void **state)
{
	struct client_limit *cl = client_limit_new();
	struct client_slot *a[3], *b, *over;
	unsigned open;

	(void)state;
	assert_non_null(cl);
	assert_int_equal(client_limit_take(cl, "uid:1000", 3, &a[0], &open), 0);
	assert_int_equal(client_limit_take(cl, "uid:1000", 3, &a[1], &open), 0);
	assert_int_equal(client_limit_take(cl, "uid:1000", 3, &a[2], &open), 0);
	/* the fourth is refused and says how many are open */
	assert_int_equal(client_limit_take(cl, "uid:1000", 3, &over, &open), -1);
	assert_null(over);
	assert_int_equal(open, 3);
	/* another client is not affected */
	assert_int_equal(client_limit_take(cl, "uid:0", 3, &b, &open), 0);
	assert_int_equal(client_limit_clients(cl), 2);
	/* one closes: one more fits again */
	client_limit_release(cl, a[1]);
	assert_int_equal(client_limit_take(cl, "uid:1000", 3, &a[1], &open), 0);
	/* the last connection of a client frees its slot */
	client_limit_release(cl, b);
	assert_int_equal(client_limit_clients(cl), 1);
	client_limit_release(cl, a[0]);
	client_limit_release(cl, a[1]);
	client_limit_release(cl, a[2]);
	assert_int_equal(client_limit_clients(cl), 0);
	client_limit_release(cl, NULL);
	client_limit_free(cl);
}

/* Many clients: the table grows and every count survives it. */
static void
test_many_clients(void **state)
{
	enum { N = 5000 };
	static struct client_slot *slots[N][2];
	struct client_limit *cl = client_limit_new();
	struct client_slot *over;
	char key[CLIENT_KEY_MAX];
	unsigned open;
	int i;

	(void)state;
	assert_non_null(cl);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "uid:%d", i);
		assert_int_equal(client_limit_take(cl, key, 2, &slots[i][0], &open), 0);
		assert_int_equal(client_limit_take(cl, key, 2, &slots[i][1], &open), 0);
	}
	assert_int_equal(client_limit_clients(cl), N);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "uid:%d", i);
		if (client_limit_take(cl, key, 2, &over, &open) != -1 || open != 2)
			fail_msg("client %d: a third connection was counted (open %u)", i, open);
	}
	for (i = 0; i < N; i++) {
		client_limit_release(cl, slots[i][0]);
		client_limit_release(cl, slots[i][1]);
	}
	assert_int_equal(client_limit_clients(cl), 0);
	client_limit_free(cl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_key_tcp_address),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_many_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
