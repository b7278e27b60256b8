/*
 * libevent's allocator: its smallest allocations on pages of their own (ev_mem.c).
 */
#ifndef SW_EV_MEM_H
#define SW_EV_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Allocations of at most this many bytes come from the region. */
#define EV_MEM_SMALL 16

/* Reserve the region and give libevent the allocator; before any event base. */
void ev_mem_init(void);

/* The parts, for tests: the region (0, or -1 if there is one already or mmap fails)... */
int ev_mem_reserve(size_t bytes);
/* ...malloc, realloc and free as libevent calls them (never with a size of 0)... */
void *ev_mem_alloc(size_t n);
void *ev_mem_realloc(void *p, size_t n);
void ev_mem_free(void *p);
/* ...and whether "p" is a slot of the region. */
bool ev_mem_owns(const void *p);

#endif
