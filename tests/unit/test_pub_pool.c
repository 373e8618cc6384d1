/* test_pub_pool.c — the worker pool runs every job exactly once, on at most
 * the asked number of threads, each job with a session; n = 0 runs nothing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "unit.h"
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

struct pool_fixture {
	struct reg_client *client;
	struct ctx *c;
};

static int pool_setup(void **state)
{
	struct reg_client_options opts = {0};
	struct reg_error err;
	struct pool_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->c = calloc(1, sizeof(*fx->c));
	if (!fx->c)
		return -1;
	pthread_mutex_init(&fx->c->mu, NULL);
	reg_error_clear(&err);
	if (reg_client_new(&opts, &fx->client, &err) != 0) {
		print_error("%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int pool_teardown(void **state)
{
	struct pool_fixture *fx = *state;
	reg_client_free(fx->client);
	pthread_mutex_destroy(&fx->c->mu);
	free(fx->c);
	free(fx);
	return 0;
}

static void pool_runs_every_job_once_on_at_most_n_threads_with_a_session(void **state)
{
	struct pool_fixture *fx = *state;
	struct ctx *c = fx->c;
	struct reg_error err;
	int once = 1;

	reg_error_clear(&err);
	assert_int_equal(pub_pool_run(fx->client, 8, N_JOBS, job, c, &err), 0);
	for (int i = 0; i < N_JOBS; i++)
		if (atomic_load(&c->runs[i]) != 1)
			once = 0;
	assert_true(once);
	assert_int_equal(atomic_load(&c->no_session), 0);
	assert_in_range(c->n_threads, 1, 8);
}

static void pool_with_more_workers_than_jobs_runs_each_once(void **state)
{
	struct pool_fixture *fx = *state;
	struct ctx *c = fx->c;
	struct reg_error err;

	reg_error_clear(&err);
	assert_int_equal(pub_pool_run(fx->client, 16, 3, job, c, &err), 0);
	assert_int_equal(
	    atomic_load(&c->runs[0]) + atomic_load(&c->runs[1]) + atomic_load(&c->runs[2]), 3);
}

static void pool_with_zero_jobs_runs_nothing(void **state)
{
	struct pool_fixture *fx = *state;
	struct ctx *c = fx->c;
	struct reg_error err;

	/* every job once first, so a stray run would show as 2 */
	reg_error_clear(&err);
	assert_int_equal(pub_pool_run(fx->client, 8, N_JOBS, job, c, &err), 0);
	assert_int_equal(pub_pool_run(fx->client, 4, 0, job, c, &err), 0);
	assert_int_equal(atomic_load(&c->runs[3]), 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        pool_runs_every_job_once_on_at_most_n_threads_with_a_session, pool_setup,
	        pool_teardown),
	    cmocka_unit_test_setup_teardown(pool_with_more_workers_than_jobs_runs_each_once,
	                                    pool_setup, pool_teardown),
	    cmocka_unit_test_setup_teardown(pool_with_zero_jobs_runs_nothing, pool_setup,
	                                    pool_teardown),
	};
	return unit_run_group("test_pub_pool", tests, argc, argv);
}
