/* test_cli_exit.c — the exit code of a check or publish run (cli/exit.c):
 * a signal wins as 128 + N, a deadline that left targets not reached is 4
 * unless a target failed, and everything else is as before. */
#include <signal.h>

#include "cli.h"
#include "unit.h"

static struct pub_job_result result(int failed, int incomplete, enum pub_stop_cause stopped,
                                    int sig, size_t not_reached)
{
	struct pub_job_result r;
	memset(&r, 0, sizeof(r));
	r.run.failed = failed;
	r.run.incomplete = incomplete;
	r.stopped = stopped;
	r.stop_signal = sig;
	r.not_reached = not_reached;
	return r;
}

static void exit_code_of_a_signal_is_128_plus_its_number(void **state)
{
	struct pub_job_result r = result(1, 0, PUB_STOP_SIGNAL, SIGTERM, 3);
	(void)state;
	assert_int_equal(cli_exit_code_job(0, &r), 143);
	r = result(0, 0, PUB_STOP_SIGNAL, SIGINT, 0);
	assert_int_equal(cli_exit_code_job(-1, &r), 130);
}

static void exit_code_of_a_deadline_is_4_unless_a_target_failed(void **state)
{
	struct pub_job_result r = result(0, 1, PUB_STOP_DEADLINE, 0, 2);
	(void)state;
	assert_int_equal(cli_exit_code_job(0, &r), PUB_EXIT_DEADLINE);
	r = result(1, 0, PUB_STOP_DEADLINE, 0, 2);
	assert_int_equal(cli_exit_code_job(0, &r), PUB_EXIT_FAILED);
	r = result(0, 0, PUB_STOP_DEADLINE, 0, 2);
	assert_int_equal(cli_exit_code_job(-1, &r), PUB_EXIT_FAILED);
	/* stopped, but everything was reached: the usual code */
	r = result(0, 1, PUB_STOP_DEADLINE, 0, 0);
	assert_int_equal(cli_exit_code_job(0, &r), PUB_EXIT_INCOMPLETE);
}

static void exit_code_of_a_whole_run_is_unchanged(void **state)
{
	struct pub_job_result r = result(0, 0, PUB_STOP_NONE, 0, 0);
	(void)state;
	assert_int_equal(cli_exit_code_job(0, &r), PUB_EXIT_OK);
	assert_int_equal(cli_exit_code_job(BASE_EINPUT, &r), PUB_EXIT_USAGE);
	r = result(0, 2, PUB_STOP_NONE, 0, 0);
	assert_int_equal(cli_exit_code_job(0, &r), PUB_EXIT_INCOMPLETE);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exit_code_of_a_signal_is_128_plus_its_number),
	    cmocka_unit_test(exit_code_of_a_deadline_is_4_unless_a_target_failed),
	    cmocka_unit_test(exit_code_of_a_whole_run_is_unchanged),
	};
	return unit_run_group("test_cli_exit", tests, argc, argv);
}
