/*
 * What the proxy holds for readers slower than their writers, all
 * connections together: every socket's queued output, what splice pipes
 * hold, and 1 MiB for each socket buffer raised for a pipe while that pipe
 * runs (sock.c raise_sndbuf()).  One connection may queue up to its high-water mark (about
 * 1 MiB, conn.h) before it stops reading the other side, so each client
 * that stops reading a long answer would pin that much: a few hundred of
 * them, a few hundred megabytes.  Past limits.max_buffered_bytes, every
 * connection is held to QUEUE_BUDGET_PRESSED instead, and reads go into
 * buffers the size of what came (sock.c).  Streams still flow, in smaller
 * steps; what is held already stays until its reader takes it.
 *
 * Not counted: what the kernel's default socket buffers hold, which the
 * proxy cannot see without a system call per write, and input waiting to
 * be parsed (bounded per connection by its read ceiling).
 *
 * The event loop is single-threaded, and so is this.
 */
#ifndef SW_QUEUE_BUDGET_H
#define SW_QUEUE_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

/* Most a connection queues (and a pipe holds) while the budget is spent. */
#define QUEUE_BUDGET_PRESSED (64u * 1024)

/* The budget, from limits.max_buffered_bytes (at start and on reload). */
void queue_budget_set(size_t max);

/* Counted on every change of every output: inline, the crossings out of line. */
struct queue_budget {
	size_t max;
	size_t held;
	bool spent; /* held > max */
};
extern struct queue_budget queue_budget_now;

void queue_budget_became_spent(void);
void queue_budget_became_free(void);

/* Bytes were queued, or went out. */
static inline void
queue_budget_add(size_t n)
{
	queue_budget_now.held += n;
	if (!queue_budget_now.spent && queue_budget_now.held > queue_budget_now.max)
		queue_budget_became_spent();
}

/* Never more than was added: a count that went below 0 would show, not hide, as huge. */
static inline void
queue_budget_sub(size_t n)
{
	queue_budget_now.held -= n;
	if (queue_budget_now.spent && queue_budget_now.held <= queue_budget_now.max)
		queue_budget_became_free();
}

/* More is held than the budget allows. */
static inline bool
queue_budget_spent(void)
{
	return queue_budget_now.spent;
}

/* What is held now (for tests). */
static inline size_t
queue_budget_held(void)
{
	return queue_budget_now.held;
}

#endif
