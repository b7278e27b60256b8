#include "sockwarden/compat.h"

#include <stdint.h>

#include "sockwarden/log.h"

#include "mono_clock.h"
#include "queue_budget.h"

/* An operator hears of a spent budget, but a proxy that hovers at it does not flood the log. */
#define QUEUE_BUDGET_LOG_EVERY_MS 60000u

struct queue_budget queue_budget_now = { SIZE_MAX, 0, false };

static uint64_t last_log_ms;
static bool logged; /* last_log_ms is set */
static bool told;   /* this episode of a spent budget was logged */

void
queue_budget_set(size_t max)
{
	queue_budget_now.max = max;
	queue_budget_now.spent = queue_budget_now.held > max;
}

void
queue_budget_became_spent(void)
{
	uint64_t now = mono_ms();

	queue_budget_now.spent = true;
	if (logged && now - last_log_ms < QUEUE_BUDGET_LOG_EVERY_MS)
		return;
	logged = told = true;
	last_log_ms = now;
	log_warnx("buffers: %zu KiB held for slow readers, more than limits.max_buffered_bytes "
	          "(%zu KiB): each connection now queues at most %u KiB",
	    queue_budget_now.held / 1024, queue_budget_now.max / 1024, QUEUE_BUDGET_PRESSED / 1024);
}

void
queue_budget_became_free(void)
{
	queue_budget_now.spent = false;
	/* Only the end of an episode that was told of, so the pair stays rate-limited. */
	if (told)
		log_info("buffers: %zu KiB held, back under limits.max_buffered_bytes",
		    queue_budget_now.held / 1024);
	told = false;
}
