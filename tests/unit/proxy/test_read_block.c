/*
 * Read blocks: a big read is handed over without a copy and its block comes
 * back when the last of its bytes leaves (wherever the chain was moved to);
 * a small read is copied and its block reused at once; the kept list has
 * a cap.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "read_block.h"

/* A block filled as a read would, with bytes that tell their offset. */
static void *
filled_block(size_t n)
{
	unsigned char *b = read_block_get();
	size_t i;

	assert_non_null(b);
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 7 + 1);
	return b;
}

static void
assert_bytes(struct evbuffer *buf, size_t n)
{
	unsigned char *p;
	size_t i;

	assert_int_equal(evbuffer_get_length(buf), n);
	p = evbuffer_pullup(buf, -1);
	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + 1))
			fail_msg("byte %zu differs", i);
}

static void
test_big_read_is_referenced(void **state)
{
	struct evbuffer *buf = evbuffer_new();
	struct evbuffer_iovec v;
	size_t n = READ_BLOCK_SIZE - 100, kept;
	void *b;

	(void)state;
	b = filled_block(n);
	kept = read_block_kept();
	assert_int_equal(read_block_add(buf, b, n), 0);
	assert_int_equal(evbuffer_peek(buf, -1, NULL, &v, 1), 1);
	assert_ptr_equal(v.iov_base, b); /* no copy */
	assert_int_equal(v.iov_len, n);
	/* Part of it sent: the rest still lives in the block. */
	assert_int_equal(evbuffer_drain(buf, n / 2), 0);
	assert_int_equal(read_block_kept(), kept);
	assert_int_equal(evbuffer_drain(buf, n - n / 2), 0);
	assert_int_equal(read_block_kept(), kept + 1);
	evbuffer_free(buf);
}

static void
test_block_follows_its_chain(void **state)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	size_t n = READ_BLOCK_SIZE, kept;
	void *b;

	(void)state;
	b = filled_block(n);
	kept = read_block_kept();
	assert_int_equal(read_block_add(in, b, n), 0);
	/* As relay_response() moves a read to the client's output. */
	assert_int_equal(evbuffer_remove_buffer(in, out, n), (int)n);
	evbuffer_free(in);
	assert_int_equal(read_block_kept(), kept);
	assert_bytes(out, n);
	evbuffer_free(out); /* a connection closed with bytes unsent */
	assert_int_equal(read_block_kept(), kept + 1);
}

static void
test_small_read_is_copied(void **state)
{
	struct evbuffer *buf = evbuffer_new();
	size_t sizes[] = { 1, 4096, READ_BLOCK_SIZE / 4 - 1 };
	size_t i, kept;
	void *b;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		b = filled_block(sizes[i]);
		kept = read_block_kept();
		assert_int_equal(read_block_add(buf, b, sizes[i]), 0);
		/* Back at once, so a trickle of reads pins no blocks. */
		assert_int_equal(read_block_kept(), kept + 1);
		memset(b, 0, 16); /* reusing the block cannot touch the copied bytes */
		assert_bytes(buf, sizes[i]);
		evbuffer_drain(buf, sizes[i]);
	}
	evbuffer_free(buf);
}

static void
test_kept_list_has_a_cap(void **state)
{
	void *b[20];
	size_t i;

	(void)state;
	for (i = 0; i < 20; i++)
		assert_non_null(b[i] = read_block_get());
	assert_int_equal(read_block_kept(), 0);
	for (i = 0; i < 20; i++)
		read_block_put(b[i]);
	assert_true(read_block_kept() > 0);
	assert_true(read_block_kept() < 20);
	/* Kept blocks are handed out again. */
	b[0] = read_block_get();
	assert_non_null(b[0]);
	read_block_put(b[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_read_is_referenced),
		cmocka_unit_test(test_block_follows_its_chain),
		cmocka_unit_test(test_small_read_is_copied),
		cmocka_unit_test(test_kept_list_has_a_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
