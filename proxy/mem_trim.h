/*
 * Memory freed after a burst goes back to the system: see mem_trim.c.
 */
#ifndef SW_MEM_TRIM_H
#define SW_MEM_TRIM_H

struct event_base;
struct mem_trim;

/* NULL when the timer cannot be made (then nothing is trimmed; logged). */
struct mem_trim *mem_trim_start(struct event_base *base);
void mem_trim_stop(struct mem_trim *t);

#endif
