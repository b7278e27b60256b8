/*
 * A connection's one timeout, set lazily.
 *
 * Every request moved it twice: the head timeout once a request starts,
 * stopped when the head is in, then the idle timeout after the response.
 * Each move was a removal and an insertion in libevent's timer heap, some
 * 650 instructions of the 14,000 a proxied request cost.  Now a move only
 * records when the timeout falls due.  The libevent timer is reset only to
 * fire earlier than it is set for; when it fires before the timeout is due
 * (it was moved later), it is set again for what remains, and when the
 * timeout was stopped it does nothing.
 */
#include "sockwarden/compat.h"

#include <event2/event.h>

#include "conn.h"
#include "mono_clock.h"

static void
fire_in(struct conn *c, uint64_t now, uint64_t ms)
{
	struct timeval tv = timeval_of_ms(ms);

	if (evtimer_add(&c->c_timer, &tv) == 0)
		c->c_timer_at_ms = now + ms;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	uint64_t now;

	(void)fd;
	(void)what;
	c->c_timer_at_ms = 0;
	if (!c->c_timeout_set)
		return;
	now = mono_ms();
	if (now < c->c_timeout_ms) {
		fire_in(c, now, c->c_timeout_ms - now);
		return;
	}
	c->c_timeout_set = false;
	conn_timeout(c);
}

void
conn_timer_init(struct conn *c, struct event_base *base)
{
	evtimer_assign(&c->c_timer, base, timer_cb, c);
	c->c_timeout_set = false;
	c->c_timer_at_ms = 0;
}

void
conn_timer_set(struct conn *c, unsigned ms)
{
	uint64_t now = mono_ms();

	c->c_timeout_ms = now + ms;
	c->c_timeout_set = true;
	if (c->c_timer_at_ms != 0 && c->c_timer_at_ms <= c->c_timeout_ms)
		return; /* it fires first, and is set again then */
	fire_in(c, now, ms);
}

void
conn_timer_stop(struct conn *c)
{
	c->c_timeout_set = false;
}

void
conn_timer_free(struct conn *c)
{
	evtimer_del(&c->c_timer);
	c->c_timeout_set = false;
	c->c_timer_at_ms = 0;
}
