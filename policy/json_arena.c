/*
 * cJSON allocates every node and key separately and frees them one by one;
 * for a create body that is several hundred malloc/free pairs, a third of the
 * time an inspection takes.  While an inspection runs, its cJSON allocations
 * come from one bump arena that is reset at the end; outside an inspection,
 * or once the arena is full, they go to malloc as usual.  One thread (the
 * event loop) uses the policy library, so one arena suffices.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "json_scan.h"
#include "json_strict.h"

#define ARENA_SIZE (256 * 1024) /* a typical create body's tree takes ~40 KiB */

static struct {
	char *base;
	size_t used;
	bool active;
	bool spilled; /* an allocation went to malloc while active */
	bool hooked;
} arena;

static bool
in_arena(const void *p)
{
	return arena.base != NULL && (const char *)p >= arena.base &&
	       (const char *)p < arena.base + ARENA_SIZE;
}

static void *
arena_malloc(size_t n)
{
	size_t at = (arena.used + 15) & ~(size_t)15;

	if (arena.active && n <= ARENA_SIZE && at <= ARENA_SIZE - n) {
		arena.used = at + n;
		return arena.base + at;
	}
	if (arena.active)
		arena.spilled = true;
	return malloc(n);
}

/* The reader (json_scan.c) allocates its nodes here directly, without the hook's indirection. */
void *
pol_json_alloc(size_t n)
{
	return arena_malloc(n);
}

static void
arena_free(void *p)
{
	if (!in_arena(p))
		free(p);
}

void
pol_json_arena_begin(void)
{
	if (!arena.hooked) {
		cJSON_Hooks hooks = { arena_malloc, arena_free };

		cJSON_InitHooks(&hooks);
		arena.hooked = true;
	}
	if (arena.base == NULL && (arena.base = malloc(ARENA_SIZE)) == NULL)
		return; /* no arena: everything goes to malloc */
	arena.used = 0;
	arena.active = true;
	arena.spilled = false;
}

void
pol_json_arena_free(struct pol_jdoc *doc)
{
	/*
	 * Nothing in the tree came from malloc: pol_json_arena_end() takes it
	 * back whole, and walking it only to skip every node is wasted time.
	 */
	if (arena.active && !arena.spilled)
		doc->root = NULL;
	else
		pol_json_free(doc);
}

void
pol_json_arena_end(void)
{
	arena.active = false;
	arena.used = 0;
}
