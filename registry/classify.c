/* classify.c — the classify stage: what one try's outcome means for the
 * request. A transfer that failed (dropped, timed out, cut by a cancel,
 * past its cap), an answer to retry (429/5xx, a 416 to a resume), a 401 to
 * answer with the registry's challenge, a body that is not what was asked
 * for; else the answer stands. The host's health is noted here too. */
#include <stdlib.h>
#include <string.h>

#include "attempt.h"

static int is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static enum reg_verdict fail(struct reg_attempt *a, int rc)
{
	a->rc = rc;
	return REG_V_FAIL;
}

/* A 2xx body must hash to what was asked for and to what the registry
 * announced (DESIGN rule 2). 0 when it does; else a->why says how. */
static int digest_check(struct reg_attempt *a)
{
	const struct reg_request *rq = a->rq;
	struct reg_response *rs = a->rs;
	char got[REG_DIGEST_MAX];

	if (!rq->want_digest && !rq->check_header_digest)
		return 0;
	if (rq->sink) {
		reg_digest_final(a->x.md, rs->sink_digest);
		snprintf(got, sizeof(got), "%s", rs->sink_digest);
	} else {
		reg_digest_sha256(rs->body.data, rs->body.len, got);
	}
	if (rq->want_digest && strcmp(rq->want_digest, got) != 0) {
		snprintf(a->why, sizeof(a->why), "body has digest %s, not the one asked for", got);
		return -1;
	}
	if (rq->check_header_digest && rs->digest[0] && strcmp(rs->digest, got) != 0) {
		snprintf(a->why, sizeof(a->why),
		         "body has digest %s but Docker-Content-Digest says %.80s", got,
		         rs->digest);
		return -1;
	}
	return 0;
}

/* digest_check, then: a body that should be JSON is, unless a digest
 * vouched for it. */
static int body_check(struct reg_attempt *a)
{
	const struct reg_request *rq = a->rq;
	struct reg_response *rs = a->rs;
	int vouched = rq->want_digest || (rq->check_header_digest && rs->digest[0]);

	if (digest_check(a) < 0)
		return -1;
	if (rq->json_body && !rq->sink &&
	    reg_fault_of_json_body(rs->body.data, rs->body.len, vouched) != REG_FAULT_NONE) {
		snprintf(a->why, sizeof(a->why),
		         "body is not JSON (%zu bytes) and has no digest to check", rs->body.len);
		return -1;
	}
	return 0;
}

static enum reg_verdict retry(struct reg_attempt *a, enum reg_fault f, long wait_ms,
                              uint64_t log_resume)
{
	a->fault = f;
	a->wait_ms = wait_ms;
	a->retry_status = 0;
	a->log_resume = log_resume;
	return REG_V_RETRY;
}

/* The transfer failed (curl said so): retry it, resuming a blob where the
 * registry allows, unless the host is down or the retries are spent. */
static enum reg_verdict transfer_failed(struct reg_attempt *a, struct base_error *err)
{
	const struct reg_request *rq = a->rq;
	struct reg_response *rs = a->rs;
	struct reg_host *h = a->h;
	enum reg_fault fault;

	if (a->x.range_bad) {
		fault = REG_FAULT_DROPPED;
		a->range_refused = 1;
		snprintf(a->why, sizeof(a->why), "answer to Range is for another range (%s)",
		         rs->content_range);
	} else {
		fault = reg_fault_of_curl(a->cc, a->s->errbuf);
		snprintf(a->why, sizeof(a->why), "%s%s%s", curl_easy_strerror(a->cc),
		         a->s->errbuf[0] ? ": " : "", a->s->errbuf);
	}
	if (reg_host_note(h, fault, &a->started, a->why)) {
		struct reg_log_event ev = {
		    .level = REG_LOG_WARN, .registry = h->name, .ref = rq->what, .delay_ms = -1};
		reg_client_log_event(a->s->client, &ev,
		                     "%s: registry unreachable (%d consecutive connection "
		                     "failures: %s); later requests to it fail at once",
		                     h->name, REG_HOST_DOWN_AFTER, a->why);
	}
	if (reg_host_down(h, err)) {
		base_error_wrap(err, "%s: %s", rq->what, rq->op);
		return fail(a, BASE_EFAIL);
	}
	if (fault == REG_FAULT_NONE || a->tries >= a->lim.max_retries) {
		if (a->cc == CURLE_PEER_FAILED_VERIFICATION)
			base_error_set(
			    err,
			    "%s: %s: %s (the certificate of %s is not trusted: --ca-file "
			    "FILE, or ca-file under registries:, names the CA that signed it)",
			    rq->what, rq->op, a->why, rq->registry ? rq->registry : "the registry");
		else
			base_error_set(err, "%s: %s: %s", rq->what, rq->op, a->why);
		return fail(a, BASE_EFAIL);
	}
	if (rs->status == 200)
		a->total = rs->content_length;
	/* No answer at all: what the file holds still stands. */
	if (rs->status != 0 || !a->x.resume_at)
		a->resume_at =
		    reg_resume_offset(fault, rs->status, rs->sink_len, a->total, a->range_refused);
	if (!rq->sink)
		a->resume_at = 0;
	return retry(a, fault, -1, a->resume_at);
}

/* An HTTP answer came: a challenge, a retry, a body to check, or final. */
static enum reg_verdict answered(struct reg_attempt *a, struct base_error *err)
{
	const struct reg_request *rq = a->rq;
	struct reg_response *rs = a->rs;
	enum reg_fault fault;

	reg_host_note(a->h, REG_FAULT_NONE, &a->started, NULL);
	if (rs->status == 401 && a->use_auth && !rq->basic_user && !a->challenged)
		return REG_V_CHALLENGE;
	if (rs->status == 416 && a->x.resume_at && !a->range_refused) {
		/* Nothing past what we hold: take it all again, once. */
		a->range_refused = 1;
		a->resume_at = 0;
		return REG_V_AGAIN;
	}
	fault = reg_fault_of_status(rs->status, rq->method);
	if (fault != REG_FAULT_NONE && a->tries < a->lim.max_retries) {
		/* A 429 waits its Retry-After; whether every worker holds off
		 * too is the budget's (reg_budget_answer). */
		snprintf(a->why, sizeof(a->why), "HTTP %ld", rs->status);
		retry(a, fault, rs->retry_after_ms, 0);
		a->retry_status = rs->status;
		return REG_V_RETRY;
	}
	if (!is_2xx(rs->status))
		return REG_V_DONE;
	if (rq->sink && fflush(rq->sink) != 0) {
		base_error_set(err, "%s: %s: writing temporary file failed", rq->what, rq->op);
		return fail(a, BASE_EFAIL);
	}
	if (body_check(a) == 0)
		return REG_V_DONE;
	if (a->tries >= a->lim.max_retries) {
		base_error_set(err, "%s: %s: %s", rq->what, rq->op, a->why);
		return fail(a, BASE_EFAIL);
	}
	/* The bytes are dropped; the whole body comes again. */
	a->resume_at = 0;
	return retry(a, REG_FAULT_DIGEST, -1, 0);
}

enum reg_verdict reg_stage_classify(struct reg_attempt *a, struct base_error *err)
{
	const struct reg_request *rq = a->rq;

	if (a->x.overflow) {
		base_error_set(err, "%s: %s: response larger than %zu bytes, transfer aborted",
		               rq->what, rq->op, rq->cap);
		return fail(a, BASE_EFAIL);
	}
	if (a->x.sink_fail) {
		base_error_set(err, "%s: %s: writing temporary file failed", rq->what, rq->op);
		return fail(a, BASE_EFAIL);
	}
	if (a->cc != CURLE_OK && a->x.cancelled)
		return fail(a, reg_cancel_error(rq, err));
	if (a->cc != CURLE_OK)
		return transfer_failed(a, err);
	return answered(a, err);
}
