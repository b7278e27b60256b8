#include "sockwarden/compat.h"

#include <stdlib.h>

#include <event2/buffer.h>

#include "read_block.h"

/*
 * Enough to cover one stream's blocks in flight (its read plus about a
 * megabyte queued toward a slow reader) without a trip to malloc, and no
 * more than a megabyte or two kept once the streams are over.
 */
#define READ_BLOCK_KEEP 8

/* A kept block's first bytes link it to the next. */
struct read_block_free {
	struct read_block_free *next;
};

static struct read_block_free *kept;
static size_t n_kept;

void *
read_block_get(void)
{
	struct read_block_free *b = kept;

	if (b == NULL)
		return malloc(READ_BLOCK_SIZE);
	kept = b->next;
	n_kept--;
	return b;
}

void
read_block_put(void *block)
{
	struct read_block_free *b = block;

	if (n_kept >= READ_BLOCK_KEEP) {
		free(block);
		return;
	}
	b->next = kept;
	kept = b;
	n_kept++;
}

static void
release(const void *data, size_t len, void *block)
{
	(void)data;
	(void)len;
	read_block_put(block);
}

int
read_block_add(struct evbuffer *buf, void *block, size_t n)
{
	int rc;

	if (n < READ_BLOCK_SIZE / 4) {
		rc = evbuffer_add(buf, block, n);
		read_block_put(block);
		return rc;
	}
	if (evbuffer_add_reference(buf, block, n, release, block) == 0)
		return 0;
	read_block_put(block);
	return -1;
}

size_t
read_block_kept(void)
{
	return n_kept;
}
