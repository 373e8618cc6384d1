/* test_pub_pool.c — the worker pool runs every job exactly once, on at most
 * the asked number of threads, each job with a session; n = 0 runs nothing.
 * A worker's crew runs every item of each batch once, batch after batch;
 * a flight key has one writer at a time and is not written again once
 * done, and a failed writer hands it to the next. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "unit.h"
#include "engine.h"
#include "job_internal.h"

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
	struct base_error err;
	struct pool_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->c = calloc(1, sizeof(*fx->c));
	if (!fx->c)
		return -1;
	pthread_mutex_init(&fx->c->mu, NULL);
	base_error_clear(&err);
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
	struct base_error err;
	int once = 1;

	base_error_clear(&err);
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
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(pub_pool_run(fx->client, 16, 3, job, c, &err), 0);
	assert_int_equal(
	    atomic_load(&c->runs[0]) + atomic_load(&c->runs[1]) + atomic_load(&c->runs[2]), 3);
}

static void pool_with_zero_jobs_runs_nothing(void **state)
{
	struct pool_fixture *fx = *state;
	struct ctx *c = fx->c;
	struct base_error err;

	/* every job once first, so a stray run would show as 2 */
	base_error_clear(&err);
	assert_int_equal(pub_pool_run(fx->client, 8, N_JOBS, job, c, &err), 0);
	assert_int_equal(pub_pool_run(fx->client, 4, 0, job, c, &err), 0);
	assert_int_equal(atomic_load(&c->runs[3]), 1);
}

/* ---- crews and flights --------------------------------------------------- */

struct crew_ctx {
	struct pub_crew *crew;
	atomic_int runs[64];
	atomic_int batches; /* items of inner batches, run from crew jobs */
};

static void crew_item(struct reg_session *s, size_t i, void *arg)
{
	struct crew_ctx *cc = arg;
	if (s)
		atomic_fetch_add(&cc->runs[i], 1);
}

static void crew_job(struct pub_crew *crew, size_t i, void *arg)
{
	struct crew_ctx *cc = &((struct crew_ctx *)arg)[i];
	(void)crew;
	/* two batches on the worker's crew, one after the other */
	pub_crew_run(crew, 40, crew_item, cc);
	pub_crew_run(crew, 24, crew_item, cc);
	atomic_fetch_add(&cc->batches, 2);
}

static void crew_runs_every_item_of_each_batch_once(void **state)
{
	struct pool_fixture *fx = *state;
	struct crew_ctx *cc = calloc(6, sizeof(*cc));
	struct base_error err;

	assert_non_null(cc);
	base_error_clear(&err);
	assert_int_equal(pub_pool_run_crews(fx->client, 3, 8, 6, crew_job, cc, &err), 0);
	for (int j = 0; j < 6; j++) {
		assert_int_equal(atomic_load(&cc[j].batches), 2);
		for (int i = 0; i < 64; i++)
			assert_int_equal(atomic_load(&cc[j].runs[i]), i < 24 ? 2 : i < 40 ? 1 : 0);
	}
	free(cc);
}

struct flight_ctx {
	struct pub_flights *f;
	struct reg_ref repo;
	atomic_int writers, inside, overlap, done_seen, fail_first;
};

static void flight_job(struct reg_session *s, size_t i, void *arg)
{
	struct flight_ctx *fc = arg;
	enum pub_flight_claim cl;
	(void)s;
	(void)i;
	cl = pub_flight_begin(fc->f, PUB_FLIGHT_BLOB, &fc->repo, "sha256:aa", 1);
	if (cl == PUB_FLIGHT_DONE) {
		atomic_fetch_add(&fc->done_seen, 1);
		return;
	}
	assert_int_equal(cl, PUB_FLIGHT_MINE);
	if (atomic_fetch_add(&fc->inside, 1) != 0)
		atomic_fetch_add(&fc->overlap, 1);
	atomic_fetch_add(&fc->writers, 1);
	atomic_fetch_sub(&fc->inside, 1);
	/* the first writer fails: the key goes to the next one waiting */
	pub_flight_end(fc->f, PUB_FLIGHT_BLOB, &fc->repo, "sha256:aa",
	               atomic_exchange(&fc->fail_first, 0) == 0);
}

static void flight_has_one_writer_and_a_failure_hands_it_on(void **state)
{
	struct pool_fixture *fx = *state;
	struct flight_ctx fc = {.repo = {.registry = "r", .repository = "app"}};
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(pub_flights_new(&fc.f, &err), 0);
	atomic_store(&fc.fail_first, 1);
	assert_int_equal(pub_pool_run(fx->client, 8, 200, flight_job, &fc, &err), 0);
	assert_int_equal(atomic_load(&fc.writers), 2);
	assert_int_equal(atomic_load(&fc.overlap), 0);
	assert_int_equal(atomic_load(&fc.done_seen), 198);
	/* another repository, or a manifest of the same digest, is its own key */
	assert_int_equal(pub_flight_begin(fc.f, PUB_FLIGHT_MANIFEST, &fc.repo, "sha256:aa", 0),
	                 PUB_FLIGHT_MINE);
	assert_int_equal(pub_flight_begin(fc.f, PUB_FLIGHT_MANIFEST, &fc.repo, "sha256:aa", 0),
	                 PUB_FLIGHT_BUSY);
	fc.repo.repository = "other";
	assert_int_equal(pub_flight_begin(fc.f, PUB_FLIGHT_BLOB, &fc.repo, "sha256:aa", 0),
	                 PUB_FLIGHT_MINE);
	pub_flights_free(fc.f);
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
	    cmocka_unit_test_setup_teardown(crew_runs_every_item_of_each_batch_once, pool_setup,
	                                    pool_teardown),
	    cmocka_unit_test_setup_teardown(flight_has_one_writer_and_a_failure_hands_it_on,
	                                    pool_setup, pool_teardown),
	};
	return unit_run_group("test_pub_pool", tests, argc, argv);
}
