/* request.c — the one request function every endpoint goes through: a loop
 * over the stages of a try. Budget → acquire → perform → classify, with the
 * auth stage once before the first try, the challenge stage after a 401 and
 * the backoff stage before a retry; each stage lives with its concern
 * (attempt.h says where) and returns a verdict. */
#include "attempt.h"

typedef enum reg_verdict (*stage_fn)(struct reg_attempt *, struct base_error *);

static const stage_fn try_stages[] = {
    reg_stage_reset, reg_stage_budget, reg_stage_acquire, reg_stage_perform, reg_stage_classify,
};

int reg_http_request(struct reg_session *s, const struct reg_request *rq, struct reg_response *rs,
                     struct base_error *err)
{
	struct reg_attempt a;
	enum reg_verdict v;
	int sent, rc;

	if ((a.rc = reg_attempt_init(&a, s, rq, rs, err)) < 0)
		return reg_attempt_end(&a, err);
	v = reg_stage_auth(&a, err);
	while (v == REG_V_NEXT || v == REG_V_AGAIN) {
		v = REG_V_NEXT;
		for (size_t i = 0; v == REG_V_NEXT && i < sizeof(try_stages) / sizeof(*try_stages);
		     i++)
			v = try_stages[i](&a, err);
		if (v == REG_V_CHALLENGE)
			v = reg_stage_challenge(&a, err);
		if (v == REG_V_RETRY)
			v = reg_stage_backoff(&a, err);
		if (v != REG_V_AGAIN)
			break;
	}
	sent = reg_authz_any(&a.authz);
	rc = reg_attempt_end(&a, err);
	/* A 401 that stands: say whose credentials were refused, or that
	 * there were none. */
	if (v == REG_V_DONE && rc < 0 && rs->status == 401 && a.use_auth && !rq->basic_user)
		reg_auth_explain_401(s->client, a.h, sent, err);
	return rc;
}
