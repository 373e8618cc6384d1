/* pool.c — the worker pool: N pthreads, each owning one reg_session (one curl
 * easy handle never crosses threads) and, when asked, a crew for fanning
 * one job's requests out (crew.c), taking job indexes from one atomic
 * counter until the jobs run out. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "job_internal.h"

/* Shared by all workers; next is the only field written after start. One
 * of fn and crew_fn is set. */
struct pool {
	atomic_size_t next;
	size_t n;
	pub_job_fn fn;
	pub_crew_job_fn crew_fn;
	size_t crew_width;
	void *ctx;
};

struct worker {
	struct pool *pool;
	struct reg_session *session;
	struct pub_crew *crew; /* crew_fn: made by the worker's thread on its first job */
	pthread_t thread;
	int started;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		if (p->crew_fn)
			p->crew_fn(w->crew, i, p->ctx);
		else
			p->fn(w->session, i, p->ctx);
	}
	return NULL;
}

static int pool_run(struct reg_client *c, int workers, struct pool *pool, struct base_error *err)
{
	struct worker *w = NULL;
	size_t nw, sessions = 0, threads = 0, n = pool->n;
	int rc = -1;

	atomic_init(&pool->next, 0);
	if (n == 0)
		return 0;
	nw = workers < 1 ? 1 : (size_t)workers;
	if (nw > n)
		nw = n;
	w = calloc(nw, sizeof(*w));
	if (!w) {
		base_error_set(err, "out of memory");
		return -1;
	}
	/* Sessions are made here, not in the threads, so that a failure is
	 * reported once; fewer sessions than asked still run every job. */
	for (size_t k = 0; k < nw; k++) {
		struct base_error serr;
		base_error_clear(&serr);
		if (reg_session_new(c, &w[k].session, &serr) < 0 ||
		    (pool->crew_fn &&
		     pub_crew_new(c, w[k].session, pool->crew_width, &w[k].crew, &serr) < 0)) {
			if (sessions == 0)
				*err = serr;
			break;
		}
		w[k].pool = pool;
		sessions++;
	}
	if (sessions == 0)
		goto out;
	/* Worker 0 is the calling thread. */
	for (size_t k = 1; k < sessions; k++) {
		if (pthread_create(&w[k].thread, NULL, worker_main, &w[k]) != 0)
			break;
		w[k].started = 1;
		threads++;
	}
	worker_main(&w[0]);
	for (size_t k = 1; k < sessions; k++)
		if (w[k].started)
			pthread_join(w[k].thread, NULL);
	rc = 0;
	pub_log(PUB_LOG_DEBUG, "pool: %zu jobs on %zu workers", n, threads + 1);
out:
	for (size_t k = 0; k < nw; k++) {
		pub_crew_free(w[k].crew);
		reg_session_free(w[k].session);
	}
	free(w);
	return rc;
}

int pub_pool_run(struct reg_client *c, int workers, size_t n, pub_job_fn fn, void *ctx,
                 struct base_error *err)
{
	struct pool pool = {.n = n, .fn = fn, .ctx = ctx};
	return pool_run(c, workers, &pool, err);
}

int pub_pool_run_crews(struct reg_client *c, int workers, size_t width, size_t n,
                       pub_crew_job_fn fn, void *ctx, struct base_error *err)
{
	struct pool pool = {.n = n, .crew_fn = fn, .crew_width = width, .ctx = ctx};
	return pool_run(c, workers, &pool, err);
}
