/*
 * Fixed-size blocks that a stream's big reads land in.  Each block is handed
 * to the socket's input evbuffer as a reference and comes back here when the
 * evbuffer lets go of it (its bytes were written on, or the buffer freed).
 *
 * Why not let the evbuffer allocate: a 256 KiB reservation is a 512 KiB
 * chain, freed again once its bytes are written.  The heap then shrinks and
 * grows by that much a few times per megabyte streamed, and every growth
 * faults in freshly zeroed pages: that was half the proxy's CPU on a chunked
 * stream, whose bytes cannot be spliced.  A few blocks kept for reuse take
 * that away.
 *
 * The event loop is single-threaded, and so is this.
 */
#ifndef SW_READ_BLOCK_H
#define SW_READ_BLOCK_H

#include <stddef.h>

struct evbuffer;

#define READ_BLOCK_SIZE (256u * 1024)

/* A block of READ_BLOCK_SIZE bytes, or NULL when out of memory. */
void *read_block_get(void);

/* A block that got no bytes goes back unused. */
void read_block_put(void *block);

/*
 * Append the first "n" bytes of "block" (n > 0) to "buf".  A read that
 * filled little of its block is copied and the block reused at once, so that
 * a trickle of small reads cannot pin a block each (a buffer of many
 * mostly empty blocks).  The block is the buffer's either way.
 * Returns 0, or -1 when out of memory (the block is released).
 */
int read_block_add(struct evbuffer *buf, void *block, size_t n);

/* How many blocks are kept for reuse (for tests). */
size_t read_block_kept(void);

#endif
