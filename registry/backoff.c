/* backoff.c — the backoff stage and its timing: a retried try waits the
 * answer's Retry-After (curl reads it, seconds or an HTTP-date) or a backoff
 * with full jitter, says so in the log, and wakes early when cancelled. */
#include <stdlib.h>

#include "attempt.h"

#define BACKOFF_CAP_MS     30000L
#define RETRY_AFTER_CAP_MS 60000L

long reg_retry_after_clamp(curl_off_t secs)
{
	if (secs <= 0)
		return 0;
	if (secs > RETRY_AFTER_CAP_MS / 1000)
		return RETRY_AFTER_CAP_MS;
	return (long)secs * 1000;
}

long reg_backoff_ms(long base_ms, int attempt, unsigned int rnd)
{
	long ceiling = base_ms > 0 ? base_ms : 1;
	for (int i = 0; i < attempt && ceiling < BACKOFF_CAP_MS; i++)
		ceiling *= 2;
	if (ceiling > BACKOFF_CAP_MS)
		ceiling = BACKOFF_CAP_MS;
	return (long)(rnd % (unsigned long)(ceiling + 1));
}

/* Log why the try is retried and wait (a->wait_ms < 0: backoff with
 * jitter); then the next try goes, counted as a retry for a->fault. */
enum reg_verdict reg_stage_backoff(struct reg_attempt *a, struct base_error *err)
{
	struct reg_session *s = a->s;
	const struct reg_request *rq = a->rq;
	long wait = a->wait_ms;
	char how[80] = "";

	if (wait < 0)
		wait =
		    reg_backoff_ms(s->client->backoff_ms, a->tries, (unsigned int)rand_r(&s->seed));
	if (a->log_resume)
		snprintf(how, sizeof(how), " resuming at byte %llu",
		         (unsigned long long)a->log_resume);
	else if (reg_fault_wants_fresh(a->fault))
		snprintf(how, sizeof(how), " on a fresh connection");
	reg_client_logf(s->client, REG_LOG_WARN, "%s: %s: %s; retry %d/%d%s in %ld ms", rq->what,
	                rq->op, a->why, a->tries + 1, a->lim.max_retries, how, wait);
	if (reg_cancel_wait(s->client, rq, wait)) {
		a->rc = reg_cancel_error(rq, err);
		return REG_V_FAIL;
	}
	a->tries++;
	a->cause = a->fault;
	return REG_V_AGAIN;
}
