/* pool.c — the worker pool: N pthreads, each owning one reg_session (one curl
 * easy handle never crosses threads) and, when asked, a crew for fanning
 * one job's requests out (crew.c), taking job indexes from one atomic
 * counter until the jobs run out. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

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

static int pool_run(struct reg_client *c, int workers, struct pool *pool, struct reg_error *err)
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
		reg_error_set(err, "out of memory");
		return -1;
	}
	/* Sessions are made here, not in the threads, so that a failure is
	 * reported once; fewer sessions than asked still run every job. */
	for (size_t k = 0; k < nw; k++) {
		struct reg_error serr;
		reg_error_clear(&serr);
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
                 struct reg_error *err)
{
	struct pool pool = {.n = n, .fn = fn, .ctx = ctx};
	return pool_run(c, workers, &pool, err);
}

int pub_pool_run_crews(struct reg_client *c, int workers, size_t width, size_t n,
                       pub_crew_job_fn fn, void *ctx, struct reg_error *err)
{
	struct pool pool = {.n = n, .crew_fn = fn, .crew_width = width, .ctx = ctx};
	return pool_run(c, workers, &pool, err);
}

/* ---- one lock per distinct key ------------------------------------------- */

/* Jobs whose keys are equal share one mutex; each mutex guards whatever the
 * caller does under it for that key (publish: writes to one repository). */
struct pub_keylock {
	pthread_mutex_t *locks;
	size_t n_locks;
	size_t *lock_of; /* job index -> lock index */
};

struct key_ix {
	const char *key;
	size_t i;
};

static int key_ix_cmp(const void *a, const void *b)
{
	const struct key_ix *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

int pub_keylock_new(const char *const *keys, size_t n, struct pub_keylock **out,
                    struct reg_error *err)
{
	struct pub_keylock *kl = calloc(1, sizeof(*kl));
	struct key_ix *ix = calloc(n ? n : 1, sizeof(*ix));

	*out = NULL;
	if (!kl || !ix || !(kl->lock_of = calloc(n ? n : 1, sizeof(size_t))) ||
	    !(kl->locks = calloc(n ? n : 1, sizeof(*kl->locks)))) {
		free(ix);
		pub_keylock_free(kl);
		reg_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ix[i] = (struct key_ix){keys[i] ? keys[i] : "", i};
	qsort(ix, n, sizeof(*ix), key_ix_cmp);
	for (size_t k = 0; k < n; k++) {
		if (k == 0 || strcmp(ix[k - 1].key, ix[k].key) != 0)
			pthread_mutex_init(&kl->locks[kl->n_locks++], NULL);
		kl->lock_of[ix[k].i] = kl->n_locks - 1;
	}
	free(ix);
	*out = kl;
	return 0;
}

void pub_keylock_lock(struct pub_keylock *kl, size_t i)
{
	pthread_mutex_lock(&kl->locks[kl->lock_of[i]]);
}

void pub_keylock_unlock(struct pub_keylock *kl, size_t i)
{
	pthread_mutex_unlock(&kl->locks[kl->lock_of[i]]);
}

void pub_keylock_free(struct pub_keylock *kl)
{
	if (!kl)
		return;
	for (size_t k = 0; k < kl->n_locks; k++)
		pthread_mutex_destroy(&kl->locks[k]);
	free(kl->locks);
	free(kl->lock_of);
	free(kl);
}
