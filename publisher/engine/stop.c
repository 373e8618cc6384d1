/* stop.c — stopping a check or publish run early: a whole-run deadline
 * (--deadline) or a flag a signal handler sets. Workers poll it between
 * steps, and the registry client asks it (reg_cancel_fn) while requests run. */
#include <signal.h>
#include <stdio.h>

#include "job_internal.h"

#define DEFAULT_GRACE_MS 10000L

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

void pub_stop_init(struct job_ctx *x, const struct pub_job_options *o)
{
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	x->deadline_ms = o->deadline_ms > 0 ? o->deadline_ms : 0;
	x->grace_ms = o->grace_ms > 0 ? o->grace_ms : DEFAULT_GRACE_MS;
	x->stop = o->stop;
	atomic_init(&x->stop_at_ms, -1);
	atomic_init(&x->cause, PUB_STOP_NONE);
}

/* The first caller to see the stop records when and why. */
static void stop_note(struct job_ctx *x, enum pub_stop_cause cause, long long at)
{
	long long none = -1;
	if (atomic_compare_exchange_strong(&x->stop_at_ms, &none, at))
		atomic_store(&x->cause, (int)cause);
}

int pub_stop_now(struct job_ctx *x)
{
	long long now;

	if (atomic_load(&x->stop_at_ms) >= 0)
		return 1;
	if (x->stop && *x->stop) {
		stop_note(x, PUB_STOP_SIGNAL, ms_since(&x->t0));
		return 1;
	}
	if (x->deadline_ms && (now = ms_since(&x->t0)) >= x->deadline_ms) {
		stop_note(x, PUB_STOP_DEADLINE, now);
		return 1;
	}
	return 0;
}

int pub_stop_cancel(void *ctx, int finishing)
{
	struct job_ctx *x = ctx;

	if (!pub_stop_now(x))
		return 0;
	if (!finishing)
		return 1;
	return ms_since(&x->t0) - atomic_load(&x->stop_at_ms) >= x->grace_ms;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

void pub_stop_result(struct job_ctx *x, struct pub_job_result *out, char *buf, size_t len)
{
	const char *s = out->not_reached == 1 ? "" : "s";

	buf[0] = '\0';
	out->stopped = (enum pub_stop_cause)atomic_load(&x->cause);
	if (out->stopped == PUB_STOP_SIGNAL) {
		out->stop_signal = x->stop ? (int)*x->stop : 0;
		snprintf(buf, len, "interrupted by %s: %zu target%s not reached",
		         signal_name(out->stop_signal), out->not_reached, s);
	} else if (out->stopped == PUB_STOP_DEADLINE) {
		snprintf(buf, len, "deadline reached: %zu target%s not reached", out->not_reached,
		         s);
	}
}
