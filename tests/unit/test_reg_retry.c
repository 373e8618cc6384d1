/* test_reg_retry.c — the pure parts of retrying, without a network: which
 * curl codes and statuses are retried (and on a fresh connection), a host's
 * run of connection failures and its down mark, the Range-resume decision,
 * per-registry limits as the client resolves them, Retry-After as curl
 * reads it (capped), backoff bounds and registry error bodies. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reg_internal.h"

static void curl_codes_are_classified(void **state)
{
	static const struct {
		CURLcode cc;
		const char *errbuf;
		enum reg_fault want;
	} cases[] = {
	    {CURLE_COULDNT_RESOLVE_HOST, "", REG_FAULT_CONNECT},
	    {CURLE_COULDNT_CONNECT, "Failed to connect", REG_FAULT_CONNECT},
	    {CURLE_SSL_CONNECT_ERROR, "", REG_FAULT_CONNECT},
	    {CURLE_OPERATION_TIMEDOUT, "Operation timed out after 1000 milliseconds",
	     REG_FAULT_TIMEOUT},
	    {CURLE_SEND_ERROR, "", REG_FAULT_DROPPED},
	    {CURLE_RECV_ERROR, "", REG_FAULT_DROPPED},
	    {CURLE_GOT_NOTHING, "Empty reply from server", REG_FAULT_DROPPED},
	    {CURLE_PARTIAL_FILE, "transfer closed with 5 bytes remaining", REG_FAULT_DROPPED},
	    {CURLE_WEIRD_SERVER_REPLY, "", REG_FAULT_DROPPED},
	    {CURLE_HTTP2, "", REG_FAULT_DROPPED},
	    {CURLE_HTTP2_STREAM, "", REG_FAULT_DROPPED},
	    {CURLE_UNSUPPORTED_PROTOCOL, "Received HTTP/0.9 when not allowed", REG_FAULT_DROPPED},
	    {CURLE_UNSUPPORTED_PROTOCOL, "Protocol \"ftp\" not supported or disabled in libcurl",
	     REG_FAULT_NONE},
	    {CURLE_UNSUPPORTED_PROTOCOL, NULL, REG_FAULT_NONE},
	    {CURLE_SSL_CACERT_BADFILE, "", REG_FAULT_NONE},
	    {CURLE_PEER_FAILED_VERIFICATION, "", REG_FAULT_NONE},
	    {CURLE_WRITE_ERROR, "", REG_FAULT_NONE},
	    {CURLE_TOO_MANY_REDIRECTS, "", REG_FAULT_NONE},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(reg_fault_of_curl(cases[i].cc, cases[i].errbuf), cases[i].want);
}

static void statuses_are_classified(void **state)
{
	(void)state;
	for (enum reg_method m = REG_M_HEAD; m <= REG_M_DELETE; m++) {
		assert_int_equal(reg_fault_of_status(429, m), REG_FAULT_STATUS);
		assert_int_equal(reg_fault_of_status(502, m), REG_FAULT_STATUS);
		assert_int_equal(reg_fault_of_status(503, m), REG_FAULT_STATUS);
		assert_int_equal(reg_fault_of_status(504, m), REG_FAULT_STATUS);
		assert_int_equal(reg_fault_of_status(200, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(400, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(401, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(403, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(404, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(416, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(501, m), REG_FAULT_NONE);
		assert_int_equal(reg_fault_of_status(500, m),
		                 m == REG_M_HEAD ? REG_FAULT_STATUS : REG_FAULT_NONE);
	}
}

static void bodies_that_are_not_json_are_retried_unless_vouched(void **state)
{
	static const struct {
		const char *body;
		int vouched;
		enum reg_fault want;
	} cases[] = {
	    {"{\"schemaVersion\": 2, \"manifests\": []}", 0, REG_FAULT_NONE},
	    {"  {\"a\": 1}\r\n", 0, REG_FAULT_NONE},
	    {"<html><body>200 OK</body></html>", 0, REG_FAULT_DIGEST},
	    {"{\"schemaVersion\": 2, \"manifests\": [", 0, REG_FAULT_DIGEST},
	    {"{\"a\": 1} <html>", 0, REG_FAULT_DIGEST},
	    {"", 0, REG_FAULT_DIGEST},
	    /* The registry's own bytes (they matched a digest): final. */
	    {"<html><body>200 OK</body></html>", 1, REG_FAULT_NONE},
	    {"", 1, REG_FAULT_NONE},
	};
	static const uint8_t nul[] = {'{', '}', 0, ' '};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(reg_fault_of_json_body((const uint8_t *)cases[i].body,
		                                        strlen(cases[i].body), cases[i].vouched),
		                 cases[i].want);
	assert_int_equal(reg_fault_of_json_body(nul, sizeof(nul), 0), REG_FAULT_DIGEST);
	assert_int_equal(reg_fault_of_json_body(NULL, 0, 0), REG_FAULT_DIGEST);
	/* Only the first bytes are read: a prefix that is JSON is JSON. */
	assert_int_equal(reg_fault_of_json_body((const uint8_t *)"{}garbage", 2, 0),
	                 REG_FAULT_NONE);
	/* Retried like a digest mismatch: on a fresh connection. */
	assert_true(reg_fault_wants_fresh(REG_FAULT_DIGEST));
}

static void faults_choose_connection_and_count(void **state)
{
	(void)state;
	assert_false(reg_fault_wants_fresh(REG_FAULT_NONE));
	assert_false(reg_fault_wants_fresh(REG_FAULT_STATUS));
	assert_false(reg_fault_wants_fresh(REG_FAULT_CONNECT));
	assert_true(reg_fault_wants_fresh(REG_FAULT_TIMEOUT));
	assert_true(reg_fault_wants_fresh(REG_FAULT_DROPPED));
	assert_true(reg_fault_wants_fresh(REG_FAULT_DIGEST));

	assert_false(reg_fault_is_connection(REG_FAULT_NONE));
	assert_false(reg_fault_is_connection(REG_FAULT_STATUS));
	assert_true(reg_fault_is_connection(REG_FAULT_CONNECT));
	assert_true(reg_fault_is_connection(REG_FAULT_TIMEOUT));
	assert_false(reg_fault_is_connection(REG_FAULT_DROPPED));
	assert_false(reg_fault_is_connection(REG_FAULT_DIGEST));
}

static struct timespec at(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	return t;
}

/* One try from start_ms to end_ms that failed at the connection level. */
static int fail_try(struct reg_health *hh, long start_ms, long end_ms, const char *why)
{
	struct timespec s = at(start_ms), e = at(end_ms);
	return reg_health_failed(hh, &s, &e, why);
}

static void host_goes_down_after_three_failures(void **state)
{
	struct reg_health hh = {0};
	(void)state;
	assert_int_equal(fail_try(&hh, 0, 1000, "Timeout was reached"), 0);
	assert_int_equal(hh.failures, 1);
	assert_int_equal(fail_try(&hh, 1050, 2050, "Timeout was reached"), 0);
	assert_int_equal(hh.failures, 2);
	assert_false(hh.down);
	assert_int_equal(fail_try(&hh, 2150, 3150, "Couldn't connect to server"), 1);
	assert_true(hh.down);
	assert_int_equal(hh.failures, REG_HOST_DOWN_AFTER);
	assert_string_equal(hh.last_error, "Couldn't connect to server");
	/* Marked once: later failures do not mark it again or change the cause. */
	assert_int_equal(fail_try(&hh, 3200, 4200, "other"), 0);
	assert_int_equal(hh.failures, REG_HOST_DOWN_AFTER);
	assert_string_equal(hh.last_error, "Couldn't connect to server");
	/* Down is for the rest of the run, answers or not. */
	reg_health_ok(&hh);
	assert_true(hh.down);
}

static void an_answer_resets_the_count(void **state)
{
	struct reg_health hh = {0};
	(void)state;
	fail_try(&hh, 0, 1000, "a");
	fail_try(&hh, 1100, 2100, "b");
	reg_health_ok(&hh);
	assert_int_equal(hh.failures, 0);
	assert_int_equal(fail_try(&hh, 2200, 3200, "c"), 0);
	assert_int_equal(fail_try(&hh, 3300, 4300, "d"), 0);
	assert_false(hh.down);
	assert_int_equal(fail_try(&hh, 4400, 5400, "e"), 1);
	assert_true(hh.down);
}

static void overlapping_failures_count_once(void **state)
{
	struct reg_health hh = {0};
	(void)state;
	/* Sixteen workers time out together: one outage, one count. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(fail_try(&hh, i, 1000 + i, "Timeout was reached"), 0);
	assert_int_equal(hh.failures, 1);
	/* Their retries, begun after the first counted failure: one more. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(fail_try(&hh, 1100 + i, 2100 + i, "Timeout was reached"), 0);
	assert_int_equal(hh.failures, 2);
	assert_false(hh.down);
	assert_int_equal(fail_try(&hh, 2200, 3200, "Timeout was reached"), 1);
	for (int i = 1; i < 16; i++)
		assert_int_equal(fail_try(&hh, 2200 + i, 3200 + i, "Timeout was reached"), 0);
	assert_true(hh.down);
}

static void resume_offset_is_decided(void **state)
{
	(void)state;
	/* Dropped or timed out mid-body of a 200/206: resume at what we hold. */
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 200, 100000, 150000, 0), 100000);
	assert_int_equal(reg_resume_offset(REG_FAULT_TIMEOUT, 200, 42, -1, 0), 42);
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 206, 120000, 150000, 0), 120000);
	/* Nothing held, or all of it: from the start. */
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 200, 0, 150000, 0), 0);
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 200, 150000, 150000, 0), 0);
	/* The registry refused a Range before: from the start. */
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 200, 100000, 150000, 1), 0);
	/* Not a transfer cut short: from the start. */
	assert_int_equal(reg_resume_offset(REG_FAULT_DIGEST, 200, 150000, 150000, 0), 0);
	assert_int_equal(reg_resume_offset(REG_FAULT_CONNECT, 200, 100, 150000, 0), 0);
	assert_int_equal(reg_resume_offset(REG_FAULT_STATUS, 503, 100, 150000, 0), 0);
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 0, 100, -1, 0), 0);
	assert_int_equal(reg_resume_offset(REG_FAULT_DROPPED, 404, 100, -1, 0), 0);
}

static void range_answers_are_read(void **state)
{
	(void)state;
	assert_int_equal(reg_range_answer(206, "bytes 100000-150238/150239", 100000),
	                 REG_RANGE_APPEND);
	assert_int_equal(reg_range_answer(206, "bytes 100000-150238/*", 100000), REG_RANGE_APPEND);
	assert_int_equal(reg_range_answer(200, NULL, 100000), REG_RANGE_RESTART);
	assert_int_equal(reg_range_answer(200, "bytes 0-9/10", 5), REG_RANGE_RESTART);
	assert_int_equal(reg_range_answer(206, "bytes 0-150238/150239", 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(206, "bytes 99999-150238/150239", 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(206, "", 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(206, NULL, 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(206, "items 100000-1/2", 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(206, "bytes -5", 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(206, "bytes 100000", 100000), REG_RANGE_BAD);
	assert_int_equal(reg_range_answer(204, "bytes 100000-1/2", 100000), REG_RANGE_BAD);
}

static void client_reports_a_down_host(void **state)
{
	struct reg_client *c = NULL;
	struct base_error err;
	struct reg_host *h;
	(void)state;
	base_error_clear(&err);
	assert_int_equal(reg_client_new(NULL, &c, &err), BASE_OK);
	h = reg_client_host(c, "reg.example:5000");
	assert_non_null(h);
	assert_false(reg_host_down(h, &err));
	for (int i = 0; i < REG_HOST_DOWN_AFTER; i++) {
		struct timespec started;
		clock_gettime(CLOCK_MONOTONIC, &started);
		assert_int_equal(reg_host_note(h, REG_FAULT_DROPPED, &started, "dropped"), 0);
		assert_int_equal(
		    reg_host_note(h, REG_FAULT_TIMEOUT, &started, "Timeout was reached"),
		    i == REG_HOST_DOWN_AFTER - 1);
	}
	assert_true(reg_host_down(h, &err));
	assert_string_equal(err.msg, "reg.example:5000: registry unreachable (3 consecutive "
	                             "connection failures: Timeout was reached)");
	/* Other hosts are not affected. */
	assert_false(reg_host_down(reg_client_host(c, "other.example"), &err));
	reg_client_free(c);
}

static void client_resolves_per_registry_limits(void **state)
{
	struct reg_client_options opts = {.timeout_ms = 7000};
	struct reg_registry_settings none = {0};
	struct reg_registry_settings set = {.timeout_ms = 1000,
	                                    .low_speed_limit = 2000,
	                                    .low_speed_time_ms = 3000,
	                                    .retries_set = 1,
	                                    .max_retries = 0};
	struct reg_client *c = NULL;
	struct base_error err;
	struct reg_host *h;
	(void)state;
	base_error_clear(&err);
	assert_int_equal(reg_client_new(&opts, &c, &err), BASE_OK);
	h = reg_client_host(c, "fresh.example");
	assert_int_equal(h->timeout_ms, 7000);
	assert_int_equal(h->low_speed_limit, 1024);
	assert_int_equal(h->low_speed_time_ms, 15000);
	assert_int_equal(h->max_retries, 4);
	assert_int_equal(reg_client_configure(c, "none.example", &none, &err), BASE_OK);
	h = reg_client_host(c, "none.example");
	assert_int_equal(h->timeout_ms, 7000);
	assert_int_equal(h->max_retries, 4);
	assert_int_equal(reg_client_configure(c, "set.example", &set, &err), BASE_OK);
	h = reg_client_host(c, "set.example");
	assert_int_equal(h->timeout_ms, 1000);
	assert_int_equal(h->low_speed_limit, 2000);
	assert_int_equal(h->low_speed_time_ms, 3000);
	assert_int_equal(h->max_retries, 0);
	reg_client_free(c);
}

/* curl reads Retry-After (CURLINFO_RETRY_AFTER: seconds, or an HTTP-date
 * less now); what is waited is that, capped at 60 s, a date past is now. */
static void retry_after_seconds_are_capped_at_60s(void **state)
{
	(void)state;
	assert_int_equal(reg_retry_after_clamp(5), 5000);
	assert_int_equal(reg_retry_after_clamp(0), 0);
	assert_int_equal(reg_retry_after_clamp(60), 60000);
	assert_int_equal(reg_retry_after_clamp(120), 60000);
	assert_int_equal(reg_retry_after_clamp((curl_off_t)1 << 62), 60000);
}

static void retry_after_date_past_is_now(void **state)
{
	(void)state;
	assert_int_equal(reg_retry_after_clamp(-60), 0);
	assert_int_equal(reg_retry_after_clamp(-((curl_off_t)1 << 62)), 0);
}

static void backoff_is_full_jitter_below_doubling_ceiling(void **state)
{
	(void)state;
	/* rnd % (ceiling + 1), ceiling = base << attempt, max 30 s */
	assert_int_equal(reg_backoff_ms(500, 0, 500), 500);
	assert_int_equal(reg_backoff_ms(500, 0, 501), 0);
	assert_int_equal(reg_backoff_ms(500, 3, 4000), 4000);
	assert_int_equal(reg_backoff_ms(500, 3, 4001), 0);
	assert_int_equal(reg_backoff_ms(500, 20, 30000), 30000);
	assert_int_equal(reg_backoff_ms(500, 20, 30001), 0);
	assert_int_equal(reg_backoff_ms(500, INT_MAX, 30000), 30000);
	assert_int_equal(reg_backoff_ms(10, 2, 41), 0);
}

static void backoff_never_exceeds_30s(void **state)
{
	(void)state;
	for (unsigned int r = 0; r < 100000; r += 997)
		assert_true(reg_backoff_ms(500, 6, r) <= 30000);
}

static const char *const two_errors =
    "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
    "\"detail\":{\"Tag\":\"v1\"}},{\"code\":\"X\",\"message\":\"y\"}]}";

static void error_body_gives_first_code_and_message(void **state)
{
	(void)state;
	char code[64], msg[256];
	assert_int_equal(reg_error_body_parse((const uint8_t *)two_errors, strlen(two_errors), code,
	                                      sizeof(code), msg, sizeof(msg)),
	                 0);
	assert_string_equal(code, "MANIFEST_UNKNOWN");
	assert_string_equal(msg, "manifest unknown");
}

static void error_body_without_message_gives_empty_message(void **state)
{
	(void)state;
	char code[64], msg[256];
	const char *b = "{\"errors\":[{\"code\":\"DENIED\"}]}";
	assert_int_equal(reg_error_body_parse((const uint8_t *)b, strlen(b), code, sizeof(code),
	                                      msg, sizeof(msg)),
	                 0);
	assert_string_equal(code, "DENIED");
	assert_string_equal(msg, "");
}

static void error_body_rejects_other_bodies(void **state)
{
	(void)state;
	char code[64], msg[256];
	/* not ours to read past len: a prefix of a valid body is invalid */
	assert_int_equal(reg_error_body_parse((const uint8_t *)two_errors, 20, code, sizeof(code),
	                                      msg, sizeof(msg)),
	                 -1);
	assert_int_equal(reg_error_body_parse((const uint8_t *)"<html>", 6, code, sizeof(code), msg,
	                                      sizeof(msg)),
	                 -1);
	assert_int_equal(reg_error_body_parse((const uint8_t *)"{\"errors\":[]}", 13, code,
	                                      sizeof(code), msg, sizeof(msg)),
	                 -1);
	assert_int_equal(reg_error_body_parse(NULL, 0, code, sizeof(code), msg, sizeof(msg)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(curl_codes_are_classified),
	    cmocka_unit_test(statuses_are_classified),
	    cmocka_unit_test(bodies_that_are_not_json_are_retried_unless_vouched),
	    cmocka_unit_test(faults_choose_connection_and_count),
	    cmocka_unit_test(host_goes_down_after_three_failures),
	    cmocka_unit_test(an_answer_resets_the_count),
	    cmocka_unit_test(overlapping_failures_count_once),
	    cmocka_unit_test(resume_offset_is_decided),
	    cmocka_unit_test(range_answers_are_read),
	    cmocka_unit_test(client_reports_a_down_host),
	    cmocka_unit_test(client_resolves_per_registry_limits),
	    cmocka_unit_test(retry_after_seconds_are_capped_at_60s),
	    cmocka_unit_test(retry_after_date_past_is_now),
	    cmocka_unit_test(backoff_is_full_jitter_below_doubling_ceiling),
	    cmocka_unit_test(backoff_never_exceeds_30s),
	    cmocka_unit_test(error_body_gives_first_code_and_message),
	    cmocka_unit_test(error_body_without_message_gives_empty_message),
	    cmocka_unit_test(error_body_rejects_other_bodies),
	};
	return cmocka_run_group_tests_name("reg_retry", tests, NULL, NULL);
}
