/* test_reg_budget.c — request budgets without a network: the rate-limit
 * header parsers (IETF draft and Docker Hub forms), the token bucket's
 * arithmetic, the pacing by an announced window, how 429s slow a registry
 * (AIMD, pauses coalesced), and the preset table. */
#include "unit.h"

#include "reg_internal.h"

static struct timespec at_ms(long ms)
{
	struct timespec t = {1000 + ms / 1000, (ms % 1000) * 1000000L};
	return t;
}

static void ietf_headers_are_read(void **state)
{
	struct reg_ratelimit rl;
	(void)state;
	assert_int_equal(reg_ratelimit_parse("100", "42", "7", &rl), 0);
	assert_int_equal(rl.limit, 100);
	assert_int_equal(rl.remaining, 42);
	assert_int_equal(rl.reset_ms, 7000);
	/* A quota policy after the count is ignored; the count is what counts. */
	assert_int_equal(reg_ratelimit_parse("100, 100;w=60", " 0", "1", &rl), 0);
	assert_int_equal(rl.remaining, 0);
	assert_int_equal(rl.reset_ms, 1000);
}

static void dockerhub_headers_take_the_window_for_reset(void **state)
{
	struct reg_ratelimit rl;
	(void)state;
	assert_int_equal(reg_ratelimit_parse("100;w=21600", "76;w=21600", NULL, &rl), 0);
	assert_int_equal(rl.limit, 100);
	assert_int_equal(rl.remaining, 76);
	assert_int_equal(rl.reset_ms, 21600L * 1000);
}

static void missing_or_garbled_headers_are_not_read(void **state)
{
	struct reg_ratelimit rl;
	(void)state;
	assert_int_equal(reg_ratelimit_parse(NULL, NULL, NULL, &rl), -1);
	assert_int_equal(reg_ratelimit_parse("100", "", "5", &rl), -1);
	assert_int_equal(reg_ratelimit_parse("100", "-3", "5", &rl), -1);
	assert_int_equal(reg_ratelimit_parse("100", "lots", "5", &rl), -1);
	/* Remaining alone: no window known, the default reset applies later. */
	assert_int_equal(reg_ratelimit_parse(NULL, "5", "soon", &rl), 0);
	assert_int_equal(rl.reset_ms, -1);
}

static void bucket_never_exceeds_its_window(void **state)
{
	/* 2000/min: burst 2 (50 ms' worth, rounded down, at least 2), then
	 * 1998 a minute. */
	struct reg_budget bd = {2000, 60000};
	struct reg_bucket b;
	struct timespec t0 = at_ms(0);
	long sent = 0;
	(void)state;
	reg_bucket_init(&b, &bd, &t0);
	assert_true(b.burst == 2);
	for (long ms = 0; ms < 60000; ms++) {
		struct timespec now = at_ms(ms);
		while (reg_bucket_wait_ms(&b, &now) == 0) {
			reg_bucket_take(&b);
			sent++;
		}
	}
	assert_true(sent <= 2000);
	assert_true(sent >= 1990);
}

/* A long night runs at 95 % of the budget or more, and the pace is what
 * the bucket lets through. */
static void bucket_pace_is_most_of_the_budget(void **state)
{
	static const struct {
		struct reg_budget bd;
		double burst, pace;
	} cases[] = {
	    {{40, 1000}, 2, 38},     /* 50 ms of 40/s */
	    {{36, 1000}, 2, 34},     /* 1.8, at least 2 */
	    {{1000, 1000}, 50, 950}, /* ECR's */
	    {{10, 1000}, 1, 9},      /* Quay's: a tenth of 10 */
	    {{100, 3600000}, 2, 98 / 3600.0},
	    {{1, 60000}, 1, 1 / 60.0}, /* one a window */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_bucket b;
		struct timespec t0 = at_ms(0);
		long sent = 0;
		reg_bucket_init(&b, &cases[i].bd, &t0);
		assert_true(b.burst == cases[i].burst);
		assert_true(reg_budget_pace(&cases[i].bd) > cases[i].pace - 1e-9);
		assert_true(reg_budget_pace(&cases[i].bd) < cases[i].pace + 1e-9);
		assert_true(b.rate == reg_budget_pace(&cases[i].bd));
		if (cases[i].bd.window_ms != 1000)
			continue;
		/* 20 s of requests as fast as it allows: the burst, then the pace */
		for (long ms = 0; ms < 20000; ms++) {
			struct timespec now = at_ms(ms);
			while (reg_bucket_wait_ms(&b, &now) == 0) {
				reg_bucket_take(&b);
				sent++;
			}
		}
		assert_true(sent >= (long)(cases[i].pace * 20 * 0.99)); /* 1 ms ticks */
		assert_true(sent <= (long)(cases[i].pace * 20 + cases[i].burst) + 1);
	}
}

static void bucket_says_how_long_to_wait(void **state)
{
	struct reg_budget bd = {10, 1000}; /* 10/s: burst 1, then 9 a second */
	struct reg_bucket b;
	struct timespec t0 = at_ms(0), t1 = at_ms(50);
	(void)state;
	reg_bucket_init(&b, &bd, &t0);
	assert_int_equal(reg_bucket_wait_ms(&b, &t0), 0);
	reg_bucket_take(&b);
	assert_int_equal(reg_bucket_wait_ms(&b, &t0), 112); /* 1/9 s, rounded up */
	assert_int_equal(reg_bucket_wait_ms(&b, &t1), 62);
}

static void bucket_of_none_never_waits(void **state)
{
	struct reg_budget none = {0, 0};
	struct reg_bucket b;
	struct timespec t0 = at_ms(0);
	(void)state;
	reg_bucket_init(&b, &none, &t0);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(reg_bucket_wait_ms(&b, &t0), 0);
		reg_bucket_take(&b);
	}
}

/* One request sent at `ms`, its answer saying `remaining` left for reset_ms. */
static void said(struct reg_window *w, long remaining, long reset_ms, double share, long ms)
{
	struct reg_ratelimit rl = {40, remaining, reset_ms};
	struct timespec t = at_ms(ms);
	reg_window_update(w, &rl, reg_window_take(w, &t), share, &t);
}

static void window_spreads_what_is_left_over_the_time_left(void **state)
{
	struct reg_window w;
	struct timespec t0 = at_ms(0);
	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(reg_window_wait_ms(&w, &t0), 0); /* nothing said yet */
	said(&w, 10, 1000, 1, 0);
	/* 10 left for 1 s: one every 100 ms. */
	assert_int_equal(reg_window_wait_ms(&w, &t0), 100);
	struct timespec t1 = at_ms(100);
	assert_int_equal(reg_window_wait_ms(&w, &t1), 0);
}

static void window_counts_requests_in_flight(void **state)
{
	struct reg_window w;
	struct reg_ratelimit rl = {40, 5, 1000};
	struct timespec t0 = at_ms(0);
	unsigned long first;
	(void)state;
	memset(&w, 0, sizeof(w));
	first = reg_window_take(&w, &t0);
	for (int i = 0; i < 4; i++)
		reg_window_take(&w, &t0);
	/* The first answer says 5 left, but 4 more went out after it. */
	reg_window_update(&w, &rl, first, 1, &t0);
	assert_true(w.remaining == 1);
	/* An answer from before the window began changes nothing. */
	rl.remaining = 0;
	w.first = 3;
	reg_window_update(&w, &rl, 2, 1, &t0);
	assert_true(w.remaining == 1);
}

static void window_empty_waits_for_its_reset(void **state)
{
	struct reg_window w;
	struct timespec t0 = at_ms(0), t1 = at_ms(2000);
	(void)state;
	memset(&w, 0, sizeof(w));
	said(&w, 0, 2000, 1, 0);
	assert_int_equal(reg_window_wait_ms(&w, &t0), 2000);
	assert_int_equal(reg_window_wait_ms(&w, &t1), 0); /* the window is over */
}

static void window_keeps_the_earliest_reset_and_sees_a_new_window(void **state)
{
	struct reg_window w;
	(void)state;
	memset(&w, 0, sizeof(w));
	said(&w, 30, 1000, 1, 0);
	said(&w, 20, 1000, 1, 400);
	/* "1 s" in whole seconds said at 400 ms does not move the end past 1 s. */
	assert_int_equal(w.reset_at.tv_sec, 1001);
	assert_int_equal(w.reset_at.tv_nsec, 0);
	assert_true(w.remaining == 20);
	/* More left than before: a new window, its own end. */
	said(&w, 39, 1000, 1, 1100);
	assert_true(w.remaining == 39);
	assert_int_equal(w.reset_at.tv_sec, 1002);
}

/* Past a window's end, with the Limit said, the next window is paced like
 * any other: one request goes, the next waits its turn (1 s / 40), instead
 * of every waiting worker at once; without a Limit, as before, no wait. */
static void window_past_its_end_paces_the_next(void **state)
{
	struct reg_window w;
	struct reg_ratelimit no_limit = {-1, 0, 1000};
	struct timespec end = at_ms(1000), t = at_ms(0);
	int went = 0;
	(void)state;
	memset(&w, 0, sizeof(w));
	said(&w, 0, 1000, 1, 0); /* Limit 40, none left, the window ends at 1 s */
	assert_int_equal(reg_window_wait_ms(&w, &t), 1000);
	while (went < 100 && reg_window_wait_ms(&w, &end) == 0) {
		reg_window_take(&w, &end);
		went++;
	}
	assert_int_equal(went, 1);
	assert_int_equal(reg_window_wait_ms(&w, &end), 25); /* 1 s left, 39 to go */
	assert_int_equal(w.reset_at.tv_sec, 1002);          /* the window of 1..2 s */
	/* a window from a second later, still on the same grid */
	struct timespec late = at_ms(3500);
	reg_window_take(&w, &late);
	assert_int_equal(w.reset_at.tv_sec, 1004);
	assert_int_equal(w.reset_at.tv_nsec, 0);

	memset(&w, 0, sizeof(w));
	reg_window_update(&w, &no_limit, reg_window_take(&w, &t), 1, &t);
	for (went = 0; went < 100 && reg_window_wait_ms(&w, &end) == 0; went++)
		reg_window_take(&w, &end);
	assert_int_equal(went, 100);
}

/* The cancel hook, asked at every slice of a wait: how often, and what it says. */
static int hook_calls;
static int cancel_hook(void *ctx, int finishing)
{
	(void)finishing;
	hook_calls++;
	return *(int *)ctx;
}

/* Until a registry's first answer, its other requests wait for it (here
 * the cancel hook, asked at each slice of a wait, sees the wait and ends
 * it); a deadline does not turn that wait into a rate-limit failure; the
 * answer, even a failed exchange, lets them go, and such a wait is not
 * counted as waiting for the budget. */
static void first_answer_goes_before_the_rest(void **state)
{
	struct reg_client c;
	struct reg_host h;
	struct reg_request rq;
	struct reg_response rs;
	struct base_error err = {0};
	struct timespec sent;
	unsigned long seq;
	int stop = 1;
	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&h, 0, sizeof(h));
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	pthread_mutex_init(&h.budget_lock, NULL);
	h.name = "reg.example";
	rq.method = REG_M_HEAD;
	rq.url = "https://reg.example/v2/app/manifests/v1";
	rq.what = "reg.example/app:v1";
	rq.op = "HEAD manifest";
	c.cancel = cancel_hook;
	c.cancel_ctx = &stop;
	assert_int_equal(reg_budget_take(&c, &h, &rq, &seq, &err), BASE_OK);
	assert_int_equal(hook_calls, 0);
	clock_gettime(CLOCK_MONOTONIC, &sent);
	c.has_deadline = 1;
	c.deadline = sent; /* already past */
	assert_int_equal(reg_budget_take(&c, &h, &rq, &seq, &err), BASE_ECANCELED);
	assert_true(hook_calls > 0);
	assert_int_equal(h.limited, 0);
	reg_budget_answer(&h, &rq, &rs, 0, &sent, 0); /* status 0: the exchange failed */
	hook_calls = 0;
	c.has_deadline = 0;
	assert_int_equal(reg_budget_take(&c, &h, &rq, &seq, &err), BASE_OK);
	assert_int_equal(reg_budget_take(&c, &h, &rq, &seq, &err), BASE_OK);
	assert_int_equal(hook_calls, 0);
	assert_int_equal(h.n_requests, 3);
	assert_int_equal(h.waited_ms, 0);
	pthread_mutex_destroy(&h.budget_lock);
}

static void window_share_is_a_part_of_what_is_left(void **state)
{
	struct reg_window w;
	(void)state;
	memset(&w, 0, sizeof(w));
	said(&w, 90, 60000, 0.25, 0);
	assert_true(w.remaining == 22.5);
}

static void presets_have_their_documented_numbers(void **state)
{
	/* docs/config.md, "Presets": name, every request, writes, manifest GETs. */
	static const struct reg_preset want[] = {
	    {"ghcr", {2000, 60000}, {0, 0}, {0, 0}, 0},
	    {"dockerhub", {0, 0}, {0, 0}, {100, 3600000}, 1},
	    {"artifact-registry", {60000, 60000}, {18000, 60000}, {0, 0}, 0},
	    {"ecr", {1000, 1000}, {10, 1000}, {0, 0}, 0},
	    {"quay", {10, 1000}, {0, 0}, {0, 0}, 0},
	};
	(void)state;
	for (size_t i = 0; i < UNIT_COUNT(want); i++) {
		const struct reg_preset *p = reg_preset_find(want[i].name);
		assert_non_null(p);
		assert_memory_equal(&p->all, &want[i].all, sizeof(p->all));
		assert_memory_equal(&p->write, &want[i].write, sizeof(p->write));
		assert_memory_equal(&p->pull, &want[i].pull, sizeof(p->pull));
		assert_int_equal(p->pull_headers, want[i].pull_headers);
	}
	assert_null(reg_preset_find("gcr"));
	assert_null(reg_preset_find(NULL));
}

/* n answers at ms, every k-th of them a 429 (k 0: none); the pause the
 * last 429 asked for. */
static long answers(struct reg_aimd *a, int n, int k, long ms, long sent_ms)
{
	struct timespec now = at_ms(ms), sent = at_ms(sent_ms);
	long pause = 0;
	for (int i = 1; i <= n; i++) {
		long p = reg_aimd_answer(a, k && i % k == 0, 1000, &sent, &now);
		if (p)
			pause = p;
	}
	return pause;
}

static void aimd_a_hiccup_slows_nobody(void **state)
{
	struct reg_aimd a = {0};
	(void)state;
	/* 6 % of 429s, 100 answers a second for 60 s: never a limit */
	for (long s = 0; s < 60; s++)
		for (long ms = 0; ms < 1000; ms += 100)
			assert_int_equal(answers(&a, 10, 16, s * 1000 + ms, s * 1000 + ms - 5), 0);
	assert_true(a.rate == 0);
	assert_int_equal(a.has_cut, 0);
	struct timespec now = at_ms(60000);
	assert_int_equal(reg_aimd_wait_ms(&a, &now), 0);
	/* four 429s in a window, even in a row, are not yet a limit */
	struct reg_aimd b = {0};
	assert_int_equal(answers(&b, 4, 1, 0, 0), 0);
	assert_true(b.rate == 0);
	/* nor a new window's first answers: 3 of its first 6 are 429s, but the
	 * window before had 100 good ones */
	struct reg_aimd c = {0};
	assert_int_equal(answers(&c, 100, 0, 0, 0), 0);
	assert_int_equal(answers(&c, 3, 0, 1000, 995), 0);
	assert_int_equal(answers(&c, 3, 1, 1000, 995), 0);
	assert_true(c.rate == 0);
}

static void aimd_a_limit_cuts_once_a_window_and_pauses(void **state)
{
	struct reg_aimd a = {0};
	struct timespec now;
	(void)state;
	/* 20 answers in the first 500 ms, then 429s: at the 7th, a quarter of
	 * the window's answers (27) are 429s (5 at least), the registry is over
	 * its limit.
	 * Sent at 54/s, cut to half. */
	for (long ms = 0; ms < 500; ms += 50)
		assert_int_equal(answers(&a, 2, 0, ms, ms - 5), 0);
	assert_int_equal(answers(&a, 6, 1, 500, 495), 0);
	assert_int_equal(answers(&a, 1, 1, 500, 495), 1000);
	assert_true(a.rate > 26.9 && a.rate < 27.1);
	assert_true(a.step > 2.69 && a.step < 2.71);
	/* more 429s in the same window: no new pause, no new cut */
	assert_int_equal(answers(&a, 20, 1, 900, 890), 0);
	assert_true(a.rate > 26.9 && a.rate < 27.1);
	/* a window later, 429s to requests sent before the cut change nothing */
	assert_int_equal(answers(&a, 20, 1, 1600, 400), 0);
	assert_true(a.rate > 26.9 && a.rate < 27.1);
	/* one sent after it does: half again */
	assert_int_equal(answers(&a, 1, 1, 1700, 1650), 1000);
	assert_true(a.rate > 13.4 && a.rate < 13.6);
	/* paced at the cut rate: one request each 1/13.5 s (burst 1) */
	now = at_ms(1700);
	assert_int_equal(reg_aimd_wait_ms(&a, &now), 0);
	reg_aimd_take(&a);
	assert_int_equal(reg_aimd_wait_ms(&a, &now), 75);
}

static void aimd_grows_back_by_steps_and_lets_go(void **state)
{
	struct reg_aimd a = {0};
	int n = 0;
	(void)state;
	assert_int_equal(answers(&a, 5, 1, 1000, 995), 1000); /* 5 answers in 0.1 s: 50/s */
	assert_true(a.rate > 24.9 && a.rate < 25.1);
	assert_true(a.step == 2.5);
	/* each good answer adds step / rate: a second of answers at 25/s adds 2.5 */
	for (int i = 0; i < 25; i++)
		answers(&a, 1, 0, 1100, 1095);
	assert_true(a.rate > 27.3 && a.rate < 27.6);
	/* ... until twice the rate that was cut: no longer slowed */
	while (a.rate > 0 && n < 100000) {
		answers(&a, 1, 0, 1200, 1195);
		n++;
	}
	assert_true(a.rate == 0);
	assert_true(n > 100);
}

static void aimd_never_above_the_budget(void **state)
{
	struct reg_aimd a = {0};
	(void)state;
	a.ceiling = 10; /* the configured budget paces at 10/s */
	assert_int_equal(answers(&a, 5, 1, 1000, 995), 1000);
	assert_true(a.rate == 0); /* 25/s is above it: the budget alone paces */
	struct reg_aimd b = {0};
	b.ceiling = 40;
	assert_int_equal(answers(&b, 5, 1, 1000, 995), 1000);
	assert_true(b.rate > 24.9 && b.rate < 25.1);
	for (int i = 0; i < 100000 && b.rate > 0; i++) {
		answers(&b, 1, 0, 1200, 1195);
		assert_true(b.rate < 40);
	}
	assert_true(b.rate == 0); /* at 40, the budget's pace, it lets go (before 100) */
}

static void budget_rate_is_per_second(void **state)
{
	struct reg_budget a = {2000, 60000}, b = {100, 6 * 3600000L}, none = {0, 0};
	(void)state;
	assert_true(reg_budget_rate(&a) > 33.33 && reg_budget_rate(&a) < 33.34);
	assert_true(reg_budget_rate(&b) * 21600 > 99.99 && reg_budget_rate(&b) * 21600 < 100.01);
	assert_true(reg_budget_rate(&none) == 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ietf_headers_are_read),
	    cmocka_unit_test(dockerhub_headers_take_the_window_for_reset),
	    cmocka_unit_test(missing_or_garbled_headers_are_not_read),
	    cmocka_unit_test(bucket_never_exceeds_its_window),
	    cmocka_unit_test(bucket_pace_is_most_of_the_budget),
	    cmocka_unit_test(aimd_a_hiccup_slows_nobody),
	    cmocka_unit_test(aimd_a_limit_cuts_once_a_window_and_pauses),
	    cmocka_unit_test(aimd_grows_back_by_steps_and_lets_go),
	    cmocka_unit_test(aimd_never_above_the_budget),
	    cmocka_unit_test(bucket_says_how_long_to_wait),
	    cmocka_unit_test(bucket_of_none_never_waits),
	    cmocka_unit_test(window_spreads_what_is_left_over_the_time_left),
	    cmocka_unit_test(window_counts_requests_in_flight),
	    cmocka_unit_test(window_empty_waits_for_its_reset),
	    cmocka_unit_test(window_keeps_the_earliest_reset_and_sees_a_new_window),
	    cmocka_unit_test(window_past_its_end_paces_the_next),
	    cmocka_unit_test(first_answer_goes_before_the_rest),
	    cmocka_unit_test(window_share_is_a_part_of_what_is_left),
	    cmocka_unit_test(presets_have_their_documented_numbers),
	    cmocka_unit_test(budget_rate_is_per_second),
	};
	return unit_run_group("reg_budget", tests, argc, argv);
}
