/*
 * Time for deadlines and timeouts: the monotonic clock (never wall time),
 * and libevent's timeval from milliseconds.
 */
#ifndef SW_MONO_CLOCK_H
#define SW_MONO_CLOCK_H

#include <sys/time.h>

#include <stdint.h>
#include <time.h>

static inline uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
mono_ms(void)
{
	return mono_ns() / 1000000;
}

static inline struct timeval
timeval_of_ms(uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000) };

	return tv;
}

#endif
