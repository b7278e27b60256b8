/*
 * libevent's allocator (ev_mem.c): small allocations come from the region
 * until it is full and then from malloc; a freed slot is the next one
 * handed out; realloc keeps the bytes whichever way it moves them; and
 * libevent, given the allocator, puts its per-descriptor records there.
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "ev_mem.h"

#define SLOTS 64

static unsigned small_from_region; /* libevent's allocations the region served */

static void *
counting_alloc(size_t n)
{
	void *p = ev_mem_alloc(n);

	if (ev_mem_owns(p))
		small_from_region++;
	return p;
}

static int
setup(void **state)
{
	(void)state;
	if (ev_mem_reserve(SLOTS * EV_MEM_SMALL) == -1)
		return -1;
	/* Before libevent allocates anything in this process. */
	event_set_mem_functions(counting_alloc, ev_mem_realloc, ev_mem_free);
	return 0;
}

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i);
}

static void
assert_filled(const unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(p[i], (unsigned char)(seed * 31 + i));
}

static void
test_region_then_malloc(void **state)
{
	unsigned char *p[SLOTS + 1];
	unsigned i;

	(void)state;
	assert_int_equal(ev_mem_reserve(SLOTS * EV_MEM_SMALL), -1); /* one region only */
	for (i = 0; i < SLOTS; i++) {
		p[i] = ev_mem_alloc(1 + i % EV_MEM_SMALL);
		assert_true(ev_mem_owns(p[i]));
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		fill(p[i], EV_MEM_SMALL, i);
	}
	/* The region is full: malloc serves, and the slots did not overlap. */
	p[SLOTS] = ev_mem_alloc(EV_MEM_SMALL);
	assert_non_null(p[SLOTS]);
	assert_false(ev_mem_owns(p[SLOTS]));
	fill(p[SLOTS], EV_MEM_SMALL, SLOTS);
	for (i = 0; i <= SLOTS; i++) {
		assert_filled(p[i], EV_MEM_SMALL, i);
		ev_mem_free(p[i]);
	}
	/* Every slot came back. */
	for (i = 0; i < SLOTS; i++)
		assert_true(ev_mem_owns(p[i] = ev_mem_alloc(EV_MEM_SMALL)));
	for (i = 0; i < SLOTS; i++)
		ev_mem_free(p[i]);
}

static void
test_freed_slot_is_next(void **state)
{
	void *a, *b, *c;

	(void)state;
	a = ev_mem_alloc(EV_MEM_SMALL);
	b = ev_mem_alloc(1);
	ev_mem_free(a);
	c = ev_mem_alloc(8);
	assert_ptr_equal(c, a);
	ev_mem_free(b);
	ev_mem_free(c);
	ev_mem_free(NULL);
}

static void
test_large_is_malloc(void **state)
{
	unsigned char *p;

	(void)state;
	p = ev_mem_alloc(EV_MEM_SMALL + 1);
	assert_non_null(p);
	assert_false(ev_mem_owns(p));
	fill(p, EV_MEM_SMALL + 1, 3);
	assert_filled(p, EV_MEM_SMALL + 1, 3);
	ev_mem_free(p);
}

static void
test_realloc_keeps_bytes(void **state)
{
	unsigned char *a, *b, *m;

	(void)state;
	a = ev_mem_alloc(EV_MEM_SMALL);
	fill(a, EV_MEM_SMALL, 5);
	/* Still small: it stays where it is. */
	assert_ptr_equal(ev_mem_realloc(a, 4), a);
	assert_ptr_equal(ev_mem_realloc(a, EV_MEM_SMALL), a);
	/* Grown: to malloc, with its bytes, and the slot is free again. */
	b = ev_mem_realloc(a, 1000);
	assert_non_null(b);
	assert_false(ev_mem_owns(b));
	assert_filled(b, EV_MEM_SMALL, 5);
	assert_ptr_equal(ev_mem_alloc(1), a);
	ev_mem_free(a);
	/* What malloc holds stays with malloc, even when it shrinks. */
	b = ev_mem_realloc(b, 8);
	assert_false(ev_mem_owns(b));
	assert_filled(b, 8, 5);
	ev_mem_free(b);
	/* realloc(NULL) allocates. */
	m = ev_mem_realloc(NULL, 40);
	assert_non_null(m);
	fill(m, 40, 9);
	assert_filled(m, 40, 9);
	ev_mem_free(m);
}

static void
noop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

static void
test_libevent_records_in_region(void **state)
{
	struct event_base *base;
	struct event *ev;
	unsigned before;
	int sv[2];

	(void)state;
	base = event_base_new();
	assert_non_null(base);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ev = event_new(base, sv[0], EV_READ | EV_PERSIST, noop, NULL);
	assert_non_null(ev);
	/* The first event on a descriptor makes libevent's record of it. */
	before = small_from_region;
	assert_int_equal(event_add(ev, NULL), 0);
	assert_true(small_from_region > before);
	assert_int_equal(event_del(ev), 0);
	event_free(ev);
	event_base_free(base);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_then_malloc),
		cmocka_unit_test(test_freed_slot_is_next),
		cmocka_unit_test(test_large_is_malloc),
		cmocka_unit_test(test_realloc_keeps_bytes),
		cmocka_unit_test(test_libevent_records_in_region),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
