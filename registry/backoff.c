/* backoff.c — the backoff stage and its timing: a retried try waits the
 * answer's Retry-After (curl reads it, seconds or an HTTP-date) or a backoff
 * with full jitter, says so in the log (a line with the registry, reference,
 * status, error code, attempt and wait as fields), and wakes early when
 * cancelled. */
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

/* The retry's log line, with its fields: the registry, the request's
 * reference, the status and error code of the answer retried. */
static void log_retry(const struct reg_attempt *a, long wait, const char *how)
{
	const struct reg_request *rq = a->rq;
	const struct reg_host *h = a->h ? a->h : a->rh;
	const struct base_buf *body = &a->rs->body;
	char code[64] = "", msg[256];
	struct reg_log_event ev = {
	    .level = REG_LOG_WARN,
	    .registry = h ? h->name : rq->registry,
	    .ref = rq->what,
	    .op = rq->op,
	    .http_status = a->retry_status,
	    .attempt = a->tries + 1,
	    .max_retries = a->lim.max_retries,
	    .delay_ms = wait,
	};

	/* a HEAD's answer has no body, so no code */
	if (a->retry_status && body->len &&
	    reg_error_body_parse(body->data, body->len, code, sizeof(code), msg, sizeof(msg)) < 0)
		code[0] = '\0';
	if (code[0])
		ev.code = code;
	reg_client_log_event(a->s->client, &ev, "%s: %s: %s; retry %d/%d%s in %ld ms", rq->what,
	                     rq->op, a->why, a->tries + 1, a->lim.max_retries, how, wait);
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
	log_retry(a, wait, how);
	if (reg_cancel_wait(s->client, rq, wait)) {
		a->rc = reg_cancel_error(rq, err);
		return REG_V_FAIL;
	}
	a->tries++;
	a->cause = a->fault;
	return REG_V_AGAIN;
}
