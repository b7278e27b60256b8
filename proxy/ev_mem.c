/*
 * libevent's memory, with its smallest allocations kept on pages of their own.
 *
 * libevent allocates a 16-byte record the first time it sees a descriptor
 * number and keeps it while the event base lives.  Under load those records
 * land among the buffers of the connections of the moment, about one per
 * page.  When the connections are gone the pages stay pinned: after a burst
 * of 256 connections the proxy kept 1.4 MiB it no longer used, and no trim
 * could give it back.  Allocations of at most EV_MEM_SMALL bytes therefore
 * come from one reserved region, where they pin nothing of the heap.
 *
 * libevent is used from the loop's thread only, so nothing here locks.
 */
#include "sockwarden/compat.h"

#include <sys/mman.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ev_mem.h"

/* Address space only: pages are backed when first used, 16 bytes per slot. */
#define EV_MEM_REGION (16u << 20)

union slot {
	union slot *next;
	unsigned char bytes[EV_MEM_SMALL];
};

static union slot *region, *region_end, *unused, *free_slots;

bool
ev_mem_owns(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	return region != NULL && a >= (uintptr_t)region && a < (uintptr_t)region_end;
}

static void *
small_alloc(void)
{
	union slot *s = free_slots;

	if (s != NULL) {
		free_slots = s->next;
		return s;
	}
	if (unused == region_end) /* full, or no region */
		return NULL;
	return unused++;
}

void *
ev_mem_alloc(size_t n)
{
	void *p;

	if (n <= EV_MEM_SMALL && (p = small_alloc()) != NULL)
		return p;
	return malloc(n);
}

void
ev_mem_free(void *p)
{
	union slot *s = p;

	if (!ev_mem_owns(p)) {
		free(p);
		return;
	}
	s->next = free_slots;
	free_slots = s;
}

void *
ev_mem_realloc(void *p, size_t n)
{
	void *np;

	if (!ev_mem_owns(p))
		return realloc(p, n);
	if (n <= EV_MEM_SMALL)
		return p;
	if ((np = malloc(n)) == NULL)
		return NULL;
	memcpy(np, p, EV_MEM_SMALL);
	ev_mem_free(p);
	return np;
}

int
ev_mem_reserve(size_t bytes)
{
	void *r;

	if (region != NULL || bytes < sizeof(union slot))
		return -1;
	r = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, 0);
	if (r == MAP_FAILED)
		return -1;
	region = unused = r;
	region_end = region + bytes / sizeof(union slot);
	return 0;
}

void
ev_mem_init(void)
{
	/* Without the region every allocation goes to malloc, as it would without us. */
	if (ev_mem_reserve(EV_MEM_REGION) == 0)
		event_set_mem_functions(ev_mem_alloc, ev_mem_realloc, ev_mem_free);
}
