/*
 * The bench tools hold thousands of sockets (10,000 idle connections, two
 * descriptors each through a relay): lift the soft descriptor limit to the
 * hard one.  Best effort.
 */
#ifndef SW_BENCH_RAISE_NOFILE_H
#define SW_BENCH_RAISE_NOFILE_H

#include <sys/resource.h>

static inline void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

#endif
