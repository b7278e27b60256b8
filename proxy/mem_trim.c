/*
 * Freed memory back to the system once a burst is over.
 *
 * glibc gives memory back only from the top of its heap.  When hundreds of
 * connections come and go, what they freed lies under blocks that outlive
 * them (libevent's tables, which grow with the number of descriptors), and
 * its pages stay resident: even with ev_mem.c, a proxy that served a burst
 * of 256 connections kept about 1.4 MiB it no longer used.
 *
 * So every MEM_TRIM_INTERVAL_S seconds, when malloc holds at least
 * MEM_TRIM_MIN free and, since the last trim, either the resident set grew
 * by that much or the free bytes grew by that much above their lowest,
 * malloc_trim() releases the free pages inside the heap.  Counting free
 * bytes from their lowest catches a load that ends after a tick saw it at
 * its peak; a steady load is mostly left alone.
 */
#include "sockwarden/compat.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "sockwarden/log.h"

#include "mem_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#if __GLIBC_PREREQ(2, 33)
#define SW_HAVE_MALLINFO2 1
#endif
#endif

#define MEM_TRIM_INTERVAL_S 5
#define MEM_TRIM_MIN        (256u << 10)

struct mem_trim {
	struct event *tick;
	unsigned long resident_kib; /* as the last trim (or look) left them */
	size_t free_bytes;          /* malloc's, the lowest since */
};

#ifdef SW_HAVE_MALLINFO2
/*
 * The resident set in KiB; 0 when /proc cannot say (then only malloc's free
 * bytes decide when to trim).
 * No stdio: it allocates, and would move what it measures.
 */
static unsigned long
resident_kib(void)
{
	char buf[128], *p;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "size resident shared ...", in pages. */
	if ((p = strchr(buf, ' ')) == NULL)
		return 0;
	return strtoul(p + 1, NULL, 10) * (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mem_trim *t = arg;
	unsigned long now = resident_kib();
	struct mallinfo2 mi = mallinfo2();

	(void)fd;
	(void)what;
	/* Nothing new became resident and nothing more was freed: what could go went already. */
	if (now < t->resident_kib + MEM_TRIM_MIN / 1024 &&
	    mi.fordblks < t->free_bytes + MEM_TRIM_MIN) {
		t->free_bytes = mi.fordblks < t->free_bytes ? mi.fordblks : t->free_bytes;
		return;
	}
	if (mi.fordblks >= MEM_TRIM_MIN) {
		(void)malloc_trim(0);
		t->resident_kib = resident_kib();
		log_debug("memory: trimmed a heap of %zu KiB (%zu KiB free); resident %lu KiB -> "
		          "%lu KiB",
		    mi.arena / 1024, mi.fordblks / 1024, now, t->resident_kib);
	} else {
		t->resident_kib = now;
	}
	t->free_bytes = mi.fordblks;
}
#endif

struct mem_trim *
mem_trim_start(struct event_base *base)
{
	struct mem_trim *t;
	struct timeval tv = { MEM_TRIM_INTERVAL_S, 0 };

	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatal("calloc");
#ifdef SW_HAVE_MALLINFO2
	t->tick = event_new(base, -1, EV_PERSIST, tick_cb, t);
	if (t->tick == NULL || event_add(t->tick, &tv) == -1) {
		log_warnx("memory: cannot start the trim timer; freed memory stays resident");
		mem_trim_stop(t);
		return NULL;
	}
#else
	(void)base;
	(void)tv;
#endif
	return t;
}

void
mem_trim_stop(struct mem_trim *t)
{
	if (t == NULL)
		return;
	if (t->tick != NULL)
		event_free(t->tick);
	free(t);
}
