/* test_reg_budget.c — request budgets without a network: the rate-limit
 * header parsers (IETF draft and Docker Hub forms), the token bucket's
 * arithmetic, the pacing by an announced window, and the preset table. */
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
	/* 2000/min: burst 33 (a second's worth), then (2000 - 33) a minute. */
	struct reg_budget bd = {2000, 60000};
	struct reg_bucket b;
	struct timespec t0 = at_ms(0);
	long sent = 0;
	(void)state;
	reg_bucket_init(&b, &bd, &t0);
	assert_true(b.burst == 33);
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
	    cmocka_unit_test(bucket_says_how_long_to_wait),
	    cmocka_unit_test(bucket_of_none_never_waits),
	    cmocka_unit_test(window_spreads_what_is_left_over_the_time_left),
	    cmocka_unit_test(window_counts_requests_in_flight),
	    cmocka_unit_test(window_empty_waits_for_its_reset),
	    cmocka_unit_test(window_keeps_the_earliest_reset_and_sees_a_new_window),
	    cmocka_unit_test(window_share_is_a_part_of_what_is_left),
	    cmocka_unit_test(presets_have_their_documented_numbers),
	    cmocka_unit_test(budget_rate_is_per_second),
	};
	return unit_run_group("reg_budget", tests, argc, argv);
}
