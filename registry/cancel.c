/* cancel.c — the client's cancellation hook as the request loop uses it:
 * asked before a try, from curl's progress callback during a transfer, and
 * between the slices of a retry wait. */
#include <errno.h>
#include <time.h>

#include "reg_internal.h"

#define CANCEL_SLICE_MS 100L

void reg_client_set_cancel(struct reg_client *c, reg_cancel_fn fn, void *ctx)
{
	c->cancel = fn;
	c->cancel_ctx = ctx;
}

int reg_cancelled(const struct reg_client *c, const struct reg_request *rq)
{
	return c->cancel && c->cancel(c->cancel_ctx, rq->finishing) != 0;
}

int reg_cancel_wait(const struct reg_client *c, const struct reg_request *rq, long ms)
{
	while (ms > 0) {
		long step = ms < CANCEL_SLICE_MS ? ms : CANCEL_SLICE_MS;
		struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
		if (reg_cancelled(c, rq))
			return 1;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		ms -= step;
	}
	return reg_cancelled(c, rq);
}

int reg_cancel_error(const struct reg_request *rq, struct base_error *err)
{
	base_error_set(err, "%s: %s: cancelled (the run is stopping)", rq->what, rq->op);
	return BASE_ECANCELED;
}
