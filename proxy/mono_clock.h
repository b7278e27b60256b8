/*
 * The monotonic clock, for deadlines and durations (never for wall time).
 */
#ifndef SW_MONO_CLOCK_H
#define SW_MONO_CLOCK_H

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

#endif
