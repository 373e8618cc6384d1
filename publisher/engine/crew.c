/* crew.c — a pool worker's fan-out: the requests of one stage of one
 * target (its HEADs, its children's GETs, its mounts, its child PUTs) go
 * out together on helper threads, each owning its own reg_session (curl
 * easy handles never cross threads) and naming the owner's target in its
 * log events. Helpers are started on first need and
 * kept for the worker's life, so their connections stay alive. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

struct helper {
	struct pub_crew *crew;
	struct reg_session *session;
	pthread_t thread;
};

/* lock guards the batch (fn, ctx, n, next, busy) and stop; work is
 * signalled when a batch starts or the crew stops, idle when the last item
 * of a batch finishes. Only the owner thread starts batches. */
struct pub_crew {
	struct reg_client *client;
	struct reg_session *own; /* the owner's session, borrowed */
	size_t width;            /* threads at most, the owner included */
	struct helper *helpers;
	size_t n_helpers;
	pthread_mutex_t lock;
	pthread_cond_t work, idle;
	pub_job_fn fn;
	void *ctx;
	const char *target; /* the owner's target (pub_log_target) while a batch runs */
	size_t n, next, busy;
	int stop;
};

int pub_crew_new(struct reg_client *c, struct reg_session *own, size_t width, struct pub_crew **out,
                 struct base_error *err)
{
	struct pub_crew *cr = calloc(1, sizeof(*cr));

	*out = NULL;
	if (width < 1)
		width = 1;
	if (!cr || !(cr->helpers = calloc(width, sizeof(*cr->helpers)))) {
		free(cr);
		base_error_set(err, "out of memory");
		return -1;
	}
	cr->client = c;
	cr->own = own;
	cr->width = width;
	pthread_mutex_init(&cr->lock, NULL);
	pthread_cond_init(&cr->work, NULL);
	pthread_cond_init(&cr->idle, NULL);
	*out = cr;
	return 0;
}

struct reg_session *pub_crew_session(const struct pub_crew *cr)
{
	return cr->own;
}

/* Take items of the current batch until there are none left. Under lock. */
static void drain(struct pub_crew *cr, struct reg_session *s)
{
	while (cr->next < cr->n) {
		size_t i = cr->next++;
		pub_job_fn fn = cr->fn;
		void *ctx = cr->ctx;
		const char *target = cr->target;
		cr->busy++;
		pthread_mutex_unlock(&cr->lock);
		pub_log_target_set(target);
		fn(s, i, ctx);
		pthread_mutex_lock(&cr->lock);
		if (--cr->busy == 0 && cr->next >= cr->n)
			pthread_cond_broadcast(&cr->idle);
	}
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	struct pub_crew *cr = h->crew;

	pthread_mutex_lock(&cr->lock);
	for (;;) {
		while (!cr->stop && cr->next >= cr->n)
			pthread_cond_wait(&cr->work, &cr->lock);
		if (cr->stop)
			break;
		drain(cr, h->session);
	}
	pthread_mutex_unlock(&cr->lock);
	return NULL;
}

/* Up to want helpers running; a helper that cannot start leaves the work
 * to the others (the owner always takes part). */
static void helpers_start(struct pub_crew *cr, size_t want)
{
	if (want > cr->width - 1)
		want = cr->width - 1;
	while (cr->n_helpers < want) {
		struct helper *h = &cr->helpers[cr->n_helpers];
		struct base_error err;
		base_error_clear(&err);
		h->crew = cr;
		if (reg_session_new(cr->client, &h->session, &err) < 0)
			return;
		if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
			reg_session_free(h->session);
			h->session = NULL;
			return;
		}
		cr->n_helpers++;
	}
}

void pub_crew_run(struct pub_crew *cr, size_t n, pub_job_fn fn, void *ctx)
{
	if (n == 0)
		return;
	if (n == 1 || cr->width == 1) {
		for (size_t i = 0; i < n; i++)
			fn(cr->own, i, ctx);
		return;
	}
	helpers_start(cr, n - 1);
	pthread_mutex_lock(&cr->lock);
	cr->fn = fn;
	cr->ctx = ctx;
	cr->target = pub_log_target();
	cr->n = n;
	cr->next = 0;
	cr->busy = 0;
	pthread_cond_broadcast(&cr->work);
	drain(cr, cr->own);
	while (cr->busy > 0)
		pthread_cond_wait(&cr->idle, &cr->lock);
	cr->n = cr->next = 0;
	cr->fn = NULL;
	cr->ctx = NULL;
	cr->target = NULL;
	pthread_mutex_unlock(&cr->lock);
}

void pub_crew_free(struct pub_crew *cr)
{
	if (!cr)
		return;
	pthread_mutex_lock(&cr->lock);
	cr->stop = 1;
	pthread_cond_broadcast(&cr->work);
	pthread_mutex_unlock(&cr->lock);
	for (size_t k = 0; k < cr->n_helpers; k++) {
		pthread_join(cr->helpers[k].thread, NULL);
		reg_session_free(cr->helpers[k].session);
	}
	free(cr->helpers);
	pthread_cond_destroy(&cr->idle);
	pthread_cond_destroy(&cr->work);
	pthread_mutex_destroy(&cr->lock);
	free(cr);
}
