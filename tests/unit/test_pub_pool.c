/* test_pub_pool.c — the worker pool runs every job exactly once, on at most
 * the asked number of threads, each job with a session; n = 0 runs nothing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "check.h"
#include "engine.h"

#define N_JOBS 5000

struct ctx {
	atomic_int runs[N_JOBS];
	atomic_int no_session;
	pthread_mutex_t mu; /* guards threads/n_threads */
	pthread_t threads[64];
	int n_threads;
};

static void job(struct reg_session *s, size_t i, void *arg)
{
	struct ctx *c = arg;
	pthread_t self = pthread_self();
	int seen = 0;

	if (!s)
		atomic_fetch_add(&c->no_session, 1);
	atomic_fetch_add(&c->runs[i], 1);
	pthread_mutex_lock(&c->mu);
	for (int k = 0; k < c->n_threads; k++)
		if (pthread_equal(c->threads[k], self))
			seen = 1;
	if (!seen && c->n_threads < 64)
		c->threads[c->n_threads++] = self;
	pthread_mutex_unlock(&c->mu);
}

int main(void)
{
	struct reg_client_options opts = {0};
	struct reg_client *client = NULL;
	struct reg_error err;
	struct ctx *c = calloc(1, sizeof(*c));
	int once = 1;

	reg_error_clear(&err);
	pthread_mutex_init(&c->mu, NULL);
	CHECK_INT(reg_client_new(&opts, &client, &err), 0);
	CHECK_INT(pub_pool_run(client, 8, N_JOBS, job, c, &err), 0);
	for (int i = 0; i < N_JOBS; i++)
		if (atomic_load(&c->runs[i]) != 1)
			once = 0;
	CHECK(once);
	CHECK_INT(atomic_load(&c->no_session), 0);
	CHECK(c->n_threads >= 1 && c->n_threads <= 8);

	/* more workers than jobs; zero jobs */
	for (int i = 0; i < 3; i++)
		atomic_store(&c->runs[i], 0);
	CHECK_INT(pub_pool_run(client, 16, 3, job, c, &err), 0);
	CHECK_INT(atomic_load(&c->runs[0]) + atomic_load(&c->runs[1]) + atomic_load(&c->runs[2]),
	          3);
	CHECK_INT(pub_pool_run(client, 4, 0, job, c, &err), 0);
	CHECK_INT(atomic_load(&c->runs[3]), 1);

	reg_client_free(client);
	pthread_mutex_destroy(&c->mu);
	free(c);
	return check_finish();
}
