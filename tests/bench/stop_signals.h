/*
 * SIGTERM and SIGINT end the loops of the bench servers (sw_upstream,
 * sw_relay) by setting "stopping".  They are blocked except inside
 * epoll_pwait(..., waitmask), so a signal can neither slip in between the
 * loop's check of "stopping" and the wait (which would then sleep until the
 * next event, or for good on an idle server), nor interrupt a recv or send.
 */
#ifndef SW_BENCH_STOP_SIGNALS_H
#define SW_BENCH_STOP_SIGNALS_H

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stopping;

static inline void
stop_on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Installs the handler and fills waitmask, the signal mask for epoll_pwait. */
static inline void
stop_signals_init(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t stopsigs;

	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	sigprocmask(SIG_BLOCK, &stopsigs, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

#endif
